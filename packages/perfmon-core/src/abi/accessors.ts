/**
 * Hot-path field accessors: plain functions over a `DataView` and the byte offset of one
 * struct. They allocate no JS objects. (A u64 read returns a bigint, which V8 heap-allocates;
 * the `u64Lo`/`u64Hi` helpers and the bit-vector helpers avoid even that.)
 *
 * Offsets are the fixed ones of `PMC_OFF`, `PMD_OFF`, … which every v2 profile shares (the
 * compact layouts only drop trailing/reserved fields), so one function serves all profiles;
 * the profile only decides the stride (`profile.sizes.pmd`). Fields whose place or width
 * differs between profiles take the profile as a last argument.
 *
 * No validation happens here: setters wrap like C stores (`setUint16(0x1_0001)` stores 1,
 * `setBigUint64(-1n)` stores 2^64−1). Use the codecs in structs.ts for checked encoding.
 */

import { LOAD_OFF, MSG_OFF, PMC_OFF, PMD_OFF, PMR_OFF, START_OFF } from './layouts.js';
import type { V2AbiProfile } from './profiles.js';

const LE = true;

// ---------------------------------------------------------------------------------------
// Generic u64 helpers
// ---------------------------------------------------------------------------------------

/** Low 32 bits of the u64 at `off`, as an unsigned number. */
export function u64Lo(view: DataView, off: number): number {
  return view.getUint32(off, LE);
}
/** High 32 bits of the u64 at `off`, as an unsigned number. */
export function u64Hi(view: DataView, off: number): number {
  return view.getUint32(off + 4, LE);
}
/** Stores `hi·2^32 + lo` without building a bigint. */
export function setU64Parts(view: DataView, off: number, lo: number, hi: number): void {
  view.setUint32(off, lo, LE);
  view.setUint32(off + 4, hi, LE);
}

// ---------------------------------------------------------------------------------------
// Bit vectors: arrays of little-endian u64 words are one little-endian bit string, so bit i
// lives in byte i>>3 at position i&7. No bigint needed.
// ---------------------------------------------------------------------------------------

