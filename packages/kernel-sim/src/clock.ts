/** Cycle accounting categories; the clock keeps a breakdown per thread and per CPU. */
export const CATEGORIES = [
  'syscall',
  'fd',
  'alloc',
  'copy',
  'lock',
  'atomic',
  'fault',
  'handler',
  'sched',
  'irq',
  'workload',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const CAT = {
  syscall: 0,
  fd: 1,
  alloc: 2,
  copy: 3,
  lock: 4,
  atomic: 5,
  fault: 6,
  handler: 7,
  sched: 8,
  irq: 9,
  workload: 10,
} as const satisfies Record<Category, number>;
export type CategoryIndex = (typeof CAT)[Category];

/** A running cycle count with its breakdown (integer cycles). */
export class CycleCounter {
  total = 0;
  readonly byCategory = new Float64Array(CATEGORIES.length);

  add(category: CategoryIndex, cycles: number): void {
    this.total += cycles;
    this.byCategory[category]! += cycles;
  }

  breakdown(): Record<Category, number> {
    const out = {} as Record<Category, number>;
    CATEGORIES.forEach((name, i) => {
      out[name] = this.byCategory[i]!;
    });
    return out;
  }

  snapshot(): CycleSnapshot {
    return { total: this.total, byCategory: Float64Array.from(this.byCategory) };
  }

  since(snap: CycleSnapshot): Record<Category, number> & { total: number } {
    const out = { total: this.total - snap.total } as Record<Category, number> & { total: number };
    CATEGORIES.forEach((name, i) => {
      out[name] = this.byCategory[i]! - snap.byCategory[i]!;
    });
    return out;
  }
}

export interface CycleSnapshot {
  readonly total: number;
  readonly byCategory: Float64Array;
}
