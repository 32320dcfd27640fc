/**
 * The libpfm3-shaped library object. `pfmInitialize(options)` plays `pfm_initialize()`:
 * it picks the PMU (detection of the host model or a forced type) and returns a
 * {@link Libpfm} bound to it. Because a `Libpfm` only exists once initialised, libpfm's
 * NOINIT ("queries before pfm_initialize") cannot happen in this API; the code is exported
 * for completeness.
 *
 * Each method is the libpfm call of the same meaning (`getPmuName` is `pfm_get_pmu_name`,
 * ...), returns its result instead of filling an out-parameter, and throws {@link PfmError}
 * with libpfm's code where libpfm returns one.
 */
import type { PmuModel } from '@pfmsim/pmu-models';
import { PFMLIB_VERSION } from './constants.js';
import { dispatchEventsVerbose } from './dispatch.js';
import type {
  Amd64Revision,
  DispatchInput,
  DispatchOutput,
  DispatchResult,
  Fam10hRevision,
  LibpfmBug,
  ModelInput,
  SearchMode,
} from './dispatch-types.js';
import { PFMLIB_ERR_NOTSUPP, PfmError } from './errors.js';
import {
  findEvent,
  findEventByCode,
  findEventByCodeNext,
  findEventByName,
  findEventMask,
  findFullEvent,
  getEventCode,
  getEventCodeCounter,
  getEventCounters,
  getEventDescription,
  getEventMaskCode,
  getEventMaskDescription,
  getEventMaskName,
  getEventName,
  getFullEventName,
  getMaxEventNameLen,
  getNumEventMasks,
  type PfmEvent,
} from './events.js';
import { pmuName, pmuNameByType, type ResolvePmuOptions, resolvePmu } from './pmu.js';
import { RegMask } from './regmask.js';

export interface InitializeOptions extends ResolvePmuOptions {
  /**
   * Verbose mode (`LIBPFM_VERBOSE`): every dispatch logs libpfm's assignment lines through
   * `log`. `LIBPFM_VERBOSE` in `env` (a digit) takes precedence.
   */
  readonly verbose?: boolean;
  /** Where verbose lines go; default `console.error` (libpfm prints to stderr). */
  readonly log?: (line: string) => void;
  /** The counter search of every dispatch that names none (default `'libpfm'`). */
  readonly search?: SearchMode;
  /** libpfm-3.10 bugs switched on for every dispatch that names none (default none). */
  readonly libpfmBugs?: readonly LibpfmBug[];
}

export class Libpfm {
  /** The PMU model in use. */
  readonly model: PmuModel;
  /** `PFMLIB_VERSION` (`pfm_get_version`). */
  readonly version = PFMLIB_VERSION;
  /** True when the PMU was forced (`LIBPFM_FORCE_PMU`, `forcePmu`) rather than detected. */
  readonly forced: boolean;
  readonly amd64Revision: Amd64Revision;
  /** The Family 10h revision of the host (default `B`), for Family 10h models. */
  readonly fam10hRevision: Fam10hRevision;
  /** The CPUID model of the host, when given (`cpu`, `LIBPFM_FORCE_PMU=type,family,model,...`). */
  readonly cpuModel: number | undefined;
  readonly verbose: boolean;
  /** The default counter search of {@link dispatchEvents}. */
  readonly search: SearchMode;
  /** The libpfm-3.10 bugs {@link dispatchEvents} reproduces by default. */
  readonly libpfmBugs: readonly LibpfmBug[];
  readonly #supported: readonly PmuModel[];
  readonly #log: (line: string) => void;

  constructor(options: InitializeOptions) {
    const resolved = resolvePmu(options);
    this.model = resolved.model;
    this.forced = resolved.forced;
    this.amd64Revision = resolved.amd64Revision;
    this.fam10hRevision = resolved.fam10hRevision;
    this.cpuModel = resolved.cpuModel;
    this.#supported = resolved.supported;
    const envVerbose = options.env?.LIBPFM_VERBOSE;
    this.verbose =
      envVerbose !== undefined && /^[0-9]/.test(envVerbose)
        ? envVerbose[0] !== '0'
        : (options.verbose ?? false);
    this.#log = options.log ?? ((line) => console.error(line));
    this.search = options.search ?? 'libpfm';
    this.libpfmBugs = [...(options.libpfmBugs ?? [])];
  }

  /* ------------------------------------------------------------ PMU */

  /** `pfm_get_pmu_name`. */
  getPmuName(): string {
    return pmuName(this.model, this.amd64Revision, this.fam10hRevision);
  }

  /** `pfm_get_pmu_type`: the `PFMLIB_*_PMU` code. */
  getPmuType(): number {
    return this.model.libpfm.type;
  }

  /** `pfm_is_pmu_supported`. */
  isPmuSupported(type: number): boolean {
    return this.#supported.some((m) => m.libpfm.type === type);
  }

