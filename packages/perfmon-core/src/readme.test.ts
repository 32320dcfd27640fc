import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8');

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is examples/abi-codecs.ts verbatim', () => {
    expect(read('../README.md')).toContain(read('../examples/abi-codecs.ts'));
  });

  it('runs and prints what the README says', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.join(' '));
    });
    await import('../examples/abi-codecs.js');
    const readme = read('../README.md');
    const printed = readme.split('It prints:\n\n```\n')[1]?.split('\n```')[0];
    expect(lines.join('\n')).toBe(printed);
  });
});

describe('README self-monitoring example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is examples/self-monitoring.ts verbatim and prints what the README says', async () => {
    const readme = read('../README.md');
    expect(readme).toContain(read('../examples/self-monitoring.ts'));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('../examples/self-monitoring.js');
    const printed = readme.split('it prints:\n\n```\n')[1]?.split('\n```')[0];
    expect(lines.join('\n')).toBe(printed);
  });
});
