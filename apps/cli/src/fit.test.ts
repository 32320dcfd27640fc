import { describe, expect, it } from 'vitest';
import { fitTable, terminalWidth, WRAP_MIN, wrapCommand, wrapText, wrapWords } from './fit.js';
import { type Column, renderTable } from './format.js';
import { createStyle, type Io, stripAnsi } from './io.js';

const io = (env: Record<string, string>, tty?: number): Io => ({
  out: () => {},
  err: () => {},
  stdoutIsTTY: tty !== undefined,
  ...(tty !== undefined ? { stdoutColumns: tty } : {}),
  stderrIsTTY: false,
  env,
  cwd: '/',
  now: () => 0,
});
const plain = createStyle(io({}), false);
const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
const widest = (text: string) =>
  Math.max(
    ...stripAnsi(text)
      .split('\n')
      .map((l) => l.length),
  );

describe('terminalWidth', () => {
  it('COLUMNS first, then the terminal on stdout, else no limit; --wide always no limit', () => {
    expect(terminalWidth(io({ COLUMNS: '80' }), false)).toBe(80);
    expect(terminalWidth(io({ COLUMNS: '80' }, 120), undefined)).toBe(80);
    expect(terminalWidth(io({}, 120), undefined)).toBe(120);
    expect(terminalWidth(io({}), undefined)).toBeUndefined();
    expect(terminalWidth(io({ COLUMNS: '80' }, 120), true)).toBeUndefined();
  });

  it('ignores a COLUMNS that is not a positive integer', () => {
    for (const bad of ['', '0', '-5', 'wide', '80x', '1e3']) {
      expect(terminalWidth(io({ COLUMNS: bad }, 100), false), bad).toBe(100);
      expect(terminalWidth(io({ COLUMNS: bad }), false), bad).toBeUndefined();
    }
    expect(terminalWidth(io({}, 0), false)).toBeUndefined();
  });
});

describe('wrapWords', () => {
  it('breaks at spaces, keeps each line within the width and every word in order', () => {
    const text = 'saves 15.3% at 4 regs but pins 1.0 MiB for 256 threads';
    const lines = wrapWords(text, 20);
    expect(lines).toEqual(['saves 15.3% at 4', 'regs but pins 1.0', 'MiB for 256 threads']);
    expect(lines.join(' ')).toBe(text);
  });

  it('cuts a word longer than the width; an exact fit stays on one line', () => {
    expect(wrapWords('ab corrupted-argument', 10)).toEqual(['ab', 'corrupted-', 'argument']);
    expect(wrapWords('abcd efghi', 10)).toEqual(['abcd efghi']);
    expect(wrapWords('', 10)).toEqual(['']);
  });

  it('measures without escapes, so a coloured word is not broken early', () => {
    expect(wrapWords(`${red('best')} is hybrid`, 14)).toEqual([`${red('best')} is hybrid`]);
  });
});

describe('wrapText and wrapCommand', () => {
  it('leaves text alone without a width or when it fits; indents continuation lines', () => {
    const text = 'pinned: memory the attacker keeps after opening 1024 contexts';
    expect(wrapText(text, undefined)).toBe(text);
    expect(wrapText(text, 80)).toBe(text);
    expect(wrapText(`${text}\nshort`, 30, '  ')).toBe(
      'pinned: memory the attacker\n  keeps after opening 1024\n  contexts\nshort',
    );
  });

  it('breaks a command with shell continuations that stay within the width', () => {
    const cmd = 'pfmsim race --strategy ctx-cache-naive --machine p4-2006 --abi v2.3 --replay 1:0.0';
    expect(wrapCommand(cmd, undefined)).toBe(cmd);
    const wrapped = wrapCommand(cmd, 40);
    expect(wrapped).toBe(
      'pfmsim race --strategy ctx-cache-naive \\\n  --machine p4-2006 --abi v2.3 \\\n  --replay 1:0.0',
    );
    expect(widest(wrapped)).toBeLessThanOrEqual(40);
    expect(wrapped.replace(/ \\\n {2}/g, ' ')).toBe(cmd);
  });
});

