// pfmsim-test with plugins, through the binary's entry point (mainAsync): --plugin and
// pfmsim.config.json on run and fuzz, a scenario's own plugins:, and every bad plugin as one
// line, exit 2, with nothing run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRATEGY_NAMES, strategyNames } from '@pfmsim/buffer-strategies';
import { PACKAGE_MODELS_DIR } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { DEFAULT_STRATEGIES } from './plan.js';
import { cliAsync, kmallocPlugin, SELF_MONITORING, scenario, tempFiles } from './plugins.test-util.js';

/** The strategy of each test in a TAP report, by scenario name. */
function tapStrategies(out: string): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  for (const m of out.matchAll(/^ok \d+ - \S+: (.*) \[(.+)\]$/gm)) {
    by[m[1]!] = [...(by[m[1]!] ?? []), m[2]!];
  }
  return by;
}

describe('pfmsim-test --plugin', () => {
  it('a plugin strategy runs under `strategy: all`, is reported by name, and is gone afterwards', async () => {
    const dir = tempFiles({ 'mine.mjs': kmallocPlugin() });
    const r = await cliAsync(['run', '--plugin', './mine.mjs', '--reporter', 'tap', SELF_MONITORING], dir);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(tapStrategies(r.out)).toEqual({
      'self-monitoring counts cycles and instructions': [...DEFAULT_STRATEGIES, 'my-kmalloc'],
    });
    expect(strategyNames()).toEqual([...STRATEGY_NAMES]);
    // --strategy names it; the human report counts it
    const named = await cliAsync(
      ['run', SELF_MONITORING, '--strategy', 'my-kmalloc', '--plugin=./mine.mjs'],
      dir,
    );
    expect(named.out).toMatch(/^PASS .*self-monitoring\.yaml: .* \(1 strategy: my-kmalloc, \d+ ms\)$/m);
    // without the plugin the name is unknown, and the message says how to load it
    const without = await cliAsync(['run', SELF_MONITORING, '--strategy', 'my-kmalloc'], dir);
    expect([without.code, without.out]).toEqual([2, '']);
    expect(without.err).toMatch(
      /^error: unknown strategy "my-kmalloc" .*; no plugin is loaded: if a plugin defines it, pass --plugin FILE\n$/,
    );
  });

  it('fuzz runs a plugin strategy, and a finding loads the plugin itself', async () => {
    const dir = tempFiles({
      'mine.mjs': kmallocPlugin(),
      // always out of memory: the strategies disagree on the first vector call
      'oom.mjs': kmallocPlugin('oom').replace('acquire(call) {', 'acquire(call) {\n        return -12;'),
    });
    const all = await cliAsync(
      ['fuzz', '--plugin', './mine.mjs', '--strategy', 'all', '--seconds', '0'],
      dir,
    );
    expect(all.out).toContain(`strategies ${[...DEFAULT_STRATEGIES, 'my-kmalloc'].join(', ')}\n`);
    const out = join(dir, 'found');
    const r = await cliAsync(
      ['fuzz', '--plugin', './oom.mjs', '--strategy', 'kmalloc,oom', '--seconds', '1', '--out', out],
      dir,
    );
    expect(r.code).toBe(1);
    const [finding] = readdirSync(out);
    expect(readFileSync(join(out, finding!), 'utf8')).toMatch(
      /^plugins:\n {2}- \.\.\/oom\.mjs\nstrategy:\n {2}- kmalloc\n {2}- oom\n/m,
    );
    // it reproduces with no --plugin: a failed test, not an unknown strategy
    const again = await cliAsync(['run', join(out, finding!)], dir);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/^ {4}\[oom\] differs from kmalloc: .*: result: kmalloc E2BIG, oom ENOMEM$/m);
  });

  it('plugins named in pfmsim.config.json, found upward, load before --plugin ones', async () => {
    const dir = tempFiles({
      'mine.mjs': kmallocPlugin(),
      'pfmsim.config.json': JSON.stringify({ plugins: ['./mine.mjs'] }),
      'work/x.yaml': scenario('x', 'strategy: [kmalloc, my-kmalloc]\n'),
    });
    const work = join(dir, 'work');
    const r = await cliAsync(['run', '--reporter', 'tap', join(work, 'x.yaml')], work);
    expect([r.code, tapStrategies(r.out)]).toEqual([0, { x: ['kmalloc', 'my-kmalloc'] }]);
    // the same plugin again on the command line: its strategy clashes with itself, named twice
    const twice = await cliAsync(['run', '--plugin', '../mine.mjs', join(work, 'x.yaml')], work);
    expect([twice.code, twice.out]).toEqual([2, '']);
    expect(twice.err).toMatch(
      /^error: strategy "my-kmalloc" from plugin my-kmalloc \(\.\.\/mine\.mjs\) clashes with "my-kmalloc" from plugin my-kmalloc \(.*mine\.mjs\); rename one of them\n$/,
    );
  });

  it('the help of every command shows --plugin', async () => {
    for (const command of ['run', 'fuzz', 'schema']) {
      const r = await cliAsync([command, '--help'], '/');
      expect(r.out, command).toMatch(/^ {2}--plugin <path\|package> +load a plugin first \(repeatable\)$/m);
    }
    expect((await cliAsync(['--help'], '/')).out).toContain(
      'Every command takes --plugin PATH|PACKAGE (repeatable), and the `plugins` of a\npfmsim.config.json found upward from the working directory.\n',
    );
  });

  it('main() (synchronous) refuses --plugin and points at mainAsync', () => {
    let err = '';
    const code = main(['run', '--plugin', './x.mjs'], {
      stdout: () => {},
      stderr: (t) => (err += t),
      env: {},
    });
    expect([code, err]).toEqual([
      2,
      'error: --plugin loads modules, which main() cannot wait for: call mainAsync()\n',
    ]);
  });
});

