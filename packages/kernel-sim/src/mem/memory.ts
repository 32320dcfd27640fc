import type { KernelBug } from '../bugs.js';
import { CAT } from '../clock.js';
import { checkInteger, DisposedKernelError, InvalidArgumentError } from '../errors.js';
import { FaultInjector } from '../fault.js';
import type { Kernel } from '../kernel.js';
import { named, touch, touchRange } from '../sched/footprint.js';
import type { Thread } from '../sched/thread.js';
import { SNAPSHOT, type SnapshotPart } from '../snapshot.js';
import type { ArenaBuffers } from './arena-pool.js';
import { ARENA_CHUNK_BYTES, ArenaView } from './arena-view.js';
import { KmemCache, kmallocSizes } from './cache.js';
import { PageAllocator } from './pages.js';

/** gfp flags: only whether the allocation may sleep matters here. */
export const GFP_ATOMIC = 0x20;
export const GFP_KERNEL = 0x10 | 0x40 | 0x80; // __GFP_WAIT | __GFP_IO | __GFP_FS
const GFP_WAIT = 0x10;

export const POISON_FREE = 0x6b;

// The arena is held in chunks of ARENA_CHUNK_BYTES (4 GiB, a typed array's limit in Node 20;
// smaller if the kernel's options say so): an arena of up to one chunk is `u8`. The page allocator
// never hands out a block or a run that crosses a chunk boundary, so an object, a page block or a
// vmalloc'ed range lies in one chunk.
export { ARENA_CHUNK_BYTES } from './arena-view.js';
/**
 * The largest arena: 16 GiB (a 64-bit kernel's; a 32-bit one's is 4 GiB, every address a
 * 32-bit word). Host memory follows the pages a run touches, not the arena's size: large
 * zeroed buffers are mapped lazily by the host, and nothing here writes past the highest page
 * handed out.
 */
export const MAX_ARENA_BYTES = 2 ** 34;
/** The largest arena of a kernel whose words (pointers) are 32 bits wide. */
export const MAX_ARENA_BYTES_32BIT = 2 ** 32;
const GRANULE_SHIFT = 5; // 32 bytes, the smallest size class: no arena holds more objects than granules
/** Granules in a byte count: a division, as a 4 GiB count is 2^32 (which `>>>` makes 0). */
const granules = (bytes: number): number => bytes / (1 << GRANULE_SHIFT);

/** Zeroed chunks for an arena of `bytes`: `size` bytes each, the last one the rest. */
function newChunks(bytes: number, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes; at += size) chunks.push(new Uint8Array(Math.min(size, bytes - at)));
  return chunks;
}

/**
 * How many of the first `bytes` of the arena lie in chunk `i` of `size` bytes: what a snapshot
 * saves and a reset zeroes of that chunk (nothing past the highest page was ever written).
 */
// Stryker disable BlockStatement,MethodExpression,ArithmeticOperator: a larger part (up to the whole chunk) only saves or zeroes more, slower; the snapshot tests catch a smaller one
function chunkPart(i: number, size: number, bytes: number): number {
  return Math.max(0, Math.min(size, bytes - i * size));
}
// Stryker restore BlockStatement,MethodExpression,ArithmeticOperator

const PAGE_FREE = 0;
const PAGE_SLAB = 1;
const PAGE_RAW_HEAD = 2;
const PAGE_RAW_TAIL = 3;
/** The first page of a vmalloc'ed range (its length in vmallocPages), and the others. */
const PAGE_VMALLOC_HEAD = 4;
const PAGE_VMALLOC_TAIL = 5;

const SLOT_FREE = 0;
const SLOT_LIVE = 1;

const sizeIndexes = new Map<string, Int8Array>();

/**
 * Granule -> kmalloc class index, shared by every kernel with the same class sizes (read-only).
 * Built once per process and cached: Stryker's in-process runner never rebuilds it while a
 * mutant is active, so the mutants inside are disabled; the size-class tests pin its result.
 */
function sizeIndexFor(sizes: readonly number[]): Int8Array {
  // Stryker disable next-line StringLiteral: see above (built once per process)
  const key = sizes.join(',');
  let index = sizeIndexes.get(key);
  // Stryker disable next-line ConditionalExpression: see above (built once per process)
  if (!index) {
    // Stryker disable next-line ArithmeticOperator: see above (built once per process)
    index = new Int8Array((131072 >>> GRANULE_SHIFT) + 1);
    let ci = 0;
    // Stryker disable next-line EqualityOperator: see above (built once per process)
    for (let g = 0; g < index.length; g++) {
      const size = g << GRANULE_SHIFT;
      while (sizes[ci]! < size) ci++;
      index[g] = ci;
    }
    sizeIndexes.set(key, index);
  }
  return index;
}

export interface LiveObject {
  readonly addr: number;
  readonly size: number;
  readonly cache: string;
  readonly owner: string;
  readonly site: string;
  readonly seq: number;
}

/**
 * A shrinker (register_shrinker): under memory pressure it gives back what it caches, up to
 * `bytesWanted`, and returns the bytes it freed. It runs in the allocating thread (direct
 * reclaim), or with `t` null when reclaim is started from outside any thread.
 */
export type Shrinker = (t: Thread | null, bytesWanted: number) => number;

export interface MemSnapshot {
  readonly seq: number;
  readonly liveObjects: number;
  readonly liveBytes: number;
  readonly pagesInUse: number;
}

