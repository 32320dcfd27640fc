import type { Kernel, KGen, MemSnapshot, RunResult, Thread } from '@pfmsim/kernel-sim';
import { ELEM_SIZES, StrategyLab } from './lab.js';
import { createStrategy } from './registry.js';
import type { ArgBufferStrategy, ContextSlot, ElemKind } from './spec.js';

export interface SharedContextScenarioOptions {
  /** A strategy name, or a factory (called once per schedule: a fresh strategy per kernel). */
  strategy: string | (() => ArgBufferStrategy);
  arch?: string;
  cost?: string;
  cpus?: number;
  kind?: ElemKind;
  /** Vector lengths of each thread's calls, in order. Default A: [5, 2], B: [6, 5]. */
  calls?: readonly (readonly number[])[];
  debugAtomicSleep?: boolean;
  /** Make each vector's pages not present just before its call, so the copy in takes a fault. */
  evictVectors?: boolean;
  /** Kernel memory arena per schedule (default 256 KiB: schedules are built by the thousand). */
  arenaBytes?: number;
}

/** The world of one schedule, for checks after the run. */
export interface ScenarioWorld {
  readonly lab: StrategyLab;
  readonly ctx: ContextSlot;
  readonly threads: readonly Thread[];
  /** Return value of every call, per thread. */
  readonly results: number[][];
  /** Arguments that came back wrong (another caller's data, lost results). */
  readonly corrupted: string[];
  readonly snapshot: MemSnapshot;
}

/**
 * Two (or more) threads of one process calling into one context through the same fd, each
 * making its own sequence of vector calls with its own vector. Each element carries its
 * thread's register number; the lab's back-end writes `reg * 1000 + 7` into it; after each
 * call the thread checks, in user mode, that its vector came back with its own registers and
 * their results. `build` is what kernel-sim's explore() wants; `check` closes the context,
 * exits the threads and reports wrong results, failed calls, leaks, pinned bytes and held
 * locks as failure messages.
 */
export function sharedContextScenario(opts: SharedContextScenarioOptions): {
  build: (seed: number) => Kernel;
  check: (k: Kernel, run: RunResult) => string[];
  world: (k: Kernel) => ScenarioWorld;
} {
  const worlds = new WeakMap<Kernel, ScenarioWorld>();
  const plan = opts.calls ?? [
    [5, 2],
    [6, 5],
  ];
  const kind = opts.kind ?? 'pmd';
  const elemSize = ELEM_SIZES[kind];
  const build = (seed: number): Kernel => {
    const strategy = typeof opts.strategy === 'string' ? createStrategy(opts.strategy) : opts.strategy();
    const lab = new StrategyLab({
      arch: opts.arch ?? 'i386',
      cost: opts.cost ?? 'p4-2006',
      seed,
      strategy,
      cpus: opts.cpus ?? 2,
      arenaBytes: opts.arenaBytes ?? 256 << 10,
      debugAtomicSleep: opts.debugAtomicSleep ?? true,
    });
    const results: number[][] = plan.map(() => []);
    const corrupted: string[] = [];
    const threads: Thread[] = [];
    const shared: CallerShared = {
      lab,
      ctx: null,
      kind,
      elemSize,
      evict: opts.evictVectors ?? false,
      results,
      corrupted,
    };
    plan.forEach((counts, who) => {
      const longest = Math.max(1, ...counts);
      const caller: Caller = {
        who,
        name: String.fromCharCode(65 + who),
        counts,
        u: lab.process.mm.mmap(longest * elemSize),
      };
      threads.push(lab.thread(caller.name, (t) => callerBody(t, shared, caller)));
    });
    const ctx = lab.openContext(threads[0]!);
    shared.ctx = ctx;
    worlds.set(lab.k, { lab, ctx, threads, results, corrupted, snapshot: lab.k.mem.snapshot() });
    return lab.k;
  };
  const world = (k: Kernel): ScenarioWorld => {
    const w = worlds.get(k);
    if (w === undefined) throw new Error('sharedContextScenario: kernel not built by this scenario');
    return w;
  };
  const check = (k: Kernel, run: RunResult): string[] => {
    const w = world(k);
    const failures: string[] = [...w.corrupted];
    if (run.deadlock) failures.push('deadlock');
    w.results.forEach((list, who) => {
      list.forEach((ret, j) => {
        if (ret !== 0) failures.push(`${String.fromCharCode(65 + who)} call ${j} returned ${ret}`);
      });
    });
    for (const t of w.threads) {
      if (t.heldLocks.length > 0)
        failures.push(`${t.label} still holds ${t.heldLocks.map((l) => l.name).join(', ')}`);
    }
    w.lab.closeContext(null, w.ctx);
    for (const t of w.threads) k.exitThread(t);
    const leaks = k.mem.liveObjectsSince(w.snapshot);
    if (leaks.length > 0) failures.push(`leak: ${leaks.map((o) => `${o.size} B at ${o.site}`).join(', ')}`);
    const pinned = w.lab.pinnedBytes();
    if (pinned !== 0) failures.push(`${pinned} B still charged to the user after close and exit`);
    return failures;
  };
  return { build, check, world };
}

