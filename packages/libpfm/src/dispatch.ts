/**
 * `pfm_dispatch_events`: a pure computation from events to PMC values and PMD indexes. It
 * never touches a PMU or a kernel; the output is built afresh on every call.
 *
 * Checks, in libpfm's order (libpfm-and-tools.md §1.6):
 * 1. `dflPlm` 0 → INVAL;
 * 2. 512 events or more → INVAL;
 * 3. more events than the PMU has counters → NOASSIGN (before any per-event check);
 * 4. per event: a bad index → INVAL; unit-mask errors → UMASK (more than 48 → TOOMANY);
 * 5. the PMU's own rules and counter constraints (see the `pmu-*.ts` dispatchers).
 *
 * The dispatcher is chosen from the model's libpfm type, else from its encoding scheme; see
 * {@link dispatcherKind}.
 */
import type { PmuModel } from '@pfmsim/pmu-models';
import {
  PFMLIB_AMD64_PMU,
  PFMLIB_CORE_PMU,
  PFMLIB_I386_P6_PMU,
  PFMLIB_I386_PM_PMU,
  PFMLIB_INTEL_PII_PMU,
  PFMLIB_INTEL_PPRO_PMU,
  PFMLIB_ITANIUM2_PMU,
  PFMLIB_MAX_PMCS,
  PFMLIB_MONTECITO_PMU,
} from './constants.js';
import type {
  DispatchContext,
  DispatchInput,
  DispatchOutput,
  DispatchResult,
  HostInfo,
  ModelInput,
  ResolvedEvent,
} from './dispatch-types.js';
import { PFMLIB_ERR_INVAL, PFMLIB_ERR_NOASSIGN, PFMLIB_ERR_NOTSUPP, PfmError } from './errors.js';
import { checkEvent, describeEvent } from './events.js';
import { dispatchIa64 } from './pmu-ia64.js';
import { dispatchMips64 } from './pmu-mips64.js';
import { dispatchP4 } from './pmu-p4.js';
import { dispatchPower5 } from './pmu-power5.js';
import { dispatchAmd64, dispatchCore, dispatchGenIa32, dispatchP6 } from './pmu-x86.js';
import { toRegMask } from './regmask.js';

/** Which libpfm dispatcher a model uses. */
export type DispatcherKind =
  | 'i386_p6'
  | 'core'
  | 'gen_ia32'
  | 'amd64'
  | 'pentium4'
  | 'itanium2'
  | 'montecito'
  | 'gen_ia64'
  | 'gen_powerpc'
  | 'gen_mips64';

const P6_TYPES = new Set([
  PFMLIB_I386_P6_PMU,
  PFMLIB_I386_PM_PMU,
  PFMLIB_INTEL_PPRO_PMU,
  PFMLIB_INTEL_PII_PMU,
]);

/**
 * The dispatcher for a model: x86-evtsel models by libpfm type (P6 family 32/35/37/38, Core
 * 36, AMD64 16; any other type, including architectural perfmon 63, uses gen_ia32 v2), IA-64
 * models by type (Itanium 2 3, Montecito 4, others the generic IA-64 one), and the other
 * encoding schemes by scheme.
 */
export function dispatcherKind(model: PmuModel): DispatcherKind {
  const type = model.libpfm.type;
  switch (model.encoding.scheme) {
    case 'x86-evtsel':
      if (P6_TYPES.has(type)) return 'i386_p6';
      if (type === PFMLIB_CORE_PMU) return 'core';
      if (type === PFMLIB_AMD64_PMU) return 'amd64';
      return 'gen_ia32';
    case 'p4-escr-cccr':
      return 'pentium4';
    case 'ia64-pmc':
      if (type === PFMLIB_ITANIUM2_PMU) return 'itanium2';
      if (type === PFMLIB_MONTECITO_PMU) return 'montecito';
      return 'gen_ia64';
    case 'power5-mmcr':
      return 'gen_powerpc';
    case 'mips64-ctrl':
      return 'gen_mips64';
    default:
      throw new PfmError(
        PFMLIB_ERR_NOTSUPP,
        `${model.id}: no dispatcher for encoding ${String(model.encoding.scheme)}`,
      );
  }
}