/**
 * Kernel memory: one preallocated arena with a page allocator, SLAB-style kmalloc size classes
 * and kmem_caches, accounting per size class and per owner tag, poisoning, use-after-free
 * detection and failslab injection.
 */
export class Memory {
  /**
   * The arena's first chunk (its low 4 GiB): all of an arena of up to 4 GiB. Past it, reach
   * bytes through chunkBytes/chunkOffset, bytesAt and fillBytes.
   */
  readonly u8: Uint8Array;
  /**
   * A view of the whole arena, addressed by arena address: a DataView of `u8` for an arena of
   * up to 4 GiB, an ArenaView (each access sent to its chunk) for a larger one.
   */
  readonly view: DataView;
  /** Every chunk of the arena (chunkBytes). */
  private readonly chunks: Uint8Array[];
  /** Bytes per chunk (the first one's: all of an arena of one chunk). */
  readonly chunkSize: number;
  readonly pageSize: number;
  readonly pageShift: number;
  readonly numPages: number;
  readonly pages: PageAllocator;
  readonly caches: KmemCache[] = [];
  /** The kmalloc size classes (`size-32` ...), each created on its first allocation. */
  readonly kmallocCaches: (KmemCache | undefined)[];
  private readonly kmallocSizes: readonly number[];
  readonly failslab: FaultInjector;
  private readonly buffers: ArenaBuffers;
  private released = false;

  /**
   * Caches a snapshot restore took away (made during a run), handed out again, reset, when the
   * next run makes a cache of the same name and size: a schedule then allocates no cache.
   */
  private readonly spareCaches: KmemCache[] = [];
  private readonly sizeIndex: Int8Array;
  private readonly pageKind: Uint8Array;
  private readonly pageCache: Int16Array;
  /** A slab page's slab: the index of the slab's first page. */
  private readonly pageHead: Int32Array;
  private readonly pageOrder: Uint8Array;
  private readonly pageOwner: Int32Array;
  private readonly slabInuse: Int32Array;
  /**
   * A slab's first object slot, by its first page: the metadata of its objects (state, owner,
   * site, size, seq) are the slots from there, one per object. Slots are handed out in slab
   * order, not by address, so host memory for metadata follows the objects made (17 bytes
   * each), not the bytes they span (17 per 32 bytes: 272 for a 512-byte object).
   */
  private readonly slabSlot: Int32Array;
  /** Slots ever handed to a slab: the metadata arrays are written up to here, no further. */
  private slotsMade = 0;
  /** Slot ranges of slabs given back, by their length (a cache's objsPerSlab): reused first. */
  private readonly freeSlotRanges = new Map<number, number[]>();
  private readonly slotState: Uint8Array;
  private readonly slotOwner: Int32Array;
  private readonly slotSite: Int32Array;
  private readonly slotSize: Int32Array;
  private readonly slotSeq: Int32Array;
  private readonly tagNames: string[] = [''];
  private readonly tagIds = new Map<string, number>();
  private ownerBytes = new Float64Array(64);
  private ownerHigh = new Float64Array(64);
  private seq = 1;
  private readonly shrinkers: { readonly name: string; readonly fn: Shrinker }[] = [];
  private reclaiming = false;
  /** Times reclaim ran (direct reclaim on a failed sleepable allocation, or explicit). */
  reclaims = 0;
  liveObjects = 0;
  liveBytes = 0;
  liveBytesHigh = 0;

  constructor(
    private readonly k: Kernel,
    arenaBytes: number,
    chunkBytes: number = ARENA_CHUNK_BYTES,
  ) {
    this.pageSize = k.arch.pageSize;
    this.pageShift = Math.log2(this.pageSize);
    this.numPages = Math.floor(arenaBytes / this.pageSize);
    if (this.numPages < 16) {
      throw new InvalidArgumentError('arenaBytes', arenaBytes, `at least 16 pages (${16 * this.pageSize})`);
    }
    const bytes = this.numPages * this.pageSize;
    const slots = granules(bytes);
    this.chunkSize = Math.min(bytes, chunkBytes);
    const reused = k.arenaPool?.takeArena(bytes, this.chunkSize);
    this.buffers = reused ?? {
      chunks: newChunks(bytes, this.chunkSize),
      slotState: new Uint8Array(slots),
      slotOwner: new Int32Array(slots),
      slotSite: new Int32Array(slots),
      slotSize: new Int32Array(slots),
      slotSeq: new Int32Array(slots),
    };
    this.chunks = [...this.buffers.chunks];
    this.u8 = this.chunks[0]!;
    this.view = this.chunks.length === 1 ? new DataView(this.u8.buffer) : new ArenaView(this.chunks);
    this.pages = new PageAllocator(this.numPages, this.chunkSize / this.pageSize);
    this.pageKind = new Uint8Array(this.numPages);
    this.pageCache = new Int16Array(this.numPages);
    this.pageHead = new Int32Array(this.numPages);
    this.pageOrder = new Uint8Array(this.numPages);
    this.pageOwner = new Int32Array(this.numPages);
    this.slabInuse = new Int32Array(this.numPages);
    this.slabSlot = new Int32Array(this.numPages);
    this.slotState = this.buffers.slotState;
    this.slotOwner = this.buffers.slotOwner;
    this.slotSite = this.buffers.slotSite;
    this.slotSize = this.buffers.slotSize;
    this.slotSeq = this.buffers.slotSeq;
    this.failslab = new FaultInjector('failslab', k.faults.failslab, k.rng('failslab'));

    const sizes = kmallocSizes(this.pageSize, k.arch.l1CacheBytes);
    this.kmallocSizes = sizes;
    this.kmallocCaches = sizes.map(() => undefined);
    this.sizeIndex = sizeIndexFor(sizes);
  }

