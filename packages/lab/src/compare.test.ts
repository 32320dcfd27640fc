/**
 * The decision table: every strategy's figures come from the measurements (cost model
 * §2.2 on p4-2006: kmalloc 2085 cycles, stack 1765 at 4 registers), the attack, the race
 * exploration and the stack report; the verdict of each row follows from them.
 */
import { describe, expect, it } from 'vitest';
import { runCompare, type StrategySummary, verdict } from './compare.js';
import { getMachine } from './machines.js';
import { measureCall } from './measure.js';

const p4 = getMachine('p4-2006');

describe('runCompare', () => {
  it('folds measurements, attacks, races and stack use into one row per strategy', () => {
    const progress: [number, number, string][] = [];
    const r = runCompare({
      machine: p4,
      strategies: ['kmalloc', 'stack', 'ctx-cache', 'ctx-cache-naive'],
      counts: [4, 64],
      syscalls: ['pfm_read_pmds'],
      attackContexts: 8,
      attackThreads: 8,
      maxPreemptions: 1,
      onProgress: (done, total, what) => progress.push([done, total, what]),
    });
    expect(r).toMatchObject({
      machine: 'p4-2006',
      arch: 'i386',
      cost: 'p4-2006',
      pmu: 'intel-p4',
      seed: 1,
      abi: 'v2.3',
      threads: 1,
      counts: [4, 64],
      best: 'stack',
    });
    expect(r.results.map((m) => [m.strategy, m.syscall, m.count, m.cyclesPerCall])).toEqual([
      ['kmalloc', 'pfm_read_pmds', 4, 2085],
      ['kmalloc', 'pfm_read_pmds', 64, 13533],
      ['stack', 'pfm_read_pmds', 4, 1765],
      ['stack', 'pfm_read_pmds', 64, 13533],
      ['ctx-cache', 'pfm_read_pmds', 4, 1965],
      ['ctx-cache', 'pfm_read_pmds', 64, 13413],
      ['ctx-cache-naive', 'pfm_read_pmds', 4, 1765],
      ['ctx-cache-naive', 'pfm_read_pmds', 64, 13213],
    ]);
    const [kmalloc, stack, ctx, naive] = r.strategies;
    expect(kmalloc).toEqual({
      name: 'kmalloc',
      cyclesAt4: 2085,
      cyclesAt64: 13533,
      savingAt4: 0,
      savingAt64: 0,
      stackFrameBytes: 0,
      stackDepth: 160,
      frameWarn: false,
      pinnedBytesAfterAttack: 0,
      pinnedBytesAfterScaledAttack: null,
      pinnedBytesAfterThreadAttack: 0,
      raceFree: true,
      kernelBugs: [],
      raceReplay: null,
      verdict: 'baseline: the 2006 code',
    });
    // 4 PMDs of 176 bytes on the stack: a 704-byte array in the pfm_read_pmds frame.
    expect(stack).toMatchObject({
      savingAt4: (2085 - 1765) / 2085,
      savingAt64: 0,
      stackFrameBytes: 704,
      stackDepth: 160 + 704,
      verdict: 'best overall: 15.3% faster at 4 regs, 0.0% at 64, bounded memory',
    });
    // A page per context kept by the per-context cache; one for the threads sharing one context.
    expect(ctx).toMatchObject({
      savingAt64: (13533 - 13413) / 13533,
      pinnedBytesAfterAttack: 8 * 4096,
      pinnedBytesAfterThreadAttack: 4096,
      raceFree: true,
      verdict: 'saves 5.8% at 4 regs but pins 0.0 MiB for 8 contexts',
    });
    expect(naive).toMatchObject({
      raceFree: false,
      kernelBugs: ['data-race', 'corrupted-argument'],
      verdict: 'unsafe: data-race, corrupted-argument with two threads on one fd',
    });
    expect(naive?.raceReplay).toMatch(/^1:[\d.]+$/);
    // 4 strategies x (1 syscall x 2 counts + attack, thread attack, race, stack).
    expect(progress.map(([done, total]) => [done, total])).toEqual(
      Array.from({ length: 24 }, (_, i) => [i + 1, 24]),
    );
    expect(progress.slice(0, 6).map(([, , what]) => what)).toEqual([
      'kmalloc pfm_read_pmds n=4',
      'kmalloc pfm_read_pmds n=64',
      'stack pfm_read_pmds n=4',
      'stack pfm_read_pmds n=64',
      'ctx-cache pfm_read_pmds n=4',
      'ctx-cache pfm_read_pmds n=64',
    ]);
    expect(progress.slice(8).map(([, , what]) => what)).toEqual(
      ['kmalloc', 'stack', 'ctx-cache', 'ctx-cache-naive'].flatMap((s) => [
        `${s} attack`,
        `${s} thread attack`,
        `${s} race`,
        `${s} stack`,
      ]),
    );
  });

  it('picks the cheapest safe strategy: 4-register cost plus a sixteenth of the 64-register cost', () => {
    const r = runCompare({
      machine: p4,
      strategies: ['kmalloc', 'stack', 'hybrid', 'ctx-cache-bounded'],
      counts: [4, 64],
      syscalls: ['pfm_read_pmds'],
      attackContexts: 128,
      attackThreads: 8,
      maxPreemptions: 0,
    });
    expect(r.strategies.map((s) => [s.name, s.cyclesAt4, s.cyclesAt64, s.pinnedBytesAfterAttack])).toEqual([
      ['kmalloc', 2085, 13533, 0],
      ['stack', 1765, 13533, 0],
      ['hybrid', 1765, 13413, 65536],
      ['ctx-cache-bounded', 1965, 13413, 65536],
    ]);
    // hybrid: 1765 + 13413 / 16 = 2603.3 beats stack: 1765 + 13533 / 16 = 2610.8.
    expect(r.best).toBe('hybrid');
    expect(r.strategies.map((s) => s.verdict)).toEqual([
      'baseline: the 2006 code',
      '15.3% at 4 regs, 0.0% at 64, bounded memory',
      'best overall: 15.3% faster at 4 regs, 0.9% at 64, bounded memory',
      '5.8% at 4 regs, 0.9% at 64, bounded memory',
    ]);
  });

  it('passes abi, seed and cost overrides to every run', () => {
    const r = runCompare({
      machine: getMachine('p4-2006-4k'),
      strategies: ['kmalloc'],
      counts: [4],
      syscalls: ['pfm_read_pmds'],
      attackContexts: 4,
      attackThreads: 4,
      maxPreemptions: 0,
      abi: 'v2.2',
      seed: 5,
      costOverrides: { kmallocFast: 0 },
    });
    expect(r).toMatchObject({
      machine: 'p4-2006-4k',
      arch: 'i386-4k',
      abi: 'v2.2',
      seed: 5,
      best: 'kmalloc',
    });
    // The same call without its 130-cycle kmalloc fast path.
    expect(r.strategies[0]?.cyclesAt4).toBe(
      measureCall({
        machine: getMachine('p4-2006-4k'),
        strategy: 'kmalloc',
        syscall: 'pfm_read_pmds',
        count: 4,
        abi: 'v2.2',
        seed: 5,
        costOverrides: { kmallocFast: 0 },
      }).cyclesPerCall,
    );
    expect(r.strategies[0]?.cyclesAt4).toBe(2085 - 130);
  });

  it('judges pinned memory in 16 KiB pages on ia64', () => {
    const r = runCompare({
      machine: getMachine('itanium2-2006'),
      strategies: ['ctx-cache-bounded'],
      counts: [4],
      syscalls: ['pfm_read_pmds'],
      attackContexts: 64,
      attackThreads: 8,
      maxPreemptions: 0,
    });
    // A pool of 4 pages for 64 contexts, one page for the 8 threads of one context: both under a
    // quarter page each, with 16 KiB pages (not with 4 KiB ones).
    expect(r.strategies[0]).toMatchObject({
      pinnedBytesAfterAttack: 4 * 16384,
      pinnedBytesAfterThreadAttack: 16384,
    });
    expect(r.best).toBe('ctx-cache-bounded');
  });

  it('measures every register call at seven counts by default', () => {
    class Stop extends Error {}
    const progress: [number, number, string][] = [];
    expect(() =>
      runCompare({
        machine: p4,
        strategies: ['kmalloc'],
        onProgress: (done, total, what) => {
          progress.push([done, total, what]);
          throw new Stop();
        },
      }),
    ).toThrow(Stop);
    // 3 calls x 7 counts (1 to 64) + 4 experiments.
    expect(progress).toEqual([[1, 25, 'kmalloc pfm_read_pmds n=1']]);
  });

  it('attacks with 1024 contexts by default: the per-context cache pins 4 MiB', () => {
    const r = runCompare({
      machine: p4,
      strategies: ['ctx-cache'],
      counts: [4],
      syscalls: ['pfm_read_pmds'],
    });
    expect(r.strategies[0]).toMatchObject({
      pinnedBytesAfterAttack: 1024 * 4096,
      pinnedBytesAfterThreadAttack: 4096,
      raceFree: true,
    });
    expect(r.strategies[0]?.verdict).toMatch(/ but pins 4\.0 MiB for 1024 contexts$/);
    // No kmalloc row to compare with and nothing bounded: kmalloc is the answer.
    expect(r.best).toBe('kmalloc');
  });

  it('a scaled attack joins the 1024-context figure (one more step per strategy), the verdict unchanged', () => {
    const progress: [number, number, string][] = [];
    const r = runCompare({
      machine: p4,
      strategies: ['ctx-cache', 'ctx-cache-bounded'],
      counts: [4],
      syscalls: ['pfm_read_pmds'],
      attackContexts: 8,
      scaledAttackContexts: 40,
      maxPreemptions: 0,
      onProgress: (done, total, what) => progress.push([done, total, what]),
    });
    expect(
      r.strategies.map((s) => [s.name, s.pinnedBytesAfterAttack, s.pinnedBytesAfterScaledAttack]),
    ).toEqual([
      ['ctx-cache', 8 * 4096, 40 * 4096],
      ['ctx-cache-bounded', 8 * 4096, 16 * 4096],
    ]);
    expect(r.strategies[0]!.verdict).toMatch(/ but pins 0\.0 MiB for 8 contexts$/);
    expect(progress.filter(([, , what]) => what.endsWith('scaled attack')).map(([, , w]) => w)).toEqual([
      'ctx-cache scaled attack',
      'ctx-cache-bounded scaled attack',
    ]);
    expect(progress.at(-1)![0]).toBe(progress.at(-1)![1]);
    expect(progress.at(-1)![1]).toBe(2 * (1 + 5));
  });
});

