/**
 * The simulator's own speed on this host: simulated pfm_read_pmds calls per host second under a
 * strategy (one world, the call repeated; every check the lab's world has on stays on), and
 * race-exploration schedules per host second for the two-thread, one-call-each scenario.
 */

import type { AbiProfileId } from '@pfmsim/perfmon-core';
import type { Machine } from './machines.js';
import { exploreRaces } from './race.js';
import { createWorld, fitLimit } from './world.js';

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

/** pfm_read_pmds with `count` registers, repeated on one context until durationMs has passed. */
export function benchCalls(opts: BenchOptions & { strategy: string; count?: number }): Rate {
  const now = opts.now ?? (() => performance.now());
  const count = opts.count ?? 4;
  const w = createWorld({
    machine: opts.machine,
    strategy: opts.strategy,
    abi: opts.abi ?? 'v2.3',
    seed: opts.seed ?? 1,
  });
  const { s, fd, main } = w;
  fitLimit(s, count * s.abi.sizes.pmd);
  const g = s.gate(main);
  const init = g.pfm_write_pmds(fd, w.vector('pfm_write_pmds', count), count);
  if (!init.ok) throw new Error(`bench: initial pfm_write_pmds failed (errno ${init.errno})`);
  const u = w.vector('pfm_read_pmds', count);
  const call = () => {
    const r = s.k.runSync(main, s.sys.pfm_read_pmds(main, fd, u, count));
    if (r < 0) throw new Error(`bench: pfm_read_pmds failed (errno ${-r})`);
  };
  // Warm-up (JIT and slab caches) for half the measuring time, at least 100 ms: a cold first
  // strategy would otherwise look several times slower than it is.
  const w0 = now();
  while (now() - w0 < Math.max(100, opts.durationMs / 2)) for (let i = 0; i < 100; i++) call();
  let calls = 0;
  const t0 = now();
  let t = t0;
  while (t - t0 < opts.durationMs) {
    for (let i = 0; i < 100; i++) call();
    calls += 100;
    t = now();
  }
  return rate(calls, t - t0);
}

/** Random schedules of two threads calling pfm_write_pmds once each on one fd. */
export function benchSchedules(opts: BenchOptions & { strategy: string }): Rate {
  const now = opts.now ?? (() => performance.now());
  const base = {
    machine: opts.machine,
    strategy: opts.strategy,
    abi: opts.abi ?? 'v2.3',
    threads: 2,
    mode: 'random' as const,
  };
  const w0 = now();
  while (now() - w0 < Math.max(100, opts.durationMs / 2))
    exploreRaces({ ...base, schedules: 10, seed: opts.seed ?? 1 });
  let schedules = 0;
  let seed = (opts.seed ?? 1) + 1000;
  const t0 = now();
  let t = t0;
  while (t - t0 < opts.durationMs) {
    const r = exploreRaces({ ...base, schedules: 50, seed });
    schedules += r.schedules;
    seed += 50;
    t = now();
  }
  return rate(schedules, t - t0);
}
