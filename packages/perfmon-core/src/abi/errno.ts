/**
 * Linux errno values (asm-generic/errno-base.h, errno.h; same on i386, x86_64 and ia64) used
 * by the simulated perfmon2 kernel, and the syscall result type.
 *
 * Syscalls return data, never throw: `{ ok: true, value } | { ok: false, errno }`.
 */

/** errno values by name. `ERESTARTSYS` (512) is kernel-internal; user space sees EINTR or a restart. */
export const Errno = Object.freeze({
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ENOSPC: 28,
  ENOSYS: 38,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  ERESTARTSYS: 512,
} as const);

export type ErrnoName = keyof typeof Errno;
/** A known errno value (the numeric union). */
export type Errno = (typeof Errno)[ErrnoName];

/** glibc `strerror` texts (kernel-internal ERESTARTSYS has none in libc; pfmsim's wording). */
const DESCRIPTIONS: { readonly [K in ErrnoName]: string } = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  E2BIG: 'Argument list too long',
  EBADF: 'Bad file descriptor',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  ENOTTY: 'Inappropriate ioctl for device',
  ENOSPC: 'No space left on device',
  ENOSYS: 'Function not implemented',
  EOVERFLOW: 'Value too large for defined data type',
  EOPNOTSUPP: 'Operation not supported',
  ERESTARTSYS: 'Interrupted system call (restart)',
};

const NAME_BY_VALUE = new Map<number, ErrnoName>(
  (Object.keys(Errno) as ErrnoName[]).map((name) => [Errno[name], name]),
);

export function isErrno(n: number): n is Errno {
  return NAME_BY_VALUE.has(n);
}

/** `errnoName(22) === 'EINVAL'`; an unknown value gives `'errno 99'`. */
export function errnoName(n: number): ErrnoName | `errno ${number}` {
  return NAME_BY_VALUE.get(n) ?? `errno ${n}`;
}

/** strerror-style text; an unknown value gives `'Unknown error 99'` as glibc does. */
export function errnoDescription(n: number): string {
  const name = NAME_BY_VALUE.get(n);
  return name === undefined ? `Unknown error ${n}` : DESCRIPTIONS[name];
}

// ---------------------------------------------------------------------------------------
// Syscall results
// ---------------------------------------------------------------------------------------

export interface SyscallOk<T> {
  readonly ok: true;
  readonly value: T;
}
export interface SyscallFail {
  readonly ok: false;
  readonly errno: Errno;
}
export type SyscallResult<T> = SyscallOk<T> | SyscallFail;

/** A shared, frozen `{ ok: true, value: undefined }`: `ok()` returns it without allocating. */
export const OK_VOID: SyscallOk<undefined> = Object.freeze({ ok: true, value: undefined });

export function ok(): SyscallOk<undefined>;
export function ok<T>(value: T): SyscallOk<T>;
export function ok<T>(...args: [] | [T]): SyscallOk<T | undefined> {
  return args.length === 0 ? OK_VOID : { ok: true, value: args[0] };
}

/** One frozen failure object per errno, so `fail(e)` never allocates on the hot path. */
const FAILURES = new Map<number, SyscallFail>(
  (Object.values(Errno) as Errno[]).map((errno) => [errno, Object.freeze({ ok: false, errno })]),
);

export function fail(errno: Errno): SyscallFail {
  const cached = FAILURES.get(errno);
  if (cached !== undefined) return cached;
  // Unreachable for well-typed callers; keeps an untyped caller's value instead of losing it.
  return Object.freeze({ ok: false, errno });
}
