/**
 * The step trace of a replayed race schedule: the same run as replayRace (same trace hash and
 * bugs), every step with its thread, the choices, what the threads did, and each data-race
 * report's two accesses placed in the steps that made them.
 */
import { parseReplay } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { getMachine } from './machines.js';
import { replayRace } from './race.js';
import { traceRace } from './race-trace.js';

const p4 = getMachine('p4-2006');
const NAIVE = { machine: p4, strategy: 'ctx-cache-naive' } as const;
/** The naive cache's first schedule with a corrupted argument (race.test.ts). */
const CORRUPTING = '1:0.0.0.1.1.1.1.1';

/** Traced in each test, never at collection: a mutant is active only while tests run. */
const naive = () => traceRace(NAIVE, CORRUPTING);

describe('traceRace', () => {
  it('replays the same run as replayRace: trace hash, bugs and failures', () => {
    const trace = naive();
    const plain = replayRace(NAIVE, CORRUPTING);
    expect(trace.traceHash).toBe(plain.traceHash);
    expect(trace.bugs.map((b) => b.message)).toEqual(plain.bugs.map((b) => b.message));
    expect(trace.failures).toEqual(plain.failures);
    expect(trace.threads).toEqual(['T0 main', 'T1 caller1']);
  });

  it('numbers the steps, and the threads chosen at choice points are the replay decisions', () => {
    const trace = naive();
    expect(trace.steps.map((s) => s.index)).toEqual(trace.steps.map((_, i) => i));
    const chosen = trace.steps.filter((s) => s.choice !== null).map((s) => s.thread);
    expect(chosen).toEqual(parseReplay(CORRUPTING).decisions);
    for (const s of trace.steps.filter((x) => x.choice !== null)) expect(s.choice).toContain(s.thread);
    // each thread's last step ends it; its earlier ones end at a preemption point
    for (const id of [0, 1]) {
      const own = trace.steps.filter((s) => s.thread === id);
      expect(own.at(-1)?.end).toBe('done');
      expect(own.slice(0, -1).every((s) => s.end === 'preempt')).toBe(true);
    }
  });

  it("records each thread's call: enter, argument copy in, the context lock, copy out, exit with its result", () => {
    const trace = naive();
    for (const id of [0, 1]) {
      const own = trace.events.filter((e) => e.thread === id);
      expect(own.map((e) => e.kind)).toEqual([
        'syscall-enter',
        'arg-copy-in',
        'lock-take',
        'lock-release',
        'arg-copy-out',
        'syscall-exit',
      ]);
      expect(own[0]?.what).toBe('pfm_write_pmds');
      expect(own[1]?.what).toMatch(/^copy_from_user \d+ B at pfm_get_args$/);
      expect(own[2]?.what).toBe('spin_lock_irqsave(ctx1->lock)');
      expect(own[5]).toMatchObject({ what: 'pfm_write_pmds', result: 0 });
      const steps = own.map((e) => e.step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      for (const e of own) expect(trace.steps[e.step]?.thread).toBe(id);
    }
  });

  it("places both accesses of every data-race report in their threads' steps", () => {
    const trace = naive();
    const races = trace.bugs.filter((b) => b.kind === 'data-race');
    expect(trace.conflicts.map((c) => c.message)).toEqual(races.map((b) => b.message));
    for (const c of trace.conflicts) {
      for (const a of [c.access, c.other]) expect(trace.steps[a.step]?.thread).toBe(a.thread);
      expect(c.other.step).toBeLessThan(c.access.step);
      expect(c.access.thread).not.toBe(c.other.thread);
      expect(c.message).toContain(
        `${c.access.kind} by ${trace.threads[c.access.thread]} at ${c.access.site}`,
      );
      expect(c.message).toContain(`${c.other.kind} by ${trace.threads[c.other.thread]} at ${c.other.site}`);
      expect(c.message).toContain(`on 0x${c.addr.toString(16)}`);
    }
    // the copy into the shared args buffer is the write of T1 that races with T0's copy
    const copyRace = trace.conflicts.find((c) => c.access.kind === 'write' && c.other.kind === 'write');
    expect(copyRace).toMatchObject({ access: { thread: 1, site: 'pfm_get_args' }, other: { thread: 0 } });
    expect(copyRace?.object).toMatch(/^\d+ B \(size-\d+\) args:uid:1000, allocated at pfm_get_args$/);
    const copyIn = trace.events.find((e) => e.thread === 1 && e.kind === 'arg-copy-in');
    expect(copyIn?.step).toBe(copyRace?.access.step);
  });

  it('a race-free strategy has no conflicts', () => {
    const safe = traceRace({ machine: p4, strategy: 'ctx-cache' }, CORRUPTING);
    expect(safe.conflicts).toEqual([]);
    expect(safe.bugs).toEqual([]);
    expect(safe.events.filter((e) => e.kind === 'lock-take').map((e) => e.thread)).toEqual([0, 1]);
  });

  it("a thread that waits for a mutex blocks, and gets it handed over in its owner's step", () => {
    const t = traceRace({ machine: p4, strategy: 'ctx-cache-mutex' }, '1:0.1');
    const mutex = (e: { what: string }) => e.what.includes('ctx1->arg_mutex');
    const wait = t.events.find((e) => e.kind === 'lock-wait');
    expect(wait).toMatchObject({ thread: 1, what: 'mutex_lock(ctx1->arg_mutex)' });
    expect(t.steps[wait!.step]).toMatchObject({ thread: 1, end: 'block' });
    const release = t.events.find((e) => e.kind === 'lock-release' && e.thread === 0 && mutex(e));
    const handed = t.events.find((e) => e.kind === 'lock-take' && e.thread === 1 && mutex(e));
    expect(handed).toMatchObject({ what: 'mutex_lock(ctx1->arg_mutex) handed over', step: release?.step });
    expect(t.steps[handed!.step]?.thread).toBe(0);
  });

  it('records irq save and restore, and other kernel bugs as events of their step', () => {
    const t = traceRace({ machine: p4, strategy: 'ctx-cache-spinsplit' }, '1:0.1');
    const main = t.events.filter((e) => e.thread === 0).map((e) => e.kind);
    expect(main).toEqual([
      'syscall-enter',
      'lock-take',
      'arg-copy-in',
      'bug-report',
      'irq-save',
      'irq-restore',
      'arg-copy-out',
      'bug-report',
      'lock-release',
      'syscall-exit',
    ]);
    const reports = t.events.filter((e) => e.kind === 'bug-report').map((e) => e.what);
    expect(reports).toEqual(t.bugs.map((b) => `${b.kind}: ${b.message}`));
    expect(reports[0]).toMatch(/^sleep-in-atomic: /);
    expect(t.events.find((e) => e.kind === 'irq-save')?.what).toBe('local_irq_save');
    expect(t.conflicts).toEqual([]);
  });
});
