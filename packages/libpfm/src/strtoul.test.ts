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
  ] as const)('%j → %s, end %i', (str, value, end) => {
    expect(strtoul(str)).toEqual({ value, end });
  });
});
