import type { Kernel } from './kernel.js';
import type { Thread } from './sched/thread.js';
import { SNAPSHOT, type SnapshotPart } from './snapshot.js';
import type { Lock } from './sync.js';

const GRANULE = 8;
/** The granule -> cell index is a table per 4 KiB of address space, made on first touch. */
const CHUNK_SHIFT = 9;
const CHUNK_GRANULES = 1 << CHUNK_SHIFT;

export interface ShadowStore {
  readonly n: number;
  readonly cap: number;
  readonly wTid: Int32Array;
  readonly wClock: Int32Array;
  readonly wSite: Int32Array;
  readonly reads: Int32Array;
  readonly index: CellIndex;
}

/**
 * Granule -> shadow cell + 1 (0: none), as tables per chunk of address space: a lookup is two
 * array reads and nothing is allocated once a chunk's table exists. Reuse clears only the
 * chunks a run touched.
 */
class CellIndex {
  // Stryker disable next-line ArrayDeclaration: chunk 0 (addresses below 4 KiB) is never kernel memory
  private readonly chunks: (Int32Array | undefined)[] = [];
  private readonly touched: number[] = [];
  private readonly spare: Int32Array[] = [];

  get(g: number): number {
    const t = this.chunks[g >>> CHUNK_SHIFT];
    return t === undefined ? 0 : t[g & (CHUNK_GRANULES - 1)]!;
  }

  set(g: number, value: number): void {
    const ci = g >>> CHUNK_SHIFT;
    let t = this.chunks[ci];
    if (t === undefined) {
      t = this.spare.pop() ?? new Int32Array(CHUNK_GRANULES);
      this.chunks[ci] = t;
      this.touched.push(ci);
    }
    t[g & (CHUNK_GRANULES - 1)] = value;
  }

  /** Drops granules [g0, g1). */
  clearRange(g0: number, g1: number): void {
    let g = g0;
    while (g < g1) {
      const ci = g >>> CHUNK_SHIFT;
      // products, not shifts: the granules of a 16 GiB arena reach 2^31
      const end = Math.min(g1, (ci + 1) * CHUNK_GRANULES);
      const t = this.chunks[ci];
      if (t !== undefined) t.fill(0, g & (CHUNK_GRANULES - 1), end - ci * CHUNK_GRANULES);
      g = end;
    }
  }

  clear(): void {
    for (const ci of this.touched) {
      const t = this.chunks[ci]!;
      t.fill(0);
      this.spare.push(t);
      this.chunks[ci] = undefined;
    }
    this.touched.length = 0;
  }
}

export const MAX_RACE_THREADS = 32;

/**
 * A happens-before data-race detector (KCSAN's question, FastTrack's method) over kernel
 * memory: vector clocks per thread, released through locks and atomics; two accesses to the
 * same bytes by different threads, at least one a write, unordered by happens-before, are a
 * `data-race` KernelBug naming both sites. Active only while two or more threads run, so a
 * single-thread path pays nothing. Shadow cells (one per 8-byte granule touched) and their
 * index live in pooled typed arrays, so checking an access allocates nothing once the pool
 * has grown.
 */
export class RaceDetector {
  active = false;
  /** Vector-clock width: the number of threads of the run. */
  private n = 0;
  private cellOf = new CellIndex();
  private cells = 0;
  private cap = 0;
  private wTid: Int32Array = new Int32Array(0);
  private wClock: Int32Array = new Int32Array(0);
  private wSite: Int32Array = new Int32Array(0);
  /** Per cell, n read clocks then n read sites. */
  private reads: Int32Array = new Int32Array(0);
  private readonly atomicClocks = new Map<number, Int32Array>();
  private readonly reported = new Set<number>();

  constructor(private readonly k: Kernel) {}

