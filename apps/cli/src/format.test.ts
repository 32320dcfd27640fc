import { describe, expect, it } from 'vitest';
import { bar, bytes, cellText, cycles, grouped, pct, renderTable, toCsv, toMarkdown } from './format.js';
import { createStyle, type Io, stripAnsi } from './io.js';

const io = (env: Record<string, string>, tty = true): Io => ({
  out: () => {},
  err: () => {},
  stdoutIsTTY: tty,
  stderrIsTTY: tty,
  env,
  cwd: '/',
  now: () => 0,
});

describe('format', () => {
  it('formats bytes, percentages, cycles and grouped numbers', () => {
    expect([bytes(0), bytes(512), bytes(65536), bytes(4194304)]).toEqual([
      '0 B',
      '512 B',
      '64 KiB',
      '4.0 MiB',
    ]);
    expect([pct(0.1534), pct(-0.2), pct(Number.NaN)]).toEqual(['+15.3%', '-20.0%', '-']);
    expect([cycles(2085), cycles(1872.875)]).toEqual(['2085', '1872.9']);
    expect(grouped(1000000000)).toBe('1,000,000,000');
    expect(bar(50, 100, 4)).toBe('██');
  });

  it('renders tables for terminals, CSV and Markdown', () => {
    const t = {
      title: 'T',
      columns: [{ header: 'a' }, { header: 'b', align: 'right' as const }],
      rows: [
        ['x,y', 1],
        ['z', null],
      ],
    };
    const style = createStyle(io({ NO_COLOR: '1' }), undefined);
    expect(renderTable(t, style)).toBe('a    b\nx,y  1\nz    -');
    expect(toCsv(t)).toBe('a,b\n"x,y",1\nz,\n');
    expect(toMarkdown(t)).toBe('### T\n\n| a | b |\n|:---|---:|\n| x,y | 1 |\n| z | - |');
  });

  it('colours only a terminal without NO_COLOR or --no-color', () => {
    expect(createStyle(io({}), undefined).enabled).toBe(true);
    expect(createStyle(io({ NO_COLOR: '1' }), undefined).enabled).toBe(false);
    expect(createStyle(io({}), false).enabled).toBe(false);
    expect(createStyle(io({}, false), undefined).enabled).toBe(false);
    expect(createStyle(io({ FORCE_COLOR: '1' }, false), undefined).enabled).toBe(true);
    expect(createStyle(io({ FORCE_COLOR: '0' }), undefined).enabled).toBe(false);
  });
});

describe('number formats', () => {
  it('bytes: B below 1 KiB, whole or one-decimal KiB below 1 MiB, one-decimal MiB above', () => {
    expect([bytes(1023), bytes(1024), bytes(1536), bytes(1024 * 1024 - 1)]).toEqual([
      '1023 B',
      '1 KiB',
      '1.5 KiB',
      '1024.0 KiB',
    ]);
    expect([
      bytes(1024 * 1024),
      bytes(1.25 * 1024 * 1024),
      bytes(Number.POSITIVE_INFINITY),
      bytes(Number.NaN),
    ]).toEqual(['1.0 MiB', '1.3 MiB', '-', '-']);
  });

  it('percentages: a sign only on gains when signed, one decimal, "-" for non-finite', () => {
    expect([pct(0), pct(0.5, false), pct(-0.153, false), pct(0.0004)]).toEqual([
      '0.0%',
      '50.0%',
      '-15.3%',
      '+0.0%',
    ]);
    expect([pct(Number.POSITIVE_INFINITY), pct(Number.NEGATIVE_INFINITY, false)]).toEqual(['-', '-']);
  });

  it('cycles and grouped numbers: "-" for non-finite, signs and fractions kept', () => {
    expect([cycles(0.25), cycles(Number.NaN), cycles(Number.POSITIVE_INFINITY)]).toEqual(['0.3', '-', '-']);
    expect([
      grouped(0),
      grouped(999),
      grouped(1000),
      grouped(-1234567),
      grouped(1234.5),
      grouped(-0.5),
    ]).toEqual(['0', '999', '1,000', '-1,234,567', '1,234.50', '-0.50']);
    expect([grouped(Number.NaN), grouped(Number.NEGATIVE_INFINITY)]).toEqual(['-', '-']);
  });

  it('bars: eighth blocks, clamped at full, empty for nothing', () => {
    expect(bar(100, 100, 4)).toBe('████');
    expect(bar(200, 100, 4)).toBe('████');
    expect(bar(1, 8, 1)).toBe('▏');
    expect(bar(7, 8, 1)).toBe('▉');
    expect(bar(9, 16, 2)).toBe('█▏');
    expect(bar(3, 8, 1)).toBe('▍');
    expect([
      bar(0, 100, 4),
      bar(-1, 100, 4),
      bar(5, 0, 4),
      bar(5, Number.NaN, 4),
      bar(Number.NaN, 4, 4),
    ]).toEqual(['', '', '', '', '']);
    expect(bar(0.01, 100, 4)).toBe('');
    // A negative value or maximum draws nothing (not a negative number of blocks).
    expect([bar(-100, 100, 4), bar(5, -10, 4), bar(-5, -10, 4)]).toEqual(['', '', '']);
  });
});

