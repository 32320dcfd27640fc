/**
 * Byte-exact layouts of the perfmon2 `pfarg_*` structures, as data.
 *
 * Source: /work/shared/reference/perfmon2-abi.md §5 (LP64 offsets; every field is fixed-size,
 * so i386 matches). All multi-byte fields are little-endian (x86, ia64 as run by Linux).
 *
 * Three families of layouts exist:
 * - the 2006 kernel layouts (V18 = v2.2, V19 = v2.3), straight from §5;
 * - the `v2-compact` layouts: v2.3 with the reserved fields removed, as the 2006 seed
 *   ("One thing we could do is to try and reduce the size of the structs") suggested. Every
 *   surviving field keeps its v2.3 offset, so the hot-path accessors are shared; sizes stay
 *   multiples of 8 so vectors of them are u64-aligned;
 * - the V3 `pfarg_pmr`.
 *
 * Every layout is checked when this module loads: fields in offset order, each naturally
 * aligned, no overlap, no hole, last field ending at `size`.
 */

export type FieldType = 'u8' | 'u16' | 'u32' | 's32' | 'u64';

export const FIELD_TYPE_SIZE: { readonly [K in FieldType]: number } = Object.freeze({
  u8: 1,
  u16: 2,
  u32: 4,
  s32: 4,
  u64: 8,
});

export interface FieldLayout {
  /** The C field name, e.g. `reg_value`. */
  readonly name: string;
  readonly type: FieldType;
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  /** Array length; 1 for a scalar. */
  readonly count: number;
  /** Total bytes: element size × count. */
  readonly size: number;
  /** Reserved/padding: decoders skip it, encoders write zeros. */
  readonly reserved: boolean;
  /**
   * How the convenience codecs represent the field in JavaScript: `number` for ≤32-bit
   * integers, `bigint` for u64 (and for the v2.2 u32 `set_timeout`, so the decoded shape is
   * the same in every profile), `bytes` (a Uint8Array) for u8 arrays. Arrays of number/bigint
   * are plain arrays.
   */
  readonly repr: FieldRepr;
}

export type FieldRepr = 'number' | 'bigint' | 'bytes';

export interface StructLayout {
  /** The C struct name, e.g. `pfarg_pmd`. */
  readonly cName: string;
  /** Which variant of the struct: `v2` (all 2006 versions), `v2.2`, `v2.3`, `compact`, `v3`. */
  readonly variant: string;
  /** `sizeof`, in bytes. */
  readonly size: number;
  /** Fields in offset order, reserved ones included. */
  readonly fields: readonly FieldLayout[];
  /** Fields by name. Undefined when this variant lacks the field. */
  readonly field: Readonly<Record<string, FieldLayout | undefined>>;
}

/** Thrown at module load when a layout table is inconsistent (a bug in this file). */
export class AbiLayoutError extends Error {
  override readonly name = 'AbiLayoutError';
}

/** `[name, type, offset, count, reserved, repr?]`; build them with `layoutField()` / `reservedLayoutField()`. */
export type FieldSpec = readonly [
  name: string,
  type: FieldType,
  offset: number,
  count: number,
  reserved: boolean,
  repr?: FieldRepr,
];

export function layoutField(
  name: string,
  type: FieldType,
  offset: number,
  count = 1,
  repr?: FieldRepr,
): FieldSpec {
  return repr === undefined ? [name, type, offset, count, false] : [name, type, offset, count, false, repr];
}
export function reservedLayoutField(name: string, type: FieldType, offset: number, count = 1): FieldSpec {
  return [name, type, offset, count, true];
}
const f = layoutField;
const rsv = reservedLayoutField;

function defaultRepr(type: FieldType): FieldRepr {
  if (type === 'u64') return 'bigint';
  if (type === 'u8') return 'bytes';
  return 'number';
}