  /**
   * Gives the arena back for a later kernel of the same size (schedule exploration builds a
   * kernel per schedule). The memory is zeroed; this kernel must not be used afterwards.
   */
  releaseArena(): void {
    if (this.released) return;
    this.released = true;
    const b = this.buffers;
    // Nothing of this kernel may touch the arena from now on: the views go, and every entry
    // point checks (use()).
    (this as { u8: Uint8Array }).u8 = new Uint8Array(0);
    (this as { view: DataView }).view = new DataView(new ArrayBuffer(0));
    this.chunks.fill(this.u8);
    const pool = this.k.arenaPool;
    if (pool === null) return;
    // Only pages ever handed out can be dirty: zero up to the highest one (next-fit allocation
    // keeps a short run's pages at the start of the arena).
    // Stryker disable next-line MethodExpression: zeroing the whole arena is only slower
    const bytes = (this.pages.highWaterIndex + 1) * this.pageSize;
    const slots = this.slotsMade;
    for (let i = 0; i < b.chunks.length; i++) b.chunks[i]!.fill(0, 0, chunkPart(i, this.chunkSize, bytes));
    b.slotState.fill(0, 0, slots);
    b.slotOwner.fill(0, 0, slots);
    b.slotSite.fill(0, 0, slots);
    b.slotSize.fill(0, 0, slots);
    b.slotSeq.fill(0, 0, slots);
    pool.giveArena(b);
  }

  /**
   * Snapshots (snapshot.ts): the arena is saved up to the highest page ever handed out
   * (next-fit allocation keeps a small world's pages at the start), the object metadata up to
   * the last slot made, and restored so: the saved part copied back, what lies between it and
   * the run's highest page (and slot) zeroed again (nothing past those was ever written).
   */
  [SNAPSHOT](): SnapshotPart {
    this.use();
    const b = this.buffers;
    const bytes = (this.pages.highWaterIndex + 1) * this.pageSize;
    const slots = this.slotsMade;
    const saved = {
      chunks: b.chunks.map((c, i) => c.slice(0, chunkPart(i, this.chunkSize, bytes))),
      slotState: b.slotState.slice(0, slots),
      slotOwner: b.slotOwner.slice(0, slots),
      slotSite: b.slotSite.slice(0, slots),
      slotSize: b.slotSize.slice(0, slots),
      slotSeq: b.slotSeq.slice(0, slots),
    };
    const cacheCount = this.caches.length;
    const restore = (): void => {
      this.use();
      // Stryker disable next-line ConditionalExpression,EqualityOperator: the cap of 64 only bounds what a run that makes many caches leaves behind
      for (let i = cacheCount; i < this.caches.length && this.spareCaches.length < 64; i++)
        this.spareCaches.push(this.caches[i]!);
      const upTo = (this.pages.highWaterIndex + 1) * this.pageSize;
      const upToSlots = this.slotsMade;
      b.chunks.forEach((c, i) => {
        const part = saved.chunks[i]!;
        c.set(part);
        c.fill(0, part.length, chunkPart(i, this.chunkSize, upTo));
      });
      for (const k of ['slotState', 'slotOwner', 'slotSite', 'slotSize', 'slotSeq'] as const) {
        b[k].set(saved[k]);
        b[k].fill(0, slots, upToSlots);
      }
    };
    return {
      // The arena's arrays are the part's (`buffers`); the size index is shared by every kernel.
      keep: ['sizeIndex', 'spareCaches'],
      buffers: [
        ...b.chunks.map((c) => c.buffer),
        b.slotState.buffer,
        b.slotOwner.buffer,
        b.slotSite.buffer,
        b.slotSize.buffer,
        b.slotSeq.buffer,
      ],
      restore,
    };
  }

  /** Throws if the kernel was disposed of (its arena may serve another kernel by now). */
  use(): void {
    if (this.released) throw new DisposedKernelError('kernel memory');
  }

  /** Interns an owner or call-site tag; 0 means "none". */
  tag(name: string): number {
    let id = this.tagIds.get(name);
    if (id === undefined) {
      id = this.tagNames.length;
      this.tagNames.push(name);
      this.tagIds.set(name, id);
      if (id >= this.ownerBytes.length) {
        const grow = (a: Float64Array) => {
          const b = new Float64Array(a.length * 2);
          b.set(a);
          return b;
        };
        this.ownerBytes = grow(this.ownerBytes);
        this.ownerHigh = grow(this.ownerHigh);
      }
    }
    return id;
  }

  tagName(id: number): string {
    return this.tagNames[id] ?? `tag#${id}`;
  }

  /** kmem_cache_create: sizes round up to 32 bytes (the smallest size class). */
  createCache(name: string, size: number): KmemCache {
    checkInteger('kmem_cache size', size, 1, 131072);
    return this.newCache(name, Math.ceil(size / 32) * 32, false);
  }

