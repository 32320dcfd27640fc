// The HTML report page (renderReport): what a reader of `pfmsim report`'s output sees: the
// title, the decision table with its numbers and units, one section per compare document with
// its charts (series, points, looks, axes), the stack-budget panels, the light and dark
// schemes, the narrow-screen layout, and user text escaped.
import type { StackReport } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../version.js';
import {
  type AttackCurve,
  type CompareDoc,
  type RecordProfile,
  type ReportSection,
  renderReport,
} from './html.js';
import { seriesColours, seriesCss } from './palette.js';

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
  strategy('kmalloc', {
    cyclesAt4: 2000,
    cyclesAt64: 4000,
    pinnedBytesAfterThreadAttack: 0,
    verdict: 'baseline: the 2006 code',
  }),
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
    pinnedBytesAfterThreadAttack: 3 * 2 ** 20,
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

/** The hover titles of a line chart's points ("series: x -> y"), whatever their marker. */
const points = (c: string) => all(c, /<g><(?:circle|rect|path) [^>]*\/><title>([^<]*)<\/title><\/g>/g);
/** The points' markers, per series name. */
const markers = (c: string): Record<string, string[]> =>
  Object.fromEntries(
    c
      .split('<g class="series ')
      .slice(1)
      .map((g) => [/data-series="([^"]*)"/.exec(g)![1], all(g, /<g>(<[^>]*\/>)<title>/g)]),
  );
const caption = (c: string) => all(c, /<figcaption>([^<]*)<\/figcaption>/g)[0];
const axisLabels = (c: string) => all(c, /class="label"[^>]*>([^<]*)<\/text>/g);
/** The labels at the lines' ends, a label of several lines joined by spaces. */
const endLabels = (c: string) =>
  all(c, /class="end-label" fill="currentColor">(.*?)<\/text>/g).map((l) =>
    l.includes('<tspan') ? all(l, /<tspan [^>]*>([^<]*)<\/tspan>/g).join(' ') : l,
  );
/** The stacked-bar legend. */
const legend = (c: string) => all(c, /class="legend">([^<]*)<\/text>/g);
/** Series name -> its colour class. */
const seriesClasses = (c: string) =>
  Object.fromEntries(
    [...c.matchAll(/<g class="series ([^"]+)" data-series="([^"]*)">/g)].map((m) => [m[2], m[1]]),
  );
const xTicks = (c: string) =>
  [...c.matchAll(/<text x="([\d.]+)" y="[\d.]+" class="tick" text-anchor="middle">([^<]*)<\/text>/g)].map(
    (m) => [Number(m[1]), m[2]] as const,
  );
const yTicks = (c: string) => all(c, /class="tick" text-anchor="end">([^<]*)<\/text>/g);
/** Bar hover titles of the stacked-bar and budget charts. */
const bars = (c: string) => all(c, /<rect [^>]*><title>([^<]*)<\/title><\/rect>/g);
const chartIds = (html: string) => all(html, /data-chart="([^"]+)"/g);

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

const style = (html: string) => all(html, /<style>([\s\S]*?)<\/style>/g)[0]!;
/** The custom properties a CSS block sets: name -> value. */
const vars = (css: string) =>
  Object.fromEntries([...css.matchAll(/--([\w-]+):([^;}]+)/g)].map((m) => [m[1], m[2]]));
