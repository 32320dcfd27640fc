import { CAT, type Thread } from '@pfmsim/kernel-sim';
import { PFM_REG_RETFL_MASK, PFM_REGFL_PMD_ALL } from '../abi/constants.js';
import { Errno } from '../abi/errno.js';
import { PMR_OFF } from '../abi/layouts.js';
import type { PfmContext } from '../core/context.js';
import type { PerfmonSystem } from '../system.js';
import { storePmdValue } from './pmd.js';

const joined = new Uint32Array(2);

/**
 * perfmon3 PMD writes over 16-byte pfarg_pmr {reg_num, reg_res1, reg_flags, reg_value}, one
 * element: only the value (reset values and bitmaps went with the sampling support). V3 has no
 * event sets: everything lives in set 0. PMC writes reuse the v2 back-end, whose fields sit at the same
 * offsets (reg_res1 is where pfarg_pmc had reg_set, and must be 0).
 */
export function writePmrPmd(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  view: DataView,
  off: number,
): number {
  const k = sys.k;
  const pmu = sys.pmu;
  const set = ctx.active;
  const num = view.getUint16(off + PMR_OFF.reg_num, true);
  const flags = view.getUint32(off + PMR_OFF.reg_flags, true);
  if (!pmu.isPmdImpl(num)) return -Errno.EINVAL;
  if (pmu.pmdCounter[num] === 1 && (flags & ~PFM_REGFL_PMD_ALL & ~PFM_REG_RETFL_MASK) !== 0)
    return -Errno.EINVAL;
  k.charge(t, CAT.handler, sys.isLive(t, ctx, set) ? k.costs.pmuRegLive : k.costs.pmuRegSaved);
  if (pmu.pmdReadOnly[num] === 1) return 0;
  storePmdValue(sys, set, num, view, off);
  set.usePmd(num, flags & PFM_REGFL_PMD_ALL & ~PFM_REG_RETFL_MASK);
  return 0;
}

/** perfmon3 PMD reads, one element: the 64-bit value of a used PMD of set 0. */
export function readPmrPmd(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  view: DataView,
  off: number,
): number {
  const k = sys.k;
  const pmu = sys.pmu;
  const set = ctx.active;
  const num = view.getUint16(off + PMR_OFF.reg_num, true);
  if (!pmu.isPmdImpl(num) || !set.pmdUsed(num)) return -Errno.EINVAL;
  k.charge(t, CAT.handler, sys.isLive(t, ctx, set) ? k.costs.pmuRegLive : k.costs.pmuRegSaved);
  pmu.codec.join(set.pmdUpper(num), set.pmdHw(num), joined);
  view.setUint32(off + PMR_OFF.reg_value, joined[0]!, true);
  view.setUint32(off + PMR_OFF.reg_value + 4, joined[1]!, true);
  return 0;
}
