import { type ArgBufferStrategy, createKmallocStrategy, SLOT_WORDS } from '@pfmsim/buffer-strategies';
import {
  type ArchOverrides,
  CAT,
  type CostOverrides,
  createKernel,
  type FaultConfig,
  InvalidArgumentError,
  type Kernel,
  type KGen,
  type Process,
  type Spinlock,
  type Thread,
} from '@pfmsim/kernel-sim';
import { getModel, type PmuModel } from '@pfmsim/pmu-models';
import {
  PFM_CTX_LOADED,
  PFM_CTX_UNLOADED,
  PFM_CTX_ZOMBIE,
  PFM_MSG_END,
  PFM_REGFL_RANDOM,
} from './abi/constants.js';
import { Errno } from './abi/errno.js';
import { MSG_OFF } from './abi/layouts.js';
import {
  ABI_V2_3,
  type AbiProfile,
  type AbiProfileId,
  assertV2Profile,
  getAbiProfile,
  type V2AbiProfile,
} from './abi/profiles.js';
import { PfmArgCall } from './core/argcall.js';
import { CONTEXT_BYTES, PfmContext } from './core/context.js';
import { resetOverflowed } from './core/intr.js';
import { PmdStore } from './core/pmd-store.js';
import { type PmuBinding, pmuBinding } from './core/pmu.js';
import { runWorkload } from './core/run.js';
import { Sessions } from './core/sessions.js';
import type { EventSet } from './core/sets.js';
import { freeSmplBuffer } from './core/smpl-buf.js';
import { DFL_SMPL_FMT } from './core/smpl-dfl.js';
import { OVFL_CTRL_MASK, OVFL_CTRL_RESET, OvflArg, SmplFormats } from './core/smpl-fmt.js';
import { Sysfs } from './core/sysfs.js';
import type { Workload } from './core/workload.js';
import { splitCounter } from './rw/u64.js';
import { SyncGate, Syscalls } from './syscalls.js';
import { V3Syscalls } from './syscalls-v3.js';

export interface MachineSpec {
  arch: string;
  cost: string;
  /** A pmu-models id or a model object. */
  pmu: string | PmuModel;
}

export interface PerfmonOptions {
  /** Q1: returned reg_flags: 'historical' (the input, V16–V19) or 'intent' (RETFL bits). */
  retflags?: 'historical' | 'intent';
  /** Q15: NOTIFY_BLOCK on a self-monitoring load: 'einval' (intent) or 'allow'. */
  notifyBlockSelf?: 'einval' | 'allow';
  /** perfmon disabled at boot: every create gets ENOSYS. */
  disabled?: boolean;
}

export interface SystemOptions extends PerfmonOptions {
  machine: MachineSpec;
  strategy?: ArgBufferStrategy;
  abi?: AbiProfileId;
  seed?: number;
  cpus?: number;
  faults?: FaultConfig;
  arenaBytes?: number;
  costOverrides?: CostOverrides;
  archOverrides?: ArchOverrides;
  preemptAll?: boolean;
  raceDetection?: boolean;
}

export interface ResolvedPerfmonOptions {
  readonly retflags: 'historical' | 'intent';
  readonly notifyBlockSelf: 'einval' | 'allow';
  readonly disabled: boolean;
}

/**
 * A simulated machine running perfmon2: kernel-sim + a PMU description + an ABI profile + an
 * argument-buffer strategy. Threads call the system calls through `sys` (generators, for
 * scheduled multi-thread runs) or `gate(t)` (synchronous, single thread).
 */
