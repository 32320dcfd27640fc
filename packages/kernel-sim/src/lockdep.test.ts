import { describe, expect, it } from 'vitest';
import { CAT } from './clock.js';
import type { Kernel } from './kernel.js';
import { type KGen, type Thread, Y_BLOCK } from './sched/thread.js';
import type { Spinlock } from './sync.js';
import { oneThread, testKernel } from './test-util.js';

/** Spinlocks named A, B, ... (one lock class each). */
function spinlocks(k: Kernel, ...names: string[]): Spinlock[] {
  return names.map((n) => k.sync.createSpinlock(n));
}

/** Takes `outer` then `inner` and releases both: one lock-order dependency. */
function nest(k: Kernel, t: Thread, outer: Spinlock, inner: Spinlock): void {
  k.sync.spinLock(t, outer);
  k.sync.spinLock(t, inner);
  k.sync.spinUnlock(t, inner);
  k.sync.spinUnlock(t, outer);
}

/** What lockdep and the irq/preempt bookkeeping must say about small kernel code paths. */
describe('irq state across nested save/restore', () => {
  it('nested spin_lock_irqsave: the inner restore keeps irqs off, the outer one turns them on', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const outer = k.sync.createSpinlock('outer');
    const inner = k.sync.createSpinlock('inner');
    k.sync.spinLockIrqsave(t, outer);
    k.sync.spinLockIrqsave(t, inner);
    k.sync.spinUnlockIrqrestore(t, inner);
    expect(t.irqsOff).toBe(true);
    k.sync.spinUnlockIrqrestore(t, outer);
    expect(t.irqsOff).toBe(false);
    expect(k.bugs).toEqual([]);
  });

  it('spin_lock_irqsave inside local_irq_disable: the restore leaves irqs off', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const lock = k.sync.createSpinlock('lock');
    k.sync.localIrqDisable(t);
    k.sync.spinLockIrqsave(t, lock);
    k.sync.spinUnlockIrqrestore(t, lock);
    expect(t.irqsOff).toBe(true);
    k.sync.localIrqEnable(t);
    expect(t.irqsOff).toBe(false);
  });

  it('local_irq_disable holds an interrupt back until local_irq_enable, and both charge half the pair', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const seen: string[] = [];
    k.sync.localIrqDisable(t);
    k.irq.raise(t.cpu, () => seen.push('irq'));
    k.irq.poll(t);
    expect(seen).toEqual([]);
    expect(k.irq.hasPending(t.cpu)).toBe(true);
    const half = t.clock.breakdown().lock;
    k.sync.localIrqEnable(t);
    expect(seen).toEqual(['irq']);
    expect(k.irq.hasPending(t.cpu)).toBe(false);
    expect(half + (t.clock.breakdown().lock - half)).toBe(k.costs.localIrqDisableEnable);
    expect(half).toBe(k.costs.localIrqDisableEnable >> 1);
  });

  it('local_irq_restore to "on" delivers what is pending; to "off" does not', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const seen: number[] = [];
    const flags = k.sync.localIrqSave(t);
    k.irq.raise(t.cpu, () => seen.push(1));
    const nested = k.sync.localIrqSave(t);
    k.sync.localIrqRestore(t, nested);
    expect(seen).toEqual([]);
    k.sync.localIrqRestore(t, flags);
    expect(seen).toEqual([1]);
  });
});

