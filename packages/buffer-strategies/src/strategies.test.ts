import { getArch, InvalidArgumentError, KernelSimError, type Mutex } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { StrategyLab } from './lab.js';
import { cyclesPerCall } from './measure.js';
import {
  allStrategies,
  BROKEN_STRATEGY_NAMES,
  createStrategy,
  isStrategyName,
  STRATEGY_NAMES,
  UnknownStrategyError,
} from './registry.js';
import { ARG_BLOCKED, type ArgBufferStrategy, E2BIG, type ElemKind } from './spec.js';
import { bufferOf, classBytes, classOf } from './strategies/common.js';
import { createHybridStrategy, hybridStackBudget, hybridThreshold } from './strategies/hybrid.js';
import { createSlabCacheStrategy } from './strategies/slab-cache.js';
import { TASK_CACHE_KEY } from './strategies/task-cache.js';
import { prepareCall } from './strategies/test-util.js';

function lab(strategy: ArgBufferStrategy, extra: { cpus?: number; arch?: string } = {}) {
  return new StrategyLab({
    arch: extra.arch ?? 'i386',
    cost: 'p4-2006',
    seed: 1,
    strategy,
    arenaBytes: 2 << 20,
    cpus: extra.cpus ?? 1,
  });
}

function callOnce(l: StrategyLab, count: number, kind: ElemKind = 'pmd') {
  const t = l.k.threads[0] ?? l.thread('caller');
  const ctx = l.openContext(t);
  const u = l.process.mm.mmap(Math.max(1, count) * 176);
  return { t, ctx, u, ret: l.k.runSync(t, l.call(t, ctx, kind, count, u)) };
}

describe('registry', () => {
  it('creates every strategy by name, each a v1 strategy that documents its costs', () => {
    const all = allStrategies();
    expect(all.map((s) => s.name)).toEqual([...STRATEGY_NAMES]);
    for (const s of all) {
      expect(s.specificationVersion).toBe('v1');
      expect(s.pinnedFormula.length).toBeGreaterThan(5);
      expect(s.stackFootprint.length).toBeGreaterThan(2);
      expect(s.description.length).toBeGreaterThan(10);
      expect(createStrategy(s.name as (typeof STRATEGY_NAMES)[number]).name).toBe(s.name);
    }
    expect(BROKEN_STRATEGY_NAMES).toEqual(['ctx-cache-naive', 'ctx-cache-spinsplit']);
    expect(isStrategyName('hybrid')).toBe(true);
    expect(isStrategyName('percpu')).toBe(false);
  });

  it('rejects an unknown name with a typed error that lists the accepted names', () => {
    expect(() => createStrategy('percpu-buffer')).toThrow(UnknownStrategyError);
    expect(() => createStrategy('percpu-buffer')).toThrow(KernelSimError);
    try {
      createStrategy('percpu-buffer');
    } catch (e) {
      expect(e).toBeInstanceOf(UnknownStrategyError);
      const err = e as UnknownStrategyError;
      expect(err.strategy).toBe('percpu-buffer');
      expect(err.accepted).toEqual(STRATEGY_NAMES);
      expect(err.name).toBe('UnknownStrategyError');
      expect(err.message).toContain('"percpu-buffer"');
      expect(err.message).toContain(
        '(accepted: kmalloc, stack, ctx-cache-naive, ctx-cache-spinsplit, ctx-cache,',
      );
      for (const name of STRATEGY_NAMES) expect(err.message).toContain(name);
    }
  });

  it('passes options through and validates them', () => {
    expect(createStrategy('stack', { threshold: 8 }).name).toBe('stack(8)');
    expect(allStrategies({ stack: { threshold: 8 } }).map((x) => x.name)).toContain('stack(8)');
    expect(() => createStrategy('ctx-cache-bounded', { userBudget: -1 })).toThrow(InvalidArgumentError);
    expect(() => createStrategy('slab-cache', { sizes: [] })).toThrow(InvalidArgumentError);
    expect(() => createStrategy('hybrid', { pmd: 1.5 })).toThrow(InvalidArgumentError);
  });
});

