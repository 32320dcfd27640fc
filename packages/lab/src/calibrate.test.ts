import { describe, expect, it } from 'vitest';
import { calibrate, documentedRange, plausibility } from './calibrate.js';
import { getMachine } from './machines.js';

describe('calibrate', () => {
  it('finds the kmalloc fast-path cost that makes the stack 20% cheaper than kmalloc at 4 registers', () => {
    const r = calibrate({
      machine: getMachine('p4-2006'),
      target: {
        kind: 'relative',
        syscall: 'pfm_read_pmds',
        count: 4,
        strategy: 'stack',
        versus: 'kmalloc',
        value: -0.2,
      },
      vary: 'kmallocFast',
    });
    expect(r.solved).toBe(true);
    expect(r.achieved!).toBeCloseTo(-0.2, 3);
    expect(r.value!).toBeGreaterThan(130);
    expect(r.plausibility?.verdict).toBe('doubtful');
  });

  it('reads documented ranges and judges by kind without one', () => {
    expect(documentedRange('cost-model.md §1.1 (500–1000)')).toEqual([500, 1000]);
    expect(documentedRange('[L02] sysenter getppid')).toBeNull();
    expect(plausibility({ value: 800, kind: 'E', source: '(500–1000)' }, 700).verdict).toBe('plausible');
    expect(plausibility({ value: 800, kind: 'E', source: '(500–1000)' }, 5000).verdict).toBe('implausible');
    expect(plausibility({ value: 641, kind: 'M', source: 'measured' }, 700).verdict).toBe('plausible');
    expect(plausibility({ value: 641, kind: 'M', source: 'measured' }, 1556).verdict).toBe('implausible');
  });
});
