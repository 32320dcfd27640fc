import { describe, expect, it } from 'vitest';
import { CONSTANTS, normalizeYaml, toBigInt } from './values.js';

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

  it('YAML bigints become numbers when safe and decimal strings beyond', () => {
    expect(normalizeYaml({ a: 5n, b: [2n ** 64n - 1n], c: 'x' })).toEqual({
      a: 5,
      b: ['18446744073709551615'],
      c: 'x',
    });
  });
});
