/**
 * The memory-pinning attack of the 2006 post, on small numbers: one user, N contexts, one
 * full-size pfm_write_pmds each (arg_size_max = PAGE_SIZE: 23 PMDs of 176 bytes).
 */
import { describe, expect, it } from 'vitest';
import { runAttack, runThreadAttack } from './attack.js';
import { getMachine } from './machines.js';

const p4 = getMachine('p4-2006');

describe('runAttack', () => {
  it('pins a page per open context under ctx-cache, sampled along the way, and frees them on close', () => {
    const a = runAttack({ machine: p4, strategy: 'ctx-cache', contexts: 7, samples: 3 });
    expect(a).toMatchObject({
      strategy: 'ctx-cache',
      contexts: 7,
      vectorBytes: 23 * 176,
      pinnedBytesAfter: 7 * 4096,
      pinnedPagesAfter: 7,
      pinnedBytesAfterClose: 0,
      errors: [],
      kernelBugs: 0,
    });
    // Every floor(7 / 3) = 2 contexts, and after the last.
    expect(a.samples.map((s) => [s.contexts, s.pinnedBytes])).toEqual([
      [0, 0],
      [2, 2 * 4096],
      [4, 4 * 4096],
      [6, 6 * 4096],
      [7, 7 * 4096],
    ]);
    const kernel = a.samples.map((s) => s.kernelBytes);
    expect(kernel).toEqual([...kernel].sort((x, y) => x - y));
    expect(kernel[4]! - kernel[0]!).toBeGreaterThanOrEqual(7 * 4096);
  });

  it('takes 32 samples by default and at least one per context', () => {
    expect(runAttack({ machine: p4, strategy: 'kmalloc', contexts: 64 }).samples).toHaveLength(33);
    const few = runAttack({ machine: p4, strategy: 'kmalloc', contexts: 3, samples: 10 });
    expect(few.samples.map((s) => s.contexts)).toEqual([0, 1, 2, 3]);
    expect(few.pinnedBytesAfter).toBe(0);
    expect(few.pinnedPagesAfter).toBe(0);
  });

  it('fills the per-call limit of the ABI: 16-byte perfmon3 registers, a 16 KiB ia64 page', () => {
    expect(runAttack({ machine: p4, strategy: 'kmalloc', contexts: 1, abi: 'v3' }).vectorBytes).toBe(4096);
    const ia64 = runAttack({ machine: getMachine('itanium2-2006'), strategy: 'ctx-cache', contexts: 2 });
    expect(ia64.vectorBytes).toBe(Math.floor(16384 / 176) * 176);
    expect(ia64).toMatchObject({ pinnedBytesAfter: 2 * 16384, pinnedPagesAfter: 2 });
  });
});

describe('runThreadAttack', () => {
  it('pins a buffer per thread under a per-task cache, one under a per-context cache', () => {
    expect(runThreadAttack({ machine: p4, strategy: 'task-cache', threads: 5 })).toEqual({
      strategy: 'task-cache',
      threads: 5,
      pinnedBytesAfter: 5 * 4096,
      errors: [],
      kernelBugs: 0,
    });
    expect(runThreadAttack({ machine: p4, strategy: 'ctx-cache', threads: 5 }).pinnedBytesAfter).toBe(4096);
    expect(runThreadAttack({ machine: p4, strategy: 'kmalloc', threads: 5 }).pinnedBytesAfter).toBe(0);
  });
});
