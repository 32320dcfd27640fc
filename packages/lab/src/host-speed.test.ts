/**
 * The simulator's own speed, measured against an injected clock: every read of the fake clock
 * advances it by a fixed step, so the rates are exact and no test depends on the host.
 */
import { Errno, Syscalls } from '@pfmsim/perfmon-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { benchCalls, benchSchedules } from './host-speed.js';
import { getMachine } from './machines.js';

const p4 = getMachine('p4-2006');

afterEach(() => {
  vi.restoreAllMocks();
});

function steppingClock(step: number, start = 0) {
  let t = start;
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

  it('warms up with rounds of 10 schedules for at least 100 ms, then counts rounds of 50', () => {
    const writes = vi.spyOn(Syscalls.prototype, 'pfm_write_pmds');
    const clock = steppingClock(60, 1000);
    const r = benchSchedules({
      machine: p4,
      strategy: 'ctx-cache',
      durationMs: 100,
      seed: 3,
      now: clock.now,
    });
    // Warm-up: reads 1000, 1060 (one round), 1120; measuring from 1180: two rounds, to 1300.
    expect(clock.reads).toEqual([1000, 1060, 1120, 1180, 1240, 1300]);
    expect(r).toEqual({ ops: 100, ms: 120, perSecond: 833 });
    // Two threads call pfm_write_pmds once per schedule: 10 warm-up schedules, then 100.
    expect(writes).toHaveBeenCalledTimes(2 * (10 + 100));
  });
});

describe('benchCalls under every ABI', () => {
  it('measures the perfmon3 pfm_read under abi v3, as the bench command offers', () => {
    const clock = steppingClock(50);
    expect(
      benchCalls({ machine: p4, strategy: 'kmalloc', abi: 'v3', durationMs: 100, now: clock.now }),
    ).toEqual({
      ops: 200,
      ms: 100,
      perSecond: 2000,
    });
  });
});

describe('benchCalls: what is counted', () => {
  it('makes 100 pfm_read_pmds per clock read and counts only those after the warm-up', () => {
    const reads = vi.spyOn(Syscalls.prototype, 'pfm_read_pmds');
    // A clock that does not start at 0: the warm-up is measured from its first read.
    const clock = steppingClock(40.04, 1000);
    const r = benchCalls({ machine: p4, strategy: 'ctx-cache', durationMs: 100, now: clock.now });
    expect(clock.reads).toHaveLength(8);
    expect(r).toEqual({ ops: 300, ms: 120.1, perSecond: 2498 });
    // Two warm-up batches, then the three measured ones.
    expect(reads).toHaveBeenCalledTimes(500);
  });

  it('raises the per-call limit for vectors larger than a page', () => {
    const clock = steppingClock(60);
    expect(
      benchCalls({ machine: p4, strategy: 'kmalloc', count: 64, durationMs: 100, now: clock.now }).ops,
    ).toBe(200);
  });

  it('stops at the first failing call with its errno rather than timing failures', () => {
    const fail = (errno: number) =>
      // biome-ignore lint/correctness/useYield: the call fails at once, before any scheduling point
      function* () {
        return -errno;
      };
    const clock = steppingClock(50);
    const opts = { machine: p4, strategy: 'kmalloc', durationMs: 100, now: clock.now };
    vi.spyOn(Syscalls.prototype, 'pfm_read_pmds').mockImplementation(fail(Errno.EBADF));
    expect(() => benchCalls(opts)).toThrow('bench: pfm_read_pmds failed (errno 9)');
    vi.spyOn(Syscalls.prototype, 'pfm_write_pmds').mockImplementation(fail(Errno.EBUSY));
    expect(() => benchCalls(opts)).toThrow('bench: initial pfm_write_pmds failed (errno 16)');
  });
});

describe('the host clock', () => {
  it('is performance.now() unless a clock is given: a real warm-up, then at least one batch', () => {
    const start = performance.now();
    const calls = benchCalls({ machine: p4, strategy: 'kmalloc', durationMs: 1 });
    expect(performance.now() - start).toBeGreaterThanOrEqual(100);
    expect(calls.ops).toBeGreaterThanOrEqual(100);
    expect(calls.ops % 100).toBe(0);
    expect(calls.ms).toBeGreaterThanOrEqual(1);
    const schedules = benchSchedules({ machine: p4, strategy: 'ctx-cache', durationMs: 1 });
    expect(schedules.ops % 50).toBe(0);
    expect(schedules.ms).toBeGreaterThanOrEqual(1);
  });
});
