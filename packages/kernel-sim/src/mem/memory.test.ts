import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { oneThread, testKernel } from '../test-util.js';
import { kmallocSizes } from './cache.js';
import { GFP_ATOMIC, GFP_KERNEL, MAX_ARENA_BYTES_32BIT, POISON_FREE } from './memory.js';

describe('kmalloc size classes', () => {
  it('follow 2.6.18 kmalloc_sizes.h', () => {
    expect(kmallocSizes(4096, 128)).toEqual([
      32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072,
    ]);
    expect(kmallocSizes(4096, 32)).toEqual([
      32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072,
    ]);
    expect(kmallocSizes(16384, 128)[0]).toBe(64);
  });

  it('put a 704-byte request in size-1024', () => {
    const k = testKernel();
    expect(k.mem.kmallocCache(704)!.name).toBe('size-1024');
    expect(k.mem.kmallocCache(32)!.name).toBe('size-32');
    expect(k.mem.kmallocCache(33)!.name).toBe('size-64');
    expect(k.mem.kmallocCache(131073)).toBeUndefined();
  });
});

describe('kmalloc / kfree', () => {
  it('charges the fast path after the first refill and the slow path on refill', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const owner = k.mem.tag('test');
    const a = k.mem.kmalloc(t, 704, GFP_KERNEL, owner, owner);
    const afterFirst = t.clock.total;
    expect(afterFirst).toBe(k.costs.kmallocSlow + k.costs.slabGrow);
    k.mem.kfree(t, a);
    expect(t.clock.total - afterFirst).toBe(k.costs.kfreeFast);
    const before = t.clock.total;
    const b = k.mem.kmalloc(t, 704, GFP_KERNEL, owner, owner);
    k.mem.kfree(t, b);
    expect(t.clock.total - before).toBe(320);
  });

  it('returns NULL above 128 KiB and rejects negative sizes with a typed error', () => {
    const k = testKernel({ arenaBytes: 4 << 20 });
    const { t } = oneThread(k);
    expect(k.mem.kmalloc(t, 131073, GFP_KERNEL, 0, 0)).toBe(0);
    expect(() => k.mem.kmalloc(t, -1, GFP_KERNEL, 0, 0)).toThrow(InvalidArgumentError);
    expect(() => k.mem.kmalloc(t, -1, GFP_KERNEL, 0, 0)).toThrow(/kmalloc size: -1/);
  });

  it('poisons freed memory and reports a use after free', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 100, GFP_KERNEL, 0, 0);
    expect(k.mem.access(t, a, 100, true, 0)).toBe(true);
    k.mem.kfree(t, a);
    expect(k.mem.u8[a]).toBe(POISON_FREE);
    expect(k.bugs).toHaveLength(0);
    expect(k.mem.access(t, a + 8, 4, false, k.mem.tag('reader'))).toBe(false);
    expect(k.bugs.map((b) => b.kind)).toEqual(['use-after-free']);
    expect(k.bugs[0]!.detail.site).toBe('reader');
  });

  it('reports double and invalid frees, and out-of-bounds accesses', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    expect(k.mem.access(t, a, 64, false, 0)).toBe(true);
    expect(k.mem.access(t, a + 60, 8, false, 0)).toBe(false);
    k.mem.kfree(t, a + 4);
    k.mem.kfree(t, a);
    k.mem.kfree(t, a);
    expect(k.bugs.map((b) => b.kind)).toEqual(['out-of-bounds', 'invalid-free', 'double-free']);
  });

  it('flags GFP_KERNEL from atomic context but not GFP_ATOMIC', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const lock = k.sync.createSpinlock('test_lock');
    k.sync.spinLock(t, lock);
    const a = k.mem.kmalloc(t, 64, GFP_ATOMIC, 0, 0);
    expect(k.bugs).toHaveLength(0);
    const b = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    expect(k.bugs.map((x) => x.kind)).toEqual(['sleep-in-atomic']);
    expect(k.bugs[0]!.heldLocks).toEqual(['test_lock']);
    k.sync.spinUnlock(t, lock);
    k.mem.kfree(t, a);
    k.mem.kfree(t, b);
  });

  it('keeps accounting per owner tag and a leak report with call sites', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const base = k.mem.snapshot();
    const user = k.mem.tag('user:1000');
    const site = k.mem.tag('pfm_get_args');
    const a = k.mem.kmalloc(t, 4096, GFP_KERNEL, user, site);
    const b = k.mem.kmalloc(t, 100, GFP_KERNEL, user, site);
    expect(k.mem.ownerLiveBytes('user:1000')).toBe(4096 + 128);
    k.mem.kfree(t, a);
    expect(k.mem.ownerLiveBytes(user)).toBe(128);
    expect(k.mem.ownerHighWater(user)).toBe(4096 + 128);
    const leaks = k.mem.liveObjectsSince(base);
    expect(leaks).toEqual([
      expect.objectContaining({ addr: b, size: 100, cache: 'size-128', site: 'pfm_get_args' }),
    ]);
    expect(k.mem.reportLeaks(base)).toBe(1);
    expect(k.bugs[0]!.kind).toBe('leak');
    k.mem.kfree(t, b);
    expect(k.mem.liveObjectsSince(base)).toEqual([]);
  });

  it('gives empty slabs back on shrink', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const addrs = Array.from({ length: 40 }, () => k.mem.kmalloc(t, 2048, GFP_KERNEL, 0, 0));
    const pages = k.mem.pages.inUse;
    for (const a of addrs) k.mem.kfree(t, a);
    expect(k.mem.pages.inUse).toBe(pages);
    const freed = k.mem.shrink();
    expect(freed).toBeGreaterThan(0);
    expect(k.mem.pages.inUse).toBe(pages - freed);
  });

  it('runs registered shrinkers on memory pressure (direct reclaim) and retries the allocation', () => {
    const k = testKernel({ arenaBytes: 64 << 10 }); // 16 pages
    const { t } = oneThread(k);
    const cached = k.mem.tag('cached');
    const held: number[] = [];
    for (;;) {
      const a = k.mem.kmalloc(t, 4096, GFP_KERNEL, cached, cached);
      if (a === 0) break;
      held.push(a);
    }
    expect(held.length).toBeGreaterThan(4);
    const calls: number[] = [];
    const unregister = k.mem.registerShrinker('test-cache', (_t, wanted) => {
      calls.push(wanted);
      const a = held.pop();
      if (a === undefined) return 0;
      k.mem.kfree(_t, a);
      return 4096;
    });
    expect(k.mem.shrinkerNames()).toEqual(['test-cache']);
    const other = k.mem.tag('other');
    expect(k.mem.kmalloc(t, 2048, GFP_ATOMIC, other, other)).toBe(0); // no reclaim for GFP_ATOMIC
    expect(calls).toEqual([]);
    const b = k.mem.kmalloc(t, 2048, GFP_KERNEL, other, other);
    expect(b).not.toBe(0);
    expect(calls).toEqual([2048]);
    expect(k.mem.reclaims).toBe(1);
    expect(k.mem.ownerLiveBytes(cached)).toBe(held.length * 4096);
    expect(k.mem.reclaim(null)).toBe(4096); // explicit reclaim: one call, 4096 B freed
    unregister();
    expect(k.mem.shrinkerNames()).toEqual([]);
    expect(k.bugs).toEqual([]);
  });

  it('kmem_cache objects have their own cache and check the cache on free', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const c = k.mem.createCache('pfm_arg_cache', 700);
    expect(c.objSize).toBe(704);
    const a = k.mem.cacheAlloc(t, c, GFP_KERNEL, 0, 0);
    const other = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    k.mem.cacheFree(t, c, other);
    expect(k.bugs.map((b) => b.kind)).toEqual(['invalid-free']);
    k.mem.cacheFree(t, c, a);
    expect(c.liveObjects).toBe(0);
  });
});

