import { describe, expect, it } from 'vitest';
import { testKernel } from '../test-util.js';
import { GFP_ATOMIC, GFP_KERNEL, POISON_FREE } from './memory.js';
import { PageAllocator } from './pages.js';

/** __get_free_pages / free_pages and the access checks on page memory. */
function setup(opts: Parameters<typeof testKernel>[0] = {}) {
  const k = testKernel(opts);
  const p = k.createProcess();
  const t = k.spawn(p, 'main');
  const owner = k.mem.tag('pfm_smpl_buf');
  const site = k.mem.tag('alloc site');
  return { k, t, owner, site };
}

describe('page allocator', () => {
  it('gives 2^order aligned pages, accounts them to the owner, and charges half the pair each way', () => {
    const { k, t, owner, site } = setup();
    const page = k.mem.pageSize;
    const addr = k.mem.allocPages(t, 2, GFP_KERNEL, owner, site);
    expect(addr).toBeGreaterThan(0);
    expect(addr % page).toBe(0);
    expect(k.mem.ownerLiveBytes(owner)).toBe(4 * page);
    const half = Math.round(k.costs.pageAllocFree / 2);
    expect(t.clock.breakdown().alloc).toBe(half);
    // the whole block is usable, from its first to its last byte
    expect(k.mem.access(t, addr, 4 * page, true, site)).toBe(true);
    k.mem.freePages(t, addr, 2);
    expect(k.mem.ownerLiveBytes(owner)).toBe(0);
    expect(k.mem.ownerHighWater(owner)).toBe(4 * page);
    expect(t.clock.breakdown().alloc).toBe(k.costs.pageAllocFree);
    expect(k.bugs).toEqual([]);
  });

  it('poisons freed pages and reports any later access to them as use after free', () => {
    const { k, t, owner, site } = setup();
    const page = k.mem.pageSize;
    const addr = k.mem.allocPages(t, 1, GFP_KERNEL, owner, site);
    k.mem.writeWord(addr, 1234);
    k.mem.freePages(t, addr, 1);
    expect(k.mem.readWord(addr + 2 * page - 8) & 0xff).toBe(POISON_FREE);
    expect(k.mem.readWord(addr) & 0xff).toBe(POISON_FREE);
    expect(k.mem.access(t, addr + page, 8, false, site)).toBe(false);
    expect(k.mem.access(t, addr, 8, true, site)).toBe(false);
    expect(k.bugs.map((b) => [b.kind, b.message])).toEqual([
      ['use-after-free', `read at 0x${(addr + page).toString(16)} in a free page`],
      ['use-after-free', `write at 0x${addr.toString(16)} in a free page`],
    ]);
  });

  it('free_pages of what was not allocated so is an invalid free, and frees nothing', () => {
    const { k, t, owner, site } = setup();
    const page = k.mem.pageSize;
    const addr = k.mem.allocPages(t, 1, GFP_KERNEL, owner, site);
    k.mem.freePages(t, addr, 0); // wrong order
    k.mem.freePages(t, addr + page, 0); // a tail page
    k.mem.freePages(t, addr + 8, 1); // not page aligned
    expect(k.bugs.map((b) => b.message)).toEqual([
      `free_pages(0x${addr.toString(16)}, 0) of pages not allocated so`,
      `free_pages(0x${(addr + page).toString(16)}, 0) of pages not allocated so`,
      `free_pages(0x${(addr + 8).toString(16)}, 1) of pages not allocated so`,
    ]);
    expect(k.bugs.map((b) => b.kind)).toEqual(['invalid-free', 'invalid-free', 'invalid-free']);
    expect(k.mem.ownerLiveBytes(owner)).toBe(2 * page);
    expect(k.mem.access(t, addr, 2 * page, false, site)).toBe(true);
  });

  it('GFP_KERNEL may sleep (a bug under a spinlock); GFP_ATOMIC may not', () => {
    const { k, t, owner, site } = setup();
    const lock = k.sync.createSpinlock('l');
    k.sync.spinLock(t, lock);
    const atomic = k.mem.allocPages(t, 0, GFP_ATOMIC, owner, site);
    expect(k.bugs).toEqual([]);
    const sleeping = k.mem.allocPages(t, 0, GFP_KERNEL, owner, site);
    k.sync.spinUnlock(t, lock);
    expect(k.bugs.map((b) => b.message)).toEqual([
      'sleeping function called from invalid context: alloc_pages(GFP_KERNEL) called',
    ]);
    expect(atomic).toBeGreaterThan(0);
    expect(sleeping).toBeGreaterThan(0);
  });

  it('when memory runs out, a sleepable allocation reclaims through the shrinkers; an atomic one fails', () => {
    const { k, t, owner, site } = setup();
    const held: number[] = [];
    for (;;) {
      const a = k.mem.allocPages(t, 0, GFP_ATOMIC, owner, site);
      if (a === 0) break;
      held.push(a);
    }
    expect(held.length).toBeGreaterThan(16);
    const calls: number[] = [];
    k.mem.registerShrinker('test cache', (_t, wanted) => {
      calls.push(wanted);
      k.mem.freePages(null, held.pop()!, 0);
      return k.mem.pageSize;
    });
    expect(k.mem.allocPages(t, 0, GFP_ATOMIC, owner, site)).toBe(0);
    expect(calls).toEqual([]);
    const got = k.mem.allocPages(t, 0, GFP_KERNEL, owner, site);
    expect(got).toBeGreaterThan(0);
    expect(calls).toEqual([k.mem.pageSize]);
    expect(k.mem.allocPages(t, 1, GFP_KERNEL, owner, site)).toBe(0); // one page freed: no pair
  });

  it('reserved pages (boot time) cost nothing and are accounted', () => {
    const { k, t, owner } = setup();
    const before = t.clock.total;
    const addr = k.mem.reservePages(1, owner);
    expect(addr % k.mem.pageSize).toBe(0);
    expect(k.mem.ownerLiveBytes(owner)).toBe(2 * k.mem.pageSize);
    expect(t.clock.total).toBe(before);
    expect(k.mem.access(t, addr + k.mem.pageSize, 8, true, owner)).toBe(true);
    k.mem.freePages(null, addr, 1);
    expect(k.mem.ownerLiveBytes(owner)).toBe(0);
    expect(k.bugs).toEqual([]);
  });

  it('checks the order it is given', () => {
    const { k, t, owner, site } = setup();
    expect(() => k.mem.allocPages(t, 11, GFP_KERNEL, owner, site)).toThrow(/page order/);
    expect(() => k.mem.allocPages(t, -1, GFP_KERNEL, owner, site)).toThrow(/page order/);
  });
});

