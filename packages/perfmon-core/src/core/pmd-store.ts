/**
 * The per-PMD state every event set has (64-bit value as software upper part and hardware
 * counter, flags, last reset value, used flag), kept for all the sets of a system in shared
 * typed arrays: a set is a row of `width` PMDs. A million contexts then cost the host a million
 * rows, not a million buffers with six views each (about 850 bytes more per set).
 */

/** One chunk of rows: each array holds `rows * width` entries, a set's at [base, base + width). */
export class PmdRows {
  readonly upper: Float64Array;
  readonly hw: Float64Array;
  readonly flags: Uint32Array;
  readonly lastResetLo: Uint32Array;
  readonly lastResetHi: Uint32Array;
  readonly used: Uint8Array;

  constructor(
    /** The store-wide number of this chunk's first row. */
    readonly first: number,
    readonly rows: number,
    width: number,
  ) {
    const n = rows * width;
    this.upper = new Float64Array(n);
    this.hw = new Float64Array(n);
    this.flags = new Uint32Array(n);
    this.lastResetLo = new Uint32Array(n);
    this.lastResetHi = new Uint32Array(n);
    this.used = new Uint8Array(n);
  }

  /** Host bytes of one row. */
  static rowBytes(width: number): number {
    return width * (8 + 8 + 4 + 4 + 4 + 1);
  }
}

/** Rows in the first chunk; each next chunk doubles, up to LARGEST_CHUNK. */
const FIRST_CHUNK = 2;
const LARGEST_CHUNK = 4096;

/**
 * The rows of one system's sets. Chunks grow geometrically from 2 rows, so a world with a
 * context or two (the ones exploration snapshots and restores thousands of times) holds a few
 * hundred bytes; a freed row is reused, zeroed, by the next set.
 */
export class PmdStore {
  private readonly chunks: PmdRows[] = [];
  /** Rows handed out and given back, reused last in first out. */
  private readonly freeRows: number[] = [];
  /** Rows ever handed out (the next fresh one). */
  private made = 0;
  /** Rows in use now. */
  inUse = 0;

  constructor(
    /** PMDs per row: the model's PMD count (at least 1). */
    readonly width: number,
  ) {}

  /** A zeroed row for a new set (its store-wide number). */
  take(): number {
    this.inUse++;
    const reused = this.freeRows.pop();
    if (reused !== undefined) {
      const rows = this.chunkOf(reused);
      const from = (reused - rows.first) * this.width;
      const to = from + this.width;
      rows.upper.fill(0, from, to);
      rows.hw.fill(0, from, to);
      rows.flags.fill(0, from, to);
      rows.lastResetLo.fill(0, from, to);
      rows.lastResetHi.fill(0, from, to);
      rows.used.fill(0, from, to);
      return reused;
    }
    const last = this.chunks.at(-1);
    if (last === undefined || this.made === last.first + last.rows) {
      const size = last === undefined ? FIRST_CHUNK : Math.min(LARGEST_CHUNK, 2 * last.rows);
      this.chunks.push(new PmdRows(this.made, size, this.width));
    }
    return this.made++;
  }

  /** Gives row `row` back (its set was deleted or its context freed). */
  give(row: number): void {
    this.inUse--;
    this.freeRows.push(row);
  }

  /** The chunk holding row `row`. */
  chunkOf(row: number): PmdRows {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (chunks[mid]!.first <= row) lo = mid;
      else hi = mid - 1;
    }
    return chunks[lo]!;
  }

  /** Host bytes of the rows made so far (in use or free). */
  get hostBytes(): number {
    let rows = 0;
    for (const c of this.chunks) rows += c.rows;
    return rows * PmdRows.rowBytes(this.width);
  }
}
