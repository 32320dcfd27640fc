import { describe, expect, it } from 'vitest';
import { testKernel } from '../test-util.js';
import { BLOCKED, type KGen, RUNNABLE, type Thread, Y_BLOCK, Y_PREEMPT } from './thread.js';
import { WaitQueue } from './waitqueue.js';

describe('wait queues', () => {
  it('a sleeper runs again only when woken, and re-checks its condition (wait_event)', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const q = new WaitQueue('ctx->msgq_wait');
    const queue: string[] = [];
    const log: string[] = [];
    const reader = function* (t: Thread): KGen<void> {
      while (queue.length === 0) {
        log.push('reader sleeps');
        q.sleepOn(t);
        yield Y_BLOCK;
      }
      log.push(`reader got ${queue.shift()}`);
    };
    const writer = function* (): KGen<void> {
      log.push('spurious wake');
      log.push(`woke ${q.wake()?.name}`);
      yield Y_PREEMPT;
      queue.push('msg');
      log.push('writer queued');
      log.push(`woke ${q.wakeAll()}`);
    };
    k.spawn(p, 'reader', reader);
    k.spawn(p, 'writer', writer);
    const r = k.run({ kind: 'round-robin' }); // the reader runs at the writer's preemption point
    expect(r.deadlock).toBe(false);
    expect(log).toEqual([
      'reader sleeps',
      'spurious wake',
      'woke reader', // nothing queued: the reader sleeps again
      'reader sleeps',
      'writer queued',
      'woke 1',
      'reader got msg',
    ]);
    expect(q.length).toBe(0);
  });

  it('wakes the longest sleeper first; wakeAll wakes the rest and counts them', () => {
    const k = testKernel();
    const p = k.createProcess();
    const q = new WaitQueue('q');
    const [a, b, c] = ['a', 'b', 'c'].map((n) => k.spawn(p, n)) as [Thread, Thread, Thread];
    for (const t of [a, b, c]) q.sleepOn(t);
    expect([a.state, b.state, c.state]).toEqual([BLOCKED, BLOCKED, BLOCKED]);
    expect(a.blockedOn).toBe(q);
    expect(q.has(b)).toBe(true);
    expect(q.wake()).toBe(a);
    expect([a.state, a.blockedOn]).toEqual([RUNNABLE, null]);
    expect(q.length).toBe(2);
    expect(q.wakeAll()).toBe(2);
    expect([b.state, c.state]).toEqual([RUNNABLE, RUNNABLE]);
    expect(q.has(b)).toBe(false);
    expect(q.wake()).toBeNull();
    expect(q.wakeAll()).toBe(0);
  });

  it('a deadlock report names the queue each thread sleeps on', () => {
    const k = testKernel();
    const p = k.createProcess();
    const q = new WaitQueue('ctx->restart_complete');
    const sleeper = function* (t: Thread): KGen<void> {
      q.sleepOn(t);
      yield Y_BLOCK;
    };
    k.spawn(p, 'target', sleeper);
    k.spawn(p, 'other', sleeper);
    const r = k.run({ kind: 'round-robin' });
    expect(r.deadlock).toBe(true);
    expect(k.bugs.map((b) => b.message)).toEqual([
      'all live threads blocked: T0 target on ctx->restart_complete, T1 other on ctx->restart_complete',
    ]);
  });

  it('only a running thread can go to sleep', () => {
    const k = testKernel();
    const p = k.createProcess();
    const q = new WaitQueue('q');
    const t = k.spawn(p, 't');
    q.sleepOn(t);
    expect(() => q.sleepOn(t)).toThrow(
      'invalid sleepOn(q): "T0 t" (accepted: a runnable thread (one that is running))',
    );
    expect(q.length).toBe(1);
  });
});
