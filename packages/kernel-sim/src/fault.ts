import { InvalidArgumentError } from './errors.js';
import type { Rng } from './rng.js';

/**
 * Linux fault-injection attributes (Documentation/fault-injection): failslab and
 * fail_usercopy. A call is a candidate when it passes the filter; candidates are counted and
 * the attribute decides whether this one fails.
 */
export interface FaultAttr {
  /** Percent chance (0–100) that a candidate fails. Default 100 when `nth`/`interval` decide. */
  probability?: number;
  /** Only every interval-th candidate may fail (Linux `interval`). Default 1. */
  interval?: number;
  /** Fail exactly the nth candidate (1-based), and only it. */
  nth?: number;
  /** Stop after this many failures (-1 unlimited, the default). */
  times?: number;
  /** Let this many candidates through before failing any (Linux `space`, counted in calls). */
  space?: number;
  /** Only allocations/copies whose owner or site tag contains this text are candidates. */
  filter?: string;
}

export interface FaultConfig {
  failslab?: FaultAttr;
  failUsercopy?: FaultAttr;
}

export class FaultInjector {
  private candidates = 0;
  private failures = 0;
  private readonly probability: number;
  private readonly interval: number;
  private readonly times: number;
  private readonly space: number;

  constructor(
    readonly name: string,
    readonly attr: FaultAttr | undefined,
    private readonly rng: Rng,
  ) {
    const a = attr ?? {};
    this.probability = a.probability ?? (a.nth !== undefined || a.interval !== undefined ? 100 : 0);
    this.interval = a.interval ?? 1;
    this.times = a.times ?? -1;
    this.space = a.space ?? 0;
    if (!(this.probability >= 0 && this.probability <= 100)) {
      throw new InvalidArgumentError(`${name}.probability`, a.probability, 'a number from 0 to 100');
    }
    for (const [key, value, min] of [
      ['interval', a.interval, 1],
      ['nth', a.nth, 1],
      ['space', a.space, 0],
      ['times', a.times, -1],
    ] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < min)) {
        throw new InvalidArgumentError(`${name}.${key}`, value, `an integer >= ${min}`);
      }
    }
  }

  get enabled(): boolean {
    return this.attr !== undefined;
  }

  /** Decide for one call. `tag` is matched against `filter`. */
  shouldFail(tag: string): boolean {
    const a = this.attr;
    if (a === undefined) return false;
    if (a.filter !== undefined && !tag.includes(a.filter)) return false;
    this.candidates++;
    if (this.times >= 0 && this.failures >= this.times) return false;
    if (this.candidates <= this.space) return false;
    if (a.nth !== undefined) {
      if (this.candidates !== a.nth) return false;
    } else if (this.candidates % this.interval !== 0) {
      return false;
    }
    // chance(1) always holds: at 100 % the draw (from this injector's own stream) decides nothing.
    if (!this.rng.chance(this.probability / 100)) return false;
    this.failures++;
    return true;
  }

  get stats(): { candidates: number; failures: number } {
    return { candidates: this.candidates, failures: this.failures };
  }
}
