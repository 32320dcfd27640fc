import type { KGen, Thread } from '@pfmsim/kernel-sim';
import {
  PFM_CMD_STOPPED,
  PFM_CTX_UNLOADED,
  PFM_RW_PMC,
  PFM_RW_PMD,
  PFM_ST_START,
  PFM_ST_STOP,
} from './abi/constants.js';
import { Errno } from './abi/errno.js';
import { checkTaskState } from './core/state.js';
import { writePmc } from './rw/pmc.js';
import { readPmrPmd, writePmrPmd } from './rw/pmr.js';
import type { Syscalls, VectorSpec } from './syscalls.js';
import type { PerfmonSystem } from './system.js';

const PMR = 16;
const SINFO = 112;
const NO_TARGET = 0xffffffff;

/** pfm_write(PFM_RW_PMC | PFM_RW_PMD) and pfm_read(PFM_RW_PMD): 16-byte pfarg_pmr vectors, not copied back on write. */
const V3_WRITE_PMCS: VectorSpec = {
  entry: 'v3',
  name: 'pfm_write',
  kind: 'pmc',
  size: PMR,
  walk: PMR,
  mask: PFM_CMD_STOPPED,
  element: writePmc,
  copyBack: false,
};
const V3_WRITE_PMDS: VectorSpec = { ...V3_WRITE_PMCS, kind: 'pmd', element: writePmrPmd };
const V3_READ_PMDS: VectorSpec = { ...V3_WRITE_PMDS, name: 'pfm_read', element: readPmrPmd, copyBack: true };

/**
 * perfmon3's five calls (perfmon2-abi.md §15), on a system created with `abi: 'v3'`: one
 * 16-byte `pfarg_pmr` vector for PMCs and PMDs, `pfm_attach` for load/unload and
 * `pfm_set_state` for start/stop. No sets, no formats, no notifications.
 */
export class V3Syscalls {
  constructor(
    private readonly s: PerfmonSystem,
    private readonly v2: Syscalls,
  ) {}

  /** pfm_create(int flags, pfarg_sinfo *info): returns the fd; flags other than 0 are EINVAL. */
  *pfm_create(t: Thread, flags: number, usinfo = 0): KGen<number> {
    const s = this.s;
    const k = s.k;
    if (!s.v3) return yield* this.v2.enosys(t, 'pfm_create');
    k.syscallEnter(t, 'pfm_create');
    let ret: number;
    out: {
      if (s.options.disabled) {
        ret = -Errno.ENOSYS;
        break out;
      }
      if (flags !== 0) {
        ret = -Errno.EINVAL;
        break out;
      }
      const group = s.sysfs.state.taskGroup;
      if (group !== -1 && t.process.gid !== group && t.process.uid !== 0) {
        ret = -Errno.EPERM;
        break out;
      }
      const ctx = s.newContext(t, 0, false);
      if (ctx === null) {
        ret = -Errno.ENOMEM;
        break out;
      }
      const fd = s.installFd(t, ctx);
      if (fd < 0) {
        ret = fd;
        break out;
      }
      if (usinfo !== 0) {
        const local = k.stacks.areaAt(t, SINFO);
        k.mem.fillBytes(local, SINFO, 0);
        if (k.uaccess.copyToUser(t, usinfo, local, SINFO) !== 0) {
          k.fdRemove(t.process, fd);
          s.free(ctx, t);
          ret = -Errno.EFAULT;
          break out;
        }
      }
      ret = fd;
    }
    k.syscallExit(t);
    return ret;
  }

  /** pfm_write(fd, flags, type, req, sz): sz a nonzero multiple of 16, type PMC or PMD. */
  pfm_write(t: Thread, fd: number, flags: number, type: number, ureq: number, sz: number): KGen<number> {
    return this.rw(t, 'pfm_write', fd, flags, type, ureq, sz, false);
  }

  /** pfm_read(fd, flags, type, req, sz): PMDs only; the vector is copied back. */
  pfm_read(t: Thread, fd: number, flags: number, type: number, ureq: number, sz: number): KGen<number> {
    return this.rw(t, 'pfm_read', fd, flags, type, ureq, sz, true);
  }

  private *rw(
    t: Thread,
    name: string,
    fd: number,
    flags: number,
    type: number,
    ureq: number,
    sz: number,
    read: boolean,
  ): KGen<number> {
    const s = this.s;
    if (!s.v3) return yield* this.v2.enosys(t, name);
    const validType = read ? type === PFM_RW_PMD : type === PFM_RW_PMD || type === PFM_RW_PMC;
    if (flags !== 0 || !validType || !Number.isInteger(sz) || sz <= 0 || sz % PMR !== 0) {
      s.k.syscallEnter(t, name);
      s.k.syscallExit(t);
      return -Errno.EINVAL;
    }
    const spec = read ? V3_READ_PMDS : type === PFM_RW_PMC ? V3_WRITE_PMCS : V3_WRITE_PMDS;
    return yield* this.v2.vector(t, spec, fd, ureq, sz / PMR);
  }

  /** pfm_attach(fd, flags, target): load onto a thread (or this CPU); PFM_NO_TARGET unloads. */
  *pfm_attach(t: Thread, fd: number, flags: number, target: number): KGen<number> {
    const s = this.s;
    if (!s.v3) return yield* this.v2.enosys(t, 'pfm_attach');
    if (flags !== 0) return -Errno.EINVAL;
    const detach = target === NO_TARGET || target === -1;
    return yield* this.v2.simple(t, 'v3', 'pfm_attach', fd, (ctx) => {
      if (detach) {
        if (ctx.state === PFM_CTX_UNLOADED) return 0;
        const err = checkTaskState(ctx, t, PFM_CMD_STOPPED);
        if (err !== 0) return err;
        s.detach(ctx);
        return 0;
      }
      return this.v2.loadChecks(t, ctx, target, 0);
    });
  }

  /** pfm_set_state(fd, flags, PFM_ST_START | PFM_ST_STOP). */
  *pfm_set_state(t: Thread, fd: number, flags: number, state: number): KGen<number> {
    const s = this.s;
    if (!s.v3) return yield* this.v2.enosys(t, 'pfm_set_state');
    if (flags !== 0 || (state !== PFM_ST_START && state !== PFM_ST_STOP)) return -Errno.EINVAL;
    return yield* this.v2.simple(t, 'v3', 'pfm_set_state', fd, (ctx) => {
      if (state === PFM_ST_START) return this.v2.startChecks(t, ctx, -1);
      if (ctx.state === PFM_CTX_UNLOADED) return Errno.EINVAL;
      const err = checkTaskState(ctx, t, PFM_CMD_STOPPED);
      if (err !== 0) return err;
      ctx.started = false;
      return 0;
    });
  }
}
