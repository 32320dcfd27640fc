/** Minimal inline-SVG charts for the HTML report: no scripts, no fonts, no network. */

import { markerPath, seriesStyle } from './palette.js';

/** Text made safe for markup and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate to a tenth of a pixel. */
export function f(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

/** "Nice" axis ticks covering [0, max]. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  if ((out[out.length - 1] ?? 0) < max) out.push(Math.round(((out[out.length - 1] ?? 0) + step) * 1e6) / 1e6);
  return out;
}

/** Ticks covering [min, max] (min <= 0 <= max), zero included. */
export function rangeTicks(min: number, max: number, count = 5): number[] {
  if (min >= 0) return ticks(max, count);
  const span = max - min;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Math.round(v * 1e6) / 1e6);
  if ((out[out.length - 1] ?? 0) < max) out.push(Math.round(((out[out.length - 1] ?? 0) + step) * 1e6) / 1e6);
  return out;
}

/** Ticks for a log axis covering [min, max] (both > 0): 1, 2 and 5 times powers of ten. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [1, 10];
  const all: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++)
    for (const m of [1, 2, 5]) all.push(Math.round(m * 10 ** k * 1e6) / 1e6);
  const lo = all.filter((v) => v <= min).at(-1)!;
  // one tick is no axis: values all on one tick reach up to the next
  const hi = all.find((v) => v >= max && v > lo)!;
  return all.filter((v) => v >= lo && v <= hi);
}

/**
 * Moves label positions apart within [top, bottom], keeping their order and staying as close as
 * it can to where each wants to be: `space` is the room each label takes below its position, one
 * figure for all or one per label (a label of two lines takes twice the room).
 */
