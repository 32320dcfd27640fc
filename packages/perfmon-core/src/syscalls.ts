import { type ElemKind, vectorCall } from '@pfmsim/buffer-strategies';
import { type KGen, type Thread, ThreadKilled, Y_BLOCK, Y_PREEMPT } from '@pfmsim/kernel-sim';
import {
  PFM_CMD_STOPPED,
  PFM_CMD_UNLOAD,
  PFM_CMD_UNLOADED,
  PFM_CTX_LOADED,
  PFM_CTX_MASKED,
  PFM_CTX_UNLOADED,
  PFM_FL_NOTIFY_BLOCK,
  PFM_SETFL_EXPL_NEXT,
} from './abi/constants.js';
import { Errno, fail, ok, type SyscallResult } from './abi/errno.js';
import { LOAD_OFF, START_OFF } from './abi/layouts.js';
import { pfmMaxArgCount } from './abi/limits.js';
import { lockedBody } from './core/argcall.js';
import type { PfmContext } from './core/context.js';
import { createContext, HANDLER_FRAME } from './core/create.js';
import { MSG_BYTES } from './core/msg.js';
import { mmapSmplBuffer } from './core/smpl-buf.js';
import { checkTaskState } from './core/state.js';
import { writePmc } from './rw/pmc.js';
import { readPmd, writePmd } from './rw/pmd.js';
import { createEvtset, deleteEvtset, getinfoEvtset } from './rw/sets.js';
import type { ElementOp } from './rw/walk.js';
import type { PerfmonSystem } from './system.js';

/** A row of VECTOR_CALLS: a v2 vector call, its element kinds as structs. */
interface VectorCallRow {
  readonly name: string;
  /** Element kind the strategy sees. */
  readonly kind: ElemKind;
  /** Struct whose size sizes the copy, and struct whose size is the back-end's stride. */
  readonly size: ElemKind;
  readonly walk: ElemKind;
  /** pfm_check_task_state mask. */
  readonly mask: number;
  /** What the call does to each element (rw/walk.ts walks the vector). */
  readonly element: ElementOp;
}

/**
 * The system-call table a call came in through. perfmon3 kernels have only the V3 numbers:
 * a v2 call there is ENOSYS, even while another thread is inside a V3 call that runs the
 * shared v2 code path (the entry travels with each call, it is not a flag of the system).
 */
export type Entry = 'v2' | 'v3';

/** A vector call as the common path runs it: everything but the caller's fd, vector and count. */
export interface VectorSpec {
  readonly entry: Entry;
  readonly name: string;
  readonly kind: ElemKind;
  /** The element size the argument copy uses, and the stride the back-end walks (Q10). */
  readonly size: number;
  readonly walk: number;
  /** pfm_check_task_state mask. */
  readonly mask: number;
  /** What the call does to each element (rw/walk.ts walks the vector). */
  readonly element: ElementOp;
  /** Copy the vector back to user space after the back-end (every call but write_pmcs on v3). */
  readonly copyBack: boolean;
}

/** The six vector calls of perfmon2-abi.md §1 with their element kinds and state masks. */
const VECTOR_CALLS = {
  pfm_write_pmcs: {
    name: 'pfm_write_pmcs',
    kind: 'pmc',
    size: 'pmc',
    walk: 'pmc',
    mask: PFM_CMD_STOPPED,
    element: writePmc,
  },
  pfm_write_pmds: {
    name: 'pfm_write_pmds',
    kind: 'pmd',
    size: 'pmd',
    walk: 'pmd',
    mask: PFM_CMD_STOPPED,
    element: writePmd,
  },
  pfm_read_pmds: {
    name: 'pfm_read_pmds',
    kind: 'pmd',
    size: 'pmd',
    walk: 'pmd',
    mask: PFM_CMD_STOPPED,
    element: readPmd,
  },
  pfm_create_evtsets: {
    name: 'pfm_create_evtsets',
    kind: 'setdesc',
    size: 'setdesc',
    walk: 'setdesc',
    mask: PFM_CMD_UNLOADED,
    element: createEvtset,
  },
  pfm_getinfo_evtsets: {
    name: 'pfm_getinfo_evtsets',
    kind: 'setinfo',
    size: 'setinfo',
    walk: 'setinfo',
    mask: 0,
    element: getinfoEvtset,
  },
  pfm_delete_evtsets: {
    name: 'pfm_delete_evtsets',
    kind: 'setdesc',
    size: 'setinfo',
    walk: 'setdesc',
    mask: PFM_CMD_UNLOADED,
    element: deleteEvtset,
  },
} as const satisfies Record<string, VectorCallRow>;

