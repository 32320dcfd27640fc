import { createKmallocStrategy } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { PFMLIB_ERR_NOTFOUND, PfmError } from './errors.js';
import { count } from './session.js';

const p6 = { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' };
const rates = { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.75, BR_INST_RETIRED: 0.125, DATA_MEM_REFS: 0.4 };

describe('count()', () => {
  it('counts exactly rate x cycles when the events fit the counters', () => {
    const r = count({
      machine: p6,
      events: ['cpu_clk_unhalted', 'INST_RETIRED'],
      workload: rates,
      cycles: 10_000_000,
    });
    expect(r.multiplexed).toBe(false);
    expect(r.events.map((e) => [e.name, e.value, e.scaled])).toEqual([
      ['CPU_CLK_UNHALTED', 10_000_000, 10_000_000],
      ['INST_RETIRED', 7_500_000, 7_500_000],
    ]);
    expect(r.events[0]!.runningNs).toBe(r.events[0]!.enabledNs);
  });

  it('multiplexes more events than counters across time-switched sets and scales by duration', () => {
    const cycles = 3_000_000_000; // one second at 3 GHz, 100 switches of 10 ms
    const r = count({
      machine: p6,
      events: ['CPU_CLK_UNHALTED', 'INST_RETIRED', 'BR_INST_RETIRED', 'DATA_MEM_REFS'],
      workload: rates,
      cycles,
    });
    expect(r.multiplexed).toBe(true);
    expect(r.sets).toBe(2);
    for (const e of r.events) {
      const truth = Math.floor((rates as Record<string, number>)[e.name]! * cycles);
      expect(e.runningNs).toBeLessThan(e.enabledNs);
      // a steady workload multiplexed over whole switch periods: the estimate is within 1 %
      expect(Math.abs(e.scaled - truth) / truth).toBeLessThan(0.01);
    }
  });

  it('surfaces libpfm errors by code and naming the event', () => {
    try {
      count({ machine: p6, events: ['NO_SUCH_EVENT'], workload: rates, cycles: 1000 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PfmError);
      expect((e as PfmError).code).toBe(PFMLIB_ERR_NOTFOUND);
      expect((e as PfmError).message).toMatch(/NO_SUCH_EVENT/);
    }
  });

  it('gives the same counts under every argument strategy', () => {
    const a = count({ machine: p6, events: ['CPU_CLK_UNHALTED'], workload: rates, cycles: 123_457 });
    const b = count({
      machine: p6,
      events: ['CPU_CLK_UNHALTED'],
      workload: rates,
      cycles: 123_457,
      strategy: createKmallocStrategy(),
    });
    expect(b.events).toEqual(a.events);
  });
});

describe('count() on the other PMU families', () => {
  it.each([
    ['intel-p4', 'i386', ['global_power_events:RUNNING', 'instr_retired:NBOGUSNTAG:NBOGUSTAG']],
    ['itanium2', 'ia64', ['CPU_CYCLES', 'IA64_INST_RETIRED']],
    ['amd64-k8', 'x86_64', ['CPU_CLK_UNHALTED', 'RETIRED_INSTRUCTIONS']],
    ['intel-core', 'x86_64', ['UNHALTED_CORE_CYCLES', 'INSTRUCTIONS_RETIRED']],
    ['power5', 'ppc64', ['PM_CYC', 'PM_INST_CMPL']],
    ['power5', 'ppc64', ['PM_RUN_CYC', 'PM_INST_CMPL']],
    ['mips64', 'mips64', ['CYCLES', 'INSNS_EXECED']],
    ['mips64', 'mips64', ['FAILED_COND_STORES', 'FP_INSNS_EXECED']],
  ] as const)('%s: the counters advance exactly with the workload', (pmu, arch, events) => {
    const r = count({
      machine: { arch, cost: 'p4-2006', pmu },
      events,
      workload: { [events[0]]: 1, [events[1]]: 0.5 },
      cycles: 1_000_000,
    });
    expect(r.events.map((e) => e.value)).toEqual([1_000_000, 500_000]);
  });
});