  private newCache(name: string, size: number, isKmalloc: boolean): KmemCache {
    const spare = this.spareCaches.findIndex(
      (c) => c.name === name && c.objSize === size && c.isKmalloc === isKmalloc,
    );
    if (spare >= 0) {
      const cache = this.spareCaches.splice(spare, 1)[0]!;
      cache.reset(this.caches.length);
      this.caches.push(cache);
      return cache;
    }
    const order = Math.max(0, Math.ceil(Math.log2(size / this.pageSize)));
    const made = new KmemCache(
      this.caches.length,
      name,
      size,
      order,
      this.pageSize,
      this.k.cpus.length,
      isKmalloc,
    );
    const cache = made;
    // The same cache (and arrays) in every execution, whoever makes it first (footprint.ts).
    named(cache, `cache:${name}`);
    cache.cpuArrays.forEach((a, cpu) => {
      named(a, `cache:${name}/cpu${cpu}`);
    });
    this.caches.push(cache);
    return cache;
  }

  /** The kmalloc size class a request of `size` bytes lands in, or undefined above 128 KiB. */
  kmallocCache(size: number): KmemCache | undefined {
    if (size > 131072) return undefined;
    const i = this.sizeIndex[(size + 31) >>> GRANULE_SHIFT]!;
    let cache = this.kmallocCaches[i];
    if (cache === undefined) {
      const classSize = this.kmallocSizes[i]!;
      cache = this.newCache(`size-${classSize}`, classSize, true);
      this.kmallocCaches[i] = cache;
    }
    return cache;
  }

  /**
   * kmalloc: returns the object's address, or 0 (NULL) on failure. GFP_KERNEL allocations are
   * sleepable: checked against atomic context (the caller places the preemption point).
   */
  kmalloc(t: Thread, size: number, gfp: number, owner: number, site: number): number {
    this.use();
    if (!Number.isInteger(size) || size < 0)
      throw new InvalidArgumentError('kmalloc size', size, 'an integer >= 0');
    const cache = this.kmallocCache(size);
    if (cache === undefined) return 0;
    return this.allocFrom(t, cache, size, gfp, owner, site);
  }

  cacheAlloc(t: Thread, cache: KmemCache, gfp: number, owner: number, site: number): number {
    this.use();
    return this.allocFrom(t, cache, cache.objSize, gfp, owner, site);
  }

  private allocFrom(
    t: Thread,
    cache: KmemCache,
    size: number,
    gfp: number,
    owner: number,
    site: number,
  ): number {
    const sleepable = (gfp & GFP_WAIT) !== 0;
    if (sleepable)
      this.k.mightSleep(t, cache.isKmalloc ? 'kmalloc(GFP_KERNEL)' : 'kmem_cache_alloc(GFP_KERNEL)');
    if (this.failslab.enabled && this.failslab.shouldFail(`${this.tagName(owner)} ${this.tagName(site)}`)) {
      return 0;
    }
    let addr = this.take(t, cache);
    if (addr === 0 && sleepable && this.shrinkers.length > 0 && !this.reclaiming) {
      // Direct reclaim: run the shrinkers, give empty slabs back, try once more.
      this.reclaim(t, cache.objSize);
      addr = this.take(t, cache);
    }
    if (addr === 0) return 0;
    touchRange(addr, cache.objSize, true); // the object is born (its metadata, for DPOR)
    const slot = this.slotOf(addr, cache);
    this.slotState[slot] = SLOT_LIVE;
    this.slotOwner[slot] = owner;
    this.slotSite[slot] = site;
    this.slotSize[slot] = size;
    this.slotSeq[slot] = this.seq++;
    this.slabInuse[this.pageHead[this.pageOf(addr)]!]!++;
    cache.liveObjects++;
    cache.highObjects = Math.max(cache.highObjects, cache.liveObjects);
    this.liveObjects++;
    this.liveBytes += cache.objSize;
    this.liveBytesHigh = Math.max(this.liveBytesHigh, this.liveBytes);
    this.addOwner(owner, cache.objSize);
    return addr;
  }

  /** Pops an object from this CPU's array, refilling from the pool (and growing) when empty. */
  private take(t: Thread, cache: KmemCache): number {
    const cpu = t.cpu;
    const array = cache.array(cpu);
    // What DPOR orders allocations by (footprint.ts): this CPU's array, and the cache's pool
    // when the array is refilled. Counters and high-water marks are sums and maxima over the
    // run: equivalent schedules may differ in the order of allocation sequence numbers and in
    // high-water marks, nothing else.
    touch(array, true);
    const costs = this.k.costs;
    let avail = cache.cpuAvail[cpu]!;
    if (avail > 0) {
      cache.fastAllocs++;
      this.chargeAlloc(
        t,
        cache.isKmalloc ? costs.kmallocFast : costs.kmemCacheAllocFree * 0.4,
        costs.kmallocSlow,
      );
      cache.cpuAvail[cpu] = --avail;
      return array[avail]!;
    }
    cache.slowAllocs++;
    touch(cache, true);
    this.k.charge(t, CAT.alloc, costs.kmallocSlow);
    if (cache.poolCount === 0 && !this.grow(t, cache)) return 0;
    const n = Math.min(cache.batch, cache.poolCount);
    for (let i = 0; i < n; i++) array[i] = cache.pool[--cache.poolCount]!;
    cache.cpuAvail[cpu] = n - 1;
    return array[n - 1]!;
  }

  private chargeAlloc(t: Thread, fast: number, slow: number): void {
    const p = this.k.costs.allocColdProbability;
    // A stream per CPU (CPU 0's keeps the name it always had): whether a CPU's cache lines are
    // cold is that CPU's business, and DPOR need not order two CPUs' allocations for it.
    const cold = p > 0 && this.k.rng(t.cpu === 0 ? 'slab-cold' : `slab-cold/cpu${t.cpu}`).chance(p);
    this.k.charge(t, CAT.alloc, Math.round(cold ? slow : fast));
  }

