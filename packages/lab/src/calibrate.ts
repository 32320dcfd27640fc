/**
 * Calibration: solve for the cost figure that reproduces a measured result, by bisection over
 * `measureCall` with cost overrides, and judge the value against the figure's documented range
 * and kind.
 */
import { type CostFigure, type CostKey, getCostProfile } from '@pfmsim/kernel-sim';
import type { AbiProfileId } from '@pfmsim/perfmon-core';
import type { Machine } from './machines.js';
import { measureCall } from './measure.js';
import type { VectorSyscall } from './world.js';

/** "pfm_read_pmds n=4 stack vs kmalloc = -20%" (relative) or "pfm_read_pmds n=4 kmalloc = 2000" (cycles). */
export type CalibrationTarget =
  | {
      readonly kind: 'relative';
      readonly syscall: VectorSyscall;
      readonly count: number;
      readonly strategy: string;
      readonly versus: string;
      /** (cycles(strategy) - cycles(versus)) / cycles(versus), e.g. -0.2. */
      readonly value: number;
    }
  | {
      readonly kind: 'absolute';
      readonly syscall: VectorSyscall;
      readonly count: number;
      readonly strategy: string;
      readonly value: number;
    };

export interface CalibrateOptions {
  machine: Machine;
  abi?: AbiProfileId;
  seed?: number;
  target: CalibrationTarget;
  vary: CostKey;
  /** Search interval; default [0, 4 x the current value] widened until the target is bracketed. */
  min?: number;
  max?: number;
  /** Relative tolerance on the solved value. Default 1e-4. */
  tolerance?: number;
}

export interface Plausibility {
  readonly verdict: 'plausible' | 'doubtful' | 'implausible';
  readonly reason: string;
  /** The range parsed from the figure's source text ("(500–1000)"), if it gives one. */
  readonly documentedRange: readonly [number, number] | null;
}

export interface CalibrationResult {
  readonly param: CostKey;
  readonly figure: CostFigure;
  /** The metric (fraction or cycles) with the figure as it is. */
  readonly current: number;
  readonly currentCycles: { readonly strategy: number; readonly versus: number | null };
  readonly target: number;
  readonly solved: boolean;
  readonly value: number | null;
  /** The metric at the solved value (close to target when solved). */
  readonly achieved: number | null;
  readonly achievedCycles: { readonly strategy: number; readonly versus: number | null } | null;
  readonly steps: number;
  readonly interval: readonly [number, number];
  /** When not solved: the metric's range over the interval scanned. */
  readonly reachable: readonly [number, number];
  readonly plausibility: Plausibility | null;
}

export function calibrate(opts: CalibrateOptions): CalibrationResult {
  const profile = getCostProfile(opts.machine.cost);
  const figure = profile.figures[opts.vary];
  const t = opts.target;
  const measure = (value: number | undefined) => {
    const world = {
      machine: opts.machine,
      abi: opts.abi ?? 'v2.3',
      seed: opts.seed ?? 1,
      syscall: t.syscall,
      count: t.count,
      ...(value !== undefined ? { costOverrides: { [opts.vary]: value } } : {}),
    };
    const a = measureCall({ ...world, strategy: t.strategy }).cyclesPerCall;
    const b = t.kind === 'relative' ? measureCall({ ...world, strategy: t.versus }).cyclesPerCall : null;
    const metric = b === null ? a : (a - b) / b;
    return { metric, cycles: { strategy: a, versus: b } };
  };
  const now = measure(undefined);
  const f = (v: number) => measure(v).metric - t.value;
  const isProbability = opts.vary === 'allocColdProbability';
  const cap = isProbability ? 1 : 1e7;
  let lo = opts.min ?? 0;
  let hi = opts.max ?? Math.min(cap, Math.max(1, figure.value * 4));
  let steps = 0;
  let flo = f(lo);
  let fhi = f(hi);
  steps += 2;
  const seen = [flo, fhi];
  // Widen the upper bound (doubling) until the target is bracketed, unless the user fixed it.
  while (Math.sign(flo) === Math.sign(fhi) && flo !== 0 && opts.max === undefined && hi < cap) {
    lo = hi;
    flo = fhi;
    hi = Math.min(cap, hi * 2);
    fhi = f(hi);
    seen.push(fhi);
    steps++;
  }
  if (Math.sign(flo) === Math.sign(fhi) && flo !== 0 && fhi !== 0) {
    // Maybe the metric is not monotone: scan for a sign change.
    const a0 = opts.min ?? 0;
    const grid = Array.from({ length: 17 }, (_, i) => a0 + ((hi - a0) * i) / 16);
    let prev: [number, number] | null = null;
    for (const x of grid) {
      const y = f(x);
      seen.push(y);
      steps++;
      if (prev && Math.sign(prev[1]) !== Math.sign(y)) {
        lo = prev[0];
        flo = prev[1];
        hi = x;
        fhi = y;
        break;
      }
      prev = [x, y];
    }
  }
  const interval: [number, number] = [opts.min ?? 0, hi];
  if (Math.sign(flo) === Math.sign(fhi) && flo !== 0 && fhi !== 0) {
    const ys = seen.map((y) => y + t.value);
    return {
      param: opts.vary,
      figure,
      current: now.metric,
      currentCycles: now.cycles,
      target: t.value,
      solved: false,
      value: null,
      achieved: null,
      achievedCycles: null,
      steps,
      interval,
      reachable: [Math.min(...ys), Math.max(...ys)],
      plausibility: null,
    };
  }
  const tol = opts.tolerance ?? 1e-4;
  let value = flo === 0 ? lo : fhi === 0 ? hi : Number.NaN;
  for (let i = 0; i < 80 && Number.isNaN(value); i++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid);
    steps++;
    if (fm === 0 || hi - lo <= tol * Math.max(1e-9, Math.abs(mid))) value = mid;
    else if (Math.sign(fm) === Math.sign(flo)) {
      lo = mid;
      flo = fm;
    } else {
      hi = mid;
    }
  }
  if (Number.isNaN(value)) value = (lo + hi) / 2;
  value = roundSignificant(value, 5);
  const at = measure(value);
  return {
    param: opts.vary,
    figure,
    current: now.metric,
    currentCycles: now.cycles,
    target: t.value,
    solved: true,
    value,
    achieved: at.metric,
    achievedCycles: at.cycles,
    steps: steps + 1,
    interval,
    reachable: [Math.min(now.metric, at.metric), Math.max(now.metric, at.metric)],
    plausibility: plausibility(figure, value),
  };
}

