import { describe, expect, it } from 'vitest';
import { calibrate, documentedRange, plausibility } from './calibrate.js';
import { getMachine } from './machines.js';
import { measureCall } from './measure.js';

describe('calibrate', () => {
  it('finds the kmalloc fast-path cost that makes the stack 20% cheaper than kmalloc at 4 registers', () => {
    const r = calibrate({
      machine: getMachine('p4-2006'),
      target: {
        kind: 'relative',
        syscall: 'pfm_read_pmds',
        count: 4,
        strategy: 'stack',
        versus: 'kmalloc',
        value: -0.2,
      },
      vary: 'kmallocFast',
    });
    expect(r.solved).toBe(true);
    expect(r.achieved!).toBeCloseTo(-0.2, 3);
    expect(r.value!).toBeGreaterThan(130);
    expect(r.plausibility?.verdict).toBe('doubtful');
  });

  it('reads documented ranges and judges by kind without one', () => {
    expect(documentedRange('cost-model.md §1.1 (500–1000)')).toEqual([500, 1000]);
    expect(documentedRange('[L02] sysenter getppid')).toBeNull();
    expect(plausibility({ value: 800, kind: 'E', source: '(500–1000)' }, 700).verdict).toBe('plausible');
    expect(plausibility({ value: 800, kind: 'E', source: '(500–1000)' }, 5000).verdict).toBe('implausible');
    expect(plausibility({ value: 641, kind: 'M', source: 'measured' }, 700).verdict).toBe('plausible');
    expect(plausibility({ value: 641, kind: 'M', source: 'measured' }, 1556).verdict).toBe('implausible');
  });

  // kmalloc with 4 PMDs on p4-2006 costs 1955 cycles plus one kmallocFast (130 in the profile).
  const kmalloc4 = (value: number) =>
    ({ kind: 'absolute', syscall: 'pfm_read_pmds', count: 4, strategy: 'kmalloc', value }) as const;
  const p4 = getMachine('p4-2006');

  it('solves an absolute target in cycles within the default interval [0, 4 x the figure]', () => {
    const r = calibrate({ machine: p4, target: kmalloc4(2185), vary: 'kmallocFast' });
    expect(r).toMatchObject({
      param: 'kmallocFast',
      figure: { value: 130, kind: 'D' },
      current: 2085,
      currentCycles: { strategy: 2085, versus: null },
      target: 2185,
      solved: true,
      achieved: 2185,
      achievedCycles: { strategy: 2185, versus: null },
      interval: [0, 520],
      reachable: [2085, 2185],
      plausibility: {
        verdict: 'doubtful',
        reason: '1.77x the figure 130, outside the tolerance for a derived figure (±50%)',
        documentedRange: null,
      },
    });
    // The clock counts whole cycles: any value that rounds 1955 + v to 2185 reproduces it.
    expect(r.value).toBeGreaterThanOrEqual(229.5);
    expect(r.value).toBeLessThan(230.5);
  });

  it('finds the figure itself when the target is the current result', () => {
    const r = calibrate({ machine: p4, target: kmalloc4(2085), vary: 'kmallocFast' });
    // f(0) < 0, f(520) > 0, f(260) > 0, f(130) = 0: two ends, two midpoints, one check.
    expect(r).toMatchObject({ solved: true, value: 130, achieved: 2085, steps: 5 });
    expect(r.plausibility?.verdict).toBe('plausible');
  });

  it('doubles the upper bound until the target is bracketed', () => {
    const r = calibrate({ machine: p4, target: kmalloc4(3000), vary: 'kmallocFast' });
    // 520 -> 1040 -> 2080 brackets 1045.
    expect(r).toMatchObject({ solved: true, achieved: 3000, interval: [0, 2080] });
    expect(Math.round(r.value!)).toBe(1045);
    expect(r.plausibility?.verdict).toBe('implausible');
  });

  it('stops bisecting at the requested tolerance', () => {
    const fine = calibrate({ machine: p4, target: kmalloc4(2185.5), vary: 'kmallocFast' });
    const coarse = calibrate({ machine: p4, target: kmalloc4(2185.5), vary: 'kmallocFast', tolerance: 0.05 });
    expect(coarse.steps).toBeLessThan(fine.steps);
    expect(Math.abs(coarse.value! - 230.5)).toBeLessThanOrEqual(0.05 * 230.5);
    expect(Math.abs(fine.value! - 230.5)).toBeLessThanOrEqual(1e-4 * 230.5);
  });

  it('reports the reachable range of a fixed interval that cannot reach the target', () => {
    const r = calibrate({ machine: p4, target: kmalloc4(2500), vary: 'kmallocFast', min: 100, max: 200 });
    expect(r).toMatchObject({
      solved: false,
      value: null,
      achieved: null,
      achievedCycles: null,
      plausibility: null,
      interval: [100, 200],
      reachable: [2055, 2155],
      current: 2085,
    });
    // Both ends, then the 17-point scan for a sign change.
    expect(r.steps).toBe(19);
    const below = calibrate({ machine: p4, target: kmalloc4(1000), vary: 'kmallocFast', max: 500 });
    expect(below).toMatchObject({ solved: false, interval: [0, 500], reachable: [1955, 2455] });
  });

  it('takes an end of the interval that hits the target exactly', () => {
    expect(calibrate({ machine: p4, target: kmalloc4(1955), vary: 'kmallocFast' })).toMatchObject({
      solved: true,
      value: 0,
      steps: 3,
    });
    expect(calibrate({ machine: p4, target: kmalloc4(2475), vary: 'kmallocFast' })).toMatchObject({
      solved: true,
      value: 520,
      steps: 3,
    });
  });

  it('bisects at most 80 times, then takes the middle, to five significant digits', () => {
    const r = calibrate({ machine: p4, target: kmalloc4(2185.5), vary: 'kmallocFast', tolerance: 0 });
    expect(r.steps).toBe(2 + 80 + 1);
    expect(r.value).toBe(230.5);
  });

  it('measures under the ABI asked for', () => {
    const r = calibrate({ machine: p4, abi: 'v3', seed: 3, target: kmalloc4(2000), vary: 'kmallocFast' });
    const v3 = measureCall({
      machine: p4,
      abi: 'v3',
      strategy: 'kmalloc',
      syscall: 'pfm_read_pmds',
      count: 4,
    });
    expect(r.current).toBe(v3.cyclesPerCall);
    expect(r.current).not.toBe(2085);
  });

  it('searches a probability only between 0 and 1', () => {
    const r = calibrate({ machine: p4, target: kmalloc4(2500), vary: 'allocColdProbability' });
    expect(r.interval).toEqual([0, 1]);
    expect(r.figure).toMatchObject({ value: 0, kind: 'E' });
  });

  it('widens up to 1e7 cycles before giving up', () => {
    const r = calibrate({ machine: p4, target: kmalloc4(1000), vary: 'kmallocFast' });
    expect(r).toMatchObject({ solved: false, interval: [0, 1e7], reachable: [1955, 1e7 + 1955] });
  });
});

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
      reason: 'the figure is 0, within the tolerance for an estimated (UNVERIFIED) figure',
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