export function bvTest(view: DataView, bvOff: number, bit: number): boolean {
  return (view.getUint8(bvOff + (bit >>> 3)) & (1 << (bit & 7))) !== 0;
}
export function bvSet(view: DataView, bvOff: number, bit: number): void {
  const at = bvOff + (bit >>> 3);
  view.setUint8(at, view.getUint8(at) | (1 << (bit & 7)));
}
export function bvClear(view: DataView, bvOff: number, bit: number): void {
  const at = bvOff + (bit >>> 3);
  view.setUint8(at, view.getUint8(at) & ~(1 << (bit & 7)));
}
/** Zeroes `words` u64 words. */
export function bvZero(view: DataView, bvOff: number, words: number): void {
  for (let i = 0; i < words * 2; i++) view.setUint32(bvOff + i * 4, 0, LE);
}
export function bvIsEmpty(view: DataView, bvOff: number, words: number): boolean {
  for (let i = 0; i < words * 2; i++) if (view.getUint32(bvOff + i * 4, LE) !== 0) return false;
  return true;
}
/** Index of the first set bit ≥ `from` in a vector of `words` u64 words, or -1. */
export function bvNextSet(view: DataView, bvOff: number, words: number, from = 0): number {
  const bits = words * 64;
  for (let bit = from; bit < bits; ) {
    const w = view.getUint32(bvOff + ((bit >>> 5) << 2), LE) >>> (bit & 31);
    if (w === 0) {
      bit = ((bit >>> 5) + 1) << 5;
      continue;
    }
    return bit + (31 - Math.clz32(w & -w));
  }
  return -1;
}
/** Number of set bits in a vector of `words` u64 words. */
export function bvCount(view: DataView, bvOff: number, words: number): number {
  let n = 0;
  for (let i = 0; i < words * 2; i++) {
    let w = view.getUint32(bvOff + i * 4, LE);
    w -= (w >>> 1) & 0x55555555;
    w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
    n += (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// pfarg_pmc (all v2 profiles)
// ---------------------------------------------------------------------------------------

export function pmcRegNum(view: DataView, off: number): number {
  return view.getUint16(off + PMC_OFF.reg_num, LE);
}
export function setPmcRegNum(view: DataView, off: number, v: number): void {
  view.setUint16(off + PMC_OFF.reg_num, v, LE);
}
export function pmcRegSet(view: DataView, off: number): number {
  return view.getUint16(off + PMC_OFF.reg_set, LE);
}
export function setPmcRegSet(view: DataView, off: number, v: number): void {
  view.setUint16(off + PMC_OFF.reg_set, v, LE);
}
/** Unsigned: RETFL bits read back as e.g. 0x80000000, not a negative number. */
export function pmcRegFlags(view: DataView, off: number): number {
  return view.getUint32(off + PMC_OFF.reg_flags, LE);
}
export function setPmcRegFlags(view: DataView, off: number, v: number): void {
  view.setUint32(off + PMC_OFF.reg_flags, v, LE);
}
export function pmcValue(view: DataView, off: number): bigint {
  return view.getBigUint64(off + PMC_OFF.reg_value, LE);
}
export function setPmcValue(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + PMC_OFF.reg_value, v, LE);
}

// ---------------------------------------------------------------------------------------
// pfarg_pmd (all v2 profiles)
// ---------------------------------------------------------------------------------------

export function pmdRegNum(view: DataView, off: number): number {
  return view.getUint16(off + PMD_OFF.reg_num, LE);
}
export function setPmdRegNum(view: DataView, off: number, v: number): void {
  view.setUint16(off + PMD_OFF.reg_num, v, LE);
}
export function pmdRegSet(view: DataView, off: number): number {
  return view.getUint16(off + PMD_OFF.reg_set, LE);
}
export function setPmdRegSet(view: DataView, off: number, v: number): void {
  view.setUint16(off + PMD_OFF.reg_set, v, LE);
}
export function pmdRegFlags(view: DataView, off: number): number {
  return view.getUint32(off + PMD_OFF.reg_flags, LE);
}
export function setPmdRegFlags(view: DataView, off: number, v: number): void {
  view.setUint32(off + PMD_OFF.reg_flags, v, LE);
}
export function pmdValue(view: DataView, off: number): bigint {
  return view.getBigUint64(off + PMD_OFF.reg_value, LE);
}
export function setPmdValue(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + PMD_OFF.reg_value, v, LE);
}
export function pmdLongReset(view: DataView, off: number): bigint {
  return view.getBigUint64(off + PMD_OFF.reg_long_reset, LE);
}
export function setPmdLongReset(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + PMD_OFF.reg_long_reset, v, LE);
}
export function pmdShortReset(view: DataView, off: number): bigint {
  return view.getBigUint64(off + PMD_OFF.reg_short_reset, LE);
}
export function setPmdShortReset(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + PMD_OFF.reg_short_reset, v, LE);
}
export function pmdLastResetVal(view: DataView, off: number): bigint {
  return view.getBigUint64(off + PMD_OFF.reg_last_reset_val, LE);
}
export function setPmdLastResetVal(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + PMD_OFF.reg_last_reset_val, v, LE);
}
export function pmdOvflSwitchCnt(view: DataView, off: number): bigint {
  return view.getBigUint64(off + PMD_OFF.reg_ovfl_switch_cnt, LE);
}
export function setPmdOvflSwitchCnt(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + PMD_OFF.reg_ovfl_switch_cnt, v, LE);
}
/** Word `word` (0..4) of `reg_reset_pmds`. For single bits use `bvTest(view, off + PMD_OFF.reg_reset_pmds, bit)`. */
export function pmdResetPmds(view: DataView, off: number, word: number): bigint {
  return view.getBigUint64(off + PMD_OFF.reg_reset_pmds + word * 8, LE);
}
export function setPmdResetPmds(view: DataView, off: number, word: number, v: bigint): void {
  view.setBigUint64(off + PMD_OFF.reg_reset_pmds + word * 8, v, LE);
}
/** Word `word` (0..4) of `reg_smpl_pmds`. */
export function pmdSmplPmds(view: DataView, off: number, word: number): bigint {
  return view.getBigUint64(off + PMD_OFF.reg_smpl_pmds + word * 8, LE);
}
export function setPmdSmplPmds(view: DataView, off: number, word: number, v: bigint): void {
  view.setBigUint64(off + PMD_OFF.reg_smpl_pmds + word * 8, v, LE);
}
export function pmdSmplEventId(view: DataView, off: number): bigint {
  return view.getBigUint64(off + PMD_OFF.reg_smpl_eventid, LE);
}
export function setPmdSmplEventId(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + PMD_OFF.reg_smpl_eventid, v, LE);
}
export function pmdRandomMask(view: DataView, off: number): bigint {
  return view.getBigUint64(off + PMD_OFF.reg_random_mask, LE);
}
export function setPmdRandomMask(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + PMD_OFF.reg_random_mask, v, LE);
}
/** `reg_random_seed` (v2.2/v2.3; obsolete from V19). Returns 0 when the profile has no such field. */
export function pmdRandomSeed(view: DataView, off: number, profile: V2AbiProfile): number {
  const at = profile.offsets.pmdRandomSeed;
  return at < 0 ? 0 : view.getUint32(off + at, LE);
}
/** Stores `reg_random_seed`; returns false (and stores nothing) when the profile lacks it. */
export function setPmdRandomSeed(view: DataView, off: number, v: number, profile: V2AbiProfile): boolean {
  const at = profile.offsets.pmdRandomSeed;
  if (at < 0) return false;
  view.setUint32(off + at, v, LE);
  return true;
}

