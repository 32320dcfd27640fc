import { CAT, type Thread } from '@pfmsim/kernel-sim';
import {
  PFM_CTX_MASKED,
  PFM_FL_NOTIFY_BLOCK,
  PFM_FL_OVFL_NO_MSG,
  PFM_MSG_OVFL,
  PFM_REGFL_OVFL_NOTIFY,
  PFM_SETFL_OVFL_SWITCH,
} from '../abi/constants.js';
import { MSG_OFF } from '../abi/layouts.js';
import type { PerfmonSystem } from '../system.js';
import type { PfmContext } from './context.js';
import { EventSet } from './sets.js';

/**
 * The PMU interrupt for 64-bit overflows (perfmon2-abi.md §9.3, "06/21"): mark the PMDs,
 * count down overflow-switch thresholds, and apply the policy: notify + mask when an
 * OVFL_NOTIFY PMD overflowed (a PFM_MSG_OVFL queued unless OVFL_NO_MSG; a NOTIFY_BLOCK target
 * blocks until pfm_restart), otherwise the short reset at once. Runs in hardirq context.
 */
export function overflowInterrupt(
  sys: PerfmonSystem,
  ctx: PfmContext,
  set: EventSet,
  t: Thread,
  ovfl: Uint8Array,
): void {
  const k = sys.k;
  k.charge(t, CAT.irq, k.costs.syscallEntryExit);
  let notify = false;
  let switchNow = false;
  set.ovflPmds.fill(0);
  for (let p = 0; p < ovfl.length; p++) {
    if (ovfl[p] !== 1) continue;
    set.ovflPmds[p] = 1;
    k.charge(t, CAT.irq, k.costs.pmuRegLive);
    if (set.pmdFlags[p]! & PFM_REGFL_OVFL_NOTIFY) notify = true;
    if (set.flags & PFM_SETFL_OVFL_SWITCH && set.ovflSwitchCnt[p]! > 0) {
      set.ovflSwitchLeft[p]! -= 1;
      if (set.ovflSwitchLeft[p]! <= 0) switchNow = true;
    }
  }
  if (notify && !switchNow) {
    if (!(ctx.flags & PFM_FL_OVFL_NO_MSG)) queueOverflow(sys, ctx, set, t);
    ctx.state = PFM_CTX_MASKED;
    ctx.canRestart = true;
    if (ctx.flags & PFM_FL_NOTIFY_BLOCK && !ctx.systemWide && ctx.loader !== t) ctx.blockedTarget = t;
    return;
  }
  resetOverflowed(sys, set, false);
  if (switchNow) {
    for (let p = 0; p < set.ovflSwitchLeft.length; p++) set.ovflSwitchLeft[p] = set.ovflSwitchCnt[p]!;
    sys.switchSet(ctx, ctx.sets.next(set, 0x04));
  }
}

/**
 * Resets the overflowed PMDs (set.ovflPmds) and the PMDs in their reg_reset_pmds bitmaps, each
 * once: the kernel ORs them into one reset bitmap. Short reset values at the interrupt, long
 * ones at pfm_restart.
 */
export function resetOverflowed(sys: PerfmonSystem, set: EventSet, long: boolean): void {
  const marked = set.resetMarks;
  marked.fill(0);
  for (let p = 0; p < set.ovflPmds.length; p++) {
    if (set.ovflPmds[p] !== 1) continue;
    marked[p] = 1;
    for (let q = 0; q < marked.length; q++) if (EventSet.bvTest(set.resetPmds, p, q)) marked[q] = 1;
  }
  for (let q = 0; q < marked.length; q++) if (marked[q] === 1) sys.resetPmd(set, q, long);
}

function queueOverflow(sys: PerfmonSystem, ctx: PfmContext, set: EventSet, t: Thread): void {
  const off = ctx.msgs.reserve();
  if (off < 0) return; // queue full: dropped silently (Q14)
  const v = ctx.msgs.recordView;
  v.setUint32(off + MSG_OFF.msg_type, PFM_MSG_OVFL, true);
  v.setUint32(off + MSG_OFF.msg_ovfl_pid, t.tid, true); // Q11
  v.setUint32(off + MSG_OFF.msg_ovfl_tid, t.process.pid, true);
  v.setUint16(off + MSG_OFF.msg_active_set, set.id, true);
  v.setUint16(off + MSG_OFF.msg_ovfl_cpu, t.cpu, true);
  for (let p = 0; p < set.ovflPmds.length && p < 4 * 64; p++) {
    if (set.ovflPmds[p] !== 1) continue;
    const a = off + MSG_OFF.msg_ovfl_pmds + (p >>> 5) * 4;
    v.setUint32(a, (v.getUint32(a, true) | (1 << (p & 31))) >>> 0, true);
  }
  // A deterministic user-space instruction pointer for the sample, from the thread's user-mode
  // time only, so it does not depend on what the kernel paths (the strategies) cost.
  const userCycles = t.clock.byCategory[CAT.workload]!;
  v.setUint32(off + MSG_OFF.msg_ovfl_ip, (0x08048000 + ((userCycles * 4) % 0x100000)) >>> 0, true);
  sys.wakeReaders(ctx);
}
