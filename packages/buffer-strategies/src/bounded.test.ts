import { createKernel, GFP_KERNEL } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { ArgBudget, BUDGET_UNIT_BYTES, checkBudgetOptions, unitsFor } from './budget.js';
import { StrategyLab } from './lab.js';
import { cyclesPerCall } from './measure.js';
import { createCtxCacheStrategy } from './strategies/ctx-cache.js';
import { createCtxCacheBoundedStrategy } from './strategies/ctx-cache-bounded.js';
import { createHybridStrategy } from './strategies/hybrid.js';

describe('the per-CPU-batched budget counters (percpu_counter)', () => {
  it('batch = max(32, 2 x nr_cpus) units of 1 KiB', () => {
    const batches = [1, 2, 16, 17, 32, 64].map((cpus) => {
      const k = createKernel({ arch: 'x86_64', cost: 'core2-2007', seed: 1, cpus, arenaBytes: 1 << 20 });
      return new ArgBudget(k, checkBudgetOptions({}), 'test').batch;
    });
    expect(batches).toEqual([32, 32, 32, 34, 64, 128]);
    expect(BUDGET_UNIT_BYTES).toBe(1024);
    expect([unitsFor(704), unitsFor(1024), unitsFor(1025), unitsFor(4096)]).toEqual([1, 1, 2, 4]);
  });

  it('adds stay on the CPU (no lock) until the delta reaches the batch, then fold under the lock', () => {
    const k = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, cpus: 2, arenaBytes: 1 << 20 });
    const p = k.createProcess();
    const t0 = k.spawn(p, 'cpu0', undefined, { cpu: 0 });
    const t1 = k.spawn(p, 'cpu1', undefined, { cpu: 1 });
    const budget = new ArgBudget(
      k,
      checkBudgetOptions({ userBudget: 1 << 20, globalBudget: 1 << 20 }),
      'test',
    );
    const user = budget.userCounter(1000)!;
    for (let i = 0; i < 7; i++) expect(budget.tryCharge(t0, user, 4)).toBe(true); // 28 units on CPU 0
    expect(user.read(k)).toBe(0); // nothing folded yet
    expect(user.cpuDelta(k, 0)).toBe(28);
    const lockCycles = t0.clock.byCategory[4]!;
    expect(budget.tryCharge(t0, user, 4)).toBe(true); // reaches 32: folds
    expect(t0.clock.byCategory[4]! - lockCycles).toBeGreaterThanOrEqual(k.costs.spinLockIrqsaveRestore);
    expect([user.read(k), user.cpuDelta(k, 0)]).toEqual([32, 0]);
    budget.uncharge(t1, user, 4); // another CPU gives back: a negative delta there
    expect([user.read(k), user.cpuDelta(k, 1), user.peek(k)]).toEqual([32, -4, 28]);
    expect(k.bugs).toEqual([]);
  });

  it('sums every CPU exactly only near the limit, and never lets a charge pass the limit', () => {
    const k = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, cpus: 4, arenaBytes: 1 << 20 });
    const p = k.createProcess();
    const ts = [0, 1, 2, 3].map((cpu) => k.spawn(p, `c${cpu}`, undefined, { cpu }));
    const budget = new ArgBudget(k, checkBudgetOptions({ userBudget: 300 << 10 }), 'test');
    const user = budget.userCounter(1000)!;
    let granted = 0;
    for (let i = 0; i < 200; i++) if (budget.tryCharge(ts[i % 4]!, user, 2)) granted += 2;
    expect(granted).toBe(300);
    expect(user.peek(k)).toBe(300);
    expect(budget.tryCharge(ts[0]!, user, 1)).toBe(false);
    expect(user.read(k)).not.toBe(user.peek(k)); // the folded count alone is approximate
  });

  it('gives each user a separate budget and all users one global budget', () => {
    const s = createCtxCacheBoundedStrategy({ userBudget: 8 << 10, globalBudget: 12 << 10 });
    const lab = new StrategyLab({ arch: 'i386', cost: 'p4-2006', seed: 1, strategy: s });
    const t = lab.thread('t');
    const u = lab.process.mm.mmap(23 * 176);
    const run = (uid: number, n: number) => {
      for (let i = 0; i < n; i++) {
        const ctx = lab.openContext(t, uid);
        expect(lab.k.runSync(t, lab.call(t, ctx, 'pmd', 23, u))).toBe(0);
      }
    };
    run(1000, 5);
    run(2000, 5);
    expect([lab.pinnedBytes(1000), lab.pinnedBytes(2000)]).toEqual([8 << 10, 4 << 10]);
    const report = s.budgetReport(lab.k);
    expect(report.globalBytes).toBe(12 << 10);
    expect([...report.users]).toEqual([
      [1000, 8 << 10],
      [2000, 4 << 10],
    ]);
  });
});

