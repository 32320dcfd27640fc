/** Counter assignment cases a PMU port relies on: ESCR exclusivity, pass rules, the explanation. */
import { describe, expect, it } from 'vitest';
import { joinAnd } from './assign.js';
import {
  canPlaceAll,
  explainNoAssignment,
  greedyPasses,
  isValidAssignment,
  type Slot,
  searchAssignment,
} from './index.js';

const slots = (...counters: number[]): Slot[] => counters.map((counter) => ({ counter }));
const counters = (a: readonly Slot[] | undefined) => a?.map((s) => s.counter);

describe('canPlaceAll', () => {
  it('an ESCR feeds one counter at a time, whichever counters it reaches', () => {
    expect(canPlaceAll([0, 1], [[{ counter: 0, escr: 5 }], [{ counter: 1, escr: 5 }]])).toBe(false);
    expect(canPlaceAll([0, 1], [[{ counter: 0, escr: 5 }], [{ counter: 1, escr: 6 }]])).toBe(true);
    const viaFive = [
      { counter: 0, escr: 5 },
      { counter: 1, escr: 5 },
    ];
    expect(canPlaceAll([0, 1], [viaFive, viaFive])).toBe(false);
    expect(canPlaceAll([0, 1], [viaFive, [...viaFive, { counter: 2, escr: 6 }]])).toBe(true);
  });

  it('only slots passing `usable` count, and only the pending events', () => {
    expect(canPlaceAll([0], [slots(0, 1)], (s) => s.counter !== 0)).toBe(true);
    expect(canPlaceAll([0], [slots(0)], (s) => s.counter !== 0)).toBe(false);
    expect(canPlaceAll([1], [slots(0), slots(0)], (s) => s.counter === 0)).toBe(true);
    expect(canPlaceAll([], [slots()])).toBe(true);
  });
});

describe('isValidAssignment', () => {
  it('a slot must be a candidate with the same ESCR; every event needs one; the rule must hold', () => {
    const cands = [[{ counter: 0, escr: 1 }], slots(1)];
    expect(isValidAssignment([{ counter: 0, escr: 1 }, { counter: 1 }], cands)).toBe(true);
    expect(isValidAssignment([{ counter: 0, escr: 2 }, { counter: 1 }], cands)).toBe(false);
    expect(isValidAssignment([{ counter: 0 }, { counter: 1 }], cands)).toBe(false);
    expect(isValidAssignment([{ counter: 0, escr: 1 }, undefined], cands)).toBe(false);
    expect(isValidAssignment([{ counter: 0, escr: 1 }, { counter: 1 }], cands, () => false)).toBe(false);
  });
});

