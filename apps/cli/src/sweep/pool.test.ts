import { describe, expect, it } from 'vitest';
import { expandCells, parseSweepConfig } from './config.js';
import { runCells } from './pool.js';

const grid = (counts: number[]) =>
  expandCells(
    parseSweepConfig(
      { machines: ['p4-2006'], strategies: ['kmalloc'], calls: ['pfm_read_pmds'], counts, threads: [1] },
      'test',
    ),
  );

/** runCells, or a rejection if it has not finished after `ms` (a hung pool must fail, not hang). */
function runWithin(cells: ReturnType<typeof grid>, jobs: number, ms: number) {
  const keys: string[] = [];
  const run = runCells(cells, jobs, (lines) => {
    for (const l of lines) keys.push((JSON.parse(l) as { key: string }).key);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`runCells did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([run, timeout])
    .then(() => keys)
    .finally(() => clearTimeout(timer));
}

describe('the sweep worker pool', () => {
  it('finishes when there are fewer batches than two per worker (a small grid or a resumed tail)', async () => {
    for (const [counts, jobs] of [
      [[1, 2], 2],
      [[1, 2, 4], 4],
      [[1, 2, 4, 8, 16], 2],
    ] as const) {
      const cells = grid([...counts]);
      const keys = await runWithin(cells, jobs, 30_000);
      expect(keys.sort()).toEqual(cells.map((c) => c.key).sort());
    }
  }, 120_000);
});
