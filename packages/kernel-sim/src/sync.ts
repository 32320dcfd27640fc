import { CAT } from './clock.js';
import type { Kernel } from './kernel.js';
import { created, named, touch, touchRange } from './sched/footprint.js';
import { blockThread, type Thread, wakeThread } from './sched/thread.js';

/** A lockdep lock class: every lock created with the same class name shares it. */
export class LockClass {
  /** Classes acquired while this one was held (lockdep's dependency graph). */
  readonly after = new Set<LockClass>();
  usedInIrq = false;
  usedIrqsOn = false;
  irqReported = false;
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
}

export class Lock {
  owner: Thread | null = null;
  /** Vector clock released by the last owner (race detector happens-before). */
  vc: Int32Array | null = null;
  /** Threads spinning (or asleep) until the lock is handed over; made on the first. */
  waiters: Thread[] | null = null;
  /** Irq state saved by the owner's spin_lock_irqsave, for the matching restore. */
  savedFlags = 0;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly cls: LockClass,
    readonly sleeping: boolean,
  ) {}
}

export type Spinlock = Lock & { readonly sleeping: false };
export type Mutex = Lock & { readonly sleeping: true };

/** Saved irq state of local_irq_save. */
export type IrqFlags = number;
const IRQS_WERE_ON = 0;
const IRQS_WERE_OFF = 1;

/**
 * Spinlocks, irq masking, preemption, sleeping mutexes and atomics on kernel memory, with a
 * lockdep-style validator: sleeping while atomic, recursive locking, unlock of a lock not held,
 * lock-order cycles across threads (any length), and irq-unsafe use of a lock also taken in
 * interrupt context. Costs are charged half on acquire and half on release.
 */
export class Sync {
  private readonly classes = new Map<string, LockClass>();
  private nextLockId = 1;

  constructor(private readonly k: Kernel) {}

  lockClass(name: string): LockClass {
    let cls = this.classes.get(name);
    if (!cls) {
      // Stryker disable next-line ArithmeticOperator: class ids are labels nothing compares
      cls = new LockClass(this.classes.size + 1, name);
      named(cls, `lock class:${name}`); // the same class whoever makes it first (footprint.ts)
      this.classes.set(name, cls);
    }
    return cls;
  }

  /** spin_lock_init; `className` groups locks for lockdep (default: the name). */
  createSpinlock(name: string, className = name): Spinlock {
    return this.newLock(name, className, false) as Spinlock;
  }

  createMutex(name: string, className = name): Mutex {
    return this.newLock(name, className, true) as Mutex;
  }

  private newLock(name: string, className: string, sleeping: boolean): Lock {
    const lock = new Lock(this.nextLockId++, name, this.lockClass(className), sleeping);
    created(lock);
    return lock;
  }

  // --- irq and preemption ---

  localIrqSave(t: Thread): IrqFlags {
    const flags = t.irqsOff ? IRQS_WERE_OFF : IRQS_WERE_ON;
    t.irqsOff = true;
    this.k.charge(t, CAT.lock, this.k.costs.localIrqSaveRestore >> 1);
    return flags;
  }

  localIrqRestore(t: Thread, flags: IrqFlags): void {
    const c = this.k.costs.localIrqSaveRestore;
    this.k.charge(t, CAT.lock, c - (c >> 1));
    t.irqsOff = flags === IRQS_WERE_OFF;
    // Stryker disable next-line ConditionalExpression: poll() itself returns at once while irqs are off
    if (!t.irqsOff) this.k.irq.poll(t);
  }

  localIrqDisable(t: Thread): void {
    t.irqsOff = true;
    this.k.charge(t, CAT.lock, this.k.costs.localIrqDisableEnable >> 1);
  }

  localIrqEnable(t: Thread): void {
    const c = this.k.costs.localIrqDisableEnable;
    this.k.charge(t, CAT.lock, c - (c >> 1));
    t.irqsOff = false;
    this.k.irq.poll(t);
  }

  preemptDisable(t: Thread): void {
    t.preemptCount++;
    this.k.charge(t, CAT.lock, this.k.costs.preemptDisableEnable >> 1);
  }

  preemptEnable(t: Thread): void {
    if (t.preemptCount === 0) {
      this.k.reportBug(
        'unlock-not-held',
        t,
        'preempt_enable without preempt_disable (preempt count underflow)',
      );
      return;
    }
    t.preemptCount--;
    const c = this.k.costs.preemptDisableEnable;
    this.k.charge(t, CAT.lock, c - (c >> 1));
  }

  // --- spinlocks ---
  //
  // Acquire primitives return true when the caller must wait: the thread is then BLOCKED on
  // the lock and its generator must `yield Y_BLOCK`; the releasing thread hands the lock over,
  // so when the waiter runs again it owns the lock. In a single-thread run that yield is a
  // deadlock (nobody can release).

