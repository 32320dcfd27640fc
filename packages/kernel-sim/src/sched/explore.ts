import type { KernelBug } from '../bugs.js';
import { InvalidArgumentError } from '../errors.js';
import type { Kernel, RunResult } from '../kernel.js';
import { type ChoicePoint, defaultChoice, formatReplay, parseReplay } from './policy.js';

export type ExploreMode = 'exhaustive' | 'random' | 'pct';

export interface ExploreOptions {
  /** Builds a fresh kernel with its threads spawned; called once per schedule. */
  build: (seed: number) => Kernel;
  mode: ExploreMode;
  /** Exhaustive: bound on preemptions (switches away from a thread that could continue). */
  maxPreemptions?: number;
  /** Random/PCT: how many schedules; exhaustive: a cap (the result says if it was hit). */
  schedules?: number;
  seed?: number;
  pctDepth?: number;
  /** Extra invariants after each schedule: return failure messages. */
  check?: (k: Kernel, run: RunResult) => string[];
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

/**
 * Schedule exploration: stateless model checking by re-running from scratch. Exhaustive mode
 * is a depth-first search over decision sequences bounded by a preemption count (CHESS-style);
 * random and PCT draw one schedule per seed.
 */
export function explore(opts: ExploreOptions): ExploreResult {
  const seed = opts.seed ?? 1;
  const findings: Finding[] = [];
  const traces = new Set<string>();
  const record = (k: Kernel, run: RunResult, replaySeed: number) => {
    traces.add(run.traceHash);
    const failures = opts.check ? opts.check(k, run) : [];
    const bugs = [...k.bugs];
    if (bugs.length > 0 || failures.length > 0) {
      findings.push({
        replay: formatReplay(replaySeed, run.decisions),
        bugs,
        failures,
        traceHash: run.traceHash,
      });
    }
  };

  if (opts.mode === 'random' || opts.mode === 'pct') {
    const n = opts.schedules ?? 1000;
    let i = 0;
    for (; i < n; i++) {
      const s = seed + i;
      const k = opts.build(s);
      const run =
        opts.mode === 'random'
          ? k.run({ kind: 'random' })
          : k.run({ kind: 'pct', depth: opts.pctDepth ?? 2 });
      record(k, run, s);
      k.dispose();
      if (opts.stopOnFirst && findings.length > 0) {
        i++;
        break;
      }
    }
    return { mode: opts.mode, schedules: i, complete: false, distinctTraces: traces.size, findings };
  }
  if (opts.mode !== 'exhaustive') {
    throw new InvalidArgumentError('explore mode', opts.mode, 'exhaustive, random, pct');
  }

  const bound = opts.maxPreemptions ?? 3;
  const cap = opts.schedules ?? 100_000;
  // Stryker disable next-line ArrayDeclaration: the first schedule's first choice has no previous thread, where an unknown choice falls back to the lowest id as defaultChoice does
  let prefix: number[] = [];
  let schedules = 0;
  for (;;) {
    const points: { candidates: number[]; previous: number }[] = [];
    const k = opts.build(seed);
    const run = k.run({
      kind: 'guided',
      choose: (p: ChoicePoint, i: number) => {
        points.push({ candidates: [...p.candidates], previous: p.previous });
        return i < prefix.length ? prefix[i]! : defaultChoice(p);
      },
    });
    schedules++;
    record(k, run, seed);
    k.dispose();
    if ((opts.stopOnFirst && findings.length > 0) || schedules >= cap) {
      return { mode: 'exhaustive', schedules, complete: false, distinctTraces: traces.size, findings };
    }
    const next = nextPrefix(run, points, bound);
    if (next === null) break;
    prefix = next;
  }
  return { mode: 'exhaustive', schedules, complete: true, distinctTraces: traces.size, findings };
}

function nextPrefix(
  run: RunResult,
  points: { candidates: number[]; previous: number }[],
  bound: number,
): number[] | null {
  const used: number[] = [];
  let count = 0;
  for (const p of run.preemptions) {
    used.push(count);
    if (p) count++;
  }
  for (let i = run.decisions.length - 1; i >= 0; i--) {
    const { candidates, previous } = points[i]!;
    const order = orderAt(candidates, previous);
    const pos = order.indexOf(run.decisions[i]!);
    for (let j = pos + 1; j < order.length; j++) {
      const choice = order[j]!;
      // order[0] is previous whenever it can run, so every later alternative switches away from it.
      const preempts = candidates.includes(previous);
      if (used[i]! + (preempts ? 1 : 0) <= bound) return [...run.decisions.slice(0, i), choice];
    }
  }
  return null;
}

/** Alternatives in a fixed order: the default choice first, then the others ascending. */
function orderAt(candidates: number[], previous: number): number[] {
  const first = defaultChoice({ candidates, previous, step: 0 });
  return [first, ...candidates.filter((c) => c !== first)];
}

/** Re-runs one schedule from its replay string ("SEED:DECISIONS"). */
export function replaySchedule(
  build: (seed: number) => Kernel,
  replay: string,
): { kernel: Kernel; run: RunResult } {
  const { seed, decisions } = parseReplay(replay);
  const kernel = build(seed);
  return { kernel, run: kernel.run({ kind: 'replay', decisions }) };
}

/** Runs the same seed and policy twice and compares trace hashes. */
export function checkDeterminism(
  build: (seed: number) => Kernel,
  seed: number,
): { same: boolean; hashes: [string, string] } {
  const a = build(seed).run({ kind: 'random' });
  const b = build(seed).run({ kind: 'random' });
  return { same: a.traceHash === b.traceHash && a.replay === b.replay, hashes: [a.traceHash, b.traceHash] };
}
