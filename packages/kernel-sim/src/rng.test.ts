import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

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
