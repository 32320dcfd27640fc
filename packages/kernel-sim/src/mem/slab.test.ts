// The slab allocator's behaviour a kernel engineer relies on: size classes, poisoning of the
// whole object, per-CPU array flushes, accounting per owner, page allocations and word access.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { oneThread, testKernel } from '../test-util.js';
import { GFP_ATOMIC, GFP_KERNEL, POISON_FREE } from './memory.js';

describe('arena and size classes', () => {
  it('needs an arena of at least 16 pages and says how many bytes that is', () => {
    expect(() => testKernel({ arenaBytes: 15 * 4096 })).toThrow(InvalidArgumentError);
    expect(() => testKernel({ arenaBytes: 15 * 4096 })).toThrow(/at least 16 pages \(65536\)/);
    expect(testKernel({ arenaBytes: 16 * 4096 }).mem.numPages).toBe(16);
  });

  it('serves kmalloc(0) from size-32 (2.6.18 has no ZERO_SIZE_PTR) and 128 KiB from size-131072', () => {
    const k = testKernel({ arenaBytes: 4 << 20 });
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 0, GFP_KERNEL, 0, 0);
    expect(a).not.toBe(0);
    expect(k.mem.cacheStats().find((c) => c.live === 1)!.name).toBe('size-32');
    expect(k.mem.kmallocCache(131072)!.name).toBe('size-131072');
    const big = k.mem.kmalloc(t, 131072, GFP_KERNEL, 0, 0);
    expect(big).not.toBe(0);
    expect(k.mem.kmallocCache(131072)!.order).toBe(5);
    expect(() => k.mem.kmalloc(t, 1.5, GFP_KERNEL, 0, 0)).toThrow(/an integer >= 0/);
  });

  it('rounds a kmem_cache up to 32 bytes, rejects sizes outside 1..128 KiB, and gives big objects order > 0', () => {
    const k = testKernel();
    expect(k.mem.createCache('one', 1).objSize).toBe(32);
    expect(k.mem.createCache('page', 4096).order).toBe(0);
    expect(k.mem.createCache('page+', 4097).order).toBe(1);
    expect(() => k.mem.createCache('zero', 0)).toThrow(/kmem_cache size/);
    expect(() => k.mem.createCache('huge', 131073)).toThrow(/kmem_cache size/);
  });
});

