import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import { testKernel } from '../test-util.js';
import { PctScheduler } from './pct.js';
import type { SchedulerPolicy } from './policy.js';
import { formatReplay, parseReplay } from './replay.js';
import { defaultChoice } from './scheduler.js';
import { type KGen, type Thread, Y_BLOCK, Y_PREEMPT } from './thread.js';

/** A thread of `n` scheduling steps: it logs its id at each and has a preemption point between. */
function* worker(t: Thread, log: number[], n: number): KGen<void> {
  for (let i = 0; i < n; i++) {
    log.push(t.id);
    if (i < n - 1) yield Y_PREEMPT;
  }
}

/** One process with a worker thread per entry of `lengths`; `log` is the order steps ran in. */
function workers(seed: number, lengths: readonly number[]): { k: Kernel; log: number[] } {
  const k = testKernel({ seed, cpus: 2 });
  const p = k.createProcess();
  const log: number[] = [];
  for (const [i, n] of lengths.entries()) k.spawn(p, `w${i}`, (t) => worker(t, log, n));
  return { k, log };
}

function runLog(seed: number, lengths: readonly number[], policy: SchedulerPolicy): number[] {
  const { k, log } = workers(seed, lengths);
  const r = k.run(policy);
  expect(r.deadlock).toBe(false);
  return log;
}

/** Steps at which a thread that still had work was switched away from. */
function preemptionSteps(log: readonly number[]): number[] {
  const out: number[] = [];
  for (let s = 1; s < log.length; s++) {
    if (log[s] !== log[s - 1] && log.indexOf(log[s - 1]!, s) >= 0) out.push(s);
  }
  return out;
}

/** Thread ids in the order they first ran. */
function firstRuns(log: readonly number[]): number[] {
  return [...new Set(log)];
}

describe('default choice', () => {
  it('keeps the previous thread running while it can, else takes the lowest id', () => {
    expect(defaultChoice({ candidates: [0, 2, 3], previous: 2 })).toBe(2);
    expect(defaultChoice({ candidates: [1, 3], previous: 2 })).toBe(1);
    expect(defaultChoice({ candidates: [4, 7], previous: -1 })).toBe(4);
  });
});

describe('run-to-completion and round-robin', () => {
  it('run-to-completion runs each thread through its preemption points before the next', () => {
    expect(runLog(1, [3, 3], { kind: 'run-to-completion' })).toEqual([0, 0, 0, 1, 1, 1]);
    const { k, log } = workers(1, [2, 1, 2]);
    k.run(); // the default policy
    expect(log).toEqual([0, 0, 1, 2, 2]);
  });

  it('round-robin switches at every preemption point, in id order, skipping finished threads', () => {
    expect(runLog(1, [3, 3], { kind: 'round-robin' })).toEqual([0, 1, 0, 1, 0, 1]);
    expect(runLog(1, [1, 3, 2], { kind: 'round-robin' })).toEqual([0, 1, 2, 1, 2, 1]);
  });

  it('run-to-completion keeps a thread on the CPU after it releases a mutex a waiter sleeps on', () => {
    const k = testKernel({ cpus: 1 });
    const p = k.createProcess();
    const m = k.sync.createMutex('m');
    const log: string[] = [];
    const waiter = function* (t: Thread, mutex: typeof m): KGen<void> {
      log.push('waiter: lock');
      if (k.sync.mutexLock(t, mutex)) yield Y_BLOCK;
      log.push('waiter: owns the mutex');
      k.sync.mutexUnlock(t, mutex);
    };
    const owner = function* (t: Thread, mutex: typeof m): KGen<void> {
      log.push('owner: unlock');
      k.sync.mutexUnlock(t, mutex);
      yield Y_PREEMPT;
      log.push('owner: still running');
      yield Y_PREEMPT;
      log.push('owner: done');
    };
    k.spawn(p, 'waiter', (t) => waiter(t, m));
    const o = k.spawn(p, 'owner', (t) => owner(t, m));
    expect(k.sync.mutexLock(o, m)).toBe(false); // taken before the run starts
    const r = k.run({ kind: 'run-to-completion' });
    expect(r.deadlock).toBe(false);
    expect(log).toEqual([
      'waiter: lock',
      'owner: unlock',
      'owner: still running',
      'owner: done',
      'waiter: owns the mutex',
    ]);
    expect(k.bugs).toEqual([]);
  });

  it('rejects an unknown policy, naming the accepted ones', () => {
    const { k } = workers(1, [1, 1]);
    expect(() => k.run({ kind: 'fifo' } as never)).toThrow(InvalidArgumentError);
    expect(() => k.run({ kind: 'fifo' } as never)).toThrow(
      'invalid scheduler policy: "fifo" (accepted: run-to-completion, round-robin, random, pct, replay)',
    );
  });
});

