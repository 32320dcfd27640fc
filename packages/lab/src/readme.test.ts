import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

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
