/**
 * pfm_create_context (perfmon_syscalls.c + __pfm_create_context, perfmon2-abi.md §3.2 and
 * perfmon2-sampling.md §1): the pfarg_ctx copy, pfm_get_smpl_arg (the format by UUID in v2.2,
 * by name in v2.3, and the copy of its argument), the context and its sampling buffer, the fd.
 */
import { argumentCall, SLOT_WORDS, SMPL_ARG_KIND } from '@pfmsim/buffer-strategies';
import { GFP_KERNEL, type KGen, type Thread, Y_PREEMPT } from '@pfmsim/kernel-sim';
import { PFM_FL_NOTIFY_BLOCK, PFM_FL_SYSTEM_WIDE } from '../abi/constants.js';
import { Errno } from '../abi/errno.js';
import type { PerfmonSystem } from '../system.js';
import { setupSmplBuffer } from './smpl-buf.js';
import type { SmplFormat } from './smpl-fmt.js';

/** The syscall handler's own frame (locals besides the argument copies): an estimate. */
export const HANDLER_FRAME = 96;

/** getname()'s limit: a format name is read like a path. */
const PATH_MAX = 4096;

/**
 * `size_t` -1, the back door of pfm_get_smpl_arg for the IA-64 v2.0 compatibility path: any
 * argument size is taken as the format's own. A caller may pass it as -1 or as the all-ones
 * value of its word size.
 */
function isSizeMinusOne(size: number, wordSize: number): boolean {
  return size === -1 || size === (wordSize === 8 ? 2 ** 64 - 1 : 0xffffffff);
}

/** The format named by the call (null: none), or -errno. */
function* lookupFormat(
  s: PerfmonSystem,
  t: Thread,
  local: number,
  fmtName: number,
  fmtSize: number,
): KGen<SmplFormat | null | number> {
  const k = s.k;
  let fmt: SmplFormat | undefined;
  if (s.abi.id === 'v2.2') {
    // a null UUID in ctx_smpl_buf_id: no format, and no argument is copied
    if (k.mem.bytesAt(local, 16).every((b) => b === 0)) return null;
    fmt = s.formats.byUuid(k.mem.chunkBytes(local), k.mem.chunkOffset(local));
  } else {
    if (fmtName === 0) return null;
    // getname(): the name into a names_cache buffer. It failing (NULL) is ENOMEM; a name that
    // cannot be read is EFAULT (the true errno of an ERR_PTR there is UNVERIFIED, §1.2)
    const name = k.mem.kmalloc(t, PATH_MAX, GFP_KERNEL, s.smplOwner, s.nameSite);
    if (name === 0) return -Errno.ENOMEM;
    const len = k.uaccess.strncpyFromUser(t, name, fmtName, PATH_MAX, s.nameSite);
    if (k.sleepPoint(t)) yield Y_PREEMPT;
    // (a negative len reads as empty; a name with no NUL within PATH_MAX names no format)
    const text = new TextDecoder().decode(k.mem.bytesAt(name, Math.max(0, len)));
    k.mem.kfree(t, name);
    if (len < 0) return -Errno.EFAULT;
    fmt = s.formats.byName(text);
  }
  if (!fmt) return -Errno.EINVAL;
  if (fmtSize !== fmt.argSize && !isSizeMinusOne(fmtSize, k.arch.wordSize)) return -Errno.EINVAL;
  return fmt;
}

/**
 * The rest of the call once the format argument (if any) is in the kernel at `arg`: the flag
 * checks, the context, its sampling buffer, the fd, and v2.2's copy out. Returns the fd (v2.3),
 * 0 (v2.2) or -errno, with nothing left allocated on an error.
 */