export class PerfmonSystem {
  readonly k: Kernel;
  readonly pmu: PmuBinding;
  /** The per-PMD state of every event set: a row each. */
  readonly pmdStore: PmdStore;
  /** What every context calls on its last close (one function for all of them). */
  private readonly releaseContext = (ctx: PfmContext, t: Thread | null): void => this.lastClose(ctx, t);
  /** The v2 layouts in force (v2.3's under perfmon3). */
  readonly abi: V2AbiProfile;
  /** The profile the system was created with (v2.3, v2.2, v2-compact or v3). */
  readonly abiProfile: AbiProfile;
  /** perfmon3: the five V3 calls exist, the twelve v2 calls are ENOSYS. */
  readonly v3: boolean;
  readonly v3sys: V3Syscalls;
  readonly strategy: ArgBufferStrategy;
  readonly options: ResolvedPerfmonOptions;
  readonly sysfs: Sysfs;
  readonly sys: Syscalls;
  /** Contexts not yet freed, in creation order (a set: a million of them close in O(1) each). */
  readonly liveContexts = new Set<PfmContext>();
  /** Per-thread and system-wide sessions, and the Northbridge owner (perfmon_res.c). */
  readonly sessions: Sessions;
  private readonly calls = new Map<Thread, PfmArgCall>();
  private readonly gates = new Map<Thread, SyncGate>();
  private nextContextId = 1;
  readonly argSite: number;
  readonly ctxSite: number;
  /** Owner tag of sampling buffers and format arguments (and the buffers' vmalloc site). */
  readonly smplOwner: number;
  /** Allocation sites of a format argument's copy and of its name (getname). */
  readonly smplArgSite: number;
  readonly nameSite: number;
  /** The lock of the slot a format argument's call gets (no context exists yet). */
  readonly argSlotLock: Spinlock;
  /** Bytes in sampling buffers (sysfs smpl_buffer_mem; smpl_buffer_mem_cur later). */
  smplBufferMem = 0;
  /** The sampling formats a create call can name: the default one is built in. */
  readonly formats = new SmplFormats();
  /** The pfm_ovfl_arg the interrupt fills for a format's handler (one interrupt at a time). */
  readonly ovflArg = new OvflArg();

  constructor(opts: SystemOptions) {
    if (typeof opts !== 'object' || opts === null || typeof opts.machine !== 'object') {
      throw new InvalidArgumentError('system options', opts, 'an object with a machine { arch, cost, pmu }');
    }
    const profile = getAbiProfile(opts.abi ?? 'v2.3');
    this.abiProfile = profile;
    this.v3 = profile.family === 'v3';
    // perfmon3 keeps v2.3's internal layouts (messages, set bookkeeping); its own vectors are
    // the 16-byte pfarg_pmr of the V3Syscalls.
    const abi = this.v3 ? ABI_V2_3 : profile;
    assertV2Profile(abi);
    this.abi = abi;
    this.k = createKernel({
      arch: opts.machine.arch,
      cost: opts.machine.cost,
      seed: opts.seed ?? 1,
      cpus: opts.cpus ?? 1,
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(opts.arenaBytes ? { arenaBytes: opts.arenaBytes } : {}),
      ...(opts.costOverrides ? { costOverrides: opts.costOverrides } : {}),
      ...(opts.archOverrides ? { archOverrides: opts.archOverrides } : {}),
      preemptAll: opts.preemptAll ?? false,
      // Stryker disable next-line LogicalOperator: the kernel's own default is on as well
      raceDetection: opts.raceDetection ?? true,
    });
    const model = typeof opts.machine.pmu === 'string' ? getModel(opts.machine.pmu) : opts.machine.pmu;
    this.pmu = pmuBinding(model, abi);
    this.pmdStore = new PmdStore(Math.max(1, this.pmu.maxPmd));
    this.strategy = opts.strategy ?? createKmallocStrategy();
    this.options = {
      // Stryker disable next-line StringLiteral: the back-ends test only for 'intent'; any other value is historical
      retflags: opts.retflags ?? 'historical',
      notifyBlockSelf: opts.notifyBlockSelf ?? 'einval',
      disabled: opts.disabled ?? false,
    };
    this.sessions = new Sessions(this.k.cpus.length);
    this.ovflScratch = new Uint8Array(Math.max(1, this.pmu.maxPmd));
    this.argSite = this.k.mem.tag('pfm_get_args');
    this.ctxSite = this.k.mem.tag('pfm_context_alloc');
    this.smplOwner = this.k.mem.tag('pfm_smpl_buf');
    this.smplArgSite = this.k.mem.tag('pfm_get_smpl_arg');
    this.nameSite = this.k.mem.tag('getname');
    this.argSlotLock = this.k.sync.createSpinlock('pfm_get_smpl_arg slot lock');
    // v2.2 names formats by UUID (the default one registers its name too); v2.3 by name only
    const byUuid = profile.id === 'v2.2';
    this.formats.register(
      byUuid ? DFL_SMPL_FMT : { ...DFL_SMPL_FMT, uuid: null },
      byUuid,
      this.k.arch.pageSize,
    );
    this.sysfs = new Sysfs({
      version: profile.versionString,
      limitName: profile.limitName,
      pageSize: this.k.arch.pageSize,
      pmu: this.pmu,
      taskSessions: () => this.sessions.taskCount,
      sysSessions: () => this.sessions.systemCount,
      fastArgs: (kind) =>
        this.strategy.frameBytes(kind, this.abi.sizes[kind], this.k.arch) / this.abi.sizes[kind],
      resetStats: () => {},
      smplBufferMem: () => this.smplBufferMem,
      formats: () => this.formats.list(),
    });
    this.strategy.init?.(this.k);
    this.sys = new Syscalls(this);
    this.v3sys = new V3Syscalls(this, this.sys);
    this.k.onThreadExit((t) => this.threadExit(t));
  }

