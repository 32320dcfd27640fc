/**
 * Schedule exploration: stateless model checking by re-running from scratch. Each schedule
 * builds a fresh world (the caller's: anything with a kernel), runs its threads under the
 * search's Scheduler, lets the caller judge it, and disposes of the kernel whatever happens.
 * Exhaustive mode is a bounded depth-first search (dfs.ts); random and PCT draw one schedule
 * per seed.
 */
import type { KernelBug } from '../bugs.js';
import { InvalidArgumentError } from '../errors.js';
import type { Kernel, RunResult } from '../kernel.js';
import { BoundedDfs } from './dfs.js';
import { PctScheduler } from './pct.js';
import { RandomScheduler } from './random.js';
import { formatReplay, parseReplay, ReplayScheduler } from './replay.js';
import type { Scheduler } from './scheduler.js';

export type ExploreMode = 'exhaustive' | 'random' | 'pct';

/** What exploration runs: anything with a kernel. A Kernel is its own world. */
export interface Explorable {
  readonly kernel: Kernel;
}

/** What a check says of one schedule. */
export interface Verdict {
  readonly failures: readonly string[];
  /** End the search after this schedule (the result is then not complete). */
  readonly stop?: boolean;
}

export interface ExploreOptions<W extends Explorable = Kernel> {
  /** Builds a fresh world with its threads spawned; called once per schedule. */
  build: (seed: number) => W;
  mode: ExploreMode;
  /** Exhaustive: bound on preemptions (switches away from a thread that could continue). */
  maxPreemptions?: number;
  /** Random/PCT: how many schedules; exhaustive: a cap (the result says if it was hit). */
  schedules?: number;
  seed?: number;
  pctDepth?: number;
  /** Judges each schedule (before its kernel is disposed of): failure messages, or a verdict. */
  check?: (world: W, run: RunResult) => readonly string[] | Verdict;
  stopOnFirst?: boolean;
}

export interface Finding {
  readonly replay: string;
  readonly bugs: KernelBug[];
  readonly failures: string[];
  readonly traceHash: string;
}

export interface ExploreResult {
  readonly mode: ExploreMode;
  readonly schedules: number;
  /** Exhaustive only: every schedule within the bound was run. */
  readonly complete: boolean;
  readonly distinctTraces: number;
  readonly findings: Finding[];
}

/** A search: the scheduler that lives across its executions, and the seed of each. */
interface Search {
  readonly scheduler: Scheduler;
  seedOf(index: number): number;
  readonly defaultSchedules: number;
}

function searchFor(mode: ExploreMode, seed: number, maxPreemptions: number, pctDepth: number): Search {
  switch (mode) {
    case 'exhaustive':
      return {
        scheduler: new BoundedDfs(maxPreemptions),
        seedOf: () => seed,
        defaultSchedules: 100_000,
      };
    case 'random':
      return { scheduler: new RandomScheduler(), seedOf: (i) => seed + i, defaultSchedules: 1000 };
    case 'pct':
      return {
        scheduler: new PctScheduler(pctDepth),
        seedOf: (i) => seed + i,
        defaultSchedules: 1000,
      };
    default:
      throw new InvalidArgumentError('explore mode', mode, 'exhaustive, random, pct');
  }
}

export function explore<W extends Explorable = Kernel>(opts: ExploreOptions<W>): ExploreResult {
  const mode = opts.mode;
  const search = searchFor(mode, opts.seed ?? 1, opts.maxPreemptions ?? 3, opts.pctDepth ?? 2);
  const cap = opts.schedules ?? search.defaultSchedules;
  const findings: Finding[] = [];
  const traces = new Set<string>();
  const scheduler = search.scheduler;
  let schedules = 0;
  let stopped = false;
  while (schedules < cap && scheduler.hasMore?.() !== false) {
    const seed = search.seedOf(schedules);
    const world = opts.build(seed);
    const kernel = world.kernel;
    try {
      const run = kernel.run(scheduler);
      schedules++;
      traces.add(run.traceHash);
      const verdict = judge(opts.check?.(world, run));
      const bugs = [...kernel.bugs];
      if (bugs.length > 0 || verdict.failures.length > 0) {
        findings.push({
          replay: formatReplay(seed, run.decisions),
          bugs,
          failures: [...verdict.failures],
          traceHash: run.traceHash,
        });
      }
      stopped = verdict.stop === true || (opts.stopOnFirst === true && findings.length > 0);
    } finally {
      kernel.dispose();
    }
    if (stopped) break;
  }
  // Only a search with an end (the bounded DFS) can be complete: when it has nothing left.
  const complete = !stopped && scheduler.hasMore?.() === false;
  return { mode, schedules, complete, distinctTraces: traces.size, findings };
}

function judge(v: readonly string[] | Verdict | undefined): Verdict {
  if (v === undefined) return { failures: [] };
  return Array.isArray(v) ? { failures: v } : (v as Verdict);
}

/** Re-runs one schedule from its replay string ("SEED:DECISIONS"). */
export function replaySchedule<W extends Explorable = Kernel>(
  build: (seed: number) => W,
  replay: string,
): { world: W; kernel: Kernel; run: RunResult } {
  const { seed, decisions } = parseReplay(replay);
  const world = build(seed);
  return { world, kernel: world.kernel, run: world.kernel.run(new ReplayScheduler(decisions)) };
}

/** Runs the same seed and policy twice and compares trace hashes. */
export function checkDeterminism<W extends Explorable = Kernel>(
  build: (seed: number) => W,
  seed: number,
): { same: boolean; hashes: [string, string] } {
  const once = () => {
    const k = build(seed).kernel;
    try {
      return k.run({ kind: 'random' });
    } finally {
      k.dispose();
    }
  };
  const a = once();
  const b = once();
  return { same: a.traceHash === b.traceHash && a.replay === b.replay, hashes: [a.traceHash, b.traceHash] };
}
