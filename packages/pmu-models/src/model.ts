/**
 * The normalised, immutable form of a PMU model: hex strings become bigints, optional
 * lists become empty lists, and lookups are precomputed. Build one with `validateModel`
 * (which runs every rule first) rather than with {@link normaliseModel} directly.
 */
import {
  type ArchId,
  formatHex,
  type PmuModelFile,
  parseHex,
  REGISTER_FLAG_BITS,
  type RegisterFlag,
} from './schema.js';

export const MASK64 = (1n << 64n) - 1n;

export interface FixedCounterRef {
  readonly pmd: number;
  readonly pmc: number;
}

interface RegisterBase {
  readonly index: number;
  readonly name: string;
  /** perfmon2 type flags as written in the file. */
  readonly type: readonly RegisterFlag[];
  /** The flags OR-ed into perfmon2's 16-bit `type` field. */
  readonly typeBits: number;
  readonly defaultValue: bigint;
  /** v2.3 meaning: a 1 bit is reserved (forced to the default on write). */
  readonly reservedMask: bigint;
  readonly reservedMaskV22?: bigint;
  readonly hwAddr?: bigint;
  readonly width?: number;
  readonly note?: string;
}

export interface PmcDescriptor extends RegisterBase {
  readonly kind: 'pmc';
  readonly noEmul64Mask: bigint;
  /** PMD indexes this PMC drives. */
  readonly controls: readonly number[];
}

export interface PmdDescriptor extends RegisterBase {
  readonly kind: 'pmd';
  /** True for a 64-bit virtualised counter (type C64). */
  readonly isCounter: boolean;
}

export type RegisterDescriptor = PmcDescriptor | PmdDescriptor;

export interface PmuUnitMask {
  readonly name: string;
  readonly value: bigint;
  /** Other names the unit mask is found by (e.g. later libpfm versions' names). */
  readonly aliases: readonly string[];
  /** libpfm-3.10's value where its table is wrong about the hardware. */
  readonly libpfmValue?: bigint;
  readonly description: string;
  /** Overrides the event's generic counters when present. */
  readonly counters?: readonly number[];
  /** Overrides the event's fixed counter when present. */
  readonly fixed?: FixedCounterRef;
  readonly flags: readonly string[];
  readonly note?: string;
}

export interface PmuEvent {
  /** Position in the model's event table (libpfm's opaque event descriptor). */
  readonly index: number;
  readonly name: string;
  readonly code: bigint;
  readonly description: string;
  /** Generic counter PMDs allowed to count the event. */
  readonly counters: readonly number[];
  readonly unitMasks: readonly PmuUnitMask[];
  readonly umaskCombinable: boolean;
  readonly fixed?: FixedCounterRef;
  readonly flags: readonly string[];
  readonly modelData: Readonly<Record<string, unknown>>;
  readonly note?: string;
}

export interface PmuSource {
  readonly what: string;
  readonly ref: string;
  readonly verified: boolean;
  readonly note?: string;
}

/** The CPUs a PMU is (libpfm tells apart PMUs of one type by CPUID family and model). */
export interface PmuCpu {
  /** CPUID family with the extended family added (K8 15, Family 10h 16). */
  readonly family: number;
  /** CPUID models (with the extended model) covered; absent: every model of the family. */
  readonly models?: readonly number[];
}

export interface PmuEncoding {
  /** A registered scheme name (see `schemes/registry.ts`). */
  readonly scheme: string;
  readonly eventBits: number;
  readonly umaskBits: number;
  /** Scheme-defined model facts (see each scheme's `options`). */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
}

