import { type ArchOverrides, type ArchProfile, getArch } from './arch.js';
import { type BugKind, formatBug, type KernelBug, ThreadKilled } from './bugs.js';
import { CAT, type CategoryIndex, CycleCounter } from './clock.js';
import { type CostOverrides, type CostProfile, type Costs, costValues, getCostProfile } from './cost.js';
import { checkInteger, InvalidArgumentError } from './errors.js';
import type { FaultConfig } from './fault.js';
import { Interrupts } from './irq.js';
import { type ArenaPool, sharedArenaPool } from './mem/arena-pool.js';
import { ARENA_CHUNK_BYTES, MAX_ARENA_BYTES, MAX_ARENA_BYTES_32BIT, Memory } from './mem/memory.js';
import { RaceDetector } from './race.js';
import { checkSeed, Rng } from './rng.js';
import { Execution } from './sched/execution.js';
import { created, named, touch } from './sched/footprint.js';
import { createScheduler, type SchedulerPolicy } from './sched/policy.js';
import { formatReplay } from './sched/replay.js';
import type { Scheduler } from './sched/scheduler.js';
import { DONE, type FileLike, type KGen, Process, Thread, Y_BLOCK } from './sched/thread.js';
import { SNAPSHOT, type SnapshotPart } from './snapshot.js';
import { KernelStacks } from './stack.js';
import { type Mutex, type Spinlock, Sync } from './sync.js';
import { AddressSpace, UserAccess } from './uaccess.js';

export interface KernelOptions {
  arch: string;
  cost: string;
  seed: number;
  cpus?: number;
  faults?: FaultConfig;
  /**
   * Size of the kernel memory arena, at most MAX_ARENA_BYTES (16 GiB), or MAX_ARENA_BYTES_32BIT
   * (4 GiB) on an architecture with 32-bit words. Default 16 MiB.
   */
  arenaBytes?: number;
  /**
   * Bytes per chunk of the arena (a power of two from the largest page block, 1024 pages, to
   * ARENA_CHUNK_BYTES, 4 GiB, the default). Smaller chunks make an arena of several chunks
   * cheaply, for tests of the code that crosses them.
   */
  arenaChunkBytes?: number;
  costOverrides?: CostOverrides;
  archOverrides?: ArchOverrides;
  /** Make every kernel primitive (locks, atomics, allocations) a preemption point. */
  preemptAll?: boolean;
  raceDetection?: boolean;
  /** CONFIG_DEBUG_SPINLOCK_SLEEP: might_sleep() checks on every sleepable call. Default true. */
  debugAtomicSleep?: boolean;
  /** Timer frequency (HZ). Default 250. */
  hz?: number;
  /** RLIMIT_NOFILE for new processes. Default 1024. */
  fdLimit?: number;
  /**
   * Where the arena comes from and goes back to on dispose(): `sharedArenaPool` by default,
   * a caller's own pool, or null (nothing recycled).
   */
  arenaPool?: ArenaPool | null;
}

export interface ResolvedOptions {
  readonly preemptAll: boolean;
  readonly raceDetection: boolean;
  readonly debugAtomicSleep: boolean;
}

export class Cpu {
  readonly clock = new CycleCounter();
  constructor(readonly id: number) {}
}

export interface RunResult {
  /** Thread chosen at each point where more than one could run. */
  readonly decisions: number[];
  readonly steps: number;
  readonly traceHash: string;
  readonly bugs: KernelBug[];
  readonly deadlock: boolean;
  readonly replay: string;
}

export interface SpawnOptions {
  cpu?: number;
}

export const EMFILE = 24;

/**
 * The simulated kernel: arch + cost profile + memory + user address spaces + sync + stacks +
 * scheduler + race detector, all deterministic from one seed.
 */