  private grow(t: Thread, cache: KmemCache): boolean {
    touch(this.pages, true);
    const first = this.pages.alloc(cache.order);
    if (first === -1) return false;
    this.k.charge(t, CAT.alloc, this.k.costs.slabGrow);
    const base = first * this.pageSize;
    for (let i = 0; i < 1 << cache.order; i++) {
      this.pageKind[first + i] = PAGE_SLAB;
      this.pageCache[first + i] = cache.id;
      this.pageHead[first + i] = first;
    }
    this.slabInuse[first] = 0;
    this.slabSlot[first] = this.takeSlots(cache.objsPerSlab);
    cache.slabs++;
    for (let i = cache.objsPerSlab - 1; i >= 0; i--) cache.pushPool(base + i * cache.objSize);
    return true;
  }

  /** Object metadata slots made so far (17 host bytes each): one per object of every slab grown. */
  get objectSlots(): number {
    return this.slotsMade;
  }

  /** The metadata slot of the object at `addr` (an object start) of slab cache `cache`. */
  private slotOf(addr: number, cache: KmemCache): number {
    const head = this.pageHead[this.pageOf(addr)]!;
    return this.slabSlot[head]! + (addr - head * this.pageSize) / cache.objSize;
  }

  /** The index of the page holding `addr` (a division: arena addresses pass 2^32). */
  private pageOf(addr: number): number {
    return Math.floor(addr / this.pageSize);
  }

  /** `count` consecutive metadata slots for a new slab: a range given back, else fresh ones. */
  private takeSlots(count: number): number {
    const reused = this.freeSlotRanges.get(count)?.pop();
    if (reused !== undefined) return reused;
    const first = this.slotsMade;
    this.slotsMade += count;
    return first;
  }

  private giveSlots(first: number, count: number): void {
    const ranges = this.freeSlotRanges.get(count);
    if (ranges === undefined) this.freeSlotRanges.set(count, [first]);
    else ranges.push(first);
  }

  /** kfree: never sleeps. Bad pointers are KernelBugs, not crashes. */
  kfree(t: Thread | null, addr: number): void {
    this.use();
    if (addr === 0) return;
    const bug = this.checkFreeable(t, addr);
    if (bug !== null) return;
    const page = this.pageOf(addr);
    const cache = this.caches[this.pageCache[page]!]!;
    this.release(t, cache, addr);
  }

  cacheFree(t: Thread | null, cache: KmemCache, addr: number): void {
    this.use();
    if (addr === 0) return;
    if (this.checkFreeable(t, addr) !== null) return;
    const page = this.pageOf(addr);
    if (this.pageCache[page] !== cache.id) {
      this.k.reportBug(
        'invalid-free',
        t,
        `kmem_cache_free to ${cache.name} of an object of ${this.caches[this.pageCache[page]!]!.name}`,
        {
          addr,
        },
      );
      return;
    }
    this.release(t, cache, addr);
  }

  private checkFreeable(t: Thread | null, addr: number): KernelBug | null {
    // A negative address or one past the arena gives a page index past the arena, whose kind
    // reads undefined: not a slab page.
    const page = this.pageOf(addr);
    if (!Number.isInteger(addr) || this.pageKind[page] !== PAGE_SLAB) {
      return this.k.reportBug('invalid-free', t, `kfree of 0x${addr.toString(16)}, not a slab object`, {
        addr,
      });
    }
    const cache = this.caches[this.pageCache[page]!]!;
    const head = this.pageHead[page]!;
    const base = head * this.pageSize;
    if ((addr - base) % cache.objSize !== 0) {
      return this.k.reportBug(
        'invalid-free',
        t,
        `kfree of 0x${addr.toString(16)}, inside an object of ${cache.name}`,
        {
          addr,
        },
      );
    }
    const slot = this.slabSlot[head]! + (addr - base) / cache.objSize;
    if (this.slotState[slot] !== SLOT_LIVE) {
      return this.k.reportBug(
        'double-free',
        t,
        `kfree of 0x${addr.toString(16)} (${cache.name}) already freed`,
        {
          addr,
          site: this.tagName(this.slotSite[slot]!),
        },
      );
    }
    return null;
  }

  private release(t: Thread | null, cache: KmemCache, addr: number): void {
    touchRange(addr, cache.objSize, true); // poisoned
    const slot = this.slotOf(addr, cache);
    this.slotState[slot] = SLOT_FREE;
    this.addOwner(this.slotOwner[slot]!, -cache.objSize);
    this.fillBytes(addr, cache.objSize, POISON_FREE);
    this.k.race.forget(addr, cache.objSize);
    this.slabInuse[this.pageHead[this.pageOf(addr)]!]!--;
    cache.liveObjects--;
    this.liveObjects--;
    this.liveBytes -= cache.objSize;

    const cpu = t?.cpu ?? 0;
    const costs = this.k.costs;
    const array = cache.array(cpu);
    touch(array, true);
    let avail = cache.cpuAvail[cpu]!;
    if (avail === cache.limit) {
      touch(cache, true);
      // cache_flusharray: give a batch back to the slabs
      if (t) this.k.charge(t, CAT.alloc, costs.kfreeSlow);
      for (let i = 0; i < cache.batch; i++) cache.pushPool(array[i]!);
      array.copyWithin(0, cache.batch, avail);
      avail -= cache.batch;
    } else if (t) {
      this.chargeAlloc(
        t,
        cache.isKmalloc ? costs.kfreeFast : costs.kmemCacheAllocFree * 0.6,
        costs.kfreeSlow,
      );
    }
    array[avail] = addr;
    cache.cpuAvail[cpu] = avail + 1;
  }