describe('a scenario with plugins:', () => {
  it('loads them for that scenario only; two scenarios naming one plugin do not clash', async () => {
    const dir = tempFiles({
      'plugins/mine.mjs': kmallocPlugin(),
      'a.yaml': scenario('a', 'plugins: [./plugins/mine.mjs]\nstrategy: all\n'),
      'b.yaml': scenario('b', 'strategy: [kmalloc, stack]\n'),
      'c/c.yaml': scenario('c', 'plugins: [../plugins/mine.mjs]\nstrategy: [my-kmalloc]\n'),
      'd.yaml': scenario('d', 'strategy: all\n'),
    });
    const r = await cliAsync(['run', '--reporter', 'tap', dir], dir);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(tapStrategies(r.out)).toEqual({
      a: [...DEFAULT_STRATEGIES, 'my-kmalloc'],
      b: ['kmalloc', 'stack'],
      c: ['my-kmalloc'],
      d: [...DEFAULT_STRATEGIES],
    });
    // given by --plugin too (the same file): no clash, and every scenario's `all` has it
    const also = await cliAsync(
      [
        'run',
        '--reporter',
        'tap',
        '--plugin',
        './plugins/mine.mjs',
        join(dir, 'a.yaml'),
        join(dir, 'd.yaml'),
      ],
      dir,
    );
    expect([also.code, also.err]).toEqual([0, '']);
    expect(tapStrategies(also.out)).toEqual({
      a: [...DEFAULT_STRATEGIES, 'my-kmalloc'],
      d: [...DEFAULT_STRATEGIES, 'my-kmalloc'],
    });
    expect(strategyNames()).toEqual([...STRATEGY_NAMES]);
  });

  it("brings a plugin's PMU model for that scenario's machine", async () => {
    const p6 = JSON.parse(readFileSync(join(PACKAGE_MODELS_DIR, 'intel', 'p6.json'), 'utf8'));
    const clone = { ...p6, id: 'acme-p6-clone', vendor: 'acme', libpfm: { ...p6.libpfm, type: 977 } };
    const machine = 'machine: {arch: i386, cost: p4-2006, pmu: acme-p6-clone}\nstrategy: kmalloc\n';
    const dir = tempFiles({
      'models.mjs': "export default { name: 'acme', pmuModels: ['./models'] };",
      'models/acme/p6-clone.json': JSON.stringify(clone),
      'a.yaml': scenario('a', `plugins: [./models.mjs]\n`).replace('machine: p4-2006\n', machine),
      'b.yaml': scenario('b').replace('machine: p4-2006\n', machine),
    });
    const r = await cliAsync(['run', dir], dir);
    expect(r.out).toMatch(/^PASS .*a\.yaml: a /m);
    // dropped after a: b, which does not name the plugin, does not see the model
    expect(r.out).toMatch(
      /^ {4}\S*b\.yaml:2:1: machine: unknown PMU model "acme-p6-clone"; accepted ids: amd64-fam10h, amd64-k8,/m,
    );
    const loaded = await cliAsync(['run', '--plugin', './models.mjs', join(dir, 'b.yaml')], dir);
    expect([loaded.code, loaded.err]).toEqual([0, '']);
  });

  it('a bad one fails that scenario, located at its entry; the others run', async () => {
    const dir = tempFiles({
      'a.yaml': scenario('a', 'plugins: [./missing.mjs]\n'),
      'b.yaml': scenario('b', 'strategy: kmalloc\n'),
      'c.yaml': scenario('c', 'strategy: mine\n'),
    });
    const r = await cliAsync(['run', dir], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `a.yaml:3:11: plugins[0]: plugin ./missing.mjs: no such file (${join(dir, 'missing.mjs')})`,
    );
    expect(r.out).toMatch(/^PASS .*b\.yaml: b /m);
    expect(r.out).toContain(
      'c.yaml:3:1: strategy: unknown strategy "mine" (known: kmalloc, stack, ctx-cache-naive, ctx-cache-spinsplit, ctx-cache, ctx-cache-mutex, ctx-cache-bounded, task-cache, slab-cache, hybrid, all); no plugin is loaded: if a plugin defines it, list its plugin under `plugins:` or pass --plugin FILE',
    );
    expect(r.out).toMatch(/\n1 passed, 2 failed\n$/);
  });
});

