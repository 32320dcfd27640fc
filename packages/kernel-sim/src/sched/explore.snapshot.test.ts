import { describe, expect, it } from 'vitest';
import type { Kernel, RunResult } from '../kernel.js';
import { GFP_KERNEL } from '../mem/memory.js';
import type { Spinlock } from '../sync.js';
import { testKernel } from '../test-util.js';
import { type ExploreMode, explore, replaySchedule } from './explore.js';
import { type KGen, type Thread, Y_BLOCK, Y_PREEMPT } from './thread.js';

/** A world of threads sharing a counter: some take the lock around it, one does not (a race). */
interface Racy {
  readonly kernel: Kernel;
  readonly shared: number;
  readonly lock: Spinlock;
  readonly threads: Thread[];
  readonly racer: number;
}

// Top-level, with parameters (see Thread.body).
function* bump(w: Racy, t: Thread, locked: boolean): KGen<void> {
  const k = w.kernel;
  const own = k.mem.kmalloc(t, 64 + 32 * t.id, GFP_KERNEL, k.mem.tag('own'), k.mem.tag('bump'));
  if (k.sleepPoint(t)) yield Y_PREEMPT;
  if (locked) while (k.sync.spinLock(t, w.lock)) yield Y_BLOCK;
  k.mem.access(t, w.shared, 4, false, k.mem.tag(`read ${t.id}`));
  const v = k.mem.readWord(w.shared);
  if (!locked && k.sleepPoint(t)) yield Y_PREEMPT;
  k.mem.access(t, w.shared, 4, true, k.mem.tag(`write ${t.id}`));
  k.mem.writeWord(w.shared, v + 1);
  if (locked) k.sync.spinUnlock(t, w.lock);
  k.mem.writeWord(own, v);
  k.mem.kfree(t, own);
  if (k.sleepPoint(t)) yield Y_PREEMPT;
}

function build(seed: number, threads = 3, racer = 2): Racy {
  const kernel = testKernel({ seed, cpus: 2 });
  const p = kernel.createProcess();
  const main = kernel.spawn(p, 'main');
  const shared = kernel.mem.kmalloc(main, 32, GFP_KERNEL, kernel.mem.tag('shared'), 0);
  const ts = [main, ...Array.from({ length: threads - 1 }, (_, i) => kernel.spawn(p, `t${i + 1}`))];
  return { kernel, shared, lock: kernel.sync.createSpinlock('counter'), threads: ts, racer };
}

const start = (w: Racy): void => {
  w.threads.forEach((t, i) => {
    t.body = bump(w, t, i !== w.racer);
  });
};

/** What a schedule ends in, beyond its trace: the counter, kernel memory, each thread's cycles. */
function outcome(w: Racy, run: RunResult): string {
  const m = w.kernel.mem.snapshot();
  const cycles = w.threads.map((t) => t.clock.total).join(',');
  const bugs = run.bugs.map((b) => b.message).join('|');
  return `${run.traceHash} seed=${w.kernel.seed} counter=${w.kernel.mem.readWord(w.shared)} live=${m.liveObjects}/${m.liveBytes} pages=${m.pagesInUse} cycles=${cycles} ${bugs}`;
}

function runAll(mode: ExploreMode, snapshots: boolean | 'build-only', schedules = 400) {
  const outcomes: string[] = [];
  const result = explore<Racy>({
    build: (seed) => {
      const w = build(seed);
      if (snapshots === 'build-only') start(w);
      return w;
    },
    ...(snapshots === 'build-only' ? {} : { start, snapshots }),
    mode,
    seed: 5,
    schedules,
    maxPreemptions: 2,
    check: (w, run) => {
      outcomes.push(outcome(w, run));
      return [];
    },
  });
  return { result, outcomes };
}

describe('explore() from a snapshot of the set-up world', () => {
  it('finds what rebuilding finds, schedule by schedule, in every mode', () => {
    for (const mode of ['exhaustive', 'random', 'pct'] as const) {
      const restored = runAll(mode, true);
      const rebuilt = runAll(mode, false);
      expect(restored.outcomes, mode).toEqual(rebuilt.outcomes);
      expect(restored.result, mode).toEqual(rebuilt.result);
      expect(restored.result.findings.length, mode).toBeGreaterThan(0); // the unlocked thread races
      expect(new Set(restored.outcomes.map((o) => o.split(' ')[2])).size, mode).toBeGreaterThan(1); // lost updates
    }
  });

  it('an exhaustive search is the one it was without start (one seed for all)', () => {
    const restored = runAll('exhaustive', true);
    const old = runAll('exhaustive', 'build-only');
    expect(restored.result).toEqual(old.result);
    expect(restored.outcomes).toEqual(old.outcomes);
    expect(restored.result.complete).toBe(true);
  });

  it('random schedule i runs the world set up under the base seed with the kernel reseeded to base + i', () => {
    const { outcomes } = runAll('random', true, 4);
    expect(outcomes.map((o) => o.split(' ')[1])).toEqual(['seed=5', 'seed=6', 'seed=7', 'seed=8']);
  });

  it('a finding replays to the same schedule with the same start and base seed', () => {
    const { result } = runAll('random', true, 50);
    const f = result.findings.at(-1)!;
    const { world, run } = replaySchedule((seed) => build(seed), f.replay, { start, baseSeed: 5 });
    expect(run.traceHash).toBe(f.traceHash);
    expect(run.bugs.map((b) => b.message)).toEqual(f.bugs.map((b) => b.message));
    expect(world.kernel.seed).toBe(Number(f.replay.split(':')[0]));
  });

  it('builds once and disposes of that world at the end, even when a check throws', () => {
    let builds = 0;
    let last: Racy | null = null;
    const counting = (seed: number) => {
      builds++;
      last = build(seed);
      return last;
    };
    explore<Racy>({ build: counting, start, mode: 'random', schedules: 20 });
    expect(builds).toBe(1);
    expect(() => last!.kernel.mem.readWord(8)).toThrow(/disposed/);
    builds = 0;
    expect(() =>
      explore<Racy>({
        build: counting,
        start,
        mode: 'random',
        schedules: 20,
        check: () => {
          throw new Error('boom');
        },
      }),
    ).toThrow('boom');
    expect(builds).toBe(1);
    expect(() => last!.kernel.mem.readWord(8)).toThrow(/disposed/);
  });

  it('snapshots: false builds a world per schedule, with the same meaning', () => {
    let builds = 0;
    const seeds: number[] = [];
    explore<Racy>({
      build: (seed) => {
        builds++;
        seeds.push(seed);
        return build(seed);
      },
      start,
      snapshots: false,
      mode: 'random',
      seed: 9,
      schedules: 5,
    });
    expect(builds).toBe(5);
    expect(seeds).toEqual([9, 9, 9, 9, 9]);
  });
});
