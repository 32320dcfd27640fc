import { describe, expect, it } from 'vitest';
import { Errno, errnoDescription, errnoName, fail, isErrno } from './errno.js';

// asm-generic/errno-base.h + errno.h numbers (i386, x86_64, ia64 agree) and glibc's strerror
// text for each; ERESTARTSYS is kernel-internal (glibc says "Unknown error 512"), pfmsim words it.
const TABLE: readonly (readonly [number, string, string])[] = [
  [1, 'EPERM', 'Operation not permitted'],
  [2, 'ENOENT', 'No such file or directory'],
  [3, 'ESRCH', 'No such process'],
  [4, 'EINTR', 'Interrupted system call'],
  [5, 'EIO', 'Input/output error'],
  [6, 'ENXIO', 'No such device or address'],
  [7, 'E2BIG', 'Argument list too long'],
  [9, 'EBADF', 'Bad file descriptor'],
  [11, 'EAGAIN', 'Resource temporarily unavailable'],
  [12, 'ENOMEM', 'Cannot allocate memory'],
  [13, 'EACCES', 'Permission denied'],
  [14, 'EFAULT', 'Bad address'],
  [16, 'EBUSY', 'Device or resource busy'],
  [17, 'EEXIST', 'File exists'],
  [19, 'ENODEV', 'No such device'],
  [22, 'EINVAL', 'Invalid argument'],
  [23, 'ENFILE', 'Too many open files in system'],
  [24, 'EMFILE', 'Too many open files'],
  [25, 'ENOTTY', 'Inappropriate ioctl for device'],
  [28, 'ENOSPC', 'No space left on device'],
  [38, 'ENOSYS', 'Function not implemented'],
  [75, 'EOVERFLOW', 'Value too large for defined data type'],
  [95, 'EOPNOTSUPP', 'Operation not supported'],
  [512, 'ERESTARTSYS', 'Interrupted system call (restart)'],
];

describe('errno numbers, names and strerror texts', () => {
  it.each(TABLE)('%i is %s: "%s"', (n, name, text) => {
    expect(Errno[name as keyof typeof Errno]).toBe(n);
    expect(isErrno(n)).toBe(true);
    expect(errnoName(n)).toBe(name);
    expect(errnoDescription(n)).toBe(text);
  });

  it('knows exactly these errnos', () => {
    expect(Object.keys(Errno).sort()).toEqual(TABLE.map(([, name]) => name).sort());
  });

  it('unknown numbers (8 ENOEXEC, 10 ECHILD, 0) are not errnos perfmon returns', () => {
    for (const n of [0, 8, 10, 513]) {
      expect(isErrno(n)).toBe(false);
      expect(errnoName(n)).toBe(`errno ${n}`);
      expect(errnoDescription(n)).toBe(`Unknown error ${n}`);
    }
  });
});

describe('fail() with a value outside the table (an untyped caller)', () => {
  it('keeps the caller’s errno in a frozen failure instead of losing it', () => {
    const r = fail(99 as Errno);
    expect(r).toEqual({ ok: false, errno: 99 });
    expect(r.ok).toBe(false);
    expect(Object.isFrozen(r)).toBe(true);
    expect(errnoName(r.errno)).toBe('errno 99');
  });

  it('every known errno gives the shared failure with that errno', () => {
    for (const [n] of TABLE) {
      const r = fail(n as Errno);
      expect(r).toEqual({ ok: false, errno: n });
      expect(fail(n as Errno)).toBe(r);
    }
  });
});