  // --- processes and threads ---

  /** A process; `memlock` is its RLIMIT_MEMLOCK in bytes (default 8 pages). */
  process(opts: { uid?: number; gid?: number; name?: string; memlock?: number } = {}): Process {
    return this.k.createProcess(opts);
  }

  thread(p: Process, name: string, body?: (t: Thread) => KGen<unknown>, cpu?: number): Thread {
    // Stryker disable next-line ConditionalExpression: spawn places { cpu: undefined } as it places {}
    return this.k.spawn(p, name, body, cpu === undefined ? {} : { cpu });
  }

  /** The synchronous system-call gate of a thread (single-thread runs). */
  gate(t: Thread): SyncGate {
    let g = this.gates.get(t);
    // Stryker disable next-line ConditionalExpression: a gate keeps no state of its own; one per thread saves allocations
    if (!g) {
      g = new SyncGate(this, t);
      this.gates.set(t, g);
    }
    return g;
  }

  /** PTRACE_ATTACH + the target stopping: what pfm_load_context on another thread needs. */
  ptraceAttach(tracer: Thread, target: Thread): void {
    target.tracer = tracer;
    target.stopped = true;
  }

  ptraceDetach(target: Thread): void {
    target.tracer = null;
    // Stryker disable next-line BooleanLiteral: stopped counts only for the tracer, cleared above (ptraceAttach sets both)
    target.stopped = false;
  }

  // --- internals used by the system calls ---

  elemSize(kind: 'pmc' | 'pmd' | 'setdesc' | 'setinfo'): number {
    return this.abi.sizes[kind];
  }

  /** The context behind fd, or null (EBADF): not open, or not a perfmon file. */
  lookup(t: Thread, fd: number): PfmContext | null {
    const file = this.k.fdGet(t, fd);
    if (!(file instanceof PfmContext)) return null;
    this.k.touch(file, false); // whether it is freed (what DPOR orders steps by)
    return file.freed ? null : file;
  }

  /**
   * fget: the context behind fd with a reference held for the duration of the call, so a
   * close() from another thread cannot free it underneath (the last fput releases it).
   */
  fget(t: Thread, fd: number): PfmContext | null {
    const ctx = this.lookup(t, fd);
    // A reference taken and dropped commute with each other (DPOR sees reads); the drop that
    // releases the context, and close, are writes.
    if (ctx !== null) ctx.refs++;
    return ctx;
  }

  fput(ctx: PfmContext, t: Thread | null): void {
    this.k.touch(ctx, ctx.refs === 1);
    if (--ctx.refs === 0) ctx.release(t);
  }

