import { GFP_ATOMIC, type Kernel } from '@pfmsim/kernel-sim';
import { ARG_BLOCKED, type ArgBufferStrategy, type ArgCall, E2BIG, ENOMEM } from '../spec.js';
import { freeSlotBuffer, HOW_NONE, perKernel, useOrReplaceSlotBuffer } from './common.js';

/**
 * `ctx-cache-spinsplit`: the seed's literal proposal. `spin_lock_irqsave(ctx->lock)` is split
 * into `spin_lock(ctx->lock)`, taken before the copy in and held until after the copy back,
 * and `local_irq_save/restore` around the body only. The per-context buffer (slot word 0, its
 * size in word 1) is then protected, but the user copies run under a spinlock: a copy may
 * fault and sleep, which DEBUG_ATOMIC_SLEEP reports on every call (might_fault) and the fault
 * path reports again when a page is not present. The allocation under the lock uses GFP_ATOMIC
 * so that the copy is the only sleeping operation flagged. A second flaw, not exercised by the
 * lab: ctx->lock is now held with irqs enabled, so a PMU interrupt taking it on the same CPU
 * deadlocks (lockdep's {IN-HARDIRQ} -> {HARDIRQ-ON} report).
 */
export function createCtxCacheSpinsplitStrategy(): ArgBufferStrategy {
  const sites = perKernel((k: Kernel) => k.mem.tag('ctx->arg_buf (under ctx->lock)'));
  const locked = (call: ArgCall): number => {
    const { k, t, slot } = call;
    const site = sites(k);
    const _wordSize = k.arch.wordSize;
    call.holdsContextLock = true;
    const buf = useOrReplaceSlotBuffer(call, GFP_ATOMIC, site, site);
    if (buf === 0) {
      call.holdsContextLock = false;
      k.sync.spinUnlock(t, slot.lock);
      return -ENOMEM;
    }
    return buf;
  };
  return {
    specificationVersion: 'v1',
    name: 'ctx-cache-spinsplit',
    description: "the seed's split: spin_lock(ctx->lock) held across the copies (invalid: copies may sleep)",
    pinnedFormula: 'contexts x kmalloc_class(largest vector seen), up to contexts x arg_size_max',
    stackFootprint: '0 B',
    frameBytes: () => 0,
    acquire(call: ArgCall): number {
      if (call.bytes > call.limit) return -E2BIG;
      if (call.k.sync.spinLock(call.t, call.slot.lock)) return ARG_BLOCKED;
      return locked(call);
    },
    resume: locked,
    release(call: ArgCall): void {
      if (call.holdsContextLock) {
        call.holdsContextLock = false;
        call.k.sync.spinUnlock(call.t, call.slot.lock);
      }
      call.buf = 0;
      call.how = HOW_NONE;
    },
    contextClosed: freeSlotBuffer,
  };
}
