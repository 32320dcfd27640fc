import { GFP_KERNEL, type Kernel, type Thread } from '@pfmsim/kernel-sim';
import { type ArgBufferStrategy, type ArgCall, type ContextSlot, E2BIG, ENOMEM } from '../spec.js';
import { HOW_CACHED, HOW_NONE, loadWord, perKernel, storeWord } from './common.js';

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
    init(k) {
      sites(k);
    },
    acquire(call: ArgCall): number {
      const { k, t, slot } = call;
      if (call.bytes > call.limit) return -E2BIG;
      const s = sites(k);
      const wordSize = k.arch.wordSize;
      const buf = loadWord(k, t, slot.addr, s.read);
      const size = loadWord(k, t, slot.addr + wordSize, s.read);
      if (buf !== 0 && size >= call.bytes) {
        call.buf = buf;
        call.how = HOW_CACHED;
        return buf;
      }
      const fresh = k.mem.kmalloc(t, call.bytes, GFP_KERNEL, slot.owner, call.site);
      if (fresh === 0) return -ENOMEM;
      storeWord(k, t, slot.addr, fresh, s.store);
      storeWord(k, t, slot.addr + wordSize, call.bytes, s.store);
      k.mem.kfree(t, buf);
      call.buf = fresh;
      call.how = HOW_CACHED;
      return fresh;
    },
    release(call: ArgCall): void {
      // The buffer stays in the context for the next caller.
      call.buf = 0;
      call.how = HOW_NONE;
    },
    contextClosed(k: Kernel, t: Thread | null, slot: ContextSlot): void {
      const buf = k.mem.readWord(slot.addr);
      k.mem.writeWord(slot.addr, 0);
      k.mem.writeWord(slot.addr + k.arch.wordSize, 0);
      k.mem.kfree(t, buf);
    },
  };
}
