/**
 * traceRace, event by event: the whole record of a few replays (what a race picture draws),
 * so that a wrong name, step, choice, result or conflict partner shows as a difference.
 */
import { describe, expect, it } from 'vitest';
import { getMachine } from './machines.js';
import { type RaceTrace, traceRace } from './race-trace.js';

const p4 = getMachine('p4-2006');
const steps = (t: RaceTrace) => t.steps.map((s) => [s.thread, s.end, s.choice]);
const events = (t: RaceTrace) => t.events.map((e) => [e.step, e.thread, e.kind, e.what, e.result ?? null]);
const COPY_IN = 'copy_from_user 704 B at pfm_get_args'; // 4 pfarg_pmd of 176 B
const COPY_OUT = 'copy_to_user 704 B at pfm_get_args';
const LOCK = 'spin_lock_irqsave(ctx1->lock)';
const UNLOCK = 'spin_unlock_irqrestore(ctx1->lock)';

describe('traceRace records', () => {
  it('the naive cache, T0 preempted inside its call: every step and event, and the three races with their partners', () => {
    const t = traceRace({ machine: p4, strategy: 'ctx-cache-naive' }, '1:0.0.0.1.1.1.1.1');
    const both = [0, 1];
    expect(steps(t)).toEqual([
      [0, 'preempt', both],
      [0, 'preempt', both],
      [0, 'preempt', both],
      [1, 'preempt', both],
      [1, 'preempt', both],
      [1, 'preempt', both],
      [1, 'preempt', both],
      [1, 'done', both],
      [0, 'preempt', null], // T1 ended: T0 runs without a choice
      [0, 'done', null],
    ]);
    expect(events(t)).toEqual([
      [0, 0, 'syscall-enter', 'pfm_write_pmds', null],
      [1, 0, 'arg-copy-in', COPY_IN, null],
      [2, 0, 'lock-take', LOCK, null],
      [2, 0, 'lock-release', UNLOCK, null],
      [3, 1, 'syscall-enter', 'pfm_write_pmds', null],
      [4, 1, 'arg-copy-in', COPY_IN, null],
      [5, 1, 'lock-take', LOCK, null],
      [5, 1, 'lock-release', UNLOCK, null],
      [6, 1, 'arg-copy-out', COPY_OUT, null],
      [7, 1, 'syscall-exit', 'pfm_write_pmds', 0],
      [8, 0, 'arg-copy-out', COPY_OUT, null],
      [9, 0, 'syscall-exit', 'pfm_write_pmds', 0],
    ]);
    const ctx = '512 B (size-512) ctx:1, allocated at pfm_context_alloc';
    const args = '704 B (size-1024) args:uid:1000, allocated at pfm_get_args';
    expect(t.conflicts.map((c) => [c.object, c.access, c.other])).toEqual([
      [
        ctx,
        { thread: 1, step: 3, kind: 'read', site: 'ctx->arg_buf read (naive)' },
        { thread: 0, step: 0, kind: 'write', site: 'ctx->arg_buf store (naive)' },
      ],
      [
        args,
        { thread: 1, step: 4, kind: 'write', site: 'pfm_get_args' },
        { thread: 0, step: 1, kind: 'write', site: 'pfm_get_args' },
      ],
      [
        args,
        { thread: 0, step: 8, kind: 'read', site: 'pfm_get_args' },
        { thread: 1, step: 4, kind: 'write', site: 'pfm_get_args' },
      ],
    ]);
    // both args races are on one granule of the shared buffer, the first inside the context
    const [onCtx, first, second] = t.conflicts;
    expect(first!.addr).toBe(second!.addr);
    expect(first!.addr % 8).toBe(0);
    expect(onCtx!.addr).not.toBe(first!.addr);
    expect(t.conflicts.map((c) => c.message)).toEqual(t.bugs.map((b) => b.message));
  });

  it('three threads: the partner of each race is the thread the report names, not the latest access', () => {
    const t = traceRace(
      { machine: p4, strategy: 'ctx-cache-naive', threads: 3 },
      '1:2.0.1.1.1.1.1.1.1.1.1.1',
    );
    expect(t.threads).toEqual(['T0 main', 'T1 caller1', 'T2 caller2']);
    expect(steps(t).map(([thread]) => thread)).toEqual([2, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2]);
    expect(t.steps.map((s) => s.choice?.length ?? 0)).toEqual([3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 0, 0, 0, 0]);
    expect(t.steps[7]?.choice).toEqual([0, 2]); // T1 is done
    expect(
      t.conflicts.map((c) => [c.access.thread, c.access.step, c.other.thread, c.other.step, c.other.kind]),
    ).toEqual([
      [0, 1, 2, 0, 'write'],
      [0, 7, 1, 3, 'write'],
      [0, 7, 1, 5, 'read'],
    ]);
    expect(events(t).filter(([, , kind]) => kind === 'syscall-exit')).toEqual([
      [6, 1, 'syscall-exit', 'pfm_write_pmds', 0],
      [10, 0, 'syscall-exit', 'pfm_write_pmds', 0],
      [14, 2, 'syscall-exit', 'pfm_write_pmds', 0],
    ]);
  });

  it('the spinlock split: spin_lock and spin_unlock by name, irq save and restore, and the sleeping copies reported', () => {
    const t = traceRace({ machine: p4, strategy: 'ctx-cache-spinsplit' }, '1:1.0');
    expect(steps(t)).toEqual([
      [1, 'preempt', [0, 1]],
      [0, 'preempt', [0, 1]],
      [0, 'done', [0, 1]],
      [1, 'done', null],
    ]);
    const sleeping = (copy: string) =>
      `sleep-in-atomic: sleeping function called from invalid context: ${copy} called`;
    expect(events(t).filter(([, thread]) => thread === 1)).toEqual([
      [0, 1, 'syscall-enter', 'pfm_write_pmds', null],
      [0, 1, 'lock-take', 'spin_lock(ctx1->lock)', null],
      [0, 1, 'arg-copy-in', COPY_IN, null],
      [0, 1, 'bug-report', expect.stringMatching(new RegExp(`^${sleeping('copy_from_user')}`)), null],
      [0, 1, 'irq-save', 'local_irq_save', null],
      [0, 1, 'irq-restore', 'local_irq_restore', null],
      [0, 1, 'arg-copy-out', COPY_OUT, null],
      [0, 1, 'bug-report', expect.stringMatching(new RegExp(`^${sleeping('copy_to_user')}`)), null],
      [0, 1, 'lock-release', 'spin_unlock(ctx1->lock)', null],
      [3, 1, 'syscall-exit', 'pfm_write_pmds', 0],
    ]);
    // the same bug twice is reported once: T0's copies add no events
    expect(events(t).filter(([, thread, kind]) => thread === 0 && kind === 'bug-report')).toEqual([]);
    expect(t.conflicts).toEqual([]);
  });

  it("calls within one step: each exit gets its call's result, close and dup marked as calls too", () => {
    const t = traceRace({ machine: p4, strategy: 'kmalloc', mix: ['dup', 'unload'], calls: 2 }, '1:0');
    expect(steps(t)).toEqual([
      [0, 'done', [0, 1]],
      [1, 'done', null],
    ]);
    expect(events(t)).toEqual([
      [0, 0, 'syscall-enter', 'dup', null],
      [0, 0, 'syscall-exit', 'dup', 1], // the new descriptor
      [0, 0, 'syscall-enter', 'pfm_unload_context', null],
      [0, 0, 'lock-take', LOCK, null],
      [0, 0, 'lock-release', UNLOCK, null],
      [0, 0, 'syscall-exit', 'pfm_unload_context', 0],
      [1, 1, 'syscall-enter', 'dup', null],
      [1, 1, 'syscall-exit', 'dup', 2],
      [1, 1, 'syscall-enter', 'pfm_unload_context', null],
      [1, 1, 'lock-take', LOCK, null],
      [1, 1, 'lock-release', UNLOCK, null],
      [1, 1, 'syscall-exit', 'pfm_unload_context', 0],
    ]);
  });

  it("T1's unload and close of the descriptor T0 closed: EBADF both; the closes after the run are not steps", () => {
    const t = traceRace({ machine: p4, strategy: 'kmalloc', mix: ['unload', 'close'], calls: 2 }, '1:0');
    expect(events(t)).toEqual([
      [0, 0, 'syscall-enter', 'pfm_unload_context', null],
      [0, 0, 'lock-take', LOCK, null],
      [0, 0, 'lock-release', UNLOCK, null],
      [0, 0, 'syscall-exit', 'pfm_unload_context', 0],
      [0, 0, 'syscall-enter', 'close', null],
      [0, 0, 'syscall-exit', 'close', 0],
      [1, 1, 'syscall-enter', 'pfm_unload_context', null],
      [1, 1, 'syscall-exit', 'pfm_unload_context', -9],
      [1, 1, 'syscall-enter', 'close', null],
      [1, 1, 'syscall-exit', 'close', -9],
    ]);
    // the dup'ed descriptors left open are closed when the run is checked for leaks: no events
    const dups = traceRace({ machine: p4, strategy: 'kmalloc', mix: ['dup'], calls: 1 }, '1:1');
    expect(
      events(dups).map(([step, thread, kind, what, result]) => [step, thread, kind, what, result]),
    ).toEqual([
      [0, 1, 'syscall-enter', 'dup', null],
      [0, 1, 'syscall-exit', 'dup', 1],
      [1, 0, 'syscall-enter', 'dup', null],
      [1, 0, 'syscall-exit', 'dup', 2],
    ]);
    expect(dups.failures).toEqual([]);
  });
});
