// The `pfmsim-test` command line, flag by flag: what each flag changes in the output, the
// exit codes, and the CLI rules (a bad flag, file or output path gives one `error:` line that
// names the problem and the fix, exit 2, and nothing is run or written).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKmallocStrategy } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { type CliIo, main, VERSION } from './cli.js';
import { renderJsonSchema } from './json-schema.js';
import { DEFAULT_STRATEGIES } from './plan.js';

function cli(args: string[], env: Record<string, string> = {}, extra?: Partial<CliIo>) {
  let out = '';
  let err = '';
  const code = main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env, ...extra });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'pfmsim-cli-more-'));
let n = 0;
/** A fresh directory holding the given files. */
function dir(files: Record<string, string> = {}): string {
  const d = join(tmp, `d${n++}`);
  mkdirSync(d, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}
const HEAD = 'machine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: [kmalloc]\n';
const scenario = (name: string, steps: string) => `name: ${name}\n${HEAD}steps:\n${steps}`;
const CREATE = '  - {call: pfm_create_context, save: fd, expect: {ret: 0}}\n';
const GOOD = scenario('good one', CREATE);
// pfm_stop on an unloaded context is EINVAL, and the close returns 0
const BAD = scenario(
  'bad one',
  `${CREATE}  - {call: pfm_stop, expect: {ret: 0}}   # really EINVAL\n  - {call: close, expect: {ret: 5}}\n`,
);
const ACCEPTED =
  'all, kmalloc, stack, ctx-cache, ctx-cache-mutex, ctx-cache-bounded, task-cache, slab-cache, hybrid, ctx-cache-naive, ctx-cache-spinsplit';
const HINT = '; no plugin is loaded: if a plugin defines it, pass --plugin FILE';

/** The usage error: exit 2, exactly this one line on stderr, nothing on stdout. */
function expectUsage(args: string[], line: string, env: Record<string, string> = {}) {
  const r = cli(args, env);
  expect(r, args.join(' ')).toEqual({ code: 2, out: '', err: `error: ${line}\n` });
}

describe('pfmsim-test: version and help', () => {
  it('-V and --version print the package version; --help and help exit 0', () => {
    expect(cli(['-V'])).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: pfmsim-test [options] [command]');
    expect(help.out).toContain('Runs perfmon2 scenario files against pfmsim; fuzzes the simulated kernel.');
    for (const c of ['run [options] [paths...]', 'fuzz [options]', 'schema']) expect(help.out).toContain(c);
    expect(help.err).toBe('');
  });

  it('run --help documents every flag and the default reporter', () => {
    const r = cli(['run', '--help']);
    expect(r.code).toBe(0);
    const text = r.out.replace(/\s+/g, ' ');
    for (const s of [
      'Usage: pfmsim-test run [options] [paths...]',
      'run scenario files or directories (default: the shipped conformance suite)',
      'paths scenario files or directories',
      "--strategy <names> run under these strategies (comma-separated, or all) instead of the files'",
      '--filter <text> only scenarios whose name or file contains the text',
      '--reporter <name> output format (choices: "human", "tap", "junit", default: "human")',
      '--update rewrite expected results from what the first strategy observed',
      '--replay <seed:decisions> run one recorded schedule (as printed for a failing schedule)',
    ]) {
      expect(text).toContain(s);
    }
  });

  it('fuzz --help documents the flags with their defaults', () => {
    const r = cli(['fuzz', '--help']);
    expect(r.code).toBe(0);
    const text = r.out.replace(/\s+/g, ' ');
    for (const s of [
      'random syscall programs checked against the invariants; failures are shrunk and written as scenarios',
      '--seconds <n> time budget (default 10, or none with --syscalls)',
      '--syscalls <n> budget in system calls made (over every strategy and schedule)',
      '--coverage measure the branches reached in perfmon-core and buffer-strategies (V8)',
      '--guided coverage-guided: keep programs that reach new branches and mutate them',
      '--corpus <dir> with --guided: load the programs kept there, save new ones there',
      '--seed <n> random seed (default: 1)',
      '--strategy <names> strategies (comma-separated; default: all shipped and plugin ones)',
      '--out <dir> where failing programs are written (default: "fuzz-findings")',
      '--close-races also race close() against calls on the same fd',
    ]) {
      expect(text).toContain(s);
    }
    expect(cli(['schema', '--help']).out).toContain('print the JSON Schema of scenario files');
  });
});

describe('pfmsim-test: bad flags, files and paths (one line naming the problem and the fix, exit 2)', () => {
  const d = dir({ 'good.yaml': GOOD });
  const good = join(d, 'good.yaml');

  it('no command: the help on stderr, exit 2', () => {
    const r = cli([]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^Usage: pfmsim-test \[options\] \[command\]\n/);
    expect(r.err).not.toContain('error:');
  });

  it('commander errors are one line with a did-you-mean or the help command', () => {
    expectUsage(['fuzz', '--bogus'], "unknown option '--bogus' (Did you mean --corpus?)");
    expectUsage(['--bogus', 'run'], "unknown option '--bogus'; see `pfmsim-test run --help`");
    expectUsage(['run', '--filtr', 'x', good], "unknown option '--filtr' (Did you mean --filter?)");
    expectUsage(['run', '--bogus', good], "unknown option '--bogus'; see `pfmsim-test run --help`");
    expectUsage(['fuzz', '--sed', '3'], "unknown option '--sed' (Did you mean --seed?)");
    expectUsage(['rn', good], "unknown command 'rn' (Did you mean run?)");
    expectUsage(['frobnicate'], "unknown command 'frobnicate'; see `pfmsim-test --help`");
    expectUsage(['--bogus'], "unknown option '--bogus'; see `pfmsim-test --help`");
    expectUsage(
      ['run', '--reporter', 'xml', good],
      "option '--reporter <name>' argument 'xml' is invalid. Allowed choices are human, tap, junit; see `pfmsim-test run --help`",
    );
    expectUsage(
      ['run', good, '--reporter'],
      "option '--reporter <name>' argument missing; see `pfmsim-test run --help`",
    );
    expectUsage(
      ['schema', 'x'],
      "too many arguments for 'schema'. Expected 0 arguments but got 1; see `pfmsim-test schema --help`",
    );
  });

  it('--strategy: unknown names and an empty list are refused before anything runs', () => {
    expectUsage(
      ['run', '--strategy', 'kmaloc', good],
      `unknown strategy "kmaloc" (accepted: ${ACCEPTED})${HINT}`,
    );
    expectUsage(
      ['run', '--strategy', 'kmalloc,stak', good],
      `unknown strategy "stak" (accepted: ${ACCEPTED})${HINT}`,
    );
    expectUsage(['run', '--strategy', ',', good], `--strategy "," names no strategy (accepted: ${ACCEPTED})`);
    expectUsage(['run', '--strategy', '', good], `--strategy "" names no strategy (accepted: ${ACCEPTED})`);
    expectUsage(
      ['fuzz', '--strategy', 'bogus', '--seconds', '0'],
      `unknown strategy "bogus" (accepted: ${ACCEPTED})${HINT}`,
    );
    expectUsage(
      ['fuzz', '--strategy', ' , ', '--seconds', '0'],
      `--strategy " , " names no strategy (accepted: ${ACCEPTED})`,
    );
  });

  it('--replay must be SEED:DECISIONS', () => {
    for (const bad of ['nope', '1', ':0', 'x1:0', '1:0.', '1:.0', '1:0..1', '1:0.1x', '-1:0', '1:0 ']) {
      expectUsage(['run', '--replay', bad, good], `--replay ${bad}: expected SEED:DECISIONS, e.g. 1:0.1.1`);
    }
    for (const ok of ['1:', '1:0', '12:0.1.22', '3:10.0'])
      expect(cli(['run', '--replay', ok, good]).code, ok).toBe(0);
  });

  it('--replay needs exactly one scenario file, unless --filter picks it', () => {
    const two = dir({ 'a.yaml': GOOD, 'b.yaml': scenario('other', CREATE) });
    expectUsage(['run', '--replay', '1:0', two], '--replay needs exactly one scenario file');
    const r = cli(['run', '--replay', '1:0', '--filter', 'other', two]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^replay 1:0 under kmalloc:\n {2}steps\[0\] pfm_create_context \(line 5\) -> ok 0\nPASS /,
    );
  });

  it('missing files and directories without scenarios', () => {
    expectUsage(['run', join(d, 'nope.yaml')], `no such file or directory: ${join(d, 'nope.yaml')}`);
    expectUsage(['run', good, join(d, 'nope')], `no such file or directory: ${join(d, 'nope')}`);
    const empty = dir({ 'notes.txt': 'x' });
    expectUsage(['run', empty], `no scenario files (*.yaml) under ${empty}`);
    const e2 = dir();
    expectUsage(['run', empty, e2], `no scenario files (*.yaml) under ${empty}, ${e2}`);
  });

  it('an entry that cannot be read (a link loop): one line naming it, exit 2', () => {
    const loops = dir({ 'a.yaml': GOOD });
    symlinkSync('loop', join(loops, 'loop'));
    const other = join(dir({ 'b.yaml': GOOD }), 'b.yaml');
    expectUsage(
      ['run', other, loops],
      `cannot list the scenario files under ${other}, ${loops}: ELOOP: too many symbolic links encountered, stat '${join(loops, 'loop')}'`,
    );
  });

  it('fuzz: --seconds and --seed are non-negative integers', () => {
    for (const [flag, v] of [
      ['--seconds', 'abc'],
      ['--seconds', '1.5'],
      ['--seconds', '-1'],
      ['--seconds', '10s'],
      ['--seed', 'x'],
      ['--seed', '-3'],
      ['--seed', ' 3'],
    ] as const) {
      expectUsage(['fuzz', flag, v], `${flag} ${v}: expected a non-negative integer`);
    }
  });

  it('fuzz --out: a path that cannot be a directory is refused before the fuzzer runs', () => {
    const f = join(dir({ afile: 'x' }), 'afile');
    expectUsage(
      ['fuzz', '--seconds', '0', '--out', join(f, 'findings')],
      `--out ${join(f, 'findings')}: ${f} is not a directory; give a directory to write the findings into`,
    );
    expectUsage(
      ['fuzz', '--seconds', '0', '--out', f],
      `--out ${f}: ${f} is not a directory; give a directory to write the findings into`,
    );
  });

  it('PFMSIM_COUNTS_DIR that cannot be a directory: refused before the run, nothing written', () => {
    const base = dir({ afile: 'x', 'good.yaml': GOOD });
    const f = join(base, 'afile');
    expectUsage(
      ['run', join(base, 'good.yaml')],
      `PFMSIM_COUNTS_DIR ${join(f, 'counts')}: ${f} is not a directory; set it to a directory for conformance.json`,
      { PFMSIM_COUNTS_DIR: join(f, 'counts') },
    );
    expect(readFileSync(f, 'utf8')).toBe('x');
  });
});

describe('pfmsim-test run: what each flag does', () => {
  const d = dir({ 'good.yaml': GOOD, 'bad.yaml': BAD });
  const good = join(d, 'good.yaml');
  const bad = join(d, 'bad.yaml');

  it('--strategy replaces the files’ strategies: one name, a list (spaces allowed), all', () => {
    expect(cli(['run', '--strategy', 'stack', good]).out).toMatch(
      /^PASS .*good\.yaml: good one \(1 strategy: stack, \d+ ms\)\n/,
    );
    expect(cli(['run', '--strategy', ' stack , hybrid ,', good]).out).toMatch(/\(2 strategies, \d+ ms\)\n/);
    const all = cli(['run', '--strategy', 'all', '--reporter', 'tap', good]);
    expect(all.out.match(/^ok \d+ - .*\[(.*)\]$/gm)?.map((l) => l.replace(/.*\[|\]$/g, ''))).toEqual([
      ...DEFAULT_STRATEGIES,
    ]);
    // the two broken on purpose run only when named
    expect(cli(['run', '--strategy', 'ctx-cache-naive', good]).out).toContain('1 strategy: ctx-cache-naive');
  });

  it('--filter keeps scenarios whose name or file contains the text, in any case', () => {
    const byName = cli(['run', '--filter', 'GOOD ONE', d]);
    expect(byName.code).toBe(0);
    expect(byName.out).toMatch(/^PASS .*good\.yaml: good one .*\n\n1 scenario, 1 test /);
    const byFile = cli(['run', '--filter', 'BAD.Y', d]);
    expect(byFile.code).toBe(1);
    expect(byFile.out).toMatch(/^FAIL .*bad\.yaml: bad one/);
    expect(byFile.out).not.toContain('good one');
    // a filter that matches nothing is a mistake, not a pass: one line, exit 2, no report
    for (const reporter of ['human', 'tap', 'junit']) {
      expect(cli(['run', '--filter', 'zzz', '--reporter', reporter, d])).toEqual({
        code: 2,
        out: '',
        err: `error: --filter "zzz" matches no scenario name or file among the 2 under ${d}; check the text or run without --filter\n`,
      });
    }
    const other = dir({ 'third.yaml': GOOD });
    expect(cli(['run', '--filter', 'zzz', d, other]).err).toBe(
      `error: --filter "zzz" matches no scenario name or file among the 3 under ${d}, ${other}; check the text or run without --filter\n`,
    );
  });

  it('exit 1 on a failed test; all failures of a test are listed; 0 when everything passed', () => {
    const r = cli(['run', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      '    [kmalloc] steps[1] pfm_stop (line 6): expected ok 0, got EINVAL\n    [kmalloc] steps[2] close (line 7): expected ok 5, got ok 0\n',
    );
    expect(cli(['run', good]).code).toBe(0);
  });

  it('a file that cannot be loaded is one failed test with its location (exit 1, not 2)', () => {
    const broken = dir({ 'x.yaml': `${GOOD}  - {call: pfm_stop, cont: 1}\n` });
    const r = cli(['run', broken]);
    expect(r.code).toBe(1);
    const file = join(broken, 'x.yaml');
    expect(
      r.out.startsWith(
        `FAIL ${file}: cannot run this scenario\n    ${file}:6:22: steps[1].cont: unknown field "cont" (did you mean "count"?)\n\n`,
      ),
      r.out,
    ).toBe(true);
    expect(r.out.endsWith('\n0 passed, 1 failed\n')).toBe(true);
  });

  it('--reporter tap and junit: the exact documents', () => {
    const tap = cli(['run', '--reporter', 'tap', good, bad]);
    expect(tap.code).toBe(1);
    expect(tap.out.replace(/duration_ms: \d+/, 'duration_ms: T')).toBe(
      `TAP version 13\nok 1 - ${good}: good one [kmalloc]\nnot ok 2 - ${bad}: bad one [kmalloc]\n` +
        '  ---\n  message: |\n    steps[1] pfm_stop (line 6): expected ok 0, got EINVAL\n' +
        '    steps[2] close (line 7): expected ok 5, got ok 0\n  duration_ms: T\n  ...\n1..2\n# 1 passed, 1 failed\n',
    );
    const junit = cli(['run', '--reporter', 'junit', bad]);
    expect(junit.code).toBe(1);
    expect(junit.out.replace(/time="[\d.]+"/g, 'time="T"')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<testsuites name="pfmsim-test" tests="1" failures="1" time="T">\n' +
        `  <testsuite name="${bad}: bad one" tests="1" failures="1" time="T">\n` +
        `    <testcase classname="${bad}" name="bad one [kmalloc]" time="T">\n` +
        '      <failure message="steps[1] pfm_stop (line 6): expected ok 0, got EINVAL">steps[1] pfm_stop (line 6): expected ok 0, got EINVAL\nsteps[2] close (line 7): expected ok 5, got ok 0</failure>\n' +
        '    </testcase>\n  </testsuite>\n</testsuites>\n',
    );
  });

  it('--replay prints each step of the run under each strategy, and its failures', () => {
    const r = cli(['run', '--replay', '4:', '--strategy', 'kmalloc,stack', bad]);
    expect(r.code).toBe(1);
    const one = (s: string) =>
      `replay 4: under ${s}:\n  steps[0] pfm_create_context (line 5) -> ok 0\n  steps[1] pfm_stop (line 6) -> EINVAL\n` +
      '  steps[2] close (line 7) -> ok 0\n' +
      '  FAILED steps[1] pfm_stop (line 6): expected ok 0, got EINVAL\n  FAILED steps[2] close (line 7): expected ok 5, got ok 0\n';
    expect(r.out.startsWith(one('kmalloc') + one('stack'))).toBe(true);
    expect(cli(['run', bad]).out).not.toContain('replay');
  });

  it('PFMSIM_COUNTS_DIR: the counts are written (directories created), atomically; not otherwise', () => {
    const counts = join(dir(), 'a', 'b');
    const r = cli(['run', good, bad], { PFMSIM_COUNTS_DIR: counts });
    expect(r.code).toBe(1);
    expect(readFileSync(join(counts, 'conformance.json'), 'utf8')).toBe('{"passed":1,"failed":1}\n');
    expect(readdirSync(counts)).toEqual(['conformance.json']);
    // an existing directory is fine, and the file is replaced
    cli(['run', good], { PFMSIM_COUNTS_DIR: counts });
    expect(readFileSync(join(counts, 'conformance.json'), 'utf8')).toBe('{"passed":1,"failed":0}\n');
    const quiet = dir({ 'good.yaml': GOOD });
    cli(['run', join(quiet, 'good.yaml')], { PFMSIM_COUNTS_DIR: '' });
    expect(readdirSync(quiet)).toEqual(['good.yaml']);
  });

  it('a dangling link in a directory is one scenario that cannot run, not a crash', () => {
    const withLink = dir({ 'good.yaml': GOOD });
    symlinkSync(join(withLink, 'gone.yaml'), join(withLink, 'link.yaml'));
    const r = cli(['run', withLink]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL ${join(withLink, 'link.yaml')}: cannot run this scenario\n`);
    expect(r.out).toContain('ENOENT');
    expect(r.out.endsWith('1 passed, 1 failed\n')).toBe(true);
  });
});

describe('pfmsim-test run --update', () => {
  it('counts the rewritten expectations (0, 1, many) and writes only the files that change', () => {
    const untouched = scenario('untouched', CREATE);
    const d = dir({ 'a.yaml': BAD, 'b.yaml': untouched });
    const r = cli(['run', '--update', d]);
    // the run it reports is the one before the rewrite
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL ');
    expect(r.err).toBe('--update: 2 expectations rewritten\n');
    const a = readFileSync(join(d, 'a.yaml'), 'utf8');
    expect(a).toContain('- { call: pfm_stop, expect: { errno: EINVAL } } # really EINVAL\n');
    expect(a).toContain('- { call: close, expect: { ret: 0 } }\n');
    // the file that needed nothing keeps its bytes (not even reformatted)
    expect(readFileSync(join(d, 'b.yaml'), 'utf8')).toBe(untouched);
    expect(readdirSync(d).sort()).toEqual(['a.yaml', 'b.yaml']);
    const again = cli(['run', '--update', d]);
    expect(again).toMatchObject({ code: 0, err: '--update: 0 expectations rewritten\n' });
    expect(readFileSync(join(d, 'a.yaml'), 'utf8')).toBe(a);
  });

  it('one expectation: singular; without --update nothing is written and nothing said', () => {
    const text = scenario('one', `${CREATE}  - {call: close, expect: {ret: 5}}\n`);
    const d = dir({ 'one.yaml': text });
    expect(cli(['run', d]).err).toBe('');
    expect(readFileSync(join(d, 'one.yaml'), 'utf8')).toBe(text);
    expect(cli(['run', '--update', d]).err).toBe('--update: 1 expectation rewritten\n');
  });

  it('uses what the first strategy observed, under --strategy', () => {
    const d = dir({ 'one.yaml': scenario('one', `${CREATE}  - {call: close, expect: {errno: EBADF}}\n`) });
    const r = cli(['run', '--update', '--strategy', 'stack,kmalloc', d]);
    expect(r.err).toBe('--update: 1 expectation rewritten\n');
    expect(cli(['run', d]).code).toBe(0);
  });

  it('a dangling link among the files: nothing to write there, the others are updated', () => {
    const d = dir({ 'a.yaml': scenario('a', `${CREATE}  - {call: close, expect: {ret: 7}}\n`) });
    symlinkSync(join(d, 'gone.yaml'), join(d, 'b.yaml'));
    const r = cli(['run', '--update', d]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('--update: 1 expectation rewritten\n');
    expect(readFileSync(join(d, 'a.yaml'), 'utf8')).toContain('- { call: close, expect: { ret: 0 } }');
  });

  it('explored scenarios are left alone without --replay (and get no other scenario’s results)', () => {
    const plain = scenario('a', '  - {call: close, fd: 5, expect: {errno: EBADF}}\n');
    const explored = `name: b
machine: { arch: i386, cost: p4-2006, pmu: intel-p6 }
strategy: kmalloc
threads:
  - { name: A, steps: [{ call: dup, expect: { ret: 9 } }] }
  - { name: B, steps: [{ call: dup, fd: 77, expect: { errno: EBADF } }] }
steps:
  - { call: pfm_create_context, thread: A, save: fd, expect: { ret: 0 } }
explore: { mode: exhaustive, max_preemptions: 1 }
`;
    const d = dir({ 'a.yaml': plain, 'b.yaml': explored });
    const r = cli(['run', '--update', d]);
    expect(r.out).toContain('FAIL ');
    expect(r.err).toBe('--update: 0 expectations rewritten\n');
    expect(readFileSync(join(d, 'b.yaml'), 'utf8')).toBe(explored);
  });

  it('the results written are those of the reference strategy (the first)', () => {
    // a strategy that never gets a buffer: every vector call fails with ENOMEM
    const nomem = () => ({
      ...createKmallocStrategy(),
      name: 'nomem',
      acquire: () => -12,
      release: () => {},
    });
    const extraStrategies = new Map([['nomem', nomem]]);
    const text = scenario(
      'w',
      `${CREATE}  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0}]}, expect: {ret: 5}}\n`,
    );
    const d = dir({ 'w.yaml': text });
    const run = (s: string) => cli(['run', '--update', '--strategy', s, d], {}, { extraStrategies });
    expect(run('kmalloc,nomem').err).toBe('--update: 1 expectation rewritten\n');
    expect(readFileSync(join(d, 'w.yaml'), 'utf8')).toContain('expect: { ret: 0 } }');
    expect(run('nomem,kmalloc').err).toBe('--update: 1 expectation rewritten\n');
    expect(readFileSync(join(d, 'w.yaml'), 'utf8')).toContain('expect: { errno: ENOMEM } }');
  });

  it('a file that cannot be loaded is left alone', () => {
    const text = `${GOOD}  - {call: pfm_stop, cont: 1}\n`;
    const d = dir({ 'x.yaml': text });
    expect(cli(['run', '--update', d]).err).toBe('--update: 0 expectations rewritten\n');
    expect(readFileSync(join(d, 'x.yaml'), 'utf8')).toBe(text);
  });

  it('each scenario gets its own observations (several files in one run)', () => {
    const d = dir({
      'a.yaml': scenario('a', `${CREATE}  - {call: close, expect: {ret: 7}}\n`),
      'b.yaml': scenario('b', `${CREATE}  - {call: pfm_stop, expect: {ret: 0}}\n`),
    });
    expect(cli(['run', '--update', d]).err).toBe('--update: 2 expectations rewritten\n');
    expect(readFileSync(join(d, 'a.yaml'), 'utf8')).toContain('- { call: close, expect: { ret: 0 } }');
    expect(readFileSync(join(d, 'b.yaml'), 'utf8')).toContain(
      '- { call: pfm_stop, expect: { errno: EINVAL } }',
    );
    expect(cli(['run', d]).code).toBe(0);
  });

  it('--update --replay leaves the explored steps alone (one schedule is not every schedule)', () => {
    const race = `name: race
machine: { arch: i386, cost: p4-2006, pmu: intel-p6 }
strategy: ctx-cache-naive
buffers:
  a: { struct: pmd, value: [{ reg_num: 0, reg_value: 0xa }, { reg_num: 1, reg_value: 0xb }] }
  b: { struct: pmd, value: [{ reg_num: 1, reg_value: 0xc }] }
threads:
  - name: A
    steps:
      - { call: pfm_write_pmds, arg: a }
  - name: B
    steps:
      - { call: pfm_write_pmds, arg: b }
steps:
  - { call: pfm_create_context, thread: A, save: fd, expect: { ret: 9 } }
explore: { mode: exhaustive, max_preemptions: 2 }
expect:
  bugs: [data-race, use-after-free]
`;
    const d = dir({ 'race.yaml': race });
    const r = cli(['run', '--update', '--replay', '1:1.1.1.0.0.0.0.0', d]);
    expect(r.out).toContain('threads[1].steps[0] pfm_write_pmds (line 13) [B] -> EFAULT');
    expect(r.err).toBe('--update: 1 expectation rewritten\n');
    const text = readFileSync(join(d, 'race.yaml'), 'utf8');
    expect(text).toContain('- { call: pfm_create_context, thread: A, save: fd, expect: { ret: 0 } }');
    expect(text).toContain('- { call: pfm_write_pmds, arg: a }\n');
    expect(text).toContain('- { call: pfm_write_pmds, arg: b }\n');
  });
});

describe('pfmsim-test fuzz', () => {
  it('--seconds 0: the header and the summary, the given seed and strategies, exit 0, nothing written', () => {
    const out = join(dir(), 'findings');
    expect(
      cli(['fuzz', '--seconds', '0', '--seed', '9', '--strategy', 'stack, kmalloc', '--out', out]),
    ).toEqual({
      code: 0,
      out: 'fuzz: seed 9, 0 s, strategies stack, kmalloc\nfuzz: 0 programs in 0.0 s, 0 findings\nsyscalls: 0 in 0.0 s\n',
      err: '',
    });
    expect(existsSync(out)).toBe(false);
    // defaults: seed 1, every shipped strategy; `all` is the same list
    const dflt = cli(['fuzz', '--seconds', '0', '--out', out]).out;
    expect(dflt).toBe(
      `fuzz: seed 1, 0 s, strategies ${DEFAULT_STRATEGIES.join(', ')}\nfuzz: 0 programs in 0.0 s, 0 findings\nsyscalls: 0 in 0.0 s\n`,
    );
    expect(cli(['fuzz', '--seconds', '0', '--strategy', 'all,stack', '--out', out]).out).toContain(
      `strategies ${DEFAULT_STRATEGIES.join(', ')}, stack\n`,
    );
  });
});

describe('pfmsim-test schema', () => {
  it('prints the JSON Schema, the text of scenario.schema.json', () => {
    const r = cli(['schema']);
    expect(r).toEqual({ code: 0, out: renderJsonSchema(), err: '' });
    expect(r.out).toBe(readFileSync(new URL('../scenario.schema.json', import.meta.url), 'utf8'));
  });
});
