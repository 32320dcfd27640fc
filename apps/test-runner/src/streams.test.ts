// Standard output that cannot be written: a closed pipe (`| head -1`) ends quietly with exit 0;
// any other failure (a full device) is one line on stderr and exit 2, never a stack trace.
import { execFileSync, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { watchStdout } from './streams.js';

/** A stand-in for `process`: stdout an event emitter, what stderr got, the exit codes asked for. */
function fakeProcess() {
  const proc = {
    stdout: new EventEmitter(),
    err: '',
    exits: [] as number[],
    stderr: { write: (text: string) => (proc.err += text) },
    exit: (code: number) => {
      proc.exits.push(code);
    },
  };
  return proc;
}

const errno = (code: string) => Object.assign(new Error(`write ${code}`), { code });

describe('watchStdout', () => {
  it('a closed pipe (EPIPE) ends the process quietly with exit 0', () => {
    const proc = fakeProcess();
    watchStdout(proc);
    proc.stdout.emit('error', errno('EPIPE'));
    expect(proc.exits).toEqual([0]);
    expect(proc.err).toBe('');
  });

  it('a full device is one line on stderr and exit 2', () => {
    const proc = fakeProcess();
    watchStdout(proc);
    proc.stdout.emit('error', errno('ENOSPC'));
    expect(proc.err).toBe('pfmsim-test: cannot write to standard output: no space left on the device\n');
    expect(proc.exits).toEqual([2]);
  });

  it('any other failure too, named by its reason', () => {
    const proc = fakeProcess();
    watchStdout(proc);
    proc.stdout.emit('error', errno('EIO'));
    proc.stdout.emit('error', new Error('something else'));
    expect(proc.err).toBe(
      'pfmsim-test: cannot write to standard output: input/output error\n' +
        'pfmsim-test: cannot write to standard output: something else\n',
    );
    expect(proc.exits).toEqual([2, 2]);
  });

  it('nothing happens until stdout fails', () => {
    const proc = fakeProcess();
    watchStdout(proc);
    expect(proc.stdout.listenerCount('error')).toBe(1);
    expect([proc.err, proc.exits]).toEqual(['', []]);
  });
});

// The real binary, from source, as a user runs it.
const BIN = fileURLToPath(new URL('./bin.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const TSX = pathToFileURL(
  createRequire(new URL('../../../package.json', import.meta.url)).resolve('tsx'),
).href;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `pfmsim-test ...args`; `stdout` is a pipe read until the first chunk (`| head -1`), or a file descriptor. */
function bin(args: readonly string[], stdout: 'head' | number): Promise<Ended> {
  const child = spawn(process.execPath, ['--conditions=@pfmsim/source', '--import', TSX, BIN, ...args], {
    cwd: PACKAGE_DIR,
    stdio: ['ignore', stdout === 'head' ? 'pipe' : stdout, 'pipe'],
  });
  const ended: Ended = { code: null, signal: null, stdout: '', stderr: '' };
  child.stdout?.once('data', (chunk: Buffer) => {
    ended.stdout = String(chunk);
    // the reader goes away, as `head -1` does once it has its line
    child.stdout?.destroy();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    ended.stderr += String(chunk);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ ...ended, code, signal }));
  });
}

/** A private clone of /dev/full (tests never write to the real one by path), or null without mknod. */
function fullDevice(): string | null {
  const path = join(mkdtempSync(join(tmpdir(), 'pfmsim-stdout-')), 'full');
  try {
    execFileSync('mknod', [path, 'c', '1', '7'], { stdio: 'ignore' });
    closeSync(openSync(path, 'w'));
  } catch {
    return null;
  }
  return path;
}
const FULL = fullDevice();

describe('the binary', () => {
  it('pfmsim-test run | head -1: the first line, then a quiet end with exit 0', async () => {
    // the suite goes on writing a line per scenario after the reader has gone
    const r = await bin(['run', '--strategy', 'kmalloc'], 'head');
    expect(r.stdout).toMatch(/^PASS conformance\/\S+\.yaml: /);
    expect(r.stderr).toBe('');
    expect([r.code, r.signal]).toEqual([0, null]);
  });

  it.skipIf(FULL === null)(
    'pfmsim-test schema > a full device: one line on stderr, exit 2 (needs mknod: root)',
    async () => {
      const fd = openSync(FULL!, 'w');
      try {
        const r = await bin(['schema'], fd);
        expect(r.stderr).toBe('pfmsim-test: cannot write to standard output: no space left on the device\n');
        expect(r.code).toBe(2);
      } finally {
        closeSync(fd);
      }
    },
  );
});
