import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { usageLine } from '../test/helpers.js';
import { UsageError } from './errors.js';
import type { Table } from './format.js';
import type { Io } from './io.js';
import {
  addOutputOptions,
  type Doc,
  emit,
  envelope,
  headerLine,
  markdownDoc,
  note,
  prepareExports,
  toJsonText,
} from './output.js';
import { VERSION } from './version.js';

function fakeIo(cwd: string, opts: { tty?: boolean; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    stdoutIsTTY: opts.tty ?? false,
    stderrIsTTY: opts.tty ?? false,
    env: opts.env ?? {},
    cwd,
    now: () => 0,
  };
  return { io, out, err };
}

const scratch = () => mkdtempSync(join(tmpdir(), 'pfmsim-output-'));

const table: Table = {
  title: 'Cost',
  columns: [{ header: 'strategy' }, { header: 'cycles', align: 'right' }],
  rows: [
    ['kmalloc', 2085],
    ['stack', 1765],
  ],
};

const doc: Doc = {
  meta: { command: 'compare', machine: 'p4-2006', seed: 1, extra: ['abi v2.3', 'threads 1'] },
  json: { best: 'stack', ratio: Number.NaN },
  tables: [table, { title: 'Other', columns: [{ header: 'x' }], rows: [['y']] }],
  text: (style) => `best: ${style.bold('stack')}`,
};

describe('header and JSON envelope', () => {
  it('every header names the version, command, machine, seed and the extras', () => {
    expect(headerLine(doc.meta)).toBe(
      `pfmsim ${VERSION} · compare · machine p4-2006 · seed 1 · abi v2.3 · threads 1`,
    );
    expect(headerLine({ command: 'pmu list', machine: null, seed: null })).toBe(
      `pfmsim ${VERSION} · pmu list · seed -`,
    );
    expect(headerLine({ command: 'race', machine: 'k8-2006', seed: 0 })).toBe(
      `pfmsim ${VERSION} · race · machine k8-2006 · seed 0`,
    );
  });

  it('every JSON document carries version, command, machine and seed before its own fields', () => {
    expect(Object.entries(envelope(doc))).toEqual([
      ['pfmsimVersion', VERSION],
      ['command', 'compare'],
      ['machine', 'p4-2006'],
      ['seed', 1],
      ['best', 'stack'],
      ['ratio', Number.NaN],
    ]);
  });

  it('JSON text is indented, ends with a newline, and writes non-finite numbers as null', () => {
    expect(toJsonText({ a: 1, b: Number.NaN, c: [Number.POSITIVE_INFINITY, -0.5], d: 'x' })).toBe(
      '{\n  "a": 1,\n  "b": null,\n  "c": [\n    null,\n    -0.5\n  ],\n  "d": "x"\n}\n',
    );
  });

  it('the Markdown export has the header and every table', () => {
    expect(markdownDoc(doc)).toBe(
      [
        `## ${headerLine(doc.meta)}`,
        '',
        '### Cost',
        '',
        '| strategy | cycles |',
        '|:---|---:|',
        '| kmalloc | 2085 |',
        '| stack | 1765 |',
        '',
        '### Other',
        '',
        '| x |',
        '|:---|',
        '| y |',
        '',
      ].join('\n'),
    );
  });
});

describe('emit', () => {
  it('prints the header and the text for people, bold only on a colour terminal', () => {
    const plain = fakeIo('/');
    emit(plain.io, {}, doc, {});
    expect(plain.out).toEqual([`${headerLine(doc.meta)}\nbest: stack\n`]);
    const tty = fakeIo('/', { tty: true });
    emit(tty.io, {}, doc, {});
    expect(tty.out).toEqual([`\x1b[1m${headerLine(doc.meta)}\x1b[22m\nbest: \x1b[1mstack\x1b[22m\n`]);
    const noColor = fakeIo('/', { tty: true });
    emit(noColor.io, { color: false }, doc, {});
    expect(noColor.out).toEqual([`${headerLine(doc.meta)}\nbest: stack\n`]);
  });

  it('--json prints the document only', () => {
    const f = fakeIo('/', { tty: true });
    emit(f.io, { json: true }, doc, {});
    expect(f.out).toEqual([toJsonText(envelope(doc))]);
    expect(JSON.parse(f.out[0]!)).toMatchObject({ command: 'compare', seed: 1, best: 'stack', ratio: null });
    expect(f.err).toEqual([]);
  });

  it('writes the JSON, CSV (with provenance columns) and Markdown exports', () => {
    const dir = scratch();
    const f = fakeIo(dir);
    emit(f.io, { exportJson: 'd.json', exportCsv: 'd.csv', exportMarkdown: 'd.md', json: true }, doc);
    expect(readdirSync(dir).sort()).toEqual(['d.csv', 'd.json', 'd.md']);
    expect(readFileSync(join(dir, 'd.json'), 'utf8')).toBe(toJsonText(envelope(doc)));
    expect(readFileSync(join(dir, 'd.csv'), 'utf8')).toBe(
      `strategy,cycles,machine,seed,pfmsim\nkmalloc,2085,p4-2006,1,${VERSION}\nstack,1765,p4-2006,1,${VERSION}\n`,
    );
    expect(readFileSync(join(dir, 'd.md'), 'utf8')).toBe(markdownDoc(doc));
    expect(f.out).toEqual([toJsonText(envelope(doc))]);
  });

  it('a document without tables exports an empty CSV; unasked exports are not written', () => {
    const dir = scratch();
    const f = fakeIo(dir);
    emit(
      f.io,
      { exportCsv: 'e.csv' },
      { ...doc, tables: [], meta: { command: 'x', machine: null, seed: null } },
    );
    expect(readdirSync(dir)).toEqual(['e.csv']);
    expect(readFileSync(join(dir, 'e.csv'), 'utf8')).toBe('');
  });

  it('a document without machine or seed leaves those CSV cells empty', () => {
    const dir = scratch();
    emit(
      fakeIo(dir).io,
      { exportCsv: 'p.csv' },
      { ...doc, meta: { command: 'pmu', machine: null, seed: null } },
    );
    expect(readFileSync(join(dir, 'p.csv'), 'utf8').split('\n')[1]).toBe(`kmalloc,2085,,,${VERSION}`);
  });
});