/** A generator that yields nothing and returns `value`. */
// biome-ignore lint/correctness/useYield: a finished kernel path has nothing to yield
function* done(value: number): KGen<number> {
  return value;
}

const frameNames = new Map<string, string>();

/** "sys_pfm_read_pmds args", built once per call name. */
function frameName(name: string): string {
  let f = frameNames.get(name);
  if (f === undefined) {
    f = `sys_${name} args`;
    frameNames.set(name, f);
  }
  return f;
}

/** errno -> the kernel's negative return (0 stays +0). */
function negate(errno: number): number {
  return errno === 0 ? 0 : -errno;
}

/**
 * The 12 perfmon2 system calls and the file operations, as kernel code (generators yielding
 * at preemption points). Each returns a non-negative value or -errno, in the check order of
 * perfmon2-abi.md §3.
 */
export class Syscalls {
  /** The six v2 vector calls with this system's element sizes, resolved once. */
  private readonly specs: { readonly [K in keyof typeof VECTOR_CALLS]: VectorSpec };
  /** read()'s message buffer: the system's own, so two systems never share one. */
  private readonly msgScratch = new Uint8Array(MSG_BYTES);

  constructor(private readonly s: PerfmonSystem) {
    const resolve = (row: VectorCallRow): VectorSpec =>
      Object.freeze({
        entry: 'v2',
        name: row.name,
        kind: row.kind,
        size: s.elemSize(row.size),
        walk: s.elemSize(row.walk),
        mask: row.mask,
        element: row.element,
        copyBack: true,
      });
    // frozen: never changed (a world snapshot then skips them)
    this.specs = Object.freeze({
      pfm_write_pmcs: resolve(VECTOR_CALLS.pfm_write_pmcs),
      pfm_write_pmds: resolve(VECTOR_CALLS.pfm_write_pmds),
      pfm_read_pmds: resolve(VECTOR_CALLS.pfm_read_pmds),
      pfm_create_evtsets: resolve(VECTOR_CALLS.pfm_create_evtsets),
      pfm_getinfo_evtsets: resolve(VECTOR_CALLS.pfm_getinfo_evtsets),
      pfm_delete_evtsets: resolve(VECTOR_CALLS.pfm_delete_evtsets),
    });
  }

  /** Whether a call through this entry table exists on this kernel (perfmon3 has only its own). */
  private exists(entry: Entry): boolean {
    return entry === (this.s.v3 ? 'v3' : 'v2');
  }

  /** A v2 call on a perfmon3 kernel (or the reverse): the syscall number does not exist. */
  enosys(t: Thread, name: string): KGen<number> {
    this.s.k.syscallEnter(t, name);
    this.s.k.syscallExit(t);
    return done(-Errno.ENOSYS);
  }

