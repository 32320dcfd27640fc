import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { createKernel, type Kernel } from '../kernel.js';
import { takeSnapshot } from '../snapshot.js';
import { ArenaPool } from './arena-pool.js';
import { ARENA_CHUNK_BYTES, ArenaView } from './arena-view.js';
import { GFP_KERNEL, MAX_ARENA_BYTES, MAX_ARENA_BYTES_32BIT, POISON_FREE } from './memory.js';
import { PageAllocator } from './pages.js';

/**
 * An arena past 4 GiB (a 64-bit kernel's: a million pinned pages and their contexts): held in
 * 4 GiB chunks, addressed as one. Only the pages a test writes are mapped by the host.
 */

const GiB = 2 ** 30;

/**
 * An x86_64 kernel of 4 GiB + 16 MiB whose first chunk is all handed out already but for its
 * first 4 MiB block, which holds `lowObj` (a 64-byte object made first). Real addresses past
 * 2^32; the other tests use small chunks (arenaChunkBytes), the same code at a few MiB.
 */
function highKernel(): { k: Kernel; t: ReturnType<Kernel['spawn']>; owner: number; lowObj: number } {
  const k = createKernel({
    arch: 'x86_64',
    cost: 'p4-2006',
    seed: 1,
    arenaBytes: 4 * GiB + (16 << 20),
    arenaPool: null,
  });
  const t = k.spawn(k.createProcess(), 'main');
  const owner = k.mem.tag('filler');
  const lowObj = k.mem.kmalloc(t, 64, GFP_KERNEL, owner, owner);
  // every 4 MiB block of the first chunk but block 0 (page 0, the thread's stack, lowObj's slab): never written
  for (let i = 1; i < 1024; i++) expect(k.mem.reservePages(10, owner)).toBe(i * 4 * 2 ** 20);
  return { k, t, owner, lowObj };
}

/**
 * An x86_64 kernel of three 4 MiB chunks: `lowObj` in the first, whose upper half is handed
 * out, so the next allocations go to the second chunk.
 */
function chunkedKernel(): { k: Kernel; t: ReturnType<Kernel['spawn']>; owner: number; lowObj: number } {
  const k = createKernel({
    arch: 'x86_64',
    cost: 'p4-2006',
    seed: 1,
    arenaBytes: 12 << 20,
    arenaChunkBytes: 4 << 20,
    arenaPool: null,
  });
  const t = k.spawn(k.createProcess(), 'main');
  const owner = k.mem.tag('filler');
  const lowObj = k.mem.kmalloc(t, 64, GFP_KERNEL, owner, owner);
  expect(k.mem.reservePages(9, owner)).toBe(2 << 20);
  return { k, t, owner, lowObj };
}

