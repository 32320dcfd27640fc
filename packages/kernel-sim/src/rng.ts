import { checkInteger } from './errors.js';
import { touch } from './sched/footprint.js';

/**
 * Seeded random numbers with named streams: each consumer (scheduler, failslab, workload...)
 * draws from its own stream, so adding draws in one place never shifts another's sequence.
 * xoshiro128** over 32-bit state; streams are derived by hashing (seed, name).
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = '') {
    this.a = this.b = this.c = this.d = 0;
    this.reseed(seed, stream);
  }

  /** Starts the stream over from (seed, stream), in place (holders of this Rng see it). */
  reseed(seed: number, stream = ''): void {
    const h = hash32(stream, seed >>> 0) ^ Math.floor(seed / 2 ** 32);
    this.a = splitmix(h, 1);
    this.b = splitmix(h, 2);
    this.c = splitmix(h, 3);
    this.d = splitmix(h, 4) | 1;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    touch(this, true); // draws from a shared stream are ordered (DPOR, footprint.ts)
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    if (n <= 1) return 0;
    return Math.floor((this.u32() / 2 ** 32) * n);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 2 ** 32;
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }
}

/** The i-th output of a splitmix32 sequence started at h (what seeds the four state words). */
function splitmix(h: number, i: number): number {
  let z = (h + Math.imul(0x9e3779b9, i)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a over a string, mixed with a seed. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function checkSeed(seed: unknown): number {
  return checkInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER);
}
