import { describe, expect, it, vi } from 'vitest';
import { createStyle, type Io, Progress, processIo, stripAnsi, visibleLength } from './io.js';

function fakeIo(tty: boolean, env: Record<string, string> = {}) {
  // A host clock far from zero, as performance.now() is in a long-running process.
  let t = 5000;
  const err: string[] = [];
  const io: Io = {
    out: () => {},
    err: (s) => err.push(s),
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    env,
    cwd: '/',
    now: () => t,
  };
  return { io, err, advance: (ms: number) => (t += ms) };
}

describe('progress', () => {
  it('draws on a terminal only after a second, and clears its line', () => {
    const f = fakeIo(true);
    const p = Progress.for(f.io, false, 'compare');
    p.update(1, 10, 'a');
    expect(f.err).toEqual([]);
    f.advance(1500);
    p.update(2, 10, 'kmalloc');
    expect(f.err.join('')).toMatch(/compare \[#+\.+\] 2\/10 1\.5s kmalloc/);
    p.finish();
    expect(f.err[f.err.length - 1]).toBe('\r\x1b[2K');
  });

  it('stays silent off a terminal, with --quiet and in CI', () => {
    for (const [tty, quiet, env] of [
      [false, false, {}],
      [true, true, {}],
      [true, false, { CI: 'true' }],
    ] as const) {
      const f = fakeIo(tty, env);
      const p = Progress.for(f.io, quiet, 'x');
      f.advance(5000);
      p.update(1, 2);
      p.finish();
      expect(f.err).toEqual([]);
    }
  });
});

describe('progress drawing', () => {
  it('redraws at most every 80 ms, except for the last update', () => {
    const f = fakeIo(true);
    const p = Progress.for(f.io, undefined, 'sweep');
    f.advance(1000);
    p.update(0, 4);
    expect(f.err).toHaveLength(1);
    f.advance(79);
    p.update(1, 4);
    expect(f.err).toHaveLength(1);
    f.advance(1);
    p.update(2, 4);
    expect(f.err).toHaveLength(2);
    f.advance(10);
    p.update(4, 4, 'done');
    expect(f.err).toHaveLength(3);
    expect(f.err[2]).toBe(`\r\x1b[2Ksweep [${'#'.repeat(28)}] 4/4 1.1s done`);
  });

  it('fills the bar in proportion, never past full, and an empty total draws an empty bar', () => {
    const f = fakeIo(true);
    const p = Progress.for(f.io, false, 'x');
    f.advance(2000);
    p.update(1, 4);
    expect(f.err[0]).toBe(`\r\x1b[2Kx [${'#'.repeat(7)}${'.'.repeat(21)}] 1/4 2.0s `);
    f.advance(100);
    p.update(9, 4);
    expect(f.err[1]).toBe(`\r\x1b[2Kx [${'#'.repeat(28)}] 9/4 2.1s `);
    f.advance(100);
    p.update(0, 0);
    expect(f.err[2]).toBe(`\r\x1b[2Kx [${'.'.repeat(28)}] 0/0 2.2s `);
  });

  it('cuts a long line at 110 characters', () => {
    const f = fakeIo(true);
    const p = Progress.for(f.io, false, 'x');
    f.advance(1000);
    p.update(1, 2, 'y'.repeat(200));
    expect(f.err[0]).toBe(
      `\r\x1b[2K${`x [${'#'.repeat(14)}${'.'.repeat(14)}] 1/2 1.0s ${'y'.repeat(200)}`.slice(0, 110)}`,
    );
    expect(f.err[0]).toHaveLength(110 + 5);
  });

  it('finish clears nothing when nothing was drawn, and only once', () => {
    const f = fakeIo(true);
    const p = Progress.for(f.io, false, 'x');
    p.update(1, 2);
    p.finish();
    expect(f.err).toEqual([]);
    f.advance(1000);
    p.update(1, 2);
    p.finish();
    p.finish();
    expect(f.err.filter((s) => s === '\r\x1b[2K')).toHaveLength(1);
  });

  it('a progress made directly draws only when enabled', () => {
    const f = fakeIo(false);
    const on = new Progress(f.io, true, 'on');
    const off = new Progress(f.io, false, 'off');
    f.advance(1000);
    on.update(1, 1);
    off.update(1, 1);
    expect(f.err).toHaveLength(1);
    expect(f.err[0]).toContain('on [');
  });
});

describe('colour', () => {
  const style = (tty: boolean, env: Record<string, string>, flag?: boolean) =>
    createStyle(fakeIo(tty, env).io, flag);

  it('follows no-color.org: an empty NO_COLOR does not disable colour', () => {
    expect(style(true, { NO_COLOR: '' }).enabled).toBe(true);
    expect(style(true, { NO_COLOR: '1' }).enabled).toBe(false);
    expect(style(true, { NO_COLOR: '0' }).enabled).toBe(false);
  });

  it('FORCE_COLOR turns colour on for a pipe unless empty, "0" or "false"; --no-color and NO_COLOR win', () => {
    expect(style(false, {}).enabled).toBe(false);
    expect(style(false, { FORCE_COLOR: '1' }).enabled).toBe(true);
    expect(style(false, { FORCE_COLOR: '3' }).enabled).toBe(true);
    expect(style(false, { FORCE_COLOR: '' }).enabled).toBe(false);
    expect(style(false, { FORCE_COLOR: 'false' }).enabled).toBe(false);
    expect(style(false, { FORCE_COLOR: '0' }).enabled).toBe(false);
    expect(style(true, { FORCE_COLOR: '0' }).enabled).toBe(false);
    expect(style(false, { FORCE_COLOR: '1' }, false).enabled).toBe(false);
    expect(style(false, { FORCE_COLOR: '1', NO_COLOR: '1' }).enabled).toBe(false);
    expect(style(true, {}, true).enabled).toBe(true);
  });

  it('wraps text in the ANSI codes of each style, or leaves it alone', () => {
    const on = style(true, {});
    expect([on.bold('a'), on.dim('a'), on.red('a'), on.green('a'), on.yellow('a'), on.cyan('a')]).toEqual([
      '\x1b[1ma\x1b[22m',
      '\x1b[2ma\x1b[22m',
      '\x1b[31ma\x1b[39m',
      '\x1b[32ma\x1b[39m',
      '\x1b[33ma\x1b[39m',
      '\x1b[36ma\x1b[39m',
    ]);
    const off = style(false, {});
    expect([
      off.bold('a'),
      off.dim('a'),
      off.red('a'),
      off.green('a'),
      off.yellow('a'),
      off.cyan('a'),
    ]).toEqual(['a', 'a', 'a', 'a', 'a', 'a']);
  });

  it('measures and strips every escape, including multi-parameter ones', () => {
    const s = '\x1b[1mab\x1b[22m \x1b[1;31mcd\x1b[0m';
    expect(visibleLength(s)).toBe(5);
    expect(stripAnsi(s)).toBe('ab cd');
    expect(stripAnsi('plain [1m')).toBe('plain [1m');
  });
});

describe('the process io', () => {
  it('writes to stdout and stderr and reports the terminal, environment and directory', () => {
    const writes: string[] = [];
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      writes.push(`out:${String(s)}`);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      writes.push(`err:${String(s)}`);
      return true;
    });
    try {
      const io = processIo();
      io.out('a');
      io.err('b');
      expect(writes).toEqual(['out:a', 'err:b']);
      expect(io.stdoutIsTTY).toBe(process.stdout.isTTY === true);
      expect(io.stderrIsTTY).toBe(process.stderr.isTTY === true);
      // On a terminal both say so.
      const tty = (stream: NodeJS.WriteStream) => Object.getOwnPropertyDescriptor(stream, 'isTTY');
      const [outTty, errTty] = [tty(process.stdout), tty(process.stderr)];
      Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
      Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
      try {
        expect([processIo().stdoutIsTTY, processIo().stderrIsTTY]).toEqual([true, true]);
      } finally {
        for (const [stream, d] of [
          [process.stdout, outTty],
          [process.stderr, errTty],
        ] as const) {
          if (d) Object.defineProperty(stream, 'isTTY', d);
          else delete (stream as { isTTY?: boolean }).isTTY;
        }
      }
      expect(io.env).toBe(process.env);
      expect(io.cwd).toBe(process.cwd());
      const t = io.now();
      expect(t).toBeGreaterThan(0);
      expect(io.now()).toBeGreaterThanOrEqual(t);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
