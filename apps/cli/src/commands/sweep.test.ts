import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, expectUsageError, tempDir } from '../../test/helpers.js';
import { main } from '../cli.js';
import { configHash, loadSweepConfig } from '../sweep/config.js';
import { readResults } from '../sweep/results.js';
import { VERSION } from '../version.js';

/** main() with a clock that stands still: every run takes 0 s. */
async function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
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
    stderrIsTTY: false,
    env: { NO_COLOR: '1', ...env },
    cwd,
    now: () => 0,
  });
  return { code, stdout, stderr };
}

const GRID = { strategies: ['kmalloc', 'stack'], calls: ['pfm_read_pmds'], counts: [4, 8] };

function gridDir(config: unknown = GRID): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'grid.json'), JSON.stringify(config));
  return dir;
}

describe('pfmsim sweep', () => {
  it('runs the grid into CONFIG.results.jsonl and shows the read cost at 4 registers', async () => {
    const dir = gridDir();
    const r = await run(['sweep', '-c', 'grid.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const hash = configHash(loadSweepConfig(join(dir, 'grid.json'), 'grid.json'));
    const file = readResults(join(dir, 'grid.results.jsonl'), 'x');
    expect(file.header).toMatchObject({ configHash: hash, cells: 4, shard: null });
    expect(file.records.map((c) => c.key)).toEqual([
      'p4-2006|v2.3|t1|s1|kmalloc|pfm_read_pmds|n4',
      'p4-2006|v2.3|t1|s1|kmalloc|pfm_read_pmds|n8',
      'p4-2006|v2.3|t1|s1|stack|pfm_read_pmds|n4',
      'p4-2006|v2.3|t1|s1|stack|pfm_read_pmds|n8',
    ]);
    const at4 = (s: string) => file.records.find((c) => c.strategy === s && c.count === 4)!.cyclesPerCall;
    expect(r.stdout).toBe(
      [
        `pfmsim ${VERSION} · sweep · machine p4-2006 · seed 1 · config grid (${hash})`,
        '1 machines x 2 strategies x 1 calls x 2 counts x 1 abi x 1 threads x 1 seeds = 4 cells',
        '0 already in grid.results.jsonl, ran 4 in 0.0 s on 1 thread',
        '',
        'pfm_read_pmds at 4 registers, cycles per call (cells run now)',
        `machine  abi   strategy  ${' '.repeat(Math.max(0, String(at4('kmalloc')).length - 6))}cycles`,
        `p4-2006  v2.3  kmalloc   ${String(at4('kmalloc')).padStart(6)}`,
        `p4-2006  v2.3  stack     ${String(at4('stack')).padStart(Math.max(6, String(at4('kmalloc')).length))}`,
        '',
        'results: grid.results.jsonl',
        '',
      ].join('\n'),
    );
    // Again: everything is done, nothing runs.
    const again = await run(['sweep', '-c', 'grid.json', '--json'], dir);
    expect(again.stderr).toBe('grid.results.jsonl: resuming, 4 of 4 cells already done\n');
    expect(JSON.parse(again.stdout)).toEqual({
      pfmsimVersion: VERSION,
      command: 'sweep',
      machine: 'p4-2006',
      seed: 1,
      name: 'grid',
      configHash: hash,
      seeds: [1],
      cells: 4,
      shard: null,
      shardCells: 4,
      alreadyDone: 4,
      ran: 0,
      errors: 0,
      kernelBugs: 0,
      jobs: 1,
      seconds: 0,
      cellsPerSecond: null,
      output: 'grid.results.jsonl',
      complete: true,
    });
  });

  it('a shard writes CONFIG.shard-I-of-N.jsonl and says how to join the shards', async () => {
    const dir = gridDir();
    const r = await run(['sweep', '-c', 'grid.json', '--shard', 'auto', '--export-csv', 's.csv'], dir, {
      PFMSIM_SHARD_INDEX: '2',
      PFMSIM_SHARD_COUNT: '2',
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[2]).toBe(
      'shard 2/2 (from PFMSIM_SHARD_INDEX): 2 cells; 0 already in grid.shard-2-of-2.jsonl, ran 2 in 0.0 s on 1 thread',
    );
    expect(lines.at(-2)).toBe(
      'results: grid.shard-2-of-2.jsonl · join the shards with: pfmsim merge grid.shard-*-of-2.jsonl -o grid.results.jsonl',
    );
    expect(readResults(join(dir, 'grid.shard-2-of-2.jsonl'), 'x').records.map((c) => c.index)).toEqual([
      1, 3,
    ]);
    expect(readFileSync(join(dir, 's.csv'), 'utf8')).toBe(
      `cells,shard_cells,already_done,ran,jobs,seconds,output,machine,seed,pfmsim\n4,2,0,2,1,0,grid.shard-2-of-2.jsonl,p4-2006,1,${VERSION}\n`,
    );
  });

  it('resumes an interrupted file: drops its partial line and runs only what is missing', async () => {
    const dir = gridDir();
    expect((await run(['sweep', '-c', 'grid.json', '-o', 'out.jsonl', '--shard', '1/2'], dir)).code).toBe(0);
    const path = join(dir, 'out.jsonl');
    const [header, first] = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, `${header}\n${first}\n`);
    appendFileSync(path, '{"type":"cell","index":2,"ke');
    const r = await run(['sweep', '-c', 'grid.json', '-o', 'out.jsonl', '--shard', '1/2', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      'out.jsonl: dropped a partial last line (an interrupted write); its cell runs again\n' +
        'out.jsonl: resuming, 1 of 2 cells already done\n',
    );
    expect(JSON.parse(r.stdout)).toMatchObject({
      shard: { index: 1, count: 2, source: '--shard' },
      shardCells: 2,
      alreadyDone: 1,
      ran: 1,
      complete: true,
    });
    expect(readResults(path, 'x').records.map((c) => c.index)).toEqual([0, 2]);
    // --quiet keeps the notes off stderr.
    const q = await run(['sweep', '-c', 'grid.json', '-o', 'out.jsonl', '--shard', '1/2', '-q'], dir);
    expect(q.stderr).toBe('');
  });

  it('several seeds or machines: no single seed, every machine named', async () => {
    const dir = gridDir({
      ...GRID,
      strategies: ['kmalloc'],
      counts: [4],
      seeds: [1, 2],
      machines: ['p4-2006', { machine: 'k8-2006', cpu: 'p4-2006' }],
    });
    const r = await run(['sweep', '-c', 'grid.json', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      machine: 'p4-2006,k8-2006/p4-2006',
      seed: null,
      cells: 4,
      ran: 4,
      jobs: 1,
    });
  });

  it('bad flags fail before anything is written', async () => {
    const dir = gridDir();
    expectUsageError(
      await run(['sweep', '-c', 'grid.json', '-j', '0'], dir),
      /--jobs must be an integer from 1 to 256, got "0"/,
    );
    expectUsageError(
      await run(['sweep', '-c', 'grid.json', '-o', 'grid.json'], dir),
      /^pfmsim: --output would overwrite the config file; pick another -o FILE$/,
    );
    expectUsageError(
      await run(['sweep', '-c', 'grid.json', '--shard', '3/2'], dir),
      /shard 3 of 2 does not exist/,
    );
    expectUsageError(
      await run(['sweep', '-c', 'grid.json', '--export-json', 'no/x.json'], dir),
      /--export-json no\/x\.json: directory/,
    );
    expect(existsSync(join(dir, 'grid.results.jsonl'))).toBe(false);
  });
});