  /** The six vector calls' common path (§3.1), for either entry. */
  *vector(t: Thread, spec: VectorSpec, fd: number, uaddr: number, count: number): KGen<number> {
    const s = this.s;
    const name = spec.name;
    if (!this.exists(spec.entry)) return yield* this.enosys(t, name);
    const k = s.k;
    k.syscallEnter(t, name);
    k.stacks.push(t, HANDLER_FRAME, name);
    let ret: number;
    let held: PfmContext | null = null;
    out: {
      if (!Number.isInteger(count) || count < 0 || count >= pfmMaxArgCount(spec.size)) {
        ret = -Errno.EINVAL;
        break out;
      }
      const ctx = s.fget(t, fd);
      held = ctx;
      if (ctx === null) {
        ret = -Errno.EBADF;
        break out;
      }
      if (count === 0) {
        ret = 0;
        break out;
      }
      const call = s.callFor(t);
      call.slot = ctx;
      call.kind = spec.kind;
      call.elemSize = spec.size;
      call.count = count;
      call.bytes = count * spec.size;
      call.limit = s.sysfs.state.argSizeMax;
      call.ctx = ctx;
      call.mask = spec.mask;
      call.walk = spec.walk;
      call.element = spec.element;
      ret = yield* vectorCall(s.strategy, call, uaddr, frameName(name), spec.copyBack, lockedBody);
      call.ctx = null;
    }
    if (held !== null) s.fput(held, t);
    k.stacks.pop(t, HANDLER_FRAME);
    k.syscallExit(t);
    return ret;
  }

  pfm_write_pmcs(t: Thread, fd: number, uaddr: number, count: number): KGen<number> {
    return this.vector(t, this.specs.pfm_write_pmcs, fd, uaddr, count);
  }

  pfm_write_pmds(t: Thread, fd: number, uaddr: number, count: number): KGen<number> {
    return this.vector(t, this.specs.pfm_write_pmds, fd, uaddr, count);
  }

  pfm_read_pmds(t: Thread, fd: number, uaddr: number, count: number): KGen<number> {
    return this.vector(t, this.specs.pfm_read_pmds, fd, uaddr, count);
  }

  pfm_create_evtsets(t: Thread, fd: number, uaddr: number, count: number): KGen<number> {
    return this.vector(t, this.specs.pfm_create_evtsets, fd, uaddr, count);
  }

  pfm_getinfo_evtsets(t: Thread, fd: number, uaddr: number, count: number): KGen<number> {
    return this.vector(t, this.specs.pfm_getinfo_evtsets, fd, uaddr, count);
  }

  /** Q10: sized as pfarg_setinfo (192 B) but walked as pfarg_setdesc (64 B). */
  pfm_delete_evtsets(t: Thread, fd: number, uaddr: number, count: number): KGen<number> {
    return this.vector(t, this.specs.pfm_delete_evtsets, fd, uaddr, count);
  }

  /** pfm_create_context, v2.3 or v2.2 form (core/create.ts). */
  *pfm_create_context(t: Thread, uctx: number, fmtName = 0, fmtArg = 0, fmtSize = 0): KGen<number> {
    if (this.s.v3) return yield* this.enosys(t, 'pfm_create_context');
    return yield* createContext(this.s, t, uctx, fmtName, fmtArg, fmtSize);
  }

  *pfm_load_context(t: Thread, fd: number, uload: number): KGen<number> {
    const s = this.s;
    if (s.v3) return yield* this.enosys(t, 'pfm_load_context');
    const k = s.k;
    k.syscallEnter(t, 'pfm_load_context');
    const frame = HANDLER_FRAME + s.abi.sizes.load;
    const local = k.stacks.areaAt(t, frame);
    k.stacks.push(t, frame, 'sys_pfm_load_context');
    let ret: number;
    let held: PfmContext | null = null;
    out: {
      let ctx: PfmContext | null = null;
      const faultFirst = s.abi.loadContextFaultBeforeBadf;
      if (!faultFirst) {
        ctx = held = s.fget(t, fd);
        if (ctx === null) {
          ret = -Errno.EBADF;
          break out;
        }
      }
      const notCopied = k.uaccess.copyFromUser(t, local, uload, s.abi.sizes.load);
      if (k.sleepPoint(t)) yield Y_PREEMPT;
      if (notCopied !== 0) {
        ret = -Errno.EFAULT;
        break out;
      }
      if (faultFirst) {
        ctx = held = s.fget(t, fd);
        if (ctx === null) {
          ret = -Errno.EBADF;
          break out;
        }
      }
      const c = ctx!;
      // Stryker disable next-line ArithmeticOperator: load_pid is at offset 0, so local - 0 reads the same bytes
      const pid = k.mem.view.getUint32(local + LOAD_OFF.load_pid, true);
      const setId = k.mem.view.getUint16(local + LOAD_OFF.load_set, true);
      if (k.sync.spinLockIrqsave(t, c.lock)) yield Y_BLOCK;
      ret = negate(this.loadChecks(t, c, pid, setId));
      k.sync.spinUnlockIrqrestore(t, c.lock);
    }
    if (held !== null) s.fput(held, t);
    k.stacks.pop(t, frame);
    k.syscallExit(t);
    return ret;
  }

