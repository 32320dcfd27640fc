// Issue 17: nothing written is lost. Output paths are checked before the work, a failed write is
// one line and exit 2 after the result was printed, a full stdout is exit 2, a closed pipe ends
// quietly, two sweeps never append to one results file.
// Full devices are private clones (mknod in a scratch directory): a test run as root must never
// write to /dev/full itself, where a rename over it would replace the device node.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { lockResults } from '../src/sweep/lock.js';
import { ResultsWriter } from '../src/sweep/results.js';
import { CLI_DIR, expectUsageError, REPO, runInProcess, tempDir } from './helpers.js';

/** A private full device (c 1 7) in a scratch directory, or null where mknod is not allowed. */
function fullDevice(): string | null {
  const dir = tempDir('pfmsim-full-');
  const path = join(dir, 'full');
  return spawnSync('mknod', [path, 'c', '1', '7']).status === 0 ? path : null;
}
const full = fullDevice();
const TSX = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href;
const BIN = ['--conditions=@pfmsim/source', '--import', TSX, join(CLI_DIR, 'src', 'bin.ts')];

/** Spawns the binary with stdout on `stdoutFd` (or a pipe closed after its first chunk). */
function spawnBin(
  args: string[],
  stdoutFd?: number,
): Promise<{ code: number | null; stderr: string; firstChunk: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
    });
    let stderr = '';
    let firstChunk = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.stdout?.once('data', (d) => {
      firstChunk = String(d);
      child.stdout?.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, firstChunk }));
  });
}

const sweepConfig = (dir: string) => {
  writeFileSync(
    join(dir, 'g.json'),
    JSON.stringify({ name: 'g', strategies: ['kmalloc'], calls: ['pfm_read_pmds'], counts: [4] }),
  );
};

describe.skipIf(full === null)('a full disk loses nothing silently', () => {
  it('an export that cannot be written: the result is printed whole, the other exports are written, exit 2 naming it', async () => {
    const dir = tempDir();
    const r = await runInProcess(
      ['compare', '--strategies', 'stack', '--export-json', full!, '--export-csv', 'c.csv'],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Decision table');
    expect(r.stderr).toBe(
      `pfmsim: cannot write ${full}: no space left on the device; the result above is complete; that export was not written\n`,
    );
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toMatch(/^strategy,/);
  });

  it('standard output on a full device: exit 2 and one line, not a silent 0', async () => {
    const fd = openSync(full!, 'w');
    try {
      const r = await spawnBin(['compare', '--json', '--strategies', 'stack'], fd);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('pfmsim: cannot write to standard output: no space left on the device\n');
    } finally {
      closeSync(fd);
    }
  });

  it('sweep results that cannot be appended: exit 2 naming the file, the lines before kept', () => {
    const w = new ResultsWriter(full!, 'r.jsonl');
    expect(() => w.writeLines(['{"type":"cell"}'])).toThrow(UsageError);
    try {
      w.write({ type: 'header' });
    } catch (e) {
      expect((e as UsageError).line()).toBe(
        'cannot write r.jsonl: no space left on the device; the cells written before are kept: fix that and run the same sweep again, it resumes',
      );
    }
    w.close();
  });

  it('a device is not a results file: sweep -o refuses it, merge and resume do not read it forever', async () => {
    const dir = tempDir();
    sweepConfig(dir);
    expectUsageError(
      await runInProcess(['sweep', '-c', 'g.json', '-o', full!], { cwd: dir }),
      /^pfmsim: --output .*full is not a regular file \(a device or a pipe\); a sweep appends to its results file and resumes from it: pick a file$/,
    );
    expectUsageError(
      await runInProcess(['merge', full!, '-o', 'm.jsonl'], { cwd: dir }),
      /^pfmsim: .*full is not a regular file; pass a file written by `pfmsim sweep`$/,
    );
  });
});

describe('a closed pipe', () => {
  it('`pfmsim compare | head -1` ends quietly with exit 0', async () => {
    const r = await spawnBin(['compare', '--strategies', 'stack']);
    expect(r.firstChunk).toMatch(/^pfmsim /);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('output paths are checked before any work', () => {
  it('report, sweep and merge -o where no file can be made: exit 2 naming the path, nothing run', async () => {
    const dir = tempDir();
    sweepConfig(dir);
    const cmp = await runInProcess(['compare', '--strategies', 'stack', '--export-json', 'cmp.json', '-q'], {
      cwd: dir,
    });
    expect(cmp.code).toBe(0);
    expectUsageError(
      await runInProcess(['report', 'cmp.json', '-o', '/proc/1/r.html'], { cwd: dir }),
      /^pfmsim: --output \/proc\/1\/r\.html: no file can be created in that directory; pick a path you can write$/,
    );
    expectUsageError(
      await runInProcess(['sweep', '-c', 'g.json', '-o', '/proc/1/g.jsonl'], { cwd: dir }),
      /^pfmsim: --output \/proc\/1\/g\.jsonl: no file can be created in that directory/,
    );
    expectUsageError(
      await runInProcess(['compare', '--export-markdown', '/proc/1/c.md'], { cwd: dir }),
      /^pfmsim: --export-markdown \/proc\/1\/c\.md: no file can be created in that directory/,
    );
    expect(readdirSync(dir).sort()).toEqual(['cmp.json', 'g.json']);
  });
});

describe('one writer per sweep results file', () => {
  it('a second sweep to the same file is refused while the first holds it, and runs once it is gone', async () => {
    const dir = tempDir();
    sweepConfig(dir);
    const held = lockResults(join(dir, 'g.results.jsonl'), 'g.results.jsonl');
    const r = await runInProcess(['sweep', '-c', 'g.json', '-q'], { cwd: dir });
    expectUsageError(
      r,
      new RegExp(
        `^pfmsim: g\\.results\\.jsonl is being written by another pfmsim sweep \\(pid ${process.pid} on ${hostname()}, lock g\\.results\\.jsonl\\.lock\\); wait for it to finish, or pass another -o FILE$`,
      ),
    );
    expect(existsSync(join(dir, 'g.results.jsonl'))).toBe(false);
    held.release();
    const ok = await runInProcess(['sweep', '-c', 'g.json', '-q', '--json'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ran: 1, complete: true });
    expect(readdirSync(dir).sort()).toEqual(['g.json', 'g.results.jsonl']);
  });

  it('the lock of a killed sweep is taken over, with a note', async () => {
    const dir = tempDir();
    sweepConfig(dir);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, 'g.results.jsonl.lock'), `${dead} ${hostname()}\n`);
    const r = await runInProcess(['sweep', '-c', 'g.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `g.results.jsonl: took over the lock of pid ${dead}, which is gone (a killed sweep)`,
    );
    expect(existsSync(join(dir, 'g.results.jsonl.lock'))).toBe(false);
  });
});
