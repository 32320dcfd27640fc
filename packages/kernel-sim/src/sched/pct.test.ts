import { describe, expect, it } from 'vitest';
import type { Kernel } from '../kernel.js';
import { testKernel } from '../test-util.js';
import { explore } from './explore.js';
import { type KGen, type Thread, Y_PREEMPT } from './thread.js';

/**
 * A depth-3 bug behind a long serial prologue: `setup` holds a mutex for `prologue` steps
 * while A and B wait on it (every one of those steps has one runnable thread: no decision).
 * Then A and B each make two steps, and the bug is their exact alternation a1 b1 a2 b2: A must
 * be switched away after a1 and B after b1, two ordering constraints past the first (depth 3).
 */
function alternationKernel(seed: number, prologue: number): Kernel & { events: string[] } {
  const k = testKernel({ seed, cpus: 1 }) as Kernel & { events: string[] };
  const p = k.createProcess();
  const gate = k.sync.createMutex('gate');
  const events: string[] = [];
  k.events = events;
  const setup = function* (t: Thread): KGen<void> {
    for (let i = 0; i < prologue; i++) yield Y_PREEMPT;
    k.sync.mutexUnlock(t, gate);
  };
  // Woken owning the gate, each passes it on, then makes its two steps.
  const pair = function* (t: Thread, name: string): KGen<void> {
    k.sync.mutexUnlock(t, gate);
    yield Y_PREEMPT;
    events.push(`${name}1`);
    yield Y_PREEMPT;
    events.push(`${name}2`);
  };
  const s = k.spawn(p, 'setup', setup);
  const a = k.spawn(p, 'A', (t) => pair(t, 'a'));
  const b = k.spawn(p, 'B', (t) => pair(t, 'b'));
  k.sync.mutexLock(s, gate); // taken before the run: A and B start as its waiters
  k.sync.mutexLock(a, gate);
  k.sync.mutexLock(b, gate);
  return k;
}

const alternated = (k: Kernel & { events: string[] }) =>
  k.events.join(' ') === 'a1 b1 a2 b2' ? ['a1 b1 a2 b2: the depth-3 bug'] : [];

describe('PCT change points count decisions, not steps', () => {
  it('finds a depth-3 bug behind a 300-step serial prologue at least as often as PCT promises', () => {
    const schedules = 600;
    const result = explore({
      build: (seed) => alternationKernel(seed, 300),
      mode: 'pct',
      pctDepth: 3,
      schedules,
      check: alternated,
    });
    expect(result.schedules).toBe(schedules);
    // The prologue makes no decisions: a run has at most 3 threads and k <= 6 decisions, so
    // PCT's bound is 1/(n k^(d-1)) = 1/(3 * 6^2) = 1/108 of the schedules.
    const found = result.findings.length;
    expect(found).toBeGreaterThanOrEqual(Math.floor(schedules / 108));
    // (measured: 833 of 10,000 schedules; change points drawn among the first 200 raw steps,
    // as before, found it on none)
    // Every finding replays to the bug.
    for (const f of result.findings) expect(f.failures).toEqual(['a1 b1 a2 b2: the depth-3 bug']);
  });

  it('the same bug without a prologue is found at the same rate (steps before it do not matter)', () => {
    const rate = (prologue: number) =>
      explore({
        build: (seed) => alternationKernel(seed, prologue),
        mode: 'pct',
        pctDepth: 3,
        schedules: 300,
        check: alternated,
      }).findings.length;
    expect(rate(300)).toBe(rate(0));
  });

  it('depth 2 cannot find it: one change point makes at most one switch', () => {
    const result = explore({
      build: (seed) => alternationKernel(seed, 300),
      mode: 'pct',
      pctDepth: 2,
      schedules: 200,
      check: alternated,
    });
    expect(result.findings).toEqual([]);
  });
});
