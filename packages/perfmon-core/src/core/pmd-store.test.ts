import { describe, expect, it } from 'vitest';
import { PFM_SETFL_EXPL_NEXT } from '../abi/constants.js';
import { testWorld } from '../test-util.js';
import { PmdRows, PmdStore } from './pmd-store.js';
import { EventSet } from './sets.js';

/**
 * The per-PMD state of every set of a system lives in one store (a row per set, in chunks that
 * double from 2 rows up to 4096): rows are handed out in order, given back, reused zeroed.
 */

describe('PmdStore', () => {
  it('hands out rows in order, in chunks of 2, 4, 8 ... 4096 rows, then 4096 each', () => {
    const s = new PmdStore(3);
    expect(s.hostBytes).toBe(0);
    const rows = Array.from({ length: 10_000 }, () => s.take());
    expect(rows.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(rows.at(-1)).toBe(9_999);
    expect(s.inUse).toBe(10_000);
    const firsts = [0, 2, 6, 14, 30, 62, 126, 254, 510, 1022, 2046, 4094, 8190];
    const sizes = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 4096];
    for (let i = 0; i < firsts.length; i++) {
      for (const row of [firsts[i]!, firsts[i]! + sizes[i]! - 1]) {
        const c = s.chunkOf(row);
        expect([c.first, c.rows], `row ${row}`).toEqual([firsts[i], sizes[i]]);
        expect(c.upper).toHaveLength(sizes[i]! * 3);
      }
    }
    expect(s.hostBytes).toBe((8190 + 4096) * 3 * 29);
    expect(PmdRows.rowBytes(3)).toBe(3 * 29);
  });

  it('a chunk is made only when the last one is full', () => {
    const s = new PmdStore(1);
    s.take();
    expect(s.hostBytes).toBe(2 * 29);
    s.take();
    expect(s.hostBytes).toBe(2 * 29);
    s.take();
    expect(s.hostBytes).toBe(6 * 29);
  });

  it('a row given back is the next one taken, every array of it zeroed; others are untouched', () => {
    const s = new PmdStore(2);
    const a = s.take();
    const b = s.take();
    const c = s.chunkOf(a);
    const arrays = [c.upper, c.hw, c.flags, c.lastResetLo, c.lastResetHi, c.used];
    for (const arr of arrays) arr.fill(7);
    s.give(a);
    expect(s.inUse).toBe(1);
    expect(s.take()).toBe(a);
    expect(s.inUse).toBe(2);
    for (const arr of arrays) expect([...arr]).toEqual([0, 0, 7, 7]);
    expect(s.chunkOf(b)).toBe(c);
    s.give(b);
    s.give(a);
    expect([s.take(), s.take(), s.take()]).toEqual([a, b, 2]);
  });
});

describe('PmdStore rows past the first chunk', () => {
  it('a row of a later chunk given back is zeroed where it lies, its neighbours untouched', () => {
    const s = new PmdStore(2);
    const rows = [s.take(), s.take(), s.take(), s.take()]; // rows 2 and 3 open the second chunk
    const c = s.chunkOf(3);
    expect([c.first, c.rows]).toEqual([2, 4]);
    c.upper.fill(5);
    c.used.fill(1);
    s.give(rows[3]!);
    expect(s.take()).toBe(3);
    expect([...c.upper]).toEqual([5, 5, 0, 0, 5, 5, 5, 5]);
    expect([...c.used]).toEqual([1, 1, 0, 0, 1, 1, 1, 1]);
  });
});

describe('EventSet rows', () => {
  const pmu = testWorld().s.pmu; // intel-p6: 2 PMDs
  const nd = pmu.maxPmd;

  it('sets of one store keep their PMDs apart; a released set gives its row back once', () => {
    const store = new PmdStore(nd);
    const sets = [0, 1, 2, 3].map((id) => new EventSet(id, pmu, store));
    sets.forEach((set, i) => {
      set.loadPmd(1, 100 + i, 200 + i, 300 + i, 400 + i);
      set.usePmd(1, 0x10 + i);
    });
    sets.forEach((set, i) => {
      expect([set.pmdUpper(1), set.pmdHw(1), set.lastResetLo(1), set.lastResetHi(1)]).toEqual([
        100 + i,
        200 + i,
        300 + i,
        400 + i,
      ]);
      expect([set.pmdUsed(1), set.pmdFlags(1), set.pmdUsed(0), set.pmdUpper(0)]).toEqual([
        true,
        0x10 + i,
        false,
        0,
      ]);
    });
    sets[2]!.setPmdUpper(0, 5);
    sets[2]!.setPmdHw(0, 6);
    expect([sets[2]!.pmdUpper(0), sets[2]!.pmdHw(0), sets[1]!.pmdUpper(0), sets[3]!.pmdHw(0)]).toEqual([
      5, 6, 0, 0,
    ]);
    expect(store.inUse).toBe(4);
    sets[1]!.release();
    sets[1]!.release();
    expect(store.inUse).toBe(3);
    const again = new EventSet(9, pmu, store);
    expect(store.inUse).toBe(4);
    expect([again.pmdUsed(1), again.pmdUpper(1), again.pmdFlags(1), again.lastResetHi(1)]).toEqual([
      false,
      0,
      0,
      0,
    ]);
    expect(sets[3]!.pmdUpper(1)).toBe(103);
    expect(again.pmdCount).toBe(nd);
  });
});

describe('rows of a system', () => {
  it('a context holds a row per set; deleting a set and closing the context give them back', () => {
    const w = testWorld();
    const store = w.s.pmdStore;
    const before = store.inUse;
    const fd = w.ctx();
    expect(store.inUse).toBe(before + 1);
    const descs = w.setdescs([{ set_id: 1 }, { set_id: 2, set_flags: PFM_SETFL_EXPL_NEXT, set_id_next: 1 }]);
    expect(w.g.pfm_create_evtsets(fd, descs, 2).ok).toBe(true);
    expect(store.inUse).toBe(before + 3);
    expect(w.g.pfm_delete_evtsets(fd, w.setdescs([{ set_id: 2 }]), 1).ok).toBe(true);
    expect(store.inUse).toBe(before + 2);
    w.g.close(fd);
    expect(store.inUse).toBe(before);
  });
});

describe('deleting the active set', () => {
  it('keeps its row while ctx.active still names it; closing the context gives it back', () => {
    const w = testWorld();
    const store = w.s.pmdStore;
    const before = store.inUse;
    const fd = w.ctx();
    expect(w.g.pfm_create_evtsets(fd, w.setdescs([{ set_id: 1 }]), 1).ok).toBe(true);
    expect(w.load(fd, w.t.tid, 1).ok).toBe(true);
    expect(w.g.pfm_unload_context(fd).ok).toBe(true);
    expect(w.s.contexts[0]!.active.id).toBe(1); // unloading leaves the active set as it was
    expect(w.g.pfm_delete_evtsets(fd, w.setdescs([{ set_id: 1 }]), 1).ok).toBe(true);
    expect(store.inUse).toBe(before + 2);
    w.g.close(fd);
    expect(store.inUse).toBe(before);
  });
});