  /** pfm_load_context's checks in order (§3.2), then the attach. Returns 0 or an errno. */
  loadChecks(t: Thread, ctx: PfmContext, pid: number, setId: number): number {
    const s = this.s;
    if (ctx.state !== PFM_CTX_UNLOADED) return ctx.state === 4 ? Errno.EINVAL : Errno.EBUSY;
    const set = ctx.sets.find(setId);
    // Q9 (intent): an EXPL_NEXT set whose set_id_next names no set is an invalid chain.
    const broken = ctx.sets.brokenChain(PFM_SETFL_EXPL_NEXT);
    if (ctx.systemWide) {
      if (!set || broken) return Errno.EINVAL;
      if (!s.sessions.systemFree(t.cpu)) return Errno.EBUSY;
      if (pid !== t.cpu) return Errno.EINVAL;
      s.sessions.acquireSystem(t.cpu);
      ctx.cpu = t.cpu;
    } else {
      const target = s.k.threads.find((x) => x.tid === pid && !x.exited) ?? null;
      if (target === null) return Errno.ESRCH;
      if (target !== t) {
        const caller = t.process.uid;
        if (caller !== 0 && caller !== target.process.uid) return Errno.EPERM;
        if (target.tracer !== t || !target.stopped) return Errno.ESRCH;
      }
      if (!set || broken) return Errno.EINVAL;
      if (target.slots.has('pfm_context')) return Errno.EEXIST;
      if (!s.sessions.taskFree()) return Errno.EBUSY;
      if (target === t && ctx.flags & PFM_FL_NOTIFY_BLOCK && s.options.notifyBlockSelf === 'einval')
        return Errno.EINVAL;
      s.sessions.acquireTask();
      ctx.target = target;
      ctx.loader = t;
      target.slots.set('pfm_context', ctx);
    }
    ctx.active = set;
    ctx.state = PFM_CTX_LOADED;
    ctx.started = false;
    set.runs++;
    return 0;
  }

  *pfm_start(t: Thread, fd: number, ustart = 0): KGen<number> {
    const s = this.s;
    if (s.v3) return yield* this.enosys(t, 'pfm_start');
    const k = s.k;
    k.syscallEnter(t, 'pfm_start');
    const frame = HANDLER_FRAME + s.abi.sizes.start;
    const local = k.stacks.areaAt(t, frame);
    k.stacks.push(t, frame, 'sys_pfm_start');
    let ret: number;
    let held: PfmContext | null = null;
    out: {
      const ctx = s.fget(t, fd);
      held = ctx;
      if (ctx === null) {
        ret = -Errno.EBADF;
        break out;
      }
      let startSet = -1;
      if (ustart !== 0) {
        const notCopied = k.uaccess.copyFromUser(t, local, ustart, s.abi.sizes.start);
        if (k.sleepPoint(t)) yield Y_PREEMPT;
        if (notCopied !== 0) {
          ret = -Errno.EFAULT; // Q6: errno as in 2006; the leaked file reference is not reproduced
          break out;
        }
        // Stryker disable next-line ArithmeticOperator: start_set is at offset 0, so local - 0 reads the same bytes
        startSet = k.mem.view.getUint16(local + START_OFF.start_set, true);
      }
      if (k.sync.spinLockIrqsave(t, ctx.lock)) yield Y_BLOCK;
      ret = negate(this.startChecks(t, ctx, startSet));
      k.sync.spinUnlockIrqrestore(t, ctx.lock);
    }
    if (held !== null) s.fput(held, t);
    k.stacks.pop(t, frame);
    k.syscallExit(t);
    return ret;
  }

