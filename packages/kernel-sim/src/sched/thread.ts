import { CycleCounter } from '../clock.js';
import type { Lock } from '../sync.js';
import type { AddressSpace } from '../uaccess.js';
import { touch } from './footprint.js';

/** Values a simulated thread yields to the scheduler. */
export const Y_PREEMPT = 0; // a preemption point: another thread may run now
export const Y_BLOCK = 1; // the thread is blocked (waiting for a lock, a mutex, an event)
export type YieldCode = typeof Y_PREEMPT | typeof Y_BLOCK;

/** Kernel code that may sleep or be preempted is written as a generator of yield codes. */
export type KGen<T = void> = Generator<YieldCode, T, void>;

export const RUNNABLE = 0;
export const BLOCKED = 1;
export const DONE = 2;

export interface FileLike {
  /** What kind of file it is (a perfmon context...); opaque to kernel-sim. */
  readonly kind: string;
  release?(thread: Thread | null): void;
}

export class Process {
  readonly threads: Thread[] = [];
  readonly files: (FileLike | null)[] = [];
  /** files->next_fd: no descriptor below it is free (the search for a free one starts here). */
  nextFd = 0;
  /** mm->locked_vm: pages locked for this process (perfmon2 charges its sampling buffers here). */
  lockedVm = 0;
  /**
   * RLIMIT_MEMLOCK (soft), bytes. The kernel sets 2.6.18's default, MLOCK_LIMIT = 8 pages
   * (include/linux/resource.h of that era; UNVERIFIED here), unless the process is given one.
   */
  memlockLimit = Number.POSITIVE_INFINITY;
  constructor(
    readonly pid: number,
    public uid: number,
    public gid: number,
    readonly mm: AddressSpace,
    readonly name: string,
    public fdLimit: number,
  ) {}
}

export class Thread {
  readonly clock = new CycleCounter();
  /** The clock of the CPU this thread runs on (set by the kernel). */
  cpuClock: CycleCounter = this.clock;
  // sync state
  preemptCount = 0;
  irqsOff = false;
  inIrq = false;
  readonly heldLocks: Lock[] = [];
  /** The lock owner's clock when this thread started waiting for it. */
  waitStart = 0;
  /** Irq state a blocked spin_lock_irqsave will hand to the lock when it gets it. */
  pendingIrqFlags = 0;
  // kernel stack
  stackDepth = 0;
  /** Address of the thread's kernel stack memory (0 until first used). */
  stackBase = 0;
  stackHigh = 0;
  callStackHigh = 0;
  // scheduling: read-only outside kernel-sim (wait queues, locks and the run loop change them)
  readonly state: number = RUNNABLE;
  /** What a BLOCKED thread waits on (a lock, a wait queue: anything with a `name`), else null. */
  readonly blockedOn: object | null = null;
  /**
   * The thread's kernel code. Make it from a top-level generator function with parameters, not
   * a generator function expression closing over a world: in V8 (Node 20) generators made from
   * a fresh closure keep dead worlds reachable across young-generation collections, so schedule
   * exploration promoted every world it built and spent a quarter of its time collecting them.
   */
  body: KGen<unknown> | null = null;
  result: unknown = undefined;
  killedBy: string | null = null;
  syscall: string | null = null;
  /** ptrace-style stop (used by callers that model stopped targets). */
  stopped = false;
  tracer: Thread | null = null;
  exited = false;
  /** Vector clock for the race detector, allocated only when it is active. */
  vc: Int32Array | null = null;
  /** Per-thread data owned by higher layers (perfmon context pointer...). */
  readonly slots = new Map<string, unknown>();

  constructor(
    readonly id: number,
    readonly tid: number,
    readonly name: string,
    readonly process: Process,
    readonly cpu: number,
  ) {}

  get label(): string {
    return `T${this.id} ${this.name}`;
  }

  get atomic(): boolean {
    return this.preemptCount > 0 || this.irqsOff || this.inIrq;
  }
}

type SchedState = { state: number; blockedOn: object | null; result: unknown };

/** The thread sleeps on `on` (kernel-sim only: locks and wait queues). */
export function blockThread(t: Thread, on: object | null): void {
  touch(t, true);
  const s = t as unknown as SchedState;
  s.state = BLOCKED;
  s.blockedOn = on;
}

/** The thread can run again (kernel-sim only). */
export function wakeThread(t: Thread): void {
  touch(t, true);
  const s = t as unknown as SchedState;
  s.state = RUNNABLE;
  s.blockedOn = null;
}

/** The thread's body returned (or it was killed): it never runs again (kernel-sim only). */
export function endThread(t: Thread, result: unknown): void {
  const s = t as unknown as SchedState;
  s.state = DONE;
  s.result = result;
}
