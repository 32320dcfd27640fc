import { GFP_KERNEL, type Kernel, type Spinlock, type Thread } from '@pfmsim/kernel-sim';
import { type ArgCall, type ContextSlot, E2BIG, ENOMEM } from '../spec.js';

/** call.how values shared by the strategies (the low 4 bits; strategies may add more above). */
export const HOW_NONE = 0;
export const HOW_KMALLOC = 1;
export const HOW_STACK = 2;
export const HOW_CACHED = 3;
export const HOW_SLAB = 4;
const HOW_MASK = 0xf;

/** The 2006 path: limit check (E2BIG), then kmalloc(GFP_KERNEL) (ENOMEM). */
export function kmallocBuffer(call: ArgCall): number {
  if (call.bytes > call.limit) return -E2BIG;
  const buf = call.k.mem.kmalloc(call.t, call.bytes, GFP_KERNEL, call.slot.owner, call.site);
  if (buf === 0) return -ENOMEM;
  call.buf = buf;
  call.how = HOW_KMALLOC;
  return buf;
}

export function kfreeBuffer(call: ArgCall): void {
  if (call.how === HOW_KMALLOC) call.k.mem.kfree(call.t, call.buf); // kfree(NULL) is a no-op
  call.buf = 0;
  call.how = HOW_NONE;
}

// --- tagged buffer words -------------------------------------------------------------------
//
// The cache strategies keep a buffer in one kernel word: the address of a kmalloc'd object with
// its kmalloc size class in the low 5 bits. Every kmalloc object is at least 32-byte aligned
// (the objects of a slab sit at multiples of the class size, itself a multiple of 32), so the
// low bits are free; the class is what ksize() would return, without a lookup. One word means
// one atomic exchange moves the pointer and its size together, which a separate size word
// cannot do safely (two releasers would interleave their size and pointer stores).

const CLASS_MASK = 31;

/** The tag of the kmalloc class a request of `bytes` lands in (1-based), 0 above 128 KiB. */
export function sizeClassOf(k: Kernel, bytes: number): number {
  const cache = k.mem.kmallocCache(bytes);
  return cache === undefined ? 0 : cache.id + 1;
}

/** Usable bytes of a buffer of class tag `cls` (its ksize). */
export function classBytes(k: Kernel, cls: number): number {
  return cls === 0 ? 0 : k.mem.caches[cls - 1]!.objSize;
}

export function packBuffer(buf: number, cls: number): number {
  return buf + cls;
}

export function bufferOf(word: number): number {
  return word - (word & CLASS_MASK);
}

export function classOf(word: number): number {
  return word & CLASS_MASK;
}

/** call.how for a buffer that belongs to a cache: HOW_CACHED with the size class above it. */
export function howCached(cls: number): number {
  return HOW_CACHED | (cls << 4);
}

export function howKind(how: number): number {
  return how & HOW_MASK;
}

export function howClass(how: number): number {
  return how >>> 4;
}

/**
 * kmalloc(GFP_KERNEL) of a cacheable buffer for call.bytes; sets call.buf/how. 0 on failure
 * (the caller then returns ENOMEM and never reads call.buf/how).
 */
export function kmallocCacheable(call: ArgCall, gfp = GFP_KERNEL): number {
  const buf = call.k.mem.kmalloc(call.t, call.bytes, gfp, call.slot.owner, call.site);
  call.buf = buf;
  call.how = howCached(sizeClassOf(call.k, call.bytes));
  return buf;
}

// --- per-kernel state ----------------------------------------------------------------------

/**
 * State a strategy keeps per simulated kernel (tags, caches, counters), made on first use. A
 * strategy object may serve several kernels (one per explored schedule); the state lives in
 * the kernel's `slots`, under a key of this accessor's own, so a snapshot of the world records
 * and restores it with the kernel (no cache here: after a restore, state made during the run
 * is gone and must be made again).
 */
export function perKernel<S>(make: (k: Kernel) => S): (k: Kernel) => S {
  const key = {};
  return (k) => {
    let s = k.slots.get(key) as S | undefined;
    if (s === undefined) {
      s = make(k);
      k.slots.set(key, s);
    }
    return s;
  };
}

/**
 * A spinlock taken on a path that cannot yield (a shrinker, a budget fold). In the simulator a
 * spinlock holder never yields (it is atomic), so the lock can only be free here; finding it
 * held would be a simulator invariant violation, not a kernel bug.
 */
export function spinLockNoWait(k: Kernel, t: Thread, lock: Spinlock, irqsave: boolean): void {
  const blocked = irqsave ? k.sync.spinLockIrqsave(t, lock) : k.sync.spinLock(t, lock);
  if (blocked) throw new Error(`buffer-strategies: ${lock.name} found held on a path that cannot wait`);
}

/** Reads a slot word for the race detector (a plain load) and returns its value. */
export function loadWord(k: Kernel, t: Thread, addr: number, site: number): number {
  k.mem.access(t, addr, k.arch.wordSize, false, site);
  return k.mem.readWord(addr);
}

/** Writes a slot word as a plain store (seen by the race detector). */
export function storeWord(k: Kernel, t: Thread, addr: number, value: number, site: number): void {
  k.mem.access(t, addr, k.arch.wordSize, true, site);
  k.mem.writeWord(addr, value);
}

/**
 * The seed's cache with the buffer pointer in slot word 0 and its size in word 1, as plain
 * fields: reuse the buffer if it is big enough, else kmalloc a new one, store it and free the
 * old one. Returns the buffer, or 0 when the allocation fails. Whatever makes this safe (a lock,
 * nothing at all) is the caller's business.
 */
export function useOrReplaceSlotBuffer(
  call: ArgCall,
  gfp: number,
  readSite: number,
  storeSite: number,
): number {
  const { k, t, slot } = call;
  const wordSize = k.arch.wordSize;
  const buf = loadWord(k, t, slot.addr, readSite);
  const size = loadWord(k, t, slot.addr + wordSize, readSite);
  // (The size word is 0 whenever the pointer is: they are stored together.)
  if (buf !== 0 && size >= call.bytes) {
    call.buf = buf;
    call.how = HOW_CACHED;
    return buf;
  }
  const fresh = k.mem.kmalloc(t, call.bytes, gfp, slot.owner, call.site);
  if (fresh === 0) return 0;
  storeWord(k, t, slot.addr, fresh, storeSite);
  storeWord(k, t, slot.addr + wordSize, call.bytes, storeSite);
  k.mem.kfree(t, buf);
  call.buf = fresh;
  call.how = HOW_CACHED;
  return fresh;
}

/** The context is freed: free the buffer kept in slot words 0 and 1, clear the words. */
export function freeSlotBuffer(k: Kernel, t: Thread | null, slot: ContextSlot): void {
  const buf = k.mem.readWord(slot.addr);
  k.mem.writeWord(slot.addr, 0);
  // Stryker disable next-line ArithmeticOperator: the context is kfreed right after; nothing reads its slot words again
  k.mem.writeWord(slot.addr + k.arch.wordSize, 0);
  k.mem.kfree(t, buf);
}
