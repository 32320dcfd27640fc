import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { PFM_CTX_MASKED, PFM_REGFL_OVFL_NOTIFY, PFM_REGFL_RANDOM } from '../abi/constants.js';
import { ok } from '../abi/errno.js';
import type { PfargPmd } from '../abi/structs.js';
import { NEG, readPmdElems, type TestWorld, testWorld, writePmcs, writePmds } from '../test-util.js';
import { workloadFromEvents } from './workload.js';

// pfm_restart after a notified 64-bit overflow (perfmon2-abi.md §9.3): the overflowed PMDs and
// the PMDs of their reg_reset_pmds were marked for reset at the overflow; the long reset applies
// to all of them at restart, each once (the kernel ORs them into one reset bitmap).
const p6 = getModel('intel-p6');
const loop = workloadFromEvents(p6, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });
const CYCLES = 0x530079n; // PERFEVTSEL: CPU_CLK_UNHALTED, USR|OS|EN
const INSTS = 0x5300c0n; // INST_RETIRED

function counting(w: TestWorld, pmds: Partial<PfargPmd>[]): number {
  const fd = w.ctx();
  const pmcs = [
    { reg_num: 0, reg_value: CYCLES },
    { reg_num: 1, reg_value: INSTS },
  ];
  writePmcs(w, fd, pmcs);
  writePmds(w, fd, pmds);
  expect(w.load(fd, w.t.tid)).toEqual(ok(0));
  expect(w.g.pfm_start(fd)).toEqual(ok(0));
  return fd;
}

const read = (w: TestWorld, fd: number) => readPmdElems(w, fd, [{ reg_num: 0 }, { reg_num: 1 }]);

describe('pfm_restart after a notified overflow', () => {
  it('long-resets the overflowed PMD and the PMDs of its reg_reset_pmds', () => {
    const w = testWorld();
    const fd = counting(w, [
      {
        reg_num: 0,
        reg_value: NEG(1000n),
        reg_long_reset: NEG(2000n),
        reg_flags: PFM_REGFL_OVFL_NOTIFY,
        reg_reset_pmds: [0b10n, 0n, 0n, 0n, 0n],
      },
      { reg_num: 1, reg_short_reset: 7n, reg_long_reset: 5_000_000n },
    ]);
    w.s.runSync(w.t, loop, 1500);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(read(w, fd).map((r) => r.reg_value)).toEqual([0n, 800n]); // frozen at the overflow
    expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    const [clk, inst] = read(w, fd);
    expect(clk!.reg_value).toBe(NEG(2000n));
    expect(inst!.reg_value).toBe(5_000_000n);
    expect(inst!.reg_last_reset_val).toBe(5_000_000n);
    w.s.runSync(w.t, loop, 100);
    expect(read(w, fd).map((r) => r.reg_value)).toEqual([NEG(2000n) + 100n, 5_000_080n]);
  });

  it('resets a PMD once when two overflowed PMDs name it: one random draw', () => {
    // pmd0 and pmd1 overflow at the same cycle and both name pmd1: with REGFL_RANDOM the
    // value after restart is that of a single draw, as when only pmd1 names itself.
    const afterRestart = (pmd0ResetPmds: bigint) => {
      const w = testWorld({ seed: 5 });
      const period = { reg_value: NEG(1000n), reg_flags: PFM_REGFL_OVFL_NOTIFY };
      const fd = counting(w, [
        {
          reg_num: 0,
          ...period,
          reg_long_reset: NEG(3000n),
          reg_reset_pmds: [pmd0ResetPmds, 0n, 0n, 0n, 0n],
        },
        {
          reg_num: 1,
          reg_value: NEG(800n),
          reg_flags: PFM_REGFL_OVFL_NOTIFY | PFM_REGFL_RANDOM,
          reg_long_reset: NEG(4000n),
          reg_random_mask: 0xffffn,
        },
      ]);
      w.s.runSync(w.t, loop, 1000);
      expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
      expect(w.g.pfm_restart(fd)).toEqual(ok(0));
      return read(w, fd)[1]!.reg_value;
    };
    const once = afterRestart(0n);
    expect(once).toBeLessThan(NEG(4000n));
    expect(once).toBeGreaterThanOrEqual(NEG(4000n + 0xffffn));
    expect(afterRestart(0b10n)).toBe(once);
  });
});
