import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GFP_KERNEL } from './mem/memory.js';
import { oneThread, testKernel } from './test-util.js';
import { AddressSpace, PROT_READ, UserSegfault } from './uaccess.js';

function setup(opts = {}) {
  const k = testKernel(opts);
  const { t } = oneThread(k);
  const mm = t.process.mm;
  const kbuf = k.mem.kmalloc(t, 8192, GFP_KERNEL, 0, 0);
  return { k, t, mm, kbuf };
}

describe('copy_from_user / copy_to_user', () => {
  it('copies and charges fixed + per-byte cost', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(4096);
    mm.write(u, new Uint8Array(704).fill(7));
    const before = t.clock.total;
    expect(k.uaccess.copyFromUser(t, kbuf, u, 704)).toBe(0);
    expect(t.clock.total - before).toBe(60 + Math.round(704 * 0.4));
    expect(k.mem.u8.subarray(kbuf, kbuf + 704).every((b) => b === 7)).toBe(true);
    k.mem.u8.fill(9, kbuf, kbuf + 16);
    expect(k.uaccess.copyToUser(t, u, kbuf, 16)).toBe(0);
    expect([...mm.read(u, 17)]).toEqual([...new Array(16).fill(9), 7]);
  });

  it('stops at a hole, returns the bytes not copied and zero-fills the kernel tail', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(8192);
    mm.write(u, new Uint8Array(8192).fill(5));
    mm.munmap(u + 4096, 4096);
    k.mem.u8.fill(0xaa, kbuf, kbuf + 8192);
    const left = k.uaccess.copyFromUser(t, kbuf, u + 4000, 200);
    expect(left).toBe(104);
    expect(k.mem.u8[kbuf + 95]).toBe(5);
    expect(k.mem.u8.subarray(kbuf + 96, kbuf + 200).every((b) => b === 0)).toBe(true);
    expect(k.mem.u8[kbuf + 200]).toBe(0xaa);
  });

  it('copies nothing for NULL, a read-only destination or an address past the user limit', () => {
    const { k, t, mm, kbuf } = setup();
    expect(k.uaccess.copyFromUser(t, kbuf, 0, 48)).toBe(48);
    const ro = mm.mmap(4096, PROT_READ);
    expect(k.uaccess.copyToUser(t, ro, kbuf, 48)).toBe(48);
    expect(k.uaccess.copyFromUser(t, kbuf, ro, 48)).toBe(0);
    expect(k.uaccess.copyFromUser(t, kbuf, 0xbffffff0, 48)).toBe(48);
    expect(k.bugs).toHaveLength(0);
  });

  it('takes a minor fault on a not-present page, once', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(8192, PROT_READ | 2, { populate: false });
    const before = t.clock.breakdown().fault;
    expect(k.uaccess.copyFromUser(t, kbuf, u + 4090, 12)).toBe(0);
    expect(t.clock.breakdown().fault - before).toBe(2 * k.costs.minorFault);
    expect(k.uaccess.copyFromUser(t, kbuf, u + 4090, 12)).toBe(0);
    expect(t.clock.breakdown().fault - before).toBe(2 * k.costs.minorFault);
    expect(k.uaccess.faults).toBe(2);
  });

  it('flags a copy under a spinlock (sleeping function called from invalid context)', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(4096);
    const lock = k.sync.createSpinlock('ctx->lock');
    k.uaccess.copyFromUser(t, kbuf, u, 48);
    expect(k.bugs).toHaveLength(0);
    k.sync.spinLock(t, lock);
    k.uaccess.copyFromUser(t, kbuf, u, 48);
    k.sync.spinUnlock(t, lock);
    expect(k.bugs.map((b) => b.kind)).toEqual(['sleep-in-atomic']);
    expect(k.bugs[0]!.message).toMatch(/copy_from_user/);
  });

  it('without DEBUG_ATOMIC_SLEEP flags only a copy that really faults under the lock', () => {
    const { k, t, mm, kbuf } = setup({ debugAtomicSleep: false });
    const u = mm.mmap(4096);
    const lock = k.sync.createSpinlock('ctx->lock');
    k.sync.spinLock(t, lock);
    k.uaccess.copyFromUser(t, kbuf, u, 48);
    expect(k.bugs).toHaveLength(0);
    mm.dropPages(u, 4096);
    k.uaccess.copyFromUser(t, kbuf, u, 48);
    k.sync.spinUnlock(t, lock);
    expect(k.bugs.map((b) => b.kind)).toEqual(['sleep-in-atomic']);
    expect(k.bugs[0]!.message).toMatch(/page fault in copy_from_user/);
  });

  it('fail_usercopy makes the nth copy fail whole', () => {
    const { k, t, mm, kbuf } = setup({ faults: { failUsercopy: { nth: 2 } } });
    const u = mm.mmap(4096);
    expect(k.uaccess.copyFromUser(t, kbuf, u, 48)).toBe(0);
    expect(k.uaccess.copyFromUser(t, kbuf, u, 48)).toBe(48);
    expect(k.uaccess.copyFromUser(t, kbuf, u, 48)).toBe(0);
  });

  it('user-mode accesses to holes are the program’s own segfault', () => {
    const { mm } = setup();
    const u = mm.mmap(4096);
    expect(() => mm.write(u + 4096, new Uint8Array(1))).toThrow(UserSegfault);
    expect(mm.describe(u)).toBe('mapped rw present');
    expect(mm.describe(u + 4096)).toBe('unmapped');
  });

  it('property: a copy over a region with a hole copies exactly the bytes before it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 4 * 4096 - 1 }),
        fc.integer({ min: 1, max: 6000 }),
        fc.boolean(),
        (holePage, start, len, toUser) => {
          const { k, t, mm, kbuf } = setup();
          const u = mm.mmap(4 * 4096);
          const pattern = Uint8Array.from({ length: 4 * 4096 }, (_, i) => (i * 7 + 3) & 0xff);
          mm.write(u, pattern);
          mm.munmap(u + holePage * 4096, 4096);
          const holeStart = u + holePage * 4096;
          const a = u + start;
          const end = Math.min(a + len, u + 4 * 4096 + 4096);
          const expectCopied =
            a >= holeStart && a < holeStart + 4096
              ? 0
              : a < holeStart
                ? Math.min(len, holeStart - a)
                : Math.min(len, u + 4 * 4096 - a);
          void end;
          k.mem.u8.fill(0x11, kbuf, kbuf + 8192);
          const left = toUser
            ? k.uaccess.copyToUser(t, a, kbuf, len)
            : k.uaccess.copyFromUser(t, kbuf, a, len);
          if (left !== len - expectCopied) return false;
          if (!toUser) {
            for (let i = 0; i < expectCopied; i++)
              if (k.mem.u8[kbuf + i] !== pattern[start + i]) return false;
            for (let i = expectCopied; i < len; i++) if (k.mem.u8[kbuf + i] !== 0) return false;
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('copies at the edges', () => {
  it('a zero-length copy does nothing, costs nothing and checks nothing', () => {
    const { k, t, kbuf } = setup();
    const before = t.clock.total;
    expect(k.uaccess.copyFromUser(t, kbuf, -5, 0)).toBe(0);
    expect(k.uaccess.copyToUser(t, 0, 0, 0)).toBe(0);
    expect(t.clock.total).toBe(before);
    expect(k.bugs).toEqual([]);
  });

  it('a range access_ok refuses: copy_from_user zero-fills the whole kernel buffer, copy_to_user touches nothing', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(4096);
    mm.write(u, new Uint8Array(64).fill(3));
    for (const bad of [-8, mm.userLimit - 16, u + 0.5]) {
      k.mem.u8.fill(0xaa, kbuf, kbuf + 64);
      const before = t.clock.total;
      expect(k.uaccess.copyFromUser(t, kbuf, bad, 32), `from ${bad}`).toBe(32);
      expect([...k.mem.u8.subarray(kbuf, kbuf + 33)]).toEqual([...new Array(32).fill(0), 0xaa]);
      expect(k.uaccess.copyToUser(t, bad, kbuf, 32), `to ${bad}`).toBe(32);
      expect(t.clock.total).toBe(before);
    }
    expect([...mm.read(u, 4)]).toEqual([3, 3, 3, 3]);
  });

  it('fail_usercopy: a failed copy in leaves zeros, a failed copy out leaves the user bytes', () => {
    const { k, t, mm, kbuf } = setup({ faults: { failUsercopy: { probability: 100 } } });
    const u = mm.mmap(4096);
    mm.write(u, new Uint8Array(16).fill(4));
    k.mem.u8.fill(0xaa, kbuf, kbuf + 16);
    expect(k.uaccess.copyFromUser(t, kbuf, u, 8)).toBe(8);
    expect([...k.mem.u8.subarray(kbuf, kbuf + 9)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0xaa]);
    expect(k.uaccess.copyToUser(t, u, kbuf + 8, 8)).toBe(8);
    expect([...mm.read(u, 8)]).toEqual(new Array(8).fill(4));
  });

  it('a copy from freed kernel memory is the kernel bug, not the user’s: nothing is copied', () => {
    const { k, t, mm } = setup();
    const u = mm.mmap(4096);
    const freed = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    k.mem.kfree(t, freed);
    expect(k.uaccess.copyToUser(t, u, freed, 16)).toBe(16);
    expect([...mm.read(u, 4)]).toEqual([0, 0, 0, 0]);
    expect(k.bugs.map((b) => b.kind)).toEqual(['use-after-free']);
  });

  it('across pages: copies out up to a read-only page, and in across a page made present by the copy', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(3 * 4096);
    mm.write(u + 8000, new Uint8Array(192).fill(8)); // the end of page 1
    mm.mprotect(u + 4096, 4096, PROT_READ);
    k.mem.u8.fill(6, kbuf, kbuf + 8192);
    expect(k.uaccess.copyToUser(t, u + 4000, kbuf, 200)).toBe(104);
    expect([...mm.read(u + 4094, 4)]).toEqual([6, 6, 0, 0]);
    mm.dropPages(u + 8192, 4096);
    const faults = k.uaccess.faults;
    expect(k.uaccess.copyFromUser(t, kbuf, u + 8000, 300)).toBe(0); // read-only page 1, then page 2
    expect(k.uaccess.faults).toBe(faults + 1);
    expect(k.mem.u8[kbuf + 191]).toBe(8);
    expect(k.mem.u8[kbuf + 192]).toBe(0);
  });
});

describe('user address spaces', () => {
  it('mmap rounds to pages, leaves a guard page between regions and refuses what does not fit', () => {
    const { mm } = setup();
    const a = mm.mmap(100);
    const b = mm.mmap(4097);
    expect(b - a).toBe(2 * 4096);
    const c = mm.mmap(1);
    expect(c - b).toBe(3 * 4096);
    expect(mm.describe(a + 4096)).toBe('unmapped');
    let regions = 0;
    expect(() => {
      for (;;) {
        mm.mmap(1 << 30);
        regions++;
      }
    }).toThrow(/fits the user address space/);
    expect(regions).toBe(2); // 3 GiB of i386 user space, less what is mapped already
    expect(() => mm.mmap(0)).toThrow(/mmap length/);
  });

  it('describes each page: protection and presence', () => {
    const { mm } = setup();
    const u = mm.mmap(3 * 4096, PROT_READ | 2, { populate: false });
    mm.mprotect(u + 4096, 4096, PROT_READ);
    mm.munmap(u + 8192, 4096);
    mm.mprotect(u + 8192, 4096, PROT_READ | 2); // mprotect does not map a hole
    expect([mm.describe(u), mm.describe(u + 4096), mm.describe(u + 8192)]).toEqual([
      'mapped rw not-present',
      'mapped r- not-present',
      'unmapped',
    ]);
    mm.write(u, new Uint8Array(1));
    expect(mm.describe(u + 4095)).toBe('mapped rw present');
    mm.mprotect(u, 4096, 0);
    expect(mm.describe(u)).toBe('mapped -- present');
    expect(mm.describe(0)).toBe('unmapped');
  });

  it('user memory starts zeroed, even where the arena held kernel data before', () => {
    const { k, t, mm } = setup();
    const junk = k.mem.allocPages(t, 2, GFP_KERNEL, 0, 0);
    k.mem.u8.fill(0x5a, junk, junk + 4 * 4096);
    k.mem.freePages(t, junk, 2);
    const u = mm.mmap(4 * 4096);
    expect(mm.read(u, 4 * 4096).every((b) => b === 0)).toBe(true);
  });

  it('the program’s own reads and writes span regions; a DataView must stay in one', () => {
    const { mm } = setup();
    const u = mm.mmap(2 * 4096);
    mm.write(u + 4000, new Uint8Array(200).fill(2));
    expect([...mm.read(u + 4094, 4)]).toEqual([2, 2, 2, 2]);
    const view = mm.dataView(u + 8192 - 8, 8, true);
    view.setUint32(4, 0xdeadbeef, true);
    expect([...mm.read(u + 8192 - 4, 4)]).toEqual([0xef, 0xbe, 0xad, 0xde]);
    expect(() => mm.dataView(u + 8192 - 4, 8, false)).toThrow(UserSegfault);
    const ro = mm.mmap(4096, PROT_READ);
    expect(() => mm.dataView(ro, 8, true)).toThrow(
      `user access to unmapped or protected address 0x${ro.toString(16)}`,
    );
    expect(mm.dataView(ro, 8, false).getUint32(0)).toBe(0);
  });
});

describe('copies: what moves where', () => {
  const pattern = (n: number, seed: number) =>
    Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

  it('byte for byte across pages, in both directions, in arena-backed and private user memory', () => {
    const { k, t, mm, kbuf } = setup();
    const arenaBacked = mm.mmap(3 * 4096);
    const privateBytes = mm.mmap(2 << 20); // more than the 1 MiB arena can hold
    for (const u of [arenaBacked, privateBytes]) {
      const data = pattern(6000, u & 0xff);
      mm.write(u + 1000, data);
      expect(k.uaccess.copyFromUser(t, kbuf, u + 1000, 6000)).toBe(0);
      expect(
        Buffer.compare(k.mem.u8.subarray(kbuf, kbuf + 6000), data),
        `copy in at 0x${u.toString(16)}`,
      ).toBe(0);
      const back = pattern(6000, 99);
      k.mem.u8.set(back, kbuf);
      expect(k.uaccess.copyToUser(t, u + 2000, kbuf, 6000)).toBe(0);
      expect(Buffer.compare(mm.read(u + 2000, 6000), back), `copy out at 0x${u.toString(16)}`).toBe(0);
    }
    expect(k.bugs).toEqual([]);
  });

  it('a copy out that stops early, or fails, leaves the kernel buffer as it was', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(4096);
    const data = pattern(200, 3);
    k.mem.u8.set(data, kbuf);
    expect(k.uaccess.copyToUser(t, u + 4000, kbuf, 200)).toBe(104); // the guard page
    expect(k.uaccess.copyToUser(t, -4, kbuf, 200)).toBe(200);
    expect([...k.mem.u8.subarray(kbuf, kbuf + 200)]).toEqual([...data]);
  });

  it('NULL passes access_ok and faults (fixed cost charged); a range past the limit does not get that far', () => {
    const { k, t, mm, kbuf } = setup();
    let before = t.clock.total;
    expect(k.uaccess.copyFromUser(t, kbuf, 0, 16)).toBe(16);
    expect(t.clock.total - before).toBe(k.costs.copyFixed);
    before = t.clock.total;
    expect(k.uaccess.copyFromUser(t, kbuf, mm.userLimit - 16, 16)).toBe(16); // ends at the limit
    expect(t.clock.total - before).toBe(k.costs.copyFixed);
    before = t.clock.total;
    expect(k.uaccess.copyFromUser(t, kbuf, mm.userLimit - 15, 16)).toBe(16); // one byte past it
    expect(t.clock.total).toBe(before);
  });

  it('finds the right region whichever was used last', () => {
    const { k, t, mm, kbuf } = setup();
    const a = mm.mmap(4096);
    const b = mm.mmap(4096);
    mm.write(a, Uint8Array.of(1));
    mm.write(b, Uint8Array.of(2));
    for (const [u, want] of [
      [b, 2],
      [a, 1],
      [b, 2],
    ] as const) {
      expect(k.uaccess.copyFromUser(t, kbuf, u, 1)).toBe(0);
      expect(k.mem.u8[kbuf]).toBe(want);
    }
  });

  it('a hole stays a hole: mprotect does not map it, munmap over a guard page is harmless', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(2 * 4096);
    mm.munmap(u + 4096, 2 * 4096); // its second page and the guard page after it
    mm.mprotect(u + 4096, 4096, PROT_READ | 2);
    expect(k.uaccess.copyToUser(t, u + 4096, kbuf, 8)).toBe(8);
    expect(() => mm.write(u + 4096, Uint8Array.of(1))).toThrow(UserSegfault);
    expect(mm.describe(u)).toBe('mapped rw present');
  });

  it('a fault outside atomic context is no bug; the sleep report names the copy', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(4096, PROT_READ, { populate: false });
    expect(k.uaccess.copyFromUser(t, kbuf, u, 8)).toBe(0);
    expect(k.bugs).toEqual([]);
    const lock = k.sync.createSpinlock('l');
    k.sync.spinLock(t, lock);
    k.uaccess.copyToUser(t, mm.mmap(4096), kbuf, 8);
    k.sync.spinUnlock(t, lock);
    expect(k.bugs.map((b) => b.message)).toEqual([
      'sleeping function called from invalid context: copy_to_user called',
    ]);
    const err = (() => {
      try {
        mm.read(0, 1);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.name).toBe('UserSegfault');
  });
});