describe('ArenaView', () => {
  it('sends each access to the chunk holding its address', () => {
    const low = new Uint8Array(16);
    const mid = new Uint8Array(16);
    const last = new Uint8Array(8);
    const v = new ArenaView([low, mid, last]);
    expect(v.byteLength).toBe(40);
    expect(v.byteOffset).toBe(0);
    expect(v.buffer).toBe(low.buffer);
    expect(Object.prototype.toString.call(v)).toBe('[object DataView]');
    v.setUint32(4, 0xdeadbeef, true);
    v.setUint32(20, 0x01020304, false);
    v.setUint16(38, 0xaabb, true);
    expect([v.getUint32(4, true), v.getUint32(20, false), v.getUint16(38, true)]).toEqual([
      0xdeadbeef, 0x01020304, 0xaabb,
    ]);
    expect([low[4], mid[4], mid[7], last[6], last[7]]).toEqual([0xef, 1, 4, 0xbb, 0xaa]);
    expect(low[20 - 16]).toBe(0xef); // the low chunk's byte 4 is its own, not address 20's
    v.setUint8(16, 0x77); // the first byte of the second chunk
    expect([v.getUint8(16), mid[0], low[0]]).toEqual([0x77, 0x77, 0]);
    v.setUint8(15, 0x66); // the last of the first
    expect([v.getUint8(15), low[15], mid[15]]).toEqual([0x66, 0x66, 0]);
    expect(() => v.getUint32(38, true)).toThrow(RangeError); // past the last chunk's end
    expect(() => v.getUint8(40)).toThrow(RangeError); // past the arena
    expect(() => v.getUint8(48)).toThrow(RangeError); // past the arena, where no chunk is
    expect(() => v.getUint8(-1)).toThrow(RangeError);
    // chunks of one size: the arena's end is a chunk boundary, and past it is past the arena
    const whole = new ArenaView([new Uint8Array(16), new Uint8Array(16)]);
    expect(whole.byteLength).toBe(32);
    whole.setUint8(31, 9);
    expect(whole.getUint8(31)).toBe(9);
    expect(() => whole.getUint8(32)).toThrow(RangeError);
    expect(() => whole.setUint8(33, 1)).toThrow(RangeError);
  });

  it('every accessor reads back what it wrote, through the same offsets as a DataView', () => {
    const bytes = new Uint8Array(64);
    const v = new ArenaView([bytes]);
    const d = new DataView(bytes.buffer);
    v.setInt8(0, -2);
    v.setUint8(1, 250);
    v.setInt16(2, -300, true);
    v.setUint16(4, 60000, false);
    v.setInt32(8, -70000, true);
    v.setUint32(12, 4000000000, false);
    v.setFloat32(16, 1.5, true);
    v.setFloat64(24, -2.25, false);
    v.setBigInt64(32, -5n, true);
    v.setBigUint64(40, 2n ** 63n, false);
    expect([v.getInt8(0), v.getUint8(1), v.getInt16(2, true), v.getUint16(4, false)]).toEqual([
      -2, 250, -300, 60000,
    ]);
    expect([
      v.getInt32(8, true),
      v.getUint32(12, false),
      v.getFloat32(16, true),
      v.getFloat64(24, false),
    ]).toEqual([-70000, 4000000000, 1.5, -2.25]);
    expect([v.getBigInt64(32, true), v.getBigUint64(40, false)]).toEqual([-5n, 2n ** 63n]);
    expect([
      d.getInt16(2, true),
      d.getUint16(4, false),
      d.getUint32(12, false),
      d.getFloat64(24, false),
    ]).toEqual([-300, 60000, 4000000000, -2.25]);
    expect(d.getBigUint64(40, false)).toBe(2n ** 63n);
    expect(() => v.getUint8(-1)).toThrow(RangeError);
  });
});

describe('PageAllocator chunks', () => {
  it('a run never crosses a chunk boundary; aligned blocks never can', () => {
    const p = new PageAllocator(64, 16);
    expect(p.allocRun(10)).toBe(1); // pages 1-10 (page 0 is reserved)
    expect(p.allocRun(10)).toBe(16); // 11-20 would cross into the second chunk at 16
    expect(p.allocRun(6)).toBe(26);
    expect(p.allocRun(16)).toBe(32); // a whole chunk
    expect(p.allocRun(17)).toBe(-1); // more than a chunk: never
    expect(p.allocRun(10)).toBe(48);
    expect(p.allocRun(7)).toBe(-1); // 58-63 and 11-15 are too short
    expect(p.allocRun(5)).toBe(58);
    expect(p.allocRun(5)).toBe(11); // the wrap-around finds the hole before the second chunk
    expect(p.alloc(2)).toBe(-1); // aligned blocks of 4: none left
    const whole = new PageAllocator(64);
    expect(whole.allocRun(40)).toBe(1); // one chunk: runs as long as the arena
  });
});

