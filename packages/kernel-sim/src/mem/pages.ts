/**
 * The page allocator over the arena: a bitmap of pages with next-fit search for naturally
 * aligned blocks of 2^order pages. Page 0 is reserved so that address 0 is never valid (NULL).
 */
export class PageAllocator {
  readonly used: Uint8Array;
  private hint = 1;
  inUse = 0;
  highWater = 0;
  /** The highest page index ever allocated (what a recycled arena must zero up to). */
  highWaterIndex = 0;

  constructor(readonly numPages: number) {
    this.used = new Uint8Array(numPages);
    this.used[0] = 1;
  }

  /** First page index of a free aligned block, or -1 when the arena is exhausted. */
  alloc(order: number): number {
    const count = 1 << order;
    const total = this.numPages;
    // Page 0 is reserved, so a block as large as the arena can never fit (and the wrap below
    // would make no progress).
    if (count >= total) return -1;
    let start = alignUp(this.hint, count);
    for (let scanned = 0; scanned < total; ) {
      if (start + count > total) {
        scanned += total - start;
        start = count; // wrap (page 0 is reserved, so never start there)
        continue;
      }
      let free = true;
      for (let i = 0; i < count; i++) {
        if (this.used[start + i] !== 0) {
          free = false;
          break;
        }
      }
      if (free) {
        this.used.fill(1, start, start + count);
        this.inUse += count;
        if (this.inUse > this.highWater) this.highWater = this.inUse;
        this.hint = start + count;
        if (start + count - 1 > this.highWaterIndex) this.highWaterIndex = start + count - 1;
        return start;
      }
      start += count;
      scanned += count;
    }
    return -1;
  }

  free(first: number, order: number): void {
    const count = 1 << order;
    this.used.fill(0, first, first + count);
    this.inUse -= count;
    if (first < this.hint) this.hint = first;
  }
}

function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}
