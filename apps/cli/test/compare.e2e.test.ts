import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden, expectSchema, loadSchema, runCli, tempDir } from './helpers.js';
import { validate } from './schema-validator.js';

describe('pfmsim compare', () => {
  it('prints the decision table on the default machine and exports JSON, CSV and Markdown', async () => {
    const dir = tempDir();
    const t0 = performance.now();
    const r = await runCli(
      ['compare', '--export-json', 'c.json', '--export-csv', 'c.csv', '--export-markdown', 'c.md'],
      { cwd: dir },
    );
    const seconds = (performance.now() - t0) / 1000;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expectGolden('compare', r.stdout);
    expect(r.stdout).toMatch(/^pfmsim \d+\.\d+\.\d+ · compare · machine p4-2006 · seed 1 · abi v2.3/);
    expect(seconds).toBeLessThan(20); // the issue asks < 10 s; slack for a loaded CI machine

    const doc = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    expect(validate(loadSchema('compare'), doc)).toEqual([]);
    expect(doc).toMatchObject({ command: 'compare', machine: 'p4-2006', seed: 1, abi: 'v2.3' });
    expect(doc.results).toHaveLength(10 * 3 * 7);
    const naive = doc.strategies.find((s: { name: string }) => s.name === 'ctx-cache-naive');
    expect(naive.raceFree).toBe(false);
    expect(doc.strategies.find((s: { name: string }) => s.name === 'ctx-cache').pinnedBytesAfterAttack).toBe(
      1024 * 4096,
    );

    const csv = readFileSync(join(dir, 'c.csv'), 'utf8').split('\n');
    expect(csv[0]).toMatch(/^strategy,cycles_at_4,saving_at_4_pct,.*,verdict,machine,seed,pfmsim$/);
    expect(csv[1]).toMatch(/^kmalloc,2085,0,13533,0,/);
    const md = readFileSync(join(dir, 'c.md'), 'utf8');
    expect(md).toMatch(/^## pfmsim \d+\.\d+\.\d+ · compare · machine p4-2006 · seed 1/);
    expect(md).toContain('| strategy | cycles_at_4 |');
    // atomic writes leave no temporary files
    expect(readdirSync(dir).sort()).toEqual(['c.csv', 'c.json', 'c.md']);
  }, 60_000);

  it('keeps a baseline on disk and shows the change against it', async () => {
    const dir = tempDir();
    const args = [
      'compare',
      '--strategies',
      'stack,task-cache',
      '--contexts',
      '64',
      '--max-preemptions',
      '1',
    ];
    const saved = await runCli([...args, '--save-baseline', 'before'], { cwd: dir });
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stderr).toMatch(/saved baseline "before" to \.pfmsim\/baselines\/before\.json/);
    expect(existsSync(join(dir, '.pfmsim', 'baselines', 'before.json'))).toBe(true);

    const again = await runCli([...args, '--threads', '2', '--baseline', 'before'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Change against baseline "before"');
    expectGolden('compare-baseline', again.stdout);

    const json = await runCli([...args, '--baseline', 'before', '--json'], { cwd: dir });
    const doc = expectSchema('compare', json.stdout);
    const base = doc.baseline as {
      comparable: boolean;
      strategies: { name: string; cyclesAt4: { change: number } }[];
    };
    expect(base.comparable).toBe(true);
    expect(base.strategies.map((s) => s.cyclesAt4.change)).toEqual([0, 0, 0]);

    const missing = await runCli([...args, '--baseline', 'befor'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/unknown baseline for compare "befor"; did you mean "before"\?/);
  }, 60_000);
});
