import { describe, expect, it } from 'vitest';
import { type Io, Progress } from './io.js';

function fakeIo(tty: boolean, env: Record<string, string> = {}) {
  let t = 0;
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
