import { describe, expect, it } from 'vitest';
import { createStrategy } from '../registry.js';
import type { ArgBufferStrategy } from '../spec.js';
import { caseWorld, leftovers, threadProblems, thrown } from './world.js';

const kmalloc = () => createStrategy('kmalloc');

describe('caseWorld, threadProblems, leftovers', () => {
  it('a fresh world: one thread named caller, nothing held, nothing left', () => {
    const w = caseWorld(kmalloc, true);
    expect(w.t.label).toBe('T0 caller');
    expect(w.lab.k.options.debugAtomicSleep).toBe(true);
    expect(caseWorld(kmalloc, false).lab.k.options.debugAtomicSleep).toBe(false);
    expect(threadProblems(w)).toEqual([]);
    expect(leftovers(w)).toEqual([]);
  });

  it('names each thing a call left behind: a lock, preemption, irqs, a stack frame, a kernel bug', () => {
    const w = caseWorld(kmalloc, true);
    const { k } = w.lab;
    k.sync.spinLock(w.t, w.ctx.lock);
    k.sync.preemptDisable(w.t);
    k.sync.localIrqDisable(w.t);
    k.stacks.push(w.t, 64, 'leftover frame');
    k.reportBug('use-after-free', w.t, 'a made-up use after free');
    expect(threadProblems(w)).toEqual([
      'use-after-free: a made-up use after free',
      'returned holding ctx1->lock',
      'returned with preempt count 2',
      'returned with irqs off',
      `returned with ${w.t.stackDepth} B still on the kernel stack`,
    ]);
    expect(w.t.stackDepth).toBeGreaterThanOrEqual(64);
  });

  it('after close and exit: leaked objects, bytes still charged, a budget not back to 0, bugs in the close path', () => {
    const budget = {
      globalBytes: 2048,
      users: new Map([
        [1000, 1024],
        [1001, 1024],
      ]),
    };
    const leaky = (): ArgBufferStrategy =>
      ({
        ...kmalloc(),
        release: () => {},
        budgetReport: () => budget,
        contextClosed(k, t) {
          k.reportBug('double-free', t, 'freed twice on close');
        },
      }) as ArgBufferStrategy;
    const w = caseWorld(leaky, true);
    const u = w.lab.process.mm.mmap(4096);
    expect(w.lab.k.runSync(w.t, w.lab.call(w.t, w.ctx, 'pmd', 2, u))).toBe(0);
    expect(leftovers(w)).toEqual([
      '1 kernel object(s) left after close and exit (a leak)',
      '512 B of argument buffers still charged to the user after close and exit',
      'budget not back to 0 (global 2048 B, users 2048 B)',
      'double-free: freed twice on close',
    ]);
  });

  it('a budget back to 0 in total but not per user is still reported; only the users count', () => {
    const users = new Map([
      [1000, 0],
      [1001, 512],
    ]);
    const w = caseWorld(
      () => ({ ...kmalloc(), budgetReport: () => ({ globalBytes: 0, users }) }) as ArgBufferStrategy,
      true,
    );
    expect(leftovers(w)).toEqual(['budget not back to 0 (global 0 B, users 512 B)']);
  });

  it('a throw is named, an Error by its message', () => {
    expect(thrown(new Error('boom'))).toBe('the strategy threw: boom');
    expect(thrown('text')).toBe('the strategy threw: text');
  });
});
