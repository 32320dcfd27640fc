import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, mainAsync } from './cli.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
const examplePath = example('self-monitoring.yaml');

/** The output shown after `$ COMMAND` in the README. */
const shownAfter = (command: string) => readme.split(`$ ${command}\n`)[1]!.split('```')[0]!;

const norm = (s: string) =>
  s
    .replace(/\d+ ms\)/g, 'N ms)')
    .replace(/\d+\.\d s\n/g, 'N s\n')
    .replace(/ \S*examples\//g, ' examples/');

/** mainAsync in the package directory, as the README's commands run. */
async function runAsync(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const code = await mainAsync(args, { stdout: (t) => (out += t), stderr: () => {}, env: {}, cwd });
  return { code, out };
}

describe('README', () => {
  it('quotes examples/self-monitoring.yaml verbatim', () => {
    const block = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(block).toBe(readFileSync(examplePath, 'utf8'));
  });

  it('shows what running it prints (times aside)', () => {
    let out = '';
    const code = main(['run', examplePath], { stdout: (t) => (out += t), stderr: () => {}, env: {} });
    expect(code).toBe(0);
    expect(norm(out)).toBe(norm(shownAfter('pfmsim-test run examples/self-monitoring.yaml')));
  });

  it('quotes examples/plugin-strategy.yaml verbatim, and shows what running it prints', async () => {
    const block = /`examples\/plugin-strategy\.yaml`:\n\n```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(block).toBe(readFileSync(example('plugin-strategy.yaml'), 'utf8'));
    const r = await runAsync(['run', example('plugin-strategy.yaml')]);
    expect(r.code).toBe(0);
    expect(norm(r.out)).toBe(norm(shownAfter('pfmsim-test run examples/plugin-strategy.yaml')));
  });

  it('shows what --plugin prints: the first and the plugin test, the end', async () => {
    const command =
      'pfmsim-test run --plugin examples/plugins/my-kmalloc.mjs --reporter tap examples/self-monitoring.yaml';
    const r = await runAsync([...command.split(' ').slice(1, 6), examplePath]);
    expect(r.code).toBe(0);
    const lines = norm(r.out).trimEnd().split('\n');
    const shown = norm(shownAfter(command)).trimEnd().split('\n');
    expect([...lines.slice(0, 2), '...', ...lines.slice(-3)]).toEqual(shown);
  });
});