describe('failslab', () => {
  it('fails the nth allocation only', () => {
    const k = testKernel({ faults: { failslab: { nth: 3 } } });
    const { t } = oneThread(k);
    const got = Array.from({ length: 5 }, () => k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0));
    expect(got.map((a) => a === 0)).toEqual([false, false, true, false, false]);
  });

  it('filters by tag and honours times', () => {
    const k = testKernel({ faults: { failslab: { probability: 100, filter: 'args', times: 2 } } });
    const { t } = oneThread(k);
    const args = k.mem.tag('args');
    const other = k.mem.tag('ctx');
    expect(k.mem.kmalloc(t, 64, GFP_KERNEL, other, other)).not.toBe(0);
    expect(k.mem.kmalloc(t, 64, GFP_KERNEL, args, args)).toBe(0);
    expect(k.mem.kmalloc(t, 64, GFP_KERNEL, args, args)).toBe(0);
    expect(k.mem.kmalloc(t, 64, GFP_KERNEL, args, args)).not.toBe(0);
  });

  it('rejects a bad attribute with a typed error', () => {
    expect(() => testKernel({ faults: { failslab: { probability: 140 } } })).toThrow(
      /failslab.probability: 140/,
    );
    expect(() => testKernel({ faults: { failslab: { nth: 0 } } })).toThrow(/failslab.nth: 0/);
  });
});

