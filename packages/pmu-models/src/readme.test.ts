import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getModel, listModelIds } from './registry.js';
import { renderModelTable, replaceModelTable, TABLE_END, TABLE_START } from './table.js';

describe('README model table', () => {
  it('matches the model files (run `pnpm --filter @pfmsim/pmu-models readme` if not)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = renderModelTable(listModelIds().map((id) => getModel(id)));
    expect(readme).toBe(replaceModelTable(readme, table));
  });

  it('shows registers, counters, widths and events per model', () => {
    const rows = renderModelTable([getModel('intel-core'), getModel('intel-p6')]).split('\n');
    expect(rows[0]).toMatch(
      /^\| Model +\| perfmon2 name +\| Registers +\| Counters +\| Width \(perfmon2 \/ hardware\) \| Events \|$/,
    );
    expect(rows[1]).toMatch(/^\| -+ \| -+ \| -+ \| -+ \| -+ \| -+ \|$/);
    expect(rows[2]?.split('|').map((c) => c.trim())).toEqual([
      '',
      '`intel-core`',
      'Intel Core',
      '4 PMC (0–1, 16–17), 5 PMD (0–1, 16–18)',
      '5 (3 fixed)',
      '31 / 32',
      '130',
      '',
    ]);
    expect(new Set(rows.map((r) => r.length)).size).toBe(1);
  });

  it('needs both markers', () => {
    expect(() => replaceModelTable('no table here', 'x')).toThrow(TABLE_START);
    expect(replaceModelTable(`a\n${TABLE_START}\nold\n${TABLE_END}\nb`, 'new')).toBe(
      `a\n${TABLE_START}\nnew\n${TABLE_END}\nb`,
    );
  });
});

describe('README example', () => {
  // A fresh Node process compiling the sources with tsx: seconds on a loaded host.
  it('runs and prints what the comments say', { timeout: 60_000 }, () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const packageDir = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(
      process.execPath,
      ['--conditions=@pfmsim/source', '--import', 'tsx', '--input-type=module', '-e', code],
      { cwd: packageDir, encoding: 'utf8' },
    ).split('\n');
    expect(out).toContain('intel-p6 Intel P6 processor Family 80 events');
    expect(out).toContain('ffffffff00300000');
    expect(out).toContain('[ 0 ]');
    expect(out).toContain('510079');
    expect(out).toContain('[]');
    expect(out).toContain('id: expected a lower-case kebab id such as "intel-p6" [format]');
    expect(out).toContain('name: required string is missing [required]');
  });
});