  spinLock(t: Thread, lock: Spinlock): boolean {
    return this.acquire(t, lock, this.k.costs.spinLockUnlock >> 1);
  }

  spinUnlock(t: Thread, lock: Spinlock): void {
    const c = this.k.costs.spinLockUnlock;
    this.release(t, lock, c - (c >> 1));
  }

  /** spin_lock_irqsave: the saved irq state is kept with the lock for the matching restore. */
  spinLockIrqsave(t: Thread, lock: Spinlock): boolean {
    t.pendingIrqFlags = t.irqsOff ? IRQS_WERE_OFF : IRQS_WERE_ON;
    t.irqsOff = true;
    return this.acquire(t, lock, this.k.costs.spinLockIrqsaveRestore >> 1);
  }

  spinUnlockIrqrestore(t: Thread, lock: Spinlock): void {
    const flags = lock.owner === t ? lock.savedFlags : IRQS_WERE_ON;
    const c = this.k.costs.spinLockIrqsaveRestore;
    this.release(t, lock, c - (c >> 1));
    t.irqsOff = flags === IRQS_WERE_OFF;
    // Stryker disable next-line ConditionalExpression: poll() itself returns at once while irqs are off
    if (!t.irqsOff) this.k.irq.poll(t);
  }

  // --- sleeping mutex ---

  mutexLock(t: Thread, m: Mutex): boolean {
    this.k.mightSleep(t, `mutex_lock(${m.name})`);
    return this.acquire(t, m, this.k.costs.mutexLockUnlock >> 1);
  }

  mutexUnlock(t: Thread, m: Mutex): void {
    const c = this.k.costs.mutexLockUnlock;
    this.release(t, m, c - (c >> 1));
  }

  private acquire(t: Thread, lock: Lock, cost: number): boolean {
    const k = this.k;
    touch(lock, true);
    touch(lock.cls, true); // lockdep's order graph
    if (lock.owner === t) {
      k.fatal('recursive-lock', t, `${lock.name} acquired again by its owner (deadlock)`, {
        lock: lock.name,
      });
    }
    this.checkOrder(t, lock);
    this.checkIrqUsage(t, lock);
    k.charge(t, CAT.lock, cost);
    if (lock.owner !== null) {
      // Spinning (or sleeping on a mutex) until the owner hands the lock over.
      if (lock.waiters === null) lock.waiters = [t];
      else lock.waiters.push(t);
      blockThread(t, lock);
      // Where the owner's clock stood when this thread began to wait: a spinning waiter burns
      // the rest of the owner's hold time (charged at the hand-over).
      t.waitStart = lock.owner.clock.total;
      return true;
    }
    this.take(t, lock);
    return false;
  }

  private take(t: Thread, lock: Lock): void {
    lock.owner = t;
    lock.savedFlags = t.pendingIrqFlags;
    t.pendingIrqFlags = IRQS_WERE_ON;
    t.heldLocks.push(lock);
    if (!lock.sleeping) t.preemptCount++;
    // Stryker disable next-line ConditionalExpression: the detector ignores threads without a clock, which is every thread while it is inactive
    if (this.k.race.active) this.k.race.acquire(t, lock);
  }

  private release(t: Thread, lock: Lock, cost: number): void {
    const k = this.k;
    touch(lock, true);
    if (lock.owner !== t) {
      const who = lock.owner ? `held by ${lock.owner.label}` : 'not held';
      k.reportBug('unlock-not-held', t, `unlock of ${lock.name}, ${who}`, { lock: lock.name });
      return;
    }
    const held = t.heldLocks;
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator: pop() is the fast path of the splice below, same result
    if (held[held.length - 1] === lock) held.pop();
    else held.splice(held.lastIndexOf(lock), 1);
    lock.owner = null;
    if (!lock.sleeping) t.preemptCount--;
    // Stryker disable next-line ConditionalExpression: as for acquire, an inactive detector's threads have no clock
    if (k.race.active) k.race.release(t, lock);
    k.charge(t, CAT.lock, cost);
    const next = lock.waiters?.shift();
    if (next !== undefined) {
      wakeThread(next);
      // cost-model.md §2 hand-off term: a spinner pays the lock hold time it waited through,
      // and the lock's cache line moves to its CPU. A sleeper on a mutex pays a context switch.
      if (lock.sleeping) k.charge(next, CAT.sched, k.costs.contextSwitch);
      else k.charge(next, CAT.lock, Math.max(0, t.clock.total - next.waitStart));
      if (next.cpu !== t.cpu) k.charge(next, CAT.lock, k.costs.cacheLineTransfer);
      this.take(next, lock);
    }
  }

