import type { Kernel, Thread } from '@pfmsim/kernel-sim';
import { type ArgBufferStrategy, type ArgCall, E2BIG, ENOMEM } from '../spec.js';
import {
  bufferOf,
  classBytes,
  classOf,
  HOW_CACHED,
  howClass,
  kmallocCacheable,
  packBuffer,
} from './common.js';

/** Key of the per-thread buffer word in Thread.slots (a task_struct field in the kernel). */
export const TASK_CACHE_KEY = 'pfm_arg_buf';

/**
 * `task-cache`: the buffer is cached per thread (a task_struct field) instead of per context.
 * A thread makes one system call at a time and vector calls never run in interrupt context,
 * so the buffer is private to its thread: no atomic, no lock, and no sharing between threads
 * on one fd. The word holds the buffer with its kmalloc size class in the low bits; a vector
 * that does not fit replaces it. It is freed when the thread exits. What it pins grows with
 * threads rather than with fds: one kmalloc class of the largest vector each thread has passed,
 * kept until the thread exits even if it never calls perfmon again, and it is charged to the
 * owner of the context that first made it allocate.
 */
export function createTaskCacheStrategy(): ArgBufferStrategy {
  const free = (k: Kernel, t: Thread): void => {
    const word = t.slots.get(TASK_CACHE_KEY) as number | undefined;
    if (word === undefined) return;
    t.slots.delete(TASK_CACHE_KEY);
    k.mem.kfree(t, bufferOf(word));
  };
  return {
    specificationVersion: 'v1',
    name: 'task-cache',
    description: 'per-thread cached buffer (thread-private: no atomics), freed at thread exit',
    pinnedFormula:
      'threads that made a vector call x kmalloc_class(largest vector each passed), up to threads x arg_size_max',
    stackFootprint: '0 B',
    frameBytes: () => 0,
    acquire(call: ArgCall): number {
      const { k, t } = call;
      if (call.bytes > call.limit) return -E2BIG;
      // No buffer yet reads as class 0, of 0 bytes: never big enough.
      const cls = classOf((t.slots.get(TASK_CACHE_KEY) as number | undefined) ?? 0);
      if (classBytes(k, cls) >= call.bytes) {
        call.buf = bufferOf(t.slots.get(TASK_CACHE_KEY) as number);
        call.how = HOW_CACHED | (cls << 4);
        return call.buf;
      }
      free(k, t);
      const buf = kmallocCacheable(call);
      if (buf === 0) return -ENOMEM;
      t.slots.set(TASK_CACHE_KEY, packBuffer(buf, howClass(call.how)));
      return buf;
    },
    release(): void {
      // The buffer stays with the thread (the driver resets call.buf/how before each acquire).
    },
    threadExited: free,
  };
}
