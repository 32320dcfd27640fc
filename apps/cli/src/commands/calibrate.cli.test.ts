// `pfmsim calibrate` in this process: the target grammar, each flag's effect, the answer as text,
// JSON, CSV and Markdown, the colours of the verdict, and bad input as one line with exit 2.
// Small runs only (a calibration is a couple of dozen simulated calls).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, expectSchema, expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';
import { VERSION } from '../version.js';
import { parseTarget } from './calibrate.js';

const REL = 'pfm_read_pmds n=4 stack vs kmalloc = -20%';
const ABS = 'pfm_read_pmds n=4 kmalloc = 2500';
const TARGET_HELP =
  'write it as "pfm_read_pmds n=4 stack vs kmalloc = -20%", "pfm_read_pmds n=4 stack vs kmalloc calls/s = +20%" or "pfm_read_pmds n=4 kmalloc = 2000"';

const calibrate = (target: string, vary: string, more: string[] = [], cwd?: string): Promise<CliRun> =>
  runInProcess(['calibrate', '--target', target, '--vary', vary, ...more], cwd ? { cwd } : {});

const lines = (r: CliRun) => r.stdout.trimEnd().split('\n');

interface CalibrateDoc {
  targetText: string;
  targetSpec: Record<string, unknown>;
  solved: boolean;
  value: number | null;
  interval: [number, number];
  plausibility: { verdict: string } | null;
  abi: string;
  seed: number;
  machine: string;
}

describe('calibrate --target: the grammar', () => {
  it('reads a relative target (a percentage of one strategy against another)', () => {
    expect(parseTarget(REL)).toEqual({
      kind: 'relative',
      syscall: 'pfm_read_pmds',
      count: 4,
      strategy: 'stack',
      versus: 'kmalloc',
      value: -0.2,
    });
  });

  it('reads an absolute target in cycles, with or without the word "cycles"', () => {
    const spec = { kind: 'absolute', syscall: 'pfm_read_pmds', count: 4, strategy: 'kmalloc', value: 2500 };
    expect(parseTarget(ABS)).toEqual(spec);
    expect(parseTarget('pfm_read_pmds n=4 kmalloc = 2500 cycles')).toEqual(spec);
    expect(parseTarget('pfm_read_pmds n=4 kmalloc = 2500 cycles ')).toEqual(spec);
  });

  it('takes any amount of white space between the words, or none around the equals signs', () => {
    const spec = { kind: 'absolute', syscall: 'pfm_read_pmds', count: 4, strategy: 'kmalloc', value: 2500 };
    expect(parseTarget('pfm_read_pmds  n=4  kmalloc  =  2500')).toEqual(spec);
    expect(parseTarget('pfm_read_pmds n = 4 kmalloc=2500')).toEqual(spec);
    expect(parseTarget('pfm_read_pmds n=4 stack  vs  kmalloc = -20%')).toEqual(parseTarget(REL));
  });

  it('keeps every digit of the count and of a decimal value', () => {
    expect(parseTarget('pfm_write_pmcs n=16 stack vs kmalloc = +12.25%')).toMatchObject({
      syscall: 'pfm_write_pmcs',
      count: 16,
      value: 0.1225,
    });
    expect(parseTarget('pfm_read_pmds n=4 kmalloc = 2500.75')).toMatchObject({ value: 2500.75 });
  });

  it('rejects text before or after the target instead of guessing', () => {
    expect(() => parseTarget(`measured ${ABS}`)).toThrow(/cannot read the target/);
    expect(() => parseTarget(`${ABS} cycles, roughly`)).toThrow(/cannot read the target/);
    expect(() => parseTarget(`${ABS} ns`)).toThrow(/cannot read the target/);
  });
});

