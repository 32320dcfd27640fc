import { createKernel, explore, type FaultConfig, type Mutex, takeSnapshot } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { sharedContextScenario } from '../scenario.js';
import { ARG_BLOCKED, E2BIG, ENOMEM } from '../spec.js';
import {
  bufferOf,
  classBytes,
  classOf,
  packBuffer,
  perKernel,
  sizeClassOf,
  spinLockNoWait,
} from './common.js';
import { createCtxCacheMutexStrategy } from './ctx-cache-mutex.js';
import { createCtxCacheNaiveStrategy } from './ctx-cache-naive.js';
import { createCtxCacheSpinsplitStrategy } from './ctx-cache-spinsplit.js';
import { prepareCall, strategyWorld } from './test-util.js';

const SEED_CACHES = {
  'ctx-cache-naive': createCtxCacheNaiveStrategy,
  'ctx-cache-mutex': createCtxCacheMutexStrategy,
  'ctx-cache-spinsplit': createCtxCacheSpinsplitStrategy,
} as const;

function world(
  make: () => ReturnType<typeof createCtxCacheNaiveStrategy>,
  faults?: FaultConfig,
  limit?: number,
) {
  // spinsplit copies under its spinlock: flagged elsewhere
  return strategyWorld(make(), { faults, limit, debugAtomicSleep: false });
}

describe("the seed's per-context buffer (pointer in slot word 0, size in word 1)", () => {
  for (const [name, make] of Object.entries(SEED_CACHES)) {
    describe(name, () => {
      it('keeps the buffer after the call and reuses it while the vector is no longer than the one it was made for', () => {
        const w = world(make);
        expect(w.call(5)).toBe(0); // 880 B
        expect(w.lab.pinnedBytes()).toBe(1024);
        const before = w.kmallocs();
        expect(w.call(5)).toBe(0); // the same length: reused
        expect(w.call(2)).toBe(0);
        expect(w.kmallocs()).toBe(before);
        expect(w.lab.k.mem.readWord(w.ctx.addr + 4)).toBe(880); // the size word: what was asked
        expect(w.lab.k.bugs).toEqual([]);
        expect(w.t.heldLocks).toEqual([]);
      });

      it('a longer vector replaces it, even within the same kmalloc class; the old one is kfreed', () => {
        const w = world(make);
        expect(w.call(4)).toBe(0); // 704 B in size-1024
        const before = w.kmallocs();
        expect(w.call(5)).toBe(0); // 880 B: the size word says 704, so a new one
        expect(w.kmallocs()).toBe(before + 1);
        expect(w.liveBuffers()).toEqual([['size-1024', 1]]);
        expect(w.call(8)).toBe(0);
        expect(w.liveBuffers()).toEqual([['size-2048', 1]]);
        expect(w.lab.pinnedBytes()).toBe(2048);
        w.lab.closeContext(w.t, w.ctx);
        expect(w.lab.pinnedBytes()).toBe(0);
        expect(w.lab.k.bugs).toEqual([]);
      });

      it('E2BIG above arg_size_max with nothing taken; exactly arg_size_max is served', () => {
        const w = world(make);
        expect(w.call(24)).toBe(-E2BIG);
        expect(w.lab.k.mem.ownerHighWater('args:uid:1000')).toBe(0);
        expect(w.t.heldLocks).toEqual([]);
        expect(w.call(23)).toBe(0);
        expect(w.lab.pinnedBytes()).toBe(4096);
        const exact = world(make, undefined, 704);
        expect(exact.call(4)).toBe(0);
        expect(exact.call(5)).toBe(-E2BIG);
      });

      it('ENOMEM keeps the old buffer in the context and drops every lock taken', () => {
        const w = world(make, { failslab: { nth: 2, filter: 'pfm_get_args' } });
        expect(w.call(4)).toBe(0);
        expect(w.call(8)).toBe(-ENOMEM);
        expect(w.t.heldLocks).toEqual([]);
        expect(w.lab.pinnedBytes()).toBe(1024); // still cached
        const before = w.kmallocs();
        expect(w.call(4)).toBe(0);
        expect(w.kmallocs()).toBe(before); // and still used
        w.lab.closeContext(w.t, w.ctx);
        expect(w.lab.pinnedBytes()).toBe(0);
        expect(w.lab.k.bugs).toEqual([]);
      });

      it('closing a context that never made a call frees nothing', () => {
        const w = world(make);
        const other = w.lab.openContext(w.t);
        expect(w.call(4)).toBe(0);
        w.lab.closeContext(null, other);
        expect(w.lab.pinnedBytes()).toBe(1024);
        expect(w.lab.k.bugs).toEqual([]);
      });
    });
  }
});

