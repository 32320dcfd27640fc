import {
  type AddressSpace,
  type ExploreMode,
  explore,
  type Kernel,
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

/** A built race world: its threads have no bodies until start(). */
export interface RaceWorld {
  readonly kernel: Kernel;
  /** Everything else a snapshot must reach (the perfmon system and its strategy). */
  readonly system: object;
  /** Installs each thread's call (fresh generators, after a build or a snapshot restore). */
  start(): void;
  /** Labels of the threads whose copied-back vector differs from what they passed. */
  corrupted(): string[];
}

/**
 * Threads of one process call pfm_write_pmds once each on the same context fd, each with its
 * own vector; every interleaving the explorer picks is checked for KernelBugs (races, sleeping
 * under a lock, use after free...) and for corrupted arguments (a thread's copied-back vector
 * differs from what it passed, so it read someone else's). The world is built without thread
 * bodies; start() installs them.
 */
export function buildRaceWorld(opts: RaceOptions, seed: number): RaceWorld {
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
    return { u, expect: new Int32Array(p.mm.read(u, count * size).buffer) };
  });
  return {
    kernel: s.k,
    system: s,
    start() {
      ts.forEach((t, i) => {
        t.body = writeCaller(w, t, vectors[i]!.u, count);
      });
    },
    corrupted: () => ts.filter((_t, i) => differs(p.mm, vectors[i]!)).map((t) => t.label),
  };
}

/**
 * Whether a user vector's bytes differ from `expect`, compared in place a word at a time (this
 * runs once per schedule). Each vector starts its own mapping (page-aligned in the arena or in
 * its private bytes) and holds whole words (pfarg structs are multiples of 8 bytes).
 */
function differs(mm: AddressSpace, v: { readonly u: number; readonly expect: Int32Array }): boolean {
  const r = mm.regionOf(v.u);
  if (r === null) {
    mm.read(v.u, v.expect.byteLength); // throws UserSegfault: the vector was unmapped
    return true;
  }
  const got = new Int32Array(r.bytes.buffer, r.bytes.byteOffset + v.u - r.start, v.expect.length);
  for (let j = 0; j < v.expect.length; j++) if (got[j] !== v.expect[j]) return true;
  return false;
}

/** A race world with its threads' bodies installed (buildRaceWorld, then start). */
export function buildRaceKernel(opts: RaceOptions, seed: number): RaceWorld {
  const w = buildRaceWorld(opts, seed);
  w.start();
  return w;
}

const startRace = (w: RaceWorld): void => w.start();

export function exploreRaces(opts: RaceOptions): RaceResult {
  const corruptedBy = new Map<string, string[]>();
  const result = explore({
    // schedules, maxPreemptions, pctDepth, seed and stopOnFirst are the explorer's own options
    ...opts,
    build: (seed) => buildRaceWorld(opts, seed),
    start: startRace,
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
  const { world, kernel, run } = replaySchedule((seed) => buildRaceWorld(opts, seed), replay, {
    start: startRace,
    baseSeed: opts.seed ?? 1,
  });
  return { bugs: kernel.bugs, corrupted: world.corrupted(), traceHash: run.traceHash };
}
