/**
 * "What would have to be true": one calibration per cost figure for one target, each row the
 * value that reproduces the target, its ratio to today's figure, the documented range and
 * source, and a verdict, sorted by plausibility.
 */
import { COST_KEYS, type CostFigure, type CostKey } from '@pfmsim/kernel-sim';
import { type CalibrateOptions, type CalibrationResult, calibrate } from './calibrate.js';
import type { CalibrationTarget, Cycles, MeterMethod } from './calibrate-meter.js';
import { documentedRange, type Verdict } from './plausibility.js';

export type RowVerdict = Verdict | 'unreachable';

export interface WhatIfRow {
  readonly param: CostKey;
  readonly figure: CostFigure;
  /** The value that reproduces the target; null when unreachable. */
  readonly value: number | null;
  /** value / today's figure; null when unreachable or the figure is 0. */
  readonly ratio: number | null;
  readonly documentedRange: readonly [number, number] | null;
  readonly verdict: RowVerdict;
  readonly reason: string;
  readonly achieved: number | null;
  readonly method: MeterMethod | null;
  /** The metric's range over the values tried. */
  readonly reachable: readonly [number, number];
  readonly interval: readonly [number, number];
}

export interface WhatIfTable {
  readonly target: number;
  readonly tolerance: number;
  readonly current: number;
  readonly currentCycles: Cycles;
  readonly rows: readonly WhatIfRow[];
  /** Distinct simulated calls made over all rows. */
  readonly steps: number;
}

export type CalibrateAllOptions = Omit<CalibrateOptions, 'vary' | 'min' | 'max'>;

const ORDER: Record<RowVerdict, number> = { plausible: 0, doubtful: 1, implausible: 2, unreachable: 3 };

/** Rows sorted by verdict, then by how far the value moves from today's figure, then by name. */
export function calibrateAll(opts: CalibrateAllOptions): WhatIfTable {
  const results = COST_KEYS.map((vary) => calibrate({ sample: false, ...opts, vary }));
  const first = results[0]!;
  const rows = results.map((r) => toRow(r, opts.target));
  const index = (k: CostKey) => COST_KEYS.indexOf(k);
  rows.sort(
    (a, b) =>
      ORDER[a.verdict] - ORDER[b.verdict] || distance(a) - distance(b) || index(a.param) - index(b.param),
  );
  return {
    target: first.target,
    tolerance: first.tolerance,
    current: first.current,
    currentCycles: first.currentCycles,
    rows,
    steps: results.reduce((n, r) => n + r.steps, 0),
  };
}

function toRow(r: CalibrationResult, target: CalibrationTarget): WhatIfRow {
  const common = {
    param: r.param,
    figure: r.figure,
    achieved: r.achieved,
    method: r.method,
    reachable: r.reachable,
    interval: r.interval,
  };
  if (!r.solved || r.value === null || r.plausibility === null) {
    const [a, b] = r.reachable;
    const fmt = (x: number) =>
      target.kind === 'absolute' ? `${round(x)}` : `${(Math.abs(x) < 5e-4 ? 0 : x * 100).toFixed(1)}%`;
    const reason =
      a === b
        ? 'no effect on this call'
        : r.nearest
          ? `the nearest value ${r.nearest.value} gives ${fmt(r.nearest.metric)}`
          : `the result ranges over ${fmt(a)} .. ${fmt(b)} for values in [${r.interval[0]}, ${r.interval[1]}]`;
    return {
      ...common,
      value: null,
      ratio: null,
      documentedRange: documentedRange(r.figure.source, r.figure.value),
      verdict: 'unreachable',
      reason,
    };
  }
  return {
    ...common,
    value: r.value,
    ratio: r.figure.value === 0 ? null : round(r.value / r.figure.value),
    documentedRange: r.plausibility.documentedRange,
    verdict: r.plausibility.verdict,
    reason: r.plausibility.reason,
  };
}

function distance(row: WhatIfRow): number {
  if (row.value === null) return 0;
  if (row.figure.value === 0) return Math.abs(row.value);
  return Math.abs(Math.log(Math.max(row.value, 1e-12) / row.figure.value));
}

function round(x: number): number {
  return Number(x.toFixed(x >= 100 ? 1 : 3));
}
