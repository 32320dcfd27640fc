import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'pfmsim-mutation-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const mutation = (...args: string[]) =>
  spawnSync(process.execPath, ['scripts/mutation.mjs', ...args], { cwd: root, encoding: 'utf8' });
/** The script with its baselines in `dir` instead of mutation/. */
const withBaselines = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['scripts/mutation.mjs', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PFMSIM_MUTATION_BASELINES: dir },
  });

describe('pnpm mutation, bad input', () => {
  it('a file that does not exist: one line naming it, exit 2', () => {
    const out = mutation('packages/kernel-sim/src/nope.ts');
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(
      'mutation: packages/kernel-sim/src/nope.ts: no such file; give a source file such as packages/kernel-sim/src/race.ts\n',
    );
  });

  it('a test file or an unknown package: one line, exit 2', () => {
    const test = mutation('packages/kernel-sim/src/race.test.ts');
    expect(test.status).toBe(2);
    expect(test.stderr).toMatch(/^mutation: [^\n]*not a source file of a package[^\n]*\n$/);
    const pkg = mutation('--package', 'packages/nope');
    expect(pkg.status).toBe(2);
    expect(pkg.stderr).toMatch(/^mutation: --package packages\/nope: not a package; one of [^\n]+\n$/);
  });

  it('files of two packages in one run: one line naming the odd one out, exit 2', () => {
    const out = mutation('packages/kernel-sim/src/irq.ts', 'packages/libpfm/src/dispatch.ts');
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(
      'mutation: packages/libpfm/src/dispatch.ts: not in packages/kernel-sim; name files of one package per run\n',
    );
  });

  it('a broken Stryker configuration: one line with Stryker’s reason and the log, exit 1', () => {
    const config = join(scratch, 'broken.config.mjs');
    writeFileSync(config, 'export default {{ broken\n');
    const out = mutation('--config', config, 'packages/kernel-sim/src/irq.ts');
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(
      /^mutation: Stryker failed on kernel-sim-irq \(exit 1\): Invalid config file [^\n]*; full log: reports\/mutation\/kernel-sim-irq\.log\n$/,
    );
  }, 60_000);
});

describe('pnpm mutation --inputs', () => {
  it('a package’s inputs: its own sources, tests and package.json, and the configurations; not its dependencies', () => {
    const out = mutation('--inputs', '--package', 'packages/buffer-strategies');
    expect(out.status).toBe(0);
    const files = out.stdout.trim().split('\n');
    expect(files).toContain('packages/buffer-strategies/src/budget.ts');
    expect(files).toContain('packages/buffer-strategies/src/budget.test.ts');
    expect(files).toContain('packages/buffer-strategies/package.json');
    // Stryker re-tests nothing when only a dependency changed: its sources are not inputs
    expect(files.filter((f) => !f.startsWith('packages/buffer-strategies/'))).toEqual([
      'stryker.config.mjs',
      'vitest.shared.ts',
      'scripts/vitest-setup.ts',
    ]);
  });

  it('without --package: one line, exit 2', () => {
    const out = mutation('--inputs');
    expect(out.status).toBe(2);
    expect(out.stderr).toBe('mutation: --inputs needs --package DIR\n');
  });
});

