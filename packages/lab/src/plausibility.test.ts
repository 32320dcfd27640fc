import { describe, expect, it } from 'vitest';
import { documentedRange, plausibility } from './plausibility.js';

describe('plausibility', () => {
  const fig = (value: number, kind: 'M' | 'D' | 'E', source = 'no range given') => ({ value, kind, source });

  it('judges against a documented range: inside, within half its width, or far', () => {
    const f = fig(800, 'M', '[X] pair (500–1000)');
    expect(plausibility(f, 500)).toEqual({
      verdict: 'plausible',
      reason: 'within the documented range 500–1000',
      documentedRange: [500, 1000],
    });
    expect(plausibility(f, 1000).verdict).toBe('plausible');
    expect(plausibility(f, 250)).toEqual({
      verdict: 'doubtful',
      reason: 'below the documented range 500–1000, but near it',
      documentedRange: [500, 1000],
    });
    expect(plausibility(f, 1250).reason).toBe('above the documented range 500–1000, but near it');
    expect(plausibility(f, 249)).toEqual({
      verdict: 'implausible',
      reason: 'far below the documented range 500–1000',
      documentedRange: [500, 1000],
    });
    expect(plausibility(f, 1251).reason).toBe('far above the documented range 500–1000');
  });

  it('allows 25 % on a measured figure, 50 % on a derived one, a factor of 2 on an estimate', () => {
    expect(plausibility(fig(100, 'M'), 125)).toEqual({
      verdict: 'plausible',
      reason: '1.25x the figure 100, within the tolerance for a measured figure',
      documentedRange: null,
    });
    expect(plausibility(fig(100, 'M'), 75).verdict).toBe('plausible');
    expect(plausibility(fig(100, 'M'), 126)).toEqual({
      verdict: 'doubtful',
      reason: '1.26x the figure 100, outside the tolerance for a measured figure (±25%)',
      documentedRange: null,
    });
    expect(plausibility(fig(100, 'M'), 150).verdict).toBe('doubtful');
    expect(plausibility(fig(100, 'M'), 151).verdict).toBe('implausible');
    expect(plausibility(fig(100, 'D'), 150).reason).toBe(
      '1.50x the figure 100, within the tolerance for a derived figure',
    );
    expect(plausibility(fig(100, 'D'), 49).verdict).toBe('doubtful');
    expect(plausibility(fig(100, 'D'), 201).reason).toBe(
      '2.01x the figure 100, outside the tolerance for a derived figure (±50%)',
    );
    expect(plausibility(fig(100, 'D'), 201).verdict).toBe('implausible');
    expect(plausibility(fig(100, 'E'), 50).reason).toBe(
      '0.50x the figure 100, within the tolerance for an estimated (UNVERIFIED) figure',
    );
    expect(plausibility(fig(100, 'E'), 200).verdict).toBe('plausible');
    expect(plausibility(fig(100, 'E'), 49)).toEqual({
      verdict: 'doubtful',
      reason: '0.49x the figure 100, outside the tolerance for an estimated (UNVERIFIED) figure (x0.5–x2)',
      documentedRange: null,
    });
    expect(plausibility(fig(100, 'E'), 400).verdict).toBe('doubtful');
    expect(plausibility(fig(100, 'E'), 25).verdict).toBe('doubtful');
    expect(plausibility(fig(100, 'E'), 401).verdict).toBe('implausible');
    expect(plausibility(fig(100, 'E'), 24).verdict).toBe('implausible');
  });

  it('accepts only 0 for a figure of 0', () => {
    expect(plausibility(fig(0, 'E'), 0)).toEqual({
      verdict: 'plausible',
      reason: 'the figure itself (0)',
      documentedRange: null,
    });
    expect(plausibility(fig(0, 'M'), 0.1).verdict).toBe('implausible');
  });
});

describe('documentedRange', () => {
  it('reads ranges with an en dash or a hyphen, thousands separators and decimals', () => {
    expect(documentedRange('(2,000–6,000)')).toEqual([2000, 6000]);
    expect(documentedRange('p (0.25-0.5) of calls')).toEqual([0.25, 0.5]);
    expect(documentedRange('pair 120 (116 – 126)')).toEqual([116, 126]);
    expect(documentedRange('(7–7)')).toEqual([7, 7]);
    expect(documentedRange('(0.25–0.75)')).toEqual([0.25, 0.75]);
  });

  it('ignores reversed ranges and text that is not a range', () => {
    expect(documentedRange('(1000–500)')).toBeNull();
    expect(documentedRange('[L07] SLAB pair 114–142 (midpoint 128)')).toBeNull();
    expect(documentedRange('(see §2)')).toBeNull();
  });
});

describe('plausibility of a probability and of a figure of 0', () => {
  const cold = { value: 0, kind: 'E' as const, source: 'p_slow (0 = hot)' };

  it('judges a probability by its distance from the figure, never a ratio to 0', () => {
    expect(plausibility(cold, 0.05, 'allocColdProbability')).toEqual({
      verdict: 'plausible',
      reason:
        '0.05 away from the figure 0 on the probability scale (no documented range; a probability may move 0.05, doubtful to 0.25)',
      documentedRange: null,
    });
    expect(plausibility(cold, 0.115, 'allocColdProbability').verdict).toBe('doubtful');
    expect(plausibility(cold, 0.25, 'allocColdProbability').verdict).toBe('doubtful');
    expect(plausibility(cold, 0.26, 'allocColdProbability').verdict).toBe('implausible');
  });

  it('accepts only 0 for a cycle figure of 0, and says why', () => {
    expect(plausibility(cold, 0).verdict).toBe('plausible');
    expect(plausibility(cold, 0.1)).toEqual({
      verdict: 'implausible',
      reason:
        'the figure is 0 (an estimated (UNVERIFIED) figure, no documented range): any other value is a new assumption',
      documentedRange: null,
    });
  });

  it("ignores a range in the source that does not hold the figure (another quantity's)", () => {
    // k8-2006 kmallocFast: 50, derived from a pair of 116–126.
    const f = { value: 50, kind: 'D' as const, source: '[D07b] pair 120 (116–126); 40/60 split' };
    expect(plausibility(f, 50)).toMatchObject({ verdict: 'plausible', documentedRange: null });
    expect(documentedRange(f.source, 50)).toBeNull();
    expect(documentedRange(f.source, 120)).toEqual([116, 126]);
  });
});