  private addOwner(owner: number, bytes: number): void {
    const v = (this.ownerBytes[owner] ?? 0) + bytes;
    this.ownerBytes[owner] = v;
    this.ownerHigh[owner] = Math.max(this.ownerHigh[owner]!, v);
  }

  /** Returns slabs that hold no live object to the page allocator (kmem_cache_shrink). */
  shrink(cache?: KmemCache): number {
    touch(this, true);
    let freedPages = 0;
    for (const c of cache ? [cache] : this.caches) {
      for (const [cpu, array] of c.cpuArrays.entries()) {
        for (let i = 0; i < c.cpuAvail[cpu]!; i++) c.pushPool(array[i]!);
        c.cpuAvail[cpu] = 0;
      }
      const keep: number[] = [];
      const freeing = new Set<number>();
      for (let i = 0; i < c.poolCount; i++) {
        const addr = c.pool[i]!;
        const head = this.pageHead[this.pageOf(addr)]!;
        if (this.slabInuse[head] === 0) freeing.add(head);
        else keep.push(addr);
      }
      c.poolCount = 0;
      for (const addr of keep) c.pushPool(addr);
      for (const head of freeing) {
        for (let i = 0; i < 1 << c.order; i++) this.pageKind[head + i] = PAGE_FREE;
        this.giveSlots(this.slabSlot[head]!, c.objsPerSlab);
        this.pages.free(head, c.order);
        c.slabs--;
        freedPages += 1 << c.order;
      }
    }
    return freedPages;
  }

  /**
   * register_shrinker: `fn` runs on memory pressure, i.e. when a sleepable allocation finds no
   * memory (direct reclaim) or when reclaim() is called. Returns a function that unregisters it.
   */
  registerShrinker(name: string, fn: Shrinker): () => void {
    if (typeof fn !== 'function') throw new InvalidArgumentError('shrinker', fn, 'a function');
    const entry = { name, fn };
    this.shrinkers.push(entry);
    return () => {
      const i = this.shrinkers.indexOf(entry);
      if (i >= 0) this.shrinkers.splice(i, 1);
    };
  }

  /** Names of the registered shrinkers, in the order reclaim runs them. */
  shrinkerNames(): string[] {
    return this.shrinkers.map((s) => s.name);
  }

  /**
   * Memory pressure (shrink_slab + kmem_cache_shrink): runs the shrinkers in registration order
   * until `bytesWanted` are freed, then returns empty slabs to the page allocator. Returns the
   * bytes the shrinkers freed. Not reentrant: a shrinker's own allocations never reclaim.
   */
  reclaim(t: Thread | null, bytesWanted = Number.POSITIVE_INFINITY): number {
    if (this.reclaiming) return 0;
    this.reclaiming = true;
    this.reclaims++;
    let freed = 0;
    try {
      for (const s of this.shrinkers) {
        if (freed >= bytesWanted) break;
        freed += s.fn(t, bytesWanted - freed);
      }
    } finally {
      this.reclaiming = false;
    }
    this.shrink();
    return freed;
  }

  /** __get_free_pages: returns the address of 2^order pages, or 0. */
  allocPages(t: Thread, order: number, gfp: number, owner: number, site: number): number {
    this.use();
    checkInteger('page order', order, 0, 10);
    if ((gfp & GFP_WAIT) !== 0) this.k.mightSleep(t, 'alloc_pages(GFP_KERNEL)');
    if (this.failslab.enabled && this.failslab.shouldFail(`${this.tagName(owner)} ${this.tagName(site)}`))
      return 0;
    touch(this.pages, true);
    let first = this.pages.alloc(order);
    if (first === -1 && (gfp & GFP_WAIT) !== 0 && this.shrinkers.length > 0 && !this.reclaiming) {
      this.reclaim(t, this.pageSize << order);
      first = this.pages.alloc(order);
    }
    if (first === -1) return 0;
    this.k.charge(t, CAT.alloc, Math.round(this.k.costs.pageAllocFree / 2));
    return this.takeRaw(first, order, owner);
  }

  /** Marks 2^order pages from `first` as one raw block of `owner`; returns its address. */
  private takeRaw(first: number, order: number, owner: number): number {
    touchRange(first * this.pageSize, this.pageSize << order, true);
    this.pageKind[first] = PAGE_RAW_HEAD;
    this.pageOrder[first] = order;
    this.pageOwner[first] = owner;
    for (let i = 1; i < 1 << order; i++) this.pageKind[first + i] = PAGE_RAW_TAIL;
    this.addOwner(owner, this.pageSize << order);
    return first * this.pageSize;
  }

  /** Pages of each vmalloc'ed range, by its first page. */
  private readonly vmallocPages = new Map<number, number>();