  activate(threads: readonly Thread[]): void {
    if (threads.length > MAX_RACE_THREADS) return;
    this.active = threads.length > 1 && this.k.options.raceDetection;
    // Stryker disable next-line ConditionalExpression: clocks given to the threads of an inactive detector are never read
    if (!this.active) return;
    const n = Math.max(...threads.map((t) => t.id)) + 1;
    // Stryker disable next-line ConditionalExpression: dropping the store when the width did not change only costs a re-adopt
    if (n !== this.n) {
      this.n = n;
      this.cap = 0; // the read arrays are laid out per thread count
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: pooling: changes speed, not what is reported
    if (this.cap === 0) this.adopt(this.k.arenaPool?.takeShadow());
    this.cellOf.clear();
    this.cells = 0;
    for (const t of threads) {
      t.vc = new Int32Array(this.n);
      t.vc[t.id] = 1;
    }
  }

  acquire(t: Thread, lock: Lock): void {
    if (lock.vc && t.vc) join(t.vc, lock.vc);
  }

  release(t: Thread, lock: Lock): void {
    if (!t.vc) return;
    // Stryker disable next-line ConditionalExpression: a fresh clock array or the old one, the values copied are the same
    if (!lock.vc || lock.vc.length !== t.vc.length) lock.vc = new Int32Array(t.vc.length);
    lock.vc.set(t.vc);
    t.vc[t.id]!++;
  }

  /** An atomic RMW acts as acquire + release on its location. */
  atomic(t: Thread, addr: number): void {
    if (!t.vc) return;
    let vc = this.atomicClocks.get(addr);
    if (!vc || vc.length !== t.vc.length) {
      vc = new Int32Array(t.vc.length);
      this.atomicClocks.set(addr, vc);
    }
    join(t.vc, vc);
    vc.set(t.vc);
    t.vc[t.id]!++;
  }

  /** Freed memory starts a new life: forget its history. */
  forget(addr: number, len: number): void {
    // Stryker disable next-line ConditionalExpression: an inactive detector has no history to forget
    if (!this.active) return;
    this.cellOf.clearRange(Math.floor(addr / GRANULE), Math.ceil((addr + len) / GRANULE));
    // Stryker disable next-line ConditionalExpression,EqualityOperator: skipping an empty map is only faster
    if (this.atomicClocks.size > 0) {
      for (const a of this.atomicClocks.keys()) if (a >= addr && a < addr + len) this.atomicClocks.delete(a);
    }
  }

  /**
   * Snapshots leave the shadow store alone: activate() empties it before any run reads it,
   * and keeping its arrays across restores keeps them grown.
   */
  [SNAPSHOT](): SnapshotPart {
    return { keep: ['n', 'cellOf', 'cells', 'cap', 'wTid', 'wClock', 'wSite', 'reads'] };
  }

  /** Takes a recycled shadow store of a finished kernel (same thread count), if any. */
  // Stryker disable next-line BlockStatement: never adopting only costs fresh arrays
  private adopt(store: ShadowStore | undefined): void {
    // Stryker disable next-line ConditionalExpression: as above; adopting a store of another width is tested (EqualityOperator)
    if (!store || store.n !== this.n) return;
    // Stryker disable all: from here to the end of recycle(), pooling between kernels (speed,
    // measured by the benches); that a recycled store carries nothing over is tested.
    this.wTid = store.wTid;
    this.wClock = store.wClock;
    this.wSite = store.wSite;
    this.reads = store.reads;
    this.cap = store.cap;
    this.cellOf = store.index;
  }

  /** The kernel is disposed: its shadow store may serve the next kernel's detector. */
  recycle(): void {
    const pool = this.k.arenaPool;
    if (this.cap === 0 || pool === null) return;
    pool.giveShadow({
      n: this.n,
      cap: this.cap,
      wTid: this.wTid,
      wClock: this.wClock,
      wSite: this.wSite,
      reads: this.reads,
      index: this.cellOf,
    });
    this.cap = 0;
    this.cellOf = new CellIndex();
  }
  // Stryker restore all

  /** The shadow cell of granule g, made on first touch (access() has made room for it). */
  private cell(g: number): number {
    const known = this.cellOf.get(g);
    if (known !== 0) return known - 1;
    const c = this.cells++;
    // Stryker disable next-line UnaryOperator: a fresh cell's write clock is 0, never ahead of any thread, whoever it names
    this.wTid[c] = -1;
    this.wClock[c] = 0;
    this.wSite[c] = 0;
    // A loop, not fill(): a builtin call costs more than the 2n stores (this runs per granule).
    const reads = this.reads;
    for (let i = c * 2 * this.n, end = i + 2 * this.n; i < end; i++) reads[i] = 0;
    this.cellOf.set(g, c + 1);
    return c;
  }

  private grow(): void {
    const cap = Math.max(256, this.cap * 2);
    const n = this.n;
    const widen = (a: Int32Array, per: number) => {
      const b = new Int32Array(cap * per);
      b.set(a.subarray(0, this.cells * per));
      return b;
    };
    this.wTid = widen(this.wTid, 1);
    this.wClock = widen(this.wClock, 1);
    this.wSite = widen(this.wSite, 1);
    this.reads = widen(this.reads, 2 * n);
    this.cap = cap;
  }

  access(t: Thread, addr: number, len: number, isWrite: boolean, site: number): void {
    const vc = t.vc;
    if (!vc) return;
    const me = t.id;
    const now = vc[me]!;
    const n = this.n;
    const first = Math.floor(addr / GRANULE);
    const last = Math.ceil((addr + len) / GRANULE);
    // Room for a fresh cell per granule first, so the arrays stay put (and local) in the loop.
    while (this.cap - this.cells < last - first) this.grow();
    const { wTid, wClock, wSite, reads } = this;
    for (let g = first; g < last; g++) {
      const c = this.cell(g);
      const wt = wTid[c]!;
      // Stryker disable next-line ConditionalExpression,LogicalOperator: a thread's own write clock never runs ahead of its clock, and vc[-1] is undefined
      if (wt >= 0 && wt !== me && wClock[c]! > vc[wt]!) {
        this.report(t, g * GRANULE, isWrite, site, wt, true, wSite[c]!);
      }
      const r = c * 2 * n;
      if (isWrite) {
        // Stryker disable next-line EqualityOperator: vc[n] is undefined, so u = n reports nothing
        for (let u = 0; u < n; u++) {
          // Stryker disable next-line ConditionalExpression: a thread's own reads never run ahead of its clock
          if (u !== me && reads[r + u]! > vc[u]!)
            this.report(t, g * GRANULE, true, site, u, false, reads[r + n + u]!);
        }
        wTid[c] = me;
        wClock[c] = now;
        wSite[c] = site;
        // readers ordered before this write are ordered before any access ordered after it
        // Stryker disable next-line EqualityOperator,ArithmeticOperator: as above (a loop, not fill(): see cell())
        for (let u = 0; u < n; u++) reads[r + u] = 0;
      } else {
        reads[r + me] = now;
        reads[r + n + me] = site;
      }
    }
  }

  private report(
    t: Thread,
    addr: number,
    isWrite: boolean,
    site: number,
    otherTid: number,
    otherWrite: boolean,
    otherSite: number,
  ): void {
    const mem = this.k.mem;
    // One report per pair of sites and access kinds; a racy copy hits this per granule, so the
    // key is a number (exact while tag ids stay below 2^20; more tags than that share keys
    // modulo 2^20, which at worst drops a duplicate-looking report).
    const lo = Math.min(site, otherSite) & 0xfffff;
    const hi = Math.max(site, otherSite) & 0xfffff;
    // Stryker disable next-line ArithmeticOperator: -1/-2 in place of +1/+2 still give the three kinds of a pair distinct keys, apart from every other pair's
    const key = (lo * 0x100000 + hi) * 4 + (isWrite ? 2 : 0) + (otherWrite ? 1 : 0);
    if (this.reported.has(key)) return;
    this.reported.add(key);
    // Thread ids are positions in k.threads (spawn numbers them so).
    const other = this.k.threads[otherTid]!.label;
    const a = `${isWrite ? 'write' : 'read'} by ${t.label} at ${mem.tagName(site)}`;
    const b = `${otherWrite ? 'write' : 'read'} by ${other} at ${mem.tagName(otherSite)}`;
    this.k.reportBug(
      'data-race',
      t,
      `${a} races with ${b} on 0x${addr.toString(16)} (no common lock, no happens-before)`,
      {
        addr,
        site: mem.tagName(site),
        otherSite: mem.tagName(otherSite),
        otherThread: other,
      },
    );
  }
}

function join(into: Int32Array, from: Int32Array): void {
  // Stryker disable next-line EqualityOperator: from[length] is undefined (no join); >= copies an equal value
  for (let i = 0; i < into.length; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
}
