// The HTML report page (renderReport): what a reader of `pfmsim report`'s output sees: the
// title, the decision table with its numbers and units, one section per compare document with
// its charts (series, points, colours, axes), the stack-budget panels, and user text escaped.
import type { StackReport } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../version.js';
import { type AttackCurve, type CompareDoc, type ReportSection, renderReport } from './html.js';
import { PALETTE } from './svg.js';

type Result = CompareDoc['results'][number];
type Strategy = CompareDoc['strategies'][number];

const BREAKDOWN = { syscall: 0, fd: 0, alloc: 0, copy: 0, lock: 0, atomic: 0, irq: 0 };

function result(
  syscall: string,
  strategy: string,
  count: number,
  cyclesPerCall: number | null,
  breakdown: Partial<typeof BREAKDOWN> = {},
): Result {
  return {
    syscall,
    strategy,
    count,
    cyclesPerCall,
    breakdown: { ...BREAKDOWN, ...breakdown },
    stackBytes: 0,
  };
}

const READ = 'pfm_read_pmds';
const WRITE = 'pfm_write_pmds';

/** Results in an order where the first match of a looser filter is the wrong row. */
const RESULTS: Result[] = [
  result(READ, 'stack', 1, 900, { syscall: 600, copy: 300 }),
  result(READ, 'stack', 2, 950),
  result(READ, 'stack', 4, 1500, { syscall: 600, fd: 20, copy: 880 }),
  result(READ, 'stack', 8, 1700),
  result(READ, 'stack', 16, null),
  result(WRITE, 'kmalloc', 1, 3000, { irq: 50 }),
  result(WRITE, 'kmalloc', 4, 3100, { irq: 70, syscall: 3030 }),
  result(READ, 'kmalloc', 1, 1000, { syscall: 600, alloc: 100, copy: 300 }),
  result(READ, 'kmalloc', 4, 2000, { syscall: 600, fd: 20, alloc: 300, copy: 1080 }),
  result(READ, 'kmalloc', 8, null),
  result(READ, 'kmalloc', 16, 4000),
  result(READ, 'ctx-cache', 1, 1100),
  result(READ, 'ctx-cache', 4, 2200, { syscall: 700, copy: 1500 }),
  result(READ, 'ctx-cache', 16, 5000),
  result(WRITE, 'stack', 4, 2500),
  result(WRITE, 'ctx-cache', 4, 2600),
];

function strategy(name: string, o: Partial<Strategy>): Strategy {
  return {
    name,
    cyclesAt4: 0,
    cyclesAt64: 0,
    savingAt4: 0,
    savingAt64: 0,
    stackFrameBytes: 0,
    stackDepth: 160,
    pinnedBytesAfterAttack: 0,
    raceFree: true,
    kernelBugs: [],
    verdict: '',
    ...o,
  };
}

const STRATEGIES: Strategy[] = [
  strategy('kmalloc', { cyclesAt4: 2000, cyclesAt64: 4000, verdict: 'baseline: the 2006 code' }),
  strategy('stack', {
    cyclesAt4: 1500,
    cyclesAt64: null,
    savingAt4: 0.25,
    savingAt64: null,
    stackFrameBytes: 704,
    stackDepth: 864,
    verdict: 'best overall: <fast> & "safe"',
  }),
  strategy('ctx-cache', {
    cyclesAt4: 2200.5,
    cyclesAt64: 3000,
    savingAt4: -0.1,
    savingAt64: 0.25,
    pinnedBytesAfterAttack: 262144,
    raceFree: false,
    kernelBugs: ['use-after-free', 'double <free>'],
    verdict: 'unsafe',
  }),
];

const DOC: CompareDoc = {
  pfmsimVersion: '9.8.7',
  machine: 'p4-2006',
  machineDescription: 'Pentium 4 <3 GHz> & "co"',
  arch: 'i386',
  cost: 'p4-2006',
  pmu: 'intel-p4',
  seed: 7,
  abi: 'v2.3',
  threads: 2,
  counts: [1, 2, 4, 8, 16],
  attackContexts: 64,
  best: 'stack',
  results: RESULTS,
  strategies: STRATEGIES,
};

