// The strategy tests' shared world: one StrategyLab on i386/p4-2006, one thread, one context,
// one user vector, and the probes the tests read (allocations made, objects live, a call stopped
// while it holds its buffer). Test support only: excluded from mutation and coverage.
import type { FaultConfig, Thread } from '@pfmsim/kernel-sim';
import { expect } from 'vitest';
import { StrategyLab } from '../lab.js';
import { type ArgBufferStrategy, type ArgCall, type ContextSlot, E2BIG, type ElemKind } from '../spec.js';

/** Every option may be given as undefined: then the default holds. */
export interface WorldOptions {
  arch?: string | undefined;
  cpus?: number | undefined;
  faults?: FaultConfig | undefined;
  /** arg_size_max in bytes (default PAGE_SIZE). */
  limit?: number | undefined;
  debugAtomicSleep?: boolean | undefined;
  /** Name of the thread that makes the calls (default 'A'). */
  thread?: string | undefined;
  /** Bytes of the user vector (default 23 pfarg_pmd, a full arg_size_max on i386). */
  vectorBytes?: number | undefined;
}

/** Where a call goes: the world's thread, context and pfarg_pmd unless told otherwise. */
export interface CallTarget {
  kind?: ElemKind;
  slot?: ContextSlot;
  thread?: Thread;
}

/** kmalloc+kfree calls made so far by the general caches (size-32 ... size-131072). */
export function kmallocCalls(lab: StrategyLab): number {
  return lab.k.mem
    .cacheStats()
    .filter((c) => c.name.startsWith('size-'))
    .reduce((n, c) => n + c.fast + c.slow, 0);
}

/**
 * A thread's ArgCall filled as the vector syscall would fill it for `n` elements of `kind`,
 * without running it: for driving acquire(), resume() and release() by hand.
 */
export function prepareCall(
  lab: StrategyLab,
  thread: Thread,
  slot: ContextSlot,
  n: number,
  kind: ElemKind = 'pmd',
  elemSize = 176,
): ArgCall {
  const c = lab.callFor(thread);
  c.slot = slot;
  c.kind = kind;
  c.elemSize = elemSize;
  c.count = n;
  c.bytes = n * elemSize;
  c.limit = lab.limit;
  c.stackBytes = 0;
  c.stackArea = 0;
  c.buf = 0;
  c.how = 0;
  c.holdsContextLock = false;
  return c;
}

export function strategyWorld<S extends ArgBufferStrategy>(s: S, opts: WorldOptions = {}) {
  const lab = new StrategyLab({
    arch: opts.arch ?? 'i386',
    cost: 'p4-2006',
    seed: 1,
    strategy: s,
    arenaBytes: 2 << 20,
    cpus: opts.cpus ?? 1,
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.limit === undefined ? {} : { limit: opts.limit }),
    ...(opts.debugAtomicSleep === undefined ? {} : { debugAtomicSleep: opts.debugAtomicSleep }),
  });
  const t = lab.thread(opts.thread ?? 'A');
  const ctx = lab.openContext(t);
  const u = lab.process.mm.mmap(opts.vectorBytes ?? 23 * 176);
  /** One whole vector call (pfm_read_pmds-shaped); returns 0 or -errno. */
  const call = (n: number, to: CallTarget = {}) => {
    const th = to.thread ?? t;
    return lab.k.runSync(th, lab.call(th, to.slot ?? ctx, to.kind ?? 'pmd', n, u));
  };
  /**
   * The first half of a vector call of `n` pfarg_pmd, stopped while the thread holds its buffer
   * (between the copy in and the copy back): acquire() as pfm_get_args does it; end() releases.
   */
  const begin = (th: Thread, slot: ContextSlot, n: number) => {
    const c = prepareCall(lab, th, slot, n);
    const buf = s.acquire(c);
    return { buf, end: () => s.release(c) };
  };
  /** Live objects of one kmem cache. */
  const live = (name: string) => lab.k.mem.cacheStats().find((c) => c.name === name)!.live;
  /** The general caches holding live objects, but size-256 (the contexts themselves). */
  const liveBuffers = () =>
    lab.k.mem
      .cacheStats()
      .filter((c) => c.name.startsWith('size-') && c.name !== 'size-256' && c.live > 0)
      .map((c) => [c.name, c.live] as const);
  return { s, lab, t, ctx, u, call, begin, live, liveBuffers, kmallocs: () => kmallocCalls(lab) };
}

export type StrategyWorld = ReturnType<typeof strategyWorld>;

/**
 * The edges of a cache that keeps a kmalloc-class buffer: after a 704-B vector (size-1024), a
 * vector of exactly the cached class (16 pfarg_setdesc = 1024 B) is a hit; with arg_size_max at
 * 704 B, a vector of exactly 704 B is served and one element more is E2BIG.
 */
export function expectExactFitsServed(world: (limit?: number) => StrategyWorld): void {
  const w = world();
  expect(w.call(4)).toBe(0);
  const before = w.kmallocs();
  expect(w.call(16, { kind: 'setdesc' })).toBe(0);
  expect(w.kmallocs()).toBe(before);
  const exact = world(704);
  expect(exact.call(4)).toBe(0);
  expect(exact.call(5)).toBe(-E2BIG);
}
