import {
  type ArchId,
  type ArchProfile,
  type CostOverrides,
  checkInteger,
  costValues,
  getArch,
  getCostProfile,
  InvalidArgumentError,
} from '@pfmsim/kernel-sim';
import { ELEM_SIZES } from './lab.js';
import { ELEM_KINDS, type ElemKind } from './spec.js';
import { hybridStackBudget } from './strategies/hybrid.js';

/** Relative frequency of each vector length (element count -> weight), per element kind. */
export type SizeDistribution = Partial<Record<ElemKind, Readonly<Record<number, number>>>>;

export interface RecommendOptions {
  arch: ArchId | ArchProfile;
  /** Bytes each vector syscall's on-stack array may take (default: the hybrid budget rule). */
  stackBudget?: number;
  sizeDistribution: SizeDistribution;
  /** Cost profile whose figures price the path above the threshold (default p4-2006). */
  cost?: string;
  costOverrides?: CostOverrides;
  /**
   * What a vector above the threshold costs: `kmalloc` (kmalloc+kfree, with the profile's
   * allocColdProbability share at the slow-path price) or `ctx-cache` (a cache hit, two atomics).
   * Default kmalloc.
   */
  fallback?: 'kmalloc' | 'ctx-cache';
}

export interface KindRecommendation {
  readonly kind: ElemKind;
  readonly elements: number;
  readonly stackBytes: number;
  /** Largest element count whose array fits the budget. */
  readonly maxElements: number;
  /** Expected buffer cycles per call with this threshold, and with no stack array at all. */
  readonly expectedCycles: number;
  readonly expectedCyclesWithoutStack: number;
  /** Share of calls (by weight) served from the stack. */
  readonly stackShare: number;
}

export interface Recommendation {
  readonly arch: ArchId;
  readonly stackBudget: number;
  readonly fallbackCycles: number;
  readonly thresholds: Readonly<Record<ElemKind, number>>;
  readonly kinds: readonly KindRecommendation[];
}

/**
 * The per-kind stack thresholds (element counts) that minimise the expected buffer cycles of a
 * vector call for a given distribution of vector lengths, without any array passing the stack
 * budget. Each vector syscall declares the array of its own kind only, so the budget applies
 * to each kind separately. A vector on the stack costs no buffer cycles; one above the
 * threshold costs the fallback, priced from the kernel-sim cost profile. Among thresholds with
 * the same expected cost the smallest (least stack) wins, so a threshold never exceeds the
 * longest vector that occurs.
 */
export function recommendThresholds(opts: RecommendOptions): Recommendation {
  if (typeof opts !== 'object' || opts === null)
    throw new InvalidArgumentError('recommendThresholds options', opts, 'an object');
  const arch = typeof opts.arch === 'string' ? getArch(opts.arch) : opts.arch;
  const budget = checkInteger('stackBudget', opts.stackBudget ?? hybridStackBudget(arch), 0, 1 << 20);
  const costs = costValues(getCostProfile(opts.cost ?? 'p4-2006', opts.costOverrides ?? {}));
  const fallback = opts.fallback ?? 'kmalloc';
  let fallbackCycles: number;
  if (fallback === 'kmalloc') {
    const p = costs.allocColdProbability;
    fallbackCycles =
      (1 - p) * (costs.kmallocFast + costs.kfreeFast) + p * (costs.kmallocSlow + costs.kfreeSlow);
  } else if (fallback === 'ctx-cache') {
    fallbackCycles = 2 * costs.atomicRmw;
  } else {
    throw new InvalidArgumentError('fallback', fallback, 'kmalloc, ctx-cache');
  }
  const dist = opts.sizeDistribution;
  if (typeof dist !== 'object' || dist === null)
    throw new InvalidArgumentError('sizeDistribution', dist, 'an object of element kind -> {count: weight}');
  for (const key of Object.keys(dist)) {
    if (!(ELEM_KINDS as readonly string[]).includes(key))
      throw new InvalidArgumentError('sizeDistribution kind', key, ELEM_KINDS.join(', '));
  }
  const thresholds = { pmc: 0, pmd: 0, setdesc: 0, setinfo: 0 } as Record<ElemKind, number>;
  const kinds: KindRecommendation[] = [];
  for (const kind of ELEM_KINDS) {
    const weights = dist[kind];
    if (weights === undefined) continue;
    const elemSize = ELEM_SIZES[kind];
    // Stryker disable next-line ArrayDeclaration: a planted non-numeric entry compares false with every threshold, so it adds to no sum
    const points: [number, number][] = [];
    let total = 0;
    for (const [countText, weight] of Object.entries(weights)) {
      const count = Number(countText);
      checkInteger(`${kind} vector length`, count, 0, 1 << 24);
      if (!Number.isFinite(weight) || weight < 0)
        throw new InvalidArgumentError(`${kind} weight of length ${count}`, weight, 'a finite number >= 0');
      points.push([count, weight]); // a weight of 0 adds 0 to every sum
      total += weight;
    }
    if (total === 0) continue;
    const maxElements = Math.floor(budget / elemSize);
    const expected = (th: number): number => {
      let sum = 0;
      for (const [count, weight] of points) if (count > th) sum += weight * fallbackCycles;
      return sum / total;
    };
    let best = 0;
    let bestCost = expected(0);
    for (let th = 1; th <= maxElements; th++) {
      const c = expected(th);
      if (c < bestCost - 1e-9) {
        best = th;
        bestCost = c;
      }
    }
    let onStack = 0;
    for (const [count, weight] of points) if (count <= best) onStack += weight;
    thresholds[kind] = best;
    kinds.push({
      kind,
      elements: best,
      stackBytes: best * elemSize,
      maxElements,
      expectedCycles: bestCost,
      expectedCyclesWithoutStack: expected(0),
      stackShare: onStack / total,
    });
  }
  return { arch: arch.id, stackBudget: budget, fallbackCycles, thresholds, kinds };
}
