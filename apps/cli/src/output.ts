import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { checkWritable, writeFileAtomic } from './files.js';
import { type Table, toCsv, toMarkdown } from './format.js';
import { createStyle, type Io, type Style } from './io.js';
import { VERSION } from './version.js';

export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  exportJson?: string;
  exportCsv?: string;
  exportMarkdown?: string;
}

export function addOutputOptions(cmd: Command, exports = true): Command {
  cmd
    .option('--json', 'print one JSON document on stdout instead of tables')
    .option('-q, --quiet', 'no progress bar and no notes on stderr')
    .option('--no-color', 'no ANSI colours (NO_COLOR=1 does the same)');
  if (exports) {
    cmd
      .option('--export-json <file>', 'also write the JSON document to FILE')
      .option('--export-csv <file>', 'also write the main table as CSV to FILE')
      .option('--export-markdown <file>', 'also write every table as Markdown to FILE');
  }
  return cmd;
}

/** What made a result: printed in every header and stored in every document. */
export interface Meta {
  readonly command: string;
  readonly machine: string | null;
  readonly seed: number | null;
  /** Extra facts for the header line ("abi v2.3", "threads 2"). */
  readonly extra?: readonly string[];
}

export interface Doc {
  readonly meta: Meta;
  /** The command's JSON fields (the envelope adds pfmsimVersion, command, machine, seed). */
  readonly json: Record<string, unknown>;
  /** Tables for --export-csv (the first) and --export-markdown (all). */
  readonly tables: readonly Table[];
  /** The human output (header excluded). */
  readonly text: (style: Style) => string;
}

export function headerLine(meta: Meta): string {
  const parts = [`pfmsim ${VERSION}`, meta.command];
  if (meta.machine !== null) parts.push(`machine ${meta.machine}`);
  parts.push(meta.seed !== null ? `seed ${meta.seed}` : 'seed -');
  parts.push(...(meta.extra ?? []));
  return parts.join(' · ');
}

export function envelope(doc: Doc): Record<string, unknown> {
  return {
    pfmsimVersion: VERSION,
    command: doc.meta.command,
    machine: doc.meta.machine,
    seed: doc.meta.seed,
    ...doc.json,
  };
}

/** Export targets, checked before any work so a bad path fails fast and leaves nothing. */
export interface Exports {
  json?: string;
  csv?: string;
  markdown?: string;
}

export function prepareExports(io: Io, flags: OutputFlags): Exports {
  const out: Exports = {};
  if (flags.exportJson) out.json = checkWritable('--export-json', flags.exportJson, io.cwd);
  if (flags.exportCsv) out.csv = checkWritable('--export-csv', flags.exportCsv, io.cwd);
  if (flags.exportMarkdown) out.markdown = checkWritable('--export-markdown', flags.exportMarkdown, io.cwd);
  return out;
}

export function toJsonText(value: unknown): string {
  // JSON.stringify itself writes NaN and ±Infinity as null.
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** CSV rows carry machine, seed and pfmsim version as their last columns. */
function withProvenance(t: Table, meta: Meta): Table {
  return {
    title: t.title,
    columns: [...t.columns, { header: 'machine' }, { header: 'seed' }, { header: 'pfmsim' }],
    rows: t.rows.map((r) => [...r, meta.machine, meta.seed, VERSION]),
  };
}

export function markdownDoc(doc: Doc): string {
  const parts = [`## ${headerLine(doc.meta)}`, ''];
  for (const t of doc.tables) parts.push(toMarkdown(t), '');
  return parts.join('\n');
}

/**
 * Prints the document (JSON or tables), then writes the requested exports atomically. The result
 * is printed first so an export that fails (a full disk) loses nothing; every export is tried,
 * and the failures end the command with exit 2, one line each.
 */
export function emit(
  io: Io,
  flags: OutputFlags,
  doc: Doc,
  exports: Exports = prepareExports(io, flags),
): void {
  const json = envelope(doc);
  if (flags.json) io.out(toJsonText(json));
  else {
    const style = createStyle(io, flags.color);
    io.out(`${style.bold(headerLine(doc.meta))}\n${doc.text(style)}\n`);
  }
  const writes: [string | undefined, () => string][] = [
    [exports.json, () => toJsonText(json)],
    [exports.csv, () => (doc.tables[0] ? toCsv(withProvenance(doc.tables[0], doc.meta)) : '')],
    [exports.markdown, () => markdownDoc(doc)],
  ];
  const failed: string[] = [];
  for (const [path, content] of writes) {
    if (path === undefined) continue;
    try {
      writeFileAtomic(path, content());
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      failed.push(e.message);
    }
  }
  if (failed.length > 0) {
    throw new UsageError(
      failed.join('; '),
      `the result above is complete; ${failed.length === 1 ? 'that export was' : 'those exports were'} not written`,
    );
  }
}

/** A note for people on stderr (suppressed by --quiet and --json). */
export function note(io: Io, flags: OutputFlags, text: string): void {
  if (!flags.quiet) io.err(`${text}\n`);
}
