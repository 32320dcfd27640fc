import { GFP_KERNEL, type Kernel, type Mutex, type Thread } from '@pfmsim/kernel-sim';
import {
  ARG_BLOCKED,
  type ArgBufferStrategy,
  type ArgCall,
  type ContextSlot,
  E2BIG,
  ENOMEM,
} from '../spec.js';
import { freeSlotBuffer, HOW_NONE, perKernel, useOrReplaceSlotBuffer } from './common.js';

/**
 * `ctx-cache-mutex`: a per-context sleeping mutex (kept in `slot.data`) serialises the whole
 * vector call: taken before the buffer is looked at, held across the copy in, the spinlocked
 * body and the copy back, released last (perf's ctx->mutex, pipe->mutex). Under it the buffer
 * pointer (slot word 0) and its size (word 1) are plain fields. Copies may sleep under a mutex,
 * so the design is valid; the price is the mutex pair on every call and callers on one fd
 * queueing behind each other's copies and faults.
 */
export function createCtxCacheMutexStrategy(): ArgBufferStrategy {
  const sites = perKernel((k: Kernel) => k.mem.tag('ctx->arg_buf (under ctx->arg_mutex)'));
  const locked = (call: ArgCall): number => {
    const { k, t, slot } = call;
    const site = sites(k);
    const buf = useOrReplaceSlotBuffer(call, GFP_KERNEL, site, site);
    if (buf === 0) {
      k.sync.mutexUnlock(t, slot.data as Mutex);
      return -ENOMEM;
    }
    return buf;
  };
  return {
    specificationVersion: 'v1',
    name: 'ctx-cache-mutex',
    description: 'per-context buffer under a per-context sleeping mutex held for the whole call',
    pinnedFormula: 'contexts x kmalloc_class(largest vector seen), up to contexts x arg_size_max',
    stackFootprint: '0 B',
    frameBytes: () => 0,
    contextCreated(k: Kernel, _t: Thread, slot: ContextSlot): void {
      slot.data = k.sync.createMutex(
        `ctx${slot.id}->arg_mutex`,
        // Stryker disable next-line StringLiteral: the lockdep class only names the mutex in reports; a correct run has none
        'ctx->arg_mutex',
      );
    },
    acquire(call: ArgCall): number {
      if (call.bytes > call.limit) return -E2BIG;
      if (call.k.sync.mutexLock(call.t, call.slot.data as Mutex)) return ARG_BLOCKED;
      return locked(call);
    },
    resume: locked,
    release(call: ArgCall): void {
      call.k.sync.mutexUnlock(call.t, call.slot.data as Mutex);
      call.buf = 0;
      call.how = HOW_NONE;
    },
    contextClosed(k: Kernel, t: Thread | null, slot: ContextSlot): void {
      freeSlotBuffer(k, t, slot);
      slot.data = null;
    },
  };
}
