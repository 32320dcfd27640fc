import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createStrategy,
  isBrokenStrategy,
  STRATEGY_NAMES,
  strategyNames,
  strategySource,
} from '@pfmsim/buffer-strategies';
import { getModel, listModelIds, PACKAGE_MODELS_DIR } from '@pfmsim/pmu-models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCompare } from './compare.js';
import { getMachine } from './machines.js';
import {
  activePlugins,
  configPlugins,
  definePlugin,
  extractPluginArgs,
  findConfigFile,
  isPluginPath,
  loadPlugins,
  PLUGIN_SPECIFICATION_VERSION,
  PluginError,
  unloadPlugins,
} from './plugins.js';

/** A strategy written as a plugin author would: kmalloc per call, importing nothing. */
const STRATEGY_SOURCE = (name: string) => `{
  specificationVersion: 'v1',
  name: '${name}',
  description: 'kmalloc per call, from a plugin',
  pinnedFormula: '0 between calls',
  stackFootprint: '0 B',
  frameBytes: () => 0,
  acquire(call) {
    if (call.bytes > call.limit) return -7;
    const buf = call.k.mem.kmalloc(call.t, call.bytes, 0xd0, call.slot.owner, call.site);
    if (buf === 0) return -12;
    call.buf = buf;
    call.how = 1;
    return buf;
  },
  release(call) {
    if (call.how === 1) call.k.mem.kfree(call.t, call.buf);
    call.buf = 0;
    call.how = 0;
  },
}`;

let dir: string;

