// `--plugin` and pfmsim.config.json on the pfmsim commands, in this process: a plugin strategy
// in compare and in a parallel sweep, a plugin model in pmu list and stat, and every bad
// plugin as one line, exit 2, with nothing run.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strategyNames } from '@pfmsim/buffer-strategies';
import { PACKAGE_MODELS_DIR, refreshModels } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { expectUsageError, kmallocStrategySource, runInProcess, tempDir } from '../test/helpers.js';

const SLOW = { timeout: 120_000 };

function pluginDir(): string {
  const dir = tempDir('pfmsim-plugin-');
  writeFileSync(
    join(dir, 'demo.mjs'),
    `export default { name: 'demo', strategies: { 'demo-kmalloc': () => (${kmallocStrategySource('demo-kmalloc')}) }, pmuModels: ['./models'] };`,
  );
  const p6 = JSON.parse(readFileSync(join(PACKAGE_MODELS_DIR, 'intel', 'p6.json'), 'utf8'));
  mkdirSync(join(dir, 'models', 'acme'), { recursive: true });
  writeFileSync(
    join(dir, 'models', 'acme', 'p6-clone.json'),
    JSON.stringify({ ...p6, id: 'acme-p6-clone', vendor: 'acme', libpfm: { ...p6.libpfm, type: 977 } }),
  );
  return dir;
}

/** With PFMSIM_EXTRA_MODELS naming the plugin's models: the good one listed, the bad one skipped. */
async function expectInvalidModelSkipped(dir: string): Promise<void> {
  const list = await runInProcess(['pmu', 'list'], { cwd: dir });
  expect(list.code).toBe(0);
  expect(list.stdout).toContain('acme-p6-clone');
  expect(list.stdout).not.toContain('acme-bad');
  const file = join(dir, 'models', 'acme', 'bad.json');
  expect(list.stderr).toBe(
    `pfmsim: skipped invalid PMU model file ${file}: events[0].counters: counter 9 does not exist [counter-exists] (and 1 more); \`pfmsim pmu validate ${file}\` lists every error\n`,
  );
  const stat = await runInProcess(['stat', '--pmu', 'acme-p6-clone', '-e', 'CPU_CLK_UNHALTED'], { cwd: dir });
  expect([stat.code, stat.stderr]).toEqual([0, '']);
  expectUsageError(
    await runInProcess(['stat', '--pmu', 'acme-bad', '-e', 'CPU_CLK_UNHALTED'], { cwd: dir }),
    /acme-bad/,
  );
}

