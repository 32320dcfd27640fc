import { describe, expect, it } from 'vitest';
import { runAttack } from './attack.js';
import { getMachine, MACHINES, resolveMachine } from './machines.js';
import { measureCall } from './measure.js';
import { exploreRaces, replayRace } from './race.js';

const p4 = getMachine('p4-2006');

describe('machines', () => {
  it('has the eight presets of the CLI issue and suggests the closest name', () => {
    expect(MACHINES.map((m) => m.id)).toEqual([
      'p4-2006',
      'p4-2006-4k',
      'core2-2007',
      'k8-2006',
      'itanium2-2006',
      'power5-2006',
      'modern',
      'modern-mitigated',
    ]);
    expect(() => getMachine('p4-2007')).toThrow(/did you mean "p4-2006"/);
    expect(resolveMachine({ machine: 'k8-2006', pmu: 'intel-p6' })).toMatchObject({
      arch: 'x86_64',
      cost: 'k8-2006',
      pmu: 'intel-p6',
    });
  });
});

describe('measureCall', () => {
  it('reproduces the analytic model on p4-2006 (pfm_read_pmds n=4)', () => {
    expect(
      measureCall({ machine: p4, strategy: 'kmalloc', syscall: 'pfm_read_pmds', count: 4 }).cyclesPerCall,
    ).toBe(2085);
    const s = measureCall({ machine: p4, strategy: 'stack', syscall: 'pfm_read_pmds', count: 4 });
    expect(s.cyclesPerCall).toBe(1765);
    expect(s.breakdown).toMatchObject({ syscall: 641, fd: 20, lock: 220, handler: 200, alloc: 0 });
    expect(s.stackBytes).toBeGreaterThanOrEqual(160 + 704);
  });

  it('fits 64 PMDs by raising the per-call limit, and averages threaded calls', () => {
    const m = measureCall({ machine: p4, strategy: 'kmalloc', syscall: 'pfm_read_pmds', count: 64 });
    expect(m.error).toBeNull();
    const t = measureCall({
      machine: p4,
      strategy: 'kmalloc',
      syscall: 'pfm_write_pmcs',
      count: 4,
      threads: 3,
    });
    expect(t.error).toBeNull();
    expect(t.kernelBugs).toBe(0);
    expect(t.cyclesPerCall).toBeGreaterThan(0);
  });
});

describe('attack and race', () => {
  it('pins a page per context under ctx-cache, nothing under kmalloc', () => {
    expect(runAttack({ machine: p4, strategy: 'ctx-cache', contexts: 64 }).pinnedBytesAfter).toBe(64 * 4096);
    const k = runAttack({ machine: p4, strategy: 'kmalloc', contexts: 64 });
    expect(k.pinnedBytesAfter).toBe(0);
    expect(k.samples.length).toBeGreaterThan(2);
  });

  it('finds the naive cache race with a replay that reproduces it, and nothing on ctx-cache', () => {
    const naive = exploreRaces({ machine: p4, strategy: 'ctx-cache-naive' });
    expect(naive.raceFree).toBe(false);
    expect(naive.bugKinds).toContain('data-race');
    const again = replayRace({ machine: p4, strategy: 'ctx-cache-naive' }, naive.findings[0]!.replay);
    expect(again.bugs.map((b) => b.kind)).toContain('data-race');
    const safe = exploreRaces({ machine: p4, strategy: 'ctx-cache', maxPreemptions: 3 });
    expect(safe.complete).toBe(true);
    expect(safe.raceFree).toBe(true);
  });
});

describe('abi v3 through the lab', () => {
  it('measures perfmon3 calls and runs the attack and race on them', () => {
    const v3 = measureCall({ machine: p4, strategy: 'stack', syscall: 'pfm_read_pmds', count: 4, abi: 'v3' });
    expect(v3.error).toBeNull();
    const v23 = measureCall({ machine: p4, strategy: 'stack', syscall: 'pfm_read_pmds', count: 4 });
    expect(v23.cyclesPerCall - v3.cyclesPerCall).toBe(2 * (Math.round(704 * 0.4) - Math.round(64 * 0.4)));
    expect(runAttack({ machine: p4, strategy: 'ctx-cache', contexts: 16, abi: 'v3' }).pinnedBytesAfter).toBe(
      16 * 4096,
    );
    expect(exploreRaces({ machine: p4, strategy: 'ctx-cache-naive', abi: 'v3' }).raceFree).toBe(false);
  });
});
