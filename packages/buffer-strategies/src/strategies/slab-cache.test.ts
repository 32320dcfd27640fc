import { type FaultConfig, InvalidArgumentError, POISON_FREE } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { StrategyLab } from '../lab.js';
import { E2BIG, ENOMEM } from '../spec.js';
import { createSlabCacheStrategy, type SlabCacheOptions } from './slab-cache.js';
import { strategyWorld } from './test-util.js';

function world(opts: SlabCacheOptions = {}, extra: { faults?: FaultConfig; arch?: string } = {}) {
  const w = strategyWorld(createSlabCacheStrategy(opts), { ...extra, thread: 'reader' });
  const stats = (name: string) => w.lab.k.mem.cacheStats().find((c) => c.name === name);
  /** Allocations served by each pfm_arg_ cache and by the kmalloc classes, so far. */
  const allocs = () => {
    const out: Record<string, number> = {};
    for (const c of w.lab.k.mem.cacheStats()) {
      const key = c.name.startsWith('pfm_arg_') ? c.name : c.name.startsWith('size-') ? 'kmalloc' : null;
      if (key !== null) out[key] = (out[key] ?? 0) + c.fast + c.slow;
    }
    return out;
  };
  return { ...w, stats, allocs };
}

describe('slab-cache: options', () => {
  it('takes 1 to 15 sizes', () => {
    expect(() => createSlabCacheStrategy({ sizes: [] })).toThrow(InvalidArgumentError);
    const sixteen = Array.from({ length: 16 }, (_, i) => 64 * (i + 1));
    expect(() => createSlabCacheStrategy({ sizes: sixteen })).toThrow(
      /slab-cache sizes.*an array of 1 to 15 sizes/,
    );
    expect(() => createSlabCacheStrategy({ sizes: sixteen.slice(1) })).not.toThrow();
    expect(() => createSlabCacheStrategy({ sizes: [704] })).not.toThrow();
    expect(() => createSlabCacheStrategy({ sizes: 704 as unknown as number[] })).toThrow(
      InvalidArgumentError,
    );
  });

  it('each size an integer from 1 to 131072 bytes, or 0 for PAGE_SIZE', () => {
    for (const bad of [-1, 131073, 1.5, Number.NaN]) {
      expect(() => createSlabCacheStrategy({ sizes: [704, bad] }), `size ${bad}`).toThrow(
        /slab-cache size\b.*an integer from 1 to 131072, or 0 for PAGE_SIZE/,
      );
    }
    expect(() => createSlabCacheStrategy({ sizes: [0, 1, 131072] })).not.toThrow();
  });
});

