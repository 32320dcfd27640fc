import { CAT } from './clock.js';
import { checkInteger, DisposedKernelError, InvalidArgumentError } from './errors.js';
import { FaultInjector } from './fault.js';
import type { Kernel } from './kernel.js';
import { created, touch, touchRange } from './sched/footprint.js';
import type { Thread } from './sched/thread.js';

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;

const P_MAPPED = 1;
const P_PRESENT = 2;
const P_READ = 4;
const P_WRITE = 8;

/** One mmap'd range with its own backing bytes and per-page state. */
export interface Region {
  readonly start: number;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly pageState: Uint8Array;
  /** Offset of `bytes` in the kernel arena when the pages came from it (else -1). */
  readonly phys: number;
  /** For kernel pages mapped into the process (mapKernelPages): called once all are unmapped. */
  readonly unmapped?: () => void;
}

/** Provides backing memory for a mapping: an arena offset, or -1 to use private bytes. */
export type PhysicalAllocator = (bytes: number) => number;

/** The kernel arena behind an address space's pages: where they come from, and their bytes. */
export interface PhysicalMemory {
  readonly alloc: PhysicalAllocator;
  /** The `size` bytes at arena offset `phys` (a view, never a copy). */
  readonly bytes: (phys: number, size: number) => Uint8Array;
  /** The arena's size: a mapping of kernel pages lies below it. */
  readonly arenaBytes: number;
}

/** A user process crashed touching its own memory (the simulated program's bug, not the kernel's). */
export class UserSegfault extends Error {
  override readonly name = 'UserSegfault';
  constructor(readonly addr: number) {
    super(`user access to unmapped or protected address 0x${addr.toString(16)}`);
  }
}

export interface MmapOptions {
  /** Pages start present (as after the process touched them). Default true. */
  populate?: boolean;
}

/**
 * A simulated user address space: mapped regions with protection, pages that are not present
 * until first touched (a minor fault), and holes (unmapped addresses). Regions are separated
 * by an unmapped guard page so an overrun lands on a hole.
 */
export class AddressSpace {
  readonly regions: Region[] = [];
  private next: number;
  private released = false;

  constructor(
    readonly pageSize: number,
    readonly userBase: number,
    readonly userLimit: number,
    private readonly physical: PhysicalMemory | null = null,
  ) {
    this.next = userBase;
  }

  mmap(length: number, prot: number = PROT_READ | PROT_WRITE, opts: MmapOptions = {}): number {
    this.use();
    touch(this.regions, true);
    checkInteger('mmap length', length, 1, 1 << 30);
    const size = Math.ceil(length / this.pageSize) * this.pageSize;
    const start = this.next;
    if (start + size > this.userLimit)
      throw new InvalidArgumentError('mmap length', length, 'fits the user address space');
    this.next = start + size + this.pageSize; // guard page
    const state = P_MAPPED | protBits(prot) | (opts.populate === false ? 0 : P_PRESENT);
    const phys = this.physical ? this.physical.alloc(size) : -1;
    const region: Region = {
      start,
      size,
      bytes: phys === -1 ? new Uint8Array(size) : this.physical!.bytes(phys, size),
      pageState: new Uint8Array(size / this.pageSize).fill(state),
      phys,
    };
    if (phys !== -1) region.bytes.fill(0); // recycled arena pages
    created(region.bytes);
    created(region.pageState);
    this.regions.push(region);
    return start;
  }

  munmap(addr: number, length: number): void {
    touch(this.regions, true);
    const touched = new Set<Region>();
    this.forPages(addr, length, (r, p) => {
      if (r.pageState[p]! & P_MAPPED && r.unmapped) touched.add(r);
      r.pageState[p] = 0;
    });
    for (const r of touched) if (r.pageState.every((st) => (st & P_MAPPED) === 0)) r.unmapped!();
  }

  /**
   * Maps `length` bytes of kernel memory at arena offset `phys` (a driver's mmap of vmalloc'ed
   * pages, VM_RESERVED): the process sees the kernel's bytes, present from the start. `unmapped`
   * runs once every page of the mapping is gone (munmap), so the kernel can free them then.
   * Returns the user address, or 0 when the address space has no room left.
   */
  mapKernelPages(phys: number, length: number, prot: number, unmapped?: () => void): number {
    this.use();
    if (!this.physical)
      throw new InvalidArgumentError('mapKernelPages', phys, 'an address space backed by the arena');
    checkInteger('mapping length', length, 1, 1 << 30);
    const size = Math.ceil(length / this.pageSize) * this.pageSize;
    checkInteger('mapped kernel pages', phys, 0, this.physical.arenaBytes - size);
    const start = this.next;
    if (start + size > this.userLimit) return 0; // no room: the syscall's ENOMEM
    this.next = start + size + this.pageSize; // guard page
    touch(this.regions, true);
    const pageState = new Uint8Array(size / this.pageSize).fill(P_MAPPED | P_PRESENT | protBits(prot));
    created(pageState);
    this.regions.push({
      start,
      size,
      bytes: this.physical.bytes(phys, size),
      pageState,
      phys,
      ...(unmapped ? { unmapped } : {}),
    });
    return start;
  }

