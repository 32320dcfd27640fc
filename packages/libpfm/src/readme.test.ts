import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const here = new URL('..', import.meta.url);

describe('README example', () => {
  it('is the shipped example file, and prints what the README says', async () => {
    const readme = readFileSync(new URL('README.md', here), 'utf8');
    const example = readFileSync(new URL('examples/dispatch-p6.ts', here), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
    const printed = readme.split('It prints:\n\n```\n')[1]?.split('\n```')[0];
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/dispatch-p6.js');
    const lines = log.mock.calls.map((args) => args.join(' '));
    log.mockRestore();
    expect(lines.join('\n')).toBe(printed);
  });
});
