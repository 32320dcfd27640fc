// `pfmsim tune` in this process: the --sizes grammar (inline and @file.json), each flag's effect,
// the answer as text, JSON, CSV and Markdown, and bad input as one line with exit 2.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, expectSchema, expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';
import { VERSION } from '../version.js';
import { DEFAULT_SIZES, parseSizes } from './tune.js';

const SIZES_HELP = 'e.g. "pmd:1=40,4=40,64=20;pmc:4=100" (count=weight per kind) or @file.json';

const tune = (args: string[], cwd?: string): Promise<CliRun> =>
  runInProcess(['tune', ...args], cwd ? { cwd } : {});

interface TuneDoc {
  sizes: string;
  defaultSizes: boolean;
  fallback: string;
  stackBudget: number;
  fallbackCycles: number;
  thresholds: Record<string, number>;
  kinds: { kind: string; elements: number }[];
}

const json = async (args: string[], cwd?: string): Promise<TuneDoc> => {
  const r = await tune([...args, '--json'], cwd);
  expect(r.code, r.stderr).toBe(0);
  return expectSchema('tune', r.stdout) as unknown as TuneDoc;
};

/** A directory holding sizes.json with `content`. */
function sizesFile(content: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'sizes.json'), content);
  return dir;
}

describe('tune --sizes: the inline grammar', () => {
  it('reads count=weight pairs per element kind', () => {
    expect(parseSizes('pmd:1=40,4=40,64=20;pmc:4=100', '.')).toEqual({
      pmd: { 1: 40, 4: 40, 64: 20 },
      pmc: { 4: 100 },
    });
  });

  it('takes white space around the separators, decimal weights and a trailing semicolon', () => {
    expect(parseSizes(' pmd : 1 = 40 , 4=2.25 ; pmc:4=100; ', '.')).toEqual({
      pmd: { 1: 40, 4: 2.25 },
      pmc: { 4: 100 },
    });
    expect(parseSizes('pmd:1=40;', '.')).toEqual({ pmd: { 1: 40 } });
  });

  it('rejects what it cannot read instead of dropping part of it', () => {
    expect(() => parseSizes('2pmd:1=40', '.')).toThrow('--sizes: cannot read "2pmd:1=40"');
    expect(() => parseSizes('pmd:1=40\npmc:4=100', '.')).toThrow(
      /--sizes: cannot read "pmd:1=40\npmc:4=100"/,
    );
    expect(() => parseSizes('pmd:x1=40', '.')).toThrow('--sizes: cannot read "x1=40" in pmd');
    expect(() => parseSizes('pmd:1=40x', '.')).toThrow('--sizes: cannot read "1=40x" in pmd');
  });

  it('the default distribution is the documented assumption', () => {
    expect(parseSizes(DEFAULT_SIZES, '.')).toEqual({
      pmc: { 1: 10, 2: 25, 4: 40, 8: 20, 32: 5 },
      pmd: { 1: 10, 2: 25, 4: 40, 8: 20, 32: 5 },
      setdesc: { 1: 90, 4: 10 },
      setinfo: { 1: 90, 4: 10 },
    });
  });
});

