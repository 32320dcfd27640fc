/**
 * Plugin files for the tests, made from examples/plugins/my-kmalloc.mjs (a plain object that
 * imports nothing, as a plugin author writes it), and a way to run the binary's entry point.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mainAsync } from './cli.js';

export const EXAMPLE_PLUGIN = fileURLToPath(new URL('../examples/plugins/my-kmalloc.mjs', import.meta.url));
export const SELF_MONITORING = fileURLToPath(new URL('../examples/self-monitoring.yaml', import.meta.url));

/** The example plugin with its plugin and strategy renamed, optionally marked broken. */
export function kmallocPlugin(name = 'my-kmalloc', opts: { broken?: boolean } = {}): string {
  const text = readFileSync(EXAMPLE_PLUGIN, 'utf8').replaceAll("'my-kmalloc'", `'${name}'`);
  return opts.broken
    ? text.replace('strategies: {', `brokenStrategies: ['${name}'],\n  strategies: {`)
    : text;
}

/** A new temporary directory holding `files` (name -> text; subdirectories are created). */
export function tempFiles(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pfmsim-test-plugin-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A scenario that reads back the PMDs it wrote (vector calls: the strategy copies both ways). */
export function scenario(name: string, top = ''): string {
  return `name: ${name}\nmachine: p4-2006\n${top}buffers:\n  pmds: {struct: pmd, value: [{reg_num: 0, reg_value: 5}]}\nsteps:\n  - {call: pfm_create_context, save: fd, expect: {ret: 0}}\n  - {call: pfm_write_pmds, arg: pmds, expect: {ret: 0}}\n  - {call: pfm_read_pmds, arg: pmds, expect: {ret: 0, out: [{reg_value: 5}]}}\n  - {call: close, expect: {ret: 0}}\n`;
}

/** `pfmsim-test ARGS` through mainAsync, in `cwd`: exit code and output. */
export async function cliAsync(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await mainAsync(args, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env,
    cwd,
  });
  return { code, out, err };
}