describe('freeing', () => {
  it('poisons every byte of the object, up to its size class, and only that object', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 100, GFP_KERNEL, 0, 0); // size-128
    const b = k.mem.kmalloc(t, 100, GFP_KERNEL, 0, 0);
    k.mem.u8.fill(0x11, a, a + 128);
    k.mem.u8.fill(0x22, b, b + 128);
    k.mem.kfree(t, a);
    expect(Array.from(k.mem.u8.subarray(a, a + 128)).every((x) => x === POISON_FREE)).toBe(true);
    expect(Array.from(k.mem.u8.subarray(b, b + 128)).every((x) => x === 0x22)).toBe(true);
    k.mem.kfree(t, b);
  });

  it('reports a free of something that is not a slab object, naming the address', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const page = k.mem.allocPages(t, 0, GFP_KERNEL, 0, 0);
    for (const addr of [page, -64, 1 << 30, 33.5]) k.mem.kfree(t, addr);
    expect(k.bugs.map((b) => [b.kind, b.message, b.detail.addr])).toEqual([
      ['invalid-free', `kfree of 0x${page.toString(16)}, not a slab object`, page],
      ['invalid-free', 'kfree of 0x-40, not a slab object', -64],
      ['invalid-free', 'kfree of 0x40000000, not a slab object', 1 << 30],
      ['invalid-free', 'kfree of 0x21.8, not a slab object', 33.5],
    ]);
  });

  it('names the call site of the first free in a double-free report', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const site = k.mem.tag('pfm_context_alloc');
    const a = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, site);
    k.mem.kfree(t, a);
    k.mem.kfree(t, a);
    expect(k.bugs[0]!.kind).toBe('double-free');
    expect(k.bugs[0]!.message).toBe(`kfree of 0x${a.toString(16)} (size-64) already freed`);
    expect(k.bugs[0]!.detail.site).toBe('pfm_context_alloc');
  });

  it('a kmem_cache_free to the wrong cache names both caches and leaves the object live', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const c = k.mem.createCache('pfm_arg_cache', 700);
    const other = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    k.mem.cacheFree(t, c, other);
    expect(k.bugs[0]!.message).toBe('kmem_cache_free to pfm_arg_cache of an object of size-64');
    expect(k.mem.access(t, other, 64, false, 0)).toBe(true);
    k.mem.cacheFree(t, c, 0); // NULL: nothing
    k.mem.cacheFree(t, c, 12345);
    expect(k.bugs.map((b) => b.kind)).toEqual(['invalid-free', 'invalid-free']);
  });

  it('flushes a full per-CPU array (a batch back to the slabs) at the kfreeSlow cost', () => {
    const k = testKernel({ arenaBytes: 4 << 20 });
    const { t } = oneThread(k);
    const cache = k.mem.kmallocCache(64)!;
    expect([cache.limit, cache.batch]).toEqual([120, 60]);
    const addrs = Array.from({ length: 2 * cache.limit }, () => k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
    const costs: number[] = [];
    for (const a of addrs) {
      const before = t.clock.total;
      k.mem.kfree(t, a);
      costs.push(t.clock.total - before);
    }
    // A free that finds the array full (120 objects) flushes 60: then every 60th free flushes.
    const slow = costs.flatMap((c, i) => (c === k.costs.kfreeSlow ? [i] : []));
    expect(slow.map((i) => i - slow[0]!)).toEqual([0, cache.batch, 2 * cache.batch]);
    expect(slow[0]).toBeLessThanOrEqual(cache.limit);
    expect(costs.filter((c) => c !== k.costs.kfreeSlow && c !== k.costs.kfreeFast)).toEqual([]);
    // Every object comes back, none twice, the last freed first (LIFO per-CPU array).
    const again = Array.from({ length: 2 * cache.limit }, () => k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
    expect(new Set(again).size).toBe(2 * cache.limit);
    expect(again[0]).toBe(addrs[addrs.length - 1]);
    expect(k.bugs).toEqual([]);
  });

  it('kfree from outside any thread (null) is free of charge and still poisons and accounts', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const owner = k.mem.tag('irq-owner');
    const a = k.mem.kmalloc(t, 64, GFP_ATOMIC, owner, owner);
    const before = t.clock.total;
    k.mem.kfree(null, a);
    expect(t.clock.total).toBe(before);
    expect(k.mem.u8[a + 63]).toBe(POISON_FREE);
    expect(k.mem.ownerLiveBytes(owner)).toBe(0);
    expect(k.mem.liveObjects).toBe(0);
  });
});

describe('costs of kmem_cache objects', () => {
  it('charge 40 % of the cache alloc/free pair on allocation and 60 % on free', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const c = k.mem.createCache('pfm_arg_cache', 704);
    const warm = k.mem.cacheAlloc(t, c, GFP_KERNEL, 0, 0);
    k.mem.cacheFree(t, c, warm);
    let before = t.clock.total;
    const a = k.mem.cacheAlloc(t, c, GFP_KERNEL, 0, 0);
    expect(t.clock.total - before).toBe(Math.round(k.costs.kmemCacheAllocFree * 0.4));
    before = t.clock.total;
    k.mem.cacheFree(t, c, a);
    expect(t.clock.total - before).toBe(Math.round(k.costs.kmemCacheAllocFree * 0.6));
  });

  it('charge the slow path on every allocation when the cold probability is 1', () => {
    const k = testKernel({ costOverrides: { allocColdProbability: 1 } });
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    k.mem.kfree(t, a);
    const before = t.clock.total;
    k.mem.kfree(t, k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
    expect(t.clock.total - before).toBe(k.costs.kmallocSlow + k.costs.kfreeSlow);
  });
});

