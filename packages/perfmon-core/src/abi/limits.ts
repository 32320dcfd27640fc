/**
 * Argument-vector limits (perfmon2-abi.md §3.1 step 1, §4.1, §4.3).
 *
 * Two limits apply to a vector call of `count` elements of `size` bytes:
 * 1. `count < 0 || count >= PFM_MAX_ARG_COUNT(size)` → EINVAL, checked before the fd (V18+).
 *    `PFM_MAX_ARG_COUNT(size) = INT_MAX / size` keeps `count * size` from overflowing an int.
 * 2. `count * size > limit` → E2BIG in `pfm_get_args` (kmalloc path), where `limit` is the
 *    sysfs `arg_size_max` (v2.2) / `arg_mem_max` (v2.3+), PAGE_SIZE by default.
 */

import type { PfmVectorStruct } from './constants.js';
import type { AbiProfile } from './profiles.js';

/** C `INT_MAX` (int is 32 bits on every perfmon2 arch). */
export const INT_MAX = 0x7fffffff;

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size <= 0)
    throw new RangeError(`struct size must be a positive integer, got ${size}`);
}

/** `PFM_MAX_ARG_COUNT(size)` = ⌊INT_MAX / size⌋. */
export function pfmMaxArgCount(size: number): number {
  checkSize(size);
  return Math.floor(INT_MAX / size);
}

/** The kernel macro's name, as an alias of `pfmMaxArgCount`. */
export const PFM_MAX_ARG_COUNT = pfmMaxArgCount;

/** False when step 1 rejects the count with EINVAL: `count < 0 || count >= PFM_MAX_ARG_COUNT(size)`. */
export function isArgCountValid(count: number, size: number): boolean {
  return Number.isInteger(count) && count >= 0 && count < pfmMaxArgCount(size);
}

/** Largest count whose `count × size` stays within `limit` bytes: ⌊limit / size⌋ (one more gives E2BIG). */
export function maxArgCountForLimit(size: number, limit: number): number {
  checkSize(size);
  if (!Number.isInteger(limit) || limit < 0)
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  return Math.floor(limit / size);
}

/** True when `pfm_get_args` (kmalloc path) would give E2BIG: `count × size > limit`. */
export function exceedsArgLimit(count: number, size: number, limit: number): boolean {
  return count * size > limit;
}

export interface ArgLimitRow {
  readonly kind: PfmVectorStruct;
  /** C struct name. */
  readonly struct: string;
  readonly size: number;
  /** Max count before E2BIG at the given limit. */
  readonly maxCount: number;
  /** `PFM_MAX_ARG_COUNT` = INT_MAX / size. */
  readonly maxArgCount: number;
}

/** The §4.3 table for a profile and a limit (e.g. PAGE_SIZE = 4096; 16384 on ia64). */
export function argLimitTable(profile: AbiProfile, limit: number): ArgLimitRow[] {
  const kinds: readonly PfmVectorStruct[] =
    profile.family === 'v2' ? (['pmc', 'pmd', 'setdesc', 'setinfo'] as const) : (['pmr'] as const);
  const layouts = profile.layouts as Readonly<
    Partial<Record<PfmVectorStruct, { cName: string; size: number }>>
  >;
  return kinds.map((kind) => {
    const layout = layouts[kind];
    if (layout === undefined) throw new Error(`profile ${profile.id} has no ${kind} layout`);
    return Object.freeze({
      kind,
      struct: layout.cName,
      size: layout.size,
      maxCount: maxArgCountForLimit(layout.size, limit),
      maxArgCount: pfmMaxArgCount(layout.size),
    });
  });
}
