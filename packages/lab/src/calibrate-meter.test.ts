import { describe, expect, it } from 'vitest';
import {
  type CalibrationTarget,
  createMeter,
  MIN_SAMPLE_CALLS,
  metricOf,
  sampleTarget,
} from './calibrate-meter.js';
import { getMachine } from './machines.js';
import { sampleCalls } from './measure.js';

const p4 = () => getMachine('p4-2006');
const kmalloc4: CalibrationTarget = {
  kind: 'absolute',
  syscall: 'pfm_read_pmds',
  count: 4,
  strategy: 'kmalloc',
  value: 0,
};
// kmalloc against the stack buffer: the stack draws nothing, so its stream is a constant 1765.
const kmallocVsStack = (kind: 'relative' | 'throughput'): CalibrationTarget => ({
  kind,
  syscall: 'pfm_read_pmds',
  count: 4,
  strategy: 'kmalloc',
  versus: 'stack',
  value: 0,
});

describe('metricOf', () => {
  it('relative time, throughput and cycles from the two strategies', () => {
    expect(metricOf(kmallocVsStack('relative'), 1600, 2000)).toBe(-0.2);
    expect(metricOf(kmallocVsStack('throughput'), 1600, 2000)).toBe(0.25);
    expect(metricOf(kmalloc4, 1600, null)).toBe(1600);
  });

  it('is the strategy alone for an absolute target, or when there is nothing to compare with', () => {
    expect(metricOf(kmalloc4, 1600, 2000)).toBe(1600);
    expect(metricOf(kmallocVsStack('relative'), 1600, null)).toBe(1600);
    expect(metricOf(kmallocVsStack('throughput'), 1600, null)).toBe(1600);
  });
});

describe('createMeter', () => {
  it('takes a drawn cost as the expectation between the all-hot and all-cold calls', () => {
    const meter = createMeter({ machine: p4(), target: kmalloc4 });
    // kmallocFast 200 instead of 130: 2155 all hot; all cold the slow paths replace both fast
    // ones (kmallocSlow 625 + kfreeSlow 750, 1955 - 190 + 1375 = 3140), whatever kmallocFast is.
    const r = meter.read({ kmallocFast: 200, allocColdProbability: 0.5 });
    expect(r).toEqual({
      metric: (2155 + 3140) / 2,
      cycles: { strategy: (2155 + 3140) / 2, versus: null },
      method: 'expectation',
    });
    // Two calls: all hot and all cold, both with kmallocFast 200.
    expect(meter.calls()).toBe(2);
    expect(meter.read({ kmallocFast: 200, allocColdProbability: 0.25 }).metric).toBe(2155 + 0.25 * 985);
    expect(meter.calls()).toBe(2);
  });

  it('measures a deterministic call once per strategy and overrides', () => {
    const meter = createMeter({ machine: p4(), target: kmallocVsStack('relative') });
    expect(meter.read({})).toEqual({
      metric: (2085 - 1765) / 1765,
      cycles: { strategy: 2085, versus: 1765 },
      method: 'exact',
    });
    expect(meter.calls()).toBe(2);
    expect(meter.read({ kmallocFast: 200 }).cycles).toEqual({ strategy: 2155, versus: 1765 });
    expect(meter.read({ kmallocFast: 200 }).cycles).toEqual({ strategy: 2155, versus: 1765 });
    expect(meter.calls()).toBe(4);
  });
});

describe('sampleTarget', () => {
  const seed = 7;
  const o = { allocColdProbability: 0.5 };
  // The oracle: the same seeded stream of kmalloc calls, taken directly. Its mean is near the
  // expectation 2612.5 and its sd near sqrt(0.25 * 495^2 + 0.25 * 560^2) = 374 (two draws).
  let oracle: ReturnType<typeof sampleCalls> | undefined;
  const kmalloc = () => {
    oracle ??= sampleCalls(
      { machine: p4(), seed, syscall: 'pfm_read_pmds', count: 4, strategy: 'kmalloc', costOverrides: o },
      MIN_SAMPLE_CALLS,
    );
    return oracle;
  };
  const Z95 = 1.959964;
  const se = () => kmalloc().sd / Math.sqrt(MIN_SAMPLE_CALLS);

  it('samples an absolute target: the mean of the stream, and an interval of z x sd / sqrt(n)', () => {
    const k = kmalloc();
    expect(Math.abs(k.mean - 2612.5)).toBeLessThan(10);
    expect(Math.abs(k.sd - 374)).toBeLessThan(5);
    // An interval exactly as wide as asked for is wide enough: no second stream.
    const hw = Z95 * se();
    const s = sampleTarget({ machine: p4(), seed, target: kmalloc4 }, o, hw);
    expect(s).toEqual({
      calls: MIN_SAMPLE_CALLS,
      metric: k.mean,
      halfWidth: hw,
      confidence: 0.95,
      cycles: { strategy: k.mean, versus: null },
    });
  });

  it('samples a relative target: the delta method on the ratio of the means', () => {
    const k = kmalloc();
    const s = sampleTarget({ machine: p4(), seed, target: kmallocVsStack('relative') }, o, 0.01);
    // (a - b) / b with b = 1765 exactly: the interval is the kmalloc one divided by 1765.
    expect(s.calls).toBe(MIN_SAMPLE_CALLS);
    expect(s.metric).toBe((k.mean - 1765) / 1765);
    expect(s.halfWidth).toBeCloseTo((Z95 * se()) / 1765, 12);
    expect(s.cycles).toEqual({ strategy: k.mean, versus: 1765 });
  });

  it('samples a throughput target: b / a - 1, its interval through the derivative b / a^2', () => {
    const k = kmalloc();
    const s = sampleTarget({ machine: p4(), seed, target: kmallocVsStack('throughput') }, o, 0.01);
    expect(s.calls).toBe(MIN_SAMPLE_CALLS);
    expect(s.metric).toBe(1765 / k.mean - 1);
    expect(s.halfWidth).toBeCloseTo((Z95 * 1765 * se()) / k.mean ** 2, 12);
    expect(s.cycles).toEqual({ strategy: k.mean, versus: 1765 });
  });
});