  startChecks(t: Thread, ctx: PfmContext, startSet: number): number {
    if (ctx.state !== PFM_CTX_LOADED) return Errno.EINVAL;
    const err = checkTaskState(ctx, t, PFM_CMD_STOPPED);
    if (err !== 0) return err;
    if (startSet >= 0) {
      const set = ctx.sets.find(startSet);
      if (!set) return Errno.EINVAL;
      if (set !== ctx.active) {
        // a pfm_start set switch applies the long reset values
        for (let p = 0; p < set.pmdCount; p++) if (set.ovflPmds[p] === 1) this.s.resetPmd(set, p, true);
        this.s.switchSet(ctx, set);
      }
    }
    ctx.started = true;
    return 0;
  }

  *pfm_stop(t: Thread, fd: number): KGen<number> {
    return yield* this.simple(t, 'v2', 'pfm_stop', fd, (ctx) => {
      if (ctx.state === PFM_CTX_UNLOADED) return Errno.EINVAL;
      const err = checkTaskState(ctx, t, PFM_CMD_STOPPED);
      if (err !== 0) return err;
      ctx.started = false;
      return 0;
    });
  }

  *pfm_restart(t: Thread, fd: number): KGen<number> {
    return yield* this.simple(t, 'v2', 'pfm_restart', fd, (ctx) => {
      const err = checkTaskState(ctx, t, 0);
      if (err !== 0) return err;
      if (ctx.state !== PFM_CTX_LOADED && ctx.state !== PFM_CTX_MASKED) return Errno.EBUSY;
      if (ctx.state === PFM_CTX_LOADED) return 0;
      if (!ctx.systemWide && ctx.target !== t && !ctx.canRestart) return Errno.EBUSY;
      this.s.resume(ctx, t);
      return 0;
    });
  }

  *pfm_unload_context(t: Thread, fd: number): KGen<number> {
    return yield* this.simple(t, 'v2', 'pfm_unload_context', fd, (ctx) => {
      if (ctx.state === PFM_CTX_UNLOADED) return 0;
      const err = checkTaskState(ctx, t, PFM_CMD_STOPPED | PFM_CMD_UNLOAD);
      if (err !== 0) return err;
      this.s.detach(ctx);
      return 0;
    });
  }

  /** fd lookup, then `body` under ctx->lock with irqs off; `entry`: the table the call came through. */
  *simple(
    t: Thread,
    entry: Entry,
    name: string,
    fd: number,
    body: (ctx: PfmContext) => number,
  ): KGen<number> {
    const s = this.s;
    if (!this.exists(entry)) return yield* this.enosys(t, name);
    const k = s.k;
    k.syscallEnter(t, name);
    k.stacks.push(t, HANDLER_FRAME, `sys_${name}`);
    let ret: number;
    const ctx = s.fget(t, fd);
    if (ctx === null) ret = -Errno.EBADF;
    else {
      if (k.sync.spinLockIrqsave(t, ctx.lock)) yield Y_BLOCK;
      ret = negate(body(ctx));
      k.sync.spinUnlockIrqrestore(t, ctx.lock);
      s.fput(ctx, t);
    }
    k.stacks.pop(t, HANDLER_FRAME);
    k.syscallExit(t);
    return ret;
  }