describe('calibrate: bad input is one line and exit 2', () => {
  const bad: [string, string[], RegExp][] = [
    [
      'unreadable target',
      ['--target', 'pfm_read_pmds four', '--vary', 'kmallocFast'],
      /cannot read the target "pfm_read_pmds four"; write it as "pfm_read_pmds n=4 stack vs kmalloc = -20%", "pfm_read_pmds n=4 stack vs kmalloc calls\/s = \+20%" or "pfm_read_pmds n=4 kmalloc = 2000"$/,
    ],
    [
      'unknown syscall',
      ['--target', 'pfm_read n=4 kmalloc = 2000', '--vary', 'kmallocFast'],
      /unknown syscall "pfm_read"/,
    ],
    [
      'count 0',
      ['--target', 'pfm_read_pmds n=0 kmalloc = 2000', '--vary', 'kmallocFast'],
      /: n must be an integer from 1 to 4096, got "0"/,
    ],
    [
      'unknown strategy',
      ['--target', 'pfm_read_pmds n=4 kmaloc = 2000', '--vary', 'kmallocFast'],
      /unknown strategy "kmaloc"; did you mean "kmalloc"\?/,
    ],
    [
      'unknown versus',
      ['--target', 'pfm_read_pmds n=4 stack vs stak = -20%', '--vary', 'kmallocFast'],
      /unknown strategy "stak"; did you mean "stack"\?/,
    ],
    [
      'relative without %',
      ['--target', 'pfm_read_pmds n=4 stack vs kmalloc = -20', '--vary', 'kmallocFast'],
      /a relative target needs a percentage \("-20%"\); write it as/,
    ],
    [
      'a strategy against itself',
      ['--target', 'pfm_read_pmds n=4 stack vs stack = -20%', '--vary', 'kmallocFast'],
      /the target compares a strategy with itself; write it as/,
    ],
    [
      'absolute in %',
      ['--target', 'pfm_read_pmds n=4 stack = -20%', '--vary', 'kmallocFast'],
      /a percentage needs two strategies \("A vs B = -20%"\); write it as/,
    ],
    [
      'absolute 0 cycles',
      ['--target', 'pfm_read_pmds n=4 kmalloc = 0', '--vary', 'kmallocFast'],
      /an absolute target is a positive number of cycles; write it as/,
    ],
    [
      'absolute negative',
      ['--target', 'pfm_read_pmds n=4 kmalloc = -5', '--vary', 'kmallocFast'],
      /an absolute target is a positive number of cycles/,
    ],
    [
      'unknown cost figure',
      ['--target', ABS, '--vary', 'kmallocfast'],
      /unknown cost figure "kmallocfast"; did you mean "kmallocFast"\?/,
    ],
    [
      '--min not a number',
      ['--target', ABS, '--vary', 'copyFixed', '--min', 'abc'],
      /: --min must be a number >= 0, got "abc"$/,
    ],
    [
      '--min negative',
      ['--target', ABS, '--vary', 'copyFixed', '--min', '-1'],
      /: --min must be a number >= 0, got "-1"$/,
    ],
    [
      '--min empty',
      ['--target', ABS, '--vary', 'copyFixed', '--min', ''],
      /: --min must be a number >= 0, got ""$/,
    ],
    [
      '--min blank',
      ['--target', ABS, '--vary', 'copyFixed', '--min', ' '],
      /: --min must be a number >= 0, got " "$/,
    ],
    [
      '--max infinite',
      ['--target', ABS, '--vary', 'copyFixed', '--max', 'Infinity'],
      /: --max must be a number >= 0, got "Infinity"$/,
    ],
    [
      '--max below --min',
      ['--target', ABS, '--vary', 'copyFixed', '--min', '300', '--max', '100'],
      /: --max must be above --min$/,
    ],
    [
      '--max equal to --min',
      ['--target', ABS, '--vary', 'copyFixed', '--min', '100', '--max', '100'],
      /: --max must be above --min$/,
    ],
    [
      'unknown machine',
      ['--target', ABS, '--vary', 'copyFixed', '--machine', 'p4-2007'],
      /unknown machine "p4-2007"/,
    ],
    ['unknown abi', ['--target', ABS, '--vary', 'copyFixed', '--abi', 'v9'], /v9/],
    ['bad seed', ['--target', ABS, '--vary', 'copyFixed', '--seed', 'x'], /--seed/],
    ['no --vary', ['--target', ABS], /--vary/],
    [
      'calls/s without two strategies',
      ['--target', 'pfm_read_pmds n=4 kmalloc calls/s = 20%', '--vary', 'kmallocFast'],
      /: calls\/s compares two strategies \("A vs B calls\/s = \+20%"\); write it as/,
    ],
    [
      'a throughput change of -100%',
      ['--target', 'pfm_read_pmds n=4 stack vs kmalloc calls/s = -100%', '--vary', 'kmallocFast'],
      /: a throughput change is above -100%; write it as/,
    ],
    [
      '--min with --vary all',
      ['--target', REL, '--vary', 'all', '--min', '1'],
      /: --min and --max bound one figure; --vary all searches each from 0$/,
    ],
    [
      '--tolerance 0',
      ['--target', REL, '--vary', 'kmallocFast', '--tolerance', '0'],
      /: --tolerance must be a number > 0, got "0"$/,
    ],
    [
      '--tolerance text',
      ['--target', REL, '--vary', 'kmallocFast', '--tolerance', 'x'],
      /: --tolerance must be a number > 0, got "x"$/,
    ],
  ];
  for (const [label, args, pattern] of bad) {
    it(label, async () => {
      expectUsageError(await runInProcess(['calibrate', ...args]), pattern, label);
    });
  }

  it('checks an export path before it calibrates, and writes nothing', async () => {
    const dir = tempDir();
    const r = await calibrate(ABS, 'copyFixed', ['--export-csv', join(dir, 'missing', 'c.csv')]);
    expectUsageError(r, /--export-csv/);
  });
});

