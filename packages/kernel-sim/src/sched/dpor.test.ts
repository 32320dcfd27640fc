/**
 * DPOR against full enumeration: on small programs of threads reading and writing shared
 * words, under locks or not, allocating, drawing from a shared random stream and taking
 * atomics, DPOR must reach every final state and every bug the exhaustive search (with no
 * preemption bound) reaches, in fewer schedules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Kernel, RunResult } from '../kernel.js';
import { GFP_KERNEL } from '../mem/memory.js';
import type { Spinlock } from '../sync.js';
import { testKernel } from '../test-util.js';
import { type ExploreMode, explore } from './explore.js';
import { dependent, Footprint } from './footprint.js';
import { type KGen, type Thread, Y_BLOCK, Y_PREEMPT } from './thread.js';

type Op =
  | { readonly op: 'read' | 'write' | 'atomic'; readonly word: number }
  | { readonly op: 'locked'; readonly word: number; readonly lock: number }
  | { readonly op: 'alloc' | 'draw' };

interface World {
  readonly kernel: Kernel;
  readonly words: number;
  readonly locks: Spinlock[];
  readonly programs: readonly (readonly Op[])[];
  readonly threads: Thread[];
  /** What each thread read, in order (thread-local). */
  readonly seen: number[][];
}

const SITE = ['read', 'write', 'atomic', 'locked'];

function* program(w: World, t: Thread, ops: readonly Op[]): KGen<void> {
  const k = w.kernel;
  const seen = w.seen[t.id]!;
  for (const o of ops) {
    if (o.op === 'alloc') {
      const a = k.mem.kmalloc(t, 96, GFP_KERNEL, k.mem.tag('alloc'), k.mem.tag('alloc'));
      seen.push(a);
      if (k.sleepPoint(t)) yield Y_PREEMPT;
      k.mem.kfree(t, a);
    } else if (o.op === 'draw') {
      seen.push(k.rng('shared-stream').below(1000));
    } else if (o.op === 'read' || o.op === 'write' || o.op === 'atomic' || o.op === 'locked') {
      const addr = w.words + 8 * o.word;
      const site = k.mem.tag(`${SITE.indexOf(o.op)} T${t.id}`);
      if (o.op === 'locked') while (k.sync.spinLock(t, w.locks[o.lock]!)) yield Y_BLOCK;
      if (o.op === 'atomic') {
        seen.push(k.sync.atomicAdd(t, addr, 1, site));
      } else {
        k.mem.access(t, addr, 4, o.op !== 'read', site);
        const v = k.mem.readWord(addr);
        seen.push(v);
        if (o.op !== 'read') k.mem.writeWord(addr, v + t.id + 1);
      }
      if (o.op === 'locked') k.sync.spinUnlock(t, w.locks[o.lock]!);
    }
    if (k.sleepPoint(t)) yield Y_PREEMPT;
  }
}

function build(programs: readonly (readonly Op[])[], seed: number): World {
  const kernel = testKernel({ seed, cpus: 2 });
  const p = kernel.createProcess();
  const threads = programs.map((_, i) => kernel.spawn(p, `t${i}`));
  const words = kernel.mem.kmalloc(threads[0]!, 64, GFP_KERNEL, kernel.mem.tag('words'), 0);
  const locks = [kernel.sync.createSpinlock('a'), kernel.sync.createSpinlock('b')];
  return { kernel, words, locks, programs, threads, seen: programs.map(() => []) };
}

const start = (w: World): void => {
  w.threads.forEach((t, i) => {
    t.body = program(w, t, w.programs[i]!);
  });
};

/** A final state: the shared words, what each thread read, memory, cycles, and the bugs. */
function finalState(w: World, run: RunResult): string {
  const k = w.kernel;
  const words = [0, 1, 2].map((i) => k.mem.readWord(w.words + 8 * i)).join(',');
  const m = k.mem.snapshot();
  const cycles = w.threads.map((t) => t.clock.total).join(',');
  const bugs = run.bugs.map((b) => `${b.kind}: ${b.message}`).sort();
  return `words=${words} seen=${JSON.stringify(w.seen)} live=${m.liveObjects}/${m.liveBytes} cycles=${cycles} bugs=${bugs.join(' | ')}`;
}

function states(programs: readonly (readonly Op[])[], mode: ExploreMode) {
  const found = new Set<string>();
  const r = explore<World>({
    build: (seed) => build(programs, seed),
    start,
    mode,
    ...(mode === 'exhaustive' ? { maxPreemptions: 1000 } : {}),
    schedules: 200_000,
    check: (w, run) => {
      found.add(finalState(w, run));
      return [];
    },
  });
  return { found, schedules: r.schedules, complete: r.complete };
}

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('read', 'write', 'atomic'), word: fc.integer({ min: 0, max: 2 }) }),
  fc.record({
    op: fc.constant('locked'),
    word: fc.integer({ min: 0, max: 2 }),
    lock: fc.integer({ min: 0, max: 1 }),
  }),
  fc.record({ op: fc.constantFrom('alloc', 'draw') }),
) as fc.Arbitrary<Op>;