function resolve(model: PmuModel, input: DispatchInput, modelInput: ModelInput): ResolvedEvent[] {
  return input.events.map((e, pos) => {
    const event = checkEvent(model, { event: e.event, unitMasks: e.unitMasks ?? [] });
    const unitMasks = (e.unitMasks ?? []).map((m) => event.unitMasks[m] as (typeof event.unitMasks)[number]);
    const ownPlm = e.plm ?? 0;
    const o = modelInput.counters?.[pos] ?? {};
    const options = { cntMask: o.cntMask ?? 0, inv: o.inv ?? false, edge: o.edge ?? false };
    return {
      pos,
      index: e.event,
      event,
      unitMasks,
      plm: ownPlm !== 0 ? ownPlm : input.dflPlm,
      ownPlm,
      name: [event.name, ...unitMasks.map((u) => u.name)].join(':').toUpperCase(),
      options,
      hasOptions: options.cntMask !== 0 || options.inv || options.edge,
    };
  });
}

/** The common checks of `pfm_dispatch_events`, then the PMU dispatcher; with verbose lines. */
export function dispatchEventsVerbose(
  model: PmuModel,
  input: DispatchInput,
  modelInput: ModelInput = {},
  host: HostInfo = {},
): DispatchResult {
  if (!Array.isArray((input as Partial<DispatchInput> | null | undefined)?.events)) {
    throw new PfmError(PFMLIB_ERR_INVAL, 'dispatch input must have an events array');
  }
  if (!Number.isInteger(input.dflPlm) || input.dflPlm === 0) {
    throw new PfmError(PFMLIB_ERR_INVAL, `the default privilege level must be set (dflPlm ${input.dflPlm})`);
  }
  const count = input.events.length;
  if (count >= PFMLIB_MAX_PMCS) {
    throw new PfmError(PFMLIB_ERR_INVAL, `${count} events, libpfm takes fewer than ${PFMLIB_MAX_PMCS}`);
  }
  const counters = model.counterPmds.length;
  if (count > counters) {
    const names = input.events.map((e) => describeEvent(model, e.event));
    throw new PfmError(
      PFMLIB_ERR_NOASSIGN,
      `${count} events (${names.join(', ')}) for the ${counters} counters of ${model.id}`,
      { events: names },
    );
  }
  const events = resolve(model, input, modelInput);
  const ctx: DispatchContext = {
    model,
    events,
    dflPlm: input.dflPlm,
    flags: input.flags ?? 0,
    unavail: toRegMask(input.unavailPmcs),
    modelInput,
    host,
  };
  switch (dispatcherKind(model)) {
    case 'i386_p6':
      return dispatchP6(ctx);
    case 'core':
      return dispatchCore(ctx);
    case 'gen_ia32':
      return dispatchGenIa32(ctx);
    case 'amd64':
      return dispatchAmd64(ctx);
    case 'pentium4':
      return dispatchP4(ctx);
    case 'itanium2':
      return dispatchIa64(ctx, 'itanium2');
    case 'montecito':
      return dispatchIa64(ctx, 'montecito');
    case 'gen_ia64':
      return dispatchIa64(ctx, 'generic');
    case 'gen_powerpc':
      return dispatchPower5(ctx);
    case 'gen_mips64':
      return dispatchMips64(ctx);
  }
}

/**
 * `pfm_dispatch_events(inp, mod_in, outp, NULL)`: the PMC values and PMD indexes for the
 * events. `pmds[i]` is the counter of `input.events[i]`; PMCs not tied to one event follow
 * the per-event ones. Throws {@link PfmError}.
 */
export function dispatchEvents(
  model: PmuModel,
  input: DispatchInput,
  modelInput: ModelInput = {},
  host: HostInfo = {},
): DispatchOutput {
  return dispatchEventsVerbose(model, input, modelInput, host).output;
}
