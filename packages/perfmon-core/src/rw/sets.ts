import { CAT, type Thread } from '@pfmsim/kernel-sim';
import {
  PFM_SETFL_EXCL_IDLE,
  PFM_SETFL_EXPL_NEXT,
  PFM_SETFL_OVFL_SWITCH,
  PFM_SETFL_TIME_SWITCH,
} from '../abi/constants.js';
import { Errno } from '../abi/errno.js';
import type { PfmContext } from '../core/context.js';
import { EventSet } from '../core/sets.js';
import type { PerfmonSystem } from '../system.js';
import { setBitAt } from './walk.js';

const SET_FLAGS_ALL =
  PFM_SETFL_OVFL_SWITCH | PFM_SETFL_TIME_SWITCH | PFM_SETFL_EXPL_NEXT | PFM_SETFL_EXCL_IDLE;
const SETDESC_ID = 0;
const SETDESC_NEXT = 2;
const SETDESC_FLAGS = 4;
const SETINFO = {
  flags: 4,
  ovflPmds: 8,
  runs: 48,
  actDuration: 64,
  mmapOffset: 72,
  availPmcs: 80,
  availPmds: 120,
};

function readTimeout(sys: PerfmonSystem, view: DataView, off: number): number {
  return sys.abi.timeoutUnit === 'us'
    ? view.getUint32(off, true)
    : view.getUint32(off, true) + view.getUint32(off + 4, true) * 2 ** 32;
}

function writeTimeout(sys: PerfmonSystem, view: DataView, off: number, value: number): void {
  view.setUint32(off, value % 2 ** 32, true);
  if (sys.abi.timeoutUnit === 'ns') view.setUint32(off + 4, Math.floor(value / 2 ** 32), true);
}

/**
 * pfm_create_evtsets, one element (§11): create or modify a set. TIME_SWITCH timeouts are rounded
 * up to timer ticks; zero ticks is EINVAL; the effective timeout is written back.
 */
export function createEvtset(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  view: DataView,
  off: number,
): number {
  const k = sys.k;
  const tickNs = k.cyclesToNs(k.irq.tickCycles);
  const unitNs = sys.abi.timeoutUnit === 'us' ? 1000 : 1;
  const toff = sys.abi.offsets.setdescTimeout;
  // Stryker disable next-line ArithmeticOperator: SETDESC_ID is 0, off - 0 is off
  const id = view.getUint16(off + SETDESC_ID, true);
  const flags = view.getUint32(off + SETDESC_FLAGS, true);
  if ((flags & ~SET_FLAGS_ALL) !== 0) return -Errno.EINVAL;
  if (flags & PFM_SETFL_OVFL_SWITCH && flags & PFM_SETFL_TIME_SWITCH) return -Errno.EINVAL;
  let timeoutCycles = 0;
  if (flags & PFM_SETFL_TIME_SWITCH) {
    const requested = readTimeout(sys, view, off + toff);
    const ticks = Math.ceil((requested * unitNs) / tickNs);
    if (ticks === 0) return -Errno.EINVAL;
    timeoutCycles = ticks * k.irq.tickCycles;
    writeTimeout(sys, view, off + toff, Math.round((ticks * tickNs) / unitNs));
  }
  let set = ctx.sets.find(id);
  if (!set) {
    set = new EventSet(id, sys.pmu, sys.pmdStore);
    ctx.sets.insert(set);
  }
  set.flags = flags;
  set.idNext = view.getUint16(off + SETDESC_NEXT, true);
  set.timeoutCycles = timeoutCycles;
  set.timeoutLeft = timeoutCycles;
  k.charge(t, CAT.handler, k.costs.pmuRegSaved);
  return 0;
}

/** pfm_delete_evtsets, one element: set 0 and missing sets are EINVAL (Q10: 64-byte stride). */
export function deleteEvtset(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  view: DataView,
  off: number,
): number {
  // Stryker disable next-line ArithmeticOperator: SETDESC_ID is 0, off - 0 is off
  const id = view.getUint16(off + SETDESC_ID, true);
  const set = ctx.sets.find(id);
  if (id === 0 || !set) return -Errno.EINVAL;
  ctx.sets.remove(id);
  // The active set stays readable through ctx.active: its row goes back when the context is freed.
  if (set !== ctx.active) set.release();
  sys.k.charge(t, CAT.handler, sys.k.costs.pmuRegSaved);
  return 0;
}

/** pfm_getinfo_evtsets, one element: runs, active duration (ns), timeout left, free registers. */
export function getinfoEvtset(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  view: DataView,
  off: number,
): number {
  const k = sys.k;
  const unitNs = sys.abi.timeoutUnit === 'us' ? 1000 : 1;
  // Stryker disable next-line ArithmeticOperator: SETDESC_ID is 0, off - 0 is off
  const set = ctx.sets.find(view.getUint16(off + SETDESC_ID, true));
  if (!set) return -Errno.EINVAL; // Q8: the V18 bogus pointer is not reproduced
  view.setUint16(off + SETDESC_NEXT, set.idNext, true);
  view.setUint32(off + SETINFO.flags, set.flags, true);
  // Stryker disable next-line BooleanLiteral: zero has the same bytes in either byte order
  for (let w = 0; w < 10; w++) view.setUint32(off + SETINFO.ovflPmds + w * 4, 0, true);
  for (let p = 0; p < set.ovflPmds.length; p++)
    if (set.ovflPmds[p]) setBitAt(view, off + SETINFO.ovflPmds, p);
  view.setUint32(off + SETINFO.runs, set.runs, true);
  // Stryker disable next-line BooleanLiteral: zero has the same bytes in either byte order
  view.setUint32(off + SETINFO.runs + 4, 0, true);
  writeTimeout(
    sys,
    view,
    off + sys.abi.offsets.setinfoTimeout,
    Math.round(k.cyclesToNs(set.timeoutLeft) / unitNs),
  );
  const ns = Math.round(k.cyclesToNs(set.activeCycles));
  view.setUint32(off + SETINFO.actDuration, ns % 2 ** 32, true);
  view.setUint32(off + SETINFO.actDuration + 4, Math.floor(ns / 2 ** 32), true);
  for (let w = 0; w < 10; w++) {
    // Stryker disable next-line BooleanLiteral: zero has the same bytes in either byte order
    view.setUint32(off + SETINFO.availPmcs + w * 4, 0, true);
    // Stryker disable next-line BooleanLiteral: zero has the same bytes in either byte order
    view.setUint32(off + SETINFO.availPmds + w * 4, 0, true);
  }
  for (const r of sys.pmu.model.pmcs) if (r.index < 320) setBitAt(view, off + SETINFO.availPmcs, r.index);
  for (const r of sys.pmu.model.pmds) if (r.index < 320) setBitAt(view, off + SETINFO.availPmds, r.index);
  k.charge(t, CAT.handler, k.costs.pmuRegSaved);
  return 0;
}