  callFor(t: Thread): PfmArgCall {
    let call = this.calls.get(t);
    // Stryker disable next-line ConditionalExpression: pooling (one call per thread); a fresh one behaves the same
    if (!call) {
      call = new PfmArgCall(this);
      call.k = this.k;
      call.t = t;
      call.site = this.argSite;
      this.calls.set(t, call);
    }
    return call;
  }

  /** The contexts not yet freed, in creation order: a copy (`liveContexts` is the set itself). */
  get contexts(): PfmContext[] {
    return [...this.liveContexts];
  }

  /**
   * Registers are read live (rdmsr + merge, C_reg live) when monitoring runs on this CPU: the
   * context is loaded and started, the set active, and it monitors the caller (or this CPU).
   * Otherwise the kernel merges saved software state (C_reg saved; cost-model.md §2).
   */
  isLive(t: Thread, ctx: PfmContext, set: EventSet): boolean {
    if (ctx.state !== PFM_CTX_LOADED || !ctx.started || set !== ctx.active) return false;
    // Stryker disable next-line ConditionalExpression: a system-wide context is EBUSY from any other CPU before a register is read
    return ctx.systemWide ? t.cpu === ctx.cpu : ctx.target === t;
  }

  newContext(t: Thread, flags: number, systemWide: boolean): PfmContext | null {
    const k = this.k;
    const id = this.nextContextId++;
    const kaddr = k.mem.kmalloc(t, CONTEXT_BYTES, 0xd0, k.mem.tag(`ctx:${id}`), this.ctxSite);
    if (kaddr === 0) return null;
    k.mem.fillBytes(kaddr, CONTEXT_BYTES, 0);
    const lock = k.sync.createSpinlock(`ctx${id}->lock`, 'ctx->lock');
    const ctx = new PfmContext(
      id,
      flags,
      systemWide,
      t.process,
      lock,
      k.mem.tag(`args:uid:${t.process.uid}`),
      kaddr,
      this.pmu,
      this.pmdStore,
      this.abi.maxMsgs,
      this.releaseContext,
    );
    k.created(ctx); // named by its maker for DPOR (kernel-sim footprint.ts)
    k.touch(this.liveContexts, true); // the context list and its id counter
    this.strategy.contextCreated?.(k, t, ctx);
    this.liveContexts.add(ctx);
    return ctx;
  }

  /** The new context's fd (its one reference), or -ENFILE with the context freed. */
  installFd(t: Thread, ctx: PfmContext): number {
    const fd = this.k.fdInstall(t.process, ctx);
    if (fd < 0) {
      this.free(ctx, t);
      return -Errno.ENFILE;
    }
    ctx.refs = 1;
    return fd;
  }

  /** Detaches a loaded context (unload, thread exit): counters saved, session released. */
  detach(ctx: PfmContext): void {
    if (ctx.state === PFM_CTX_UNLOADED) return;
    if (ctx.systemWide) this.sessions.releaseSystem(ctx.cpu);
    else this.sessions.releaseTask();
    if (ctx.target) ctx.target.slots.delete('pfm_context');
    ctx.state = PFM_CTX_UNLOADED;
    // Stryker disable next-line BooleanLiteral: every reader checks LOADED first and pfm_load_context clears it again
    ctx.started = false;
    ctx.target = null;
    ctx.cpu = -1;
    ctx.blockedTarget = null;
    ctx.restartComplete.wakeAll();
  }

  /** The last descriptor was closed (perfmon2-abi.md §2): zombie if attached elsewhere, else freed. */
  private lastClose(ctx: PfmContext, t: Thread | null): void {
    // Only a loaded or masked per-thread context has a target (detach clears it).
    const target = ctx.target;
    if (target !== null && target !== t && !target.exited) {
      ctx.state = PFM_CTX_ZOMBIE;
      return;
    }
    this.detach(ctx);
    this.free(ctx, t);
  }