describe('zero-length user accesses', () => {
  it('touch nothing and never fault, even at an unmapped address', () => {
    const { mm } = setup();
    expect(mm.read(0, 0)).toEqual(new Uint8Array(0));
    expect(() => mm.write(0, new Uint8Array(0))).not.toThrow();
    expect(mm.dataView(0, 0, true).byteLength).toBe(0);
  });
});

describe('address space layout and fault injection details', () => {
  it('an address space without arena backing gives each mapping private bytes', () => {
    const mm = new AddressSpace(4096, 0x10000, 0x10000 + 4 * 4096);
    const a = mm.mmap(4096);
    mm.write(a + 10, Uint8Array.of(1, 2, 3));
    expect(mm.regions).toHaveLength(1);
    expect(mm.regionOf(a)!.phys).toBe(-1);
    expect([...mm.read(a + 10, 3)]).toEqual([1, 2, 3]);
  });

  it('maps up to the user limit exactly, and no further', () => {
    const mm = new AddressSpace(4096, 0x10000, 0x10000 + 3 * 4096);
    expect(mm.mmap(3 * 4096)).toBe(0x10000);
    expect(() => mm.mmap(1)).toThrow(/^invalid mmap length: 1 \(accepted: fits the user address space\)$/);
  });

  it('the guard page between two mappings belongs to neither', () => {
    const mm = new AddressSpace(4096, 0x10000, 0x100000);
    const a = mm.mmap(4096);
    const b = mm.mmap(8192);
    expect(b).toBe(a + 2 * 4096);
    expect(mm.regionOf(a + 4095)!.start).toBe(a);
    expect(mm.regionOf(a + 4096)).toBeNull();
    expect(mm.regionOf(b + 8191)!.start).toBe(b);
    expect(mm.regionOf(b + 8192)).toBeNull();
    mm.write(b + 4096, Uint8Array.of(7)); // the second mapping, first touched
    expect(mm.read(b + 4096, 1)[0]).toBe(7);
    expect(() => mm.write(a + 4096, Uint8Array.of(1))).toThrow(UserSegfault);
  });

  it('mprotect of a range with a hole in it leaves the hole unmapped', () => {
    const mm = new AddressSpace(4096, 0x10000, 0x100000);
    const a = mm.mmap(3 * 4096);
    mm.munmap(a + 4096, 4096);
    mm.mprotect(a, 3 * 4096, PROT_READ);
    expect([mm.describe(a), mm.describe(a + 4096), mm.describe(a + 8192)]).toEqual([
      'mapped r- present',
      'unmapped',
      'mapped r- present',
    ]);
    expect(() => mm.read(a + 4096, 1)).toThrow(UserSegfault);
  });

  it('fail_usercopy: a failed or short copy out leaves the kernel buffer as it was', () => {
    const { k, t, mm, kbuf } = setup({ faults: { failUsercopy: { nth: 1 } } });
    const u = mm.mmap(8192);
    mm.munmap(u + 4096, 4096);
    k.mem.u8.fill(0x3c, kbuf, kbuf + 64);
    expect(k.uaccess.copyToUser(t, u, kbuf, 64)).toBe(64); // injected
    expect(k.uaccess.copyToUser(t, u + 4096 - 16, kbuf, 64)).toBe(48); // short: a hole
    expect(k.mem.u8.subarray(kbuf, kbuf + 64).every((b) => b === 0x3c)).toBe(true);
    expect([...mm.read(u + 4096 - 16, 16)]).toEqual(new Array(16).fill(0x3c));
  });

  it('fail_usercopy filters on the copy direction and site, and names itself in errors', () => {
    const { k, t, mm, kbuf } = setup({
      faults: { failUsercopy: { probability: 100, filter: 'copy_to_user pfm_read_pmds' } },
    });
    const u = mm.mmap(4096);
    const site = k.mem.tag('pfm_read_pmds');
    expect(k.uaccess.copyFromUser(t, kbuf, u, 8, site)).toBe(0);
    expect(k.uaccess.copyToUser(t, u, kbuf, 8, k.mem.tag('pfm_write_pmcs'))).toBe(0);
    expect(k.uaccess.copyToUser(t, u, kbuf, 8, site)).toBe(8);
    expect(() => setup({ faults: { failUsercopy: { probability: -1 } } })).toThrow(
      /fail_usercopy\.probability: -1/,
    );
  });

  it('fail_usercopy with a probability fails a reproducible subset, from its own random stream', () => {
    const { k, t, mm, kbuf } = setup({ faults: { failUsercopy: { probability: 50 } } });
    const u = mm.mmap(4096);
    const pattern = Array.from({ length: 16 }, () =>
      k.uaccess.copyFromUser(t, kbuf, u, 8) === 0 ? '.' : 'x',
    );
    expect(pattern.join('')).toMatchInlineSnapshot(`"xx..x.x.x.xxx..."`);
  });
});

