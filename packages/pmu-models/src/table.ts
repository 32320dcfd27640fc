/**
 * The README's model table, generated from the models so it cannot drift
 * (`pnpm --filter @pfmsim/pmu-models readme` rewrites it; a test compares).
 */
import type { PmuModel } from './model.js';

export const TABLE_START = '<!-- model-table:start -->';
export const TABLE_END = '<!-- model-table:end -->';

function registerList(kind: string, indexes: readonly number[]): string {
  const ranges: string[] = [];
  let start: number | undefined;
  let prev = -2;
  for (const i of [...indexes].sort((a, b) => a - b)) {
    if (i !== prev + 1) {
      if (start !== undefined) ranges.push(start === prev ? `${start}` : `${start}–${prev}`);
      start = i;
    }
    prev = i;
  }
  if (start !== undefined) ranges.push(start === prev ? `${start}` : `${start}–${prev}`);
  return `${indexes.length} ${kind} (${ranges.join(', ')})`;
}

/** Markdown table: model, registers, counters, widths, events. */
export function renderModelTable(models: readonly PmuModel[]): string {
  const rows = [...models]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((m) => {
      const fixed = m.counterPmds.filter((i) =>
        m.events.some((e) => e.fixed?.pmd === i || e.unitMasks.some((u) => u.fixed?.pmd === i)),
      );
      const counters = `${m.counterPmds.length}${fixed.length > 0 ? ` (${fixed.length} fixed)` : ''}`;
      const pmcs = registerList(
        'PMC',
        m.pmcs.map((r) => r.index),
      );
      const registers = `${pmcs}, ${registerList(
        'PMD',
        m.pmds.map((r) => r.index),
      )}`;
      return [
        `\`${m.id}\``,
        m.name,
        registers,
        counters,
        `${m.counterWidth} / ${m.hwCounterWidth}`,
        `${m.events.length}`,
      ];
    });
  return alignTable([
    ['Model', 'perfmon2 name', 'Registers', 'Counters', 'Width (perfmon2 / hardware)', 'Events'],
    ...rows,
  ]);
}

/** A Markdown table with padded columns, as the repository's formatter (biome) writes it. */
function alignTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(3, ...rows.map((r) => [...(r[c] ?? '')].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell + ' '.repeat(widths[c]! - [...cell].length)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header!), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Replace the text between the table markers. */
export function replaceModelTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README has no ${TABLE_START} ... ${TABLE_END} section`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}
