import { describe, expect, it } from 'vitest';
import {
  closest,
  DEFAULT_MACHINE,
  getMachine,
  MACHINES,
  resolveMachine,
  UnknownMachineError,
} from './machines.js';

describe('machine presets', () => {
  it('are arch + cost profile + PMU model, as DESIGN.md names them', () => {
    expect(MACHINES.map((m) => [m.id, m.arch, m.cost, m.pmu])).toEqual([
      ['p4-2006', 'i386', 'p4-2006', 'intel-p4'],
      ['p4-2006-4k', 'i386-4k', 'p4-2006', 'intel-p4'],
      ['core2-2007', 'x86_64', 'core2-2007', 'intel-core'],
      ['k8-2006', 'x86_64', 'k8-2006', 'amd64-k8'],
      ['itanium2-2006', 'ia64', 'itanium2-2006', 'itanium2'],
      ['power5-2006', 'ppc64', 'k8-2006', 'power5'],
      ['modern', 'x86_64-16k', 'modern-x86_64', 'intel-arch-perfmon'],
      ['modern-mitigated', 'x86_64-16k', 'modern-x86_64-mitigated', 'intel-arch-perfmon'],
    ]);
    expect(DEFAULT_MACHINE).toBe('p4-2006');
  });

  it('describe themselves, and say where their cost figures are borrowed', () => {
    expect(MACHINES.map((m) => m.description)).toEqual([
      'Pentium 4 3 GHz, i386 (8 KiB stacks), 2006',
      'Pentium 4, i386 with CONFIG_4KSTACKS',
      'Core 2 (Xeon E5345 class), x86_64, 2007',
      'AMD K8 2.0 GHz, x86_64, 2006',
      'Itanium 2 (McKinley), 16 KiB pages, 2006',
      'IBM POWER5, ppc64 (16 KiB stacks), 2006',
      'modern x86-64 (2015-2023), 16 KiB stacks, SLUB',
      'modern x86-64 with retpolines + SRSO safe RET',
    ]);
    expect(MACHINES.filter((m) => m.note !== undefined).map((m) => [m.id, m.note])).toEqual([
      [
        'itanium2-2006',
        'only the allocator figures are Itanium measurements; the rest are borrowed from k8-2006',
      ],
      [
        'power5-2006',
        'no POWER5 cost figures exist in the cost reference: k8-2006 figures stand in (UNVERIFIED)',
      ],
    ]);
  });
});

describe('getMachine', () => {
  it('returns the preset by id', () => {
    expect(getMachine('k8-2006')).toBe(MACHINES[3]);
    expect(getMachine('modern-mitigated').cost).toBe('modern-x86_64-mitigated');
  });

  it('names the accepted ids and suggests the closest one', () => {
    const ids = MACHINES.map((m) => m.id).join(', ');
    expect(() => getMachine('p4-2007')).toThrow(
      `invalid machine: "p4-2007" (accepted: ${ids}; did you mean "p4-2006"?)`,
    );
    expect(() => getMachine('sparc-1999-with-extras')).toThrow(
      `invalid machine: "sparc-1999-with-extras" (accepted: ${ids})`,
    );
    const e = (() => {
      try {
        getMachine('Modern');
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(UnknownMachineError);
    expect((e as Error).message).toContain('did you mean "modern"?');
  });
});

describe('closest', () => {
  it('picks the smallest edit distance, case-insensitively, the first of equals', () => {
    expect(closest('core-2007', ['core2-2007', 'k8-2006'])).toBe('core2-2007');
    expect(closest('K8-2006', ['p4-2006', 'k8-2006'])).toBe('k8-2006');
    // One substitution, one insertion, one deletion each count 1.
    expect(closest('kitten', ['sitting', 'kitchen'])).toBe('kitchen');
    expect(closest('abc', ['abd', 'abe'])).toBe('abd');
    expect(closest('ab', ['xab', 'abxy'])).toBe('xab');
    expect(closest('abcd', ['abd', 'abcde'])).toBe('abd');
  });

  it('suggests nothing beyond max(3, half the length) edits, or with no choices', () => {
    expect(closest('abc', ['xyz'])).toBe('xyz'); // 3 edits: within the floor of 3
    expect(closest('abc', ['wxyz'])).toBeUndefined(); // 4 edits
    expect(closest('abcdefghij', ['abcdeXXXXX'])).toBe('abcdeXXXXX'); // 5 edits of 10
    expect(closest('abcdefghij', ['abcdXXXXXX'])).toBeUndefined(); // 6 edits of 10
    expect(closest('abcdefghijk', ['abcdeXXXXXk'])).toBe('abcdeXXXXXk'); // 5 of 11 (floor 5)
    expect(closest('abcdefghijk', ['abcdXXXXXXk'])).toBeUndefined(); // 6 of 11
    expect(closest('abc', [])).toBeUndefined();
    expect(closest('', ['ab'])).toBe('ab');
  });
});

describe('resolveMachine', () => {
  it('is the default preset, or the preset named, when nothing overrides it', () => {
    expect(resolveMachine({})).toBe(getMachine(DEFAULT_MACHINE));
    expect(resolveMachine({ machine: 'core2-2007' })).toBe(getMachine('core2-2007'));
  });

  it('overrides arch, cpu and pmu one by one and names the combination', () => {
    expect(resolveMachine({ machine: 'k8-2006', pmu: 'intel-p6' })).toEqual({
      id: 'x86_64/k8-2006/intel-p6',
      arch: 'x86_64',
      cost: 'k8-2006',
      pmu: 'intel-p6',
      description: 'custom: x86_64, k8-2006, intel-p6',
    });
    expect(resolveMachine({ arch: 'i386-4k' })).toMatchObject({
      id: 'i386-4k/p4-2006/intel-p4',
      arch: 'i386-4k',
    });
    expect(resolveMachine({ cpu: 'core2-2007' })).toMatchObject({ id: 'i386/core2-2007/intel-p4' });
  });
});
