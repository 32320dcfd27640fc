import { type FaultConfig, PROT_READ, type Thread } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { StrategyLab } from './lab.js';
import { createStrategy, STRATEGY_NAMES, type StrategyName } from './registry.js';
import { type ContextSlot, EFAULT, ENOMEM } from './spec.js';
import type { BoundedStrategy } from './strategies/ctx-cache-bounded.js';

/**
 * Fault injection for every strategy. ctx-cache-spinsplit copies under a spinlock, which
 * DEBUG_ATOMIC_SLEEP reports on every call (races.test.ts shows it); here it runs with that
 * check off so that everything else (errno, leaks, locks, ownership) is checked the same way.
 */
function world(name: StrategyName, faults?: FaultConfig) {
  const strategy = createStrategy(name);
  const lab = new StrategyLab({
    arch: 'i386',
    cost: 'p4-2006',
    seed: 1,
    strategy,
    arenaBytes: 2 << 20,
    debugAtomicSleep: name !== 'ctx-cache-spinsplit',
    ...(faults ? { faults } : {}),
  });
  const t = lab.thread('caller');
  const snapshot = lab.k.mem.snapshot();
  const ctx = lab.openContext(t);
  return { lab, strategy, t, ctx, snapshot };
}

/** After a call: no kernel bug, nothing held, irqs on, preemption on. */
function expectCleanThread(lab: StrategyLab, t: Thread, what: string): void {
  expect(lab.k.bugs, what).toEqual([]);
  expect(t.heldLocks, what).toEqual([]);
  expect(t.preemptCount, what).toBe(0);
  expect(t.irqsOff, what).toBe(false);
  expect(t.stackDepth, what).toBe(0);
}

/** After closing the context and exiting the thread: no object, no byte, no budget left. */
function expectNothingLeft(w: ReturnType<typeof world>): void {
  const { lab, strategy, t, ctx, snapshot } = w;
  lab.closeContext(t, ctx as ContextSlot);
  lab.k.exitThread(t);
  expect(lab.k.mem.liveObjectsSince(snapshot)).toEqual([]);
  expect(lab.pinnedBytes()).toBe(0);
  if ('budgetReport' in strategy) {
    const report = (strategy as BoundedStrategy).budgetReport(lab.k);
    expect(report.globalBytes).toBe(0);
    expect(report.users.get(1000)).toBe(0);
  }
  expect(lab.k.bugs).toEqual([]);
}

// 2 pfarg_pmd (352 B): the stack path of stack and hybrid on i386; 8 (1408 B): every
// strategy's allocating or caching path.
const COUNTS = [2, 8];

describe('fault injection, for every strategy', () => {
  for (const name of STRATEGY_NAMES) {
    describe(name, () => {
      it('a copy in that faults at any byte gives EFAULT; the same vector one byte further succeeds', () => {
        const w = world(name);
        const { lab, t, ctx } = w;
        const region = lab.process.mm.mmap(2 * 4096); // an unmapped guard page follows
        for (const n of COUNTS) {
          const bytes = n * 176;
          let faults = 0;
          for (let good = 0; good <= bytes; good++) {
            const ret = lab.k.runSync(t, lab.call(t, ctx, 'pmd', n, region + 2 * 4096 - good));
            if (ret === -EFAULT) faults++;
            const want = good < bytes ? -EFAULT : 0;
            if (ret !== want) expect(ret, `n=${n}, ${good} readable bytes`).toBe(want);
          }
          expect(faults).toBe(bytes);
          expectCleanThread(lab, t, `copy in, n=${n}`);
        }
        expectNothingLeft(w);
      });

      it('a copy back that faults at any byte gives EFAULT and releases the buffer', () => {
        const w = world(name);
        const { lab, t, ctx } = w;
        const region = lab.process.mm.mmap(2 * 4096);
        lab.process.mm.mprotect(region + 4096, 4096, PROT_READ); // readable, not writable
        for (const n of COUNTS) {
          const bytes = n * 176;
          let faults = 0;
          for (let good = 0; good <= bytes; good++) {
            const ret = lab.k.runSync(t, lab.call(t, ctx, 'pmd', n, region + 4096 - good));
            if (ret === -EFAULT) faults++;
            const want = good < bytes ? -EFAULT : 0;
            if (ret !== want) expect(ret, `n=${n}, ${good} writable bytes`).toBe(want);
          }
          expect(faults).toBe(bytes);
          expectCleanThread(lab, t, `copy back, n=${n}`);
        }
        expectNothingLeft(w);
      });

      it('a kmalloc failure (failslab nth) gives ENOMEM on exactly the call that hit it', () => {
        const sequence = [8, 8, 2, 23, 16, 5, 8];
        let injected = 0;
        for (let nth = 1; nth <= 4; nth++) {
          const w = world(name, { failslab: { nth, filter: 'pfm_get_args' } });
          const { lab, t, ctx } = w;
          const u = lab.process.mm.mmap(23 * 176);
          for (const [i, n] of sequence.entries()) {
            const before = lab.k.mem.failslab.stats.failures;
            const ret = lab.k.runSync(t, lab.call(t, ctx, 'pmd', n, u));
            const failed = lab.k.mem.failslab.stats.failures > before;
            expect(ret, `nth=${nth}, call ${i} (n=${n})`).toBe(failed ? -ENOMEM : 0);
            expectCleanThread(lab, t, `nth=${nth}, call ${i}`);
          }
          injected += lab.k.mem.failslab.stats.failures;
          if (nth === 1) expect(lab.k.mem.failslab.stats.failures).toBe(1);
          expectNothingLeft(w);
        }
        expect(injected).toBeGreaterThanOrEqual(1);
      });

      it('an injected user-copy failure (fail_usercopy nth) gives EFAULT', () => {
        for (let nth = 1; nth <= 4; nth++) {
          const w = world(name, { failUsercopy: { nth } });
          const { lab, t, ctx } = w;
          const u = lab.process.mm.mmap(23 * 176);
          const rets = [8, 2].map((n) => lab.k.runSync(t, lab.call(t, ctx, 'pmd', n, u)));
          // copies: call 0 in (1) and back (2), call 1 in (3) and back (4)
          expect(rets).toEqual(nth <= 2 ? [-EFAULT, 0] : [0, -EFAULT]);
          expectCleanThread(lab, t, `fail_usercopy nth=${nth}`);
          expectNothingLeft(w);
        }
      });
    });
  }
});
