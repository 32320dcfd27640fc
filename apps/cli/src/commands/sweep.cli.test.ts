// `pfmsim sweep` in this process, beyond src/commands/sweep.test.ts: help, --jobs, output paths,
// resuming, the progress bar and timing (on a clock the test drives), the summary lines and tables.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';
import { main } from '../cli.js';

/** Whole commands in this process: seconds each on a loaded machine (mutation runs). */
const SLOW = { timeout: 60_000 };

const GRID = { strategies: ['kmalloc', 'stack'], calls: ['pfm_read_pmds'], counts: [4, 8] };

function gridDir(config: unknown = GRID, name = 'grid.json'): string {
  const dir = tempDir();
  writeFileSync(join(dir, name), JSON.stringify(config));
  return dir;
}

/** Cells already in a results file (the lines after its header). */
function cellsIn(file: string): number {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '').length - 1
    : 0;
}

interface RunOpts {
  /** stderr is a terminal (the progress bar may be drawn). */
  tty?: boolean;
  /** The host clock in ms; a still clock (0) unless given. */
  now?: () => number;
}

async function run(args: string[], cwd: string, opts: RunOpts = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += s;
    },
    stdoutIsTTY: false,
    stderrIsTTY: opts.tty ?? false,
    env: { NO_COLOR: '1' },
    cwd,
    now: opts.now ?? (() => 0),
  });
  return { code, stdout, stderr };
}

const json = (r: CliRun) => JSON.parse(r.stdout) as Record<string, unknown>;

/** The read-cost table of the text output: its lines up to the blank line after it. */
function read4(stdout: string): string[] | null {
  const lines = stdout.split('\n');
  const at = lines.indexOf('pfm_read_pmds at 4 registers, cycles per call (cells run now)');
  if (at < 0) return null;
  return lines.slice(at + 1, lines.indexOf('', at));
}