// ---------------------------------------------------------------------------------------
// pfarg_load, pfarg_start (all v2 profiles)
// ---------------------------------------------------------------------------------------

export function loadPid(view: DataView, off: number): number {
  return view.getUint32(off + LOAD_OFF.load_pid, LE);
}
export function setLoadPid(view: DataView, off: number, v: number): void {
  view.setUint32(off + LOAD_OFF.load_pid, v, LE);
}
export function loadSet(view: DataView, off: number): number {
  return view.getUint16(off + LOAD_OFF.load_set, LE);
}
export function setLoadSet(view: DataView, off: number, v: number): void {
  view.setUint16(off + LOAD_OFF.load_set, v, LE);
}
export function startSet(view: DataView, off: number): number {
  return view.getUint16(off + START_OFF.start_set, LE);
}
export function setStartSet(view: DataView, off: number, v: number): void {
  view.setUint16(off + START_OFF.start_set, v, LE);
}

// ---------------------------------------------------------------------------------------
// pfarg_msg (all v2 profiles). Quirk Q11: msg_ovfl_pid holds the tid, msg_ovfl_tid the tgid.
// ---------------------------------------------------------------------------------------

export function msgType(view: DataView, off: number): number {
  return view.getUint32(off + MSG_OFF.msg_type, LE);
}
export function setMsgType(view: DataView, off: number, v: number): void {
  view.setUint32(off + MSG_OFF.msg_type, v, LE);
}
/** `msg_ovfl_pid`: holds the monitored **tid** (Q11). */
export function msgOvflPid(view: DataView, off: number): number {
  return view.getUint32(off + MSG_OFF.msg_ovfl_pid, LE);
}
export function setMsgOvflPid(view: DataView, off: number, tid: number): void {
  view.setUint32(off + MSG_OFF.msg_ovfl_pid, tid, LE);
}
/** Word `word` (0..3) of `msg_ovfl_pmds`. */
export function msgOvflPmds(view: DataView, off: number, word: number): bigint {
  return view.getBigUint64(off + MSG_OFF.msg_ovfl_pmds + word * 8, LE);
}
export function setMsgOvflPmds(view: DataView, off: number, word: number, v: bigint): void {
  view.setBigUint64(off + MSG_OFF.msg_ovfl_pmds + word * 8, v, LE);
}
export function msgActiveSet(view: DataView, off: number): number {
  return view.getUint16(off + MSG_OFF.msg_active_set, LE);
}
export function setMsgActiveSet(view: DataView, off: number, v: number): void {
  view.setUint16(off + MSG_OFF.msg_active_set, v, LE);
}
export function msgOvflCpu(view: DataView, off: number): number {
  return view.getUint16(off + MSG_OFF.msg_ovfl_cpu, LE);
}
export function setMsgOvflCpu(view: DataView, off: number, v: number): void {
  view.setUint16(off + MSG_OFF.msg_ovfl_cpu, v, LE);
}
/** `msg_ovfl_tid`: holds the monitored **tgid** (Q11). */
export function msgOvflTid(view: DataView, off: number): number {
  return view.getUint32(off + MSG_OFF.msg_ovfl_tid, LE);
}
export function setMsgOvflTid(view: DataView, off: number, tgid: number): void {
  view.setUint32(off + MSG_OFF.msg_ovfl_tid, tgid, LE);
}
export function msgOvflIp(view: DataView, off: number): bigint {
  return view.getBigUint64(off + MSG_OFF.msg_ovfl_ip, LE);
}
export function setMsgOvflIp(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + MSG_OFF.msg_ovfl_ip, v, LE);
}

// ---------------------------------------------------------------------------------------
// V3 pfarg_pmr
// ---------------------------------------------------------------------------------------