describe('kernel accesses', () => {
  it('an access outside the arena (or at address 0) is a wild access; an empty one is nothing', () => {
    const { k, t, site } = setup();
    const end = k.mem.pageSize * 256; // 1 MiB test arena
    expect(k.mem.access(t, 0, 8, false, site)).toBe(false);
    expect(k.mem.access(t, end, 8, true, site)).toBe(false);
    expect(k.mem.access(t, end + 4096, 0, true, site)).toBe(true);
    expect(k.bugs.map((b) => [b.kind, b.message])).toEqual([
      ['out-of-bounds', 'wild kernel access at 0x0'],
      ['out-of-bounds', `wild kernel access at 0x${end.toString(16)}`],
    ]);
  });

  it('words are 4 bytes on i386 and 8 on x86_64, little endian', () => {
    const small = setup({ arch: 'i386' });
    const a = small.k.mem.kmalloc(small.t, 32, GFP_KERNEL, 0, 0);
    small.k.mem.writeWord(a, 0x1234_5678);
    small.k.mem.writeWord(a + 4, 0x9abc);
    expect(small.k.mem.readWord(a)).toBe(0x1234_5678);
    const big = setup({ arch: 'x86_64' });
    const b = big.k.mem.kmalloc(big.t, 32, GFP_KERNEL, 0, 0);
    const value = 2 ** 40 + 0x1234_5678;
    big.k.mem.writeWord(b, value);
    expect(big.k.mem.readWord(b)).toBe(value);
    big.k.mem.writeWord(b + 8, 7);
    expect(big.k.mem.readWord(b + 8)).toBe(7);
    expect(big.k.mem.readWord(b)).toBe(value);
  });
});

describe('page allocator limits', () => {
  it('a block larger than the whole arena fails at once (it used to loop forever)', () => {
    const { k, t, owner, site } = setup(); // 1 MiB: 256 pages, page 0 reserved
    expect(k.mem.allocPages(t, 8, GFP_ATOMIC, owner, site)).toBe(0); // 256 pages
    expect(k.mem.allocPages(t, 9, GFP_ATOMIC, owner, site)).toBe(0);
    expect(k.mem.allocPages(t, 7, GFP_ATOMIC, owner, site)).toBeGreaterThan(0); // 128 still fit
    const mm = t.process.mm;
    const big = mm.mmap(2 << 20); // user memory the arena cannot hold: private bytes
    mm.write(big + (2 << 20) - 1, Uint8Array.of(9));
    expect(mm.read(big + (2 << 20) - 1, 1)[0]).toBe(9);
  });
});

