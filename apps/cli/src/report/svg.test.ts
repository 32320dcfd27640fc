import { beforeEach, describe, expect, it } from 'vitest';
import { markerPath } from './palette.js';
import {
  budgetPanels,
  esc,
  lineChart,
  logTicks,
  rangeTicks,
  spreadLabels,
  stackedBars,
  ticks,
  wrapLabel,
} from './svg.js';

/** One SVG/HTML element as a reader of the chart sees it: its attributes and its content. */
interface El {
  readonly attrs: Readonly<Record<string, string>>;
  readonly inner: string;
}

/** The `tag` elements of a chart, in document order (optionally only those with one class among theirs). */
function elements(html: string, tag: string, cls?: string): El[] {
  const re = new RegExp(`<${tag}\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${tag}>)`, 'g');
  const out: El[] = [];
  for (const m of html.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1] as string] = a[2] as string;
    if (cls === undefined || (attrs.class ?? '').split(' ').includes(cls))
      out.push({ attrs, inner: m[2] ?? '' });
  }
  return out;
}

const num = (e: El | undefined, k: string): number => Number(e?.attrs[k]);
const title = (e: El | undefined): string | undefined => /<title>([^<]*)<\/title>/.exec(e?.inner ?? '')?.[1];
const translate = (e: El | undefined): [number, number] => {
  const m = /translate\(([^,]+),([^)]+)\)/.exec(e?.attrs.transform ?? '');
  return [Number(m?.[1]), Number(m?.[2])];
};
/** The legend entries (stacked bars): position, colour class, swatch fill and (escaped) name. */
const legendOf = (html: string) =>
  elements(html, 'g').map((g) => ({
    at: translate(g),
    cls: g.attrs.class,
    fill: elements(g.inner, 'rect')[0]?.attrs.fill,
    name: elements(g.inner, 'text', 'legend')[0]?.inner,
  }));
/** The svg element's size. */
const size = (html: string) => {
  const s = elements(html, 'svg')[0];
  return { width: num(s, 'width'), height: num(s, 'height'), viewBox: s?.attrs.viewBox };
};

/** What kind of marker a marker element is. */
function markerKind(markup: string): string {
  if (markup.startsWith('<circle')) return 'circle';
  if (markup.startsWith('<rect')) return 'square';
  const d = /d="([^"]*)"/.exec(markup)?.[1] ?? '';
  if (!d.endsWith('Z')) return d.split('M').length === 3 ? 'cross' : `? ${d}`;
  return ({ 2: 'triangle', 3: 'diamond' } as Record<number, string>)[d.split('L').length - 1] ?? `? ${d}`;
}