describe('allocator properties', () => {
  it('never returns overlapping live objects, and accounting returns to baseline', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('alloc'), size: fc.integer({ min: 0, max: 9000 }) }),
            fc.record({ op: fc.constant('free'), pick: fc.nat() }),
          ),
          {
            maxLength: 120,
          },
        ),
        (ops) => {
          const k = testKernel({ arenaBytes: 2 << 20 });
          const { t } = oneThread(k);
          const base = k.mem.snapshot();
          const live: { addr: number; size: number }[] = [];
          for (const op of ops) {
            if (op.op === 'alloc') {
              const addr = k.mem.kmalloc(t, op.size, GFP_KERNEL, 0, 0);
              if (addr === 0) continue;
              const size = k.mem.kmallocCache(op.size)!.objSize;
              for (const o of live) {
                if (addr < o.addr + o.size && o.addr < addr + size) return false;
              }
              live.push({ addr, size });
            } else if (live.length > 0) {
              const [o] = live.splice(op.pick % live.length, 1);
              k.mem.kfree(t, o!.addr);
            }
          }
          for (const o of live) k.mem.kfree(t, o.addr);
          const end = k.mem.snapshot();
          return (
            end.liveObjects === base.liveObjects &&
            end.liveBytes === base.liveBytes &&
            k.mem.liveObjectsSince(base).length === 0 &&
            k.bugs.length === 0
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('an arena past 2 GiB', () => {
  it('allocates, checks and frees objects at addresses above 2^31, touching only their pages', () => {
    const rssBefore = process.memoryUsage().rss;
    const k = testKernel({ arenaBytes: MAX_ARENA_BYTES_32BIT });
    expect(k.mem.numPages).toBe(2 ** 20);
    const { t } = oneThread(k);
    const owner = k.mem.tag('high');
    // 3 GiB of 4 MiB blocks below the objects (reserved, never written)
    let last = 0;
    for (let i = 0; i < 768; i++) last = k.mem.reservePages(10, owner);
    expect(last).toBe(3 * 2 ** 30); // blocks 1-768 (block 0 holds the reserved page 0)
    const a = k.mem.kmalloc(t, 4096, GFP_KERNEL, owner, owner);
    const b = k.mem.kmalloc(t, 100, GFP_KERNEL, owner, owner);
    expect(a).toBeGreaterThan(3 * 2 ** 30);
    expect(b).toBeGreaterThan(3 * 2 ** 30);
    k.mem.writeWord(a + 8, 0xdeadbeef);
    expect(k.mem.readWord(a + 8)).toBe(0xdeadbeef);
    expect(k.mem.access(t, a, 4096, true, owner), k.bugs.map((x) => x.message).join()).toBe(true);
    expect(k.mem.access(t, b + 100, 28, false, owner)).toBe(true);
    expect(k.mem.access(t, b + 120, 16, false, owner)).toBe(false); // past size-128's object
    expect(k.bugs.map((x) => x.kind)).toEqual(['out-of-bounds']);
    expect(k.mem.liveObjectsSince().map((o) => [o.addr, o.cache])).toEqual([
      [a, 'size-4096'],
      [b, 'size-128'],
    ]);
    k.mem.kfree(t, a);
    expect(k.mem.u8[a + 8]).toBe(POISON_FREE);
    expect(k.mem.access(t, a, 4, false, owner)).toBe(false);
    k.mem.kfree(t, a);
    expect(k.bugs.map((x) => x.kind)).toEqual(['out-of-bounds', 'use-after-free', 'double-free']);
    expect(k.mem.kmalloc(t, 4096, GFP_KERNEL, owner, owner)).toBe(a); // the CPU's array gives it back
    const v = k.mem.vmalloc(t, 3 * 4096, owner, owner);
    expect(v).toBeGreaterThan(3 * 2 ** 30);
    k.mem.vfree(t, v);
    expect(k.bugs).toHaveLength(3);
    // 4 GiB of arena, a few pages written: the host maps what was touched (slack for the test runner)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 << 20);
  });
});
