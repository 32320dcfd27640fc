import type { FaultConfig } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { E2BIG, ENOMEM } from '../spec.js';
import { type CtxCacheBoundedOptions, createCtxCacheBoundedStrategy } from './ctx-cache-bounded.js';
import { strategyWorld } from './test-util.js';

function world(
  opts: CtxCacheBoundedOptions = {},
  extra: { faults?: FaultConfig; cpus?: number; limit?: number } = {},
) {
  const w = strategyWorld(createCtxCacheBoundedStrategy(opts), { ...extra, vectorBytes: 1024 * 176 });
  const budget = () => {
    const r = w.s.budgetReport(w.lab.k);
    return { user: r.users.get(1000), global: r.globalBytes };
  };
  return { ...w, budget };
}

describe('ctx-cache-bounded: the cached buffer', () => {
  it('a miss charges the budget by the kmalloc class, a hit reuses the buffer with no allocation', () => {
    const w = world();
    expect(w.call(4)).toBe(0); // 704 B in size-1024: 1 unit
    expect(w.budget()).toEqual({ user: 1024, global: 1024 });
    expect(w.lab.pinnedBytes()).toBe(1024);
    const before = w.kmallocs();
    expect(w.call(5)).toBe(0); // 880 B still fits the 1024-B buffer
    expect(w.call(1)).toBe(0);
    expect(w.kmallocs()).toBe(before);
    expect(w.budget()).toEqual({ user: 1024, global: 1024 });
  });

  it('a longer vector replaces the buffer: the old one kfreed and uncharged, the new one charged', () => {
    const w = world();
    expect(w.call(4)).toBe(0);
    expect(w.call(8)).toBe(0); // 1408 B: size-2048, 2 units
    expect(w.budget()).toEqual({ user: 2048, global: 2048 });
    expect(w.lab.pinnedBytes()).toBe(2048);
    expect(w.live('size-1024')).toBe(0);
    w.lab.closeContext(w.t, w.ctx);
    expect(w.budget()).toEqual({ user: 0, global: 0 });
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('a vector of exactly the cached class (16 pfarg_setdesc = 1024 B) is a hit', () => {
    const w = world();
    expect(w.call(4)).toBe(0); // size-1024
    const before = w.kmallocs();
    expect(w.call(16, { kind: 'setdesc' })).toBe(0);
    expect(w.kmallocs()).toBe(before);
  });

  it('exactly arg_size_max is served and cached', () => {
    const w = world({}, { limit: 704 });
    expect(w.call(4)).toBe(0);
    expect(w.lab.pinnedBytes()).toBe(1024);
    expect(w.call(5)).toBe(-E2BIG);
  });

  it('a vector above every kmalloc class (arg_size_max raised past 128 KiB) fails with ENOMEM without touching the budget', () => {
    const w = world({}, { limit: 256 << 10 });
    const lock = w.t.clock.byCategory[4]!;
    const a = w.begin(w.t, w.ctx, 745); // 131,120 B
    expect(a.buf).toBe(-ENOMEM);
    expect(w.t.clock.byCategory[4]! - lock).toBe(0); // no preempt_disable, no counter
    expect(w.budget()).toEqual({ user: 0, global: 0 });
    expect(w.call(4)).toBe(0); // the slot was given back empty: the context caches
    expect(w.lab.pinnedBytes()).toBe(1024);
  });

  it('E2BIG above arg_size_max, before the slot or the budget is touched', () => {
    const w = world();
    expect(w.call(23)).toBe(0); // 4048 B: fits arg_size_max
    expect(w.call(24)).toBe(-E2BIG);
    expect(w.budget()).toEqual({ user: 4096, global: 4096 });
    expect(w.call(2)).toBe(0); // the cached buffer is still there
    expect(w.lab.pinnedBytes()).toBe(4096);
  });

  it('while a caller holds the buffer, a second caller on the fd gets a transient kmalloc; the budget is not touched', () => {
    const w = world();
    expect(w.call(4)).toBe(0);
    const b = w.lab.thread('B');
    const a = w.begin(w.t, w.ctx, 4);
    expect(a.buf).toBeGreaterThan(0);
    const before = w.kmallocs();
    const second = w.begin(b, w.ctx, 4);
    expect(second.buf).toBeGreaterThan(0);
    expect(second.buf).not.toBe(a.buf);
    expect(w.kmallocs()).toBe(before + 1);
    expect(w.budget()).toEqual({ user: 1024, global: 1024 });
    expect(w.lab.pinnedBytes()).toBe(2048);
    second.end();
    expect(w.lab.pinnedBytes()).toBe(1024); // the transient one is kfreed
    a.end();
    expect(w.lab.pinnedBytes()).toBe(1024); // the cached one goes back to the slot
    const hits = w.kmallocs();
    expect(w.call(4)).toBe(0);
    expect(w.kmallocs()).toBe(hits); // and is reused
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('ENOMEM on a miss undoes the charge and leaves the slot empty, so the next call can cache', () => {
    const w = world({}, { faults: { failslab: { nth: 1, filter: 'pfm_get_args' } } });
    expect(w.call(4)).toBe(-ENOMEM);
    expect(w.budget()).toEqual({ user: 0, global: 0 });
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.call(4)).toBe(0);
    expect(w.lab.pinnedBytes()).toBe(1024); // cached this time
    expect(w.budget()).toEqual({ user: 1024, global: 1024 });
  });

  it('ENOMEM on a transient kmalloc (over budget) charges nothing', () => {
    const w = world({ userBudget: 0 }, { faults: { failslab: { nth: 1, filter: 'pfm_get_args' } } });
    expect(w.call(4)).toBe(-ENOMEM);
    expect(w.call(4)).toBe(0);
    expect(w.budget()).toEqual({ user: 0, global: 0 });
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('a budget of exactly one buffer caches it; one KiB less caches nothing', () => {
    const exact = world({ userBudget: 1024 });
    expect(exact.call(4)).toBe(0);
    expect(exact.lab.pinnedBytes()).toBe(1024);
    const under = world({ userBudget: 1023 });
    expect(under.call(4)).toBe(0);
    expect(under.lab.pinnedBytes()).toBe(0);
    expect(under.lab.k.mem.readWord(under.ctx.addr)).toBe(0); // the slot is given back empty
    const global = world({ globalBudget: 1023 });
    expect(global.call(4)).toBe(0);
    expect(global.lab.pinnedBytes()).toBe(0);
  });

  it('a user without a slot in the budget table never caches, and its contexts are not on the shrinker list', () => {
    const w = world({ maxUsers: 1 });
    const other = w.lab.openContext(w.t, 2000);
    expect(w.s.budgetReport(w.lab.k).cachedContexts).toBe(1);
    const before = w.kmallocs();
    expect(w.call(4, { slot: other })).toBe(0);
    expect(w.call(4, { slot: other })).toBe(0);
    expect(w.kmallocs()).toBe(before + 2); // a kmalloc per call
    expect(w.lab.pinnedBytes(2000)).toBe(0);
    expect(w.lab.k.mem.ownerHighWater('args:uid:2000')).toBe(1024);
    expect([...w.s.budgetReport(w.lab.k).users.keys()]).toEqual([1000]);
    w.lab.closeContext(w.t, other);
    expect(w.lab.k.bugs).toEqual([]);
  });
});

describe('ctx-cache-bounded: the shrinker', () => {
  it('takes back every cached buffer, uncharges it, and the contexts keep working', () => {
    const w = world();
    const more = [w.ctx, w.lab.openContext(w.t), w.lab.openContext(w.t)];
    for (const [i, ctx] of more.entries()) expect(w.call(4 + 4 * i, { slot: ctx })).toBe(0); // 1, 2, 4 KiB
    expect(w.budget()).toEqual({ user: 7168, global: 7168 });
    const atomics = w.t.clock.byCategory[5]!;
    expect(w.s.shrink!(w.lab.k, w.t)).toBe(7168);
    // one xchg per context on the list to empty its slot, and a per-CPU add to the user and global counters per buffer
    const { atomicRmw, cmpxchgLocal } = w.lab.k.costs;
    expect(w.t.clock.byCategory[5]! - atomics).toBe(3 * atomicRmw + 6 * cmpxchgLocal);
    expect(w.budget()).toEqual({ user: 0, global: 0 });
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.t.heldLocks).toEqual([]);
    expect(w.t.preemptCount).toBe(0);
    const again = w.t.clock.byCategory[5]!;
    expect(w.s.shrink!(w.lab.k, w.t)).toBe(0); // nothing left
    expect(w.t.clock.byCategory[5]! - again).toBe(3 * atomicRmw); // the xchg only: no counter touched
    for (const ctx of more) expect(w.call(4, { slot: ctx })).toBe(0);
    expect(w.lab.pinnedBytes()).toBe(3072);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('run from outside any thread (kswapd-like), it empties the slots as well', () => {
    const w = world();
    expect(w.call(8)).toBe(0);
    expect(w.s.shrink!(w.lab.k, null)).toBe(2048);
    expect(w.budget()).toEqual({ user: 0, global: 0 });
    expect(w.lab.k.mem.readWord(w.ctx.addr)).toBe(0);
    expect(w.call(8)).toBe(0); // a fresh buffer, not the freed one
    expect(w.lab.pinnedBytes()).toBe(2048);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('under memory pressure it frees only what reclaim asks for', () => {
    const w = world();
    const contexts = [w.ctx, w.lab.openContext(w.t), w.lab.openContext(w.t)];
    for (const ctx of contexts) expect(w.call(23, { slot: ctx })).toBe(0); // 4 KiB each
    expect(w.lab.k.mem.reclaim(w.t, 4096)).toBe(4096);
    expect(w.lab.pinnedBytes()).toBe(8192);
    expect(w.budget()).toEqual({ user: 8192, global: 8192 });
    expect(w.lab.k.mem.reclaim(w.t, 5000)).toBe(8192); // whole buffers: two more
    expect(w.lab.pinnedBytes()).toBe(0);
  });

  it('skips a buffer in use; its owner frees and uncharges it when it finds the slot emptied', () => {
    const w = world();
    const a = w.begin(w.t, w.ctx, 4); // a miss: charged, in use
    expect(a.buf).toBeGreaterThan(0);
    expect(w.budget()).toEqual({ user: 1024, global: 1024 });
    expect(w.s.shrink!(w.lab.k, w.t)).toBe(0); // nothing it may take
    expect(w.budget()).toEqual({ user: 1024, global: 1024 });
    expect(w.lab.pinnedBytes()).toBe(1024); // the caller's buffer is still allocated
    a.end();
    expect(w.budget()).toEqual({ user: 0, global: 0 });
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.mem.readWord(w.ctx.addr)).toBe(0);
    expect(w.call(4)).toBe(0); // the context caches again
    expect(w.lab.pinnedBytes()).toBe(1024);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('a hit in flight: the shrinker leaves it, the owner kfrees and uncharges it at the end of its call', () => {
    const w = world();
    expect(w.call(8)).toBe(0);
    const a = w.begin(w.t, w.ctx, 8); // a hit
    expect(w.s.shrink!(w.lab.k, null)).toBe(0);
    a.end();
    expect(w.budget()).toEqual({ user: 0, global: 0 });
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('a closed context leaves the shrinker list and the budget', () => {
    const w = world();
    const b = w.lab.openContext(w.t);
    expect(w.call(4)).toBe(0);
    expect(w.call(8, { slot: b })).toBe(0);
    expect(w.s.budgetReport(w.lab.k).cachedContexts).toBe(2);
    w.lab.closeContext(w.t, b);
    expect([w.t.irqsOff, w.t.heldLocks]).toEqual([false, []]);
    expect(w.s.budgetReport(w.lab.k).cachedContexts).toBe(1);
    expect(w.budget()).toEqual({ user: 1024, global: 1024 });
    expect(w.s.shrink!(w.lab.k, w.t)).toBe(1024);
    w.lab.closeContext(null, w.ctx); // closed from outside a thread, empty slot
    expect(w.s.budgetReport(w.lab.k).cachedContexts).toBe(0);
    expect(w.budget()).toEqual({ user: 0, global: 0 });
    expect(w.lab.k.bugs).toEqual([]);
  });
});

describe('ctx-cache-bounded: the budget report', () => {
  it('reports the limits, the batch and the unit as configured', () => {
    const w = world({ userBudget: 8 << 10, globalBudget: 20 << 10 }, { cpus: 2 });
    const r = w.s.budgetReport(w.lab.k);
    expect([r.unitBytes, r.batch, r.userLimitBytes, r.globalLimitBytes]).toEqual([1024, 32, 8192, 20480]);
    expect(w.s.pinnedFormula).toContain('8192 B');
    expect(w.s.pinnedFormula).toContain('20480 B');
    expect(w.s.name).toBe('ctx-cache-bounded');
  });

  it('reports exact bytes and the folded (approximate) count apart', () => {
    const w = world({}, { cpus: 2 });
    expect(w.call(23)).toBe(0);
    const r = w.s.budgetReport(w.lab.k);
    expect([r.globalBytes, r.globalFoldedBytes]).toEqual([4096, 0]); // 4 units, below the batch
    for (let i = 0; i < 8; i++) expect(w.call(23, { slot: w.lab.openContext(w.t) })).toBe(0);
    const folded = w.s.budgetReport(w.lab.k);
    expect([folded.globalBytes, folded.globalFoldedBytes]).toEqual([36 << 10, 32 << 10]); // folded at 32 units
  });

  it('closing a context with nothing cached touches no budget counter', () => {
    const w = world();
    const lock = w.t.clock.byCategory[4]!;
    w.s.contextClosed!(w.lab.k, w.t, w.ctx);
    expect(w.t.clock.byCategory[4]! - lock).toBe(w.lab.k.costs.spinLockUnlock); // the list lock only
    expect(w.budget()).toEqual({ user: 0, global: 0 });
  });
});
