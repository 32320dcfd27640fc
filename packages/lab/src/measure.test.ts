/**
 * One steady-state vector call on p4-2006 (cost-model.md §2.2: pfm_read_pmds, 4 PMDs of 176
 * bytes, kmalloc: 2085 cycles), and the same call from several threads on one fd.
 */
import { createStrategy, ENOMEM } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { getMachine } from './machines.js';
import { measureCall, sampleCalls } from './measure.js';

const p4 = getMachine('p4-2006');
const sum = (b: Record<string, number>) => Object.values(b).reduce((a, x) => a + x, 0);

describe('measureCall', () => {
  it('breaks the 2085 cycles of pfm_read_pmds under kmalloc down by category', () => {
    const m = measureCall({ machine: p4, strategy: 'kmalloc', syscall: 'pfm_read_pmds', count: 4 });
    expect(m).toMatchObject({
      syscall: 'pfm_read_pmds',
      count: 4,
      strategy: 'kmalloc',
      cyclesPerCall: 2085,
      error: null,
      kernelBugs: 0,
    });
    // 704 bytes copied in and out at 0.4 cycles a byte, plus the fixed costs.
    expect(m.breakdown).toMatchObject({
      syscall: 641,
      fd: 20,
      alloc: 320,
      copy: 684,
      lock: 220,
      handler: 200,
    });
    expect(sum(m.breakdown)).toBe(2085);
    expect(m.stackBytes).toBe(256);
  });

  it('copies PMC elements (48 bytes) for pfm_write_pmcs and PMD elements for pfm_write_pmds', () => {
    const pmcs = measureCall({ machine: p4, strategy: 'kmalloc', syscall: 'pfm_write_pmcs', count: 4 });
    expect(pmcs.cyclesPerCall).toBe(1675);
    expect(pmcs.breakdown.copy).toBe(274);
    const pmds = measureCall({ machine: p4, strategy: 'kmalloc', syscall: 'pfm_write_pmds', count: 4 });
    expect(pmds.cyclesPerCall).toBe(2085);
  });

  it('averages threaded calls over every call of every thread, category by category', () => {
    const m = measureCall({
      machine: p4,
      strategy: 'kmalloc',
      syscall: 'pfm_read_pmds',
      count: 4,
      threads: 2,
    });
    expect(m).toMatchObject({ error: null, kernelBugs: 0, stackBytes: 256 });
    expect(m.cyclesPerCall).toBe(2446.875);
    expect(sum(m.breakdown)).toBeCloseTo(m.cyclesPerCall, 9);
    // The atomic counter and the shared slab are contended; the copies are not.
    expect(m.breakdown.copy).toBe(684);
    const one = measureCall({
      machine: p4,
      strategy: 'kmalloc',
      syscall: 'pfm_read_pmds',
      count: 4,
      threads: 2,
      callsPerThread: 1,
    });
    expect(one.cyclesPerCall).toBe(2932.5);
    expect(sum(one.breakdown)).toBeCloseTo(2932.5, 9);
  });

  it('counts the kernel bugs of racing threads under the naive cache, same seed same figures', () => {
    const opts = {
      machine: p4,
      strategy: 'ctx-cache-naive',
      syscall: 'pfm_write_pmds',
      count: 4,
      threads: 2,
    } as const;
    const m = measureCall(opts);
    expect(m.kernelBugs).toBe(4);
    expect(measureCall(opts)).toEqual(m);
  });

  it("passes the strategy's options through: a stack array of 8 PMDs holds an 8-register call", () => {
    const call = (strategy: string, strategyOptions?: object) =>
      measureCall({
        machine: p4,
        strategy,
        syscall: 'pfm_read_pmds',
        count: 8,
        ...(strategyOptions ? { strategyOptions } : {}),
      });
    const kmalloc = call('kmalloc');
    // i386 keeps 4 PMDs on the stack by default: 8 fall back to kmalloc.
    expect(call('stack').cyclesPerCall).toBe(kmalloc.cyclesPerCall);
    const eight = call('stack', { threshold: 8 });
    expect(eight.breakdown.alloc).toBe(0);
    expect(eight.cyclesPerCall).toBe(kmalloc.cyclesPerCall - kmalloc.breakdown.alloc);
    expect(eight.stackBytes).toBeGreaterThanOrEqual(160 + 8 * 176);
  });

  it('names the errno of a failing call, threaded or not', () => {
    // kmalloc failing every time: the call returns ENOMEM to the caller.
    const strategy = { ...createStrategy('kmalloc'), name: 'kmalloc-enomem', acquire: () => -ENOMEM };
    const one = measureCall({ machine: p4, strategy, syscall: 'pfm_write_pmcs', count: 4 });
    expect(one).toMatchObject({ strategy: 'kmalloc-enomem', error: 'ENOMEM', kernelBugs: 0 });
    const threaded = measureCall({ machine: p4, strategy, syscall: 'pfm_write_pmds', count: 4, threads: 2 });
    expect(threaded.error).toBe('ENOMEM');
    expect(() => measureCall({ machine: p4, strategy, syscall: 'pfm_read_pmds', count: 4 })).toThrow(
      'lab: initial pfm_write_pmds failed: ENOMEM',
    );
  });
});

describe('sampleCalls', () => {
  it('averages steady-state calls; a deterministic call has no spread, a drawn one does', () => {
    const machine = getMachine('p4-2006');
    const o = { machine, strategy: 'kmalloc', syscall: 'pfm_read_pmds', count: 4 } as const;
    expect(sampleCalls(o, 50)).toEqual({ calls: 50, mean: 2085, sd: 0 });
    expect(sampleCalls({ ...o, costOverrides: { allocColdProbability: 1 } }, 10)).toEqual({
      calls: 10,
      mean: 3140,
      sd: 0,
    });
    const half = sampleCalls({ ...o, costOverrides: { allocColdProbability: 0.5 } }, 4000);
    // E = 2085 + 0.5 x 1055; two independent draws (alloc 495, free 560 apart): sd = 0.5 x 747.4.
    expect(Math.abs(half.mean - 2612.5)).toBeLessThan(3 * (373.7 / Math.sqrt(4000)));
    expect(half.sd).toBeGreaterThan(350);
    expect(half.sd).toBeLessThan(400);
    expect(sampleCalls({ ...o, seed: 9, costOverrides: { allocColdProbability: 0.5 } }, 100)).toEqual(
      sampleCalls({ ...o, seed: 9, costOverrides: { allocColdProbability: 0.5 } }, 100),
    );
  });
});
