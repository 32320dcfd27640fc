// Every command in this process through main(): the same parser, output and error path as the
// binary. The cases (arguments, goldens, schema checks) are test/command-cases.ts, which
// test/commands.e2e.test.ts runs through the spawned binary; these runs are the ones mutation
// testing can use (a mutant is switched on only inside the test process).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCommandCases } from '../../test/command-cases.js';
import { CLI_DIR, expectSchema, runInProcess, tempDir } from '../../test/helpers.js';

describeCommandCases('commands in process', runInProcess);

// In process only: test/sweep.e2e.test.ts runs sweep and merge through the binary, further
// (worker threads, resuming, shards from the environment).
describe('sweep and merge in process', () => {
  it('sweep and merge: two shards joined give the whole sweep', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'small.json'),
      readFileSync(join(CLI_DIR, 'test', 'fixtures', 'small-sweep.json')),
    );
    for (const shard of ['1/2', '2/2']) {
      const r = await runInProcess(['sweep', '-c', 'small.json', '--shard', shard, '--jobs', '1', '-q'], {
        cwd: dir,
      });
      expect(r.code, r.stderr).toBe(0);
    }
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort();
    expect(files).toEqual(['small.shard-1-of-2.jsonl', 'small.shard-2-of-2.jsonl']);
    const merged = await runInProcess(['merge', ...files, '-o', 'all.jsonl', '--json'], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    expectSchema('merge', merged.stdout);
    const whole = await runInProcess(
      ['sweep', '-c', 'small.json', '-o', 'whole.jsonl', '-q', '--jobs', '1'],
      {
        cwd: dir,
      },
    );
    expect(whole.code, whole.stderr).toBe(0);
    const cells = (f: string) =>
      readFileSync(join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l) as { index: number; cyclesPerCall: number })
        .map(({ index, cyclesPerCall }) => ({ index, cyclesPerCall }))
        .sort((a, b) => a.index - b.index);
    expect(cells('all.jsonl')).toEqual(cells('whole.jsonl'));
  }, 60_000);
});