export function spreadLabels(
  wanted: readonly number[],
  space: number | readonly number[],
  top: number,
  bottom: number,
): number[] {
  const room = (i: number) => (typeof space === 'number' ? space : space[i]!);
  const order = wanted.map((y, i) => [y, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const placed = order.map(([y]) => Math.min(Math.max(y, top), bottom));
  for (let k = 1; k < placed.length; k++)
    placed[k] = Math.max(placed[k]!, placed[k - 1]! + room(order[k - 1]![1]));
  // pushed past the bottom: shift the tail back up
  if ((placed.at(-1) ?? bottom) > bottom) {
    placed[placed.length - 1] = bottom;
    for (let k = placed.length - 2; k >= 0; k--)
      placed[k] = Math.min(placed[k]!, placed[k + 1]! - room(order[k]![1]));
  }
  const out = new Array<number>(wanted.length);
  order.forEach(([, i], k) => {
    out[i] = placed[k]!;
  });
  return out;
}

/** Splits a label into lines of at most `max` characters at its ", " (a longer part stays whole). */
export function wrapLabel(text: string, max: number): string[] {
  const lines: string[] = [];
  for (const part of text.split(', ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 2 + part.length <= max)
      lines[lines.length - 1] = `${last}, ${part}`;
    else lines.push(part);
  }
  return lines.map((l, i) => (i < lines.length - 1 ? `${l},` : l));
}

export interface Series {
  readonly name: string;
  /** Index of the series' look (colour, marker, dash); default: its position. */
  readonly style?: number;
  /** Computed by the report, not read from a file: hollow markers and "computed" in its label. */
  readonly computed?: boolean;
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  /** A log y axis (values must be > 0): differences read as ratios. */
  readonly logY?: boolean;
  readonly formatY?: (v: number) => string;
  /** Let the y axis go below zero. */
  readonly signedY?: boolean;
  /** Tick in binary units (KiB, MiB) when the values are bytes. */
  readonly bytesY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

function frame(o: { id: string; title: string; width: number; height: number; body: string }): string {
  return `<figure class="chart" data-chart="${esc(o.id)}"><figcaption>${esc(o.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${o.width} ${o.height}" width="${o.width}" height="${o.height}" role="img" aria-label="${esc(o.title)}"><title>${esc(o.title)}</title>${o.body}</svg></figure>`;
}

/** Characters per line of an end label, and its line height. */
const LABEL_CHARS = 36;
const LABEL_LINE = 12;

/** Line chart with a marker per point and each series named at its line's end. */
export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 760;
  const H = o.height ?? 340;
  // The points a series draws: finite values, and above 0 on a log y axis.
  const drawable = (s: Series) => s.points.filter((p) => Number.isFinite(p[1]) && (!o.logY || p[1] > 0));
  // Series with the same points (and both computed, or both not) share one label naming them
  // all: the lines lie on each other.
  const pointsKey = (s: Series) => `${s.computed === true}|${drawable(s).join(';')}`;
  const sameAs = new Map<string, Series[]>();
  for (const s of o.series) sameAs.set(pointsKey(s), [...(sameAs.get(pointsKey(s)) ?? []), s]);
  const labelOf = (s: Series) => {
    const group = sameAs.get(pointsKey(s))!;
    if (group[0] !== s) return [];
    const names = group.map((g) => g.name).join(', ');
    return wrapLabel(s.computed ? `${names}, computed` : names, LABEL_CHARS);
  };
  const longest = Math.max(
    0,
    ...o.series.filter((s) => drawable(s).length > 0).flatMap((s) => labelOf(s).map((l) => l.length)),
  );
  const m = { l: 70, r: Math.min(320, 24 + Math.ceil(longest * 6.4)), t: 16, b: 44 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xsAll = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ysAll = o.series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => Number.isFinite(v));
  const fx = (v: number) => (o.logX ? Math.log2(Math.max(v, 1e-9)) : v);
  const xMin = Math.min(...xsAll.map(fx));
  const xMax = Math.max(...xsAll.map(fx));
  const yMaxData = Math.max(...ysAll, 0);
  const yMinData = o.signedY ? Math.min(...ysAll, 0) : 0;
  const unit = o.bytesY ? (yMaxData >= 2 ** 20 ? 2 ** 20 : yMaxData >= 1024 ? 1024 : 1) : 1;
  const yt = o.logY
    ? logTicks(Math.min(...ysAll.filter((v) => v > 0)), yMaxData)
    : rangeTicks(yMinData / unit, yMaxData / unit).map((t) => t * unit);
  const yMax = yt[yt.length - 1] ?? 1;
  const yMin = yt[0] ?? 0;
  const fy = (v: number) => (o.logY ? Math.log10(Math.max(v, 1e-9)) : v);
  const sx = (v: number) => m.l + (xMax === xMin ? pw / 2 : ((fx(v) - xMin) / (xMax - xMin)) * pw);
  const sy = (v: number) => m.t + ph - ((fy(v) - fy(yMin)) / (fy(yMax) - fy(yMin) || 1)) * ph;
  const showY = o.formatY ?? ((v: number) => String(v));
  const parts: string[] = [];
  for (const t of yt) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${f(sy(t))}" y2="${f(sy(t))}" class="grid"/>`);
    parts.push(
      `<text x="${m.l - 6}" y="${f(sy(t) + 4)}" class="tick" text-anchor="end">${esc(showY(t))}</text>`,
    );
  }
  const xTicks = [...new Set(xsAll)].sort((a, b) => a - b);
  // every k-th x value when all of them would not fit (about 34 px each)
  const every = Math.max(1, Math.ceil((xTicks.length * 34) / pw));
  xTicks.forEach((t, i) => {
    if (i % every === 0)
      parts.push(`<text x="${f(sx(t))}" y="${m.t + ph + 16}" class="tick" text-anchor="middle">${t}</text>`);
  });
  const base = o.logY ? yMin : Math.max(0, yMin);
  parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${f(sy(base))}" y2="${f(sy(base))}" class="axis"/>`);
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" class="axis"/>`);
  parts.push(
    `<text x="${m.l + pw / 2}" y="${H - 6}" class="label" text-anchor="middle">${esc(o.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(14,${m.t + ph / 2}) rotate(-90)" class="label" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  const drawn = o.series
    .map((s, i) => ({
      s,
      style: seriesStyle(s.style ?? i),
      pts: drawable(s),
      label: labelOf(s),
    }))
    .filter((d) => d.pts.length > 0);
  const labelled = drawn.filter((d) => d.label.length > 0);
  const tops = spreadLabels(
    labelled.map((d) => sy(d.pts.at(-1)![1]) + 4),
    labelled.map((d) => d.label.length * LABEL_LINE),
    m.t + 4,
    m.t + ph + 4,
  );
  drawn.forEach(({ s, style, pts, label }) => {
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${f(sx(p[0]))},${f(sy(p[1]))}`).join('');
    const dash = style.dash === '' ? '' : ` stroke-dasharray="${style.dash}"`;
    const marks = pts.map(
      (p) =>
        `<g>${markerPath(style.marker, sx(p[0]), sy(p[1]), 3, s.computed === true)}<title>${esc(`${s.name}: ${p[0]} -> ${showY(p[1])}`)}</title></g>`,
    );
    const [ex, ey] = [sx(pts.at(-1)![0]), sy(pts.at(-1)![1])];
    const lx = ex + 8;
    let text = '';
    if (label.length > 0) {
      const ly = tops[labelled.findIndex((x) => x.s === s)]!;
      // a label moved away from its line's end is joined to it
      const leader =
        Math.abs(ly - 4 - ey) > 3
          ? `<line x1="${f(ex + 3)}" y1="${f(ey)}" x2="${f(lx - 2)}" y2="${f(ly - 4)}" stroke="currentColor" class="leader"/>`
          : '';
      const lines =
        label.length === 1
          ? esc(label[0]!)
          : label
              .map((l, i) => `<tspan x="${f(lx)}" dy="${i === 0 ? 0 : LABEL_LINE}">${esc(l)}</tspan>`)
              .join('');
      text = `${leader}<text x="${f(lx)}" y="${f(ly)}" class="end-label" fill="currentColor">${lines}</text>`;
    }
    parts.push(
      `<g class="series ${style.colour}" data-series="${esc(s.name)}"><path d="${d}" fill="none" stroke="currentColor" stroke-width="2"${dash} class="mark"/>${marks.join('')}${text}</g>`,
    );
  });
  return frame({ id: o.id, title: o.title, width: W, height: H, body: parts.join('') });
}

