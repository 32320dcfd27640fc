// `pfmsim record` in this process, the parts record.cli.test.ts leaves out: the exact overhead,
// the order of the profile and of the addresses, a run too short for a sample, the Markdown
// table, the defaults and the limits of the flags, and the help.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSchema, expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';

interface RecordDoc {
  period: number;
  bufSize: number;
  cycles: number;
  randomMask: number;
  strategy: string;
  events: number;
  samples: number;
  overheadCyclesPerSample: number;
  phases: { name: string; start: number; end: number }[];
  functions: { name: string; samples: number; share: number }[];
  addresses: { ip: number; samples: number; function: string | null }[];
}
const record = (...args: string[]) => runInProcess(['record', ...args]);
const json = async (...args: string[]) => {
  const r = await record('--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  return expectSchema('record', r.stdout) as unknown as RecordDoc;
};

describe('pfmsim record: figures and order', () => {
  it('the defaults: a sample every 100,000 events, 12,800 bytes, 100 million cycles, stack; 967 cycles per sample on the P4', async () => {
    const doc = await json();
    expect(doc).toMatchObject({
      period: 100_000,
      bufSize: 12_800,
      cycles: 100_000_000,
      randomMask: 0,
      strategy: 'stack',
      samples: 1000,
      overheadCyclesPerSample: 967,
    });
  });

  it('counts events up to the end of a run that stops inside a phase', async () => {
    // the phases cycle every million cycles: 1.5 million cycles end half way through
    expect((await json('--cycles', '1500000', '--period', '1000')).events).toBe(1_500_000);
  });

  it('lists functions by samples, addresses by samples then address, each in its own function', async () => {
    const doc = await json('--cycles', '4000000', '--period', '997', '--workload', 'low=1;high=3');
    const phase = (ip: number) => doc.phases.find((p) => ip >= p.start && ip < p.end)?.name ?? null;
    expect(doc.addresses.length).toBeGreaterThan(2);
    for (const [i, a] of doc.addresses.entries()) {
      expect(a.function).toBe(phase(a.ip));
      const next = doc.addresses[i + 1];
      if (next) expect(a.samples > next.samples || (a.samples === next.samples && a.ip < next.ip)).toBe(true);
    }
    const text = await record('--cycles', '4000000', '--period', '997', '--workload', 'low=1;high=3');
    const rows = text.stdout.split('\n').filter((l) => / (low|high)$/.test(l));
    expect(rows.map((l) => l.split(' ').at(-1))).toEqual(['high', 'low']);
    expect(text.stdout).toContain('# results for [1000:1000] (program)');
  });

  it('a run too short for one sample: zeros, not NaN', async () => {
    const doc = await json('--cycles', '1000');
    expect(doc).toMatchObject({ samples: 0, overheadCyclesPerSample: 0, addresses: [] });
    expect(doc.functions.map((f) => f.share)).toEqual([0, 0, 0]);
    const text = await record('--cycles', '1000');
    expect(text.stdout).toContain('# results for [-:-] (program)');
    expect(text.stdout).toContain('overhead: 0 kernel cycles per sample');
    expect(text.stdout).toMatch(/^\s+0\s+0\.00%\s+0\.00% main$/m);
  });

  it('--export-markdown writes the samples-by-function table', async () => {
    const dir = tempDir();
    const r = await record(
      '--cycles',
      '2000000',
      '--period',
      '10000',
      '--export-markdown',
      join(dir, 'r.md'),
    );
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(dir, 'r.md'), 'utf8');
    expect(md).toContain('Samples by function (global_power_events:RUNNING, period 10000)');
    expect(md).toMatch(/\| function +\| +samples \| +percent \|/);
    expect(md).toMatch(/\| main +\| +100 \| +50 \|/);
    expect(md).toMatch(/\| compute +\| +60 \| +30 \|/);
  });
});

describe('pfmsim record: flags', () => {
  it('takes the smallest buffer and the widest mask, and refuses one less and one more', async () => {
    expect((await record('--cycles', '100000', '--buf-size', '312')).code).toBe(0);
    expect((await json('--cycles', '100000', '--random-mask', String(2 ** 32 - 1))).randomMask).toBe(
      2 ** 32 - 1,
    );
    expectUsageError(await record('--random-mask', String(2 ** 32)), /--random-mask/);
    expectUsageError(
      await record('--buf-size', '100'),
      /the header, one entry and a value for each implemented PMD; the default 12800 holds about 300 samples/,
    );
    expectUsageError(await record('--buf-size', '0'), /^pfmsim: --buf-size must/);
    expectUsageError(await record('--cycles', '0'), /^pfmsim: --cycles must/);
  });

  it('--help describes every flag', async () => {
    const r = await runInProcess(['record', '--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    for (const want of [
      '--period <n> a sample every N events (default: "100000")',
      "--random-mask <n> randomised periods (pfmon's --smpl-periods-random): each reset adds up to N & random events",
      '-s, --strategy <name> argument-buffer strategy for the format argument and the vectors (default: "stack")',
      '--buf-size <bytes> the sampling buffer, header included (default: "12800")',
      '--workload <spec> the program: NAME=SHARE[@START-END][:EVENT=RATE,...];...',
      '--cycles <n> length of the run in cycles (default: "100000000")',
    ])
      expect(text).toContain(want);
  });
});