  /** read() on the context fd: one 56-byte message per call (§12). */
  *read(t: Thread, fd: number, ubuf: number, size: number): KGen<number> {
    const s = this.s;
    const k = s.k;
    k.syscallEnter(t, 'read');
    let ret: number;
    let held: PfmContext | null = null;
    out: {
      const ctx = s.fget(t, fd);
      held = ctx;
      if (ctx === null) {
        ret = -Errno.EBADF;
        break out;
      }
      if (size < MSG_BYTES) {
        ret = -Errno.EINVAL;
        break out;
      }
      while (ctx.msgs.count === 0) {
        if (ctx.nonblock || ctx.freed) {
          ret = -Errno.EAGAIN;
          break out;
        }
        ctx.msgqWait.sleepOn(t);
        yield Y_BLOCK;
      }
      ctx.msgs.shift(this.msgScratch);
      const kbuf = k.stacks.areaAt(t, MSG_BYTES);
      k.mem.chunkBytes(kbuf).set(this.msgScratch, k.mem.chunkOffset(kbuf));
      if (k.uaccess.copyToUser(t, ubuf, kbuf, MSG_BYTES) !== 0) ret = -Errno.EFAULT;
      else ret = MSG_BYTES;
      if (k.sleepPoint(t)) yield Y_PREEMPT;
    }
    if (held !== null) s.fput(held, t);
    k.syscallExit(t);
    return ret;
  }

  /** mmap() of the context fd: the sampling buffer, read-only (core/smpl-buf.ts). */
  mmap(t: Thread, fd: number, length: number, prot: number, offset = 0): number {
    const ctx = this.s.lookup(t, fd);
    if (ctx === null) return -Errno.EBADF;
    return mmapSmplBuffer(this.s, t, ctx, length, prot, offset);
  }

  /** poll(): POLLIN (1) when a message is queued; POLLNVAL (32) for a bad fd. */
  poll(t: Thread, fd: number): number {
    const ctx = this.s.lookup(t, fd);
    if (ctx === null) return 32;
    return ctx.msgs.count > 0 ? 1 : 0;
  }

  /** close(): the last descriptor destroys the context or leaves a zombie (§2). */
  close(t: Thread, fd: number): number {
    const k = this.s.k;
    const file = k.fdRemove(t.process, fd);
    if (file === null) return -Errno.EBADF;
    const ctx = file as PfmContext;
    if (ctx.kind !== 'perfmon') {
      file.release?.(t);
      return 0;
    }
    k.touch(ctx, true);
    if (--ctx.refs === 0) ctx.release(t);
    return 0;
  }

  /** dup(): another descriptor for the same context. */
  dup(t: Thread, fd: number): number {
    const ctx = this.s.lookup(t, fd);
    if (ctx === null) return -Errno.EBADF;
    const nfd = this.s.k.fdInstall(t.process, ctx);
    if (nfd < 0) return -Errno.EMFILE;
    this.s.k.touch(ctx, true);
    ctx.refs++;
    return nfd;
  }

  /**
   * fcntl(F_SETFL, O_ASYNC) with F_SETOWN to `t`: `handler` is the SIGIO handler, run in t's
   * user context when a message is queued (pass null to clear).
   */
  setAsync(t: Thread, fd: number, handler: ((t: Thread) => void) | null): number {
    const ctx = this.s.lookup(t, fd);
    if (ctx === null) return -Errno.EBADF;
    ctx.asyncOwner = handler ? t : null;
    ctx.asyncHandler = handler;
    ctx.sigioPending = handler !== null && ctx.msgs.count > 0;
    return 0;
  }

  /** fcntl(F_SETFL, O_NONBLOCK). */
  setNonblock(t: Thread, fd: number, on: boolean): number {
    const ctx = this.s.lookup(t, fd);
    if (ctx === null) return -Errno.EBADF;
    ctx.nonblock = on;
    return 0;
  }
}

/** The 12 calls run synchronously on one thread, returning `{ok, value} | {ok: false, errno}`. */
export class SyncGate {
  constructor(
    private readonly s: PerfmonSystem,
    readonly t: Thread,
  ) {}

  private run(gen: KGen<number>): SyscallResult<number> {
    let r: number;
    try {
      r = this.s.k.runSync(this.t, gen);
    } catch (e) {
      // Stryker disable next-line ConditionalExpression: both branches rethrow the same error
      if (e instanceof ThreadKilled) throw e;
      throw e;
    }
    return r < 0 ? fail(-r as never) : ok(r);
  }