  free(ctx: PfmContext, t: Thread | null): void {
    // Stryker disable next-line ConditionalExpression: defensive; the last fput and a zombie's exit are the only callers, once each
    if (ctx.freed) return;
    // Stryker disable next-line BooleanLiteral: defensive; nothing can reach a freed context (no fd, no reference left)
    ctx.freed = true;
    this.sessions.releaseNorthbridge(ctx);
    if (ctx.smpl) freeSmplBuffer(this, t, ctx.smpl);
    this.strategy.contextClosed?.(this.k, t, ctx);
    this.k.mem.kfree(t, ctx.kaddr);
    ctx.sets.releaseAll();
    ctx.active.release(); // if it was deleted from the list while it stayed the active set
    this.liveContexts.delete(ctx);
    ctx.msgqWait.wakeAll();
  }

  /** do_exit of a monitored thread: its context is unloaded and PFM_MSG_END queued. */
  private threadExit(t: Thread): void {
    for (const ctx of [...this.liveContexts]) {
      if (ctx.target !== t) continue;
      const zombie = ctx.state === PFM_CTX_ZOMBIE;
      if (zombie) {
        this.sessions.releaseTask();
        ctx.target = null;
        ctx.state = PFM_CTX_UNLOADED;
        this.free(ctx, t);
        continue;
      }
      this.detach(ctx); // loaded or masked: only those have a target
      this.queueMessage(ctx, PFM_MSG_END, t);
    }
    this.calls.delete(t);
    this.strategy.threadExited?.(this.k, t);
  }

  queueMessage(ctx: PfmContext, type: number, t: Thread | null): boolean {
    const off = ctx.msgs.reserve();
    // Stryker disable next-line BooleanLiteral: no caller uses the result (threadExit queues END and moves on)
    if (off < 0) return false;
    const v = ctx.msgs.recordView;
    // Stryker disable next-line ArithmeticOperator: msg_type is at offset 0, so off - 0 is the same byte
    v.setUint32(off + MSG_OFF.msg_type, type, true);
    if (t) {
      v.setUint32(off + MSG_OFF.msg_ovfl_pid, t.tid, true); // Q11: the pid field holds the tid
      v.setUint32(off + MSG_OFF.msg_ovfl_tid, t.process.pid, true); // ... and the tid field the tgid
      v.setUint16(off + MSG_OFF.msg_ovfl_cpu, t.cpu, true);
    }
    v.setUint16(off + MSG_OFF.msg_active_set, ctx.active.id, true);
    this.wakeReaders(ctx);
    // Stryker disable next-line BooleanLiteral: no caller uses the result
    return true;
  }

  /**
   * pfm_restart on a MASKED context: long reset of the overflowed PMDs and of their
   * reg_reset_pmds, unmask, wake; with a sampling buffer, as its format's restart asks.
   */
  resume(ctx: PfmContext, t: Thread): void {
    // pfm_resume_after_ovfl: a format's fmt_restart decides (the default empties the buffer and
    // asks for the long reset); nonzero from it leaves the context masked
    let ctrl = OVFL_CTRL_RESET;
    const buf = ctx.smpl;
    if (buf !== null && buf.addr !== 0) {
      // fmt_restart's header stores, costed like a short kernel copy (an estimate: SAMPLING_COSTS)
      this.k.charge(t, CAT.handler, this.k.costs.copyFixed);
      const out = this.restartCtrl;
      out.value = 0;
      if (buf.fmt.restart(true, out, this.k.mem.view, buf.addr) !== 0) return;
      ctrl = out.value;
    }
    if (ctrl & OVFL_CTRL_RESET) resetOverflowed(this, ctx.active, true);
    if (ctrl & OVFL_CTRL_MASK) return;
    ctx.state = PFM_CTX_LOADED;
    // Stryker disable next-line BooleanLiteral: pfm_restart reads it only when MASKED, and masking sets it to true
    ctx.canRestart = false;
    ctx.blockedTarget = null;
    ctx.restartComplete.wakeAll();
  }

