/** Helpers shared by the per-PMU dispatchers. */
import type { PmuEvent, PmuModel, PmuUnitMask } from '@pfmsim/pmu-models';
import {
  type Assignment,
  explainNoAssignment,
  type GreedyPass,
  greedyPasses,
  isValidAssignment,
  joinAnd,
  type SearchOptions,
  type Slot,
  searchAssignment,
} from './assign.js';
import { PFM_PLM1, PFM_PLM2 } from './constants.js';
import type { DispatchContext, ResolvedEvent } from './dispatch-types.js';
import { PFMLIB_ERR_INVAL, PFMLIB_ERR_NOASSIGN, PfmError } from './errors.js';

export const hex = (v: bigint | number): string => `0x${v.toString(16)}`;
export const bit = (b: boolean): 0 | 1 => (b ? 1 : 0);

/** Hardware address of a PMC (its `hwAddr`, else its index). */
export function pmcAddr(model: PmuModel, index: number): bigint {
  // Stryker disable next-line OptionalChaining: dispatchers pass only PMCs their model has (a counter's controller, PERFEVTSEL0 once checked, Core's PEBS_ENABLE, the MMCRs), so the lookup never misses
  return model.pmcByIndex(index)?.hwAddr ?? BigInt(index);
}

export function pmdAddr(model: PmuModel, index: number): bigint {
  // Stryker disable next-line OptionalChaining: dispatchers pass only assigned counters, which come from the model's validated event counters and fixed refs
  return model.pmdByIndex(index)?.hwAddr ?? BigInt(index);
}

/** The PMCs that drive a PMD (`controls`). */
export function controllers(model: PmuModel, pmd: number): number[] {
  return model.pmcs.filter((p) => p.controls.includes(pmd)).map((p) => p.index);
}

/** Why a PMC cannot be used, or undefined. */
export function pmcUnavailableReason(ctx: DispatchContext, pmc: number): string | undefined {
  if (!ctx.unavail.isset(pmc)) return undefined;
  const name = ctx.model.pmcByIndex(pmc)?.name;
  return `pmc${pmc}${name === undefined ? '' : ` (${name})`} is in unavailPmcs`;
}

