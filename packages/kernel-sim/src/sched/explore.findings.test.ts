/**
 * Findings of a long search: every failing schedule is counted in its class, the first
 * `maxFindings` are kept, and after them only the first of each new class, so a search that
 * fails on every schedule holds a bounded list and still names every class it saw.
 */
import { describe, expect, it } from 'vitest';
import { testKernel } from '../test-util.js';
import { defaultFindingClass, explore } from './explore.js';
import { type KGen, type Thread, Y_PREEMPT } from './thread.js';

function* worker(t: Thread, log: number[]): KGen<void> {
  for (let i = 0; i < 3; i++) {
    log.push(t.id);
    if (i < 2) yield Y_PREEMPT;
  }
}

/** Two 3-step workers: 20 schedules without a preemption bound. */
const build = (seed: number) => {
  const k = testKernel({ seed, cpus: 2 });
  const p = k.createProcess();
  const log: number[] = [];
  for (const name of ['a', 'b']) k.spawn(p, name, (t) => worker(t, log));
  return { kernel: k, log };
};

/** Fails every schedule: class "a first" or "b first"; a schedule where b ends first also reports a bug. */
const check = (w: ReturnType<typeof build>) => {
  if (w.log.at(-1) === w.kernel.threads[0]!.id)
    w.kernel.reportBug('deadlock', w.kernel.threads[1]!, 'b ended first');
  return [w.log[0] === w.kernel.threads[0]!.id ? 'a first' : 'b first'];
};

describe('explore(): findings of a long search', () => {
  it('counts every failing schedule and keeps all of them under the cap', () => {
    const r = explore({ build, mode: 'exhaustive', maxPreemptions: 10, check });
    expect(r.schedules).toBe(20);
    expect(r.failingSchedules).toBe(20);
    expect(r.findings).toHaveLength(20);
    expect(r.findingClasses.reduce((n, c) => n + c.schedules, 0)).toBe(20);
    expect(r.findingClasses.map((c) => c.signature).sort()).toEqual([
      ' | a first',
      ' | b first',
      'deadlock | a first',
      'deadlock | b first',
    ]);
  });

  it('past maxFindings keeps only the first schedule of each new class', () => {
    const all = explore({ build, mode: 'exhaustive', maxPreemptions: 10, check });
    const capped = explore({ build, mode: 'exhaustive', maxPreemptions: 10, check, maxFindings: 1 });
    expect(capped.failingSchedules).toBe(20);
    expect(capped.findingClasses).toEqual(all.findingClasses);
    // the first finding, then the first of each class seen after it
    const firstOfClass = all.findingClasses.map(
      (c) => all.findings.find((f) => defaultFindingClass(f.bugs, f.failures) === c.signature)!.replay,
    );
    expect(capped.findings.map((f) => f.replay)).toEqual(firstOfClass);
    expect(capped.findings).toHaveLength(4);
    const none = explore({ build, mode: 'exhaustive', maxPreemptions: 10, check, maxFindings: 0 });
    expect(none.findings.map((f) => f.replay)).toEqual(firstOfClass); // a new class is always kept
  });

  it('a caller may class findings its own way; stopOnFirst stops at the first failing schedule', () => {
    const r = explore({
      build,
      mode: 'exhaustive',
      maxPreemptions: 10,
      check,
      maxFindings: 2,
      classify: (bugs) => (bugs.length > 0 ? 'bug' : 'no bug'),
    });
    expect(r.findingClasses.map((c) => c.signature).sort()).toEqual(['bug', 'no bug']);
    expect(r.findingClasses.reduce((n, c) => n + c.schedules, 0)).toBe(20);
    expect(r.findings).toHaveLength(2);
    const first = explore({ build, mode: 'exhaustive', maxPreemptions: 10, check, stopOnFirst: true });
    expect(first).toMatchObject({ schedules: 1, failingSchedules: 1, complete: false });
    expect(first.findings).toHaveLength(1);
  });

  it('the default class: sorted distinct bug kinds, then the failures', () => {
    const k = testKernel();
    const t = k.spawn(k.createProcess(), 'x');
    k.reportBug('deadlock', t, 'one');
    k.reportBug('deadlock', t, 'two');
    k.reportBug('sleep-in-atomic', t, 'three');
    expect(defaultFindingClass([...k.bugs].reverse(), ['f1', 'f2'])).toBe(
      'deadlock+sleep-in-atomic | f1 | f2',
    );
    expect(defaultFindingClass([], [])).toBe('');
  });
});
