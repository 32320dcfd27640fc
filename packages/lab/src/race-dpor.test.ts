/**
 * DPOR on the race world: with calls that close, dup, unload and exit under every strategy, it
 * reaches every outcome (bugs, corrupted vectors, leaks, each thread's cycles, kernel memory)
 * that full enumeration reaches, in fewer schedules.
 */
import { explore, type RunResult } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { getMachine } from './machines.js';
import {
  buildRaceWorld,
  callsOf,
  formatMix,
  parseMix,
  RACE_CALLS,
  type RaceWorld,
  type RaceWorldOptions,
} from './race-world.js';

const p4 = getMachine('p4-2006');

function outcome(w: RaceWorld, run: RunResult): string {
  const corrupted = w.corrupted();
  const cycles = w.kernel.threads.map((t) => t.clock.total).join(',');
  const leaks = w.leaks();
  const m = w.kernel.mem.snapshot();
  const bugs = w.kernel.bugs.map((b) => `${b.kind}: ${b.message}`).sort();
  return `corrupted=${corrupted} cycles=${cycles} live=${m.liveObjects}/${m.liveBytes} leaks=${leaks.join(';')} bugs=${bugs.join('|')} deadlock=${run.deadlock}`;
}

function outcomes(opts: RaceWorldOptions, mode: 'exhaustive' | 'dpor') {
  const found = new Set<string>();
  const r = explore<RaceWorld>({
    build: (seed) => buildRaceWorld(opts, seed),
    start: (w) => w.start(),
    mode,
    ...(mode === 'exhaustive' ? { maxPreemptions: 1000 } : {}),
    schedules: 100_000,
    check: (w, run) => {
      found.add(outcome(w, run));
      return [];
    },
  });
  return { found, schedules: r.schedules, complete: r.complete };
}

describe('DPOR on the race world', () => {
  const cases: [string, number, number, string][] = [
    ['ctx-cache', 2, 1, 'write_pmds'],
    ['ctx-cache-naive', 2, 1, 'write_pmds'],
    ['kmalloc', 2, 2, 'write_pmds,close'],
    ['ctx-cache', 2, 2, 'write_pmds,dup,close,write_pmds'],
    ['task-cache', 2, 2, 'write_pmds,exit'],
    ['hybrid', 2, 2, 'unload,read_pmds,write_pmcs,write_pmds'],
    ['ctx-cache-bounded', 3, 1, 'write_pmds,close,write_pmds'],
  ];
  for (const [strategy, threads, calls, mix] of cases) {
    it(`${strategy}, ${threads} threads x ${calls} calls of ${mix}: every outcome of full enumeration`, () => {
      const opts = { machine: p4, strategy, threads, calls, mix: parseMix(mix) };
      const all = outcomes(opts, 'exhaustive');
      const dpor = outcomes(opts, 'dpor');
      expect(all.complete && dpor.complete).toBe(true);
      expect([...all.found].filter((s) => !dpor.found.has(s))).toEqual([]);
      expect([...dpor.found].filter((s) => !all.found.has(s))).toEqual([]);
      expect(dpor.schedules).toBeLessThan(all.schedules);
    }, 120_000);
  }
});

describe('the call mix', () => {
  it('parseMix reads NAME and NAME*N; formatMix writes it back; callsOf deals it round robin', () => {
    const mix = parseMix('write_pmds*2, close,dup*1');
    expect(mix).toEqual(['write_pmds', 'write_pmds', 'close', 'dup']);
    expect(formatMix(mix)).toBe('write_pmds*2,close,dup');
    expect(parseMix(formatMix(mix))).toEqual(mix);
    expect([0, 1, 2].map((k) => callsOf(mix, 2, k))).toEqual([
      ['write_pmds', 'write_pmds'],
      ['close', 'dup'],
      ['write_pmds', 'write_pmds'],
    ]);
    for (const bad of ['', 'write', 'close*0', 'close*65', 'dup*x', 'exit,'])
      expect(() => parseMix(bad), bad).toThrow(
        /race call.*write_pmds, read_pmds, write_pmcs, close, dup, exit, unload/,
      );
    expect(RACE_CALLS).toHaveLength(7);
  });
});
