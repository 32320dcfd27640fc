import { explore, type Kernel, type RunResult, replaySchedule } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { sharedContextScenario } from './scenario.js';
import { type BoundedStrategy, createCtxCacheBoundedStrategy } from './strategies/ctx-cache-bounded.js';

describe('two threads on one fd: the broken forms of the seed cache are caught', () => {
  it('ctx-cache-naive: exhaustive exploration finds the data race, a use after free and corrupted arguments, each replayable', () => {
    const sc = sharedContextScenario({ strategy: 'ctx-cache-naive' });
    const result = explore({ build: sc.build, check: sc.check, mode: 'exhaustive', maxPreemptions: 3 });
    expect(result.complete).toBe(true);
    const kinds = new Set(result.findings.flatMap((f) => f.bugs.map((b) => b.kind)));
    expect([...kinds].sort()).toEqual(['data-race', 'use-after-free']);

    const race = result.findings.find((f) => f.bugs.some((b) => b.kind === 'data-race'))!;
    const raceBug = race.bugs.find((b) => b.kind === 'data-race')!;
    expect(raceBug.message).toMatch(/ctx->arg_buf/);
    const replayed = replaySchedule(sc.build, race.replay);
    expect(replayed.run.bugs.map((b) => b.message)).toContain(raceBug.message);

    const uaf = result.findings.find((f) => f.bugs.some((b) => b.kind === 'use-after-free'))!;
    const uafBug = uaf.bugs.find((b) => b.kind === 'use-after-free')!;
    expect(replaySchedule(sc.build, uaf.replay).run.bugs.map((b) => b.message)).toContain(uafBug.message);

    // Corrupted arguments: a caller gets the other thread's registers back (an information leak).
    const corrupt = result.findings.find((f) => f.failures.some((m) => m.includes('came back as')))!;
    expect(corrupt).toBeDefined();
    const again = replaySchedule(sc.build, corrupt.replay);
    expect(sc.check(again.kernel, again.run)).toEqual(corrupt.failures);
    expect(again.run.traceHash).toBe(corrupt.traceHash);
  });

  it('ctx-cache-spinsplit: exhaustive exploration finds the sleep-in-atomic bug with a replayable schedule', () => {
    const sc = sharedContextScenario({ strategy: 'ctx-cache-spinsplit' });
    const result = explore({ build: sc.build, check: sc.check, mode: 'exhaustive', maxPreemptions: 3 });
    expect(result.complete).toBe(true);
    expect(result.findings.length).toBe(result.schedules);
    const first = result.findings[0]!;
    const bug = first.bugs.find((b) => b.kind === 'sleep-in-atomic')!;
    expect(bug.message).toMatch(/copy_from_user/);
    expect(bug.heldLocks).toEqual(['ctx1->lock']);
    const replayed = replaySchedule(sc.build, first.replay);
    expect(replayed.run.bugs.map((b) => [b.kind, b.message])).toContainEqual([bug.kind, bug.message]);
    expect(replayed.run.traceHash).toBe(first.traceHash);
    // The arguments themselves are safe: the spinlock does serialise the buffer.
    expect(result.findings.flatMap((f) => f.failures)).toEqual([]);
  });

  // With DEBUG_ATOMIC_SLEEP off, a copy page-faulting under the lock: certify/shared-fd.test.ts.
});

// Every correct strategy under exhaustive and random schedules: certify/shared-fd.test.ts.
describe('two threads on one fd: a bounded budget under contention', () => {
  it('ctx-cache-bounded with a 2 KiB budget (one buffer) contended by two CPUs: counters back to exactly 0', () => {
    const strategies = new Map<Kernel, BoundedStrategy>();
    let last: BoundedStrategy | null = null;
    const sc = sharedContextScenario({
      strategy: () => {
        last = createCtxCacheBoundedStrategy({ userBudget: 2048 });
        return last;
      },
      calls: [
        [6, 5, 8],
        [8, 6],
      ],
    });
    const build = (seed: number) => {
      const k = sc.build(seed);
      strategies.set(k, last!);
      return k;
    };
    const check = (k: Kernel, run: RunResult) => {
      const failures = sc.check(k, run);
      const report = strategies.get(k)!.budgetReport(k);
      if (report.globalBytes !== 0 || report.users.get(1000) !== 0) failures.push(`budget not back to 0`);
      return failures;
    };
    const ex = explore({ build, check, mode: 'exhaustive', maxPreemptions: 2 });
    expect(ex.complete).toBe(true);
    expect(ex.findings).toEqual([]);
  });
});