describe('interrupt handlers', () => {
  it('run in hardirq context with irqs off, and leave the thread as they found it', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const inside: string[] = [];
    const lock = k.sync.createSpinlock('pmu->lock');
    k.irq.raise(t.cpu, (it) => {
      inside.push(`inIrq=${it.inIrq} irqsOff=${it.irqsOff}`);
      // spin_lock_irqsave in a handler saves "off" and restores "off".
      k.sync.spinLockIrqsave(it, lock);
      k.sync.spinUnlockIrqrestore(it, lock);
      inside.push(`after irqrestore irqsOff=${it.irqsOff}`);
      // An interrupt raised in a handler waits for the handler to return.
      k.irq.raise(it.cpu, () => inside.push('nested'));
      k.irq.poll(it);
      inside.push('handler done');
    });
    k.irq.poll(t);
    expect(inside).toEqual([
      'inIrq=true irqsOff=true',
      'after irqrestore irqsOff=true',
      'handler done',
      'nested',
    ]);
    expect(t.inIrq).toBe(false);
    expect(t.irqsOff).toBe(false);
    expect(k.irq.delivered).toBe(2);
  });

  it('a handler that sleeps is a sleep-in-atomic bug naming the hardirq context', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const m = k.sync.createMutex('m');
    k.irq.raise(t.cpu, (it) => {
      k.sync.mutexLock(it, m);
      k.sync.mutexUnlock(it, m);
    });
    k.irq.poll(t);
    expect(k.bugs.map((b) => [b.kind, b.detail.inIrq, b.detail.irqsDisabled])).toEqual([
      ['sleep-in-atomic', 1, 1],
    ]);
  });

  it('the timer keeps a pending tick until the clock reaches it', () => {
    const k = testKernel({ hz: 1000 });
    const { t } = oneThread(k);
    expect(k.irq.hasPending(t.cpu)).toBe(false);
    k.charge(t, CAT.workload, k.irq.tickCycles - 1);
    expect(k.irq.hasPending(t.cpu)).toBe(false);
    k.charge(t, CAT.workload, 1);
    expect(k.irq.hasPending(t.cpu)).toBe(true);
  });
});

describe('preemption count', () => {
  it('preempt_disable makes sleeping a bug; preempt_enable makes it legal again', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const m = k.sync.createMutex('m');
    k.sync.preemptDisable(t);
    expect(t.preemptCount).toBe(1);
    k.sync.mutexLock(t, m);
    k.sync.mutexUnlock(t, m);
    expect(k.bugs.map((b) => [b.kind, b.detail.preemptCount])).toEqual([['sleep-in-atomic', 1]]);
    k.sync.preemptEnable(t);
    expect(t.preemptCount).toBe(0);
    k.sync.mutexLock(t, m);
    k.sync.mutexUnlock(t, m);
    expect(k.bugs).toHaveLength(1);
    expect(t.clock.breakdown().lock).toBe(k.costs.preemptDisableEnable + 2 * k.costs.mutexLockUnlock);
  });

  it('preempt_enable without preempt_disable is reported and leaves the count at 0', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.sync.preemptEnable(t);
    expect(t.preemptCount).toBe(0);
    expect(k.bugs.map((b) => [b.kind, b.message])).toEqual([
      ['unlock-not-held', 'preempt_enable without preempt_disable (preempt count underflow)'],
    ]);
    expect(t.clock.breakdown().lock ?? 0).toBe(0);
  });
});

describe('lockdep', () => {
  it('possible recursive locking: two locks of one class nested, reported once per program', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.sync.createSpinlock('ctx0->lock', 'ctx->lock');
    const b = k.sync.createSpinlock('ctx1->lock', 'ctx->lock');
    k.sync.spinLock(t, a);
    k.sync.spinLock(t, b);
    k.sync.spinUnlock(t, b);
    k.sync.spinUnlock(t, a);
    expect(k.bugs.map((x) => [x.kind, x.message, x.detail.class])).toEqual([
      [
        'recursive-lock',
        'possible recursive locking: ctx1->lock taken while holding ctx0->lock of the same class ctx->lock',
        'ctx->lock',
      ],
    ]);
    const other = testKernel();
    const o = oneThread(other);
    const c = other.sync.createSpinlock('ctx0->lock', 'ctx->lock');
    const d = other.sync.createSpinlock('ctx1->lock', 'ctx1->lock');
    other.sync.spinLock(o.t, c);
    other.sync.spinLock(o.t, d);
    other.sync.spinUnlock(o.t, d);
    other.sync.spinUnlock(o.t, c);
    expect(other.bugs).toEqual([]);
  });

  it('an unlock out of order leaves exactly the other locks held', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const [a, b, c] = spinlocks(k, 'A', 'B', 'C') as [Spinlock, Spinlock, Spinlock];
    k.sync.spinLock(t, a);
    k.sync.spinLock(t, b);
    k.sync.spinLock(t, c);
    k.sync.spinUnlock(t, b); // out of order
    const m = k.sync.createMutex('m');
    k.sync.mutexLock(t, m); // a bug report lists the locks held
    k.sync.mutexUnlock(t, m);
    expect(k.bugs.map((x) => [x.kind, x.heldLocks])).toEqual([['sleep-in-atomic', ['A', 'C']]]);
    expect(t.preemptCount).toBe(2);
    k.sync.spinUnlock(t, a);
    k.sync.spinUnlock(t, c);
    expect(t.heldLocks).toEqual([]);
    expect(t.preemptCount).toBe(0);
  });

  it('an unlock of a lock held by another thread names the holder and changes nothing', () => {
    const k = testKernel();
    const p = k.createProcess();
    const a = k.spawn(p, 'a');
    const b = k.spawn(p, 'b');
    const lock = k.sync.createSpinlock('L');
    k.sync.spinLock(a, lock);
    k.sync.spinUnlock(b, lock);
    expect(k.bugs.map((x) => [x.kind, x.message, x.thread])).toEqual([
      ['unlock-not-held', 'unlock of L, held by T0 a', 'T1 b'],
    ]);
    expect(lock.owner).toBe(a);
    expect(a.heldLocks).toEqual([lock]);
    expect(b.preemptCount).toBe(0);
  });
});