/** Builds and validates a layout. Exported for layouts that later packages add (e.g. IA64 v2.0). */
export function defineStruct(
  cName: string,
  variant: string,
  size: number,
  specs: readonly FieldSpec[],
): StructLayout {
  const fields: FieldLayout[] = [];
  const byName: Record<string, FieldLayout> = Object.create(null);
  let end = 0;
  for (const [name, type, offset, count, reserved, reprOverride] of specs) {
    const elem = FIELD_TYPE_SIZE[type];
    const where = `${cName} (${variant}).${name}`;
    if (!Number.isInteger(count) || count < 1) throw new AbiLayoutError(`${where}: bad count ${count}`);
    if (offset % elem !== 0) throw new AbiLayoutError(`${where}: offset ${offset} not ${elem}-aligned`);
    if (offset < end) throw new AbiLayoutError(`${where}: offset ${offset} overlaps the previous field`);
    if (offset > end) throw new AbiLayoutError(`${where}: hole of ${offset - end} bytes before it`);
    if (name in byName) throw new AbiLayoutError(`${where}: duplicate field`);
    const repr = reprOverride ?? defaultRepr(type);
    if (repr === 'bytes' && type !== 'u8') throw new AbiLayoutError(`${where}: bytes repr needs u8`);
    if (repr === 'number' && type === 'u64') throw new AbiLayoutError(`${where}: a u64 cannot be a number`);
    const layout: FieldLayout = Object.freeze({
      name,
      type,
      offset,
      count,
      size: elem * count,
      reserved,
      repr,
    });
    fields.push(layout);
    byName[name] = layout;
    end = offset + layout.size;
  }
  if (end !== size) throw new AbiLayoutError(`${cName} (${variant}): fields end at ${end}, size is ${size}`);
  if (size % 8 !== 0) throw new AbiLayoutError(`${cName} (${variant}): size ${size} is not a multiple of 8`);
  return Object.freeze({ cName, variant, size, fields: Object.freeze(fields), field: Object.freeze(byName) });
}

// ---------------------------------------------------------------------------------------
// pfarg_pmc
// ---------------------------------------------------------------------------------------

/** 48 B, unchanged V16–V2.82. */
export const PFARG_PMC_LAYOUT = defineStruct('pfarg_pmc', 'v2', 48, [
  f('reg_num', 'u16', 0),
  f('reg_set', 'u16', 2),
  f('reg_flags', 'u32', 4),
  f('reg_value', 'u64', 8),
  rsv('reg_reserved2', 'u64', 16, 4),
]);

/** 16 B: the four live fields (same shape as the V3 `pfarg_pmr`, with `reg_set` kept). */
export const PFARG_PMC_COMPACT_LAYOUT = defineStruct('pfarg_pmc', 'compact', 16, [
  f('reg_num', 'u16', 0),
  f('reg_set', 'u16', 2),
  f('reg_flags', 'u32', 4),
  f('reg_value', 'u64', 8),
]);

// ---------------------------------------------------------------------------------------
// pfarg_pmd
// ---------------------------------------------------------------------------------------

const PMD_COMMON: readonly FieldSpec[] = [
  f('reg_num', 'u16', 0),
  f('reg_set', 'u16', 2),
  f('reg_flags', 'u32', 4),
  f('reg_value', 'u64', 8),
  f('reg_long_reset', 'u64', 16),
  f('reg_short_reset', 'u64', 24),
  f('reg_last_reset_val', 'u64', 32),
  f('reg_ovfl_switch_cnt', 'u64', 40),
  f('reg_reset_pmds', 'u64', 48, 5),
  f('reg_smpl_pmds', 'u64', 88, 5),
  f('reg_smpl_eventid', 'u64', 128),
  f('reg_random_mask', 'u64', 136),
];

/** 176 B (= 96 + 16·PFM_PMD_BV) in all 2006 versions. `reg_random_seed` is obsolete from V19 on. */
export const PFARG_PMD_LAYOUT = defineStruct('pfarg_pmd', 'v2', 176, [
  ...PMD_COMMON,
  f('reg_random_seed', 'u32', 144),
  rsv('reg_reserved2', 'u32', 148, 7),
]);

/** 144 B: without the obsolete `reg_random_seed` and `reg_reserved2`. */
export const PFARG_PMD_COMPACT_LAYOUT = defineStruct('pfarg_pmd', 'compact', 144, PMD_COMMON);

// ---------------------------------------------------------------------------------------
// pfarg_ctx
// ---------------------------------------------------------------------------------------

/** v2.2 (V17.x/V18): 128 B, sampling format named by UUID, fd returned in `ctx_fd`. */
export const PFARG_CTX_V22_LAYOUT = defineStruct('pfarg_ctx', 'v2.2', 128, [
  f('ctx_smpl_buf_id', 'u8', 0, 16),
  f('ctx_flags', 'u32', 16),
  f('ctx_fd', 's32', 20),
  f('ctx_smpl_buf_size', 'u64', 24),
  rsv('ctx_reserved3', 'u64', 32, 12),
]);

