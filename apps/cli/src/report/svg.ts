/** Minimal inline-SVG charts for the HTML report: no scripts, no fonts, no network. */

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
  '#393b79',
  '#637939',
];

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const f = (x: number) => (Math.round(x * 10) / 10).toString();

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

export interface Series {
  readonly name: string;
  /** Default: the palette colour of the series' position. */
  readonly color?: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  readonly formatY?: (v: number) => string;
  /** Let the y axis go below zero. */
  readonly signedY?: boolean;
  /** Tick in binary units (KiB, MiB) when the values are bytes. */
  readonly bytesY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

function legend(names: readonly string[], x: number, y: number, colors?: readonly string[]): string {
  return names
    .map(
      (n, i) =>
        `<g transform="translate(${x},${y + i * 16})"><rect width="10" height="10" fill="${colors?.[i] ?? PALETTE[i % PALETTE.length]}"/><text x="14" y="9" class="legend">${esc(n)}</text></g>`,
    )
    .join('');
}

function frame(o: { id: string; title: string; width: number; height: number; body: string }): string {
  return `<figure class="chart" data-chart="${esc(o.id)}"><figcaption>${esc(o.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${o.width} ${o.height}" width="${o.width}" height="${o.height}" role="img" aria-label="${esc(o.title)}">${o.body}</svg></figure>`;
}

export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 760;
  const H = o.height ?? 340;
  const m = { l: 70, r: 210, t: 16, b: 44 };
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
  const yt = rangeTicks(yMinData / unit, yMaxData / unit).map((t) => t * unit);
  const yMax = yt[yt.length - 1] ?? 1;
  const yMin = yt[0] ?? 0;
  const sx = (v: number) => m.l + (xMax === xMin ? pw / 2 : ((fx(v) - xMin) / (xMax - xMin)) * pw);
  const sy = (v: number) => m.t + ph - ((v - yMin) / (yMax - yMin || 1)) * ph;
  const fy = o.formatY ?? ((v: number) => String(v));
  const parts: string[] = [];
  for (const t of yt) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${f(sy(t))}" y2="${f(sy(t))}" class="grid"/>`);
    parts.push(
      `<text x="${m.l - 6}" y="${f(sy(t) + 4)}" class="tick" text-anchor="end">${esc(fy(t))}</text>`,
    );
  }
  const xTicks = [...new Set(xsAll)].sort((a, b) => a - b);
  for (const t of xTicks) {
    parts.push(`<text x="${f(sx(t))}" y="${m.t + ph + 16}" class="tick" text-anchor="middle">${t}</text>`);
  }
  parts.push(
    `<line x1="${m.l}" x2="${m.l + pw}" y1="${f(sy(Math.max(0, yMin)))}" y2="${f(sy(Math.max(0, yMin)))}" class="axis"/>`,
  );
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" class="axis"/>`);
  parts.push(
    `<text x="${m.l + pw / 2}" y="${H - 6}" class="label" text-anchor="middle">${esc(o.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(14,${m.t + ph / 2}) rotate(-90)" class="label" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (pts.length === 0) return;
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${f(sx(p[0]))},${f(sy(p[1]))}`).join('');
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2" class="mark" data-series="${esc(s.name)}"/>`,
    );
    for (const p of pts) {
      parts.push(
        `<circle cx="${f(sx(p[0]))}" cy="${f(sy(p[1]))}" r="2.5" fill="${color}"><title>${esc(`${s.name}: ${p[0]} -> ${fy(p[1])}`)}</title></circle>`,
      );
    }
  });
  parts.push(
    legend(
      o.series.map((s) => s.name),
      m.l + pw + 14,
      m.t,
      o.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]!),
    ),
  );
  return frame({ id: o.id, title: o.title, width: W, height: H, body: parts.join('') });
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
        `<rect x="${f(x)}" y="${y}" width="${f(w)}" height="${rowH - 6}" fill="${PALETTE[j % PALETTE.length]}" class="mark"><title>${esc(`${r.name} ${c}: ${v}`)}</title></rect>`,
      );
      x += w;
    });
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
    const max = Math.max(g.budget, ...g.bars.map((b) => b.value)) * 1.05;
    const sx = (v: number) => (v / max) * pw;
    parts.push(`<text x="${l}" y="${oy + 12}" class="label">${esc(g.name)}</text>`);
    g.bars.forEach((b, i) => {
      const y = oy + 20 + i * (barH + 3);
      parts.push(
        `<rect x="${l}" y="${y}" width="${f(Math.max(0.5, sx(b.value)))}" height="${barH}" fill="${PALETTE[i % PALETTE.length]}"${b.over ? ' stroke="#000" stroke-width="2"' : ''} class="mark"><title>${esc(`${g.name} ${b.name}: ${b.value} ${o.unit} of ${g.budget}${b.over ? ' (over CONFIG_FRAME_WARN or overflow)' : ''}`)}</title></rect>`,
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
