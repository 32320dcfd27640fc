import { CAT, type Thread } from '@pfmsim/kernel-sim';
import {
  PFM_REG_RETFL_EINVAL,
  PFM_REG_RETFL_NOSET,
  PFM_REG_RETFL_NOTAVAIL,
  PFM_REGFL_NO_EMUL64,
  PFM_REGFL_PMC_ALL,
} from '../abi/constants.js';
import { Errno } from '../abi/errno.js';
import { PMC_OFF } from '../abi/layouts.js';
import type { PfmContext } from '../core/context.js';
import type { PerfmonSystem } from '../system.js';
import { elementSet, refuse, setRetflags } from './walk.js';

/**
 * pfm_write_pmcs, one element (perfmon2-abi.md §9.2), with ctx->lock held and irqs off:
 * implemented register, flags, set, reserved-bit forcing (never an error), NO_EMUL64, the
 * model's write check, commit. Returns 0 or -errno.
 */
export function writePmc(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  view: DataView,
  off: number,
): number {
  const k = sys.k;
  const pmu = sys.pmu;
  const cnum = view.getUint16(off + PMC_OFF.reg_num, true);
  const flags = view.getUint32(off + PMC_OFF.reg_flags, true);
  if (!pmu.isPmcImpl(cnum)) return refuse(sys, view, off, flags, PFM_REG_RETFL_NOTAVAIL, Errno.EINVAL);
  if ((flags & ~PFM_REGFL_PMC_ALL) !== 0)
    return refuse(sys, view, off, flags, PFM_REG_RETFL_EINVAL, Errno.EINVAL);
  const set = elementSet(sys, ctx, view.getUint16(off + PMC_OFF.reg_set, true));
  if (!set) return refuse(sys, view, off, flags, PFM_REG_RETFL_NOSET, Errno.EINVAL);
  if (flags & PFM_REGFL_NO_EMUL64 && pmu.pmcNo64[cnum] === 0)
    return refuse(sys, view, off, flags, PFM_REG_RETFL_EINVAL, Errno.EINVAL);
  let lo = view.getUint32(off + PMC_OFF.reg_value, true);
  let hi = view.getUint32(off + PMC_OFF.reg_value + 4, true);
  const rl = pmu.pmcRsvdLo[cnum]!;
  const rh = pmu.pmcRsvdHi[cnum]!;
  lo = ((lo & ~rl) | (pmu.pmcDflLo[cnum]! & rl)) >>> 0;
  hi = ((hi & ~rh) | (pmu.pmcDflHi[cnum]! & rh)) >>> 0;
  if (flags & PFM_REGFL_NO_EMUL64) {
    lo = (lo & ~pmu.pmcNoEmulLo[cnum]!) >>> 0;
    hi = (hi & ~pmu.pmcNoEmulHi[cnum]!) >>> 0;
  }
  // The model's write checker (pfm_pmu_config.pmc_write_check).
  const check = checkPmc(sys, ctx, cnum, lo, hi);
  if (check !== 0) return refuse(sys, view, off, flags, PFM_REG_RETFL_EINVAL, check);
  set.writePmc(cnum, lo, hi);
  setRetflags(sys, view, off, flags, 0);
  k.charge(t, CAT.handler, sys.isLive(t, ctx, set) ? k.costs.pmuRegLive : k.costs.pmuRegSaved);
  return 0;
}

/**
 * Model write checkers (perfmon2-abi.md §3.3): Core PEBS_ENABLE other than 0 needs the PEBS
 * sampling format, which is not simulated (EINVAL); an AMD64 Northbridge event (the scheme's
 * shared unit, from the model's `northbridgeFrom`) already owned by another context is EBUSY.
 * Returns 0 or an errno.
 */
function checkPmc(sys: PerfmonSystem, ctx: PfmContext, cnum: number, lo: number, hi: number): number {
  const pmu = sys.pmu;
  if (cnum === pmu.pebsPmc && (lo !== 0 || hi !== 0)) return Errno.EINVAL;
  if (pmu.scheme.sharedUnit(cnum, lo)) {
    if (!sys.sessions.claimNorthbridge(ctx)) return Errno.EBUSY;
  }
  return 0;
}