/** v2.3 (V19–V2.82): 64 B; the fd is the return value of pfm_create_context. */
export const PFARG_CTX_V23_LAYOUT = defineStruct('pfarg_ctx', 'v2.3', 64, [
  f('ctx_flags', 'u32', 0),
  rsv('ctx_reserved1', 'u32', 4),
  rsv('ctx_reserved2', 'u64', 8, 7),
]);

/** 8 B: `ctx_flags` plus the u32 that keeps the size a multiple of 8. */
export const PFARG_CTX_COMPACT_LAYOUT = defineStruct('pfarg_ctx', 'compact', 8, [
  f('ctx_flags', 'u32', 0),
  rsv('ctx_reserved1', 'u32', 4),
]);

// ---------------------------------------------------------------------------------------
// pfarg_load, pfarg_start
// ---------------------------------------------------------------------------------------

/** 32 B. `load_pid` is a tid, or for system-wide (V19+) a CPU number. */
export const PFARG_LOAD_LAYOUT = defineStruct('pfarg_load', 'v2', 32, [
  f('load_pid', 'u32', 0),
  f('load_set', 'u16', 4),
  rsv('load_reserved1', 'u16', 6),
  rsv('load_reserved2', 'u64', 8, 3),
]);

/** 8 B: `load_reserved1` stays as alignment padding. */
export const PFARG_LOAD_COMPACT_LAYOUT = defineStruct('pfarg_load', 'compact', 8, [
  f('load_pid', 'u32', 0),
  f('load_set', 'u16', 4),
  rsv('load_reserved1', 'u16', 6),
]);

/** 32 B. */
export const PFARG_START_LAYOUT = defineStruct('pfarg_start', 'v2', 32, [
  f('start_set', 'u16', 0),
  rsv('start_reserved1', 'u16', 2),
  rsv('start_reserved2', 'u32', 4),
  rsv('reserved3', 'u64', 8, 3),
]);

/** 8 B: `start_set` plus padding to 8. */
export const PFARG_START_COMPACT_LAYOUT = defineStruct('pfarg_start', 'compact', 8, [
  f('start_set', 'u16', 0),
  rsv('start_reserved1', 'u16', 2),
  rsv('start_reserved2', 'u32', 4),
]);

// ---------------------------------------------------------------------------------------
// pfarg_setdesc
// ---------------------------------------------------------------------------------------

/** v2.2 (V18): 64 B; `set_timeout` is a u32 in µs followed by a reserved u32. */
export const PFARG_SETDESC_V22_LAYOUT = defineStruct('pfarg_setdesc', 'v2.2', 64, [
  f('set_id', 'u16', 0),
  f('set_id_next', 'u16', 2),
  f('set_flags', 'u32', 4),
  f('set_timeout', 'u32', 8, 1, 'bigint'),
  rsv('set_reserved1', 'u32', 12),
  f('set_mmap_offset', 'u64', 16),
  rsv('reserved', 'u64', 24, 5),
]);

/** v2.3 (V19): 64 B; `set_timeout` is a u64 in ns. */
export const PFARG_SETDESC_V23_LAYOUT = defineStruct('pfarg_setdesc', 'v2.3', 64, [
  f('set_id', 'u16', 0),
  f('set_id_next', 'u16', 2),
  f('set_flags', 'u32', 4),
  f('set_timeout', 'u64', 8),
  f('set_mmap_offset', 'u64', 16),
  rsv('reserved', 'u64', 24, 5),
]);

/** 24 B: v2.3 without `reserved[5]`. */
export const PFARG_SETDESC_COMPACT_LAYOUT = defineStruct('pfarg_setdesc', 'compact', 24, [
  f('set_id', 'u16', 0),
  f('set_id_next', 'u16', 2),
  f('set_flags', 'u32', 4),
  f('set_timeout', 'u64', 8),
  f('set_mmap_offset', 'u64', 16),
]);

// ---------------------------------------------------------------------------------------
// pfarg_setinfo
// ---------------------------------------------------------------------------------------

