import { describe, expect, it } from 'vitest';
import { CAT } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import type { Kernel, RunResult } from '../kernel.js';
import { testKernel } from '../test-util.js';
import { checkDeterminism, type ExploreOptions, explore, replaySchedule } from './explore.js';
import { type KGen, type Thread, Y_PREEMPT } from './thread.js';

/** A thread of `n` scheduling steps: it logs its id at each and has a preemption point between. */
function* worker(t: Thread, log: number[], n: number): KGen<void> {
  for (let i = 0; i < n; i++) {
    log.push(t.id);
    if (i < n - 1) yield Y_PREEMPT;
  }
}

/**
 * Builds kernels of worker threads for explore(); `logs` maps each kernel to the order its
 * threads' steps ran in, and `seeds` lists the seeds explore() asked for.
 */
function workers(lengths: readonly number[]) {
  const logs = new Map<Kernel, number[]>();
  const seeds: number[] = [];
  const build = (seed: number): Kernel => {
    seeds.push(seed);
    const k = testKernel({ seed, cpus: 2 });
    const p = k.createProcess();
    const log: number[] = [];
    for (const [i, n] of lengths.entries()) k.spawn(p, `w${i}`, (t) => worker(t, log, n));
    logs.set(k, log);
    return k;
  };
  const logOf = (k: Kernel) => logs.get(k)!.join('');
  return { build, logOf, seeds };
}

/** Switches away from a thread that still had steps to run. */
function preemptions(log: string): number {
  let n = 0;
  for (let s = 1; s < log.length; s++) if (log[s] !== log[s - 1] && log.includes(log[s - 1]!, s)) n++;
  return n;
}

/** Every interleaving of two threads of `a` and `b` steps with at most `bound` preemptions. */
function interleavings(a: number, b: number, bound: number): string[] {
  const out: string[] = [];
  const walk = (s: string, left0: number, left1: number) => {
    if (left0 === 0 && left1 === 0) {
      if (preemptions(s) <= bound) out.push(s);
      return;
    }
    if (left0 > 0) walk(`${s}0`, left0 - 1, left1);
    if (left1 > 0) walk(`${s}1`, left0, left1 - 1);
  };
  walk('', a, b);
  return out.sort();
}

function exploreLogs(opts: Omit<ExploreOptions, 'build'>, lengths: readonly number[]) {
  const w = workers(lengths);
  const logs: string[] = [];
  const result = explore({
    ...opts,
    build: w.build,
    check: (k, run) => {
      logs.push(w.logOf(k));
      return opts.check ? opts.check(k, run) : [];
    },
  });
  return { result, logs, seeds: w.seeds };
}