  /** `pfm_get_pmu_name_bytype`; INVAL for a type no supported PMU has. */
  getPmuNameByType(type: number): string {
    return pmuNameByType(type, this.#supported);
  }

  /** `pfm_list_supported_pmus`: `supported PMU models: [name] ...` then the detected one. */
  listSupportedPmus(): string {
    // One entry per PMU type, as libpfm lists its modules (AMD64's K8 and Family 10h are one).
    const types = new Set<number>();
    const modules = this.#supported.filter((m) => !types.has(m.libpfm.type) && types.add(m.libpfm.type));
    const names = modules.map((m) => `[${m.libpfm.name}] `).join('');
    return `supported PMU models: ${names}\ndetected host PMU: ${this.getPmuName()}\n`;
  }

  /* ------------------------------------------------------------ registers */

  /** `pfm_get_num_counters`. */
  getNumCounters(): number {
    return this.model.counterPmds.length;
  }

  /** `pfm_get_num_pmcs`. */
  getNumPmcs(): number {
    return this.model.pmcs.length;
  }

  /** `pfm_get_num_pmds`. */
  getNumPmds(): number {
    return this.model.pmds.length;
  }

  /** `pfm_get_impl_pmcs`. */
  getImplPmcs(): RegMask {
    return RegMask.from(this.model.pmcs.map((p) => p.index));
  }

  /** `pfm_get_impl_pmds`. */
  getImplPmds(): RegMask {
    return RegMask.from(this.model.pmds.map((p) => p.index));
  }

  /** `pfm_get_impl_counters`. */
  getImplCounters(): RegMask {
    return RegMask.from(this.model.counterPmds);
  }

  /** `pfm_get_hw_counter_width`. */
  getHwCounterWidth(): number {
    return this.model.hwCounterWidth;
  }

  /* ------------------------------------------------------------ events */

  /** `pfm_get_num_events`. */
  getNumEvents(): number {
    return this.model.events.length;
  }

  findEvent(str: string): number {
    return findEvent(this.model, str);
  }

  findEventByName(str: string): number {
    return findEventByName(this.model, str);
  }

  findEventByCode(code: number | bigint): number {
    return findEventByCode(this.model, code);
  }

  findEventByCodeNext(code: number | bigint, start: number): number {
    return findEventByCodeNext(this.model, code, start);
  }

  findEventMask(event: number, str: string): number {
    return findEventMask(this.model, event, str);
  }

  findFullEvent(str: string): PfmEvent {
    return findFullEvent(this.model, str);
  }

  getEventName(event: number): string {
    return getEventName(this.model, event);
  }

  getFullEventName(e: PfmEvent): string {
    return getFullEventName(this.model, e);
  }

  getEventDescription(event: number): string {
    return getEventDescription(this.model, event);
  }

  getEventCode(event: number): number {
    return getEventCode(this.model, event);
  }

  getEventCodeCounter(event: number, counter: number): number {
    return getEventCodeCounter(this.model, event, counter);
  }

  getEventCounters(event: number): RegMask {
    return getEventCounters(this.model, event);
  }

  getNumEventMasks(event: number): number {
    return getNumEventMasks(this.model, event);
  }

  getEventMaskName(event: number, mask: number): string {
    return getEventMaskName(this.model, event, mask);
  }

  getEventMaskCode(event: number, mask: number): number {
    return getEventMaskCode(this.model, event, mask);
  }

  getEventMaskDescription(event: number, mask: number): string {
    return getEventMaskDescription(this.model, event, mask);
  }

  getMaxEventNameLen(): number {
    return getMaxEventNameLen(this.model);
  }

  /** `pfm_get_cycle_event`; NOTSUPP when the model names none. */
  getCycleEvent(): PfmEvent {
    return this.#named(this.model.cycleEvent, 'cycle');
  }

  /** `pfm_get_inst_retired_event`; NOTSUPP when the model names none. */
  getInstRetiredEvent(): PfmEvent {
    return this.#named(this.model.instRetiredEvent, 'retired-instructions');
  }

  #named(spec: string | undefined, what: string): PfmEvent {
    if (spec === undefined) throw new PfmError(PFMLIB_ERR_NOTSUPP, `${this.model.id} names no ${what} event`);
    return findFullEvent(this.model, spec);
  }

  /* ------------------------------------------------------------ dispatch */

  /** `pfm_dispatch_events`; in verbose mode the assignment lines go to `log`. */
  dispatchEvents(input: DispatchInput, modelInput?: ModelInput): DispatchOutput {
    const result = this.dispatchEventsVerbose(input, modelInput);
    if (this.verbose) for (const line of result.lines) this.#log(line);
    return result.output;
  }

  /** {@link dispatchEvents} with libpfm's verbose lines, whatever the verbose setting. */
  dispatchEventsVerbose(input: DispatchInput, modelInput?: ModelInput): DispatchResult {
    const withDefaults: DispatchInput = {
      ...input,
      search: input.search ?? this.search,
      libpfmBugs: input.libpfmBugs ?? this.libpfmBugs,
    };
    return dispatchEventsVerbose(this.model, withDefaults, modelInput ?? {}, {
      amd64Revision: this.amd64Revision,
      fam10hRevision: this.fam10hRevision,
      ...(this.cpuModel === undefined ? {} : { cpuModel: this.cpuModel }),
    });
  }
}

/** `pfm_initialize`: NOTSUPP when no supported PMU is detected or the forced type is unknown. */
export function pfmInitialize(options: InitializeOptions = {}): Libpfm {
  return new Libpfm(options);
}
