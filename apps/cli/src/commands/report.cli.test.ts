// `pfmsim report`, run in process: result documents in, one self-contained HTML page out
// (written atomically), a summary line or JSON document on stdout, and one-line errors with
// exit 2 for a bad document, flag or output path.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSchema, expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';
import { VERSION } from '../version.js';

/** The first test imports the whole CLI; under a mutation run everything is slower. */
const TIMEOUT_MS = 60_000;

const breakdown = (alloc: number, copy: number, handler: number) => ({
  syscall: 641,
  fd: 20,
  alloc,
  copy,
  lock: 220,
  atomic: 0,
  fault: 0,
  handler,
  sched: 0,
  irq: 0,
  workload: 0,
});

const row = (strategy: string, count: number, cyclesPerCall: number, b: ReturnType<typeof breakdown>) => ({
  syscall: 'pfm_read_pmds',
  count,
  strategy,
  cyclesPerCall,
  breakdown: b,
  stackBytes: 256,
  error: null,
  kernelBugs: 0,
});

const strategyRow = (name: string, o: Record<string, unknown>) => ({
  name,
  cyclesAt4: 2085,
  cyclesAt64: 13533,
  savingAt4: 0,
  savingAt64: 0,
  stackFrameBytes: 0,
  stackDepth: 160,
  frameWarn: false,
  pinnedBytesAfterAttack: 0,
  pinnedBytesAfterThreadAttack: 0,
  raceFree: true,
  kernelBugs: [],
  raceReplay: null,
  verdict: 'baseline: the 2006 code',
  ...o,
});

/** A small `pfmsim compare --json` document (two strategies, 1..4 registers, 16 attack contexts). */
const COMPARE = {
  pfmsimVersion: '0.0.0',
  command: 'compare',
  machine: 'p4-2006',
  seed: 1,
  arch: 'i386',
  cost: 'p4-2006',
  pmu: 'intel-p4',
  abi: 'v2.3',
  threads: 1,
  counts: [1, 2, 4],
  results: [
    row('kmalloc', 1, 1511, breakdown(320, 260, 50)),
    row('kmalloc', 2, 1703, breakdown(320, 402, 100)),
    row('kmalloc', 4, 2085, breakdown(320, 684, 200)),
    row('task-cache', 1, 1191, breakdown(0, 260, 50)),
    row('task-cache', 2, 1383, breakdown(0, 402, 100)),
    row('task-cache', 4, 1765, breakdown(0, 684, 200)),
  ],
  strategies: [
    strategyRow('kmalloc', {}),
    strategyRow('task-cache', {
      cyclesAt4: 1765,
      cyclesAt64: 13213,
      savingAt4: 0.15347721822541965,
      savingAt64: 0.023645902608438633,
      pinnedBytesAfterAttack: 4096,
      verdict: 'saves 15.3% at 4 regs but pins 1.0 MiB for 256 threads',
    }),
  ],
  best: 'task-cache',
  machineDescription: 'Pentium 4 3 GHz, i386 (8 KiB stacks), 2006',
  attackContexts: 16,
};

/** The same comparison as if run on the Itanium 2 (16 KiB pages: task-cache pins 16 KiB). */
const ITANIUM = {
  ...COMPARE,
  machine: 'itanium2-2006',
  arch: 'ia64',
  cost: 'itanium2-2006',
  pmu: 'itanium2',
  seed: 5,
  machineDescription: 'Itanium 2',
};

const attackDoc = (machine: string, strategy: string, pinned: [number, number][]) => ({
  pfmsimVersion: '0.0.0',
  command: 'attack',
  machine,
  seed: 1,
  abi: 'v2.3',
  strategy,
  contexts: pinned[pinned.length - 1]?.[0] ?? 0,
  samples: pinned.map(([contexts, pinnedBytes]) => ({ contexts, pinnedBytes, kernelBytes: pinnedBytes })),
});

