/**
 * Race exploration through the lab: two threads of one process call pfm_write_pmds on one fd;
 * the naive per-context cache races on ctx->arg_buf and hands one thread the other's vector.
 */
import { createStrategy, STRATEGY_NAMES } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { getMachine } from './machines.js';
import { buildRaceKernel, exploreRaces, replayRace } from './race.js';
import { buildRaceWorld } from './race-world.js';

const p4 = getMachine('p4-2006');

describe('exploreRaces', () => {
  it('finds data races and corrupted arguments in every schedule of the naive cache', () => {
    const r = exploreRaces({ machine: p4, strategy: 'ctx-cache-naive' });
    expect(r).toMatchObject({
      strategy: 'ctx-cache-naive',
      mode: 'exhaustive',
      threads: 2,
      schedules: 90,
      complete: true,
      raceFree: false,
      bugKinds: ['data-race', 'corrupted-argument'],
    });
    expect(r.findings).toHaveLength(90);
    const first = r.findings[0]!;
    expect(first.replay).toBe('1:0.0.0.0.0');
    expect(first.kinds).toEqual(['data-race']);
    expect(first.corrupted).toEqual([]);
    expect(first.messages[0]).toBe(
      'data-race: read by T1 caller1 at ctx->arg_buf read (naive) races with write by T0 main at ctx->arg_buf store (naive) on 0x4e00 (no common lock, no happens-before)',
    );
    const corrupted = r.findings.filter((f) => f.corrupted.length > 0);
    expect(corrupted).toHaveLength(56);
    expect(corrupted[0]).toMatchObject({
      replay: '1:0.0.0.1.1.1.1.1',
      kinds: ['data-race', 'corrupted-argument'],
      corrupted: ['T0 main'],
    });
    expect(corrupted[0]?.messages.at(-1)).toBe(
      'T0 main: copied-back vector differs from its own (corrupted argument)',
    );
    expect(r.schedulesWithFindings).toBe(90);
    expect(r.findingClasses).toEqual([
      { kinds: ['data-race'], schedules: 34 },
      { kinds: ['corrupted-argument', 'data-race'], schedules: 56 },
    ]);
  });

  it('a long search keeps maxFindings findings and the first of each class, and counts them all', () => {
    const all = exploreRaces({ machine: p4, strategy: 'ctx-cache-naive' });
    const r = exploreRaces({ machine: p4, strategy: 'ctx-cache-naive', maxFindings: 3 });
    expect(r.schedulesWithFindings).toBe(90);
    expect(r.findingClasses).toEqual(all.findingClasses);
    expect(r.findings.map((f) => f.replay)).toEqual([
      ...all.findings.slice(0, 3).map((f) => f.replay),
      '1:0.0.0.1.1.1.1.1', // the first corrupted schedule: a class of its own
    ]);
    expect(r.raceFree).toBe(false);
    expect(r.bugKinds).toEqual(all.bugKinds);
    const clean = exploreRaces({ machine: p4, strategy: 'kmalloc' });
    expect(clean).toMatchObject({
      raceFree: true,
      schedulesWithFindings: 0,
      findingClasses: [],
      findings: [],
    });
  });

  it('replays a finding: the same races and the same corrupted thread', () => {
    const again = replayRace({ machine: p4, strategy: 'ctx-cache-naive' }, '1:0.0.0.1.1.1.1.1');
    expect(again.corrupted).toEqual(['T0 main']);
    expect(again.bugs.map((b) => b.kind)).toEqual(['data-race', 'data-race', 'data-race']);
    expect(again.bugs[0]?.syscall).toBe('pfm_write_pmds');
    const clean = replayRace({ machine: p4, strategy: 'ctx-cache-naive' }, '1:0.0.0.0.0');
    expect(clean.corrupted).toEqual([]);
    expect(clean.traceHash).not.toBe(again.traceHash);
  });

  it('passes the exploration options through: random and PCT schedules, seeds, stop on first', () => {
    const random = exploreRaces({
      machine: p4,
      strategy: 'ctx-cache-naive',
      mode: 'random',
      schedules: 5,
      seed: 7,
      stopOnFirst: true,
    });
    expect(random).toMatchObject({ mode: 'random', schedules: 1, complete: false });
    expect(random.findings).toHaveLength(1);
    const pct = exploreRaces({
      machine: p4,
      strategy: 'ctx-cache-naive',
      mode: 'pct',
      schedules: 3,
      pctDepth: 2,
      seed: 4,
    });
    // the first PCT schedule measures the run (no change point); the next two preempt once each
    expect(pct.findings.map((f) => f.replay)).toEqual([
      '4:0.0.0.0.0',
      '5:1.1.0.0.0.0.0',
      '6:0.0.0.1.1.1.1.1',
    ]);
  });

  it('passes the PCT depth through: depth 1 never preempts, so only the default depth 2 corrupts an argument', () => {
    const corrupted = (pctDepth?: number) =>
      exploreRaces({
        machine: p4,
        strategy: 'ctx-cache-naive',
        mode: 'pct',
        schedules: 8,
        seed: 1,
        ...(pctDepth === undefined ? {} : { pctDepth }),
      })
        .findings.filter((f) => f.corrupted.length > 0)
        .map((f) => f.replay);
    expect(corrupted()).toEqual(['2:1.1.1.0.0.0.0.0', '5:1.1.0.0.0.0.0']);
    expect(corrupted(1)).toEqual([]);
  });

  it('runs three threads on three CPUs, bounded by the preemption count, race-free under ctx-cache', () => {
    const r = exploreRaces({ machine: p4, strategy: 'ctx-cache', threads: 3, maxPreemptions: 1 });
    expect(r).toMatchObject({ threads: 3, schedules: 78, complete: true, raceFree: true, bugKinds: [] });
    const b = buildRaceKernel({ machine: p4, strategy: 'kmalloc', threads: 3 }, 5);
    expect(b.kernel.cpus).toHaveLength(3);
    expect(b.corrupted()).toEqual([]);
  });

  it('gives each schedule a 2 MiB kernel arena unless told otherwise', () => {
    const pages = (arenaBytes?: number) =>
      buildRaceKernel(
        { machine: p4, strategy: 'kmalloc', ...(arenaBytes === undefined ? {} : { arenaBytes }) },
        1,
      ).kernel.mem.numPages;
    expect(pages()).toBe(512);
    expect(pages(4 << 20)).toBe(1024);
  });

  it('names a strategy given as an object', () => {
    const r = exploreRaces({ machine: p4, strategy: createStrategy('kmalloc'), maxPreemptions: 0 });
    expect(r.strategy).toBe('kmalloc');
    expect(r.raceFree).toBe(true);
  });
});

