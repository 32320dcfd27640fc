/**
 * Schedule exploration: stateless model checking by re-running. Each schedule starts from a
 * world (the caller's: anything with a kernel), runs its threads under the search's Scheduler
 * and lets the caller judge it. Exhaustive mode is a bounded depth-first search (dfs.ts);
 * random and PCT draw one schedule per seed.
 *
 * Two ways to get each schedule's world:
 * - `build` only: a fresh world per schedule, built with that schedule's seed, disposed of
 *   after it whatever happens.
 * - `build` and `start` (a fork server's way): the world is built once, with the base seed,
 *   and snapshotted (snapshot.ts); each schedule restores it, gives the kernel its own seed
 *   when that differs from the base (Kernel.reseed), and `start` installs the threads' bodies.
 *   A schedule then costs the calls it runs, not the set-up. `snapshots: false` rebuilds the
 *   world per schedule with the same meaning (build with the base seed, reseed, start).
 */
import type { KernelBug } from '../bugs.js';
import { InvalidArgumentError } from '../errors.js';
import type { Kernel, RunResult } from '../kernel.js';
import { takeSnapshot, type WorldSnapshot } from '../snapshot.js';
import { BoundedDfs } from './dfs.js';
import { SourceDpor } from './dpor.js';
import { PctScheduler } from './pct.js';
import { RandomScheduler } from './random.js';
import { formatReplay, parseReplay, ReplayScheduler } from './replay.js';
import type { Scheduler } from './scheduler.js';

export type ExploreMode = 'exhaustive' | 'dpor' | 'random' | 'pct';

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
  /**
   * Builds a world with its threads spawned: called once per schedule (with its seed), or,
   * with `start`, once in all (with the base seed) unless `snapshots` is false.
   */
  build: (seed: number) => W;
  /** Installs the threads' bodies on a built or restored world (see the file comment). */
  start?: (world: W) => void;
  /** With `start`: restore a snapshot per schedule (default) or rebuild (false). */
  snapshots?: boolean;
  mode: ExploreMode;
  /**
   * Exhaustive: bound on preemptions (switches away from a thread that could continue),
   * default 3. DPOR: none by default; with one, it runs every class of schedules that some
   * schedule within the bound reaches (bounded partial-order reduction).
   */
  maxPreemptions?: number;
  /** Random/PCT: how many schedules; exhaustive: a cap (the result says if it was hit). */
  schedules?: number;
  seed?: number;
  pctDepth?: number;
  /** Judges each schedule (before its kernel is disposed of): failure messages, or a verdict. */
  check?: (world: W, run: RunResult) => readonly string[] | Verdict;
  stopOnFirst?: boolean;
  /**
   * Findings kept (default 100): past it, a schedule with findings is counted in its class but
   * kept only when it is the first of its class, so a long search that finds something on
   * every schedule holds a bounded list and loses no class.
   */
  maxFindings?: number;
  /** The class of a schedule's findings (default: its distinct bug kinds, then its failures). */
  classify?: (bugs: readonly KernelBug[], failures: readonly string[]) => string;
}

/** A class of findings and how many schedules showed it. */
export interface FindingClass {
  readonly signature: string;
  readonly schedules: number;
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
  /** A search with an end ran out: every schedule (exhaustive) or class (DPOR) within its bound. */
  readonly complete: boolean;
  readonly distinctTraces: number;
  /** The first `maxFindings` schedules with findings, and the first of every class after. */
  readonly findings: Finding[];
  /** Every schedule with a finding, kept or not. */
  readonly failingSchedules: number;
  /** Classes of findings in the order first seen, with how many schedules showed each. */
  readonly findingClasses: FindingClass[];
}

/** Sorted distinct bug kinds, then the failures: a schedule's class of findings by default. */
export function defaultFindingClass(bugs: readonly KernelBug[], failures: readonly string[]): string {
  return [[...new Set(bugs.map((b) => b.kind))].sort().join('+'), ...failures].join(' | ');
}

/** A search: the scheduler that lives across its executions, and the seed of each. */
interface Search {
  readonly scheduler: Scheduler;
  seedOf(index: number): number;
  readonly defaultSchedules: number;
}

