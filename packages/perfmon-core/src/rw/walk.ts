import type { Thread } from '@pfmsim/kernel-sim';
import { PFM_REG_RETFL_MASK } from '../abi/constants.js';
import type { PfmContext } from '../core/context.js';
import type { EventSet } from '../core/sets.js';
import type { PerfmonSystem } from '../system.js';

/**
 * What a vector call does to one element of its kernel copy at `off` (the body of the loop in
 * each __pfm_write_pmcs, __pfm_read_pmds, __pfm_create_evtsets ...): 0 to go on, or -errno to
 * stop the call with it.
 */
export type ElementOp = (
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  view: DataView,
  off: number,
) => number;

/**
 * The element walk of every vector call, with ctx->lock held and irqs off: element i sits at
 * buf + i * stride (the back-end's own struct size, Q10), and the walk stops at the first element
 * that fails. Elements before it stay done: no rollback (Q3). Returns 0 or that element's -errno.
 */
export function walkElements(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  buf: number,
  count: number,
  stride: number,
  op: ElementOp,
): number {
  const view = sys.k.mem.view;
  sys.setLookup.id = -1;
  for (let i = 0; i < count; i++) {
    const err = op(sys, t, ctx, view, buf + i * stride);
    if (err !== 0) return err;
  }
  return 0;
}

/**
 * The event set an element names. V17.9–V19 look it up again only when reg_set differs from the
 * previous element's, so a walk keeps the last set found (reset at the start of each walk).
 */
export function elementSet(sys: PerfmonSystem, ctx: PfmContext, setId: number): EventSet | undefined {
  const cache = sys.setLookup;
  if (setId !== cache.id) {
    cache.set = ctx.sets.find(setId);
    cache.id = cache.set ? setId : -1;
  }
  return cache.set;
}

/** Sets bit `index` of the little-endian bitmap of u32 words at `off`. */
export function setBitAt(view: DataView, off: number, index: number): void {
  const a = off + (index >>> 5) * 4;
  view.setUint32(a, (view.getUint32(a, true) | (1 << (index & 31))) >>> 0, true);
}

/** reg_flags: at offset 4 in pfarg_pmc, pfarg_pmd and pfarg_pmr alike. */
const REG_FLAGS = 4;

/**
 * Writes an element's return flags (PFM_REG_RETFL_*) into its reg_flags under Q1's 'intent'
 * choice; historically (V16–V19) reg_flags comes back as the caller passed it.
 */
export function setRetflags(
  sys: PerfmonSystem,
  view: DataView,
  off: number,
  flags: number,
  retfl: number,
): void {
  if (sys.options.retflags === 'intent')
    view.setUint32(off + REG_FLAGS, ((flags & ~PFM_REG_RETFL_MASK) | retfl) >>> 0, true);
}

/** A refused element: its return flags, and the -errno that ends the walk. */
export function refuse(
  sys: PerfmonSystem,
  view: DataView,
  off: number,
  flags: number,
  retfl: number,
  errno: number,
): number {
  setRetflags(sys, view, off, flags, retfl);
  return -errno;
}
