import { describe, expect, it } from 'vitest';
import type { Kernel } from './kernel.js';
import { GFP_KERNEL } from './mem/memory.js';
import { type KGen, type Thread, Y_BLOCK } from './sched/thread.js';
import { oneThread, testKernel } from './test-util.js';

describe('irq and preemption primitives', () => {
  it('charge the split pair costs and restore the saved state', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const lock = k.sync.createSpinlock('ctx->lock');
    k.sync.spinLockIrqsave(t, lock);
    expect(t.irqsOff).toBe(true);
    expect(t.preemptCount).toBe(1);
    k.sync.spinUnlockIrqrestore(t, lock);
    expect(t.irqsOff).toBe(false);
    expect(t.preemptCount).toBe(0);
    expect(t.clock.breakdown().lock).toBe(220);
    const f2 = k.sync.localIrqSave(t);
    const f3 = k.sync.localIrqSave(t);
    k.sync.localIrqRestore(t, f3);
    expect(t.irqsOff).toBe(true);
    k.sync.localIrqRestore(t, f2);
    expect(t.irqsOff).toBe(false);
  });
});

describe('lockdep-style validator: each bug fires on the wrong program and not on the right one', () => {
  it('sleep-in-atomic: mutex_lock under a spinlock', () => {
    const wrong = testKernel();
    const w = oneThread(wrong);
    const s = wrong.sync.createSpinlock('s');
    const m = wrong.sync.createMutex('m');
    wrong.sync.spinLock(w.t, s);
    wrong.sync.mutexLock(w.t, m);
    wrong.sync.mutexUnlock(w.t, m);
    wrong.sync.spinUnlock(w.t, s);
    expect(wrong.bugs.map((b) => b.kind)).toEqual(['sleep-in-atomic']);

    const right = testKernel();
    const r = oneThread(right);
    const s2 = right.sync.createSpinlock('s');
    const m2 = right.sync.createMutex('m');
    right.sync.mutexLock(r.t, m2);
    right.sync.spinLock(r.t, s2);
    right.sync.spinUnlock(r.t, s2);
    right.sync.mutexUnlock(r.t, m2);
    expect(right.bugs).toEqual([]);
  });

  it('recursive-lock: taking a held spinlock again kills the thread (deadlock)', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const s = k.sync.createSpinlock('s');
    k.sync.spinLock(t, s);
    expect(() => k.sync.spinLock(t, s)).toThrow(/recursive-lock/);
    expect(k.bugs.map((b) => b.kind)).toEqual(['recursive-lock']);
  });

  it('unlock-not-held', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const s = k.sync.createSpinlock('s');
    k.sync.spinUnlock(t, s);
    expect(k.bugs.map((b) => b.kind)).toEqual(['unlock-not-held']);
    k.sync.spinLock(t, s);
    k.sync.spinUnlock(t, s);
    expect(k.bugs).toHaveLength(1);
  });

  function abba(k: Kernel, reverse: boolean) {
    const a = k.sync.createSpinlock('A');
    const b = k.sync.createSpinlock('B');
    const p = k.createProcess();
    const body = (x: typeof a, y: typeof a) =>
      function* (t: Thread): KGen<void> {
        if (k.sync.spinLock(t, x)) yield Y_BLOCK;
        if (k.sync.spinLock(t, y)) yield Y_BLOCK;
        k.sync.spinUnlock(t, y);
        k.sync.spinUnlock(t, x);
      };
    k.spawn(p, 'one', body(a, b));
    k.spawn(p, 'two', reverse ? body(b, a) : body(a, b));
    return k.run({ kind: 'run-to-completion' });
  }

  it('lock-order: AB in one thread and BA in another, even when the run does not deadlock', () => {
    const wrong = testKernel({ cpus: 2 });
    abba(wrong, true);
    expect(wrong.bugs.map((b) => b.kind)).toEqual(['lock-order']);
    expect(wrong.bugs[0]!.message).toMatch(/A -> B|B -> A/);
    const right = testKernel({ cpus: 2 });
    abba(right, false);
    expect(right.bugs).toEqual([]);
  });

  it('lock-order: a cycle of length three', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const [a, b, c] = ['A', 'B', 'C'].map((n) => k.sync.createSpinlock(n)) as [never, never, never];
    const pair = (x: never, y: never) => {
      k.sync.spinLock(t, x);
      k.sync.spinLock(t, y);
      k.sync.spinUnlock(t, y);
      k.sync.spinUnlock(t, x);
    };
    pair(a, b);
    pair(b, c);
    expect(k.bugs).toEqual([]);
    pair(c, a);
    expect(k.bugs.map((x) => x.kind)).toEqual(['lock-order']);
    expect(k.bugs[0]!.detail.cycle).toBe('C -> A -> B -> C');
  });

  it('irq-unsafe-lock: a lock taken in an interrupt handler and elsewhere with irqs on', () => {
    const run = (safe: boolean) => {
      const k = testKernel();
      const { t } = oneThread(k);
      const l = k.sync.createSpinlock('ctx->lock');
      k.irq.raise(0, (it) => {
        k.sync.spinLock(it, l);
        k.sync.spinUnlock(it, l);
      });
      k.irq.poll(t);
      if (safe) {
        k.sync.spinLockIrqsave(t, l);
        k.sync.spinUnlockIrqrestore(t, l);
      } else {
        k.sync.spinLock(t, l);
        k.sync.spinUnlock(t, l);
      }
      return k.bugs.map((b) => b.kind);
    };
    expect(run(false)).toEqual(['irq-unsafe-lock']);
    expect(run(true)).toEqual([]);
  });

  it('held-at-return: a syscall that returns with a lock held or irqs off', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const l = k.sync.createSpinlock('ctx->lock');
    k.syscallEnter(t, 'pfm_read_pmds');
    k.sync.spinLockIrqsave(t, l);
    k.syscallExit(t);
    expect(k.bugs.map((b) => b.kind)).toEqual(['held-at-return', 'held-at-return', 'held-at-return']);
    expect(k.bugs[0]!.syscall).toBe('pfm_read_pmds');
    expect(l.owner).toBeNull();
    const k2 = testKernel();
    const o = oneThread(k2);
    const l2 = k2.sync.createSpinlock('ctx->lock');
    k2.syscallEnter(o.t, 'pfm_read_pmds');
    k2.sync.spinLockIrqsave(o.t, l2);
    k2.sync.spinUnlockIrqrestore(o.t, l2);
    k2.syscallExit(o.t);
    expect(k2.bugs).toEqual([]);
  });

  it('a mutex serialises two threads; the waiter sleeps and is woken', () => {
    const k = testKernel();
    const m = k.sync.createMutex('ctx->mutex');
    const p = k.createProcess();
    const order: string[] = [];
    const body = (name: string) =>
      function* (t: Thread): KGen<void> {
        if (k.sync.mutexLock(t, m)) yield Y_BLOCK;
        order.push(`${name} in`);
        const buf = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
        yield 0; // preemption point inside the critical section
        k.mem.kfree(t, buf);
        order.push(`${name} out`);
        k.sync.mutexUnlock(t, m);
      };
    k.spawn(p, 'a', body('a'));
    k.spawn(p, 'b', body('b'));
    const r = k.run({ kind: 'round-robin' });
    expect(r.deadlock).toBe(false);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(k.bugs).toEqual([]);
  });

  it('atomics return old values and charge an atomic RMW', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const w = k.mem.kmalloc(t, 32, GFP_KERNEL, 0, 0);
    k.mem.writeWord(w, 5);
    const before = t.clock.breakdown().atomic;
    expect(k.sync.xchg(t, w, 9)).toBe(5);
    expect(k.sync.cmpxchg(t, w, 1, 2)).toBe(9);
    expect(k.mem.readWord(w)).toBe(9);
    expect(k.sync.cmpxchg(t, w, 9, 0)).toBe(9);
    expect(k.mem.readWord(w)).toBe(0);
    expect(k.sync.atomicAdd(t, w, 3)).toBe(3);
    expect(t.clock.breakdown().atomic - before).toBe(4 * k.costs.atomicRmw);
  });
});