describe('verdict', () => {
  const row = (over: Partial<StrategySummary>): StrategySummary => ({
    name: 'hybrid',
    cyclesAt4: 1765,
    cyclesAt64: 13000,
    savingAt4: 0.1535,
    savingAt64: 0.0394,
    stackFrameBytes: 0,
    stackDepth: 160,
    frameWarn: false,
    pinnedBytesAfterAttack: 0,
    pinnedBytesAfterScaledAttack: null,
    pinnedBytesAfterThreadAttack: 0,
    raceFree: true,
    kernelBugs: [],
    raceReplay: null,
    verdict: '',
    ...over,
  });

  it('puts safety first: races, then the frame size, then pinned memory', () => {
    const all = row({
      raceFree: false,
      kernelBugs: ['data-race'],
      frameWarn: true,
      stackFrameBytes: 2816,
      pinnedBytesAfterAttack: 1 << 30,
    });
    expect(verdict(all, 'hybrid', 1024, 4096)).toBe('unsafe: data-race with two threads on one fd');
    expect(verdict({ ...all, raceFree: true }, 'hybrid', 1024, 4096)).toBe(
      'over CONFIG_FRAME_WARN (2816 B frame)',
    );
    expect(verdict({ ...all, raceFree: true, frameWarn: false }, 'hybrid', 1024, 4096)).toBe(
      'saves 15.3% at 4 regs but pins 1024.0 MiB for 1024 contexts',
    );
  });

  it('calls a quarter page per context or per thread unbounded, and less bounded', () => {
    // 1024 contexts x 4096 / 4 = 1 MiB; 256 threads x 4096 / 4 = 256 KiB.
    expect(verdict(row({ pinnedBytesAfterAttack: 1 << 20 }), 'x', 1024, 4096)).toBe(
      'saves 15.3% at 4 regs but pins 1.0 MiB for 1024 contexts',
    );
    expect(verdict(row({ pinnedBytesAfterAttack: (1 << 20) - 1 }), 'x', 1024, 4096)).toBe(
      '15.3% at 4 regs, 3.9% at 64, bounded memory',
    );
    expect(verdict(row({ pinnedBytesAfterThreadAttack: 1 << 18 }), 'x', 1024, 4096)).toBe(
      'saves 15.3% at 4 regs but pins 0.3 MiB for 256 threads',
    );
    expect(verdict(row({ pinnedBytesAfterThreadAttack: (1 << 18) - 1 }), 'x', 1024, 4096)).toBe(
      '15.3% at 4 regs, 3.9% at 64, bounded memory',
    );
    expect(verdict(row({ pinnedBytesAfterThreadAttack: 1 << 14 }), 'x', 1024, 4096, 16)).toBe(
      'saves 15.3% at 4 regs but pins 0.0 MiB for 16 threads',
    );
    expect(verdict(row({ pinnedBytesAfterThreadAttack: (1 << 14) - 1 }), 'x', 1024, 4096, 16)).toBe(
      '15.3% at 4 regs, 3.9% at 64, bounded memory',
    );
    // ia64: 16 KiB pages.
    expect(verdict(row({ pinnedBytesAfterAttack: 1 << 20 }), 'x', 1024, 16384)).toBe(
      '15.3% at 4 regs, 3.9% at 64, bounded memory',
    );
  });

  it('names the best strategy and the kmalloc baseline', () => {
    expect(verdict(row({}), 'hybrid', 1024, 4096)).toBe(
      'best overall: 15.3% faster at 4 regs, 3.9% at 64, bounded memory',
    );
    expect(verdict(row({ name: 'kmalloc', savingAt4: 0, savingAt64: 0 }), 'hybrid', 1024, 4096)).toBe(
      'baseline: the 2006 code',
    );
  });
});