/** The text of the block an at-rule opens (up to its matching brace). */
function block(css: string, at: string): string {
  const start = css.indexOf(`${at}{`);
  expect(start, at).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = start + at.length; i < css.length; i++) {
    if (css[i] === '{') depth++;
    else if (css[i] === '}' && --depth === 0) return css.slice(start + at.length + 1, i);
  }
  throw new Error(`unclosed ${at}`);
}

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
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<h1>pfmsim report</h1>');
    // Seeds once each, in order of appearance.
    expect(html).toContain(`machine p4-2006, k8-2006, p4-2006 · seed 7, 3 · pfmsim ${VERSION}</p>`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    // colours come from the stylesheet only: no inline style attribute anywhere
    expect(html).not.toContain(' style="');
  });

  it('styles the page inline: unsafe rows red, the best row green, numbers right-aligned', () => {
    const css = style(page());
    expect(css).toContain('tr.unsafe td{background:var(--unsafe)}');
    expect(css).toContain('tr.best td{background:var(--best)}');
    expect(css).toContain('td.n{text-align:right');
    const light = vars(block(css, ':root'));
    expect(light).toMatchObject({ bg: '#fff', fg: '#1b1b1b', unsafe: '#fdecea', best: '#e8f5e9' });
    expect(css).toContain('color-scheme:light dark');
    expect(css).toContain('body{font:14px/1.45');
  });

  it('has a dark scheme that sets every colour the light one does, to darker backgrounds and lighter text', () => {
    const css = style(page());
    const light = vars(block(css, ':root'));
    const darkBlock = block(css, '@media (prefers-color-scheme:dark)');
    const dark = vars(block(darkBlock, ':root'));
    expect(Object.keys(dark).sort()).toEqual(Object.keys(light).sort());
    expect(dark).toMatchObject({ bg: '#121417', fg: '#e6e6e6', unsafe: '#4a1f1c', best: '#1d3a22' });
    for (const k of Object.keys(light)) expect(dark[k], k).not.toBe(light[k]);
    // the page and the charts draw through the variables
    expect(css).toContain('color:var(--fg);background:var(--bg)');
    expect(css).toContain('svg{max-width:100%;height:auto;background:var(--bg)}');
  });

  it('colours the series classes for both schemes', () => {
    const css = style(page());
    expect(css).toContain(seriesCss());
    // light outside the media query, dark inside
    expect(css.indexOf(`.s0{color:${seriesColours().light[0]}}`)).toBeGreaterThanOrEqual(0);
    expect(block(css, '@media (prefers-color-scheme:dark)')).not.toContain(
      `.s0{color:${seriesColours().light[0]}}`,
    );
    expect(css.lastIndexOf('@media (prefers-color-scheme:dark)')).toBeLessThan(
      css.indexOf(`.s0{color:${seriesColours().dark[0]}}`),
    );
  });

  it('turns the decision table into one labelled card per strategy below 640 px', () => {
    const narrow = block(style(page()), '@media (max-width:640px)');
    expect(narrow).toContain('table.decision thead{display:none}');
    expect(narrow).toContain(
      'table.decision,table.decision tbody,table.decision tr,table.decision td{display:block;width:auto}',
    );
    expect(narrow).toContain('table.decision td::before{content:attr(data-label) ": ";font-weight:600}');
    // nothing of this applies on wide screens
    expect(style(page()).replace(/@media \(max-width:640px\)\{[\s\S]*$/, '')).not.toContain(
      'thead{display:none}',
    );
  });

  it('has one section per compare document, in order, each with its own charts, relative ones first', () => {
    const other: CompareDoc = { ...DOC, machine: 'k8-2006', abi: 'v3', seed: 3, threads: 1 };
    const html = page({ sections: [section(), section({ doc: other, source: 'k8.json' })] });
    expect(all(html, /<section class="compare" id="([^"]+)">/g)).toEqual(['section-0', 'section-1']);
    expect(all(html, /<h2>([^<]*)<\/h2>/g)).toEqual([
      'p4-2006 · abi v2.3 · seed 7 · threads 2',
      'k8-2006 · abi v3 · seed 3 · threads 1',
    ]);
    expect(chartIds(html)).toEqual([
      'relative-0-pfm_read_pmds',
      'relative-0-pfm_write_pmds',
      'cost-0-pfm_read_pmds',
      'cost-0-pfm_write_pmds',
      'breakdown-0',
      'pinned-0',
      'relative-1-pfm_read_pmds',
      'relative-1-pfm_write_pmds',
      'cost-1-pfm_read_pmds',
      'cost-1-pfm_write_pmds',
      'breakdown-1',
      'pinned-1',
    ]);
    expect(html).toContain('· from k8.json · made by pfmsim 9.8.7</p>');
    // one section after the other, each on its own lines
    expect(html).toContain('</section>\n<section class="compare" id="section-1">');
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
        'Per strategy: cycles per pfm_read_pmds call, stack use, memory an attacker pins, races and kernel bugs',
        'strategy cycles @4 vs kmalloc @4 cycles @64 vs kmalloc @64 stack B (frame/depth) pinned after attack by threads races / kernel bugs verdict',
        'kmalloc 2000 - 4000 - 0/160 0 B 0 B none baseline: the 2006 code',
        'stack 1500 -25.0% - - 704/864 0 B - none best overall: &lt;fast&gt; &amp; &quot;safe&quot;',
        'best: stack , the cheapest strategy that is race-free, within CONFIG_FRAME_WARN and keeps pinned memory bounded.',
        'Change against kmalloc per register count: pfm_read_pmds (below 0 = faster)',
        'Cycles per call vs registers: pfm_read_pmds (log scales)',
        'Pinned argument-buffer memory vs contexts opened (the memory-pinning attack)',
      ].join(' '),
    );
  });
});