function setinfoFields(timeout: readonly FieldSpec[]): FieldSpec[] {
  return [
    f('set_id', 'u16', 0),
    f('set_id_next', 'u16', 2),
    f('set_flags', 'u32', 4),
    f('set_ovfl_pmds', 'u64', 8, 5),
    f('set_runs', 'u64', 48),
    ...timeout,
    f('set_act_duration', 'u64', 64),
    f('set_mmap_offset', 'u64', 72),
    f('set_avail_pmcs', 'u64', 80, 5),
    f('set_avail_pmds', 'u64', 120, 5),
  ];
}

/** v2.2 (V18): 192 B; `set_timeout` u32 µs + reserved u32 at 56. */
export const PFARG_SETINFO_V22_LAYOUT = defineStruct('pfarg_setinfo', 'v2.2', 192, [
  ...setinfoFields([f('set_timeout', 'u32', 56, 1, 'bigint'), rsv('set_reserved1', 'u32', 60)]),
  rsv('reserved', 'u64', 160, 4),
]);

/** v2.3 (V19): 192 B; `set_timeout` u64 ns at 56. */
export const PFARG_SETINFO_V23_LAYOUT = defineStruct('pfarg_setinfo', 'v2.3', 192, [
  ...setinfoFields([f('set_timeout', 'u64', 56)]),
  rsv('reserved', 'u64', 160, 4),
]);

/** 160 B: v2.3 without `reserved[4]`. */
export const PFARG_SETINFO_COMPACT_LAYOUT = defineStruct(
  'pfarg_setinfo',
  'compact',
  160,
  setinfoFields([f('set_timeout', 'u64', 56)]),
);

// ---------------------------------------------------------------------------------------
// pfarg_msg, pfarg_pmr
// ---------------------------------------------------------------------------------------

/**
 * `union pfm_msg` / `pfm_ovfl_msg`, 56 B (V17.9–V19), read() from the context fd.
 * Quirk Q11: `msg_ovfl_pid` holds the **tid** and `msg_ovfl_tid` holds the **tgid**.
 * An END message uses only `msg_type`.
 */
export const PFARG_MSG_LAYOUT = defineStruct('pfarg_msg', 'v2', 56, [
  f('msg_type', 'u32', 0),
  f('msg_ovfl_pid', 'u32', 4),
  f('msg_ovfl_pmds', 'u64', 8, 4),
  f('msg_active_set', 'u16', 40),
  f('msg_ovfl_cpu', 'u16', 42),
  f('msg_ovfl_tid', 'u32', 44),
  f('msg_ovfl_ip', 'u64', 48),
]);

/** V3 `pfarg_pmr`, 16 B: one element of a pfm_write/pfm_read vector (PMC or PMD by `type`). */
export const PFARG_PMR_LAYOUT = defineStruct('pfarg_pmr', 'v3', 16, [
  f('reg_num', 'u16', 0),
  rsv('reg_res1', 'u16', 2),
  f('reg_flags', 'u32', 4),
  f('reg_value', 'u64', 8),
]);

// ---------------------------------------------------------------------------------------
// Fixed offsets of the hot fields. They are the same in every v2 profile (2006 and compact)
// — checked when the profiles are built — so hot-path accessors use constants.
// ---------------------------------------------------------------------------------------

export const PMC_OFF = Object.freeze({ reg_num: 0, reg_set: 2, reg_flags: 4, reg_value: 8 } as const);

export const PMD_OFF = Object.freeze({
  reg_num: 0,
  reg_set: 2,
  reg_flags: 4,
  reg_value: 8,
  reg_long_reset: 16,
  reg_short_reset: 24,
  reg_last_reset_val: 32,
  reg_ovfl_switch_cnt: 40,
  reg_reset_pmds: 48,
  reg_smpl_pmds: 88,
  reg_smpl_eventid: 128,
  reg_random_mask: 136,
} as const);

export const LOAD_OFF = Object.freeze({ load_pid: 0, load_set: 4 } as const);
export const START_OFF = Object.freeze({ start_set: 0 } as const);

export const MSG_OFF = Object.freeze({
  msg_type: 0,
  msg_ovfl_pid: 4,
  msg_ovfl_pmds: 8,
  msg_active_set: 40,
  msg_ovfl_cpu: 42,
  msg_ovfl_tid: 44,
  msg_ovfl_ip: 48,
} as const);

export const PMR_OFF = Object.freeze({ reg_num: 0, reg_flags: 4, reg_value: 8 } as const);
