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
});
