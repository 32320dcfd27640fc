import { describe, expect, it } from 'vitest';
import { hashBytes, sameBytes } from './bytes.js';

/** The hash as its comment specifies it: little-endian words, then the tail bytes, then the length. */
function referenceHash(bytes: readonly number[]): string {
  const step = (h: number, v: number) => Math.imul(h ^ v, 0x01000193) >>> 0;
  let h = 0x811c9dc5;
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4)
    h = step(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  for (; i < bytes.length; i++) h = step(h, bytes[i]!);
  return step(h, bytes.length).toString(16);
}

describe('sameBytes', () => {
  it('compares every byte, word-aligned or not, whatever the length', () => {
    const six = [1, 2, 3, 4, 5, 6];
    expect(sameBytes(Uint8Array.from(six), Uint8Array.from(six))).toBe(true);
    // a difference in the last two bytes of a length that is no multiple of 4
    expect(sameBytes(Uint8Array.from(six), Uint8Array.from([1, 2, 3, 4, 5, 7]))).toBe(false);
    expect(sameBytes(Uint8Array.from(six), Uint8Array.from([1, 2, 3, 4, 9, 6]))).toBe(false);
    const eight = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(sameBytes(Uint8Array.from(eight), Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 9]))).toBe(false);
    expect(sameBytes(Uint8Array.from(eight), Uint8Array.from([1, 2, 3, 4, 5, 6, 7]))).toBe(false);
  });

  it('reads ranges at any offset of their buffer', () => {
    const at = (offset: number, bytes: number[]) => {
      const buf = new Uint8Array(offset + bytes.length);
      buf.set(bytes, offset);
      return buf.subarray(offset);
    };
    const eight = [9, 8, 7, 6, 5, 4, 3, 2];
    expect(sameBytes(at(1, eight), at(0, eight))).toBe(true);
    expect(sameBytes(at(0, eight), at(3, eight))).toBe(true);
    expect(sameBytes(at(4, eight), at(0, eight))).toBe(true);
    expect(sameBytes(at(1, eight), at(0, [9, 8, 7, 6, 5, 4, 3, 1]))).toBe(false);
  });
});

describe('hashBytes', () => {
  it('is the specified hash for whole words, tails and the empty range', () => {
    for (const bytes of [
      [],
      [1],
      [1, 2, 3, 4],
      [1, 2, 3, 4, 5],
      [1, 2, 3, 4, 5, 6],
      [250, 1, 2, 3, 4, 5, 6, 7],
    ])
      expect(hashBytes(Uint8Array.from(bytes)), JSON.stringify(bytes)).toBe(referenceHash(bytes));
  });

  it('depends on the bytes and the length, not on where they lie', () => {
    const buf = Uint8Array.from([0, 1, 2, 3, 4, 5, 6]);
    expect(hashBytes(buf.subarray(1))).toBe(hashBytes(Uint8Array.from([1, 2, 3, 4, 5, 6])));
    expect(hashBytes(Uint8Array.from([1]))).not.toBe(hashBytes(Uint8Array.from([1, 0, 0, 0])));
    expect(hashBytes(Uint8Array.from([1, 2, 3, 4, 5, 6]))).not.toBe(
      hashBytes(Uint8Array.from([1, 2, 3, 4, 6, 5])),
    );
  });
});
