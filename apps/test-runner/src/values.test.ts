import { describe, expect, it } from 'vitest';
import { CONSTANTS, ERRNO_NAMES, hex, INT_STRING_PATTERN, normalizeYaml, toBigInt } from './values.js';

describe('integers in scenario files', () => {
  it('numbers, hex/binary/negative strings, constants and A | B', () => {
    expect(toBigInt(42)).toBe(42n);
    expect(toBigInt('0xffffffffffffffff')).toBe(0xffffffffffffffffn);
    expect(toBigInt('-100000')).toBe(-100000n);
    expect(toBigInt('0b101')).toBe(5n);
    expect(toBigInt('REGFL_OVFL_NOTIFY')).toBe(1n);
    expect(toBigInt('PFM_FL_SYSTEM_WIDE | FL_OVFL_NO_MSG')).toBe(0x82n);
    expect(toBigInt('MSG_END')).toBe(2n);
    expect(CONSTANTS.get('SETFL_TIME_SWITCH')).toBe(2);
    expect(() => toBigInt(2 ** 60)).toThrow(/beyond 2\^53/);
    expect(() => toBigInt('OVFL_NOTIFI')).toThrow(/unknown constant "OVFL_NOTIFI"/);
    expect(() => toBigInt(1.5)).toThrow(/not an integer/);
  });

  it('YAML numbers: integers within 2^53 only', () => {
    expect(toBigInt(0)).toBe(0n);
    expect(toBigInt(-7)).toBe(-7n);
    expect(toBigInt(Number.MAX_SAFE_INTEGER)).toBe(9007199254740991n);
    expect(toBigInt(Number.MIN_SAFE_INTEGER)).toBe(-9007199254740991n);
    expect(() => toBigInt(2 ** 53)).toThrow(
      '9007199254740992 is beyond 2^53: write it as a string ("0x...")',
    );
    expect(() => toBigInt(-(2 ** 53))).toThrow(/beyond 2\^53/);
    expect(() => toBigInt(1.5)).toThrow('1.5 is not an integer');
    expect(() => toBigInt(Number.NaN)).toThrow('NaN is not an integer');
    expect(toBigInt(5n)).toBe(5n);
    expect(toBigInt(true)).toBe(1n);
    expect(toBigInt(false)).toBe(0n);
  });

  it('strings: every base, either case, a sign, surrounding blanks', () => {
    expect(toBigInt('0XfF')).toBe(255n);
    expect(toBigInt('0B11')).toBe(3n);
    expect(toBigInt('0o17')).toBe(15n);
    expect(toBigInt('0O17')).toBe(15n);
    expect(toBigInt('-0x10')).toBe(-16n);
    expect(toBigInt('-0b11')).toBe(-3n);
    expect(toBigInt(' 12 ')).toBe(12n);
    expect(toBigInt('18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(toBigInt('NO_TARGET')).toBe(-1n);
  });

  it('A | B: the parts ORed, a negative part as its 64-bit two complement', () => {
    expect(toBigInt('1 | 2 | 4')).toBe(7n);
    expect(toBigInt('1|1')).toBe(1n);
    expect(toBigInt('0x10 | FL_SYSTEM_WIDE')).toBe(0x12n);
    expect(toBigInt('FL_NOTIFY_BLOCK | 0x80')).toBe(0x81n);
    expect(toBigInt('FL_NOTIFY_BLOCK | FL_SYSTEM_WIDE | FL_OVFL_NO_MSG')).toBe(0x83n);
    expect(toBigInt('-1 | 0')).toBe(0xffffffffffffffffn);
    expect(toBigInt('0 | -0x10')).toBe(0xfffffffffffffff0n);
    expect(toBigInt('-0 | 3')).toBe(3n);
  });

  it('anything else is an error that says what was wrong', () => {
    for (const bad of [
      '',
      '12abc',
      'x12',
      '0x',
      '1 2',
      '1.5',
      'reg_value',
      '1 |',
      '| 1',
      '--1',
      '0x1g',
      '0b2',
      '0o8',
    ]) {
      expect(() => toBigInt(bad), bad).toThrow(
        `${JSON.stringify(bad)} is not an integer, a constant name or A | B`,
      );
    }
    expect(() => toBigInt('1 | NOPE')).toThrow('unknown constant "NOPE"');
    expect(() => toBigInt(null)).toThrow('expected an integer, got null');
    expect(() => toBigInt(undefined)).toThrow('expected an integer, got undefined');
    expect(() => toBigInt({})).toThrow('expected an integer, got object');
    expect(() => toBigInt([1])).toThrow('expected an integer, got object');
  });

  it('the constants: every numeric PFM_ export, with and without the prefix, and nothing else', () => {
    expect(CONSTANTS.get('PFM_FL_SYSTEM_WIDE')).toBe(2);
    expect(CONSTANTS.get('FL_SYSTEM_WIDE')).toBe(2);
    expect(CONSTANTS.get('PFM_REGFL_OVFL_NOTIFY')).toBe(1);
    expect(CONSTANTS.has('MSG_BYTES')).toBe(false); // numeric, not a PFM_ name
    expect(CONSTANTS.has('PFM_MAX_ARG_COUNT')).toBe(false); // a function
    expect(CONSTANTS.has('MAX_ARG_COUNT')).toBe(false);
    expect(CONSTANTS.has('PFM_SYSCALLS')).toBe(false); // an object
    for (const [name, v] of CONSTANTS) {
      expect(typeof v, name).toBe('number');
      if (name.startsWith('PFM_')) expect(CONSTANTS.get(name.slice(4)), name).toBe(v);
    }
  });

  it('errno names', () => {
    expect(ERRNO_NAMES).toContain('EINVAL');
    expect(ERRNO_NAMES).toContain('E2BIG');
    expect(ERRNO_NAMES.every((n) => /^E[A-Z0-9]+$/.test(n))).toBe(true);
  });

  it('the JSON Schema pattern accepts what toBigInt reads', () => {
    const re = new RegExp(INT_STRING_PATTERN);
    for (const ok of [
      '0x10',
      '0XAB',
      '-5',
      ' 12 ',
      '0b1',
      '0o7',
      'FL_SYSTEM_WIDE',
      'A | B',
      '1|2',
      '1 | 0x2 | X_1',
    ]) {
      expect(re.test(ok), ok).toBe(true);
    }
    for (const bad of ['', '1.5', 'abc', '1 |', '| 1', '12abc', 'x 1', '0x', '1 2', '0b2']) {
      expect(re.test(bad), bad).toBe(false);
    }
  });

  it('hex: values in messages', () => {
    expect(hex(255)).toBe('0xff');
    expect(hex(0)).toBe('0x0');
    expect(hex(-255)).toBe('-0xff');
    expect(hex(2n ** 64n - 1n)).toBe('0xffffffffffffffff');
    expect(hex(-1n)).toBe('-0x1');
  });

  it('YAML bigints become numbers when safe and decimal strings beyond', () => {
    expect(normalizeYaml({ a: 5n, b: [2n ** 64n - 1n], c: 'x' })).toEqual({
      a: 5,
      b: ['18446744073709551615'],
      c: 'x',
    });
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    expect(normalizeYaml([max, max + 1n, -max, -max - 1n])).toEqual([
      Number.MAX_SAFE_INTEGER,
      '9007199254740992',
      Number.MIN_SAFE_INTEGER,
      '-9007199254740992',
    ]);
    expect(normalizeYaml({ a: { b: [{ c: 1n }] }, d: null, e: true, f: 2.5 })).toEqual({
      a: { b: [{ c: 1 }] },
      d: null,
      e: true,
      f: 2.5,
    });
    const bytes = Uint8Array.of(1, 2);
    expect(normalizeYaml(bytes)).toBe(bytes);
    expect(normalizeYaml(null)).toBeNull();
    expect(normalizeYaml('7')).toBe('7');
  });
});
