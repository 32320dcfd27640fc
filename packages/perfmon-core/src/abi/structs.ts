/**
 * Convenience (allocating) codecs: plain objects ⇄ bytes, driven by the layout tables.
 * For tests, libpfm marshalling and tools. The simulated kernel's hot paths use the
 * accessors in accessors.ts instead.
 *
 * Objects use the C field names. 64-bit fields are bigints; bit vectors are arrays of bigint
 * words (5 for PMD/PMC vectors, 4 for `msg_ovfl_pmds`); the v2.2 UUID is a Uint8Array.
 * Reserved fields are not part of the objects: decoders skip them, encoders zero them.
 *
 * Encoding rules:
 * - the whole struct is zeroed first, then every field of the profile's layout is written;
 * - a field the object leaves undefined is written as zero;
 * - a field the profile lacks (e.g. `ctx_fd` in v2.3, `reg_random_seed` in v2-compact) is
 *   accepted when zero or undefined, and refused (AbiValueError) otherwise, since it would be
 *   lost;
 * - integers must be integral and within the field's range; negative values are accepted
 *   down to −2^(bits−1) and stored in two's complement, as a C assignment would (periods are
 *   negative: `reg_value: -100000n`).
 */

import { PFM_HW_PMD_BV, PFM_MSG_END, PFM_MSG_OVFL, PFM_PMD_BV } from './constants.js';
import {
  FIELD_TYPE_SIZE,
  type FieldLayout,
  type FieldType,
  PFARG_PMR_LAYOUT,
  type StructLayout,
} from './layouts.js';
import type { V2AbiProfile, V2StructName, V3AbiProfile } from './profiles.js';

// ---------------------------------------------------------------------------------------
// Struct interfaces
// ---------------------------------------------------------------------------------------

export interface PfargPmc {
  reg_num: number;
  reg_set: number;
  reg_flags: number;
  reg_value: bigint;
}

export interface PfargPmd {
  reg_num: number;
  reg_set: number;
  reg_flags: number;
  reg_value: bigint;
  reg_long_reset: bigint;
  reg_short_reset: bigint;
  reg_last_reset_val: bigint;
  reg_ovfl_switch_cnt: bigint;
  /** PFM_PMD_BV (5) u64 words. */
  reg_reset_pmds: bigint[];
  /** PFM_PMD_BV (5) u64 words. */
  reg_smpl_pmds: bigint[];
  reg_smpl_eventid: bigint;
  reg_random_mask: bigint;
  /** v2.2 and v2.3 only (obsolete from V19); absent in v2-compact. */
  reg_random_seed?: number;
}

export interface PfargCtx {
  ctx_flags: number;
  /** v2.2: 16-byte UUID of the sampling format. */
  ctx_smpl_buf_id?: Uint8Array;
  /** v2.2: the new context's fd (written by the kernel). */
  ctx_fd?: number;
  /** v2.2: sampling buffer size (written by the kernel). */
  ctx_smpl_buf_size?: bigint;
}

export interface PfargLoad {
  /** A tid, or for a system-wide context (V19+) a CPU number. */
  load_pid: number;
  load_set: number;
}

export interface PfargStart {
  start_set: number;
}

export interface PfargSetdesc {
  set_id: number;
  set_id_next: number;
  set_flags: number;
  /** In the profile's `timeoutUnit`: µs (v2.2, stored as u32) or ns. */
  set_timeout: bigint;
  set_mmap_offset: bigint;
}

export interface PfargSetinfo {
  set_id: number;
  set_id_next: number;
  set_flags: number;
  /** PFM_PMD_BV (5) u64 words. */
  set_ovfl_pmds: bigint[];
  set_runs: bigint;
  /** Time left, in the profile's `timeoutUnit`. */
  set_timeout: bigint;
  /** ns. */
  set_act_duration: bigint;
  set_mmap_offset: bigint;
  /** PFM_PMC_BV (5) u64 words. */
  set_avail_pmcs: bigint[];
  /** PFM_PMD_BV (5) u64 words. */
  set_avail_pmds: bigint[];
}

/** `union pfm_msg` read as `pfm_ovfl_msg`. Q11: `msg_ovfl_pid` = tid, `msg_ovfl_tid` = tgid. */
export interface PfargMsg {
  msg_type: number;
  msg_ovfl_pid: number;
  /** PFM_HW_PMD_BV (4) u64 words. */
  msg_ovfl_pmds: bigint[];
  msg_active_set: number;
  msg_ovfl_cpu: number;
  msg_ovfl_tid: number;
  msg_ovfl_ip: bigint;
}