export class Kernel {
  readonly arch: ArchProfile;
  readonly costProfile: CostProfile;
  readonly costs: Costs;
  private seedValue: number;
  readonly faults: FaultConfig;
  readonly options: ResolvedOptions;
  readonly cpus: Cpu[];
  readonly threads: Thread[] = [];
  readonly processes: Process[] = [];
  readonly bugs: KernelBug[] = [];
  readonly mem: Memory;
  readonly uaccess: UserAccess;
  readonly sync: Sync;
  readonly stacks: KernelStacks;
  readonly race: RaceDetector;
  readonly irq: Interrupts;
  readonly preemptAll: boolean;
  /** The pool this kernel's arena came from and returns to (null: none). */
  readonly arenaPool: ArenaPool | null;
  /** True while run() drives two or more threads: preemption points then yield. */
  scheduled = false;
  /**
   * Per-kernel data owned by higher layers (a strategy's caches and counters), keyed by
   * whatever they choose: kept here rather than in a WeakMap so that a snapshot of the world
   * (snapshot.ts) records it with the rest.
   */
  readonly slots = new Map<unknown, unknown>();
  private readonly rngs = new Map<string, Rng>();
  private readonly bugKeys = new Set<string>();
  private readonly exitHooks: ((t: Thread) => void)[] = [];
  private decisions: number[] = [];
  private nextPid = 1000;
  private readonly fdLimit: number;

  constructor(opts: KernelOptions) {
    if (typeof opts !== 'object' || opts === null)
      throw new InvalidArgumentError('kernel options', opts, 'an object');
    this.seedValue = checkSeed(opts.seed);
    this.arch = getArch(opts.arch, opts.archOverrides);
    this.costProfile = getCostProfile(opts.cost, opts.costOverrides);
    this.costs = costValues(this.costProfile);
    this.faults = opts.faults ?? {};
    const cpus = checkInteger('cpus', opts.cpus ?? 1, 1, 64);
    this.cpus = Array.from({ length: cpus }, (_, i) => new Cpu(i));
    this.options = Object.freeze({
      preemptAll: opts.preemptAll ?? false,
      raceDetection: opts.raceDetection ?? true,
      debugAtomicSleep: opts.debugAtomicSleep ?? true,
    });
    this.preemptAll = this.options.preemptAll;
    this.fdLimit = checkInteger('fdLimit', opts.fdLimit ?? 1024, 1, 1 << 20);
    const hz = checkInteger('hz', opts.hz ?? 250, 1, 100000);
    this.arenaPool = opts.arenaPool === undefined ? sharedArenaPool : opts.arenaPool;
    this.race = new RaceDetector(this);
    const maxArena = this.arch.wordSize === 4 ? MAX_ARENA_BYTES_32BIT : MAX_ARENA_BYTES;
    const chunk = checkInteger(
      'arenaChunkBytes',
      opts.arenaChunkBytes ?? ARENA_CHUNK_BYTES,
      this.arch.pageSize << 10,
      ARENA_CHUNK_BYTES,
    );
    if (!Number.isInteger(Math.log2(chunk)))
      throw new InvalidArgumentError('arenaChunkBytes', chunk, 'a power of two');
    this.mem = new Memory(this, checkInteger('arenaBytes', opts.arenaBytes ?? 16 << 20, 1, maxArena), chunk);
    this.uaccess = new UserAccess(this);
    this.sync = new Sync(this);
    this.stacks = new KernelStacks(this);
    this.irq = new Interrupts(this, Math.round(this.costProfile.clockHz / hz));
    // Made now, not on the first run: a snapshot of the set-up world then holds it (a stream's
    // draws do not depend on when it is made).
    this.rng('sched');
  }

  /** A kernel is its own world for exploration (which runs anything with a `kernel`). */
  get kernel(): this {
    return this;
  }

  get seed(): number {
    return this.seedValue;
  }

  /**
   * Gives the kernel another seed: every random stream starts over from (seed, its name), the
   * ones already made included (in place: their holders see it). Schedule exploration from a
   * snapshot runs each random schedule so: the world as set up, the run under its own seed.
   */
  reseed(seed: number): void {
    this.seedValue = checkSeed(seed);
    this.rngs.forEach((r, stream) => {
      r.reseed(this.seedValue, stream);
    });
  }

