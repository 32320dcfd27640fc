import { describe, expect, it } from 'vitest';
import { takeSnapshot } from '../snapshot.js';
import { oneThread, testKernel } from '../test-util.js';
import { GFP_KERNEL } from './memory.js';

/**
 * Object metadata (state, owner, site, size, seq) takes a slot per slab object, handed out
 * slab by slab: host memory follows the objects made, not the bytes they span. A slab given
 * back (shrink) gives its slots back for the next slab with as many objects.
 */

describe('object metadata slots', () => {
  it('a slab takes one slot per object: 64 objects of 512 bytes take 64 slots, not 1024 granules', () => {
    const k = testKernel(); // 4 KiB pages: 8 objects of size-512 per slab
    const { t } = oneThread(k);
    const before = k.mem.objectSlots;
    const addrs = Array.from({ length: 64 }, () => k.mem.kmalloc(t, 512, GFP_KERNEL, 0, 0));
    expect(k.mem.objectSlots - before).toBe(64);
    k.mem.kmalloc(t, 32, GFP_KERNEL, 0, 0); // size-32: a slab of 128 objects
    expect(k.mem.objectSlots - before).toBe(64 + 128);
    for (const a of addrs) k.mem.kfree(t, a);
    expect(k.mem.objectSlots - before).toBe(64 + 128); // freeing keeps the slabs, and their slots
  });

  it('objects of one slab keep their own state, owner, site and size', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const [ownA, ownB, siteA, siteB] = ['a', 'b', 'site-a', 'site-b'].map((n) => k.mem.tag(n)) as [
      number,
      number,
      number,
      number,
    ];
    const base = k.mem.snapshot();
    const a = k.mem.kmalloc(t, 500, GFP_KERNEL, ownA, siteA);
    const b = k.mem.kmalloc(t, 300, GFP_KERNEL, ownB, siteB);
    expect(Math.abs(b - a)).toBe(512); // neighbours in one size-512 slab
    expect(k.mem.liveObjectsSince(base).map((o) => [o.addr, o.size, o.owner, o.site])).toEqual([
      [a, 500, 'a', 'site-a'],
      [b, 300, 'b', 'site-b'],
    ]);
    k.mem.kfree(t, a);
    expect(k.mem.ownerLiveBytes('a')).toBe(0);
    expect(k.mem.ownerLiveBytes('b')).toBe(512);
    expect(k.mem.access(t, b, 512, true, 0)).toBe(true);
    expect(k.mem.access(t, a + 16, 4, false, 0)).toBe(false);
    k.mem.kfree(t, a);
    expect(k.bugs.map((x) => [x.kind, x.detail.allocSite ?? x.detail.site])).toEqual([
      ['use-after-free', 'site-a'],
      ['double-free', 'site-a'],
    ]);
    expect(k.mem.liveObjectsSince(base).map((o) => o.addr)).toEqual([b]);
  });

  it('shrink gives a slab slots back; the next slab with as many objects takes them, checked afresh', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const before = k.mem.objectSlots;
    const first = Array.from({ length: 16 }, () => k.mem.kmalloc(t, 512, GFP_KERNEL, 0, 0));
    for (const a of first) k.mem.kfree(t, a);
    expect(k.mem.shrink()).toBeGreaterThan(0);
    expect(k.mem.objectSlots - before).toBe(16);
    // size-256 slabs hold 16 objects: no range of that length was given back
    const other = k.mem.kmalloc(t, 256, GFP_KERNEL, 0, 0);
    expect(k.mem.objectSlots - before).toBe(32);
    const site = k.mem.tag('again');
    const base = k.mem.snapshot();
    const again = Array.from({ length: 16 }, () => k.mem.kmalloc(t, 512, GFP_KERNEL, 0, site));
    expect(k.mem.objectSlots - before).toBe(32); // the two ranges of 8, reused
    expect(k.mem.liveObjectsSince(base).map((o) => [o.size, o.site])).toEqual(
      Array.from({ length: 16 }, () => [512, 'again']),
    );
    for (const a of again) expect(k.mem.access(t, a, 512, true, 0)).toBe(true);
    k.mem.kfree(t, again[3]!);
    k.mem.kfree(t, again[3]!);
    expect(k.mem.access(t, again[3]!, 4, false, 0)).toBe(false);
    expect(k.bugs.map((x) => x.kind)).toEqual(['double-free', 'use-after-free']);
    for (const a of again.filter((_, i) => i !== 3)) k.mem.kfree(t, a);
    k.mem.kfree(t, other);
    expect(k.bugs).toHaveLength(2);
  });

  it('a snapshot restores the slots made: a run after the restore makes the same objects again', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const a = k.mem.kmalloc(t, 512, GFP_KERNEL, 0, 0);
    const slots = k.mem.objectSlots;
    const snap = takeSnapshot([k]);
    const made = Array.from({ length: 40 }, () => k.mem.kmalloc(t, 512, GFP_KERNEL, 0, k.mem.tag('run')));
    expect(k.mem.objectSlots).toBeGreaterThan(slots);
    snap.restore();
    expect(k.mem.objectSlots).toBe(slots);
    const base = k.mem.snapshot();
    const same = Array.from({ length: 40 }, () => k.mem.kmalloc(t, 512, GFP_KERNEL, 0, 0));
    expect(same).toEqual(made);
    expect(k.mem.liveObjectsSince(base).map((o) => o.site)).toEqual(new Array(40).fill(''));
    k.mem.kfree(t, a);
    expect(k.bugs).toHaveLength(0);
  });

  it("a snapshot restores each slot's state, owner, site, size and seq, even for an object freed and made again since", () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const [before, after] = [k.mem.tag('before'), k.mem.tag('after')];
    const base = k.mem.snapshot();
    const a = k.mem.kmalloc(t, 200, GFP_KERNEL, before, before);
    const b = k.mem.kmalloc(t, 250, GFP_KERNEL, before, before);
    const saved = k.mem.liveObjectsSince(base);
    const snap = takeSnapshot([k]);
    k.mem.kfree(t, a);
    k.mem.kfree(t, b);
    expect(k.mem.kmalloc(t, 150, GFP_KERNEL, after, after)).toBe(b); // b's slot, new metadata
    expect(k.mem.liveObjectsSince(base).map((o) => [o.addr, o.size, o.owner])).toEqual([[b, 150, 'after']]);
    snap.restore();
    expect(k.mem.liveObjectsSince(base)).toEqual(saved);
    expect(saved.map((o) => [o.addr, o.size, o.owner, o.site])).toEqual([
      [a, 200, 'before', 'before'],
      [b, 250, 'before', 'before'],
    ]);
    k.mem.kfree(t, a);
    k.mem.kfree(t, b);
    expect(k.bugs).toHaveLength(0);
  });
});
