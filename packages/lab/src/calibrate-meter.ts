/**
 * What a calibration measures: the target's metric under cost overrides, as an expectation.
 * A call is deterministic unless `allocColdProbability` is above 0: then each kmalloc/kfree
 * draws the slow path from a seeded stream, one call's cost is a step function of the
 * probability, and the metric is taken as the expectation. Every draw chooses between two fixed
 * charges and the number of draws does not depend on them, so the expected cost is linear in
 * the probability: E(p) = C(0) + p·(C(1) − C(0)), from two deterministic calls (all hot, all
 * cold). `sampleTarget` measures the same thing as the mean of a seeded stream of calls, with a
 * confidence interval: the method of the buffer-strategies README, and the check of the first.
 */
import { type CostOverrides, getCostProfile } from '@pfmsim/kernel-sim';
import type { AbiProfileId } from '@pfmsim/perfmon-core';
import type { Machine } from './machines.js';
import { measureCall, sampleCalls } from './measure.js';
import type { VectorSyscall } from './world.js';

/**
 * "pfm_read_pmds n=4 stack vs kmalloc = -20%" (relative time), "... stack vs kmalloc calls/s =
 * +20%" (throughput) or "pfm_read_pmds n=4 kmalloc = 2000" (cycles).
 */
export type CalibrationTarget =
  | {
      /** relative: (cycles(strategy) − cycles(versus)) / cycles(versus), e.g. −0.2.
       *  throughput: calls/s of strategy over versus − 1 = cycles(versus) / cycles(strategy) − 1. */
      readonly kind: 'relative' | 'throughput';
      readonly syscall: VectorSyscall;
      readonly count: number;
      readonly strategy: string;
      readonly versus: string;
      readonly value: number;
    }
  | {
      readonly kind: 'absolute';
      readonly syscall: VectorSyscall;
      readonly count: number;
      readonly strategy: string;
      readonly value: number;
    };

export interface Cycles {
  readonly strategy: number;
  readonly versus: number | null;
}

/** exact: one deterministic call; expectation: linear in allocColdProbability (see above). */
export type MeterMethod = 'exact' | 'expectation';

export interface Reading {
  readonly metric: number;
  readonly cycles: Cycles;
  readonly method: MeterMethod;
}

export interface MeterOptions {
  machine: Machine;
  abi?: AbiProfileId;
  seed?: number;
  target: CalibrationTarget;
}

export function metricOf(t: CalibrationTarget, a: number, b: number | null): number {
  if (t.kind === 'absolute' || b === null) return a;
  return t.kind === 'relative' ? (a - b) / b : b / a - 1;
}

/** A measuring function over cost overrides; calls already made are remembered. */
export function createMeter(opts: MeterOptions): { read(o: CostOverrides): Reading; calls(): number } {
  const t = opts.target;
  const profile = getCostProfile(opts.machine.cost);
  const seen = new Map<string, number>();
  const once = (strategy: string, o: CostOverrides): number => {
    const key = `${strategy} ${JSON.stringify(o)}`;
    let c = seen.get(key);
    if (c === undefined) {
      c = measureCall({ ...worldOf(opts, o), strategy }).cyclesPerCall;
      seen.set(key, c);
    }
    return c;
  };
  const expected = (strategy: string, o: CostOverrides): number => {
    const p = o.allocColdProbability ?? profile.figures.allocColdProbability.value;
    if (p === 0) return once(strategy, o);
    const hot = once(strategy, { ...o, allocColdProbability: 0 });
    const cold = once(strategy, { ...o, allocColdProbability: 1 });
    return hot + p * (cold - hot);
  };
  return {
    read(o) {
      const a = expected(t.strategy, o);
      const b = t.kind === 'absolute' ? null : expected(t.versus, o);
      const p = o.allocColdProbability ?? profile.figures.allocColdProbability.value;
      return {
        metric: metricOf(t, a, b),
        cycles: { strategy: a, versus: b },
        method: p > 0 ? 'expectation' : 'exact',
      };
    },
    calls: () => seen.size,
  };
}

function worldOf(opts: MeterOptions, o: CostOverrides) {
  return {
    machine: opts.machine,
    abi: opts.abi ?? ('v2.3' as const),
    seed: opts.seed ?? 1,
    syscall: opts.target.syscall,
    count: opts.target.count,
    ...(Object.keys(o).length > 0 ? { costOverrides: o } : {}),
  };
}

/** The mean of a seeded stream of calls per strategy, with a normal confidence interval. */
export interface TargetSample {
  readonly calls: number;
  readonly metric: number;
  /** Half-width of the interval around `metric` (delta method on the two means). */
  readonly halfWidth: number;
  readonly confidence: 0.95;
  readonly cycles: Cycles;
}

const Z95 = 1.959964;
/** The buffer-strategies README's count; more when the interval must be narrower. */
export const MIN_SAMPLE_CALLS = 20_000;
export const MAX_SAMPLE_CALLS = 1_000_000;

/**
 * Samples the target's metric: MIN_SAMPLE_CALLS calls, then, if the 95 % interval is wider
 * than ±`halfWidth`, as many more calls (up to MAX_SAMPLE_CALLS) as its variance says it needs.
 */
export function sampleTarget(opts: MeterOptions, o: CostOverrides, halfWidth: number): TargetSample {
  const run = (calls: number): TargetSample => {
    const t = opts.target;
    const w = worldOf(opts, o);
    const a = sampleCalls({ ...w, strategy: t.strategy }, calls);
    const b = t.kind === 'absolute' ? null : sampleCalls({ ...w, strategy: t.versus }, calls);
    const seA = a.sd / Math.sqrt(calls);
    const seB = b === null ? 0 : b.sd / Math.sqrt(calls);
    let se = seA;
    if (b !== null && t.kind === 'relative') se = Math.hypot(seA / b.mean, (a.mean * seB) / b.mean ** 2);
    if (b !== null && t.kind === 'throughput') se = Math.hypot(seB / a.mean, (b.mean * seA) / a.mean ** 2);
    return {
      calls,
      metric: metricOf(t, a.mean, b?.mean ?? null),
      halfWidth: Z95 * se,
      confidence: 0.95,
      cycles: { strategy: a.mean, versus: b?.mean ?? null },
    };
  };
  const first = run(MIN_SAMPLE_CALLS);
  if (first.halfWidth <= halfWidth) return first;
  const need = Math.ceil(MIN_SAMPLE_CALLS * (first.halfWidth / halfWidth) ** 2 * 1.1);
  return run(Math.min(MAX_SAMPLE_CALLS, Math.ceil(need / 1000) * 1000));
}
