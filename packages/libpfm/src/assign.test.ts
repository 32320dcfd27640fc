import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canPlaceAll,
  explainNoAssignment,
  greedyPasses,
  hallViolator,
  isValidAssignment,
  type Slot,
  searchAssignment,
} from './index.js';

const slots = (...counters: number[]): Slot[] => counters.map((counter) => ({ counter }));

/** Plain brute force: does any assignment exist? */
function exists(cands: readonly (readonly Slot[])[], accept?: (a: readonly Slot[]) => boolean): boolean {
  const chosen: Slot[] = [];
  const go = (i: number): boolean => {
    if (i === cands.length) return accept === undefined || accept(chosen);
    for (const s of cands[i] ?? []) {
      if (chosen.some((c) => c.counter === s.counter || (s.escr !== undefined && c.escr === s.escr)))
        continue;
      chosen.push(s);
      if (go(i + 1)) return true;
      chosen.pop();
    }
    return false;
  };
  return go(0);
}

describe('searchAssignment', () => {
  it('finds an assignment greedy passes miss', () => {
    const cands = [slots(0, 1), slots(0), slots(1, 2)];
    expect(greedyPasses(cands, [{ events: [0, 1, 2] }])).toBeUndefined();
    expect(searchAssignment(cands)?.map((s) => s.counter)).toEqual([1, 0, 2]);
    expect(searchAssignment(cands, { order: 'input' })?.map((s) => s.counter)).toEqual([1, 0, 2]);
  });

  it('returns undefined when none exists', () => {
    expect(searchAssignment([slots(0, 1), slots(0, 1), slots(1, 0)])).toBeUndefined();
    expect(searchAssignment([slots()])).toBeUndefined();
    expect(searchAssignment([])).toEqual([]);
  });

  it('input order returns the lexicographically first valid assignment', () => {
    const cands = [slots(4, 5, 6, 7), slots(4, 5, 6, 7), slots(4, 5, 6, 7)];
    const accept = (a: readonly Slot[]) => a[2]?.counter === 4;
    expect(searchAssignment(cands, { order: 'input', accept })?.map((s) => s.counter)).toEqual([5, 6, 4]);
  });

  it('treats ESCRs as exclusive resources', () => {
    const cands = [
      [
        { counter: 0, escr: 100 },
        { counter: 1, escr: 101 },
      ],
      [{ counter: 1, escr: 100 }],
    ];
    // Counters alone allow 0 and 1, but the second event needs ESCR 100 and counter 1: the
    // first can take neither.
    expect(searchAssignment(cands)).toBeUndefined();
    // canPlaceAll only prunes: it joins every ESCR to the counters any event reaches through
    // it (exact on the P4, where that reach belongs to the ESCR), so here it says yes.
    expect(canPlaceAll([0, 1], cands)).toBe(true);
    const wider = [[...(cands[0] ?? []), { counter: 2, escr: 102 }], cands[1] ?? []];
    expect(searchAssignment(wider)).toEqual([
      { counter: 2, escr: 102 },
      { counter: 1, escr: 100 },
    ]);
  });

  it('agrees with brute force on random problems, and its results are valid', () => {
    const slot = fc.record({
      counter: fc.integer({ min: 0, max: 5 }),
      escr: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    });
    const problem = fc.array(
      fc.uniqueArray(slot, { maxLength: 5, selector: (s) => `${s.counter}/${s.escr}` }),
      {
        maxLength: 6,
      },
    );
    fc.assert(
      fc.property(problem, fc.boolean(), (raw, input) => {
        const cands: Slot[][] = raw.map((list) =>
          list.map((s) =>
            s.escr === undefined ? { counter: s.counter } : { counter: s.counter, escr: s.escr },
          ),
        );
        const found = searchAssignment(cands, { order: input ? 'input' : 'most-constrained' });
        expect(found !== undefined).toBe(exists(cands));
        if (found !== undefined) expect(isValidAssignment(found, cands)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('canPlaceAll is exact for counter-only problems', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }), { maxLength: 7 }),
        (lists) => {
          const cands = lists.map((l) => slots(...l));
          expect(
            canPlaceAll(
              cands.map((_, i) => i),
              cands,
            ),
          ).toBe(exists(cands));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isValidAssignment and greedyPasses', () => {
  it('rejects shared counters or ESCRs and slots that are not candidates', () => {
    const cands = [slots(0, 1), slots(0, 1)];
    expect(isValidAssignment(slots(0, 1), cands)).toBe(true);
    expect(isValidAssignment(slots(0, 0), cands)).toBe(false);
    expect(isValidAssignment(slots(0, 2), cands)).toBe(false);
    expect(isValidAssignment(slots(0), cands)).toBe(false);
    const escr = [[{ counter: 0, escr: 1 }], [{ counter: 1, escr: 1 }]];
    expect(
      isValidAssignment(
        [
          { counter: 0, escr: 1 },
          { counter: 1, escr: 1 },
        ],
        escr,
      ),
    ).toBe(false);
  });

  it('optional passes leave events for later passes; filters restrict slots', () => {
    const cands = [slots(16, 0, 1), slots(0, 1)];
    const out = greedyPasses(cands, [
      { events: [0, 1], filter: (s) => s.counter >= 16, optional: true },
      { events: [0, 1], filter: (s) => s.counter < 16 },
    ]);
    expect(out?.map((s) => s.counter)).toEqual([16, 0]);
  });
});

describe('explaining a failure', () => {
  const ctx = {
    names: ['A', 'B', 'C'],
    staticCounters: [[0], [0], [0, 1]],
    unavailableReason: (c: number) => (c === 1 ? 'pmc1 is in unavailPmcs' : undefined),
  };

  it('names the pair that needs one counter', () => {
    expect(explainNoAssignment([slots(0), slots(0), slots(0)], ctx).detail).toBe(
      'A and B both need counter 0',
    );
  });

  it('names an event whose counters are all unavailable', () => {
    expect(
      explainNoAssignment([slots(0), slots(), slots(0)], { ...ctx, staticCounters: [[0], [1], [0]] }),
    ).toEqual({
      detail: 'B can only use counter 1, which is unavailable: pmc1 is in unavailPmcs',
      events: ['B'],
    });
  });

  it('names a larger Hall violator', () => {
    const hall = hallViolator(
      [0, 1, 2],
      (i) =>
        [
          [0, 1],
          [0, 1],
          [1, 0],
        ][i] ?? [],
    );
    expect(hall).toEqual({ events: [0, 1, 2], resources: [0, 1] });
    expect(hallViolator([0, 1], (i) => [[0], [1]][i] ?? [])).toBeUndefined();
  });

  it('falls back to the PMU rule when counters are not the problem', () => {
    expect(
      explainNoAssignment([slots(4), slots(5)], { ...ctx, names: ['X', 'Y'], ruleText: 'X must be on 5' })
        .detail,
    ).toBe("no placement of X and Y satisfies the PMU's constraints (X must be on 5)");
  });
});
