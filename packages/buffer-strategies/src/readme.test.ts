import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const here = new URL('..', import.meta.url);

describe('README example', () => {
  it('is the shipped example file verbatim, and prints what the README says', async () => {
    const readme = readFileSync(new URL('README.md', here), 'utf8');
    const example = readFileSync(new URL('examples/compare.ts', here), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
    const printed = readme.split('it prints:\n\n```\n')[1]!.split('\n```')[0]!;
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => {
      lines.push(line);
    });
    await import('../examples/compare.js');
    log.mockRestore();
    expect(lines.join('\n')).toBe(printed);
  });

  it('gives every strategy of the registry a paragraph with its pinned memory and stack footprint', async () => {
    const { STRATEGY_NAMES } = await import('./registry.js');
    const readme = readFileSync(new URL('README.md', here), 'utf8');
    for (const name of STRATEGY_NAMES) {
      const para = readme.split(`**\`${name}\`**`)[1]?.split('\n\n')[0] ?? '';
      expect(para, name).toMatch(/Pinned:\s/);
      expect(para, name).toMatch(/Stack:\s/);
    }
  });
});
