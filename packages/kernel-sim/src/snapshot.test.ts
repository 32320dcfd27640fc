import { describe, expect, it } from 'vitest';
import { GFP_KERNEL } from './mem/memory.js';
import { SNAPSHOT, type SnapshotPart, takeSnapshot } from './snapshot.js';
import { oneThread, testKernel } from './test-util.js';

class Counter {
  n = 0;
  label = 'start';
  readonly items: number[] = [];
}

describe('takeSnapshot / restore: the generic walk', () => {
  it('puts class instances and plain objects back in place, keeping their identity', () => {
    const child = { x: 1, 'not-an-identifier': 'a' };
    const c = new Counter();
    const root = { c, child, list: [c, child] };
    const snap = takeSnapshot([root]);
    c.n = 5;
    c.label = 'changed';
    child.x = 2;
    child['not-an-identifier'] = 'b';
    root.c = new Counter();
    snap.restore();
    expect(root.c).toBe(c);
    expect(c).toMatchObject({ n: 0, label: 'start' });
    expect(child).toEqual({ x: 1, 'not-an-identifier': 'a' });
    expect(root.list[0]).toBe(c);
  });

  it('arrays get their length and elements back, grown or shrunk', () => {
    const grown = [1, 2];
    const shrunk = [1, 2, 3];
    const swapped = ['a', 'b'];
    const snap = takeSnapshot([{ grown, shrunk, swapped }]);
    grown.push(3, 4);
    shrunk.length = 1;
    swapped.reverse();
    snap.restore();
    expect(grown).toEqual([1, 2]);
    expect(shrunk).toEqual([1, 2, 3]);
    expect(swapped).toEqual(['a', 'b']);
  });

  it('maps and sets get their entries back, in their order (iteration order is state)', () => {
    const m = new Map<string, number>([
      ['a', 1],
      ['b', 2],
    ]);
    const s = new Set(['x', 'y']);
    const unchanged = new Map([['k', 1]]);
    const snap = takeSnapshot([{ m, s, unchanged }]);
    m.delete('a');
    m.set('a', 1); // same entries, another order
    m.set('c', 3);
    s.delete('x');
    s.add('x');
    snap.restore();
    expect([...m]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect([...s]).toEqual(['x', 'y']);
    m.set('b', 9); // a changed value, same size
    s.delete('y');
    s.add('z');
    snap.restore();
    expect([...m]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect([...s]).toEqual(['x', 'y']);
    expect([...unchanged]).toEqual([['k', 1]]);
  });

  it('typed arrays get their bytes back; a DataView is only a window and is left alone', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const floats = new Float64Array([0.5, 1.5]);
    const view = new DataView(new ArrayBuffer(8));
    const snap = takeSnapshot([{ bytes, floats, view }]);
    bytes[0] = 9;
    floats[1] = 7;
    view.setUint32(0, 42);
    snap.restore();
    expect([...bytes]).toEqual([1, 2, 3]);
    expect([...floats]).toEqual([0.5, 1.5]);
    expect(view.getUint32(0)).toBe(42);
    expect(snap.stats.typedBytes).toBe(3 + 16);
  });

  it('frozen objects are not recorded, but what they hold is walked', () => {
    const inner = { v: 1 };
    const table = Object.freeze({ id: 'fixed', inner });
    const snap = takeSnapshot([table]);
    inner.v = 2;
    snap.restore();
    expect(inner.v).toBe(1);
    expect(snap.stats).toMatchObject({ objects: 1, properties: 1 });
  });

  it('symbol-keyed properties are restored; accessors and read-only properties are not recorded', () => {
    const key = Symbol('k');
    let backing = 1;
    const o: Record<string | symbol, unknown> = { [key]: 'a', plain: 1 };
    Object.defineProperty(o, 'getter', { get: () => backing, enumerable: true });
    Object.defineProperty(o, 'fixed', { value: 3, writable: false, enumerable: true });
    const snap = takeSnapshot([o]);
    o[key] = 'b';
    o.plain = 2;
    backing = 5;
    snap.restore();
    expect(o[key]).toBe('a');
    expect(o.plain).toBe(1);
    expect(o.getter).toBe(5); // its state is in a closure: out of reach, as documented
    expect(snap.stats.properties).toBe(2);
  });

  it('restores as often as asked, each time to the state at the snapshot', () => {
    const c = new Counter();
    const snap = takeSnapshot([c]);
    for (let i = 1; i <= 3; i++) {
      c.n += i;
      c.items.push(i);
      snap.restore();
      expect(c.n).toBe(0);
      expect(c.items).toEqual([]);
    }
  });

  it('a part keeps fields from the generic walk and restores before it, once per restore', () => {
    const order: string[] = [];
    const owned = new Uint8Array([1, 2]);
    class Part {
      kept = { deep: 1 };
      plain = 1;
      readonly buf = owned;
      readonly window = owned.subarray(1);
      [SNAPSHOT](): SnapshotPart {
        return {
          keep: ['kept'],
          buffers: [owned.buffer],
          restore: () => order.push(`part saw plain=${this.plain}`),
        };
      }
    }
    const part = new Part();
    const snap = takeSnapshot([part]);
    part.kept.deep = 2;
    part.plain = 2;
    owned[0] = 9;
    snap.restore();
    expect(order).toEqual(['part saw plain=2']);
    expect(part.plain).toBe(1);
    expect(part.kept.deep).toBe(2); // kept out
    expect(owned[0]).toBe(9); // its buffer is the part's to restore
    expect(snap.stats.parts).toBe(1);
    expect(snap.stats.typedBytes).toBe(0);
  });
});

describe('a kernel snapshot', () => {
  it('the arena, its objects and the allocator return to the snapshot; pages used since are zeroed', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 100, GFP_KERNEL, k.mem.tag('test'), 0);
    k.mem.writeWord(a, 0x1234);
    const before = { ...k.mem.snapshot(), caches: k.mem.cacheStats(), live: k.mem.liveObjectsSince() };
    const snap = takeSnapshot([k]);
    expect(snap.stats.typedBytes).toBeLessThan(1 << 16); // the arena (1 MiB) is the part's, not the walk's
    k.mem.writeWord(a, 0x5678);
    k.mem.kfree(t, a); // poisons it
    const big = k.mem.kmalloc(t, 3000, GFP_KERNEL, k.mem.tag('test'), 0); // a new size class, new slab page
    k.mem.writeWord(big, 0xbeef);
    const page = k.mem.allocPages(t, 1, GFP_KERNEL, k.mem.tag('test'), 0);
    k.mem.u8.fill(0xaa, page, page + 8192);
    snap.restore();
    expect(k.mem.readWord(a)).toBe(0x1234);
    expect(k.mem.snapshot()).toEqual({
      seq: before.seq,
      liveObjects: before.liveObjects,
      liveBytes: before.liveBytes,
      pagesInUse: before.pagesInUse,
    });
    expect(k.mem.cacheStats()).toEqual(before.caches);
    expect(k.mem.liveObjectsSince()).toEqual(before.live); // sizes, owners, sites, sequence numbers
    expect(k.mem.u8.subarray(page, page + 8192).every((b) => b === 0)).toBe(true);
    expect(k.mem.readWord(big)).toBe(0);
    // The same calls again get the same addresses, and the class made in the run is made anew.
    k.mem.kfree(t, a);
    expect(k.mem.kmalloc(t, 3000, GFP_KERNEL, k.mem.tag('test'), 0)).toBe(big);
    expect(k.mem.cacheStats().at(-1)).toMatchObject({
      name: 'size-4096',
      live: 1,
      slabs: 1,
      fast: 0,
      slow: 1,
    });
    expect(k.mem.liveObjectsSince().map((o) => o.addr)).toEqual([big]);
  });

  it('the kernel comes back whole: threads, processes, bugs, random streams', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    k.spawn(p, 'a');
    const draws = () => [k.rng('x').u32(), k.rng('sched').u32()];
    const snap = takeSnapshot([k]);
    const first = draws();
    k.spawn(p, 'b');
    k.createProcess();
    k.reportBug('leak', null, 'made up');
    snap.restore();
    expect(k.threads.map((t) => t.name)).toEqual(['a']);
    expect(p.threads).toHaveLength(1);
    expect(k.processes).toHaveLength(1);
    expect(k.bugs).toEqual([]);
    expect(draws()).toEqual(first);
  });

  it('a disposed kernel cannot be snapshotted', () => {
    const k = testKernel();
    k.dispose();
    expect(() => takeSnapshot([k])).toThrow(/disposed/);
  });
});

