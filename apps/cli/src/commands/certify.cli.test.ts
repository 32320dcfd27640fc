// `pfmsim certify` in this process: a built-in certified (exit 0), a broken one not (exit 1)
// with replay commands that reproduce, a plugin strategy, --only, --replay (text, JSON, exit
// code, exports), the exported table, the progress bar, --help, and bad input as one line,
// exit 2, with nothing run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expectSchema,
  expectUsageError,
  kmallocPluginSource,
  REPO,
  runInProcess,
  tempDir,
} from '../../test/helpers.js';
import { main } from '../cli.js';
import { VERSION } from '../version.js';

const SLOW = { timeout: 120_000 };
const certify = (...args: string[]) => runInProcess(['certify', ...args]);

interface CertDoc {
  strategy: string;
  source: string;
  verdict: string;
  failed: string[];
  only?: string[] | null;
  checks: {
    id: string;
    status: string;
    replay: string[];
    problems: string[];
    figures: Record<string, unknown>;
  }[];
}

describe('pfmsim certify', () => {
  it(
    'slab-cache: every check passes, CERTIFIED, exit 0; the JSON has every check with its figures',
    SLOW,
    async () => {
      const r = await certify('slab-cache', '--no-color');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /^pfmsim \S+ · certify · machine p4-2006 · seed 1 · strategy slab-cache · source built-in\n/,
      );
      expect(r.stdout).toMatch(/\nCERTIFIED: all 7 checks pass\n$/);
      for (const id of ['conformance', 'shared-fd', 'race', 'faults', 'attacks', 'stack', 'cycles']) {
        expect(r.stdout).toMatch(new RegExp(`\\nPASS {4}${id} `));
      }
      const j = await certify('slab-cache', '--json');
      const doc = expectSchema('certify', j.stdout) as unknown as CertDoc;
      expect(doc.verdict).toBe('certified');
      expect(doc.only).toBeNull();
      expect(doc.checks.map((c) => c.id)).toEqual([
        'conformance',
        'shared-fd',
        'race',
        'faults',
        'attacks',
        'stack',
        'cycles',
      ]);
      expect(doc.checks[0]!.figures).toEqual({ scenarios: 61, passed: 61, failed: 0 });
    },
  );

  it(
    'ctx-cache-naive: NOT CERTIFIED, exit 1; the race replay command reproduces the finding',
    SLOW,
    async () => {
      const r = await certify('ctx-cache-naive', '--only', 'race,shared-fd', '--no-color');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('NOT CERTIFIED: shared-fd, race failed');
      const race = /replay: pfmsim race (.*)\n/.exec(r.stdout);
      expect(race).not.toBeNull();
      const again = await runInProcess(['race', ...race![1]!.split(' ')]);
      expect(again.stdout).toContain('data-race');
      const shared = /replay: pfmsim certify (.*)\n/.exec(r.stdout);
      const replayed = await runInProcess(['certify', ...shared![1]!.split(' '), '--no-color']);
      expect(replayed.code).toBe(1);
      expect(replayed.stdout).toMatch(
        /shared-fd schedule \S+ under ctx-cache-naive: \d+ problem\(s\)\n {2}- data-race: /,
      );
    },
  );

  it(
    'ctx-cache-spinsplit fails with sleep-in-atomic in the conformance suite and the explorations',
    SLOW,
    async () => {
      const r = await certify('ctx-cache-spinsplit', '--only', 'conformance,race', '--json');
      expect(r.code).toBe(1);
      const doc = expectSchema('certify', r.stdout) as unknown as CertDoc;
      expect(doc.failed).toEqual(['conformance', 'race']);
      for (const c of doc.checks) expect(c.problems[0]).toMatch(/sleep-in-atomic/);
      expect(doc.checks[0]!.replay[0]).toMatch(
        /^pfmsim-test run \S+\.yaml --strategy kmalloc,ctx-cache-spinsplit$/,
      );
    },
  );

  it('a subset that passes is PARTIAL, exit 0; a capped exploration is PARTIAL, exit 1', SLOW, async () => {
    const r = await certify('stack', '--only', 'stack', '--no-color');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'PARTIAL: only stack checked (1 of 7), all pass (with caveats: stack); not a certificate',
    );
    expect(r.stdout).toContain('WARN    stack');
  });

  it(
    'a plugin strategy is certified like a built-in, its source named; replay commands load the plugin',
    SLOW,
    async () => {
      const dir = tempDir('pfmsim-certify-');
      writeFileSync(join(dir, 'leaky.mjs'), kmallocPluginSource('leaky', 'leaky', { leak: true }));
      const r = await runInProcess(
        ['certify', 'leaky', '--plugin', './leaky.mjs', '--only', 'faults,attacks', '--json'],
        {
          cwd: dir,
        },
      );
      expect(r.code, r.stderr).toBe(1);
      const doc = expectSchema('certify', r.stdout) as unknown as CertDoc;
      expect(doc.source).toMatch(/leaky/);
      expect(doc.failed).toEqual(['faults', 'attacks']);
      // the leaked buffers fill the lab's 2 MiB arena: calls start failing with ENOMEM
      expect(doc.checks[0]!.problems[0]).toMatch(/returned -12, expected/);
      expect(doc.checks[1]!.replay).toEqual([
        'pfmsim --plugin ./leaky.mjs certify leaky --machine p4-2006 --seed 1 --only attacks',
      ]);
    },
  );

  it('bad input: one line, exit 2, nothing run', async () => {
    expectUsageError(await certify('nope'), /unknown strategy "nope"/);
    expectUsageError(await certify('kmalloc', '--only', 'faults,speed'), /unknown check "speed"/);
    expectUsageError(await certify('kmalloc', '--max-preemptions', '99'), /--max-preemptions/);
    expectUsageError(
      await certify('kmalloc', '--schedules', 'x'),
      /^pfmsim: --schedules must be an integer from 0 to 1000000, got "x"$/,
    );
    expectUsageError(
      await certify('kmalloc', '--replay', 'nope:1:0'),
      /^pfmsim: unknown shared-fd plan in "nope:1:0": expected PLAN:SEED:DECISIONS with PLAN one of two-calls, full-vector, faulting-copy; copy the replay string printed with the finding$/,
    );
    // not a RangeError of the replay parser: its own message, without the hint above
    expectUsageError(
      await certify('kmalloc', '--replay', 'two-calls:x'),
      /^pfmsim: invalid replay: "x" \(accepted: SEED:DECISIONS, e\.g\. 42:1\.0\.1\)$/,
    );
    expectUsageError(
      await certify('kmalloc', '--only', 'faults', '--replay', 'two-calls:1:0'),
      /^pfmsim: --replay replays a shared-fd schedule; use it with --only shared-fd or without --only$/,
    );
    expectUsageError(await certify(), /missing required argument 'strategy'/);
  });

  it('--help describes the command and every option with its default', async () => {
    const r = await certify('--help');
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const text of [
      'hold an argument-buffer strategy to every check the built-ins go through: the conformance suite ' +
        'differential against kmalloc, exhaustive and random exploration of threads sharing a context fd, ' +
        'fault injection at every copy byte and allocation with the leak check, the pinning attacks, the ' +
        'stack report on every arch and cycles at 1..64 registers. Exit 0 certified, 1 a check failed ' +
        'or could not finish, 2 bad input',
      'Usage: pfmsim certify [options] <strategy>',
      'strategy a built-in strategy or one a --plugin adds',
      '--only <checks> run only these checks (comma-separated: conformance, shared-fd, race, faults, attacks, stack, cycles)',
      '--max-preemptions <n> exhaustive exploration: preemption bound (default: "3")',
      '--schedules <n> random schedules after each exhaustive search (default: "300")',
      '--replay <plan:seed:decisions> replay one shared-fd schedule (as printed with a finding)',
    ]) {
      expect(help).toContain(text);
    }
  });
});

