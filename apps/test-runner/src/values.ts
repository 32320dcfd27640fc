/**
 * Integers as scenario files write them: YAML numbers, decimal or hex strings (`"0xffff"`,
 * `"-100000"`, needed beyond 2^53), perfmon2 constant names (`OVFL_NOTIFY`,
 * `PFM_FL_SYSTEM_WIDE`, `FL_NOTIFY_BLOCK | FL_SYSTEM_WIDE`) and errno names.
 */
import * as core from '@pfmsim/perfmon-core';
import { Errno, type ErrnoName } from '@pfmsim/perfmon-core';

/** Every numeric `PFM_*` constant of perfmon-core, by full name and without the `PFM_` prefix. */
export const CONSTANTS: ReadonlyMap<string, number> = (() => {
  const out = new Map<string, number>();
  for (const [name, value] of Object.entries(core)) {
    if (!name.startsWith('PFM_') || typeof value !== 'number') continue;
    out.set(name, value);
    out.set(name.slice(4), value);
  }
  return out;
})();

export const ERRNO_NAMES = Object.keys(Errno) as ErrnoName[];

const INT_RE = /^-?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|\d+)$/;
const NAME_RE = /^[A-Z][A-Z0-9_]*$/;

/** The pattern accepted for an integer written as a string (for the JSON Schema). */
const ONE = '(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|\\d+|[A-Z][A-Z0-9_]*)';
export const INT_STRING_PATTERN = `^\\s*-?${ONE}(?:\\s*\\|\\s*${ONE})*\\s*$`;

export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** A YAML integer, integer string, constant name or `A | B` as a bigint; throws ValueError. */
export function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new ValueError(`${v} is not an integer`);
    if (!Number.isSafeInteger(v)) throw new ValueError(`${v} is beyond 2^53: write it as a string ("0x...")`);
    return BigInt(v);
  }
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const parts = v.split('|').map((s) => s.trim());
    let acc = 0n;
    for (const p of parts) {
      if (INT_RE.test(p)) {
        const neg = p.startsWith('-');
        const body = neg ? p.slice(1) : p;
        const n = BigInt(body);
        acc = parts.length === 1 ? (neg ? -n : n) : acc | (neg ? BigInt.asUintN(64, -n) : n);
        continue;
      }
      if (NAME_RE.test(p)) {
        const c = CONSTANTS.get(p);
        if (c === undefined) throw new ValueError(`unknown constant ${JSON.stringify(p)}`);
        acc = parts.length === 1 ? BigInt(c) : acc | BigInt(c);
        continue;
      }
      throw new ValueError(`${JSON.stringify(v)} is not an integer, a constant name or A | B`);
    }
    return acc;
  }
  throw new ValueError(`expected an integer, got ${v === null ? 'null' : typeof v}`);
}

export function hex(v: bigint | number): string {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  return b < 0n ? `-0x${(-b).toString(16)}` : `0x${b.toString(16)}`;
}

/**
 * YAML parsed with `intAsBigInt` gives bigints: turn them into numbers when safe and into
 * decimal strings otherwise, so the schema sees plain JSON values.
 */
export function normalizeYaml(v: unknown): unknown {
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (Array.isArray(v)) return v.map(normalizeYaml);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalizeYaml(x);
    return out;
  }
  return v;
}