  /**
   * vmalloc: zeroed pages for `bytes` (rounded up to whole pages), or 0. They are contiguous in
   * the arena, so the kernel addresses them as one range; unlike allocPages they need not be a
   * power of two. Each page costs half a page allocation (cost model: pageAllocFree, split).
   */
  vmalloc(t: Thread, bytes: number, owner: number, site: number): number {
    this.use();
    checkInteger('vmalloc size', bytes, 1, this.numPages * this.pageSize);
    this.k.mightSleep(t, 'vmalloc');
    if (this.failslab.enabled && this.failslab.shouldFail(`${this.tagName(owner)} ${this.tagName(site)}`))
      return 0;
    const count = Math.ceil(bytes / this.pageSize);
    touch(this.pages, true);
    touch(this.vmallocPages, true);
    const first = this.pages.allocRun(count);
    if (first === -1) return 0;
    this.pageKind[first] = PAGE_VMALLOC_HEAD;
    this.pageOwner[first] = owner;
    for (let i = 1; i < count; i++) this.pageKind[first + i] = PAGE_VMALLOC_TAIL;
    this.vmallocPages.set(first, count);
    const addr = first * this.pageSize;
    this.fillBytes(addr, count * this.pageSize, 0);
    this.addOwner(owner, count * this.pageSize);
    this.k.charge(t, CAT.alloc, count * Math.round(this.k.costs.pageAllocFree / 2));
    return addr;
  }

  /** vfree of a vmalloc'ed address; anything else is an invalid free (a KernelBug). */
  vfree(t: Thread | null, addr: number): void {
    this.use();
    const first = this.pageOf(addr);
    const count = this.vmallocPages.get(first);
    if (addr % this.pageSize !== 0 || count === undefined) {
      this.k.reportBug('invalid-free', t, `vfree(0x${addr.toString(16)}) of memory not vmalloc'ed`, { addr });
      return;
    }
    touch(this.pages, true);
    touch(this.vmallocPages, true);
    touchRange(addr, count * this.pageSize, true);
    this.vmallocPages.delete(first);
    const bytes = count * this.pageSize;
    for (let i = 0; i < count; i++) this.pageKind[first + i] = PAGE_FREE;
    this.fillBytes(addr, bytes, POISON_FREE);
    this.k.race.forget(addr, bytes);
    this.addOwner(this.pageOwner[first]!, -bytes);
    this.pages.freeRun(first, count);
    if (t)
      this.k.charge(
        t,
        CAT.alloc,
        count * (this.k.costs.pageAllocFree - Math.round(this.k.costs.pageAllocFree / 2)),
      );
  }

  /** Pages taken outside any simulated call (boot time, kernel stacks): no cost, no failslab. */
  reservePages(order: number, owner: number): number {
    this.use();
    touch(this.pages, true);
    const first = this.pages.alloc(order);
    if (first === -1) return 0;
    return this.takeRaw(first, order, owner);
  }

  freePages(t: Thread | null, addr: number, order: number): void {
    this.use();
    const first = this.pageOf(addr);
    if (
      addr % this.pageSize !== 0 ||
      this.pageKind[first] !== PAGE_RAW_HEAD ||
      this.pageOrder[first] !== order
    ) {
      this.k.reportBug(
        'invalid-free',
        t,
        `free_pages(0x${addr.toString(16)}, ${order}) of pages not allocated so`,
        {
          addr,
        },
      );
      return;
    }
    touch(this.pages, true);
    touchRange(addr, this.pageSize << order, true);
    for (let i = 0; i < 1 << order; i++) this.pageKind[first + i] = PAGE_FREE;
    this.fillBytes(addr, this.pageSize << order, POISON_FREE);
    this.k.race.forget(addr, this.pageSize << order);
    this.addOwner(this.pageOwner[first]!, -(this.pageSize << order));
    this.pages.free(first, order);
    if (t)
      this.k.charge(t, CAT.alloc, this.k.costs.pageAllocFree - Math.round(this.k.costs.pageAllocFree / 2));
  }

  /**
   * Checks a kernel access to [addr, addr+len): a KernelBug for freed memory (use after free)
   * or past the object (out of bounds); feeds the race detector. Returns false on a bug.
   */
  access(t: Thread | null, addr: number, len: number, isWrite: boolean, site: number): boolean {
    this.use();
    if (len <= 0) return true;
    touchRange(addr, len, isWrite);
    const page = this.pageOf(addr);
    if (!(addr > 0 && page < this.numPages)) {
      this.k.reportBug('out-of-bounds', t, `wild kernel access at 0x${addr.toString(16)}`, {
        addr,
        site: this.tagName(site),
      });
      return false;
    }
    const kind = this.pageKind[page]!;
    if (kind === PAGE_SLAB) {
      const cache = this.caches[this.pageCache[page]!]!;
      const head = this.pageHead[page]!;
      const base = head * this.pageSize;
      const index = Math.floor((addr - base) / cache.objSize);
      const start = base + index * cache.objSize;
      const slot = this.slabSlot[head]! + index;
      if (this.slotState[slot] !== SLOT_LIVE) {
        this.k.reportBug(
          'use-after-free',
          t,
          `${isWrite ? 'write' : 'read'} of ${len} B at 0x${addr.toString(16)} in a freed ${cache.name} object`,
          {
            addr,
            site: this.tagName(site),
            allocSite: this.tagName(this.slotSite[slot]!),
          },
        );
        return false;
      }
      if (addr + len > start + cache.objSize) {
        this.k.reportBug(
          'out-of-bounds',
          t,
          `${isWrite ? 'write' : 'read'} of ${len} B at 0x${addr.toString(16)} past a ${cache.name} object`,
          {
            addr,
            site: this.tagName(site),
          },
        );
        return false;
      }
    } else if (kind === PAGE_FREE) {
      this.k.reportBug(
        'use-after-free',
        t,
        `${isWrite ? 'write' : 'read'} at 0x${addr.toString(16)} in a free page`,
        {
          addr,
          site: this.tagName(site),
        },
      );
      return false;
    }
    if (this.k.race.active && t !== null) this.k.race.access(t, addr, len, isWrite, site);
    return true;
  }