  mprotect(addr: number, length: number, prot: number): void {
    touch(this.regions, true);
    this.forPages(addr, length, (r, p) => {
      // An unmapped page keeps no P_MAPPED bit, so it stays unmapped whatever its protection.
      r.pageState[p] = (r.pageState[p]! & (P_MAPPED | P_PRESENT)) | protBits(prot);
    });
  }

  /** Makes pages not present (as if never touched): the next access is a minor fault. */
  dropPages(addr: number, length: number): void {
    this.forPages(addr, length, (r, p) => {
      r.pageState[p]! &= ~P_PRESENT;
    });
  }

  private forPages(addr: number, length: number, fn: (r: Region, page: number) => void): void {
    for (let a = Math.floor(addr / this.pageSize) * this.pageSize; a < addr + length; a += this.pageSize) {
      const r = this.regionOf(a);
      if (r) fn(r, (a - r.start) / this.pageSize);
    }
  }

  /** The kernel is disposed of: the mappings go, and any later use throws. */
  release(): void {
    this.released = true;
    this.regions.length = 0;
  }

  /** Throws once the address space is released. */
  use(): void {
    if (this.released) releasedUse();
  }

  /** The region holding addr (a guard page between regions belongs to none), or null. */
  regionOf(addr: number): Region | null {
    touch(this.regions, false);
    for (const r of this.regions) {
      if (addr >= r.start && addr < r.start + r.size) return r;
    }
    return null;
  }

  /** Describes an address for reports: "mapped rw present", "unmapped", ... */
  describe(addr: number): string {
    const r = this.regionOf(addr);
    if (!r) return 'unmapped';
    const s = r.pageState[Math.floor((addr - r.start) / this.pageSize)]!;
    if (!(s & P_MAPPED)) return 'unmapped';
    return `mapped ${s & P_READ ? 'r' : '-'}${s & P_WRITE ? 'w' : '-'} ${s & P_PRESENT ? 'present' : 'not-present'}`;
  }

  // --- the simulated program's own accesses (user mode: no kernel cost, faults are its own) ---

  /** User-mode write: marks pages present; throws UserSegfault on a hole or read-only page. */
  write(addr: number, data: Uint8Array): void {
    if (data.length === 0) return;
    const r = this.userRange(addr, data.length, P_WRITE);
    r.bytes.set(data, addr - r.start);
  }

  read(addr: number, length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    const r = this.userRange(addr, length, P_READ);
    return r.bytes.slice(addr - r.start, addr - r.start + length);
  }

  /** A DataView over [addr, addr+length) (for marshalling structs). */
  dataView(addr: number, length: number, write: boolean): DataView {
    if (length === 0) return new DataView(new ArrayBuffer(0));
    const r = this.userRange(addr, length, write ? P_WRITE : P_READ);
    return new DataView(r.bytes.buffer, r.bytes.byteOffset + addr - r.start, length);
  }

  /**
   * Checks that every page of [addr, addr+length) (length > 0) is mapped with `need` and marks
   * it present; returns its region. Regions are separated by an unmapped guard page, so a range
   * that passes lies in one region.
   */
  private userRange(addr: number, length: number, need: number): Region {
    this.use();
    for (let a = addr; a < addr + length; ) {
      const r = this.regionOf(a);
      if (r === null) throw new UserSegfault(a);
      const idx = Math.floor((a - r.start) / this.pageSize);
      if (!(r.pageState[idx]! & P_MAPPED) || !(r.pageState[idx]! & need)) throw new UserSegfault(a);
      r.pageState[idx]! |= P_PRESENT;
      a = r.start + (idx + 1) * this.pageSize;
    }
    return this.regionOf(addr)!;
  }
}

/** AddressSpace.release(): the kernel was disposed of, and its arena pages may serve another. */
function releasedUse(): never {
  throw new DisposedKernelError('user memory');
}

function protBits(prot: number): number {
  return (prot & PROT_READ ? P_READ : 0) | (prot & PROT_WRITE ? P_READ | P_WRITE : 0);
}

/**
 * copy_from_user / copy_to_user: return the number of bytes NOT copied, stop at the first bad
 * byte, zero-fill the kernel tail on a short copy in, charge fixed + per-byte cost, take a
 * minor fault on a not-present page. A copy is a sleepable operation: the caller places the
 * preemption point after it (a fault's sleep is modelled at the end of the copy).
 */
export class UserAccess {
  readonly failUsercopy: FaultInjector;
  faults = 0;