describe('renderReport: the decision table', () => {
  const HEADERS = [
    'strategy',
    'cycles @4',
    'vs kmalloc @4',
    'cycles @64',
    'vs kmalloc @64',
    'stack B (frame/depth)',
    'pinned after attack',
    'by threads',
    'races / kernel bugs',
    'verdict',
  ];

  it('has one row per strategy with cycles, change against kmalloc, stack, pinned memory, bugs and verdict', () => {
    const html = page();
    expect(all(html, /<th scope="col">([^<]*)<\/th>/g)).toEqual(HEADERS);
    expect(html).not.toContain('<th>');
    expect(decisionRows(html)).toEqual([
      {
        cls: '',
        cells: [
          'kmalloc',
          '2000',
          '-',
          '4000',
          '-',
          '0/160',
          '0 B',
          '0 B',
          'none',
          'baseline: the 2006 code',
        ],
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
          '-',
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
          '3.0 MiB',
          'use-after-free, double &lt;free&gt;',
          'unsafe',
        ],
      },
    ]);
    expect(html).toContain('<p class="note">best: <b>stack</b>, the cheapest strategy');
  });

  it('shows the memory pinned by the thread attack in bytes, "-" for documents without it', () => {
    const byThreads = (v: number | undefined) => {
      const { pinnedBytesAfterThreadAttack: _, ...rest } = STRATEGIES[0]!;
      const s = v === undefined ? rest : { ...rest, pinnedBytesAfterThreadAttack: v };
      const html = page({ sections: [section({ doc: { ...DOC, strategies: [s] } })] });
      return decisionRows(html)[0]!.cells[7];
    };
    expect(byThreads(undefined)).toBe('-');
    expect(byThreads(0)).toBe('0 B');
    expect(byThreads(4096)).toBe('4 KiB');
    expect(byThreads(1536)).toBe('1.5 KiB');
  });

  it('has a caption, and a header naming each column for screen readers', () => {
    const html = page();
    const table = html.slice(html.indexOf('<table class="decision">'), html.indexOf('</table>'));
    expect(table).toMatch(
      /^<table class="decision"><caption>Per strategy: cycles per pfm_read_pmds call, stack use, memory an attacker pins, races and kernel bugs<\/caption><thead><tr><th scope="col">strategy<\/th>/,
    );
    expect(all(table, /<th( [^>]*)?>/g, 0).every((th) => th === '<th scope="col">')).toBe(true);
    expect(all(table, /<th /g, 0)).toHaveLength(10);
  });

  it('labels every cell with its column header, for the narrow-screen cards', () => {
    const html = page();
    const rows = [...html.matchAll(/<tr class="[^"]*">(.*?)<\/tr>/g)].map((m) => m[1]!);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(all(row, /<td[^>]* data-label="([^"]*)">/g)).toEqual(HEADERS);
  });

  it('numbers sit in right-aligned cells; names, bugs and verdicts do not', () => {
    const row = page().match(/<tr class="best">(.*?)<\/tr>/)![1]!;
    expect(all(row, /<td( class="n")? data-label="[^"]*">/g, 1).map((c) => c === ' class="n"')).toEqual([
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(
      row.startsWith('<td data-label="strategy">stack</td><td class="n" data-label="cycles @4">1500</td>'),
    ).toBe(true);
  });

  it('marks an unsafe strategy unsafe even when it is named best', () => {
    const html = page({ sections: [section({ doc: { ...DOC, best: 'ctx-cache' } })] });
    expect(decisionRows(html).map((r) => r.cls)).toEqual(['', '', 'unsafe']);
    expect(html).toContain('best: <b>ctx-cache</b>');
  });
});

describe('renderReport: the charts of a section', () => {
  it('draws cycles per call against registers on log scales for each syscall, one line per strategy, skipping failed calls', () => {
    const html = page();
    const read = mustChart(html, 'cost-0-pfm_read_pmds');
    expect(caption(read)).toBe('Cycles per call vs registers: pfm_read_pmds (log scales)');
    expect(axisLabels(read)).toEqual(['registers in the vector (log scale)', 'cycles per call (log scale)']);
    expect(endLabels(read)).toEqual(['kmalloc', 'stack', 'ctx-cache']);
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
    // cycles from 900 to 5000 on a log axis: 1, 2 and 5 times powers of ten
    expect(yTicks(read)).toEqual(['500', '1000', '2000', '5000']);
    const write = mustChart(html, 'cost-0-pfm_write_pmds');
    expect(caption(write)).toBe('Cycles per call vs registers: pfm_write_pmds (log scales)');
    expect(points(write)).toEqual([
      'kmalloc: 1 -&gt; 3000',
      'kmalloc: 4 -&gt; 3100',
      'stack: 4 -&gt; 2500',
      'ctx-cache: 4 -&gt; 2600',
    ]);
    expect(yTicks(write)).toEqual(['2000', '5000']);
    // The two cost charts follow each other with nothing in between.
    expect(html).toContain('</figure><figure class="chart" data-chart="cost-0-pfm_write_pmds">');
  });

  it('gives each strategy the look of its place in the decision table in every chart', () => {
    const html = page();
    const looks = { kmalloc: 's0', stack: 's1', 'ctx-cache': 's2' };
    expect(seriesClasses(mustChart(html, 'cost-0-pfm_read_pmds'))).toEqual(looks);
    expect(seriesClasses(mustChart(html, 'cost-0-pfm_write_pmds'))).toEqual(looks);
    // kmalloc is not in the relative charts: the others keep their looks
    expect(seriesClasses(mustChart(html, 'relative-0-pfm_read_pmds'))).toEqual({
      stack: 's1',
      'ctx-cache': 's2',
    });
    // markers too: stack squares, ctx-cache triangles
    const read = markers(mustChart(html, 'relative-0-pfm_read_pmds'));
    expect(read.stack!.every((m) => m.startsWith('<rect '))).toBe(true);
    expect(read['ctx-cache']!.every((m) => m.startsWith('<path d="M') && m.includes('Z"'))).toBe(true);
  });

  it('puts the register counts on a log scale: 1, 2, 4, 8, 16 evenly spaced', () => {
    const ticks = xTicks(mustChart(page(), 'cost-0-pfm_read_pmds'));
    expect(ticks.map(([, label]) => label)).toEqual(['1', '2', '4', '8', '16']);
    const gaps = ticks.slice(1).map(([x], i) => x - ticks[i]![0]);
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0]!, 0);
    expect(gaps[0]).toBeGreaterThan(0);
  });

  it('draws the change against kmalloc per syscall in %, below zero when faster, without kmalloc itself', () => {
    const html = page();
    const rel = mustChart(html, 'relative-0-pfm_read_pmds');
    expect(caption(rel)).toBe('Change against kmalloc per register count: pfm_read_pmds (below 0 = faster)');
    expect(axisLabels(rel)).toEqual(['registers in the vector (log scale)', 'cycles vs kmalloc (%)']);
    expect(endLabels(rel)).toEqual(['stack', 'ctx-cache']);
    // stack: 2 and 8 have no kmalloc figure to compare with, 16 failed.
    expect(points(rel)).toEqual([
      'stack: 1 -&gt; -10',
      'stack: 4 -&gt; -25',
      'ctx-cache: 1 -&gt; 10',
      'ctx-cache: 4 -&gt; 10',
      'ctx-cache: 16 -&gt; 25',
    ]);
    // The y axis goes below zero for the faster strategy.
    expect(yTicks(rel).some((t) => Number(t) < 0)).toBe(true);
    const ticks = xTicks(rel);
    expect(ticks.map(([, l]) => l)).toEqual(['1', '4', '16']);
    expect(ticks[2]![0] - ticks[1]![0]).toBeCloseTo(ticks[1]![0] - ticks[0]![0], 0);

    // pfm_write_pmds against its own kmalloc figures: 2500 and 2600 against 3100 at 4 registers
    const write = mustChart(html, 'relative-0-pfm_write_pmds');
    expect(caption(write)).toBe(
      'Change against kmalloc per register count: pfm_write_pmds (below 0 = faster)',
    );
    const [stack, ctx] = points(write).map((p) => p.split(' -&gt; '));
    expect([stack![0], ctx![0]]).toEqual(['stack: 4', 'ctx-cache: 4']);
    expect(Number(stack![1])).toBeCloseTo((-600 / 3100) * 100, 9);
    expect(Number(ctx![1])).toBeCloseTo((-500 / 3100) * 100, 9);
    expect(points(write)).toHaveLength(2);
  });

  it('puts the relative charts, one per syscall, before the absolute ones', () => {
    const html = page();
    const ids = chartIds(html);
    const relative = ids.filter((id) => id.startsWith('relative-'));
    const cost = ids.filter((id) => id.startsWith('cost-'));
    expect(relative).toEqual(['relative-0-pfm_read_pmds', 'relative-0-pfm_write_pmds']);
    expect(ids.indexOf(relative.at(-1)!)).toBeLessThan(ids.indexOf(cost[0]!));
    expect(html).toContain('</figure><figure class="chart" data-chart="relative-0-pfm_write_pmds">');
    expect(html).toContain('</figure>\n<figure class="chart" data-chart="cost-0-pfm_read_pmds">');
    // one pair per syscall in the results, in their order
    const onlyWrite: CompareDoc = { ...DOC, results: RESULTS.filter((r) => r.syscall === WRITE) };
    expect(chartIds(page({ sections: [section({ doc: onlyWrite })] }))).toEqual([
      'relative-0-pfm_write_pmds',
      'cost-0-pfm_write_pmds',
      'pinned-0',
    ]);
  });

  it('leaves a count out of the relative chart when kmalloc took no cycles there', () => {
    const doc: CompareDoc = {
      ...DOC,
      results: [result(READ, 'kmalloc', 1, 0), result(READ, 'kmalloc', 2, 100), ...RESULTS.slice(0, 2)],
    };
    expect(points(mustChart(page({ sections: [section({ doc })] }), 'relative-0-pfm_read_pmds'))).toEqual([
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
    // each row's total after its bar
    expect(all(bd, /class="tick">([^<]*)<\/text>/g)).toEqual(['2000', '1500', '2200']);
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
    expect(endLabels(pin)).toEqual(['kmalloc (0 B)', 'stack (0 B)', 'ctx-cache (256 KiB)']);
    expect(points(pin).filter((p) => p.startsWith('ctx-cache'))).toEqual([
      'ctx-cache (256 KiB): 0 -&gt; 0 B',
      'ctx-cache (256 KiB): 32 -&gt; 128 KiB',
      'ctx-cache (256 KiB): 64 -&gt; 256 KiB',
    ]);
    // Ticks in whole KiB, not decimal thousands of bytes.
    expect(yTicks(pin)).toContain('100 KiB');
    expect(seriesClasses(pin)).toEqual({
      'kmalloc (0 B)': 's0',
      'stack (0 B)': 's1',
      'ctx-cache (256 KiB)': 's2',
    });
    // read from files: filled markers
    expect(pin).not.toContain('fill="none" stroke="currentColor" stroke-width="1.5"');
    // Contexts on a linear scale: 0, 32, 64 evenly spaced.
    const ticks = xTicks(pin);
    expect(ticks.map(([, l]) => l)).toEqual(['0', '32', '64']);
    expect(ticks[2]![0] - ticks[1]![0]).toBeCloseTo(ticks[1]![0] - ticks[0]![0], 0);
  });

  it('draws nothing for an empty attack curve', () => {
    const attacks = [...ATTACKS.slice(0, 2), curve('ctx-cache', 'file', [])];
    const pin = mustChart(page({ sections: [section({ attacks })] }), 'pinned-0');
    expect(endLabels(pin)).toEqual(['kmalloc (0 B)', 'stack (0 B)']);
    expect(pin).not.toContain('data-series="ctx-cache');
  });

  it('merges attack curves with the same points and origin into one series naming them all', () => {
    const flat = (s: string, from = 'file') =>
      curve(s, from, [
        [0, 0],
        [64, 0],
      ]);
    const attacks = [flat('kmalloc'), ATTACKS[2]!, flat('stack')];
    const pin = mustChart(page({ sections: [section({ attacks })] }), 'pinned-0');
    expect(endLabels(pin)).toEqual(['kmalloc, stack (0 B)', 'ctx-cache (256 KiB)']);
    // the merged series has the look of its first strategy, and one line
    expect(seriesClasses(pin)).toEqual({ 'kmalloc, stack (0 B)': 's0', 'ctx-cache (256 KiB)': 's2' });
    expect(points(pin).filter((p) => p.startsWith('kmalloc'))).toEqual([
      'kmalloc, stack (0 B): 0 -&gt; 0 B',
      'kmalloc, stack (0 B): 64 -&gt; 0 B',
    ]);
    // in the order they come: stack first, stack's look
    const reversed = mustChart(
      page({ sections: [section({ attacks: [flat('stack'), flat('kmalloc')] })] }),
      'pinned-0',
    );
    expect(seriesClasses(reversed)).toEqual({ 'stack, kmalloc (0 B)': 's1' });
  });

  it('keeps curves apart whose points differ however their numbers line up', () => {
    // 0:1 then 10:5 against 0:11 then 0:5
    const attacks = [
      curve('kmalloc', 'file', [
        [0, 1],
        [10, 5],
      ]),
      curve('stack', 'file', [
        [0, 11],
        [0, 5],
      ]),
    ];
    const pin = mustChart(page({ sections: [section({ attacks })] }), 'pinned-0');
    expect(Object.keys(seriesClasses(pin))).toEqual(['kmalloc (5 B)', 'stack (5 B)']);
  });

  it('keeps curves apart that differ in their points or in where they come from', () => {
    const line = (s: string, from: string, end: number) =>
      curve(s, from, [
        [0, 0],
        [64, end],
      ]);
    // different points
    const differ = mustChart(
      page({ sections: [section({ attacks: [line('kmalloc', 'file', 0), line('stack', 'file', 1024)] })] }),
      'pinned-0',
    );
    expect(Object.keys(seriesClasses(differ))).toEqual(['kmalloc (0 B)', 'stack (1 KiB)']);
    // same points, one computed by the report: two series, the computed one hollow
    const mixed = mustChart(
      page({ sections: [section({ attacks: [line('kmalloc', 'file', 0), line('stack', 'computed', 0)] })] }),
      'pinned-0',
    );
    expect(seriesClasses(mixed)).toEqual({ 'kmalloc (0 B)': 's0', 'stack (0 B)': 's1' });
    const m = markers(mixed);
    expect(m['kmalloc (0 B)']).toHaveLength(2);
    for (const k of m['kmalloc (0 B)']!) expect(k).toContain('fill="currentColor"');
    expect(m['stack (0 B)']).toHaveLength(2);
    for (const k of m['stack (0 B)']!)
      expect(k).toContain('fill="none" stroke="currentColor" stroke-width="1.5"');
  });

  it('says which attack curves the report computed itself, and with how many contexts', () => {
    const fromFiles = page();
    expect(fromFiles).not.toContain('Attack curves marked');
    const mixed = [ATTACKS[0]!, { ...ATTACKS[1]!, from: 'computed' }, ATTACKS[2]!];
    const html = page({ sections: [section({ attacks: mixed })] });
    expect(html).toContain(
      '<p class="note">Attack curves marked "computed" (hollow markers) were run by <code>pfmsim report</code> on p4-2006 (abi v2.3, seed 7, 64 contexts); pass <code>pfmsim attack --json</code> files to use your own.</p>',
    );
    // the note follows the pinned chart
    expect(html.indexOf('Attack curves marked')).toBeGreaterThan(html.indexOf('data-chart="pinned-0"'));
    // and the computed curve says so at its end
    expect(endLabels(mustChart(html, 'pinned-0'))).toEqual([
      'kmalloc (0 B)',
      'stack (0 B), computed',
      'ctx-cache (256 KiB)',
    ]);
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

describe('renderReport: sampling profiles', () => {
  const PROFILE: RecordProfile = {
    source: 'rec<1>.json',
    machine: 'p4-2006',
    event: 'GLOBAL_POWER_EVENTS',
    period: 100000,
    samples: 1000,
    lost: 2,
    overheadCyclesPerSample: 891.5,
    functions: [
      { name: 'main', samples: 600, share: 0.6 },
      { name: 'copy_from_user', samples: 399, share: 0.399 },
    ],
  };
  const withProfiles = (profiles: RecordProfile[], stacks: StackReport[] = []) =>
    renderReport({ sections: [section()], stacks, notes: [], profiles });

  it('draws one chart of samples by function per profile, the share in each row name', () => {
    const html = withProfiles([PROFILE, { ...PROFILE, event: 'INSTR_RETIRED', lost: null }]);
    const sec = html.slice(html.indexOf('<section id="profiles">'));
    expect(sec).toMatch(
      /^<section id="profiles"><h2>Sampling profiles \(perfmon2's default format\)<\/h2><figure/,
    );
    expect(chartIds(sec)).toEqual(['profile-0', 'profile-1']);
    expect(sec).toContain('</figure><figure class="chart" data-chart="profile-1">');
    const c = mustChart(sec, 'profile-0');
    expect(caption(c)).toBe(
      'Samples by function: GLOBAL_POWER_EVENTS every 100000 on p4-2006 (rec&lt;1&gt;.json)',
    );
    expect(caption(mustChart(sec, 'profile-1'))).toContain('INSTR_RETIRED every 100000');
    expect(axisLabels(c)).toEqual(['samples']);
    expect(legend(c)).toEqual(['samples']);
    expect(all(c, /class="tick" text-anchor="end">([^<]*)</g)).toEqual([
      'main 60.0%',
      'copy_from_user 39.9%',
    ]);
    expect(bars(c)).toEqual(['main 60.0% samples: 600', 'copy_from_user 39.9% samples: 399']);
  });

  it('notes each profile’s samples, lost samples (or random periods) and overhead, after the charts', () => {
    const html = withProfiles([PROFILE, { ...PROFILE, source: 'r2.json', lost: null }]);
    expect(html).toContain(
      '</figure><p class="note">rec&lt;1&gt;.json: 1000 samples, 2 lost, 891.5 kernel cycles per sample · r2.json: 1000 samples, random periods, 891.5 kernel cycles per sample</p></section>\n</body></html>',
    );
  });

  it('comes after the stack section, and is left out without profiles', () => {
    const html = withProfiles([PROFILE], STACKS);
    expect(html.indexOf('<section id="profiles">')).toBeGreaterThan(html.indexOf('<section id="stack">'));
    expect(withProfiles([])).not.toContain('id="profiles"');
    expect(page()).not.toContain('id="profiles"');
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
    // the numbers after the bars, "!" where over
    expect(all(budget, /class="value">([^<]*)<\/text>/g)).toEqual([
      '300',
      '900 !',
      '250',
      '16500 !',
      '320',
      '0',
    ]);
    expect(all(budget, /class="(mark [^"]*)"/g)).toEqual([
      'mark s0',
      'mark s1 over',
      'mark s0',
      'mark s1 over',
      'mark s0',
      'mark s1',
    ]);
  });

  it('has a heading, a colour legend per strategy and the stack-depth assumption, escaped', () => {
    const html = page({ stacks: STACKS });
    const sec = html.slice(html.indexOf('<section id="stack">'));
    expect(sec).toContain("<h2>Stack use against each arch's budget</h2>");
    expect(sec).toContain(
      '<p class="note"><span class="swatch s0"></span>kmalloc <span class="swatch s1"></span>stack · an outline and a "!" after the number: over CONFIG_FRAME_WARN or a stack overflow</p>',
    );
    expect(sec).toContain('<p class="note">entry path: 160 B &lt;assumed&gt; &amp; documented</p></section>');
    // the swatches take the series' colour, and the outline comes from the stylesheet
    const css = style(html);
    expect(css).toContain(
      '.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;background:currentColor}',
    );
    expect(css).toContain('.over{stroke:var(--fg);stroke-width:2}');
  });

  it('is left out when there are no stack reports', () => {
    const html = page();
    expect(html).not.toContain('<section id="stack">');
    expect(chart(html, 'stack-budget')).toBeUndefined();
    expect(html).toMatch(/<\/section>\n\n<\/body><\/html>\n$/);
  });
});
