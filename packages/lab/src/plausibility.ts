/**
 * Is a calibrated value believable? Judged against the range the figure's source documents, or
 * by the figure's kind; a probability on its own scale. Never a ratio to a figure of 0.
 */
import type { CostFigure, CostKey } from '@pfmsim/kernel-sim';

export type Verdict = 'plausible' | 'doubtful' | 'implausible';

export interface Plausibility {
  readonly verdict: Verdict;
  readonly reason: string;
  /** The range parsed from the figure's source text ("(500–1000)"), if it gives one. */
  readonly documentedRange: readonly [number, number] | null;
}

/** Cost figures that are probabilities (0..1) rather than cycles. */
export const PROBABILITY_KEYS: ReadonlySet<CostKey> = new Set<CostKey>(['allocColdProbability']);

/**
 * "(500–1000)", "(0.25-0.5)", "(2000–6000)" in a figure's source text. With `value`, a range
 * that does not contain the figure's own value is another quantity's ("pair 120 (116–126)" in
 * the source of kmallocFast 50) and is not returned.
 */
export function documentedRange(source: string, value?: number): [number, number] | null {
  const m = /\((\d[\d,]*(?:\.\d+)?)\s*[–-]\s*(\d[\d,]*(?:\.\d+)?)\)/.exec(source);
  if (!m) return null;
  const a = Number(m[1]!.replace(/,/g, ''));
  const b = Number(m[2]!.replace(/,/g, ''));
  if (!(Number.isFinite(a) && Number.isFinite(b) && a <= b)) return null;
  if (value !== undefined && (value < a || value > b)) return null;
  return [a, b];
}

const KIND_LIMITS = { M: 0.25, D: 0.5, E: 1 } as const;
const KIND_NAMES = { M: 'a measured', D: 'a derived', E: 'an estimated (UNVERIFIED)' } as const;
/** A probability: plausible within 0.05 of its figure, doubtful within 0.25 (any kind). */
const P_NEAR = 0.05;
const P_FAR = 0.25;

/**
 * Judges a value for a figure: against the documented range when the source gives one that
 * holds the figure (inside: plausible; within half the range's width outside: doubtful); a
 * probability by its distance from the figure (0.05, 0.25); else by the figure's kind: measured
 * within 25 %, derived within 50 %, an estimate within a factor of 2 (twice as far: doubtful).
 * A figure of 0 that is not a probability accepts only 0 (no ratio to 0 is taken).
 */
export function plausibility(figure: CostFigure, value: number, key?: CostKey): Plausibility {
  const range = documentedRange(figure.source, figure.value);
  if (range) return byRange(range, value);
  if (key !== undefined && PROBABILITY_KEYS.has(key)) return byDistance(figure, value);
  return byKind(figure, value);
}

function byRange(range: [number, number], value: number): Plausibility {
  const [a, b] = range;
  const documentedRange = range;
  if (value >= a && value <= b)
    return { verdict: 'plausible', reason: `within the documented range ${a}–${b}`, documentedRange };
  const slack = (b - a) / 2;
  const side = value < a ? 'below' : 'above';
  if (value >= a - slack && value <= b + slack)
    return {
      verdict: 'doubtful',
      reason: `${side} the documented range ${a}–${b}, but near it`,
      documentedRange,
    };
  return { verdict: 'implausible', reason: `far ${side} the documented range ${a}–${b}`, documentedRange };
}

function byDistance(figure: CostFigure, value: number): Plausibility {
  const away = Math.abs(value - figure.value);
  const how = `${Number(away.toPrecision(3))} away from the figure ${figure.value} on the probability scale`;
  const verdict: Verdict = away <= P_NEAR ? 'plausible' : away <= P_FAR ? 'doubtful' : 'implausible';
  const rule = `a probability may move ${P_NEAR}, doubtful to ${P_FAR}`;
  return {
    verdict,
    reason: `${how} (no documented range; ${rule})`,
    documentedRange: null,
  };
}

function byKind(figure: CostFigure, value: number): Plausibility {
  const base = figure.value;
  const names = KIND_NAMES[figure.kind];
  if (base === 0) {
    return value === 0
      ? { verdict: 'plausible', reason: 'the figure itself (0)', documentedRange: null }
      : {
          verdict: 'implausible',
          reason: `the figure is 0 (${names} figure, no documented range): any other value is a new assumption`,
          documentedRange: null,
        };
  }
  const limit = KIND_LIMITS[figure.kind];
  const ratio = value / base;
  const within = figure.kind === 'E' ? ratio >= 0.5 && ratio <= 2 : Math.abs(ratio - 1) <= limit;
  const how = `${ratio.toFixed(2)}x the figure ${base}`;
  if (within) {
    return {
      verdict: 'plausible',
      reason: `${how}, within the tolerance for ${names} figure`,
      documentedRange: null,
    };
  }
  const far = figure.kind === 'E' ? ratio < 0.25 || ratio > 4 : Math.abs(ratio - 1) > 2 * limit;
  return {
    verdict: far ? 'implausible' : 'doubtful',
    reason: `${how}, outside the tolerance for ${names} figure (${figure.kind === 'E' ? 'x0.5–x2' : `±${limit * 100}%`})`,
    documentedRange: null,
  };
}
