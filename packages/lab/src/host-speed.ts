/**
 * The simulator's own speed on this host: simulated pfm_read_pmds calls per host second under a
 * strategy (one world, the call repeated; every check the lab's world has on stays on), and
 * race-exploration schedules per host second for the two-thread, one-call-each scenario.
 */

import type { AbiProfileId } from '@pfmsim/perfmon-core';
import type { Machine } from './machines.js';
import { exploreRaces } from './race.js';
import { createWorld, fitLimit, type VectorSyscall } from './world.js';

export interface BenchOptions {
  machine: Machine;
  abi?: AbiProfileId;
  seed?: number;
  /** Host milliseconds to spend on each measurement (after a short warm-up). */
  durationMs: number;
  now?: () => number;
}

export interface Rate {
  readonly ops: number;
  readonly ms: number;
  readonly perSecond: number;
}

const rate = (ops: number, ms: number): Rate => ({
  ops,
  ms: Math.round(ms * 10) / 10,
  perSecond: ms > 0 ? Math.round((ops / ms) * 1000) : 0,
});

/**
 * Warms up with `warmUp` for half the measuring time, at least 100 ms (JIT and slab caches: a
 * cold first strategy would otherwise look several times slower than it is), then measures
 * `rounds` rounds: each repeats `round`, which says how many operations it did, until
 * durationMs has passed on the clock.
 */
function timeRounds(opts: BenchOptions, rounds: number, warmUp: () => unknown, round: () => number): Rate[] {
  const now = opts.now ?? (() => performance.now());
  const w0 = now();
  while (now() - w0 < Math.max(100, opts.durationMs / 2)) warmUp();
  const rates: Rate[] = [];
  for (let r = 0; r < rounds; r++) {
    let ops = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < opts.durationMs) {
      ops += round();
      t = now();
    }
    rates.push(rate(ops, t - t0));
  }
  return rates;
}

/**
 * pfm_read_pmds with `count` registers (perfmon3's pfm_read under abi v3), repeated on one
 * context until durationMs has passed.
 */
export function benchCalls(opts: BenchOptions & { strategy: string; count?: number }): Rate {
  return benchCallRounds({ ...opts, rounds: 1 })[0]!;
}

/** benchCalls in `rounds` rounds of durationMs each, after one warm-up, on the same context. */
export function benchCallRounds(
  opts: BenchOptions & { strategy: string; count?: number; rounds: number },
): Rate[] {
  const count = opts.count ?? 4;
  const w = createWorld(opts);
  const { s, main } = w;
  // One vector per syscall, the per-call limit raised to fit it, written once; the call is
  // then repeated on it.
  const caller = (syscall: VectorSyscall, what: string) => {
    fitLimit(s, count * w.elemSize(syscall));
    const u = w.vector(syscall, count);
    return (): void => {
      const r = s.k.runSync(main, w.call(syscall, main, u, count));
      if (r < 0) throw new Error(`bench: ${what} failed (errno ${-r})`);
    };
  };
  caller('pfm_write_pmds', 'initial pfm_write_pmds')();
  const read = caller('pfm_read_pmds', 'pfm_read_pmds');
  const batch = () => {
    for (let i = 0; i < 100; i++) read();
    return 100;
  };
  return timeRounds(opts, opts.rounds, batch, batch);
}

/** Random schedules of two threads calling pfm_write_pmds once each on one fd. */
export function benchSchedules(opts: BenchOptions & { strategy: string }): Rate {
  const base = { ...opts, threads: 2, mode: 'random' as const };
  const seed0 = opts.seed ?? 1;
  let seed = seed0 + 1000;
  return timeRounds(
    opts,
    1,
    () => exploreRaces({ ...base, schedules: 10, seed: seed0 }),
    () => {
      const r = exploreRaces({ ...base, schedules: 50, seed });
      // Stryker disable next-line AssignmentOperator: every round explores 50 random schedules whatever its seed; only their number is reported
      seed += 50;
      return r.schedules;
    },
  )[0]!;
}