describe('pfmsim sweep: flags and paths', SLOW, () => {
  it('--help describes the options and shows a config example and the shard sources', async () => {
    const r = await runInProcess(['sweep', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const line of [
      'run a grid of machines x strategies x calls x counts x abi x threads; resumable, shardable',
      '-c, --config <file> sweep config (JSON)',
      '-j, --jobs <n> worker threads ("auto" = one per core) (default: "1")',
      '--shard <i/n|auto> run only slice i of n (1-based), or take it from the environment',
      '-o, --output <file> results file (JSON lines); default CONFIG.results.jsonl or CONFIG.shard-I-of-N.jsonl',
      'Config (JSON; every key optional, lists may be a single value, "all" = every choice):',
      '"costOverrides": {"kmallocFast": 150}',
      'Shards: --shard 2/4 runs cells 1, 5, 9... (index % 4 === 1); --shard auto reads PFMSIM_SHARD_INDEX/PFMSIM_SHARD_COUNT (CI matrix)',
      'Results are JSON lines; running the same command again resumes; `pfmsim merge` joins shards.',
    ])
      expect(help).toContain(line);
  });

  it('--jobs auto takes one worker thread per core', async () => {
    const dir = gridDir();
    const r = await run(['sweep', '-c', 'grid.json', '--jobs', 'auto', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ jobs: availableParallelism(), ran: 4, complete: true });
  });

  it('says how many threads ran the cells: one per cell up to --jobs, this one for a single cell', async () => {
    const dir = gridDir({ ...GRID, counts: [4] });
    const r = await run(['sweep', '-c', 'grid.json', '-j', '4'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[2]).toBe(
      '0 already in grid.results.jsonl, ran 2 in 0.0 s on 2 worker threads',
    );
    const one = gridDir({ ...GRID, strategies: ['stack'], counts: [4] });
    const single = await run(['sweep', '-c', 'grid.json', '-j', '2'], one);
    expect(single.stdout.split('\n')[2]).toBe('0 already in grid.results.jsonl, ran 1 in 0.0 s on 1 thread');
  });

  it('the default results file drops only the trailing .json of the config name', async () => {
    const dir = gridDir({ ...GRID, counts: [4] }, 'grid.json.v2.json');
    const r = await run(['sweep', '-c', 'grid.json.v2.json', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).output).toBe('grid.json.v2.results.jsonl');
    expect(existsSync(join(dir, 'grid.json.v2.results.jsonl'))).toBe(true);
  });

  it('an -o path that cannot be written names --output', async () => {
    const dir = gridDir();
    expectUsageError(
      await run(['sweep', '-c', 'grid.json', '-o', 'no/x.jsonl'], dir),
      /^pfmsim: --output no\/x\.jsonl: /,
    );
  });
});

describe('pfmsim sweep: runs', SLOW, () => {
  it('a results file with only its header is no resume: nothing is said, every cell runs', async () => {
    const dir = gridDir();
    expect((await run(['sweep', '-c', 'grid.json', '-q'], dir)).code).toBe(0);
    const file = join(dir, 'grid.results.jsonl');
    writeFileSync(file, `${readFileSync(file, 'utf8').split('\n')[0]}\n`);
    const r = await run(['sweep', '-c', 'grid.json', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(json(r)).toMatchObject({ alreadyDone: 0, ran: 4, complete: true });
  });

  it('the time taken and cells per second come from the clock; a terminal gets a progress bar', async () => {
    const dir = gridDir();
    const file = join(dir, 'grid.results.jsonl');
    // A clock that advances 700 ms per cell written.
    const now = () => 5000 + 700 * cellsIn(file);
    const r = await run(['sweep', '-c', 'grid.json'], dir, { tty: true, now });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[2]).toBe('0 already in grid.results.jsonl, ran 4 in 2.8 s on 1 thread');
    // Drawn once the run has taken a second: cell 2 (1.4 s) on; cleared at the end.
    expect(r.stderr).toContain(
      '\r\x1b[2Ksweep [##############..............] 2/4 1.4s p4-2006|v2.3|t1|s1|kmalloc|pfm_read_pmds|n8',
    );
    expect(r.stderr).toContain('4/4 2.8s p4-2006|v2.3|t1|s1|stack|pfm_read_pmds|n8');
    expect(r.stderr).not.toContain('1/4');
    expect(r.stderr.endsWith('\r\x1b[2K')).toBe(true);

    const again = gridDir();
    const j = await run(['sweep', '-c', 'grid.json', '--json'], again, {
      now: () => 5000 + 700 * cellsIn(join(again, 'grid.results.jsonl')),
    });
    expect(json(j)).toMatchObject({ ran: 4, seconds: 2.8, cellsPerSecond: 1.43 });
  });

  it('counts the cells that returned an errno and the kernel bugs they reported', async () => {
    const dir = gridDir({
      strategies: ['ctx-cache-naive'],
      calls: ['pfm_write_pmcs'],
      counts: [4, 4096],
      threads: [2],
    });
    const r = await run(['sweep', '-c', 'grid.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(3, 5)).toEqual([
      '1 cells returned an errno (see "error" in the results)',
      '4 kernel bugs reported by the cells',
    ]);
    const j = await run(['sweep', '-c', 'grid.json', '-o', 'again.jsonl', '--json'], dir);
    expect(json(j)).toMatchObject({ ran: 2, errors: 1, kernelBugs: 4 });
    // None of either: no such lines.
    const clean = gridDir();
    expect((await run(['sweep', '-c', 'grid.json'], clean)).stdout).not.toMatch(/errno|kernel bugs/);
  });

  it('the read table holds the single-thread pfm_read_pmds cells at 4 registers, and only if there are any', async () => {
    const dir = gridDir({
      strategies: ['kmalloc'],
      calls: ['pfm_read_pmds', 'pfm_write_pmcs'],
      counts: [4],
      threads: [1, 2],
    });
    const r = await run(['sweep', '-c', 'grid.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const table = read4(r.stdout);
    expect(table).toHaveLength(2);
    expect(table![0]).toMatch(/^machine\s+abi\s+strategy\s+cycles$/);
    expect(table![1]).toMatch(/^p4-2006\s+v2\.3\s+kmalloc\s+\d+$/);

    const none = gridDir({ strategies: ['kmalloc'], calls: ['pfm_write_pmcs'], counts: [4] });
    const w = await run(['sweep', '-c', 'grid.json'], none);
    expect(w.code, w.stderr).toBe(0);
    expect(read4(w.stdout)).toBeNull();
    expect(w.stdout).not.toContain('cycles per call');
  });

  it('the read table is left out beyond 40 cells', async () => {
    const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const forty = gridDir({
      strategies: ['kmalloc'],
      calls: ['pfm_read_pmds'],
      counts: [4],
      seeds: seeds(40),
    });
    expect(read4((await run(['sweep', '-c', 'grid.json'], forty)).stdout)).toHaveLength(41);
    const more = gridDir({
      strategies: ['kmalloc'],
      calls: ['pfm_read_pmds'],
      counts: [4],
      seeds: seeds(41),
    });
    const r = await run(['sweep', '-c', 'grid.json'], more);
    expect(r.code, r.stderr).toBe(0);
    expect(read4(r.stdout)).toBeNull();
  });

  it('--export-markdown: the summary table, titled with the config (and shard), numbers right-aligned', async () => {
    const dir = gridDir();
    const r = await run(['sweep', '-c', 'grid.json', '--export-markdown', 'all.md', '-q'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'all.md'), 'utf8').split('\n').slice(2, 7)).toEqual([
      '### Sweep grid',
      '',
      '| cells | shard_cells | already_done | ran | jobs | seconds | output |',
      '|---:|---:|---:|---:|---:|---:|:---|',
      '| 4 | 4 | 0 | 4 | 1 | 0 | grid.results.jsonl |',
    ]);
    const s = await run(
      ['sweep', '-c', 'grid.json', '--shard', '2/2', '--export-markdown', 's.md', '-q'],
      dir,
    );
    expect(s.code, s.stderr).toBe(0);
    expect(readFileSync(join(dir, 's.md'), 'utf8').split('\n')[2]).toBe('### Sweep grid shard 2/2');
  });
});
