import { describe, expect, it } from 'vitest';
import {
  Errno,
  errnoDescription,
  errnoName,
  fail,
  isErrno,
  OK_VOID,
  ok,
  type SyscallResult,
} from './errno.js';

describe('errno', () => {
  it('has the Linux values', () => {
    expect(Errno).toMatchObject({
      EPERM: 1,
      ESRCH: 3,
      EINTR: 4,
      ENXIO: 6,
      E2BIG: 7,
      EBADF: 9,
      EAGAIN: 11,
      ENOMEM: 12,
      EFAULT: 14,
      EBUSY: 16,
      EEXIST: 17,
      EINVAL: 22,
      ENFILE: 23,
      ENOSYS: 38,
      EOVERFLOW: 75,
      ERESTARTSYS: 512,
    });
  });

  it('values are unique, so names round-trip', () => {
    for (const [name, value] of Object.entries(Errno)) expect(errnoName(value)).toBe(name);
    expect(new Set(Object.values(Errno)).size).toBe(Object.keys(Errno).length);
  });

  it('names and describes unknown values without throwing', () => {
    expect(errnoName(99)).toBe('errno 99');
    expect(isErrno(22)).toBe(true);
    expect(isErrno(99)).toBe(false);
    expect(errnoDescription(Errno.EINVAL)).toBe('Invalid argument');
    expect(errnoDescription(Errno.E2BIG)).toBe('Argument list too long');
    expect(errnoDescription(99)).toBe('Unknown error 99');
  });
});

describe('syscall results', () => {
  it('ok/fail build the two shapes', () => {
    const good: SyscallResult<number> = ok(3);
    const bad: SyscallResult<number> = fail(Errno.EBADF);
    expect(good).toEqual({ ok: true, value: 3 });
    expect(bad).toEqual({ ok: false, errno: 9 });
    if (!bad.ok) expect(errnoName(bad.errno)).toBe('EBADF');
  });

  it('ok() and fail(e) return shared frozen objects (no allocation on hot paths)', () => {
    expect(ok()).toBe(OK_VOID);
    expect(ok()).toEqual({ ok: true, value: undefined });
    expect(fail(Errno.EINVAL)).toBe(fail(Errno.EINVAL));
    expect(Object.isFrozen(fail(Errno.EINVAL))).toBe(true);
    expect(Object.isFrozen(OK_VOID)).toBe(true);
  });
});
