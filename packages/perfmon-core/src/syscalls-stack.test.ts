import { createStackStrategy } from '@pfmsim/buffer-strategies';
import { ThreadKilled } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { PFM_RW_PMD, PFM_ST_STOP } from './abi/constants.js';
import { ok } from './abi/errno.js';
import { createPfargStart, encodePfarg } from './abi/structs.js';
import { type TestWorld, testWorld } from './test-util.js';

// In a file of its own: the handler frame names are built once per call name and cached, so
// the first vector calls of this module must be the ones whose frames are checked.

function startArg(w: TestWorld, set: number): number {
  const u = w.buf(w.s.abi.sizes.start);
  encodePfarg(
    'start',
    w.p.mm.dataView(u, w.s.abi.sizes.start, true),
    0,
    createPfargStart({ start_set: set }),
    w.s.abi,
  );
  return u;
}

/** pmd0 counts cycles (PERFEVTSEL0 = CPU_CLK_UNHALTED, user + OS, enabled). */
function cycles(w: TestWorld, fd: number): void {
  expect(w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 0, reg_value: 0x530079n }]), 1)).toEqual(ok(0));
}

describe('kernel stack accounting of the handlers', () => {
  it('CONFIG_FRAME_WARN names each handler frame with its size (the on-stack copy of the argument included)', () => {
    for (const [abi, ctxBytes] of [
      ['v2.3', 64],
      ['v2.2', 128],
    ] as const) {
      const w = testWorld({ abi, archOverrides: { frameWarn: 0 }, strategy: createStackStrategy() });
      const fd = w.ctx();
      cycles(w, fd);
      const r = w.pmds([{ reg_num: 0 }]);
      expect(w.g.pfm_write_pmds(fd, r, 1)).toEqual(ok(0));
      expect(w.g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
      expect(w.load(fd, w.t.tid)).toEqual(ok(0));
      expect(w.g.pfm_start(fd, startArg(w, 0))).toEqual(ok(0));
      expect(w.g.pfm_stop(fd)).toEqual(ok(0));
      expect(w.g.pfm_restart(fd)).toEqual(ok(0));
      expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
      const frames = new Map(w.s.k.stacks.warnings.map((x) => [x.frame, x.bytes]));
      expect(Object.fromEntries(frames)).toMatchObject({
        sys_pfm_create_context: 96 + ctxBytes,
        sys_pfm_load_context: 96 + 32,
        sys_pfm_start: 96 + 32,
        sys_pfm_stop: 96,
        sys_pfm_restart: 96,
        sys_pfm_unload_context: 96,
        pfm_read_pmds: 96,
      });
      expect(frames.get('sys_pfm_write_pmcs args')).toBeGreaterThan(0);
      expect(frames.get('sys_pfm_read_pmds args')).toBeGreaterThan(0);
    }
  });

  it('a kernel stack too small for the syscall entry kills the thread with a bug naming the call', () => {
    const calls: [string, 'v2.3' | 'v3', (w: TestWorld) => unknown][] = [
      ['pfm_create_context', 'v2.3', (w) => w.g.pfm_create_context(0)],
      ['pfm_create_context', 'v3', (w) => w.g.pfm_create_context(0)],
      ['pfm_load_context', 'v2.3', (w) => w.g.pfm_load_context(0, 0)],
      ['pfm_load_context', 'v3', (w) => w.g.pfm_load_context(0, 0)],
      ['pfm_start', 'v2.3', (w) => w.g.pfm_start(0)],
      ['pfm_start', 'v3', (w) => w.g.pfm_start(0)],
      ['pfm_stop', 'v2.3', (w) => w.g.pfm_stop(0)],
      ['pfm_restart', 'v2.3', (w) => w.g.pfm_restart(0)],
      ['pfm_unload_context', 'v2.3', (w) => w.g.pfm_unload_context(0)],
      ['read', 'v2.3', (w) => w.g.read(0, 0, 56)],
      ['pfm_create', 'v2.3', (w) => w.g.pfm_create(0)],
      ['pfm_create', 'v3', (w) => w.g.pfm_create(0)],
      ['pfm_write', 'v3', (w) => w.g.pfm_write(0, 1, PFM_RW_PMD, 0, 16)],
      ['pfm_write', 'v3', (w) => w.g.pfm_write(0, 0, PFM_RW_PMD, 0, 16)],
      ['pfm_read', 'v3', (w) => w.g.pfm_read(0, 0, PFM_RW_PMD, 0, 16)],
      ['pfm_read', 'v2.3', (w) => w.g.pfm_read(0, 0, PFM_RW_PMD, 0, 16)],
      ['pfm_attach', 'v3', (w) => w.g.pfm_attach(0, 0, 1)],
      ['pfm_attach', 'v2.3', (w) => w.g.pfm_attach(0, 0, 1)],
      ['pfm_set_state', 'v3', (w) => w.g.pfm_set_state(0, 0, PFM_ST_STOP)],
      ['pfm_set_state', 'v2.3', (w) => w.g.pfm_set_state(0, 0, PFM_ST_STOP)],
    ];
    for (const [name, abi, call] of calls) {
      const w = testWorld({ abi, archOverrides: { threadSize: 200 } });
      expect(() => call(w), name).toThrow(ThreadKilled);
      expect(w.s.k.bugs.map((b) => [b.kind, b.syscall])).toEqual([['stack-overflow', name]]);
    }
  });
});
