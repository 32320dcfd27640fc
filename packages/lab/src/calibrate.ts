/**
 * Calibration: solve for the cost figure that reproduces a target result, then check it. The
 * root is bracketed (the interval widened by doubling, or scanned when the metric is not
 * monotone) and found by the Illinois method (regula falsi that halves a stale end); the value,
 * rounded to 5 significant digits, is measured again and counts as solved only if that
 * measurement is within the tolerance of the target. Stochastic figures are measured as
 * expectations (calibrate-meter.ts) and the solution re-measured as the mean of a seeded
 * stream of calls, the buffer-strategies README's method.
 */
import { type CostFigure, type CostKey, type CostOverrides, getCostProfile } from '@pfmsim/kernel-sim';
import type { AbiProfileId } from '@pfmsim/perfmon-core';
import {
  type CalibrationTarget,
  type Cycles,
  createMeter,
  type MeterMethod,
  sampleTarget,
  type TargetSample,
} from './calibrate-meter.js';
import type { Machine } from './machines.js';
import { type Plausibility, PROBABILITY_KEYS, plausibility } from './plausibility.js';

export { type CalibrationTarget, type Cycles, metricOf, type TargetSample } from './calibrate-meter.js';
export { documentedRange, type Plausibility, plausibility } from './plausibility.js';

export interface CalibrateOptions {
  machine: Machine;
  abi?: AbiProfileId;
  seed?: number;
  target: CalibrationTarget;
  vary: CostKey;
  /** Search interval; default [0, 4 x the current value] widened until the target is bracketed. */
  min?: number;
  max?: number;
  /** How far the re-measured result may be from the target: a fraction for % targets (default
   *  0.001, 0.1 percentage point), cycles for absolute ones (default 0.5). */
  tolerance?: number;
  /** The search stops when the bracket is this narrow relative to the value. Default 1e-4. */
  precision?: number;
  /** Re-measure a stochastic solution as the mean of a stream of calls (default true). */
  sample?: boolean;
}

export interface CalibrationResult {
  readonly param: CostKey;
  readonly figure: CostFigure;
  /** The metric (fraction or cycles) with the figure as it is. */
  readonly current: number;
  readonly currentCycles: Cycles;
  readonly target: number;
  readonly tolerance: number;
  /** True only when the result at `value` is within `tolerance` of the target. */
  readonly solved: boolean;
  readonly value: number | null;
  /** The metric at the solved value. */
  readonly achieved: number | null;
  readonly achievedCycles: Cycles | null;
  /** How the metric at `value` was taken: one exact call, or the expectation of a drawn cost. */
  readonly method: MeterMethod | null;
  /** A stochastic solution re-measured as the mean of a stream of calls. */
  readonly sampled: TargetSample | null;
  /** When not solved but bracketed: the closest value found and the metric there. */
  readonly nearest: { readonly value: number; readonly metric: number } | null;
  /** Distinct simulated calls made (each strategy, each value). */
  readonly steps: number;
  readonly interval: readonly [number, number];
  /** The metric's range over the values measured in the interval. */
  readonly reachable: readonly [number, number];
  readonly plausibility: Plausibility | null;
}

const CAP_CYCLES = 1e7;

