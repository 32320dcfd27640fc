import { describe, expect, it } from 'vitest';
import type { Kernel } from './kernel.js';
import { GFP_KERNEL } from './mem/memory.js';
import { MAX_RACE_THREADS } from './race.js';
import type { Thread } from './sched/thread.js';
import { testKernel } from './test-util.js';

/**
 * The detector driven access by access, as the scheduler would interleave them: each test is a
 * history of accesses by named threads, and what KCSAN / FastTrack must say about it.
 */
function world(threads = 2, opts: { raceDetection?: boolean } = {}) {
  const k = testKernel({ seed: 1, cpus: 2, ...opts });
  const p = k.createProcess();
  const ts = Array.from({ length: threads }, (_, i) => k.spawn(p, String.fromCharCode(97 + i)));
  const obj = k.mem.kmalloc(ts[0]!, 256, GFP_KERNEL, 0, 0);
  k.race.activate(ts);
  const site = (name: string) => k.mem.tag(name);
  const read = (t: Thread, addr: number, len: number, s: number) => k.mem.access(t, addr, len, false, s);
  const write = (t: Thread, addr: number, len: number, s: number) => k.mem.access(t, addr, len, true, s);
  return { k, ts, a: ts[0]!, b: ts[1]!, obj, site, read, write };
}

const races = (k: Kernel) => k.bugs.filter((b) => b.kind === 'data-race');

describe('race detector: which pairs of accesses race', () => {
  it('write after an unordered read is a race, named as such (write by b, read by a)', () => {
    const { k, a, b, obj, site, read, write } = world();
    read(a, obj + 16, 8, site('reader'));
    write(b, obj + 16, 8, site('writer'));
    expect(races(k)).toHaveLength(1);
    const bug = races(k)[0]!;
    expect(bug.thread).toBe('T1 b');
    expect(bug.message).toBe(
      `write by T1 b at writer races with read by T0 a at reader on 0x${(obj + 16).toString(16)} (no common lock, no happens-before)`,
    );
    expect(bug.detail).toEqual({ addr: obj + 16, site: 'writer', otherSite: 'reader', otherThread: 'T0 a' });
  });

  it('read after an unordered write is a race (read by b, write by a)', () => {
    const { k, a, b, obj, site, read, write } = world();
    write(a, obj + 24, 8, site('writer'));
    read(b, obj + 24, 8, site('reader'));
    expect(races(k).map((r) => r.message)).toEqual([
      `read by T1 b at reader races with write by T0 a at writer on 0x${(obj + 24).toString(16)} (no common lock, no happens-before)`,
    ]);
  });

  it('write after an unordered write is a race on the address of the shared granule', () => {
    const { k, a, b, obj, site, write } = world();
    write(a, obj, 32, site('memset')); // granules obj, +8, +16, +24
    write(b, obj + 20, 4, site('store')); // inside the granule at obj + 16
    expect(races(k).map((r) => r.detail.addr)).toEqual([obj + 16]);
    expect(races(k)[0]!.message).toContain('write by T1 b at store races with write by T0 a at memset');
  });

  it('reads by two threads never race, nor does one thread with itself', () => {
    const { k, a, b, obj, site, read, write } = world();
    read(a, obj, 64, site('r1'));
    read(b, obj, 64, site('r2'));
    write(a, obj + 128, 8, site('w'));
    write(a, obj + 128, 8, site('w'));
    read(a, obj + 128, 8, site('r'));
    expect(races(k)).toEqual([]);
  });

  it('accesses to different granules never race', () => {
    const { k, a, b, obj, site, write } = world();
    write(a, obj, 8, site('first'));
    write(b, obj + 8, 8, site('second'));
    expect(races(k)).toEqual([]);
  });

  it('a write is checked against every earlier reader, each reported once', () => {
    const { k, ts, obj, site, read, write } = world(3);
    const [a, b, c] = ts as [Thread, Thread, Thread];
    read(a, obj, 8, site('read-a'));
    read(b, obj, 8, site('read-b'));
    write(c, obj, 8, site('write-c'));
    expect(races(k).map((r) => [r.detail.otherThread, r.detail.otherSite])).toEqual([
      ['T0 a', 'read-a'],
      ['T1 b', 'read-b'],
    ]);
    write(c, obj, 8, site('write-c')); // the readers are forgotten once written over
    expect(races(k)).toHaveLength(2);
  });

  it('one report per pair of sites and access kinds, however many granules a copy touches', () => {
    const { k, a, b, obj, site, read, write } = world();
    const copy = site('copy');
    write(a, obj, 64, copy);
    write(b, obj, 64, copy); // 8 granules, one pair of sites
    expect(races(k)).toHaveLength(1);
    read(b, obj + 128, 8, site('r'));
    write(a, obj + 128, 8, copy); // another pair: write by a vs read by b
    read(a, obj + 192, 8, copy);
    write(b, obj + 192, 8, copy); // copy/copy again, but write vs read this time
    expect(races(k)).toHaveLength(3);
    write(a, obj + 200, 8, copy);
    read(b, obj + 200, 8, copy); // and read vs write: a fourth kind for the same pair
    expect(races(k)).toHaveLength(4);
  });

  it('every kind of race between every pair of six sites is its own report', () => {
    const { k, a, b, site, read, write } = world();
    const big = k.mem.kmalloc(a, 2048, GFP_KERNEL, 0, 0);
    const sites = ['s0', 's1', 's2', 's3', 's4', 's5'].map(site);
    let g = 0;
    const expected: string[] = [];
    for (let i = 0; i < sites.length; i++) {
      for (let j = i + 1; j < sites.length; j++) {
        const [x, y] = [sites[i]!, sites[j]!];
        const kinds = [
          ['write', 'write', () => write(a, big + 8 * g, 8, x), () => write(b, big + 8 * g, 8, y)],
          ['write', 'read', () => read(a, big + 8 * g, 8, x), () => write(b, big + 8 * g, 8, y)],
          ['read', 'write', () => write(a, big + 8 * g, 8, x), () => read(b, big + 8 * g, 8, y)],
        ] as const;
        for (const [mine, theirs, first, second] of kinds) {
          first();
          second();
          g++;
          expected.push(`${mine} by T1 b at s${j} races with ${theirs} by T0 a at s${i}`);
        }
      }
    }
    expect(races(k).map((r) => r.message.split(' on 0x')[0])).toEqual(expected);
  });
});