describe('random policy', () => {
  it('gives the same interleaving for the same seed and different ones across seeds', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const log = runLog(seed, [3, 3, 3], { kind: 'random' });
      expect(runLog(seed, [3, 3, 3], { kind: 'random' })).toEqual(log);
      expect([...log].sort()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
      seen.add(log.join(''));
    }
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe('replay policy', () => {
  it('takes the recorded decisions, then keeps the running thread', () => {
    expect(runLog(1, [3, 3], { kind: 'replay', decisions: [1] })).toEqual([1, 1, 1, 0, 0, 0]);
    expect(runLog(1, [3, 3], { kind: 'replay', decisions: [1, 0, 1] })).toEqual([1, 0, 1, 1, 0, 0]);
  });

  it('ignores a recorded decision for a thread that cannot run, keeping the running thread', () => {
    expect(runLog(1, [3, 3], { kind: 'replay', decisions: [1, 7, 0] })).toEqual([1, 1, 0, 0, 0, 1]);
  });

  it('replays a random run step for step', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { k, log } = workers(seed, [3, 2, 4]);
      const first = k.run({ kind: 'random' });
      const again = workers(seed + 100, [3, 2, 4]);
      const replayed = again.k.run({ kind: 'replay', decisions: first.decisions });
      expect(again.log).toEqual(log);
      expect(replayed.decisions).toEqual(first.decisions);
    }
  });
});

describe('PCT policy', () => {
  it('depth 1 never preempts: each thread runs to completion, in a seed-chosen priority order', () => {
    const orders = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const log = runLog(seed, [3, 3, 3], { kind: 'pct', depth: 1, decisions: 9 });
      expect(preemptionSteps(log)).toEqual([]);
      expect(runLog(seed, [3, 3, 3], { kind: 'pct', depth: 1, decisions: 9 })).toEqual(log);
      orders.add(firstRuns(log).join(''));
    }
    expect([...orders].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
  });

  it('depth 2 with two expected decisions: the first thread drops below the others at decision 1', () => {
    const starters = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) {
      const log = runLog(seed, [3, 3], { kind: 'pct', depth: 2, decisions: 2 });
      const [x, y] = firstRuns(log) as [number, number];
      expect(log).toEqual([x, y, y, y, x, x]);
      starters.add(x);
    }
    expect([...starters].sort()).toEqual([0, 1]);
  });

  it('depth 2 preempts exactly once, at a random decision among those expected', () => {
    const at = new Set<number>();
    for (let seed = 1; seed <= 12; seed++) {
      // every step of two long workers is a decision until one ends
      const log = runLog(seed, [250, 250], { kind: 'pct', depth: 2, decisions: 200 });
      const steps = preemptionSteps(log);
      expect(steps).toHaveLength(1);
      expect(steps[0]).toBeGreaterThanOrEqual(1);
      expect(steps[0]).toBeLessThanOrEqual(199);
      at.add(steps[0]!);
    }
    expect(at.size).toBeGreaterThan(6);
  });

  it('a lone run with no expected length has no change points, and teaches the length to the next', () => {
    const pct = new PctScheduler(3);
    for (let seed = 1; seed <= 10; seed++) {
      const { k, log } = workers(seed, [40, 40]);
      k.run(new PctScheduler(3));
      expect(preemptionSteps(log), `seed ${seed}`).toEqual([]);
    }
    // Two threads of 40 steps: every step is a decision until the first thread ends.
    const first = workers(1, [40, 40]);
    first.k.run(pct);
    expect(pct.runLength).toBe(40);
    const counts = new Set<number>();
    for (let seed = 2; seed <= 21; seed++) {
      const next = workers(seed, [40, 40]);
      const longest = pct.runLength; // change points come from decisions 1..longest-1
      next.k.run(pct);
      const points = pct.changePoints;
      expect(new Set(points).size).toBe(2);
      for (const d of points) expect(d).toBeGreaterThanOrEqual(1);
      for (const d of points) expect(d).toBeLessThan(longest);
      expect(pct.runLength).toBeGreaterThanOrEqual(longest);
      counts.add(preemptionSteps(next.log).length);
    }
    // a change point preempts when it falls within this run's decisions and lowers the running
    // thread below the other; two change points make two preemptions on some seeds
    expect([...counts].every((n) => n <= 2)).toBe(true);
    expect(counts.has(2)).toBe(true);
  });

  it('depth d preempts at most d-1 times, and a deeper search does reach d-1', () => {
    for (const depth of [2, 3, 4]) {
      let most = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const log = runLog(seed, [6, 6, 6], { kind: 'pct', depth, decisions: 12 });
        const n = preemptionSteps(log).length;
        expect(n, `depth ${depth} seed ${seed}`).toBeLessThanOrEqual(depth - 1);
        most = Math.max(most, n);
      }
      expect(most, `depth ${depth}`).toBe(depth - 1);
    }
  });

  it('rejects a depth that is not an integer >= 1', () => {
    for (const depth of [0, -1, 1.5, Number.NaN]) {
      const { k } = workers(1, [1, 1]);
      expect(() => k.run({ kind: 'pct', depth })).toThrow(
        `invalid pct depth: ${depth} (accepted: an integer >= 1)`,
      );
    }
  });
});

describe('replay strings', () => {
  it('round-trip any seed and decision list', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.array(fc.nat({ max: 1000 })),
        (seed, decisions) => {
          const text = formatReplay(seed, decisions);
          expect(parseReplay(text)).toEqual({ seed, decisions });
        },
      ),
    );
    expect(formatReplay(42, [1, 0, 12])).toBe('42:1.0.12');
  });

  it('accept multi-digit decisions and surrounding whitespace (a pasted line)', () => {
    expect(parseReplay('  7:10.11.2\n')).toEqual({ seed: 7, decisions: [10, 11, 2] });
    expect(parseReplay('7:3.45')).toEqual({ seed: 7, decisions: [3, 45] });
  });

  it('reject anything around or inside the SEED:DECISIONS form', () => {
    for (const bad of ['x7:1', '7:1.2x', '7:1..2', '7', ':1', '7:1.', '-7:1']) {
      expect(() => parseReplay(bad), bad).toThrow(
        `invalid replay: "${bad}" (accepted: SEED:DECISIONS, e.g. 42:1.0.1)`,
      );
    }
  });
});
