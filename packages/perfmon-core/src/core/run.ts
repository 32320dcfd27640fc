import { CAT, type KGen, type Thread, Y_BLOCK, Y_PREEMPT } from '@pfmsim/kernel-sim';
import { PFM_CTX_LOADED, PFM_SETFL_TIME_SWITCH } from '../abi/constants.js';
import type { PerfmonSystem } from '../system.js';
import type { PfmContext } from './context.js';
import { type CounterConfig, decodeCounter } from './counting.js';
import { overflowInterrupt } from './intr.js';
import { RUNNING_WORKLOAD, type Workload } from './workload.js';

const cfg: CounterConfig = { enabled: false, code: 0, umask: 0, user: false, kernel: false };

/**
 * Runs `cycles` of a workload on thread t in user mode: the thread's clock advances, and so
 * do the counters of the context monitoring it (its own per-thread context, or a system-wide
 * one on its CPU) while that context is loaded, started and not masked. Time is cut at every
 * hardware counter wrap and set timeout so that overflows and switches happen at the exact
 * cycle. Counts are exact: a counter with rate r over n cycles gains floor(r n) events.
 */
export function* runWorkload(sys: PerfmonSystem, t: Thread, workload: Workload, cycles: number): KGen<void> {
  const k = sys.k;
  const pmu = sys.pmu;
  const w = pmu.width;
  const hwMod = 2 ** w;
  const upperMod = 2 ** (64 - w);
  const nd = pmu.maxPmd;
  const ovfl = sys.ovflScratch;
  let remaining = cycles;
  t.slots.set(RUNNING_WORKLOAD, workload);
  while (remaining > 0) {
    const ctx = sys.monitoringContext(t);
    if (ctx !== null && ctx.blockedTarget === t) {
      ctx.restartComplete.sleepOn(t);
      yield Y_BLOCK;
      continue;
    }
    if (ctx === null || ctx.state !== PFM_CTX_LOADED || !ctx.started) {
      if (ctx !== null && sys.deliverSignals(t)) continue; // the handler may restart monitoring
      k.charge(t, CAT.workload, remaining);
      k.irq.poll(t);
      break;
    }
    const set = ctx.active;
    // the phase the program is in (a workload without phases has one, forever)
    const userCycles = t.clock.byCategory[CAT.workload]!;
    const phase = workload.phaseAt(userCycles);
    let seg = Math.min(remaining, workload.phaseLeft(userCycles));
    for (let p = 0; p < nd; p++) {
      if (pmu.pmdCounter[p] !== 1 || !set.pmdUsed(p)) {
        set.rateNow[p] = 0;
        continue;
      }
      decodeCounter(pmu, set, p, cfg);
      const r = cfg.enabled ? phase.workload.rate(cfg.code, cfg.umask, cfg.user, cfg.kernel) : 0;
      if (r !== set.rateNow[p]) {
        set.rateNow[p] = r;
        set.restartCounting(p);
      }
      if (r > 0) {
        // cycles until the hardware part wraps: smallest n with floor(r (C + n)) - E >= 2^w - hw
        const need = hwMod - set.pmdHw(p) + set.emitted[p]!;
        const n = Math.max(1, Math.ceil(need / r - set.countedCycles[p]!));
        if (n < seg) seg = n;
      }
    }
    if (set.flags & PFM_SETFL_TIME_SWITCH && set.timeoutLeft > 0 && set.timeoutLeft < seg)
      seg = set.timeoutLeft;
    let anyOverflow = false;
    ovfl.fill(0);
    for (let p = 0; p < nd; p++) {
      const r = set.rateNow[p]!;
      if (r === 0) continue;
      const counted = set.countedCycles[p]! + seg;
      const target = Math.floor(r * counted);
      const delta = target - set.emitted[p]!;
      set.countedCycles[p] = counted;
      set.emitted[p] = target;
      let hw = set.pmdHw(p) + delta;
      if (hw >= hwMod) {
        const wraps = Math.floor(hw / hwMod);
        hw -= wraps * hwMod;
        let upper = set.pmdUpper(p) + wraps;
        if (upper >= upperMod) {
          upper -= upperMod;
          ovfl[p] = 1;
          anyOverflow = true;
        }
        set.setPmdUpper(p, upper);
      }
      set.setPmdHw(p, hw);
    }
    k.charge(t, CAT.workload, seg);
    set.activeCycles += seg;
    remaining -= seg;
    if (anyOverflow) k.irq.raise(t.cpu, (it) => overflowInterrupt(sys, ctx, set, it, ovfl));
    if (set.flags & PFM_SETFL_TIME_SWITCH && set.timeoutCycles > 0) {
      set.timeoutLeft -= seg;
      if (set.timeoutLeft <= 0) sys.switchSet(ctx, ctx.sets.next(set, 0x04));
    }
    k.irq.poll(t);
    if (sys.liveContexts.size > 0) sys.deliverSignals(t);
    if (k.sleepPoint(t)) yield Y_PREEMPT;
  }
}

export type { PfmContext };