describe('race detector: happens-before through locks and atomics', () => {
  it('a lock hand-off orders the critical sections: no race', () => {
    const { k, a, b, obj, site, read, write } = world();
    const lock = k.sync.createSpinlock('obj_lock');
    k.sync.spinLock(a, lock);
    write(a, obj, 8, site('under lock'));
    k.sync.spinUnlock(a, lock);
    k.sync.spinLock(b, lock);
    read(b, obj, 8, site('under lock'));
    write(b, obj, 8, site('under lock'));
    k.sync.spinUnlock(b, lock);
    k.sync.spinLock(a, lock);
    read(a, obj, 8, site('under lock'));
    k.sync.spinUnlock(a, lock);
    expect(races(k)).toEqual([]);
  });

  it('an access made after the unlock is not ordered by the next acquire: the race is found', () => {
    const { k, a, b, obj, site, read, write } = world();
    const lock = k.sync.createSpinlock('obj_lock');
    k.sync.spinLock(a, lock);
    write(a, obj, 8, site('under lock'));
    k.sync.spinUnlock(a, lock);
    write(a, obj, 8, site('after unlock'));
    k.sync.spinLock(b, lock);
    read(b, obj, 8, site('under lock'));
    k.sync.spinUnlock(b, lock);
    expect(races(k).map((r) => r.message)).toEqual([
      expect.stringMatching(/^read by T1 b at under lock races with write by T0 a at after unlock/),
    ]);
  });

  it('holding different locks orders nothing', () => {
    const { k, a, b, obj, site, write } = world();
    const l1 = k.sync.createSpinlock('one');
    const l2 = k.sync.createSpinlock('two');
    k.sync.spinLock(a, l1);
    write(a, obj, 8, site('w'));
    k.sync.spinUnlock(a, l1);
    k.sync.spinLock(b, l2);
    write(b, obj, 8, site('w'));
    k.sync.spinUnlock(b, l2);
    expect(races(k)).toHaveLength(1);
  });

  it('happens-before is transitive: a -> b through one lock, b -> c through another', () => {
    const { k, ts, obj, site, write } = world(3);
    const [a, b, c] = ts as [Thread, Thread, Thread];
    const l1 = k.sync.createSpinlock('one');
    const l2 = k.sync.createSpinlock('two');
    write(a, obj, 8, site('w'));
    k.sync.spinLock(a, l1);
    k.sync.spinUnlock(a, l1);
    k.sync.spinLock(b, l1);
    k.sync.spinUnlock(b, l1);
    k.sync.spinLock(b, l2);
    k.sync.spinUnlock(b, l2);
    k.sync.spinLock(c, l2);
    write(c, obj, 8, site('w'));
    k.sync.spinUnlock(c, l2);
    expect(races(k)).toEqual([]);
  });

  it('an atomic on the same word orders a hand-off; on another word it does not', () => {
    const { k, a, b, obj, site, write } = world();
    const flag = obj + 128;
    const other = obj + 136;
    write(a, obj, 8, site('fill'));
    k.sync.xchg(a, flag, 1);
    k.sync.xchg(b, flag, 0);
    write(b, obj, 8, site('use'));
    expect(races(k)).toEqual([]);
    write(a, obj + 64, 8, site('fill'));
    k.sync.atomicAdd(a, flag, 1);
    k.sync.cmpxchg(b, other, 0, 1);
    write(b, obj + 64, 8, site('use'));
    expect(races(k).map((r) => r.detail.addr)).toEqual([obj + 64]);
    write(a, obj + 96, 8, site('fill'));
    k.sync.atomicAdd(a, other, 1); // atomic_add on both sides of the hand-off
    k.sync.atomicAdd(b, other, -1);
    write(b, obj + 96, 8, site('use'));
    expect(races(k)).toHaveLength(1);
  });

  it('freeing a word forgets the ordering its atomics carried', () => {
    const { k, a, b, obj, site, write } = world();
    const flag = k.mem.kmalloc(a, 32, GFP_KERNEL, 0, 0);
    write(a, obj, 8, site('fill'));
    k.sync.xchg(a, flag, 1);
    k.mem.kfree(a, flag); // its atomic history goes with it
    const again = k.mem.kmalloc(a, 32, GFP_KERNEL, 0, 0); // the same object, a new life
    expect(again).toBe(flag);
    k.sync.xchg(b, again, 0);
    write(b, obj, 8, site('use'));
    expect(races(k)).toHaveLength(1);
  });
});

