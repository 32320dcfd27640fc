// `pfmsim pmu list | show | validate` in this process: the tables and their exports agree with
// the JSON, fixed counters are shown as such, and model-file problems are reported per path with
// exit 2.
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { modelFile, registerModelDirectory, resetModelDirectories } from '@pfmsim/pmu-models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSchema, expectUsageError, REPO, runInProcess, tempDir } from '../../test/helpers.js';

const P6 = join(REPO, 'packages', 'pmu-models', 'models', 'intel', 'p6.json');
const p6Json = () => JSON.parse(readFileSync(P6, 'utf8')) as Record<string, unknown>;
const pmu = (...args: string[]) => runInProcess(['pmu', ...args]);
const flat = (s: string) => s.replace(/\s+/g, ' ');

interface Summary {
  id: string;
  name: string;
  vendor: string;
  archs: string[];
  pmcCount: number;
  pmdCount: number;
  counterCount: number;
  counterWidth: number;
  eventCount: number;
}

describe('pfmsim pmu list', () => {
  it('the CSV and Markdown exports hold the table of the JSON, one row per model', async () => {
    const dir = tempDir();
    const r = await pmu('list', '--export-csv', join(dir, 'l.csv'), '--export-markdown', join(dir, 'l.md'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('`pfmsim pmu show ID` for registers and events');
    const doc = expectSchema('pmu-list', (await pmu('list', '--json')).stdout);
    const models = doc.models as Summary[];
    expect(models.length).toBeGreaterThanOrEqual(9);
    expect(models[0]).not.toHaveProperty('file');
    const csv = readFileSync(join(dir, 'l.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('id,name,vendor,archs,pmcs,pmds,counters,width,events,machine,seed,pfmsim');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 9).join(','))).toEqual(
      models.map((m) =>
        [
          m.id,
          m.name,
          m.vendor,
          m.archs.join(' '),
          m.pmcCount,
          m.pmdCount,
          m.counterCount,
          m.counterWidth,
          m.eventCount,
        ].join(','),
      ),
    );
    const md = readFileSync(join(dir, 'l.md'), 'utf8');
    expect(md).toContain(
      '### PMU models\n\n| id | name | vendor | archs | pmcs | pmds | counters | width | events |\n',
    );
    expect(md).toContain(
      '| intel-core | Intel Core | intel | i386 i386-4k x86_64 x86_64-16k | 4 | 5 | 5 | 31 | 130 |',
    );
  });

  it('two models of one libpfm type for the same CPUs: one line naming both, exit 2, on every command', async () => {
    const dir = tempDir();
    // the package's own file, wherever the package resolves from (a mutation sandbox links it)
    const k8File = join(REPO, 'packages', 'pmu-models', 'models', 'amd', 'k8.json');
    const k8 = JSON.parse(readFileSync(k8File, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'k8-twin.json'), JSON.stringify({ ...k8, id: 'amd64-k8-twin' }));
    registerModelDirectory(dir);
    try {
      for (const args of [['pmu', 'list'], ['machines'], ['stat', '--pmu', 'amd64-k8', '--cycles', '1000']]) {
        expectUsageError(
          await runInProcess(args),
          new RegExp(
            `^pfmsim: PMU model "amd64-k8-twin" \\(${join(dir, 'k8-twin.json')}, family 15\\) claims libpfm PMU type 16, as "amd64-k8" \\(\\S*models/amd/k8\\.json, family 15\\) does; libpfm could not tell them apart: give each a \`cpu\` with a distinct family or models$`,
          ),
          args.join(' '),
        );
      }
    } finally {
      resetModelDirectories();
    }
  });

  it('help names the subcommands and where extra models come from', async () => {
    const r = await pmu('--help');
    expect(r.code).toBe(0);
    const help = flat(r.stdout);
    expect(help).toContain('list [options] every PMU model (the package models and PFMSIM_EXTRA_MODELS)');
    expect(help).toContain('show [options] <id> registers and events of one PMU model');
    expect(help).toContain(
      'validate [options] <file> check a PMU model file against the schema and the semantic rules',
    );
  });
});

describe('pfmsim pmu show', () => {
  it('fixed-counter events show their fixed PMD, then the generic counters they may also use', async () => {
    const dir = tempDir();
    const r = await pmu(
      'show',
      'intel-core',
      '--export-csv',
      join(dir, 'e.csv'),
      '--export-markdown',
      join(dir, 'e.md'),
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/ · pmu show · seed - · intel-core$/);
    expect(lines[1]).toMatch(
      /^intel-core: Intel Core 2 .* \(perfmon2 Intel Core, module perfmon_intel_core, libpfm Intel Core\)$/,
    );
    expect(lines[2]).toBe(
      'archs i386, i386-4k, x86_64, x86_64-16k · counter width 31 (hardware 32) · encoding x86-evtsel',
    );
    expect(r.stdout).toContain('\nRegisters (4 PMCs, 5 PMDs, 5 counters)\n');
    expect(r.stdout).toContain('\nEvents (130)\n');
    expect(r.stdout).toMatch(/\nUNHALTED_CORE_CYCLES +0x3c +fixed PMD17 0 1 +0 +Core cycles/);
    expect(r.stdout).toMatch(/\nUNHALTED_REFERENCE_CYCLES +0x13c +fixed PMD18 +0 +Reference cycles/);
    expect(r.stdout).toMatch(/\nPMC16 +FIXED_CTRL +I +0x888 +0xfffffffffffffccc +PMD16 PMD17 PMD18\n/);

    // the CSV is the events table
    const csv = readFileSync(join(dir, 'e.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('event,code,counters,unit masks,description,machine,seed,pfmsim');
    expect(csv).toContainEqual(
      expect.stringMatching(/^UNHALTED_REFERENCE_CYCLES,0x13c,fixed PMD18,0,Reference/),
    );
    expect(csv).toContainEqual(expect.stringMatching(/^INSTRUCTIONS_RETIRED,0xc0,fixed PMD16 0 1,0,/));
    // the Markdown has both tables, events first
    const md = readFileSync(join(dir, 'e.md'), 'utf8');
    const events = md.indexOf(
      '### Events of intel-core\n\n| event | code | counters | unit masks | description |',
    );
    const regs = md.indexOf(
      '### Registers of intel-core\n\n| register | name | type | default | reserved mask | controls |',
    );
    expect(events).toBeGreaterThan(0);
    expect(regs).toBeGreaterThan(events);
    expect(md).toContain('| PMC16 | FIXED_CTRL | I | 0x888 | 0xfffffffffffffccc | PMD16 PMD17 PMD18 |');
    expect(md).toContain('| PMD16 | FIXED_CTR0 | I C64 | 0x0 | 0xffffff0000000000 |  |');
  });

  it('--json gives the model file contents and its path relative to the working directory', async () => {
    const doc = expectSchema('pmu-show', (await pmu('show', 'intel-p6', '--json')).stdout);
    expect((doc.model as { id: string }).id).toBe('intel-p6');
    const file = doc.file as string;
    expect(isAbsolute(file)).toBe(false);
    expect(resolve(REPO, file)).toBe(modelFile('intel-p6'));
    const cliDir = join(REPO, 'apps', 'cli');
    const fromCli = JSON.parse(
      (await runInProcess(['pmu', 'show', 'intel-p6', '--json'], { cwd: cliDir })).stdout,
    );
    expect(fromCli.file).toBe(join('..', '..', file));
    expect(resolve(cliDir, fromCli.file)).toBe(modelFile('intel-p6'));
  });

  it('an unknown id is one line with the closest id and the valid ones, exit 2', async () => {
    expectUsageError(
      await pmu('show', 'intel-core2'),
      /^pfmsim: unknown PMU model "intel-core2"; did you mean "intel-core"\? valid: amd64-fam10h, amd64-k8, intel-arch-perfmon, intel-core, /,
    );
    expectUsageError(
      await pmu('show'),
      /^pfmsim: missing required argument 'id'; see `pfmsim pmu show --help`$/,
    );
  });

  it('help describes the argument', async () => {
    const r = await pmu('show', '--help');
    expect(flat(r.stdout)).toContain('Arguments: id model id');
  });

  describe('with more models than fit on a line', () => {
    beforeAll(() => {
      const dir = tempDir();
      for (const n of [1, 2, 3, 4]) {
        const { $schema: _s, ...m } = p6Json();
        writeFileSync(
          join(dir, `extra-${n}.json`),
          JSON.stringify({ ...m, id: `extra-p6-${n}`, libpfm: { name: 'extra P6', type: 900 + n } }),
        );
      }
      registerModelDirectory(dir);
    });
    afterAll(() => resetModelDirectories());

    it('an unknown id points at `pfmsim pmu list` instead of listing them', async () => {
      const list = expectSchema('pmu-list', (await pmu('list', '--json')).stdout);
      expect((list.models as Summary[]).length).toBeGreaterThan(12);
      expectUsageError(
        await pmu('show', 'extra-p6-9'),
        /^pfmsim: unknown PMU model "extra-p6-9"; did you mean "extra-p6-1"\? `pfmsim pmu list` lists them$/,
      );
    });
  });
});

describe('pfmsim pmu validate', () => {
  it('a valid file: one green line with the id and the number of events, exit 0', async () => {
    const r = await pmu('validate', P6);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(`${P6}: valid PMU model "intel-p6" (80 events)`);
    expect(r.stderr).toBe('');
  });

  it('a file that is no JSON: one error at $, rule json, exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    const text = await runInProcess(['pmu', 'validate', 'bad.json'], { cwd: dir });
    expect(text.code).toBe(2);
    expect(text.stdout.split('\n')[1]).toMatch(/^bad\.json: \$: not valid JSON: .+ \[json\]$/);
    expect(text.stderr).toBe('pfmsim: bad.json is not a valid PMU model (1 error); fix the paths above\n');

    const json = await runInProcess(['pmu', 'validate', 'bad.json', '--json'], { cwd: dir });
    expect(json.code).toBe(2);
    expect(json.stderr).toBe('');
    const doc = expectSchema('pmu-validate', json.stdout);
    expect(doc).toMatchObject({ file: 'bad.json', valid: false, id: null, events: 0 });
    expect(doc.errors).toEqual([
      { path: '$', rule: 'json', message: expect.stringMatching(/^not valid JSON: /) },
    ]);
  });

  it('an invalid model: one line per error, the count on stderr; --json keeps stderr empty', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'one.json'), JSON.stringify({ ...p6Json(), countrWidth: 31 }));
    const one = await runInProcess(['pmu', 'validate', 'one.json'], { cwd: dir });
    expect(one.code).toBe(2);
    expect(one.stdout).toContain('one.json: countrWidth: unknown property "countrWidth" [unknown-key]');
    expect(one.stderr).toBe('pfmsim: one.json is not a valid PMU model (1 error); fix the paths above\n');
    const json = await runInProcess(['pmu', 'validate', 'one.json', '--json'], { cwd: dir });
    expect(json.code).toBe(2);
    expect(json.stderr).toBe('');
    expect(expectSchema('pmu-validate', json.stdout)).toMatchObject({ valid: false, id: null, events: 0 });

    writeFileSync(join(dir, 'two.json'), JSON.stringify({ ...p6Json(), countrWidth: 31, vendr: 'x' }));
    const two = await runInProcess(['pmu', 'validate', 'two.json'], { cwd: dir });
    expect(two.stderr).toBe('pfmsim: two.json is not a valid PMU model (2 errors); fix the paths above\n');
  });

  it('schema and semantic errors of one file come together', async () => {
    const dir = tempDir();
    const model = p6Json() as { events: { counters: number[] }[] } & Record<string, unknown>;
    model.events[3]!.counters = [0, 4];
    writeFileSync(join(dir, 'both.json'), JSON.stringify({ ...model, countrWidth: 31 }));
    const r = await runInProcess(['pmu', 'validate', 'both.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('both.json: countrWidth: unknown property "countrWidth" [unknown-key]');
    expect(r.stdout).toContain('both.json: events[3].counters: counter 4 does not exist [counter-exists]');
    expect(r.stderr).toBe('pfmsim: both.json is not a valid PMU model (2 errors); fix the paths above\n');
  });

  it('a missing file or argument, and export flags it does not take, are usage errors', async () => {
    const dir = tempDir();
    expectUsageError(
      await runInProcess(['pmu', 'validate', 'nope.json'], { cwd: dir }),
      /^pfmsim: model file nope\.json does not exist; check the path$/,
    );
    expectUsageError(await pmu('validate'), /^pfmsim: missing required argument 'file'/);
    expectUsageError(
      await pmu('validate', P6, '--export-json', join(dir, 'v.json')),
      /^pfmsim: unknown option '--export-json'; see `pfmsim pmu validate --help`$/,
    );
    const help = await pmu('validate', '--help');
    expect(flat(help.stdout)).toContain(
      'check a PMU model file against the schema and the semantic rules Arguments: file model JSON file',
    );
  });
});
