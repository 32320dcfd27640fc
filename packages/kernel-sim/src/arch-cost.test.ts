import { describe, expect, it } from 'vitest';
import { ARCH_IDS, getArch } from './arch.js';
import { COST_KEYS, COST_PROFILE_IDS, getCostProfile } from './cost.js';
import { InvalidArgumentError } from './errors.js';
import { createKernel } from './kernel.js';

describe('arch profiles', () => {
  it('have the THREAD_SIZE of the era', () => {
    expect(getArch('i386').threadSize).toBe(8192);
    expect(getArch('i386-4k').threadSize).toBe(4096);
    expect(getArch('x86_64').threadSize).toBe(8192);
    expect(getArch('x86_64-16k').threadSize).toBe(16384);
    expect(getArch('ia64').pageSize).toBe(16384);
    expect(getArch('ia64').threadSize).toBe(32768);
    expect(getArch('ppc64').threadSize).toBe(16384);
    expect(getArch('i386').frameWarn).toBe(1024);
    expect(getArch('x86_64').frameWarn).toBe(2048);
    expect(ARCH_IDS).toHaveLength(9);
  });

  it('accept overrides of the entry depth', () => {
    expect(getArch('i386-4k', { syscallEntryDepth: 1000 }).syscallEntryDepth).toBe(1000);
  });

  it('reject unknown ids naming the accepted ones', () => {
    expect(() => getArch('vax')).toThrow(InvalidArgumentError);
    expect(() => getArch('vax')).toThrow(/invalid arch: "vax" \(accepted: i386, i386-4k, x86_64/);
  });
});

describe('cost profiles', () => {
  it('carry every figure with a kind and a source', () => {
    for (const id of COST_PROFILE_IDS) {
      const p = getCostProfile(id);
      for (const key of COST_KEYS) {
        const f = p.figures[key];
        expect(f.value, `${id}.${key}`).toBeGreaterThanOrEqual(0);
        expect(['M', 'D', 'E']).toContain(f.kind);
        expect(f.source.length, `${id}.${key} source`).toBeGreaterThan(0);
      }
    }
  });

  it('match the reference table (cost-model.md §2.1)', () => {
    const p4 = getCostProfile('p4-2006').figures;
    expect(p4.syscallEntryExit.value).toBe(641);
    expect(p4.kmallocFast.value + p4.kfreeFast.value).toBe(320);
    expect(p4.copyFixed.value).toBe(60);
    expect(p4.copyPerByte.value).toBe(0.4);
    expect(p4.spinLockIrqsaveRestore.value).toBe(220);
    const modern = getCostProfile('modern-x86_64').figures;
    expect(modern.kmallocFast.value + modern.kfreeFast.value).toBe(75);
    expect(modern.spinLockIrqsaveRestore.value).toBe(62);
    const mit = getCostProfile('modern-x86_64-mitigated').figures;
    expect(mit.syscallEntryExit.value).toBe(500);
    expect(mit.kmallocFast.value + mit.kfreeFast.value).toBe(110);
  });

  it('mark borrowed Itanium 2 figures as estimates', () => {
    const ia = getCostProfile('itanium2-2006').figures;
    expect(ia.syscallEntryExit.kind).toBe('E');
    expect(ia.syscallEntryExit.source).toMatch(/borrowed/);
    expect(ia.kmallocSlow.kind).toBe('M');
  });

  it('apply user overrides and reject bad ones', () => {
    const p = getCostProfile('p4-2006', { kmallocFast: 500 });
    expect(p.figures.kmallocFast).toEqual({ value: 500, kind: 'E', source: 'user override' });
    expect(() => getCostProfile('p4-2006', { kmallocFast: -1 })).toThrow(/cost figure kmallocFast: -1/);
    expect(() => getCostProfile('p4-2006', { nope: 1 } as never)).toThrow(/cost figure name: "nope"/);
    expect(() => getCostProfile('pentium')).toThrow(/invalid cost profile: "pentium" \(accepted: p4-2006/);
  });
});

describe('createKernel input checks', () => {
  it('names a bad seed and the accepted values', () => {
    expect(() => createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1.5 })).toThrow(/invalid seed: 1.5/);
    expect(() => createKernel({ arch: 'i386', cost: 'p4-2006', seed: '7' as never })).toThrow(
      /invalid seed: "7"/,
    );
    expect(() => createKernel({ arch: 'i386', cost: 'p4-2006', seed: -1 })).toThrow(InvalidArgumentError);
  });

  it('names a bad cpu count', () => {
    expect(() => createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, cpus: 0 })).toThrow(
      /invalid cpus: 0/,
    );
  });
});
