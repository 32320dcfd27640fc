/**
 * libpfm's side of a PMU encoding scheme: for a pmu-models scheme name, the dispatchers
 * libpfm has for it (libpfm's `pfm_pmu_support_t` per PMU type). A plugin that brings a
 * scheme to pmu-models registers one of these under the same name (`schemes.ts`).
 *
 * The interface is versioned like pmu-models' `PmuScheme`: a scheme declares the
 * {@link LIBPFM_SCHEME_API_VERSION} it was written against and the registry refuses others.
 */
import type { PmuEvent, PmuModel } from '@pfmsim/pmu-models';
import type { DispatchContext, DispatchResult } from './dispatch-types.js';

export const LIBPFM_SCHEME_API_VERSION = 1;

export interface LibpfmScheme {
  readonly apiVersion: typeof LIBPFM_SCHEME_API_VERSION;
  /** The pmu-models scheme name (`encoding.scheme`). */
  readonly scheme: string;
  /** The name of the dispatcher libpfm uses for this model, e.g. `i386_p6` or `gen_ia64`. */
  dispatcher(model: PmuModel): string;
  /** `pfm_dispatch_events` after the common checks (`ctx.model` is of this scheme). */
  dispatch(ctx: DispatchContext): DispatchResult;
  /**
   * Per-counter event codes (`PFMLIB_MULT_CODE_EVENT`, MIPS64), or undefined when the event
   * has one code for every counter.
   */
  counterCodes?(event: PmuEvent): ReadonlyMap<number, number> | undefined;
  /** `pfm_get_event_code_counter` refuses a counter the event cannot use (P4); default false. */
  readonly codeNeedsCounter?: boolean;
}
