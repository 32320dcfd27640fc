import { describe, expect, it } from 'vitest';
import { PFM_SYSCALL_NAMES, PFM_V3_SYSCALL_NAMES } from './constants.js';
import {
  ABI_PROFILE_IDS,
  type AbiProfile,
  assertV2Profile,
  DEFAULT_ABI_PROFILE_ID,
  getAbiProfile,
  isAbiProfileId,
  listAbiProfiles,
  UnknownAbiProfileError,
} from './profiles.js';

describe('profiles', () => {
  it('lists v2.3 (default), v2.2, v2-compact, v3', () => {
    expect(ABI_PROFILE_IDS).toEqual(['v2.3', 'v2.2', 'v2-compact', 'v3']);
    expect(DEFAULT_ABI_PROFILE_ID).toBe('v2.3');
    expect(listAbiProfiles().map((p) => p.id)).toEqual(ABI_PROFILE_IDS);
    for (const id of ABI_PROFILE_IDS) expect(getAbiProfile(id).id).toBe(id);
  });

  it('names the bad id and the accepted ones', () => {
    expect(() => getAbiProfile('v2.4')).toThrow(UnknownAbiProfileError);
    expect(() => getAbiProfile('v2.4')).toThrow(
      'unknown ABI profile "v2.4"; accepted: v2.3 (default), v2.2, v2-compact, v3',
    );
    try {
      getAbiProfile('V2.3');
    } catch (e) {
      expect(e).toBeInstanceOf(UnknownAbiProfileError);
      expect((e as UnknownAbiProfileError).id).toBe('V2.3');
      expect((e as UnknownAbiProfileError).accepted).toEqual(ABI_PROFILE_IDS);
      expect((e as Error).name).toBe('UnknownAbiProfileError');
    }
    expect(isAbiProfileId('v3')).toBe(true);
    expect(isAbiProfileId('toString')).toBe(false);
  });

  it('is immutable', () => {
    const p = getAbiProfile('v2.3');
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.layouts)).toBe(true);
    expect(Object.isFrozen(p.sizes)).toBe(true);
    expect(Object.isFrozen(p.layouts.pmd.fields[0])).toBe(true);
  });

  it('v2 profiles have the 12 calls in order; v3 has five', () => {
    for (const id of ['v2.2', 'v2.3', 'v2-compact'] as const) {
      const p = getAbiProfile(id);
      expect(p.syscallCount).toBe(12);
      expect(p.syscalls.map((s) => s.name)).toEqual(PFM_SYSCALL_NAMES);
      expect(p.syscalls.map((s) => s.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }
    const v3 = getAbiProfile('v3');
    expect(v3.syscallCount).toBe(5);
    expect(v3.syscalls.map((s) => s.name)).toEqual(PFM_V3_SYSCALL_NAMES);
    expect(v3.maxMsgs).toBe(0);
  });

  it('assertV2Profile narrows, and refuses v3', () => {
    const p: AbiProfile = getAbiProfile('v2.2');
    assertV2Profile(p);
    expect(p.sizes.ctx).toBe(128);
    expect(() => assertV2Profile(getAbiProfile('v3'))).toThrow(
      'ABI profile v3 is not a perfmon2 v2.x profile',
    );
  });
});

describe('v2.2 vs v2.3 differences (§0.1)', () => {
  const v22 = getAbiProfile('v2.2');
  const v23 = getAbiProfile('v2.3');

  it.each([
    ['versionString', '2.2', '2.3'],
    ['createContextReturnsFd', false, true],
    ['loadContextFaultBeforeBadf', false, true],
    ['timeoutUnit', 'us', 'ns'],
    ['maxMsgs', 7, 8],
    ['rsvdMaskMeansReserved', false, true],
    ['limitName', 'arg_size_max', 'arg_mem_max'],
    ['randomReset', 'carta_random32', 'random32'],
    ['samplingFormatBy', 'uuid', 'name'],
  ] as const)('%s: %s → %s', (key, a, b) => {
    expect(v22[key]).toBe(a);
    expect(v23[key]).toBe(b);
  });

  it('pfarg_ctx 128 → 64 B; everything else keeps its size', () => {
    expect([v22.sizes.ctx, v23.sizes.ctx]).toEqual([128, 64]);
    for (const k of ['pmc', 'pmd', 'load', 'start', 'setdesc', 'setinfo', 'msg'] as const) {
      expect(v22.sizes[k]).toBe(v23.sizes[k]);
    }
  });

  it('profile offsets record where the differing fields live', () => {
    expect(v22.offsets).toEqual({
      ctxFlags: 16,
      ctxFd: 20,
      ctxSmplBufSize: 24,
      pmdRandomSeed: 144,
      setdescTimeout: 8,
      setinfoTimeout: 56,
      timeoutIsU64: false,
    });
    expect(v23.offsets).toEqual({
      ctxFlags: 0,
      ctxFd: -1,
      ctxSmplBufSize: -1,
      pmdRandomSeed: 144,
      setdescTimeout: 8,
      setinfoTimeout: 56,
      timeoutIsU64: true,
    });
    expect(getAbiProfile('v2-compact').offsets.pmdRandomSeed).toBe(-1);
  });

  it('v2-compact has v2.3 semantics', () => {
    const c = getAbiProfile('v2-compact');
    for (const key of [
      'versionString',
      'createContextReturnsFd',
      'loadContextFaultBeforeBadf',
      'timeoutUnit',
      'maxMsgs',
      'rsvdMaskMeansReserved',
      'limitName',
      'randomReset',
      'samplingFormatBy',
    ] as const) {
      expect(c[key]).toBe(v23[key]);
    }
  });
});
