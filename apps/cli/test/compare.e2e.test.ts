import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../src/json-schema.js';
import { expectGolden, loadSchema, runCli, tempDir } from './helpers.js';

// Through the binary only: the default compare is the run the issue times (< 10 s, startup
// included), too long to repeat for every mutant. The cases with a baseline and a report run both
// ways, from test/command-cases.ts.
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
});
