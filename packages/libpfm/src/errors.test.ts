import { describe, expect, it } from 'vitest';
import {
  isPfmError,
  PFMLIB_ERR_BADHOST,
  PFMLIB_ERR_DRRINVAL,
  PFMLIB_ERR_DRRTOOMANY,
  PFMLIB_ERR_EVTINCOMP,
  PFMLIB_ERR_EVTMANY,
  PFMLIB_ERR_EVTSET,
  PFMLIB_ERR_FEATCOMB,
  PFMLIB_ERR_FULL,
  PFMLIB_ERR_INVAL,
  PFMLIB_ERR_IRRALIGN,
  PFMLIB_ERR_IRREMPTY,
  PFMLIB_ERR_IRRFLAGS,
  PFMLIB_ERR_IRRINVAL,
  PFMLIB_ERR_IRRTOOBIG,
  PFMLIB_ERR_IRRTOOMANY,
  PFMLIB_ERR_MAGIC,
  PFMLIB_ERR_NOASSIGN,
  PFMLIB_ERR_NOINIT,
  PFMLIB_ERR_NOMEM,
  PFMLIB_ERR_NOTFOUND,
  PFMLIB_ERR_NOTSUPP,
  PFMLIB_ERR_TOOMANY,
  PFMLIB_ERR_UMASK,
  PFMLIB_ERROR_NAMES,
  PFMLIB_SUCCESS,
  PfmError,
  pfmErrorName,
  pfmStrerror,
} from './index.js';

// libpfm-and-tools.md §1.8 and libpfm-3.10 pfmlib_common.c pfmlib_err_list.
const TABLE: [number, string, string][] = [
  [PFMLIB_SUCCESS, 'PFMLIB_SUCCESS', 'success'],
  [PFMLIB_ERR_NOTSUPP, 'PFMLIB_ERR_NOTSUPP', 'not supported'],
  [PFMLIB_ERR_INVAL, 'PFMLIB_ERR_INVAL', 'invalid parameters'],
  [PFMLIB_ERR_NOINIT, 'PFMLIB_ERR_NOINIT', 'pfmlib not initialized'],
  [PFMLIB_ERR_NOTFOUND, 'PFMLIB_ERR_NOTFOUND', 'event not found'],
  [PFMLIB_ERR_NOASSIGN, 'PFMLIB_ERR_NOASSIGN', 'cannot assign events to counters'],
  [PFMLIB_ERR_FULL, 'PFMLIB_ERR_FULL', 'buffer is full or too small'],
  [PFMLIB_ERR_EVTMANY, 'PFMLIB_ERR_EVTMANY', 'event used more than once'],
  [PFMLIB_ERR_MAGIC, 'PFMLIB_ERR_MAGIC', 'invalid model specific magic number'],
  [PFMLIB_ERR_FEATCOMB, 'PFMLIB_ERR_FEATCOMB', 'invalid combination of model specific features'],
  [PFMLIB_ERR_EVTSET, 'PFMLIB_ERR_EVTSET', 'incompatible event sets'],
  [PFMLIB_ERR_EVTINCOMP, 'PFMLIB_ERR_EVTINCOMP', 'incompatible events combination'],
  [PFMLIB_ERR_TOOMANY, 'PFMLIB_ERR_TOOMANY', 'too many events or unit masks'],
  [PFMLIB_ERR_IRRTOOBIG, 'PFMLIB_ERR_IRRTOOBIG', 'code range too big'],
  [PFMLIB_ERR_IRREMPTY, 'PFMLIB_ERR_IRREMPTY', 'empty code range'],
  [PFMLIB_ERR_IRRINVAL, 'PFMLIB_ERR_IRRINVAL', 'invalid code range'],
  [PFMLIB_ERR_IRRTOOMANY, 'PFMLIB_ERR_IRRTOOMANY', 'too many code ranges'],
  [PFMLIB_ERR_DRRINVAL, 'PFMLIB_ERR_DRRINVAL', 'invalid data range'],
  [PFMLIB_ERR_DRRTOOMANY, 'PFMLIB_ERR_DRRTOOMANY', 'too many data ranges'],
  [PFMLIB_ERR_BADHOST, 'PFMLIB_ERR_BADHOST', 'not supported by host cpu'],
  [PFMLIB_ERR_IRRALIGN, 'PFMLIB_ERR_IRRALIGN', 'code range is not bundle-aligned'],
  [PFMLIB_ERR_IRRFLAGS, 'PFMLIB_ERR_IRRFLAGS', 'code range requires some flags in rr_flags'],
  [PFMLIB_ERR_UMASK, 'PFMLIB_ERR_UMASK', 'invalid or missing unit mask'],
  [PFMLIB_ERR_NOMEM, 'PFMLIB_ERR_NOMEM', 'out of memory'],
];

describe('libpfm error codes', () => {
  it.each(TABLE)('code %i is %s, "%s"', (code, name, text) => {
    expect(pfmStrerror(code)).toBe(text);
    expect(pfmErrorName(code)).toBe(name);
    expect(PFMLIB_ERROR_NAMES[code as keyof typeof PFMLIB_ERROR_NAMES]).toBe(name);
  });

  it('numbers the codes 0 to -23 without gaps', () => {
    expect(TABLE.map(([c]) => c).sort((a, b) => b - a)).toEqual(
      Array.from({ length: 24 }, (_, i) => (i === 0 ? 0 : -i)),
    );
  });

  it.each([1, -24, -100, 5, 0.5, Number.NaN])('pfm_strerror(%d) is "unknown error code"', (code) => {
    expect(pfmStrerror(code)).toBe('unknown error code');
    expect(pfmErrorName(code)).toBeUndefined();
  });
});

describe('PfmError', () => {
  it('carries the code, its name, the libpfm string and the detail', () => {
    const e = new PfmError(PFMLIB_ERR_NOASSIGN, 'FLOPS and CYCLES_DIV_BUSY both need counter 0', {
      events: ['FLOPS', 'CYCLES_DIV_BUSY'],
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('PfmError');
    expect(e.code).toBe(-5);
    expect(e.codeName).toBe('PFMLIB_ERR_NOASSIGN');
    expect(e.reason).toBe('cannot assign events to counters');
    expect(e.detail).toBe('FLOPS and CYCLES_DIV_BUSY both need counter 0');
    expect(e.message).toBe('cannot assign events to counters: FLOPS and CYCLES_DIV_BUSY both need counter 0');
    expect(e.events).toEqual(['FLOPS', 'CYCLES_DIV_BUSY']);
  });

  it('is the bare libpfm string without a detail', () => {
    const e = new PfmError(PFMLIB_ERR_NOMEM);
    expect(e.message).toBe('out of memory');
    expect(e.events).toEqual([]);
  });

  it('isPfmError matches the class and optionally the code', () => {
    const e = new PfmError(PFMLIB_ERR_UMASK, 'x');
    expect(isPfmError(e)).toBe(true);
    expect(isPfmError(e, PFMLIB_ERR_UMASK)).toBe(true);
    expect(isPfmError(e, PFMLIB_ERR_INVAL)).toBe(false);
    expect(isPfmError(new Error('x'))).toBe(false);
  });
});