const curve = (strategy: string, from: string, pinned: readonly [number, number][]): AttackCurve => ({
  strategy,
  from,
  samples: pinned.map(([contexts, pinnedBytes]) => ({ contexts, pinnedBytes, kernelBytes: 0 })),
});

const ATTACKS: AttackCurve[] = [
  curve('kmalloc', 'file', [
    [0, 0],
    [32, 0],
    [64, 0],
  ]),
  curve('stack', 'file', [
    [0, 0],
    [64, 0],
  ]),
  curve('ctx-cache', 'file', [
    [0, 0],
    [32, 131072],
    [64, 262144],
  ]),
];

const section = (o: Partial<ReportSection> = {}): ReportSection => ({
  doc: DOC,
  source: 'results/<c>.json',
  attacks: ATTACKS,
  ...o,
});

function stack(
  strategyName: string,
  arch: string,
  threadSize: number,
  usable: number,
  rows: [depth: number, overflow: boolean, frameWarnExceeded: boolean][],
): StackReport {
  return {
    strategy: strategyName,
    arch,
    threadSize,
    usable,
    reservedBytes: threadSize - usable,
    entryDepth: 160,
    frameWarn: 1024,
    rows: rows.map(([measuredDepth, overflow, frameWarnExceeded]) => ({
      kind: 'pmd',
      elemSize: 48,
      elements: 0,
      frameBytes: 0,
      frameWarnExceeded,
      measuredDepth,
      margin: usable - measuredDepth,
      overflow,
    })),
    warnings: [],
    assumption: 'entry path: 160 B <assumed> & documented',
  } as unknown as StackReport;
}

const STACKS: StackReport[] = [
  stack('kmalloc', 'i386', 8192, 7800, [
    [200, false, false],
    [300, false, false],
  ]),
  stack('stack', 'i386', 8192, 7800, [
    [900, false, true],
    [400, false, false],
  ]),
  stack('kmalloc', 'x86_64', 16384, 16000, [[250, false, false]]),
  stack('stack', 'x86_64', 16384, 16000, [
    [700, false, false],
    [16500, true, false],
  ]),
  stack('kmalloc', 'ia64', 32768, 20000, [[320, false, false]]),
];

const page = (o: { sections?: ReportSection[]; stacks?: StackReport[]; notes?: string[] } = {}) =>
  renderReport({ sections: o.sections ?? [section()], stacks: o.stacks ?? [], notes: o.notes ?? [] });

// --- reading the page back ----------------------------------------------------------------

function chart(html: string, id: string): string | undefined {
  const start = html.indexOf(`<figure class="chart" data-chart="${id}">`);
  if (start < 0) return undefined;
  return html.slice(start, html.indexOf('</figure>', start) + '</figure>'.length);
}

function mustChart(html: string, id: string): string {
  const c = chart(html, id);
  expect(c, `chart ${id}`).toBeDefined();
  return c as string;
}

const all = (text: string, re: RegExp, group = 1): string[] => [...text.matchAll(re)].map((m) => m[group]!);

/** The hover titles of a line chart's points: "series: x -> y". */
const points = (c: string) => all(c, /<circle [^>]*><title>([^<]*)<\/title><\/circle>/g);
const caption = (c: string) => all(c, /<figcaption>([^<]*)<\/figcaption>/g)[0];
const axisLabels = (c: string) => all(c, /class="label"[^>]*>([^<]*)<\/text>/g);
const legend = (c: string) => all(c, /class="legend">([^<]*)<\/text>/g);
/** Series name -> the colour of its line. */
const lineColors = (c: string) =>
  Object.fromEntries(
    [...c.matchAll(/<path d="[^"]*" fill="none" stroke="([^"]+)"[^>]*data-series="([^"]*)"/g)].map((m) => [
      m[2],
      m[1],
    ]),
  );
