// The test runner's plugin plumbing: --plugin arguments, `strategy: all` with plugin strategies,
// and a scenario's own `plugins:` loaded before it and dropped after it.
import { join } from 'node:path';
import { STRATEGY_NAMES, strategyNames } from '@pfmsim/buffer-strategies';
import { activePlugins, loadPlugins, unloadPlugins } from '@pfmsim/lab';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScenario } from './load.js';
import { DEFAULT_STRATEGIES, defaultStrategies, makePlan, strategyFactory, unknownStrategy } from './plan.js';
import { ScenarioPlugins, unloadedScenarioPlugin } from './plugins.js';
import { kmallocPlugin, scenario, tempFiles } from './plugins.test-util.js';
import { runSuite } from './suite.js';

afterEach(() => {
  unloadPlugins();
});

const withPlugins = (plugins: string[], file: string) =>
  parseScenario(scenario('s', `plugins: [${plugins.join(', ')}]\n`), file);

describe('strategies from plugins', () => {
  it('`all` is the built-ins then the correct plugin strategies; broken ones run only when named', async () => {
    const dir = tempFiles({
      'good.mjs': kmallocPlugin('good-one'),
      'bad.mjs': kmallocPlugin('bad-one', { broken: true }),
    });
    expect(defaultStrategies()).toEqual(DEFAULT_STRATEGIES);
    await loadPlugins(['./good.mjs', './bad.mjs'], { cwd: dir });
    expect(defaultStrategies()).toEqual([...DEFAULT_STRATEGIES, 'good-one']);
    const plan = (top: string) => makePlan(parseScenario(scenario('s', top), 'x.yaml')).strategies;
    expect(plan('strategy: all\n')).toEqual([...DEFAULT_STRATEGIES, 'good-one']);
    expect(plan('strategy: [bad-one, kmalloc]\n')).toEqual(['bad-one', 'kmalloc']);
    expect(strategyFactory('good-one')!().name).toBe('good-one');
    const byStrategy =
      'steps:\n  - {call: pfm_stop, expect: {errno: EBADF, by_strategy: {good-one: {errno: EBADF}}}}\n';
    expect(() => makePlan(parseScenario(`name: s\nmachine: p4-2006\n${byStrategy}`, 'x.yaml'))).not.toThrow();
    unloadPlugins();
    expect(() => makePlan(parseScenario(`name: s\nmachine: p4-2006\n${byStrategy}`, 'x.yaml'))).toThrow(
      /by_strategy\.good-one: unknown strategy "good-one" .*; no plugin is loaded/,
    );
  });

  it('an unknown strategy names the loaded plugins, or how to load one', async () => {
    const dir = tempFiles({ 'good.mjs': kmallocPlugin('good-one') });
    const known = `(known: ${[...STRATEGY_NAMES, 'all'].join(', ')})`;
    expect(unknownStrategy('percpu', 'scenario')).toBe(
      `unknown strategy "percpu" ${known}; no plugin is loaded: if a plugin defines it, list its plugin under \`plugins:\` or pass --plugin FILE`,
    );
    expect(unknownStrategy('my-kmalloc', 'flag')).toBe(
      'unknown strategy "my-kmalloc" (did you mean "kmalloc"?); no plugin is loaded: if a plugin defines it, pass --plugin FILE',
    );
    await loadPlugins(['./good.mjs'], { cwd: dir });
    expect(unknownStrategy('percpu', 'flag')).toBe(
      `unknown strategy "percpu" (known: ${[...STRATEGY_NAMES, 'good-one', 'all'].join(', ')}); no plugin loaded defines it (good-one from ./good.mjs)`,
    );
  });
});

describe('ScenarioPlugins', () => {
  it("loads a scenario's plugins relative to its file, keeps them for the next naming the same, drops them for others", async () => {
    const dir = tempFiles({ 'sub/p.mjs': kmallocPlugin('p-one'), 'base.mjs': kmallocPlugin('base-one') });
    await loadPlugins(['./base.mjs'], { cwd: dir });
    const session = new ScenarioPlugins();
    const a = join(dir, 'sub', 'a.yaml');
    expect(await session.enter(withPlugins(['./p.mjs'], a), a)).toBeNull();
    expect(strategyNames()).toEqual([...STRATEGY_NAMES, 'base-one', 'p-one']);
    const loaded = activePlugins()[1];
    // the same file from another scenario (and a plugin loaded already): nothing loaded again
    const b = join(dir, 'b.yaml');
    expect(await session.enter(withPlugins(['./sub/p.mjs', './base.mjs'], b), b)).toBeNull();
    expect(activePlugins()[1]).toBe(loaded);
    // a scenario without plugins: back to the base
    expect(await session.enter(parseScenario(scenario('c'), b), b)).toBeNull();
    expect(strategyNames()).toEqual([...STRATEGY_NAMES, 'base-one']);
    await session.enter(withPlugins(['./p.mjs'], a), a);
    await session.restore();
    expect(activePlugins().map((p) => p.name)).toEqual(['base-one']);
  });

  it('a plugin that fails is an error at its entry of plugins:, and leaves none of them loaded', async () => {
    const dir = tempFiles({ 'p.mjs': kmallocPlugin('p-one'), 'stack.mjs': kmallocPlugin('stack') });
    const file = join(dir, 'x.yaml');
    const session = new ScenarioPlugins();
    const err = await session.enter(withPlugins(['./p.mjs', './missing.mjs'], file), file);
    expect(err?.message).toBe(
      `${file}:3:20: plugins[1]: plugin ./missing.mjs: no such file (${join(dir, 'missing.mjs')}); give a path relative to the working directory or an installed package name`,
    );
    expect(strategyNames()).toEqual([...STRATEGY_NAMES]);
    const clash = await session.enter(withPlugins(['./stack.mjs'], file), file);
    expect(clash?.message).toMatch(
      /plugins\[0\]: strategy "stack" from plugin stack \(\.\/stack\.mjs\) clashes with the built-in strategy "stack"; rename it$/,
    );
  });

  it('the synchronous runner runs a scenario whose plugins are loaded, and refuses one whose are not', async () => {
    const dir = tempFiles({
      'p.mjs': kmallocPlugin('p-one'),
      'x.yaml': scenario('x', 'plugins: [./p.mjs]\nstrategy: [kmalloc, p-one]\n'),
    });
    const file = join(dir, 'x.yaml');
    expect(unloadedScenarioPlugin(parseScenario(scenario('x'), file), file)).toBeNull();
    const refused = runSuite([file]);
    expect(refused.failed).toBe(1);
    expect(refused.scenarios[0]!.tests[0]!.failures[0]).toMatch(
      /x\.yaml:3:\d+: plugins\[0\]: plugin \.\/p\.mjs is not loaded, and runSuite cannot load one \(loading is asynchronous\): use runSuiteAsync, or the pfmsim-test command$/,
    );
    await loadPlugins([join(dir, 'p.mjs')], { cwd: '/' });
    const r = runSuite([file]);
    expect(r.scenarios[0]!.tests.map((t) => [t.strategy, t.passed])).toEqual([
      ['kmalloc', true],
      ['p-one', true],
    ]);
  });
});
