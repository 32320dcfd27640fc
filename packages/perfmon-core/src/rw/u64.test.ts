import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBigInt, joinCounter, splitCounter, toBigInt } from './u64.js';

describe('64-bit counter virtualisation over (upper, hw)', () => {
  it('round-trips every u64 for the real widths', () => {
    const split = new Float64Array(2);
    const joined = new Uint32Array(2);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(31, 32, 40, 47), (v, w) => {
        fromBigInt(v, joined);
        splitCounter(joined[0]!, joined[1]!, w, split);
        const hwMask = (1n << BigInt(w)) - 1n;
        if (BigInt(split[1]!) !== (v & hwMask) || BigInt(split[0]!) !== v >> BigInt(w)) return false;
        joinCounter(split[0]!, split[1]!, w, joined);
        return toBigInt(joined[0]!, joined[1]!) === v;
      }),
      { numRuns: 500 },
    );
  });

  it('a negative period loads the hardware part with 2^w - period', () => {
    const split = new Float64Array(2);
    const v = new Uint32Array(2);
    fromBigInt((1n << 64n) - 100000n, v);
    splitCounter(v[0]!, v[1]!, 31, split);
    expect(split[1]).toBe(2 ** 31 - 100000);
    expect(split[0]).toBe(2 ** 33 - 1);
  });
});
