import { type KGen, type Thread, Y_PREEMPT } from '@pfmsim/kernel-sim';
import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  PFM_CTX_LOADED,
  PFM_CTX_MASKED,
  PFM_MSG_OVFL,
  PFM_REGFL_OVFL_NOTIFY,
  PFM_SETFL_TIME_SWITCH,
} from '../abi/constants.js';
import { ok } from '../abi/errno.js';
import type { PfargPmd } from '../abi/structs.js';
import {
  createSets,
  getSetinfos,
  NEG,
  readPmdValues,
  testWorld,
  writePmcs,
  writePmds,
} from '../test-util.js';
import { workloadFromEvents } from './workload.js';

const p6 = getModel('intel-p6');
const loop = workloadFromEvents(p6, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });
/** 2.5 instructions per cycle: an event faster than the clock. */
const wide = workloadFromEvents(p6, 'wide', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 2.5 });
const CYCLES = 0x530079n; // PERFEVTSEL: CPU_CLK_UNHALTED, USR|OS|EN
const INSTS = 0x5300c0n; // INST_RETIRED

/** A self-monitoring P6 context: pmd0 counts cycles, pmd1 retired instructions. */
function selfMonitoring(pmds: Partial<PfargPmd>[], opts = {}) {
  const w = testWorld(opts);
  const fd = w.ctx();
  writePmcs(w, fd, [
    { reg_num: 0, reg_value: CYCLES },
    { reg_num: 1, reg_value: INSTS },
  ]);
  writePmds(w, fd, pmds);
  expect(w.load(fd, w.t.tid)).toEqual(ok(0));
  expect(w.g.pfm_start(fd)).toEqual(ok(0));
  return { w, fd, ctx: w.s.contexts[0]! };
}

describe('which PMDs count', () => {
  it('a PMD counts from when it is first written: floor(r n) over the n cycles after the write', () => {
    const { w, fd } = selfMonitoring([{ reg_num: 0 }]); // pmd1's PMC is programmed, pmd1 is not used
    w.s.runSync(w.t, loop, 1_000_001);
    writePmds(w, fd, [{ reg_num: 1 }]);
    w.s.runSync(w.t, loop, 1_000_001);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }, { reg_num: 1 }])).toEqual([2_000_002n, 800_000n]);
  });

  it('Itanium 2: the I-EAR data PMDs (PMD0/1) are not counters, whatever PMC10 holds', () => {
    const w = testWorld({ machine: { arch: 'ia64', cost: 'itanium2-2006', pmu: 'itanium2' } });
    const model = getModel('itanium2');
    const fd = w.ctx();
    const cpuCycles = 0x1208n; // es = CPU_CYCLES (0x12), plm = user
    writePmcs(w, fd, [
      { reg_num: 4, reg_value: cpuCycles },
      { reg_num: 10, reg_value: cpuCycles },
    ]);
    writePmds(w, fd, [{ reg_num: 4 }, { reg_num: 0 }, { reg_num: 1 }]);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, workloadFromEvents(model, 'cycles', { CPU_CYCLES: 1 }), 5000);
    expect(readPmdValues(w, fd, [{ reg_num: 4 }, { reg_num: 0 }, { reg_num: 1 }])).toEqual([5000n, 0n, 0n]);
  });
});

describe('exact counts', () => {
  it('many short runs add up exactly: no fraction of an event is lost between them', () => {
    const { w, fd } = selfMonitoring([{ reg_num: 0 }, { reg_num: 1 }]);
    for (let i = 0; i < 5; i++) w.s.runSync(w.t, loop, 1);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }, { reg_num: 1 }])).toEqual([5n, 4n]); // floor(0.8 x 5)
  });

  it('an event faster than the clock overflows at its exact cycle', () => {
    const { w, fd, ctx } = selfMonitoring([
      { reg_num: 0 },
      { reg_num: 1, reg_value: NEG(250_000n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
    ]);
    w.s.runSync(w.t, wide, 300_000);
    expect(ctx.state).toBe(PFM_CTX_MASKED);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }, { reg_num: 1 }])).toEqual([100_000n, 0n]);
  });

  it('an overflow before a set timeout happens at its exact cycle', () => {
    const w = testWorld();
    const fd = w.ctx();
    createSets(w, fd, [{ set_id: 0, set_flags: PFM_SETFL_TIME_SWITCH, set_timeout: 4_000_000n }]);
    writePmcs(w, fd, [
      { reg_num: 0, reg_value: CYCLES },
      { reg_num: 1, reg_value: INSTS },
    ]);
    writePmds(w, fd, [
      { reg_num: 0, reg_value: NEG(1000n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
      { reg_num: 1 },
    ]);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 5000);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }, { reg_num: 1 }])).toEqual([0n, 800n]);
  });

  it('after a 64-bit overflow the value counts on from 0: the next overflow is 2^64 events away', () => {
    const { w, fd, ctx } = selfMonitoring([
      { reg_num: 0, reg_value: NEG(1000n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
    ]);
    w.s.runSync(w.t, loop, 1000);
    expect(ctx.state).toBe(PFM_CTX_MASKED);
    const m = w.buf(56);
    expect(w.g.read(fd, m, 56)).toEqual(ok(56));
    // unload the masked context (no reset) and monitor again from the wrapped value
    expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 2 ** 31 + 1000); // the 31-bit hardware counter wraps once
    expect(ctx.state).toBe(PFM_CTX_LOADED);
    expect(w.g.poll(fd)).toBe(0);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }])).toEqual([2n ** 31n + 1000n]);
  });
});

