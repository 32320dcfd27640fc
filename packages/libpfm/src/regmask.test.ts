import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPfmError, PFMLIB_ERR_INVAL, RegMask, toRegMask } from './index.js';

const indexes = fc.uniqueArray(fc.integer({ min: 0, max: 511 }), { maxLength: 40 });

describe('RegMask (pfmlib_regmask_t)', () => {
  it('sets, tests, clears and weighs bits over 0..511', () => {
    const m = RegMask.of(0, 1, 31, 32, 256, 511);
    expect(m.isset(0) && m.isset(31) && m.isset(32) && m.isset(511)).toBe(true);
    expect(m.isset(2)).toBe(false);
    expect(m.weight()).toBe(6);
    m.clr(31).set(2);
    expect(m.toArray()).toEqual([0, 1, 2, 32, 256, 511]);
    expect([...m]).toEqual(m.toArray());
    expect(RegMask.of(0, 1).toString()).toBe('0x3');
    expect(new RegMask().toString()).toBe('0x0');
  });

  it('isset is false outside the mask; set and clr outside give INVAL', () => {
    const m = new RegMask();
    expect(m.isset(-1)).toBe(false);
    expect(m.isset(512)).toBe(false);
    for (const bad of [-1, 512, 1.5]) {
      expect(() => m.set(bad)).toThrow(expect.objectContaining({ code: PFMLIB_ERR_INVAL }));
      try {
        m.clr(bad);
      } catch (e) {
        expect(isPfmError(e, PFMLIB_ERR_INVAL)).toBe(true);
      }
    }
  });

  it('and/or/andnot/not/eq/copy behave as set operations', () => {
    fc.assert(
      fc.property(indexes, indexes, (a, b) => {
        const ma = RegMask.from(a);
        const mb = RegMask.from(b);
        const sa = new Set(a);
        const sb = new Set(b);
        expect(ma.and(mb).toArray()).toEqual([...sa].filter((x) => sb.has(x)).sort((x, y) => x - y));
        expect(ma.or(mb).toArray()).toEqual([...new Set([...a, ...b])].sort((x, y) => x - y));
        expect(ma.andnot(mb).toArray()).toEqual([...sa].filter((x) => !sb.has(x)).sort((x, y) => x - y));
        expect(ma.not().weight()).toBe(512 - sa.size);
        expect(ma.not().not().eq(ma)).toBe(true);
        expect(ma.copy().eq(ma)).toBe(true);
        expect(ma.eq(mb)).toBe(sa.size === sb.size && [...sa].every((x) => sb.has(x)));
        expect(ma.weight()).toBe(sa.size);
      }),
    );
  });

  it('binary operations do not modify their operands', () => {
    const a = RegMask.of(1, 2);
    const b = RegMask.of(2, 3);
    a.and(b);
    a.or(b);
    a.andnot(b);
    a.not();
    expect(a.toArray()).toEqual([1, 2]);
    expect(b.toArray()).toEqual([2, 3]);
  });

  it('toRegMask accepts a mask, an iterable or nothing', () => {
    const m = RegMask.of(4);
    expect(toRegMask(m)).toBe(m);
    expect(toRegMask([5, 6]).toArray()).toEqual([5, 6]);
    expect(toRegMask(new Set([7])).toArray()).toEqual([7]);
    expect(toRegMask(undefined).weight()).toBe(0);
  });
});

describe('RegMask: indexes that only alias a bit', () => {
  it('isset is false for a fraction or an index past either end, whatever bit it would wrap to', () => {
    const m = RegMask.of(0, 1);
    for (const n of [0.5, 1.5, 2 ** 32 + 1, 1 - 2 ** 32]) expect(m.isset(n)).toBe(false);
  });

  it('INVAL names the index and the valid range', () => {
    expect(() => new RegMask().set(512)).toThrow(
      expect.objectContaining({ code: PFMLIB_ERR_INVAL, detail: 'register index 512 is outside 0..511' }),
    );
  });

  it('toString puts the highest word first', () => {
    expect(RegMask.of(511, 32, 0).toString()).toBe(`0x${((1n << 511n) | (1n << 32n) | 1n).toString(16)}`);
  });
});