describe('pfmsim certify: what a run exports, and its progress on stderr', () => {
  it('--export-csv and --export-markdown hold the certificate table: title, check/status/figures, a row per check', async () => {
    const dir = tempDir('pfmsim-certify-');
    const csv = join(dir, 'c.csv');
    const md = join(dir, 'c.md');
    const r = await certify(
      'stack',
      '--only',
      'stack',
      '--export-csv',
      csv,
      '--export-markdown',
      md,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('certify', r.stdout) as unknown as CertDoc & { checks: { summary: string }[] };
    expect(doc.only).toEqual(['stack']);
    expect(doc.checks.map((c) => [c.id, c.status])).toEqual([['stack', 'warn']]);
    const summary = doc.checks[0]!.summary;
    expect(summary).toMatch(/^deepest use \d+ B of \d+ usable \(\w+\)/);
    expect(readFileSync(csv, 'utf8')).toBe(
      `check,status,figures,machine,seed,pfmsim\nstack,WARN,${summary},p4-2006,1,${VERSION}\n`,
    );
    expect(readFileSync(md, 'utf8')).toBe(
      [
        `## pfmsim ${VERSION} · certify · machine p4-2006 · seed 1 · strategy stack · source built-in`,
        '',
        '### Certificate of stack (p4-2006)',
        '',
        '| check | status | figures |',
        '|:---|:---|:---|',
        `| stack | WARN | ${summary} |`,
        '',
      ].join('\n'),
    );
  });

  /** main() with stderr a terminal and a clock that moves 1 s per reading. */
  const onTerminal = async (args: string[]) => {
    let t = 0;
    let stdout = '';
    let stderr = '';
    const code = await main(['certify', ...args], {
      out: (s) => {
        stdout += s;
      },
      err: (s) => {
        stderr += s;
      },
      stdoutIsTTY: false,
      stderrIsTTY: true,
      env: { NO_COLOR: '1' },
      cwd: REPO,
      now: () => {
        t += 1000;
        return t;
      },
    });
    return { code, stdout, stderr };
  };

  it('a progress bar on stderr names each check as it starts, cleared at the end; none with --quiet', async () => {
    const r = await onTerminal(['stack', '--only', 'stack,cycles']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      '\nPARTIAL: only stack, cycles checked (2 of 7), all pass (with caveats: stack); not a certificate\n',
    );
    const clear = '\r\x1b[2K';
    expect(r.stderr).toBe(
      `${clear}certify [${'.'.repeat(28)}] 0/2 1.0s stack` +
        `${clear}certify [${'#'.repeat(14)}${'.'.repeat(14)}] 1/2 2.0s cycles` +
        clear,
    );
    const quiet = await onTerminal(['stack', '--only', 'stack,cycles', '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(r.stdout);
  });

  it('replay commands carry every --plugin of the run, in order', async () => {
    const dir = tempDir('pfmsim-certify-');
    writeFileSync(join(dir, 'leaky.mjs'), kmallocPluginSource('leaky', 'leaky', { leak: true }));
    writeFileSync(join(dir, 'other.mjs'), kmallocPluginSource('other', 'other'));
    const r = await runInProcess(
      [
        '--plugin',
        './leaky.mjs',
        '--plugin',
        './other.mjs',
        'certify',
        'leaky',
        '--only',
        'faults',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(1);
    const doc = expectSchema('certify', r.stdout) as unknown as CertDoc;
    expect(doc.failed).toEqual(['faults']);
    expect(doc.checks[0]!.replay).toEqual([
      'pfmsim --plugin ./leaky.mjs --plugin ./other.mjs certify leaky --machine p4-2006 --seed 1 --only faults',
    ]);
  });
});

describe('pfmsim certify --replay: one shared-fd schedule', () => {
  const header = (strategy: string, replay: string) =>
    `pfmsim ${VERSION} · certify · machine p4-2006 · seed - · strategy ${strategy} · replay ${replay}`;

  it('a schedule with no problem: "no problem", exit 0, with or without --only shared-fd', async () => {
    const expected = `${header('kmalloc', 'two-calls:1:')}\nshared-fd schedule two-calls:1: under kmalloc: no problem\n`;
    const r = await certify('kmalloc', '--replay', 'two-calls:1:');
    expect(r).toEqual({ code: 0, stdout: expected, stderr: '' });
    expect(await certify('kmalloc', '--only', ' shared-fd ', '--replay', 'two-calls:1:')).toEqual({
      code: 0,
      stdout: expected,
      stderr: '',
    });
    const j = await certify('kmalloc', '--replay', 'two-calls:1:', '--json');
    expect(j.code).toBe(0);
    expect(expectSchema('certify', j.stdout)).toEqual({
      pfmsimVersion: VERSION,
      command: 'certify',
      machine: 'p4-2006',
      seed: null,
      strategy: 'kmalloc',
      replay: 'two-calls:1:',
      plan: 'two-calls',
      problems: [],
    });
  });

  it('a schedule with findings: each problem on its line, exit 1; the JSON lists them', async () => {
    const replay = 'two-calls:1:0.0.0.0.0.0.0.0.0';
    const j = await certify('ctx-cache-naive', '--replay', replay, '--json');
    expect(j.code).toBe(1);
    const doc = expectSchema('certify', j.stdout) as { problems: string[] };
    expect(doc).toMatchObject({
      command: 'certify',
      seed: null,
      strategy: 'ctx-cache-naive',
      replay,
      plan: 'two-calls',
    });
    expect(doc.problems).toHaveLength(3);
    for (const p of doc.problems) expect(p).toMatch(/^data-race: /);
    const r = await certify('ctx-cache-naive', '--replay', replay);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        header('ctx-cache-naive', replay),
        `shared-fd schedule ${replay} under ctx-cache-naive: 3 problem(s)`,
        ...doc.problems.map((p) => `  - ${p}`),
        '',
      ].join('\n'),
    );
  });

  it('a replay has no table: --export-csv writes an empty file, --export-markdown the header only', async () => {
    const dir = tempDir('pfmsim-certify-');
    const csv = join(dir, 'r.csv');
    const md = join(dir, 'r.md');
    const r = await certify(
      'kmalloc',
      '--replay',
      'two-calls:1:',
      '--export-csv',
      csv,
      '--export-markdown',
      md,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(csv, 'utf8')).toBe('');
    expect(readFileSync(md, 'utf8')).toBe(`## ${header('kmalloc', 'two-calls:1:')}\n`);
  });
});
