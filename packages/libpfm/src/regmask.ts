/**
 * `pfmlib_regmask_t`: a bitmask over perfmon2 register indexes 0–511, with libpfm's
 * `pfm_regmask_*` helpers as methods. `set`, `clr` mutate in place and return `this`; the
 * binary operations (`and`, `or`, `andnot`, `not`) return a new mask.
 */
import { PFMLIB_REG_MAX } from './constants.js';
import { PFMLIB_ERR_INVAL, PfmError } from './errors.js';

const WORDS = PFMLIB_REG_MAX / 32;

function checkIndex(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n >= PFMLIB_REG_MAX) {
    throw new PfmError(PFMLIB_ERR_INVAL, `register index ${n} is outside 0..${PFMLIB_REG_MAX - 1}`);
  }
}

export class RegMask implements Iterable<number> {
  readonly #bits = new Uint32Array(WORDS);

  /** A mask with the given indexes set. */
  static of(...indexes: number[]): RegMask {
    return RegMask.from(indexes);
  }

  static from(indexes: Iterable<number>): RegMask {
    const mask = new RegMask();
    for (const i of indexes) mask.set(i);
    return mask;
  }

  /** `pfm_regmask_isset`; false for an index outside the mask. */
  isset(n: number): boolean {
    if (!Number.isInteger(n) || n < 0 || n >= PFMLIB_REG_MAX) return false;
    return ((this.#bits[n >>> 5] ?? 0) & (1 << (n & 31))) !== 0;
  }

  /** `pfm_regmask_set`; INVAL for an index outside 0..511. */
  set(n: number): this {
    checkIndex(n);
    this.#bits[n >>> 5] = (this.#bits[n >>> 5] ?? 0) | (1 << (n & 31));
    return this;
  }

  /** `pfm_regmask_clr`; INVAL for an index outside 0..511. */
  clr(n: number): this {
    checkIndex(n);
    this.#bits[n >>> 5] = (this.#bits[n >>> 5] ?? 0) & ~(1 << (n & 31));
    return this;
  }

  /** `pfm_regmask_weight`: the number of bits set. */
  weight(): number {
    let w = 0;
    for (const word of this.#bits) {
      let v = word;
      while (v !== 0) {
        v &= v - 1;
        w++;
      }
    }
    return w;
  }

  /** `pfm_regmask_eq`. */
  eq(other: RegMask): boolean {
    return this.#combine(other, (a, b) => a ^ b).weight() === 0;
  }

  /** `pfm_regmask_and`. */
  and(other: RegMask): RegMask {
    return this.#combine(other, (a, b) => a & b);
  }

  /** `pfm_regmask_or`. */
  or(other: RegMask): RegMask {
    return this.#combine(other, (a, b) => a | b);
  }

  /** `pfm_regmask_andnot`: bits of this mask not in `other`. */
  andnot(other: RegMask): RegMask {
    return this.#combine(other, (a, b) => a & ~b);
  }

  /** `pfm_regmask_not`: every index 0..511 not in this mask. */
  not(): RegMask {
    return this.#combine(this, (a) => ~a);
  }

  /** `pfm_regmask_copy`. */
  copy(): RegMask {
    return this.#combine(this, (a) => a);
  }

  /** The indexes set, ascending. */
  toArray(): number[] {
    const out: number[] = [];
    this.#bits.forEach((word, w) => {
      for (let b = 0; b < 32; b++) if (word & (1 << b)) out.push(w * 32 + b);
    });
    return out;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.toArray()[Symbol.iterator]();
  }

  /** The mask as one hexadecimal number, e.g. `0x3` for `{0, 1}`. */
  toString(): string {
    const value = this.#bits.reduceRight((high, word) => (high << 32n) | BigInt(word), 0n);
    return `0x${value.toString(16)}`;
  }

  #combine(other: RegMask, op: (a: number, b: number) => number): RegMask {
    const out = new RegMask();
    const theirs = other.#bits;
    this.#bits.forEach((word, w) => {
      out.#bits[w] = op(word, theirs[w] ?? 0) >>> 0;
    });
    return out;
  }
}

/** A mask, or the indexes to put in one. */
export type RegMaskLike = RegMask | Iterable<number>;

export function toRegMask(value: RegMaskLike | undefined): RegMask {
  if (value === undefined) return new RegMask();
  return value instanceof RegMask ? value : RegMask.from(value);
}
