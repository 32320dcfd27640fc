import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examplePath = fileURLToPath(new URL('../examples/self-monitoring.yaml', import.meta.url));

describe('README', () => {
  it('quotes examples/self-monitoring.yaml verbatim', () => {
    const block = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(block).toBe(readFileSync(examplePath, 'utf8'));
  });

  it('shows what running it prints (times aside)', () => {
    let out = '';
    const code = main(['run', examplePath], { stdout: (t) => (out += t), stderr: () => {}, env: {} });
    expect(code).toBe(0);
    const shown = /\$ pfmsim-test run examples\/self-monitoring\.yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const norm = (s: string) =>
      s
        .replace(/\d+ ms\)/g, 'N ms)')
        .replace(/\d+\.\d s\n/g, 'N s\n')
        .replace(/^PASS \S*examples/m, 'PASS examples');
    expect(norm(out)).toBe(norm(shown));
  });
});