describe('Kernel.reseed', () => {
  it('every stream, made before or after, draws as a kernel made with that seed', () => {
    const k = testKernel({ seed: 1 });
    const made = k.rng('made-before');
    made.u32();
    k.reseed(77);
    const fresh = testKernel({ seed: 77 });
    expect(k.seed).toBe(77);
    expect([made.u32(), made.u32()]).toEqual([
      fresh.rng('made-before').u32(),
      fresh.rng('made-before').u32(),
    ]);
    expect(k.rng('later').u32()).toBe(fresh.rng('later').u32());
    expect(k.replay()).toBe('77:');
    expect(() => k.reseed(-1)).toThrow(/seed/);
  });
});

describe('takeSnapshot: what is recorded', () => {
  it('stats count objects, arrays, maps and sets, and the properties and entries of each', () => {
    const snap = takeSnapshot([
      {
        plain: { a: 1, b: 2 },
        list: [1, 2, 3],
        frozenList: Object.freeze([4, 5]),
        m: new Map([
          ['x', 1],
          ['y', 2],
        ]),
        s: new Set([1]),
        buf: new ArrayBuffer(8),
        weak: new WeakMap(),
      },
    ]);
    // objects: the root and `plain`; one array (the frozen one is not recorded); one map; one set
    expect(snap.stats).toEqual({ objects: 5, properties: 7 + 2 + 3 + 2 + 1, typedBytes: 0, parts: 0 });
  });

  it('an accessor with a setter is not written back (its state is the field it sets)', () => {
    let sets = 0;
    const o = {
      backing: 1,
      get v() {
        return this.backing;
      },
      set v(x: number) {
        sets++;
        this.backing = x;
      },
    };
    const snap = takeSnapshot([o]);
    o.v = 5;
    snap.restore();
    expect(sets).toBe(1);
    expect(o.v).toBe(1);
  });

  it('a frozen array is left as it is, and what it holds is restored', () => {
    const inner = { v: 1 };
    const frozen = Object.freeze([inner]);
    const snap = takeSnapshot([frozen]);
    inner.v = 2;
    snap.restore();
    expect(inner.v).toBe(1);
    expect(snap.stats.objects).toBe(1);
  });
});

describe('caches made during a run, after a restore', () => {
  it('are handed out again, reset, to the next run that makes one of that name, size and kind', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const snap = takeSnapshot([k]);
    const a = k.mem.createCache('args', 100);
    const obj = k.mem.cacheAlloc(t, a, GFP_KERNEL, 0, 0);
    expect(obj).not.toBe(0);
    const made = k.mem.kmallocCache(3000)!;
    snap.restore();
    const again = k.mem.createCache('args', 100);
    expect(again).toBe(a); // the same object, as a new one would be
    expect(again).toMatchObject({
      id: k.mem.caches.length - 1,
      liveObjects: 0,
      slabs: 0,
      poolCount: 0,
      fastAllocs: 0,
      slowAllocs: 0,
      highObjects: 0,
    });
    expect(k.mem.kmallocCache(3000)).toBe(made);
    snap.restore();
    expect(k.mem.createCache('args', 200)).not.toBe(a); // another size
    expect(k.mem.createCache('other', 100)).not.toBe(a); // another name
    snap.restore();
    expect(k.mem.createCache('size-4096', 4096)).not.toBe(made); // not a kmalloc class
    expect(k.mem.createCache('args', 100)).toBe(a);
  });
});
