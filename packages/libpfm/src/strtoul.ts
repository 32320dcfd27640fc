/**
 * C `strtoul(str, &endptr, 0)` on an LP64 host, as libpfm uses it to parse numeric event
 * codes and unit-mask values: leading white space, an optional sign, `0x` for hex, a leading
 * `0` for octal, decimal otherwise; the longest valid prefix is converted; overflow gives
 * `ULONG_MAX`; a minus sign negates modulo 2^64. `end` is the index of the first character
 * not converted (0 when nothing was converted).
 */
export const ULONG_MAX = (1n << 64n) - 1n;

export interface StrtoulResult {
  readonly value: bigint;
  readonly end: number;
}

const SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

function digitValue(ch: string | undefined): number {
  if (ch === undefined) return 99;
  const c = ch.toLowerCase();
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  // Past 'z' the value is 36 or more: a digit in no base.
  if (c >= 'a') return c.charCodeAt(0) - 87;
  return 99;
}

export function strtoul(str: string, base0 = 0): StrtoulResult {
  let i = 0;
  while (SPACE.has(str.charAt(i))) i++;
  let negative = false;
  if (str[i] === '+' || str[i] === '-') {
    negative = str[i] === '-';
    i++;
  }
  let base = base0;
  // `0x` counts as a prefix only when a hex digit follows; otherwise the `0` alone converts
  // (in any base the `x` stops the conversion).
  const hexPrefix =
    str[i] === '0' && (str[i + 1] === 'x' || str[i + 1] === 'X') && digitValue(str[i + 2]) < 16;
  if ((base === 0 || base === 16) && hexPrefix) {
    base = 16;
    i += 2;
  } else if (base === 0) {
    base = str[i] === '0' ? 8 : 10;
  }
  const start = i;
  let value = 0n;
  let overflow = false;
  const big = BigInt(base);
  while (digitValue(str[i]) < base) {
    value = value * big + BigInt(digitValue(str[i]));
    if (value > ULONG_MAX) overflow = true;
    i++;
  }
  if (i === start) return { value: 0n, end: 0 };
  if (overflow) return { value: ULONG_MAX, end: i };
  if (negative) value = ((1n << 64n) - value) & ULONG_MAX;
  return { value, end: i };
}