describe('every strategy', () => {
  for (const name of STRATEGY_NAMES) {
    it(`${name}: returns E2BIG above arg_size_max, serves counts 1..23, with no bugs but its known one`, () => {
      const l = lab(createStrategy(name));
      const t = l.thread('caller');
      const ctx = l.openContext(t);
      const u = l.process.mm.mmap(24 * 176);
      expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 24, u))).toBe(-E2BIG);
      for (const n of [1, 4, 8, 23, 2, 16])
        expect(l.k.runSync(t, l.call(t, ctx, 'pmd', n, u)), `n=${n}`).toBe(0);
      for (const n of [1, 16, 85]) expect(l.k.runSync(t, l.call(t, ctx, 'pmc', n, u))).toBe(0);
      expect(l.k.runSync(t, l.call(t, ctx, 'setinfo', 21, u))).toBe(0);
      const kinds = [...new Set(l.k.bugs.map((b) => b.kind))];
      expect(kinds).toEqual(name === 'ctx-cache-spinsplit' ? ['sleep-in-atomic'] : []);
      expect(t.heldLocks).toEqual([]);
    });
  }
});

describe('ctx-cache', () => {
  it('misses once, then hits with two atomics and no allocation', () => {
    const s = createStrategy('ctx-cache');
    const l = lab(s);
    const { t, ctx, u } = callOnce(l, 4);
    const word = l.k.mem.readWord(ctx.addr);
    expect(bufferOf(word)).toBeGreaterThan(0);
    expect(classBytes(l.k, classOf(word))).toBe(1024); // 704 B lands in size-1024
    const allocs = l.k.mem.cacheStats().find((c) => c.name === 'size-1024')!;
    const before = { fast: allocs.fast, slow: allocs.slow, clock: t.clock.total };
    expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 5, u))).toBe(0); // 880 B still fits the 1024-B buffer
    const after = l.k.mem.cacheStats().find((c) => c.name === 'size-1024')!;
    expect([after.fast, after.slow]).toEqual([before.fast, before.slow]);
    expect(l.k.mem.readWord(ctx.addr)).toBe(word);
    // a longer vector replaces the buffer with one of its class
    expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 8, u))).toBe(0);
    expect(classBytes(l.k, classOf(l.k.mem.readWord(ctx.addr)))).toBe(2048);
    expect(l.pinnedBytes()).toBe(2048);
    l.closeContext(t, ctx);
    expect(l.pinnedBytes()).toBe(0);
  });

  it('costs exactly two atomic RMWs more than the stack path on a hit', () => {
    const c = cyclesPerCall(createStrategy('ctx-cache'), 'i386', 'p4-2006', 4);
    const s = cyclesPerCall(createStrategy('stack'), 'i386', 'p4-2006', 4);
    expect(c - s).toBe(200);
  });
});

describe('blocking strategies', () => {
  it('ctx-cache-mutex: a second caller blocks on the mutex and resumes owning it', () => {
    const s = createStrategy('ctx-cache-mutex');
    const l = lab(s, { cpus: 2 });
    const a = l.thread('A');
    const b = l.thread('B');
    const ctx = l.openContext(a);
    const ca = prepareCall(l, a, ctx, 4);
    const cb = prepareCall(l, b, ctx, 4);
    const bufA = s.acquire(ca);
    expect(bufA).toBeGreaterThan(0);
    expect(s.acquire(cb)).toBe(ARG_BLOCKED);
    expect(b.state).toBe(1); // BLOCKED
    s.release(ca);
    expect((ctx.data as Mutex).owner).toBe(b);
    expect(s.resume!(cb)).toBe(bufA); // the same buffer, now B's
    s.release(cb);
    expect((ctx.data as Mutex).owner).toBeNull();
    l.closeContext(a, ctx);
    expect(l.k.bugs).toEqual([]);
  });

  it('ctx-cache-spinsplit: the copy under ctx->lock is a sleep-in-atomic bug, the fault path too', () => {
    const s = createStrategy('ctx-cache-spinsplit');
    const l = new StrategyLab({
      arch: 'i386',
      cost: 'p4-2006',
      seed: 1,
      strategy: s,
      debugAtomicSleep: false,
    });
    const t = l.thread('reader');
    const ctx = l.openContext(t);
    const u = l.process.mm.mmap(704);
    expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 4, u))).toBe(0);
    expect(l.k.bugs).toEqual([]); // without DEBUG_ATOMIC_SLEEP and with the page present: silent
    l.process.mm.dropPages(u, 704); // the page is swapped out: the copy takes a fault under the lock
    expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 4, u))).toBe(0);
    expect(l.k.bugs.map((b) => [b.kind, b.heldLocks])).toEqual([['sleep-in-atomic', ['ctx1->lock']]]);
    expect(l.k.bugs[0]!.message).toMatch(/page fault in copy_from_user/);
  });

  it('ctx-cache-spinsplit: ctx->lock taken with irqs on is irq-unsafe once the PMU interrupt takes it', () => {
    const l = lab(createStrategy('ctx-cache-spinsplit'));
    const { t, ctx } = callOnce(l, 4);
    l.k.irq.raise(t.cpu, (it) => {
      l.k.sync.spinLock(it, ctx.lock);
      l.k.sync.spinUnlock(it, ctx.lock);
    });
    l.k.irq.poll(t);
    expect(l.k.bugs.map((b) => b.kind)).toContain('irq-unsafe-lock');
  });
});

