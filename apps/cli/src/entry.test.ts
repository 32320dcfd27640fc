// The binary's behaviour (src/bin.ts only calls runBin): the arguments it passes on and the quiet
// end of a closed pipe. The spawned binary itself is tested by test/commands.e2e.test.ts.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type BinProcess, runBin } from './entry.js';
import type { Io } from './io.js';

function fakeProcess(argv: string[] = ['node', 'pfmsim']) {
  const exits: (number | undefined)[] = [];
  const stdout = new EventEmitter();
  const stderr: string[] = [];
  const proc = {
    argv,
    stdout,
    stderr: { write: (t: string) => stderr.push(t) },
    exit: ((code?: number) => {
      exits.push(code);
    }) as (code?: number) => never,
  } as unknown as BinProcess;
  return { proc, stdout, exits, stderr };
}

function captureIo() {
  const io = {
    text: { out: '', err: '' },
    out(s: string) {
      io.text.out += s;
    },
    err(s: string) {
      io.text.err += s;
    },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: { NO_COLOR: '1' },
    cwd: process.cwd(),
    now: () => 0,
  };
  return io satisfies Io;
}

const pipeError = (code: string) => Object.assign(new Error(`write ${code}`), { code });

describe('the pfmsim binary', () => {
  it('a closed pipe (`pfmsim ... | head`) ends quietly with exit 0; a full disk is one line and exit 2', async () => {
    const { proc, stdout, exits, stderr } = fakeProcess(['node', 'pfmsim', 'machines', '--json']);
    await runBin(proc, captureIo());
    expect(() => stdout.emit('error', pipeError('EPIPE'))).not.toThrow();
    expect(exits).toEqual([0]);
    expect(stderr).toEqual([]);
    stdout.emit('error', pipeError('ENOSPC'));
    expect(exits).toEqual([0, 2]);
    expect(stderr).toEqual(['pfmsim: cannot write to standard output: no space left on the device\n']);
  });

  it('runs the arguments after `node bin.js` and resolves to the exit code', async () => {
    const { proc, stdout, exits } = fakeProcess(['node', '/usr/bin/pfmsim', 'machines', '--json']);
    const io = captureIo();
    expect(await runBin(proc, io)).toBe(0);
    expect(io.text.err).toBe('');
    expect(JSON.parse(io.text.out)).toMatchObject({ command: 'machines' });
    // The handler is installed for the run.
    stdout.emit('error', pipeError('EPIPE'));
    expect(exits).toEqual([0]);

    const bad = captureIo();
    expect(await runBin(fakeProcess(['node', 'pfmsim', 'machnes']).proc, bad)).toBe(2);
    expect(bad.text.err).toMatch(/^pfmsim: unknown command 'machnes'/);
  });
});
