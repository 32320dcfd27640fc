/**
 * The interface every PMU encoding scheme implements: how the PMC values of one family of
 * hardware program its counters (x86 PERFEVTSEL, P4 ESCR/CCCR pairs, IA-64 PMCs, POWER5
 * MMCRs, MIPS64 PerfCtl). A model file names its scheme in `encoding.scheme`; pmu-models
 * validates the model with the scheme's rules, perfmon-core binds the scheme to decode what
 * each counter counts, and libpfm registers a dispatcher under the same name.
 *
 * The interface is versioned: a scheme declares the {@link SCHEME_API_VERSION} it was written
 * against and the registry refuses any other.
 */
import type { PmuEncoding, PmuEvent, PmuModel } from '../model.js';

export const SCHEME_API_VERSION = 1;

/** What a counter PMD counts, decoded from the PMCs that drive it (hardware semantics). */
export interface CounterConfig {
  enabled: boolean;
  /** The workload code of the event (see {@link PmuScheme.workloadKey}). */
  code: number;
  umask: number;
  user: boolean;
  kernel: boolean;
}

/** The PMC state a decoder reads: each PMC's low and high 32 bits, and which were written. */
export interface PmcState {
  readonly pmcLo: ArrayLike<number>;
  readonly pmcHi: ArrayLike<number>;
  readonly usedPmcs: ArrayLike<number>;
}

/** The (code, umask) under which a workload rates an event. */
export interface WorkloadKey {
  readonly code: number;
  readonly umask: number;
}

/** A scheme bound to one model: tables precomputed, nothing allocated per call. */
export interface SchemeBinding {
  /** What PMD `pmd` counts under `regs`; sets `out.enabled`, and the other fields when enabled. */
  decode(regs: PmcState, pmd: number, out: CounterConfig): void;
  /**
   * Whether writing `lo` to PMC `pmc` programs a unit shared by all CPUs that only one
   * context at a time may use (AMD64 Northbridge events; perfmon2 answers EBUSY to others).
   */
  sharedUnit(pmc: number, lo: number): boolean;
}

/** One `encoding.options` entry a scheme accepts. */
export interface SchemeOption {
  /** `pmc`: an existing PMC index; `hex`: a hex string such as "0xee"; `boolean`: true or false. */
  readonly kind: 'pmc' | 'hex' | 'boolean';
  readonly description: string;
}

/** Report one violation of a scheme rule at a JSON path of the model file. */
export type SchemeReport = (path: string, message: string) => void;

export interface PmuScheme {
  readonly apiVersion: typeof SCHEME_API_VERSION;
  /** The `encoding.scheme` value, e.g. `x86-evtsel`. */
  readonly name: string;
  /** One line for listings and error messages. */
  readonly summary: string;
  /** The `encoding.options` the scheme takes (model facts such as P6's shared enable bit). */
  readonly options: Readonly<Record<string, SchemeOption>>;
  /** How many low bits of an event code carry meaning, and how to name that limit. */
  codeWidth(encoding: PmuEncoding): { readonly bits: number; readonly label: string };
  /** Extra model rules of the scheme (reported as rule `scheme-rule`), after the options check. */
  checkModel?(model: PmuModel, report: SchemeReport): void;
  /**
   * The value an event with these fields puts in the one PMC that drives its counter, for
   * the conformance suite's reserved-bit check; absent where an event spans several PMCs.
   */
  pmcImage?(model: PmuModel, select: bigint, umask: bigint): bigint;
  /** The (code, umask) a workload rates the event under; decoders report the same key. */
  workloadKey(model: PmuModel, event: PmuEvent): WorkloadKey;
  /** Precompute the scheme's tables for a (valid) model. */
  bind(model: PmuModel): SchemeBinding;
}

/** `codeWidth` for schemes whose event code is the event field alone (`encoding.eventBits`). */
export function eventBitsCodeWidth(encoding: PmuEncoding): { readonly bits: number; readonly label: string } {
  return { bits: encoding.eventBits, label: `encoding.eventBits (${encoding.eventBits})` };
}

/** An option's value as the model file gives it, or undefined. */
export function schemeOption(model: PmuModel, name: string): string | number | boolean | undefined {
  return model.encoding.options?.[name];
}

/** For each PMD, the first PMC that lists it in `controls` (-1 if none). */
export function controllingPmcs(model: PmuModel): Int16Array {
  const control = new Int16Array(Math.max(1, model.maxPmd)).fill(-1);
  for (const pmc of model.pmcs) {
    for (const d of pmc.controls) if (d < control.length && control[d] === -1) control[d] = pmc.index;
  }
  return control;
}

/**
 * A select table for schemes whose hardware select values repeat across counters (POWER5,
 * MIPS64): at [pmd * 256 + select], the workload code of the first event of the model
 * counted there (-1: none). `select(event, pmd)` gives the select value an event uses on a
 * counter.
 */
export function selectTable(
  model: PmuModel,
  scheme: PmuScheme,
  select: (event: PmuEvent, pmd: number) => number,
): Float64Array {
  const nd = Math.max(1, model.maxPmd);
  const table = new Float64Array(nd * 256).fill(-1);
  for (const ev of model.events) {
    const code = scheme.workloadKey(model, ev).code;
    for (const p of ev.counters) {
      if (p >= nd) continue;
      const v = select(ev, p) & 0xff;
      if (table[p * 256 + v] === -1) table[p * 256 + v] = code;
    }
  }
  return table;
}

/** A model-data value as a number (numbers and numeric strings such as "0x1f"), else undefined. */
export function dataNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}
