import { GFP_KERNEL, InvalidArgumentError, type Kernel, type KmemCache } from '@pfmsim/kernel-sim';
import { type ArgBufferStrategy, type ArgCall, E2BIG, ENOMEM } from '../spec.js';
import { HOW_KMALLOC, HOW_NONE, HOW_SLAB, howKind, perKernel } from './common.js';

export interface SlabCacheOptions {
  /**
   * Object sizes of the dedicated caches, ascending. Default [192, 704, 1408, PAGE_SIZE]:
   * 4 pfarg_pmc (48 B), 4 pfarg_pmd (176 B, the x86 STK_ARG), the seed's 8 pfarg_pmd, and
   * arg_size_max's default. Sizes round up to the 32-byte slab granule; 0 means PAGE_SIZE.
   */
  sizes?: readonly number[];
}

export const DEFAULT_SLAB_SIZES: readonly number[] = [192, 704, 1408, 0];

/**
 * `slab-cache`: dedicated kmem_caches (`pfm_arg_<size>`) sized for perfmon2 vectors instead
 * of the general kmalloc classes: kmem_cache_alloc per call, kmem_cache_free after, so nothing
 * is kept per context. It saves the kmalloc size lookup (the kmem_cache_alloc+free pair of the
 * cost profile instead of kmalloc+kfree) and the internal waste of a power-of-two class (a
 * 704-B vector takes 704 B, 5 per page, instead of a 1024-B object, 4 per page). Vectors above
 * the largest size (only when arg_size_max exceeds it) take the kmalloc path.
 */
export function createSlabCacheStrategy(options: SlabCacheOptions = {}): ArgBufferStrategy {
  const sizes = options.sizes ?? DEFAULT_SLAB_SIZES;
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > 15) {
    throw new InvalidArgumentError('slab-cache sizes', sizes, 'an array of 1 to 15 sizes in bytes');
  }
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 0 || s > 131072) {
      throw new InvalidArgumentError('slab-cache size', s, 'an integer from 1 to 131072, or 0 for PAGE_SIZE');
    }
  }
  const caches = perKernel((k: Kernel): KmemCache[] => {
    const resolved = [...new Set(sizes.map((s) => (s === 0 ? k.arch.pageSize : s)))].sort((a, b) => a - b);
    return resolved.map((s) => k.mem.createCache(`pfm_arg_${s}`, s));
  });
  return {
    specificationVersion: 'v1',
    name: 'slab-cache',
    description: 'dedicated kmem_caches sized for vectors: kmem_cache_alloc per call, free after',
    pinnedFormula:
      '0 charged to any user between calls; the caches keep free objects in their per-CPU arrays and empty slabs until kmem_cache_shrink, as kmalloc does',
    stackFootprint: '0 B',
    frameBytes: () => 0,
    init(k) {
      caches(k);
    },
    acquire(call: ArgCall): number {
      const { k, t } = call;
      if (call.bytes > call.limit) return -E2BIG;
      const list = caches(k);
      for (let i = 0; i < list.length; i++) {
        const cache = list[i]!;
        if (cache.objSize < call.bytes) continue;
        const buf = k.mem.cacheAlloc(t, cache, GFP_KERNEL, call.slot.owner, call.site);
        if (buf === 0) return -ENOMEM;
        call.buf = buf;
        call.how = HOW_SLAB | (i << 4);
        return buf;
      }
      const buf = k.mem.kmalloc(t, call.bytes, GFP_KERNEL, call.slot.owner, call.site);
      if (buf === 0) return -ENOMEM;
      call.buf = buf;
      call.how = HOW_KMALLOC;
      return buf;
    },
    release(call: ArgCall): void {
      const { k, t } = call;
      if (howKind(call.how) === HOW_SLAB) k.mem.cacheFree(t, caches(k)[call.how >>> 4]!, call.buf);
      else k.mem.kfree(t, call.buf); // HOW_KMALLOC: above the largest cache
      call.buf = 0;
      call.how = HOW_NONE;
    },
  };
}
