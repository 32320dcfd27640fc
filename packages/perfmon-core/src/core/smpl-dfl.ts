/**
 * The default sampling format (perfmon_dfl_smpl.c, perfmon2-sampling.md §1.3, §3.2, §3.5): a
 * 128-byte header, then entries of 40 bytes plus one u64 per sampled PMD, packed back to back.
 * The same in v2.2 (registered by UUID and name) and v2.3 (by name).
 */
import { Errno } from '../abi/errno.js';
import {
  DFL_ARG_BYTES,
  DFL_ARG_OFF,
  DFL_ENTRY_BYTES,
  DFL_ENTRY_OFF,
  DFL_HDR_BYTES,
  DFL_HDR_OFF,
  dflMinBufSize,
  dflMinBufSpace,
  PFM_DFL_SMPL_NAME,
  PFM_DFL_SMPL_UUID,
  PFM_DFL_SMPL_VERSION,
} from '../abi/smpl-layouts.js';
import {
  OVFL_CTRL_MASK,
  OVFL_CTRL_NOTIFY,
  OVFL_CTRL_RESET,
  type OvflArg,
  type SmplFormat,
} from './smpl-fmt.js';

const TWO32 = 2 ** 32;
/** The handler's "buffer full" return; kernel-internal (no call returns it), so not in Errno. */
export const ENOBUFS = 105;

/** A u64 field as a number (exact below 2^53, which every simulated size and offset is). */
export function getU64(view: DataView, off: number): number {
  return view.getUint32(off, true) + view.getUint32(off + 4, true) * TWO32;
}

export function setU64(view: DataView, off: number, value: number): void {
  view.setUint32(off, value % TWO32, true);
  view.setUint32(off + 4, Math.floor(value / TWO32), true);
}

/** The default format's hooks. */
export const DFL_SMPL_FMT: SmplFormat = Object.freeze({
  name: PFM_DFL_SMPL_NAME,
  uuid: PFM_DFL_SMPL_UUID,
  version: PFM_DFL_SMPL_VERSION,
  argSize: DFL_ARG_BYTES,
  qdepth: 0,

  /**
   * A buffer smaller than the header, one entry and a value for every implemented PMD is EINVAL
   * (quirk b). The 32-bit ETOOBIG guard of the sources is dead code (quirk a) and not modelled.
   */
  validate(_ctxFlags: number, npmds: number, view: DataView, arg: number): number {
    // Stryker disable next-line ArithmeticOperator: buf_size is at offset 0
    return getU64(view, arg + DFL_ARG_OFF.buf_size) < dflMinBufSize(npmds) ? -Errno.EINVAL : 0;
  },

  getsize(_ctxFlags: number, view: DataView, arg: number): number {
    // Stryker disable next-line ArithmeticOperator: buf_size is at offset 0
    return getU64(view, arg + DFL_ARG_OFF.buf_size);
  },

  /** The header of a fresh (zero-filled) buffer; hdr_buf_size is the request, not page-aligned (quirk c). */
  init(view: DataView, buf: number, _ctxFlags: number, npmds: number, arg: number): number {
    // (the buffer is zero-filled: hdr_count and hdr_overflows start at 0, as the kernel sets them)
    setU64(view, buf + DFL_HDR_OFF.hdr_cur_offs, DFL_HDR_BYTES);
    // Stryker disable next-line ArithmeticOperator: buf_size is at offset 0
    setU64(view, buf + DFL_HDR_OFF.hdr_buf_size, getU64(view, arg + DFL_ARG_OFF.buf_size));
    setU64(view, buf + DFL_HDR_OFF.hdr_min_buf_space, dflMinBufSpace(npmds));
    view.setUint32(buf + DFL_HDR_OFF.hdr_version, PFM_DFL_SMPL_VERSION, true);
    view.setUint32(buf + DFL_HDR_OFF.hdr_buf_flags, view.getUint32(arg + DFL_ARG_OFF.buf_flags, true), true);
    return 0;
  },

  /**
   * One sample, unless less than hdr_min_buf_space is left (then nothing is written: that sample
   * is lost). A sample that leaves less than that behind is kept, and the buffer is full: NOTIFY
   * and MASK, hdr_overflows + 1, -ENOBUFS. Otherwise RESET (the core short-resets).
   */
  handler(view: DataView, buf: number, ovfl: OvflArg, ip: number, tstamp: number): number {
    const cur = getU64(view, buf + DFL_HDR_OFF.hdr_cur_offs);
    const last = getU64(view, buf + DFL_HDR_OFF.hdr_buf_size);
    const min = getU64(view, buf + DFL_HDR_OFF.hdr_min_buf_space);
    if (last - cur < min) return full(view, buf, ovfl);
    setU64(view, buf + DFL_HDR_OFF.hdr_count, getU64(view, buf + DFL_HDR_OFF.hdr_count) + 1);
    const e = buf + cur;
    view.setUint32(e + DFL_ENTRY_OFF.pid, ovfl.pid, true);
    view.setUint16(e + DFL_ENTRY_OFF.ovfl_pmd, ovfl.ovflPmd, true);
    view.setUint32(e + DFL_ENTRY_OFF.last_reset_val, ovfl.lastResetLo, true);
    view.setUint32(e + DFL_ENTRY_OFF.last_reset_val + 4, ovfl.lastResetHi, true);
    setU64(view, e + DFL_ENTRY_OFF.ip, ip);
    setU64(view, e + DFL_ENTRY_OFF.tstamp, tstamp);
    view.setUint16(e + DFL_ENTRY_OFF.cpu, ovfl.cpu, true);
    view.setUint16(e + DFL_ENTRY_OFF.set, ovfl.activeSet, true);
    view.setUint32(e + DFL_ENTRY_OFF.tgid, ovfl.tgid, true);
    for (let i = 0; i < ovfl.numSmplPmds; i++) {
      view.setUint32(e + DFL_ENTRY_BYTES + i * 8, ovfl.smplPmdsLo[i]!, true);
      view.setUint32(e + DFL_ENTRY_BYTES + i * 8 + 4, ovfl.smplPmdsHi[i]!, true);
    }
    ovfl.entryBytes = DFL_ENTRY_BYTES + 8 * ovfl.numSmplPmds;
    const next = cur + ovfl.entryBytes;
    setU64(view, buf + DFL_HDR_OFF.hdr_cur_offs, next);
    if (last - next < min) return full(view, buf, ovfl);
    ovfl.ovflCtrl = OVFL_CTRL_RESET;
    return 0;
  },

  /** Empties the buffer for the next round: hdr_overflows stays, old entry bytes stay. */
  restart(_isActive: boolean, ctrl: { value: number }, view: DataView, buf: number): number {
    setU64(view, buf + DFL_HDR_OFF.hdr_count, 0);
    setU64(view, buf + DFL_HDR_OFF.hdr_cur_offs, DFL_HDR_BYTES);
    ctrl.value = OVFL_CTRL_RESET;
    return 0;
  },

  exit(): number {
    return 0;
  },
});

function full(view: DataView, buf: number, ovfl: OvflArg): number {
  setU64(view, buf + DFL_HDR_OFF.hdr_overflows, getU64(view, buf + DFL_HDR_OFF.hdr_overflows) + 1);
  ovfl.ovflCtrl = OVFL_CTRL_NOTIFY | OVFL_CTRL_MASK;
  return -ENOBUFS;
}
