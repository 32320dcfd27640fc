/**
 * Byte comparisons and hashes that run once or twice per explored schedule, so a word at a
 * time where the bytes allow it (the answers are the same as byte by byte).
 */

/** Whether two byte ranges hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const n = a.length;
  if (n % 4 === 0 && a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const x = new Int32Array(a.buffer, a.byteOffset, n / 4);
    const y = new Int32Array(b.buffer, b.byteOffset, n / 4);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * FNV-1a-style hash of the bytes, four at a time (little-endian words, then the tail bytes,
 * then the length), as hex: the same for the same bytes wherever they lie.
 */
export function hashBytes(b: Uint8Array): string {
  let h = 0x811c9dc5;
  const whole = b.length - (b.length % 4);
  for (let i = 0; i < whole; i += 4) {
    const word = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    h = Math.imul(h ^ word, 0x01000193) >>> 0;
  }
  for (let i = whole; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193) >>> 0;
  // the length last: [1] and [1, 0, 0, 0] differ
  return (Math.imul(h ^ b.length, 0x01000193) >>> 0).toString(16);
}
