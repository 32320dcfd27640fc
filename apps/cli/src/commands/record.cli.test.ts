// `pfmsim record` in this process: pfmon's flat profile of a simulated program sampled with
// the default format, the JSON (samples = floor(events / period) with nothing lost, shares
// equal to the phase shares), and the one-line errors for a bad --workload.
import { describe, expect, it } from 'vitest';
import { expectSchema, expectUsageError, runInProcess } from '../../test/helpers.js';

interface RecordDoc {
  event: string;
  events: number;
  samples: number;
  expected: number | null;
  lost: number | null;
  randomMask: number;
  strategy: string;
  createCycles: number;
  notifications: number;
  restarts: number;
  bufferFulls: number;
  overheadCyclesPerSample: number;
  functions: { name: string; samples: number; share: number; start: number; end: number }[];
  addresses: { ip: number; samples: number; function: string | null }[];
}
const record = (...args: string[]) => runInProcess(['record', ...args]);

describe('pfmsim record', () => {
  it('on the default machine: a sample per period, none lost, the profile in the phase shares', async () => {
    const r = await record('--json', '--cycles', '30000000', '--period', '20000');
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('record', r.stdout) as unknown as RecordDoc;
    expect(doc.event).toBe('global_power_events:RUNNING');
    expect(doc.events).toBe(30_000_000);
    expect(doc.samples).toBe(1500);
    expect(doc).toMatchObject({ expected: 1500, lost: 0 });
    // 12,800 bytes hold 316 entries (40 bytes, full below 40 + 8 x 18): 4 full buffers
    expect(doc).toMatchObject({ notifications: 4, restarts: 4, bufferFulls: 4 });
    const shares = Object.fromEntries(doc.functions.map((f) => [f.name, f.share]));
    expect(Math.abs(shares.main! - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(shares.compute! - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(shares.io! - 0.2)).toBeLessThan(0.02);
    expect(doc.addresses.reduce((a, x) => a + x.samples, 0)).toBe(1500);
    expect(doc.addresses.every((a) => a.function !== null)).toBe(true);
    expect(doc.overheadCyclesPerSample).toBeGreaterThan(0);
  });

  it("prints pfmon's flat profile and what the sampling cost", async () => {
    const r = await record(
      '--cycles',
      '2000000',
      '--period',
      '10000',
      '--workload',
      'hot=3:INST_RETIRED=1;cold=1',
      '-m',
      'core2-2007',
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('# total samples          : 200');
    expect(lines.find((l) => l.endsWith(' hot'))).toMatch(/^\s+150\s+75\.00%\s+75\.00% hot$/);
    expect(lines.find((l) => l.endsWith(' cold'))).toMatch(/^\s+50\s+25\.00%\s+100\.00% cold$/);
    expect(r.stdout).toMatch(/200 overflows, 200 samples read \(0 lost\)/);
    expect(r.stdout).toMatch(/kernel cycles per sample in the overflow interrupt/);
  });

  it('samples on another event: instructions, which the io phase does not retire', async () => {
    const r = await record(
      '--json',
      '--cycles',
      '10000000',
      '--period',
      '8000',
      '-m',
      'core2-2007',
      '-e',
      'INSTRUCTIONS_RETIRED',
    );
    const doc = expectSchema('record', r.stdout) as unknown as RecordDoc;
    // 0.8 per cycle in main and compute (80 % of the time): 6.4 million instructions
    expect(doc.events).toBe(6_400_000);
    expect(doc.samples).toBe(800);
    expect(doc.functions.find((f) => f.name === 'io')!.samples).toBe(0);
  });

  it('--random-mask randomises the periods: fewer samples, the same ones for the same seed, and no lost count', async () => {
    const args = ['--json', '--cycles', '10000000', '--period', '10000'];
    const fixed = expectSchema('record', (await record(...args)).stdout) as unknown as RecordDoc;
    const random = expectSchema(
      'record',
      (await record(...args, '--random-mask', '4095')).stdout,
    ) as unknown as RecordDoc;
    expect(fixed).toMatchObject({ samples: 1000, expected: 1000, lost: 0, randomMask: 0 });
    expect(random).toMatchObject({ expected: null, lost: null, randomMask: 4095 });
    // each period is 10,000 plus up to 4,095: between 10,000,000 / 14,095 and 1,000 samples
    expect(random.samples).toBeLessThan(1000);
    expect(random.samples).toBeGreaterThan(709);
    const again = expectSchema(
      'record',
      (await record(...args, '--random-mask', '4095')).stdout,
    ) as unknown as RecordDoc;
    expect(again.addresses).toEqual(random.addresses);
    const text = await record('--cycles', '10000000', '--period', '10000', '--random-mask', '4095');
    expect(text.stdout).toMatch(
      /a sample every 10,000 \+ \(random & 4,095\): \d+ samples read \(random periods: no overflow count to compare\)/,
    );
  });

  it("--strategy: the format argument's copy in pfm_create_context is the strategy's", async () => {
    const cycles = async (strategy: string) => {
      const r = await record('--json', '--cycles', '1000000', '--strategy', strategy);
      const doc = expectSchema('record', r.stdout) as unknown as RecordDoc;
      expect(doc.strategy).toBe(strategy);
      return doc.createCycles;
    };
    const kmalloc = await cycles('kmalloc');
    // task-cache keeps the buffer with the thread: no kfree in the call
    expect(kmalloc - (await cycles('task-cache'))).toBe(190);
    // ctx-cache pays its uncached path: the kmalloc plus the slot word stores
    expect(await cycles('ctx-cache')).toBeGreaterThan(kmalloc);
    const text = await record('--cycles', '1000000', '--strategy', 'kmalloc');
    expect(text.stdout).toContain(
      `pfm_create_context: ${kmalloc.toLocaleString('en-US')} cycles, the format argument through kmalloc`,
    );
    expectUsageError(await record('--strategy', 'nope'), /strategy/);
    expectUsageError(await record('--random-mask', '-1'), /--random-mask/);
  });

  it('a bad --workload, event or period is one line and exit 2', async () => {
    expectUsageError(await record('--workload', 'main'), /--workload: cannot read "main"/);
    expectUsageError(await record('--workload', 'a=1;a=2'), /--workload: two phases named a/);
    expectUsageError(
      await record('--workload', 'a=1@0x2000-0x1000'),
      /a's addresses 0x2000-0x1000 are empty/,
    );
    expectUsageError(await record('--workload', 'a=1:NOPE=1'), /unknown event for intel-p4 "NOPE"/);
    expectUsageError(await record('--workload', 'a=1:x'), /cannot read "x" in a/);
    expectUsageError(await record('--period', '0'), /--period/);
    expectUsageError(
      await record('--buf-size', '311'),
      /--buf-size 311: the default format needs at least 312 bytes on intel-p4/,
    );
  });
});
