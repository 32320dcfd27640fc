import type { Kernel } from './kernel.js';
import type { Thread } from './sched/thread.js';
import type { Lock } from './sync.js';

const GRANULE = 8;
export const MAX_RACE_THREADS = 32;

interface Cell {
  wTid: number;
  wClock: number;
  wSite: number;
  /** read clock per thread (0 = none) and read site per thread */
  readonly reads: Int32Array;
  readonly readSites: Int32Array;
}

/**
 * A happens-before data-race detector (KCSAN's question, FastTrack's method) over kernel
 * memory: vector clocks per thread, released through locks and atomics; two accesses to the
 * same bytes by different threads, at least one a write, unordered by happens-before, are a
 * `data-race` KernelBug naming both sites. Active only while two or more threads run, so a
 * single-thread path pays nothing.
 */
export class RaceDetector {
  active = false;
  private readonly shadow = new Map<number, Cell>();
  private readonly atomicClocks = new Map<number, Int32Array>();
  private readonly reported = new Set<string>();

  constructor(private readonly k: Kernel) {}

  activate(threads: readonly Thread[]): void {
    if (threads.length > MAX_RACE_THREADS) return;
    this.active = threads.length > 1 && this.k.options.raceDetection;
    if (!this.active) return;
    for (const t of threads) {
      t.vc = new Int32Array(MAX_RACE_THREADS);
      t.vc[t.id] = 1;
    }
  }

  acquire(t: Thread, lock: Lock): void {
    if (lock.vc && t.vc) join(t.vc, lock.vc);
  }

  release(t: Thread, lock: Lock): void {
    if (!t.vc) return;
    lock.vc ??= new Int32Array(MAX_RACE_THREADS);
    lock.vc.set(t.vc);
    t.vc[t.id]!++;
  }

  /** An atomic RMW acts as acquire + release on its location. */
  atomic(t: Thread, addr: number): void {
    if (!t.vc) return;
    let vc = this.atomicClocks.get(addr);
    if (!vc) {
      vc = new Int32Array(MAX_RACE_THREADS);
      this.atomicClocks.set(addr, vc);
    }
    join(t.vc, vc);
    vc.set(t.vc);
    t.vc[t.id]!++;
  }

  /** Freed memory starts a new life: forget its history. */
  forget(addr: number, len: number): void {
    if (!this.active) return;
    for (let g = Math.floor(addr / GRANULE); g < Math.ceil((addr + len) / GRANULE); g++)
      this.shadow.delete(g);
    for (let a = addr; a < addr + len; a += 4) this.atomicClocks.delete(a);
  }

  access(t: Thread, addr: number, len: number, isWrite: boolean, site: number): void {
    const vc = t.vc;
    if (!vc) return;
    const me = t.id;
    const now = vc[me]!;
    for (let g = Math.floor(addr / GRANULE); g < Math.ceil((addr + len) / GRANULE); g++) {
      let cell = this.shadow.get(g);
      if (!cell) {
        cell = {
          wTid: -1,
          wClock: 0,
          wSite: 0,
          reads: new Int32Array(MAX_RACE_THREADS),
          readSites: new Int32Array(MAX_RACE_THREADS),
        };
        this.shadow.set(g, cell);
      }
      if (cell.wTid >= 0 && cell.wTid !== me && cell.wClock > vc[cell.wTid]!) {
        this.report(t, g * GRANULE, isWrite, site, cell.wTid, true, cell.wSite);
      }
      if (isWrite) {
        for (let u = 0; u < MAX_RACE_THREADS; u++) {
          if (u !== me && cell.reads[u]! > vc[u]!)
            this.report(t, g * GRANULE, true, site, u, false, cell.readSites[u]!);
        }
        cell.wTid = me;
        cell.wClock = now;
        cell.wSite = site;
        cell.reads.fill(0);
      } else {
        cell.reads[me] = now;
        cell.readSites[me] = site;
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
    const key = `${Math.min(site, otherSite)}:${Math.max(site, otherSite)}:${isWrite}:${otherWrite}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const other = this.k.threads[otherTid];
    const a = `${isWrite ? 'write' : 'read'} by ${t.label} at ${mem.tagName(site)}`;
    const b = `${otherWrite ? 'write' : 'read'} by ${other?.label ?? `T${otherTid}`} at ${mem.tagName(otherSite)}`;
    this.k.reportBug(
      'data-race',
      t,
      `${a} races with ${b} on 0x${addr.toString(16)} (no common lock, no happens-before)`,
      {
        addr,
        site: mem.tagName(site),
        otherSite: mem.tagName(otherSite),
        otherThread: other?.label ?? `T${otherTid}`,
      },
    );
  }
}

function join(into: Int32Array, from: Int32Array): void {
  for (let i = 0; i < into.length; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
}
