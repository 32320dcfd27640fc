import { createStrategy, cyclesPerCall } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { type CalibrationTarget, calibrate } from './calibrate.js';
import { getMachine } from './machines.js';
import { measureCall } from './measure.js';

const p4 = () => getMachine('p4-2006');
const stackVsKmalloc = (value: number, kind: 'relative' | 'throughput' = 'relative'): CalibrationTarget => ({
  kind,
  syscall: 'pfm_read_pmds',
  count: 4,
  strategy: 'stack',
  versus: 'kmalloc',
  value,
});
// kmalloc with 4 PMDs on p4-2006 costs 1955 cycles plus one kmallocFast (130 in the profile).
const kmalloc4 = (value: number): CalibrationTarget => ({
  kind: 'absolute',
  syscall: 'pfm_read_pmds',
  count: 4,
  strategy: 'kmalloc',
  value,
});

describe('calibrate a drawn figure (allocColdProbability) as an expectation', () => {
  it('solves the seed question to a value whose expected result is the target', () => {
    const r = calibrate({ machine: p4(), target: stackVsKmalloc(-0.2), vary: 'allocColdProbability' });
    // kmalloc costs 2085 all hot and 3140 all cold (kmalloc 625 + kfree 750): E = 2085 + 1055 p,
    // and 1765 / E = 0.8 at p = 0.114929.
    expect(r).toMatchObject({ solved: true, value: 0.11493, method: 'expectation', tolerance: 0.001 });
    expect(r.achievedCycles).toEqual({ strategy: 1765, versus: 2085 + 0.11493 * 1055 });
    expect(Math.abs(r.achieved! + 0.2)).toBeLessThan(1e-5);
    // The figure as it is, all hot, all cold, for each strategy: six calls, then arithmetic.
    expect(r.steps).toBe(6);
    expect(r.reachable).toEqual([(1765 - 3140) / 3140, (1765 - 2085) / 2085]);
    expect(r.plausibility?.verdict).toBe('doubtful');
  });

  it('re-measures the solution as the mean of a seeded stream of calls, within the tolerance', () => {
    const r = calibrate({ machine: p4(), target: stackVsKmalloc(-0.2), vary: 'allocColdProbability' });
    const s = r.sampled!;
    expect(s.calls).toBeGreaterThanOrEqual(20_000);
    expect(s.halfWidth).toBeLessThanOrEqual(0.0005);
    expect(Math.abs(s.metric + 0.2)).toBeLessThanOrEqual(0.001);
    expect(Math.abs(s.metric - r.achieved!)).toBeLessThanOrEqual(s.halfWidth);
    expect(s.cycles.strategy).toBe(1765);
  });

  it("agrees with the buffer-strategies README's method: the mean of 20,000 calls", () => {
    const r = calibrate({
      machine: p4(),
      target: stackVsKmalloc(-0.2),
      vary: 'allocColdProbability',
      sample: false,
    });
    expect(r.sampled).toBeNull();
    const o = { costOverrides: { allocColdProbability: r.value! }, calls: 20_000 };
    const s = cyclesPerCall(createStrategy('stack'), 'i386', 'p4-2006', 4, o);
    const k = cyclesPerCall(createStrategy('kmalloc'), 'i386', 'p4-2006', 4, o);
    expect(Math.abs((s - k) / k + 0.2)).toBeLessThanOrEqual(0.001);
  });

  it('solves a throughput target: 20 % more calls per second', () => {
    const r = calibrate({
      machine: p4(),
      target: stackVsKmalloc(0.2, 'throughput'),
      vary: 'allocColdProbability',
    });
    // 2085 + 1055 p = 1.2 x 1765 at p = 0.031280.
    expect(r).toMatchObject({ solved: true, value: 0.03128 });
    expect(Math.abs(r.achieved! - 0.2)).toBeLessThan(1e-5);
    expect(r.current).toBeCloseTo(2085 / 1765 - 1, 12);
  });

  it('is deterministic: the same seed gives the same result, sample included', () => {
    const a = calibrate({
      machine: p4(),
      seed: 5,
      target: stackVsKmalloc(-0.18),
      vary: 'allocColdProbability',
    });
    const b = calibrate({
      machine: p4(),
      seed: 5,
      target: stackVsKmalloc(-0.18),
      vary: 'allocColdProbability',
    });
    expect(a).toEqual(b);
  });
});

