/**
 * Byte-exact layouts of the sampling formats' user-visible structures (perfmon2-sampling.md §2):
 * the default format's argument, buffer header and entry (the same in v2.2, v2.3 and later;
 * only how the format is named changed), and, for reference, the IA-64 v2.0 default format's.
 * The v2.0 format itself is not simulated: it was reached through perfmonctl(), which pfmsim's
 * kernels do not have. Each layout is checked when this module loads (abi/layouts.ts).
 */
import { defineStruct, layoutField as f, reservedLayoutField as rsv } from './layouts.js';
import { decodeStruct, encodeStruct } from './structs.js';

/** The default format's name in v2.3 and later (PFM_DFL_SMPL_NAME, S4, S5). */
export const PFM_DFL_SMPL_NAME = 'default';

/** The default format's UUID in v2.2 (PFM_DFL_SMPL_UUID, S3, S4). */
export const PFM_DFL_SMPL_UUID: readonly number[] = Object.freeze([
  0xd1, 0x39, 0xb2, 0x9e, 0x62, 0xe8, 0x40, 0xe4, 0xb4, 0x02, 0x73, 0x07, 0x87, 0x92, 0xe9, 0x37,
]);

/** hdr_version of the default format: major 1, minor 0 (PFM_DFL_SMPL_VERSION). */
export const PFM_DFL_SMPL_VERSION = 0x00010000;

/** The IA-64 v2.0 default format's UUID ("default_format", S7), for reference only. */
export const PFM_DEFAULT_SMPL_UUID_V20: readonly number[] = Object.freeze([
  0x4d, 0x72, 0xbe, 0xc0, 0x06, 0x64, 0x41, 0x43, 0x82, 0xb4, 0xd3, 0xfd, 0x27, 0x24, 0x3c, 0x97,
]);

/** `pfm_dfl_smpl_arg_t`, 64 B: what a sampling pfm_create_context passes as the format argument. */
export const PFM_DFL_SMPL_ARG_LAYOUT = defineStruct('pfm_dfl_smpl_arg', 'v2', 64, [
  f('buf_size', 'u64', 0),
  f('buf_flags', 'u32', 8),
  rsv('res1', 'u32', 12),
  rsv('reserved', 'u64', 16, 6),
]);

/** `pfm_dfl_smpl_hdr_t`, 128 B, at offset 0 of the buffer. */
export const PFM_DFL_SMPL_HDR_LAYOUT = defineStruct('pfm_dfl_smpl_hdr', 'v2', 128, [
  f('hdr_count', 'u64', 0),
  f('hdr_cur_offs', 'u64', 8),
  f('hdr_overflows', 'u64', 16),
  f('hdr_buf_size', 'u64', 24),
  f('hdr_min_buf_space', 'u64', 32),
  f('hdr_version', 'u32', 40),
  f('hdr_buf_flags', 'u32', 44),
  rsv('hdr_reserved', 'u64', 48, 10),
]);

/**
 * `pfm_dfl_smpl_entry_t`, 40 B; `num_smpl_pmds` u64 PMD values follow each entry, so entries
 * are 40 + 8 × n bytes and may differ in size. `reserved` is never written (it keeps the
 * buffer's earlier bytes), so decoders skip it.
 */
export const PFM_DFL_SMPL_ENTRY_LAYOUT = defineStruct('pfm_dfl_smpl_entry', 'v2', 40, [
  f('pid', 'u32', 0),
  f('ovfl_pmd', 'u16', 4),
  rsv('reserved', 'u16', 6),
  f('last_reset_val', 'u64', 8),
  f('ip', 'u64', 16),
  f('tstamp', 'u64', 24),
  f('cpu', 'u16', 32),
  f('set', 'u16', 34),
  f('tgid', 'u32', 36),
]);

/** IA-64 v2.0 `pfm_default_smpl_arg_t`, 32 B (reference only). */
export const PFM_DEFAULT_SMPL_ARG_V20_LAYOUT = defineStruct('pfm_default_smpl_arg', 'v2.0', 32, [
  f('buf_size', 'u64', 0),
  f('flags', 'u32', 8),
  rsv('res1', 'u32', 12),
  rsv('reserved', 'u64', 16, 2),
]);

