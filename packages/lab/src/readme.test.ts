import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getMachine } from './machines.js';
import { measureCall } from './measure.js';
import { loadPlugins, unloadPlugins } from './plugins.js';

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8');

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // The example runs the 1024-context attack under four strategies: seconds on a loaded host.
  it('is examples/seed-question.ts verbatim and prints what the README says', {
    timeout: 120_000,
  }, async () => {
    const readme = read('../README.md');
    expect(readme).toContain(read('../examples/seed-question.ts'));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('../examples/seed-question.js');
    expect(lines.join('\n')).toBe(readme.split('it prints:\n\n```\n')[1]?.split('\n```')[0]);
  });
});

describe('README plugin example', () => {
  it('loads as written and its strategy measures like kmalloc', async () => {
    const block = read('../README.md').split('## Plugins')[1]?.split('```js\n')[1]?.split('\n```')[0];
    expect(block).toContain("name: 'my-plugin'");
    const dir = mkdtempSync(join(tmpdir(), 'pfmsim-readme-plugin-'));
    try {
      writeFileSync(join(dir, 'my-plugin.mjs'), block!);
      mkdirSync(join(dir, 'models'));
      const p6 = JSON.parse(read('../../pmu-models/models/intel/p6.json'));
      writeFileSync(
        join(dir, 'models', 'm.json'),
        JSON.stringify({ ...p6, id: 'readme-p6', libpfm: { ...p6.libpfm, type: 950 } }),
      );
      const [loaded] = await loadPlugins(['./my-plugin.mjs'], { cwd: dir });
      expect([loaded!.strategies, loaded!.models]).toEqual([['my-kmalloc'], ['readme-p6']]);
      const p4 = getMachine('p4-2006');
      const call = (strategy: string) =>
        measureCall({ machine: p4, strategy, syscall: 'pfm_read_pmds', count: 4 });
      expect(call('my-kmalloc').cyclesPerCall).toBe(call('kmalloc').cyclesPerCall);
    } finally {
      unloadPlugins();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