describe('accounting', () => {
  it('keeps per-cache and global high-water marks and counts fast and slow allocations', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    const b = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    k.mem.kfree(t, a);
    k.mem.kfree(t, b);
    k.mem.kfree(t, k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
    expect(k.mem.cacheStats()).toEqual([
      { name: 'size-64', objSize: 64, live: 0, high: 2, slabs: 1, fast: 2, slow: 1 },
    ]);
    expect(k.mem.liveBytesHigh).toBe(128);
    expect(k.mem.liveBytes).toBe(0);
  });

  it('accounts more owners than its first table holds', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const addrs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const owner = k.mem.tag(`user:${i}`);
      addrs.push(k.mem.kmalloc(t, 32 * (1 + (i % 3)), GFP_KERNEL, owner, owner));
    }
    expect(k.mem.ownerLiveBytes('user:199')).toBe(64);
    expect(k.mem.ownerLiveBytes('user:0')).toBe(32);
    expect(k.mem.ownerHighWater('user:131')).toBe(128); // 96 B: size-128 on i386
    for (const a of addrs) k.mem.kfree(t, a);
    expect(k.mem.ownerHighWater('user:199')).toBe(64);
    expect(k.mem.ownerLiveBytes('user:199')).toBe(0);
    expect(k.mem.ownerLiveBytes('nobody')).toBe(0);
    expect(k.mem.ownerHighWater('nobody')).toBe(0);
  });

  it('lists live bytes per owner under a prefix, leaving out owners with none', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const u1 = k.mem.tag('user:1000');
    const u2 = k.mem.tag('user:1001');
    const ctx = k.mem.tag('ctx:user:1000');
    const a = k.mem.kmalloc(t, 64, GFP_KERNEL, u1, u1);
    k.mem.kmalloc(t, 128, GFP_KERNEL, u1, u1);
    k.mem.kmalloc(t, 32, GFP_KERNEL, ctx, ctx);
    k.mem.kfree(t, k.mem.kmalloc(t, 32, GFP_KERNEL, u2, u2));
    expect(k.mem.liveBytesByOwner('user:')).toEqual(new Map([['user:1000', 192]]));
    expect(k.mem.liveBytesByOwner()).toEqual(
      new Map([
        ['user:1000', 192],
        ['ctx:user:1000', 32],
      ]),
    );
    k.mem.kfree(t, a);
    expect(k.mem.liveBytesByOwner('user:1000')).toEqual(new Map([['user:1000', 128]]));
  });

  it('names an unknown tag by its number', () => {
    const k = testKernel();
    expect(k.mem.tagName(0)).toBe('');
    expect(k.mem.tagName(k.mem.tag('x'))).toBe('x');
    expect(k.mem.tagName(999)).toBe('tag#999');
  });

  it('lists leaks in allocation order, not address order, and reports each', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const owner = k.mem.tag('user:7');
    const site = k.mem.tag('pfm_get_args');
    const first = k.mem.kmalloc(t, 2048, GFP_KERNEL, owner, site); // size-2048, a later slab
    const second = k.mem.kmalloc(t, 32, GFP_KERNEL, owner, site);
    const base = k.mem.snapshot();
    const third = k.mem.kmalloc(t, 32, GFP_KERNEL, owner, site);
    expect(k.mem.liveObjectsSince().map((o) => o.addr)).toEqual([first, second, third]);
    expect(k.mem.liveObjectsSince(base).map((o) => o.addr)).toEqual([third]);
    expect(k.mem.reportLeaks()).toBe(3);
    const hex = (a: number) => `0x${a.toString(16)}`;
    expect(k.bugs.map((b) => b.message)).toEqual([
      `2048 B (size-2048) at ${hex(first)} allocated at pfm_get_args for user:7 never freed`,
      `32 B (size-32) at ${hex(second)} allocated at pfm_get_args for user:7 never freed`,
      `32 B (size-32) at ${hex(third)} allocated at pfm_get_args for user:7 never freed`,
    ]);
    expect(k.bugs[0]!.detail).toEqual({ addr: first, site: 'pfm_get_args', owner: 'user:7' });
  });
});