/** One legend entry per name, a square of the name's colour class, stacked downwards. */
function legend(names: readonly string[], x: number, y: number): string {
  return names
    .map(
      (n, i) =>
        `<g transform="translate(${x},${y + i * 16})" class="${seriesStyle(i).colour}"><rect width="10" height="10" fill="currentColor"/><text x="14" y="9" class="legend">${esc(n)}</text></g>`,
    )
    .join('');
}

export interface StackedBarsOptions {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly rows: readonly { readonly name: string; readonly values: Readonly<Record<string, number>> }[];
  readonly categories: readonly string[];
}

/** Horizontal stacked bars, one row per item, one colour per category. */
export function stackedBars(o: StackedBarsOptions): string {
  const W = 760;
  const rowH = 22;
  const m = { l: 150, r: 130, t: 10, b: 40 };
  const H = m.t + m.b + o.rows.length * rowH;
  const pw = W - m.l - m.r;
  const totals = o.rows.map((r) => o.categories.reduce((s, c) => s + (r.values[c] ?? 0), 0));
  const xt = ticks(Math.max(...totals, 0));
  const xMax = xt[xt.length - 1] ?? 1;
  const sx = (v: number) => (v / xMax) * pw;
  const parts: string[] = [];
  for (const t of xt) {
    const x = m.l + sx(t);
    parts.push(`<line x1="${f(x)}" x2="${f(x)}" y1="${m.t}" y2="${H - m.b}" class="grid"/>`);
    parts.push(`<text x="${f(x)}" y="${H - m.b + 14}" class="tick" text-anchor="middle">${t}</text>`);
  }
  o.rows.forEach((r, i) => {
    const y = m.t + i * rowH + 3;
    parts.push(`<text x="${m.l - 6}" y="${y + 12}" class="tick" text-anchor="end">${esc(r.name)}</text>`);
    let x = m.l;
    o.categories.forEach((c, j) => {
      const v = r.values[c] ?? 0;
      if (v <= 0) return;
      const w = sx(v);
      parts.push(
        `<rect x="${f(x)}" y="${y}" width="${f(w)}" height="${rowH - 6}" fill="currentColor" class="mark ${seriesStyle(j).colour}"><title>${esc(`${r.name} ${c}: ${v}`)}</title></rect>`,
      );
      x += w;
    });
    parts.push(`<text x="${f(x + 4)}" y="${y + 12}" class="tick">${f(totals[i]!)}</text>`);
  });
  parts.push(
    `<text x="${m.l + pw / 2}" y="${H - 6}" class="label" text-anchor="middle">${esc(o.xLabel)}</text>`,
  );
  parts.push(legend(o.categories, m.l + pw + 14, m.t));
  return frame({
    id: o.id,
    title: o.title,
    width: W,
    height: Math.max(H, m.t + o.categories.length * 16 + 10),
    body: parts.join(''),
  });
}