describe('calibrate a cycle figure', () => {
  it('finds the kmalloc fast-path cost that makes the stack 20 % cheaper than kmalloc at 4 registers', () => {
    const r = calibrate({ machine: p4(), target: stackVsKmalloc(-0.2), vary: 'kmallocFast' });
    expect(r).toMatchObject({ solved: true, method: 'exact', sampled: null, nearest: null });
    expect(Math.abs(r.achieved! + 0.2)).toBeLessThanOrEqual(0.001);
    expect(r.value!).toBeGreaterThan(250);
    expect(r.value!).toBeLessThan(253);
    expect(r.plausibility?.verdict).toBe('doubtful');
  });

  it('solves an absolute target in cycles within the default interval [0, 4 x the figure]', () => {
    const r = calibrate({ machine: p4(), target: kmalloc4(2185), vary: 'kmallocFast' });
    expect(r).toMatchObject({
      param: 'kmallocFast',
      figure: { value: 130, kind: 'D' },
      current: 2085,
      currentCycles: { strategy: 2085, versus: null },
      target: 2185,
      tolerance: 0.5,
      solved: true,
      achieved: 2185,
      achievedCycles: { strategy: 2185, versus: null },
      interval: [0, 520],
      reachable: [1955, 2475],
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
    const r = calibrate({ machine: p4(), target: kmalloc4(2085), vary: 'kmallocFast' });
    expect(r).toMatchObject({ solved: true, achieved: 2085 });
    expect(Math.round(r.value!)).toBe(130);
    expect(r.plausibility?.verdict).toBe('plausible');
  });

  it('doubles the upper bound until the target is bracketed', () => {
    const r = calibrate({ machine: p4(), target: kmalloc4(3000), vary: 'kmallocFast' });
    // 520 -> 1040 -> 2080 brackets 1045.
    expect(r).toMatchObject({ solved: true, achieved: 3000, interval: [0, 2080] });
    expect(Math.round(r.value!)).toBe(1045);
    expect(r.plausibility?.verdict).toBe('implausible');
  });

  it('takes an end of the interval that hits the target exactly', () => {
    expect(calibrate({ machine: p4(), target: kmalloc4(1955), vary: 'kmallocFast' })).toMatchObject({
      solved: true,
      value: 0,
    });
    expect(calibrate({ machine: p4(), target: kmalloc4(2475), vary: 'kmallocFast' })).toMatchObject({
      solved: true,
      value: 520,
    });
  });

  it('measures under the ABI asked for', () => {
    const r = calibrate({ machine: p4(), abi: 'v3', seed: 3, target: kmalloc4(2000), vary: 'kmallocFast' });
    const v3 = measureCall({
      machine: p4(),
      abi: 'v3',
      strategy: 'kmalloc',
      syscall: 'pfm_read_pmds',
      count: 4,
    });
    expect(r.current).toBe(v3.cyclesPerCall);
    expect(r.current).not.toBe(2085);
  });
});

describe('a calibration that cannot succeed says so', () => {
  it('a bracketed target the whole-cycle clock cannot hit: not solved, with the nearest value', () => {
    // 2185.5 cycles lies between two whole-cycle results; 0.1 cycle of tolerance excludes both.
    const r = calibrate({ machine: p4(), target: kmalloc4(2185.5), vary: 'kmallocFast', tolerance: 0.1 });
    expect(r).toMatchObject({
      solved: false,
      value: null,
      achieved: null,
      plausibility: null,
      sampled: null,
    });
    expect(Math.abs(r.nearest!.metric - 2185.5)).toBe(0.5);
    expect(r.nearest!.value).toBeGreaterThan(229.5);
    expect(r.nearest!.value).toBeLessThan(231.5);
    // The default tolerance of half a cycle accepts it.
    expect(calibrate({ machine: p4(), target: kmalloc4(2185.5), vary: 'kmallocFast' }).solved).toBe(true);
  });

  it('reports the reachable range of a fixed interval that cannot reach the target', () => {
    const r = calibrate({ machine: p4(), target: kmalloc4(2500), vary: 'kmallocFast', min: 100, max: 200 });
    expect(r).toMatchObject({
      solved: false,
      value: null,
      achieved: null,
      achievedCycles: null,
      nearest: null,
      plausibility: null,
      interval: [100, 200],
      reachable: [2055, 2155],
      current: 2085,
    });
    const below = calibrate({ machine: p4(), target: kmalloc4(1000), vary: 'kmallocFast', max: 500 });
    expect(below).toMatchObject({ solved: false, interval: [0, 500], reachable: [1955, 2455] });
  });

  it('widens up to 1e7 cycles before giving up', () => {
    const r = calibrate({ machine: p4(), target: kmalloc4(1000), vary: 'kmallocFast' });
    expect(r).toMatchObject({ solved: false, interval: [0, 1e7], reachable: [1955, 1e7 + 1955] });
  });

  it('searches a probability only between 0 and 1, and gives the range it reaches there', () => {
    const r = calibrate({ machine: p4(), target: stackVsKmalloc(-0.5), vary: 'allocColdProbability' });
    expect(r).toMatchObject({
      solved: false,
      interval: [0, 1],
      reachable: [(1765 - 3140) / 3140, (1765 - 2085) / 2085],
    });
  });

  it('a figure with no effect on the call reaches only the current result', () => {
    const r = calibrate({ machine: p4(), target: stackVsKmalloc(-0.2), vary: 'majorFault' });
    expect(r.solved).toBe(false);
    expect(r.reachable).toEqual([r.current, r.current]);
  });
});

describe('the search, step by step', () => {
  // Steps count distinct calls: the current figure, the two ends of the bracket, one per
  // iteration, and the rounded solution when it was not tried already; twice for a % target.
  it('solves the seed question on kmallocFast in 12 Illinois iterations', () => {
    const r = calibrate({ machine: p4(), target: stackVsKmalloc(-0.2), vary: 'kmallocFast' });
    // kmalloc must cost 1765 / 0.8 = 2206.25 cycles; the clock gives 2206 for kmallocFast in
    // [250.5, 251.5). The bracket [0, 520] narrows to 1e-4 of the value in 12 iterations, and the
    // end with the smaller error, rounded to 5 digits, is 251.49: 2 x (1 + 2 + 12 + 1) calls.
    expect(r).toMatchObject({ solved: true, value: 251.49, achieved: (1765 - 2206) / 2206, steps: 32 });
  });

  it('stops when the bracket is `precision` narrow, and keeps the end with the smaller error', () => {
    const r = calibrate({
      machine: p4(),
      target: stackVsKmalloc(-0.2),
      vary: 'kmallocFast',
      precision: 0.05,
    });
    // After 3 iterations the bracket is [248.07, 254.62], within 5 % of 248: the lower end
    // (kmalloc 2203 cycles, -19.88 %) misses by less than the upper one (2210, -20.14 %),
    // but not by less than the 0.1 point tolerance.
    expect(r).toMatchObject({
      solved: false,
      nearest: { value: 248.07, metric: (1765 - 2203) / 2203 },
      steps: 14,
    });
  });

  // 2185.5 cycles: f(0) = -230.5, f(520) = +289.5, and the first secant lands on 230.5 where
  // the clock gives 2186 (+0.5); the next one on 230.0011 (2185, -0.5).
  it('takes the first point within a thousandth of the tolerance', () => {
    const r = calibrate({ machine: p4(), target: kmalloc4(2185.5), vary: 'kmallocFast', tolerance: 500 });
    // |+0.5| is exactly 500 x 1e-3: accepted on the first iteration.
    expect(r).toMatchObject({ solved: true, value: 230.5, achieved: 2186, steps: 4 });
  });

  it('stops on a bracket exactly `precision` times the value wide', () => {
    const r = calibrate({ machine: p4(), target: kmalloc4(2185.5), vary: 'kmallocFast', precision: 1 });
    // After one iteration the bracket [0, 230.5] is 1 x 230.5 wide; the upper end misses by 0.5,
    // the lower by 230.5.
    expect(r).toMatchObject({ solved: true, value: 230.5, achieved: 2186, steps: 4 });
  });

  it('on a tie between the two ends, takes the lower one', () => {
    const r = calibrate({ machine: p4(), target: kmalloc4(2185.5), vary: 'kmallocFast', precision: 0.01 });
    // After two iterations [230.0011, 230.5] is within 1 %; both ends miss by 0.5.
    expect(r).toMatchObject({ solved: true, value: 230, achieved: 2185, steps: 6 });
  });

  it('gives up after 100 iterations, the bracket down to adjacent floats around the step', () => {
    // No tolerance and no precision: only the iteration cap ends the search. The clock steps
    // from 2185 to 2186 at 230.5; once the ends are adjacent floats, bisection re-measures them:
    // 17 new points in 100 iterations (230.5, the rounded answer, was the first).
    const r = calibrate({
      machine: p4(),
      target: kmalloc4(2185.5),
      vary: 'kmallocFast',
      tolerance: 0,
      precision: 0,
    });
    expect(r).toMatchObject({ solved: false, nearest: { value: 230.5, metric: 2186 }, steps: 20 });
  });

  it('starts the default interval at twice `min` when that is above 4 x the figure', () => {
    const r = calibrate({ machine: p4(), target: kmalloc4(2700), vary: 'kmallocFast', min: 400 });
    // [400, 800] brackets 2700 - 1955 = 745 at once.
    expect(r).toMatchObject({ solved: true, value: 745, interval: [400, 800] });
  });

  it('a figure with no effect already at the target: solved at the lower end of the first interval', () => {
    // majorFault is never charged here: f is 0 at both ends of [0, 4 x 100000].
    const r = calibrate({ machine: p4(), target: kmalloc4(2085), vary: 'majorFault' });
    expect(r).toMatchObject({
      solved: true,
      value: 0,
      interval: [0, 400_000],
      reachable: [2085, 2085],
      steps: 3,
    });
  });

  it('scans 17 points of an interval that does not bracket the target', () => {
    const r = calibrate({ machine: p4(), target: kmalloc4(2500), vary: 'kmallocFast', min: 100, max: 200 });
    // The current figure, both ends, and the 15 inner points of the scan.
    expect(r).toMatchObject({ solved: false, nearest: null, steps: 18 });
  });
});
