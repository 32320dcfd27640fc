import { checkInteger, type Kernel, type Spinlock, type Thread } from '@pfmsim/kernel-sim';
import { spinLockNoWait } from './strategies/common.js';

/** Budget units: the counters count KiB; a buffer is charged ceil(ksize / 1024) units. */
export const BUDGET_UNIT_BYTES = 1024;

/** Counter words are stored with this bias so that per-CPU deltas may go negative. */
const BIAS = 2 ** 30;

/**
 * One percpu_counter (lib/percpu_counter.c) in kernel memory: word 0 is the folded count,
 * words 1..nr_cpus the per-CPU deltas (both stored biased). Adds touch only this CPU's delta
 * (`this_cpu_add`, cmpxchg_local cost, preemption disabled by the caller) and fold it into the
 * count under the counter's spinlock only when |delta| reaches `batch`; `compare` reads the
 * folded count alone unless it is within batch x nr_cpus of the limit, and only then sums
 * every CPU under the lock. The per-CPU words are not shown to the race detector: in the
 * kernel they are per-CPU data touched with preemption off, and the lockless read of the
 * count is a READ_ONCE (data_race-annotated) by design.
 */
export class PercpuCounter {
  constructor(
    readonly addr: number,
    readonly lock: Spinlock,
    readonly nrCpus: number,
    readonly batch: number,
    readonly site: number,
  ) {}

  static words(nrCpus: number): number {
    return 1 + nrCpus;
  }

  init(k: Kernel): void {
    for (let i = 0; i < PercpuCounter.words(this.nrCpus); i++)
      k.mem.writeWord(this.addr + i * k.arch.wordSize, BIAS);
  }

  /** percpu_counter_read: the folded count, possibly off by up to batch x nr_cpus. */
  read(k: Kernel): number {
    return k.mem.readWord(this.addr) - BIAS;
  }

  /** percpu_counter_sum under the lock: exact. */
  sum(k: Kernel, t: Thread): number {
    spinLockNoWait(k, t, this.lock, true);
    // Stryker disable next-line BooleanLiteral: a race-detector annotation; every annotated access of the count holds this lock
    k.mem.access(t, this.addr, k.arch.wordSize, false, this.site);
    let total = k.mem.readWord(this.addr) - BIAS;
    for (let cpu = 0; cpu < this.nrCpus; cpu++) total += this.cpuDelta(k, cpu);
    k.sync.spinUnlockIrqrestore(t, this.lock);
    return total;
  }

  /** The exact value without charging anyone (for reports and tests). */
  peek(k: Kernel): number {
    let total = this.read(k);
    for (let cpu = 0; cpu < this.nrCpus; cpu++) total += this.cpuDelta(k, cpu);
    return total;
  }

  cpuDelta(k: Kernel, cpu: number): number {
    return k.mem.readWord(this.addr + (1 + cpu) * k.arch.wordSize) - BIAS;
  }

  /**
   * percpu_counter_add_batch with preemption already disabled; with no thread (reclaim from
   * outside any thread), the amount goes straight into the count.
   */
  add(k: Kernel, t: Thread | null, amount: number): void {
    if (t === null) {
      k.mem.writeWord(this.addr, k.mem.readWord(this.addr) + amount);
      return;
    }
    const cpuAddr = this.addr + (1 + t.cpu) * k.arch.wordSize;
    const delta = k.mem.readWord(cpuAddr) - BIAS + amount;
    if (Math.abs(delta) >= this.batch) {
      spinLockNoWait(k, t, this.lock, true);
      // Stryker disable next-line BooleanLiteral: a race-detector annotation; every annotated access of the count holds this lock
      k.mem.access(t, this.addr, k.arch.wordSize, true, this.site);
      k.mem.writeWord(this.addr, k.mem.readWord(this.addr) + delta);
      k.sync.localAdd(t, cpuAddr, amount - delta);
      k.sync.spinUnlockIrqrestore(t, this.lock);
    } else {
      k.sync.localAdd(t, cpuAddr, amount);
    }
  }

  /**
   * __percpu_counter_compare(fbc, rhs, batch): -1, 0 or 1 as the value is below, equal to or
   * above rhs. Exact (locked sum) only when the folded count is within batch x nr_cpus of rhs.
   */
  compare(k: Kernel, t: Thread, rhs: number): number {
    const count = this.read(k);
    if (Math.abs(count - rhs) > this.batch * this.nrCpus) return Math.sign(count - rhs);
    return Math.sign(this.sum(k, t) - rhs);
  }
}