  /** Loads a PMD with its long or short reset value. */
  resetPmd(set: EventSet, pmd: number, long: boolean): void {
    let lo = long ? set.longResetLo[pmd]! : set.shortResetLo[pmd]!;
    let hi = long ? set.longResetHi[pmd]! : set.shortResetHi[pmd]!;
    if (set.pmdFlags(pmd) & PFM_REGFL_RANDOM) {
      // REGFL_RANDOM: subtract (random & reg_random_mask) from the reset value (V19 random32()).
      // Stryker disable next-line StringLiteral: which named stream; any is seeded and deterministic
      const r = (this.k.rng('pfm_random').u32() & set.randomMaskLo[pmd]!) >>> 0;
      const borrow = r > lo ? 1 : 0;
      // Stryker disable next-line ArithmeticOperator: + and - 2^32 are the same modulo 2^32
      lo = (lo - r + (borrow ? 2 ** 32 : 0)) >>> 0;
      hi = (hi - borrow) >>> 0;
    }
    splitCounter(lo, hi, this.pmu.width, this.scratch);
    set.loadPmd(pmd, this.scratch[0]!, this.scratch[1]!, lo, hi);
  }

  private readonly scratch = new Float64Array(2);
  private readonly restartCtrl = { value: 0 };

  /**
   * The PMD back-ends' reg_set lookup cache, the system's own (a module-level one was shared by
   * every system and kept the last one's set alive). One call uses it at a time: back-ends run
   * under ctx->lock and never yield.
   */
  // Stryker disable next-line ObjectLiteral,UnaryOperator: each back-end resets the cache (id = -1) before its first lookup
  readonly setLookup: { id: number; set: EventSet | undefined } = { id: -1, set: undefined };

  /** Scratch flags for the overflow path (one per PMD), reused to avoid allocation. */
  readonly ovflScratch: Uint8Array;

  /** The context counting for thread t: its per-thread context or a system-wide one on its CPU. */
  monitoringContext(t: Thread): PfmContext | null {
    const own = t.slots.get('pfm_context') as PfmContext | undefined;
    if (own !== undefined) return own;
    // Stryker disable next-line ConditionalExpression: only skips the walk; with no session on the CPU no context matches
    if (this.sessions.systemOn(t.cpu)) {
      // Only a loaded system-wide context has a CPU: -1 otherwise (per-thread, or detached).
      for (const c of this.liveContexts) if (c.cpu === t.cpu) return c;
    }
    return null;
  }

  /** Makes `next` the active set (timeout switch, overflow switch, start_set). */
  switchSet(ctx: PfmContext, next: EventSet): void {
    ctx.active = next;
    next.runs++;
    next.timeoutLeft = next.timeoutCycles;
  }

  wakeReaders(ctx: PfmContext): void {
    ctx.msgqWait.wakeAll();
    ctx.sigioPending = true; // delivered only with a handler (deliverSignals); setAsync recomputes it
  }

  /**
   * Delivers a pending SIGIO to t if t owns an O_ASYNC context with a queued message (called
   * on return to user mode: after a workload segment). Returns true if a handler ran.
   */
  deliverSignals(t: Thread): boolean {
    let ran = false;
    for (const ctx of this.liveContexts) {
      if (ctx.sigioPending && ctx.asyncOwner === t && ctx.asyncHandler !== null) {
        ctx.sigioPending = false;
        ctx.asyncHandler(t);
        ran = true;
      }
    }
    return ran;
  }

  /** Kernel code of a thread running `cycles` of `workload` in user mode (a generator). */
  run(t: Thread, workload: Workload, cycles: number): KGen<void> {
    return runWorkload(this, t, workload, cycles);
  }

  /** The same, synchronously, for single-thread runs. */
  runSync(t: Thread, workload: Workload, cycles: number): void {
    this.k.runSync(t, runWorkload(this, t, workload, cycles));
  }

  /** Kernel memory the strategy holds for one user (pinned argument buffers). */
  pinnedArgBytes(uid: number): number {
    return this.k.mem.ownerLiveBytes(`args:uid:${uid}`);
  }
}

export { SLOT_WORDS };

export function createSystem(opts: SystemOptions): PerfmonSystem {
  return new PerfmonSystem(opts);
}
