import type { Kernel, Thread } from '@pfmsim/kernel-sim';
import { type ArgBufferStrategy, type ArgCall, type ContextSlot, E2BIG, ENOMEM } from '../spec.js';
import {
  bufferOf,
  classBytes,
  classOf,
  HOW_CACHED,
  HOW_NONE,
  howClass,
  kmallocCacheable,
  packBuffer,
  perKernel,
} from './common.js';

/**
 * `ctx-cache`: a correct single-slot cache per context (the lock-free form of fs/pipe.c's
 * tmp_page and the 2019 TCP skb caches). Slot word 0 holds the cached buffer with its kmalloc
 * size class in the low bits (see common.ts). A caller claims it with `xchg(&slot, NULL)`; a
 * missing or too small buffer is replaced by a kmalloc of the vector's size (the old one is
 * kfreed); after the copy back the caller returns it with `cmpxchg(&slot, NULL, buf)` and
 * kfrees it if another buffer got there first. A concurrent caller that finds the slot empty
 * simply kmallocs (two atomics on a hit, nothing shared while the buffer is in use). The
 * context's buffer is freed on close. Nothing bounds how many contexts keep one.
 */
export function createCtxCacheStrategy(): ArgBufferStrategy {
  const sites = perKernel((k: Kernel) => k.mem.tag('ctx->arg_cache (xchg/cmpxchg)'));
  return {
    specificationVersion: 'v1',
    name: 'ctx-cache',
    description: 'single-slot per-context cache: xchg to claim, cmpxchg to return, kmalloc on a miss',
    pinnedFormula:
      'contexts x kmalloc_class(largest vector seen on each), up to contexts x arg_size_max (1024 fds x 4 KiB = 4 MiB per process)',
    stackFootprint: '0 B',
    frameBytes: () => 0,
    acquire(call: ArgCall): number {
      const { k, t } = call;
      if (call.bytes > call.limit) return -E2BIG;
      const word = k.sync.xchg(t, call.slot.addr, 0, sites(k));
      // An empty slot (0) has class 0, of 0 bytes: never big enough, and kfree(NULL) is a no-op.
      const cls = classOf(word);
      if (classBytes(k, cls) >= call.bytes) {
        call.buf = bufferOf(word);
        call.how = HOW_CACHED | (cls << 4);
        return call.buf;
      }
      k.mem.kfree(t, bufferOf(word));
      const buf = kmallocCacheable(call);
      return buf === 0 ? -ENOMEM : buf;
    },
    release(call: ArgCall): void {
      // Every buffer acquire() hands out is cacheable (HOW_CACHED with its class).
      const { k, t } = call;
      const word = packBuffer(call.buf, howClass(call.how));
      if (k.sync.cmpxchg(t, call.slot.addr, 0, word, sites(k)) !== 0) k.mem.kfree(t, call.buf);
      call.buf = 0;
      call.how = HOW_NONE;
    },
    contextClosed(k: Kernel, t: Thread | null, slot: ContextSlot): void {
      const word = k.mem.readWord(slot.addr);
      k.mem.writeWord(slot.addr, 0);
      k.mem.kfree(t, bufferOf(word));
    },
  };
}