/** V3 `pfarg_pmr`. */
export interface PfargPmr {
  reg_num: number;
  reg_flags: number;
  reg_value: bigint;
}

export interface StructValues {
  pmc: PfargPmc;
  pmd: PfargPmd;
  ctx: PfargCtx;
  load: PfargLoad;
  start: PfargStart;
  setdesc: PfargSetdesc;
  setinfo: PfargSetinfo;
  msg: PfargMsg;
  pmr: PfargPmr;
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/** A value that cannot be encoded: wrong type, out of range, wrong array length, no room. */
export class AbiValueError extends RangeError {
  override readonly name = 'AbiValueError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

/** The struct does not fit in the view at the given offset. */
export class AbiBoundsError extends RangeError {
  override readonly name = 'AbiBoundsError';
}

// ---------------------------------------------------------------------------------------
// Generic, layout-driven codec
// ---------------------------------------------------------------------------------------

export type FieldValue = number | bigint | Uint8Array | number[] | bigint[];

function checkBounds(view: DataView, off: number, layout: StructLayout, count = 1): void {
  const need = layout.size * count;
  if (!Number.isInteger(off) || off < 0 || off + need > view.byteLength) {
    throw new AbiBoundsError(
      `${layout.cName} (${layout.variant})${count === 1 ? '' : ` ×${count}`} at offset ${off} needs ${need} bytes; view has ${view.byteLength}`,
    );
  }
}

function readScalar(view: DataView, at: number, f: FieldLayout): number | bigint {
  switch (f.type) {
    case 'u8':
      return view.getUint8(at);
    case 'u16':
      return view.getUint16(at, true);
    case 'u32':
      return f.repr === 'bigint' ? BigInt(view.getUint32(at, true)) : view.getUint32(at, true);
    case 's32':
      return view.getInt32(at, true);
    case 'u64':
      return view.getBigUint64(at, true);
  }
}

/** Reads one field (arrays as arrays, u8 arrays as a Uint8Array copy). */
export function readField(view: DataView, structOff: number, f: FieldLayout): FieldValue {
  const at = structOff + f.offset;
  if (f.count === 1) return readScalar(view, at, f);
  if (f.repr === 'bytes') return new Uint8Array(view.buffer, view.byteOffset + at, f.size).slice();
  const elem = FIELD_TYPE_SIZE[f.type];
  const out: (number | bigint)[] = [];
  for (let i = 0; i < f.count; i++) out.push(readScalar(view, at + i * elem, f));
  return out as number[] | bigint[];
}

const U64_LIMIT = 2n ** 64n;
const S64_MIN = -(2n ** 63n);
/**
 * Accepted integer range per type, `[min, limit)`: unsigned fields take [-(2^(bits-1)), 2^bits)
 * and store modulo 2^bits; s32 takes [-2^31, 2^31).
 */
const INT_RANGE: { readonly [K in Exclude<FieldType, 'u64'>]: readonly [number, number, bigint, bigint] } = {
  u8: [-0x80, 0x100, -0x80n, 0x100n],
  u16: [-0x8000, 0x10000, -0x8000n, 0x10000n],
  u32: [-0x80000000, 0x100000000, -0x80000000n, 0x100000000n],
  s32: [-0x80000000, 0x80000000, -0x80000000n, 0x80000000n],
};

function toInt(path: string, f: FieldLayout, v: unknown): number {
  const [min, limit, bigMin, bigLimit] = INT_RANGE[f.type as Exclude<FieldType, 'u64'>];
  if (typeof v === 'bigint' && f.repr === 'bigint') {
    if (v < bigMin || v >= bigLimit) throw new AbiValueError(path, `${v} does not fit in a ${f.type}`);
    return Number(BigInt.asUintN(FIELD_TYPE_SIZE[f.type] * 8, v));
  }
  if (typeof v !== 'number') {
    throw new AbiValueError(
      path,
      `expected ${f.repr === 'bigint' ? 'a bigint' : 'a number'}, got ${typeof v}`,
    );
  }
  if (!Number.isInteger(v)) throw new AbiValueError(path, `${v} is not an integer`);
  if (v < min || v >= limit) throw new AbiValueError(path, `${v} does not fit in a ${f.type}`);
  return v;
}

function writeScalar(view: DataView, at: number, f: FieldLayout, v: unknown, path: string): void {
  if (f.type === 'u64') {
    if (typeof v !== 'bigint') throw new AbiValueError(path, `expected a bigint, got ${typeof v}`);
    if (v < S64_MIN || v >= U64_LIMIT) throw new AbiValueError(path, `${v} does not fit in a u64`);
    view.setBigUint64(at, v, true);
    return;
  }
  if (f.repr === 'number' && typeof v !== 'number') {
    throw new AbiValueError(path, `expected a number, got ${typeof v}`);
  }
  const n = toInt(path, f, v);
  switch (f.type) {
    case 'u8':
      view.setUint8(at, n);
      return;
    case 'u16':
      view.setUint16(at, n, true);
      return;
    case 'u32':
      view.setUint32(at, n, true);
      return;
    case 's32':
      view.setInt32(at, n, true);
      return;
  }
}

function isZeroValue(v: unknown): boolean {
  if (v === undefined || v === 0 || v === 0n) return true;
  if (Array.isArray(v) || v instanceof Uint8Array) {
    for (const x of v as Iterable<unknown>) if (x !== 0 && x !== 0n) return false;
    return true;
  }
  return false;
}

/** Writes one field. `undefined` writes zeros. */
export function writeField(
  view: DataView,
  structOff: number,
  f: FieldLayout,
  v: unknown,
  path = f.name,
): void {
  const at = structOff + f.offset;
  if (f.count === 1) {
    writeScalar(view, at, f, v ?? (f.repr === 'bigint' ? 0n : 0), path);
    return;
  }
  if (v === undefined) {
    for (let i = 0; i < f.size; i++) view.setUint8(at + i, 0);
    return;
  }
  if (!(Array.isArray(v) || v instanceof Uint8Array)) {
    throw new AbiValueError(path, `expected an array of ${f.count}, got ${typeof v}`);
  }
  const items = v as ArrayLike<unknown>;
  if (items.length !== f.count) {
    throw new AbiValueError(path, `expected ${f.count} elements, got ${items.length}`);
  }
  const elem = FIELD_TYPE_SIZE[f.type];
  for (let i = 0; i < f.count; i++) writeScalar(view, at + i * elem, f, items[i], `${path}[${i}]`);
}

/** Decodes every non-reserved field of `layout` at `off`. */
export function decodeStruct(view: DataView, off: number, layout: StructLayout): Record<string, FieldValue> {
  checkBounds(view, off, layout);
  const out: Record<string, FieldValue> = {};
  for (const f of layout.fields) if (!f.reserved) out[f.name] = readField(view, off, f);
  return out;
}

/**
 * Encodes `value` at `off`: zeroes the struct, then writes each non-reserved field.
 * `knownFields` lists the fields of the JS shape that other variants have; a nonzero value for
 * one this layout lacks is refused.
 */
export function encodeStruct(
  view: DataView,
  off: number,
  layout: StructLayout,
  value: object,
  knownFields: readonly string[] = [],
): void {
  checkBounds(view, off, layout);
  const record = value as Record<string, unknown>;
  for (const name of knownFields) {
    if (layout.field[name] === undefined && !isZeroValue(record[name])) {
      throw new AbiValueError(
        `${layout.cName}.${name}`,
        `the ${layout.variant} layout has no such field, so a nonzero value would be lost`,
      );
    }
  }
  for (let i = 0; i < layout.size; i += 4) view.setUint32(off + i, 0, true);
  for (const f of layout.fields) {
    if (!f.reserved) writeField(view, off, f, record[f.name], `${layout.cName}.${f.name}`);
  }
}

// ---------------------------------------------------------------------------------------
// Typed codecs
// ---------------------------------------------------------------------------------------

/** Fields present in some variant of each struct (for the "no room" check). */
const KNOWN_FIELDS: { readonly [K in V2StructName]: readonly string[] } = {
  pmc: ['reg_num', 'reg_set', 'reg_flags', 'reg_value'],
  pmd: [
    'reg_num',
    'reg_set',
    'reg_flags',
    'reg_value',
    'reg_long_reset',
    'reg_short_reset',
    'reg_last_reset_val',
    'reg_ovfl_switch_cnt',
    'reg_reset_pmds',
    'reg_smpl_pmds',
    'reg_smpl_eventid',
    'reg_random_mask',
    'reg_random_seed',
  ],
  ctx: ['ctx_flags', 'ctx_smpl_buf_id', 'ctx_fd', 'ctx_smpl_buf_size'],
  load: ['load_pid', 'load_set'],
  start: ['start_set'],
  setdesc: ['set_id', 'set_id_next', 'set_flags', 'set_timeout', 'set_mmap_offset'],
  setinfo: [
    'set_id',
    'set_id_next',
    'set_flags',
    'set_ovfl_pmds',
    'set_runs',
    'set_timeout',
    'set_act_duration',
    'set_mmap_offset',
    'set_avail_pmcs',
    'set_avail_pmds',
  ],
  msg: [
    'msg_type',
    'msg_ovfl_pid',
    'msg_ovfl_pmds',
    'msg_active_set',
    'msg_ovfl_cpu',
    'msg_ovfl_tid',
    'msg_ovfl_ip',
  ],
};

/** Decodes one v2 struct of kind `kind` with the profile's layout. */
export function decodePfarg<K extends V2StructName>(
  kind: K,
  view: DataView,
  off: number,
  profile: V2AbiProfile,
): StructValues[K] {
  return decodeStruct(view, off, profile.layouts[kind]) as unknown as StructValues[K];
}

/** Encodes one v2 struct of kind `kind` with the profile's layout. */
export function encodePfarg<K extends V2StructName>(
  kind: K,
  view: DataView,
  off: number,
  value: StructValues[K],
  profile: V2AbiProfile,
): void {
  encodeStruct(view, off, profile.layouts[kind], value, KNOWN_FIELDS[kind]);
}

/** Decodes `count` consecutive structs (stride = the profile's size). */
export function decodePfargVector<K extends V2StructName>(
  kind: K,
  view: DataView,
  off: number,
  count: number,
  profile: V2AbiProfile,
): StructValues[K][] {
  const layout = profile.layouts[kind];
  checkBounds(view, off, layout, count);
  const out: StructValues[K][] = [];
  for (let i = 0; i < count; i++) out.push(decodePfarg(kind, view, off + i * layout.size, profile));
  return out;
}

/** Encodes `values` as consecutive structs; returns the number of bytes written. */
export function encodePfargVector<K extends V2StructName>(
  kind: K,
  view: DataView,
  off: number,
  values: readonly StructValues[K][],
  profile: V2AbiProfile,
): number {
  const layout = profile.layouts[kind];
  checkBounds(view, off, layout, values.length);
  values.forEach((v, i) => {
    encodePfarg(kind, view, off + i * layout.size, v, profile);
  });
  return values.length * layout.size;
}

export const decodePmc = (view: DataView, off: number, profile: V2AbiProfile): PfargPmc =>
  decodePfarg('pmc', view, off, profile);
export const encodePmc = (view: DataView, off: number, value: PfargPmc, profile: V2AbiProfile): void =>
  encodePfarg('pmc', view, off, value, profile);
export const decodePmd = (view: DataView, off: number, profile: V2AbiProfile): PfargPmd =>
  decodePfarg('pmd', view, off, profile);
export const encodePmd = (view: DataView, off: number, value: PfargPmd, profile: V2AbiProfile): void =>
  encodePfarg('pmd', view, off, value, profile);
export const decodeCtx = (view: DataView, off: number, profile: V2AbiProfile): PfargCtx =>
  decodePfarg('ctx', view, off, profile);
export const encodeCtx = (view: DataView, off: number, value: PfargCtx, profile: V2AbiProfile): void =>
  encodePfarg('ctx', view, off, value, profile);
export const decodeLoad = (view: DataView, off: number, profile: V2AbiProfile): PfargLoad =>
  decodePfarg('load', view, off, profile);
export const encodeLoad = (view: DataView, off: number, value: PfargLoad, profile: V2AbiProfile): void =>
  encodePfarg('load', view, off, value, profile);
export const decodeStart = (view: DataView, off: number, profile: V2AbiProfile): PfargStart =>
  decodePfarg('start', view, off, profile);
export const encodeStart = (view: DataView, off: number, value: PfargStart, profile: V2AbiProfile): void =>
  encodePfarg('start', view, off, value, profile);
export const decodeSetdesc = (view: DataView, off: number, profile: V2AbiProfile): PfargSetdesc =>
  decodePfarg('setdesc', view, off, profile);
export const encodeSetdesc = (
  view: DataView,
  off: number,
  value: PfargSetdesc,
  profile: V2AbiProfile,
): void => encodePfarg('setdesc', view, off, value, profile);
export const decodeSetinfo = (view: DataView, off: number, profile: V2AbiProfile): PfargSetinfo =>
  decodePfarg('setinfo', view, off, profile);
export const encodeSetinfo = (
  view: DataView,
  off: number,
  value: PfargSetinfo,
  profile: V2AbiProfile,
): void => encodePfarg('setinfo', view, off, value, profile);
export const decodeMsg = (view: DataView, off: number, profile: V2AbiProfile): PfargMsg =>
  decodePfarg('msg', view, off, profile);
export const encodeMsg = (view: DataView, off: number, value: PfargMsg, profile: V2AbiProfile): void =>
  encodePfarg('msg', view, off, value, profile);

/** V3 `pfarg_pmr`. The profile argument is optional: there is one layout. */
export function decodePmr(view: DataView, off: number, _profile?: V3AbiProfile): PfargPmr {
  return decodeStruct(view, off, PFARG_PMR_LAYOUT) as unknown as PfargPmr;
}
export function encodePmr(view: DataView, off: number, value: PfargPmr, _profile?: V3AbiProfile): void {
  encodeStruct(view, off, PFARG_PMR_LAYOUT, value);
}

// ---------------------------------------------------------------------------------------
// Factories: zero-filled objects with optional overrides
// ---------------------------------------------------------------------------------------

const zeros = (n: number): bigint[] => new Array<bigint>(n).fill(0n);

export function createPfargPmc(init: Partial<PfargPmc> = {}): PfargPmc {
  return { reg_num: 0, reg_set: 0, reg_flags: 0, reg_value: 0n, ...init };
}

export function createPfargPmd(init: Partial<PfargPmd> = {}): PfargPmd {
  return {
    reg_num: 0,
    reg_set: 0,
    reg_flags: 0,
    reg_value: 0n,
    reg_long_reset: 0n,
    reg_short_reset: 0n,
    reg_last_reset_val: 0n,
    reg_ovfl_switch_cnt: 0n,
    reg_reset_pmds: zeros(PFM_PMD_BV),
    reg_smpl_pmds: zeros(PFM_PMD_BV),
    reg_smpl_eventid: 0n,
    reg_random_mask: 0n,
    ...init,
  };
}

export function createPfargCtx(init: Partial<PfargCtx> = {}): PfargCtx {
  return { ctx_flags: 0, ...init };
}

export function createPfargLoad(init: Partial<PfargLoad> = {}): PfargLoad {
  return { load_pid: 0, load_set: 0, ...init };
}

export function createPfargStart(init: Partial<PfargStart> = {}): PfargStart {
  return { start_set: 0, ...init };
}

export function createPfargSetdesc(init: Partial<PfargSetdesc> = {}): PfargSetdesc {
  return { set_id: 0, set_id_next: 0, set_flags: 0, set_timeout: 0n, set_mmap_offset: 0n, ...init };
}

export function createPfargSetinfo(init: Partial<PfargSetinfo> = {}): PfargSetinfo {
  return {
    set_id: 0,
    set_id_next: 0,
    set_flags: 0,
    set_ovfl_pmds: zeros(PFM_PMD_BV),
    set_runs: 0n,
    set_timeout: 0n,
    set_act_duration: 0n,
    set_mmap_offset: 0n,
    set_avail_pmcs: zeros(PFM_PMD_BV),
    set_avail_pmds: zeros(PFM_PMD_BV),
    ...init,
  };
}

export function createPfargPmr(init: Partial<PfargPmr> = {}): PfargPmr {
  return { reg_num: 0, reg_flags: 0, reg_value: 0n, ...init };
}

export interface OvflMsgInit {
  /** The monitored thread: stored in `msg_ovfl_pid` (Q11). */
  tid: number;
  /** Its thread group: stored in `msg_ovfl_tid` (Q11). */
  tgid: number;
  /** PFM_HW_PMD_BV (4) words; defaults to zeros. */
  ovflPmds?: readonly bigint[];
  activeSet?: number;
  cpu?: number;
  ip?: bigint;
}

/** A PFM_MSG_OVFL message laid out as the 2006 kernel fills it (Q11: pid ← tid, tid ← tgid). */
export function createOvflMsg(init: OvflMsgInit): PfargMsg {
  return {
    msg_type: PFM_MSG_OVFL,
    msg_ovfl_pid: init.tid,
    msg_ovfl_pmds: init.ovflPmds === undefined ? zeros(PFM_HW_PMD_BV) : [...init.ovflPmds],
    msg_active_set: init.activeSet ?? 0,
    msg_ovfl_cpu: init.cpu ?? 0,
    msg_ovfl_tid: init.tgid,
    msg_ovfl_ip: init.ip ?? 0n,
  };
}

/** A PFM_MSG_END message: only `msg_type` is meaningful. */
export function createEndMsg(): PfargMsg {
  return {
    msg_type: PFM_MSG_END,
    msg_ovfl_pid: 0,
    msg_ovfl_pmds: zeros(PFM_HW_PMD_BV),
    msg_active_set: 0,
    msg_ovfl_cpu: 0,
    msg_ovfl_tid: 0,
    msg_ovfl_ip: 0n,
  };
}
