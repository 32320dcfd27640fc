/**
 * The world `pfmsim race` explores: threads of one process sharing a context fd, each making
 * its calls from a mix (vector calls, close, dup, exit, unload), each vector call with a vector
 * of its own. Built without thread bodies; start() installs them (after a build or a snapshot
 * restore). After a schedule: the vectors that came back with another call's values
 * (corrupted arguments), then the process closes its fds and its threads exit, and whatever
 * the run allocated and left is a leak.
 */
import {
  InvalidArgumentError,
  type Kernel,
  type KGen,
  type MemSnapshot,
  type Thread,
} from '@pfmsim/kernel-sim';
import { createPfargLoad, encodePfarg, type PerfmonSystem } from '@pfmsim/perfmon-core';
import { createWorld, type VectorSyscall, type World, type WorldOptions } from './world.js';

/** What a thread of the race world can do. */
export const RACE_CALLS = [
  'write_pmds',
  'read_pmds',
  'write_pmcs',
  'close',
  'dup',
  'exit',
  'unload',
] as const;
export type RaceCall = (typeof RACE_CALLS)[number];

/** The seed's question: every call a pfm_write_pmds. */
export const DEFAULT_MIX: readonly RaceCall[] = ['write_pmds'];

/** Elements in each vector call. */
export const RACE_COUNT = 4;

const VECTOR: Partial<Record<RaceCall, VectorSyscall>> = {
  write_pmds: 'pfm_write_pmds',
  read_pmds: 'pfm_read_pmds',
  write_pmcs: 'pfm_write_pmcs',
};

/** "write_pmds*5,close": the names, each repeated as asked. */
export function parseMix(text: string): RaceCall[] {
  const out: RaceCall[] = [];
  for (const part of text.split(',').map((x) => x.trim())) {
    const m = /^([a-z_]+)(?:\*(\d+))?$/.exec(part);
    const name = m?.[1] as RaceCall | undefined;
    const times = m?.[2] === undefined ? 1 : Number(m[2]);
    if (name === undefined || !RACE_CALLS.includes(name) || times < 1 || times > 64)
      throw new InvalidArgumentError('race call', part, `${RACE_CALLS.join(', ')} (NAME or NAME*N, N 1..64)`);
    for (let i = 0; i < times; i++) out.push(name);
  }
  return out;
}

/** The mix as parseMix reads it, runs of one call written NAME*N. */
export function formatMix(mix: readonly RaceCall[]): string {
  const parts: string[] = [];
  for (let i = 0; i < mix.length; ) {
    let n = 1;
    while (mix[i + n] === mix[i]) n++;
    parts.push(n > 1 ? `${mix[i]}*${n}` : mix[i]!);
    i += n;
  }
  return parts.join(',');
}

/** Thread k's calls: positions k * calls + i of the mix, round robin. */
export function callsOf(mix: readonly RaceCall[], calls: number, thread: number): RaceCall[] {
  return Array.from({ length: calls }, (_, i) => mix[(thread * calls + i) % mix.length]!);
}

export interface RaceWorldOptions extends WorldOptions {
  threads?: number;
  /** Calls per thread (default 1). */
  calls?: number;
  mix?: readonly RaceCall[];
}

/** One planned call: what, and for a vector call its vector and the values it marks it with. */
interface Planned {
  readonly call: RaceCall;
  readonly u: number;
  readonly marks: Int32Array | null;
}

/** A built race world: its threads have no bodies until start(). */
export interface RaceWorld {
  readonly kernel: Kernel;
  /** Everything else a snapshot must reach (the perfmon system and its strategy). */
  readonly system: object;
  /** Installs each thread's calls (fresh generators, after a build or a snapshot restore). */
  start(): void;
  /** Labels of the threads whose pfm_write_pmds vector came back with values not their own. */
  corrupted(): string[];
  /** Closes what is open, ends every thread, and lists what the run left allocated. */
  leaks(): string[];
  /** What each thread's calls returned, in order (exit returns nothing; calls after it are not made). */
  readonly results: number[][];
}