export function calibrate(opts: CalibrateOptions): CalibrationResult {
  const figure = getCostProfile(opts.machine.cost).figures[opts.vary];
  const t = opts.target;
  const tol = opts.tolerance ?? (t.kind === 'absolute' ? 0.5 : 0.001);
  const meter = createMeter(opts);
  const at = (v: number) => meter.read({ [opts.vary]: v } as CostOverrides);
  const now = meter.read({});
  const seen: number[] = [];
  const f = (v: number) => {
    const m = at(v).metric;
    seen.push(m);
    return m - t.value;
  };
  const cap = PROBABILITY_KEYS.has(opts.vary) ? 1 : CAP_CYCLES;
  const bracket = findBracket(f, opts, Math.min(cap, Math.max(1, figure.value * 4)), cap);
  const base = {
    param: opts.vary,
    figure,
    current: now.metric,
    currentCycles: now.cycles,
    target: t.value,
    tolerance: tol,
    interval: [opts.min ?? 0, bracket.hi] as const,
  };
  const unsolved = (nearest: CalibrationResult['nearest']): CalibrationResult => ({
    ...base,
    solved: false,
    value: null,
    achieved: null,
    achievedCycles: null,
    method: null,
    sampled: null,
    nearest,
    steps: meter.calls(),
    reachable: [Math.min(...seen), Math.max(...seen)],
    plausibility: null,
  });
  if (!bracket.found) return unsolved(null);
  const root = illinois(f, bracket, opts.precision ?? 1e-4, tol * 1e-3);
  const value = roundSignificant(root, 5);
  const r = at(value);
  seen.push(r.metric);
  if (Math.abs(r.metric - t.value) > tol) return unsolved({ value, metric: r.metric });
  const sampled =
    r.method === 'expectation' && opts.sample !== false
      ? sampleTarget(opts, { [opts.vary]: value }, tol / 2)
      : null;
  return {
    ...base,
    solved: true,
    value,
    achieved: r.metric,
    achievedCycles: r.cycles,
    method: r.method,
    sampled,
    nearest: null,
    steps: meter.calls(),
    reachable: [Math.min(...seen), Math.max(...seen)],
    plausibility: plausibility(figure, value, opts.vary),
  };
}

interface Bracket {
  found: boolean;
  lo: number;
  flo: number;
  hi: number;
  fhi: number;
}

/** [lo, hi] with a sign change of f: the interval, widened by doubling, else a 17-point scan. */
function findBracket(
  f: (v: number) => number,
  opts: Pick<CalibrateOptions, 'min' | 'max'>,
  start: number,
  cap: number,
): Bracket {
  const a0 = opts.min ?? 0;
  let lo = a0;
  let hi = opts.max ?? Math.max(start, a0 * 2);
  let flo = f(lo);
  let fhi = f(hi);
  const brackets = () => flo === 0 || fhi === 0 || Math.sign(flo) !== Math.sign(fhi);
  while (!brackets() && opts.max === undefined && hi < cap) {
    lo = hi;
    flo = fhi;
    hi = Math.min(cap, hi * 2);
    fhi = f(hi);
  }
  if (brackets()) return { found: true, lo, flo, hi, fhi };
  let prev: [number, number] | null = null;
  for (let i = 0; i <= 16; i++) {
    const x = a0 + ((hi - a0) * i) / 16;
    const y = f(x);
    if (prev && (y === 0 || Math.sign(prev[1]) !== Math.sign(y)))
      return { found: true, lo: prev[0], flo: prev[1], hi: x, fhi: y };
    prev = [x, y];
  }
  return { found: false, lo: a0, flo, hi, fhi };
}

/** The Illinois variant of regula falsi on a bracket: a root within `precision` of the value. */
function illinois(f: (v: number) => number, b: Bracket, precision: number, fTol: number): number {
  let { lo, flo, hi, fhi } = b;
  if (flo === 0) return lo;
  if (fhi === 0) return hi;
  let side = 0;
  for (let i = 0; i < 100; i++) {
    let x = (lo * fhi - hi * flo) / (fhi - flo);
    // A flat or stepped metric can put the secant on an end: bisect instead.
    if (!(x > lo && x < hi)) x = (lo + hi) / 2;
    const fx = f(x);
    if (Math.abs(fx) <= fTol) return x;
    if (Math.sign(fx) === Math.sign(fhi)) {
      hi = x;
      fhi = fx;
      if (side === -1) flo /= 2;
      side = -1;
    } else {
      lo = x;
      flo = fx;
      if (side === 1) fhi /= 2;
      side = 1;
    }
    if (hi - lo <= precision * Math.max(1e-9, Math.abs(x))) break;
  }
  return Math.abs(flo) <= Math.abs(fhi) ? lo : hi;
}

function roundSignificant(x: number, digits: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(digits));
}