describe('the PMU interrupt', () => {
  it('is raised only by an overflow: the set keeps its last overflowed PMDs while counting on', () => {
    const { w, fd } = selfMonitoring([
      { reg_num: 0, reg_value: NEG(1000n), reg_short_reset: NEG(100_000n) },
      { reg_num: 1 },
    ]);
    const before = w.s.k.irq.delivered;
    w.s.runSync(w.t, loop, 1500); // one overflow at cycle 1000, short reset
    for (let i = 0; i < 4; i++) w.s.runSync(w.t, loop, 500);
    expect(w.s.k.irq.delivered - before).toBe(1);
    expect(getSetinfos(w, fd, [0])[0]!.set_ovfl_pmds[0]).toBe(0b1n);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }])).toEqual([NEG(100_000n) + 2500n]);
  });

  it('SIGIO for an overflow at the very end of a run is delivered before the thread goes on', () => {
    const { w, fd } = selfMonitoring([
      { reg_num: 0, reg_value: NEG(100n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
    ]);
    const seen: number[] = [];
    expect(
      w.s.sys.setAsync(w.t, fd, () => {
        const m = w.buf(56);
        expect(w.g.read(fd, m, 56)).toEqual(ok(56));
        seen.push(w.p.mm.dataView(m, 56, false).getUint32(0, true));
      }),
    ).toBe(0);
    w.s.runSync(w.t, loop, 100);
    expect(seen).toEqual([PFM_MSG_OVFL]);
  });
});

describe('time-based set switching', () => {
  it('switches on the timeout only, however the time is cut into runs', () => {
    const w = testWorld();
    const fd = w.ctx();
    const tick = w.s.k.irq.tickCycles;
    const oneTick = BigInt(w.s.k.cyclesToNs(tick)); // v2.3 timeouts are in ns
    createSets(w, fd, [
      { set_id: 0, set_flags: PFM_SETFL_TIME_SWITCH, set_timeout: oneTick },
      { set_id: 1, set_flags: PFM_SETFL_TIME_SWITCH, set_timeout: oneTick },
    ]);
    writePmcs(w, fd, [
      { reg_num: 0, reg_value: CYCLES },
      { reg_num: 0, reg_value: CYCLES, reg_set: 1 },
    ]);
    writePmds(w, fd, [{ reg_num: 0 }, { reg_num: 0, reg_set: 1 }]);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    for (let i = 0; i < 10; i++) w.s.runSync(w.t, loop, tick / 4); // 2.5 ticks
    expect(getSetinfos(w, fd, [0, 1]).map((i) => i.set_runs)).toEqual([2n, 1n]);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }, { reg_num: 0, reg_set: 1 }])).toEqual([
      BigInt(tick + tick / 2),
      BigInt(tick),
    ]);
  });
});

describe('scheduled runs', () => {
  it('user time is preemptible: another thread runs between the segments of a long workload', () => {
    const { w } = selfMonitoring([{ reg_num: 0, reg_value: NEG(1000n), reg_short_reset: NEG(1000n) }]);
    const events: string[] = [];
    w.t.body = (function* (t: Thread): KGen<void> {
      yield* w.s.run(t, loop, 4500); // cut at each of the 4 overflows
      events.push('workload done');
    })(w.t);
    w.s.thread(w.p, 'other', function* (): KGen<void> {
      for (let i = 0; i < 3; i++) {
        events.push(`other ${i}`);
        yield Y_PREEMPT;
      }
    });
    const run = w.s.k.run({ kind: 'round-robin' });
    expect(run.deadlock).toBe(false);
    expect(events).toEqual(['other 0', 'other 1', 'other 2', 'workload done']);
  });
});