describe('ctx-cache-bounded', () => {
  it('a cache hit touches no counter: it costs what ctx-cache costs', () => {
    for (const n of [4, 8, 23]) {
      expect(cyclesPerCall(createCtxCacheBoundedStrategy(), 'i386', 'p4-2006', n)).toBe(
        cyclesPerCall(createCtxCacheStrategy(), 'i386', 'p4-2006', n),
      );
    }
  });

  it('over budget, a call gets a transient kmalloc that is freed after it', () => {
    const s = createCtxCacheBoundedStrategy({ userBudget: 4096 });
    const lab = new StrategyLab({ arch: 'i386', cost: 'p4-2006', seed: 1, strategy: s });
    const t = lab.thread('t');
    const u = lab.process.mm.mmap(23 * 176);
    const a = lab.openContext(t);
    const b = lab.openContext(t);
    expect(lab.k.runSync(t, lab.call(t, a, 'pmd', 23, u))).toBe(0);
    expect(lab.pinnedBytes()).toBe(4096);
    const before = t.clock.total;
    expect(lab.k.runSync(t, lab.call(t, b, 'pmd', 8, u))).toBe(0);
    expect(lab.pinnedBytes()).toBe(4096); // b got a 2048-B buffer for the call only
    expect(lab.k.mem.readWord(b.addr)).toBe(0);
    expect(t.clock.total - before).toBeGreaterThan(
      cyclesPerCall(createCtxCacheStrategy(), 'i386', 'p4-2006', 8),
    );
    lab.closeContext(t, a);
    expect(lab.k.runSync(t, lab.call(t, b, 'pmd', 8, u))).toBe(0);
    expect(lab.pinnedBytes()).toBe(2048); // room again: b now keeps one
  });

  it('registers a shrinker that kernel-sim runs under memory pressure (direct reclaim)', () => {
    const s = createCtxCacheBoundedStrategy({ userBudget: 1 << 20, globalBudget: 1 << 20 });
    const lab = new StrategyLab({
      arch: 'i386',
      cost: 'p4-2006',
      seed: 1,
      strategy: s,
      arenaBytes: 512 << 10,
    });
    expect(lab.k.mem.shrinkerNames()).toEqual(['ctx-cache-bounded']);
    const t = lab.thread('t');
    const u = lab.process.mm.mmap(23 * 176);
    const contexts = Array.from({ length: 100 }, () => lab.openContext(t));
    for (const ctx of contexts) expect(lab.k.runSync(t, lab.call(t, ctx, 'pmd', 23, u))).toBe(0);
    const pinned = lab.pinnedBytes();
    expect(pinned).toBe(100 * 4096);
    // Another subsystem now needs pages the arena no longer has: reclaim runs the shrinker.
    const other = lab.k.mem.tag('other subsystem');
    const got: number[] = [];
    for (let i = 0; i < 40; i++) got.push(lab.k.mem.kmalloc(t, 4096, GFP_KERNEL, other, other));
    expect(got.every((a) => a !== 0)).toBe(true);
    expect(lab.k.mem.reclaims).toBeGreaterThan(0);
    expect(lab.pinnedBytes()).toBeLessThan(pinned);
    expect(s.budgetReport(lab.k).users.get(1000)).toBe(lab.pinnedBytes());
    // The explicit form gives back everything still cached; the contexts keep working.
    const left = lab.pinnedBytes();
    expect(s.shrink!(lab.k, t)).toBe(left);
    expect(lab.pinnedBytes()).toBe(0);
    expect(s.budgetReport(lab.k).globalBytes).toBe(0);
    for (const a of got) lab.k.mem.kfree(t, a);
    expect(lab.k.runSync(t, lab.call(t, contexts[0]!, 'pmd', 23, u))).toBe(0);
    expect(lab.k.bugs).toEqual([]);
  });

  it('hybrid registers the same shrinker for its cache', () => {
    const lab = new StrategyLab({ arch: 'i386', cost: 'p4-2006', seed: 1, strategy: createHybridStrategy() });
    expect(lab.k.mem.shrinkerNames()).toEqual(['hybrid']);
  });
});
