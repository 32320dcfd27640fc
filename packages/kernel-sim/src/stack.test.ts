import { describe, expect, it } from 'vitest';
import { oneThread, testKernel } from './test-util.js';

describe('kernel stacks', () => {
  it('track the high-water mark per thread and per call', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.syscallEnter(t, 'pfm_read_pmds');
    k.stacks.push(t, 704, 'sys_pfm_read_pmds');
    k.stacks.push(t, 100, 'copy_from_user');
    k.stacks.pop(t, 100);
    k.stacks.pop(t, 704);
    k.syscallExit(t);
    expect(t.callStackHigh).toBe(160 + 804);
    expect(t.stackHigh).toBe(160 + 804);
    expect(t.stackDepth).toBe(0);
    expect(k.stacks.warnings).toEqual([]);
  });

  it('warn about frames over CONFIG_FRAME_WARN (1024 B on 32-bit), once per frame', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.stacks.push(t, 1408, 'pfm_read_pmds stack array');
    k.stacks.pop(t, 1408);
    k.stacks.push(t, 1408, 'pfm_read_pmds stack array');
    k.stacks.pop(t, 1408);
    expect(k.stacks.warnings).toEqual([
      { frame: 'pfm_read_pmds stack array', bytes: 1408, limit: 1024, arch: 'i386' },
    ]);
    const k64 = testKernel({ arch: 'x86_64' });
    const o = oneThread(k64);
    k64.stacks.push(o.t, 1408, 'pfm_read_pmds stack array');
    expect(k64.stacks.warnings).toEqual([]);
  });

  it('report an overflow past THREAD_SIZE as a fatal bug', () => {
    const k = testKernel({ arch: 'i386-4k' });
    const { t } = oneThread(k);
    k.syscallEnter(t, 'pfm_write_pmds');
    k.stacks.push(t, 2048, 'handler');
    expect(() => k.stacks.push(t, 2000, 'deep callee')).toThrow(/stack-overflow/);
    expect(k.bugs[0]!.kind).toBe('stack-overflow');
    expect(k.bugs[0]!.detail).toMatchObject({ depth: 160 + 4048, usable: 4096 - 56 });
    expect(k.stacks.margin(160 + 2048)).toBe(4096 - 56 - 2208);
  });
});
