/**
 * The page allocator over the arena: a bitmap of pages with next-fit search for naturally
 * aligned blocks of 2^order pages. Page 0 is reserved so that address 0 is never valid (NULL).
 * No block or run crosses a multiple of `chunkPages` (the arena's 4 GiB chunks): an aligned
 * block of at most a chunk never does, and a run starts again at each chunk's first page.
 */
export class PageAllocator {
  readonly used: Uint8Array;
  private hint = 1;
  inUse = 0;
  highWater = 0;
  /** The highest page index ever allocated (what a recycled arena must zero up to). */
  highWaterIndex = 0;

  constructor(
    readonly numPages: number,
    readonly chunkPages: number = numPages,
  ) {
    this.used = new Uint8Array(numPages);
    this.used[0] = 1;
  }

  /** First page index of a free aligned block, or -1 when the arena is exhausted. */
  alloc(order: number): number {
    const count = 1 << order;
    // Next fit over the aligned slots: from the hint to the end, then from the start. Slot 0
    // holds the reserved page 0, so it is never free (and a block as large as the arena fails).
    const slots = Math.floor(this.numPages / count);
    const from = Math.ceil(this.hint / count);
    for (let i = 0; i < slots; i++) {
      const start = ((from + i) % slots) * count;
      if (!this.isFree(start, count)) continue;
      this.used.fill(1, start, start + count);
      this.inUse += count;
      this.highWater = Math.max(this.highWater, this.inUse);
      this.hint = start + count;
      this.highWaterIndex = Math.max(this.highWaterIndex, start + count - 1);
      return start;
    }
    return -1;
  }

  /**
   * First page index of `count` free contiguous pages, not aligned (vmalloc's pages, kept
   * contiguous here so the kernel addresses them as one range), or -1. Next fit, like alloc.
   */
  allocRun(count: number): number {
    for (let pass = 0; pass < 2; pass++) {
      let run = 0;
      for (let p = pass === 0 ? this.hint : 1; p < this.numPages; p++) {
        if (p % this.chunkPages === 0) run = 0; // a run never crosses into the next chunk
        run = this.used[p] === 0 ? run + 1 : 0;
        if (run < count) continue;
        const start = p - count + 1;
        this.used.fill(1, start, p + 1);
        this.inUse += count;
        this.highWater = Math.max(this.highWater, this.inUse);
        this.hint = p + 1;
        this.highWaterIndex = Math.max(this.highWaterIndex, p);
        return start;
      }
    }
    return -1;
  }

  private isFree(start: number, count: number): boolean {
    for (let p = start; p < start + count; p++) if (this.used[p] !== 0) return false;
    return true;
  }

  free(first: number, order: number): void {
    this.freeRun(first, 1 << order);
  }

  freeRun(first: number, count: number): void {
    this.used.fill(0, first, first + count);
    this.inUse -= count;
    this.hint = Math.min(this.hint, first);
  }
}