describe('calibrate: the answer', () => {
  it('an absolute target: the target, the figure, the call now, the solved value and its verdict', async () => {
    const r = await calibrate(ABS, 'copyFixed');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r)).toEqual([
      `pfmsim ${VERSION} · calibrate · machine p4-2006 · seed 1 · abi v2.3 · cost p4-2006`,
      'target: pfm_read_pmds n=4 kmalloc = 2500 (tolerance ±0.5 cycles)',
      'figure: copyFixed = 60 on p4-2006 (kind E: cost-model.md §1.1 (40–80))',
      'now:    pfm_read_pmds n=4 kmalloc = 2085 (2085 cycles)',
      'solved: copyFixed = 267.5 (5 simulated calls; gives 2500, 2500 cycles)',
      'implausible: far above the documented range 40–80',
    ]);
  });

  it('a value near the figure is plausible', async () => {
    const r = await calibrate('pfm_read_pmds n=4 stack vs kmalloc = -15%', 'kmallocFast');
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r).slice(-2)).toEqual([
      'solved: kmallocFast = 121.5 (30 simulated calls; gives -15.0%, 1765 vs 2077 cycles)',
      'plausible: 0.93x the figure 130, within the tolerance for a derived figure',
    ]);
  });

  it('the same answer as JSON, with the target as given and as read', async () => {
    const r = await calibrate(REL, 'kmallocFast', ['--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('calibrate', r.stdout) as unknown as CalibrateDoc;
    expect(doc).toMatchObject({
      command: 'calibrate',
      machine: 'p4-2006',
      seed: 1,
      abi: 'v2.3',
      cost: 'p4-2006',
      targetText: REL,
      targetSpec: parseTarget(REL),
      param: 'kmallocFast',
      target: -0.2,
      solved: true,
      value: 251.49,
      tolerance: 0.001,
      method: 'exact',
      sampled: null,
      interval: [0, 520],
      plausibility: { verdict: 'doubtful' },
    });
  });

  it('no value in the interval: says what the result ranges over, what to do, and exits 1', async () => {
    const r = await calibrate(REL, 'kmallocFast', ['--min', '300', '--max', '400']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(lines(r).slice(-2)).toEqual([
      'not solved: no value of kmallocFast in [300, 400] reproduces the target: the result ranges over -25.1% .. -21.7%',
      'vary another figure (--vary all lists them), or widen the interval with --min/--max',
    ]);
    const j = await calibrate(REL, 'kmallocFast', ['--min', '300', '--max', '400', '--json']);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout) as CalibrateDoc;
    expect(doc).toMatchObject({ solved: false, value: null, plausibility: null, interval: [300, 400] });
  });

  it('--min and --max bound the search (the interval reported is theirs)', async () => {
    const both = JSON.parse(
      (await calibrate(REL, 'kmallocFast', ['--min', '100', '--max', '400', '--json'])).stdout,
    );
    expect(both).toMatchObject({ solved: true, interval: [100, 400] });
    expect(both.value).toBeCloseTo(251.5, 0);
    const min = await calibrate(REL, 'kmallocFast', ['--min', '100', '--json']);
    expect(min.code, min.stderr).toBe(0);
    expect(JSON.parse(min.stdout)).toMatchObject({ solved: true, interval: [100, 520] });
    const max = await calibrate(REL, 'kmallocFast', ['--max', '400', '--json']);
    expect(max.code, max.stderr).toBe(0);
    expect(JSON.parse(max.stdout)).toMatchObject({ solved: true, interval: [0, 400] });
    const zero = await calibrate(REL, 'kmallocFast', ['--min', '0', '--json']);
    expect(zero.code, zero.stderr).toBe(0);
    expect(JSON.parse(zero.stdout)).toMatchObject({ solved: true, interval: [0, 520] });
  });

  it('--machine, --abi and --seed are stated in the header and the document', async () => {
    const r = await calibrate(ABS, 'copyFixed', ['--machine', 'core2-2007', '--abi', 'v2.2', '--seed', '7']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r)[0]).toBe(
      `pfmsim ${VERSION} · calibrate · machine core2-2007 · seed 7 · abi v2.2 · cost core2-2007`,
    );
    expect(lines(r)[2]).toMatch(/^figure: copyFixed = \S+ on core2-2007 /);
    const doc = JSON.parse(
      (
        await calibrate(ABS, 'copyFixed', [
          '--machine',
          'core2-2007',
          '--abi',
          'v2.2',
          '--seed',
          '7',
          '--json',
        ])
      ).stdout,
    ) as CalibrateDoc;
    expect(doc).toMatchObject({ machine: 'core2-2007', abi: 'v2.2', seed: 7 });
  });

  it('is deterministic: the same arguments give the same bytes', async () => {
    const a = await calibrate(REL, 'kmallocFast', ['--json']);
    const b = await calibrate(REL, 'kmallocFast', ['--json']);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('calibrate: exports', () => {
  it('--export-csv writes the result row with its provenance; --export-markdown the table', async () => {
    const dir = tempDir();
    const r = await calibrate(ABS, 'copyFixed', ['--export-csv', 'c.csv', '--export-markdown', 'c.md'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toBe(
      [
        'param,figure,kind,solved,target,achieved,plausibility,machine,seed,pfmsim',
        `copyFixed,60,E,267.5,2500,2500,implausible,p4-2006,1,${VERSION}`,
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(dir, 'c.md'), 'utf8')).toBe(
      [
        `## pfmsim ${VERSION} · calibrate · machine p4-2006 · seed 1 · abi v2.3 · cost p4-2006`,
        '',
        '### Calibration of copyFixed (p4-2006)',
        '',
        '| param | figure | kind | solved | target | achieved | plausibility |',
        '|:---|---:|:---|---:|---:|---:|:---|',
        '| copyFixed | 60 | E | 267.5 | 2500 | 2500 | implausible |',
        '',
      ].join('\n'),
    );
  });

  it('an unsolved calibration exports an empty value and the verdict "not solved"', async () => {
    const dir = tempDir();
    const r = await calibrate(
      REL,
      'kmallocFast',
      ['--min', '300', '--max', '400', '--export-csv', 'u.csv'],
      dir,
    );
    expect(r.code).toBe(1);
    const row = readFileSync(join(dir, 'u.csv'), 'utf8').split('\n')[1]!.split(',');
    expect(row.slice(0, 7)).toEqual(['kmallocFast', '130', 'D', '', '-0.2', '', 'not solved']);
  });

  it('the JSON export is the document --json prints', async () => {
    const dir = tempDir();
    const r = await calibrate(ABS, 'copyFixed', ['--export-json', 'c.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const j = await calibrate(ABS, 'copyFixed', ['--json']);
    expect(readFileSync(join(dir, 'c.json'), 'utf8')).toBe(j.stdout);
  });
});

describe('calibrate: colours', () => {
  const colour = (target: string, vary: string) =>
    runInProcess(['calibrate', '--target', target, '--vary', vary], {
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
    });

  it('the verdict is green when plausible, yellow when doubtful, red when implausible', async () => {
    const plausible = await colour('pfm_read_pmds n=4 stack vs kmalloc = -15%', 'kmallocFast');
    expect(plausible.stdout).toContain('\x1b[32mplausible\x1b[39m: 0.93x the figure 130');
    const doubtful = await colour(REL, 'kmallocFast');
    expect(doubtful.stdout).toContain('\x1b[33mdoubtful\x1b[39m: 1.93x the figure 130');
    const implausible = await colour(ABS, 'copyFixed');
    expect(implausible.stdout).toContain('\x1b[31mimplausible\x1b[39m: far above');
    expect(implausible.stdout).toContain('\x1b[1msolved: copyFixed = 267.5\x1b[22m');
  });

  it('an unsolved calibration is red', async () => {
    const r = await runInProcess(
      ['calibrate', '--target', REL, '--vary', 'kmallocFast', '--min', '300', '--max', '400'],
      { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } },
    );
    expect(r.stdout).toContain('\x1b[31mnot solved: no value of kmallocFast in [300, 400]');
  });
});

describe('calibrate --help', () => {
  it('describes the command and every flag', async () => {
    const r = await runInProcess(['calibrate', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      'solve for the cost figure that reproduces a measured result (a bracketed search over the simulated call, ' +
        'checked by measuring the value again) and say whether the value is plausible against the cost reference; ' +
        '--vary all gives one row per cost figure: what would have to be true',
    );
    expect(help).toContain(`--target <spec> ${TARGET_HELP.replace('write it as ', '')} `);
    expect(help).toContain(
      '--vary <param> the cost figure to solve for, or all (syscallEntryExit, fdLookup, kmallocFast,',
    );
    expect(help).toContain('--min <value> lower end of the search interval (default 0)');
    expect(help).toContain(
      '--max <value> upper end of the search interval (default: widened from 4x the figure)',
    );
    expect(help).toContain(
      '--tolerance <t> how close the result must come to the target: percentage points for % targets (default 0.1), cycles for absolute ones (default 0.5)',
    );
  });
});

describe('calibrate: the seed question, a drawn figure, throughput and --vary all', () => {
  it('allocColdProbability solves to a value that, re-measured as a mean of calls, gives -20.0 %', async () => {
    const r = await calibrate(REL, 'allocColdProbability');
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r).slice(4)).toEqual([
      'solved: allocColdProbability = 0.11493 (6 simulated calls; gives -20.0%, 1765 vs 2206.3 cycles, expected: linear in the probability, from all-hot and all-cold calls)',
      're-measured: -19.99% ± 0.05% as the mean of 126,000 calls per strategy (seed 1, 95 % confidence)',
      'doubtful: 0.115 away from the figure 0 on the probability scale (no documented range; a probability may move 0.05, doubtful to 0.25)',
    ]);
    const doc = expectSchema('calibrate', (await calibrate(REL, 'allocColdProbability', ['--json'])).stdout);
    expect(doc).toMatchObject({
      solved: true,
      value: 0.11493,
      method: 'expectation',
      sampled: { calls: 126000 },
    });
  });

  it('reads a throughput target and solves it', async () => {
    expect(parseTarget('pfm_read_pmds n=4 stack vs kmalloc calls/s = +20%')).toEqual({
      ...parseTarget(REL),
      kind: 'throughput',
      value: 0.2,
    });
    const r = await calibrate('pfm_read_pmds n=4 stack vs kmalloc calls/s = +20%', 'allocColdProbability');
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r)[1]).toBe(
      'target: pfm_read_pmds n=4 stack vs kmalloc calls/s = +20.0% (tolerance ±0.1 points)',
    );
    expect(lines(r)[4]).toMatch(/^solved: allocColdProbability = 0\.03128 \(/);
  });

  it('--tolerance is in percentage points for a % target, and can make a solution fail', async () => {
    const doc = JSON.parse((await calibrate(REL, 'kmallocFast', ['--tolerance', '0.5', '--json'])).stdout);
    expect(doc.tolerance).toBe(0.005);
    const strict = await calibrate('pfm_read_pmds n=4 kmalloc = 2185.5', 'kmallocFast', [
      '--tolerance',
      '0.1',
    ]);
    expect(strict.code).toBe(1);
    expect(lines(strict).at(-2)).toMatch(
      /^not solved: the closest value of kmallocFast found, [\d.]+, gives 218[56], outside the tolerance \(±0\.1 cycles\)$/,
    );
  });

  it('--vary all: one row per cost figure, sorted by verdict, as text and JSON', async () => {
    const r = await calibrate(REL, 'all');
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r);
    expect(out.slice(1, 3)).toEqual([
      'target: pfm_read_pmds n=4 stack vs kmalloc = -20.0% (tolerance ±0.1 points)',
      'now:    pfm_read_pmds n=4 stack vs kmalloc = -15.3% (1765 vs 2085 cycles)',
    ]);
    expect(out[4]).toMatch(/^figure +today +kind +value +ratio +documented +verdict +why +source$/);
    expect(out[5]).toMatch(/^allocColdProbability +0 +E +0\.11493 +- +- +doubtful /);
    expect(out.at(-1)).toBe(
      "5 of 26 figures reach the target alone; sorted by verdict, then by how far the value moves from today's figure",
    );
    const doc = expectSchema('calibrate', (await calibrate(REL, 'all', ['--json'])).stdout) as unknown as {
      vary: string;
      solved: boolean;
      rows: { param: string; verdict: string }[];
    };
    expect(doc.vary).toBe('all');
    expect(doc.solved).toBe(true);
    expect(doc.rows).toHaveLength(26);
    expect(doc.rows.slice(0, 5).map((x) => [x.param, x.verdict])).toEqual([
      ['allocColdProbability', 'doubtful'],
      ['kfreeFast', 'doubtful'],
      ['kmallocFast', 'doubtful'],
      ['syscallEntryExit', 'implausible'],
      ['copyPerByte', 'implausible'],
    ]);
  });

  it('--vary all with a target no figure reaches: not solved, the range each reaches, exit 1', async () => {
    const r = await calibrate('pfm_read_pmds n=4 stack vs kmalloc = +10%', 'all', ['--machine', 'modern']);
    expect(r.code).toBe(1);
    expect(lines(r).at(-1)).toBe('not solved: no single figure reaches the target (26 tried)');
    expect(r.stdout).toMatch(
      /\nallocColdProbability +0 +E +- +- +- +unreachable +the result ranges over -35\.6% \.\. -17\.1% for values in \[0, 1\] /,
    );
    const doc = expectSchema(
      'calibrate',
      (await calibrate('pfm_read_pmds n=4 stack vs kmalloc = +10%', 'all', ['--machine', 'modern', '--json']))
        .stdout,
    );
    expect(doc.solved).toBe(false);
  });
});
