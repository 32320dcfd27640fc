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
const kmalloc4 = (value: number): CalibrationTarget => ({
  kind: 'absolute',
  syscall: 'pfm_read_pmds',
  count: 4,
  strategy: 'kmalloc',
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
    // Within a verdict, by |log(value / figure)|; allocColdProbability (figure 0) by the value
    // itself: 0.115 < |log 1.639| (kfreeFast) < |log 1.935| (kmallocFast), then |log 0.243|
    // (syscallEntryExit) < |log 0.140| (copyPerByte). The unreachable rest in COST_KEYS order.
    const first = ['allocColdProbability', 'kfreeFast', 'kmallocFast', 'syscallEntryExit', 'copyPerByte'];
    expect(t.rows.map((r) => r.param)).toEqual([...first, ...COST_KEYS.filter((k) => !first.includes(k))]);
    expect(t.rows.slice(0, 5).map((r) => r.verdict)).toEqual([
      'doubtful',
      'doubtful',
      'doubtful',
      'implausible',
      'implausible',
    ]);
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

  it('an absolute target: rows by distance, ratios rounded, reasons in cycles, steps summed', () => {
    const machine = getMachine('p4-2006');
    const target = kmalloc4(15000);
    const t = calibrateAll({ machine, target });
    // Every figure kmalloc pays must grow by 15000 - 2085 cycles: all implausible, ordered by
    // the ratio to the figure; ratios from 100 up keep one decimal, smaller ones three.
    const solved = t.rows.filter((r) => r.verdict !== 'unreachable');
    expect(solved.map((r) => [r.param, r.ratio])).toEqual([
      ['syscallEntryExit', 21.148], // (641 + 12915) / 641
      ['spinLockIrqsaveRestore', 59.705], // 13135 / 220
      ['pmuRegSaved', 65.576], // 3278.8 / 50 (paid 4 times)
      ['kfreeFast', 68.974], // 13105 / 190
      ['kmallocFast', 100.3], // 13045 / 130 = 100.346
      ['copyFixed', 108.6], // 6517.5 / 60 = 108.625 (paid twice)
      ['fdLookup', 646.8], // 12935 / 20 = 646.75
    ]);
    expect(solved.every((r) => r.verdict === 'implausible')).toBe(true);
    const row = (k: string) => t.rows.find((r) => r.param === k)!;
    // copyPerByte jumps from 14999 cycles at 9.5731 to 15001 at 9.5732 (several copies, each
    // in whole cycles): bracketed, never within half a cycle.
    expect(row('copyPerByte').reason).toBe('the nearest value 9.573 gives 14999');
    expect(row('allocColdProbability').reason).toBe(
      'the result ranges over 2085 .. 3140 for values in [0, 1]',
    );
    expect(row('kmallocSlow').reason).toBe('no effect on this call');
    // The unreachable rows keep COST_KEYS order after the solved ones.
    const rest = t.rows.slice(solved.length).map((r) => r.param);
    expect(rest).toEqual(COST_KEYS.filter((k) => !solved.some((r) => r.param === k)));
    // Steps: the calls of the 26 calibrations, each as calibrate alone counts them.
    const alone = COST_KEYS.map((vary) => calibrate({ machine, target, vary, sample: false }).steps);
    expect(t.steps).toBe(alone.reduce((n, s) => n + s, 0));
    expect(t).toMatchObject({ target: 15000, tolerance: 0.5, current: 2085 });
  });
});
