import { describe, expect, it } from 'vitest';
import { DisposedKernelError } from '../errors.js';
import type { ShadowStore } from '../race.js';
import { type KGen, type Thread, Y_PREEMPT } from '../sched/thread.js';
import { testKernel } from '../test-util.js';
import { ArenaPool } from './arena-pool.js';
import { GFP_KERNEL } from './memory.js';

describe('owned memory: arena pools and disposed kernels', () => {
  it('a disposed kernel hands its zeroed arena to the next kernel of its pool, and no view of it survives', () => {
    const pool = new ArenaPool();
    const a = testKernel({ arenaPool: pool });
    const p = a.createProcess();
    const t = a.spawn(p, 'main');
    const obj = a.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    a.mem.writeWord(obj, 0xdeadbeef);
    const user = p.mm.mmap(4096);
    p.mm.write(user, new Uint8Array([1, 2, 3]));
    const arena = a.mem.u8;
    a.dispose();
    expect(pool.arenaCount).toBe(1);
    expect(a.mem.u8.length).toBe(0); // the old kernel's view is gone
    const b = testKernel({ arenaPool: pool });
    expect(pool.arenaCount).toBe(0);
    expect(b.mem.u8).toBe(arena); // the same buffer, now b's
    expect(b.mem.u8.every((x) => x === 0)).toBe(true);
  });

  it('every entry point of a disposed kernel throws instead of touching memory another kernel owns', () => {
    const k = testKernel({ arenaPool: new ArenaPool() });
    const p = k.createProcess();
    const t = k.spawn(p, 'main');
    const obj = k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    const user = p.mm.mmap(4096);
    k.dispose();
    const uses: [string, () => unknown][] = [
      ['kmalloc', () => k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0)],
      ['kfree', () => k.mem.kfree(t, obj)],
      ['readWord', () => k.mem.readWord(obj)],
      ['writeWord', () => k.mem.writeWord(obj, 1)],
      ['access', () => k.mem.access(t, obj, 4, false, 0)],
      ['allocPages', () => k.mem.allocPages(t, 0, GFP_KERNEL, 0, 0)],
      ['copyFromUser', () => k.uaccess.copyFromUser(t, obj, user, 8)],
      ['mm.read', () => p.mm.read(user, 8)],
      ['mm.write', () => p.mm.write(user, new Uint8Array(1))],
      ['mm.mmap', () => p.mm.mmap(4096)],
    ];
    for (const [name, use] of uses) {
      expect(use, name).toThrow(DisposedKernelError);
    }
    expect(() => k.mem.readWord(obj)).toThrow(
      "kernel memory used after kernel.dispose(): build a new kernel (a disposed one's arena serves the next)",
    );
    expect(() => p.mm.read(user, 1)).toThrow(/^user memory used after kernel\.dispose\(\)/);
    k.dispose(); // twice is harmless
  });

  it('a kernel with no pool recycles nothing; a pool keeps at most `keep` arenas of a size', () => {
    const none = testKernel({ arenaPool: null });
    none.dispose();
    expect(() => none.mem.readWord(0)).toThrow(DisposedKernelError);
    const pool = new ArenaPool(2);
    const kernels = [1, 2, 3].map(() => testKernel({ arenaPool: pool }));
    for (const k of kernels) k.dispose();
    expect(pool.arenaCount).toBe(2);
    const other = testKernel({ arenaPool: pool, arenaBytes: 2 << 20 });
    expect(pool.arenaCount).toBe(2); // another size: a fresh arena
    other.dispose();
    expect(pool.arenaCount).toBe(3);
  });
});

describe('race shadow stores in the pool', () => {
  it('a disposed kernel that ran the race detector leaves its shadow store for the next one', () => {
    const pool = new ArenaPool();
    const run = () => {
      const k = testKernel({ arenaPool: pool, cpus: 2 });
      const p = k.createProcess();
      const setup = k.spawn(p, 'setup');
      const word = k.mem.kmalloc(setup, 8, GFP_KERNEL, 0, 0);
      k.threads.length = 0;
      p.threads.length = 0;
      const body = function* (t: Thread): KGen<void> {
        k.mem.access(t, word, 4, true, 0); // unlocked writes from two threads: a race
        yield Y_PREEMPT;
      };
      k.spawn(p, 'a', body);
      k.spawn(p, 'b', body);
      k.run({ kind: 'round-robin' });
      const kinds = k.bugs.map((b) => b.kind);
      k.dispose();
      return kinds;
    };
    expect(run()).toEqual(['data-race']);
    const store = pool.takeShadow();
    expect(store).toBeDefined();
    pool.giveShadow(store!);
    expect(run()).toEqual(['data-race']); // found again with the recycled store
    expect(pool.takeShadow()?.reads).toBe(store!.reads); // the same arrays, handed back once more
    expect(pool.takeShadow()).toBeUndefined();
  });

  it('keeps at most `keep` shadow stores, the last given first out', () => {
    const pool = new ArenaPool(2);
    const stores = [1, 2, 3].map((n) => ({ n }) as unknown as ShadowStore);
    for (const s of stores) pool.giveShadow(s);
    expect(pool.takeShadow()).toBe(stores[1]);
    expect(pool.takeShadow()).toBe(stores[0]);
    expect(pool.takeShadow()).toBeUndefined();
  });
});
