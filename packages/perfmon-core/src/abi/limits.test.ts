import { describe, expect, it } from 'vitest';
import {
  argLimitTable,
  exceedsArgLimit,
  INT_MAX,
  isArgCountValid,
  maxArgCountForLimit,
  PFM_MAX_ARG_COUNT,
  pfmMaxArgCount,
} from './limits.js';
import { getAbiProfile } from './profiles.js';

describe('§4.3 per-call limits', () => {
  it('matches the reference table at limit = 4096 (v2.2 and v2.3)', () => {
    for (const id of ['v2.2', 'v2.3'] as const) {
      expect(argLimitTable(getAbiProfile(id), 4096)).toEqual([
        { kind: 'pmc', struct: 'pfarg_pmc', size: 48, maxCount: 85, maxArgCount: 44_739_242 },
        { kind: 'pmd', struct: 'pfarg_pmd', size: 176, maxCount: 23, maxArgCount: 12_201_611 },
        { kind: 'setdesc', struct: 'pfarg_setdesc', size: 64, maxCount: 64, maxArgCount: 33_554_431 },
        { kind: 'setinfo', struct: 'pfarg_setinfo', size: 192, maxCount: 21, maxArgCount: 11_184_810 },
      ]);
    }
  });

  it('ia64 with 16 KiB pages: 93 pfarg_pmd', () => {
    expect(maxArgCountForLimit(176, 16384)).toBe(93);
    const row = argLimitTable(getAbiProfile('v2.3'), 16384).find((r) => r.kind === 'pmd');
    expect(row?.maxCount).toBe(93);
  });

  it('24 × 176 = 4224 > 4096 gives E2BIG; 23 does not', () => {
    expect(exceedsArgLimit(23, 176, 4096)).toBe(false);
    expect(exceedsArgLimit(24, 176, 4096)).toBe(true);
    expect(24 * 176).toBe(4224);
    expect(exceedsArgLimit(85, 48, 4096)).toBe(false);
    expect(exceedsArgLimit(86, 48, 4096)).toBe(true);
  });

  it('v2-compact and v3 tables', () => {
    expect(argLimitTable(getAbiProfile('v2-compact'), 4096).map((r) => [r.size, r.maxCount])).toEqual([
      [16, 256],
      [144, 28],
      [24, 170],
      [160, 25],
    ]);
    expect(argLimitTable(getAbiProfile('v3'), 4096)).toEqual([
      { kind: 'pmr', struct: 'pfarg_pmr', size: 16, maxCount: 256, maxArgCount: 134_217_727 },
    ]);
  });
});

describe('PFM_MAX_ARG_COUNT', () => {
  it('is floor(INT_MAX / size)', () => {
    expect(INT_MAX).toBe(2147483647);
    expect(PFM_MAX_ARG_COUNT(48)).toBe(44_739_242);
    expect(pfmMaxArgCount(176)).toBe(12_201_611);
    expect(pfmMaxArgCount(64)).toBe(33_554_431);
    expect(pfmMaxArgCount(192)).toBe(11_184_810);
    expect(pfmMaxArgCount(1)).toBe(INT_MAX);
  });

  it('so count × size never exceeds INT_MAX for a valid count', () => {
    for (const size of [16, 24, 48, 144, 160, 176, 192]) {
      const max = pfmMaxArgCount(size);
      expect((max - 1) * size).toBeLessThanOrEqual(INT_MAX);
      expect(isArgCountValid(max - 1, size)).toBe(true);
      expect(isArgCountValid(max, size)).toBe(false); // `count >= PFM_MAX_ARG_COUNT` → EINVAL
    }
  });

  it('rejects negative and non-integer counts; 0 is valid', () => {
    expect(isArgCountValid(-1, 48)).toBe(false);
    expect(isArgCountValid(0, 48)).toBe(true);
    expect(isArgCountValid(1.5, 48)).toBe(false);
  });

  it('refuses nonsense sizes and limits', () => {
    expect(() => pfmMaxArgCount(0)).toThrow(RangeError);
    expect(() => maxArgCountForLimit(48, -1)).toThrow(RangeError);
  });
});