describe('lockdep: what each report says', () => {
  it('names the lock, the context and the call in every report', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const s = k.sync.createSpinlock('ctx->lock');
    const m = k.sync.createMutex('ctx->mutex');
    k.sync.spinUnlock(t, s);
    k.sync.spinLock(t, s);
    k.sync.mutexLock(t, m);
    k.sync.mutexUnlock(t, m);
    expect(() => k.sync.spinLock(t, s)).toThrow();
    expect(k.bugs.map((b) => [b.kind, b.message, b.detail])).toEqual([
      ['unlock-not-held', 'unlock of ctx->lock, not held', { lock: 'ctx->lock' }],
      [
        'sleep-in-atomic',
        'sleeping function called from invalid context: mutex_lock(ctx->mutex) called',
        { preemptCount: 1, irqsDisabled: 0, inIrq: 0 },
      ],
      ['recursive-lock', 'ctx->lock acquired again by its owner (deadlock)', { lock: 'ctx->lock' }],
    ]);
  });

  it('irq-unsafe lock usage: one report naming the class, however often it recurs', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const lock = k.sync.createSpinlock('pmu0->lock', 'pmu->lock');
    const take = (it: typeof t) => {
      k.sync.spinLock(it, lock);
      k.sync.spinUnlock(it, lock);
    };
    k.irq.raise(t.cpu, take);
    k.irq.poll(t);
    take(t);
    k.irq.raise(t.cpu, take);
    k.irq.poll(t);
    take(t);
    expect(k.bugs.map((b) => [b.kind, b.message, b.detail])).toEqual([
      [
        'irq-unsafe-lock',
        'inconsistent {IN-HARDIRQ} -> {HARDIRQ-ON} usage of pmu->lock: taken in interrupt context and with irqs enabled',
        { lock: 'pmu0->lock', class: 'pmu->lock' },
      ],
    ]);
  });

  it('spin_unlock_irqrestore of a lock another thread holds: reported, and irqs end up on', () => {
    const k = testKernel();
    const p = k.createProcess();
    const a = k.spawn(p, 'a');
    const b = k.spawn(p, 'b');
    const lock = k.sync.createSpinlock('L');
    k.sync.localIrqDisable(a);
    k.sync.spinLockIrqsave(a, lock); // a saved "irqs off"
    k.sync.spinUnlockIrqrestore(b, lock); // b never took it: its own irqs come back on
    expect(b.irqsOff).toBe(false);
    expect(k.bugs.map((x) => x.message)).toEqual(['unlock of L, held by T0 a']);
  });
});

