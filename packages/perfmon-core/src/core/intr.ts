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
import type { EventSet } from './sets.js';
import { OVFL_CTRL_MASK, OVFL_CTRL_NOTIFY } from './smpl-fmt.js';
import { RUNNING_WORKLOAD, TEXT_START, type Workload } from './workload.js';

/**
 * The PMU interrupt for 64-bit overflows (perfmon2-abi.md §9.3, "06/21"): mark the PMDs,
 * count down overflow-switch thresholds, and apply the policy. Without a sampling format:
 * notify + mask when an OVFL_NOTIFY PMD overflowed (a PFM_MSG_OVFL queued unless OVFL_NO_MSG;
 * a NOTIFY_BLOCK target blocks until pfm_restart), otherwise the short reset at once. With one
 * (perfmon2-sampling.md §3): its handler records the samples and decides; a full buffer masks,
 * and notifies when the PMD has OVFL_NOTIFY. Runs in hardirq context.
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
    if (set.pmdFlags(p) & PFM_REGFL_OVFL_NOTIFY) notify = true;
    if (set.flags & PFM_SETFL_OVFL_SWITCH && set.ovflSwitchCnt[p]! > 0) {
      set.ovflSwitchLeft[p]! -= 1;
      if (set.ovflSwitchLeft[p]! <= 0) switchNow = true;
    }
  }
  if (ctx.smpl !== null && ctx.smpl.addr !== 0) {
    const ctrl = sampleOverflows(sys, ctx, set, t, ovfl);
    if (ctrl & OVFL_CTRL_MASK) {
      mask(sys, ctx, set, t, notify && (ctrl & OVFL_CTRL_NOTIFY) !== 0);
      return;
    }
  } else if (notify && !switchNow) {
    mask(sys, ctx, set, t, true);
    return;
  }
  resetOverflowed(sys, set, false);
  if (switchNow) {
    for (let p = 0; p < set.ovflSwitchLeft.length; p++) set.ovflSwitchLeft[p] = set.ovflSwitchCnt[p]!;
    sys.switchSet(ctx, ctx.sets.next(set, 0x04));
  }
}

/**
 * Masks monitoring until pfm_restart; with `notify`, a PFM_MSG_OVFL and a NOTIFY_BLOCK target
 * blocks. With OVFL_NO_MSG no message is queued, but the waiters are still woken and SIGIO
 * sent (perfmon_msg.c, §3.4; what the 2006 code did there is UNVERIFIED): self_smpl.c's
 * SIGIO handler relies on it. v2.2 accepts pfm_restart after any masking (can_restart = 1).
 */
function mask(sys: PerfmonSystem, ctx: PfmContext, set: EventSet, t: Thread, notify: boolean): void {
  if (notify && ctx.flags & PFM_FL_OVFL_NO_MSG) sys.wakeReaders(ctx);
  else if (notify) queueOverflow(sys, ctx, set, t);
  ctx.state = PFM_CTX_MASKED;
  ctx.canRestart = true;
  if (notify && ctx.flags & PFM_FL_NOTIFY_BLOCK && !ctx.systemWide && ctx.loader !== t) ctx.blockedTarget = t;
}

const sampled = new Uint32Array(2);

/**
 * The sampling format's handler for each overflowed PMD in increasing index order, stopping at
 * the first that returns nonzero (§3.1). Returns the NOTIFY and MASK bits of their ovfl_ctrl:
 * v2.2 merges only those, and resets whenever it does not mask (its RESET bit is ignored).
 */
function sampleOverflows(
  sys: PerfmonSystem,
  ctx: PfmContext,
  set: EventSet,
  t: Thread,
  ovfl: Uint8Array,
): number {
  const k = sys.k;
  const buf = ctx.smpl!;
  const arg = sys.ovflArg;
  const ip = sampleIp(t);
  const tstamp = t.cpuClock.total; // v2.2: the cycle counter (pfm_arch_get_itc)
  let ctrl = 0;
  for (let p = 0; p < ovfl.length; p++) {
    if (ovfl[p] !== 1) continue;
    arg.ovflPmd = p;
    arg.ovflCtrl = 0;
    arg.activeSet = set.id;
    arg.lastResetLo = set.lastResetLo(p);
    arg.lastResetHi = set.lastResetHi(p);
    arg.pid = t.tid;
    arg.tgid = t.process.pid;
    arg.cpu = t.cpu;
    let n = 0;
    for (let q = 0; q < sys.pmu.maxPmd; q++) {
      if (!set.samplesOnOverflow(p, q)) continue;
      sys.pmu.codec.join(set.pmdUpper(q), set.pmdHw(q), sampled);
      arg.smplPmdsLo[n] = sampled[0]!;
      arg.smplPmdsHi[n] = sampled[1]!;
      n++;
      k.charge(t, CAT.irq, k.costs.pmuRegLive);
    }
    arg.numSmplPmds = n;
    arg.entryBytes = 0;
    const r = buf.fmt.handler(k.mem.view, buf.addr, arg, ip, tstamp);
    // the entry's stores, costed like a kernel copy of its bytes (an estimate: SAMPLING_COSTS)
    if (arg.entryBytes > 0) k.charge(t, CAT.irq, k.costs.copyFixed + k.costs.copyPerByte * arg.entryBytes);
    ctrl |= arg.ovflCtrl & (OVFL_CTRL_NOTIFY | OVFL_CTRL_MASK);
    if (r !== 0) break;
  }
  return ctrl;
}

/**
 * The user-space instruction pointer of a sample: where the thread's workload is after its
 * user-mode time so far (in the running phase's function), so it does not depend on what the
 * kernel paths (the strategies) cost.
 */
export function sampleIp(t: Thread): number {
  const userCycles = t.clock.byCategory[CAT.workload]!;
  const w = t.slots.get(RUNNING_WORKLOAD) as Workload | undefined;
  return w ? w.ipAt(userCycles) : TEXT_START + ((userCycles * 4) % 0x100000);
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
    for (let q = 0; q < marked.length; q++) if (set.resetsOnOverflow(p, q)) marked[q] = 1;
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
  v.setUint32(off + MSG_OFF.msg_ovfl_ip, sampleIp(t), true);
  sys.wakeReaders(ctx);
}