  // --- word access for kernel data structures (pointers, counters) ---

  readWord(addr: number): number {
    this.use();
    touchRange(addr, this.k.arch.wordSize, false);
    return this.k.arch.wordSize === 8
      ? this.view.getUint32(addr, true) + this.view.getUint32(addr + 4, true) * 2 ** 32
      : this.view.getUint32(addr, true);
  }

  writeWord(addr: number, value: number): void {
    this.use();
    touchRange(addr, this.k.arch.wordSize, true);
    this.view.setUint32(addr, value >>> 0, true);
    if (this.k.arch.wordSize === 8) this.view.setUint32(addr + 4, Math.floor(value / 2 ** 32), true);
  }

  // --- the arena's bytes, chunk by chunk (an object, page block or vmalloc'ed range is in one) ---

  /** The bytes of the arena chunk holding `addr` (index them with chunkOffset(addr)). */
  chunkBytes(addr: number): Uint8Array {
    return addr < this.chunkSize ? this.u8 : this.chunks[Math.floor(addr / this.chunkSize)]!;
  }

  /** `addr`'s offset in its chunk (addr itself below 4 GiB). */
  chunkOffset(addr: number): number {
    return addr < this.chunkSize ? addr : addr % this.chunkSize;
  }

  /** The `len` bytes at `addr`, a view into the arena (allocates the view: not for hot paths). */
  bytesAt(addr: number, len: number): Uint8Array {
    const at = this.chunkOffset(addr);
    return this.chunkBytes(addr).subarray(at, at + len);
  }

  /** Sets the `len` bytes at `addr` to `value`. */
  fillBytes(addr: number, len: number, value: number): void {
    const at = this.chunkOffset(addr);
    this.chunkBytes(addr).fill(value, at, at + len);
  }

  // --- accounting and reports ---

  ownerLiveBytes(owner: number | string): number {
    return this.ownerBytes[this.tagId(owner)] ?? 0;
  }

  ownerHighWater(owner: number | string): number {
    return this.ownerHigh[this.tagId(owner)] ?? 0;
  }

  /** A tag's id; -1 (no account) for a name never tagged. */
  private tagId(owner: number | string): number {
    return typeof owner === 'string' ? (this.tagIds.get(owner) ?? -1) : owner;
  }

  /** Live bytes per owner tag whose name starts with `prefix` (e.g. "user:1000"). */
  liveBytesByOwner(prefix = ''): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, id] of this.tagIds) {
      const bytes = this.ownerBytes[id] ?? 0;
      if (bytes !== 0 && name.startsWith(prefix)) out.set(name, bytes);
    }
    return out;
  }

  snapshot(): MemSnapshot {
    return {
      seq: this.seq,
      liveObjects: this.liveObjects,
      liveBytes: this.liveBytes,
      pagesInUse: this.pages.inUse,
    };
  }

  /** Every live object allocated since `since` (a snapshot), with its call-site tag: a leak report. */
  liveObjectsSince(since: MemSnapshot | null = null): LiveObject[] {
    const out: LiveObject[] = [];
    const fromSeq = since?.seq ?? 0;
    // No page past the highest ever handed out holds anything.
    // Stryker disable next-line MethodExpression: pages past it (or past the arena) are free: skipped below anyway
    const pages = Math.min(this.numPages, this.pages.highWaterIndex + 1);
    // Stryker disable next-line EqualityOperator: as above
    for (let page = 0; page < pages; page++) {
      const kind = this.pageKind[page]!;
      // A slab's objects are listed once, from its first page.
      if (kind !== PAGE_SLAB || this.pageHead[page] !== page) continue;
      const base = page * this.pageSize;
      const cache = this.caches[this.pageCache[page]!]!;
      for (let i = 0; i < cache.objsPerSlab; i++) {
        const addr = base + i * cache.objSize;
        const slot = this.slabSlot[page]! + i;
        if (this.slotState[slot] !== SLOT_LIVE || this.slotSeq[slot]! < fromSeq) continue;
        out.push({
          addr,
          size: this.slotSize[slot]!,
          cache: cache.name,
          owner: this.tagName(this.slotOwner[slot]!),
          site: this.tagName(this.slotSite[slot]!),
          seq: this.slotSeq[slot]!,
        });
      }
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Reports each object still live since `since` as a `leak` KernelBug; returns how many. The
   * address is in the message: bugs are deduplicated by message, and two leaked objects of one
   * size from one site are two leaks.
   */
  reportLeaks(since: MemSnapshot | null = null): number {
    const leaks = this.liveObjectsSince(since);
    for (const obj of leaks) {
      this.k.reportBug(
        'leak',
        null,
        `${obj.size} B (${obj.cache}) at 0x${obj.addr.toString(16)} allocated at ${obj.site} for ${obj.owner} never freed`,
        {
          addr: obj.addr,
          site: obj.site,
          owner: obj.owner,
        },
      );
    }
    return leaks.length;
  }

  cacheStats(): {
    name: string;
    objSize: number;
    live: number;
    high: number;
    slabs: number;
    fast: number;
    slow: number;
  }[] {
    return this.caches.map((c) => ({
      name: c.name,
      objSize: c.objSize,
      live: c.liveObjects,
      high: c.highObjects,
      slabs: c.slabs,
      fast: c.fastAllocs,
      slow: c.slowAllocs,
    }));
  }
}