describe('task-cache', () => {
  it('keeps one buffer per thread whatever the number of contexts, freed at thread exit', () => {
    const l = lab(createStrategy('task-cache'));
    const t = l.thread('tool');
    const u = l.process.mm.mmap(23 * 176);
    const contexts = Array.from({ length: 16 }, () => l.openContext(t));
    for (const ctx of contexts) expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 23, u))).toBe(0);
    expect(l.pinnedBytes()).toBe(4096);
    expect(t.slots.has(TASK_CACHE_KEY)).toBe(true);
    for (const ctx of contexts) l.closeContext(t, ctx);
    expect(l.pinnedBytes()).toBe(4096); // the buffer belongs to the thread, not the contexts
    l.k.exitThread(t);
    expect(l.pinnedBytes()).toBe(0);
    expect(t.slots.has(TASK_CACHE_KEY)).toBe(false);
  });

  it('costs nothing over the stack path on a hit', () => {
    expect(cyclesPerCall(createStrategy('task-cache'), 'i386', 'p4-2006', 8)).toBe(
      cyclesPerCall(createStrategy('kmalloc'), 'i386', 'p4-2006', 8) - 320,
    );
  });
});

describe('slab-cache', () => {
  it('allocates from dedicated caches sized for vectors and keeps nothing between calls', () => {
    const l = lab(createSlabCacheStrategy());
    const { t, ctx, u } = callOnce(l, 4);
    const stats = l.k.mem.cacheStats();
    expect(stats.filter((c) => c.name.startsWith('pfm_arg_')).map((c) => [c.name, c.objSize])).toEqual([
      ['pfm_arg_192', 192],
      ['pfm_arg_704', 704],
      ['pfm_arg_1408', 1408],
      ['pfm_arg_4096', 4096],
    ]);
    expect(stats.find((c) => c.name === 'pfm_arg_704')!.slow).toBe(1);
    expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 8, u))).toBe(0);
    const after = l.k.mem.cacheStats();
    expect(after.find((c) => c.name === 'pfm_arg_1408')!.slow).toBe(1);
    expect(after.filter((c) => c.name.startsWith('size-')).reduce((n, c) => n + c.fast + c.slow, 0)).toBe(
      stats.filter((c) => c.name.startsWith('size-')).reduce((n, c) => n + c.fast + c.slow, 0),
    );
    expect(l.pinnedBytes()).toBe(0);
  });

  it('on modern-x86_64 it saves the kmalloc size lookup (kmem_cache pair 50 vs kmalloc pair 75)', () => {
    const slab = cyclesPerCall(createSlabCacheStrategy(), 'x86_64-16k', 'modern-x86_64', 8);
    const km = cyclesPerCall(createStrategy('kmalloc'), 'x86_64-16k', 'modern-x86_64', 8);
    expect(km - slab).toBe(25);
  });
});

describe('hybrid', () => {
  it('sizes its stack array from the stack budget rule on every arch', () => {
    const budgets = Object.fromEntries(
      ['i386', 'i386-4k', 'x86_64', 'x86_64-16k', 'ia64', 'ppc32', 'ppc64', 'mips64', 'sparc64'].map((id) => {
        const arch = getArch(id);
        return [id, [hybridStackBudget(arch), hybridThreshold(arch, 48), hybridThreshold(arch, 176)]];
      }),
    );
    expect(budgets).toEqual({
      i386: [768, 16, 4],
      'i386-4k': [485, 10, 2],
      x86_64: [990, 20, 5],
      'x86_64-16k': [1792, 37, 10],
      ia64: [1792, 37, 10],
      ppc32: [768, 16, 4],
      ppc64: [1792, 37, 10],
      mips64: [1792, 37, 10],
      sparc64: [1792, 37, 10],
    });
  });

  it('serves small vectors from the stack and caches only the larger ones', () => {
    const s = createHybridStrategy();
    const l = lab(s);
    const { t, ctx, u } = callOnce(l, 4);
    expect(l.k.mem.readWord(ctx.addr)).toBe(0);
    expect(l.pinnedBytes()).toBe(0);
    expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 5, u))).toBe(0);
    expect(l.pinnedBytes()).toBe(1024);
    expect(s.budgetReport(l.k).users.get(1000)).toBe(1024);
    l.closeContext(t, ctx);
    expect(s.budgetReport(l.k).users.get(1000)).toBe(0);
  });
});
