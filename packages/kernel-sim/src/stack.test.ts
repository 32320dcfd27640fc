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

  it('warn only about frames larger than CONFIG_FRAME_WARN', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.stacks.push(t, 1024, 'exactly the limit');
    k.stacks.push(t, 1025, 'one byte over');
    expect(k.stacks.warnings.map((w) => w.frame)).toEqual(['one byte over']);
  });

  it('overflow starts one byte past the usable stack', () => {
    const k = testKernel({ arch: 'i386-4k' });
    const { t } = oneThread(k);
    expect(k.stacks.usable).toBe(4096 - 56);
    k.stacks.push(t, 4040, 'fills it');
    expect(k.bugs).toEqual([]);
    expect(() => k.stacks.push(t, 1, 'one more byte')).toThrow(
      'thread killed: stack-overflow: kernel stack overflow in one more byte: 4041 B used of 4040 B',
    );
    expect(k.bugs[0]!.detail).toEqual({ frame: 'one more byte', depth: 4041, usable: 4040 });
  });

  it('keep the deepest point, per thread and per system call', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.syscallEnter(t, 'first');
    k.stacks.push(t, 500, 'deep');
    k.stacks.pop(t, 500);
    k.stacks.push(t, 100, 'shallow');
    k.stacks.pop(t, 100);
    k.syscallExit(t);
    expect([t.stackHigh, t.callStackHigh]).toEqual([660, 660]);
    k.syscallEnter(t, 'second');
    k.stacks.push(t, 40, 'small');
    k.stacks.pop(t, 40);
    k.syscallExit(t);
    expect([t.stackHigh, t.callStackHigh]).toEqual([660, 200]);
  });

  it('give on-stack buffers memory below the current depth, THREAD_SIZE from the arena', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const area = k.stacks.areaAt(t, 704);
    expect(k.mem.ownerLiveBytes('kernel-stack')).toBe(8192);
    const top = t.stackBase + 8192;
    expect(area).toBe(top - 704);
    k.stacks.push(t, 800, 'frame');
    expect(k.stacks.areaAt(t, 64)).toBe(top - 800 - 64);
    expect(k.stacks.areaAt(t, 20000)).toBe(t.stackBase); // clamped to the stack
    expect(k.mem.ownerLiveBytes('kernel-stack')).toBe(8192); // allocated once
    const small = testKernel({ arch: 'i386-4k' });
    const o = oneThread(small);
    small.stacks.areaAt(o.t, 8);
    expect(small.mem.ownerLiveBytes('kernel-stack')).toBe(4096);
    const ia = testKernel({ arch: 'ia64', arenaBytes: 1 << 20 });
    const i = oneThread(ia);
    ia.stacks.areaAt(i.t, 8);
    expect(ia.mem.ownerLiveBytes('kernel-stack')).toBe(32768);
  });

  it('a stack the arena cannot hold is fatal', () => {
    const k = testKernel({ arenaBytes: 1 << 16 });
    const { t } = oneThread(k);
    const filler = k.mem.tag('filler');
    while (k.mem.reservePages(0, filler) !== 0);
    expect(() => k.stacks.areaAt(t, 8)).toThrow(
      'thread killed: stack-overflow: no memory for a kernel stack',
    );
  });
});
