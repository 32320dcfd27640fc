import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSeed, hash32, Rng } from './rng.js';

describe('Rng', () => {
  it('is deterministic per seed and stream', () => {
    const a = new Rng(42, 'sched');
    const b = new Rng(42, 'sched');
    const c = new Rng(42, 'failslab');
    const seqA = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(seqA);
  });

  it('below(n) stays in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const r = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const v = r.below(n);
          if (v < 0 || v >= n || !Number.isInteger(v)) return false;
        }
        return true;
      }),
    );
  });
});

describe('Rng reference values', () => {
  it('hash32 is FNV-1a (reference vectors), mixed with a seed', () => {
    expect(hash32('')).toBe(0x811c9dc5);
    expect(hash32('a')).toBe(0xe40c292c);
    expect(hash32('foobar')).toBe(0xbf9cf968);
    expect(hash32('a', 0)).toBe(0xe40c292c);
    expect(hash32('a', 1)).not.toBe(0xe40c292c);
  });

  it('a seed and stream name the same sequence in every version', () => {
    const r = new Rng(42, 'sched');
    expect([r.u32(), r.u32(), r.u32(), r.u32()]).toEqual([3218387640, 896018889, 2043684724, 4224108194]);
    const big = new Rng(2 ** 40 + 3);
    expect([big.u32(), big.u32()]).toEqual([935873671, 951512125]);
  });

  it('the default stream is the empty name; seeds differ above 2^32', () => {
    const a = new Rng(5);
    const b = new Rng(5, '');
    expect(Array.from({ length: 4 }, () => a.u32())).toEqual(Array.from({ length: 4 }, () => b.u32()));
    expect(new Rng(1).u32()).not.toBe(new Rng(1 + 2 ** 32).u32());
    expect(new Rng(7).u32()).not.toBe(new Rng(7 + 2 ** 33).u32());
  });

  it('below(0) and below(1) are 0 and draw nothing', () => {
    const r = new Rng(3);
    const fresh = new Rng(3);
    expect([r.below(0), r.below(1)]).toEqual([0, 0]);
    expect(r.u32()).toBe(fresh.u32());
  });

  it('below(n) reaches every value about equally often', () => {
    const r = new Rng(11);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) counts[r.below(10)]++;
    for (const c of counts) {
      expect(c).toBeGreaterThan(900);
      expect(c).toBeLessThan(1100);
    }
  });

  it('float is in [0, 1) and chance(p) is true about p of the time', () => {
    const r = new Rng(12);
    let sum = 0;
    let hits = 0;
    for (let i = 0; i < 10_000; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
      sum += f;
      if (r.chance(0.25)) hits++;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
    expect(hits).toBeGreaterThan(2300);
    expect(hits).toBeLessThan(2700);
    expect(Array.from({ length: 100 }, () => r.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => r.chance(1)).every(Boolean)).toBe(true);
  });

  it('checkSeed accepts integers from 0 to 2^53-1', () => {
    expect(checkSeed(0)).toBe(0);
    expect(checkSeed(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => checkSeed(2 ** 53)).toThrow('invalid seed: 9007199254740992');
  });
});
