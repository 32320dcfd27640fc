import { describe, expect, it } from 'vitest';
import { PFM_SETFL_EXPL_NEXT, PFM_SETFL_TIME_SWITCH } from '../abi/constants.js';
import { testWorld } from '../test-util.js';
import { PmdStore } from './pmd-store.js';
import { EventSet, SetList } from './sets.js';

/**
 * SetList's whole-list operations without building the array of sets: pfm_load_context's
 * EXPL_NEXT chain check (Q9) and the release of every set's PMD row when the context is freed.
 */

const pmu = testWorld().s.pmu;

function list(store: PmdStore, ...ids: number[]): SetList {
  const l = new SetList(new EventSet(ids[0]!, pmu, store));
  for (const id of ids.slice(1)) l.insert(new EventSet(id, pmu, store));
  return l;
}

describe('SetList.brokenChain', () => {
  it('a lone set: broken only when EXPL_NEXT names another id', () => {
    const l = list(new PmdStore(4), 0);
    const only = l.find(0)!;
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(false);
    only.idNext = 5; // ignored without the flag
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(false);
    only.flags = PFM_SETFL_TIME_SWITCH;
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(false);
    only.flags = PFM_SETFL_EXPL_NEXT | PFM_SETFL_TIME_SWITCH;
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(true);
    only.idNext = 0; // names itself
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(false);
  });

  it('several sets: broken when any EXPL_NEXT set names a missing id, wherever it sits', () => {
    const l = list(new PmdStore(4), 0, 3, 7);
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(false);
    const last = l.find(7)!;
    last.flags = PFM_SETFL_EXPL_NEXT;
    last.idNext = 0;
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(false);
    last.idNext = 4;
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(true);
    expect(l.brokenChain(PFM_SETFL_TIME_SWITCH)).toBe(false); // the flag asked for is the one read
    last.idNext = 3;
    const first = l.find(0)!;
    first.flags = PFM_SETFL_EXPL_NEXT;
    first.idNext = 1;
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(true);
    l.insert(new EventSet(1, pmu, new PmdStore(4)));
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(false);
    l.remove(3); // the last set's target goes
    expect(l.brokenChain(PFM_SETFL_EXPL_NEXT)).toBe(true);
  });
});

describe('SetList.releaseAll', () => {
  it('a lone set gives its row back', () => {
    const store = new PmdStore(4);
    const l = list(store, 0);
    expect(store.inUse).toBe(1);
    l.releaseAll();
    expect(store.inUse).toBe(0);
  });

  it('every set of the list gives its row back, once', () => {
    const store = new PmdStore(4);
    const l = list(store, 0, 2, 9);
    const outside = new EventSet(4, pmu, store);
    expect(store.inUse).toBe(4);
    l.releaseAll();
    expect(store.inUse).toBe(1);
    l.releaseAll(); // released sets hold no row: nothing given twice
    expect(store.inUse).toBe(1);
    outside.release();
    expect(store.inUse).toBe(0);
  });
});
