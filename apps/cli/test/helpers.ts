import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { UsageError } from '../src/errors.js';
import type { Io } from '../src/io.js';
import { type Schema, validate } from '../src/json-schema.js';

const here = dirname(fileURLToPath(import.meta.url));
export const CLI_DIR = join(here, '..');
export const REPO = join(CLI_DIR, '..', '..');
const BIN_SRC = join(CLI_DIR, 'src', 'bin.ts');
const BIN_DIST = join(CLI_DIR, 'dist', 'bin.js');
// tsx by absolute URL, so the CLI runs from source in any working directory.
const TSX = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href;

/** PFMSIM_E2E_DIST=1 runs the built binary (dist/bin.js) instead of the sources. */
export const USE_DIST = process.env.PFMSIM_E2E_DIST === '1';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
}

/** The one line a UsageError thrown by `fn` prints (fails the test when `fn` throws nothing else). */
export function usageLine(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).line();
  }
  throw new Error('expected a UsageError');
}

/** Runs `pfmsim ...args`: runCli (the spawned binary) or runInProcess (main() in this process). */
export type Runner = (args: readonly string[], opts?: RunOptions) => Promise<CliRun>;

/** Spawns `pfmsim ...args` as a user would (colour off unless env says otherwise). */
export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliRun> {
  const nodeArgs = USE_DIST
    ? [BIN_DIST, ...args]
    : ['--conditions=@pfmsim/source', '--import', TSX, BIN_SRC, ...args];
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    ...opts.env,
  };
  for (const k of [
    'COLUMNS',
    'PFMSIM_SHARD_INDEX',
    'PFMSIM_SHARD_COUNT',
    'JOB_COMPLETION_INDEX',
    'SLURM_ARRAY_TASK_ID',
    'SLURM_ARRAY_TASK_COUNT',
  ]) {
    if (!opts.env || !(k in opts.env)) delete env[k];
  }
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: opts.cwd ?? REPO, env: env as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function tempDir(prefix = 'pfmsim-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Masks what changes from run to run or release to release: the version, host timings. */
export function normalize(text: string): string {
  return text
    .replace(/pfmsim \d+\.\d+\.\d+/g, 'pfmsim <version>')
    .replace(/"pfmsimVersion": "[^"]+"/g, '"pfmsimVersion": "<version>"')
    .replace(/ in \d+(\.\d+)? s on /g, ' in <t> s on ')
    .replace(/\r/g, '');
}

/** Compares with test/golden/NAME.txt; UPDATE_GOLDEN=1 rewrites the file. */
export function expectGolden(name: string, text: string): void {
  const file = join(here, 'golden', `${name}.txt`);
  const actual = normalize(text);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI)
      throw new Error(`golden ${name} missing (run with UPDATE_GOLDEN=1)`);
    return;
  }
  expect(actual, `golden ${name} (UPDATE_GOLDEN=1 regenerates it)`).toBe(readFileSync(file, 'utf8'));
}

export function loadSchema(name: string): Schema {
  return JSON.parse(readFileSync(join(CLI_DIR, 'schemas', `${name}.schema.json`), 'utf8')) as Schema;
}

/** Parses stdout as one JSON document and validates it against schemas/NAME.schema.json. */
export function expectSchema(name: string, stdout: string): Record<string, unknown> {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  expect(validate(loadSchema(name), doc), `${name}.schema.json`).toEqual([]);
  return doc;
}

/** A failing run: exit 2, nothing on stdout, exactly one line on stderr naming the problem. */
export function expectUsageError(r: CliRun, pattern: RegExp, label = ''): void {
  expect(r.code, `${label}: ${r.stderr}${r.stdout.slice(0, 300)}`).toBe(2);
  expect(r.stdout, label).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, `${label}: ${r.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^pfmsim: /);
  expect(lines[0]).toMatch(pattern);
}

/** What only an in-process run can fake: a terminal on stderr, the host clock, Ctrl-C. */
export interface InProcessOptions extends RunOptions {
  readonly stderrIsTTY?: boolean;
  /** A terminal on stdout this many columns wide (default: a pipe). */
  readonly stdoutColumns?: number;
  /** The host clock (default performance.now); see steppingClock. */
  readonly now?: () => number;
  readonly onInterrupt?: Io['onInterrupt'];
}

/** A fake host clock that moves `step` ms per reading, so measured rates are exact. */
export function steppingClock(step: number): () => number {
  let t = 0;
  return () => {
    t += step;
    return t;
  };
}

/** Runs the CLI in this process (same parsing and error path as the binary, no startup cost). */
export async function runInProcess(args: readonly string[], opts: InProcessOptions = {}): Promise<CliRun> {
  const { main } = await import('../src/cli.js');
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += s;
    },
    stdoutIsTTY: opts.stdoutColumns !== undefined,
    ...(opts.stdoutColumns !== undefined ? { stdoutColumns: opts.stdoutColumns } : {}),
    stderrIsTTY: opts.stderrIsTTY ?? false,
    env: { NO_COLOR: '1', ...opts.env },
    cwd: opts.cwd ?? REPO,
    now: opts.now ?? (() => performance.now()),
    ...(opts.onInterrupt !== undefined ? { onInterrupt: opts.onInterrupt } : {}),
  });
  return { code, stdout, stderr };
}

/**
 * The source of a plugin strategy that kmallocs per call, written as a plugin author would
 * (importing nothing); `leak` leaves out the kfree.
 */
export function kmallocStrategySource(name: string, opts: { leak?: boolean } = {}): string {
  return `{
  specificationVersion: 'v1',
  name: '${name}',
  description: 'kmalloc per call, from a plugin${opts.leak ? ', never kfreed' : ''}',
  pinnedFormula: '0 between calls',
  stackFootprint: '0 B',
  frameBytes: () => 0,
  acquire(call) {
    if (call.bytes > call.limit) return -7;
    const buf = call.k.mem.kmalloc(call.t, call.bytes, 0xd0, call.slot.owner, call.site);
    if (buf === 0) return -12;
    call.buf = buf;
    call.how = 1;
    return buf;
  },
  release(call) {
    if (call.how === 1${opts.leak ? ' && false' : ''}) call.k.mem.kfree(call.t, call.buf);
    call.buf = 0;
    call.how = 0;
  },
}`;
}

/** A plugin module named `name` with one kmalloc strategy `strategy` (see kmallocStrategySource). */
export function kmallocPluginSource(name: string, strategy: string, opts: { leak?: boolean } = {}): string {
  return `export default { name: '${name}', strategies: { '${strategy}': () => (${kmallocStrategySource(strategy, opts)}) } };`;
}