describe('an arena past 4 GiB', () => {
  it('is refused with 32-bit words, and past 16 GiB', () => {
    const make = (arch: string, arenaBytes: number) => () =>
      createKernel({ arch, cost: 'p4-2006', seed: 1, arenaBytes, arenaPool: null });
    expect(make('i386', MAX_ARENA_BYTES_32BIT + 4096)).toThrow(InvalidArgumentError);
    expect(make('i386', MAX_ARENA_BYTES_32BIT + 4096)).toThrow(/1 to 4294967296/);
    expect(make('x86_64', MAX_ARENA_BYTES + 4096)).toThrow(/1 to 17179869184/);
    const chunked = (arenaChunkBytes: number) => () =>
      createKernel({
        arch: 'x86_64',
        cost: 'p4-2006',
        seed: 1,
        arenaBytes: 8 << 20,
        arenaChunkBytes,
        arenaPool: null,
      });
    expect(chunked(6 << 20)).toThrow(/arenaChunkBytes: 6291456 \(accepted: a power of two\)/);
    expect(chunked(2 << 20)).toThrow(
      /arenaChunkBytes: 2097152 \(accepted: an integer from 4194304 to 4294967296\)/,
    );
    expect(chunked(8 * GiB)).toThrow(/arenaChunkBytes/);
    expect(chunked(4 << 20)().mem.chunkSize).toBe(4 << 20);
    expect(chunked(16 << 20)().mem.chunkSize).toBe(8 << 20); // one chunk: the arena
    expect(chunked(16 << 20)().mem.view).toBeInstanceOf(DataView);
    const uneven = createKernel({
      arch: 'x86_64',
      cost: 'p4-2006',
      seed: 1,
      arenaBytes: 10 << 20,
      arenaChunkBytes: 4 << 20,
      arenaPool: null,
    });
    expect(uneven.mem.view.byteLength).toBe(10 << 20); // chunks of 4, 4 and 2 MiB
    expect(uneven.mem.chunkBytes(9 << 20).length).toBe(2 << 20);
    expect(uneven.mem.chunkOffset(9 << 20)).toBe(1 << 20);
    expect(MAX_ARENA_BYTES).toBe(16 * GiB);
    expect(ARENA_CHUNK_BYTES).toBe(4 * GiB);
  });

  it('objects past 4 GiB: words, checks, poison, frees and the leak list', () => {
    const rssBefore = process.memoryUsage().rss;
    const { k, t } = highKernel();
    expect(k.mem.view).toBeInstanceOf(ArenaView);
    expect(k.mem.u8.length).toBe(4 * GiB);
    expect(k.mem.view.byteLength).toBe(4 * GiB + (16 << 20)); // a second chunk of 16 MiB
    const owner = k.mem.tag('high');
    const a = k.mem.kmalloc(t, 4096, GFP_KERNEL, owner, owner);
    const b = k.mem.kmalloc(t, 100, GFP_KERNEL, owner, owner);
    expect(a).toBeGreaterThanOrEqual(4 * GiB);
    expect(b).toBeGreaterThanOrEqual(4 * GiB);
    k.mem.writeWord(a + 8, 2 ** 40 + 5); // a pointer past 4 GiB fits a 64-bit word
    expect(k.mem.readWord(a + 8)).toBe(2 ** 40 + 5);
    expect(k.mem.chunkBytes(a)[k.mem.chunkOffset(a) + 8]).toBe(5);
    expect(k.mem.chunkOffset(a)).toBe(a - 4 * GiB);
    expect(k.mem.chunkBytes(a)).not.toBe(k.mem.u8);
    expect(k.mem.chunkBytes(4096)).toBe(k.mem.u8);
    expect(k.mem.chunkOffset(4096)).toBe(4096);
    k.mem.view.setUint16(b + 2, 0xbeef, true);
    expect(Array.from(k.mem.bytesAt(b + 2, 2))).toEqual([0xef, 0xbe]);
    k.mem.fillBytes(b, 4, 0x11);
    expect(k.mem.view.getUint32(b, true)).toBe(0x11111111);
    expect(k.mem.access(t, b + 100, 28, false, owner)).toBe(true);
    expect(k.mem.access(t, b + 120, 16, false, owner)).toBe(false); // past size-128's object
    const since = k.mem.liveObjectsSince().map((o) => [o.addr, o.cache]);
    expect(since).toEqual([since[0], [a, 'size-4096'], [b, 'size-128']]); // lowObj first
    expect(since[0]![0]).toBeLessThan(4 * GiB);
    k.mem.kfree(t, a);
    expect(k.mem.bytesAt(a, 4096).every((x) => x === POISON_FREE)).toBe(true);
    expect(k.mem.access(t, a, 4, false, owner)).toBe(false);
    k.mem.kfree(t, a);
    k.mem.kfree(t, b + 8);
    expect(k.bugs.map((x) => x.kind)).toEqual([
      'out-of-bounds',
      'use-after-free',
      'double-free',
      'invalid-free',
    ]);
    expect(k.mem.kmalloc(t, 4096, GFP_KERNEL, owner, owner)).toBe(a); // the CPU's array gives it back
    k.mem.kfree(t, b);
    expect(
      k.mem
        .liveObjectsSince()
        .map((o) => o.addr)
        .slice(1),
    ).toEqual([a]);
    // 4 GiB + 16 MiB of arena, a few pages written: the host maps what was touched
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 << 20);
  });

  it('page blocks and vmalloc ranges past the first chunk: zeroed, poisoned, given back, never across chunks', () => {
    const { k, t, owner } = chunkedKernel();
    expect(k.mem.view).toBeInstanceOf(ArenaView);
    expect(k.mem.chunkSize).toBe(4 << 20);
    const pages = k.mem.allocPages(t, 2, GFP_KERNEL, owner, owner);
    expect(pages).toBe(4 << 20);
    k.mem.fillBytes(pages, 4 * 4096, 0x22);
    k.mem.freePages(t, pages, 2);
    expect(k.mem.bytesAt(pages, 4 * 4096).every((x) => x === POISON_FREE)).toBe(true);
    const v = k.mem.vmalloc(t, 3 * 4096, owner, owner); // the hint went back to the freed block
    expect(v).toBe(pages);
    expect(k.mem.bytesAt(v, 3 * 4096).every((x) => x === 0)).toBe(true); // zeroed over the poison
    k.mem.vfree(t, v);
    expect(k.mem.bytesAt(v, 3 * 4096).every((x) => x === POISON_FREE)).toBe(true);
    // 3 MiB ranges: the first from the hint, the next one not across the second chunk's end
    const big = k.mem.vmalloc(t, 3 << 20, owner, owner);
    expect(big).toBe(4 << 20);
    const next = k.mem.vmalloc(t, 3 << 20, owner, owner);
    expect(next).toBe(8 << 20);
    k.mem.fillBytes(next + (3 << 20) - 8, 8, 0x33);
    expect(k.mem.view.getBigUint64(next + (3 << 20) - 8, true)).toBe(0x3333333333333333n);
    expect(k.mem.chunkBytes(next)).not.toBe(k.mem.chunkBytes(big));
    expect(k.mem.chunkOffset(next)).toBe(0);
    expect(k.bugs).toEqual([]);
  });

  it('user copies to and from objects past 4 GiB, user pages in either chunk', () => {
    const { k, t, owner, lowObj } = highKernel();
    expect(lowObj).toBeLessThan(4 * 2 ** 20);
    const mm = t.process.mm;
    const u = mm.mmap(4096); // a user page from the arena: past 4 GiB too
    const kaddr = k.mem.kmalloc(t, 256, GFP_KERNEL, owner, owner);
    expect(kaddr).toBeGreaterThanOrEqual(4 * GiB);
    mm.write(u, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(k.uaccess.copyFromUser(t, kaddr, u, 8)).toBe(0);
    expect(Array.from(k.mem.bytesAt(kaddr, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    k.mem.writeWord(kaddr + 8, 0x0a0b0c0d);
    expect(k.uaccess.copyToUser(t, u + 16, kaddr + 8, 4)).toBe(0);
    expect(Array.from(mm.read(u + 16, 4))).toEqual([0x0d, 0x0c, 0x0b, 0x0a]);
    // a short copy from user memory zeroes the kernel tail (past the mapping: a hole)
    k.mem.fillBytes(kaddr, 16, 0xff);
    expect(k.uaccess.copyFromUser(t, kaddr, u + 4096 - 4, 16)).toBe(12);
    expect(Array.from(k.mem.bytesAt(kaddr, 16))).toEqual([0, 0, 0, 0, ...new Array(12).fill(0)]);
    // an object in the first chunk copies to and from the same high user page
    k.mem.fillBytes(lowObj, 4, 0x5a);
    expect(k.uaccess.copyToUser(t, u + 32, lowObj, 4)).toBe(0);
    expect(Array.from(mm.read(u + 32, 4))).toEqual([0x5a, 0x5a, 0x5a, 0x5a]);
    expect(k.uaccess.copyFromUser(t, lowObj, u, 4)).toBe(0);
    expect(Array.from(k.mem.bytesAt(lowObj, 4))).toEqual([1, 2, 3, 4]);
    expect(k.bugs).toEqual([]);
  });

  it('a snapshot saves and restores every chunk; pages used since are zeroed, in any chunk', () => {
    const { k, t, owner } = chunkedKernel();
    const a = k.mem.kmalloc(t, 100, GFP_KERNEL, owner, owner);
    k.mem.writeWord(a, 0x1234);
    const snap = takeSnapshot([k]);
    k.mem.writeWord(a, 0x5678);
    const page = k.mem.allocPages(t, 1, GFP_KERNEL, owner, owner);
    expect(page).toBeGreaterThanOrEqual(4 << 20);
    k.mem.fillBytes(page, 8192, 0xaa);
    const third = k.mem.vmalloc(t, 4 << 20, owner, owner); // the whole third chunk
    expect(third).toBe(8 << 20);
    k.mem.fillBytes(third + (4 << 20) - 4, 4, 0xcc);
    snap.restore();
    expect(k.mem.readWord(a)).toBe(0x1234);
    expect(a).toBeGreaterThanOrEqual(4 << 20);
    expect(k.mem.bytesAt(page, 8192).every((x) => x === 0)).toBe(true);
    expect(k.mem.view.getUint32(third + (4 << 20) - 4, true)).toBe(0);
    expect(k.mem.allocPages(t, 1, GFP_KERNEL, owner, owner)).toBe(page); // the same again
    k.mem.writeWord(a, 0x9999);
    snap.restore(); // again: the saved bytes are a copy, not the live arena
    expect(k.mem.readWord(a)).toBe(0x1234);
  });
});

describe('arena pools and chunks', () => {
  it('a pooled arena goes only to a kernel of the same size in the same chunks', () => {
    const pool = new ArenaPool();
    const make = (arenaChunkBytes: number) =>
      createKernel({
        arch: 'x86_64',
        cost: 'p4-2006',
        seed: 1,
        arenaBytes: 8 << 20,
        arenaChunkBytes,
        arenaPool: pool,
      });
    const a = make(4 << 20);
    const t = a.spawn(a.createProcess(), 'main');
    a.mem.reservePages(9, 0);
    const high = a.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    expect(high).toBeGreaterThanOrEqual(4 << 20);
    a.mem.writeWord(high, 0xfeed);
    a.dispose();
    expect(pool.arenaCount).toBe(1);
    const b = make(8 << 20); // one chunk of 8 MiB: not the pooled two
    expect(pool.arenaCount).toBe(1);
    expect(b.mem.view).toBeInstanceOf(DataView);
    const c = make(4 << 20);
    expect(pool.arenaCount).toBe(0);
    expect(c.mem.view).toBeInstanceOf(ArenaView);
    expect(c.mem.bytesAt(high, 8).every((x) => x === 0)).toBe(true); // zeroed past the first chunk too
  });
});
