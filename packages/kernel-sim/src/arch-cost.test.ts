import { describe, expect, it } from 'vitest';
import { ARCH_IDS, getArch, listArchs } from './arch.js';
import { COST_KEYS, COST_PROFILE_IDS, costValues, getCostProfile, listCostProfiles } from './cost.js';
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

describe('profile lookups', () => {
  it('reject names inherited from Object.prototype', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(() => getArch(name), name).toThrow(`invalid arch: "${name}"`);
      expect(() => getCostProfile(name), name).toThrow(`invalid cost profile: "${name}"`);
    }
  });
});

describe('arch table (perfmon2-abi.md §7 THREAD_SIZE, documented entry depths)', () => {
  // id: wordSize, pageSize, threadSize, reservedBytes, syscallEntryDepth, frameWarn, l1CacheBytes
  const table: Record<string, number[]> = {
    i386: [4, 4096, 8192, 56, 160, 1024, 128],
    'i386-4k': [4, 4096, 4096, 56, 160, 1024, 128],
    x86_64: [8, 4096, 8192, 0, 272, 2048, 64],
    'x86_64-16k': [8, 4096, 16384, 0, 272, 2048, 64],
    ia64: [8, 16384, 32768, 16384, 400, 2048, 128],
    ppc32: [4, 4096, 8192, 64, 256, 1024, 32],
    ppc64: [8, 4096, 16384, 128, 452, 2048, 128],
    mips64: [8, 4096, 16384, 128, 372, 2048, 32],
    sparc64: [8, 8192, 16384, 128, 400, 2048, 32],
  };

  it('lists every arch in id order with its figures', () => {
    expect(listArchs().map((a) => a.id)).toEqual([...ARCH_IDS]);
    expect(Object.keys(table)).toEqual([...ARCH_IDS]);
    for (const a of listArchs()) {
      expect(
        [
          a.wordSize,
          a.pageSize,
          a.threadSize,
          a.reservedBytes,
          a.syscallEntryDepth,
          a.frameWarn,
          a.l1CacheBytes,
        ],
        a.id,
      ).toEqual(table[a.id]);
      expect(getArch(a.id)).toEqual(a);
    }
  });

  it('describe each arch and name the source of its stack size and entry depth', () => {
    for (const a of listArchs()) {
      expect(a.description.length, a.id).toBeGreaterThan(10);
      expect(a.sources.length, a.id).toBeGreaterThanOrEqual(2);
      for (const s of a.sources) expect(s.length, a.id).toBeGreaterThan(10);
      expect(
        a.sources.some((s) => s.includes('perfmon2-abi.md §7')),
        a.id,
      ).toBe(true);
      expect(
        a.sources.some((s) => s.startsWith('entry depth: documented assumption')),
        a.id,
      ).toBe(true);
    }
    expect(getArch('i386').sources).toContain('L1 128 B: CONFIG_MPENTIUM4 X86_L1_CACHE_SHIFT=7');
    expect(getArch('ia64').sources).toContain('RBS/task_struct share: UNVERIFIED assumption');
  });

  it('apply overrides to a copy', () => {
    const a = getArch('i386', { threadSize: 4096, frameWarn: 512 });
    expect([a.threadSize, a.frameWarn, a.pageSize]).toEqual([4096, 512, 4096]);
    expect(getArch('i386').threadSize).toBe(8192);
  });
});

describe('cost profile table', () => {
  it('lists every profile in id order with its id, description and clock', () => {
    expect(listCostProfiles().map((p) => p.id)).toEqual([...COST_PROFILE_IDS]);
    expect(listCostProfiles().map((p) => p.clockHz)).toEqual([3.0e9, 2.33e9, 2.0e9, 1.5e9, 3.5e9, 2.45e9]);
    for (const p of listCostProfiles()) {
      expect(getCostProfile(p.id)).toBe(p);
      expect(p.description.length, p.id).toBeGreaterThan(10);
    }
    expect(getCostProfile('itanium2-2006').description).toMatch(/Itanium 2/);
    expect(getCostProfile('modern-x86_64-mitigated').description).toMatch(/mitigations/);
  });

  it('a kmalloc or kfree figure derived from a pair names the 40/60 split', () => {
    for (const p of listCostProfiles()) {
      if (p.id === 'modern-x86_64-mitigated' || p.id === 'itanium2-2006' || p.id === 'modern-x86_64')
        continue;
      expect(p.figures.kmallocFast.source, p.id).toContain('cost-model.md §0: 40 % alloc / 60 % free split');
      expect(p.figures.kfreeFast.source, p.id).toContain('cost-model.md §0: 40 % alloc / 60 % free split');
    }
    expect(getCostProfile('modern-x86_64').figures.kfreeFast.source).toContain('40 % alloc / 60 % free');
  });

  it('an estimate with no named source says it is UNVERIFIED', () => {
    const f = getCostProfile('p4-2006').figures.cacheLineTransfer;
    expect(f).toEqual({ value: 300, kind: 'E', source: 'no source measurement (UNVERIFIED)' });
    expect(getCostProfile('core2-2007').figures.fdLookup.source).toBe('no source measurement (UNVERIFIED)');
  });

  it('an override replaces one figure and keeps the others', () => {
    const base = getCostProfile('k8-2006');
    const p = getCostProfile('k8-2006', { atomicRmw: 0 });
    expect(p.figures.atomicRmw.value).toBe(0);
    expect(p.id).toBe('k8-2006');
    for (const key of COST_KEYS)
      if (key !== 'atomicRmw') expect(p.figures[key], key).toEqual(base.figures[key]);
    expect(base.figures.atomicRmw.value).toBe(20);
  });

  it('rejects an override that is not a finite number >= 0', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5', null]) {
      expect(() => getCostProfile('p4-2006', { copyFixed: bad as number })).toThrow(
        `invalid cost figure copyFixed: ${typeof bad === 'string' ? `"${bad}"` : String(bad)} (accepted: a finite number >= 0)`,
      );
    }
    expect(() => getCostProfile('p4-2006', { nope: 1 } as never)).toThrow(
      `invalid cost figure name: "nope" (accepted: ${COST_KEYS.join(', ')})`,
    );
  });

  it('gives each profile one frozen table of plain values', () => {
    const p = getCostProfile('modern-x86_64');
    const v = costValues(p);
    expect(costValues(p)).toBe(v);
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.keys(v)).toEqual([...COST_KEYS]);
    expect(v.spinLockUnlock).toBe(33);
    expect(costValues(getCostProfile('modern-x86_64', { spinLockUnlock: 40 })).spinLockUnlock).toBe(40);
  });
});
