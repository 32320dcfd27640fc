import { describe, expect, it } from 'vitest';
import { formatBug, type KernelBug, ThreadKilled } from './bugs.js';
import { checkInteger, checkOneOf, formatValue, InvalidArgumentError, KernelSimError } from './errors.js';

describe('library errors', () => {
  it('name the value, what it was for and what is accepted', () => {
    const e = new InvalidArgumentError('cpus', 0, 'an integer from 1 to 64');
    expect(e).toBeInstanceOf(KernelSimError);
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.what, e.value, e.accepted]).toEqual([
      'InvalidArgumentError',
      'cpus',
      0,
      'an integer from 1 to 64',
    ]);
    expect(e.message).toBe('invalid cpus: 0 (accepted: an integer from 1 to 64)');
    expect(new KernelSimError('x').name).toBe('KernelSimError');
  });

  it('quote strings, mark bigints and print the rest as JavaScript does', () => {
    expect(formatValue('i386')).toBe('"i386"');
    expect(formatValue('')).toBe('""');
    expect(formatValue(5n)).toBe('5n');
    expect(formatValue(1.5)).toBe('1.5');
    expect(formatValue(null)).toBe('null');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue(Number.NaN)).toBe('NaN');
  });

  it('checkInteger takes integers within the bounds, both ends included', () => {
    expect(checkInteger('n', 0)).toBe(0);
    expect(checkInteger('n', 1, 1, 3)).toBe(1);
    expect(checkInteger('n', 3, 1, 3)).toBe(3);
    for (const bad of [0, 4, 2.5, Number.NaN, '2', 2n, null]) {
      expect(() => checkInteger('n', bad, 1, 3)).toThrow(
        `invalid n: ${formatValue(bad)} (accepted: an integer from 1 to 3)`,
      );
    }
    expect(() => checkInteger('n', -1)).toThrow(
      'invalid n: -1 (accepted: an integer from 0 to 9007199254740991)',
    );
  });

  it('checkOneOf takes only the listed strings', () => {
    const kinds = ['exhaustive', 'random'] as const;
    expect(checkOneOf('mode', 'random', kinds)).toBe('random');
    for (const bad of ['pct', 'Random', '', 1, null, ['random']]) {
      expect(() => checkOneOf('mode', bad, kinds)).toThrow(
        `invalid mode: ${formatValue(bad)} (accepted: exhaustive, random)`,
      );
    }
  });
});

describe('kernel bug reports', () => {
  const bug: KernelBug = {
    kind: 'sleep-in-atomic',
    message: 'sleeping function called from invalid context: copy_from_user called',
    thread: 'T1 reader',
    syscall: 'pfm_read_pmds',
    heldLocks: ['ctx->lock', 'pmu_lock'],
    replay: '42:1.0',
    detail: {},
  };

  it('print the kind, message, thread, call, locks and replay', () => {
    expect(formatBug(bug)).toBe(
      'sleep-in-atomic: sleeping function called from invalid context: copy_from_user called ' +
        '(thread T1 reader in pfm_read_pmds holding [ctx->lock, pmu_lock]; replay 42:1.0)',
    );
    expect(formatBug({ ...bug, syscall: null, heldLocks: [] })).toBe(
      'sleep-in-atomic: sleeping function called from invalid context: copy_from_user called ' +
        '(thread T1 reader; replay 42:1.0)',
    );
  });

  it('a fatal one travels as ThreadKilled, carrying the bug', () => {
    const e = new ThreadKilled(bug);
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.bug]).toEqual(['ThreadKilled', bug]);
    expect(e.message).toBe(`thread killed: sleep-in-atomic: ${bug.message}`);
  });
});