export function pmrRegNum(view: DataView, off: number): number {
  return view.getUint16(off + PMR_OFF.reg_num, LE);
}
export function setPmrRegNum(view: DataView, off: number, v: number): void {
  view.setUint16(off + PMR_OFF.reg_num, v, LE);
}
export function pmrRegFlags(view: DataView, off: number): number {
  return view.getUint32(off + PMR_OFF.reg_flags, LE);
}
export function setPmrRegFlags(view: DataView, off: number, v: number): void {
  view.setUint32(off + PMR_OFF.reg_flags, v, LE);
}
export function pmrValue(view: DataView, off: number): bigint {
  return view.getBigUint64(off + PMR_OFF.reg_value, LE);
}
export function setPmrValue(view: DataView, off: number, v: bigint): void {
  view.setBigUint64(off + PMR_OFF.reg_value, v, LE);
}

// ---------------------------------------------------------------------------------------
// Profile-dependent fields: pfarg_ctx, set_timeout
// ---------------------------------------------------------------------------------------

/** Thrown when a profile-dependent accessor names a field the profile's layout lacks. */
export class AbiFieldUnavailableError extends Error {
  override readonly name = 'AbiFieldUnavailableError';
  constructor(
    readonly profileId: string,
    readonly field: string,
  ) {
    super(`ABI profile ${profileId} has no field ${field}`);
  }
}

export function ctxFlags(view: DataView, off: number, profile: V2AbiProfile): number {
  return view.getUint32(off + profile.offsets.ctxFlags, LE);
}
export function setCtxFlags(view: DataView, off: number, v: number, profile: V2AbiProfile): void {
  view.setUint32(off + profile.offsets.ctxFlags, v, LE);
}
/** `ctx_fd` (v2.2 only: there pfm_create_context writes the fd here). Throws elsewhere. */
export function ctxFd(view: DataView, off: number, profile: V2AbiProfile): number {
  const at = profile.offsets.ctxFd;
  if (at < 0) throw new AbiFieldUnavailableError(profile.id, 'pfarg_ctx.ctx_fd');
  return view.getInt32(off + at, LE);
}
export function setCtxFd(view: DataView, off: number, fd: number, profile: V2AbiProfile): void {
  const at = profile.offsets.ctxFd;
  if (at < 0) throw new AbiFieldUnavailableError(profile.id, 'pfarg_ctx.ctx_fd');
  view.setInt32(off + at, fd, LE);
}
/** `ctx_smpl_buf_size` (v2.2 only). Throws elsewhere. */
export function ctxSmplBufSize(view: DataView, off: number, profile: V2AbiProfile): bigint {
  const at = profile.offsets.ctxSmplBufSize;
  if (at < 0) throw new AbiFieldUnavailableError(profile.id, 'pfarg_ctx.ctx_smpl_buf_size');
  return view.getBigUint64(off + at, LE);
}
export function setCtxSmplBufSize(view: DataView, off: number, v: bigint, profile: V2AbiProfile): void {
  const at = profile.offsets.ctxSmplBufSize;
  if (at < 0) throw new AbiFieldUnavailableError(profile.id, 'pfarg_ctx.ctx_smpl_buf_size');
  view.setBigUint64(off + at, v, LE);
}

function readTimeout(view: DataView, at: number, profile: V2AbiProfile): bigint {
  return profile.offsets.timeoutIsU64 ? view.getBigUint64(at, LE) : BigInt(view.getUint32(at, LE));
}
function writeTimeout(view: DataView, at: number, v: bigint, profile: V2AbiProfile): void {
  if (profile.offsets.timeoutIsU64) view.setBigUint64(at, v, LE);
  else view.setUint32(at, Number(BigInt.asUintN(32, v)), LE);
}

/** `pfarg_setdesc.set_timeout` in `profile.timeoutUnit` (µs u32 in v2.2, ns u64 otherwise). */
export function setdescTimeout(view: DataView, off: number, profile: V2AbiProfile): bigint {
  return readTimeout(view, off + profile.offsets.setdescTimeout, profile);
}
/** Stores `set_timeout`; a v2.2 store keeps the low 32 bits, as a C u32 store would. */
export function setSetdescTimeout(view: DataView, off: number, v: bigint, profile: V2AbiProfile): void {
  writeTimeout(view, off + profile.offsets.setdescTimeout, v, profile);
}
/** `pfarg_setinfo.set_timeout` (time left) in `profile.timeoutUnit`. */
export function setinfoTimeout(view: DataView, off: number, profile: V2AbiProfile): bigint {
  return readTimeout(view, off + profile.offsets.setinfoTimeout, profile);
}
export function setSetinfoTimeout(view: DataView, off: number, v: bigint, profile: V2AbiProfile): void {
  writeTimeout(view, off + profile.offsets.setinfoTimeout, v, profile);
}