describe('lockdep: the dependency graph', () => {
  it('a cycle already in the graph does not stop (or hang) later checks', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const [a, b, c] = spinlocks(k, 'A', 'B', 'C') as [Spinlock, Spinlock, Spinlock];
    nest(k, t, a, b);
    nest(k, t, b, a); // A -> B -> A: reported, and both edges stay in the graph
    nest(k, t, c, a); // a walk from A meets the cycle before it could reach C
    nest(k, t, b, c); // and now B -> C -> A -> B closes another one
    expect(k.bugs.map((x) => x.message)).toEqual([
      'possible circular locking dependency: B -> A -> B',
      'possible circular locking dependency: B -> C -> A -> B',
    ]);
  });

  it('finds a cycle past a branch of the graph that leads nowhere', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const [a, x, b, c] = spinlocks(k, 'A', 'X', 'B', 'C') as [Spinlock, Spinlock, Spinlock, Spinlock];
    nest(k, t, a, x); // A -> X, a dead end, looked at first
    nest(k, t, a, b);
    nest(k, t, b, c);
    expect(k.bugs).toEqual([]);
    nest(k, t, c, a);
    expect(k.bugs.map((e) => e.message)).toEqual(['possible circular locking dependency: C -> A -> B -> C']);
  });
});

describe('atomics and irq costs', () => {
  it('local_irq_save/restore charge the pair cost, half each', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const flags = k.sync.localIrqSave(t);
    expect(t.clock.breakdown().lock).toBe(k.costs.localIrqSaveRestore >> 1);
    k.sync.localIrqRestore(t, flags);
    expect(t.clock.breakdown().lock).toBe(k.costs.localIrqSaveRestore);
  });

  it('this_cpu add: returns the new value, no lock prefix (cmpxchg_local cost)', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const word = k.mem.kmalloc(t, 32, 0, 0, 0);
    k.mem.writeWord(word, 40);
    expect(k.sync.localAdd(t, word, 2)).toBe(42);
    expect(k.mem.readWord(word)).toBe(42);
    expect(t.clock.breakdown().atomic).toBe(k.costs.cmpxchgLocal);
  });

  it('an atomic on freed memory is reported and neither reads nor writes it', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const word = k.mem.kmalloc(t, 32, 0, 0, 0);
    k.mem.kfree(t, word);
    const before = k.mem.readWord(word);
    expect(k.sync.xchg(t, word, 7)).toBe(0);
    expect(k.sync.cmpxchg(t, word, before, 7)).toBe(0);
    expect(k.sync.atomicAdd(t, word, 7)).toBe(0);
    expect(k.mem.readWord(word)).toBe(before);
    expect(k.bugs.map((b) => b.kind)).toEqual(['use-after-free']);
    expect(t.clock.breakdown().atomic ?? 0).toBe(0);
  });
});

describe('lock hand-off: who pays what', () => {
  function contended(kind: 'spin' | 'mutex', cpus: [number, number]) {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const spin = k.sync.createSpinlock('s');
    const mutex = k.sync.createMutex('m');
    const lock = (t: Thread) => (kind === 'spin' ? k.sync.spinLock(t, spin) : k.sync.mutexLock(t, mutex));
    const unlock = (t: Thread) =>
      kind === 'spin' ? k.sync.spinUnlock(t, spin) : k.sync.mutexUnlock(t, mutex);
    const body = function* (t: Thread): KGen<void> {
      if (lock(t)) yield Y_BLOCK;
      yield 0;
      unlock(t);
    };
    k.spawn(p, 'holder', body, { cpu: cpus[0] });
    const waiter = k.spawn(p, 'waiter', body, { cpu: cpus[1] });
    k.run({ kind: 'round-robin' });
    return { k, waiter };
  }

  it('a mutex waiter pays a context switch, and a cache-line transfer only from another CPU', () => {
    const far = contended('mutex', [0, 1]);
    expect(far.waiter.clock.breakdown().sched).toBe(far.k.costs.contextSwitch);
    expect(far.waiter.clock.breakdown().lock).toBe(
      far.k.costs.mutexLockUnlock + far.k.costs.cacheLineTransfer,
    );
    // Both on CPU 0: the holder sleeps holding the mutex, the waiter blocks, the hand-off stays
    // on the CPU.
    const near = contended('mutex', [0, 0]);
    expect(near.waiter.clock.breakdown().sched).toBeGreaterThanOrEqual(near.k.costs.contextSwitch);
    expect(near.waiter.clock.breakdown().lock).toBe(near.k.costs.mutexLockUnlock);
  });
});