export interface PmuModel {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly vendor: string;
  readonly archs: readonly ArchId[];
  readonly module: string;
  readonly libpfm: { readonly name: string; readonly type: number };
  /** The CPUs this PMU is; absent: every CPU of its libpfm type. */
  readonly cpu?: PmuCpu;
  readonly counterWidth: number;
  readonly hwCounterWidth: number;
  /** perfmon2's `ovfl_mask = 2^counterWidth - 1`. */
  readonly ovflMask: bigint;
  readonly encoding: PmuEncoding;
  readonly pmcs: readonly PmcDescriptor[];
  readonly pmds: readonly PmdDescriptor[];
  readonly events: readonly PmuEvent[];
  readonly cycleEvent?: string;
  readonly instRetiredEvent?: string;
  readonly sources: readonly PmuSource[];
  /** Indexes of the counter PMDs (type C64), ascending. */
  readonly counterPmds: readonly number[];
  /** Highest PMC index + 1 (perfmon2 `max_pmc`). */
  readonly maxPmc: number;
  /** Highest PMD index + 1 (perfmon2 `max_pmd`). */
  readonly maxPmd: number;
  pmcByIndex(index: number): PmcDescriptor | undefined;
  pmdByIndex(index: number): PmdDescriptor | undefined;
  /** libpfm lookup rules: case-insensitive, exact, ignoring everything from the first `:`. */
  eventByName(name: string): PmuEvent | undefined;
  /** All events with this code, in table order (codes may repeat). */
  eventsByCode(code: bigint): readonly PmuEvent[];
}

/** Bits at and above `width` in a 64-bit register. */
export function bitsAbove(width: number): bigint {
  // Stryker disable next-line ConditionalExpression: at width 64 the general formula also gives 0 (widths are at most 64)
  return width >= 64 ? 0n : MASK64 ^ ((1n << BigInt(width)) - 1n);
}

/** Bits below `width`. */
export function lowBits(width: number): bigint {
  return width >= 64 ? MASK64 : (1n << BigInt(width)) - 1n;
}

