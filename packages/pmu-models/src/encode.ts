/**
 * The x86 PERFEVTSEL layout (P6, Core, architectural perfmon, AMD64), used by the
 * conformance suite to prove every event encodes and by tests to check models against the
 * worked encodings of libpfm-and-tools.md §2. This is not a dispatcher: it assigns no
 * counters and enforces no libpfm unit-mask rules.
 *
 * Bits: 0–7 event select, 8–15 unit mask (the code's second byte OR the chosen unit
 * masks), 16 USR, 17 OS, 18 EDGE, 20 INT, 22 EN, 23 INV, 24–31 counter mask; with the
 * `extendedEventSelect` option (AMD Family 10h) the code is a 12-bit select whose bits 11:8
 * go to bits 32–35.
 */
import { effectiveCounters, lowBits, type PmuEvent, type PmuModel, type PmuUnitMask } from './model.js';

export const X86_EVTSEL = {
  USR: 1n << 16n,
  OS: 1n << 17n,
  EDGE: 1n << 18n,
  INT: 1n << 20n,
  EN: 1n << 22n,
  INV: 1n << 23n,
  CMASK_SHIFT: 24n,
} as const;

export interface X86EvtSelOptions {
  /** Generic counter (PMD index) the event goes to; default: the first one allowed. */
  readonly counter?: number;
  /** Count at user level (PLM3). Default true. */
  readonly usr?: boolean;
  /** Count at kernel level (PLM0). Default false. */
  readonly os?: boolean;
  /** Set the enable bit (P6: PERFEVTSEL0 only; K8 and Core: every PERFEVTSEL). Default true. */
  readonly enable?: boolean;
  readonly edge?: boolean;
  readonly inv?: boolean;
  /** Counter mask, 0–255. */
  readonly cmask?: number;
}

/** Resolve `EVENT[:UMASK...]` against a model (libpfm rules: case-insensitive names). */
export function resolveEvent(model: PmuModel, spec: string): { event: PmuEvent; unitMasks: PmuUnitMask[] } {
  // Stryker disable next-line StringLiteral: String.split always yields a first element; the default is for the type checker
  const [name = '', ...umaskNames] = spec.split(':');
  const event = model.eventByName(name);
  if (event === undefined) throw new Error(`${model.id}: no event named "${name}"`);
  const unitMasks = umaskNames.map((u) => {
    const found = event.unitMasks.find((m) => m.name.toUpperCase() === u.toUpperCase());
    if (found === undefined) throw new Error(`${model.id}: event ${event.name} has no unit mask "${u}"`);
    return found;
  });
  return { event, unitMasks };
}

/** Event-select and unit-mask field values (before placing them in a register). */
export function eventFields(
  model: PmuModel,
  event: PmuEvent,
  unitMasks: readonly PmuUnitMask[],
): { select: bigint; umask: bigint } {
  // x86-evtsel's extendedEventSelect: the code is a 12-bit select with no built-in unit mask.
  const selectBits = model.encoding.options?.extendedEventSelect === true ? 12 : model.encoding.eventBits;
  const select = event.code & lowBits(selectBits);
  const umask = unitMasks.reduce((acc, u) => acc | u.value, event.code >> BigInt(selectBits));
  return { select, umask };
}

/**
 * PERFEVTSEL value for `EVENT[:UMASK...]` on a generic counter. Reserved bits of the
 * controlling PMC take its default value (perfmon2 v2.3 forcing), which sets INT.
 */
export function encodeX86EvtSel(model: PmuModel, spec: string, options: X86EvtSelOptions = {}): bigint {
  if (model.encoding.scheme !== 'x86-evtsel') throw new Error(`${model.id}: not an x86-evtsel model`);
  const { event, unitMasks } = resolveEvent(model, spec);
  const allowed = effectiveCounters(event, unitMasks.length === 1 ? unitMasks[0] : undefined).generic;
  const counter = options.counter ?? allowed[0];
  // Stryker disable next-line ConditionalExpression: an undefined counter is never in `allowed`, so the second test alone refuses it too
  if (counter === undefined || !allowed.includes(counter)) {
    throw new Error(`${model.id}: ${spec} cannot be counted on generic counter ${String(counter)}`);
  }
  const pmc = model.pmcs.find((p) => p.controls.includes(counter));
  if (pmc === undefined) throw new Error(`${model.id}: no PMC controls counter ${counter}`);
  const { select, umask } = eventFields(model, event, unitMasks);
  let value = (select & 0xffn) | (umask << BigInt(model.encoding.eventBits)) | ((select >> 8n) << 32n);
  if (options.usr ?? true) value |= X86_EVTSEL.USR;
  if (options.os ?? false) value |= X86_EVTSEL.OS;
  if (options.edge ?? false) value |= X86_EVTSEL.EDGE;
  if (options.enable ?? true) value |= X86_EVTSEL.EN;
  if (options.inv ?? false) value |= X86_EVTSEL.INV;
  value |= BigInt((options.cmask ?? 0) & 0xff) << X86_EVTSEL.CMASK_SHIFT;
  return (value & ~pmc.reservedMask) | (pmc.defaultValue & pmc.reservedMask);
}
