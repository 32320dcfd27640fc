import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { type FaultAttr, FaultInjector } from './fault.js';
import { Rng } from './rng.js';

function injector(attr: FaultAttr | undefined, seed = 1): FaultInjector {
  return new FaultInjector('failslab', attr, new Rng(seed, 'failslab'));
}

/** The 1-based calls that failed out of `calls`, all with the same tag. */
function failing(f: FaultInjector, calls: number, tag = 'kmalloc'): number[] {
  const out: number[] = [];
  for (let i = 1; i <= calls; i++) if (f.shouldFail(tag)) out.push(i);
  return out;
}

describe('fault injection (Documentation/fault-injection)', () => {
  it('is off without attributes: nothing fails and nothing is counted', () => {
    const f = injector(undefined);
    expect(f.enabled).toBe(false);
    expect(failing(f, 5)).toEqual([]);
    expect(f.stats).toEqual({ candidates: 0, failures: 0 });
  });

  it('with attributes but no probability, interval or nth, counts calls and fails none', () => {
    for (const attr of [{}, { times: 3 }, { space: 1 }] as FaultAttr[]) {
      const f = injector(attr);
      expect(f.enabled).toBe(true);
      expect(failing(f, 6)).toEqual([]);
      expect(f.stats).toEqual({ candidates: 6, failures: 0 });
    }
  });

  it('interval fails every interval-th call, without limit by default', () => {
    expect(failing(injector({ interval: 3 }), 10)).toEqual([3, 6, 9]);
    expect(failing(injector({ interval: 1 }), 4)).toEqual([1, 2, 3, 4]);
    expect(failing(injector({ probability: 100 }), 3)).toEqual([1, 2, 3]);
  });

  it('nth fails exactly that call', () => {
    const f = injector({ nth: 4 });
    expect(failing(f, 10)).toEqual([4]);
    expect(f.stats).toEqual({ candidates: 10, failures: 1 });
    expect(failing(injector({ nth: 1 }), 3)).toEqual([1]);
  });

  it('space lets that many calls through first', () => {
    expect(failing(injector({ interval: 1, space: 2 }), 5)).toEqual([3, 4, 5]);
    expect(failing(injector({ nth: 2, space: 2 }), 5)).toEqual([]);
  });

  it('times stops after that many failures; 0 fails nothing', () => {
    const f = injector({ interval: 2, times: 2 });
    expect(failing(f, 10)).toEqual([2, 4]);
    expect(f.stats).toEqual({ candidates: 10, failures: 2 });
    expect(failing(injector({ interval: 1, times: 0 }), 3)).toEqual([]);
    expect(failing(injector({ interval: 1, times: -1 }), 3)).toEqual([1, 2, 3]);
  });

  it('filter makes only matching tags candidates', () => {
    const f = injector({ nth: 2, filter: 'pfm' });
    expect(f.shouldFail('kmalloc-64')).toBe(false);
    expect(f.shouldFail('pfm_ctx')).toBe(false);
    expect(f.shouldFail('skb')).toBe(false);
    expect(f.shouldFail('pfm_arg_buf')).toBe(true);
    expect(f.stats).toEqual({ candidates: 2, failures: 1 });
  });

  it('probability fails that share of candidates, from its own seeded stream', () => {
    const runs = (seed: number) => failing(injector({ probability: 30 }, seed), 1000);
    const a = runs(7);
    expect(runs(7)).toEqual(a);
    expect(runs(8)).not.toEqual(a);
    expect(a.length).toBeGreaterThan(250);
    expect(a.length).toBeLessThan(350);
    expect(failing(injector({ probability: 0 }), 100)).toEqual([]);
    // With interval the probability applies to each interval-th candidate only.
    const every2 = failing(injector({ probability: 50, interval: 2 }), 1000);
    expect(every2.every((n) => n % 2 === 0)).toBe(true);
    expect(every2.length).toBeGreaterThan(200);
    expect(every2.length).toBeLessThan(300);
  });

  it('rejects attributes out of range, naming the attribute', () => {
    const bad: [FaultAttr, string][] = [
      [{ probability: 101 }, 'invalid failslab.probability: 101 (accepted: a number from 0 to 100)'],
      [{ probability: -1 }, 'invalid failslab.probability: -1 (accepted: a number from 0 to 100)'],
      [{ probability: Number.NaN }, 'invalid failslab.probability: NaN (accepted: a number from 0 to 100)'],
      [{ interval: 0 }, 'invalid failslab.interval: 0 (accepted: an integer >= 1)'],
      [{ interval: 1.5 }, 'invalid failslab.interval: 1.5 (accepted: an integer >= 1)'],
      [{ nth: 0 }, 'invalid failslab.nth: 0 (accepted: an integer >= 1)'],
      [{ space: -1 }, 'invalid failslab.space: -1 (accepted: an integer >= 0)'],
      [{ times: -2 }, 'invalid failslab.times: -2 (accepted: an integer >= -1)'],
    ];
    for (const [attr, message] of bad) {
      expect(() => injector(attr)).toThrow(InvalidArgumentError);
      expect(() => injector(attr)).toThrow(message);
    }
    for (const ok of [
      { probability: 0 },
      { probability: 100 },
      { interval: 1, nth: 1, space: 0, times: -1 },
    ]) {
      expect(() => injector(ok)).not.toThrow();
    }
  });
});