  /** A named random stream derived from the seed. */
  rng(stream: string): Rng {
    let r = this.rngs.get(stream);
    if (!r) {
      r = new Rng(this.seedValue, stream);
      named(r, `rng:${stream}`); // the same stream whoever draws first (footprint.ts)
      this.rngs.set(stream, r);
    }
    return r;
  }

  charge(t: Thread, category: CategoryIndex, cycles: number): void {
    t.clock.add(category, cycles);
    t.cpuClock.add(category, cycles);
  }

  /** Cycles to nanoseconds on this machine's clock. */
  cyclesToNs(cycles: number): number {
    return (cycles * 1e9) / this.costProfile.clockHz;
  }

  nsToCycles(ns: number): number {
    return Math.round((ns * this.costProfile.clockHz) / 1e9);
  }

  replay(): string {
    return formatReplay(this.seedValue, this.decisions);
  }

  reportBug(
    kind: BugKind,
    t: Thread | null,
    message: string,
    detail: Record<string, string | number> = {},
  ): KernelBug {
    const bug: KernelBug = {
      kind,
      message,
      thread: t ? t.label : '-',
      syscall: t?.syscall ?? null,
      heldLocks: t ? t.heldLocks.map((l) => l.name) : [],
      replay: this.replay(),
      detail,
    };
    touch(this.bugs, true); // the order of reports is part of a run's outcome
    const key = `${kind}|${message}`;
    if (!this.bugKeys.has(key)) {
      this.bugKeys.add(key);
      this.bugs.push(bug);
    }
    return bug;
  }

  /** Reports a bug that makes the thread unable to continue, and stops it. */
  fatal(kind: BugKind, t: Thread, message: string, detail: Record<string, string | number> = {}): never {
    throw new ThreadKilled(this.reportBug(kind, t, message, detail));
  }

  /**
   * Whether kernel code should yield at a preemption point after a sleepable operation (a copy
   * from or to user space, a GFP_KERNEL allocation): only under a scheduler, never while atomic.
   * Kernel code writes `if (k.sleepPoint(t)) yield Y_PREEMPT;`.
   */
  sleepPoint(t: Thread): boolean {
    return this.scheduled && !t.atomic;
  }

  /** A fine-grained point (before an atomic or a lock): yields only with `preemptAll`. */
  finePoint(t: Thread): boolean {
    return this.scheduled && this.preemptAll && !t.atomic;
  }

  /** might_sleep(): a sleepable call from atomic context is a bug (CONFIG_DEBUG_SPINLOCK_SLEEP). */
  mightSleep(t: Thread, what: string): void {
    if (this.options.debugAtomicSleep && t.atomic) this.sleepInAtomic(t, `${what} called`);
  }

  sleepInAtomic(t: Thread, what: string): void {
    this.reportBug('sleep-in-atomic', t, `sleeping function called from invalid context: ${what}`, {
      preemptCount: t.preemptCount,
      irqsDisabled: t.irqsOff ? 1 : 0,
      inIrq: t.inIrq ? 1 : 0,
    });
  }

  // --- processes, threads, files ---