describe('bad plugins: one line, exit 2, nothing run', () => {
  it('every kind of bad plugin or config', async () => {
    const dir = tempFiles({
      'x.yaml': scenario('x', 'strategy: kmalloc\n'),
      'nodefault.mjs': "export const name = 'x';",
      'throwing.mjs': "export default { name: 't', strategies: { t: () => { throw new Error('boom'); } } };",
      'v9.mjs': "export default { specificationVersion: 9, name: 'v9' };",
      'stack.mjs': "export default { name: 's', strategies: { stack: () => ({}) } };",
      'syntax.mjs': 'export default {',
      'a.mjs': kmallocPlugin('dup'),
      'b.mjs': kmallocPlugin('dup'),
    });
    const cases: [string[], RegExp][] = [
      [['--plugin', './missing.mjs'], /^plugin \.\/missing\.mjs: no such file \(.*missing\.mjs\)/],
      [
        ['--plugin', 'no-such-plugin-package'],
        /^plugin no-such-plugin-package: no installed package of that name/,
      ],
      [['--plugin', './nodefault.mjs'], /^plugin \.\/nodefault\.mjs has no default export object/],
      [
        ['--plugin', './throwing.mjs'],
        /^strategy "t" from plugin t \(\.\/throwing\.mjs\): its factory threw: boom$/,
      ],
      [
        ['--plugin', './v9.mjs'],
        /^plugin \.\/v9\.mjs declares specificationVersion 9; this pfmsim reads specification 1/,
      ],
      [
        ['--plugin', './stack.mjs'],
        /^strategy "stack" from plugin s \(\.\/stack\.mjs\) clashes with the built-in strategy "stack"; rename it$/,
      ],
      [['--plugin', './syntax.mjs'], /^plugin \.\/syntax\.mjs: cannot load .*syntax\.mjs: /],
      [
        ['--plugin', './a.mjs', '--plugin', './b.mjs'],
        /^strategy "dup" from plugin dup \(\.\/b\.mjs\) clashes with "dup" from plugin dup \(\.\/a\.mjs\); rename one of them$/,
      ],
      [['--plugin'], /^--plugin needs a plugin path or package name/],
    ];
    const counts = join(dir, 'counts');
    for (const [plugin, pattern] of cases) {
      for (const command of [
        ['run', join(dir, 'x.yaml')],
        ['fuzz', '--seconds', '0', '--out', join(dir, 'f')],
        ['schema'],
      ]) {
        const r = await cliAsync([...command, ...plugin], dir, { PFMSIM_COUNTS_DIR: counts });
        const label = [...command, ...plugin].join(' ');
        expect([r.code, r.out], label).toEqual([2, '']);
        expect(r.err.split('\n'), label).toHaveLength(2);
        expect(r.err.slice('error: '.length, -1), label).toMatch(pattern);
        expect(r.err.startsWith('error: '), label).toBe(true);
      }
      expect(strategyNames()).toEqual([...STRATEGY_NAMES]);
    }
    expect(existsSync(counts)).toBe(false);
    const bad = tempFiles({ 'pfmsim.config.json': '{ "plugins": 3 }' });
    const r = await cliAsync(['schema'], bad);
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toMatch(
      /^error: .*pfmsim\.config\.json: "plugins" must be a list of paths or package names\n$/,
    );
  });
});