function createWith(
  s: PerfmonSystem,
  t: Thread,
  uctx: number,
  local: number,
  fmt: SmplFormat | null,
  arg: number,
): number {
  const k = s.k;
  const abi = s.abi;
  const view = k.mem.view;
  const flags = view.getUint32(local + abi.offsets.ctxFlags, true);
  const systemWide = (flags & PFM_FL_SYSTEM_WIDE) !== 0;
  if (systemWide && flags & PFM_FL_NOTIFY_BLOCK) return -Errno.EINVAL;
  const group = systemWide ? s.sysfs.state.sysGroup : s.sysfs.state.taskGroup;
  if (group !== -1 && t.process.gid !== group && t.process.uid !== 0) return -Errno.EPERM;
  const ctx = s.newContext(t, flags, systemWide);
  if (ctx === null) return -Errno.ENOMEM;
  if (fmt !== null) {
    const buf = setupSmplBuffer(s, t, fmt, flags, arg);
    if (typeof buf === 'number') {
      s.free(ctx, t);
      return buf;
    }
    ctx.smpl = buf;
  }
  const fd = s.installFd(t, ctx);
  if (fd < 0 || abi.createContextReturnsFd) return fd;
  // v2.2 writes the fd and the buffer's page-aligned size (0 without one)
  view.setInt32(local + abi.offsets.ctxFd, fd, true);
  view.setBigUint64(local + abi.offsets.ctxSmplBufSize, BigInt(ctx.smpl?.size ?? 0), true);
  if (k.uaccess.copyToUser(t, uctx, local, abi.sizes.ctx) !== 0) {
    k.fdRemove(t.process, fd);
    s.free(ctx, t);
    return -Errno.EFAULT;
  }
  return 0;
}

/**
 * The kernel copy of the format argument through the strategy (perfmon2-sampling.md §1.2;
 * the seed's question for the second variable-size argument), then the rest of the call.
 * No context exists yet: the strategy's slot for this call is a frame of pfm_get_smpl_arg
 * (SLOT_WORDS zeroed words, the caller's uid, a lock of its own class).
 */
function* withFormatArg(
  s: PerfmonSystem,
  t: Thread,
  uctx: number,
  local: number,
  fmt: SmplFormat,
  fmtArg: number,
): KGen<number> {
  const k = s.k;
  const slotBytes = SLOT_WORDS * k.arch.wordSize;
  const slotAddr = k.stacks.areaAt(t, slotBytes);
  k.stacks.push(t, slotBytes, 'pfm_get_smpl_arg');
  k.mem.fillBytes(slotAddr, slotBytes, 0);
  const call = s.callFor(t);
  const uid = t.process.uid;
  const owner = k.mem.tag(`args:uid:${uid}`);
  call.slot = { id: 0, addr: slotAddr, lock: s.argSlotLock, uid, owner, data: null };
  call.kind = SMPL_ARG_KIND;
  call.elemSize = fmt.argSize;
  call.count = 1;
  call.bytes = fmt.argSize;
  // arg_size_max does not apply to the format argument; registration bounds it by PAGE_SIZE
  call.limit = k.arch.pageSize;
  call.site = s.smplArgSite;
  try {
    return yield* argumentCall(s.strategy, call, fmtArg, 'sys_pfm_get_smpl_arg args', (c) =>
      createWith(s, t, uctx, local, fmt, c.buf),
    );
  } finally {
    call.site = s.argSite;
    k.stacks.pop(t, slotBytes);
  }
}

/**
 * v2.3: pfm_create_context(pfarg_ctx *u, char *fmt_name, void *fmt_arg, size_t fmt_size)
 * returns the fd. v2.2: (pfarg_ctx *u, void *smpl_arg, size_t smpl_size) names the format by
 * the UUID in u, writes u->ctx_fd and u->ctx_smpl_buf_size and returns 0 (pass fmtName = 0).
 */
export function* createContext(
  s: PerfmonSystem,
  t: Thread,
  uctx: number,
  fmtName: number,
  fmtArg: number,
  fmtSize: number,
): KGen<number> {
  const k = s.k;
  const abi = s.abi;
  k.syscallEnter(t, 'pfm_create_context');
  const frame = HANDLER_FRAME + abi.sizes.ctx;
  const local = k.stacks.areaAt(t, frame);
  k.stacks.push(t, frame, 'sys_pfm_create_context');
  let ret: number;
  if (s.options.disabled) ret = -Errno.ENOSYS;
  else {
    const notCopied = k.uaccess.copyFromUser(t, local, uctx, abi.sizes.ctx);
    if (k.sleepPoint(t)) yield Y_PREEMPT;
    const fmt = notCopied !== 0 ? -Errno.EFAULT : yield* lookupFormat(s, t, local, fmtName, fmtSize);
    if (typeof fmt === 'number') ret = fmt;
    else if (fmt === null || fmt.argSize === 0) ret = createWith(s, t, uctx, local, fmt, 0);
    else ret = yield* withFormatArg(s, t, uctx, local, fmt, fmtArg);
  }
  k.stacks.pop(t, frame);
  k.syscallExit(t);
  return ret;
}
