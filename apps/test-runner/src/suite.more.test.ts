// Finding scenario files (what `pfmsim-test run DIR` picks up, in which order) and running many
// (counts, --filter, files that cannot run, the callbacks the CLI streams its reports from).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LoadedScenario } from './load.js';
import type { ScenarioResult } from './run.js';
import { displayPath, findScenarioFiles, MissingPathError, runSuite } from './suite.js';

const tmp = mkdtempSync(join(tmpdir(), 'pfmsim-suite-more-'));
let n = 0;
function tree(files: Record<string, string>): string {
  const d = join(tmp, `t${n++}`);
  for (const [name, text] of Object.entries(files)) {
    const p = join(d, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  }
  return d;
}
const HEAD = 'machine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: [kmalloc, stack]\n';
const scenario = (name: string, ret = 0) =>
  `name: ${name}\n${HEAD}steps:\n  - {call: pfm_create_context, save: fd, expect: {ret: ${ret}}}\n`;

describe('findScenarioFiles', () => {
  it('walks directories for *.yaml and *.yml, sorted, depth first; files given are taken as they are', () => {
    const d = tree({
      'b.yaml': '',
      'a.yml': '',
      'c.txt': '',
      yaml: '',
      xyaml: '',
      'd.yaml.bak': '',
      'sub/z.yaml': '',
      'sub/deeper/y.yaml': '',
      'notes.md': '',
    });
    expect(findScenarioFiles([d])).toEqual([
      join(d, 'a.yml'),
      join(d, 'b.yaml'),
      join(d, 'sub/deeper/y.yaml'),
      join(d, 'sub/z.yaml'),
    ]);
    expect(findScenarioFiles([join(d, 'notes.md'), join(d, 'sub')])).toEqual([
      join(d, 'notes.md'),
      join(d, 'sub/deeper/y.yaml'),
      join(d, 'sub/z.yaml'),
    ]);
    expect(findScenarioFiles([])).toEqual([]);
  });

  it('a file named twice (or inside a directory also named) is run once, at its first place', () => {
    const d = tree({ 'a.yaml': '', 'b.yaml': '' });
    expect(findScenarioFiles([join(d, 'b.yaml'), d, join(d, 'a.yaml')])).toEqual([
      join(d, 'b.yaml'),
      join(d, 'a.yaml'),
    ]);
  });

  it('a missing path: MissingPathError naming it', () => {
    const d = tree({ 'a.yaml': '' });
    const missing = join(d, 'nope.yaml');
    let err: unknown;
    try {
      findScenarioFiles([d, missing]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MissingPathError);
    expect((err as Error).name).toBe('MissingPathError');
    expect((err as Error).message).toBe(`no such file or directory: ${missing}`);
  });

  it('a dangling link inside a directory is listed (it then fails to load)', () => {
    const d = tree({ 'a.yaml': '' });
    symlinkSync(join(d, 'gone'), join(d, 'b.yaml'));
    symlinkSync(join(d, 'gone'), join(d, 'c.txt'));
    expect(findScenarioFiles([d])).toEqual([join(d, 'a.yaml'), join(d, 'b.yaml')]);
  });
});

describe('displayPath', () => {
  it('relative to the working directory below it, as given elsewhere', () => {
    expect(displayPath(join(process.cwd(), 'x', 'y.yaml'))).toBe(join('x', 'y.yaml'));
    const outside = join(tmp, 'o.yaml');
    // (the temporary directory is not below the repository)
    expect(displayPath(outside)).toBe(outside);
  });
});

describe('runSuite', () => {
  it('runs each file under its strategies and counts tests (a test is one scenario under one strategy)', () => {
    const d = tree({ 'a.yaml': scenario('first'), 'b.yaml': scenario('second', 3) });
    const seen: ScenarioResult[] = [];
    const loaded: [LoadedScenario, ScenarioResult][] = [];
    const before = performance.now();
    const r = runSuite([d], { onScenario: (s) => seen.push(s), onLoaded: (sc, s) => loaded.push([sc, s]) });
    const wall = performance.now() - before;
    expect(r.scenarios.map((s) => [s.file, s.scenario, s.tests.map((t) => [t.strategy, t.passed])])).toEqual([
      [
        join(d, 'a.yaml'),
        'first',
        [
          ['kmalloc', true],
          ['stack', true],
        ],
      ],
      [
        join(d, 'b.yaml'),
        'second',
        [
          ['kmalloc', false],
          ['stack', false],
        ],
      ],
    ]);
    expect([r.passed, r.failed]).toEqual([2, 2]);
    // the suite's time is the time of this call
    expect(r.ms).toBeGreaterThan(0);
    expect(r.ms).toBeLessThanOrEqual(wall);
    expect(seen).toEqual(r.scenarios);
    expect(loaded.map(([sc, s]) => [sc.data.name, sc.file, s])).toEqual([
      ['first', join(d, 'a.yaml'), r.scenarios[0]],
      ['second', join(d, 'b.yaml'), r.scenarios[1]],
    ]);
  });

  it('passes the run options on (strategies)', () => {
    const d = tree({ 'a.yaml': scenario('first') });
    const r = runSuite([d], { strategies: ['hybrid'] });
    expect(r.scenarios[0]!.tests.map((t) => t.strategy)).toEqual(['hybrid']);
    expect([r.passed, r.failed]).toEqual([1, 0]);
  });

  it('a file that cannot be loaded is one failed test, strategy "-", with the located message', () => {
    const lol =
      'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n' +
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n' +
      'name: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n';
    const d = tree({ 'a.yaml': 'name: x\nmachin: p4-2006\n', 'b.yaml': lol, 'c.yaml': scenario('fine') });
    symlinkSync(join(d, 'gone.yaml'), join(d, 'd.yaml'));
    const seen: string[] = [];
    const loaded: string[] = [];
    const r = runSuite([d], { onScenario: (s) => seen.push(s.file), onLoaded: (sc) => loaded.push(sc.file) });
    const a = join(d, 'a.yaml');
    const b = join(d, 'b.yaml');
    const dd = join(d, 'd.yaml');
    expect(r.scenarios[0]).toEqual({
      file: a,
      scenario: a,
      tests: [
        {
          file: a,
          scenario: a,
          strategy: '-',
          passed: false,
          failures: [
            `${a}:1:1: machine: Invalid input: expected a preset id or {preset?, arch?, cost?, pmu?}\n` +
              `${a}:2:1: machin: unknown field "machin" (did you mean "machine"?)`,
          ],
          ms: 0,
        },
      ],
    });
    expect(r.scenarios[1]!.tests[0]!.failures).toEqual([
      `${b}:5:36: more than 100,000 nodes with the aliases expanded; a scenario may have at most 100,000: make it smaller, or use fewer aliases of large nodes`,
    ]);
    // not a ScenarioError: the file name and the message
    expect(r.scenarios[3]!.tests[0]!.failures).toEqual([
      `${dd}: ENOENT: no such file or directory, open '${dd}'`,
    ]);
    expect([r.passed, r.failed]).toEqual([2, 3]);
    expect(seen).toEqual([a, b, join(d, 'c.yaml'), dd]);
    expect(loaded).toEqual([join(d, 'c.yaml')]);
  });

  it('--filter: the name or the file, in any case; a broken file is kept when its path matches', () => {
    const d = tree({
      'alpha.yaml': scenario('First Scenario'),
      'beta.yaml': scenario('second'),
      'broken-alpha.yaml': 'name: [\n',
      'broken.yaml': 'name: [\n',
    });
    const names = (filter: string) =>
      runSuite([d], { filter }).scenarios.map((s) => s.file.slice(d.length + 1));
    expect(names('ALPHA')).toEqual(['alpha.yaml', 'broken-alpha.yaml']);
    expect(names('first scen')).toEqual(['alpha.yaml']);
    expect(names('SECOND')).toEqual(['beta.yaml']);
    expect(names('Broken')).toEqual(['broken-alpha.yaml', 'broken.yaml']);
    expect(names('nothing')).toEqual([]);
    expect(runSuite([d], { filter: 'nothing' })).toMatchObject({ scenarios: [], passed: 0, failed: 0 });
    // no filter (or an empty one): everything
    expect(names('')).toHaveLength(4);
    expect(runSuite([d]).scenarios).toHaveLength(4);
  });

  it('shows files below the working directory relative to it', () => {
    const sysfs = fileURLToPath(new URL('../conformance/sysfs.yaml', import.meta.url));
    const shown = relative(process.cwd(), sysfs);
    expect(shown).toMatch(/^(?:[^./].*\/)?conformance\/sysfs\.yaml$/);
    const r = runSuite([sysfs], { strategies: ['kmalloc'] });
    expect(r.scenarios[0]!.file).toBe(shown);
    expect(r.scenarios[0]!.tests[0]!.file).toBe(shown);
  });

  it('a missing path throws MissingPathError before anything runs', () => {
    const d = tree({ 'a.yaml': scenario('first') });
    const seen: string[] = [];
    expect(() => runSuite([d, join(d, 'missing')], { onScenario: (s) => seen.push(s.file) })).toThrow(
      MissingPathError,
    );
    expect(seen).toEqual([]);
  });
});
