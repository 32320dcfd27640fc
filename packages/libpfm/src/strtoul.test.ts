import { describe, expect, it } from 'vitest';
import { strtoul, ULONG_MAX } from './index.js';

describe('strtoul(str, &end, 0)', () => {
  it.each([
    ['0xc0', 0xc0n, 4],
    ['0XC0', 0xc0n, 4],
    ['192', 192n, 3],
    ['0300', 0o300n, 4],
    ['0', 0n, 1],
    ['0x', 0n, 1],
    ['0xg', 0n, 1],
    ['08', 0n, 1],
    ['12abc', 12n, 2],
    ['  +7', 7n, 4],
    ['abc', 0n, 0],
    ['', 0n, 0],
    ['-1', ULONG_MAX, 2],
    ['0x10000000000000000', ULONG_MAX, 19],
    ['\t\n\v\f\r 42', 42n, 8],
    ['7+1', 7n, 1],
    ['7-1', 7n, 1],
    ['7/', 7n, 1],
    ['12:', 12n, 2],
    ['1_', 1n, 1],
    ['0x1@', 1n, 3],
    ['0x1f`', 0x1fn, 4],
    ['0xa', 0xan, 3],
    ['0xF', 0xfn, 3],
    ['+', 0n, 0],
    ['  -x', 0n, 0],
    ['- 1', 0n, 0],
    ['1x5', 1n, 1],
    ['0x1{', 1n, 3],
  ] as const)('%j → %s, end %i', (str, value, end) => {
    expect(strtoul(str)).toEqual({ value, end });
  });
});

describe('strtoul: signs and overflow', () => {
  it('negates modulo 2^64, but an overflow stays ULONG_MAX', () => {
    expect(strtoul('-0')).toEqual({ value: 0n, end: 2 });
    expect(strtoul('-18446744073709551615')).toEqual({ value: 1n, end: 21 });
    expect(strtoul('18446744073709551615')).toEqual({ value: ULONG_MAX, end: 20 });
    expect(strtoul('-18446744073709551616')).toEqual({ value: ULONG_MAX, end: 21 });
  });
});

describe('strtoul with an explicit base', () => {
  it('base 16 takes an optional 0x; base 10 and 8 stop at the x', () => {
    expect(strtoul('0x1f', 16)).toEqual({ value: 0x1fn, end: 4 });
    expect(strtoul('1f', 16)).toEqual({ value: 0x1fn, end: 2 });
    expect(strtoul('0xg', 16)).toEqual({ value: 0n, end: 1 });
    expect(strtoul('0x10', 10)).toEqual({ value: 0n, end: 1 });
    expect(strtoul('010', 10)).toEqual({ value: 10n, end: 3 });
    expect(strtoul('0x7', 8)).toEqual({ value: 0n, end: 1 });
    expect(strtoul('17', 8)).toEqual({ value: 0o17n, end: 2 });
  });

  it('base 36 uses every letter, z included', () => {
    expect(strtoul('z', 36)).toEqual({ value: 35n, end: 1 });
    expect(strtoul('Az{', 36)).toEqual({ value: 10n * 36n + 35n, end: 2 });
  });
});