  constructor(private readonly k: Kernel) {
    this.failUsercopy = new FaultInjector('fail_usercopy', k.faults.failUsercopy, k.rng('fail_usercopy'));
  }

  copyFromUser(t: Thread, kaddr: number, uaddr: number, len: number, site = 0): number {
    return this.copy(t, kaddr, uaddr, len, false, site);
  }

  copyToUser(t: Thread, uaddr: number, kaddr: number, len: number, site = 0): number {
    return this.copy(t, kaddr, uaddr, len, true, site);
  }

  /**
   * strncpy_from_user: copies the NUL-terminated string at uaddr (NUL included) into kaddr,
   * reading at most `max` bytes. Returns its length without the NUL, `max` when no NUL came in
   * `max` bytes, or -1 when a fault came first. Costs one copy of the bytes read.
   */
  strncpyFromUser(t: Thread, kaddr: number, uaddr: number, max: number, site = 0): number {
    const mm = t.process.mm;
    // the bytes up to the NUL (or the first unreadable byte), found without cost; the copy charges them
    let len = 0;
    while (len < max) {
      const a = uaddr + len;
      const r = Number.isInteger(a) && a >= 0 ? mm.regionOf(a) : null;
      const state = r ? r.pageState[Math.floor((a - r.start) / mm.pageSize)]! : 0;
      if (!r || !(state & P_MAPPED) || !(state & P_READ)) break;
      if (r.bytes[a - r.start] === 0)
        return this.copy(t, kaddr, uaddr, len + 1, false, site) === 0 ? len : -1;
      len++;
    }
    const left = this.copy(t, kaddr, uaddr, Math.min(len + 1, max), false, site);
    return left === 0 ? max : -1;
  }

  private copy(t: Thread, kaddr: number, uaddr: number, len: number, toUser: boolean, site: number): number {
    this.k.mem.use();
    if (len === 0) return 0;
    const k = this.k;
    const what = toUser ? 'copy_to_user' : 'copy_from_user';
    k.mightSleep(t, what);
    const mem = k.mem;
    if (!mem.access(t, kaddr, len, !toUser, site)) return len;
    const mm = t.process.mm;
    if (this.failUsercopy.enabled && this.failUsercopy.shouldFail(`${what} ${mem.tagName(site)}`)) {
      if (!toUser) mem.fillBytes(kaddr, len, 0);
      return len;
    }
    // access_ok: the whole range must lie below the user limit, or nothing is copied.
    if (uaddr < 0 || uaddr + len > mm.userLimit || !Number.isInteger(uaddr)) {
      if (!toUser) mem.fillBytes(kaddr, len, 0);
      return len;
    }
    k.charge(t, CAT.copy, k.costs.copyFixed);
    // The kernel range is one object (mem.access passed), so it lies in one arena chunk.
    const kbytes = mem.chunkBytes(kaddr);
    const kat = mem.chunkOffset(kaddr);
    const need = toUser ? P_WRITE : P_READ;
    const pageSize = mm.pageSize;
    let done = 0;
    while (done < len) {
      const ua = uaddr + done;
      const r = mm.regionOf(ua);
      if (r === null) break;
      const page = Math.floor((ua - r.start) / pageSize);
      const state = r.pageState[page]!;
      if (!(state & P_MAPPED) || !(state & need)) break;
      touch(r.pageState, !(state & P_PRESENT)); // a fault marks the page present for everyone
      if (!(state & P_PRESENT)) {
        this.faults++;
        k.charge(t, CAT.fault, k.costs.minorFault);
        if (t.atomic) k.sleepInAtomic(t, `page fault in ${what} at 0x${ua.toString(16)}`);
        r.pageState[page] = state | P_PRESENT;
      }
      const off = ua - r.start;
      const n = Math.min(len - done, (page + 1) * pageSize - off);
      if (r.phys >= 0) touchRange(r.phys + off, n, toUser);
      else touch(r.bytes, toUser);
      const from = kat + done;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: an arena-backed region's bytes are a view of the arena, so both paths copy the same bytes (this one allocates no view)
      if (r.phys >= 0 && mem.chunkBytes(r.phys) === kbytes) {
        // user pages live in the arena too (here in the kernel range's chunk): one memmove, nothing allocated
        const at = mem.chunkOffset(r.phys) + off;
        if (toUser) kbytes.copyWithin(at, from, from + n);
        else kbytes.copyWithin(from, at, at + n);
      } else if (toUser) r.bytes.set(kbytes.subarray(from, from + n), off);
      else kbytes.set(r.bytes.subarray(off, off + n), from);
      done += n;
    }
    k.charge(t, CAT.copy, Math.round(done * k.costs.copyPerByte));
    if (!toUser) kbytes.fill(0, kat + done, kat + len); // the uncopied tail (none when done)
    return len - done;
  }
}