describe('searchAssignment: order', () => {
  const cands = [slots(1, 0, 2), slots(1, 2)];

  it('most-constrained (the default) places the event with fewer free counters first', () => {
    expect(counters(searchAssignment(cands))).toEqual([0, 1]);
    expect(counters(searchAssignment(cands, { order: 'most-constrained' }))).toEqual([0, 1]);
    expect(counters(searchAssignment(cands, { order: 'input' }))).toEqual([1, 2]);
  });

  it('a tie goes to the earlier event', () => {
    expect(counters(searchAssignment([slots(0, 1), slots(0, 1)]))).toEqual([0, 1]);
    expect(counters(searchAssignment([slots(2, 0, 1), slots(0, 1, 2), slots(1, 2, 0)]))).toEqual([2, 0, 1]);
  });

  it('slots without an ESCR do not block each other through it', () => {
    expect(searchAssignment([[{ counter: 0, escr: 5 }], slots(1), slots(2)])).toEqual([
      { counter: 0, escr: 5 },
      { counter: 1 },
      { counter: 2 },
    ]);
  });

  it('says no at once when there are more events than counters', () => {
    // Twelve events on eleven counters: the pruning sees it at the root, where a plain
    // backtracking would try every arrangement of eleven counters (beyond the test timeout).
    const twelve = Array.from({ length: 12 }, () => slots(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    expect(searchAssignment(twelve)).toBeUndefined();
    expect(searchAssignment(twelve, { order: 'input' })).toBeUndefined();
  });
});

describe('greedyPasses', () => {
  it('a filter hides slots, however early they come', () => {
    expect(counters(greedyPasses([slots(0, 16)], [{ events: [0], filter: (s) => s.counter >= 16 }]))).toEqual(
      [16],
    );
  });

  it('an event a required pass cannot place fails the whole assignment', () => {
    const fixedOnly = { events: [0], filter: (s: Slot) => s.counter >= 16 };
    expect(greedyPasses([slots(0)], [fixedOnly, { events: [0] }])).toBeUndefined();
    expect(counters(greedyPasses([slots(0)], [{ ...fixedOnly, optional: true }, { events: [0] }]))).toEqual([
      0,
    ]);
  });

  it('an event no pass placed fails it too', () => {
    expect(greedyPasses([slots(0), slots(0)], [{ events: [0, 1], optional: true }])).toBeUndefined();
    expect(greedyPasses([slots(0), slots(1)], [{ events: [0] }])).toBeUndefined();
  });

  it('ESCRs are exclusive; slots without one are not held back by them', () => {
    expect(
      greedyPasses(
        [
          [{ counter: 0, escr: 5 }],
          [
            { counter: 1, escr: 5 },
            { counter: 2, escr: 6 },
          ],
          slots(3),
        ],
        [{ events: [0, 1, 2] }],
      ),
    ).toEqual([{ counter: 0, escr: 5 }, { counter: 2, escr: 6 }, { counter: 3 }]);
  });
});

describe('explainNoAssignment', () => {
  const none = () => undefined;

  it('joins names the English way', () => {
    expect([[], ['A'], ['A', 'B'], ['A', 'B', 'C']].map(joinAnd)).toEqual(['', 'A', 'A and B', 'A, B and C']);
  });

  it('an event with no usable counter: each distinct reason once, or none', () => {
    const reason = (c: number) => (c === 0 ? undefined : 'pmc1 and pmc2 are in unavailPmcs');
    expect(
      explainNoAssignment([slots()], {
        names: ['A'],
        staticCounters: [[0, 1, 2]],
        unavailableReason: reason,
      }),
    ).toEqual({
      detail: 'A can only use counters 0, 1 and 2, all unavailable: pmc1 and pmc2 are in unavailPmcs',
      events: ['A'],
    });
    expect(
      explainNoAssignment([slots()], { names: ['A'], staticCounters: [[3]], unavailableReason: none }),
    ).toEqual({ detail: 'A can only use counter 3, which is unavailable', events: ['A'] });
    expect(
      explainNoAssignment([slots()], { names: [], staticCounters: [], unavailableReason: none }),
    ).toEqual({
      detail: '#0 cannot be counted on any counter',
      events: ['#0'],
    });
  });

  it('three events on two counters compete for them', () => {
    const ctx = { names: ['A', 'B', 'C'], staticCounters: [], unavailableReason: none };
    expect(explainNoAssignment([slots(0, 1), slots(1, 0), slots(0, 1)], ctx)).toEqual({
      detail: 'A, B and C compete for counters 0 and 1',
      events: ['A', 'B', 'C'],
    });
  });

  it('P4: events that need the same ESCRs, by the ESCR names when known', () => {
    const ctx = { names: ['A', 'B', 'C'], staticCounters: [], unavailableReason: none };
    const two = [[{ counter: 0, escr: 5 }], [{ counter: 1, escr: 5 }]];
    expect(explainNoAssignment(two, ctx)).toEqual({
      detail: 'A and B both need ESCR pmc5',
      events: ['A', 'B'],
    });
    const escrName = (x: number) => (x === 5 ? 'BSU_ESCR0' : 'BSU_ESCR1');
    expect(explainNoAssignment(two, { ...ctx, escrName }).detail).toBe('A and B both need ESCR BSU_ESCR0');
    const three = [
      [
        { counter: 0, escr: 5 },
        { counter: 1, escr: 6 },
      ],
      [{ counter: 2, escr: 5 }],
      [{ counter: 3, escr: 6 }],
    ];
    expect(explainNoAssignment(three, { ...ctx, escrName })).toEqual({
      detail: 'A, B and C compete for ESCRs BSU_ESCR0 and BSU_ESCR1',
      events: ['A', 'B', 'C'],
    });
  });

  it("falls back to the PMU's constraints, with the rule only when there is one", () => {
    const ctx = { names: ['A', 'B', 'C'], staticCounters: [], unavailableReason: none };
    // C has no ESCR: the ESCR conflict of A and B is no explanation a P4 would give.
    const mixed = [[{ counter: 0, escr: 5 }], [{ counter: 1, escr: 5 }], slots(2)];
    expect(explainNoAssignment(mixed, ctx)).toEqual({
      detail: "no placement of A, B and C satisfies the PMU's constraints",
      events: ['A', 'B', 'C'],
    });
  });
});