  /** `memlock`: RLIMIT_MEMLOCK in bytes, Infinity for RLIM_INFINITY (default 8 pages, 2.6.18's MLOCK_LIMIT). */
  createProcess(opts: { uid?: number; gid?: number; name?: string; memlock?: number } = {}): Process {
    const pid = this.nextPid;
    this.nextPid += 100;
    const uid = checkInteger('uid', opts.uid ?? 1000, 0, 2 ** 31);
    const gid = checkInteger('gid', opts.gid ?? uid, 0, 2 ** 31);
    const limit = this.arch.wordSize === 4 ? 0xc0000000 : 2 ** 47 - this.arch.pageSize;
    // User pages come from the same arena as kernel memory (like physical pages), owner
    // "user-memory", so user copies are plain memmoves; a mapping the arena cannot hold gets
    // private bytes instead.
    const userOwner = this.mem.tag('user-memory');
    const alloc = (bytes: number) => {
      const order = Math.ceil(Math.log2(Math.max(1, bytes / this.arch.pageSize)));
      const addr = order <= 10 ? this.mem.reservePages(order, userOwner) : 0;
      return addr === 0 ? -1 : addr;
    };
    const bytes = (phys: number, size: number) => this.mem.bytesAt(phys, size);
    const arenaBytes = this.mem.numPages * this.arch.pageSize;
    const mm = new AddressSpace(this.arch.pageSize, 0x10000000, limit, { alloc, bytes, arenaBytes });
    const p = new Process(pid, uid, gid, mm, opts.name ?? `proc${pid}`, this.fdLimit);
    p.memlockLimit =
      opts.memlock === undefined
        ? 8 * this.arch.pageSize
        : opts.memlock === Number.POSITIVE_INFINITY
          ? opts.memlock
          : checkInteger('memlock', opts.memlock);
    this.processes.push(p);
    return p;
  }

  /** Creates a thread; `body` runs when the scheduler (run) or runSync drives it. */
  spawn(p: Process, name: string, body?: (t: Thread) => KGen<unknown>, opts: SpawnOptions = {}): Thread {
    const id = this.threads.length;
    const cpu = checkInteger('cpu', opts.cpu ?? id % this.cpus.length, 0, this.cpus.length - 1);
    const t = new Thread(id, p.pid + p.threads.length, name, p, cpu);
    t.cpuClock = this.cpus[cpu]!.clock;
    if (body) t.body = body(t);
    this.threads.push(t);
    p.threads.push(t);
    return t;
  }

  onThreadExit(hook: (t: Thread) => void): void {
    this.exitHooks.push(hook);
  }

  /** The thread exits (do_exit): hooks run (perfmon queues PFM_MSG_END there). */
  exitThread(t: Thread): void {
    touch(t, true);
    if (t.exited) return;
    touch(t.process, true);
    t.exited = true;
    for (const hook of this.exitHooks) hook(t);
  }

  fdInstall(p: Process, file: FileLike): number {
    const files = p.files;
    touch(files, true);
    // The lowest free descriptor, searched from files->next_fd (no fd below it is free), so
    // opening a million files does not rescan the table each time.
    let fd = p.nextFd;
    while (fd < files.length && files[fd] !== null) fd++;
    if (fd >= p.fdLimit) return -EMFILE;
    if (fd === files.length) files.push(file);
    else files[fd] = file;
    p.nextFd = fd + 1;
    return fd;
  }

  /** fget_light: the file behind fd or null; two extra atomics when the fd table is shared. */
  fdGet(t: Thread, fd: number): FileLike | null {
    this.charge(t, CAT.fd, this.costs.fdLookup);
    touch(t.process.files, false);
    if (t.process.threads.length > 1) this.charge(t, CAT.atomic, 2 * this.costs.atomicRmw);
    // A negative or fractional fd indexes no slot of the table: null, like a closed one.
    return t.process.files[fd] ?? null;
  }

  fdRemove(p: Process, fd: number): FileLike | null {
    touch(p.files, true);
    const file = p.files[fd] ?? null;
    if (file) {
      p.files[fd] = null;
      if (fd < p.nextFd) p.nextFd = fd;
    }
    return file;
  }

  // --- system call boundaries ---

  syscallEnter(t: Thread, name: string): void {
    t.syscall = name;
    t.callStackHigh = 0;
    const c = this.costs.syscallEntryExit;
    this.charge(t, CAT.syscall, c >> 1);
    this.stacks.push(t, this.arch.syscallEntryDepth, 'syscall entry');
  }