describe('export paths', () => {
  it('are checked before any work, each under its own flag', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'out'));
    expect(prepareExports(fakeIo(dir).io, {})).toEqual({});
    expect(
      prepareExports(fakeIo(dir).io, {
        exportJson: 'a.json',
        exportCsv: 'out/a.csv',
        exportMarkdown: 'a.md',
      }),
    ).toEqual({ json: join(dir, 'a.json'), csv: join(dir, 'out', 'a.csv'), markdown: join(dir, 'a.md') });
    for (const [flags, line] of [
      [{ exportJson: 'no/a.json' }, /^--export-json no\/a\.json: directory /],
      [{ exportCsv: 'no/a.csv' }, /^--export-csv no\/a\.csv: directory /],
      [{ exportMarkdown: 'out' }, /^--export-markdown out is a directory/],
    ] as const) {
      expect(() => prepareExports(fakeIo(dir).io, flags)).toThrow(UsageError);
      expect(() => prepareExports(fakeIo(dir).io, flags)).toThrow(line);
    }
    expect(readdirSync(dir)).toEqual(['out']);
  });

  it('emit checks them itself when the command did not', () => {
    const dir = scratch();
    const f = fakeIo(dir);
    expect(() => emit(f.io, { exportJson: 'no/x.json' }, doc)).toThrow(
      /--export-json no\/x\.json: directory/,
    );
    expect(f.out).toEqual([]);
  });

  it('exports that fail after the result is printed: every one is tried, all named in one line, exit 2', () => {
    const dir = scratch();
    const f = fakeIo(dir);
    // the directories are gone by the time the exports are written (checked, then removed)
    const exports = {
      json: join(dir, 'gone', 'd.json'),
      csv: join(dir, 'd.csv'),
      markdown: join(dir, 'gone', 'd.md'),
    };
    let line = '';
    try {
      emit(f.io, { json: true }, doc, exports);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      line = (e as UsageError).line();
    }
    expect(line).toBe(
      `cannot write ${exports.json}: no such directory; cannot write ${exports.markdown}: no such directory; the result above is complete; those exports were not written`,
    );
    // the result was printed first, and the export that could be written was
    expect(JSON.parse(f.out.join(''))).toMatchObject({ command: 'compare' });
    expect(readdirSync(dir)).toEqual(['d.csv']);
    const one = fakeIo(dir);
    expect(usageLine(() => emit(one.io, {}, doc, { json: join(dir, 'gone', 'd.json') }))).toMatch(
      /: no such directory; the result above is complete; that export was not written$/,
    );
    expect(one.out.join('')).toMatch(/^pfmsim .* · compare · /);
  });
});

describe('notes and options', () => {
  it('a note goes to stderr unless --quiet', () => {
    const f = fakeIo('/');
    note(f.io, {}, 'resuming');
    note(f.io, { quiet: true }, 'hidden');
    expect(f.err).toEqual(['resuming\n']);
    expect(f.out).toEqual([]);
  });

  it('declares the output flags, the exports only when asked', () => {
    const all = addOutputOptions(new Command('x'));
    expect(all.options.map((o) => o.long)).toEqual([
      '--json',
      '--quiet',
      '--no-color',
      '--export-json',
      '--export-csv',
      '--export-markdown',
    ]);
    expect(all.options.map((o) => o.short ?? '')).toEqual(['', '-q', '', '', '', '']);
    const help = all.helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('--json print one JSON document on stdout instead of tables');
    expect(help).toContain('-q, --quiet no progress bar and no notes on stderr');
    expect(help).toContain('--no-color no ANSI colours (NO_COLOR=1 does the same)');
    expect(help).toContain('--export-json <file> also write the JSON document to FILE');
    expect(help).toContain('--export-csv <file> also write the main table as CSV to FILE');
    expect(help).toContain('--export-markdown <file> also write every table as Markdown to FILE');
    const bare = addOutputOptions(new Command('y'), false);
    expect(bare.options.map((o) => o.long)).toEqual(['--json', '--quiet', '--no-color']);
  });
});
