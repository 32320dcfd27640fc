import {
  type ExploreMode,
  explore,
  type KernelBug,
  type KGen,
  replaySchedule,
  type Thread,
} from '@pfmsim/kernel-sim';
import { createWorld, type VectorSyscall, type World, type WorldOptions } from './world.js';

/** Each thread's one call: its vector is copied in, and copied back to the thread. */
const RACE_CALL: VectorSyscall = 'pfm_write_pmds';

export interface RaceOptions extends WorldOptions {
  threads?: number;
  mode?: ExploreMode;
  schedules?: number;
  maxPreemptions?: number;
  pctDepth?: number;
  stopOnFirst?: boolean;
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
  readonly schedules: number;
  readonly complete: boolean;
  readonly findings: readonly RaceFinding[];
  readonly raceFree: boolean;
  readonly bugKinds: readonly string[];
}

// Top-level, not a closure per schedule: see kernel-sim's Thread.body.
function* writeCaller(w: World, t: Thread, u: number, count: number): KGen<void> {
  yield* w.call(RACE_CALL, t, u, count);
}

/**
 * Threads of one process call pfm_write_pmds once each on the same context fd, each with its
 * own vector; every interleaving the explorer picks is checked for KernelBugs (races, sleeping
 * under a lock, use after free...) and for corrupted arguments (a thread's copied-back vector
 * differs from what it passed, so it read someone else's).
 */
export function buildRaceKernel(opts: RaceOptions, seed: number) {
  const threads = opts.threads ?? 2;
  const w = createWorld({
    ...opts,
    seed,
    cpus: Math.max(2, threads),
    arenaBytes: opts.arenaBytes ?? 2 << 20,
  });
  const { s, p } = w;
  const size = w.elemSize(RACE_CALL);
  const count = 4;
  const ts = [
    w.main,
    ...Array.from({ length: threads - 1 }, (_, i) =>
      s.thread(p, `caller${i + 1}`, undefined, (i + 1) % s.k.cpus.length),
    ),
  ];
  const vectors = ts.map((_, i) => {
    const u = w.vector(RACE_CALL, count);
    const v = p.mm.dataView(u, count * size, true);
    for (let e = 0; e < count; e++) v.setUint32(e * size + 8, 0x1000 * (i + 1) + e, true); // reg_value marks the owner
    return { u, expect: p.mm.read(u, count * size) };
  });
  ts.forEach((t, i) => {
    t.body = writeCaller(w, t, vectors[i]!.u, count);
  });
  const corrupted = () =>
    ts
      .filter((_t, i) => {
        const got = p.mm.read(vectors[i]!.u, count * size);
        return got.some((b, j) => b !== vectors[i]!.expect[j]);
      })
      .map((t) => t.label);
  return { kernel: s.k, corrupted };
}

export function exploreRaces(opts: RaceOptions): RaceResult {
  const corruptedBy = new Map<string, string[]>();
  const result = explore({
    // schedules, maxPreemptions, pctDepth, seed and stopOnFirst are the explorer's own options
    ...opts,
    build: (seed) => buildRaceKernel(opts, seed),
    mode: opts.mode ?? 'exhaustive',
    check: (world, run) => {
      const c = world.corrupted();
      // Stryker disable next-line ConditionalExpression: findings read it with `?? []`; recording every schedule would grow the map by one entry per schedule explored
      if (c.length > 0) corruptedBy.set(run.traceHash, c);
      return c.map((label) => `${label}: copied-back vector differs from its own (corrupted argument)`);
    },
  });
  const findings: RaceFinding[] = result.findings.map((f) => ({
    replay: f.replay,
    kinds: [
      ...new Set<string>([
        ...f.bugs.map((b: KernelBug) => b.kind),
        ...(f.failures.length > 0 ? ['corrupted-argument'] : []),
      ]),
    ],
    messages: [...f.bugs.map((b) => `${b.kind}: ${b.message}`), ...f.failures],
    corrupted: corruptedBy.get(f.traceHash) ?? [],
  }));
  const bugKinds = [...new Set(findings.flatMap((f) => f.kinds))];
  return {
    strategy: typeof opts.strategy === 'string' ? opts.strategy : opts.strategy.name,
    mode: result.mode,
    threads: opts.threads ?? 2,
    schedules: result.schedules,
    complete: result.complete,
    findings,
    raceFree: findings.length === 0,
    bugKinds,
  };
}

/** Replays one schedule ("SEED:DECISIONS") and returns what it found. */
export function replayRace(
  opts: RaceOptions,
  replay: string,
): { bugs: readonly KernelBug[]; corrupted: string[]; traceHash: string } {
  const { world, kernel, run } = replaySchedule((seed) => buildRaceKernel(opts, seed), replay);
  return { bugs: kernel.bugs, corrupted: world.corrupted(), traceHash: run.traceHash };
}
