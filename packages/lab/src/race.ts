import { Exploration, type ExploreMode, type KernelBug, replaySchedule } from '@pfmsim/kernel-sim';
import {
  buildRaceWorld,
  DEFAULT_MIX,
  type RaceCall,
  type RaceWorld,
  type RaceWorldOptions,
} from './race-world.js';

export interface RaceOptions extends RaceWorldOptions {
  mode?: ExploreMode;
  schedules?: number;
  maxPreemptions?: number;
  pctDepth?: number;
  stopOnFirst?: boolean;
  /** Findings kept past the first of each class (default 100; kernel-sim's explore). */
  maxFindings?: number;
  /** Restore a snapshot of the set-up world per schedule (default) or rebuild it (false). */
  snapshots?: boolean;
}

export interface RaceFinding {
  readonly replay: string;
  readonly kinds: readonly string[];
  readonly messages: readonly string[];
  /** Threads whose copied-back vector differed from what they passed (corrupted arguments). */
  readonly corrupted: readonly string[];
}

export interface RaceResult {
  readonly strategy: string;
  readonly mode: ExploreMode;
  readonly threads: number;
  /** Calls per thread, and the mix they were taken from. */
  readonly calls: number;
  readonly mix: readonly RaceCall[];
  readonly schedules: number;
  /** Every schedule (exhaustive) or class of schedules (DPOR) within the bound was run. */
  readonly complete: boolean;
  readonly distinctTraces: number;
  /** The first `maxFindings` schedules with findings, and the first of every class after. */
  readonly findings: readonly RaceFinding[];
  /** Every schedule with a finding, kept in `findings` or not. */
  readonly schedulesWithFindings: number;
  /** Each class of findings (its kinds, sorted) with how many schedules showed it, first seen first. */
  readonly findingClasses: readonly { readonly kinds: readonly string[]; readonly schedules: number }[];
  readonly raceFree: boolean;
  readonly bugKinds: readonly string[];
}

const CORRUPTED = 'copied-back vector differs from its own (corrupted argument)';
const LEAK = 'leak: after closing every fd and exiting every thread, still allocated:';

/** What a schedule left wrong beyond KernelBugs: corrupted vectors, then leaks. */
export function failuresOf(world: RaceWorld): string[] {
  const out = world.corrupted().map((label) => `${label}: ${CORRUPTED}`);
  const leaks = world.leaks();
  if (leaks.length > 0) out.push(`${LEAK} ${leaks.join('; ')}`);
  return out;
}

function kindsOf(bugs: readonly KernelBug[], failures: readonly string[]): string[] {
  return [
    ...new Set<string>([
      ...bugs.map((b) => b.kind),
      ...failures.map((f) => (f.startsWith(LEAK) ? 'leak' : 'corrupted-argument')),
    ]),
  ];
}

const corruptedIn = (failures: readonly string[]) =>
  failures.filter((f) => f.endsWith(CORRUPTED)).map((f) => f.slice(0, -CORRUPTED.length - 2));

/** A race world with its threads' bodies installed (buildRaceWorld, then start). */
export function buildRaceKernel(opts: RaceOptions, seed: number): RaceWorld {
  const w = buildRaceWorld(opts, seed);
  w.start();
  return w;
}

const startRace = (w: RaceWorld): void => w.start();

/**
 * A race search that runs in slices (kernel-sim's Exploration): `run(n)` runs up to n more
 * schedules and says whether the search ended; `result()` is the result so far (complete only
 * once nothing is left); `close()` disposes of the world.
 */
export class RaceSearch {
  private readonly exploration: Exploration<RaceWorld>;

  constructor(private readonly opts: RaceOptions) {
    this.exploration = new Exploration<RaceWorld>({
      // schedules, maxPreemptions, pctDepth, seed, stopOnFirst and snapshots are the explorer's own options
      ...opts,
      build: (seed) => buildRaceWorld(opts, seed),
      start: startRace,
      mode: opts.mode ?? 'exhaustive',
      check: (world) => failuresOf(world),
      classify: (bugs, failures) => kindsOf(bugs, failures).sort().join('+'),
    });
  }

  get schedules(): number {
    return this.exploration.schedules;
  }

  get distinctTraces(): number {
    return this.exploration.distinctTraces;
  }

  run(budget?: number): boolean {
    return this.exploration.run(budget);
  }

  close(): void {
    this.exploration.close();
  }

  result(): RaceResult {
    const opts = this.opts;
    const result = this.exploration.result();
    const findings: RaceFinding[] = result.findings.map((f) => ({
      replay: f.replay,
      kinds: kindsOf(f.bugs, f.failures),
      messages: [...f.bugs.map((b) => `${b.kind}: ${b.message}`), ...f.failures],
      corrupted: corruptedIn(f.failures),
    }));
    return {
      strategy: typeof opts.strategy === 'string' ? opts.strategy : opts.strategy.name,
      mode: result.mode,
      threads: opts.threads ?? 2,
      calls: opts.calls ?? 1,
      mix: opts.mix ?? DEFAULT_MIX,
      schedules: result.schedules,
      complete: result.complete,
      distinctTraces: result.distinctTraces,
      findings,
      schedulesWithFindings: result.failingSchedules,
      findingClasses: result.findingClasses.map((c) => ({
        kinds: c.signature.split('+'),
        schedules: c.schedules,
      })),
      raceFree: result.failingSchedules === 0,
      bugKinds: [...new Set(findings.flatMap((f) => f.kinds))],
    };
  }
}

export function exploreRaces(opts: RaceOptions): RaceResult {
  const search = new RaceSearch(opts);
  try {
    search.run();
    return search.result();
  } finally {
    search.close();
  }
}

/** Replays one schedule ("SEED:DECISIONS") and returns what it found. */
export function replayRace(
  opts: RaceOptions,
  replay: string,
): { bugs: readonly KernelBug[]; corrupted: string[]; failures: string[]; traceHash: string } {
  const { world, kernel, run } = replaySchedule((seed) => buildRaceWorld(opts, seed), replay, {
    start: startRace,
    baseSeed: opts.seed ?? 1,
  });
  const failures = failuresOf(world);
  return { bugs: kernel.bugs, corrupted: corruptedIn(failures), failures, traceHash: run.traceHash };
}
