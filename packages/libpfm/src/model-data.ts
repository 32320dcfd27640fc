/**
 * Typed readers for the scheme-specific `modelData` of pmu-models events (P4 ESCR/CCCR
 * selects, IA-64 umask/group/set, POWER5 event ids and group vectors, MIPS64 per-counter
 * codes). A missing or malformed field is reported as NOTSUPP naming the event, because the
 * dispatcher cannot program an event whose encoding data the model does not give.
 */
import type { PmuEvent, PmuModel } from '@pfmsim/pmu-models';
import { PFMLIB_ERR_NOTSUPP, PfmError } from './errors.js';

function missing(model: PmuModel, event: PmuEvent, field: string): never {
  throw new PfmError(
    PFMLIB_ERR_NOTSUPP,
    `${model.id}: event ${event.name} has no usable modelData.${field}`,
    {
      events: [event.name],
    },
  );
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^0x[0-9a-f]+$/i.test(value)) return Number(BigInt(value));
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  return undefined;
}

function toBigint(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(value)) return BigInt(value);
  return undefined;
}

function field(model: PmuModel, event: PmuEvent, name: string): number {
  const value = toNumber(event.modelData[name]);
  return value ?? missing(model, event, name);
}

/** MIPS64: the event code per counter (`modelData.codes`, libpfm `pme_code >> 8*counter`). */
export function mipsCodes(event: PmuEvent): ReadonlyMap<number, number> | undefined {
  const codes = event.modelData.codes;
  if (codes === null || typeof codes !== 'object') return undefined;
  const out = new Map<number, number>();
  for (const [counter, code] of Object.entries(codes as Record<string, unknown>)) {
    const value = toNumber(code);
    if (value !== undefined && /^[0-9]+$/.test(counter)) out.set(Number(counter), value);
  }
  return out;
}

export interface P4EventData {
  /** ESCR event select (ESCR bits 25–30). */
  readonly escrSelect: number;
  /** CCCR ESCR select (CCCR bits 13–15). */
  readonly cccrSelect: number;
  /** PMC indexes of the ESCRs that can count the event, in libpfm's preference order. */
  readonly escrs: readonly number[];
  /** The unit-mask bits that reach the ESCR event mask (`escrMask`; default all 16). */
  readonly escrMask: number;
  /**
   * PEBS_ENABLE and PEBS_MATRIX_VERT values of unit masks that program them instead of the
   * ESCR (`pebs`: unit-mask name → `{ enable, matrixVert }`; libpfm's replay_event).
   */
  readonly pebs: ReadonlyMap<string, { readonly enable: bigint; readonly matrixVert: bigint }>;
  /** The CPU models the event exists on (`cpuModels`; undefined: all). */
  readonly cpuModels: readonly number[] | undefined;
}

export function p4Data(model: PmuModel, event: PmuEvent): P4EventData {
  const escrs = event.modelData.escrs;
  if (!Array.isArray(escrs) || escrs.some((e) => toNumber(e) === undefined)) missing(model, event, 'escrs');
  const pebs = new Map<string, { enable: bigint; matrixVert: bigint }>();
  const table = event.modelData.pebs;
  if (table !== null && typeof table === 'object') {
    for (const [name, v] of Object.entries(table as Record<string, unknown>)) {
      const { enable, matrixVert } = (v ?? {}) as { enable?: unknown; matrixVert?: unknown };
      const en = toBigint(enable);
      const mv = toBigint(matrixVert);
      if (en === undefined || mv === undefined) missing(model, event, `pebs.${name}`);
      pebs.set(name.toUpperCase(), { enable: en, matrixVert: mv });
    }
  }
  const cpuModels = event.modelData.cpuModels;
  return {
    escrSelect: toNumber(event.modelData.escrSelect) ?? Number(event.code),
    cccrSelect: field(model, event, 'cccrSelect'),
    escrs: (escrs as unknown[]).map((e) => toNumber(e) as number),
    escrMask: toNumber(event.modelData.escrMask) ?? 0xffff,
    pebs,
    cpuModels: Array.isArray(cpuModels) ? cpuModels.map((m) => toNumber(m) ?? -1) : undefined,
  };
}

export interface Ia64EventData {
  /** Event select (ES, code bits 0–7). */
  readonly es: number;
  /** The 4-bit PMC umask field. */
  readonly umask: number;
  /** Itanium 2 event group (0 none, 1 L1D cache, 2 L2 cache); undefined when not decoded. */
  readonly group: number | undefined;
  /** Itanium 2 event set within the group (15 = none); undefined when not decoded. */
  readonly set: number | undefined;
  /** Montecito: the event takes MESI qualification bits. */
  readonly mesi: boolean;
}

export function ia64Data(event: PmuEvent): Ia64EventData {
  const group = toNumber(event.modelData.group);
  const set = toNumber(event.modelData.set);
  return {
    es: Number(event.code & 0xffn),
    umask: toNumber(event.modelData.umask) ?? 0,
    group,
    set,
    mesi: event.modelData.mesi === true,
  };
}

export interface Power5EventData {
  /** Event id per PMC1..PMC6 (index 0 = PMC1); -1 where the PMC cannot count it. */
  readonly eventIds: readonly number[];
  /** libpfm `pme_group_vector`: bit g set when group g contains the event. */
  readonly groupVector: readonly bigint[];
  /** PMCSEL (raw code bits 0–6). */
  readonly pmcsel: number;
}

export function power5Data(model: PmuModel, event: PmuEvent): Power5EventData {
  const ids = event.modelData.eventIds;
  const groups = event.modelData.groupVector;
  if (!Array.isArray(ids)) missing(model, event, 'eventIds');
  if (!Array.isArray(groups) || groups.some((g) => toBigint(g) === undefined)) {
    missing(model, event, 'groupVector');
  }
  return {
    eventIds: (ids as unknown[]).map((v) => toNumber(v) ?? -1),
    groupVector: (groups as unknown[]).map((g) => toBigint(g) as bigint),
    pmcsel: toNumber(event.modelData.pmcsel) ?? Number(event.code & 0x7fn),
  };
}
