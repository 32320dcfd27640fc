// `pfmsim attack` in this process: the memory figures printed agree with the JSON and the
// exports, a leak, kernel bugs and failed calls are called out, and the flags are checked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lab from '@pfmsim/lab';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectSchema, expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';

// runAttack as is, except where a test needs an attack whose calls fail (no strategy of the lab
// makes them fail, so that path is reached with a stand-in result).
vi.mock('@pfmsim/lab', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@pfmsim/lab')>();
  return { ...actual, runAttack: vi.fn(actual.runAttack) };
});
const realRunAttack = (await vi.importActual<typeof import('@pfmsim/lab')>('@pfmsim/lab')).runAttack;
afterEach(() => {
  vi.mocked(lab.runAttack).mockReset();
  vi.mocked(lab.runAttack).mockImplementation(realRunAttack);
});

interface AttackDoc {
  abi: string;
  strategy: string;
  contexts: number;
  vectorBytes: number;
  samples: { contexts: number; pinnedBytes: number; kernelBytes: number }[];
  pinnedBytesAfter: number;
  pinnedPagesAfter: number;
  pinnedBytesAfterClose: number;
  errors: string[];
  kernelBugs: number;
  pfmsimVersion: string;
}

const attack = (...args: string[]) => runInProcess(['attack', ...args]);
async function attackJson(...args: string[]): Promise<AttackDoc> {
  const r = await attack(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return expectSchema('attack', r.stdout) as unknown as AttackDoc;
}

describe('pfmsim attack', () => {
  it('pins one page per context under ctx-cache (the default): figures printed as in the JSON', async () => {
    const doc = await attackJson('--contexts', '64', '--samples', '4');
    expect(doc).toMatchObject({
      abi: 'v2.3',
      strategy: 'ctx-cache',
      contexts: 64,
      kernelBugs: 0,
      errors: [],
    });
    expect(doc.pinnedPagesAfter).toBe(64);
    expect(doc.pinnedBytesAfter).toBe(64 * 4096);
    expect(doc.pinnedBytesAfterClose).toBe(0);
    expect(doc.samples.map((s) => s.contexts)).toEqual([0, 16, 32, 48, 64]);
    expect(doc.samples.map((s) => s.pinnedBytes)).toEqual([0, 16, 32, 48, 64].map((n) => n * 4096));

    const r = await attack('--contexts', '64', '--samples', '4');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/ · attack · machine p4-2006 · seed 1 · abi v2\.3 · strategy ctx-cache$/);
    expect(lines[1]).toBe('64 contexts, one pfm_write_pmds each with a 4.0 KiB vector (the per-call limit)');
    expect(r.stdout).toContain('\nKernel memory over time\n');
    expect(r.stdout).toContain(
      'pinned after the attack: 256 KiB (64 pages); after closing every context: 0 B',
    );
    expect(r.stdout).not.toMatch(/leak|errors:|kernel bugs/);
    // the last row: 64 contexts, 256 KiB pinned, the full bar (pinned part, then the rest of the slab)
    const last = lines.find((l) => /^ +64 /.test(l));
    expect(last).toMatch(/^ +64 +256 KiB +288 KiB +█{36}░{4}$/);
  });

  it('the CSV and Markdown exports hold the memory curve of the JSON', async () => {
    const dir = tempDir();
    const r = await attack(
      '--contexts',
      '32',
      '--samples',
      '2',
      '--strategy',
      'ctx-cache-bounded',
      '--export-json',
      join(dir, 'a.json'),
      '--export-csv',
      join(dir, 'a.csv'),
      '--export-markdown',
      join(dir, 'a.md'),
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('attack', readFileSync(join(dir, 'a.json'), 'utf8')) as unknown as AttackDoc;
    const csv = readFileSync(join(dir, 'a.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('contexts,pinned_bytes,kernel_bytes,machine,seed,pfmsim');
    expect(csv.slice(1)).toEqual(
      doc.samples.map(
        (s) => `${s.contexts},${s.pinnedBytes},${s.kernelBytes},p4-2006,1,${doc.pfmsimVersion}`,
      ),
    );
    expect(csv).toHaveLength(4);
    const md = readFileSync(join(dir, 'a.md'), 'utf8');
    expect(md).toContain(
      '### Kernel memory over time (ctx-cache-bounded, p4-2006)\n\n' +
        '| contexts | pinned_bytes | kernel_bytes |\n' +
        '|---:|---:|---:|\n' +
        `| 0 | 0 | ${doc.samples[0]!.kernelBytes} |\n`,
    );
  });

  it('defaults: 1024 contexts, 16 points of the curve (and the start)', async () => {
    const many = await attackJson('--samples', '2');
    expect(many.contexts).toBe(1024);
    expect(many.pinnedPagesAfter).toBe(1024);
    const points = await attackJson('--contexts', '32');
    expect(points.samples).toHaveLength(17);
  });

  it('memory that stays pinned after every context is closed is called a leak', async () => {
    const doc = await attackJson('--contexts', '16', '--samples', '2', '--strategy', 'task-cache');
    expect(doc.pinnedBytesAfterClose).toBe(4096);
    const r = await attack('--contexts', '16', '--samples', '2', '--strategy', 'task-cache');
    expect(r.stdout).toContain('after closing every context: 4 KiB\nmemory stays pinned after close: a leak');
  });

  it('kernel bugs met during the attack are counted', async () => {
    const doc = await attackJson('--contexts', '16', '--samples', '2', '--strategy', 'ctx-cache-spinsplit');
    expect(doc.kernelBugs).toBeGreaterThan(0);
    const r = await attack('--contexts', '16', '--samples', '2', '--strategy', 'ctx-cache-spinsplit');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`kernel bugs: ${doc.kernelBugs}`);
  });

  it('calls that failed are listed', async () => {
    vi.mocked(lab.runAttack).mockImplementation((opts) => ({
      ...realRunAttack(opts),
      errors: ['create context: EMFILE', 'pfm_write_pmds: ENOMEM'],
    }));
    const r = await attack('--contexts', '8', '--samples', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      'errors: create context: EMFILE; pfm_write_pmds: ENOMEM',
    );
  });

  it('bad flags are one line naming the flag and its range, exit 2', async () => {
    expectUsageError(
      await attack('--contexts', '0'),
      /^pfmsim: --contexts must be an integer from 1 to 16777216, got "0"$/,
    );
    expectUsageError(await attack('-n', '16777217'), /--contexts must be an integer from 1 to 16777216/);
    expectUsageError(
      await attack('--users', '4097'),
      /^pfmsim: --users must be an integer from 1 to 4096, got "4097"$/,
    );
    expectUsageError(
      await attack('--fd-limit', '0'),
      /^pfmsim: --fd-limit must be an integer from 1 to 1048576, got "0"$/,
    );
    expectUsageError(
      await attack('-s', 'kmalloc', '--global-budget', '1'),
      /^pfmsim: --user-budget and --global-budget set the budgets of ctx-cache-bounded and hybrid; kmalloc has none/,
    );
    expectUsageError(
      await attack('-s', 'ctx-cache-bounded', '--user-budget', '1073741825'),
      /^pfmsim: --user-budget must be an integer from 0 to 1073741824, got "1073741825"$/,
    );
    expectUsageError(
      await attack('--samples', '0'),
      /^pfmsim: --samples must be an integer from 1 to 1024, got "0"$/,
    );
    expectUsageError(
      await attack('--strategy', 'ctx-cach'),
      /^pfmsim: unknown strategy "ctx-cach"; did you mean "ctx-cache"\?/,
    );
  });

  it('--help describes the attack and every option with its default', async () => {
    const r = await attack('--help');
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const text of [
      'the memory-pinning attack: users (one process and uid each) open N contexts between them, taking turns, and call pfm_write_pmds once on each with the largest vector allowed, then keep them open; shows the kernel memory over time, per user, the budgets and the slab caches filled',
      '-s, --strategy <name> argument-buffer strategy (default: "ctx-cache")',
      '-n, --contexts <n> contexts the attackers open, all users together (default: "1024")',
      '--users <n> attackers, each with its own uid (1000, 1001, ...) (default: "1")',
      "--fd-limit <n> each attacker's RLIMIT_NOFILE (default: its share of contexts + 16)",
      '--nr-open <n> fs.nr_open: no RLIMIT_NOFILE may exceed it (default: "1048576")',
      '--user-budget <bytes> per-user budget of cached buffers (ctx-cache-bounded, hybrid)',
      '--global-budget <bytes> budget of cached buffers for all users (ctx-cache-bounded, hybrid)',
      '--samples <n> points of the memory curve (default: "16")',
    ]) {
      expect(help).toContain(text);
    }
  });
});
