/**
 * Data types of `pfm_dispatch_events` (libpfm-and-tools.md §1.5), in TypeScript form.
 */
import type { PmuEvent, PmuModel, PmuUnitMask } from '@pfmsim/pmu-models';
import type { RegMask, RegMaskLike } from './regmask.js';

/** One event to count (`pfmlib_event_t`). */
export interface DispatchEventInput {
  /** Event index (from `findEvent` / `findFullEvent`). */
  readonly event: number;
  /** Unit-mask indexes of the event; required when the event has unit masks. */
  readonly unitMasks?: readonly number[];
  /** Privilege levels for this event; 0 or absent means `dflPlm`. */
  readonly plm?: number;
}

/**
 * How counters are searched: `'libpfm'` (the default) is libpfm-3.10's own first fit, failing
 * (NOASSIGN) where libpfm fails; `'exhaustive'` tries libpfm's first fit, then every
 * assignment, and finds one whenever one exists.
 */
export type SearchMode = 'libpfm' | 'exhaustive';

/**
 * Behaviours of libpfm-3.10 that are wrong about the hardware. pfmsim does the right thing by
 * default; each name here switches libpfm's behaviour back on, for output-for-output
 * compatibility:
 * - `p6-bus-tran-def`: the P6 BUS_TRAN_DEF unit masks SELF/ANY are 0x1/0x2 (libpfm-3.10's
 *   table) instead of 0x00/0x20 (the SDM, libpfm4);
 * - `core-shared-counter`: libpfm's Core first fit can put two events on one counter: it
 *   moves its next generic counter back to PMC0 after placing a PMC1-only event (so a second
 *   event lands on PMC1), and with PEBS it puts a PMC0-only event on PMC0 after the first PEBS
 *   event took it; without this, such cases are NOASSIGN in `'libpfm'` search;
 * - `p4-bpu-cccr2`: libpfm's P4 table gives BPU_CCCR2 (pmd9's CCCR) register number 24, which
 *   is BPU_CCCR1's; so pmd9 is programmed through pmc24 and conflicts with pmd1.
 */
export type LibpfmBug = 'p6-bus-tran-def' | 'core-shared-counter' | 'p4-bpu-cccr2';

/** Every {@link LibpfmBug}. */
export const LIBPFM_BUGS: readonly LibpfmBug[] = ['p6-bus-tran-def', 'core-shared-counter', 'p4-bpu-cccr2'];

/** `pfmlib_input_param_t`. */
export interface DispatchInput {
  readonly events: readonly DispatchEventInput[];
  /** Default privilege levels (`PFM_PLM*`); must not be 0. */
  readonly dflPlm: number;
  /** `PFMLIB_PFP_SYSTEMWIDE` (0x1) or 0. */
  readonly flags?: number;
  /** PMCs (perfmon2 numbering) the library must not use, e.g. taken by the NMI watchdog. */
  readonly unavailPmcs?: RegMaskLike;
  /** Counter search (not in libpfm): default `'libpfm'`. */
  readonly search?: SearchMode;
  /** libpfm-3.10 behaviours that are wrong about the hardware, switched on (not in libpfm). */
  readonly libpfmBugs?: readonly LibpfmBug[];
}

/**
 * Per-event model-specific options (`pfmlib_*_counter_t`). On x86 `cntMask` is the 8-bit
 * counter mask (AMD64: below 4), `inv` and `edge` the INV and EDGE bits; on the P4 they map to
 * the CCCR threshold (0–15), complement and edge; on IA-64 `cntMask` is the 3-bit threshold
 * and `inv`/`edge` are not supported; MIPS64 and POWER5 take none.
 */
export interface CounterOptions {
  readonly cntMask?: number;
  readonly inv?: boolean;
  readonly edge?: boolean;
}

/** Model-specific input (`pfmlib_*_input_param_t`). */
export interface ModelInput {
  /** Options per event, by input position. */
  readonly counters?: readonly (CounterOptions | undefined)[];
  /** Intel Core: use PEBS (`pfp_core_pebs.pebs_used`); the first PEBS event goes to PMC0. */
  readonly pebs?: boolean;
}

/** A PMC to write (`pfmlib_reg_t` in `pfp_pmcs`). */
export interface PmcValue {
  /** perfmon2 logical PMC index. */
  readonly regNum: number;
  readonly regValue: bigint;
  /** MSR or hardware address of the register. */
  readonly regAddr: bigint;
}

/** A PMD to use (`pfmlib_reg_t` in `pfp_pmds`). */
export interface PmdValue {
  /** perfmon2 logical PMD index. */
  readonly regNum: number;
  readonly regAddr: bigint;
}

/**
 * `pfmlib_output_param_t`: `pmds[0..n-1]` belong, in order, to the input events; PMCs that
 * are not tied to one event (P6's PERFEVTSEL0 enable, Core's FIXED_CTR_CTRL and PEBS_ENABLE,
 * POWER5's MMCRs) come after the per-event ones.
 */
export interface DispatchOutput {
  readonly pmcs: readonly PmcValue[];
  readonly pmds: readonly PmdValue[];
}

/** K8 revision of the host, for events gated by revision (BADHOST). */
export type Amd64Revision = 'B' | 'C' | 'D' | 'E' | 'F' | 'G';

/** AMD Family 10h revision of the host (B Barcelona, C Shanghai, D Istanbul, E). */
export type Fam10hRevision = 'B' | 'C' | 'D' | 'E';

/** What the library knows about the host beyond the model. */
export interface HostInfo {
  /** Default `F`; used on K8 models. */
  readonly amd64Revision?: Amd64Revision;
  /** Default `B`; used on Family 10h models (`cpu.family` 16). */
  readonly fam10hRevision?: Fam10hRevision;
  /**
   * The CPUID model of the host; events whose model data lists `cpuModels` exist only on those
   * (P4 `instr_completed`: Prescott, models 3, 4 and 6). Unknown (as when libpfm is forced):
   * such events are EVTINCOMP.
   */
  readonly cpuModel?: number;
}

/** An input event after the common checks. */
export interface ResolvedEvent {
  /** Input position. */
  readonly pos: number;
  readonly index: number;
  readonly event: PmuEvent;
  readonly unitMasks: readonly PmuUnitMask[];
  /** Effective privilege levels (the event's, else the default). */
  readonly plm: number;
  /** The event's own `plm` field (0 when absent). */
  readonly ownPlm: number;
  /** `NAME[:UMASK...]`, upper case. */
  readonly name: string;
  readonly options: Required<CounterOptions>;
  /** True when any option is set (libpfm `HAS_OPTIONS`). */
  readonly hasOptions: boolean;
}

export interface DispatchContext {
  readonly model: PmuModel;
  readonly events: readonly ResolvedEvent[];
  readonly dflPlm: number;
  readonly flags: number;
  readonly unavail: RegMask;
  readonly modelInput: ModelInput;
  readonly host: HostInfo;
  readonly search: SearchMode;
  readonly bugs: ReadonlySet<LibpfmBug>;
}

/** What a PMU dispatcher returns: the output and libpfm's verbose lines. */
export interface DispatchResult {
  readonly output: DispatchOutput;
  readonly lines: readonly string[];
}