/** The lines of an end label: its tspans, or its text when it has one line. */
const lines = (e: El): string[] =>
  e.inner.includes('<tspan')
    ? [...e.inner.matchAll(/<tspan [^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1] as string)
    : [e.inner];

/**
 * A line chart's series as drawn, in order: group class and name, line, markers with their
 * titles, the leader line and the end label (when it has them).
 */
function seriesOf(html: string) {
  const body = html.slice(0, html.lastIndexOf('</svg>'));
  return body
    .split('<g class="series ')
    .slice(1)
    .map((chunk) => {
      const m = /^([^"]*)" data-series="([^"]*)">([\s\S]*)<\/g>$/.exec(chunk);
      expect(m, chunk).not.toBeNull();
      const inner = m?.[3] as string;
      const marks = [...inner.matchAll(/<g>(<[^>]*\/>)<title>([^<]*)<\/title><\/g>/g)];
      const line = elements(inner, 'path', 'mark');
      const labels = elements(inner, 'text', 'end-label');
      const leaders = elements(inner, 'line', 'leader');
      // one line, at most one end label and one leader
      expect(line).toHaveLength(1);
      expect(labels.length).toBeLessThanOrEqual(1);
      expect(leaders.length).toBeLessThanOrEqual(labels.length);
      return {
        cls: m?.[1] as string,
        name: m?.[2] as string,
        line: line[0] as El,
        markers: marks.map((p) => p[1] as string),
        kinds: marks.map((p) => markerKind(p[1] as string)),
        titles: marks.map((p) => p[2] as string),
        label: labels[0],
        leader: leaders[0],
      };
    });
}

/** The end labels: text (lines joined by a space), x and y. */
const endLabels = (html: string) =>
  elements(html, 'text', 'end-label').map((t) => [lines(t).join(' '), num(t, 'x'), num(t, 'y')] as const);
const yTickTexts = (html: string) =>
  elements(html, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'end');
const xTickTexts = (html: string) =>
  elements(html, 'text', 'tick').filter((t) => t.attrs['text-anchor'] === 'middle');

/** A chart must be complete markup: no NaN/undefined coordinates, no text outside text/title elements. */
function expectWellFormed(html: string): void {
  expect(html).not.toMatch(/NaN|undefined|Infinity/);
  const stray = html
    .replace(/<tspan\b[^>]*>[^<]*<\/tspan>/g, '')
    .replace(/<(text|title|figcaption)\b[^>]*>[^<]*<\/\1>/g, '')
    .replace(/<[^>]+>/g, '');
  expect(stray).toBe('');
  // Every tag is a name followed by name="value" attributes only.
  for (const tag of html.match(/<[^>]+>/g) ?? [])
    expect(tag).toMatch(/^<\/?[\w]+(\s+[\w:-]+="[^"]*")*\s*\/?>$/);
  expect(html.startsWith('<figure class="chart"')).toBe(true);
  expect(html.endsWith('</svg></figure>')).toBe(true);
  // Every element opened is closed, in order.
  const open: string[] = [];
  for (const m of html.matchAll(/<(\/?)(\w+)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') expect(open.pop()).toBe(m[2]);
    else open.push(m[2] as string);
  }
  expect(open).toEqual([]);
}

describe('esc', () => {
  it('escapes the four characters that break markup or attributes', () => {
    expect(esc('a & b < c > "d"')).toBe('a &amp; b &lt; c &gt; &quot;d&quot;');
    expect(esc('&lt;')).toBe('&amp;lt;');
    expect(esc("plain text, it's fine")).toBe("plain text, it's fine");
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

describe('logTicks', () => {
  it('covers the range with 1, 2 and 5 times powers of ten, from the one at or below min to the one at or above max', () => {
    expect(logTicks(900, 15000)).toEqual([500, 1000, 2000, 5000, 10000, 20000]);
    expect(logTicks(3, 40)).toEqual([2, 5, 10, 20, 50]);
    expect(logTicks(1.5, 1.7)).toEqual([1, 2]);
    expect(logTicks(600, 4000)).toEqual([500, 1000, 2000, 5000]);
  });

  it('starts and ends exactly on values that are ticks themselves', () => {
    expect(logTicks(100, 1000)).toEqual([100, 200, 500, 1000]);
    expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(logTicks(200, 5000)).toEqual([200, 500, 1000, 2000, 5000]);
    // one value on a tick: up to the next tick, so the axis has a span
    expect(logTicks(1000, 1000)).toEqual([1000, 2000]);
    expect(logTicks(700, 700)).toEqual([500, 1000]);
  });

  it('ticks fractions without floating-point noise', () => {
    expect(logTicks(0.03, 0.7)).toEqual([0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    expect(logTicks(0.3, 3)).toEqual([0.2, 0.5, 1, 2, 5]);
  });

  it('falls back to 1..10 when min is not above zero or max is below min or not a number', () => {
    expect(logTicks(0, 10)).toEqual([1, 10]);
    expect(logTicks(-5, 10)).toEqual([1, 10]);
    expect(logTicks(Number.NaN, 10)).toEqual([1, 10]);
    expect(logTicks(10, 5)).toEqual([1, 10]);
    expect(logTicks(10, Number.NaN)).toEqual([1, 10]);
    // no positive value at all: the chart asks for min = Infinity
    expect(logTicks(Number.POSITIVE_INFINITY, 0)).toEqual([1, 10]);
  });
});

describe('spreadLabels', () => {
  it('keeps labels that are already at least the gap apart where they want to be', () => {
    expect(spreadLabels([20, 50, 100], 12, 0, 200)).toEqual([20, 50, 100]);
    expect(spreadLabels([20, 32, 44], 12, 0, 200)).toEqual([20, 32, 44]);
    expect(spreadLabels([], 12, 0, 200)).toEqual([]);
    expect(spreadLabels([7], 12, 0, 200)).toEqual([7]);
  });

  it('pushes close labels down to the gap, in the order of their positions', () => {
    expect(spreadLabels([50, 52, 55], 12, 0, 200)).toEqual([50, 62, 74]);
    // only the ones too close move
    expect(spreadLabels([50, 55, 100], 12, 0, 200)).toEqual([50, 62, 100]);
    expect(spreadLabels([50, 55, 70], 12, 0, 200)).toEqual([50, 62, 74]);
  });

  it('returns the positions in the order of the input, whatever order they are placed in', () => {
    expect(spreadLabels([55, 50, 52], 12, 0, 200)).toEqual([74, 50, 62]);
    expect(spreadLabels([100, 20, 50], 12, 0, 200)).toEqual([100, 20, 50]);
    // equal positions keep the input order
    expect(spreadLabels([50, 50, 50], 10, 0, 200)).toEqual([50, 60, 70]);
  });

  it('clamps labels to [top, bottom]', () => {
    expect(spreadLabels([-5, 300], 12, 10, 200)).toEqual([10, 200]);
    expect(spreadLabels([-5, -1], 12, 10, 200)).toEqual([10, 22]);
    expect(spreadLabels([10, 200], 12, 10, 200)).toEqual([10, 200]);
  });

  it('shifts labels pushed past the bottom back up, only as far as needed', () => {
    expect(spreadLabels([190, 195, 198], 12, 0, 200)).toEqual([176, 188, 200]);
    expect(spreadLabels([20, 190, 195], 12, 0, 200)).toEqual([20, 188, 200]);
    expect(spreadLabels([250, 250], 12, 0, 200)).toEqual([188, 200]);
    expect(spreadLabels([195, 180, 300], 12, 0, 200)).toEqual([188, 176, 200]);
  });

  it('takes the room of each label from its own entry, by input position, when given one per label', () => {
    // the first label is two lines (24 px): the next one starts 24 px below it
    expect(spreadLabels([50, 52, 55], [24, 12, 12], 0, 200)).toEqual([50, 74, 86]);
    expect(spreadLabels([50, 52, 55], [12, 24, 12], 0, 200)).toEqual([50, 62, 86]);
    // the room is the upper label's, whatever the input order
    expect(spreadLabels([55, 50], [12, 24], 0, 200)).toEqual([74, 50]);
    expect(spreadLabels([55, 50], [24, 12], 0, 200)).toEqual([62, 50]);
    // the same when shifting back up from the bottom
    expect(spreadLabels([190, 195], [24, 12], 0, 200)).toEqual([176, 200]);
    expect(spreadLabels([195, 190], [24, 12], 0, 200)).toEqual([200, 188]);
  });
});

describe('wrapLabel', () => {
  it('keeps a label that fits on one line', () => {
    expect(wrapLabel('kmalloc (0 B), stack (0 B)', 36)).toEqual(['kmalloc (0 B), stack (0 B)']);
    expect(wrapLabel('stack', 36)).toEqual(['stack']);
    expect(wrapLabel('', 36)).toEqual(['']);
  });

  it('breaks after the commas, filling each line as far as it can, each but the last ending in a comma', () => {
    expect(wrapLabel('kmalloc (0 B), stack (0 B), ctx-cache (0 B), hybrid (0 B)', 36)).toEqual([
      'kmalloc (0 B), stack (0 B),',
      'ctx-cache (0 B), hybrid (0 B)',
    ]);
    expect(wrapLabel('a, b, c', 1)).toEqual(['a,', 'b,', 'c']);
  });

  it('allows lines of exactly the maximum', () => {
    expect(wrapLabel('abc, de', 7)).toEqual(['abc, de']);
    expect(wrapLabel('abc, def', 7)).toEqual(['abc,', 'def']);
  });

  it('keeps a part longer than the maximum whole, and splits at ", " only', () => {
    expect(wrapLabel('a-very-long-part, b', 5)).toEqual(['a-very-long-part,', 'b']);
    expect(wrapLabel('b, a-very-long-part', 5)).toEqual(['b,', 'a-very-long-part']);
    expect(wrapLabel('no commas in here', 3)).toEqual(['no commas in here']);
    expect(wrapLabel('a,b, c', 3)).toEqual(['a,b,', 'c']);
  });
});

describe('lineChart', () => {
  const base = { id: 'cost', title: 'Cost', xLabel: 'registers', yLabel: 'cycles' };
  // "kmalloc" is 7 characters: a right margin of 24 + ceil(7 * 6.4) = 69 px, a plot 760 - 70 - 69
  // = 621 px wide (x 70..691) and 340 - 16 - 44 = 280 px tall (y 16..296).
  let one: string;
  beforeEach(() => {
    one = lineChart({
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
  });

  it('frames the chart in a figure with an escaped id, caption, accessible label and title', () => {
    const html = lineChart({ ...base, id: 'a"b', title: 'Cost <per> call & more', series: [] });
    expect(html).toContain('<figure class="chart" data-chart="a&quot;b">');
    expect(html).toContain('<figcaption>Cost &lt;per&gt; call &amp; more</figcaption>');
    const svg = elements(html, 'svg')[0];
    expect(svg?.attrs['aria-label']).toBe('Cost &lt;per&gt; call &amp; more');
    expect(svg?.attrs.role).toBe('img');
    expect(svg?.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    // the title is the svg's first child, for readers that show it as a tooltip
    expect(svg?.inner.startsWith('<title>Cost &lt;per&gt; call &amp; more</title><')).toBe(true);
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
    // margin 24 + ceil(6.4) = 31: x 70..469
    expect(elements(html, 'circle').map((c) => [num(c, 'cx'), num(c, 'cy')])).toEqual([
      [70, 156],
      [469, 16],
    ]);
    expect(endLabels(html)).toEqual([['s', 477, 20]]);
  });

  it('draws a y grid line and label per tick from the bottom (0) to the top (max)', () => {
    const grid = elements(one, 'line', 'grid');
    expect(grid.map((g) => num(g, 'y1'))).toEqual([296, 240, 184, 128, 72, 16]);
    expect(grid.map((g) => num(g, 'y2'))).toEqual([296, 240, 184, 128, 72, 16]);
    for (const g of grid) expect([num(g, 'x1'), num(g, 'x2')]).toEqual([70, 691]);
    const labels = yTickTexts(one);
    expect(labels.map((t) => t.inner)).toEqual(['0', '2', '4', '6', '8', '10']);
    expect(labels.map((t) => num(t, 'y'))).toEqual([300, 244, 188, 132, 76, 20]);
    for (const t of labels) expect(num(t, 'x')).toBe(64);
  });

  it('labels every x value under the plot and draws both axes', () => {
    expect(xTickTexts(one).map((t) => [t.inner, num(t, 'x'), num(t, 'y')])).toEqual([
      ['1', 70, 312],
      ['2', 380.5, 312],
      ['3', 691, 312],
    ]);
    const [xAxis, yAxis] = elements(one, 'line', 'axis');
    expect([num(xAxis, 'x1'), num(xAxis, 'x2'), num(xAxis, 'y1'), num(xAxis, 'y2')]).toEqual([
      70, 691, 296, 296,
    ]);
    expect([num(yAxis, 'x1'), num(yAxis, 'x2'), num(yAxis, 'y1'), num(yAxis, 'y2')]).toEqual([
      70, 70, 16, 296,
    ]);
  });

  it('places the escaped axis labels below the plot and rotated beside it', () => {
    // no series: a 24 px right margin, the plot 666 px wide
    const html = lineChart({ ...base, xLabel: 'x <&> "n"', yLabel: 'y <&>', series: [] });
    const [xl, yl] = elements(html, 'text', 'label');
    expect(xl?.inner).toBe('x &lt;&amp;&gt; &quot;n&quot;');
    expect([num(xl, 'x'), num(xl, 'y')]).toEqual([403, 334]);
    expect(yl?.inner).toBe('y &lt;&amp;&gt;');
    expect(yl?.attrs.transform).toBe('translate(14,156) rotate(-90)');
  });

  it('places each point where its value says and joins them in order, in one group per series', () => {
    expect(elements(one, 'circle').map((c) => [num(c, 'cx'), num(c, 'cy')])).toEqual([
      [70, 296],
      [380.5, 156],
      [691, 16],
    ]);
    const [s] = seriesOf(one);
    expect(s?.cls).toBe('s0');
    expect(s?.name).toBe('kmalloc');
    expect(s?.line.attrs).toEqual({
      d: 'M70,296L380.5,156L691,16',
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': '2',
      class: 'mark',
    });
    expect(s?.titles).toEqual(['kmalloc: 1 -&gt; 0', 'kmalloc: 2 -&gt; 5', 'kmalloc: 3 -&gt; 10']);
    // a filled circle of radius 3 per point
    expect(s?.markers).toEqual([
      markerPath('circle', 70, 296, 3),
      markerPath('circle', 380.5, 156, 3),
      markerPath('circle', 691, 16, 3),
    ]);
    expect(s?.markers[0]).toBe('<circle cx="70" cy="296" r="3" fill="currentColor"/>');
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
            [2, 2],
            [4, 3],
          ],
        },
      ],
    });
    // x 70..729 (margin 31); y ticks 0..3 over a 280 px plot: 1 is a third of the way up.
    expect(elements(html, 'circle').map((c) => [c.attrs.cx, c.attrs.cy])).toEqual([
      ['70', '202.7'],
      ['289.7', '109.3'],
      ['729', '16'],
    ]);
    expect(seriesOf(html)[0]?.line.attrs.d).toBe('M70,202.7L289.7,109.3L729,16');
    expect(endLabels(html)).toEqual([['s', 737, 20]]);
  });

  it('gives each series the look of its position, or of its style index: colour class, marker and dash', () => {
    const html = lineChart({
      ...base,
      series: [
        {
          name: 'a <1>',
          points: [
            [1, 0],
            [2, 10],
          ],
        },
        {
          name: 'b & c',
          points: [
            [1, 10],
            [2, 5],
          ],
        },
        {
          name: 'mine',
          style: 4,
          points: [
            [1, 5],
            [2, 0],
          ],
        },
        {
          name: 'first',
          style: 0,
          points: [
            [1, 0],
            [2, 5],
          ],
        },
      ],
    });
    const drawn = seriesOf(html);
    expect(drawn.map((s) => s.name)).toEqual(['a &lt;1&gt;', 'b &amp; c', 'mine', 'first']);
    // "mine" at position 2 would be s2, triangles, dashed 2 3
    expect(drawn.map((s) => s.cls)).toEqual(['s0', 's1', 's4', 's0']);
    expect(drawn.map((s) => s.kinds)).toEqual([
      ['circle', 'circle'],
      ['square', 'square'],
      ['cross', 'cross'],
      ['circle', 'circle'],
    ]);
    expect(drawn.map((s) => s.line.attrs['stroke-dasharray'])).toEqual([undefined, '7 4', '7 4', undefined]);
    // the markers sit on the points: margin 24 + ceil(5 * 6.4) = 56, x 70..704
    expect(drawn[1]?.markers).toEqual([markerPath('square', 70, 16, 3), markerPath('square', 704, 156, 3)]);
    expect(drawn[1]?.markers[0]).toBe('<rect x="67" y="13" width="6" height="6" fill="currentColor"/>');
    expect(drawn[2]?.markers).toEqual([markerPath('cross', 70, 156, 3), markerPath('cross', 704, 296, 3)]);
    // every mark draws in the group's colour
    for (const s of drawn) {
      expect(s.line.attrs.stroke).toBe('currentColor');
      expect(s.label?.attrs.fill).toBe('currentColor');
    }
    expect(html).not.toMatch(/#[0-9a-f]{6}/i);
    expectWellFormed(html);
  });

  it('cycles the colour classes after eight series, the markers after five and the dashes after three', () => {
    const series = Array.from({ length: 13 }, (_, i) => ({ name: `s${i}`, points: [[1, i]] as const }));
    const drawn = seriesOf(lineChart({ ...base, series }));
    expect(drawn.map((s) => s.cls)).toEqual([
      's0',
      's1',
      's2',
      's3',
      's4',
      's5',
      's6',
      's7',
      's0',
      's1',
      's2',
      's3',
      's4',
    ]);
    expect(drawn.map((s) => s.kinds[0])).toEqual([
      'circle',
      'square',
      'triangle',
      'diamond',
      'cross',
      'circle',
      'square',
      'triangle',
      'diamond',
      'cross',
      'circle',
      'square',
      'triangle',
    ]);
    expect(drawn.map((s) => s.line.attrs['stroke-dasharray'] ?? '')).toEqual([
      '',
      '7 4',
      '2 3',
      '',
      '7 4',
      '2 3',
      '',
      '7 4',
      '2 3',
      '',
      '7 4',
      '2 3',
      '',
    ]);
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
    const xl = xTickTexts(html);
    expect(xl.map((t) => t.inner)).toEqual(['1', '2', '4', '8', '16']);
    const xs = xl.map((t) => num(t, 'x'));
    expect(xs[0]).toBe(70);
    expect(xs[4]).toBe(729);
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1] as number);
    // The line follows the data order, not the sorted order: 4 is 3/15 of the way along 659 px.
    expect(seriesOf(html)[0]?.line.attrs.d).toMatch(/^M201.8,/);
  });

  it('labels every k-th x value only when all of them would not fit at 34 px each', () => {
    const xLabels = (n: number, name = 's') =>
      xTickTexts(
        lineChart({
          ...base,
          series: [{ name, points: Array.from({ length: n }, (_, i) => [i + 1, 1] as const) }],
        }),
      ).map((t) => t.inner);
    // a 659 px plot: 19 values take 646 px and fit
    expect(xLabels(19)).toEqual(Array.from({ length: 19 }, (_, i) => String(i + 1)));
    // 20 take 680 px: every second one, from the first
    expect(xLabels(20)).toEqual(['1', '3', '5', '7', '9', '11', '13', '15', '17', '19']);
    // 40 take 1360 px: every third
    expect(xLabels(40)).toEqual(Array.from({ length: 14 }, (_, i) => String(3 * i + 1)));
    // a wider margin (10 characters: 88 px) leaves a 602 px plot, too narrow for 18 (612 px)
    expect(xLabels(17, 'abcdefghij')).toHaveLength(17);
    expect(xLabels(18, 'abcdefghij')).toEqual(['1', '3', '5', '7', '9', '11', '13', '15', '17']);
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
    expect(elements(html, 'circle').map((c) => num(c, 'cx'))).toEqual([70, 289.7, 509.3, 729]);
    expect(xTickTexts(html).map((t) => [t.inner, num(t, 'x')])).toEqual([
      ['1', 70],
      ['2', 289.7],
      ['4', 509.3],
      ['8', 729],
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
    expect(seriesOf(html).map((s) => s.markers)).toEqual([
      [markerPath('circle', 399.5, 202.7, 3)],
      [markerPath('square', 399.5, 16, 3)],
    ]);
    expect(xTickTexts(html).map((t) => [t.inner, num(t, 'x')])).toEqual([['4', 399.5]]);
    expect(seriesOf(html).map((s) => s.line.attrs.d)).toEqual(['M399.5,202.7', 'M399.5,16']);
    expectWellFormed(html);
  });

  it('keeps the y axis at zero or above unless signed, then shows negatives and the zero line', () => {
    const points = [
      [1, -5],
      [2, 0],
      [3, 10],
    ] as const;
    const signed = lineChart({ ...base, signedY: true, series: [{ name: 's', points }] });
    expect(yTickTexts(signed).map((t) => t.inner)).toEqual(['-5', '0', '5', '10']);
    expect(elements(signed, 'line', 'grid').map((g) => num(g, 'y1'))).toEqual([296, 202.7, 109.3, 16]);
    expect(elements(signed, 'circle').map((c) => num(c, 'cy'))).toEqual([296, 202.7, 16]);
    const zero = elements(signed, 'line', 'axis')[0];
    expect([num(zero, 'y1'), num(zero, 'y2')]).toEqual([202.7, 202.7]);
    expectWellFormed(signed);

    const unsigned = lineChart({ ...base, series: [{ name: 's', points }] });
    expect(yTickTexts(unsigned).map((t) => t.inner)).toEqual(['0', '2', '4', '6', '8', '10']);
    expect(num(elements(unsigned, 'line', 'axis')[0], 'y1')).toBe(296);
  });

  it('ticks byte values on binary units when asked', () => {
    const yTicks = (
      points: readonly (readonly [number, number])[],
      extra: { bytesY?: boolean; signedY?: boolean },
    ) =>
      yTickTexts(lineChart({ ...base, ...extra, series: [{ name: 'pinned', points }] })).map((t) => t.inner);
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
    const labels = yTickTexts(html);
    expect(labels[0]?.inner).toBe('&lt;0 c&gt;');
    expect(labels.at(-1)?.inner).toBe('&lt;4 c&gt;');
    expect(seriesOf(html)[0]?.titles).toEqual(['k: 2 -&gt; &lt;4 c&gt;']);
    // the end label is the name, not a formatted value
    expect(endLabels(html).map((l) => l[0])).toEqual(['k']);
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
    expect(yTickTexts(html).map((t) => t.inner)).toEqual(['0', '2', '4', '6', '8']);
    // margin 24 + ceil(5 * 6.4) = 56: x 70..704
    expect(seriesOf(html).map((s) => [s.name, s.line.attrs.d])).toEqual([['gappy', 'M70,156L704,16']]);
    expect(elements(html, 'circle')).toHaveLength(2);
    // a series without any point to draw has no group and no label
    expect(endLabels(html).map((l) => l[0])).toEqual(['gappy']);
    expect(html).not.toContain('data-series="none"');
    expectWellFormed(html);
  });

  it('draws empty axes from 0 to 1 when there is no data', () => {
    const html = lineChart({ ...base, series: [] });
    expect(elements(html, 'text', 'tick').map((t) => t.inner)).toEqual(['0', '1']);
    expect(elements(html, 'path')).toHaveLength(0);
    expect(elements(html, 'circle')).toHaveLength(0);
    expect(elements(html, 'g')).toHaveLength(0);
    expect(endLabels(html)).toHaveLength(0);
    // the plot reaches 24 px from the right edge
    expect(num(elements(html, 'line', 'grid')[0], 'x2')).toBe(736);
    expectWellFormed(html);
  });

  describe('with a log y axis', () => {
    // margin 31: x 70..729; y ticks 500..20000, a decade is 280 / log10(40) = 174.8 px
    let html: string;
    beforeEach(() => {
      html = lineChart({
        ...base,
        logX: true,
        logY: true,
        series: [
          {
            name: 'k',
            points: [
              [1, 900],
              [4, 2000],
              [16, 15000],
            ],
          },
        ],
      });
    });

    it('ticks 1, 2 and 5 times powers of ten from below the least value to above the greatest', () => {
      expect(yTickTexts(html).map((t) => t.inner)).toEqual(['500', '1000', '2000', '5000', '10000', '20000']);
      const grid = elements(html, 'line', 'grid').map((g) => num(g, 'y1'));
      expect(grid).toEqual([296, 243.4, 190.8, 121.2, 68.6, 16]);
      // the same ratio is the same distance: 1000 -> 2000 as 5000 -> 10000
      expect(grid[1]! - grid[2]!).toBeCloseTo(grid[3]! - grid[4]!, 0);
      expect(yTickTexts(html).map((t) => num(t, 'y'))).toEqual([300, 247.4, 194.8, 125.2, 72.6, 20]);
    });

    it('places the points by the logarithm of their values', () => {
      expect(elements(html, 'circle').map((c) => [num(c, 'cx'), num(c, 'cy')])).toEqual([
        [70, 251.4],
        [399.5, 190.8],
        [729, 37.8],
      ]);
      expect(seriesOf(html)[0]?.line.attrs.d).toBe('M70,251.4L399.5,190.8L729,37.8');
      expect(endLabels(html)).toEqual([['k', 737, 41.8]]);
    });

    it('draws the x axis along the lowest tick, not at zero', () => {
      const xAxis = elements(html, 'line', 'axis')[0];
      expect([num(xAxis, 'y1'), num(xAxis, 'y2')]).toEqual([296, 296]);
      expectWellFormed(html);
    });

    it('differs from the linear axis of the same values', () => {
      const linear = lineChart({ ...base, logX: true, series: [{ name: 'k', points: [[1, 900]] }] });
      expect(yTickTexts(linear)[0]?.inner).toBe('0');
      const log = lineChart({ ...base, logY: true, series: [{ name: 'k', points: [[1, 900]] }] });
      expect(yTickTexts(log).map((t) => t.inner)).toEqual(['500', '1000']);
      // 900 is log10(1.8) / log10(2) of the way from 500 to 1000
      expect(num(elements(log, 'circle')[0], 'cy')).toBe(58.6);
    });

    it('ignores values of zero or below when choosing the ticks', () => {
      const log = lineChart({
        ...base,
        logY: true,
        series: [
          {
            name: 'k',
            points: [
              [1, 0],
              [2, 30],
              [3, 400],
            ],
          },
        ],
      });
      expect(yTickTexts(log).map((t) => t.inner)).toEqual(['20', '50', '100', '200', '500']);
    });
  });

  describe('end labels', () => {
    const two = (aEnd: number, bEnd: number, more: { computed?: boolean } = {}) =>
      lineChart({
        ...base,
        series: [
          {
            name: 'a',
            ...more,
            points: [
              [1, 5],
              [2, aEnd],
            ],
          },
          {
            name: 'b',
            points: [
              [1, 5],
              [2, bEnd],
            ],
          },
        ],
      });

    it("name each series 8 px right of its line's last point, 4 px below its value", () => {
      // margin 31: the last points at x 729; 10 at y 16, 0 at y 296
      const html = two(10, 0);
      expect(endLabels(html)).toEqual([
        ['a', 737, 20],
        ['b', 737, 300],
      ]);
      for (const s of seriesOf(html)) {
        expect(s.label?.attrs.fill).toBe('currentColor');
        expect(s.leader).toBeUndefined();
      }
      // a label of one line is plain text
      expect(html).toContain('<text x="737" y="20" class="end-label" fill="currentColor">a</text></g>');
      expectWellFormed(html);
    });

    it('sit at the last point of each series, wherever that is along x', () => {
      const html = lineChart({
        ...base,
        series: [
          {
            name: 'short',
            points: [
              [1, 2],
              [2, 4],
              [3, Number.NaN],
            ],
          },
          {
            name: 'long',
            points: [
              [1, 0],
              [4, 2],
            ],
          },
        ],
      });
      // margin 24 + ceil(5 * 6.4) = 56, x 70..704, 2 at 70 + 634 / 3; ticks 0..4: 4 at y 16, 2 at y 156
      expect(endLabels(html)).toEqual([
        ['short', 289.3, 20],
        ['long', 712, 160],
      ]);
    });

    it('move apart to 12 px when their lines end close together, keeping their order', () => {
      // 10 wants y 20, 9.8 wants 25.6: the lower one moves down to 32
      expect(endLabels(two(10, 9.8)).map((l) => l[2])).toEqual([20, 32]);
      expect(endLabels(two(9.8, 10)).map((l) => l[2])).toEqual([32, 20]);
      // 14 px apart already: they stay
      expect(endLabels(two(10, 9.5)).map((l) => l[2])).toEqual([20, 34]);
      // at the bottom the upper one moves up instead: ticks 0..5, 0 wants 300, 0.1 (y 290.4) wants 294.4
      expect(endLabels(two(0, 0.1)).map((l) => l[2])).toEqual([300, 288]);
    });

    it('join a label moved away from its line to the line end with a leader', () => {
      const [a, b] = seriesOf(two(10, 9.8));
      expect(a?.leader).toBeUndefined();
      // from 3 px right of the last point (729, 21.6) to 2 px left of the label, at its moved height
      expect(b?.leader?.attrs).toEqual({
        x1: '732',
        y1: '21.6',
        x2: '735',
        y2: '28',
        stroke: 'currentColor',
        class: 'leader',
      });
      // moved up as well as down
      const [c, d] = seriesOf(two(0, 0.1));
      expect(c?.leader).toBeUndefined();
      expect([d?.leader?.attrs.y1, d?.leader?.attrs.y2]).toEqual(['290.4', '284']);
      expectWellFormed(two(10, 9.8));
    });

    it('draw a leader only when the label moved more than 3 px', () => {
      // 120 px plot, 12 px per unit: 10 at y 16 wants 20; 9.25 at y 25 wants 29, moves 3 px to 32
      const leaders = (bEnd: number) =>
        seriesOf(
          lineChart({
            ...base,
            height: 180,
            series: [
              {
                name: 'a',
                points: [
                  [1, 5],
                  [2, 10],
                ],
              },
              {
                name: 'b',
                points: [
                  [1, 5],
                  [2, bEnd],
                ],
              },
            ],
          }),
        ).map((s) => s.leader !== undefined);
      expect(leaders(9.25)).toEqual([false, false]);
      // 9.3 at y 24.4 moves 3.6 px
      expect(leaders(9.3)).toEqual([false, true]);
    });

    it('keep three labels ending close together apart, in the order of their values', () => {
      const html = lineChart({
        ...base,
        series: [
          { name: 'a', points: [[1, 10]] },
          { name: 'b', points: [[1, 9.8]] },
          { name: 'c', points: [[1, 9.9]] },
        ],
      });
      // a wants 20, c 22.8, b 25.6: a 20, c 32, b 44
      expect(endLabels(html)).toEqual([
        ['a', 407.5, 20],
        ['b', 407.5, 44],
        ['c', 407.5, 32],
      ]);
    });

    it('name series with the same points once, all together, at the first of them', () => {
      const html = lineChart({
        ...base,
        series: [
          { name: 'a', points: [[1, 10]] },
          { name: 'b', points: [[1, 9.8]] },
          {
            name: 'c',
            points: [
              [1, 10],
              [2, Number.NaN],
            ],
          },
        ],
      });
      // c's points to draw are a's: both lines are drawn, one label names them
      const drawn = seriesOf(html);
      expect(drawn.map((s) => [s.name, s.label === undefined, s.leader === undefined])).toEqual([
        ['a', false, true],
        ['b', false, false],
        ['c', true, true],
      ]);
      // x 1..2 (c's gap counts), so the lines end at x 70, their labels at 78
      expect(endLabels(html)).toEqual([
        ['a, c', 78, 20],
        ['b', 78, 32],
      ]);
      // "a, c" is the longest label: margin 24 + ceil(4 * 6.4) = 50
      expect(num(elements(html, 'line', 'grid')[0], 'x2')).toBe(710);
    });

    it('keep a shared label where it wants to be, even at the bottom', () => {
      // a and b end at 0 (y 296): their one label stays at 300, with no leader
      const drawn = seriesOf(two(0, 0));
      expect(drawn.map((s) => [s.label?.inner, s.label && num(s.label, 'y'), s.leader])).toEqual([
        ['a, b', 300, undefined],
        [undefined, undefined, undefined],
      ]);
    });

    it('tell series apart whose points differ, however their numbers line up', () => {
      // 1,1 then 11,1 against 1,11 then 1,1: the same digits in the same order
      const html = lineChart({
        ...base,
        series: [
          {
            name: 'a',
            points: [
              [1, 1],
              [11, 1],
            ],
          },
          {
            name: 'b',
            points: [
              [1, 11],
              [1, 1],
            ],
          },
        ],
      });
      expect(endLabels(html).map((l) => l[0])).toEqual(['a', 'b']);
    });

    it('wrap a long label at its commas onto lines of at most 36 characters, 12 px apart', () => {
      const names = ['kmalloc (0 B)', 'stack (0 B)', 'ctx-cache (0 B)'];
      const html = lineChart({
        ...base,
        series: [
          ...names.map((name) => ({
            name,
            points: [
              [1, 10],
              [2, 10],
            ] as const,
          })),
          {
            name: 'b',
            points: [
              [1, 0],
              [2, 9.5],
            ],
          },
        ],
      });
      // the longest line, 27 characters, sets the margin: 24 + ceil(27 * 6.4) = 197, x 70..563
      expect(html).toContain(
        '<text x="571" y="20" class="end-label" fill="currentColor"><tspan x="571" dy="0">kmalloc (0 B), stack (0 B),</tspan><tspan x="571" dy="12">ctx-cache (0 B)</tspan></text>',
      );
      // the label of two lines takes 24 px: b (wanting 34) goes below it
      expect(endLabels(html)).toEqual([
        ['kmalloc (0 B), stack (0 B), ctx-cache (0 B)', 571, 20],
        ['b', 571, 44],
      ]);
      expectWellFormed(html);
    });

    it('keep a computed curve apart from a file curve with the same points: each its own label', () => {
      const same = (computed: boolean[]) =>
        lineChart({
          ...base,
          series: computed.map((c, i) => ({
            name: `s${i}`,
            computed: c,
            points: [
              [1, 5],
              [2, 9],
            ],
          })),
        });
      expect(endLabels(same([false, true])).map((l) => l[0])).toEqual(['s0', 's1, computed']);
      expect(endLabels(same([true, false])).map((l) => l[0])).toEqual(['s0, computed', 's1']);
      expect(endLabels(same([true, true])).map((l) => l[0])).toEqual(['s0, s1, computed']);
    });

    it('leave out values of 0 or below on a log y axis, and an empty series from the margin', () => {
      const html = lineChart({
        ...base,
        logY: true,
        series: [
          {
            name: 'a',
            points: [
              [1, 0],
              [2, 100],
              [4, -3],
              [8, 1000],
            ],
          },
          { name: 'a-very-long-name-of-a-series-with-no-points', points: [] },
        ],
      });
      expectWellFormed(html);
      const [a] = seriesOf(html);
      expect(a?.markers).toHaveLength(2);
      expect(seriesOf(html)).toHaveLength(1);
      // the margin fits "a" alone: 24 + ceil(6.4)
      expect(elements(html, 'line', 'grid')[0]?.attrs.x2).toBe(String(760 - 31));
    });

    it('add ", computed" to a computed series, whose markers are hollow', () => {
      const html = two(10, 0, { computed: true });
      const [a, b] = seriesOf(html);
      expect(endLabels(html).map((l) => l[0])).toEqual(['a, computed', 'b']);
      // the group and the tooltips keep the plain name
      expect(a?.name).toBe('a');
      expect(a?.titles).toEqual(['a: 1 -&gt; 5', 'a: 2 -&gt; 10']);
      // margin 24 + ceil(11 * 6.4) = 95: x 70..665
      expect(a?.markers).toEqual([
        markerPath('circle', 70, 156, 3, true),
        markerPath('circle', 665, 16, 3, true),
      ]);
      expect(a?.markers[1]).toBe(
        '<circle cx="665" cy="16" r="3" fill="none" stroke="currentColor" stroke-width="1.5"/>',
      );
      expect(b?.markers).toEqual([markerPath('square', 70, 156, 3), markerPath('square', 665, 296, 3)]);
      expect(endLabels(two(10, 0, { computed: false })).map((l) => l[0])).toEqual(['a', 'b']);
      expect(seriesOf(two(10, 0, { computed: false }))[0]?.markers[0]).toBe(markerPath('circle', 70, 156, 3));
    });
  });

  describe('the right margin', () => {
    /** Where the plot ends: the x of a series' last point. */
    const plotEnd = (series: { name: string; computed?: boolean }[], width?: number) =>
      num(
        elements(
          lineChart({
            ...base,
            ...(width === undefined ? {} : { width }),
            // different points: each series has a label of its own
            series: series.map((s, i) => ({
              ...s,
              points: [
                [1, i],
                [2, i],
              ],
            })),
          }),
          'line',
          'grid',
        )[0],
        'x2',
      );

    it('is 24 px plus 6.4 px per character of the longest label, rounded up', () => {
      expect(plotEnd([{ name: 'abcdefghij' }])).toBe(760 - 88);
      expect(plotEnd([{ name: 's' }])).toBe(760 - 31);
      expect(plotEnd([{ name: 'a' }, { name: 'abcdefghij' }, { name: 'abc' }])).toBe(760 - 88);
      expect(plotEnd([])).toBe(760 - 24);
      expect(plotEnd([{ name: 'abcdefghij' }], 500)).toBe(500 - 88);
    });

    it('counts the ", computed" suffix', () => {
      // "abc, computed": 13 characters, 24 + ceil(83.2)
      expect(plotEnd([{ name: 'abc', computed: true }])).toBe(760 - 108);
      expect(plotEnd([{ name: 'abc' }])).toBe(760 - 44);
    });

    it('stops growing at 320 px', () => {
      expect(plotEnd([{ name: 'x'.repeat(46) }])).toBe(760 - 319);
      expect(plotEnd([{ name: 'x'.repeat(47) }])).toBe(760 - 320);
      expect(plotEnd([{ name: 'x'.repeat(90) }])).toBe(760 - 320);
    });
  });
});

describe('stackedBars', () => {
  let chart: string;
  beforeEach(() => {
    chart = stackedBars({
      id: 'breakdown',
      title: 'Breakdown',
      xLabel: 'cycles <per> call',
      categories: ['copy', 'alloc', 'lock'],
      rows: [
        { name: 'kmalloc', values: { copy: 2, alloc: 3 } },
        { name: 'stack & co', values: { copy: 5 } },
      ],
    });
  });
  /** The totals after the rows: text, x and y. */
  const totals = (html: string) =>
    elements(html, 'text', 'tick')
      .filter((t) => t.attrs['text-anchor'] === undefined)
      .map((t) => [t.inner, num(t, 'x'), num(t, 'y')]);

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
      bars.map((b) => [
        num(b, 'x'),
        num(b, 'y'),
        num(b, 'width'),
        num(b, 'height'),
        b.attrs.class,
        b.attrs.fill,
      ]),
    ).toEqual([
      [150, 13, 192, 16, 'mark s0', 'currentColor'],
      [342, 13, 288, 16, 'mark s1', 'currentColor'],
      [150, 35, 480, 16, 'mark s0', 'currentColor'],
    ]);
    expect(bars.map(title)).toEqual(['kmalloc copy: 2', 'kmalloc alloc: 3', 'stack &amp; co copy: 5']);
  });

  it('writes each row’s total 4 px after its last segment', () => {
    expect(totals(chart)).toEqual([
      ['5', 634, 25],
      ['5', 634, 47],
    ]);
    const html = stackedBars({
      id: 'b',
      title: 't',
      xLabel: 'x',
      categories: ['a', 'b'],
      rows: [
        { name: 'half', values: { a: 1.25, b: 1 } },
        { name: 'one', values: { b: 1 } },
        { name: 'nothing', values: {} },
      ],
    });
    // ticks 0..2.5: 192 px per unit; the total rounded to a tenth
    expect(totals(html)).toEqual([
      ['2.3', 586, 25],
      ['1', 346, 47],
      ['0', 154, 69],
    ]);
    expectWellFormed(html);
  });

  it('has a legend entry per category, coloured by class in category order', () => {
    expect(legendOf(chart)).toEqual([
      { at: [644, 10], cls: 's0', fill: 'currentColor', name: 'copy' },
      { at: [644, 26], cls: 's1', fill: 'currentColor', name: 'alloc' },
      { at: [644, 42], cls: 's2', fill: 'currentColor', name: 'lock' },
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
    expect(bars.map((b) => [num(b, 'x'), num(b, 'width'), b.attrs.class, title(b)])).toEqual([
      [150, 480, 'mark s3', 'r d: 4'],
    ]);
    expect(totals(html)).toEqual([['4', 634, 25]]);
    expectWellFormed(html);
  });

  it('colours the ninth category like the first', () => {
    const categories = Array.from({ length: 9 }, (_, i) => `c${i}`);
    const html = stackedBars({
      id: 'b',
      title: 't',
      xLabel: 'x',
      categories,
      rows: [{ name: 'r', values: Object.fromEntries(categories.map((c) => [c, 1])) }],
    });
    expect(elements(html, 'rect', 'mark').map((b) => b.attrs.class)).toEqual([
      ...Array.from({ length: 8 }, (_, i) => `mark s${i}`),
      'mark s0',
    ]);
    expect(legendOf(html).map((l) => l.cls)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's0']);
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
  /** The numbers after the bars: text, x and y. */
  const values = (html: string) =>
    elements(html, 'text', 'value').map((t) => [t.inner, num(t, 'x'), num(t, 'y')]);

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
      [8, 20, 9, 'currentColor'],
      [8, 32, 9, 'currentColor'],
    ]);
    // The longest of budget and bars (200) fills 1/1.3 of the 229.3 px panel: 260 is the full width.
    expect(num(bars[1], 'width')).toBe(176.4);
    expect(num(bars[0], 'width')).toBe(44.1);
    const line = elements(html, 'line', 'budget')[0];
    expect([num(line, 'x1'), num(line, 'x2'), num(line, 'y1'), num(line, 'y2')]).toEqual([
      96.2, 96.2, 18, 44,
    ]);
    const label = elements(html, 'text', 'tick')[0];
    expect([label?.inner, num(label, 'x'), num(label, 'y'), label?.attrs['text-anchor']]).toEqual([
      'usable &lt;100&gt; B',
      96.2,
      55,
      'end',
    ]);
    expectWellFormed(html);
  });

  it('writes each bar’s value 3 px after it, with " !" when over the budget', () => {
    const html = budgetPanels({
      id: 'stack',
      title: 'Stack',
      unit: 'B',
      groups: [
        {
          name: 'i386',
          budget: 100,
          budgetLabel: 'u',
          bars: [bar('kmalloc', 50), bar('stack', 200, true), bar('none', 0)],
        },
      ],
    });
    expect(values(html)).toEqual([
      ['50', 55.1, 28],
      ['200 !', 187.4, 40],
      // a zero bar is 0.5 px wide
      ['0', 11.5, 52],
    ]);
    expectWellFormed(html);
  });

  it('classes the bars that are over the budget "over", explains them, and only those', () => {
    const html = budgetPanels({
      id: 'stack',
      title: 'Stack',
      unit: 'B',
      groups: [
        { name: 'x86_64', budget: 100, budgetLabel: 'u', bars: [bar('ok', 50), bar('big', 200, true)] },
      ],
    });
    const [ok, big] = elements(html, 'rect', 'mark');
    expect(ok?.attrs.class).toBe('mark s0');
    expect(ok?.attrs.stroke).toBeUndefined();
    expect(title(ok)).toBe('x86_64 ok: 50 B of 100');
    expect(big?.attrs.class).toBe('mark s1 over');
    // the outline comes from the stylesheet's .over rule, not from the markup
    expect(big?.attrs.stroke).toBeUndefined();
    expect(title(big)).toBe('x86_64 big: 200 B of 100 (over CONFIG_FRAME_WARN or overflow)');
  });

  it('keeps a zero bar visible and leaves room after the budget when it is the largest', () => {
    const html = budgetPanels({
      id: 's',
      title: 't',
      unit: 'B',
      groups: [{ name: 'g', budget: 200, budgetLabel: 'u', bars: [bar('none', 0), bar('half', 100)] }],
    });
    expect(elements(html, 'rect', 'mark').map((b) => num(b, 'width'))).toEqual([0.5, 88.2]);
    expect(num(elements(html, 'line', 'budget')[0], 'x1')).toBe(184.4);
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
    expect(bars.map((b) => b.attrs.class)).toEqual([
      'mark s0',
      'mark s1',
      'mark s2',
      'mark s0',
      'mark s0',
      'mark s0',
    ]);
    const lines = elements(html, 'line', 'budget');
    expect(lines.map((l) => [num(l, 'y1'), num(l, 'y2')])).toEqual([
      [18, 56],
      [18, 32],
      [18, 32],
      [94, 108],
    ]);
    expect(num(lines[3], 'x1')).toBe(184.4);
    expect(elements(html, 'text', 'tick').map((t) => [t.inner, num(t, 'y')])).toEqual([
      ['a budget', 67],
      ['b budget', 43],
      ['c budget', 43],
      ['d budget', 119],
    ]);
    // each value follows its own panel's bar
    expect(values(html)).toEqual([
      ['100', 187.4, 28],
      ['100', 187.4, 40],
      ['100', 187.4, 52],
      ['100', 440.7, 28],
      ['100', 694.1, 28],
      ['100', 187.4, 104],
    ]);
    expectWellFormed(html);
  });

  it('is an empty frame without groups', () => {
    const html = budgetPanels({ id: 's', title: 't', unit: 'B', groups: [] });
    expect(size(html)).toEqual({ width: 760, height: 8, viewBox: '0 0 760 8' });
    expectWellFormed(html);
  });
});