describe('page allocations', () => {
  it('GFP_KERNEL page allocations may sleep, are failslab targets and reclaim under pressure', () => {
    const k = testKernel({ arenaBytes: 64 << 10, faults: { failslab: { nth: 1, filter: 'buf' } } });
    const { t } = oneThread(k);
    const buf = k.mem.tag('buf');
    expect(k.mem.allocPages(t, 0, GFP_KERNEL, buf, buf)).toBe(0); // failslab
    const lock = k.sync.createSpinlock('l');
    k.sync.spinLock(t, lock);
    const atomicPage = k.mem.allocPages(t, 0, GFP_KERNEL, 0, 0);
    k.sync.spinUnlock(t, lock);
    expect(k.bugs.map((b) => [b.kind, b.message])).toEqual([
      ['sleep-in-atomic', expect.stringContaining('alloc_pages(GFP_KERNEL)')],
    ]);
    const held = [atomicPage];
    for (
      let a = k.mem.allocPages(t, 0, GFP_ATOMIC, 0, 0);
      a !== 0;
      a = k.mem.allocPages(t, 0, GFP_ATOMIC, 0, 0)
    )
      held.push(a);
    const wanted: number[] = [];
    k.mem.registerShrinker('pages', (st, bytes) => {
      wanted.push(bytes);
      k.mem.freePages(st, held.pop()!, 0);
      return 4096;
    });
    expect(k.mem.allocPages(t, 0, GFP_ATOMIC, 0, 0)).toBe(0); // atomic: no reclaim
    expect(wanted).toEqual([]);
    expect(k.mem.allocPages(t, 0, GFP_KERNEL, 0, 0)).not.toBe(0);
    expect(wanted).toEqual([4096]);
  });

  it('reserving more than the arena holds returns 0', () => {
    const k = testKernel({ arenaBytes: 64 << 10 });
    expect(k.mem.reservePages(4, 0)).toBe(0); // 16 pages: page 0 is never handed out
  });
});

describe('kernel accesses', () => {
  it('names the access and the allocation site of a use after free, and the size past an object', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const alloc = k.mem.tag('pfm_get_args');
    const a = k.mem.kmalloc(t, 48, GFP_KERNEL, 0, alloc); // size-64
    expect(k.mem.access(t, a + 56, 8, true, 0)).toBe(true); // the size class's slack is the object's
    expect(k.mem.access(t, a + 60, 8, true, 0)).toBe(false);
    k.mem.kfree(t, a);
    expect(k.mem.access(t, a + 8, 4, true, 0)).toBe(false);
    expect(k.bugs.map((b) => b.message)).toEqual([
      `write of 8 B at 0x${(a + 60).toString(16)} past a size-64 object`,
      `write of 4 B at 0x${(a + 8).toString(16)} in a freed size-64 object`,
    ]);
    expect(k.bugs[1]!.detail.allocSite).toBe('pfm_get_args');
  });
});

describe('reclaim', () => {
  it('runs shrinkers in order until enough is freed, and never recursively', () => {
    const k = testKernel({ arenaBytes: 64 << 10 });
    const { t } = oneThread(k);
    const calls: string[] = [];
    k.mem.registerShrinker('first', (_t, wanted) => {
      calls.push(`first ${wanted}`);
      // A shrinker's own sleepable allocation finds no memory and must not reclaim again.
      expect(k.mem.kmalloc(t, 4096, GFP_KERNEL, 0, 0)).toBe(0);
      expect(k.mem.reclaim(t)).toBe(0);
      return 3000;
    });
    k.mem.registerShrinker('second', (_t, wanted) => {
      calls.push(`second ${wanted}`);
      return 2000;
    });
    k.mem.registerShrinker('third', () => {
      calls.push('third');
      return 1;
    });
    for (
      let a = k.mem.kmalloc(t, 4096, GFP_ATOMIC, 0, 0);
      a !== 0;
      a = k.mem.kmalloc(t, 4096, GFP_ATOMIC, 0, 0)
    );
    expect(k.mem.reclaim(t, 5000)).toBe(5000);
    expect(calls).toEqual(['first 5000', 'second 2000']);
    expect(k.mem.reclaims).toBe(1);
    expect(() => k.mem.registerShrinker('bad', 42 as never)).toThrow(/shrinker: 42.*a function/);
  });

  it('shrinking one cache leaves the empty slabs of the others', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.mem.kfree(t, k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
    k.mem.kfree(t, k.mem.kmalloc(t, 2048, GFP_KERNEL, 0, 0));
    expect(k.mem.shrink(k.mem.kmallocCache(64))).toBe(1);
    expect(k.mem.cacheStats().map((c) => [c.name, c.slabs])).toEqual([
      ['size-64', 0],
      ['size-2048', 1],
    ]);
    expect(k.mem.shrink()).toBe(1);
    // A slab with a live object stays, and its free objects are still handed out.
    const live = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    const freed = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    k.mem.kfree(t, freed);
    expect(k.mem.shrink()).toBe(0);
    expect(k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0)).not.toBe(live);
    expect(k.bugs).toEqual([]);
  });
});

