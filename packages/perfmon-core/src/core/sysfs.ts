import { Errno, fail, ok, type SyscallResult } from '../abi/errno.js';
import type { PmuBinding } from './pmu.js';

export const SYSFS_ROOT = '/sys/kernel/perfmon';

export interface SysfsState {
  debug: number;
  debugOvfl: number;
  sysGroup: number;
  taskGroup: number;
  bufSizeMax: number;
  argSizeMax: number;
}

export interface SysfsSources {
  version: string;
  limitName: string;
  pageSize: number;
  pmu: PmuBinding;
  taskSessions: () => number;
  sysSessions: () => number;
  fastArgs: (kind: 'pmc' | 'pmd') => number;
  resetStats: () => void;
  /** Bytes in sampling buffers. */
  smplBufferMem: () => number;
  /** The registered sampling formats with their UUIDs as printed (null: named only). */
  formats: () => readonly { readonly name: string; readonly uuid: string | null }[];
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/**
 * /sys/kernel/perfmon as the V18 "sysfs support" patch describes it (perfmon2-abi.md §8): the
 * tunables with their validation, the read-only counters, and pmu_desc/. The limit file is
 * `arg_size_max` in v2.2 and `arg_mem_max` in v2.3 (the V19 file name is UNVERIFIED).
 */
export class Sysfs {
  readonly state: SysfsState;

  constructor(private readonly src: SysfsSources) {
    this.state = {
      debug: 0,
      debugOvfl: 0,
      sysGroup: -1,
      taskGroup: -1,
      bufSizeMax: Number.MAX_SAFE_INTEGER,
      argSizeMax: src.pageSize,
    };
  }

  /** Every readable path, relative to /sys/kernel/perfmon. */
  list(): string[] {
    const base = [
      'version',
      'task_sessions_count',
      'sys_sessions_count',
      'smpl_buffer_mem',
      'pmd_max_fast_arg',
      'pmc_max_fast_arg',
      'debug',
      'debug_ovfl',
      'reset_stats',
      'sys_group',
      'task_group',
      'buf_size_max',
      this.src.limitName,
      'pmu_desc/model',
      'pmu_desc/counter_width',
    ];
    const pmu = this.src.pmu;
    for (const f of this.src.formats()) if (f.uuid !== null) base.push(`formats/${f.name}/uuid`);
    for (const r of pmu.model.pmcs)
      for (const f of ['addr', 'dfl_val', 'name', 'rsvd_msk']) base.push(`pmu_desc/pmc${r.index}/${f}`);
    for (const r of pmu.model.pmds)
      for (const f of ['addr', 'dfl_val', 'name', 'rsvd_msk']) base.push(`pmu_desc/pmd${r.index}/${f}`);
    return base;
  }

  read(path: string): SyscallResult<string> {
    const p = relative(path);
    const s = this.state;
    switch (p) {
      case 'version':
        return ok(this.src.version);
      case 'task_sessions_count':
        return ok(String(this.src.taskSessions()));
      case 'sys_sessions_count':
        return ok(String(this.src.sysSessions()));
      case 'smpl_buffer_mem':
        return ok(String(this.src.smplBufferMem()));
      case 'pmd_max_fast_arg':
        return ok(String(this.src.fastArgs('pmd')));
      case 'pmc_max_fast_arg':
        return ok(String(this.src.fastArgs('pmc')));
      case 'debug':
        return ok(String(s.debug));
      case 'debug_ovfl':
        return ok(String(s.debugOvfl));
      case 'reset_stats':
        return ok('0');
      case 'sys_group':
        return ok(String(s.sysGroup));
      case 'task_group':
        return ok(String(s.taskGroup));
      case 'buf_size_max':
        return ok(s.bufSizeMax === Number.MAX_SAFE_INTEGER ? '18446744073709551615' : String(s.bufSizeMax));
      case this.src.limitName:
        return ok(String(s.argSizeMax));
      case 'pmu_desc/model':
        return ok(this.src.pmu.model.name);
      case 'pmu_desc/counter_width':
        return ok(String(this.src.pmu.width));
    }
    const fmt = /^formats\/([^/]+)\/uuid$/.exec(p);
    const uuid = fmt && this.src.formats().find((f) => f.name === fmt[1])?.uuid;
    if (uuid) return ok(uuid);
    const m = /^pmu_desc\/(pmc|pmd)(\d+)\/(addr|dfl_val|name|rsvd_msk)$/.exec(p);
    if (m) {
      const regs = m[1] === 'pmc' ? this.src.pmu.model.pmcs : this.src.pmu.model.pmds;
      const reg = regs.find((r) => r.index === Number(m[2]));
      if (!reg) return fail(Errno.ENOENT);
      if (m[3] === 'addr') return ok(hex(reg.hwAddr ?? 0n));
      if (m[3] === 'dfl_val') return ok(hex(reg.defaultValue));
      if (m[3] === 'name') return ok(reg.name);
      return ok(hex(reg.reservedMask));
    }
    return fail(Errno.ENOENT);
  }

  /** A write as root; `uid` other than 0 gets EACCES (the files are 0644). */
  write(path: string, value: string, uid = 0): SyscallResult<undefined> {
    const p = relative(path);
    if (!this.list().includes(p)) return fail(Errno.ENOENT);
    const writable = [
      'debug',
      'debug_ovfl',
      'reset_stats',
      'sys_group',
      'task_group',
      'buf_size_max',
      this.src.limitName,
    ];
    if (!writable.includes(p)) return fail(Errno.EACCES);
    if (uid !== 0) return fail(Errno.EACCES);
    if (p === 'reset_stats') {
      this.src.resetStats();
      return ok();
    }
    const n = parseInteger(value);
    if (n === null) return fail(Errno.EINVAL);
    const s = this.state;
    switch (p) {
      case 'debug':
        s.debug = n;
        if (n === 0) this.src.resetStats();
        return ok();
      case 'debug_ovfl':
        s.debugOvfl = n;
        return ok();
      case 'sys_group':
        s.sysGroup = n;
        return ok();
      case 'task_group':
        s.taskGroup = n;
        return ok();
      case 'buf_size_max':
        if (n < this.src.pageSize) return fail(Errno.EINVAL);
        s.bufSizeMax = n;
        return ok();
      default:
        if (n < this.src.pageSize) return fail(Errno.EINVAL);
        s.argSizeMax = n;
        return ok();
    }
  }
}

function relative(path: string): string {
  return path.startsWith(`${SYSFS_ROOT}/`) ? path.slice(SYSFS_ROOT.length + 1) : path.replace(/^\/+/, '');
}

function parseInteger(text: string): number | null {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}
