import { CAT, type Thread } from '@pfmsim/kernel-sim';
import {
  PFM_REG_RETFL_EINVAL,
  PFM_REG_RETFL_MASK,
  PFM_REG_RETFL_NOSET,
  PFM_REG_RETFL_NOTAVAIL,
  PFM_REGFL_NO_EMUL64,
  PFM_REGFL_PMC_ALL,
} from '../abi/constants.js';
import { Errno } from '../abi/errno.js';
import { PMC_OFF } from '../abi/layouts.js';
import type { PfmContext } from '../core/context.js';
import type { PerfmonSystem } from '../system.js';

/**
 * pfm_write_pmcs back-end (perfmon2-abi.md §9.2), per element, with ctx->lock held and irqs
 * off: implemented register, flags, set, reserved-bit forcing (never an error), NO_EMUL64,
 * commit. Stops at the first bad element; elements before it stay written (no rollback, Q3).
 * Returns 0 or -errno.
 */
export function writePmcs(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  buf: number,
  count: number,
  elemSize: number,
): number {
  const k = sys.k;
  const view = k.mem.view;
  const pmu = sys.pmu;
  const intent = sys.options.retflags === 'intent';
  let set = ctx.active;
  let lastSetId = -1;
  for (let i = 0; i < count; i++) {
    const off = buf + i * elemSize;
    const cnum = view.getUint16(off + PMC_OFF.reg_num, true);
    const setId = view.getUint16(off + PMC_OFF.reg_set, true);
    const flags = view.getUint32(off + PMC_OFF.reg_flags, true);
    let err = 0;
    let retfl = 0;
    if (!pmu.isPmcImpl(cnum)) {
      err = Errno.EINVAL;
      retfl = PFM_REG_RETFL_NOTAVAIL;
    } else if ((flags & ~PFM_REGFL_PMC_ALL) !== 0) {
      err = Errno.EINVAL;
      retfl = PFM_REG_RETFL_EINVAL;
    } else {
      // V17.9–V19 repeat the set lookup only when reg_set changes from the previous element.
      if (setId !== lastSetId) {
        const found = ctx.sets.find(setId);
        if (found) set = found;
        lastSetId = found ? setId : -1;
        if (!found) {
          err = Errno.EINVAL;
          retfl = PFM_REG_RETFL_NOSET;
        }
      }
      if (err === 0 && flags & PFM_REGFL_NO_EMUL64 && pmu.pmcNo64[cnum] === 0) {
        err = Errno.EINVAL;
        retfl = PFM_REG_RETFL_EINVAL;
      }
    }
    if (err !== 0) {
      if (intent)
        view.setUint32(off + PMC_OFF.reg_flags, ((flags & ~PFM_REG_RETFL_MASK) | retfl) >>> 0, true);
      return -err;
    }
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
    if (check !== 0) {
      if (intent)
        view.setUint32(
          off + PMC_OFF.reg_flags,
          ((flags & ~PFM_REG_RETFL_MASK) | PFM_REG_RETFL_EINVAL) >>> 0,
          true,
        );
      return -check;
    }
    set.pmcLo[cnum] = lo;
    set.pmcHi[cnum] = hi;
    set.usedPmcs[cnum] = 1;
    if (intent) view.setUint32(off + PMC_OFF.reg_flags, (flags & ~PFM_REG_RETFL_MASK) >>> 0, true);
    k.charge(t, CAT.handler, sys.isLive(t, ctx, set) ? k.costs.pmuRegLive : k.costs.pmuRegSaved);
  }
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