describe('arena reuse', () => {
  it('keeps at most four disposed arenas of one size, so disposing kernels does not pin memory', () => {
    const arenaBytes = 80 << 10;
    const old = Array.from({ length: 6 }, () => testKernel({ arenaBytes }));
    const arenas = new Set(old.map((k) => k.mem.u8));
    for (const k of old) k.dispose();
    const reused = Array.from({ length: 6 }, () => testKernel({ arenaBytes })).filter((k) =>
      arenas.has(k.mem.u8),
    );
    expect(reused).toHaveLength(4);
  });

  it('a disposed kernel gives its arena, zeroed, to the next kernel of that size, once', () => {
    const arenaBytes = 96 << 10;
    const k1 = testKernel({ arenaBytes });
    const { t } = oneThread(k1);
    const addrs = Array.from({ length: 20 }, () => k1.mem.kmalloc(t, 2048, GFP_KERNEL, 0, 0));
    for (const a of addrs) k1.mem.u8.fill(0x5a, a, a + 2048);
    const arena = k1.mem.u8;
    k1.dispose();
    k1.dispose(); // twice: still given out once
    const k2 = testKernel({ arenaBytes });
    const k3 = testKernel({ arenaBytes });
    expect(k2.mem.u8).toBe(arena);
    expect(k3.mem.u8).not.toBe(arena);
    expect(k2.mem.u8.every((x) => x === 0)).toBe(true);
    const t2 = oneThread(k2).t;
    const b = k2.mem.kmalloc(t2, 2048, GFP_KERNEL, 0, 0);
    // A fresh kernel knows nothing of k1's objects: one live object, its own.
    expect(k2.mem.liveObjectsSince().map((o) => o.addr)).toEqual([b]);
    expect(k2.bugs).toEqual([]);
  });
});

