/**
 * 64-bit counter values without BigInt on the hot paths. A virtualised counter of hardware
 * width w is kept as (upper, hw): value = upper * 2^w + hw, with hw < 2^w the hardware part
 * and upper < 2^(64-w) the software part (perfmon2's `(sw & ~ovfl_mask) | (hw & ovfl_mask)`).
 * Both fit exactly in a double for any w from 12 to 52. User-visible values travel as two
 * u32 halves (lo, hi). Powers of two are precomputed per width: these run per register.
 */
const TWO32 = 2 ** 32;
const INV32 = 2 ** -32;

export class CounterCodec {
  private readonly hwMod: number;
  private readonly invHwMod: number;
  /** w < 32: 2^(32-w); w >= 32: 2^(w-32). */
  private readonly k: number;
  private readonly invK: number;
  private readonly narrow: boolean;

  constructor(readonly width: number) {
    this.hwMod = 2 ** width;
    this.invHwMod = 2 ** -width;
    this.narrow = width < 32;
    this.k = this.narrow ? 2 ** (32 - width) : 2 ** (width - 32);
    this.invK = 1 / this.k;
  }

  /** Splits the u64 (lo, hi) into out[0] = upper, out[1] = hw. */
  split(lo: number, hi: number, out: Float64Array): void {
    if (this.narrow) {
      const q = Math.floor(lo * this.invHwMod);
      out[1] = lo - q * this.hwMod;
      out[0] = hi * this.k + q;
    } else {
      const q = Math.floor(hi * this.invK);
      out[1] = (hi - q * this.k) * TWO32 + lo;
      out[0] = q;
    }
  }

  /** Joins (upper, hw) into out[0] = lo, out[1] = hi. */
  join(upper: number, hw: number, out: Uint32Array): void {
    if (this.narrow) {
      const q = Math.floor(upper * this.invK);
      out[0] = (upper - q * this.k) * this.hwMod + hw;
      out[1] = q;
    } else {
      const q = Math.floor(hw * INV32);
      out[0] = hw - q * TWO32;
      out[1] = upper * this.k + q;
    }
  }
}

const codecs = new Map<number, CounterCodec>();
function codec(w: number): CounterCodec {
  let c = codecs.get(w);
  if (!c) {
    c = new CounterCodec(w);
    codecs.set(w, c);
  }
  return c;
}

/** Splits the u64 (lo, hi) into [upper, hw] for width w, into `out`. */
export function splitCounter(lo: number, hi: number, w: number, out: Float64Array): void {
  codec(w).split(lo, hi, out);
}

/** Joins (upper, hw) of width w into the u64 (lo, hi) halves, into `out`. */
export function joinCounter(upper: number, hw: number, w: number, out: Uint32Array): void {
  codec(w).join(upper, hw, out);
}

export function toBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function fromBigInt(v: bigint, out: Uint32Array): void {
  out[0] = Number(v & 0xffffffffn);
  out[1] = Number((v >> 32n) & 0xffffffffn);
}