describe('tune: the answer', () => {
  it('the thresholds for a distribution: budget, sizes, the table and the hybrid options', async () => {
    const r = await tune(['--sizes', 'pmc:1=1;pmd:2=1', '--stack-budget', '400']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `pfmsim ${VERSION} · tune · machine p4-2006 · seed - · arch i386 · cost p4-2006`,
      'stack budget 400 B per call; above the threshold: kmalloc at 320 cycles',
      'sizes: pmc:1=1;pmd:2=1',
      '',
      'kind  threshold  stack  max fits  calls on stack  buffer cycles/call  without stack',
      'pmc           1   48 B         8          100.0%                 0.0          320.0',
      'pmd           2  352 B         2          100.0%                 0.0          320.0',
      '',
      'hybrid strategy options for this budget: { pmc: 1, pmd: 2 } (the set kinds always take the cache path)',
    ]);
  });

  it('without --sizes: the default distribution, said to be an assumption', async () => {
    const r = await tune([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `\nsizes: ${DEFAULT_SIZES} (default, an assumption: give --sizes for your workload)\n`,
    );
    expect(r.stdout).toContain(
      'stack budget 768 B per call (hybrid budget rule); above the threshold: kmalloc at 320 cycles',
    );
    const doc = await json([]);
    expect(doc).toMatchObject({ sizes: DEFAULT_SIZES, defaultSizes: true, fallback: 'kmalloc' });
    expect(doc.kinds.map((k) => k.kind)).toEqual(['pmc', 'pmd', 'setdesc', 'setinfo']);
  });

  it('with --sizes: no note, and the document says the sizes were given', async () => {
    const r = await tune(['--sizes', 'pmd:4=1']);
    expect(r.stdout).toContain('\nsizes: pmd:4=1\n');
    expect(await json(['--sizes', 'pmd:4=1'])).toMatchObject({ sizes: 'pmd:4=1', defaultSizes: false });
  });

  it('--stack-budget sets the budget, and fewer elements fit', async () => {
    const wide = await json(['--sizes', 'pmd:1=1,4=1']);
    expect(wide.stackBudget).toBe(768);
    expect(wide.thresholds.pmd).toBe(4);
    const narrow = await json(['--sizes', 'pmd:1=1,4=1', '--stack-budget', '200']);
    expect(narrow.stackBudget).toBe(200);
    expect(narrow.thresholds.pmd).toBe(1);
    const r = await tune(['--sizes', 'pmd:1=1,4=1', '--stack-budget', '200']);
    expect(r.stdout).toContain('\nstack budget 200 B per call; above the threshold');
  });

  it('--fallback ctx-cache prices a vector above the threshold at the cache path', async () => {
    const doc = await json(['--fallback', 'ctx-cache']);
    expect(doc).toMatchObject({ fallback: 'ctx-cache', fallbackCycles: 200 });
    const r = await tune(['--fallback', 'ctx-cache']);
    expect(r.stdout).toContain('above the threshold: ctx-cache at 200 cycles');
  });

  it('--machine picks the arch and cost profile', async () => {
    const r = await tune(['--machine', 'p4-2006-4k', '--sizes', 'pmd:1=1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      `pfmsim ${VERSION} · tune · machine p4-2006-4k · seed - · arch i386-4k · cost p4-2006`,
    );
    expect(r.stdout).toContain('stack budget 485 B per call (hybrid budget rule)');
  });

  it('is deterministic: the same arguments give the same bytes', async () => {
    const a = await tune(['--json']);
    const b = await tune(['--json']);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('tune --sizes @file.json', () => {
  it('reads {"kind": {"count": weight}}: the same answer as the inline form', async () => {
    const dir = sizesFile(JSON.stringify({ pmd: { '1': 40, '16': 40, '64': 20 }, pmc: { '4': 0 } }));
    const fromFile = await json(['--sizes', '@sizes.json'], dir);
    const inline = await json(['--sizes', 'pmd:1=40,16=40,64=20;pmc:4=0']);
    expect(fromFile.sizes).toBe('@sizes.json');
    expect(fromFile.thresholds).toEqual(inline.thresholds);
    expect(fromFile.kinds).toEqual(inline.kinds);
    expect(fromFile.kinds.map((k) => k.kind)).toEqual(['pmd']);
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', '{pmd:', /: --sizes file sizes\.json is not valid JSON \(.+\); e\.g\. /],
    ['a number', '5', /: --sizes file sizes\.json must hold an object of kind -> \{count: weight\}; e\.g\./],
    ['null', 'null', /: --sizes file sizes\.json must hold an object of kind -> \{count: weight\}/],
    ['an array', '[{"pmd": {"1": 1}}]', /: --sizes file sizes\.json must hold an object of kind/],
    ['an unknown kind', '{"pmx": {"1": 1}}', /: unknown element kind "pmx"; did you mean "pmc"\?/],
    [
      'a kind that is a number',
      '{"pmd": 5}',
      /: --sizes file: pmd must be an object of count -> weight; e\.g\./,
    ],
    ['a kind that is null', '{"pmd": null}', /: --sizes file: pmd must be an object of count -> weight/],
    [
      'a count that is not a number',
      '{"pmd": {"a1": 1}}',
      /: --sizes file: pmd\.a1 must be a count with a weight >= 0; e\.g\./,
    ],
    [
      'a count with a suffix',
      '{"pmd": {"1a": 1}}',
      /: --sizes file: pmd\.1a must be a count with a weight >= 0/,
    ],
    [
      'a weight that is a string',
      '{"pmd": {"1": "40"}}',
      /: --sizes file: pmd\.1 must be a count with a weight >= 0/,
    ],
    ['a negative weight', '{"pmd": {"1": -1}}', /: --sizes file: pmd\.1 must be a count with a weight >= 0/],
  ];
  for (const [label, content, pattern] of bad) {
    it(`rejects ${label} in one line`, async () => {
      expectUsageError(await tune(['--sizes', '@sizes.json'], sizesFile(content)), pattern, label);
    });
  }

  it('a missing file is named', async () => {
    expectUsageError(
      await tune(['--sizes', '@nope.json'], tempDir()),
      /: --sizes file nope\.json does not exist/,
    );
  });
});

describe('tune: bad input is one line and exit 2', () => {
  const bad: [string, string[], RegExp][] = [
    ['an empty --sizes', ['--sizes', ''], /: --sizes is empty; e\.g\. "pmd:1=40,4=40,64=20;pmc:4=100"/],
    ['only separators', ['--sizes', ' ; '], /: --sizes is empty/],
    ['a kind without counts', ['--sizes', 'pmd'], /: --sizes: cannot read "pmd"; e\.g\./],
    ['a count without weight', ['--sizes', 'pmd:1=40, 4'], /: --sizes: cannot read "4" in pmd; e\.g\./],
    ['an unknown kind', ['--sizes', 'pmx:1=40'], /: unknown element kind "pmx"/],
    [
      'an unknown fallback',
      ['--fallback', 'slab'],
      /: unknown --fallback "slab"; valid: kmalloc, ctx-cache$/,
    ],
    [
      'a negative budget',
      ['--stack-budget', '-1'],
      /: --stack-budget must be an integer from 0 to 1048576, got "-1"$/,
    ],
    [
      'a budget in words',
      ['--stack-budget', 'lots'],
      /: --stack-budget must be an integer from 0 to 1048576, got "lots"$/,
    ],
    ['an unknown machine', ['--machine', 'p4'], /unknown machine "p4"/],
  ];
  for (const [label, args, pattern] of bad) {
    it(label, async () => {
      expectUsageError(await tune(args), pattern, label);
    });
  }
});

describe('tune: exports', () => {
  it('--export-csv and --export-markdown write the thresholds table, rounded, with provenance', async () => {
    const dir = tempDir();
    const r = await tune(
      [
        '--sizes',
        'pmd:1=1,2=1,64=1;pmc:3=2,100=1',
        '--stack-budget',
        '1000',
        '--export-csv',
        't.csv',
        '--export-markdown',
        't.md',
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 't.csv'), 'utf8')).toBe(
      [
        'kind,threshold,stack_bytes,max_elements,stack_share,cycles,cycles_without_stack,machine,seed,pfmsim',
        `pmc,3,144,20,0.667,106.7,320,p4-2006,,${VERSION}`,
        `pmd,2,352,5,0.667,106.7,320,p4-2006,,${VERSION}`,
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(dir, 't.md'), 'utf8')).toBe(
      [
        `## pfmsim ${VERSION} · tune · machine p4-2006 · seed - · arch i386 · cost p4-2006`,
        '',
        '### Stack thresholds (p4-2006, i386)',
        '',
        '| kind | threshold | stack_bytes | max_elements | stack_share | cycles | cycles_without_stack |',
        '|:---|---:|---:|---:|---:|---:|---:|',
        '| pmc | 3 | 144 | 20 | 0.667 | 106.7 | 320 |',
        '| pmd | 2 | 352 | 5 | 0.667 | 106.7 | 320 |',
        '',
      ].join('\n'),
    );
  });

  it('checks an export path before the work', async () => {
    const dir = tempDir();
    expectUsageError(await tune(['--export-markdown', join(dir, 'no', 't.md')]), /--export-markdown/);
  });
});

describe('tune --help', () => {
  it('describes the command and every flag', async () => {
    const r = await tune(['--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      'recommended on-stack thresholds per element kind for a distribution of vector lengths',
    );
    expect(help).toContain(`--sizes <dist> vector lengths and their weights, ${SIZES_HELP} `);
    expect(help).toContain(
      '--stack-budget <bytes> bytes one call may put on the stack (default: the hybrid budget rule)',
    );
    expect(help).toContain(
      '--fallback <path> what a vector above the threshold costs: kmalloc or ctx-cache (default: "kmalloc")',
    );
  });
});
