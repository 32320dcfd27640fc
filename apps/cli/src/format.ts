import { fitTable } from './fit.js';
import { type Style, stripAnsi, visibleLength } from './io.js';

export type Cell = string | number | boolean | null;

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /** When the table is too wide for the terminal: its cells may wrap onto continuation lines. */
  readonly wrap?: boolean;
  /**
   * When the table is too wide even wrapped: the column may move to a table printed below it
   * (lowest rank first, equal ranks together); without a rank it always stays.
   */
  readonly stackRank?: number;
}

/** A table: what a command prints for people, exports as CSV/Markdown, and reports in HTML. */
export interface Table {
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Cell[])[];
}

export function cellText(v: Cell): string {
  if (v === null) return '-';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '-';
  return String(v);
}

/**
 * Renders a table for a terminal. `styleCell` may colour a cell (its width is computed
 * without the escapes). Given a `width` the table does not fit, fitTable wraps and stacks it.
 */
export function renderTable(
  t: Table,
  style: Style,
  styleCell?: (row: number, col: number, text: string) => string,
  width?: number,
): string {
  const texts = t.rows.map((r, i) =>
    t.columns.map((_, j) => {
      const raw = cellText(r[j] ?? null);
      return styleCell ? styleCell(i, j, raw) : raw;
    }),
  );
  const widths = t.columns.map((c, j) =>
    Math.max(visibleLength(c.header), ...texts.map((r) => visibleLength(r[j]!))),
  );
  const natural = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  if (width !== undefined && natural > width) {
    return fitTable(
      { columns: t.columns, header: t.columns.map((c) => style.bold(c.header)), rows: texts },
      width,
    );
  }
  const line = (cells: string[]) =>
    t.columns
      .map((c, j) => {
        const s = cells[j]!;
        const fill = ' '.repeat(Math.max(0, widths[j]! - visibleLength(s)));
        return c.align === 'right' ? fill + s : s + fill;
      })
      .join('  ')
      .trimEnd();
  const out = [line(t.columns.map((c) => style.bold(c.header)))];
  for (const r of texts) out.push(line(r));
  return out.join('\n');
}

const csvField = (v: Cell): string => {
  const s = v === null ? '' : typeof v === 'number' && !Number.isFinite(v) ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(t: Table): string {
  const lines = [t.columns.map((c) => csvField(c.header)).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((_, j) => csvField(r[j] ?? null)).join(','));
  return `${lines.join('\n')}\n`;
}

const mdField = (v: Cell) => stripAnsi(cellText(v)).replace(/\|/g, '\\|');

export function toMarkdown(t: Table): string {
  const head = `| ${t.columns.map((c) => c.header.replace(/\|/g, '\\|')).join(' | ')} |`;
  const rule = `|${t.columns.map((c) => (c.align === 'right' ? '---:' : ':---')).join('|')}|`;
  const rows = t.rows.map((r) => `| ${t.columns.map((_, j) => mdField(r[j] ?? null)).join(' | ')} |`);
  return [`### ${t.title}`, '', head, rule, ...rows].join('\n');
}

/** 4194304 -> "4.0 MiB", 65536 -> "64 KiB", 0 -> "0 B". */
export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Number.isInteger(n / 1024) ? n / 1024 : (n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** 0.1534 -> "+15.3%"; NaN -> "-". */
export function pct(x: number, signed = true): string {
  if (!Number.isFinite(x)) return '-';
  const s = (x * 100).toFixed(1);
  return signed && x > 0 ? `+${s}%` : `${s}%`;
}

/** Cycles: integers as is, fractions with one decimal. */
export function cycles(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** 12345678 -> "12,345,678". */
export function grouped(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const [int, frac] = Math.abs(n)
    .toFixed(Number.isInteger(n) ? 0 : 2)
    .split('.');
  const g = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${g}${frac ? `.${frac}` : ''}`;
}

/** A bar of `width` cells for value/max, using eighth blocks. */
export function bar(value: number, max: number, width: number): string {
  if (!(max > 0) || !(value > 0)) return '';
  const eighths = Math.round((Math.min(value, max) / max) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  return '█'.repeat(full) + (part > 0 ? ' ▏▎▍▌▋▊▉'[part] : '');
}