describe('slab-cache: the caches', () => {
  it('creates its kmem_caches when the module loads, before any call, sorted and without duplicates', () => {
    const w = world({ sizes: [1408, 704, 0, 4096, 704] });
    const names = w.lab.k.mem
      .cacheStats()
      .filter((c) => c.name.startsWith('pfm_arg_'))
      .map((c) => [c.name, c.objSize]);
    expect(names).toEqual([
      ['pfm_arg_704', 704],
      ['pfm_arg_1408', 1408],
      ['pfm_arg_4096', 4096],
    ]);
  });

  it('size 0 is the page size of the arch (16 KiB on ia64)', () => {
    const w = world({ sizes: [0] }, { arch: 'ia64' });
    expect(w.stats('pfm_arg_16384')?.objSize).toBe(16384);
  });

  it('a vector takes the smallest cache it fits, an exact fit included', () => {
    const w = world({ sizes: [4096, 1408, 704, 192] }); // given out of order
    expect(w.call(4)).toBe(0); // 704 B: exactly pfm_arg_704
    expect(w.call(5)).toBe(0); // 880 B: pfm_arg_1408
    expect(w.call(4, { kind: 'pmc' })).toBe(0); // 192 B: exactly pfm_arg_192
    expect(w.call(8)).toBe(0); // 1408 B: exactly pfm_arg_1408
    expect(w.call(9)).toBe(0); // 1584 B: pfm_arg_4096
    expect(w.allocs()).toEqual({
      pfm_arg_192: 1,
      pfm_arg_704: 1,
      pfm_arg_1408: 2,
      pfm_arg_4096: 1,
      kmalloc: w.allocs().kmalloc,
    });
    for (const name of ['pfm_arg_192', 'pfm_arg_704', 'pfm_arg_1408', 'pfm_arg_4096'])
      expect(w.stats(name)!.live, name).toBe(0);
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('each caller allocates its own object: the buffer is charged to the user during the call only', () => {
    const w = world();
    expect(w.call(4)).toBe(0);
    expect(w.lab.k.mem.ownerHighWater('args:uid:1000')).toBe(704); // the object, not a 1024-B class
    expect(w.lab.pinnedBytes()).toBe(0);
  });

  it('above its largest cache, a vector takes kmalloc for the call and kfrees it after', () => {
    const w = world({ sizes: [192] });
    const before = w.allocs().kmalloc!;
    expect(w.call(4)).toBe(0); // 704 B: size-1024
    expect(w.allocs()).toEqual({ pfm_arg_192: 0, kmalloc: before + 1 });
    expect(w.stats('size-1024')!.live).toBe(0);
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('E2BIG above arg_size_max, before touching any cache; exactly arg_size_max is served', () => {
    const w = world({ sizes: [192, 16384] });
    const before = w.allocs();
    expect(w.call(24)).toBe(-E2BIG); // 4224 B > 4096
    expect(w.allocs()).toEqual(before);
    expect(w.call(1)).toBe(0);
    const page = w.call(64, { kind: 'setdesc' }); // 64 x 64 = 4096 B
    expect(page).toBe(0);
  });

  it('ENOMEM when the cache cannot allocate, and when the kmalloc above it cannot', () => {
    const failing = { failslab: { nth: 1, filter: 'pfm_get_args' } };
    const slab = world({ sizes: [704] }, { faults: failing });
    expect(slab.call(4)).toBe(-ENOMEM);
    expect(slab.call(4)).toBe(0);
    const km = world({ sizes: [192] }, { faults: failing });
    expect(km.call(4)).toBe(-ENOMEM);
    expect(km.call(4)).toBe(0);
    for (const w of [slab, km]) {
      expect(w.lab.pinnedBytes()).toBe(0);
      expect(w.lab.k.bugs).toEqual([]);
    }
  });

  it('a freed argument buffer keeps none of the caller’s registers: the whole object is poisoned', () => {
    const w = world({ sizes: [704] });
    const view = w.lab.process.mm.dataView(w.u, 704, true);
    for (let i = 0; i < 704; i++) view.setUint8(i, 0x11);
    expect(w.call(4)).toBe(0);
    // The next kmem_cache_alloc on this CPU gets the same object back (LIFO per-CPU array).
    const cache = w.lab.k.mem.caches.find((c) => c.name === 'pfm_arg_704')!;
    const owner = w.lab.k.mem.tag('probe');
    const obj = w.lab.k.mem.cacheAlloc(w.t, cache, 0, owner, owner);
    const bytes = [...w.lab.k.mem.u8.subarray(obj, obj + 704)];
    expect(bytes.every((b) => b === POISON_FREE)).toBe(true);
    w.lab.k.mem.cacheFree(w.t, cache, obj);
  });

  it('one strategy serves several kernels, each with its own caches', () => {
    const strategy = createSlabCacheStrategy({ sizes: [704] });
    const labs = [1, 2].map(
      (seed) => new StrategyLab({ arch: 'i386', cost: 'p4-2006', seed, strategy, arenaBytes: 1 << 20 }),
    );
    for (const lab of [labs[0]!, labs[1]!, labs[0]!]) {
      const t = lab.k.threads[0] ?? lab.thread('t');
      const ctx = lab.openContext(t);
      const u = lab.process.mm.mmap(704);
      expect(lab.k.runSync(t, lab.call(t, ctx, 'pmd', 4, u))).toBe(0);
      expect(lab.k.bugs).toEqual([]);
    }
    expect(labs.map((l) => l.k.mem.cacheStats().find((c) => c.name === 'pfm_arg_704')!.slow)).toEqual([1, 1]);
  });
});