describe('race detector: when it runs', () => {
  it('is off with one thread, with raceDetection off, and beyond MAX_RACE_THREADS threads', () => {
    const one = world(1);
    expect(one.k.race.active).toBe(false);
    const off = world(2, { raceDetection: false });
    expect(off.k.race.active).toBe(false);
    off.write(off.a, off.obj, 8, 1);
    off.write(off.b, off.obj, 8, 1);
    expect(races(off.k)).toEqual([]);
    const many = world(MAX_RACE_THREADS + 1);
    expect(many.k.race.active).toBe(false);
    const most = world(MAX_RACE_THREADS);
    expect(most.k.race.active).toBe(true);
  });

  it('keeps checking after its shadow memory grows past 256 granules, old and new cells alike', () => {
    const { k, a, b, site, write } = world();
    const big = k.mem.kmalloc(a, 4096, GFP_KERNEL, 0, 0);
    const early = site('early');
    write(a, big, 8, early);
    write(a, big + 8, 4096 - 8, site('late')); // 511 more granules: the store grows
    write(b, big, 8, early);
    write(b, big + 4088, 8, site('tail'));
    expect(races(k).map((r) => r.detail.addr)).toEqual([big, big + 4088]);
  });

  it('keeps the readers of old cells when it grows, and finds races on cells made after', () => {
    const { k, a, b, site, read, write } = world();
    const big = k.mem.kmalloc(a, 4096, GFP_KERNEL, 0, 0);
    read(a, big, 8 * 250, site('early read')); // 250 of the first 256 cells
    read(a, big + 8 * 250, 4096 - 8 * 250, site('late read')); // grows the store past 256 cells
    write(b, big, 8, site('w first'));
    write(b, big + 8 * 249, 8, site('w 249')); // distinct sites: one report each
    write(b, big + 4000, 8, site('w late'));
    expect(races(k).map((r) => [Number(r.detail.addr) - big, r.detail.otherSite])).toEqual([
      [0, 'early read'],
      [8 * 249, 'early read'],
      [4000, 'late read'],
    ]);
  });

  /** Empties the pool of recycled shadow stores: each activation takes (or drops) one. */
  const drainPool = () => {
    for (let i = 0; i < 8; i++) world(2);
  };

  it('a recycled shadow store keeps no reader of an earlier run, in any of its cells', () => {
    drainPool();
    for (let i = 0; i < 3; i++) {
      const w = world();
      const big = w.k.mem.kmalloc(w.a, 4096, GFP_KERNEL, 0, 0);
      w.write(w.b, big, 4096, w.site('w')); // 512 cells, the whole store after it grows
      expect(races(w.k), `kernel ${i}`).toEqual([]);
      w.read(w.a, big, 4096, w.site('old read'));
      w.k.dispose(); // the next world takes this store over
    }
  });

  it('a store recycled from a run with fewer threads is not taken over by a wider one', () => {
    drainPool();
    const narrow = world(2);
    const old = narrow.k.mem.kmalloc(narrow.a, 4096, GFP_KERNEL, 0, 0);
    narrow.read(narrow.a, old, 4096, narrow.site('r')); // a two-thread store of 512 cells
    narrow.k.dispose();
    const { k, ts, site, read, write } = world(3);
    const [a, b] = ts as [Thread, Thread];
    const big = k.mem.kmalloc(a, 4096, GFP_KERNEL, 0, 0);
    read(a, big, 4096, site('read')); // 512 cells of three threads' reads each
    write(b, big + 8 * 200, 8, site('w 200'));
    write(b, big + 8 * 400, 8, site('w 400'));
    expect(races(k).map((r) => Number(r.detail.addr) - big)).toEqual([8 * 200, 8 * 400]);
  });

  it('a kernel run again with more threads: locks and atomics from the first run keep working', () => {
    const { k, a, b, obj, site, write } = world();
    const lock = k.sync.createSpinlock('obj_lock');
    const flag = obj + 128;
    k.sync.spinLock(a, lock);
    k.sync.spinUnlock(a, lock);
    k.sync.xchg(a, flag, 1);
    const c = k.spawn(a.process, 'c');
    k.race.activate([a, b, c]);
    k.sync.spinLock(c, lock);
    write(c, obj, 8, site('c under lock'));
    k.sync.spinUnlock(c, lock);
    k.sync.xchg(c, flag, 0);
    k.sync.spinLock(a, lock);
    write(a, obj, 8, site('a under lock'));
    k.sync.spinUnlock(a, lock);
    write(b, obj, 8, site('b without lock'));
    expect(races(k).map((r) => r.message.split(' races')[0])).toEqual(['write by T1 b at b without lock']);
  });

  it('a thread outside the run (no clock) takes locks, atomics and memory without effect', () => {
    const { k, a, b, obj, site, write } = world();
    const outsider = k.spawn(a.process, 'outsider');
    const lock = k.sync.createSpinlock('obj_lock');
    k.sync.spinLock(outsider, lock);
    write(outsider, obj, 8, site('outsider'));
    k.sync.spinUnlock(outsider, lock);
    k.sync.atomicAdd(outsider, obj + 64, 1);
    write(a, obj, 8, site('a'));
    expect(races(k)).toEqual([]);
    write(b, obj, 8, site('b'));
    expect(races(k)).toHaveLength(1);
  });

  it('forgetting a range drops the atomic clocks inside it only', () => {
    // A hand-off through each word alone: a fills, releases through the word; the range
    // [+128, +136) is forgotten; b acquires through the same word and uses what a filled.
    const words = [124, 128, 132, 136];
    for (const offset of words) {
      const { k, a, b, obj, site, write } = world();
      write(a, obj, 8, site('fill'));
      k.sync.xchg(a, obj + offset, 1);
      k.race.forget(obj + 128, 8);
      k.sync.xchg(b, obj + offset, 0);
      write(b, obj, 8, site('use'));
      const forgotten = offset >= 128 && offset < 136;
      expect(races(k).length, `hand-off through +${offset}`).toBe(forgotten ? 1 : 0);
    }
  });

  it('a new run with another thread count starts from clean shadow memory', () => {
    const two = world(2);
    two.write(two.a, two.obj, 8, two.site('w'));
    two.k.dispose();
    const three = world(3);
    const [a, b, c] = three.ts as [Thread, Thread, Thread];
    three.write(c, three.obj, 8, three.site('w'));
    three.read(b, three.obj + 8, 8, three.site('r'));
    three.write(a, three.obj + 8, 8, three.site('w2'));
    expect(races(three.k).map((r) => [r.thread, r.detail.otherThread, r.detail.addr])).toEqual([
      ['T0 a', 'T1 b', three.obj + 8],
    ]);
  });
});

describe('race detector: reports', () => {
  it('names the other thread by its id, also when the setup thread was dropped from the run', () => {
    // The README's pattern: a setup thread allocates, then leaves k.threads before the run; the
    // threads spawned after it are numbered from 0 again.
    const k = testKernel({ seed: 1, cpus: 2 });
    const p = k.createProcess();
    const setup = k.spawn(p, 'setup');
    const obj = k.mem.kmalloc(setup, 64, GFP_KERNEL, 0, 0);
    k.threads.length = 0;
    p.threads.length = 0;
    const a = k.spawn(p, 'a');
    const b = k.spawn(p, 'b');
    k.race.activate([a, b]);
    k.mem.access(a, obj, 8, true, k.mem.tag('first'));
    k.mem.access(b, obj, 8, true, k.mem.tag('second'));
    expect(races(k).map((r) => [r.message.split(' races')[0], r.detail.otherThread])).toEqual([
      ['write by T1 b at second', 'T0 a'],
    ]);
  });
});
