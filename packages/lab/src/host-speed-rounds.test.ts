// benchCallRounds against a fake clock that moves a fixed step per reading: the rounds' rates
// are exact, whatever the host.

import { describe, expect, it } from 'vitest';
import { benchCallRounds } from './host-speed.js';
import { getMachine } from './machines.js';

const p4 = getMachine('p4-2006');

function steppingClock(steps: readonly number[]) {
  let t = 0;
  let i = 0;
  return () => {
    const value = t;
    t += steps[i++ % steps.length]!;
    return value;
  };
}

describe('benchCallRounds', () => {
  it('warms up once, then measures each round from its own start', () => {
    // Warm-up 100 ms: reads at 0, 50, 100. Round 1 from 150: batches end at 200, 250 (100 ms).
    // Round 2 from 300: 350, 400. Round 3 from 450: 500, 550.
    const rounds = benchCallRounds({
      machine: p4,
      strategy: 'stack',
      durationMs: 100,
      rounds: 3,
      now: steppingClock([50]),
    });
    expect(rounds).toEqual([
      { ops: 200, ms: 100, perSecond: 2000 },
      { ops: 200, ms: 100, perSecond: 2000 },
      { ops: 200, ms: 100, perSecond: 2000 },
    ]);
  });

  it('gives each round its own rate when the clock moves unevenly', () => {
    // Reads at 0, 50, 100 (warm-up, one batch); round 1 from 200: batches end at 225, 250,
    // 300, 350, 450 (250 ms); round 2 from 475: 500, 550, 600, 700 (225 ms).
    const rounds = benchCallRounds({
      machine: p4,
      strategy: 'kmalloc',
      durationMs: 200,
      rounds: 2,
      now: steppingClock([50, 50, 100, 25, 25]),
    });
    expect(rounds).toEqual([
      { ops: 500, ms: 250, perSecond: 2000 },
      { ops: 400, ms: 225, perSecond: 1778 },
    ]);
  });
});
