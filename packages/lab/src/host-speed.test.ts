/**
 * The simulator's own speed, measured against an injected clock: every read of the fake clock
 * advances it by a fixed step, so the rates are exact and no test depends on the host.
 */
import { describe, expect, it } from 'vitest';
import { benchCalls, benchSchedules } from './host-speed.js';
import { getMachine } from './machines.js';

const p4 = getMachine('p4-2006');

function steppingClock(step: number) {
  let t = 0;
  const reads: number[] = [];
  const now = () => {
    reads.push(t);
    const value = t;
    t += step;
    return value;
  };
  return { now, reads };
}

describe('benchCalls', () => {
  it('warms up for at least 100 ms, then counts calls in batches of 100 until the duration passes', () => {
    const clock = steppingClock(40.04);
    const r = benchCalls({ machine: p4, strategy: 'stack', durationMs: 100, now: clock.now });
    // Warm-up: reads at 0, 40.04, 80.08 (two batches), 120.12 ends it. Measuring from 160.16:
    // three batches, the last read at 280.28.
    expect(clock.reads).toHaveLength(8);
    expect(r).toEqual({ ops: 300, ms: 120.1, perSecond: 2498 });
  });

  it('warms up for half the measuring time when that is longer than 100 ms', () => {
    const clock = steppingClock(50);
    const r = benchCalls({ machine: p4, strategy: 'kmalloc', durationMs: 300, count: 2, now: clock.now });
    // Warm-up 150 ms: reads at 0, 50, 100, 150; measuring from 200 to 500.
    expect(clock.reads).toHaveLength(11);
    expect(r).toEqual({ ops: 600, ms: 300, perSecond: 2000 });
  });

  it('reports no rate for a zero duration rather than dividing by zero', () => {
    const clock = steppingClock(100);
    expect(benchCalls({ machine: p4, strategy: 'stack', durationMs: 0, now: clock.now })).toEqual({
      ops: 0,
      ms: 0,
      perSecond: 0,
    });
  });
});

describe('benchSchedules', () => {
  it('counts the schedules explored between two clock reads', () => {
    const clock = steppingClock(100);
    const r = benchSchedules({ machine: p4, strategy: 'ctx-cache', durationMs: 100, now: clock.now });
    // Warm-up: one round of 10 schedules (reads 0, 100); then one round of 50 (reads 200, 300).
    expect(clock.reads).toEqual([0, 100, 200, 300]);
    expect(r).toEqual({ ops: 50, ms: 100, perSecond: 500 });
  });
});
