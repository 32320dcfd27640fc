import { COST_KEYS } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { calibrate } from './calibrate.js';
import { calibrateAll } from './calibrate-all.js';
import type { CalibrationTarget } from './calibrate-meter.js';
import { getMachine } from './machines.js';

const seed20 = (value: number, kind: 'relative' | 'throughput' = 'relative'): CalibrationTarget => ({
  kind,
  syscall: 'pfm_read_pmds',
  count: 4,
  strategy: 'stack',
  versus: 'kmalloc',
  value,
});
const ORDER = ['plausible', 'doubtful', 'implausible', 'unreachable'];

describe('calibrateAll: what would have to be true', () => {
  it('gives one row per cost figure, sorted by verdict, each as calibrate alone gives it', () => {
    const machine = getMachine('p4-2006');
    const t = calibrateAll({ machine, target: seed20(-0.2) });
    expect(t.rows.map((r) => r.param).sort()).toEqual([...COST_KEYS].sort());
    const ranks = t.rows.map((r) => ORDER.indexOf(r.verdict));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const cold = t.rows.find((r) => r.param === 'allocColdProbability')!;
    const alone = calibrate({ machine, target: seed20(-0.2), vary: 'allocColdProbability', sample: false });
    expect(cold).toMatchObject({
      value: alone.value,
      ratio: null,
      verdict: 'doubtful',
      method: 'expectation',
    });
    const kf = t.rows.find((r) => r.param === 'kmallocFast')!;
    expect(kf.ratio).toBe(Number((kf.value! / 130).toFixed(3)));
    expect(t).toMatchObject({
      target: -0.2,
      tolerance: 0.001,
      currentCycles: { strategy: 1765, versus: 2085 },
    });
  });

  it('marks figures that do not touch the call, and those that cannot move it far enough', () => {
    const t = calibrateAll({ machine: getMachine('p4-2006'), target: seed20(-0.2) });
    const row = (k: string) => t.rows.find((r) => r.param === k)!;
    // With a hot allocator the slow path is never taken.
    expect(row('kmallocSlow')).toMatchObject({
      verdict: 'unreachable',
      value: null,
      reason: 'no effect on this call',
    });
    // A cost both strategies pay dilutes the saving; even at 0 it does not reach 20 %.
    expect(row('copyFixed')).toMatchObject({ verdict: 'unreachable' });
    expect(row('copyFixed').reason).toMatch(
      /^the result ranges over -16\.3% \.\. 0\.0% for values in \[0, 10000000\]$/,
    );
    // A documented range is shown for unreachable rows too.
    expect(row('copyFixed').documentedRange).toEqual([40, 80]);
  });

  it('answers the throughput reading of the seed: 20 % more calls per second', () => {
    const t = calibrateAll({ machine: getMachine('p4-2006'), target: seed20(0.2, 'throughput') });
    const cold = t.rows.find((r) => r.param === 'allocColdProbability')!;
    expect(cold).toMatchObject({ value: 0.03128, verdict: 'plausible' });
    expect(Math.abs(cold.achieved! - 0.2)).toBeLessThan(1e-5);
  });

  it('a target no figure reaches: every row unreachable, with the range each reaches', () => {
    // No cost figure makes the stack buffer dearer than kmalloc.
    const t = calibrateAll({ machine: getMachine('modern'), target: seed20(0.1) });
    expect(t.rows.every((r) => r.verdict === 'unreachable')).toBe(true);
    const cold = t.rows.find((r) => r.param === 'allocColdProbability')!;
    expect(cold.reason).toBe('the result ranges over -35.6% .. -17.1% for values in [0, 1]');
    expect(cold.reachable[1]).toBeCloseTo(364 / 439 - 1, 12);
  });
});