const xTicks = (c: string) =>
  [...c.matchAll(/<text x="([\d.]+)" y="[\d.]+" class="tick" text-anchor="middle">([^<]*)<\/text>/g)].map(
    (m) => [Number(m[1]), m[2]] as const,
  );
const yTicks = (c: string) => all(c, /class="tick" text-anchor="end">([^<]*)<\/text>/g);
/** Bar hover titles of the stacked-bar and budget charts. */
const bars = (c: string) => all(c, /<rect [^>]*><title>([^<]*)<\/title><\/rect>/g);

function decisionRows(html: string): { cls: string; cells: string[] }[] {
  const table = html.slice(html.indexOf('<table class="decision">'), html.indexOf('</table>'));
  return [...table.matchAll(/<tr class="([^"]*)">(.*?)<\/tr>/g)].map((m) => ({
    cls: m[1]!,
    cells: all(m[2]!, /<td[^>]*>(.*?)<\/td>/g),
  }));
}

/** What a reader sees outside the charts: head, tags and SVG removed, whitespace collapsed. */
const visibleText = (html: string) =>
  html
    .replace(/<head>[\s\S]*?<\/head>/g, '')
    .replace(/<svg[\s\S]*?<\/svg>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

// --- the page ------------------------------------------------------------------------------

describe('renderReport: the page', () => {
  it('is one self-contained HTML document titled after the machines, with no scripts or network', () => {
    const html = page({
      sections: [section(), section({ doc: { ...DOC, machine: 'k8-2006', seed: 3 } }), section()],
    });
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</body></html>')).toBe(true);
    expect(html).toContain('<title>pfmsim report: p4-2006, k8-2006, p4-2006</title>');
    expect(html).toContain(`<meta name="generator" content="pfmsim ${VERSION}">`);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).toContain('<h1>pfmsim report</h1>');
    // Seeds once each, in order of appearance.
    expect(html).toContain(`machine p4-2006, k8-2006, p4-2006 · seed 7, 3 · pfmsim ${VERSION}</p>`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('styles the page inline: unsafe rows red, the best row green, numbers right-aligned', () => {
    const style = all(page(), /<style>([\s\S]*?)<\/style>/g)[0]!;
    expect(style).toContain('tr.unsafe td{background:#fdecea}');
    expect(style).toContain('tr.best td{background:#e8f5e9}');
    expect(style).toContain('td.n{text-align:right');
  });

  it('has one section per compare document, in order, each with its own charts', () => {
    const other: CompareDoc = { ...DOC, machine: 'k8-2006', abi: 'v3', seed: 3, threads: 1 };
    const html = page({ sections: [section(), section({ doc: other, source: 'k8.json' })] });
    expect(all(html, /<section class="compare" id="([^"]+)">/g)).toEqual(['section-0', 'section-1']);
    expect(all(html, /<h2>([^<]*)<\/h2>/g)).toEqual([
      'p4-2006 · abi v2.3 · seed 7 · threads 2',
      'k8-2006 · abi v3 · seed 3 · threads 1',
    ]);
    expect(all(html, /data-chart="([^"]+)"/g)).toEqual([
      'cost-0-pfm_read_pmds',
      'cost-0-pfm_write_pmds',
      'relative-0',
      'breakdown-0',
      'pinned-0',
      'cost-1-pfm_read_pmds',
      'cost-1-pfm_write_pmds',
      'relative-1',
      'breakdown-1',
      'pinned-1',
    ]);
    expect(html).toContain('· from k8.json · made by pfmsim 9.8.7</p>');
  });

  it('shows the notes it is given, escaped, before the sections, and no others', () => {
    const html = page({ notes: ['first <note>', 'second & last'] });
    const head = html.slice(html.indexOf('<h1>'), html.indexOf('<section'));
    expect(head).toContain('<p class="note">first &lt;note&gt;</p><p class="note">second &amp; last</p>\n');
    const none = page();
    expect(none.slice(none.indexOf('<h1>'), none.indexOf('<section'))).not.toContain('class="note"');
  });

  it('reads, outside the charts, as header, section meta, table, notes and captions', () => {
    const small: CompareDoc = {
      ...DOC,
      results: [result(READ, 'kmalloc', 1, 1000), result(READ, 'stack', 1, 800)],
      strategies: [STRATEGIES[0]!, STRATEGIES[1]!],
    };
    const html = page({ sections: [section({ doc: small, attacks: [curve('stack', 'file', [[0, 0]])] })] });
    expect(visibleText(html)).toBe(
      [
        'pfmsim report',
        `How should perfmon2's vector arguments reach kernel memory? · machine p4-2006 · seed 7 · pfmsim ${VERSION}`,
        'p4-2006 · abi v2.3 · seed 7 · threads 2',
        'Pentium 4 &lt;3 GHz&gt; &amp; &quot;co&quot; (arch i386, cost p4-2006, pmu intel-p4) · from results/&lt;c&gt;.json · made by pfmsim 9.8.7',
        'Decision table',
        'strategy cycles @4 vs kmalloc cycles @64 vs kmalloc stack B (frame/depth) pinned after attack races / kernel bugs verdict',
        'kmalloc 2000 - 4000 - 0/160 0 B none baseline: the 2006 code',
        'stack 1500 -25.0% - - 704/864 0 B none best overall: &lt;fast&gt; &amp; &quot;safe&quot;',
        'best: stack , the cheapest strategy that is race-free, within CONFIG_FRAME_WARN and keeps pinned memory bounded.',
        'Cycles per call vs registers: pfm_read_pmds',
        'Change against kmalloc per register count: pfm_read_pmds (below 0 = faster)',
        'Pinned argument-buffer memory vs contexts opened (the memory-pinning attack)',
      ].join(' '),
    );
  });
});

describe('renderReport: the decision table', () => {
  it('has one row per strategy with cycles, change against kmalloc, stack, pinned memory, bugs and verdict', () => {
    const html = page();
    expect(all(html, /<th>([^<]*)<\/th>/g)).toEqual([
      'strategy',
      'cycles @4',
      'vs kmalloc',
      'cycles @64',
      'vs kmalloc',
      'stack B (frame/depth)',
      'pinned after attack',
      'races / kernel bugs',
      'verdict',
    ]);
    expect(decisionRows(html)).toEqual([
      {
        cls: '',
        cells: ['kmalloc', '2000', '-', '4000', '-', '0/160', '0 B', 'none', 'baseline: the 2006 code'],
      },
      {
        cls: 'best',
        cells: [
          'stack',
          '1500',
          '-25.0%',
          '-',
          '-',
          '704/864',
          '0 B',
          'none',
          'best overall: &lt;fast&gt; &amp; &quot;safe&quot;',
        ],
      },
      {
        cls: 'unsafe',
        cells: [
          'ctx-cache',
          '2200.5',
          '+10.0%',
          '3000',
          '-25.0%',
          '0/160',
          '256 KiB',
          'use-after-free, double &lt;free&gt;',
          'unsafe',
        ],
      },
    ]);
    expect(html).toContain('<p class="note">best: <b>stack</b>, the cheapest strategy');
  });

  it('numbers sit in right-aligned cells; names, bugs and verdicts do not', () => {
    const row = page().match(/<tr class="best">(.*?)<\/tr>/)![1]!;
    expect(all(row, /<td( class="n")?>/g, 0)).toEqual([
      '<td>',
      '<td class="n">',
      '<td class="n">',
      '<td class="n">',
      '<td class="n">',
      '<td class="n">',
      '<td class="n">',
      '<td>',
      '<td>',
    ]);
  });

  it('marks an unsafe strategy unsafe even when it is named best', () => {
    const html = page({ sections: [section({ doc: { ...DOC, best: 'ctx-cache' } })] });
    expect(decisionRows(html).map((r) => r.cls)).toEqual(['', '', 'unsafe']);
    expect(html).toContain('best: <b>ctx-cache</b>');
  });
});

describe('renderReport: the charts of a section', () => {
  it('draws cycles per call against registers for each syscall, one line per strategy, skipping failed calls', () => {
    const html = page();
    const read = mustChart(html, 'cost-0-pfm_read_pmds');
    expect(caption(read)).toBe('Cycles per call vs registers: pfm_read_pmds');
    expect(axisLabels(read)).toEqual(['registers in the vector (log scale)', 'cycles per call']);
    expect(legend(read)).toEqual(['kmalloc', 'stack', 'ctx-cache']);
    expect(points(read)).toEqual([
      'kmalloc: 1 -&gt; 1000',
      'kmalloc: 4 -&gt; 2000',
      'kmalloc: 16 -&gt; 4000',
      'stack: 1 -&gt; 900',
      'stack: 2 -&gt; 950',
      'stack: 4 -&gt; 1500',
      'stack: 8 -&gt; 1700',
      'ctx-cache: 1 -&gt; 1100',
      'ctx-cache: 4 -&gt; 2200',
      'ctx-cache: 16 -&gt; 5000',
    ]);
    const write = mustChart(html, 'cost-0-pfm_write_pmds');
    expect(caption(write)).toBe('Cycles per call vs registers: pfm_write_pmds');
    expect(points(write)).toEqual([
      'kmalloc: 1 -&gt; 3000',
      'kmalloc: 4 -&gt; 3100',
      'stack: 4 -&gt; 2500',
      'ctx-cache: 4 -&gt; 2600',
    ]);
    // The two cost charts follow each other with nothing in between.
    expect(html).toContain('</figure><figure class="chart" data-chart="cost-0-pfm_write_pmds">');
  });

  it('puts the register counts on a log scale: 1, 2, 4, 8, 16 evenly spaced', () => {
    const ticks = xTicks(mustChart(page(), 'cost-0-pfm_read_pmds'));
    expect(ticks.map(([, label]) => label)).toEqual(['1', '2', '4', '8', '16']);
    const gaps = ticks.slice(1).map(([x], i) => x - ticks[i]![0]);
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0]!, 0);
    expect(gaps[0]).toBeGreaterThan(0);
  });

  it('draws the change against kmalloc of pfm_read_pmds in %, below zero when faster, without kmalloc itself', () => {
    const rel = mustChart(page(), 'relative-0');
    expect(caption(rel)).toBe('Change against kmalloc per register count: pfm_read_pmds (below 0 = faster)');
    expect(axisLabels(rel)).toEqual(['registers in the vector (log scale)', 'cycles vs kmalloc (%)']);
    expect(legend(rel)).toEqual(['stack', 'ctx-cache']);
    // stack: 2 and 8 have no kmalloc figure to compare with, 16 failed.
    expect(points(rel)).toEqual([
      'stack: 1 -&gt; -10',
      'stack: 4 -&gt; -25',
      'ctx-cache: 1 -&gt; 10',
      'ctx-cache: 4 -&gt; 10',
      'ctx-cache: 16 -&gt; 25',
    ]);
    // Each strategy keeps its colour from the decision table's order.
    expect(lineColors(rel)).toEqual({ stack: PALETTE[1], 'ctx-cache': PALETTE[2] });
    // The y axis goes below zero for the faster strategy.
    expect(yTicks(rel).some((t) => Number(t) < 0)).toBe(true);
    const ticks = xTicks(rel);
    expect(ticks.map(([, l]) => l)).toEqual(['1', '4', '16']);
    expect(ticks[2]![0] - ticks[1]![0]).toBeCloseTo(ticks[1]![0] - ticks[0]![0], 0);
  });

  it('leaves a count out of the relative chart when kmalloc took no cycles there', () => {
    const doc: CompareDoc = {
      ...DOC,
      results: [result(READ, 'kmalloc', 1, 0), result(READ, 'kmalloc', 2, 100), ...RESULTS.slice(0, 2)],
    };
    expect(points(mustChart(page({ sections: [section({ doc })] }), 'relative-0'))).toEqual([
      'stack: 2 -&gt; 850',
    ]);
  });

  it('breaks down pfm_read_pmds at 4 registers by cost category, leaving out categories that cost nothing', () => {
    const bd = mustChart(page(), 'breakdown-0');
    expect(caption(bd)).toBe('Cycle breakdown of pfm_read_pmds at 4 registers');
    expect(axisLabels(bd)).toEqual(['cycles per call']);
    expect(legend(bd)).toEqual(['syscall', 'fd', 'copy', 'alloc']);
    expect(bars(bd)).toEqual([
      'kmalloc syscall: 600',
      'kmalloc fd: 20',
      'kmalloc copy: 1080',
      'kmalloc alloc: 300',
      'stack syscall: 600',
      'stack fd: 20',
      'stack copy: 880',
      'ctx-cache syscall: 700',
      'ctx-cache copy: 1500',
    ]);
  });

  it('keeps a row for a strategy without a 4-register result, and no breakdown without any', () => {
    const some: CompareDoc = {
      ...DOC,
      results: RESULTS.filter((r) => !(r.strategy === 'stack' && r.count === 4)),
    };
    const bd = mustChart(page({ sections: [section({ doc: some })] }), 'breakdown-0');
    expect(all(bd, /class="tick" text-anchor="end">([^<]*)</g)).toEqual(['kmalloc', 'stack', 'ctx-cache']);
    expect(bars(bd).filter((b) => b.startsWith('stack '))).toEqual([]);
    const none: CompareDoc = { ...DOC, results: RESULTS.filter((r) => r.count !== 4 || r.syscall !== READ) };
    const html = page({ sections: [section({ doc: none })] });
    expect(chart(html, 'breakdown-0')).toBeUndefined();
    expect(chart(html, 'pinned-0')).toBeDefined();
  });

  it('draws pinned memory against contexts opened, in bytes, each curve named with its final figure', () => {
    const pin = mustChart(page(), 'pinned-0');
    expect(caption(pin)).toBe('Pinned argument-buffer memory vs contexts opened (the memory-pinning attack)');
    expect(axisLabels(pin)).toEqual(['contexts opened by one user', 'pinned memory']);
    expect(legend(pin)).toEqual(['kmalloc (0 B)', 'stack (0 B)', 'ctx-cache (256 KiB)']);
    expect(points(pin).filter((p) => p.startsWith('ctx-cache'))).toEqual([
      'ctx-cache (256 KiB): 0 -&gt; 0 B',
      'ctx-cache (256 KiB): 32 -&gt; 128 KiB',
      'ctx-cache (256 KiB): 64 -&gt; 256 KiB',
    ]);
    // Ticks in whole KiB, not decimal thousands of bytes.
    expect(yTicks(pin)).toContain('100 KiB');
    expect(lineColors(pin)).toEqual({
      'kmalloc (0 B)': PALETTE[0],
      'stack (0 B)': PALETTE[1],
      'ctx-cache (256 KiB)': PALETTE[2],
    });
    // Contexts on a linear scale: 0, 32, 64 evenly spaced.
    const ticks = xTicks(pin);
    expect(ticks.map(([, l]) => l)).toEqual(['0', '32', '64']);
    expect(ticks[2]![0] - ticks[1]![0]).toBeCloseTo(ticks[1]![0] - ticks[0]![0], 0);
  });

  it('names an empty attack curve 0 B', () => {
    const attacks = [...ATTACKS.slice(0, 2), curve('ctx-cache', 'file', [])];
    const pin = mustChart(page({ sections: [section({ attacks })] }), 'pinned-0');
    expect(legend(pin)).toEqual(['kmalloc (0 B)', 'stack (0 B)', 'ctx-cache (0 B)']);
  });

  it('says which attack curves the report computed itself, and with how many contexts', () => {
    const fromFiles = page();
    expect(fromFiles).not.toContain('Attack curves marked as computed');
    const mixed = [ATTACKS[0]!, { ...ATTACKS[1]!, from: 'computed' }, ATTACKS[2]!];
    expect(page({ sections: [section({ attacks: mixed })] })).toContain(
      '<p class="note">Attack curves marked as computed were run by <code>pfmsim report</code> on p4-2006 (abi v2.3, seed 7, 64 contexts); pass <code>pfmsim attack --json</code> files to use your own.</p>',
    );
    const { attackContexts: _, ...noContexts } = DOC;
    expect(page({ sections: [section({ doc: noContexts, attacks: mixed })] })).toContain(
      '(abi v2.3, seed 7, 1024 contexts)',
    );
  });

  it('writes "?" for an unknown pfmsim version and nothing for a missing machine description', () => {
    const { pfmsimVersion: _v, machineDescription: _d, ...bare } = DOC;
    expect(page({ sections: [section({ doc: bare })] })).toContain(
      '<p class="meta"> (arch i386, cost p4-2006, pmu intel-p4) · from results/&lt;c&gt;.json · made by pfmsim ?</p>',
    );
  });

  it('escapes user text: machine names, descriptions, file names, strategy verdicts', () => {
    const doc: CompareDoc = { ...DOC, machine: 'i386/<x>/"y"', best: '<b>' };
    const html = page({ sections: [section({ doc, source: 'a&b.json' })] });
    expect(html).toContain('<title>pfmsim report: i386/&lt;x&gt;/&quot;y&quot;</title>');
    expect(html).toContain('<h2>i386/&lt;x&gt;/&quot;y&quot; · abi');
    expect(html).toContain('from a&amp;b.json');
    expect(html).toContain('best: <b>&lt;b&gt;</b>');
    expect(html).not.toContain('<x>');
  });
});

