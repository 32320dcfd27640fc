import type { CompareResult, VectorSyscall } from '@pfmsim/lab';
import { describe, expect, it } from 'vitest';
import { stackRegisters, stackThresholdNote, vectorElement } from './compare-notes.js';

describe('stackRegisters: the stack strategy threshold per arch, call and ABI', () => {
  it('PFM_ARCH_P?C_STK_ARG of perfmon2 (V17-V19), and perfmon3 shared u64 buffer', () => {
    expect(stackRegisters('i386', 'v2.3', 'pfm_read_pmds')).toBe(4);
    expect(stackRegisters('i386', 'v2.3', 'pfm_write_pmcs')).toBe(4);
    expect(stackRegisters('i386-4k', 'v2.3', 'pfm_write_pmds')).toBe(2);
    expect(stackRegisters('ia64', 'v2.3', 'pfm_read_pmds')).toBe(8);
    expect(stackRegisters('sparc64', 'v2.3', 'pfm_write_pmcs')).toBe(1);
    expect(stackRegisters('sparc64', 'v2.3', 'pfm_write_pmds')).toBe(2);
    expect(stackRegisters('x86_64', 'v3', 'pfm_read_pmds')).toBe(8);
  });

  it('names the element each call copies', () => {
    expect(vectorElement('v2.3', 'pfm_read_pmds')).toEqual({ name: 'pfarg_pmd', bytes: 176 });
    expect(vectorElement('v2.3', 'pfm_write_pmcs')).toEqual({ name: 'pfarg_pmc', bytes: 48 });
    expect(vectorElement('v3', 'pfm_write_pmcs')).toEqual({ name: 'pfarg_pmr', bytes: 16 });
  });
});

const COUNTS = [1, 2, 4, 8, 16, 32, 64];

function result(
  cycles: Record<string, readonly number[]>,
  syscall: VectorSyscall = 'pfm_read_pmds',
): CompareResult {
  const results = Object.entries(cycles).flatMap(([strategy, per]) =>
    COUNTS.map((count, i) => ({
      strategy,
      syscall,
      count,
      cyclesPerCall: per[i]!,
      stackBytes: 0,
      error: null,
      kernelBugs: 0,
      breakdown: {} as CompareResult['results'][number]['breakdown'],
    })),
  );
  return { arch: 'i386', abi: 'v2.3', counts: COUNTS, results } as unknown as CompareResult;
}

const KMALLOC = [1511, 1703, 2085, 2847, 4373, 7427, 13533];
const STACK = [1191, 1383, 1765, 2847, 4373, 7427, 13533];

describe('stackThresholdNote', () => {
  it('explains stack = kmalloc at 64 registers with the threshold and the first count above it', () => {
    expect(stackThresholdNote(result({ kmalloc: KMALLOC, stack: STACK }), 'pfm_read_pmds')).toBe(
      "stack = kmalloc from n=8: the stack strategy's on-stack array holds up to 4 registers " +
        '(4 x 176-B pfarg_pmd on i386); larger vectors take kmalloc',
    );
    expect(
      stackThresholdNote(result({ kmalloc: KMALLOC, stack: STACK }, 'pfm_write_pmcs'), 'pfm_write_pmcs'),
    ).toContain('(4 x 48-B pfarg_pmc on i386)');
  });

  it('says nothing when the costs differ at the largest count, or one of the two is missing or failed', () => {
    const cheaper = [...STACK.slice(0, 6), 13000];
    expect(stackThresholdNote(result({ kmalloc: KMALLOC, stack: cheaper }), 'pfm_read_pmds')).toBeNull();
    expect(stackThresholdNote(result({ kmalloc: KMALLOC }), 'pfm_read_pmds')).toBeNull();
    expect(stackThresholdNote(result({ stack: STACK }), 'pfm_read_pmds')).toBeNull();
    expect(stackThresholdNote(result({ kmalloc: KMALLOC, stack: STACK }), 'pfm_write_pmds')).toBeNull();
    const failed = result({ kmalloc: KMALLOC, stack: STACK });
    const results = failed.results.map((m) => (m.strategy === 'stack' ? { ...m, error: 'EFAULT' } : m));
    expect(stackThresholdNote({ ...failed, results }, 'pfm_read_pmds')).toBeNull();
  });

  it('says nothing when no measured count is above the threshold', () => {
    const small = { ...result({ kmalloc: KMALLOC, stack: KMALLOC }), counts: [1, 2, 4] };
    const results = small.results.filter((m) => m.count <= 4);
    expect(stackThresholdNote({ ...small, results }, 'pfm_read_pmds')).toBeNull();
    expect(stackThresholdNote({ ...small, results, counts: [1, 2, 4, 8] }, 'pfm_read_pmds')).toBeNull();
  });
});
