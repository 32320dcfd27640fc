import { describe, expect, it } from 'vitest';
import { oneThread, testKernel } from '../test-util.js';
import { KmemCache, kmallocSizes } from './cache.js';
import { GFP_KERNEL } from './memory.js';

describe('KmemCache (2.6.18 mm/slab.c)', () => {
  it('sizes the per-CPU array as enable_cpucache does: limit by object size, batch (limit + 1) / 2', () => {
    const k = testKernel();
    const limits = [32, 256, 288, 1024, 1056, 4096, 4128, 131072].map((size) => {
      const c = k.mem.createCache(`c${size}`, size);
      return [size, c.limit, c.batch];
    });
    expect(limits).toEqual([
      [32, 120, 60],
      [256, 120, 60],
      [288, 54, 27],
      [1024, 54, 27],
      [1056, 24, 12],
      [4096, 24, 12],
      [4128, 8, 4],
      [131072, 8, 4],
    ]);
    // Objects above 128 KiB (never made by kmalloc) get a limit of one.
    expect(new KmemCache(0, 'huge', 131104, 6, 4096, 1, false).limit).toBe(1);
  });

  it('puts as many objects in a slab as fit, at least one', () => {
    const k = testKernel();
    expect(k.mem.createCache('a', 700).objsPerSlab).toBe(5); // 704 B in 4 KiB
    expect(k.mem.createCache('b', 6000).objsPerSlab).toBe(1); // order 1
    expect(k.mem.createCache('c', 32).objsPerSlab).toBe(128);
  });

  it('counts its live bytes as live objects times the object size', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const c = k.mem.createCache('pfm_ctx', 700);
    const a = k.mem.cacheAlloc(t, c, GFP_KERNEL, 0, 0);
    k.mem.cacheAlloc(t, c, GFP_KERNEL, 0, 0);
    expect(c.liveBytes).toBe(2 * 704);
    k.mem.cacheFree(t, c, a);
    expect(c.liveBytes).toBe(704);
  });

  it('keeps a pool of any size: every object of 200 slabs comes back', () => {
    const k = testKernel({ arenaBytes: 4 << 20 });
    const { t } = oneThread(k);
    const addrs = Array.from({ length: 200 * 128 }, () => k.mem.kmalloc(t, 32, GFP_KERNEL, 0, 0));
    expect(addrs.includes(0)).toBe(false);
    for (const a of addrs) k.mem.kfree(t, a);
    const again = Array.from({ length: 200 * 128 }, () => k.mem.kmalloc(t, 32, GFP_KERNEL, 0, 0));
    expect(new Set(again)).toEqual(new Set(addrs));
  });
});

describe('kmalloc size classes by cache line', () => {
  it('a 64-byte line (x86_64) gets 192 but not 96; without 4 KiB pages there is no size-32', () => {
    expect(kmallocSizes(4096, 64).slice(0, 5)).toEqual([32, 64, 128, 192, 256]);
    expect(kmallocSizes(8192, 64)[0]).toBe(64);
  });
});