describe('pfmsim --plugin', SLOW, () => {
  it('a plugin strategy takes part in compare; the registry is clean afterwards', async () => {
    const dir = pluginDir();
    const args = [
      'compare',
      '--strategies',
      'kmalloc,demo-kmalloc',
      '--contexts',
      '8',
      '--max-preemptions',
      '0',
    ];
    const r = await runInProcess(['--plugin', './demo.mjs', ...args, '--json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      strategies: { name: string; cyclesAt4: number; raceFree: boolean }[];
    };
    const [k, demo] = doc.strategies;
    expect(doc.strategies.map((s) => s.name)).toEqual(['kmalloc', 'demo-kmalloc']);
    expect([demo!.cyclesAt4, demo!.raceFree]).toEqual([k!.cyclesAt4, true]);
    const table = await runInProcess([...args, '--plugin=./demo.mjs', '--export-json', 'cmp.json'], {
      cwd: dir,
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^demo-kmalloc\s/m);
    // and in the HTML report made from those results, with the plugin (it reruns the strategies)
    expectUsageError(
      await runInProcess(['report', 'cmp.json', '-o', 'r.html'], { cwd: dir }),
      /cmp\.json: strategy "demo-kmalloc" is not known here; it comes from a plugin: add the --plugin/,
    );
    const report = await runInProcess(['report', 'cmp.json', '-o', 'r.html', '--plugin', './demo.mjs'], {
      cwd: dir,
    });
    expect(report.code, report.stderr).toBe(0);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toMatch(/<td[^>]*>demo-kmalloc<\/td>/);
    expect(strategyNames()).not.toContain('demo-kmalloc');
    // without the plugin the name is unknown again
    expectUsageError(await runInProcess(args, { cwd: dir }), /strategy.*demo-kmalloc/);
  });

  it('a plugin strategy runs in a parallel sweep (each worker loads the plugin)', async () => {
    const dir = pluginDir();
    const grid = { strategies: ['demo-kmalloc', 'kmalloc'], calls: ['pfm_read_pmds'], counts: [4, 8] };
    writeFileSync(join(dir, 'grid.json'), JSON.stringify(grid));
    const r = await runInProcess(
      ['sweep', '-c', 'grid.json', '--jobs', '2', '-o', 'out.jsonl', '-q', '--plugin', './demo.mjs'],
      { cwd: dir },
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    const cells = readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l));
    const cycles = (strategy: string, count: number) =>
      cells.find((c) => c.strategy === strategy && c.count === count)?.cyclesPerCall;
    expect(cells).toHaveLength(4);
    expect([cycles('demo-kmalloc', 4), cycles('demo-kmalloc', 8)]).toEqual([
      cycles('kmalloc', 4),
      cycles('kmalloc', 8),
    ]);
  });

  it('a plugin model shows in pmu list and machines, and counts in stat', async () => {
    const dir = pluginDir();
    const machines = await runInProcess(['machines', '--plugin', './demo.mjs'], { cwd: dir });
    expect(machines.code).toBe(0);
    expect(machines.stdout).toMatch(/^ {2}--pmu {3}.*\bacme-p6-clone\b/m);
    const json = await runInProcess(['machines', '--json', '--plugin', './demo.mjs'], { cwd: dir });
    expect((JSON.parse(json.stdout) as { pmus: string[] }).pmus).toContain('acme-p6-clone');
    const list = await runInProcess(['pmu', 'list', '--plugin', './demo.mjs'], { cwd: dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('acme-p6-clone');
    const stat = await runInProcess(
      ['stat', '--pmu', 'acme-p6-clone', '-e', 'CPU_CLK_UNHALTED', '--plugin', './demo.mjs'],
      { cwd: dir },
    );
    expect([stat.code, stat.stderr]).toEqual([0, '']);
    expect(stat.stdout).toMatch(/CPU_CLK_UNHALTED/);
  });

  it('plugins named in pfmsim.config.json, found upward, load before --plugin ones', async () => {
    const dir = pluginDir();
    writeFileSync(join(dir, 'pfmsim.config.json'), JSON.stringify({ plugins: ['./demo.mjs'] }));
    mkdirSync(join(dir, 'work'));
    const r = await runInProcess(['pmu', 'list'], { cwd: join(dir, 'work') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('acme-p6-clone');
    // the same plugin again on the command line: its strategy clashes with itself, named twice
    const twice = await runInProcess(['pmu', 'list', '--plugin', '../demo.mjs'], { cwd: join(dir, 'work') });
    expectUsageError(
      twice,
      /strategy "demo-kmalloc" from plugin demo \(\.\.\/demo\.mjs\) clashes with "demo-kmalloc" from plugin demo \(.*demo\.mjs\)/,
    );
  });

  it('an invalid model file among the extra models is listed on stderr and skipped, not fatal', async () => {
    const dir = pluginDir();
    const p6 = JSON.parse(readFileSync(join(PACKAGE_MODELS_DIR, 'intel', 'p6.json'), 'utf8'));
    const bad = { ...p6, id: 'acme-bad', libpfm: { ...p6.libpfm, type: 978 } };
    bad.events[0].counters = [0, 9];
    bad.events[1].counters = [8];
    writeFileSync(join(dir, 'models', 'acme', 'bad.json'), JSON.stringify(bad));
    // the registry reads the process environment
    process.env.PFMSIM_EXTRA_MODELS = join(dir, 'models');
    refreshModels();
    try {
      await expectInvalidModelSkipped(dir);
    } finally {
      delete process.env.PFMSIM_EXTRA_MODELS;
      refreshModels();
    }
    // a plugin's own invalid model is refused
    expectUsageError(
      await runInProcess(['pmu', 'list', '--plugin', './demo.mjs'], { cwd: dir }),
      /^pfmsim: plugin demo \(\.\/demo\.mjs\): invalid PMU model file .*bad\.json: 2 error\(s\); `pfmsim pmu validate FILE` lists them$/,
    );
    // and leaves nothing registered behind
    expect((await runInProcess(['pmu', 'list'], { cwd: dir })).stdout).not.toContain('acme-p6-clone');
  });

  it('bad plugins and configs: one line, exit 2, nothing run', async () => {
    const dir = tempDir('pfmsim-plugin-');
    writeFileSync(join(dir, 'nodefault.mjs'), "export const name = 'x';");
    writeFileSync(
      join(dir, 'throwing.mjs'),
      "export default { name: 't', strategies: { t: () => { throw new Error('boom'); } } };",
    );
    writeFileSync(join(dir, 'v9.mjs'), "export default { specificationVersion: 9, name: 'v9' };");
    writeFileSync(
      join(dir, 'stack.mjs'),
      `export default { name: 's', strategies: { stack: () => (${kmallocStrategySource('stack')}) } };`,
    );
    const cases: [string[], RegExp][] = [
      [['--plugin', './missing.mjs'], /^pfmsim: plugin \.\/missing\.mjs: no such file/],
      [
        ['--plugin', 'no-such-plugin-package'],
        /^pfmsim: plugin no-such-plugin-package: no installed package/,
      ],
      [['--plugin', './nodefault.mjs'], /^pfmsim: plugin \.\/nodefault\.mjs has no default export object/],
      [
        ['--plugin', './throwing.mjs'],
        /^pfmsim: strategy "t" from plugin t \(\.\/throwing\.mjs\): its factory threw: boom$/,
      ],
      [
        ['--plugin', './v9.mjs'],
        /^pfmsim: plugin \.\/v9\.mjs declares specificationVersion 9; this pfmsim reads specification 1/,
      ],
      [['--plugin', './stack.mjs'], /clashes with the built-in strategy "stack"; rename it$/],
      [['--plugin'], /^pfmsim: --plugin needs a plugin path or package name/],
    ];
    for (const [plugin, pattern] of cases) {
      const r = await runInProcess(['compare', '--json', '-o', 'never.json', ...plugin], { cwd: dir });
      expectUsageError(r, pattern, plugin.join(' '));
    }
    writeFileSync(join(dir, 'pfmsim.config.json'), '{ "plugins": 3 }');
    expectUsageError(
      await runInProcess(['pmu', 'list'], { cwd: dir }),
      /pfmsim\.config\.json: "plugins" must be a list of paths or package names$/,
    );
    expect(() => readFileSync(join(dir, 'never.json'))).toThrow();
  });
});