/** IA-64 v2.0 `pfm_default_smpl_hdr_t`, 128 B: hdr_overflows at 24 (v2.2: 16), no hdr_min_buf_space. */
export const PFM_DEFAULT_SMPL_HDR_V20_LAYOUT = defineStruct('pfm_default_smpl_hdr', 'v2.0', 128, [
  f('hdr_count', 'u64', 0),
  f('hdr_cur_offs', 'u64', 8),
  rsv('dr_reserved2', 'u64', 16),
  f('hdr_overflows', 'u64', 24),
  f('hdr_buf_size', 'u64', 32),
  f('hdr_version', 'u32', 40),
  rsv('hdr_reserved1', 'u32', 44),
  rsv('hdr_reserved', 'u64', 48, 10),
]);

/** IA-64 v2.0 `pfm_default_smpl_entry_t`, 40 B: a u8 ovfl_pmd at offset 7. */
export const PFM_DEFAULT_SMPL_ENTRY_V20_LAYOUT = defineStruct('pfm_default_smpl_entry', 'v2.0', 40, [
  f('pid', 'u32', 0),
  rsv('reserved1', 'u8', 4, 3),
  f('ovfl_pmd', 'u8', 7, 1, 'number'),
  f('last_reset_val', 'u64', 8),
  f('ip', 'u64', 16),
  f('tstamp', 'u64', 24),
  f('cpu', 'u16', 32),
  f('set', 'u16', 34),
  f('tgid', 'u32', 36),
]);

/** Offsets the simulated kernel writes on its hot paths (the handler, restart). */
export const DFL_ARG_OFF = Object.freeze({ buf_size: 0, buf_flags: 8 } as const);
export const DFL_HDR_OFF = Object.freeze({
  hdr_count: 0,
  hdr_cur_offs: 8,
  hdr_overflows: 16,
  hdr_buf_size: 24,
  hdr_min_buf_space: 32,
  hdr_version: 40,
  hdr_buf_flags: 44,
} as const);
export const DFL_ENTRY_OFF = Object.freeze({
  pid: 0,
  ovfl_pmd: 4,
  last_reset_val: 8,
  ip: 16,
  tstamp: 24,
  cpu: 32,
  set: 34,
  tgid: 36,
} as const);

export const DFL_ARG_BYTES = PFM_DFL_SMPL_ARG_LAYOUT.size;
export const DFL_HDR_BYTES = PFM_DFL_SMPL_HDR_LAYOUT.size;
export const DFL_ENTRY_BYTES = PFM_DFL_SMPL_ENTRY_LAYOUT.size;

/**
 * The smallest buffer the default format accepts, and the free space below which it is full:
 * both count every implemented PMD, not the PMDs actually sampled (quirk b, §1.3, §3.2).
 */
export function dflMinBufSpace(implementedPmds: number): number {
  return DFL_ENTRY_BYTES + 8 * implementedPmds;
}
export function dflMinBufSize(implementedPmds: number): number {
  return DFL_HDR_BYTES + dflMinBufSpace(implementedPmds);
}

export interface PfmDflSmplArg {
  buf_size: bigint;
  buf_flags: number;
}
export interface PfmDflSmplHdr {
  hdr_count: bigint;
  hdr_cur_offs: bigint;
  hdr_overflows: bigint;
  hdr_buf_size: bigint;
  hdr_min_buf_space: bigint;
  hdr_version: number;
  hdr_buf_flags: number;
}
export interface PfmDflSmplEntry {
  pid: number;
  ovfl_pmd: number;
  last_reset_val: bigint;
  ip: bigint;
  tstamp: bigint;
  cpu: number;
  set: number;
  tgid: number;
}

/** Writes a default-format argument (missing fields and the reserved ones as zeros). */
export function encodeDflSmplArg(view: DataView, off: number, arg: Partial<PfmDflSmplArg>): void {
  encodeStruct(view, off, PFM_DFL_SMPL_ARG_LAYOUT, arg);
}
export function decodeDflSmplHdr(view: DataView, off: number): PfmDflSmplHdr {
  return decodeStruct(view, off, PFM_DFL_SMPL_HDR_LAYOUT) as unknown as PfmDflSmplHdr;
}
/** The fixed part of an entry; its PMD values follow at off + 40. */
export function decodeDflSmplEntry(view: DataView, off: number): PfmDflSmplEntry {
  return decodeStruct(view, off, PFM_DFL_SMPL_ENTRY_LAYOUT) as unknown as PfmDflSmplEntry;
}