interface CallerShared {
  readonly lab: StrategyLab;
  ctx: ContextSlot | null;
  readonly kind: ElemKind;
  readonly elemSize: number;
  readonly evict: boolean;
  readonly results: number[][];
  readonly corrupted: string[];
}

interface Caller {
  readonly who: number;
  readonly name: string;
  readonly counts: readonly number[];
  readonly u: number;
}

// Top-level, not a closure per schedule: see kernel-sim's Thread.body.
function* callerBody(t: Thread, s: CallerShared, c: Caller): KGen<void> {
  const { lab, elemSize } = s;
  for (let j = 0; j < c.counts.length; j++) {
    const n = c.counts[j]!;
    const base = (c.who + 1) * 100 + j * 10;
    const view = lab.process.mm.dataView(c.u, n * elemSize, true);
    for (let i = 0; i < n; i++) {
      view.setUint16(i * elemSize, base + i, true);
      view.setUint32(i * elemSize + 8, 0, true);
    }
    if (s.evict) lab.process.mm.dropPages(c.u, n * elemSize);
    const ret = yield* lab.call(t, s.ctx!, s.kind, n, c.u);
    s.results[c.who]!.push(ret);
    if (ret !== 0) continue;
    const back = lab.process.mm.dataView(c.u, n * elemSize, false);
    for (let i = 0; i < n; i++) {
      const reg = back.getUint16(i * elemSize, true);
      const value = back.getUint32(i * elemSize + 8, true);
      if (reg !== base + i || value !== (base + i) * 1000 + 7) {
        s.corrupted.push(
          `${c.name} call ${j}: element ${i} came back as reg ${reg} value ${value}, expected reg ${base + i} value ${(base + i) * 1000 + 7}`,
        );
        break;
      }
    }
  }
}

/** The seed's count: 1024 descriptors. */
export const FLOOD_CONTEXTS = 1024;
/** The longest pfarg_pmd vector under arg_size_max = 4096: 23 x 176 = 4048 B. */
export const FULL_PMD_VECTOR = 23;

/**
 * The seed's attack: one user opens `contexts` contexts and calls each once with a full
 * arg_size_max pfarg_pmd vector. Returns the bytes charged to that user right after the
 * calls and after closing every context (i386, p4-2006, one thread).
 */
export function contextFloodAttack(
  strategy: ArgBufferStrategy,
  contexts = FLOOD_CONTEXTS,
): { pinned: number; afterClose: number; lab: StrategyLab } {
  const lab = new StrategyLab({ arch: 'i386', cost: 'p4-2006', seed: 1, strategy, arenaBytes: 16 << 20 });
  const t = lab.thread('attacker');
  const u = lab.process.mm.mmap(FULL_PMD_VECTOR * ELEM_SIZES.pmd);
  const slots = Array.from({ length: contexts }, () => lab.openContext(t));
  for (const ctx of slots) {
    const ret = lab.k.runSync(t, lab.call(t, ctx, 'pmd', FULL_PMD_VECTOR, u));
    if (ret !== 0) throw new Error(`${strategy.name}: flood call failed with ${ret}`);
  }
  const pinned = lab.pinnedBytes();
  for (const ctx of slots) lab.closeContext(t, ctx);
  return { pinned, afterClose: lab.pinnedBytes(), lab };
}