  pfm_create_context(uctx: number, fmtName = 0, fmtArg = 0, fmtSize = 0) {
    return this.run(this.s.sys.pfm_create_context(this.t, uctx, fmtName, fmtArg, fmtSize));
  }
  pfm_write_pmcs(fd: number, uaddr: number, count: number) {
    return this.run(this.s.sys.pfm_write_pmcs(this.t, fd, uaddr, count));
  }
  pfm_write_pmds(fd: number, uaddr: number, count: number) {
    return this.run(this.s.sys.pfm_write_pmds(this.t, fd, uaddr, count));
  }
  pfm_read_pmds(fd: number, uaddr: number, count: number) {
    return this.run(this.s.sys.pfm_read_pmds(this.t, fd, uaddr, count));
  }
  pfm_load_context(fd: number, uload: number) {
    return this.run(this.s.sys.pfm_load_context(this.t, fd, uload));
  }
  pfm_start(fd: number, ustart = 0) {
    return this.run(this.s.sys.pfm_start(this.t, fd, ustart));
  }
  pfm_stop(fd: number) {
    return this.run(this.s.sys.pfm_stop(this.t, fd));
  }
  pfm_restart(fd: number) {
    return this.run(this.s.sys.pfm_restart(this.t, fd));
  }
  pfm_create_evtsets(fd: number, uaddr: number, count: number) {
    return this.run(this.s.sys.pfm_create_evtsets(this.t, fd, uaddr, count));
  }
  pfm_getinfo_evtsets(fd: number, uaddr: number, count: number) {
    return this.run(this.s.sys.pfm_getinfo_evtsets(this.t, fd, uaddr, count));
  }
  pfm_delete_evtsets(fd: number, uaddr: number, count: number) {
    return this.run(this.s.sys.pfm_delete_evtsets(this.t, fd, uaddr, count));
  }
  pfm_unload_context(fd: number) {
    return this.run(this.s.sys.pfm_unload_context(this.t, fd));
  }
  read(fd: number, ubuf: number, size: number) {
    return this.run(this.s.sys.read(this.t, fd, ubuf, size));
  }
  poll(fd: number): number {
    return this.s.sys.poll(this.t, fd);
  }
  /** perfmon3 (abi: 'v3') */
  pfm_create(flags: number, usinfo = 0) {
    return this.run(this.s.v3sys.pfm_create(this.t, flags, usinfo));
  }
  pfm_write(fd: number, flags: number, type: number, ureq: number, sz: number) {
    return this.run(this.s.v3sys.pfm_write(this.t, fd, flags, type, ureq, sz));
  }
  pfm_read(fd: number, flags: number, type: number, ureq: number, sz: number) {
    return this.run(this.s.v3sys.pfm_read(this.t, fd, flags, type, ureq, sz));
  }
  pfm_attach(fd: number, flags: number, target: number) {
    return this.run(this.s.v3sys.pfm_attach(this.t, fd, flags, target));
  }
  pfm_set_state(fd: number, flags: number, state: number) {
    return this.run(this.s.v3sys.pfm_set_state(this.t, fd, flags, state));
  }
  /** mmap(NULL, length, prot, MAP_PRIVATE, fd, offset): the user address. */
  mmap(fd: number, length: number, prot: number, offset = 0): SyscallResult<number> {
    const r = this.s.sys.mmap(this.t, fd, length, prot, offset);
    return r < 0 ? fail(-r as never) : ok(r);
  }
  close(fd: number): SyscallResult<number> {
    const r = this.s.sys.close(this.t, fd);
    return r < 0 ? fail(-r as never) : ok(r);
  }
  dup(fd: number): SyscallResult<number> {
    const r = this.s.sys.dup(this.t, fd);
    return r < 0 ? fail(-r as never) : ok(r);
  }
}
