import { describe, expect, it } from 'vitest';
import { bar, bytes, cycles, grouped, pct, renderTable, toCsv, toMarkdown } from './format.js';
import { createStyle, type Io } from './io.js';

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
