import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../kernel.js';
import { GFP_KERNEL } from '../mem/memory.js';
import { testKernel } from '../test-util.js';
import { checkDeterminism, explore, replaySchedule } from './explore.js';
import { parseReplay } from './replay.js';
import { type KGen, type Thread, Y_BLOCK, Y_PREEMPT } from './thread.js';

/**
 * A shared counter incremented by two threads with a preemption point between load and store:
 * the textbook lost update when unlocked, and race-free with the lock.
 */
function counterKernel(seed: number, locked: boolean, threads = 2): Kernel {
  const k = testKernel({ seed, cpus: 2 });
  const p = k.createProcess();
  const setup = k.spawn(p, 'setup');
  const word = k.mem.kmalloc(setup, 32, GFP_KERNEL, 0, 0);
  p.threads.length = 0; // the setup thread is not part of the run
  k.threads.length = 0;
  const lock = k.sync.createSpinlock('counter_lock');
  const site = k.mem.tag('counter++');
  const body = function* (t: Thread): KGen<void> {
    if (locked) if (k.sync.spinLock(t, lock)) yield Y_BLOCK;
    k.mem.access(t, word, 4, false, site);
    const v = k.mem.readWord(word);
    yield Y_PREEMPT;
    k.mem.access(t, word, 4, true, site);
    k.mem.writeWord(word, v + 1);
    if (locked) k.sync.spinUnlock(t, lock);
  };
  for (let i = 0; i < threads; i++) k.spawn(p, `inc${i}`, body);
  (k as Kernel & { word?: number }).word = word;
  return k;
}

describe('scheduler', () => {
  it('runs every thread to completion under each policy', () => {
    for (const policy of [
      { kind: 'run-to-completion' },
      { kind: 'round-robin' },
      { kind: 'random' },
      { kind: 'pct', depth: 2 },
    ] as const) {
      const k = counterKernel(3, true, 3);
      const r = k.run(policy);
      expect(r.deadlock, policy.kind).toBe(false);
      expect(k.mem.readWord((k as Kernel & { word: number }).word)).toBe(3);
      expect(k.bugs).toEqual([]);
    }
  });

  it('is deterministic: the same seed gives the same trace hash', () => {
    const d = checkDeterminism((s) => counterKernel(s, false, 3), 99);
    expect(d.same).toBe(true);
  });

  it('property: a replayed schedule reproduces the same trace hash', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        const first = counterKernel(seed, false, 3).run({ kind: 'random' });
        const { run } = replaySchedule((s) => counterKernel(s, false, 3), first.replay);
        return run.traceHash === first.traceHash && run.replay === first.replay;
      }),
      { numRuns: 100 },
    );
  });

  it('parses and rejects replay strings', () => {
    expect(parseReplay('42:1.0.1')).toEqual({ seed: 42, decisions: [1, 0, 1] });
    expect(parseReplay('7:')).toEqual({ seed: 7, decisions: [] });
    expect(() => parseReplay('x:1')).toThrow(/invalid replay: "x:1"/);
  });
});

