import type { Column } from './format.js';
import { type Io, stripAnsi, visibleLength } from './io.js';

/** Columns between cells, as renderTable prints them. */
const GAP = 2;
/** A wrapping column is never made narrower than this (or its header, or its widest cell). */
export const WRAP_MIN = 10;

/**
 * The width output must fit: COLUMNS when it is a positive integer, else the terminal's width
 * when stdout is one; undefined (no limit, full lines) with --wide or for a pipe without COLUMNS.
 */
export function terminalWidth(io: Io, wide: boolean | undefined): number | undefined {
  if (wide === true) return undefined;
  const env = io.env.COLUMNS;
  if (env !== undefined && /^[1-9][0-9]{0,5}$/.test(env)) return Number(env);
  if (io.stdoutIsTTY && io.stdoutColumns !== undefined && io.stdoutColumns > 0) return io.stdoutColumns;
  return undefined;
}

/**
 * Splits text into lines of at most `width` visible columns at spaces; a word longer than the
 * width is cut (its colours dropped). Escapes stay with their word, so colours survive.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((w) => w !== '')) {
    const pieces = visibleLength(word) > width ? chunks(stripAnsi(word), width) : [word];
    for (const piece of pieces) {
      if (line === '') line = piece;
      else if (visibleLength(line) + 1 + visibleLength(piece) <= width) line = `${line} ${piece}`;
      else {
        lines.push(line);
        line = piece;
      }
    }
  }
  lines.push(line);
  return lines;
}

function chunks(s: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += width) out.push(s.slice(i, i + width));
  return out;
}

/**
 * Prose for a terminal: each line of `text` wrapped to `width` (no limit: unchanged), the
 * continuation lines indented by `indent`.
 */
export function wrapText(text: string, width: number | undefined, indent = ''): string {
  if (width === undefined) return text;
  return text
    .split('\n')
    .map((line) => {
      if (visibleLength(line) <= width) return line;
      const [first = '', ...rest] = wrapWords(line, width);
      const more = rest.join(' ');
      return [
        first,
        ...(more === '' ? [] : wrapWords(more, width - indent.length).map((l) => indent + l)),
      ].join('\n');
    })
    .join('\n');
}

/**
 * A shell command that still runs when pasted: broken at spaces with a trailing backslash, the
 * continuation lines indented by two spaces.
 */
export function wrapCommand(text: string, width: number | undefined): string {
  if (width === undefined || visibleLength(text) <= width) return text;
  // the first line leaves room for " \\", the others also for their indent
  const [first = '', ...rest] = wrapWords(text, width - 2);
  const more = rest.length === 0 ? [] : wrapWords(rest.join(' '), width - 4);
  return [first, ...more.map((l) => `  ${l}`)].join(' \\\n');
}

/** A cell's lines at `width`: a cell coloured as a whole keeps its colour on every line. */
function wrapCell(styled: string, width: number): string[] {
  if (visibleLength(styled) <= width) return [styled];
  const raw = stripAnsi(styled);
  const at = styled.indexOf(raw);
  if (at < 0) return wrapWords(styled, width);
  const open = styled.slice(0, at);
  const close = styled.slice(at + raw.length);
  return wrapWords(raw, width).map((l) => open + l + close);
}

interface Laid {
  readonly columns: readonly Column[];
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const natural = (t: Laid, j: number) =>
  Math.max(visibleLength(t.header[j]!), ...t.rows.map((r) => visibleLength(r[j]!)));

const narrowest = (t: Laid, j: number) => {
  const full = natural(t, j);
  return t.columns[j]!.wrap ? Math.min(full, Math.max(visibleLength(t.header[j]!), WRAP_MIN)) : full;
};

const total = (widths: readonly number[]) =>
  widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);

function pick(t: Laid, keep: readonly number[]): Laid {
  return {
    columns: keep.map((j) => t.columns[j]!),
    header: keep.map((j) => t.header[j]!),
    rows: t.rows.map((r) => keep.map((j) => r[j]!)),
  };
}

/**
 * Fits a table (header and cells already styled) into `width` columns, deterministically:
 * 1. while even the narrowest layout is too wide, the columns with the lowest `stackRank` (equal
 *    ranks together) move to a table printed below, keyed by the first column; a column without
 *    a rank, and the first column, never move, and one column besides the first always stays;
 * 2. `wrap` columns share what is left (the first ones first) and their cells wrap onto
 *    continuation lines; the others keep their full width.
 * The stacked table is fitted the same way. A table that cannot fit is printed as narrow as it goes.
 */
export function fitTable(t: Laid, width: number): string {
  const all = t.columns.map((_, j) => j);
  let keep = all;
  for (;;) {
    if (total(keep.map((j) => narrowest(t, j))) <= width) break;
    const ranks = keep
      .map((j) => t.columns[j]!.stackRank)
      .filter((r, i): r is number => r !== undefined && i > 0);
    if (ranks.length === 0) break;
    const lowest = Math.min(...ranks);
    const next = keep.filter((j, i) => i === 0 || t.columns[j]!.stackRank !== lowest);
    if (next.length < 2) break;
    keep = next;
  }
  const moved = all.filter((j) => !keep.includes(j));
  const main = layout(pick(t, keep), width);
  if (moved.length === 0) return main;
  return `${main}\n\n${fitTable(pick(t, [0, ...moved]), width)}`;
}

function layout(t: Laid, width: number): string {
  const widths = t.columns.map((_, j) => natural(t, j));
  if (total(widths) > width) {
    const wraps = t.columns.map((c, j) => (c.wrap ? j : -1)).filter((j) => j >= 0);
    for (const j of wraps) widths[j] = narrowest(t, j);
    let spare = width - total(widths);
    for (const j of wraps) {
      const grow = Math.max(0, Math.min(spare, natural(t, j) - widths[j]!));
      widths[j] = widths[j]! + grow;
      spare -= grow;
    }
  }
  const line = (cells: readonly string[]) =>
    t.columns
      .map((c, j) => {
        const s = cells[j]!;
        const fill = ' '.repeat(Math.max(0, widths[j]! - visibleLength(s)));
        return c.align === 'right' ? fill + s : s + fill;
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  const out = [line(t.header)];
  for (const row of t.rows) {
    const parts = row.map((cell, j) => (t.columns[j]!.wrap ? wrapCell(cell, widths[j]!) : [cell]));
    const height = Math.max(...parts.map((p) => p.length));
    for (let k = 0; k < height; k++) out.push(line(parts.map((p) => p[k] ?? '')));
  }
  return out.join('\n');
}