describe('cells and tables', () => {
  it('a cell shows "-" for null and non-finite numbers, the text of anything else', () => {
    expect([
      cellText(null),
      cellText(Number.NaN),
      cellText(-1.5),
      cellText(true),
      cellText(false),
      cellText(''),
    ]).toEqual(['-', '-', '-1.5', 'true', 'false', '']);
  });

  const style = createStyle(io({ NO_COLOR: '1' }), undefined);

  it('aligns columns on visible width, shows a missing cell as "-", trims line ends', () => {
    const t = {
      title: 'T',
      columns: [{ header: 'name' }, { header: 'n', align: 'right' as const }, { header: 'note' }],
      rows: [
        ['a', 12345, ''],
        ['bb', true],
        ['c', Number.POSITIVE_INFINITY, 'x'],
      ],
    };
    expect(renderTable(t, style)).toBe('name      n  note\na     12345\nbb     true  -\nc         -  x');
    // A styled cell keeps its escapes but is measured without them.
    const coloured = renderTable(t, style, (row, col, text) =>
      row === 0 && col === 0 ? `\x1b[31m${text}\x1b[39m` : text,
    );
    expect(coloured.split('\n')[1]).toBe('\x1b[31ma\x1b[39m     12345');
    expect(stripAnsi(coloured)).toBe(renderTable(t, style));
    // The header is styled too (bold), and measured without its escapes.
    const bold = createStyle(io({}), undefined);
    expect(renderTable(t, bold).split('\n')[0]).toBe(
      '\x1b[1mname\x1b[22m      \x1b[1mn\x1b[22m  \x1b[1mnote\x1b[22m',
    );
  });

  it('CSV quotes commas, quotes and line breaks, leaves missing and non-finite cells empty', () => {
    const t = {
      title: 'T',
      columns: [{ header: 'a,b' }, { header: 'c' }, { header: 'd' }],
      rows: [
        ['say "hi"', 'two\nlines', 'cr\r'],
        [Number.NaN, false],
      ],
    };
    expect(toCsv(t)).toBe('"a,b",c,d\n"say ""hi""","two\nlines","cr\r"\n,false,\n');
  });

  it('Markdown escapes pipes, strips colours and marks right-aligned columns', () => {
    const t = {
      title: 'Pipes',
      columns: [
        { header: 'a|b' },
        { header: 'n', align: 'right' as const },
        { header: 'l', align: 'left' as const },
      ],
      rows: [['\x1b[31mx|y\x1b[39m', 1, null]],
    };
    expect(toMarkdown(t)).toBe('### Pipes\n\n| a\\|b | n | l |\n|:---|---:|:---|\n| x\\|y | 1 | - |');
  });
});