describe('race detector and exploration', () => {
  it('exhaustive exploration finds the unlocked counter race with a replayable schedule', () => {
    const result = explore({ build: (s) => counterKernel(s, false), mode: 'exhaustive', maxPreemptions: 2 });
    expect(result.complete).toBe(true);
    expect(result.findings.length).toBeGreaterThan(0);
    const f = result.findings[0]!;
    expect(f.bugs.map((b) => b.kind)).toContain('data-race');
    expect(f.bugs.find((b) => b.kind === 'data-race')!.message).toMatch(
      /counter\+\+.*races with.*counter\+\+/,
    );
    const again = replaySchedule((s) => counterKernel(s, false), f.replay);
    expect(again.kernel.bugs.map((b) => b.kind)).toContain('data-race');
    expect(again.run.traceHash).toBe(f.traceHash);
  });

  it('the lost update itself shows up only on interleaved schedules', () => {
    const values = new Set<number>();
    explore({
      build: (s) => counterKernel(s, false),
      mode: 'exhaustive',
      maxPreemptions: 2,
      check: (k) => {
        values.add(k.mem.readWord((k as Kernel & { word: number }).word));
        return [];
      },
    });
    expect([...values].sort()).toEqual([1, 2]);
  });

  it('is silent on the locked counter under exhaustive and random exploration', () => {
    const ex = explore({ build: (s) => counterKernel(s, true, 3), mode: 'exhaustive', maxPreemptions: 3 });
    expect(ex.complete).toBe(true);
    expect(ex.schedules).toBeGreaterThan(1);
    expect(ex.findings).toEqual([]);
    const rnd = explore({ build: (s) => counterKernel(s, true), mode: 'random', schedules: 300 });
    expect(rnd.findings).toEqual([]);
    const pct = explore({ build: (s) => counterKernel(s, false), mode: 'pct', schedules: 200, pctDepth: 2 });
    expect(pct.findings.length).toBeGreaterThan(0);
  });

  it('an atomic hand-off orders accesses (no race through xchg/cmpxchg ownership)', () => {
    const build = (seed: number) => {
      const k = testKernel({ seed, cpus: 2 });
      const p = k.createProcess();
      const s = k.spawn(p, 'setup');
      const slot = k.mem.kmalloc(s, 32, GFP_KERNEL, 0, 0);
      const buf = k.mem.kmalloc(s, 64, GFP_KERNEL, 0, 0);
      k.mem.writeWord(slot, buf);
      k.threads.length = 0;
      p.threads.length = 0;
      const use = k.mem.tag('use cached buffer');
      const body = function* (t: Thread): KGen<void> {
        const mine = k.sync.xchg(t, slot, 0);
        if (mine === 0) return; // taken by the other thread: would fall back to kmalloc
        k.mem.access(t, mine, 64, true, use);
        yield Y_PREEMPT;
        k.mem.access(t, mine, 64, false, use);
        const old = k.sync.cmpxchg(t, slot, 0, mine);
        if (old !== 0) k.mem.kfree(t, mine);
      };
      k.spawn(p, 'a', body);
      k.spawn(p, 'b', body);
      return k;
    };
    const ex = explore({ build, mode: 'exhaustive', maxPreemptions: 3 });
    expect(ex.complete).toBe(true);
    expect(ex.findings).toEqual([]);
  });

  it('reports a deadlock when every live thread is blocked', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const a = k.sync.createMutex('A');
    const b = k.sync.createMutex('B');
    const body = (x: typeof a, y: typeof a) =>
      function* (t: Thread): KGen<void> {
        if (k.sync.mutexLock(t, x)) yield Y_BLOCK;
        yield Y_PREEMPT;
        if (k.sync.mutexLock(t, y)) yield Y_BLOCK;
        k.sync.mutexUnlock(t, y);
        k.sync.mutexUnlock(t, x);
      };
    k.spawn(p, 'one', body(a, b));
    k.spawn(p, 'two', body(b, a));
    const r = k.run({ kind: 'round-robin' });
    expect(r.deadlock).toBe(true);
    expect(k.bugs.map((x) => x.kind)).toEqual(['lock-order', 'deadlock']);
  });
});

describe('race detector shadow memory', () => {
  function twoThreads() {
    const k = testKernel({ seed: 1, cpus: 2 });
    const p = k.createProcess();
    const a = k.spawn(p, 'a');
    const b = k.spawn(p, 'b');
    const obj = k.mem.kmalloc(a, 64, GFP_KERNEL, 0, 0);
    const site = k.mem.tag('obj');
    k.race.activate([a, b]);
    return { k, a, b, obj, site };
  }

  it('unordered writes by two threads to one object are a data race', () => {
    const { k, a, b, obj, site } = twoThreads();
    k.mem.access(a, obj + 8, 8, true, site);
    k.mem.access(b, obj + 8, 8, true, site);
    expect(k.bugs.map((x) => x.kind)).toEqual(['data-race']);
  });

  it('freed memory starts a new life: its history is forgotten, only for the freed bytes', () => {
    const { k, a, b, obj, site } = twoThreads();
    const other = k.mem.kmalloc(a, 4096, GFP_KERNEL, 0, 0);
    k.mem.access(a, obj, 64, true, site);
    k.mem.access(a, other, 4096, true, site);
    k.race.forget(obj, 64);
    k.mem.access(b, obj, 64, true, site);
    expect(k.bugs).toEqual([]);
    k.race.forget(other + 8, 4096 - 16); // a range over several shadow chunks, sparing both ends
    k.mem.access(b, other + 8, 4096 - 16, true, site);
    expect(k.bugs).toEqual([]);
    k.mem.access(b, other + 4088, 8, true, site);
    expect(k.bugs.map((x) => x.kind)).toEqual(['data-race']);
  });

  it('a recycled shadow store carries nothing into the next kernel', () => {
    const first = twoThreads();
    first.k.mem.access(first.a, first.obj, 64, true, first.site);
    first.k.dispose();
    const next = twoThreads();
    next.k.mem.access(next.b, next.obj, 64, true, next.site);
    expect(next.k.bugs).toEqual([]);
    next.k.mem.access(next.a, next.obj, 8, true, next.site);
    expect(next.k.bugs.map((x) => x.kind)).toEqual(['data-race']);
  });
});
