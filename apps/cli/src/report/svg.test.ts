import { describe, expect, it } from 'vitest';
import { budgetPanels, esc, lineChart, PALETTE, rangeTicks, stackedBars, ticks } from './svg.js';

/** One SVG/HTML element as a reader of the chart sees it: its attributes and its content. */
interface El {
  readonly attrs: Readonly<Record<string, string>>;
  readonly inner: string;
}

/** The `tag` elements of a chart, in document order (optionally only those of one class). */
function elements(html: string, tag: string, cls?: string): El[] {
  const re = new RegExp(`<${tag}\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${tag}>)`, 'g');
  const out: El[] = [];
  for (const m of html.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1] as string] = a[2] as string;
    if (cls === undefined || attrs.class === cls) out.push({ attrs, inner: m[2] ?? '' });
  }
  return out;
}

const num = (e: El | undefined, k: string): number => Number(e?.attrs[k]);
const title = (e: El | undefined): string | undefined => /<title>([^<]*)<\/title>/.exec(e?.inner ?? '')?.[1];
const translate = (e: El | undefined): [number, number] => {
  const m = /translate\(([^,]+),([^)]+)\)/.exec(e?.attrs.transform ?? '');
  return [Number(m?.[1]), Number(m?.[2])];
};
/** The legend entries: position, swatch colour and (escaped) name. */
const legendOf = (html: string) =>
  elements(html, 'g').map((g) => ({
    at: translate(g),
    fill: elements(g.inner, 'rect')[0]?.attrs.fill,
    name: elements(g.inner, 'text', 'legend')[0]?.inner,
  }));
/** The svg element's size. */
const size = (html: string) => {
  const s = elements(html, 'svg')[0];
  return { width: num(s, 'width'), height: num(s, 'height'), viewBox: s?.attrs.viewBox };
};

