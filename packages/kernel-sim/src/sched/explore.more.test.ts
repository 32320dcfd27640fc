import { describe, expect, it } from 'vitest';
import { DisposedKernelError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import { testKernel } from '../test-util.js';
import { checkDeterminism, explore } from './explore.js';
import { type KGen, type Thread, Y_PREEMPT } from './thread.js';

function* worker(t: Thread, log: number[], n: number): KGen<void> {
  for (let i = 0; i < n; i++) {
    log.push(t.id);
    if (i < n - 1) yield Y_PREEMPT;
  }
}

/** Worlds of two 3-step workers; `built` lists every kernel made. */
function worlds() {
  const built: Kernel[] = [];
  const build = (seed: number) => {
    const k = testKernel({ seed, cpus: 2 });
    const p = k.createProcess();
    const log: number[] = [];
    for (const name of ['a', 'b']) k.spawn(p, name, (t) => worker(t, log, 3));
    built.push(k);
    return { kernel: k, log };
  };
  return { build, built };
}

const disposed = (k: Kernel) => {
  try {
    k.mem.readWord(0);
    return false;
  } catch (e) {
    return e instanceof DisposedKernelError;
  }
};

describe("explore() over the caller's world", () => {
  it('a verdict can stop the search: the result is then not complete, whatever the mode', () => {
    for (const mode of ['exhaustive', 'random', 'pct'] as const) {
      const w = worlds();
      let n = 0;
      const result = explore({
        build: w.build,
        mode,
        check: (world) => {
          n++;
          expect(world.log).toHaveLength(6); // the caller's world, after its run
          return { failures: [], stop: n === 3 };
        },
      });
      expect(result, mode).toMatchObject({ schedules: 3, complete: false, findings: [] });
    }
  });

  it('a stopping verdict with failures is a finding, and an exhaustive search that ran out is complete', () => {
    const w = worlds();
    const stop = explore({
      build: w.build,
      mode: 'exhaustive',
      check: (world) => (world.log[0] === 1 ? { failures: ['b ran first'], stop: true } : []),
    });
    expect(stop.complete).toBe(false);
    expect(stop.findings.map((f) => f.failures)).toEqual([['b ran first']]);
    expect(stop.schedules).toBeLessThan(18);
    const all = explore({ build: worlds().build, mode: 'exhaustive', maxPreemptions: 1 });
    expect(all).toMatchObject({ complete: true, schedules: 6 });
    const random = explore({ build: worlds().build, mode: 'random', schedules: 4 });
    expect(random).toMatchObject({ complete: false, schedules: 4 });
  });

  it("every schedule's kernel is disposed of, even when the check throws", () => {
    const w = worlds();
    let n = 0;
    const run = () =>
      explore({
        build: w.build,
        mode: 'exhaustive',
        check: () => {
          if (++n === 2) throw new Error('check failed');
          return [];
        },
      });
    expect(run).toThrow('check failed');
    expect(w.built).toHaveLength(2);
    expect(w.built.map(disposed)).toEqual([true, true]);
  });

  it('checkDeterminism disposes of both kernels it runs', () => {
    const w = worlds();
    expect(checkDeterminism(w.build, 3).same).toBe(true);
    expect(w.built.map(disposed)).toEqual([true, true]);
  });
});
