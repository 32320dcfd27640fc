/**
 * Deliberately broken argument-buffer strategies, built from the ArgBufferStrategy interface
 * around the kmalloc strategy, to show that the conformance suite catches them.
 */
import { type ArgBufferStrategy, type ArgCall, createKmallocStrategy } from '@pfmsim/buffer-strategies';
import type { Thread } from '@pfmsim/kernel-sim';

type CopyToUser = (t: Thread, uaddr: number, kaddr: number, len: number, site?: number) => number;

function patchCopyToUser(call: ArgCall, fn: (original: CopyToUser) => CopyToUser): void {
  const ua = call.k.uaccess;
  const original = Object.getPrototypeOf(ua).copyToUser as CopyToUser;
  (ua as unknown as { copyToUser: CopyToUser }).copyToUser = fn(original.bind(ua));
}

function unpatch(call: ArgCall): void {
  delete (call.k.uaccess as unknown as { copyToUser?: CopyToUser }).copyToUser;
}

/** Takes the buffer like kmalloc, but the copy back never happens (it claims success). */
export function createSkipCopyBackStrategy(): ArgBufferStrategy {
  const inner = createKmallocStrategy();
  return {
    ...inner,
    name: 'skip-copy-back',
    description: 'kmalloc, but the vector is never copied back (broken on purpose)',
    acquire(call) {
      const buf = inner.acquire(call);
      if (buf > 0) patchCopyToUser(call, () => () => 0);
      return buf;
    },
    release(call) {
      unpatch(call);
      inner.release(call);
    },
  };
}

/** Frees the buffer just before the copy back (a use after free the kernel checks catch). */
export function createFreeBeforeCopyBackStrategy(): ArgBufferStrategy {
  const inner = createKmallocStrategy();
  return {
    ...inner,
    name: 'free-before-copy-back',
    description: 'kmalloc, kfree before the copy back (broken on purpose)',
    acquire(call) {
      const buf = inner.acquire(call);
      if (buf > 0) {
        patchCopyToUser(call, (original) => (t, uaddr, kaddr, len, site) => {
          call.k.mem.kfree(t, call.buf);
          call.buf = 0;
          return original(t, uaddr, kaddr, len, site);
        });
      }
      return buf;
    },
    release(call) {
      unpatch(call);
      if (call.buf !== 0) inner.release(call);
    },
  };
}