  private checkOrder(t: Thread, lock: Lock): void {
    const held = t.heldLocks;
    // Stryker disable next-line ConditionalExpression: the loop below does nothing over no held locks
    if (held.length === 0) return;
    for (let i = 0; i < held.length; i++) {
      const h = held[i]!;
      if (h.cls === lock.cls) {
        this.k.reportBug(
          'recursive-lock',
          t,
          `possible recursive locking: ${lock.name} taken while holding ${h.name} of the same class ${lock.cls.name}`,
          {
            lock: lock.name,
            class: lock.cls.name,
          },
        );
        continue;
      }
      // Stryker disable next-line ConditionalExpression: a known edge walked again finds no new cycle (a reported one is not reported twice)
      if (h.cls.after.has(lock.cls)) continue;
      // New dependency h -> lock: a path lock ->* h would close a cycle.
      const path = this.findPath(lock.cls, h.cls);
      h.cls.after.add(lock.cls);
      if (path !== null) {
        const cycle = [h.cls.name, ...path.map((c) => c.name)].join(' -> ');
        this.k.reportBug('lock-order', t, `possible circular locking dependency: ${cycle}`, {
          cycle,
          lock: lock.name,
        });
      }
    }
  }

  /** Path of classes from `from` to `to` in the dependency graph, or null. */
  private findPath(from: LockClass, to: LockClass): LockClass[] | null {
    const seen = new Set<LockClass>();
    const walk = (c: LockClass): LockClass[] | null => {
      if (c === to) return [c];
      if (seen.has(c)) return null;
      seen.add(c);
      for (const next of c.after) {
        const rest = walk(next);
        if (rest) return [c, ...rest];
      }
      return null;
    };
    return walk(from);
  }

  private checkIrqUsage(t: Thread, lock: Lock): void {
    const cls = lock.cls;
    if (t.inIrq) cls.usedInIrq = true;
    else if (!t.irqsOff) cls.usedIrqsOn = true;
    if (cls.usedInIrq && cls.usedIrqsOn && !cls.irqReported) {
      // Stryker disable next-line BooleanLiteral: a second report has the same message and kernel.reportBug keeps one
      cls.irqReported = true;
      this.k.reportBug(
        'irq-unsafe-lock',
        t,
        `inconsistent {IN-HARDIRQ} -> {HARDIRQ-ON} usage of ${cls.name}: taken in interrupt context and with irqs enabled`,
        {
          lock: lock.name,
          class: cls.name,
        },
      );
    }
  }

  // --- atomics on kernel memory words ---

  /** atomic xchg on a kernel word: returns the old value. A full barrier for the race detector. */
  xchg(t: Thread, addr: number, value: number, site = 0): number {
    const k = this.k;
    touchRange(addr, k.arch.wordSize, true);
    if (!k.mem.access(t, addr, k.arch.wordSize, false, site)) return 0;
    k.charge(t, CAT.atomic, k.costs.atomicRmw);
    const old = k.mem.readWord(addr);
    k.mem.writeWord(addr, value);
    // Stryker disable next-line ConditionalExpression: as for acquire (that the atomic orders a hand-off is tested)
    if (k.race.active) k.race.atomic(t, addr);
    return old;
  }

  /** atomic cmpxchg: stores `value` if the word equals `expected`; returns the old value. */
  cmpxchg(t: Thread, addr: number, expected: number, value: number, site = 0): number {
    const k = this.k;
    touchRange(addr, k.arch.wordSize, true);
    if (!k.mem.access(t, addr, k.arch.wordSize, false, site)) return 0;
    k.charge(t, CAT.atomic, k.costs.atomicRmw);
    const old = k.mem.readWord(addr);
    if (old === expected) k.mem.writeWord(addr, value);
    // Stryker disable next-line ConditionalExpression: as for acquire (that the atomic orders a hand-off is tested)
    if (k.race.active) k.race.atomic(t, addr);
    return old;
  }

  /** atomic add, returning the new value. */
  atomicAdd(t: Thread, addr: number, delta: number, site = 0): number {
    const k = this.k;
    touchRange(addr, k.arch.wordSize, true);
    if (!k.mem.access(t, addr, k.arch.wordSize, false, site)) return 0;
    k.charge(t, CAT.atomic, k.costs.atomicRmw);
    const value = k.mem.readWord(addr) + delta;
    k.mem.writeWord(addr, value);
    // Stryker disable next-line ConditionalExpression: as for acquire (that the atomic orders a hand-off is tested)
    if (k.race.active) k.race.atomic(t, addr);
    return value;
  }

  /** this_cpu-style add without a lock prefix (cmpxchg_local cost); only for per-CPU data. */
  localAdd(t: Thread, addr: number, delta: number): number {
    const k = this.k;
    k.charge(t, CAT.atomic, k.costs.cmpxchgLocal);
    const value = k.mem.readWord(addr) + delta;
    k.mem.writeWord(addr, value);
    return value;
  }
}
