import type { ArchProfile, Kernel, Spinlock, Thread } from '@pfmsim/kernel-sim';

/** What a vector argument is made of: perfmon2's four vector element kinds. */
export const ELEM_KINDS = ['pmc', 'pmd', 'setdesc', 'setinfo'] as const;
export type ElemKind = (typeof ELEM_KINDS)[number];

/**
 * The format argument of a sampling pfm_create_context (pfm_get_smpl_arg): one element of the
 * format's `fmt_arg_size` bytes, copied in and never back. No context exists yet, so the call
 * gets a slot that lives for the system call only (see ArgBufferStrategy).
 */
export const SMPL_ARG_KIND = 'smpl_arg' as const;
/** What an argument call copies: a vector of one element kind, or the format argument. */
export type ArgKind = ElemKind | typeof SMPL_ARG_KIND;

/** Words of kernel memory each context reserves for its strategy (pointers, sizes, counters). */
export const SLOT_WORDS = 4;

/**
 * The per-context state a strategy may keep: `addr` points at SLOT_WORDS words inside the
 * context's own kernel allocation (so the race detector and use-after-free checks see every
 * access); `lock` is the context's spinlock (ctx->lock); `data` is the strategy's own
 * JS-side state (a mutex object, say). The context is opaque otherwise.
 */
export interface ContextSlot {
  readonly id: number;
  readonly addr: number;
  readonly lock: Spinlock;
  /** The user that created the context, for per-user budgets. */
  readonly uid: number;
  /** Owner tag for kernel-memory accounting of this context's buffers. */
  readonly owner: number;
  data: unknown;
}

/** Returned by acquire() when the thread must wait (yield Y_BLOCK) and then call resume(). */
export const ARG_BLOCKED = -0x7fff_0000;

/**
 * One vector system call's argument buffer request. The driver (vectorCall) owns one per
 * thread and refills it per call, so no object is allocated on the hot path.
 */
export class ArgCall {
  k!: Kernel;
  t!: Thread;
  slot!: ContextSlot;
  kind: ArgKind = 'pmd';
  elemSize = 0;
  count = 0;
  /** count * elemSize */
  bytes = 0;
  /** arg_size_max (v2.2) / arg_mem_max (v2.3): the per-call limit in bytes. */
  limit = 0;
  /** The on-stack array of this call (0 bytes if the strategy uses none). */
  stackArea = 0;
  stackBytes = 0;
  /** Set by acquire(): the kernel buffer the vector is copied into. */
  buf = 0;
  /** Set by acquire() when the strategy already holds `slot.lock` (the seed's lock split). */
  holdsContextLock = false;
  /** Strategy-private per-call state (which path acquire took). */
  how = 0;
  /** Call-site tag for accounting and race reports. */
  site = 0;
}

/**
 * An argument-buffer strategy, specification v1. Every operation goes through kernel-sim
 * primitives (allocations, atomics, locks, stack frames), so its cycles, stack bytes, pinned
 * memory, locks and races are measured by the simulator, never assumed.
 *
 * The format argument of pfm_create_context (kind SMPL_ARG_KIND) goes through the same
 * strategy, before any context exists: the call gets a slot of its own (in the syscall's
 * frame, uid and owner of the caller) with contextCreated before acquire and contextClosed
 * after release, so a strategy that keeps buffers per context pays its uncached path there.
 */
export interface ArgBufferStrategy {
  readonly specificationVersion: 'v1';
  /** Short id: `kmalloc`, `stack`, `ctx-cache`... */
  readonly name: string;
  readonly description: string;
  /** Worst-case memory the strategy keeps pinned between calls, as a formula. */
  readonly pinnedFormula: string;
  /** What it puts on the kernel stack, as a formula. */
  readonly stackFootprint: string;
  /** Bytes of on-stack arrays in the syscall frame for this kind: occupied on every call. */
  frameBytes(kind: ArgKind, elemSize: number, arch: ArchProfile): number;
  /** Once per kernel, before any call (create caches, global counters). */
  init?(k: Kernel): void;
  contextCreated?(k: Kernel, t: Thread, slot: ContextSlot): void;
  /**
   * Provides call.buf for call.bytes: returns the buffer address (> 0), a negative errno
   * (-E2BIG, -ENOMEM), or ARG_BLOCKED (then the driver yields Y_BLOCK and calls resume()).
   */
  acquire(call: ArgCall): number;
  resume?(call: ArgCall): number;
  /** After the copy back (or a failed copy in): give the buffer back, drop anything held. */
  release(call: ArgCall): void;
  /** The context is being freed: release anything kept for it. */
  contextClosed?(k: Kernel, t: Thread | null, slot: ContextSlot): void;
  threadExited?(k: Kernel, t: Thread): void;
  /** Memory pressure: give cached buffers back; returns bytes freed. */
  shrink?(k: Kernel, t: Thread | null): number;
}

export const E2BIG = 7;
export const ENOMEM = 12;
export const EFAULT = 14;
