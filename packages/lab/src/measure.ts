import type { Category, KGen, Thread } from '@pfmsim/kernel-sim';
import { errnoName } from '@pfmsim/perfmon-core';
import { createWorld, fitLimit, type VectorSyscall, type World, type WorldOptions } from './world.js';

export interface CallMeasurement {
  readonly syscall: VectorSyscall;
  readonly count: number;
  readonly strategy: string;
  /** Cycles of one steady-state call (hot allocator), averaged over calls when threaded. */
  readonly cyclesPerCall: number;
  readonly breakdown: Record<Category, number>;
  /** Deepest kernel stack use during the call, syscall entry path included. */
  readonly stackBytes: number;
  /** 0, or the errno name if the call failed. */
  readonly error: string | null;
  readonly kernelBugs: number;
}

export interface MeasureOptions extends WorldOptions {
  syscall: VectorSyscall;
  count: number;
  /** Threads calling into the one context concurrently (random schedule). Default 1. */
  threads?: number;
  callsPerThread?: number;
}

/**
 * Cycles of one vector system call: a warm-up call, then the measured one (so the per-CPU slab
 * caches are hot, p_slow = 0 unless the cost profile says otherwise). The per-call limit is
 * raised to fit the vector (64 PMDs do not fit the default PAGE_SIZE).
 */
export function measureCall(opts: MeasureOptions): CallMeasurement {
  const threads = opts.threads ?? 1;
  const w = createWorld({ ...opts, cpus: Math.max(opts.cpus ?? 1, threads) });
  try {
    return measureIn(w, opts, threads);
  } finally {
    // The arena goes back to the pool for the next measurement: a sweep makes thousands, and
    // fresh arenas (page faults on zeroed memory) kept its worker threads from scaling.
    w.s.k.dispose();
  }
}

function measureIn(w: World, opts: MeasureOptions, threads: number): CallMeasurement {
  const { s, fd } = w;
  fitLimit(s, opts.count * w.elemSize(opts.syscall));
  if (opts.syscall === 'pfm_read_pmds') {
    const init = s.k.runSync(
      w.main,
      w.call('pfm_write_pmds', w.main, w.vector('pfm_write_pmds', opts.count), opts.count),
    );
    if (init < 0) throw new Error(`lab: initial pfm_write_pmds failed: ${errnoName(-init)}`);
  }
  void fd;
  const call = (t: Thread, u: number): KGen<number> => w.call(opts.syscall, t, u, opts.count);
  if (threads <= 1) {
    const u = w.vector(opts.syscall, opts.count);
    s.k.runSync(w.main, call(w.main, u));
    const snap = w.main.clock.snapshot();
    const r = s.k.runSync(w.main, call(w.main, u));
    const d = w.main.clock.since(snap);
    const { total, ...breakdown } = d;
    return {
      syscall: opts.syscall,
      count: opts.count,
      strategy: s.strategy.name,
      cyclesPerCall: total,
      breakdown,
      stackBytes: w.main.callStackHigh,
      error: r < 0 ? errnoName(-r) : null,
      kernelBugs: s.k.bugs.length,
    };
  }
  const perThread = opts.callsPerThread ?? 4;
  const ts: Thread[] = [w.main];
  for (let i = 1; i < threads; i++) ts.push(s.thread(w.p, `caller${i}`, undefined, i % s.k.cpus.length));
  const seen: Seen = { error: null, stack: 0 };
  for (const t of ts) {
    t.body = repeatCalls(w, opts.syscall, opts.count, t, w.vector(opts.syscall, opts.count), perThread, seen);
  }
  const snaps = ts.map((t) => t.clock.snapshot());
  s.k.run({ kind: 'random' });
  const sum = {} as Record<Category, number>;
  let total = 0;
  ts.forEach((t, i) => {
    const { total: tt, ...b } = t.clock.since(snaps[i]!);
    total += tt;
    for (const [k, v] of Object.entries(b)) sum[k as Category] = (sum[k as Category] ?? 0) + v;
  });
  const calls = ts.length * perThread;
  for (const k of Object.keys(sum) as Category[]) sum[k] = sum[k] / calls;
  return {
    syscall: opts.syscall,
    count: opts.count,
    strategy: s.strategy.name,
    cyclesPerCall: total / calls,
    breakdown: sum,
    stackBytes: seen.stack,
    error: seen.error,
    kernelBugs: s.k.bugs.length,
  };
}

/** The mean of `calls` steady-state calls of one thread, with the sample standard deviation. */
export interface CallSample {
  readonly calls: number;
  readonly mean: number;
  readonly sd: number;
}

/**
 * `calls` steady-state calls of one thread after a warm-up call, as `measureCall` makes one:
 * the mean of a seeded stream when a cost is drawn per operation (`allocColdProbability`).
 */
export function sampleCalls(opts: MeasureOptions, calls: number): CallSample {
  const w = createWorld(opts);
  try {
    const { s } = w;
    fitLimit(s, opts.count * w.elemSize(opts.syscall));
    if (opts.syscall === 'pfm_read_pmds') {
      s.k.runSync(
        w.main,
        w.call('pfm_write_pmds', w.main, w.vector('pfm_write_pmds', opts.count), opts.count),
      );
    }
    const u = w.vector(opts.syscall, opts.count);
    s.k.runSync(w.main, w.call(opts.syscall, w.main, u, opts.count));
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < calls; i++) {
      const before = w.main.clock.total;
      const r = s.k.runSync(w.main, w.call(opts.syscall, w.main, u, opts.count));
      if (r < 0) throw new Error(`lab: ${opts.syscall} failed with ${errnoName(-r)} while sampling`);
      const c = w.main.clock.total - before;
      sum += c;
      sumSq += c * c;
    }
    const mean = sum / calls;
    const variance = calls > 1 ? Math.max(0, (sumSq - calls * mean * mean) / (calls - 1)) : 0;
    return { calls, mean, sd: Math.sqrt(variance) };
  } finally {
    w.s.k.dispose();
  }
}

interface Seen {
  error: string | null;
  stack: number;
}

// Top-level, not a closure per measurement: see kernel-sim's Thread.body.
function* repeatCalls(
  w: World,
  syscall: VectorSyscall,
  count: number,
  t: Thread,
  u: number,
  calls: number,
  seen: Seen,
): KGen<void> {
  for (let i = 0; i < calls; i++) {
    const r = yield* w.call(syscall, t, u, count);
    if (r < 0) seen.error = errnoName(-r);
    seen.stack = Math.max(seen.stack, t.callStackHigh);
  }
}