describe('lock hand-off costs', () => {
  it('a spinning waiter pays the hold time it waited through plus a cache-line transfer', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const l = k.sync.createSpinlock('ctx->lock');
    const holder = k.spawn(
      p,
      'holder',
      function* (t: Thread): KGen<void> {
        if (k.sync.spinLock(t, l)) yield Y_BLOCK;
        yield 0;
        k.charge(t, 7, 1000); // back-end work under the lock
        k.sync.spinUnlock(t, l);
      },
      { cpu: 0 },
    );
    const waiter = k.spawn(
      p,
      'waiter',
      function* (t: Thread): KGen<void> {
        if (k.sync.spinLock(t, l)) yield Y_BLOCK;
        k.sync.spinUnlock(t, l);
      },
      { cpu: 1 },
    );
    k.run({ kind: 'round-robin' });
    expect(holder.clock.breakdown().lock).toBe(k.costs.spinLockUnlock);
    // its own lock+unlock, then spinning through the holder's 1000 cycles and its unlock half,
    // then one cache-line transfer
    const unlockHalf = k.costs.spinLockUnlock - (k.costs.spinLockUnlock >> 1);
    expect(waiter.clock.breakdown().lock).toBe(
      k.costs.spinLockUnlock + 1000 + unlockHalf + k.costs.cacheLineTransfer,
    );
  });
});