describe('renderReport: the stack budget', () => {
  it('draws, per arch, each strategy’s deepest stack use against the usable stack', () => {
    const html = page({ stacks: STACKS });
    const budget = mustChart(html, 'stack-budget');
    expect(caption(budget)).toBe(
      "Deepest kernel stack use per strategy against each arch's usable stack (dashed line)",
    );
    expect(all(budget, /class="label">([^<]*)<\/text>/g)).toEqual([
      'i386 (THREAD_SIZE 8192 B)',
      'x86_64 (THREAD_SIZE 16384 B)',
      'ia64 (THREAD_SIZE 32768 B)',
    ]);
    expect(bars(budget)).toEqual([
      'i386 (THREAD_SIZE 8192 B) kmalloc: 300 B of 7800',
      'i386 (THREAD_SIZE 8192 B) stack: 900 B of 7800 (over CONFIG_FRAME_WARN or overflow)',
      'x86_64 (THREAD_SIZE 16384 B) kmalloc: 250 B of 16000',
      'x86_64 (THREAD_SIZE 16384 B) stack: 16500 B of 16000 (over CONFIG_FRAME_WARN or overflow)',
      'ia64 (THREAD_SIZE 32768 B) kmalloc: 320 B of 20000',
      'ia64 (THREAD_SIZE 32768 B) stack: 0 B of 20000',
    ]);
    expect(all(budget, /class="tick" text-anchor="end">([^<]*)<\/text>/g)).toEqual([
      'usable 7800 B',
      'usable 16000 B',
      'usable 20000 B',
    ]);
  });

  it('has a heading, a colour legend per strategy and the stack-depth assumption, escaped', () => {
    const html = page({ stacks: STACKS });
    const sec = html.slice(html.indexOf('<section id="stack">'));
    expect(sec).toContain("<h2>Stack use against each arch's budget</h2>");
    expect(sec).toContain(
      `<p class="note"><span class="swatch" style="background:${PALETTE[0]}"></span>kmalloc <span class="swatch" style="background:${PALETTE[1]}"></span>stack · a black outline: over CONFIG_FRAME_WARN or a stack overflow</p>`,
    );
    expect(sec).toContain('<p class="note">entry path: 160 B &lt;assumed&gt; &amp; documented</p></section>');
  });

  it('is left out when there are no stack reports', () => {
    const html = page();
    expect(html).not.toContain('<section id="stack">');
    expect(chart(html, 'stack-budget')).toBeUndefined();
    expect(html).toMatch(/<\/section>\n\n<\/body><\/html>\n$/);
  });
});