describe('exhaustive exploration', () => {
  it('runs every interleaving within the preemption bound exactly once', () => {
    // Two threads of 3 steps have C(6,3) = 20 interleavings; with r runs one has r-2 preemptions.
    for (const [bound, count] of [
      [0, 2],
      [1, 6],
      [2, 14],
      [3, 18],
      [4, 20],
    ] as const) {
      const { result, logs } = exploreLogs({ mode: 'exhaustive', maxPreemptions: bound }, [3, 3]);
      expect(logs.sort(), `bound ${bound}`).toEqual(interleavings(3, 3, bound));
      expect(result).toMatchObject({ mode: 'exhaustive', complete: true, schedules: count });
      expect(result.distinctTraces).toBe(count);
      expect(result.findings).toEqual([]);
    }
  });

  it('bounds preemptions at 3 by default', () => {
    const { result, logs } = exploreLogs({ mode: 'exhaustive' }, [3, 3]);
    expect(result.schedules).toBe(18);
    expect(logs.sort()).toEqual(interleavings(3, 3, 3));
  });

  it('counts only switches away from a thread that could continue against the bound', () => {
    // Three threads of one step each: every order is free of preemptions.
    const { result, logs } = exploreLogs({ mode: 'exhaustive', maxPreemptions: 0 }, [1, 1, 1]);
    expect(logs.sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    expect(result.complete).toBe(true);
    // With a thread of two steps, the bound cuts the orders that interrupt it.
    const two = exploreLogs({ mode: 'exhaustive', maxPreemptions: 0 }, [2, 1, 1]);
    expect(two.logs.sort()).toEqual(['0012', '0021', '1002', '1200', '2001', '2100']);
  });

  it('reports the schedules a check fails, each with a replay that reproduces it', () => {
    const w = workers([2, 2]);
    const logs: string[] = [];
    const result = explore({
      build: w.build,
      mode: 'exhaustive',
      maxPreemptions: 1,
      check: (k) => {
        logs.push(w.logOf(k));
        return w.logOf(k).startsWith('1') ? ['thread 1 ran first'] : [];
      },
    });
    const failing = logs.filter((l) => l.startsWith('1'));
    expect(failing.length).toBeGreaterThan(0);
    expect(result.findings).toHaveLength(failing.length);
    for (const f of result.findings) {
      expect(f.failures).toEqual(['thread 1 ran first']);
      expect(f.bugs).toEqual([]);
      const again = replaySchedule(w.build, f.replay);
      expect(w.logOf(again.kernel)[0]).toBe('1');
      expect(again.run.traceHash).toBe(f.traceHash);
    }
  });

  it('stops at the first finding when asked', () => {
    const all: string[] = [];
    const w = workers([2, 2]);
    const result = explore({
      build: w.build,
      mode: 'exhaustive',
      stopOnFirst: true,
      check: (k) => {
        all.push(w.logOf(k));
        return w.logOf(k).startsWith('1') ? ['thread 1 ran first'] : [];
      },
    });
    expect(all[0]).toBe('0011'); // the default schedule comes first and passes
    expect(all.at(-1)![0]).toBe('1');
    expect(all.slice(0, -1).every((l) => l[0] === '0')).toBe(true);
    expect(result).toMatchObject({ mode: 'exhaustive', complete: false, schedules: all.length });
    expect(result.findings).toHaveLength(1);
  });

  it('stops at the schedule cap and says the search is incomplete', () => {
    const { result, logs } = exploreLogs({ mode: 'exhaustive', schedules: 5 }, [3, 3]);
    expect(result).toMatchObject({ mode: 'exhaustive', complete: false, schedules: 5, distinctTraces: 5 });
    expect(logs).toHaveLength(5);
    // a cap one short of the 18 schedules leaves the search incomplete; the cap that fits all
    // of them ends an exhausted search, which is complete
    const short = exploreLogs({ mode: 'exhaustive', schedules: 17 }, [3, 3]);
    expect(short.result).toMatchObject({ complete: false, schedules: 17 });
    const exact = exploreLogs({ mode: 'exhaustive', schedules: 18 }, [3, 3]);
    expect(exact.result).toMatchObject({ complete: true, schedules: 18 });
  });

  it('rejects an unknown mode', () => {
    const w = workers([1]);
    const bad = () => explore({ build: w.build, mode: 'dfs' as never });
    expect(bad).toThrow(InvalidArgumentError);
    expect(bad).toThrow('invalid explore mode: "dfs" (accepted: exhaustive, dpor, random, pct)');
    expect(w.seeds).toEqual([]);
  });
});

describe('random and PCT exploration', () => {
  it('random mode runs one schedule per seed from the given one, most of them interleaved', () => {
    const { result, logs, seeds } = exploreLogs({ mode: 'random', seed: 10, schedules: 40 }, [3, 3]);
    expect(seeds).toEqual(Array.from({ length: 40 }, (_, i) => 10 + i));
    expect(result).toMatchObject({ mode: 'random', complete: false, schedules: 40 });
    expect(result.distinctTraces).toBe(new Set(logs).size);
    expect(logs.filter((l) => preemptions(l) > 0).length).toBeGreaterThan(30);
  });

  it('random mode starts at seed 1 and runs 1000 schedules by default', () => {
    const { result, seeds } = exploreLogs({ mode: 'random' }, [2, 2]);
    expect(result.schedules).toBe(1000);
    expect(seeds[0]).toBe(1);
    expect(seeds.at(-1)).toBe(1000);
  });

  it('random mode names the seed of each finding and stops at the first when asked', () => {
    const interleaved = (k: Kernel, w: ReturnType<typeof workers>) =>
      preemptions(w.logOf(k)) > 2 ? ['preempted three times'] : [];
    const full = workers([3, 3]);
    const fullResult = explore({
      build: full.build,
      mode: 'random',
      schedules: 60,
      check: (k) => interleaved(k, full),
    });
    const firstSeed = Number(fullResult.findings[0]!.replay.split(':')[0]);
    expect(firstSeed).toBeGreaterThan(1); // seed 1 passes, so stopping early is visible
    for (const f of fullResult.findings) {
      const again = replaySchedule(full.build, f.replay);
      expect(preemptions(full.logOf(again.kernel))).toBeGreaterThan(2);
      expect(again.run.traceHash).toBe(f.traceHash);
    }
    const w = workers([3, 3]);
    const stop = explore({
      build: w.build,
      mode: 'random',
      stopOnFirst: true,
      check: (k) => interleaved(k, w),
    });
    expect(stop.schedules).toBe(firstSeed);
    expect(stop.findings).toEqual([fullResult.findings[0]]);
    expect(stop.complete).toBe(false);
  });

  it('PCT mode learns the run length from its first schedule, then preempts up to depth-1 times (depth 2 by default)', () => {
    const once = exploreLogs({ mode: 'pct', schedules: 12 }, [250, 250]);
    expect(once.result).toMatchObject({ mode: 'pct', complete: false, schedules: 12 });
    const counts = once.logs.map(preemptions);
    expect(counts[0]).toBe(0); // the first schedule has no change points: it measures the run
    for (const n of counts) expect(n).toBeLessThanOrEqual(1);
    // a change point is drawn among the decisions of the longest run seen (up to 499 here): it
    // preempts when it lands within the 250 or more decisions of the run at hand
    expect(counts.filter((n) => n === 1).length).toBeGreaterThanOrEqual(4);
    const serial = exploreLogs({ mode: 'pct', schedules: 8, pctDepth: 1 }, [250, 250]);
    expect(serial.logs.map(preemptions)).toEqual(Array(8).fill(0));
  });
});

describe('determinism check', () => {
  it('holds for a build that is a function of its seed', () => {
    const w = workers([3, 3, 3]);
    const d = checkDeterminism(w.build, 5);
    expect(d.same).toBe(true);
    expect(w.seeds).toEqual([5, 5]);
    const ref: RunResult = w.build(5).run({ kind: 'random' });
    expect(d.hashes).toEqual([ref.traceHash, ref.traceHash]);
  });

  it('catches a build that ignores its seed (same trace, different replay)', () => {
    let next = 1;
    const build = () => {
      const k = testKernel({ seed: next++ });
      k.spawn(k.createProcess(), 'only', (t) => worker(t, [], 2));
      return k;
    };
    const d = checkDeterminism(build, 5);
    expect(d.hashes[0]).toBe(d.hashes[1]);
    expect(d.same).toBe(false);
  });

  it('catches a build whose work differs between calls (same replay, different trace)', () => {
    let calls = 0;
    const body = function* (t: Thread, k: Kernel, cycles: number): KGen<void> {
      k.charge(t, CAT.workload, cycles);
      yield Y_PREEMPT;
    };
    const build = (seed: number) => {
      const k = testKernel({ seed });
      calls++;
      k.spawn(k.createProcess(), 'only', (t) => body(t, k, 100 * calls));
      return k;
    };
    const d = checkDeterminism(build, 5);
    expect(d.hashes[0]).not.toBe(d.hashes[1]);
    expect(d.same).toBe(false);
  });
});
