import { getModel, listModelIds } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { PFMLIB_AMD64_PMU, PFMLIB_MAX_PMCS, PFMLIB_MAX_PMDS } from './constants.js';
import { PFMLIB_ERR_INVAL, PFMLIB_ERR_NOTSUPP } from './errors.js';
import { expectPfmError } from './pfm-error.test-util.js';
import {
  amd64Revision,
  atoi,
  fam10hRevision,
  parseForceCpu,
  parseForcePmu,
  pmuName,
  pmuNameByType,
  resolvePmu,
  toModel,
} from './pmu.js';

describe('atoi (LIBPFM_FORCE_PMU parsing)', () => {
  it.each([
    ['16', 16],
    ['  16,15', 16],
    ['-3', -3],
    ['+7x', 7],
    ['x12', 0],
    ['', 0],
  ])('%j → %i', (s, n) => {
    expect(atoi(s)).toBe(n);
  });
});

describe('amd64_get_revision (family 15)', () => {
  it.each([
    [5, 0, 'B'],
    [5, 1, 'B'],
    [5, 2, 'C'],
    [4, 0, 'B'],
    [4, 1, 'C'],
    [7, 0, 'C'],
    [0x10, 0, 'D'],
    [0x21, 2, 'E'],
    [0x37, 0, 'E'],
    [0x41, 2, 'F'],
    [0x5d, 0, 'F'],
    [0xc1, 0, 'F'],
    [0x7f, 0, 'G'],
    [0x90, 0, 'B'],
    [0xf0, 1, 'B'],
  ] as const)('model %i stepping %i → Rev%s', (model, stepping, rev) => {
    expect(amd64Revision(15, model, stepping)).toBe(rev);
  });
});

describe('amd64_get_revision (family 16, Family 10h)', () => {
  it.each([
    [0, 'B'],
    [2, 'B'],
    [3, 'B'],
    [4, 'C'],
    [5, 'C'],
    [6, 'C'],
    [7, 'B'],
    [8, 'D'],
    [9, 'D'],
    [10, 'E'],
    [11, 'B'],
  ] as const)('model %i → Rev%s', (model, rev) => {
    expect(fam10hRevision(model)).toBe(rev);
  });
});

describe('pmuName by AMD64 family', () => {
  it('K8 (family 15 or none), Family 10h, K7, another family; other types as named', () => {
    const k8 = getModel('amd64-k8');
    expect(pmuName(k8, 'C', 'D')).toBe('AMD64 (K8 RevC)');
    expect(pmuName(getModel('intel-p6'))).toBe('Intel P6 Processor Family');
    const ten = getModel('amd64-fam10h');
    expect(pmuName(ten)).toBe('AMD64 (Family 10h RevB, Barcelona)');
    expect(pmuName(ten, 'B', 'C')).toBe('AMD64 (Family 10h RevC, Shanghai)');
    expect(pmuName({ ...k8, cpu: { family: 6 } })).toBe('AMD64 (K7)');
    expect(pmuName({ ...k8, cpu: { family: 17 } })).toBe('AMD64 (family 17)');
    expect(pmuName(getModel('intel-p6'), 'C', 'C')).toBe('Intel P6 Processor Family');
  });
});

describe('LIBPFM_FORCE_PMU', () => {
  it('gives the AMD64 CPU only with type 16 and all three of family, model and stepping', () => {
    expect(parseForceCpu('16,16,2,2')).toStrictEqual({ family: 16, model: 2, stepping: 2 });
    expect(parseForceCpu('16, 15 ,65x,1')).toStrictEqual({ family: 15, model: 65, stepping: 1 });
    expect(parseForceCpu('16,16,2')).toBeUndefined();
    expect(parseForceCpu('16')).toBeUndefined();
    expect(parseForceCpu('32,16,2,2')).toBeUndefined();
  });

  it('takes family, model and stepping only for AMD64 and only all three', () => {
    expect(parseForcePmu(`${PFMLIB_AMD64_PMU},15,5,1`)).toStrictEqual({
      type: PFMLIB_AMD64_PMU,
      amd64Revision: 'B',
    });
    expect(parseForcePmu(`${PFMLIB_AMD64_PMU},15,5`)).toStrictEqual({ type: PFMLIB_AMD64_PMU });
    expect(parseForcePmu(`${PFMLIB_AMD64_PMU},16,5,1`)).toStrictEqual({ type: PFMLIB_AMD64_PMU });
    expect(parseForcePmu('3,15,5,1')).toStrictEqual({ type: 3 });
  });

  it('a forced revision names the K8 PMU', () => {
    const r = resolvePmu({ model: 'intel-p6', env: { LIBPFM_FORCE_PMU: `${PFMLIB_AMD64_PMU},15,5,1` } });
    expect(r.forced).toBe(true);
    expect(r.amd64Revision).toBe('B');
    expect(pmuName(r.model, r.amd64Revision)).toMatch(/\(K8 RevB\)$/);
    expect(pmuName(r.model)).toMatch(/\(K8 RevF\)$/);
  });
});

describe('resolvePmu errors', () => {
  it('an unknown model id: NOTSUPP listing the accepted ids', () => {
    expectPfmError(
      () => toModel('z80'),
      PFMLIB_ERR_NOTSUPP,
      `unknown PMU model "z80" (accepted: ${listModelIds().join(', ')})`,
    );
  });

  it('a forced type no supported PMU has', () => {
    expectPfmError(
      () => resolvePmu({ model: 'intel-p6', forcePmu: 999 }),
      PFMLIB_ERR_NOTSUPP,
      'no supported PMU has type 999 (forced)',
    );
  });

  it('no host model and nothing forced', () => {
    expectPfmError(
      () => resolvePmu({}),
      PFMLIB_ERR_NOTSUPP,
      'no supported PMU detected (no host model given)',
    );
  });

  it('pfm_get_pmu_name_bytype of an unsupported type: INVAL', () => {
    expectPfmError(() => pmuNameByType(999), PFMLIB_ERR_INVAL, 'no supported PMU has type 999');
  });

  it('a PMU with as many PMCs or PMDs as a regmask holds cannot be described: NOTSUPP', () => {
    const p6 = getModel('intel-p6');
    const wide = (pmcs: number, pmds: number) => ({
      ...p6,
      pmcs: Array.from({ length: pmcs }, () => p6.pmcs[0]!),
      pmds: Array.from({ length: pmds }, () => p6.pmds[0]!),
    });
    for (const model of [wide(PFMLIB_MAX_PMCS, 2), wide(2, PFMLIB_MAX_PMDS)]) {
      expectPfmError(
        () => resolvePmu({ model, supported: [] }),
        PFMLIB_ERR_NOTSUPP,
        'intel-p6 has more registers than libpfm can describe',
      );
    }
    expect(
      resolvePmu({ model: wide(PFMLIB_MAX_PMCS - 1, PFMLIB_MAX_PMDS - 1), supported: [] }).model.id,
    ).toBe('intel-p6');
  });
});
