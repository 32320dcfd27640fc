import { getMachine, measureCall, resolveMachine } from '@pfmsim/lab';
import { describe, expect, it, vi } from 'vitest';
import { VERSION } from '../version.js';
import { cellArenaBytes, runCell, summarize } from './cell.js';
import { expandCells, parseSweepConfig } from './config.js';

describe('a sweep cell', () => {
  it('gets a power-of-two arena from 256 KiB, enough for its vectors on every thread', () => {
    expect(cellArenaBytes({ count: 1, threads: 1 })).toBe(256 << 10);
    // 96 registers on one thread need exactly 256 KiB; one more needs the next size.
    expect(cellArenaBytes({ count: 96, threads: 1 })).toBe(256 << 10);
    expect(cellArenaBytes({ count: 97, threads: 1 })).toBe(512 << 10);
    expect(cellArenaBytes({ count: 256, threads: 2 })).toBe(1 << 20);
    expect(cellArenaBytes({ count: 4096, threads: 16 })).toBe(128 << 20);
    // No thread count is taken as one.
    expect(cellArenaBytes({ count: 97, threads: 0 })).toBe(512 << 10);
  });

  it('records the machine parts, the measurement of @pfmsim/lab and the version', () => {
    const [cell] = expandCells(
      parseSweepConfig(
        {
          machines: [{ machine: 'core2-2007', cpu: 'k8-2006' }],
          strategies: ['stack'],
          calls: ['pfm_write_pmcs'],
          counts: [8],
          threads: [2],
          seeds: [3],
          abi: ['v3'],
          callsPerThread: 2,
        },
        'g',
      ),
    );
    const r = runCell(cell!);
    const m = measureCall({
      machine: resolveMachine({ machine: 'core2-2007', cpu: 'k8-2006' }),
      strategy: 'stack',
      abi: 'v3',
      seed: 3,
      syscall: 'pfm_write_pmcs',
      count: 8,
      threads: 2,
      callsPerThread: 2,
    });
    expect(r).toEqual({
      type: 'cell',
      index: 0,
      key: 'x86_64/k8-2006/intel-core|v3|t2|s3|stack|pfm_write_pmcs|n8',
      machine: 'x86_64/k8-2006/intel-core',
      arch: 'x86_64',
      cost: 'k8-2006',
      pmu: 'intel-core',
      abi: 'v3',
      threads: 2,
      seed: 3,
      strategy: 'stack',
      syscall: 'pfm_write_pmcs',
      count: 8,
      cyclesPerCall: m.cyclesPerCall,
      breakdown: m.breakdown,
      stackBytes: m.stackBytes,
      error: m.error,
      kernelBugs: m.kernelBugs,
      pfmsimVersion: VERSION,
      hostMs: r.hostMs,
    });
    expect(r.hostMs).toBeGreaterThanOrEqual(0);
  });

  it('records its host time in milliseconds, to the hundredth', () => {
    const [cell] = expandCells(
      parseSweepConfig({ strategies: ['kmalloc'], calls: ['pfm_read_pmds'], counts: [1] }, 'g'),
    );
    const clock = vi.spyOn(performance, 'now');
    try {
      clock.mockReturnValueOnce(1000).mockReturnValueOnce(1012.34567);
      expect(runCell(cell!).hostMs).toBe(12.35);
    } finally {
      clock.mockRestore();
    }
  });

  it('applies the cost overrides of the config', () => {
    const cells = (costOverrides: Record<string, number>) =>
      expandCells(
        parseSweepConfig(
          {
            machines: 'p4-2006',
            strategies: ['kmalloc'],
            calls: ['pfm_read_pmds'],
            counts: [4],
            costOverrides,
          },
          'g',
        ),
      );
    const plain = runCell(cells({})[0]!);
    const cheap = runCell(cells({ kmallocFast: 0 })[0]!);
    expect(plain.cyclesPerCall).toBe(
      measureCall({ machine: getMachine('p4-2006'), strategy: 'kmalloc', syscall: 'pfm_read_pmds', count: 4 })
        .cyclesPerCall,
    );
    expect(cheap.cyclesPerCall).toBeLessThan(plain.cyclesPerCall);
    expect(cheap.cyclesPerCall).toBe(
      measureCall({
        machine: getMachine('p4-2006'),
        strategy: 'kmalloc',
        syscall: 'pfm_read_pmds',
        count: 4,
        costOverrides: { kmallocFast: 0 },
      }).cyclesPerCall,
    );
  });

  it('keeps what the summary shows, nothing more', () => {
    const [cell] = expandCells(
      parseSweepConfig({ strategies: ['kmalloc'], calls: ['pfm_read_pmds'], counts: [1] }, 'g'),
    );
    const r = runCell(cell!);
    expect(summarize(r)).toEqual({
      index: r.index,
      key: r.key,
      machine: r.machine,
      abi: r.abi,
      threads: r.threads,
      strategy: r.strategy,
      syscall: r.syscall,
      count: r.count,
      cyclesPerCall: r.cyclesPerCall,
      error: r.error,
      kernelBugs: r.kernelBugs,
    });
  });
});
