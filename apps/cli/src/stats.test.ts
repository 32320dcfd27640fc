import { describe, expect, it } from 'vitest';
import { median, roundStats } from './stats.js';

describe('median', () => {
  it('is the middle value of an odd count, whatever the order', () => {
    expect(median([7])).toBe(7);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([30, 10, 50, 20, 40])).toBe(30);
  });

  it('is the rounded mean of the two middle values of an even count', () => {
    expect(median([1, 2])).toBe(2); // 1.5 rounds up
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([10, 13, 100, 0])).toBe(12); // 11.5
  });

  it('does not reorder its argument', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses no values', () => {
    expect(() => median([])).toThrow('median of no values');
  });
});

describe('roundStats', () => {
  it('gives min, median, max and the range over the median in percent', () => {
    expect(roundStats([1000, 900, 1100])).toEqual({ min: 900, median: 1000, max: 1100, spreadPercent: 20 });
    expect(roundStats([52_000, 48_000, 50_000, 49_000])).toEqual({
      min: 48_000,
      median: 49_500,
      max: 52_000,
      spreadPercent: 8.1,
    });
  });

  it('rounds the spread to one decimal', () => {
    // (1003 - 1000) / 1001 = 0.2997 %
    expect(roundStats([1000, 1001, 1003]).spreadPercent).toBe(0.3);
    // (1007 - 1000) / 1001 = 0.6993 %
    expect(roundStats([1000, 1001, 1007]).spreadPercent).toBe(0.7);
  });

  it('one round, or equal rounds: no spread', () => {
    expect(roundStats([42])).toEqual({ min: 42, median: 42, max: 42, spreadPercent: 0 });
    expect(roundStats([5, 5, 5]).spreadPercent).toBe(0);
  });

  it('a zero median gives a zero spread, not a division by zero', () => {
    expect(roundStats([0, 0, 3])).toEqual({ min: 0, median: 0, max: 3, spreadPercent: 0 });
  });
});
