import { appendFileSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../src/json-schema.js';
import { CLI_DIR, expectGolden, expectSchema, loadSchema, runCli, tempDir } from './helpers.js';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('pfmsim sweep and merge', () => {
  it('runs shards on worker threads, resumes an interrupted shard, and merges the slices', async () => {
    const dir = tempDir();
    copyFileSync(join(CLI_DIR, 'test', 'fixtures', 'small-sweep.json'), join(dir, 'small.json'));
    // 2 machines x 3 strategies x 2 calls x 3 counts x 2 threads = 72 cells; shard 1 of 2 by flag
    const s1 = await runCli(['sweep', '-c', 'small.json', '--shard', '1/2', '--jobs', '2'], { cwd: dir });
    expect(s1.code, s1.stderr).toBe(0);
    expectGolden('sweep-shard', s1.stdout);
    const f1 = join(dir, 'small.shard-1-of-2.jsonl');
    const r1 = lines(f1);
    expect(r1).toHaveLength(1 + 36);
    const schema = loadSchema('sweep-results');
    for (const l of r1) expect(validate(schema, l)).toEqual([]);
    expect(r1.slice(1).every((c) => (c.index as number) % 2 === 0)).toBe(true);

    // shard 2 of 2 from a Kubernetes Indexed Job, interrupted: keep 10 cells and half a line
    const env = { JOB_COMPLETION_INDEX: '1', PFMSIM_SHARD_COUNT: '2' };
    const s2 = await runCli(['sweep', '-c', 'small.json', '--shard', 'auto', '--json'], { cwd: dir, env });
    const sum2 = expectSchema('sweep', s2.stdout);
    expect(sum2).toMatchObject({
      shard: { index: 2, count: 2, source: 'JOB_COMPLETION_INDEX' },
      ran: 36,
      complete: true,
    });
    const f2 = join(dir, 'small.shard-2-of-2.jsonl');
    const full = readFileSync(f2, 'utf8').split('\n');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(f2, `${full.slice(0, 11).join('\n')}\n${full[11]!.slice(0, 40)}`);
    const resumed = await runCli(['sweep', '-c', 'small.json', '--shard', 'auto', '--json'], {
      cwd: dir,
      env,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('dropped a partial last line');
    expect(resumed.stderr).toContain('resuming, 10 of 36 cells already done');
    expect(expectSchema('sweep', resumed.stdout)).toMatchObject({ alreadyDone: 10, ran: 26 });
    expect(lines(f2)).toHaveLength(37);

    const merged = await runCli(
      ['merge', 'small.shard-1-of-2.jsonl', 'small.shard-2-of-2.jsonl', '-o', 'all.jsonl', '--json'],
      {
        cwd: dir,
      },
    );
    const m = expectSchema('merge', merged.stdout);
    expect(m).toMatchObject({ cells: 72, merged: 72, missing: 0, complete: true });
    const all = lines(join(dir, 'all.jsonl'));
    expect(all.slice(1).map((c) => c.index)).toEqual(Array.from({ length: 72 }, (_, i) => i));

    // the same grid in one thread gives the same numbers
    const whole = await runCli(['sweep', '-c', 'small.json', '-o', 'whole.jsonl', '-q'], { cwd: dir });
    expect(whole.code, whole.stderr).toBe(0);
    const strip = (r: Record<string, unknown>) => ({ ...r, hostMs: 0 });
    expect(lines(join(dir, 'whole.jsonl')).slice(1).map(strip)).toEqual(all.slice(1).map(strip));

    const partial = await runCli(['merge', 'small.shard-1-of-2.jsonl', '-o', 'half.jsonl'], { cwd: dir });
    expect(partial.code).toBe(0);
    expect(partial.stdout).toContain('incomplete: 36 cells missing (shards 2/2 not given)');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 90_000);

  it('refuses a results file of another config and a shard the environment does not give', async () => {
    const dir = tempDir();
    copyFileSync(join(CLI_DIR, 'test', 'fixtures', 'small-sweep.json'), join(dir, 'small.json'));
    appendFileSync(
      join(dir, 'other.jsonl'),
      `${JSON.stringify({ type: 'header', format: 'pfmsim-sweep/1', configHash: '0000000000000000', cells: 1, shard: null })}\n`,
    );
    const r = await runCli(['sweep', '-c', 'small.json', '-o', 'other.jsonl'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^pfmsim: other\.jsonl holds results of another sweep config .*; pass another -o FILE/,
    );
    const auto = await runCli(['sweep', '-c', 'small.json', '--shard', 'auto'], { cwd: dir });
    expect(auto.code).toBe(2);
    expect(auto.stderr.trim()).toMatch(
      /^pfmsim: --shard auto found no shard index in the environment; set PFMSIM_SHARD_INDEX/,
    );
    const slurm = await runCli(['sweep', '-c', 'small.json', '--shard', 'auto', '--json', '-o', 's.jsonl'], {
      cwd: dir,
      env: { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_COUNT: '24' },
    });
    expect(expectSchema('sweep', slurm.stdout)).toMatchObject({
      shard: { index: 4, count: 24 },
      shardCells: 3,
    });
  }, 60_000);
});