/** Why a counter cannot be used (one of its controlling PMCs is unavailable), or undefined. */
export function counterUnavailableReason(ctx: DispatchContext, pmd: number): string | undefined {
  for (const pmc of controllers(ctx.model, pmd)) {
    const reason = pmcUnavailableReason(ctx, pmc);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

export function counterAvailable(ctx: DispatchContext, pmd: number): boolean {
  return counterUnavailableReason(ctx, pmd) === undefined;
}

/**
 * Generic counters an event may use with these unit masks: a unit mask's `counters` override
 * the event's (pmu-models `effectiveCounters`); several unit masks must all allow a counter.
 */
export function genericCounters(event: PmuEvent, masks: readonly PmuUnitMask[]): number[] {
  const lists = masks.length === 0 ? [event.counters] : masks.map((u) => u.counters ?? event.counters);
  return [...lists.reduce((common, list) => common.filter((c) => list.includes(c)))];
}

/**
 * The fixed counter an event may use: a unit mask's `fixed` overrides the event's (as its
 * `counters` do), and several unit masks must all name the same one (libpfm
 * `pfm_core_is_fixed`: all unit masks must agree).
 */
export function fixedCounter(event: PmuEvent, masks: readonly PmuUnitMask[]): number | undefined {
  const refs = masks.length === 0 ? [event.fixed] : masks.map((u) => u.fixed ?? event.fixed);
  const pmds = new Set(refs.map((ref) => ref?.pmd));
  return pmds.size === 1 ? [...pmds][0] : undefined;
}

export function hasFlag(e: ResolvedEvent, flag: string): boolean {
  return e.event.flags.includes(flag) || e.unitMasks.some((u) => u.flags.includes(flag));
}

/**
 * x86 (and P4): only PLM0 and PLM3 exist; PLM1/PLM2 in the default or an event give INVAL.
 * libpfm checks the default first, then each event's own plm in its per-event loop, so the
 * dispatchers call {@link rejectDflPlm12} first and {@link rejectEventPlm12} per event.
 */
export function rejectPlm12(ctx: DispatchContext): void {
  rejectDflPlm12(ctx);
  for (const e of ctx.events) rejectEventPlm12(ctx, e);
}

export function rejectDflPlm12(ctx: DispatchContext): void {
  if (ctx.dflPlm & (PFM_PLM1 | PFM_PLM2)) {
    throw new PfmError(
      PFMLIB_ERR_INVAL,
      `${ctx.model.id} supports only PLM0 and PLM3 (dflPlm ${hex(ctx.dflPlm)})`,
    );
  }
}

export function rejectEventPlm12(ctx: DispatchContext, e: ResolvedEvent): void {
  if (e.ownPlm & (PFM_PLM1 | PFM_PLM2)) {
    throw new PfmError(
      PFMLIB_ERR_INVAL,
      `${e.name}: ${ctx.model.id} supports only PLM0 and PLM3 (plm ${hex(e.ownPlm)})`,
      {
        events: [e.name],
      },
    );
  }
}

/** INVAL unless `cntMask` is an integer in 0..max. */
export function checkCntMask(e: ResolvedEvent, max: number, what = 'cnt_mask'): void {
  const v = e.options.cntMask;
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new PfmError(PFMLIB_ERR_INVAL, `${e.name}: ${what} ${v} is outside 0..${max}`, {
      events: [e.name],
    });
  }
}

/** INVAL when an event sets options the PMU does not have. */
export function rejectOptions(
  ctx: DispatchContext,
  allowed: { cntMask?: boolean; inv?: boolean; edge?: boolean },
): void {
  for (const e of ctx.events) {
    const bad: string[] = [];
    if (!allowed.cntMask && e.options.cntMask !== 0) bad.push('cntMask');
    if (!allowed.inv && e.options.inv) bad.push('inv');
    if (!allowed.edge && e.options.edge) bad.push('edge');
    if (bad.length > 0) {
      throw new PfmError(PFMLIB_ERR_INVAL, `${e.name}: ${ctx.model.id} does not support ${bad.join(', ')}`, {
        events: [e.name],
      });
    }
  }
}

export interface AssignPlan {
  readonly candidates: readonly (readonly Slot[])[];
  /** libpfm's own algorithm; its result is used when it is valid. */
  readonly greedy?: readonly GreedyPass[];
  readonly search?: SearchOptions;
  /** Counters each event could use ignoring unavailable registers (for messages). */
  readonly staticCounters: readonly (readonly number[])[];
  readonly escrName?: (escr: number) => string;
  readonly ruleText?: string;
}

/**
 * Run libpfm's greedy passes; when they fail (or there are none), search exhaustively, unless
 * the search mode is `'libpfm'` and libpfm's own passes exist (then their failure is final);
 * when no assignment is found, NOASSIGN naming the events and counters in conflict.
 */
export function assignCounters(ctx: DispatchContext, plan: AssignPlan): Assignment {
  const accept = plan.search?.accept;
  if (plan.greedy !== undefined) {
    const greedy = greedyPasses(plan.candidates, plan.greedy);
    if (greedy !== undefined && isValidAssignment(greedy, plan.candidates, accept)) return greedy;
    if (ctx.search === 'libpfm') throw noAssignment(ctx, plan, true);
  }
  const found = searchAssignment(plan.candidates, plan.search);
  if (found !== undefined) return found;
  throw noAssignment(ctx, plan, false);
}

/** NOASSIGN for a plan, naming the conflict (or libpfm's first fit when only it failed). */
export function noAssignment(ctx: DispatchContext, plan: AssignPlan, firstFitOnly: boolean): PfmError {
  if (firstFitOnly && searchAssignment(plan.candidates, plan.search) !== undefined) {
    const names = ctx.events.map((e) => e.name);
    return new PfmError(
      PFMLIB_ERR_NOASSIGN,
      `libpfm's first fit cannot place ${joinAnd(names)}, though an assignment exists (search: 'exhaustive' finds it)`,
      { events: names },
    );
  }
  const why = explainNoAssignment(plan.candidates, {
    names: ctx.events.map((e) => e.name),
    staticCounters: plan.staticCounters,
    unavailableReason: (c) => counterUnavailableReason(ctx, c),
    escrName: plan.escrName,
    ruleText: plan.ruleText,
  });
  return new PfmError(PFMLIB_ERR_NOASSIGN, why.detail, { events: why.events });
}

/** Indexes 0..n-1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