describe('PageAllocator (next fit over aligned blocks)', () => {
  it('hands out naturally aligned blocks, never page 0, and counts pages in use and their peak', () => {
    const pages = new PageAllocator(64);
    expect(pages.alloc(0)).toBe(1);
    expect(pages.alloc(2)).toBe(4); // 4 pages: aligned to 4, not at 2
    expect(pages.alloc(0)).toBe(8);
    expect(pages.alloc(3)).toBe(16);
    expect(pages.inUse).toBe(1 + 4 + 1 + 8);
    expect(pages.highWaterIndex).toBe(23);
    pages.free(4, 2);
    expect(pages.inUse).toBe(10);
    expect(pages.alloc(0)).toBe(4);
    expect(pages.highWater).toBe(14); // the peak, not the 11 in use now
    expect(pages.highWaterIndex).toBe(23);
    expect(Array.from(pages.used.subarray(0, 10))).toEqual([1, 1, 0, 0, 1, 0, 0, 0, 1, 0]);
  });

  it('reuses the lowest freed block first, whatever order blocks were freed in', () => {
    const pages = new PageAllocator(16);
    const got = [1, 2, 3, 4].map(() => pages.alloc(0));
    expect(got).toEqual([1, 2, 3, 4]);
    pages.free(2, 0);
    pages.free(3, 0);
    expect([pages.alloc(0), pages.alloc(0), pages.alloc(0)]).toEqual([2, 3, 5]);
  });

  it('wraps around to the start of the arena when the end is full', () => {
    const pages = new PageAllocator(16);
    for (let i = 1; i < 16; i++) expect(pages.alloc(0)).toBe(i);
    expect(pages.alloc(0)).toBe(-1);
    pages.free(3, 0);
    pages.free(15, 0);
    pages.alloc(0); // takes 3, the lowest free page; the hint moves past it
    expect(pages.alloc(0)).toBe(15);
    pages.free(2, 0);
    expect(pages.alloc(0)).toBe(2);
  });

  it('wraps for a block too: from the end, back to the first aligned free block', () => {
    const pages = new PageAllocator(16);
    expect(pages.alloc(2)).toBe(4);
    expect(pages.alloc(2)).toBe(8);
    expect(pages.alloc(2)).toBe(12);
    expect(pages.alloc(2)).toBe(-1); // 0..3 holds page 0
    expect(pages.alloc(1)).toBe(2); // from the end (16) back to 2, the first aligned pair
    expect(pages.alloc(0)).toBe(1);
    expect(pages.alloc(0)).toBe(-1);
  });

  it('fails a block that only fits across used pages, while single pages still fit', () => {
    const pages = new PageAllocator(16);
    for (let i = 1; i < 16; i++) pages.alloc(0);
    for (const p of [2, 5, 9, 14]) pages.free(p, 0);
    expect(pages.alloc(1)).toBe(-1);
    expect(pages.alloc(0)).toBe(2);
    expect(pages.inUse).toBe(12);
  });

  it('allocRun (vmalloc) is next fit too: a run past the hint first, then one before it', () => {
    const pages = new PageAllocator(16);
    expect(pages.alloc(0)).toBe(1);
    expect(pages.alloc(2)).toBe(4); // pages 2 and 3 stay free, the hint is at 8
    expect(pages.allocRun(2)).toBe(8); // first fit would take 2..3
    expect(pages.allocRun(6)).toBe(10); // up to the end of the arena
    expect(pages.allocRun(2)).toBe(2); // nothing past the hint: the second pass, from page 1
    expect(pages.allocRun(1)).toBe(-1);
    expect(pages.inUse).toBe(15);
  });

  it('in an arena that is not a power of two pages, never hands out a block past its end', () => {
    const pages = new PageAllocator(20);
    expect(pages.alloc(3)).toBe(8);
    expect(pages.alloc(3)).toBe(-1); // 16..23 would run past page 19
    expect(pages.alloc(2)).toBe(16);
    expect(pages.alloc(2)).toBe(4);
    expect(pages.alloc(2)).toBe(-1);
  });

  it('finds the last free aligned block of the arena', () => {
    const pages = new PageAllocator(16);
    for (let i = 1; i < 14; i++) pages.alloc(0);
    expect(pages.alloc(1)).toBe(14);
    expect(pages.highWaterIndex).toBe(15);
    expect(pages.alloc(0)).toBe(-1);
  });
});

describe('runs of pages (vmalloc)', () => {
  it('finds any number of contiguous free pages, next fit, wrapping round to the start; never page 0', () => {
    const pages = new PageAllocator(16);
    expect(pages.allocRun(3)).toBe(1);
    expect(pages.allocRun(5)).toBe(4);
    expect(pages.allocRun(7)).toBe(9);
    expect(pages.allocRun(1)).toBe(-1);
    expect([pages.inUse, pages.highWater, pages.highWaterIndex]).toEqual([15, 15, 15]);
    pages.freeRun(1, 3);
    pages.freeRun(9, 2);
    // from the hint (16) nothing; from the start, the first run long enough
    expect(pages.allocRun(3)).toBe(1);
    expect(pages.allocRun(2)).toBe(9);
    expect(pages.allocRun(1)).toBe(-1);
    expect(pages.inUse).toBe(15);
    pages.freeRun(4, 5);
    pages.freeRun(11, 2);
    expect(pages.allocRun(2)).toBe(4);
    // next fit from the hint (6): 6-7, then 11-12 (page 8 alone is too short)
    expect(pages.allocRun(2)).toBe(6);
    expect(pages.allocRun(2)).toBe(11);
    expect(pages.allocRun(16)).toBe(-1);
  });
});
