// `pfmsim compare --attack-contexts N` in this process: a second memory-pinning attack beside the
// 1024-context one, in the JSON, the text table and the exports. Kept apart from
// compare.cli.test.ts so that a change here re-tests only the mutants these tests cover.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StrategySummary } from '@pfmsim/lab';
import { describe, expect, it } from 'vitest';
import { expectSchema, expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';

const T = 60_000;
const ARGS = [
  'compare',
  '--strategies',
  'ctx-cache,ctx-cache-bounded',
  '--max-preemptions',
  '0',
  '--contexts',
  '8',
];

interface ScaledDoc {
  attackContexts: number;
  scaledAttackContexts: number | null;
  strategies: StrategySummary[];
}

async function compareJson(...extra: string[]): Promise<ScaledDoc> {
  const r = await runInProcess([...ARGS, ...extra, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return expectSchema('compare', r.stdout) as unknown as ScaledDoc;
}

describe('pfmsim compare --attack-contexts', () => {
  it(
    'runs a scaled attack beside the small one: JSON, the pinned @N column and its legend',
    async () => {
      const doc = await compareJson('--attack-contexts', '32');
      expect([doc.attackContexts, doc.scaledAttackContexts]).toEqual([8, 32]);
      const by = (n: string) => doc.strategies.find((s) => s.name === n)!;
      expect([by('ctx-cache').pinnedBytesAfterAttack, by('ctx-cache').pinnedBytesAfterScaledAttack]).toEqual([
        8 * 4096,
        32 * 4096,
      ]);
      // the bounded cache stops at its per-user budget of 16 pages
      expect(by('ctx-cache-bounded').pinnedBytesAfterScaledAttack).toBe(16 * 4096);
      expect(by('kmalloc').pinnedBytesAfterScaledAttack).toBe(0);

      const t = await runInProcess([...ARGS, '--attack-contexts', '32']);
      expect(t.code, t.stderr).toBe(0);
      expect(t.stdout).toMatch(/ {2}pinned {2}pinned @32 {2}by threads {2}/);
      expect(t.stdout).toMatch(/^ctx-cache .* 32 KiB {2,}128 KiB {2,}4 KiB {2}none /m);
      expect(t.stdout).toContain('keeps after opening 8 contexts (pinned @32: after 32);');
    },
    T,
  );

  it(
    'without the flag: null in the JSON, no column in the table or the exports',
    async () => {
      const doc = await compareJson();
      expect(doc.scaledAttackContexts).toBe(null);
      expect(doc.strategies.every((s) => s.pinnedBytesAfterScaledAttack === null)).toBe(true);
      const dir = tempDir();
      const t = await runInProcess([...ARGS, '--export-csv', join(dir, 'c.csv')]);
      expect(t.code, t.stderr).toBe(0);
      expect(t.stdout).not.toContain('pinned @');
      expect(t.stdout).toContain('keeps after opening 8 contexts; by threads');
      expect(readFileSync(join(dir, 'c.csv'), 'utf8')).not.toContain('scaled');
    },
    T,
  );

  it(
    'the exports carry the scaled column beside pinned_bytes_after_attack',
    async () => {
      const dir = tempDir();
      const csv = join(dir, 'c.csv');
      const md = join(dir, 'c.md');
      const r = await runInProcess([
        ...ARGS,
        '--attack-contexts',
        '20',
        '--export-csv',
        csv,
        '--export-markdown',
        md,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const rows = readFileSync(csv, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(','));
      const col = rows[0]!.indexOf('pinned_bytes_after_scaled_attack');
      expect(rows[0]![col - 1]).toBe('pinned_bytes_after_attack');
      expect(rows[0]![col + 1]).toBe('race_free');
      const byName = new Map(rows.slice(1).map((row) => [row[0], row]));
      expect([byName.get('ctx-cache')![col - 1], byName.get('ctx-cache')![col]]).toEqual([
        String(8 * 4096),
        String(20 * 4096),
      ]);
      expect(byName.get('ctx-cache-bounded')![col]).toBe(String(16 * 4096));
      expect(byName.get('kmalloc')![col]).toBe('0');
      expect(readFileSync(md, 'utf8')).toContain(
        '| pinned_bytes_after_attack | pinned_bytes_after_scaled_attack | race_free |',
      );
    },
    T,
  );

  it('a bad count is a usage error naming the range', async () => {
    expectUsageError(
      await runInProcess([...ARGS, '--attack-contexts', '0']),
      /^pfmsim: --attack-contexts must be an integer from 1 to 16777216, got "0"$/,
    );
  });
});