export interface BudgetOptions {
  /** Bytes of cached argument buffers one user may pin (default 64 KiB = 16 pages). */
  userBudget?: number;
  /** Bytes of cached argument buffers all users together may pin (default 1 MiB). */
  globalBudget?: number;
  /** Users with a counter slot in the static table (default 64); others are never cached. */
  maxUsers?: number;
}

export const DEFAULT_USER_BUDGET = 64 << 10;
export const DEFAULT_GLOBAL_BUDGET = 1 << 20;

export function checkBudgetOptions(opts: BudgetOptions): Required<BudgetOptions> {
  return {
    userBudget: checkInteger('userBudget', opts.userBudget ?? DEFAULT_USER_BUDGET, 0, 2 ** 30),
    globalBudget: checkInteger('globalBudget', opts.globalBudget ?? DEFAULT_GLOBAL_BUDGET, 0, 2 ** 30),
    maxUsers: checkInteger('maxUsers', opts.maxUsers ?? 64, 1, 4096),
  };
}

/**
 * The argument-buffer budget of one kernel: a global percpu_counter and one per user, in a
 * static table of kernel memory (as module .bss / user_struct fields would be), batch =
 * max(32, 2 x nr_cpus) units of 1 KiB. tryCharge and uncharge run with preemption disabled.
 */
export class ArgBudget {
  readonly batch: number;
  readonly global: PercpuCounter;
  readonly users = new Map<number, PercpuCounter>();
  readonly userLimit: number;
  readonly globalLimit: number;
  private readonly base: number;
  private readonly stride: number;
  private readonly site: number;

  constructor(
    private readonly k: Kernel,
    private readonly opts: Required<BudgetOptions>,
    name: string,
  ) {
    const nrCpus = k.cpus.length;
    this.batch = Math.max(32, 2 * nrCpus);
    this.userLimit = Math.floor(opts.userBudget / BUDGET_UNIT_BYTES);
    this.globalLimit = Math.floor(opts.globalBudget / BUDGET_UNIT_BYTES);
    this.stride = PercpuCounter.words(nrCpus) * k.arch.wordSize;
    const bytes = (1 + opts.maxUsers) * this.stride;
    const order = Math.max(0, Math.ceil(Math.log2(bytes / k.arch.pageSize)));
    this.base = k.mem.reservePages(order, k.mem.tag(`${name} budget (static)`));
    if (this.base === 0) throw new Error(`${name}: no memory for the budget table`);
    // Stryker disable next-line StringLiteral: the tag only names the counter in race reports; a correct run has none
    this.site = k.mem.tag(`${name} budget counter`);
    this.global = this.counter(0, `${name} global budget`);
  }

  private counter(index: number, lockName: string): PercpuCounter {
    const c = new PercpuCounter(
      this.base + index * this.stride,
      // Stryker disable next-line StringLiteral: the lockdep class only names the lock in reports; a correct run has none
      this.k.sync.createSpinlock(lockName, 'percpu_counter->lock'),
      this.k.cpus.length,
      this.batch,
      this.site,
    );
    c.init(this.k);
    return c;
  }

  /** The user's counter, made on the user's first context; null when the table is full. */
  userCounter(uid: number): PercpuCounter | null {
    let c = this.users.get(uid);
    if (c === undefined) {
      if (this.users.size >= this.opts.maxUsers) return null;
      // Stryker disable next-line StringLiteral: the lock name only shows in lockdep reports; a correct run has none
      c = this.counter(1 + this.users.size, `uid ${uid} arg budget`);
      this.users.set(uid, c);
    }
    return c;
  }

  /** Charges `units` to the user and the global budget if both have room; false otherwise. */
  tryCharge(t: Thread, user: PercpuCounter, units: number): boolean {
    const k = this.k;
    k.sync.preemptDisable(t);
    const ok =
      user.compare(k, t, this.userLimit - units) <= 0 &&
      this.global.compare(k, t, this.globalLimit - units) <= 0;
    if (ok) {
      user.add(k, t, units);
      this.global.add(k, t, units);
    }
    k.sync.preemptEnable(t);
    return ok;
  }

  uncharge(t: Thread | null, user: PercpuCounter, units: number): void {
    const k = this.k;
    if (t !== null) k.sync.preemptDisable(t);
    user.add(k, t, -units);
    this.global.add(k, t, -units);
    if (t !== null) k.sync.preemptEnable(t);
  }
}

export function unitsFor(bytes: number): number {
  return Math.ceil(bytes / BUDGET_UNIT_BYTES);
}
