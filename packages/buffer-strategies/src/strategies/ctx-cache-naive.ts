import { GFP_KERNEL, type Kernel } from '@pfmsim/kernel-sim';
import { type ArgBufferStrategy, type ArgCall, E2BIG, ENOMEM } from '../spec.js';
import { freeSlotBuffer, perKernel, useOrReplaceSlotBuffer } from './common.js';

/**
 * `ctx-cache-naive`: the seed's per-context buffer with no ownership at all. The context keeps
 * a buffer pointer (slot word 0) and its size (slot word 1); a caller reads them, uses the
 * buffer if it is big enough, else kmallocs a new one, stores it and kfrees the old one, and
 * never gives anything back. Two threads on one fd then copy into the same buffer at once (a
 * data race, corrupted arguments, one caller's data copied back to the other), and a caller
 * that grows the buffer frees it under the other (use after free). Kept to show why the idea
 * needs an ownership protocol: the race detector reports it under exploration.
 */
export function createCtxCacheNaiveStrategy(): ArgBufferStrategy {
  const sites = perKernel((k: Kernel) => ({
    read: k.mem.tag('ctx->arg_buf read (naive)'),
    store: k.mem.tag('ctx->arg_buf store (naive)'),
  }));
  return {
    specificationVersion: 'v1',
    name: 'ctx-cache-naive',
    description: 'per-context buffer used with no ownership (racy: for demonstration)',
    pinnedFormula: 'contexts x kmalloc_class(largest vector seen), up to contexts x arg_size_max',
    stackFootprint: '0 B',
    frameBytes: () => 0,
    acquire(call: ArgCall): number {
      if (call.bytes > call.limit) return -E2BIG;
      const s = sites(call.k);
      const buf = useOrReplaceSlotBuffer(call, GFP_KERNEL, s.read, s.store);
      return buf === 0 ? -ENOMEM : buf;
    },
    release(): void {
      // The buffer stays in the context for the next caller (the driver resets call.buf/how).
    },
    contextClosed: freeSlotBuffer,
  };
}