export interface BudgetPanelsOptions {
  readonly id: string;
  readonly title: string;
  /** One panel per group (arch), bars per item (strategy), and a budget marker per group. */
  readonly groups: readonly {
    readonly name: string;
    readonly budget: number;
    readonly budgetLabel: string;
    readonly bars: readonly { readonly name: string; readonly value: number; readonly over: boolean }[];
  }[];
  readonly unit: string;
}

/** Small multiples: per group, horizontal bars against a vertical budget line. */
export function budgetPanels(o: BudgetPanelsOptions): string {
  const W = 760;
  const cols = 3;
  const panelW = W / cols;
  const barH = 9;
  const rowsPerPanel = Math.max(...o.groups.map((g) => g.bars.length), 1);
  const panelH = 40 + rowsPerPanel * (barH + 3);
  const H = Math.ceil(o.groups.length / cols) * panelH + 8;
  const parts: string[] = [];
  o.groups.forEach((g, gi) => {
    const ox = (gi % cols) * panelW;
    const oy = Math.floor(gi / cols) * panelH;
    const l = ox + 8;
    const pw = panelW - 24;
    // room after the longest bar for its value
    const max = Math.max(g.budget, ...g.bars.map((b) => b.value)) * 1.3;
    const sx = (v: number) => (v / max) * pw;
    parts.push(`<text x="${l}" y="${oy + 12}" class="label">${esc(g.name)}</text>`);
    g.bars.forEach((b, i) => {
      const y = oy + 20 + i * (barH + 3);
      parts.push(
        `<rect x="${l}" y="${y}" width="${f(Math.max(0.5, sx(b.value)))}" height="${barH}" fill="currentColor" class="mark ${seriesStyle(i).colour}${b.over ? ' over' : ''}"><title>${esc(`${g.name} ${b.name}: ${b.value} ${o.unit} of ${g.budget}${b.over ? ' (over CONFIG_FRAME_WARN or overflow)' : ''}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${f(l + Math.max(0.5, sx(b.value)) + 3)}" y="${y + barH - 1}" class="value">${b.value}${b.over ? ' !' : ''}</text>`,
      );
    });
    const bx = l + sx(g.budget);
    const bottom = oy + 20 + g.bars.length * (barH + 3);
    parts.push(`<line x1="${f(bx)}" x2="${f(bx)}" y1="${oy + 18}" y2="${bottom}" class="budget"/>`);
    parts.push(
      `<text x="${f(bx)}" y="${bottom + 11}" class="tick" text-anchor="end">${esc(g.budgetLabel)}</text>`,
    );
  });
  return frame({ id: o.id, title: o.title, width: W, height: H, body: parts.join('') });
}
