/**
 * pfarg structs written and read by their C field names, driven by the ABI profile's layout
 * tables: scenario values in, bytes in simulated user memory out, and partial matching of
 * what the kernel copied back.
 */
import {
  type FieldLayout,
  PFM_DFL_SMPL_ARG_LAYOUT,
  PFM_DFL_SMPL_ENTRY_LAYOUT,
  PFM_DFL_SMPL_HDR_LAYOUT,
  type StructLayout,
  type V2AbiProfile,
} from '@pfmsim/perfmon-core';
import type { StructKind } from './schema.js';

/** The layout of a struct kind: a pfarg struct of the profile, or a sampling-format struct (the same in every profile). */
export function structLayout(profile: V2AbiProfile, kind: StructKind): StructLayout {
  switch (kind) {
    case 'smpl_arg':
      return PFM_DFL_SMPL_ARG_LAYOUT;
    case 'smpl_hdr':
      return PFM_DFL_SMPL_HDR_LAYOUT;
    case 'smpl_entry':
      return PFM_DFL_SMPL_ENTRY_LAYOUT;
    default:
      return profile.layouts[kind];
  }
}

export function structSize(profile: V2AbiProfile, kind: StructKind): number {
  return structLayout(profile, kind).size;
}

import { hex, ValueError } from './values.js';

type Raw = Record<string, unknown>;

const BITS = { u8: 8, u16: 16, u32: 32, s32: 32, u64: 64 } as const;

function fieldError(layout: StructLayout, name: string): ValueError {
  const names = layout.fields.filter((f) => !f.reserved).map((f) => f.name);
  return new ValueError(
    `${layout.cName} (${layout.variant}) has no field ${JSON.stringify(name)}; fields: ${names.join(', ')}`,
  );
}

/** Two's-complement store of a field element. */
function store(bytes: DataView, at: number, f: FieldLayout, v: bigint, path: string): void {
  const bits = BITS[f.type];
  const min = -(1n << BigInt(bits - 1));
  const limit = 1n << BigInt(bits);
  if (v < min || v >= limit) throw new ValueError(`${path}: ${v} does not fit in a ${f.type}`);
  const u = BigInt.asUintN(bits, v);
  switch (f.type) {
    case 'u8':
      bytes.setUint8(at, Number(u));
      return;
    case 'u16':
      bytes.setUint16(at, Number(u), true);
      return;
    case 'u32':
    case 's32':
      bytes.setUint32(at, Number(u), true);
      return;
    case 'u64':
      bytes.setBigUint64(at, u, true);
  }
}

function load(view: DataView, at: number, f: FieldLayout): bigint {
  switch (f.type) {
    case 'u8':
      return BigInt(view.getUint8(at));
    case 'u16':
      return BigInt(view.getUint16(at, true));
    case 'u32':
      return BigInt(view.getUint32(at, true));
    case 's32':
      return BigInt(view.getInt32(at, true));
    case 'u64':
      return view.getBigUint64(at, true);
  }
}

/**
 * Writes one struct at `off` of `view` (zeroed first). `resolve` turns scalars (which may be
 * `$refs`) into bigints.
 */
export function encodeStruct(
  profile: V2AbiProfile,
  kind: StructKind,
  view: DataView,
  off: number,
  value: Raw,
  resolve: (v: unknown) => bigint,
  path: string,
): void {
  const layout = structLayout(profile, kind);
  for (let i = 0; i < layout.size; i++) view.setUint8(off + i, 0);
  for (const [name, v] of Object.entries(value)) {
    const f = layout.field[name];
    if (f === undefined || f.reserved) throw fieldError(layout, name);
    const elem = BITS[f.type] / 8;
    if (f.count === 1) {
      if (Array.isArray(v)) throw new ValueError(`${path}.${name}: expected one value, got a list`);
      store(view, off + f.offset, f, resolve(v), `${path}.${name}`);
      continue;
    }
    const items = Array.isArray(v) ? v : [v];
    if (items.length > f.count) throw new ValueError(`${path}.${name}: at most ${f.count} elements`);
    items.forEach((x, j) => {
      store(view, off + f.offset + j * elem, f, resolve(x), `${path}.${name}[${j}]`);
    });
  }
}

/**
 * Compares the struct at `off` with a partial expectation. Returns a description of the first
 * mismatch (`reg_value: expected 0x10, got 0x0`) or null.
 */
export function matchStruct(
  profile: V2AbiProfile,
  kind: StructKind,
  view: DataView,
  off: number,
  expected: Raw,
  resolve: (v: unknown) => bigint,
): string | null {
  const layout = structLayout(profile, kind);
  for (const [name, want] of Object.entries(expected)) {
    const f = layout.field[name];
    if (f === undefined || f.reserved) throw fieldError(layout, name);
    const elem = BITS[f.type] / 8;
    const wants = f.count === 1 ? [want] : Array.isArray(want) ? want : [want];
    for (let j = 0; j < wants.length && j < f.count; j++) {
      const bits = BITS[f.type];
      const w = resolve(wants[j]);
      const norm = f.type === 's32' ? BigInt.asIntN(32, w) : BigInt.asUintN(bits, w);
      const got = load(view, off + f.offset + j * elem, f);
      if (got !== norm) {
        const label = f.count === 1 ? name : `${name}[${j}]`;
        return `${label}: expected ${show(norm, bits)}, got ${show(got, bits)}`;
      }
    }
  }
  return null;
}

function show(v: bigint, bits = 64): string {
  if (v >= -9n && v <= 9n) return String(v);
  const signed = BigInt.asIntN(bits, v);
  // the raw bits in hex: an s32 field loads as a negative bigint
  const raw = BigInt.asUintN(bits, v);
  return signed < 0n && signed > -(1n << 40n) ? `${signed} (${hex(raw)})` : hex(raw);
}

/** The field (and element) at byte `at` of a struct, for difference reports. */
export function fieldAt(
  profile: V2AbiProfile,
  kind: StructKind,
  at: number,
): { name: string; f: FieldLayout | null } {
  const layout = structLayout(profile, kind);
  for (const f of layout.fields) {
    if (at >= f.offset && at < f.offset + f.size) {
      const elem = BITS[f.type] / 8;
      const j = Math.floor((at - f.offset) / elem);
      return { name: f.count === 1 ? f.name : `${f.name}[${j}]`, f };
    }
  }
  return { name: `byte ${at}`, f: null };
}

/** The value of field `f` (element containing byte `at`) as text. */
export function fieldText(view: DataView, structOff: number, f: FieldLayout, at: number): string {
  const elem = BITS[f.type] / 8;
  const j = Math.floor((at - f.offset) / elem);
  return show(load(view, structOff + f.offset + j * elem, f), BITS[f.type]);
}