function dirWith(files: Record<string, unknown>): string {
  const dir = tempDir('pfmsim-report-');
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

const report = (dir: string, ...args: string[]) => runInProcess(['report', ...args], { cwd: dir });
const read = (dir: string, name = 'r.html') => readFileSync(join(dir, name), 'utf8');
const all = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]!);

function chart(html: string, id: string): string {
  const start = html.indexOf(`<figure class="chart" data-chart="${id}">`);
  expect(start, `chart ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</figure>', start));
}

/** The pinned-memory chart's curves: legend names and the last point of each. */
/** The pinned-memory curves: the labels at their ends and each curve's last point. */
function pinnedCurves(html: string, index = 0): { legend: string[]; last: Record<string, string> } {
  const c = chart(html, `pinned-${index}`);
  const last: Record<string, string> = {};
  for (const group of c.split('<g class="series ').slice(1)) {
    const [name, point] = all(group, /<title>([^<]*)<\/title>/g)
      .at(-1)!
      .split(': ');
    last[name!] = point!.replace('-&gt;', '->');
  }
  const legend = all(c, /class="end-label" fill="currentColor">(.*?)<\/text>/g).map((l) =>
    l
      .replace(/<tspan[^>]*>/g, ' ')
      .replace(/<\/tspan>/g, '')
      .trim(),
  );
  return { legend, last };
}

/** The arch panels of the stack-budget chart. */
const budgetArchs = (html: string) =>
  all(chart(html, 'stack-budget'), /class="label">([^<]*)<\/text>/g).map((l) => l.split(' ')[0]);

describe('pfmsim report: the page and the summary', { timeout: TIMEOUT_MS }, () => {
  it('writes the HTML page and prints one line saying what it wrote', async () => {
    const dir = dirWith({ 'c.json': COMPARE });
    const r = await report(dir, 'c.json', '-o', 'r.html');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const html = read(dir);
    const charts = html.match(/<figure class="chart"/g)!.length;
    // cost vs registers, change vs kmalloc, breakdown, pinned memory, stack budget
    expect(charts).toBe(5);
    expect(r.stdout).toBe(
      `pfmsim ${VERSION} · report · machine p4-2006 · seed 1\n` +
        `wrote r.html: 1 compare result, 5 charts, ${Buffer.byteLength(html)} bytes, self-contained (no network)\n`,
    );
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>pfmsim report: p4-2006</title>');
    expect(html).toContain('<h2>p4-2006 · abi v2.3 · seed 1 · threads 1</h2>');
    expect(html).toContain('· from c.json · made by pfmsim 0.0.0</p>');
    expect(html).toContain(
      '<tr class="best"><td data-label="strategy">task-cache</td><td class="n" data-label="cycles @4">1765</td><td class="n" data-label="vs kmalloc @4">-15.3%</td>',
    );
    // No notes of its own between the page header and the first section.
    expect(html.slice(html.indexOf('<h1>'), html.indexOf('<section'))).not.toContain('class="note"');
  });

  it('--json: the output path, the inputs, and a section per compare document', async () => {
    const dir = dirWith({ 'c.json': COMPARE, 'ia64.json': ITANIUM });
    mkdirSync(join(dir, 'out'));
    const r = await report(dir, 'c.json', 'ia64.json', '-o', 'out/r.html', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('report', r.stdout);
    const html = read(dir, 'out/r.html');
    expect(doc).toEqual({
      pfmsimVersion: VERSION,
      command: 'report',
      machine: 'p4-2006,itanium2-2006',
      seed: 1,
      output: join('out', 'r.html'),
      inputs: ['c.json', 'ia64.json'],
      sections: 2,
      charts: 9,
      bytes: Buffer.byteLength(html),
    });
    expect(all(html, /<h2>([^<]*) · abi/g)).toEqual(['p4-2006', 'itanium2-2006']);
    expect(html).toContain('<title>pfmsim report: p4-2006, itanium2-2006</title>');
    const text = await report(dir, 'c.json', 'ia64.json', '-o', 'out/r.html');
    expect(text.stdout).toMatch(/^wrote out\/r\.html: 2 compare results, 9 charts, \d+ bytes/m);
  });

  it('draws a chart of samples by function for each record document', async () => {
    const profile = {
      pfmsimVersion: '0.0.0',
      command: 'record',
      machine: 'p4-2006',
      seed: 1,
      event: 'global_power_events:RUNNING',
      period: 100000,
      samples: 1000,
      lost: 0,
      overheadCyclesPerSample: 891,
      functions: [
        { name: 'main', start: 1, end: 2, samples: 500, share: 0.5 },
        { name: 'io', start: 2, end: 3, samples: 200, share: 0.2 },
      ],
    };
    const dir = dirWith({ 'c.json': COMPARE, 'rec.json': profile });
    const r = await report(dir, 'c.json', 'rec.json', '-o', 'r.html', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(expectSchema('report', r.stdout).charts).toBe(6);
    const html = read(dir);
    const c = chart(html, 'profile-0');
    expect(c).toContain(
      'Samples by function: global_power_events:RUNNING every 100000 on p4-2006 (rec.json)',
    );
    expect(all(c, /<title>([^<]*)<\/title>/g).filter((t) => t.includes('samples:'))).toEqual([
      'main 50.0% samples: 500',
      'io 20.0% samples: 200',
    ]);
    expect(html).toContain('rec.json: 1000 samples, 0 lost, 891 kernel cycles per sample');
    const random = dirWith({ 'c.json': COMPARE, 'rec.json': { ...profile, lost: null } });
    expect((await report(random, 'c.json', 'rec.json', '-o', 'r.html')).code).toBe(0);
    expect(read(random)).toContain('rec.json: 1000 samples, random periods, 891 kernel cycles per sample');
    const bad = dirWith({ 'c.json': COMPARE, 'rec.json': { ...profile, functions: [{ name: 'main' }] } });
    expectUsageError(await report(bad, 'c.json', 'rec.json', '-o', 'r.html'), /rec\.json: functions\[0\]/);
  });

  it('replaces an existing page atomically and leaves no temporary file behind', async () => {
    const dir = dirWith({ 'c.json': COMPARE, 'r.html': 'old page' });
    const r = await report(dir, 'c.json', '-o', 'r.html', '-q');
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir)).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
    expect(readdirSync(dir).sort()).toEqual(['c.json', 'r.html']);
  });

  it('offers only --output, --archs and the output flags (no exports): --help says what it does', async () => {
    const help = await runInProcess(['report', '--help']);
    expect(help.code).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' ');
    expect(text).toContain(
      'a self-contained HTML report (inline SVG, no network) from `compare --json` results, and optionally `attack --json` and `record --json` results: decision table, cycles against kmalloc and per call, cycle breakdown, pinned memory vs contexts, race findings as swimlanes, stack budgets, sampling profiles; light and dark schemes',
    );
    expect(text).toContain(
      'results JSON documents written by `pfmsim compare --json` (or --export-json), `pfmsim attack --json` and `pfmsim record --json`',
    );
    expect(text).toContain('-o, --output <file> the HTML file to write');
    expect(text).toContain(
      '--archs <list> archs of the stack-budget chart, or "all" (default: "i386,i386-4k,x86_64,x86_64-16k,ia64,ppc64")',
    );
    expect(text).toContain('--json print one JSON document');
    expect(text).not.toContain('--export-json <file>');
    const dir = dirWith({ 'c.json': COMPARE });
    expectUsageError(
      await report(dir, 'c.json', '-o', 'r.html', '--export-json', 'x.json'),
      /unknown option '--export-json'/,
    );
    expect(readdirSync(dir)).toEqual(['c.json']);
  });
});

describe('pfmsim report: attack curves and stack budgets', { timeout: TIMEOUT_MS }, () => {
  it('takes a curve from an attack document of the same machine and strategy, and computes the others', async () => {
    const dir = dirWith({
      'c.json': COMPARE,
      'a.json': attackDoc('p4-2006', 'task-cache', [
        [0, 0],
        [8, 12288],
      ]),
      // another machine's curve for kmalloc: not this section's
      'k8.json': attackDoc('k8-2006', 'kmalloc', [
        [0, 0],
        [8, 8192],
      ]),
    });
    const r = await report(dir, 'c.json', 'k8.json', 'a.json', '-o', 'r.html');
    expect(r.code, r.stderr).toBe(0);
    const html = read(dir);
    const { legend, last } = pinnedCurves(html);
    // the computed curve says so at its end (and draws hollow markers)
    expect(legend).toEqual(['kmalloc (0 B), computed', 'task-cache (12 KiB)']);
    // kmalloc computed with the document's 16 contexts; task-cache as given.
    expect(last).toEqual({ 'kmalloc (0 B)': '16 -> 0 B', 'task-cache (12 KiB)': '8 -> 12 KiB' });
    expect(html).toContain(
      'Attack curves marked "computed" (hollow markers) were run by <code>pfmsim report</code> on p4-2006 (abi v2.3, seed 1, 16 contexts)',
    );
  });

  it('says nothing about computed curves when every curve comes from a file', async () => {
    const dir = dirWith({
      'c.json': COMPARE,
      'a.json': attackDoc('p4-2006', 'task-cache', [[4, 4096]]),
      'b.json': attackDoc('p4-2006', 'kmalloc', [[4, 0]]),
    });
    const r = await report(dir, 'a.json', 'c.json', 'b.json', '-o', 'r.html');
    expect(r.code, r.stderr).toBe(0);
    const html = read(dir);
    expect(pinnedCurves(html).last).toEqual({
      'kmalloc (0 B)': '4 -> 0 B',
      'task-cache (4 KiB)': '4 -> 4 KiB',
    });
    expect(html).not.toContain('Attack curves marked');
    expect(pinnedCurves(html).legend).toEqual(['kmalloc (0 B)', 'task-cache (4 KiB)']);
  });

  it("computes curves on the document's machine, a custom one too, with 1024 contexts by default", async () => {
    const { attackContexts: _, ...noContexts } = ITANIUM;
    const dir = dirWith({
      'ia64.json': ITANIUM,
      'custom.json': { ...ITANIUM, machine: 'ia64/itanium2-2006/itanium2' },
      'default.json': noContexts,
    });
    const r = await report(
      dir,
      'ia64.json',
      'custom.json',
      'default.json',
      '-o',
      'r.html',
      '--archs',
      'ia64',
    );
    expect(r.code, r.stderr).toBe(0);
    const html = read(dir);
    // 16 KiB pages: one pinned page per task is 16 KiB on ia64 (4 KiB on i386).
    expect(pinnedCurves(html, 0).last).toEqual({
      'kmalloc (0 B)': '16 -> 0 B',
      'task-cache (16 KiB)': '16 -> 16 KiB',
    });
    expect(pinnedCurves(html, 1).last).toEqual(pinnedCurves(html, 0).last);
    expect(Object.values(pinnedCurves(html, 2).last).map((p) => p.split(' ')[0])).toEqual(['1024', '1024']);
    expect(html).toContain('(abi v2.3, seed 5, 1024 contexts)');
  });

  it('draws the stack budget of the 2006 archs and the modern one, or the archs --archs names', async () => {
    const dir = dirWith({ 'c.json': COMPARE });
    expect((await report(dir, 'c.json', '-o', 'r.html')).code).toBe(0);
    expect(budgetArchs(read(dir))).toEqual(['i386', 'i386-4k', 'x86_64', 'x86_64-16k', 'ia64', 'ppc64']);
    const sec = read(dir).slice(read(dir).indexOf('<section id="stack">'));
    expect(all(sec, /<\/span>([^ <]+)/g)).toEqual(['kmalloc', 'task-cache']);

    expect((await report(dir, 'c.json', '-o', 'r.html', '--archs', 'x86_64,ppc64')).code).toBe(0);
    expect(budgetArchs(read(dir))).toEqual(['x86_64', 'ppc64']);
    expect((await report(dir, 'c.json', '-o', 'r.html', '--archs', 'all')).code).toBe(0);
    expect(budgetArchs(read(dir))).toHaveLength(9);

    expectUsageError(
      await report(dir, 'c.json', '-o', 'r2.html', '--archs', 'x86-64'),
      /^pfmsim: unknown arch "x86-64"; did you mean "x86_64"\?/,
    );
    expect(existsSync(join(dir, 'r2.html'))).toBe(false);
  });
});

describe('pfmsim report: errors are one line, exit 2, and write nothing', { timeout: TIMEOUT_MS }, () => {
  const NOT_A_RESULT =
    /is not a pfmsim compare, attack or record JSON document; make one with `pfmsim compare --json > compare\.json`$/;

  it.each([
    [
      'a missing file',
      { 'c.json': COMPARE },
      ['c.json', 'nothing.json'],
      /results file nothing\.json does not exist/,
    ],
    [
      'a file that is not JSON',
      { 'bad.json': '{"command": "compare",' },
      ['bad.json'],
      /^pfmsim: bad\.json is not valid JSON \(.+\); pass the output of `pfmsim compare --json`$/,
    ],
    ['null', { 'n.json': 'null' }, ['n.json'], NOT_A_RESULT],
    ['an array', { 'n.json': '[1]' }, ['n.json'], NOT_A_RESULT],
    ['another command’s document', { 't.json': { command: 'tune' } }, ['t.json'], NOT_A_RESULT],
    [
      'a compare document without strategies',
      { 'c.json': { ...COMPARE, strategies: undefined } },
      ['c.json'],
      /^pfmsim: c\.json is not a pfmsim compare/,
    ],
    [
      'a compare document without results',
      { 'c.json': { ...COMPARE, results: {} } },
      ['c.json'],
      /^pfmsim: c\.json is not a pfmsim compare/,
    ],
    [
      'an attack document without samples',
      { 'c.json': COMPARE, 'a.json': { ...attackDoc('p4-2006', 'kmalloc', []), samples: undefined } },
      ['c.json', 'a.json'],
      /^pfmsim: a\.json is not a pfmsim compare/,
    ],
    [
      'an attack document of another command',
      { 'c.json': COMPARE, 'a.json': { ...attackDoc('p4-2006', 'kmalloc', []), command: 'race' } },
      ['c.json', 'a.json'],
      /^pfmsim: a\.json is not a pfmsim compare/,
    ],
    [
      'another command’s document with results and strategies',
      { 's.json': { command: 'sweep', results: [], strategies: [] } },
      ['s.json'],
      NOT_A_RESULT,
    ],
    [
      'attack documents only',
      { 'a.json': attackDoc('p4-2006', 'kmalloc', [[0, 0]]) },
      ['a.json'],
      /^pfmsim: the report needs at least one `pfmsim compare --json` result; run `pfmsim compare --json > compare\.json` first$/,
    ],
  ])('%s', async (_, files, args, pattern) => {
    const dir = dirWith(files);
    expectUsageError(await report(dir, ...args, '-o', 'r.html'), pattern);
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });

  it('checks the output path before reading any document', async () => {
    const dir = dirWith({ 'bad.json': '{' });
    expectUsageError(
      await report(dir, 'bad.json', '-o', 'no/such/dir/r.html'),
      /^pfmsim: --output no\/such\/dir\/r\.html: directory .* does not exist; create it first or pick another path$/,
    );
    const d2 = dirWith({ 'c.json': COMPARE });
    mkdirSync(join(d2, 'out'));
    expectUsageError(
      await report(d2, 'c.json', '-o', 'out'),
      /^pfmsim: --output out is a directory; give a file name$/,
    );
    expectUsageError(await report(d2, 'c.json'), /required option '-o, --output <file>' not specified/);
  });

  it('leaves an existing page as it was when the run fails', async () => {
    const dir = dirWith({ 'c.json': COMPARE, 'bad.json': { command: 'tune' }, 'r.html': 'old page' });
    expectUsageError(await report(dir, 'c.json', 'bad.json', '-o', 'r.html'), NOT_A_RESULT);
    expect(read(dir)).toBe('old page');
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'c.json', 'r.html']);
  });
});

describe('pfmsim report: a malformed compare document is a usage error naming the field', {
  timeout: TIMEOUT_MS,
}, () => {
  const without = (key: string) => {
    const { [key]: _, ...rest } = COMPARE as Record<string, unknown>;
    return rest;
  };
  const strategy0 = (o: Record<string, unknown>) => ({
    ...COMPARE,
    strategies: [{ ...COMPARE.strategies[0], ...o }, COMPARE.strategies[1]],
  });
  const result1 = (o: Record<string, unknown>) => ({
    ...COMPARE,
    results: [COMPARE.results[0], { ...COMPARE.results[1], ...o }],
  });

  it.each([
    ['machine', without('machine'), 'machine: expected string, got undefined'],
    ['arch', { ...COMPARE, arch: 64 }, 'arch: expected string, got number'],
    ['cost', without('cost'), 'cost: expected string, got undefined'],
    ['pmu', { ...COMPARE, pmu: null }, 'pmu: expected string, got null'],
    ['abi', without('abi'), 'abi: expected string, got undefined'],
    ['best', { ...COMPARE, best: ['stack'] }, 'best: expected string, got array'],
    ['seed', { ...COMPARE, seed: '1' }, 'seed: expected number, got string'],
    [
      'machineDescription',
      { ...COMPARE, machineDescription: 5 },
      'machineDescription: expected string, got number',
    ],
    ['pfmsimVersion', { ...COMPARE, pfmsimVersion: {} }, 'pfmsimVersion: expected string, got object'],
    ['attackContexts', { ...COMPARE, attackContexts: '16' }, 'attackContexts: expected number, got string'],
    ['a strategy', { ...COMPARE, strategies: [null] }, 'strategies[0]: expected object, got null'],
    ['a strategy name', strategy0({ name: undefined }), 'strategies[0].name: expected string, got undefined'],
    ['raceFree', strategy0({ raceFree: 'no' }), 'strategies[0].raceFree: expected boolean, got string'],
    ['kernelBugs', strategy0({ kernelBugs: 'none' }), 'strategies[0].kernelBugs: expected array, got string'],
    ['a verdict', strategy0({ verdict: null }), 'strategies[0].verdict: expected string, got null'],
    ['a result', { ...COMPARE, results: [COMPARE.results[0], 7] }, 'results[1]: expected object, got number'],
    ['a syscall', result1({ syscall: undefined }), 'results[1].syscall: expected string, got undefined'],
    ['a result strategy', result1({ strategy: 3 }), 'results[1].strategy: expected string, got number'],
    ['a breakdown', result1({ breakdown: null }), 'results[1].breakdown: expected object, got null'],
  ])('%s', async (_, doc, problem) => {
    const dir = dirWith({ 'c.json': COMPARE, 'x.json': doc });
    const r = await report(dir, 'c.json', 'x.json', '-o', 'r.html');
    expectUsageError(r, /./);
    expect(r.stderr).toBe(`pfmsim: x.json: ${problem}; pass the output of \`pfmsim compare --json\`\n`);
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });

  it('an unknown ABI profile', async () => {
    const dir = dirWith({ 'x.json': { ...COMPARE, abi: 'v9' } });
    const r = await report(dir, 'x.json', '-o', 'r.html');
    expectUsageError(r, /./);
    expect(r.stderr).toBe(
      'pfmsim: x.json: abi: unknown ABI profile "v9" (valid: v2.3, v2.2, v2-compact, v3); pass the output of `pfmsim compare --json`\n',
    );
  });

  it('an attack sample without a number of contexts', async () => {
    const dir = dirWith({
      'c.json': COMPARE,
      'a.json': {
        ...attackDoc('p4-2006', 'kmalloc', [[0, 0]]),
        samples: [{ contexts: '8', pinnedBytes: 0 }],
      },
    });
    const r = await report(dir, 'c.json', 'a.json', '-o', 'r.html');
    expectUsageError(r, /./);
    expect(r.stderr).toBe(
      'pfmsim: a.json: samples[0].contexts: expected number, got string; pass the output of `pfmsim attack --json`\n',
    );
  });

  it('an attack sample that is not an object', async () => {
    const dir = dirWith({
      'c.json': COMPARE,
      'a.json': {
        ...attackDoc('p4-2006', 'kmalloc', [[0, 0]]),
        samples: [{ contexts: 0, pinnedBytes: 0 }, null],
      },
    });
    const r = await report(dir, 'c.json', 'a.json', '-o', 'r.html');
    expectUsageError(r, /./);
    expect(r.stderr).toBe(
      'pfmsim: a.json: samples[1]: expected object, got null; pass the output of `pfmsim attack --json`\n',
    );
  });
});

