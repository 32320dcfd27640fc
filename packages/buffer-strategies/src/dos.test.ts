import { describe, expect, it } from 'vitest';
import { createStrategy, STRATEGY_NAMES, type StrategyName } from './registry.js';
import { contextFloodAttack as dosAttack } from './scenario.js';
import type { BoundedStrategy } from './strategies/ctx-cache-bounded.js';

describe('DoS: one user, 1024 contexts, one full arg_size_max vector each', () => {
  it('ctx-cache pins 1024 pages (4 MiB)', () => {
    const r = dosAttack(createStrategy('ctx-cache'));
    expect(r.pinned).toBe(1024 * 4096);
    expect(r.afterClose).toBe(0);
  });

  for (const name of ['ctx-cache-bounded', 'hybrid'] as const) {
    it(`${name} pins at most the per-user budget (default 64 KiB), and at most a smaller global budget`, () => {
      const s = createStrategy(name) as BoundedStrategy;
      const r = dosAttack(s);
      expect(r.pinned).toBeLessThanOrEqual(64 << 10);
      expect(r.pinned).toBe(64 << 10); // the budget is used, not wasted
      expect(s.budgetReport(r.lab.k).globalBytes).toBe(0);
      expect(r.afterClose).toBe(0);

      const small = createStrategy(name, { userBudget: 1 << 20, globalBudget: 32 << 10 }) as BoundedStrategy;
      const g = dosAttack(small);
      expect(g.pinned).toBe(32 << 10);
      expect(r.lab.k.bugs).toEqual([]);
    });
  }

  for (const name of ['kmalloc', 'stack', 'slab-cache'] as const) {
    it(`${name} pins nothing once the calls return`, () => {
      const r = dosAttack(createStrategy(name));
      expect(r.pinned).toBe(0);
    });
  }

  it('the other forms of the seed cache pin 4 MiB too; task-cache pins one buffer for the one thread', () => {
    const pinned = Object.fromEntries(
      (['ctx-cache-naive', 'ctx-cache-spinsplit', 'ctx-cache-mutex', 'task-cache'] as StrategyName[]).map(
        (n) => [n, dosAttack(createStrategy(n)).pinned],
      ),
    );
    expect(pinned).toEqual({
      'ctx-cache-naive': 4 << 20,
      'ctx-cache-spinsplit': 4 << 20,
      'ctx-cache-mutex': 4 << 20,
      'task-cache': 4096,
    });
    expect(STRATEGY_NAMES.length).toBe(10);
  });
});
