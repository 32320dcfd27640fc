import { getArch, InvalidArgumentError } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { recommendThresholds } from './recommend.js';

describe('recommendThresholds', () => {
  const dist = { pmd: { 1: 10, 2: 30, 4: 40, 8: 15, 16: 5 }, pmc: { 1: 50, 4: 30, 12: 20 } };

  it('keeps as much of the distribution on the stack as the budget allows, and no more', () => {
    const r = recommendThresholds({ arch: 'i386', stackBudget: 768, sizeDistribution: dist });
    expect(r.thresholds).toEqual({ pmc: 12, pmd: 4, setdesc: 0, setinfo: 0 });
    const pmd = r.kinds.find((k) => k.kind === 'pmd')!;
    expect([pmd.maxElements, pmd.stackBytes, pmd.stackShare]).toEqual([4, 704, 0.8]);
    // p4-2006: kmalloc+kfree 130 + 190 = 320 cycles for the 20 % above 4 elements
    expect(r.fallbackCycles).toBe(320);
    expect(pmd.expectedCycles).toBeCloseTo(64, 6);
    expect(pmd.expectedCyclesWithoutStack).toBeCloseTo(320, 6);
    // pmc: 16 would fit 768 B, but nothing longer than 12 occurs
    expect(r.kinds.find((k) => k.kind === 'pmc')!.maxElements).toBe(16);
  });

  it("a larger budget takes the seed's 8 and then everything; a zero budget takes nothing", () => {
    expect(
      recommendThresholds({ arch: 'x86_64', stackBudget: 1408, sizeDistribution: dist }).thresholds.pmd,
    ).toBe(8);
    expect(
      recommendThresholds({ arch: 'x86_64-16k', stackBudget: 4096, sizeDistribution: dist }).thresholds.pmd,
    ).toBe(16);
    expect(recommendThresholds({ arch: 'i386', stackBudget: 0, sizeDistribution: dist }).thresholds).toEqual({
      pmc: 0,
      pmd: 0,
      setdesc: 0,
      setinfo: 0,
    });
  });

  it('defaults the budget to the hybrid rule and prices the fallback from the cost profile', () => {
    const r = recommendThresholds({
      arch: getArch('i386-4k'),
      sizeDistribution: dist,
      cost: 'modern-x86_64',
    });
    expect(r.stackBudget).toBe(485);
    expect(r.thresholds.pmd).toBe(2);
    expect(r.fallbackCycles).toBe(75);
    const cached = recommendThresholds({ arch: 'i386-4k', sizeDistribution: dist, fallback: 'ctx-cache' });
    expect(cached.fallbackCycles).toBe(200);
    const cold = recommendThresholds({
      arch: 'i386',
      sizeDistribution: dist,
      costOverrides: { allocColdProbability: 0.5 },
    });
    expect(cold.fallbackCycles).toBe(0.5 * 320 + 0.5 * (625 + 750));
  });

  it('rejects bad input with typed errors', () => {
    expect(() => recommendThresholds({ arch: 'vax' as 'i386', sizeDistribution: dist })).toThrow(
      InvalidArgumentError,
    );
    expect(() => recommendThresholds({ arch: 'i386', sizeDistribution: { pmx: { 1: 1 } } as never })).toThrow(
      /sizeDistribution kind/,
    );
    expect(() => recommendThresholds({ arch: 'i386', sizeDistribution: { pmd: { 1.5: 1 } } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => recommendThresholds({ arch: 'i386', sizeDistribution: { pmd: { 1: -1 } } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => recommendThresholds({ arch: 'i386', stackBudget: -1, sizeDistribution: dist })).toThrow(
      InvalidArgumentError,
    );
  });

  it('lists a recommendation for each kind in the distribution, in ABI order; a kind that never occurs gets none', () => {
    const r = recommendThresholds({
      arch: 'i386',
      stackBudget: 768,
      sizeDistribution: { setinfo: { 1: 0, 3: 0 }, pmd: { 2: 1 }, pmc: { 4: 1 } },
    });
    expect(r.kinds.map((k) => k.kind)).toEqual(['pmc', 'pmd']);
    expect(r.thresholds).toEqual({ pmc: 4, pmd: 2, setdesc: 0, setinfo: 0 });
  });

  it('a length of weight 0 is allowed and changes nothing', () => {
    const base = recommendThresholds({ arch: 'i386', stackBudget: 768, sizeDistribution: { pmd: { 2: 3 } } });
    const zero = recommendThresholds({
      arch: 'i386',
      stackBudget: 768,
      sizeDistribution: { pmd: { 2: 3, 4: 0 } },
    });
    expect(zero).toEqual(base);
    expect(zero.thresholds.pmd).toBe(2);
  });

  it('rejects what is not an options object, a distribution or a fallback it knows, naming what was wrong', () => {
    for (const bad of [null, undefined, 'i386'])
      expect(() => recommendThresholds(bad as never)).toThrow(
        /^invalid recommendThresholds options: .* \(accepted: an object\)$/,
      );
    for (const bad of [null, undefined, 7])
      expect(() => recommendThresholds({ arch: 'i386', sizeDistribution: bad as never })).toThrow(
        /^invalid sizeDistribution: .* \(accepted: an object of element kind -> \{count: weight\}\)$/,
      );
    expect(() =>
      recommendThresholds({ arch: 'i386', sizeDistribution: dist, fallback: 'percpu' as 'kmalloc' }),
    ).toThrow('invalid fallback: "percpu" (accepted: kmalloc, ctx-cache)');
    expect(() => recommendThresholds({ arch: 'i386', sizeDistribution: { pmx: { 1: 1 } } as never })).toThrow(
      'invalid sizeDistribution kind: "pmx" (accepted: pmc, pmd, setdesc, setinfo)',
    );
    expect(() => recommendThresholds({ arch: 'i386', stackBudget: 1.5, sizeDistribution: dist })).toThrow(
      /^invalid stackBudget: 1.5/,
    );
    expect(() => recommendThresholds({ arch: 'i386', sizeDistribution: { pmd: { 2.5: 1 } } })).toThrow(
      /^invalid pmd vector length: 2.5/,
    );
  });

  it('a weight must be a finite number, at least 0', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '3'])
      expect(() =>
        recommendThresholds({ arch: 'i386', sizeDistribution: { pmc: { 4: bad as number } } }),
      ).toThrow(/^invalid pmc weight of length 4: .* \(accepted: a finite number >= 0\)$/);
  });
});