function searchFor(
  mode: ExploreMode,
  seed: number,
  maxPreemptions: number | undefined,
  pctDepth: number,
): Search {
  switch (mode) {
    case 'exhaustive':
      return {
        scheduler: new BoundedDfs(maxPreemptions ?? 3),
        seedOf: () => seed,
        defaultSchedules: 100_000,
      };
    case 'dpor':
      return {
        scheduler: new SourceDpor(maxPreemptions ?? Number.POSITIVE_INFINITY),
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
      throw new InvalidArgumentError('explore mode', mode, 'exhaustive, dpor, random, pct');
  }
}

/**
 * A search that runs in slices: `run(n)` runs up to n more schedules and says whether the
 * search has ended (done, stopped by a verdict, or at its cap); `result()` is the result so
 * far at any time (`complete` only once the search ran out of schedules); `close()` disposes
 * of the world. A caller that must stay responsive (progress, Ctrl-C) runs it so; explore()
 * runs it to the end.
 */
export class Exploration<W extends Explorable = Kernel> {
  private readonly findings: Finding[] = [];
  private readonly classes = new Map<string, number>();
  private failing = 0;
  private readonly traces = new Set<string>();
  private readonly search: Search;
  private readonly cap: number;
  private readonly worlds: WorldSource<W>;
  private schedulesRun = 0;
  private stopped = false;
  private closed = false;

  constructor(private readonly opts: ExploreOptions<W>) {
    const baseSeed = opts.seed ?? 1;
    this.search = searchFor(opts.mode, baseSeed, opts.maxPreemptions, opts.pctDepth ?? 2);
    this.cap = opts.schedules ?? this.search.defaultSchedules;
    // DPOR compares what steps of different executions touch: one world, restored, keeps the
    // objects those steps touch the same objects (footprint.ts).
    if (opts.mode === 'dpor' && (opts.start === undefined || opts.snapshots === false))
      throw new InvalidArgumentError(
        'explore mode dpor',
        opts.mode,
        'a world explored from a snapshot (give start)',
      );
    this.worlds = worldSource(opts, baseSeed);
  }

  /** Schedules run so far. */
  get schedules(): number {
    return this.schedulesRun;
  }

  /** Distinct traces so far. */
  get distinctTraces(): number {
    return this.traces.size;
  }

  /** Whether the search has ended (nothing left, a verdict stopped it, or the cap). */
  get ended(): boolean {
    return this.stopped || this.schedulesRun >= this.cap || this.search.scheduler.hasMore?.() === false;
  }

  /** Runs up to `budget` more schedules; true once the search has ended. */
  run(budget = Number.POSITIVE_INFINITY): boolean {
    if (this.closed) throw new InvalidArgumentError('exploration', 'closed', 'one not closed');
    const { opts, search } = this;
    const scheduler = search.scheduler;
    for (let n = 0; n < budget && !this.ended; n++) {
      const seed = search.seedOf(this.schedulesRun);
      const world = this.worlds.take(seed);
      const kernel = world.kernel;
      try {
        const run = kernel.run(scheduler);
        this.schedulesRun++;
        this.traces.add(run.traceHash);
        const verdict = judge(opts.check?.(world, run));
        const bugs = [...kernel.bugs];
        if (bugs.length > 0 || verdict.failures.length > 0) this.found(seed, run, bugs, verdict.failures);
        this.stopped = verdict.stop === true || (opts.stopOnFirst === true && this.failing > 0);
      } finally {
        this.worlds.done(world);
      }
    }
    return this.ended;
  }

  private found(seed: number, run: RunResult, bugs: KernelBug[], failures: readonly string[]): void {
    this.failing++;
    const signature = (this.opts.classify ?? defaultFindingClass)(bugs, failures);
    const seen = this.classes.get(signature) ?? 0;
    this.classes.set(signature, seen + 1);
    if (seen > 0 && this.findings.length >= (this.opts.maxFindings ?? 100)) return;
    this.findings.push({
      replay: formatReplay(seed, run.decisions),
      bugs,
      failures: [...failures],
      traceHash: run.traceHash,
    });
  }

  result(): ExploreResult {
    const scheduler = this.search.scheduler;
    // Only a search with an end (the bounded DFS, DPOR) can be complete: when it has nothing
    // left (every schedule, or every class of schedules, within its bound was run).
    const complete = !this.stopped && scheduler.hasMore?.() === false;
    return {
      mode: this.opts.mode,
      schedules: this.schedulesRun,
      complete,
      distinctTraces: this.traces.size,
      findings: [...this.findings],
      failingSchedules: this.failing,
      findingClasses: [...this.classes].map(([signature, schedules]) => ({ signature, schedules })),
    };
  }

  /** Disposes of the world (a snapshot's); run() may not be called after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worlds.close();
  }
}

export function explore<W extends Explorable = Kernel>(opts: ExploreOptions<W>): ExploreResult {
  const e = new Exploration(opts);
  try {
    e.run();
    return e.result();
  } finally {
    e.close();
  }
}

/** Where each schedule's world comes from: a fresh build, or the snapshot restored. */
interface WorldSource<W> {
  take(seed: number): W;
  /** The schedule is over (judged). */
  done(world: W): void;
  /** The search is over. */
  close(): void;
}

function worldSource<W extends Explorable>(
  opts: Pick<ExploreOptions<W>, 'build' | 'start' | 'snapshots'>,
  baseSeed: number,
): WorldSource<W> {
  const { build, start } = opts;
  if (start === undefined) {
    return { take: (seed) => build(seed), done: (w) => w.kernel.dispose(), close: () => {} };
  }
  const prepare = (w: W, seed: number): W => {
    if (seed !== baseSeed) w.kernel.reseed(seed);
    start(w);
    return w;
  };
  if (opts.snapshots === false) {
    return {
      take: (seed) => prepare(build(baseSeed), seed),
      done: (w) => w.kernel.dispose(),
      close: () => {},
    };
  }
  let world: W | null = null;
  let snapshot: WorldSnapshot | null = null;
  return {
    take(seed) {
      if (world === null) {
        world = build(baseSeed);
        snapshot = takeSnapshot([world]);
      } else {
        snapshot!.restore();
      }
      return prepare(world, seed);
    },
    done() {},
    close() {
      world?.kernel.dispose();
    },
  };
}

function judge(v: readonly string[] | Verdict | undefined): Verdict {
  if (v === undefined) return { failures: [] };
  return Array.isArray(v) ? { failures: v } : (v as Verdict);
}

/**
 * Re-runs one schedule from its replay string ("SEED:DECISIONS"). A world explored with
 * `start` is built with the base seed and reseeded as explore() did: pass the same `start` and
 * `baseSeed` (default: the replay's seed).
 */
export function replaySchedule<W extends Explorable = Kernel>(
  build: (seed: number) => W,
  replay: string,
  opts: { start?: (world: W) => void; baseSeed?: number } = {},
): { world: W; kernel: Kernel; run: RunResult } {
  const { seed, decisions } = parseReplay(replay);
  const source = worldSource(
    { build, ...(opts.start ? { start: opts.start } : {}), snapshots: false },
    opts.baseSeed ?? seed,
  );
  const world = source.take(seed);
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
