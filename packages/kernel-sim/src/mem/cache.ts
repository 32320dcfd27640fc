const EMPTY = new Float64Array(0);

/**
 * One SLAB-era cache (a kmalloc size class or a kmem_cache): objects of one size in slabs of
 * 2^order pages, a per-CPU array cache in front (limit/batchcount as 2.6.18 enable_cpucache
 * sets them), and a pool of free objects that still sit in slabs.
 */
export class KmemCache {
  readonly objsPerSlab: number;
  readonly limit: number;
  readonly batch: number;
  /**
   * Per-CPU array caches, made with the cache (caches themselves are made on first use): made
   * on a CPU's first use instead, a world restored from a snapshot would make one anew each run,
   * and a typed array this size costs V8 a microsecond or more to allocate.
   */
  readonly cpuArrays: Float64Array[];
  readonly cpuAvail: Int32Array;
  /** Free objects not in any per-CPU array (a stack of addresses). */
  pool: Float64Array = EMPTY;
  poolCount = 0;
  slabs = 0;
  liveObjects = 0;
  highObjects = 0;
  fastAllocs = 0;
  slowAllocs = 0;

  constructor(
    /** Its index in Memory.caches (set again when a snapshot restore hands it out anew). */
    public id: number,
    readonly name: string,
    readonly objSize: number,
    readonly order: number,
    pageSize: number,
    cpus: number,
    readonly isKmalloc: boolean,
  ) {
    this.objsPerSlab = Math.max(1, Math.floor((pageSize << order) / objSize));
    // mm/slab.c enable_cpucache (2.6.18): limit by object size, batchcount = (limit + 1) / 2.
    this.limit =
      objSize > 131072 ? 1 : objSize > pageSize ? 8 : objSize > 1024 ? 24 : objSize > 256 ? 54 : 120;
    this.batch = (this.limit + 1) >> 1;
    this.cpuArrays = Array.from({ length: cpus }, () => new Float64Array(this.limit));
    this.cpuAvail = new Int32Array(cpus);
  }

  /**
   * Makes this cache as a new one of the same name and geometry would be, as cache `id`: no
   * slab, no object, no count. Its arrays stay allocated; nothing past the counts is read.
   */
  reset(id: number): void {
    this.id = id;
    this.cpuAvail.fill(0);
    this.poolCount = 0;
    this.slabs = 0;
    this.liveObjects = 0;
    this.highObjects = 0;
    this.fastAllocs = 0;
    this.slowAllocs = 0;
  }

  get liveBytes(): number {
    return this.liveObjects * this.objSize;
  }

  /** This CPU's array cache. */
  array(cpu: number): Float64Array {
    return this.cpuArrays[cpu]!;
  }

  pushPool(addr: number): void {
    if (this.poolCount === this.pool.length) {
      const bigger = new Float64Array(Math.max(64, this.pool.length * 2));
      bigger.set(this.pool);
      this.pool = bigger;
    }
    this.pool[this.poolCount++] = addr;
  }
}

/** 2.6.18 include/linux/kmalloc_sizes.h, PAGE_SIZE and L1_CACHE_BYTES aware. */
export function kmallocSizes(pageSize: number, l1CacheBytes: number): number[] {
  const sizes: number[] = [];
  if (pageSize === 4096) sizes.push(32);
  sizes.push(64);
  if (l1CacheBytes < 64) sizes.push(96);
  sizes.push(128);
  if (l1CacheBytes < 128) sizes.push(192);
  for (let s = 256; s <= 131072; s *= 2) sizes.push(s);
  return sizes;
}