describe('ctx-cache-mutex', () => {
  it('ENOMEM after waiting for the mutex: the waiter gives the mutex back', () => {
    const {
      s,
      lab,
      t: a,
      ctx,
    } = strategyWorld(createCtxCacheMutexStrategy(), {
      cpus: 2,
      faults: { failslab: { nth: 2, filter: 'pfm_get_args' } },
    });
    const b = lab.thread('B');
    const ca = prepareCall(lab, a, ctx, 4);
    const cb = prepareCall(lab, b, ctx, 8);
    expect(s.acquire(ca)).toBeGreaterThan(0);
    expect(a.heldLocks.map((l) => l.name)).toEqual(['ctx1->arg_mutex']); // held until release
    expect(s.acquire(cb)).toBe(ARG_BLOCKED);
    s.release(ca);
    expect(s.resume!(cb)).toBe(-ENOMEM); // 1408 B does not fit: the kmalloc fails
    expect((ctx.data as Mutex).owner).toBeNull();
    expect(b.heldLocks).toEqual([]);
  });
});

describe('ctx-cache-spinsplit', () => {
  it('holds ctx->lock from acquire to release, and drops it on ENOMEM', () => {
    const { s, lab, t, ctx } = strategyWorld(createCtxCacheSpinsplitStrategy(), {
      debugAtomicSleep: false,
      faults: { failslab: { nth: 2, filter: 'pfm_get_args' } },
    });
    const call = prepareCall(lab, t, ctx, 4);
    expect(s.acquire(call)).toBeGreaterThan(0);
    expect([call.holdsContextLock, t.heldLocks.map((l) => l.name)]).toEqual([true, ['ctx1->lock']]);
    s.release(call);
    expect([call.holdsContextLock, t.heldLocks]).toEqual([false, []]);
    s.release(call); // a second release does not unlock twice
    expect(lab.k.bugs).toEqual([]);
    call.count = 8;
    call.bytes = 1408;
    expect(s.acquire(call)).toBe(-ENOMEM);
    expect([call.holdsContextLock, t.heldLocks]).toEqual([false, []]);
    expect(lab.k.bugs).toEqual([]);
  });
});

describe('ctx-cache-naive under the race detector', () => {
  it('names both sides of the race on the slot words: the store of a new buffer and the read of the old one', () => {
    const sc = sharedContextScenario({ strategy: 'ctx-cache-naive' });
    const result = explore({ build: sc.build, mode: 'exhaustive', maxPreemptions: 2 });
    const pairs = new Set(
      result.findings
        .flatMap((f) => f.bugs)
        .filter((b) => b.kind === 'data-race')
        .map((b) => [b.detail.site, b.detail.otherSite].sort().join(' / ')),
    );
    expect(pairs).toContain('ctx->arg_buf read (naive) / ctx->arg_buf store (naive)');
    // reading the slot words is never a race by itself
    expect(pairs).not.toContain('ctx->arg_buf read (naive) / ctx->arg_buf read (naive)');
  });
});

describe('spinLockNoWait', () => {
  it('finding the lock held on a path that cannot wait is a simulator invariant violation', () => {
    const k = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, cpus: 2, arenaBytes: 1 << 20 });
    const p = k.createProcess();
    const a = k.spawn(p, 'a', undefined, { cpu: 0 });
    const b = k.spawn(p, 'b', undefined, { cpu: 1 });
    const lock = k.sync.createSpinlock('list', 'list');
    spinLockNoWait(k, a, lock, false);
    expect(() => spinLockNoWait(k, b, lock, true)).toThrow(/list found held on a path that cannot wait/);
  });
});

describe('tagged buffer words', () => {
  it('a kmalloc buffer and its size class share one word; the class is what ksize() returns', () => {
    const k = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, arenaBytes: 1 << 20 });
    for (const [bytes, ksize] of [
      [1, 32],
      [704, 1024],
      [1024, 1024],
      [1025, 2048],
      [4048, 4096],
      [131072, 131072],
    ] as const) {
      const cls = sizeClassOf(k, bytes);
      expect(classBytes(k, cls), `${bytes} B`).toBe(ksize);
      const word = packBuffer(0x12340, cls);
      expect([bufferOf(word), classOf(word)]).toEqual([0x12340, cls]);
    }
    expect(sizeClassOf(k, 131073)).toBe(0); // above the largest class: not cacheable
    expect(classBytes(k, 0)).toBe(0);
  });

  it('perKernel: state made once per kernel, found again when the kernels alternate', () => {
    let made = 0;
    const state = perKernel(() => ({ n: made++ }));
    const a = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, arenaBytes: 1 << 20 });
    const b = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 2, arenaBytes: 1 << 20 });
    expect([state(a).n, state(a).n, state(b).n, state(a).n, state(b).n]).toEqual([0, 0, 1, 0, 1]);
    expect(made).toBe(2);
  });

  it('perKernel: the state lives in the kernel, so a snapshot restore takes back state made after it', () => {
    let made = 0;
    const state = perKernel(() => ({ n: made++, hits: 0 }));
    const other = perKernel(() => 'other');
    const k = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, arenaBytes: 1 << 20 });
    state(k).hits = 1;
    const snap = takeSnapshot([k]);
    state(k).hits = 5;
    expect(other(k)).toBe('other');
    snap.restore();
    expect(state(k)).toEqual({ n: 0, hits: 1 }); // the same state, as it was
    expect(k.slots.size).toBe(1); // `other` was made after: gone
    expect(other(k)).toBe('other');
    expect(made).toBe(1);
  });
});
