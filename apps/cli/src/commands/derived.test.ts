import { getModel, listModelIds } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { type CountedEvent, derivedMetrics, missPairs } from './derived.js';

const CORE = { cycleEvent: 'UNHALTED_CORE_CYCLES', instRetiredEvent: 'INSTRUCTIONS_RETIRED' };
const ran = (name: string, scaled: number): CountedEvent => ({ name, scaled, runningNs: 1000 });

describe('derivedMetrics', () => {
  it('GHz on the cycle event, insn per cycle on the instruction event, in the order of the events', () => {
    const m = derivedMetrics(
      CORE,
      [ran('INSTRUCTIONS_RETIRED', 2_500), ran('UNHALTED_CORE_CYCLES', 2_000)],
      1e-6,
    );
    expect(m).toEqual([
      {
        event: 'INSTRUCTIONS_RETIRED',
        kind: 'ipc',
        value: 1.25,
        of: 'UNHALTED_CORE_CYCLES',
        text: '   1.25  insn per cycle',
      },
      { event: 'UNHALTED_CORE_CYCLES', kind: 'ghz', value: 2, of: null, text: '   2.000 GHz' },
    ]);
  });

  it('a miss event over its total in percent, with perf words; names match with any unit mask and case', () => {
    const m = derivedMetrics(
      { cycleEvent: 'global_power_events:RUNNING', instRetiredEvent: 'instr_retired:NBOGUSNTAG' },
      [ran('branch_retired:MMNP:MMNM', 400), ran('MISPRED_BRANCH_RETIRED:NBOGUS', 10)],
      1,
    );
    expect(m).toEqual([
      {
        event: 'MISPRED_BRANCH_RETIRED:NBOGUS',
        kind: 'miss-ratio',
        value: 2.5,
        of: 'branch_retired:MMNP:MMNM',
        text: '   2.50% of all branches',
      },
    ]);
    const llc = derivedMetrics(
      CORE,
      [ran('LAST_LEVEL_CACHE_REFERENCES', 3), ran('LAST_LEVEL_CACHE_MISSES', 1)],
      1,
    );
    expect(llc.map((x) => x.text)).toEqual(['  33.33% of all LL-cache accesses']);
  });

  it('the cycle event found by its name without a unit mask (P4: global_power_events:RUNNING)', () => {
    const p4 = {
      cycleEvent: 'global_power_events:RUNNING',
      instRetiredEvent: 'instr_retired:NBOGUSNTAG:NBOGUSTAG',
    };
    const m = derivedMetrics(
      p4,
      [ran('global_power_events:RUNNING', 100), ran('instr_retired:NBOGUSNTAG', 50)],
      1e-7,
    );
    expect(m.map((x) => [x.kind, x.value])).toEqual([
      ['ghz', 1],
      ['ipc', 0.5],
    ]);
  });

  it('nothing for an event that did not run, a total that did not run or is 0, no cycles, or no time', () => {
    const idle = (name: string, scaled: number): CountedEvent => ({ name, scaled, runningNs: 0 });
    // the miss event did not run
    expect(
      derivedMetrics(
        CORE,
        [ran('BRANCH_INSTRUCTIONS_RETIRED', 5), idle('MISPREDICTED_BRANCH_RETIRED', 1)],
        1,
      ),
    ).toEqual([]);
    // its total did not run, or counted 0
    expect(
      derivedMetrics(
        CORE,
        [idle('BRANCH_INSTRUCTIONS_RETIRED', 5), ran('MISPREDICTED_BRANCH_RETIRED', 1)],
        1,
      ),
    ).toEqual([]);
    expect(
      derivedMetrics(CORE, [ran('BRANCH_INSTRUCTIONS_RETIRED', 0), ran('MISPREDICTED_BRANCH_RETIRED', 0)], 1),
    ).toEqual([]);
    // cycles did not run, or counted 0: no insn per cycle
    expect(
      derivedMetrics(CORE, [idle('UNHALTED_CORE_CYCLES', 9), ran('INSTRUCTIONS_RETIRED', 5)], 1),
    ).toEqual([]);
    expect(
      derivedMetrics(CORE, [ran('UNHALTED_CORE_CYCLES', 0), ran('INSTRUCTIONS_RETIRED', 5)], 1).map(
        (x) => x.kind,
      ),
    ).toEqual(['ghz']);
    // no elapsed time: no GHz
    expect(derivedMetrics(CORE, [ran('UNHALTED_CORE_CYCLES', 10)], 0)).toEqual([]);
    // a model without cycle or instruction events
    expect(derivedMetrics({}, [ran('UNHALTED_CORE_CYCLES', 10), ran('INSTRUCTIONS_RETIRED', 5)], 1)).toEqual(
      [],
    );
  });

  it('an event that is neither cycles, instructions nor a miss gets nothing', () => {
    expect(derivedMetrics(CORE, [ran('BRANCH_INSTRUCTIONS_RETIRED', 10), ran('L2_LD', 3)], 1)).toEqual([]);
  });
});

describe('missPairs', () => {
  it('every pair names two events of one model, so each can be shown', () => {
    const models = listModelIds().map((id) => getModel(id));
    for (const [miss, total] of missPairs()) {
      const holders = models.filter(
        (m) => m.eventByName(miss) !== undefined && m.eventByName(total) !== undefined,
      );
      expect(
        holders.map((m) => m.id),
        `${miss} / ${total}`,
      ).not.toEqual([]);
    }
  });

  it('every model with a cycle and an instruction event gets insn per cycle on its default events', () => {
    for (const id of listModelIds()) {
      const model = getModel(id);
      if (!model.cycleEvent || !model.instRetiredEvent) continue;
      const m = derivedMetrics(model, [ran(model.cycleEvent, 1000), ran(model.instRetiredEvent, 800)], 1e-6);
      expect(
        m.map((x) => [x.kind, x.value]),
        id,
      ).toEqual([
        ['ghz', 1],
        ['ipc', 0.8],
      ]);
    }
  });
});