describe('strncpy_from_user', () => {
  const text = (s: string) => new TextEncoder().encode(s);

  it('copies a string with its NUL and returns its length, charging the bytes read', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(4096);
    mm.write(u, text('default\0junk'));
    k.mem.u8.fill(0xaa, kbuf, kbuf + 16);
    const before = t.clock.total;
    expect(k.uaccess.strncpyFromUser(t, kbuf, u, 4096)).toBe(7);
    expect(t.clock.total - before).toBe(60 + Math.round(8 * 0.4));
    expect(new TextDecoder().decode(k.mem.u8.subarray(kbuf, kbuf + 8))).toBe('default\0');
    expect(k.mem.u8[kbuf + 8]).toBe(0xaa);
    mm.write(u, text('\0'));
    expect(k.uaccess.strncpyFromUser(t, kbuf, u, 4096)).toBe(0);
  });

  it('returns the maximum when no NUL comes in it, and -1 when a fault comes first', () => {
    const { k, t, mm, kbuf } = setup();
    const u = mm.mmap(8192);
    mm.write(u, new Uint8Array(8192).fill(0x41));
    expect(k.uaccess.strncpyFromUser(t, kbuf, u, 100)).toBe(100);
    expect(k.mem.u8[kbuf + 99]).toBe(0x41);
    mm.munmap(u + 4096, 4096);
    expect(k.uaccess.strncpyFromUser(t, kbuf, u + 4090, 100)).toBe(-1);
    expect(k.uaccess.strncpyFromUser(t, kbuf, u + 4096, 100)).toBe(-1);
    expect(k.uaccess.strncpyFromUser(t, kbuf, 0, 100)).toBe(-1);
    expect(k.uaccess.strncpyFromUser(t, kbuf, -5, 100)).toBe(-1);
  });
});
