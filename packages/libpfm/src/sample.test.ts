import { type ArgCall, createStackStrategy } from '@pfmsim/buffer-strategies';
import { CAT } from '@pfmsim/kernel-sim';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alreadyRead, sample } from './sample.js';
import { SyscallError } from './session.js';

const p6 = { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' };
const rates = { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.75 };
/** P6: 2 PMDs, so the buffer is full below 40 + 16 bytes; entries are 40 bytes, 48 with one extra event. */
const holding = (entries: number, entry = 40) => 128 + entries * entry + 55;

describe('sample(): the default format, read as self_smpl.c does', () => {
  it('one sample per period; every buffer that filled was read once and restarted; none lost', () => {
    const r = sample({
      machine: p6,
      event: 'INST_RETIRED',
      period: 10_000,
      workload: rates,
      cycles: 4_000_000,
      bufSize: holding(8),
    });
    expect(r.samples).toHaveLength(300);
    // 8 samples per buffer: 37 full buffers read in the handler, 4 samples left at the end
    expect(r.bufferFulls).toBe(37);
    expect(r).toMatchObject({ notifications: 37, duplicates: 0, restarts: 37 });
    const stamps = r.samples.map((s) => s.tstamp);
    expect(stamps.every((t, i) => i === 0 || t > stamps[i - 1]!)).toBe(true);
    expect(r.samples[0]).toMatchObject({ pmd: 0, cpu: 0, set: 0 });
    expect(r.samples[0]!.tid).toBeGreaterThan(0);
  });

  it('records the extra events at each sample: the cycles it took to retire k periods of instructions', () => {
    const r = sample({
      machine: p6,
      event: 'INST_RETIRED',
      extra: ['CPU_CLK_UNHALTED'],
      period: 30_000,
      workload: rates,
      cycles: 600_000,
      bufSize: holding(4, 48),
    });
    expect(r.samples).toHaveLength(15);
    r.samples.forEach((s, k) => {
      expect(Number(s.values[0])).toBe(Math.ceil(((k + 1) * 30_000) / 0.75));
    });
  });

  it('the same samples under the v2.2 ABI (the format named by its UUID)', () => {
    const opts = { machine: p6, event: 'INST_RETIRED', period: 25_000, workload: rates, cycles: 1_000_000 };
    const v23 = sample(opts);
    const v22 = sample({ ...opts, abi: 'v2.2' });
    expect(v22.samples.map((s) => s.ip)).toEqual(v23.samples.map((s) => s.ip));
    expect(v22.samples).toHaveLength(30);
  });

  it('randomised periods (--smpl-periods-random): each reset takes up to the mask more events; the same seed, the same samples', () => {
    const opts = { machine: p6, event: 'INST_RETIRED', period: 10_000, workload: rates, cycles: 4_000_000 };
    const fixed = sample(opts);
    const random = sample({ ...opts, randomMask: 0xfff });
    expect(fixed.samples).toHaveLength(300);
    // 3,000,000 instructions: the first period is 10,000, every later one 10,000 + (r & 0xfff)
    expect(random.samples.length).toBeLessThan(300);
    expect(random.samples.length).toBeGreaterThan(Math.floor(3_000_000 / (10_000 + 0xfff)));
    const gaps = random.samples.slice(1).map((s, i) => s.tstamp - random.samples[i]!.tstamp);
    expect(new Set(gaps).size).toBeGreaterThan(10);
    expect(sample({ ...opts, randomMask: 0xfff }).samples).toEqual(random.samples);
  });

  it("createCycles is the pfm_create_context call, the format argument's strategy included", () => {
    const opts = { machine: p6, event: 'INST_RETIRED', period: 10_000, workload: rates, cycles: 100_000 };
    const base = createStackStrategy();
    const dearer = {
      ...base,
      acquire: (call: ArgCall) => {
        if (call.kind === 'smpl_arg') call.k.charge(call.t, CAT.alloc, 1000);
        return base.acquire(call);
      },
    };
    const plain = sample(opts).createCycles;
    expect(plain).toBeGreaterThan(0);
    expect(sample({ ...opts, strategy: dearer }).createCycles - plain).toBe(1000);
  });

  it("a buffer already read is a duplicate signal (pfmon's check): neither counter moved", () => {
    // hdr_overflows, hdr_count, then the last read's
    expect(alreadyRead(3, 8, 3, 8)).toBe(true);
    expect(alreadyRead(2, 8, 3, 8)).toBe(true);
    expect(alreadyRead(4, 8, 3, 8)).toBe(false); // filled again
    expect(alreadyRead(3, 5, 3, 8)).toBe(false); // restarted and refilled in part
    expect(alreadyRead(1, 8, -1, 0)).toBe(false); // the first full buffer
  });

  it('the default buffer is 3 pages + 512 bytes (task_smpl.c); several extra events each have their value', () => {
    const r = sample({
      machine: { arch: 'x86_64', cost: 'k8-2006', pmu: 'amd64-k8' },
      event: 'RETIRED_INSTRUCTIONS',
      extra: ['CPU_CLK_UNHALTED', 'RETIRED_BRANCH_INSTRUCTIONS'],
      period: 30_000,
      workload: { CPU_CLK_UNHALTED: 1, RETIRED_INSTRUCTIONS: 0.75, RETIRED_BRANCH_INSTRUCTIONS: 0.25 },
      cycles: 200_000,
    });
    expect(r.bufSize).toBe(3 * 4096 + 512);
    // the k-th sample: 30,000 k instructions took 40,000 k cycles, with 10,000 k branches
    expect(r.samples.slice(0, 2).map((s) => s.values)).toEqual([
      [40_000n, 10_000n],
      [80_000n, 20_000n],
    ]);
  });

  it('a buffer smaller than the format accepts is the kernel EINVAL', () => {
    expect(() =>
      sample({
        machine: p6,
        event: 'INST_RETIRED',
        period: 1000,
        workload: rates,
        cycles: 10,
        bufSize: 128 + 55,
      }),
    ).toThrow(new SyscallError('pfm_create_context', 22));
  });

  it('property: whatever the period, length and buffer, the samples read are the overflows, each once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 500, max: 20_000 }),
        fc.integer({ min: 1, max: 400_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (period, cycles, entries, withExtra) => {
          const r = sample({
            machine: p6,
            event: 'INST_RETIRED',
            extra: withExtra ? ['CPU_CLK_UNHALTED'] : [],
            period,
            workload: rates,
            cycles,
            bufSize: holding(entries, withExtra ? 48 : 40),
          });
          expect(r.samples).toHaveLength(Math.floor(Math.floor(0.75 * cycles) / period));
          expect(new Set(r.samples.map((s) => s.tstamp)).size).toBe(r.samples.length);
          expect(r.restarts).toBe(r.bufferFulls);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });
});