describe('pnpm mutation --ci', () => {
  // pmu-models depends on no workspace package, so its digest holds while others are edited.
  // A baseline for packages/pmu-models with two files: encode.ts at 75 % (bar 80 %), model.ts at 100 %.
  const mutant = (status: string, line: number) => ({
    id: String(line),
    mutatorName: 'ConditionalExpression',
    replacement: 'true',
    status,
    location: { start: { line, column: 1 }, end: { line, column: 2 } },
  });
  const report = {
    schemaVersion: '2',
    thresholds: { high: 80, low: 60 },
    files: {
      'packages/pmu-models/src/encode.ts': {
        language: 'typescript',
        source: '',
        mutants: [mutant('Killed', 1), mutant('Killed', 2), mutant('Timeout', 3), mutant('Survived', 4)],
      },
      'packages/pmu-models/src/model.ts': {
        language: 'typescript',
        source: '',
        mutants: [mutant('Killed', 1)],
      },
      // kept by Stryker's incremental file, no longer mutated: never scored
      'packages/pmu-models/src/deleted.ts': {
        language: 'typescript',
        source: '',
        mutants: [mutant('Survived', 1)],
      },
      'packages/pmu-models/src/fixtures.test-util.ts': {
        language: 'typescript',
        source: '',
        mutants: [mutant('Survived', 1)],
      },
    },
  };
  const baselines = (name: string, belowBar?: string) => {
    const dir = join(scratch, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pmu-models.json'), JSON.stringify(report));
    const digest = mutation('--digest', '--package', 'packages/pmu-models').stdout.trim();
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(dir, 'pmu-models.inputs'), `${digest}\n`);
    if (belowBar !== undefined) writeFileSync(join(dir, 'below-bar.json'), belowBar);
    return dir;
  };

  it('a package with no baseline is named as not checked, and the run says it is partial', () => {
    const out = withBaselines(join(scratch, 'none'), '--ci', '--package', 'packages/pmu-models');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(
      'pmu-models: NOT CHECKED, no baseline (make one: pnpm mutation --package packages/pmu-models --force)\n' +
        'PARTIAL: 1 package(s) not checked: packages/pmu-models\n',
    );
  });

  it('an unchanged package is scored from its baseline, and a file below its bar fails', () => {
    const out = withBaselines(baselines('below'), '--ci', '--package', 'packages/pmu-models');
    expect(out.stdout).toContain(
      'pmu-models: unchanged since its baseline; scored from mutation/pmu-models.json',
    );
    expect(out.stdout).toMatch(
      /packages\/pmu-models\/src\/encode\.ts\s+4\s+75\.0\s+1\s+0\s+0\s+80\s+BELOW\n/,
    );
    expect(out.stdout).toMatch(/packages\/pmu-models\/src\/model\.ts\s+1\s+100\.0 .* ok\n/);
    expect(out.stdout).not.toMatch(/deleted\.ts|test-util/);
    expect(out.status).toBe(1);
    expect(out.stderr).toBe(
      'mutation: 1 file(s) below their threshold: packages/pmu-models/src/encode.ts 75.0 %\n',
    );
  });

  it('a file recorded in below-bar.json passes while it keeps its score, and fails when it drops', () => {
    const held = withBaselines(
      baselines('held', '{ "packages/pmu-models/src/encode.ts": 75 }'),
      '--ci',
      '--package',
      'packages/pmu-models',
    );
    expect(held.stdout).toContain('BELOW, held at 75 % (mutation/below-bar.json)');
    expect(held.status).toBe(0);
    const dropped = withBaselines(
      baselines(
        'dropped',
        '{ "packages/pmu-models/src/encode.ts": 80.5, "packages/pmu-models/src/model.ts": 90 }',
      ),
      '--ci',
      '--package',
      'packages/pmu-models',
    );
    expect(dropped.stdout).toContain('BELOW, and under its recorded 80.5 %');
    expect(dropped.stdout).toContain('ok (at its bar: remove it from mutation/below-bar.json)');
    expect(dropped.status).toBe(1);
  });

  it('a broken below-bar.json or --ci with files: one line, exit 2', () => {
    const broken = withBaselines(baselines('broken', '{ nope'), '--ci', '--package', 'packages/pmu-models');
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(
      /^mutation: mutation\/below-bar\.json: [^\n]+; fix the JSON or delete the file\n$/,
    );
    const files = mutation('--ci', 'packages/pmu-models/src/encode.ts');
    expect(files.status).toBe(2);
    expect(files.stderr).toBe(
      'mutation: --ci checks whole packages: give no files, no --force and no --ignore-static\n',
    );
    // CI never leaves static mutants untested
    const lenient = mutation('--ci', '--ignore-static');
    expect(lenient.status).toBe(2);
    expect(lenient.stderr).toBe(files.stderr);
  });
});
