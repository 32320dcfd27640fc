import { CAT, type Thread } from '@pfmsim/kernel-sim';
import {
  PFM_REG_RETFL_EINVAL,
  PFM_REG_RETFL_MASK,
  PFM_REG_RETFL_NOSET,
  PFM_REG_RETFL_NOTAVAIL,
  PFM_REGFL_PMD_ALL,
} from '../abi/constants.js';
import { Errno } from '../abi/errno.js';
import { PMD_OFF } from '../abi/layouts.js';
import type { PfmContext } from '../core/context.js';
import { BV_WORDS, type EventSet } from '../core/sets.js';
import type { PerfmonSystem } from '../system.js';
import { elementSet, refuse, setRetflags } from './walk.js';

const split = new Float64Array(2);
const joined = new Uint32Array(2);

/** The bitmap of `words` u64 at off lies within the implemented PMDs. */
function bitmapValid(sys: PerfmonSystem, view: DataView, off: number): boolean {
  for (let w = 0; w < BV_WORDS * 2; w++) {
    let word = view.getUint32(off + w * 4, true);
    while (word !== 0) {
      const bit = 31 - Math.clz32(word);
      word = (word & ~(1 << bit)) >>> 0;
      if (!sys.pmu.isPmdImpl(w * 32 + bit)) return false;
    }
  }
  return true;
}

/**
 * The 64-bit value of a PMD write (reg_value, at offset 8 in pfarg_pmd and pfarg_pmr alike):
 * split into the software upper part and the hardware counter; it is also the last reset value.
 */
export function storePmdValue(
  sys: PerfmonSystem,
  set: EventSet,
  num: number,
  view: DataView,
  off: number,
): void {
  const lo = view.getUint32(off + PMD_OFF.reg_value, true);
  const hi = view.getUint32(off + PMD_OFF.reg_value + 4, true);
  sys.pmu.codec.split(lo, hi, split);
  set.loadPmd(num, split[0]!, split[1]!, lo, hi);
}

/**
 * pfm_write_pmds, one element (perfmon2-abi.md §9.3): value (64-bit virtualised), reset values,
 * bitmaps, switch count and flags of a PMD; writes to read-only PMDs are ignored.
 */
export function writePmd(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  view: DataView,
  off: number,
): number {
  const k = sys.k;
  const pmu = sys.pmu;
  const num = view.getUint16(off + PMD_OFF.reg_num, true);
  const flags = view.getUint32(off + PMD_OFF.reg_flags, true);
  if (!pmu.isPmdImpl(num)) {
    return refuse(sys, view, off, flags, PFM_REG_RETFL_NOTAVAIL, Errno.EINVAL);
  }
  // V17.9–V19 check PMD flags only for counters.
  if (pmu.pmdCounter[num] === 1 && (flags & ~PFM_REGFL_PMD_ALL) !== 0) {
    return refuse(sys, view, off, flags, PFM_REG_RETFL_EINVAL, Errno.EINVAL);
  }
  if (
    !bitmapValid(sys, view, off + PMD_OFF.reg_reset_pmds) ||
    !bitmapValid(sys, view, off + PMD_OFF.reg_smpl_pmds)
  ) {
    return refuse(sys, view, off, flags, PFM_REG_RETFL_EINVAL, Errno.EINVAL);
  }
  const set = elementSet(sys, ctx, view.getUint16(off + PMD_OFF.reg_set, true));
  if (!set) {
    return refuse(sys, view, off, flags, PFM_REG_RETFL_NOSET, Errno.EINVAL);
  }
  k.charge(t, CAT.handler, sys.isLive(t, ctx, set) ? k.costs.pmuRegLive : k.costs.pmuRegSaved);
  setRetflags(sys, view, off, flags, 0);
  if (pmu.pmdReadOnly[num] === 1) return 0;
  storePmdValue(sys, set, num, view, off);
  set.writeOverflowSettings(
    num,
    view.getUint32(off + PMD_OFF.reg_long_reset, true),
    view.getUint32(off + PMD_OFF.reg_long_reset + 4, true),
    view.getUint32(off + PMD_OFF.reg_short_reset, true),
    view.getUint32(off + PMD_OFF.reg_short_reset + 4, true),
    view.getUint32(off + PMD_OFF.reg_random_mask, true),
    view.getUint32(off + PMD_OFF.reg_random_mask + 4, true),
    view.getUint32(off + PMD_OFF.reg_ovfl_switch_cnt, true),
  );
  set.writeBitmaps(num, view, off + PMD_OFF.reg_reset_pmds, off + PMD_OFF.reg_smpl_pmds);
  set.usePmd(num, flags & ~PFM_REG_RETFL_MASK);
  return 0;
}

/**
 * pfm_read_pmds, one element: the 64-bit value ((sw & ~ovfl_mask) | (hw & ovfl_mask) when live),
 * the last reset value and the switch count; reading a PMD unused in the set is EINVAL (Q12).
 */
export function readPmd(sys: PerfmonSystem, t: Thread, ctx: PfmContext, view: DataView, off: number): number {
  const k = sys.k;
  const pmu = sys.pmu;
  const num = view.getUint16(off + PMD_OFF.reg_num, true);
  const flags = view.getUint32(off + PMD_OFF.reg_flags, true);
  if (!pmu.isPmdImpl(num)) {
    return refuse(sys, view, off, flags, PFM_REG_RETFL_NOTAVAIL, Errno.EINVAL);
  }
  const set = elementSet(sys, ctx, view.getUint16(off + PMD_OFF.reg_set, true));
  if (!set) {
    return refuse(sys, view, off, flags, PFM_REG_RETFL_NOSET, Errno.EINVAL);
  }
  if (!set.pmdUsed(num)) {
    return refuse(sys, view, off, flags, PFM_REG_RETFL_EINVAL, Errno.EINVAL);
  }
  k.charge(t, CAT.handler, sys.isLive(t, ctx, set) ? k.costs.pmuRegLive : k.costs.pmuRegSaved);
  pmu.codec.join(set.pmdUpper(num), set.pmdHw(num), joined);
  view.setUint32(off + PMD_OFF.reg_value, joined[0]!, true);
  view.setUint32(off + PMD_OFF.reg_value + 4, joined[1]!, true);
  view.setUint32(off + PMD_OFF.reg_last_reset_val, set.lastResetLo(num), true);
  view.setUint32(off + PMD_OFF.reg_last_reset_val + 4, set.lastResetHi(num), true);
  view.setUint32(off + PMD_OFF.reg_ovfl_switch_cnt, set.ovflSwitchCnt[num]!, true);
  view.setUint32(off + PMD_OFF.reg_ovfl_switch_cnt + 4, 0, true);
  setRetflags(sys, view, off, flags, 0);
  return 0;
}