function roundSignificant(x: number, digits: number): number {
  if (x === 0) return 0;
  return Number(x.toPrecision(digits));
}

/** "(500–1000)", "(0.25-0.5)", "(2000–6000)" in a figure's source text. */
export function documentedRange(source: string): [number, number] | null {
  const m = /\((\d[\d,]*(?:\.\d+)?)\s*[–-]\s*(\d[\d,]*(?:\.\d+)?)\)/.exec(source);
  if (!m) return null;
  const a = Number(m[1]!.replace(/,/g, ''));
  const b = Number(m[2]!.replace(/,/g, ''));
  return Number.isFinite(a) && Number.isFinite(b) && a <= b ? [a, b] : null;
}

/**
 * Judges a solved value: against the documented range when the source gives one (inside:
 * plausible; within half the range's width outside: doubtful), else by the figure's kind:
 * measured within 25 %, derived within 50 %, an estimate within a factor of 2.
 */
export function plausibility(figure: CostFigure, value: number): Plausibility {
  const range = documentedRange(figure.source);
  if (range) {
    const [a, b] = range;
    if (value >= a && value <= b)
      return {
        verdict: 'plausible',
        reason: `within the documented range ${a}–${b}`,
        documentedRange: range,
      };
    const slack = (b - a) / 2;
    const side = value < a ? `below` : `above`;
    if (value >= a - slack && value <= b + slack)
      return {
        verdict: 'doubtful',
        reason: `${side} the documented range ${a}–${b}, but near it`,
        documentedRange: range,
      };
    return {
      verdict: 'implausible',
      reason: `far ${side} the documented range ${a}–${b}`,
      documentedRange: range,
    };
  }
  const limits = { M: 0.25, D: 0.5, E: 1 } as const;
  const names = { M: 'a measured', D: 'a derived', E: 'an estimated (UNVERIFIED)' } as const;
  const base = figure.value;
  const ratio = base === 0 ? (value === 0 ? 1 : Number.POSITIVE_INFINITY) : value / base;
  const within =
    figure.kind === 'E' ? ratio >= 0.5 && ratio <= 2 : Math.abs(ratio - 1) <= limits[figure.kind];
  const how = base === 0 ? `the figure is 0` : `${ratio.toFixed(2)}x the figure ${base}`;
  if (within) {
    return {
      verdict: 'plausible',
      reason: `${how}, within the tolerance for ${names[figure.kind]} figure`,
      documentedRange: null,
    };
  }
  const far = figure.kind === 'E' ? ratio < 0.25 || ratio > 4 : Math.abs(ratio - 1) > 2 * limits[figure.kind];
  return {
    verdict: far ? 'implausible' : 'doubtful',
    reason: `${how}, outside the tolerance for ${names[figure.kind]} figure (${figure.kind === 'E' ? 'x0.5–x2' : `±${limits[figure.kind] * 100}%`})`,
    documentedRange: null,
  };
}