describe('allocator details a kernel engineer relies on', () => {
  it('interns tags: one name, one id, one account', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    expect(k.mem.tag('user:1000')).toBe(k.mem.tag('user:1000'));
    const a = k.mem.kmalloc(t, 64, GFP_KERNEL, k.mem.tag('user:1000'), 0);
    k.mem.kmalloc(t, 64, GFP_KERNEL, k.mem.tag('user:1000'), 0);
    expect(k.mem.ownerLiveBytes('user:1000')).toBe(128);
    k.mem.kfree(t, a);
    expect(k.mem.ownerLiveBytes('user:1000')).toBe(64);
  });

  it('accounts every owner exactly, the 64th tag (where the table grows) included', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    for (let i = 0; i < 130; i++) {
      const owner = k.mem.tag(`owner:${i}`);
      k.mem.kmalloc(t, 64, GFP_KERNEL, owner, owner);
    }
    const wrong = Array.from({ length: 130 }, (_, i) => `owner:${i}`).filter(
      (name) => k.mem.ownerLiveBytes(name) !== 64 || k.mem.ownerHighWater(name) !== 64,
    );
    expect(wrong).toEqual([]);
    expect(k.mem.ownerLiveBytes('nobody')).toBe(0); // a name never tagged has no account
    expect(k.mem.ownerHighWater('nobody')).toBe(0);
  });

  it('names the arena argument when it is too small', () => {
    expect(() => testKernel({ arenaBytes: 4096 })).toThrow(
      /^invalid arenaBytes: 4096 \(accepted: at least 16 pages/,
    );
  });

  it('kfree(NULL) and kmem_cache_free(NULL) do nothing', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const before = t.clock.total;
    k.mem.kfree(t, 0);
    k.mem.kfree(null, 0);
    expect(k.bugs).toEqual([]);
    expect(t.clock.total).toBe(before);
  });

  it('a pointer inside an object or not an integer is an invalid free, with the address', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    k.mem.kfree(t, a + 32);
    k.mem.kfree(t, a + 0.5);
    expect(k.bugs.map((b) => [b.message, b.detail])).toEqual([
      [`kfree of 0x${(a + 32).toString(16)}, inside an object of size-64`, { addr: a + 32 }],
      [`kfree of 0x${(a + 0.5).toString(16)}, not a slab object`, { addr: a + 0.5 }],
    ]);
    const c = k.mem.createCache('c', 64);
    k.mem.cacheFree(t, c, a);
    expect(k.bugs[2]!.detail).toEqual({ addr: a });
    expect(k.mem.access(t, a, 64, true, 0)).toBe(true); // still live after three bad frees
  });

  it('says which allocation would sleep in atomic context', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const lock = k.sync.createSpinlock('l');
    const c = k.mem.createCache('pfm_ctx', 512);
    k.sync.spinLock(t, lock);
    k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    k.mem.cacheAlloc(t, c, GFP_KERNEL, 0, 0);
    k.sync.spinUnlock(t, lock);
    const messages = k.bugs.map((b) => b.message).join('\n');
    expect(messages).toContain('kmalloc(GFP_KERNEL)');
    expect(messages).toContain('kmem_cache_alloc(GFP_KERNEL)');
  });

  it('a shrinker runs only when memory is short, never on an allocation that succeeds', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    let runs = 0;
    k.mem.registerShrinker('never-needed', () => {
      runs++;
      return 0;
    });
    k.mem.kfree(t, k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
    k.mem.freePages(t, k.mem.allocPages(t, 0, GFP_KERNEL, 0, 0), 0);
    expect(runs).toBe(0);
    expect(k.mem.reclaims).toBe(0);
  });

  it('a page allocation that fails with no shrinker registered does not count as reclaim', () => {
    const k = testKernel({ arenaBytes: 64 << 10 });
    const { t } = oneThread(k);
    while (k.mem.allocPages(t, 0, GFP_KERNEL, 0, 0) !== 0);
    expect(k.mem.reclaims).toBe(0);
  });

  it('unregistering a shrinker twice removes it once and leaves the others', () => {
    const k = testKernel();
    k.mem.registerShrinker('a', () => 0);
    const unregisterB = k.mem.registerShrinker('b', () => 0);
    k.mem.registerShrinker('c', () => 0);
    unregisterB();
    unregisterB();
    expect(k.mem.shrinkerNames()).toEqual(['a', 'c']);
  });

  it('the cold-path probability charges some allocations fast and some slow, reproducibly', () => {
    const costsOf = () => {
      const k = testKernel({ costOverrides: { allocColdProbability: 0.5 } });
      const { t } = oneThread(k);
      k.mem.kfree(t, k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
      return Array.from({ length: 16 }, () => {
        const before = t.clock.total;
        k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
        return t.clock.total - before === k.costs.kmallocSlow ? 'S' : 'f';
      }).join('');
    };
    const pattern = costsOf();
    expect(pattern).toMatch(/S/);
    expect(pattern).toMatch(/f/);
    expect(costsOf()).toBe(pattern);
    // The seed's streams are fixed: these patterns change only if the simulation does.
    expect(pattern).toMatchInlineSnapshot(`"ffSSfSfSSfffSfff"`);
  });

  it('failslab with a probability fails a reproducible subset, from its own random stream', () => {
    const k = testKernel({ faults: { failslab: { probability: 50 } } });
    const { t } = oneThread(k);
    const pattern = Array.from({ length: 16 }, () =>
      k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0) === 0 ? 'x' : '.',
    );
    expect(pattern.join('')).toMatchInlineSnapshot(`"..x.xxx.xx....x."`);
  });

  it('an object of a multi-page slab is usable whole, listed once, and the page after it is still free', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 8192, GFP_KERNEL, 0, 0); // size-8192: an order-1 slab
    expect(k.mem.access(t, a, 8192, true, 0)).toBe(true);
    expect(k.mem.liveObjectsSince().map((o) => o.addr)).toEqual([a]);
    const after = a + 8192;
    expect(k.mem.pages.used[after >>> 12]).toBe(0);
    expect(k.mem.access(t, after, 4, false, 0)).toBe(false);
    expect(k.bugs.map((b) => b.message)).toEqual([`read at 0x${after.toString(16)} in a free page`]);
  });

  it('the page after a multi-page raw block is still free', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.allocPages(t, 1, GFP_KERNEL, 0, 0);
    const after = a + 8192;
    expect(k.mem.pages.used[after >>> 12]).toBe(0);
    expect(k.mem.access(t, after, 4, false, 0)).toBe(false);
    expect(k.bugs[0]!.message).toBe(`read at 0x${after.toString(16)} in a free page`);
  });

  it('freeing pages or shrinking a slab leaves the next page, a live slab, alone', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const raw = k.mem.allocPages(t, 0, GFP_KERNEL, 0, 0);
    const obj = k.mem.kmalloc(t, 4096, GFP_KERNEL, 0, 0); // size-4096: one page, the next one
    expect(obj).toBe(raw + 4096);
    k.mem.freePages(t, raw, 0);
    expect(k.mem.access(t, obj, 4096, true, 0)).toBe(true);
    expect(k.bugs).toEqual([]);

    const k2 = testKernel();
    const t2 = oneThread(k2).t;
    const emptied = k2.mem.kmalloc(t2, 2048, GFP_KERNEL, 0, 0);
    const kept = k2.mem.kmalloc(t2, 1024, GFP_KERNEL, 0, 0);
    expect(kept >>> 12).toBe((emptied >>> 12) + 1);
    k2.mem.kfree(t2, emptied);
    expect(k2.mem.shrink()).toBe(1);
    expect(k2.mem.access(t2, kept, 1024, true, 0)).toBe(true);
    expect(k2.mem.access(t2, emptied, 4, false, 0)).toBe(false);
    expect(k2.bugs.map((b) => b.message)).toEqual([`read at 0x${emptied.toString(16)} in a free page`]);
  });

  it('no object is lost through per-CPU array flushes: freed and shrunk, the pages all come back', () => {
    const k = testKernel({ arenaBytes: 4 << 20 });
    const { t } = oneThread(k);
    const inUse = k.mem.pages.inUse;
    const addrs = Array.from({ length: 1000 }, () => k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
    for (const a of addrs) k.mem.kfree(t, a);
    k.mem.shrink();
    expect(k.mem.pages.inUse).toBe(inUse);
  });

  it('frees from outside any thread can flush a full per-CPU array, at no charge', () => {
    const k = testKernel({ arenaBytes: 4 << 20 });
    const { t } = oneThread(k);
    const addrs = Array.from({ length: 300 }, () => k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
    const before = t.clock.total;
    for (const a of addrs) k.mem.kfree(null, a);
    expect(t.clock.total).toBe(before);
    expect(k.mem.liveObjects).toBe(0);
    expect(k.bugs).toEqual([]);
  });

  it('names reads and writes, and the site, in use-after-free and out-of-bounds reports', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const site = k.mem.tag('pfm_write_pmcs');
    const a = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    k.mem.access(t, a + 62, 4, false, site);
    k.mem.kfree(t, a);
    k.mem.access(t, a, 4, false, site);
    const page = k.mem.allocPages(t, 0, GFP_KERNEL, 0, 0);
    k.mem.freePages(t, page, 0);
    k.mem.access(t, page, 4, true, site);
    expect(k.bugs.map((b) => [b.message, b.detail.site])).toEqual([
      [`read of 4 B at 0x${(a + 62).toString(16)} past a size-64 object`, 'pfm_write_pmcs'],
      [`read of 4 B at 0x${a.toString(16)} in a freed size-64 object`, 'pfm_write_pmcs'],
      [`write at 0x${page.toString(16)} in a free page`, 'pfm_write_pmcs'],
    ]);
    expect(k.bugs.map((b) => b.detail.addr)).toEqual([a + 62, a, page]);
  });

  it('kernel accesses from outside any thread are checked but never fed to the race detector', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const ts = [k.spawn(p, 'a'), k.spawn(p, 'b')];
    const obj = k.mem.kmalloc(ts[0]!, 64, GFP_KERNEL, 0, 0);
    k.race.activate(ts);
    expect(k.mem.access(null, obj, 8, true, 0)).toBe(true);
    expect(k.mem.access(ts[1]!, obj, 8, true, 0)).toBe(true);
    expect(k.bugs).toEqual([]);
  });
});