describe('pfmsim report: race findings', { timeout: TIMEOUT_MS }, () => {
  const RACY = {
    ...COMPARE,
    race: { threads: 2, mode: 'exhaustive', maxPreemptions: 3 },
    strategies: [
      ...COMPARE.strategies,
      strategyRow('ctx-cache-naive', {
        raceFree: false,
        kernelBugs: ['data-race'],
        raceReplay: '1:0.0.0.0.0',
        verdict: 'unsafe',
      }),
    ],
  };

  it("draws each strategy's race finding as its replayed schedule, with the replay command", async () => {
    const dir = dirWith({ 'c.json': RACY });
    const r = await report(dir, 'c.json', '-o', 'r.html', '--json');
    expect(r.code, r.stderr).toBe(0);
    const html = read(dir);
    const ids = all(html, /data-chart="(race-[^"]+)"/g);
    expect(ids).toEqual(['race-0-ctx-cache-naive']);
    expect(html).toContain('<h3>Race findings</h3>');
    expect(html).toContain(
      '<figcaption>Race finding of ctx-cache-naive: the replayed schedule, step by step</figcaption>',
    );
    expect(html).toContain(
      'replay: <code>pfmsim race --strategy ctx-cache-naive --machine p4-2006 --abi v2.3 --replay 1:0.0.0.0.0</code>',
    );
    // T0 and T1 each take 5 steps; the first race joins T0's step 0 to T1's step 5
    expect(all(html, /<text x="\d+" y="16" class="label" text-anchor="middle">([^<]*)<\/text>/g)).toEqual([
      'T0 main',
      'T1 caller1',
    ]);
    expect(all(html, /class="race-link"><title>(race \d+):/g)).toEqual(['race 1', 'race 2', 'race 3']);
    // counted with the other charts
    expect((JSON.parse(r.stdout) as { charts: number }).charts).toBe(6);
  });

  it('a custom machine replays on its arch, cost and PMU, and says so in the command', async () => {
    const custom = { ...RACY, machine: 'i386/p4-2006/intel-p4' };
    const dir = dirWith({ 'c.json': custom });
    const r = await report(dir, 'c.json', '-o', 'r.html');
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir)).toContain(
      '<code>pfmsim race --strategy ctx-cache-naive --machine p4-2006 --arch i386 --cpu p4-2006 --pmu intel-p4 --abi v2.3 --replay 1:0.0.0.0.0</code>',
    );
  });

  it('no race section without findings, or for documents made before raceReplay', async () => {
    const dir = dirWith({ 'c.json': COMPARE });
    const r = await report(dir, 'c.json', '-o', 'r.html');
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir)).not.toContain('Race findings');
  });

  it('a raceReplay that does not replay is one line naming the document and the strategy, exit 2', async () => {
    const bad = {
      ...RACY,
      strategies: RACY.strategies.map((s) => (s.raceReplay ? { ...s, raceReplay: 'x:y' } : s)),
    };
    const dir = dirWith({ 'c.json': bad });
    expectUsageError(
      await report(dir, 'c.json', '-o', 'r.html'),
      /^pfmsim: c\.json: strategies\[2\]\.raceReplay "x:y" does not replay \(invalid replay: .+\); pass the output of `pfmsim compare --json` as it was written$/,
    );
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });
});