function write(name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** A copy of the P6 model under another id and libpfm type. */
function modelText(id: string, type: number): string {
  const file = JSON.parse(readFileSync(join(PACKAGE_MODELS_DIR, 'intel', 'p6.json'), 'utf8'));
  file.id = id;
  file.libpfm = { ...file.libpfm, type };
  return JSON.stringify(file);
}

async function refused(specs: string[]): Promise<string> {
  try {
    await loadPlugins(specs, { cwd: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(PluginError);
    expect([(e as PluginError).name, (e as PluginError).code]).toEqual(['PluginError', 'PFMSIM_PLUGIN']);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a PluginError');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pfmsim-plugins-'));
});
afterEach(() => {
  unloadPlugins();
  rmSync(dir, { recursive: true, force: true });
});

describe('loadPlugins: strategies and models from outside the packages', () => {
  it('a plain object importing nothing brings a strategy that runs in compare like a built-in', async () => {
    write(
      'demo.mjs',
      `export default { name: 'demo', strategies: { 'demo-kmalloc': () => (${STRATEGY_SOURCE('demo-kmalloc')}) } };`,
    );
    const loaded = await loadPlugins(['./demo.mjs'], { cwd: dir });
    expect(loaded).toEqual([
      {
        name: 'demo',
        spec: './demo.mjs',
        file: join(dir, 'demo.mjs'),
        strategies: ['demo-kmalloc'],
        models: [],
      },
    ]);
    expect(strategyNames()).toEqual([...STRATEGY_NAMES, 'demo-kmalloc']);
    expect(activePlugins()).toEqual(loaded);
    unloadPlugins();
    expect([activePlugins(), strategyNames()]).toEqual([[], [...STRATEGY_NAMES]]);
    await loadPlugins(['./demo.mjs'], { cwd: dir });
    expect(strategySource('demo-kmalloc')).toBe('plugin demo (./demo.mjs)');
    const result = runCompare({
      machine: getMachine('p4-2006'),
      strategies: ['kmalloc', 'demo-kmalloc'],
      counts: [4, 64],
      syscalls: ['pfm_read_pmds'],
      attackContexts: 4,
      attackThreads: 2,
      maxPreemptions: 1,
    });
    const [k, demo] = result.strategies;
    expect([k!.name, demo!.name]).toEqual(['kmalloc', 'demo-kmalloc']);
    // the same code path as kmalloc: the same cycles, race-free, nothing pinned
    expect([demo!.cyclesAt4, demo!.cyclesAt64]).toEqual([k!.cyclesAt4, k!.cyclesAt64]);
    expect([demo!.raceFree, demo!.pinnedBytesAfterAttack, demo!.kernelBugs]).toEqual([true, 0, []]);
  });

  it('brings model files and directories, relative to the module, with the spec version checked', async () => {
    write('models/acme/one.json', modelText('acme-one', 901));
    write('two.json', modelText('acme-two', 902));
    write(
      'm.mjs',
      `export default { specificationVersion: ${PLUGIN_SPECIFICATION_VERSION}, name: 'acme', pmuModels: ['./models', 'two.json'] };`,
    );
    const [p] = await loadPlugins([join(dir, 'm.mjs')], { cwd: '/' });
    expect(p!.models).toEqual(['acme-one', 'acme-two']);
    expect(listModelIds()).toEqual(expect.arrayContaining(['acme-one', 'acme-two', 'intel-p6']));
    expect(getModel('acme-two').libpfm.type).toBe(902);
  });

  it('finds an installed package by name from the working directory (exports import entry)', async () => {
    write(
      'node_modules/pfmsim-plugin-x/package.json',
      JSON.stringify({ name: 'pfmsim-plugin-x', type: 'module', exports: { '.': { import: './main.mjs' } } }),
    );
    write(
      'node_modules/pfmsim-plugin-x/main.mjs',
      `export default { name: 'x', strategies: { 'x-kmalloc': () => (${STRATEGY_SOURCE('x-kmalloc')}) } };`,
    );
    mkdirSync(join(dir, 'sub'));
    const [p] = await loadPlugins(['pfmsim-plugin-x'], { cwd: join(dir, 'sub') });
    expect(p!.file).toBe(join(dir, 'node_modules/pfmsim-plugin-x/main.mjs'));
    expect(createStrategy('x-kmalloc').name).toBe('x-kmalloc');
  });

  it('a package with only main, or nothing, is found too', async () => {
    write('node_modules/plugin-main/package.json', JSON.stringify({ name: 'plugin-main', main: 'lib.mjs' }));
    write('node_modules/plugin-main/lib.mjs', "export default { name: 'main-only' };");
    write('node_modules/plugin-index/package.json', JSON.stringify({ name: 'plugin-index' }));
    write('node_modules/plugin-index/index.js', "export default { name: 'index-only' };");
    write('node_modules/plugin-index/package.json', JSON.stringify({ name: 'plugin-index', type: 'module' }));
    const loaded = await loadPlugins(['plugin-main', 'plugin-index'], { cwd: dir });
    expect(loaded.map((p) => p.name)).toEqual(['main-only', 'index-only']);
  });

  it('a path without ./ is a path when it ends in .mjs/.js/.cjs/.ts; a broken strategy is marked broken', async () => {
    write(
      'plain.mjs',
      `export default { name: 'plain', strategies: { racy: () => (${STRATEGY_SOURCE('racy')}), fine: () => (${STRATEGY_SOURCE('fine')}) }, brokenStrategies: ['racy'] };`,
    );
    const [p] = await loadPlugins(['plain.mjs'], { cwd: dir });
    expect(p!.file).toBe(join(dir, 'plain.mjs'));
    expect([isBrokenStrategy('racy'), isBrokenStrategy('fine')]).toEqual([true, false]);
    expect(await refused(['other.js'])).toBe(
      `plugin other.js: no such file (${join(dir, 'other.js')}); give a path relative to the working directory or an installed package name`,
    );
    expect(await refused(['other.cjs'])).toMatch(/^plugin other\.cjs: no such file/);
    expect(await refused(['other.ts'])).toMatch(/^plugin other\.ts: no such file/);
    expect(await refused(['pkg.mjsx'])).toMatch(/^plugin pkg\.mjsx: no installed package/);
    expect(await refused(['other.jsm'])).toMatch(/^plugin other\.jsm: no installed package/);
  });

  it('a package whose entry file is missing is not installed', async () => {
    write('node_modules/ghost/package.json', JSON.stringify({ name: 'ghost', exports: './gone.mjs' }));
    expect(await refused(['ghost'])).toMatch(/^plugin ghost: no installed package of that name/);
    write(
      'node_modules/nulls/package.json',
      JSON.stringify({ name: 'nulls', exports: { '.': null }, main: 'm.mjs' }),
    );
    write('node_modules/nulls/m.mjs', "export default { name: 'nulls' };");
    expect((await loadPlugins(['nulls'], { cwd: dir })).map((l) => l.name)).toEqual(['nulls']);
  });

  it('definePlugin returns its argument', () => {
    const p = { name: 'typed' };
    expect(definePlugin(p)).toBe(p);
  });
});

describe('bad plugins: one line each, nothing registered after the problem', () => {
  it('a path that does not exist, a package that is not installed', async () => {
    expect(await refused(['./nope.mjs'])).toBe(
      `plugin ./nope.mjs: no such file (${join(dir, 'nope.mjs')}); give a path relative to the working directory or an installed package name`,
    );
    expect(await refused(['pfmsim-plugin-nope'])).toBe(
      `plugin pfmsim-plugin-nope: no installed package of that name from ${dir} (install it, or give a path such as ./pfmsim-plugin-nope.mjs)`,
    );
  });

  it('a module that throws on import, or has no default export object', async () => {
    write('throws.mjs', "throw new Error('boom\\nsecond line');");
    expect(await refused(['./throws.mjs'])).toBe(
      `plugin ./throws.mjs: cannot load ${join(dir, 'throws.mjs')}: boom`,
    );
    write('named.mjs', "export const plugin = { name: 'n' };");
    expect(await refused(['./named.mjs'])).toBe(
      'plugin ./named.mjs has no default export object; write `export default { name, strategies, pmuModels }`',
    );
    write('list.mjs', 'export default [];');
    expect(await refused(['./list.mjs'])).toMatch(/^plugin \.\/list\.mjs has no default export object/);
  });

  it('a wrong specification version, an unknown key, no name, badly typed fields', async () => {
    write('v2.mjs', "export default { specificationVersion: 2, name: 'v2' };");
    expect(await refused(['./v2.mjs'])).toBe(
      'plugin ./v2.mjs declares specificationVersion 2; this pfmsim reads specification 1 (upgrade pfmsim, or use a release of the plugin for specification 1)',
    );
    write('typo.mjs', "export default { name: 't', strategy: {} };");
    expect(await refused(['./typo.mjs'])).toBe(
      'plugin ./typo.mjs: unknown key "strategy" (accepted: specificationVersion, name, strategies, brokenStrategies, pmuModels)',
    );
    write('anon.mjs', 'export default { strategies: {} };');
    expect(await refused(['./anon.mjs'])).toBe(
      'plugin ./anon.mjs has no name: give its default export a `name` string',
    );
    write('s.mjs', "export default { name: 's', strategies: [] };");
    expect(await refused(['./s.mjs'])).toBe(
      'plugin s (./s.mjs): `strategies` must be an object of name: factory',
    );
    write('m.mjs', "export default { name: 'm', pmuModels: './models' };");
    expect(await refused(['./m.mjs'])).toBe('plugin m (./m.mjs): `pmuModels` must be a list of strings');
    write('empty-name.mjs', "export default { name: '' };");
    expect(await refused(['./empty-name.mjs'])).toBe(
      'plugin ./empty-name.mjs has no name: give its default export a `name` string',
    );
    write('null-s.mjs', "export default { name: 'n', strategies: null };");
    expect(await refused(['./null-s.mjs'])).toBe(
      'plugin n (./null-s.mjs): `strategies` must be an object of name: factory',
    );
    write('str-s.mjs', "export default { name: 'n', strategies: 'x' };");
    expect(await refused(['./str-s.mjs'])).toBe(
      'plugin n (./str-s.mjs): `strategies` must be an object of name: factory',
    );
    write('mixed.mjs', "export default { name: 'mx', pmuModels: ['./a', 1] };");
    expect(await refused(['./mixed.mjs'])).toBe(
      'plugin mx (./mixed.mjs): `pmuModels` must be a list of strings',
    );
    write('keys.mjs', "export default { name: 'k', a: 1, b: 2 };");
    expect(await refused(['./keys.mjs'])).toBe(
      'plugin ./keys.mjs: unknown key "a", "b" (accepted: specificationVersion, name, strategies, brokenStrategies, pmuModels)',
    );
    write('null.mjs', 'export default null;');
    expect(await refused(['./null.mjs'])).toMatch(/^plugin \.\/null\.mjs has no default export object/);
    write('b.mjs', "export default { name: 'b', brokenStrategies: ['x'] };");
    expect(await refused(['./b.mjs'])).toBe(
      'plugin b (./b.mjs): brokenStrategies names "x", which it does not define',
    );
  });

  it('a throwing factory and a strategy clashing with a built-in or another plugin', async () => {
    write(
      'throwing.mjs',
      "export default { name: 'th', strategies: { bad: () => { throw new Error('no per-CPU areas'); } } };",
    );
    expect(await refused(['./throwing.mjs'])).toBe(
      'strategy "bad" from plugin th (./throwing.mjs): its factory threw: no per-CPU areas',
    );
    write(
      'stack.mjs',
      `export default { name: 'st', strategies: { stack: () => (${STRATEGY_SOURCE('stack')}) } };`,
    );
    expect(await refused(['./stack.mjs'])).toBe(
      'strategy "stack" from plugin st (./stack.mjs) clashes with the built-in strategy "stack"; rename it',
    );
    write('a.mjs', `export default { name: 'a', strategies: { same: () => (${STRATEGY_SOURCE('same')}) } };`);
    write('b.mjs', `export default { name: 'b', strategies: { same: () => (${STRATEGY_SOURCE('same')}) } };`);
    expect(await refused(['./a.mjs', './b.mjs'])).toBe(
      'strategy "same" from plugin b (./b.mjs) clashes with "same" from plugin a (./a.mjs); rename one of them',
    );
  });

  it('models: a missing path, an empty directory, a clashing id, a clashing libpfm type, an invalid file', async () => {
    write('missing.mjs', "export default { name: 'mi', pmuModels: ['./gone'] };");
    expect(await refused(['./missing.mjs'])).toBe(
      `plugin mi (./missing.mjs): pmuModels entry ./gone: no such file or directory (${join(dir, 'gone')})`,
    );
    mkdirSync(join(dir, 'empty'));
    write('empty.mjs', "export default { name: 'em', pmuModels: ['./empty'] };");
    expect(await refused(['./empty.mjs'])).toBe(
      'plugin em (./empty.mjs): pmuModels entry ./empty holds no *.json model file',
    );
    write('dup/p6.json', modelText('intel-p6', 990));
    write('dup.mjs', "export default { name: 'dup', pmuModels: ['./dup'] };");
    expect(await refused(['./dup.mjs'])).toBe(
      `plugin dup (./dup.mjs): PMU model id "intel-p6" is declared by both ${join(PACKAGE_MODELS_DIR, 'intel', 'p6.json')} and ${join(dir, 'dup', 'p6.json')}`,
    );
    unloadPlugins();
    write('type/k8-twin.json', modelText('k8-twin', 16));
    write('type.mjs', "export default { name: 'ty', pmuModels: ['./type'] };");
    expect(await refused(['./type.mjs'])).toBe(
      `plugin ty (./type.mjs): PMU model "k8-twin" (${join(dir, 'type', 'k8-twin.json')}, every CPU) claims libpfm PMU type 16, as "amd64-fam10h" (${join(PACKAGE_MODELS_DIR, 'amd', 'fam10h.json')}, family 16) does; libpfm could not tell them apart: give each a \`cpu\` with a distinct family or models`,
    );
    unloadPlugins();
    // the same type for another CPU family: told apart, as libpfm tells K8 from Family 10h
    write(
      'type/k8-twin.json',
      JSON.stringify({ ...JSON.parse(modelText('k8-twin', 16)), cpu: { family: 17 } }),
    );
    expect((await loadPlugins(['./type.mjs'], { cwd: dir }))[0]?.models).toEqual(['k8-twin']);
    unloadPlugins();
    write(
      'type/k8-twin.json',
      JSON.stringify({ ...JSON.parse(modelText('k8-twin', 16)), cpu: { family: 15 } }),
    );
    expect(await refused(['./type.mjs'])).toContain(
      `, family 15) claims libpfm PMU type 16, as "amd64-k8" (${join(PACKAGE_MODELS_DIR, 'amd', 'k8.json')}, family 15) does;`,
    );
    unloadPlugins();
    const broken = JSON.parse(modelText('acme-broken', 903));
    broken.events[0].counters = [0, 9];
    broken.events[1].counters = [7];
    write('bad/broken.json', JSON.stringify(broken));
    write('bad.mjs', "export default { name: 'bad', pmuModels: ['./bad'] };");
    expect(await refused(['./bad.mjs'])).toMatch(
      /^plugin bad \(\.\/bad\.mjs\): invalid PMU model file .*broken\.json: 2 error\(s\); `pfmsim pmu validate FILE` lists them$/,
    );
  });
});

describe('pfmsim.config.json', () => {
  it('is found upward from the working directory; its plugin paths are relative to it', () => {
    const file = write(
      'pfmsim.config.json',
      JSON.stringify({ plugins: ['./p.mjs', 'some-package', '/abs/q.mjs'] }),
    );
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    expect(findConfigFile(join(dir, 'a', 'b'))).toBe(file);
    rmSync(file);
    expect(findConfigFile(join(dir, 'a', 'b'))).toBeUndefined();
    writeFileSync(file, JSON.stringify({ plugins: ['./p.mjs', 'some-package', '/abs/q.mjs'] }));
    expect(configPlugins(file)).toEqual([join(dir, 'p.mjs'), 'some-package', '/abs/q.mjs']);
    write('empty/pfmsim.config.json', '{}');
    expect(configPlugins(join(dir, 'empty', 'pfmsim.config.json'))).toEqual([]);
  });

  it('bad JSON, a non-object, a bad plugins list: one line naming the file', () => {
    const bad = (text: string) => {
      const file = write('c/pfmsim.config.json', text);
      try {
        configPlugins(file);
      } catch (e) {
        expect(e).toBeInstanceOf(PluginError);
        return (e as Error).message.replace(file, 'FILE');
      }
      throw new Error('expected a PluginError');
    };
    expect(bad('{ plugins: [] }')).toMatch(/^FILE: .*JSON.*; fix the JSON or delete the file$/);
    expect(bad('[]')).toBe('FILE: expected an object such as { "plugins": ["./my-plugin.mjs"] }');
    expect(bad('null')).toBe('FILE: expected an object such as { "plugins": ["./my-plugin.mjs"] }');
    expect(bad('{ "plugins": "./p.mjs" }')).toBe('FILE: "plugins" must be a list of paths or package names');
    expect(bad('{ "plugins": [1] }')).toBe('FILE: "plugins" must be a list of paths or package names');
  });
});

describe('extractPluginArgs', () => {
  it('takes --plugin X and --plugin=X anywhere before --, in order', () => {
    expect(extractPluginArgs(['--plugin', 'a.mjs', 'compare', '--plugin=b', '--', '--plugin', 'c'])).toEqual({
      plugins: ['a.mjs', 'b'],
      rest: ['compare', '--', '--plugin', 'c'],
    });
    expect(extractPluginArgs(['compare'])).toEqual({ plugins: [], rest: ['compare'] });
  });

  it('a --plugin without a value is a PluginError', () => {
    for (const argv of [['compare', '--plugin'], ['--plugin', '--strategy'], ['--plugin=']]) {
      expect(() => extractPluginArgs(argv), argv.join(' ')).toThrow(
        new PluginError('--plugin needs a plugin path or package name, e.g. --plugin ./my-plugin.mjs'),
      );
    }
  });
});

describe('isPluginPath', () => {
  it('a relative or absolute path, or a module file name, is a path; anything else a package', () => {
    for (const p of ['./a', '../b/c.mjs', '/abs/x', 'plug.mjs', 'plug.js', 'plug.cjs', 'plug.ts']) {
      expect(isPluginPath(p), p).toBe(true);
    }
    for (const p of ['pfmsim-plugin-x', '@scope/plugin', 'plugin.json'])
      expect(isPluginPath(p), p).toBe(false);
  });
});