/** A chart must be complete markup: no NaN/undefined coordinates, no text outside text/title elements. */
function expectWellFormed(html: string): void {
  expect(html).not.toMatch(/NaN|undefined|Infinity/);
  const stray = html.replace(/<(text|title|figcaption)\b[^>]*>[^<]*<\/\1>/g, '').replace(/<[^>]+>/g, '');
  expect(stray).toBe('');
  // Every tag is a name followed by name="value" attributes only.
  for (const tag of html.match(/<[^>]+>/g) ?? [])
    expect(tag).toMatch(/^<\/?[\w]+(\s+[\w:-]+="[^"]*")*\s*\/?>$/);
  expect(html.startsWith('<figure class="chart"')).toBe(true);
  expect(html.endsWith('</svg></figure>')).toBe(true);
}

describe('esc', () => {
  it('escapes the four characters that break markup or attributes', () => {
    expect(esc('a & b < c > "d"')).toBe('a &amp; b &lt; c &gt; &quot;d&quot;');
    expect(esc('&lt;')).toBe('&amp;lt;');
    expect(esc("plain text, it's fine")).toBe("plain text, it's fine");
  });
});

describe('PALETTE', () => {
  it('has twelve distinct hex colours', () => {
    expect(PALETTE).toHaveLength(12);
    expect(new Set(PALETTE).size).toBe(12);
    for (const c of PALETTE) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe('ticks', () => {
  it('steps by 1, 2, 2.5 or 5 times a power of ten and ends at or just past the maximum', () => {
    expect(ticks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks(70)).toEqual([0, 20, 40, 60, 80]);
    expect(ticks(100, 4)).toEqual([0, 25, 50, 75, 100]);
    expect(ticks(10, 2)).toEqual([0, 5, 10]);
    expect(ticks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(3)).toEqual([0, 1, 2, 3]);
  });

  it('falls back to 0..1 for an empty, zero, negative or NaN maximum', () => {
    expect(ticks(-1)).toEqual([0, 1]);
    expect(ticks(Number.NaN)).toEqual([0, 1]);
    expect(ticks(0)).toEqual([0, 1]);
  });

  it('shows decimal ticks without floating-point noise', () => {
    expect(ticks(0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    // The tick added past the maximum must be as clean as the others.
    expect(ticks(0.29)).toEqual([0, 0.1, 0.2, 0.3]);
  });
});

describe('rangeTicks', () => {
  it('is the zero-based ticks when nothing is below zero', () => {
    expect(rangeTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(rangeTicks(5, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(rangeTicks(0, 10, 2)).toEqual([0, 5, 10]);
    expect(rangeTicks(0, 0)).toEqual([0, 1]);
  });

  it('covers a signed range on a nice step that passes through zero', () => {
    expect(rangeTicks(-3, 7)).toEqual([-4, -2, 0, 2, 4, 6, 8]);
    expect(rangeTicks(-2, 8)).toEqual([-2, 0, 2, 4, 6, 8]);
    expect(rangeTicks(-30, 40)).toEqual([-40, -20, 0, 20, 40]);
    expect(rangeTicks(-5, 5, 2)).toEqual([-5, 0, 5]);
  });

  it('shows decimal ticks without floating-point noise', () => {
    expect(rangeTicks(-0.2, 0.3)).toEqual([-0.2, -0.1, 0, 0.1, 0.2, 0.3]);
    expect(rangeTicks(-0.05, 0.29)).toEqual([-0.1, 0, 0.1, 0.2, 0.3]);
  });
});

describe('lineChart', () => {
  const base = { id: 'cost', title: 'Cost', xLabel: 'registers', yLabel: 'cycles' };
  const one = lineChart({
    ...base,
    series: [
      {
        name: 'kmalloc',
        points: [
          [1, 0],
          [2, 5],
          [3, 10],
        ],
      },
    ],
  });

  it('frames the chart in a figure with an escaped id, caption and accessible label', () => {
    const html = lineChart({ ...base, id: 'a"b', title: 'Cost <per> call & more', series: [] });
    expect(html).toContain('<figure class="chart" data-chart="a&quot;b">');
    expect(html).toContain('<figcaption>Cost &lt;per&gt; call &amp; more</figcaption>');
    expect(elements(html, 'svg')[0]?.attrs['aria-label']).toBe('Cost &lt;per&gt; call &amp; more');
    expect(elements(html, 'svg')[0]?.attrs.role).toBe('img');
    expect(size(html)).toEqual({ width: 760, height: 340, viewBox: '0 0 760 340' });
    expectWellFormed(html);
  });

  it('takes a custom size and fits the plot area to it', () => {
    const html = lineChart({
      ...base,
      width: 500,
      height: 200,
      series: [
        {
          name: 's',
          points: [
            [1, 0],
            [3, 10],
          ],
        },
      ],
    });
    expect(size(html)).toEqual({ width: 500, height: 200, viewBox: '0 0 500 200' });
    const yAxis = elements(html, 'line', 'axis')[1];
    expect([num(yAxis, 'y1'), num(yAxis, 'y2')]).toEqual([16, 156]);
    expect(elements(html, 'circle').map((c) => [num(c, 'cx'), num(c, 'cy')])).toEqual([
      [70, 156],
      [290, 16],
    ]);
    expect(legendOf(html)[0]?.at).toEqual([304, 16]);
  });

  it('draws a y grid line and label per tick from the bottom (0) to the top (max)', () => {
    const grid = elements(one, 'line', 'grid');
    expect(grid.map((g) => num(g, 'y1'))).toEqual([296, 240, 184, 128, 72, 16]);
    expect(grid.map((g) => num(g, 'y2'))).toEqual([296, 240, 184, 128, 72, 16]);
    for (const g of grid) expect([num(g, 'x1'), num(g, 'x2')]).toEqual([70, 550]);
    const labels = elements(one, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'end');
    expect(labels.map((t) => t.inner)).toEqual(['0', '2', '4', '6', '8', '10']);
    expect(labels.map((t) => num(t, 'y'))).toEqual([300, 244, 188, 132, 76, 20]);
    for (const t of labels) expect(num(t, 'x')).toBe(64);
  });

  it('labels every x value under the plot and draws both axes', () => {
    const xl = elements(one, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'middle');
    expect(xl.map((t) => [t.inner, num(t, 'x'), num(t, 'y')])).toEqual([
      ['1', 70, 312],
      ['2', 310, 312],
      ['3', 550, 312],
    ]);
    const [xAxis, yAxis] = elements(one, 'line', 'axis');
    expect([num(xAxis, 'x1'), num(xAxis, 'x2'), num(xAxis, 'y1'), num(xAxis, 'y2')]).toEqual([
      70, 550, 296, 296,
    ]);
    expect([num(yAxis, 'x1'), num(yAxis, 'x2'), num(yAxis, 'y1'), num(yAxis, 'y2')]).toEqual([
      70, 70, 16, 296,
    ]);
  });

  it('places the escaped axis labels below the plot and rotated beside it', () => {
    const html = lineChart({ ...base, xLabel: 'x <&> "n"', yLabel: 'y <&>', series: [] });
    const [xl, yl] = elements(html, 'text', 'label');
    expect(xl?.inner).toBe('x &lt;&amp;&gt; &quot;n&quot;');
    expect([num(xl, 'x'), num(xl, 'y')]).toEqual([310, 334]);
    expect(yl?.inner).toBe('y &lt;&amp;&gt;');
    expect(yl?.attrs.transform).toBe('translate(14,156) rotate(-90)');
  });

  it('places each point where its value says and joins them in order', () => {
    expect(elements(one, 'circle').map((c) => [num(c, 'cx'), num(c, 'cy')])).toEqual([
      [70, 296],
      [310, 156],
      [550, 16],
    ]);
    const path = elements(one, 'path')[0];
    expect(path?.attrs.d).toBe('M70,296L310,156L550,16');
    expect(path?.attrs.fill).toBe('none');
    expect(path?.attrs['data-series']).toBe('kmalloc');
    expect(elements(one, 'circle').map(title)).toEqual([
      'kmalloc: 1 -&gt; 0',
      'kmalloc: 2 -&gt; 5',
      'kmalloc: 3 -&gt; 10',
    ]);
    expectWellFormed(one);
  });

  it('rounds coordinates to a tenth of a pixel', () => {
    const html = lineChart({
      ...base,
      series: [
        {
          name: 's',
          points: [
            [1, 1],
            [4, 3],
          ],
        },
      ],
    });
    // y ticks 0..3 over a 280 px plot: 1 is a third of the way up.
    expect(elements(html, 'circle').map((c) => [c.attrs.cx, c.attrs.cy])).toEqual([
      ['70', '202.7'],
      ['550', '16'],
    ]);
    expect(elements(html, 'path')[0]?.attrs.d).toBe('M70,202.7L550,16');
  });

  it('gives each series a palette colour by position, or its own, in the marks and the legend', () => {
    const html = lineChart({
      ...base,
      series: [
        {
          name: 'a <1>',
          points: [
            [1, 1],
            [2, 2],
          ],
        },
        {
          name: 'b & c',
          points: [
            [1, 2],
            [2, 1],
          ],
        },
        {
          name: 'mine',
          color: '#123456',
          points: [
            [1, 3],
            [2, 3],
          ],
        },
      ],
    });
    expect(elements(html, 'path').map((p) => p.attrs.stroke)).toEqual([PALETTE[0], PALETTE[1], '#123456']);
    expect(elements(html, 'path').map((p) => p.attrs['data-series'])).toEqual([
      'a &lt;1&gt;',
      'b &amp; c',
      'mine',
    ]);
    expect(elements(html, 'circle').map((c) => c.attrs.fill)).toEqual([
      PALETTE[0],
      PALETTE[0],
      PALETTE[1],
      PALETTE[1],
      '#123456',
      '#123456',
    ]);
    expect(legendOf(html)).toEqual([
      { at: [564, 16], fill: PALETTE[0], name: 'a &lt;1&gt;' },
      { at: [564, 32], fill: PALETTE[1], name: 'b &amp; c' },
      { at: [564, 48], fill: '#123456', name: 'mine' },
    ]);
    expectWellFormed(html);
  });

  it('reuses the palette from the start after twelve series', () => {
    const series = Array.from({ length: 13 }, (_, i) => ({ name: `s${i}`, points: [[1, i]] as const }));
    const html = lineChart({ ...base, series });
    const strokes = elements(html, 'path').map((p) => p.attrs.stroke);
    expect(strokes.slice(0, 12)).toEqual(PALETTE);
    expect(strokes[12]).toBe(PALETTE[0]);
    expect(legendOf(html)[12]?.fill).toBe(PALETTE[0]);
  });

  it('labels the distinct x values of all series once, in increasing order', () => {
    const html = lineChart({
      ...base,
      series: [
        {
          name: 'a',
          points: [
            [4, 1],
            [1, 2],
            [16, 2],
          ],
        },
        {
          name: 'b',
          points: [
            [2, 3],
            [4, 4],
            [8, 1],
          ],
        },
      ],
    });
    const xl = elements(html, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'middle');
    expect(xl.map((t) => t.inner)).toEqual(['1', '2', '4', '8', '16']);
    const xs = xl.map((t) => num(t, 'x'));
    expect(xs[0]).toBe(70);
    expect(xs[4]).toBe(550);
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1] as number);
    // The line follows the data order, not the sorted order.
    expect(elements(html, 'path')[0]?.attrs.d).toMatch(/^M166,/);
  });

  it('spaces powers of two evenly on a log x axis', () => {
    const html = lineChart({
      ...base,
      logX: true,
      series: [
        {
          name: 's',
          points: [
            [1, 1],
            [2, 1],
            [4, 1],
            [8, 1],
          ],
        },
      ],
    });
    expect(elements(html, 'circle').map((c) => num(c, 'cx'))).toEqual([70, 230, 390, 550]);
    const xl = elements(html, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'middle');
    expect(xl.map((t) => [t.inner, num(t, 'x')])).toEqual([
      ['1', 70],
      ['2', 230],
      ['4', 390],
      ['8', 550],
    ]);
    expectWellFormed(html);
  });

  it('puts a single x value in the middle of the plot', () => {
    const html = lineChart({
      ...base,
      series: [
        { name: 'a', points: [[4, 2]] },
        { name: 'b', points: [[4, 6]] },
      ],
    });
    expect(elements(html, 'circle').map((c) => num(c, 'cx'))).toEqual([310, 310]);
    const xl = elements(html, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'middle');
    expect(xl.map((t) => [t.inner, num(t, 'x')])).toEqual([['4', 310]]);
    expect(elements(html, 'path').map((p) => p.attrs.d)).toEqual(['M310,202.7', 'M310,16']);
    expectWellFormed(html);
  });

  it('keeps the y axis at zero or above unless signed, then shows negatives and the zero line', () => {
    const points = [
      [1, -5],
      [2, 0],
      [3, 10],
    ] as const;
    const signed = lineChart({ ...base, signedY: true, series: [{ name: 's', points }] });
    const labels = elements(signed, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'end');
    expect(labels.map((t) => t.inner)).toEqual(['-5', '0', '5', '10']);
    expect(elements(signed, 'line', 'grid').map((g) => num(g, 'y1'))).toEqual([296, 202.7, 109.3, 16]);
    expect(elements(signed, 'circle').map((c) => num(c, 'cy'))).toEqual([296, 202.7, 16]);
    const zero = elements(signed, 'line', 'axis')[0];
    expect([num(zero, 'y1'), num(zero, 'y2')]).toEqual([202.7, 202.7]);
    expectWellFormed(signed);

    const unsigned = lineChart({ ...base, series: [{ name: 's', points }] });
    const ul = elements(unsigned, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'end');
    expect(ul.map((t) => t.inner)).toEqual(['0', '2', '4', '6', '8', '10']);
    expect(num(elements(unsigned, 'line', 'axis')[0], 'y1')).toBe(296);
  });

  it('ticks byte values on binary units when asked', () => {
    const yTicks = (
      points: readonly (readonly [number, number])[],
      extra: { bytesY?: boolean; signedY?: boolean },
    ) =>
      elements(lineChart({ ...base, ...extra, series: [{ name: 'pinned', points }] }), 'text', 'tick')
        .filter((t) => t.attrs['text-anchor'] === 'end')
        .map((t) => t.inner);
    const MiB = 2 ** 20;
    expect(
      yTicks(
        [
          [1, 0],
          [2, 3 * MiB],
        ],
        { bytesY: true },
      ),
    ).toEqual(['0', `${MiB}`, `${2 * MiB}`, `${3 * MiB}`]);
    expect(
      yTicks(
        [
          [1, 0],
          [2, MiB],
        ],
        { bytesY: true },
      ),
    ).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1].map((k) => `${k * MiB}`));
    expect(
      yTicks(
        [
          [1, 0],
          [2, 3072],
        ],
        { bytesY: true },
      ),
    ).toEqual(['0', '1024', '2048', '3072']);
    expect(
      yTicks(
        [
          [1, 0],
          [2, 1024],
        ],
        { bytesY: true },
      ),
    ).toEqual(['0', '204.8', '409.6', '614.4', '819.2', '1024']);
    expect(
      yTicks(
        [
          [1, 0],
          [2, 500],
        ],
        { bytesY: true },
      ),
    ).toEqual(['0', '100', '200', '300', '400', '500']);
    expect(
      yTicks(
        [
          [1, -1024],
          [2, 2048],
        ],
        { bytesY: true, signedY: true },
      ),
    ).toEqual(['-1024', '0', '1024', '2048']);
    // Without bytesY the same values tick in decimal steps.
    expect(
      yTicks(
        [
          [1, 0],
          [2, 3072],
        ],
        {},
      ),
    ).toEqual(['0', '1000', '2000', '3000', '4000']);
  });

  it('formats y tick labels and point tooltips with formatY, escaped', () => {
    const html = lineChart({
      ...base,
      formatY: (v) => `<${v} c>`,
      series: [{ name: 'k', points: [[2, 4]] }],
    });
    const labels = elements(html, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'end');
    expect(labels[0]?.inner).toBe('&lt;0 c&gt;');
    expect(labels.at(-1)?.inner).toBe('&lt;4 c&gt;');
    expect(title(elements(html, 'circle')[0])).toBe('k: 2 -&gt; &lt;4 c&gt;');
  });

  it('skips points without a finite value, leaving the scale to the real ones', () => {
    const html = lineChart({
      ...base,
      series: [
        {
          name: 'gappy',
          points: [
            [1, 4],
            [2, Number.NaN],
            [3, 8],
          ],
        },
        { name: 'none', points: [[2, Number.NaN]] },
      ],
    });
    const labels = elements(html, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'end');
    expect(labels.map((t) => t.inner)).toEqual(['0', '2', '4', '6', '8']);
    expect(elements(html, 'path').map((p) => [p.attrs['data-series'], p.attrs.d])).toEqual([
      ['gappy', 'M70,156L550,16'],
    ]);
    expect(elements(html, 'circle')).toHaveLength(2);
    expect(legendOf(html).map((l) => l.name)).toEqual(['gappy', 'none']);
    expectWellFormed(html);
  });

  it('draws empty axes from 0 to 1 when there is no data', () => {
    const html = lineChart({ ...base, series: [] });
    const labels = elements(html, 'text', 'tick');
    expect(labels.map((t) => t.inner)).toEqual(['0', '1']);
    expect(elements(html, 'path')).toHaveLength(0);
    expect(elements(html, 'circle')).toHaveLength(0);
    expect(legendOf(html)).toHaveLength(0);
    expectWellFormed(html);
  });
});

describe('stackedBars', () => {
  const chart = stackedBars({
    id: 'breakdown',
    title: 'Breakdown',
    xLabel: 'cycles <per> call',
    categories: ['copy', 'alloc', 'lock'],
    rows: [
      { name: 'kmalloc', values: { copy: 2, alloc: 3 } },
      { name: 'stack & co', values: { copy: 5 } },
    ],
  });

  it('sizes the chart to its rows and scales the x axis to the largest total', () => {
    expect(size(chart)).toEqual({ width: 760, height: 94, viewBox: '0 0 760 94' });
    const grid = elements(chart, 'line', 'grid');
    expect(grid.map((g) => num(g, 'x1'))).toEqual([150, 246, 342, 438, 534, 630]);
    for (const g of grid) {
      expect(num(g, 'x2')).toBe(num(g, 'x1'));
      expect([num(g, 'y1'), num(g, 'y2')]).toEqual([10, 54]);
    }
    const xTicks = elements(chart, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'middle');
    expect(xTicks.map((t) => [t.inner, num(t, 'x'), num(t, 'y')])).toEqual([
      ['0', 150, 68],
      ['1', 246, 68],
      ['2', 342, 68],
      ['3', 438, 68],
      ['4', 534, 68],
      ['5', 630, 68],
    ]);
    const xl = elements(chart, 'text', 'label')[0];
    expect([xl?.inner, num(xl, 'x'), num(xl, 'y')]).toEqual(['cycles &lt;per&gt; call', 390, 88]);
    expectWellFormed(chart);
  });

  it('stacks each row’s segments left to right with widths proportional to their values', () => {
    const rows = elements(chart, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'end');
    expect(rows.map((t) => [t.inner, num(t, 'x'), num(t, 'y')])).toEqual([
      ['kmalloc', 144, 25],
      ['stack &amp; co', 144, 47],
    ]);
    const bars = elements(chart, 'rect', 'mark');
    expect(
      bars.map((b) => [num(b, 'x'), num(b, 'y'), num(b, 'width'), num(b, 'height'), b.attrs.fill]),
    ).toEqual([
      [150, 13, 192, 16, PALETTE[0]],
      [342, 13, 288, 16, PALETTE[1]],
      [150, 35, 480, 16, PALETTE[0]],
    ]);
    expect(bars.map(title)).toEqual(['kmalloc copy: 2', 'kmalloc alloc: 3', 'stack &amp; co copy: 5']);
  });

  it('has a legend entry per category in palette order', () => {
    expect(legendOf(chart)).toEqual([
      { at: [644, 10], fill: PALETTE[0], name: 'copy' },
      { at: [644, 26], fill: PALETTE[1], name: 'alloc' },
      { at: [644, 42], fill: PALETTE[2], name: 'lock' },
    ]);
  });

  it('draws no segment for a zero or missing value', () => {
    const html = stackedBars({
      id: 'b',
      title: 't',
      xLabel: 'x',
      categories: ['a', 'b', 'c', 'd'],
      rows: [{ name: 'r', values: { a: 0, b: 0, d: 4 } }],
    });
    const bars = elements(html, 'rect', 'mark');
    expect(bars.map((b) => [num(b, 'x'), num(b, 'width'), b.attrs.fill, title(b)])).toEqual([
      [150, 480, PALETTE[3], 'r d: 4'],
    ]);
    expectWellFormed(html);
  });

  it('grows taller to fit a legend longer than the rows', () => {
    const html = stackedBars({
      id: 'b',
      title: 't',
      xLabel: 'x',
      categories: ['a', 'b', 'c', 'd', 'e'],
      rows: [{ name: 'r', values: { a: 1 } }],
    });
    expect(size(html)).toEqual({ width: 760, height: 100, viewBox: '0 0 760 100' });
    expect(legendOf(html).map((l) => l.at[1])).toEqual([10, 26, 42, 58, 74]);
  });

  it('draws an empty 0..1 axis without rows', () => {
    const html = stackedBars({ id: 'b', title: 't', xLabel: 'x', categories: [], rows: [] });
    expect(size(html).height).toBe(50);
    const xTicks = elements(html, 'text', 'tick');
    expect(xTicks.map((t) => [t.inner, num(t, 'x')])).toEqual([
      ['0', 150],
      ['1', 630],
    ]);
    expect(elements(html, 'rect')).toHaveLength(0);
    expectWellFormed(html);
  });
});

describe('budgetPanels', () => {
  const bar = (name: string, value: number, over = false) => ({ name, value, over });

  it('draws bars proportional to their values against the budget line', () => {
    const html = budgetPanels({
      id: 'stack',
      title: 'Stack',
      unit: 'B',
      groups: [
        {
          name: 'i386 <4K>',
          budget: 100,
          budgetLabel: 'usable <100> B',
          bars: [bar('kmalloc', 50), bar('stack', 200, true)],
        },
      ],
    });
    expect(size(html)).toEqual({ width: 760, height: 72, viewBox: '0 0 760 72' });
    const name = elements(html, 'text', 'label')[0];
    expect([name?.inner, num(name, 'x'), num(name, 'y')]).toEqual(['i386 &lt;4K&gt;', 8, 12]);
    const bars = elements(html, 'rect', 'mark');
    expect(bars.map((b) => [num(b, 'x'), num(b, 'y'), num(b, 'height'), b.attrs.fill])).toEqual([
      [8, 20, 9, PALETTE[0]],
      [8, 32, 9, PALETTE[1]],
    ]);
    // The longest of budget and bars fills 1/1.05 of the 229.3 px panel.
    expect(num(bars[1], 'width')).toBe(218.4);
    expect(num(bars[0], 'width')).toBe(54.6);
    const line = elements(html, 'line', 'budget')[0];
    expect([num(line, 'x1'), num(line, 'x2'), num(line, 'y1'), num(line, 'y2')]).toEqual([
      117.2, 117.2, 18, 44,
    ]);
    const label = elements(html, 'text', 'tick')[0];
    expect([label?.inner, num(label, 'x'), num(label, 'y'), label?.attrs['text-anchor']]).toEqual([
      'usable &lt;100&gt; B',
      117.2,
      55,
      'end',
    ]);
    expectWellFormed(html);
  });

  it('outlines and explains the bars that are over the budget, and only those', () => {
    const html = budgetPanels({
      id: 'stack',
      title: 'Stack',
      unit: 'B',
      groups: [
        { name: 'x86_64', budget: 100, budgetLabel: 'u', bars: [bar('ok', 50), bar('big', 200, true)] },
      ],
    });
    const [ok, big] = elements(html, 'rect', 'mark');
    expect(ok?.attrs.stroke).toBeUndefined();
    expect(title(ok)).toBe('x86_64 ok: 50 B of 100');
    expect([big?.attrs.stroke, big?.attrs['stroke-width']]).toEqual(['#000', '2']);
    expect(title(big)).toBe('x86_64 big: 200 B of 100 (over CONFIG_FRAME_WARN or overflow)');
  });

  it('keeps a zero bar visible and puts the budget near the panel end when it is the largest', () => {
    const html = budgetPanels({
      id: 's',
      title: 't',
      unit: 'B',
      groups: [{ name: 'g', budget: 200, budgetLabel: 'u', bars: [bar('none', 0), bar('half', 100)] }],
    });
    expect(elements(html, 'rect', 'mark').map((b) => num(b, 'width'))).toEqual([0.5, 109.2]);
    expect(num(elements(html, 'line', 'budget')[0], 'x1')).toBe(226.4);
  });

  it('lays groups out three to a row, each panel as tall as the group with most bars', () => {
    const groups = ['a', 'b', 'c', 'd'].map((n, i) => ({
      name: n,
      budget: 100,
      budgetLabel: `${n} budget`,
      bars: i === 0 ? [bar('x', 100), bar('y', 100), bar('z', 100)] : [bar('x', 100)],
    }));
    const html = budgetPanels({ id: 's', title: 't', unit: 'B', groups });
    // Panels are 76 px tall (3 bars); two rows of panels.
    expect(size(html).height).toBe(160);
    const names = elements(html, 'text', 'label');
    expect(names.map((n) => n.inner)).toEqual(['a', 'b', 'c', 'd']);
    const at = names.map((n) => [num(n, 'x'), num(n, 'y')]);
    expect(at[0]).toEqual([8, 12]);
    expect(at[1]?.[0]).toBeCloseTo(261.33, 1);
    expect(at[2]?.[0]).toBeCloseTo(514.67, 1);
    expect([at[1]?.[1], at[2]?.[1]]).toEqual([12, 12]);
    expect(at[3]).toEqual([8, 88]);
    const bars = elements(html, 'rect', 'mark');
    expect(bars.map((b) => num(b, 'y'))).toEqual([20, 32, 44, 20, 20, 96]);
    expect(num(bars[3], 'x')).toBeCloseTo(261.33, 1);
    expect(bars.map((b) => b.attrs.fill)).toEqual([
      PALETTE[0],
      PALETTE[1],
      PALETTE[2],
      PALETTE[0],
      PALETTE[0],
      PALETTE[0],
    ]);
    const lines = elements(html, 'line', 'budget');
    expect(lines.map((l) => [num(l, 'y1'), num(l, 'y2')])).toEqual([
      [18, 56],
      [18, 32],
      [18, 32],
      [94, 108],
    ]);
    expect(num(lines[3], 'x1')).toBe(226.4);
    expect(elements(html, 'text', 'tick').map((t) => [t.inner, num(t, 'y')])).toEqual([
      ['a budget', 67],
      ['b budget', 43],
      ['c budget', 43],
      ['d budget', 119],
    ]);
    expectWellFormed(html);
  });

  it('is an empty frame without groups', () => {
    const html = budgetPanels({ id: 's', title: 't', unit: 'B', groups: [] });
    expect(size(html)).toEqual({ width: 760, height: 8, viewBox: '0 0 760 8' });
    expectWellFormed(html);
  });
});
