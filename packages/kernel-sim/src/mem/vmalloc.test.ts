import { describe, expect, it } from 'vitest';
import { oneThread, testKernel } from '../test-util.js';
import { AddressSpace, PROT_READ, UserSegfault } from '../uaccess.js';
import { POISON_FREE } from './memory.js';

describe('vmalloc / vfree', () => {
  it('gives zeroed whole pages, any number of them, charged to the owner and half a page allocation each', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const owner = k.mem.tag('smpl');
    const before = k.mem.pages.inUse;
    const cycles = t.clock.total;
    k.mem.u8.fill(0x5a);
    const a = k.mem.vmalloc(t, 3 * 4096 + 512, owner, owner);
    expect(a % 4096).toBe(0);
    expect(k.mem.pages.inUse - before).toBe(4);
    expect(k.mem.u8.subarray(a, a + 4 * 4096).every((b) => b === 0)).toBe(true);
    expect(k.mem.ownerLiveBytes('smpl')).toBe(4 * 4096);
    expect(t.clock.total - cycles).toBe(4 * Math.round(k.costs.pageAllocFree / 2));
    // three pages: not rounded up to a power of two
    const b = k.mem.vmalloc(t, 3 * 4096, owner, owner);
    expect(k.mem.pages.inUse - before).toBe(7);
    k.mem.vfree(t, a);
    expect(k.mem.pages.inUse - before).toBe(3);
    expect(k.mem.u8[a]).toBe(POISON_FREE);
    expect(k.mem.ownerLiveBytes('smpl')).toBe(3 * 4096);
    k.mem.vfree(null, b);
    expect(k.mem.pages.inUse).toBe(before);
    expect(k.bugs).toEqual([]);
  });

  it('returns 0 when no run of free pages is long enough, or when fault injection fails it', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    expect(k.mem.vmalloc(t, 1 << 20, 0, 0)).toBe(0);
    const f = testKernel({ faults: { failslab: { nth: 1 } } });
    expect(f.mem.vmalloc(oneThread(f).t, 4096, 0, 0)).toBe(0);
    expect(() => k.mem.vmalloc(t, 0, 0, 0)).toThrow(/vmalloc size: 0/);
  });

  it('a vfree of anything not vmalloc-ed is an invalid free', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.vmalloc(t, 8192, 0, 0);
    k.mem.vfree(t, a + 4096);
    k.mem.vfree(t, a + 1);
    k.mem.vfree(t, a);
    k.mem.vfree(t, a);
    expect(k.bugs.map((b) => b.kind)).toEqual(['invalid-free', 'invalid-free', 'invalid-free']);
  });
});

describe('kernel pages mapped into a process', () => {
  it("the process reads the kernel's bytes; a read-only mapping refuses writes; the callback runs once all pages are gone", () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const kaddr = k.mem.vmalloc(t, 2 * 4096, 0, 0);
    const mm = t.process.mm;
    let unmapped = 0;
    const u = mm.mapKernelPages(kaddr, 2 * 4096, PROT_READ, () => unmapped++);
    k.mem.view.setUint32(kaddr + 4096 + 8, 0xdeadbeef, true);
    expect(mm.dataView(u + 4096 + 8, 4, false).getUint32(0, true)).toBe(0xdeadbeef);
    expect(() => mm.write(u, Uint8Array.of(1))).toThrow(UserSegfault);
    expect(mm.describe(u)).toBe('mapped r- present');
    mm.munmap(u, 4096);
    expect(unmapped).toBe(0);
    mm.munmap(u, 2 * 4096);
    mm.munmap(u, 2 * 4096);
    expect(unmapped).toBe(1);
    expect(mm.describe(u + 4096)).toBe('unmapped');
    // a mapping without a callback
    expect(mm.mapKernelPages(kaddr, 4096, PROT_READ)).toBeGreaterThan(u);
  });

  it('0 when the address space has no room; pages outside the arena or no arena at all are a caller bug', () => {
    const arena = new Uint8Array(8 * 4096);
    const bytes = (phys: number, size: number) => arena.subarray(phys, phys + size);
    const physical = { alloc: () => -1, bytes, arenaBytes: arena.length };
    const mm = new AddressSpace(4096, 0x10000, 0x10000 + 3 * 4096, physical);
    expect(mm.mapKernelPages(4096, 2 * 4096, PROT_READ)).toBe(0x10000);
    expect(mm.mapKernelPages(4096, 4096, PROT_READ)).toBe(0);
    expect(() => mm.mapKernelPages(7 * 4096, 2 * 4096, PROT_READ)).toThrow(/mapped kernel pages/);
    expect(() => new AddressSpace(4096, 0x10000, 0x20000).mapKernelPages(0, 4096, PROT_READ)).toThrow(
      /an address space backed by the arena/,
    );
  });
});
