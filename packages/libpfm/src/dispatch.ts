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
 * The dispatcher is the libpfm support registered for the model's encoding scheme, which
 * picks by libpfm PMU type where libpfm has several; see {@link dispatcherKind}.
 */
import type { PmuModel } from '@pfmsim/pmu-models';
import { PFMLIB_MAX_PMCS } from './constants.js';
import {
  type DispatchContext,
  type DispatchInput,
  type DispatchOutput,
  type DispatchResult,
  type HostInfo,
  LIBPFM_BUGS,
  type ModelInput,
  type ResolvedEvent,
} from './dispatch-types.js';
import { PFMLIB_ERR_INVAL, PFMLIB_ERR_NOASSIGN, PfmError } from './errors.js';
import { checkEvent, describeEvent } from './events.js';
import { toRegMask } from './regmask.js';
import { libpfmSchemeOf } from './schemes.js';

/** The name of a libpfm dispatcher (`i386_p6`, `core`, `gen_ia32`, `amd64`, `pentium4`, ...). */
export type DispatcherKind = string;

/**
 * The dispatcher libpfm uses for a model, as its encoding scheme's libpfm support decides
 * (see `schemes.ts`); NOTSUPP when no libpfm support is registered for the scheme.
 */
export function dispatcherKind(model: PmuModel): DispatcherKind {
  return libpfmSchemeOf(model).dispatcher(model);
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
  if (input.search !== undefined && input.search !== 'libpfm' && input.search !== 'exhaustive') {
    throw new PfmError(
      PFMLIB_ERR_INVAL,
      `search must be 'libpfm' or 'exhaustive' (got ${String(input.search)})`,
    );
  }
  for (const bug of input.libpfmBugs ?? []) {
    if (!LIBPFM_BUGS.includes(bug)) {
      throw new PfmError(
        PFMLIB_ERR_INVAL,
        `unknown libpfm bug ${String(bug)} (known: ${LIBPFM_BUGS.join(', ')})`,
      );
    }
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
    search: input.search ?? 'libpfm',
    bugs: new Set(input.libpfmBugs ?? []),
  };
  return libpfmSchemeOf(model).dispatch(ctx);
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
