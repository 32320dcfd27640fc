/**
 * Sampling formats (perfmon_fmt.c, perfmon2-sampling.md §1.5): the registration object with its
 * six hooks, the registry a create call names a format from (by UUID in v2.2, by name in v2.3),
 * and what the core passes a handler for one overflowed PMD (struct pfm_ovfl_arg).
 *
 * Hooks work on simulated kernel memory: `view` is the kernel arena, `arg` the address of the
 * kernel copy of the format argument, `buf` the address of the sampling buffer. They return 0
 * or -errno as the kernel's do.
 */
import { PFM_MAX_MSGS } from '../abi/constants.js';
import { Errno } from '../abi/errno.js';

/**
 * ovfl_ctrl bits a handler sets (PFM_OVFL_CTRL_*). Their numeric values are UNVERIFIED (§5);
 * they never leave the simulated kernel, so only their meaning matters.
 */
export const OVFL_CTRL_NOTIFY = 0x1;
export const OVFL_CTRL_RESET = 0x2;
export const OVFL_CTRL_MASK = 0x4;
export const OVFL_CTRL_SWITCH = 0x8;

/** PMDs an entry can hold values for (the PMD bitmaps' 64 × BV_WORDS bits). */
const MAX_SMPL_PMDS = 320;

/**
 * struct pfm_ovfl_arg: the overflowed PMD and what the core knows of the interrupt, filled once
 * per overflowed PMD and reused (no allocation in the interrupt). u64 values are lo/hi halves.
 */
export class OvflArg {
  ovflPmd = 0;
  /** What the handler asks of the core (OVFL_CTRL_* bits). */
  ovflCtrl = 0;
  /** Bytes the handler wrote into the buffer for this sample (0: none); the core charges them. */
  entryBytes = 0;
  activeSet = 0;
  lastResetLo = 0;
  lastResetHi = 0;
  /** Values of the PMDs in the overflowed PMD's reg_smpl_pmds, in increasing index order. */
  numSmplPmds = 0;
  readonly smplPmdsLo = new Uint32Array(MAX_SMPL_PMDS);
  readonly smplPmdsHi = new Uint32Array(MAX_SMPL_PMDS);
  /** The interrupted thread: current->pid (the thread id), current->tgid, smp_processor_id(). */
  pid = 0;
  tgid = 0;
  cpu = 0;
}

/** `struct pfm_smpl_fmt`. */
export interface SmplFormat {
  /** fmt_name: how v2.3 and later name the format. */
  readonly name: string;
  /** fmt_uuid: how v2.2 names it (16 bytes); null for a format registered by name only. */
  readonly uuid: readonly number[] | null;
  readonly version: number;
  /** The exact size a create call must pass (or (size_t)-1, the IA-64 v2.0 back door). */
  readonly argSize: number;
  /** fmt_qdepth (v2.2): at most PFM_MAX_MSGS. */
  readonly qdepth: number;
  /** 0, or -errno to refuse the argument. */
  validate(ctxFlags: number, npmds: number, view: DataView, arg: number): number;
  /** The buffer size the format wants (0: no buffer), or -errno. */
  getsize(ctxFlags: number, view: DataView, arg: number): number;
  /** Sets up the buffer after allocation: 0, or -errno to fail the create. */
  init(view: DataView, buf: number, ctxFlags: number, npmds: number, arg: number): number;
  /**
   * One overflowed PMD: records a sample and sets `ovfl.ovflCtrl`. Nonzero stops the core
   * calling the handler for the interrupt's remaining overflowed PMDs.
   */
  handler(view: DataView, buf: number, ovfl: OvflArg, ip: number, tstamp: number): number;
  /** pfm_restart: sets `ctrl.value`; nonzero makes the core skip the reset and the unmask. */
  restart(isActive: boolean, ctrl: { value: number }, view: DataView, buf: number): number;
  /** At context free, before the buffer goes; the return value is ignored. */
  exit(view: DataView, buf: number): number;
}

/** The format registry (perfmon_fmt.c): what a create call names, and sysfs's formats/. */
export class SmplFormats {
  private readonly formats: SmplFormat[] = [];

  /**
   * pfm_register_smpl_fmt: EINVAL without a name or a handler (the one mandatory hook), with a null UUID (in a registry that names by
   * UUID), a qdepth over PFM_MAX_MSGS or an argument over a page; EBUSY for a name or UUID
   * already registered. Returns 0 or -errno.
   */
  register(fmt: SmplFormat, byUuid: boolean, pageSize: number): number {
    if (fmt.name === '' || typeof fmt.handler !== 'function') return -Errno.EINVAL;
    if (byUuid && (fmt.uuid === null || fmt.uuid.every((b) => b === 0))) return -Errno.EINVAL;
    if (fmt.qdepth > PFM_MAX_MSGS || fmt.argSize > pageSize) return -Errno.EINVAL;
    for (const f of this.formats) {
      if (f.name === fmt.name) return -Errno.EBUSY;
      if (fmt.uuid !== null && f.uuid !== null && sameUuid(f.uuid, fmt.uuid, 0)) return -Errno.EBUSY;
    }
    this.formats.push(fmt);
    return 0;
  }

  /** pfm_unregister_smpl_fmt: 0, or -EINVAL when no format has that name. */
  unregister(name: string): number {
    const i = this.formats.findIndex((f) => f.name === name);
    if (i < 0) return -Errno.EINVAL;
    this.formats.splice(i, 1);
    return 0;
  }

  byName(name: string): SmplFormat | undefined {
    return this.formats.find((f) => f.name === name);
  }

  /** The format whose UUID is the 16 bytes at `off` of `bytes`. */
  byUuid(bytes: Uint8Array, off: number): SmplFormat | undefined {
    return this.formats.find((f) => f.uuid !== null && sameUuid(f.uuid, bytes, off));
  }

  /** Names in registration order (sysfs formats/NAME). */
  names(): string[] {
    return this.formats.map((f) => f.name);
  }

  /** Each format's name and UUID as sysfs prints it (null: registered by name only). */
  list(): { name: string; uuid: string | null }[] {
    return this.formats.map((f) => ({ name: f.name, uuid: f.uuid === null ? null : formatUuid(f.uuid) }));
  }
}

function sameUuid(a: ArrayLike<number>, b: ArrayLike<number>, off: number): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[off + i]) return false;
  return true;
}

/** The 16 bytes of a UUID as sysfs prints it: 8-4-4-4-12 hex digits. */
export function formatUuid(uuid: ArrayLike<number>): string {
  const hex = Array.from({ length: 16 }, (_, i) => uuid[i]!.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