const columns: Column[] = [
  { header: 'strategy' },
  { header: 'cycles', align: 'right' },
  { header: 'pinned', align: 'right', stackRank: 1 },
  { header: 'bugs', stackRank: 1, wrap: true },
  { header: 'verdict', wrap: true },
];
const rows = [
  ['kmalloc', '2085', '0 B', 'none', 'baseline: the 2006 code'],
  ['ctx-cache-naive', '1765', '4.0 MiB', 'data-race', 'unsafe: data-race with two threads on one fd'],
];
const table = { title: 't', columns, rows };

describe('renderTable with a width', () => {
  it('is the plain rendering without a width or when the table fits', () => {
    const full = renderTable(table, plain);
    expect(widest(full)).toBe(89);
    expect(renderTable(table, plain, undefined, 89)).toBe(full);
    expect(renderTable(table, plain, undefined, undefined)).toBe(full);
  });

  it('wraps the wrap columns when that is enough, the others at full width', () => {
    expect(renderTable(table, plain, undefined, 75)).toBe(
      [
        'strategy         cycles   pinned  bugs       verdict',
        'kmalloc            2085      0 B  none       baseline: the 2006 code',
        'ctx-cache-naive    1765  4.0 MiB  data-race  unsafe: data-race with two',
        '                                             threads on one fd',
      ].join('\n'),
    );
  });

  it('moves ranked columns to a table below, keyed by the first column, when wrapping is not enough', () => {
    const text = renderTable(table, plain, undefined, 40);
    expect(text).toBe(
      [
        'strategy         cycles  verdict',
        'kmalloc            2085  baseline: the',
        '                         2006 code',
        'ctx-cache-naive    1765  unsafe:',
        '                         data-race with',
        '                         two threads on',
        '                         one fd',
        '',
        'strategy          pinned  bugs',
        'kmalloc              0 B  none',
        'ctx-cache-naive  4.0 MiB  data-race',
      ].join('\n'),
    );
    expect(widest(text)).toBeLessThanOrEqual(40);
  });

  it('keeps a whole-cell colour on every wrapped line and measures without it', () => {
    const text = renderTable(table, plain, (i, j, s) => (i === 1 && j === 4 ? red(s) : s), 75);
    const lines = text.split('\n');
    expect(lines[2]!.endsWith(`  ${red('unsafe: data-race with two')}`)).toBe(true);
    expect(lines[3]).toBe(`${' '.repeat(45)}${red('threads on one fd')}`);
    expect(widest(text)).toBeLessThanOrEqual(75);
  });

  it('never makes a wrap column narrower than WRAP_MIN or its header; too narrow prints as narrow as it goes', () => {
    const fitted = fitTable(
      {
        columns: [{ header: 'strategy' }, { header: 'verdict', wrap: true }],
        header: ['strategy', 'verdict'],
        rows: [['ctx-cache-naive', 'unsafe with two threads on one fd']],
      },
      20,
    );
    const pad = ' '.repeat(17);
    expect(fitted.split('\n')).toEqual([
      'strategy         verdict',
      'ctx-cache-naive  unsafe',
      `${pad}with two`,
      `${pad}threads on`,
      `${pad}one fd`,
    ]);
    expect(widest(fitted)).toBe(15 + 2 + WRAP_MIN);
  });

  it('never moves the first column or the last unranked one', () => {
    const two: Column[] = [
      { header: 'a', stackRank: 1 },
      { header: 'b', stackRank: 1 },
    ];
    const text = renderTable(
      { title: 't', columns: two, rows: [['x'.repeat(30), 'y'.repeat(30)]] },
      plain,
      undefined,
      20,
    );
    expect(text.split('\n')).toEqual([`a${' '.repeat(31)}b`, `${'x'.repeat(30)}  ${'y'.repeat(30)}`]);
  });
});
