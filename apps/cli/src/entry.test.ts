// The binary's behaviour (src/bin.ts only calls runBin): the arguments it passes on and the quiet
// end of a closed pipe. The spawned binary itself is tested by test/commands.e2e.test.ts.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type BinProcess, endQuietlyOnEpipe, runBin } from './entry.js';
import type { Io } from './io.js';

function fakeProcess(argv: string[] = ['node', 'pfmsim']) {
  const exits: (number | undefined)[] = [];
  const stdout = new EventEmitter();
  const proc = {
    argv,
    stdout,
    exit: ((code?: number) => {
      exits.push(code);
    }) as (code?: number) => never,
  } as unknown as BinProcess;
  return { proc, stdout, exits };
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
  it('a closed pipe (`pfmsim ... | head`) ends the process quietly with exit 0', () => {
    const { proc, stdout, exits } = fakeProcess();
    endQuietlyOnEpipe(proc);
    expect(() => stdout.emit('error', pipeError('EPIPE'))).not.toThrow();
    expect(exits).toEqual([0]);
  });

  it('any other stdout error is not swallowed', () => {
    const { proc, stdout, exits } = fakeProcess();
    endQuietlyOnEpipe(proc);
    expect(() => stdout.emit('error', pipeError('EACCES'))).toThrow('write EACCES');
    expect(exits).toEqual([]);
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