describe('DPOR (source sets, sleep sets)', () => {
  // DPOR_RUNS / DPOR_SEED run more programs (300 each with seeds 1 and 2 passed on 2026-12-06).
  it('reaches every final state and bug of full enumeration, in no more schedules', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 2 }),
          fc.array(fc.array(op, { minLength: 1, maxLength: 2 }), { minLength: 3, maxLength: 3 }),
        ),
        (programs) => {
          const all = states(programs, 'exhaustive');
          const dpor = states(programs, 'dpor');
          expect(all.complete && dpor.complete).toBe(true);
          expect([...all.found].filter((s) => !dpor.found.has(s))).toEqual([]);
          expect([...dpor.found].filter((s) => !all.found.has(s))).toEqual([]);
          expect(dpor.schedules).toBeLessThanOrEqual(all.schedules);
        },
      ),
      { numRuns: Number(process.env.DPOR_RUNS ?? 60), seed: Number(process.env.DPOR_SEED ?? 15) },
    );
  }, 60_000);

  it('explores one schedule for independent threads, and every order of conflicting ones', () => {
    const independent = states(
      [
        [
          { op: 'read', word: 0 },
          { op: 'read', word: 1 },
        ],
        [
          { op: 'write', word: 2 },
          { op: 'read', word: 1 },
        ],
      ],
      'dpor',
    );
    expect(independent.schedules).toBe(1);
    const conflicting = states(
      [[{ op: 'write', word: 0 }], [{ op: 'write', word: 0 }], [{ op: 'read', word: 0 }]],
      'dpor',
    );
    const all = states(
      [[{ op: 'write', word: 0 }], [{ op: 'write', word: 0 }], [{ op: 'read', word: 0 }]],
      'exhaustive',
    );
    expect(conflicting.found).toEqual(all.found);
    expect(new Set([...conflicting.found].map((s) => s.split(' ')[1])).size).toBe(6); // each order of the three accesses
    expect(conflicting.schedules).toBeLessThan(all.schedules);
  });

  it('with a preemption bound reaches every final state the bounded exhaustive search reaches', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 }),
        (programs, bound) => {
          const within = (mode: ExploreMode) => {
            const found = new Set<string>();
            const r = explore<World>({
              build: (seed) => build(programs, seed),
              start,
              mode,
              maxPreemptions: bound,
              schedules: 200_000,
              check: (w, run) => {
                found.add(finalState(w, run));
                return [];
              },
            });
            return { found, schedules: r.schedules, complete: r.complete };
          };
          const all = within('exhaustive');
          const dpor = within('dpor');
          expect(all.complete && dpor.complete).toBe(true);
          expect([...all.found].filter((s) => !dpor.found.has(s))).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.DPOR_RUNS ?? 40), seed: Number(process.env.DPOR_SEED ?? 15) },
    );
  }, 120_000);
});

describe('footprints', () => {
  it('dependent: a shared object or overlapping bytes, one access a write', () => {
    const lock = {};
    const a = new Footprint();
    const b = new Footprint();
    a.touch(lock, false);
    b.touch(lock, false);
    expect(dependent(a, b)).toBe(false); // two reads
    b.touch(lock, true);
    expect(dependent(a, b)).toBe(true);
    const c = new Footprint();
    const d = new Footprint();
    c.touchRange(100, 8, false);
    d.touchRange(108, 8, true);
    expect(dependent(c, d)).toBe(false); // adjacent
    d.touchRange(107, 1, true);
    expect(dependent(c, d)).toBe(true);
    d.touchRange(0, 0, true); // empty: nothing
    expect(d.ranges).toEqual([108, 116, 1, 107, 108, 1]);
    c.touchRange(108, 4, false);
    expect(c.ranges).toEqual([100, 112, 0]); // a copy walking on extends its range
    const e = new Footprint();
    e.touchRange(104, 4, false);
    expect(dependent(c, e)).toBe(false); // two reads
    e.touch(lock, false);
    e.touch(lock, true);
    e.touch(lock, false);
    expect(e.objects.get(lock)).toBe(true); // a write stays a write
  });

  it('a run records footprints only for a scheduler that asks', () => {
    const k = testKernel();
    const fp = new Footprint();
    const p = k.createProcess();
    const t = k.spawn(p, 'x');
    k.mem.kmalloc(t, 32, GFP_KERNEL, 0, 0);
    expect(fp.objects.size).toBe(0);
  });
});

describe('explore mode dpor', () => {
  it('needs a world explored from a snapshot: build alone, or snapshots off, is refused', () => {
    const programs: Op[][] = [[{ op: 'read', word: 0 }], [{ op: 'write', word: 0 }]];
    const b = (seed: number) => build(programs, seed);
    expect(() => explore<World>({ build: b, mode: 'dpor' })).toThrow(/explore mode dpor.*snapshot/);
    expect(() => explore<World>({ build: b, start, snapshots: false, mode: 'dpor' })).toThrow(/snapshot/);
    expect(explore<World>({ build: b, start, mode: 'dpor' })).toMatchObject({ schedules: 2, complete: true });
  });
});
