import { afterEach, describe, expect, it } from 'vitest';
import {
  clearRegisteredStrategies,
  createStrategy,
  isBrokenStrategy,
  isKnownStrategy,
  isStrategyName,
  registerStrategy,
  STRATEGY_NAMES,
  StrategyRegistrationError,
  strategyNames,
  strategyShapeProblem,
  strategySource,
  type UnknownStrategyError,
} from './registry.js';
import type { ArgBufferStrategy } from './spec.js';
import { createKmallocStrategy } from './strategies/kmalloc.js';

/** kmalloc under another name: what a plugin's simplest strategy looks like. */
const renamed = (name: string): ArgBufferStrategy => ({ ...createKmallocStrategy(), name });

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StrategyRegistrationError);
    return (e as Error).message;
  }
  throw new Error('expected a StrategyRegistrationError');
}

afterEach(() => clearRegisteredStrategies());

describe('registerStrategy: strategies from plugins', () => {
  it('a registered strategy is created, listed after the built-ins and attributed to its source', () => {
    const seen: object[] = [];
    registerStrategy({
      name: 'percpu',
      source: 'plugin demo (./demo.mjs)',
      create: (options) => {
        seen.push(options);
        return renamed('percpu');
      },
    });
    expect(strategyNames()).toEqual([...STRATEGY_NAMES, 'percpu']);
    expect(createStrategy('percpu', { size: 4 }).name).toBe('percpu');
    expect(createStrategy('percpu').name).toBe('percpu');
    // one probe call at registration, then the two above with their options
    expect(seen).toEqual([{}, { size: 4 }, {}]);
    expect([isKnownStrategy('percpu'), isStrategyName('percpu'), isBrokenStrategy('percpu')]).toEqual([
      true,
      false,
      false,
    ]);
    expect([strategySource('percpu'), strategySource('stack'), strategySource('nope')]).toEqual([
      'plugin demo (./demo.mjs)',
      'built-in',
      undefined,
    ]);
  });

  it('a broken registration is left out of default runs like the broken built-ins', () => {
    registerStrategy({ name: 'racy', source: 'plugin r', create: () => renamed('racy'), broken: true });
    expect([
      isBrokenStrategy('racy'),
      isBrokenStrategy('ctx-cache-naive'),
      isBrokenStrategy('kmalloc'),
    ]).toEqual([true, true, false]);
  });

  it('an unknown name lists the registered strategies among the accepted ones', () => {
    registerStrategy({ name: 'percpu', source: 'plugin p', create: () => renamed('percpu') });
    const e = (() => {
      try {
        createStrategy('nope');
      } catch (error) {
        return error as UnknownStrategyError;
      }
      throw new Error('expected a throw');
    })();
    expect(e.accepted).toEqual([...STRATEGY_NAMES, 'percpu']);
    expect(e.message).toBe(
      `unknown argument-buffer strategy "nope" (accepted: ${[...STRATEGY_NAMES, 'percpu'].join(', ')})`,
    );
    expect([isKnownStrategy('nope'), isKnownStrategy(7), isKnownStrategy('kmalloc')]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('refuses a clash with a built-in or with another plugin, naming both sources', () => {
    expect(
      refusal(() =>
        registerStrategy({ name: 'stack', source: 'plugin a (./a.mjs)', create: () => renamed('stack') }),
      ),
    ).toBe('strategy "stack" from plugin a (./a.mjs) clashes with the built-in strategy "stack"; rename it');
    registerStrategy({ name: 'percpu', source: 'plugin a (./a.mjs)', create: () => renamed('percpu') });
    expect(
      refusal(() =>
        registerStrategy({ name: 'percpu', source: 'plugin b (./b.mjs)', create: () => renamed('percpu') }),
      ),
    ).toBe(
      'strategy "percpu" from plugin b (./b.mjs) clashes with "percpu" from plugin a (./a.mjs); rename one of them',
    );
    expect(strategyNames()).toEqual([...STRATEGY_NAMES, 'percpu']);
  });

  it('refuses a bad name, a factory that is not a function, throws, or returns no strategy', () => {
    const reg = (name: unknown, create: unknown) => () =>
      registerStrategy({ name, source: 'plugin x', create } as never);
    expect(refusal(reg('Per CPU', () => renamed('Per CPU')))).toBe(
      'strategy name "Per CPU" from plugin x must be lower-case words joined by "-", e.g. "percpu"',
    );
    expect(refusal(reg(7, () => renamed('x')))).toMatch(/^strategy name 7 from plugin x must be/);
    expect(refusal(reg('x', 'not a function'))).toBe(
      'strategy "x" from plugin x: its factory is not a function',
    );
    expect(
      refusal(
        reg('x', () => {
          throw new Error('no per-CPU areas');
        }),
      ),
    ).toBe('strategy "x" from plugin x: its factory threw: no per-CPU areas');
    expect(
      refusal(
        reg('x', () => {
          throw 'a string';
        }),
      ),
    ).toBe('strategy "x" from plugin x: its factory threw: a string');
    expect(refusal(reg('x', () => renamed('y')))).toBe(
      'strategy "x" from plugin x: returned a strategy named "y", not "x"',
    );
    expect(strategyNames()).toEqual([...STRATEGY_NAMES]);
  });
});

describe('strategyShapeProblem: what a plugin strategy must provide', () => {
  const good = renamed('p');
  it('accepts a complete strategy', () => {
    expect(strategyShapeProblem(good, 'p')).toBeUndefined();
  });

  it('names the first thing missing', () => {
    const without = (key: string) => {
      const copy: Record<string, unknown> = { ...good };
      delete copy[key];
      return strategyShapeProblem(copy, 'p');
    };
    expect([null, undefined, 3, 'x'].map((v) => strategyShapeProblem(v, 'p'))).toEqual([
      'returned null, not a strategy object',
      'returned undefined, not a strategy object',
      'returned number, not a strategy object',
      'returned string, not a strategy object',
    ]);
    expect(strategyShapeProblem({ ...good, specificationVersion: 'v2' }, 'p')).toBe(
      'implements strategy specification "v2"; pfmsim supports "v1"',
    );
    expect(without('specificationVersion')).toBe(
      'implements strategy specification undefined; pfmsim supports "v1"',
    );
    expect(without('description')).toBe('has no description string');
    expect(without('pinnedFormula')).toBe('has no pinnedFormula string');
    expect(without('stackFootprint')).toBe('has no stackFootprint string');
    expect(without('frameBytes')).toBe('has no frameBytes method');
    expect(without('acquire')).toBe('has no acquire method');
    expect(without('release')).toBe('has no release method');
    const { acquire: _a, release: _r, ...neither } = good;
    expect(strategyShapeProblem(neither, 'p')).toBe('has no acquire, release methods');
  });
});
