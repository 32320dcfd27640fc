/**
 * Summaries of repeated host measurements (pfmsim bench): the minimum, median and maximum of the
 * rounds and their spread, as hyperfine reports a benchmark's range rather than one figure.
 */

export interface RoundStats {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  /** (max - min) / median in percent, one decimal; 0 when the median is 0. */
  readonly spreadPercent: number;
}

/** The median of the values (the mean of the two middle ones, rounded, for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

export function roundStats(values: readonly number[]): RoundStats {
  const mid = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const spreadPercent = mid > 0 ? Math.round(((max - min) / mid) * 1000) / 10 : 0;
  return { min, median: mid, max, spreadPercent };
}