// Top-level, with parameters, not a closure per schedule: see kernel-sim's Thread.body.
function* caller(
  w: World,
  s: PerfmonSystem,
  t: Thread,
  plan: readonly Planned[],
  results: number[],
): KGen<void> {
  let fd = w.fd;
  for (const p of plan) {
    const vector = VECTOR[p.call];
    if (vector !== undefined) {
      results.push(yield* w.callOn(fd, vector, t, p.u, RACE_COUNT));
    } else if (p.call === 'close') {
      results.push(s.sys.close(t, fd));
    } else if (p.call === 'dup') {
      const r = s.sys.dup(t, fd);
      results.push(r);
      if (r >= 0) fd = r; // this thread's later calls go through its own descriptor
    } else if (p.call === 'unload') {
      results.push(yield* s.v3 ? s.v3sys.pfm_attach(t, fd, 0, -1) : s.sys.pfm_unload_context(t, fd));
    } else {
      s.k.exitThread(t);
      return;
    }
  }
}

/** reg_value (offset 8 of a pfarg_pmd, and of a perfmon3 pfarg_pmr) of element e, as an int. */
const VALUE_WORD = 2;

export function buildRaceWorld(opts: RaceWorldOptions, seed: number): RaceWorld {
  const threads = opts.threads ?? 2;
  const calls = opts.calls ?? 1;
  const mix = opts.mix ?? DEFAULT_MIX;
  const w = createWorld({
    ...opts,
    seed,
    cpus: Math.max(2, threads),
    arenaBytes: opts.arenaBytes ?? 2 << 20,
  });
  const { s, p } = w;
  const ts = [
    w.main,
    ...Array.from({ length: threads - 1 }, (_, i) =>
      s.thread(p, `caller${i + 1}`, undefined, (i + 1) % s.k.cpus.length),
    ),
  ];
  if (mix.includes('unload')) load(w);
  const plans = ts.map((_, k) =>
    callsOf(mix, calls, k).map((call, i): Planned => {
      const vector = VECTOR[call];
      if (vector === undefined) return { call, u: 0, marks: null };
      const size = w.elemSize(vector);
      const u = w.vector(vector, RACE_COUNT);
      if (call !== 'write_pmds') return { call, u, marks: null };
      const view = p.mm.dataView(u, RACE_COUNT * size, true);
      const marks = new Int32Array(RACE_COUNT);
      for (let e = 0; e < RACE_COUNT; e++) {
        marks[e] = 0x10000 * (k + 1) + 0x100 * i + e; // whose vector, which call, which element
        view.setInt32(e * size + 4 * VALUE_WORD, marks[e]!, true);
      }
      return { call, u, marks };
    }),
  );
  const baseline: MemSnapshot = s.k.mem.snapshot();
  const corruptedPlan = (plan: readonly Planned[]) =>
    plan.some((x) => x.marks !== null && !marked(w, x, w.elemSize('pfm_write_pmds')));
  // In the world object (what a snapshot records), so that a restore empties them again.
  const results: number[][] = ts.map(() => []);
  return {
    kernel: s.k,
    system: s,
    results,
    start() {
      ts.forEach((t, k) => {
        t.body = caller(w, s, t, plans[k]!, results[k]!);
      });
    },
    corrupted: () => ts.filter((_t, k) => corruptedPlan(plans[k]!)).map((t) => t.label),
    leaks() {
      const closer = p.threads.find((t) => !t.exited) ?? w.main;
      p.files.forEach((f, fd) => {
        if (f !== null) s.sys.close(closer, fd);
      });
      for (const t of p.threads) s.k.exitThread(t);
      return s.k.mem
        .liveObjectsSince(baseline)
        .map((o) => `${o.size} B (${o.cache}) allocated at ${o.site} for ${o.owner}`);
    },
  };
}

/** Loads the context on the main thread (self-monitoring), so that unload has work to do. */
function load(w: World): void {
  const { s, main, p } = w;
  const r = s.v3
    ? s.k.runSync(main, s.v3sys.pfm_attach(main, w.fd, 0, main.tid))
    : (() => {
        const u = p.mm.mmap(4096);
        encodePfarg(
          'load',
          p.mm.dataView(u, s.abi.sizes.load, true),
          0,
          createPfargLoad({ load_pid: main.tid }),
          s.abi,
        );
        return s.k.runSync(main, s.sys.pfm_load_context(main, w.fd, u));
      })();
  if (r < 0) throw new Error(`lab: loading the race context failed with errno ${-r}`);
}

/** Whether a pfm_write_pmds vector still holds its own marks (reg_value of each element). */
function marked(w: World, x: Planned, size: number): boolean {
  const view = w.p.mm.dataView(x.u, RACE_COUNT * size, false);
  for (let e = 0; e < RACE_COUNT; e++)
    if (view.getInt32(e * size + 4 * VALUE_WORD, true) !== x.marks![e]) return false;
  return true;
}