  /**
   * Checks that nothing is held on return to user space, then restores a sane state: the locks
   * the call forgot are released, innermost first, as its unlocks would have (a waiter gets the
   * lock handed over and runs on owning it).
   */
  syscallExit(t: Thread): void {
    const held = t.heldLocks;
    if (held.length > 0) {
      this.reportBug(
        'held-at-return',
        t,
        `returning to user space with ${held.map((l) => l.name).join(', ')} held`,
      );
    }
    if (t.irqsOff) this.reportBug('held-at-return', t, 'returning to user space with irqs disabled');
    if (t.preemptCount > 0)
      this.reportBug('held-at-return', t, `returning to user space with preempt count ${t.preemptCount}`);
    for (let i = held.length - 1; i >= 0; i--) {
      const lock = held[i]!;
      if (lock.sleeping) this.sync.mutexUnlock(t, lock as Mutex);
      else this.sync.spinUnlock(t, lock as Spinlock);
    }
    t.irqsOff = false;
    t.preemptCount = 0;
    this.stacks.pop(t, this.arch.syscallEntryDepth);
    const c = this.costs.syscallEntryExit;
    this.charge(t, CAT.syscall, c - (c >> 1));
    this.irq.poll(t);
    t.syscall = null;
  }

  // --- running threads ---

  /**
   * The single-thread fast path: drives one generator to completion with no scheduler.
   * Blocking here can only be a deadlock (nobody else runs to release anything).
   */
  runSync<T>(t: Thread, gen: KGen<T>): T {
    let r = gen.next();
    while (!r.done) {
      if (r.value === Y_BLOCK) {
        const on = t.blockedOn as { name?: string } | null;
        gen.return(undefined as T);
        this.fatal('deadlock', t, `blocked on ${on?.name ?? 'an event'} with no other thread to release it`);
      }
      r = gen.next();
    }
    return r.value;
  }

  /**
   * Runs every spawned thread under a scheduler (or a policy naming one) until all finish,
   * all are blocked (a deadlock) or `maxSteps` steps have run (a livelock).
   */
  run(policy: SchedulerPolicy | Scheduler = { kind: 'run-to-completion' }, maxSteps = 1_000_000): RunResult {
    const scheduler = isScheduler(policy) ? policy : createScheduler(policy);
    const running = this.threads.filter((t) => t.body !== null && t.state !== DONE);
    this.race.activate(running);
    this.scheduled = running.length > 1;
    this.decisions = [];
    scheduler.newExecution(this.threads.length, this.rng('sched'));
    try {
      const result = new Execution(this, scheduler, this.decisions, maxSteps).run();
      scheduler.endExecution?.(result);
      return result;
    } finally {
      this.scheduled = false;
    }
  }

  /**
   * Done with this kernel: its memory arena (zeroed) and race shadow store go back to its
   * pool for the next kernel of the same size. Nothing of this kernel may be used afterwards:
   * its memory and its processes' address spaces throw DisposedKernelError (bugs and run
   * results are plain data and stay valid).
   */
  dispose(): void {
    for (const p of this.processes) p.mm.release();
    this.mem.releaseArena();
    this.race.recycle();
  }

  /**
   * A higher layer's step touches its own shared object (a context's state outside any lock):
   * what DPOR decides dependence by (sched/footprint.ts); nothing unless a footprint is recorded.
   */
  touch(o: object, write: boolean): void {
    touch(o, write);
  }

  /** A higher layer made a shared object it will `touch` (named for DPOR, footprint.ts). */
  created(o: object): void {
    created(o);
  }

  /** Snapshots (snapshot.ts) leave out the arena pool: it is shared with other kernels. */
  [SNAPSHOT](): SnapshotPart {
    this.mem.use();
    return { keep: ['arenaPool'] };
  }

  bugReport(): string {
    return this.bugs.map(formatBug).join('\n');
  }
}

function isScheduler(x: SchedulerPolicy | Scheduler): x is Scheduler {
  return typeof (x as Partial<Scheduler> | null)?.nextThread === 'function';
}

export function createKernel(opts: KernelOptions): Kernel {
  return new Kernel(opts);
}