describe('exploreRaces from a snapshot of the set-up world', () => {
  it('finds, schedule for schedule, what rebuilding the world finds, under every strategy', () => {
    for (const strategy of STRATEGY_NAMES) {
      for (const mode of ['exhaustive', 'random'] as const) {
        const opts = { machine: p4, strategy, mode, schedules: 60, seed: 3 };
        const restored = exploreRaces({ ...opts, snapshots: true });
        expect(restored, `${strategy} ${mode}`).toEqual(exploreRaces({ ...opts, snapshots: false }));
      }
    }
  });

  it('a random schedule found under the naive cache replays to its finding (the world set up under the base seed)', () => {
    const opts = {
      machine: p4,
      strategy: 'ctx-cache-naive',
      mode: 'random' as const,
      schedules: 30,
      seed: 11,
    };
    const r = exploreRaces(opts);
    const f = r.findings.find((x) => x.corrupted.length > 0)!;
    expect(f.replay.startsWith('11:')).toBe(false); // not the first schedule: its kernel was reseeded
    const again = replayRace(opts, f.replay);
    expect(again.corrupted).toEqual(f.corrupted);
    expect(again.bugs.map((b) => `${b.kind}: ${b.message}`)).toEqual(
      f.messages.filter((m) => !m.includes('corrupted argument')),
    );
  });

  it('buildRaceWorld leaves the threads without bodies until start()', () => {
    const w = buildRaceWorld({ machine: p4, strategy: 'kmalloc', threads: 3 }, 1);
    expect(w.kernel.threads.map((t) => t.body)).toEqual([null, null, null]);
    w.start();
    expect(w.kernel.threads.every((t) => t.body !== null)).toBe(true);
    expect(w.corrupted()).toEqual([]);
  });
});
