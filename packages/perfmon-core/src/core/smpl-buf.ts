/**
 * A context's sampling buffer (perfmon2-sampling.md §1.3, §1.4): pfm_setup_smpl_fmt (validate,
 * getsize, reserve, vmalloc, init), the 2006 accounting of perfmon_res.c (a global cap and the
 * creator's RLIMIT_MEMLOCK through mm->locked_vm) and the release at context free, deferred
 * while the process still maps the buffer.
 */
import { PROT_WRITE, type Process, type Thread } from '@pfmsim/kernel-sim';
import { Errno } from '../abi/errno.js';
import type { PerfmonSystem } from '../system.js';
import type { PfmContext } from './context.js';
import type { SmplFormat } from './smpl-fmt.js';

/** ctx->smpl_fmt, ctx->smpl_addr, ctx->smpl_size, and who was charged for it. */
export class SmplBuffer {
  /** Live user mappings of the buffer (mmap on the context fd). */
  mappings = 0;
  /** The context is gone; the pages go with the last mapping. */
  orphaned = false;
  constructor(
    readonly fmt: SmplFormat,
    /** Kernel address of the buffer (0: the format wanted none). */
    readonly addr: number,
    /** Page-aligned size, what v2.2 returns in ctx_smpl_buf_size and mmap may cover. */
    readonly size: number,
    readonly charged: Process,
  ) {}
}

/**
 * pfm_reserve_buf_space (2006): the global cap first (sysfs buf_size_max; UNVERIFIED that the
 * 2.6.17 file is the one enforced here, see the README), then the creator's RLIMIT_MEMLOCK.
 * Either one over its limit is ENOMEM, and nothing stays charged.
 */
function reserve(sys: PerfmonSystem, p: Process, size: number): number {
  if (sys.smplBufferMem + size > sys.sysfs.state.bufSizeMax) return -Errno.ENOMEM;
  const pageSize = sys.k.arch.pageSize;
  if (p.lockedVm * pageSize + size > p.memlockLimit) return -Errno.ENOMEM;
  sys.smplBufferMem += size;
  p.lockedVm += size / pageSize;
  return 0;
}

function unreserve(sys: PerfmonSystem, p: Process, size: number): void {
  sys.smplBufferMem -= size;
  p.lockedVm -= size / sys.k.arch.pageSize;
}

/**
 * pfm_setup_smpl_fmt for a context of `ctxFlags` created by `t`, with the kernel copy of the
 * format argument at `arg`: the buffer, or -errno with nothing left allocated or charged.
 * A failing fmt_init releases the buffer without fmt_exit (v2.2, S11).
 */
export function setupSmplBuffer(
  sys: PerfmonSystem,
  t: Thread,
  fmt: SmplFormat,
  ctxFlags: number,
  arg: number,
): SmplBuffer | number {
  const k = sys.k;
  const view = k.mem.view;
  const npmds = sys.pmu.model.pmds.length;
  const invalid = fmt.validate(ctxFlags, npmds, view, arg);
  if (invalid !== 0) return invalid;
  const wanted = fmt.getsize(ctxFlags, view, arg);
  if (wanted < 0) return wanted;
  if (wanted === 0) return new SmplBuffer(fmt, 0, 0, t.process);
  const pageSize = k.arch.pageSize;
  const size = Math.ceil(wanted / pageSize) * pageSize;
  // vmalloc cannot give more than the arena holds; past that, the allocation fails as vmalloc does
  if (size > k.mem.numPages * pageSize) return -Errno.ENOMEM;
  const reserved = reserve(sys, t.process, size);
  if (reserved !== 0) return reserved;
  const addr = k.mem.vmalloc(t, size, sys.smplOwner, sys.smplOwner);
  if (addr === 0) {
    unreserve(sys, t.process, size);
    return -Errno.ENOMEM;
  }
  const failed = fmt.init(view, addr, ctxFlags, npmds, arg);
  if (failed !== 0) {
    k.mem.vfree(t, addr);
    unreserve(sys, t.process, size);
    return failed;
  }
  return new SmplBuffer(fmt, addr, size, t.process);
}

/** At context free: fmt_exit, then the pages and the charge, unless a mapping still holds them. */
export function freeSmplBuffer(sys: PerfmonSystem, t: Thread | null, buf: SmplBuffer): void {
  buf.fmt.exit(sys.k.mem.view, buf.addr);
  buf.orphaned = true;
  if (buf.mappings === 0) releasePages(sys, t, buf);
}

/** The last mapping of a buffer is gone: its pages go too if the context already has. */
export function smplUnmapped(sys: PerfmonSystem, buf: SmplBuffer): void {
  buf.mappings--;
  if (buf.orphaned && buf.mappings === 0) releasePages(sys, null, buf);
}

function releasePages(sys: PerfmonSystem, t: Thread | null, buf: SmplBuffer): void {
  if (buf.addr === 0) return;
  sys.k.mem.vfree(t, buf.addr);
  unreserve(sys, buf.charged, buf.size);
}

/**
 * pfm_mmap of the buffer (2.6.17-rc5, §1.4): read-only, offset 0, at most the page-aligned size
 * (a shorter mapping is fine). Nonzero offsets map PFM_FL_MAP_SETS set views, which pfmsim does
 * not simulate: EINVAL. Returns the user address or -errno (ENOMEM: no room in the process).
 */
export function mmapSmplBuffer(
  sys: PerfmonSystem,
  t: Thread,
  ctx: PfmContext,
  length: number,
  prot: number,
  offset: number,
): number {
  const buf = ctx.smpl;
  if (prot & PROT_WRITE || offset !== 0) return -Errno.EINVAL;
  if (buf === null || buf.addr === 0) return -Errno.EINVAL;
  if (!Number.isInteger(length) || length <= 0 || length > buf.size) return -Errno.EINVAL;
  const u = t.process.mm.mapKernelPages(buf.addr, length, prot, () => smplUnmapped(sys, buf));
  if (u === 0) return -Errno.ENOMEM;
  buf.mappings++;
  return u;
}
