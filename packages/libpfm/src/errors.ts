/**
 * libpfm-3.x error codes (`PFMLIB_ERR_*`) and `pfm_strerror`.
 *
 * The numbers and strings are those of libpfm-3.10 `pfmlib_common.c` (`pfmlib_err_list`,
 * indexed by `-code`); an out-of-range code gives "unknown error code". Every failure of
 * this package is raised as one {@link PfmError} carrying the code, its `PFMLIB_ERR_*` name
 * and a message that starts with the libpfm string and then names what was wrong (the event,
 * unit mask or counter involved).
 */

export const PFMLIB_SUCCESS = 0;
export const PFMLIB_ERR_NOTSUPP = -1;
export const PFMLIB_ERR_INVAL = -2;
export const PFMLIB_ERR_NOINIT = -3;
export const PFMLIB_ERR_NOTFOUND = -4;
export const PFMLIB_ERR_NOASSIGN = -5;
export const PFMLIB_ERR_FULL = -6;
export const PFMLIB_ERR_EVTMANY = -7;
export const PFMLIB_ERR_MAGIC = -8;
export const PFMLIB_ERR_FEATCOMB = -9;
export const PFMLIB_ERR_EVTSET = -10;
export const PFMLIB_ERR_EVTINCOMP = -11;
export const PFMLIB_ERR_TOOMANY = -12;
export const PFMLIB_ERR_IRRTOOBIG = -13;
export const PFMLIB_ERR_IRREMPTY = -14;
export const PFMLIB_ERR_IRRINVAL = -15;
export const PFMLIB_ERR_IRRTOOMANY = -16;
export const PFMLIB_ERR_DRRINVAL = -17;
export const PFMLIB_ERR_DRRTOOMANY = -18;
export const PFMLIB_ERR_BADHOST = -19;
export const PFMLIB_ERR_IRRALIGN = -20;
export const PFMLIB_ERR_IRRFLAGS = -21;
export const PFMLIB_ERR_UMASK = -22;
export const PFMLIB_ERR_NOMEM = -23;

/** Every `PFMLIB_ERR_*` name (and SUCCESS) by code. */
export const PFMLIB_ERROR_NAMES = {
  0: 'PFMLIB_SUCCESS',
  [-1]: 'PFMLIB_ERR_NOTSUPP',
  [-2]: 'PFMLIB_ERR_INVAL',
  [-3]: 'PFMLIB_ERR_NOINIT',
  [-4]: 'PFMLIB_ERR_NOTFOUND',
  [-5]: 'PFMLIB_ERR_NOASSIGN',
  [-6]: 'PFMLIB_ERR_FULL',
  [-7]: 'PFMLIB_ERR_EVTMANY',
  [-8]: 'PFMLIB_ERR_MAGIC',
  [-9]: 'PFMLIB_ERR_FEATCOMB',
  [-10]: 'PFMLIB_ERR_EVTSET',
  [-11]: 'PFMLIB_ERR_EVTINCOMP',
  [-12]: 'PFMLIB_ERR_TOOMANY',
  [-13]: 'PFMLIB_ERR_IRRTOOBIG',
  [-14]: 'PFMLIB_ERR_IRREMPTY',
  [-15]: 'PFMLIB_ERR_IRRINVAL',
  [-16]: 'PFMLIB_ERR_IRRTOOMANY',
  [-17]: 'PFMLIB_ERR_DRRINVAL',
  [-18]: 'PFMLIB_ERR_DRRTOOMANY',
  [-19]: 'PFMLIB_ERR_BADHOST',
  [-20]: 'PFMLIB_ERR_IRRALIGN',
  [-21]: 'PFMLIB_ERR_IRRFLAGS',
  [-22]: 'PFMLIB_ERR_UMASK',
  [-23]: 'PFMLIB_ERR_NOMEM',
} as const;

/** A libpfm return code: 0 or one of the negative `PFMLIB_ERR_*` values. */
export type PfmErrorCode = keyof typeof PFMLIB_ERROR_NAMES;
export type PfmErrorCodeName = (typeof PFMLIB_ERROR_NAMES)[PfmErrorCode];

/** `pfmlib_err_list` of libpfm-3.10, indexed by `-code`. */
const ERROR_STRINGS: readonly string[] = [
  'success',
  'not supported',
  'invalid parameters',
  'pfmlib not initialized',
  'event not found',
  'cannot assign events to counters',
  'buffer is full or too small',
  'event used more than once',
  'invalid model specific magic number',
  'invalid combination of model specific features',
  'incompatible event sets',
  'incompatible events combination',
  'too many events or unit masks',
  'code range too big',
  'empty code range',
  'invalid code range',
  'too many code ranges',
  'invalid data range',
  'too many data ranges',
  'not supported by host cpu',
  'code range is not bundle-aligned',
  'code range requires some flags in rr_flags',
  'invalid or missing unit mask',
  'out of memory',
];

/** `pfm_strerror(code)`: the libpfm message for a code, "unknown error code" out of range. */
export function pfmStrerror(code: number): string {
  // A positive, fractional or too negative code indexes no entry.
  return ERROR_STRINGS[-code] ?? 'unknown error code';
}

/** The `PFMLIB_ERR_*` name of a code, or undefined for a code libpfm does not define. */
export function pfmErrorName(code: number): PfmErrorCodeName | undefined {
  return (PFMLIB_ERROR_NAMES as Record<number, PfmErrorCodeName>)[code];
}

export interface PfmErrorOptions {
  /** Names of the events involved, in input order, where there are any. */
  readonly events?: readonly string[];
}

/**
 * The one error class of this package. `code` is the libpfm code (e.g. -5), `codeName` its
 * `PFMLIB_ERR_*` name, and the message is `pfm_strerror(code)` followed by the detail, e.g.
 * `cannot assign events to counters: FLOPS and CYCLES_DIV_BUSY both need counter 0`.
 */
export class PfmError extends Error {
  override readonly name = 'PfmError';
  readonly code: Exclude<PfmErrorCode, 0>;
  readonly codeName: PfmErrorCodeName;
  /** The libpfm string alone (`pfm_strerror(code)`). */
  readonly reason: string;
  /** What was wrong, without the libpfm string. */
  readonly detail: string;
  readonly events: readonly string[];

  constructor(code: Exclude<PfmErrorCode, 0>, detail = '', options: PfmErrorOptions = {}) {
    const reason = pfmStrerror(code);
    super(detail === '' ? reason : `${reason}: ${detail}`);
    this.code = code;
    this.codeName = PFMLIB_ERROR_NAMES[code];
    this.reason = reason;
    this.detail = detail;
    this.events = [...(options.events ?? [])];
  }
}

/** True when `error` is a {@link PfmError}, optionally with the given code. */
export function isPfmError(error: unknown, code?: number): error is PfmError {
  return error instanceof PfmError && (code === undefined || error.code === code);
}