function typeBits(flags: readonly RegisterFlag[]): number {
  return flags.reduce((bits, flag) => bits | REGISTER_FLAG_BITS[flag], 0);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function copyEncoding(encoding: {
  readonly scheme: string;
  readonly eventBits: number;
  readonly umaskBits: number;
  readonly options?: Readonly<Record<string, string | number | boolean>> | undefined;
}): PmuEncoding {
  const { options, ...fields } = encoding;
  return { ...fields, ...optional('options', options === undefined ? undefined : { ...options }) };
}

function copyCpu(cpu: { readonly family: number; readonly models?: readonly number[] | undefined }): {
  family: number;
  models?: number[];
} {
  return {
    family: cpu.family,
    ...optional('models', cpu.models === undefined ? undefined : [...cpu.models]),
  };
}

/**
 * Whether two CPU declarations can describe the same CPU: an absent declaration covers every
 * CPU; otherwise the families are equal and the model lists (absent: every model) share one.
 */
export function cpusOverlap(a: PmuCpu | undefined, b: PmuCpu | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  if (a.family !== b.family) return false;
  if (a.models === undefined || b.models === undefined) return true;
  return a.models.some((m) => b.models?.includes(m));
}

/** Whether a model declares the CPU with this family and model (no `cpu`: every CPU). */
export function cpuMatches(cpu: PmuCpu | undefined, family: number, model: number): boolean {
  if (cpu === undefined) return true;
  return cpu.family === family && (cpu.models === undefined || cpu.models.includes(model));
}

/** `family 16`, `family 16 models 2, 4`: a CPU declaration for messages; `every CPU` if absent. */
export function describeCpu(cpu: PmuCpu | undefined): string {
  if (cpu === undefined) return 'every CPU';
  return cpu.models === undefined
    ? `family ${cpu.family}`
    : `family ${cpu.family} model${cpu.models.length === 1 ? '' : 's'} ${cpu.models.join(', ')}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Build the normalised model from a schema-valid file. It does not check the semantic rules;
 * `validateModel` does. Lookups keep the first register or event of a duplicated key.
 */
export function normaliseModel(file: PmuModelFile): PmuModel {
  const pmcs: PmcDescriptor[] = file.pmcs.map((r) => ({
    kind: 'pmc',
    index: r.index,
    name: r.name,
    type: [...r.type],
    typeBits: typeBits(r.type),
    defaultValue: parseHex(r.defaultValue),
    reservedMask: parseHex(r.reservedMask),
    ...optional('reservedMaskV22', r.reservedMaskV22 === undefined ? undefined : parseHex(r.reservedMaskV22)),
    ...optional('hwAddr', r.hwAddr === undefined ? undefined : parseHex(r.hwAddr)),
    ...optional('width', r.width),
    ...optional('note', r.note),
    noEmul64Mask: r.noEmul64Mask === undefined ? 0n : parseHex(r.noEmul64Mask),
    controls: [...(r.controls ?? [])],
  }));
  const pmds: PmdDescriptor[] = file.pmds.map((r) => ({
    kind: 'pmd',
    index: r.index,
    name: r.name,
    type: [...r.type],
    typeBits: typeBits(r.type),
    defaultValue: parseHex(r.defaultValue),
    reservedMask: parseHex(r.reservedMask),
    ...optional('reservedMaskV22', r.reservedMaskV22 === undefined ? undefined : parseHex(r.reservedMaskV22)),
    ...optional('hwAddr', r.hwAddr === undefined ? undefined : parseHex(r.hwAddr)),
    ...optional('width', r.width),
    ...optional('note', r.note),
    isCounter: r.type.includes('C64'),
  }));
  const events: PmuEvent[] = file.events.map((e, index) => ({
    index,
    name: e.name,
    code: parseHex(e.code),
    description: e.description,
    counters: [...e.counters],
    unitMasks: (e.unitMasks ?? []).map((u) => ({
      name: u.name,
      value: parseHex(u.value),
      aliases: [...(u.aliases ?? [])],
      ...optional('libpfmValue', u.libpfmValue === undefined ? undefined : parseHex(u.libpfmValue)),
      description: u.description ?? '',
      ...optional('counters', u.counters === undefined ? undefined : [...u.counters]),
      ...optional('fixed', u.fixed === undefined ? undefined : { pmd: u.fixed.pmd, pmc: u.fixed.pmc }),
      flags: [...(u.flags ?? [])],
      ...optional('note', u.note),
    })),
    umaskCombinable: e.umaskCombinable ?? false,
    ...optional('fixed', e.fixed === undefined ? undefined : { pmd: e.fixed.pmd, pmc: e.fixed.pmc }),
    flags: [...(e.flags ?? [])],
    modelData: structuredClone(e.modelData ?? {}),
    ...optional('note', e.note),
  }));

  const pmcMap = new Map<number, PmcDescriptor>();
  for (const r of pmcs) if (!pmcMap.has(r.index)) pmcMap.set(r.index, r);
  const pmdMap = new Map<number, PmdDescriptor>();
  for (const r of pmds) if (!pmdMap.has(r.index)) pmdMap.set(r.index, r);
  const byName = new Map<string, PmuEvent>();
  for (const e of events) if (!byName.has(e.name.toUpperCase())) byName.set(e.name.toUpperCase(), e);
  const byCode = new Map<bigint, PmuEvent[]>();
  for (const e of events) byCode.set(e.code, [...(byCode.get(e.code) ?? []), e]);

  const model: PmuModel = {
    id: file.id,
    name: file.name,
    description: file.description,
    vendor: file.vendor,
    archs: [...file.archs],
    module: file.module,
    libpfm: { name: file.libpfm.name, type: file.libpfm.type },
    ...optional('cpu', file.cpu === undefined ? undefined : copyCpu(file.cpu)),
    counterWidth: file.counterWidth,
    hwCounterWidth: file.hwCounterWidth,
    ovflMask: lowBits(file.counterWidth),
    encoding: copyEncoding(file.encoding),
    pmcs,
    pmds,
    events,
    ...optional('cycleEvent', file.cycleEvent),
    ...optional('instRetiredEvent', file.instRetiredEvent),
    sources: file.sources.map((s) => ({
      what: s.what,
      ref: s.ref,
      verified: s.verified,
      ...optional('note', s.note),
    })),
    counterPmds: [...new Set(pmds.filter((r) => r.isCounter).map((r) => r.index))].sort((a, b) => a - b),
    maxPmc: Math.max(0, ...pmcs.map((r) => r.index + 1)),
    maxPmd: Math.max(0, ...pmds.map((r) => r.index + 1)),
    pmcByIndex: (index) => pmcMap.get(index),
    pmdByIndex: (index) => pmdMap.get(index),
    // Stryker disable next-line StringLiteral: String.split always yields a first element; the default is for the type checker
    eventByName: (name) => byName.get((name.split(':')[0] ?? '').toUpperCase()),
    eventsByCode: (code) => byCode.get(code) ?? [],
  };
  for (const list of byCode.values()) Object.freeze(list);
  return deepFreeze(model);
}

/**
 * Write a model back in the file format, with canonical hex (lower case, no leading zeros)
 * and without empty optional lists. `validateModel(toModelFile(m))` gives back an equal model.
 */
export function toModelFile(model: PmuModel, schemaRef = '../../pmu-model.schema.json'): PmuModelFile {
  const register = (r: RegisterDescriptor) => ({
    index: r.index,
    name: r.name,
    type: [...r.type],
    defaultValue: formatHex(r.defaultValue),
    reservedMask: formatHex(r.reservedMask),
    ...optional(
      'reservedMaskV22',
      r.reservedMaskV22 === undefined ? undefined : formatHex(r.reservedMaskV22),
    ),
    ...optional('hwAddr', r.hwAddr === undefined ? undefined : formatHex(r.hwAddr)),
    ...optional('width', r.width),
    ...optional('note', r.note),
  });
  const nonEmpty = <T>(list: readonly T[]) => (list.length === 0 ? undefined : [...list]);
  return {
    $schema: schemaRef,
    id: model.id,
    name: model.name,
    description: model.description,
    vendor: model.vendor,
    archs: [...model.archs],
    module: model.module,
    libpfm: { ...model.libpfm },
    ...optional('cpu', model.cpu === undefined ? undefined : copyCpu(model.cpu)),
    counterWidth: model.counterWidth,
    hwCounterWidth: model.hwCounterWidth,
    encoding: copyEncoding(model.encoding),
    pmcs: model.pmcs.map((r) => ({
      ...register(r),
      ...optional('noEmul64Mask', r.noEmul64Mask === 0n ? undefined : formatHex(r.noEmul64Mask)),
      ...optional('controls', nonEmpty(r.controls)),
    })),
    pmds: model.pmds.map(register),
    events: model.events.map((e) => ({
      name: e.name,
      code: formatHex(e.code),
      counters: [...e.counters],
      description: e.description,
      ...optional(
        'unitMasks',
        nonEmpty(
          e.unitMasks.map((u) => ({
            name: u.name,
            value: formatHex(u.value),
            ...optional('aliases', nonEmpty(u.aliases)),
            ...optional('libpfmValue', u.libpfmValue === undefined ? undefined : formatHex(u.libpfmValue)),
            ...optional('description', u.description === '' ? undefined : u.description),
            ...optional('counters', u.counters === undefined ? undefined : [...u.counters]),
            ...optional('fixed', u.fixed === undefined ? undefined : { ...u.fixed }),
            ...optional('flags', nonEmpty(u.flags)),
            ...optional('note', u.note),
          })),
        ),
      ),
      ...optional('umaskCombinable', e.umaskCombinable ? true : undefined),
      ...optional('fixed', e.fixed === undefined ? undefined : { ...e.fixed }),
      ...optional('flags', nonEmpty(e.flags)),
      ...optional(
        'modelData',
        Object.keys(e.modelData).length === 0 ? undefined : structuredClone(e.modelData),
      ),
      ...optional('note', e.note),
    })),
    ...optional('cycleEvent', model.cycleEvent),
    ...optional('instRetiredEvent', model.instRetiredEvent),
    sources: model.sources.map((s) => ({ ...s })),
  };
}

/**
 * The counters an event (optionally qualified by one unit mask) may use: the generic
 * counters plus the fixed counter. A unit mask's `counters` and `fixed` each override the
 * event's independently.
 */
export function effectiveCounters(
  event: PmuEvent,
  unitMask?: PmuUnitMask,
): { generic: readonly number[]; fixed?: FixedCounterRef } {
  const generic = unitMask?.counters ?? event.counters;
  const fixed = unitMask?.fixed ?? event.fixed;
  return fixed === undefined ? { generic } : { generic, fixed };
}
