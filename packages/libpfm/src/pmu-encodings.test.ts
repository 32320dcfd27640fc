import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { syntheticModel } from './fixtures.test-util.js';
import {
  type DispatchInput,
  dispatchEventsVerbose,
  findFullEvent,
  type ModelInput,
  PFM_PLM0,
  PFM_PLM3,
  PFMLIB_ERR_INVAL,
  PFMLIB_ERR_NOASSIGN,
} from './index.js';
import { pfmError as err, expectPfmError } from './pfm-error.test-util.js';

type Model = ReturnType<typeof getModel>;

function verbose(
  model: Model,
  specs: string[],
  dflPlm = PFM_PLM3,
  extra: Partial<DispatchInput> = {},
  mi?: ModelInput,
) {
  const r = dispatchEventsVerbose(
    model,
    { events: specs.map((s) => findFullEvent(model, s)), dflPlm, ...extra },
    mi,
  );
  return {
    pmcs: r.output.pmcs.map((p) => [p.regNum, `0x${p.regValue.toString(16)}`]),
    pmds: r.output.pmds.map((p) => p.regNum),
    lines: r.lines,
  };
}

describe('POWER5 MMCR0 freeze bits and MMCR1 selectors', () => {
  const power5 = getModel('power5');

  it('kernel only: FCS cleared, FCP (freeze in problem state) kept', () => {
    const r = verbose(power5, ['PM_CYC', 'PM_INST_CMPL'], PFM_PLM0);
    expect(r.pmcs[0]).toEqual([0, '0x2400c011']);
    expect(r.lines).toEqual([
      '[MMCR0(pmc0)=0x2400c011] [MMCR1(pmc1)=0xf090000] [MMCRA(pmc2)=0x0]',
      '[PMC1(pmd1)] PM_CYC',
      '[PMC2(pmd2)] PM_INST_CMPL',
    ]);
  });

  it("the events' own privilege level, not the default, sets the freeze bits", () => {
    const events = ['PM_CYC', 'PM_INST_CMPL'].map((n) => ({ ...findFullEvent(power5, n), plm: PFM_PLM0 }));
    const out = dispatchEventsVerbose(power5, { events, dflPlm: PFM_PLM3 }).output;
    expect(out.pmcs[0]!.regValue).toBe(0x2400c011n);
  });

  it('PMC4 takes PMCSEL in the low byte of MMCR1', () => {
    const r = verbose(power5, ['PM_EXT_INT']);
    expect(r.pmds).toEqual([4]);
    expect(r.pmcs[1]).toEqual([1, '0x3']); // PMCSEL 0x3 in bits 0-7
  });

  it('mixed privilege levels: NOASSIGN naming the first event and the one that differs', () => {
    const events = [
      findFullEvent(power5, 'PM_CYC'),
      { ...findFullEvent(power5, 'PM_INST_CMPL'), plm: PFM_PLM0 },
    ];
    expectPfmError(
      () => dispatchEventsVerbose(power5, { events, dflPlm: PFM_PLM3 }),
      PFMLIB_ERR_NOASSIGN,
      'power5 counts every event at the same privilege levels: PM_CYC uses 0x8, PM_INST_CMPL 0x1',
      ['PM_CYC', 'PM_INST_CMPL'],
    );
  });

  it('no events: only the MMCRs, PMC5/6 frozen; an unavailable MMCR is no error then', () => {
    const none = verbose(power5, []);
    expect(none.pmcs).toEqual([
      [0, '0x4400c011'],
      [1, '0x0'],
      [2, '0x0'],
    ]);
    expect(none.pmds).toEqual([]);
    expect(verbose(power5, [], PFM_PLM3, { unavailPmcs: [2] }).pmcs).toEqual(none.pmcs);
  });
});

describe('MIPS64 PerfCtl', () => {
  const mips = getModel('mips64');

  it('kernel only: K set, U clear; verbose lines per counter', () => {
    const r = verbose(mips, ['CYCLES', 'INSNS_EXECED'], PFM_PLM0);
    expect(r.pmcs).toEqual([
      [0, '0x12'],
      [1, '0x32'],
    ]);
    expect(r.lines).toEqual([
      '[CP0_25_0(pmc0)=0x12 event_mask=0x0 usr=0 os=1 sup=0 exl=0 int=1] CYCLES',
      '[CP0_25_0(pmd0)]',
      '[CP0_25_1(pmc1)=0x32 event_mask=0x1 usr=0 os=1 sup=0 exl=0 int=1] INSNS_EXECED',
      '[CP0_25_1(pmd1)]',
    ]);
  });

  it('an event without per-counter codes uses its code on every counter', () => {
    const model = syntheticModel('mips64', (f) => {
      f.id = 'test-mips-nocodes';
      const base = f.events.find((e) => e.name === 'CYCLES');
      if (base === undefined) throw new Error('no CYCLES');
      f.events.push({ ...base, name: 'PLAIN', code: '0x3', modelData: {} });
    });
    expect(verbose(model, ['CYCLES', 'PLAIN']).pmcs).toEqual([
      [0, '0x18'],
      [1, '0x78'],
    ]);
  });
});

describe('Pentium 4 CCCR compare', () => {
  const p4 = getModel('intel-p4');
  const cccr = (mi: ModelInput) =>
    BigInt(verbose(p4, ['global_power_events:RUNNING'], PFM_PLM3, {}, mi).pmcs[1]![1]!);
  const bit = (v: bigint, n: number) => Number((v >> BigInt(n)) & 1n);

  it('inv alone or a threshold alone turns compare on', () => {
    expect([
      bit(cccr({ counters: [{ inv: true }] }), 18),
      bit(cccr({ counters: [{ inv: true }] }), 19),
    ]).toEqual([1, 1]);
    expect([
      bit(cccr({ counters: [{ cntMask: 3 }] }), 18),
      bit(cccr({ counters: [{ cntMask: 3 }] }), 19),
    ]).toEqual([1, 0]);
    expect(bit(cccr({}), 18)).toBe(0);
  });

  it('a threshold above 15 → INVAL naming the CCCR threshold', () => {
    const e = err(() => cccr({ counters: [{ cntMask: 16 }] }));
    expect(e.code).toBe(PFMLIB_ERR_INVAL);
    expect(e.message).toBe(
      'invalid parameters: GLOBAL_POWER_EVENTS:RUNNING: CCCR threshold 16 is outside 0..15',
    );
  });
});

describe('MIPS64 rank-based allocation on a wider PMU', () => {
  // mips64 with a third counter; TWO may use counters 0-1, THREE any of 0-2.
  const mips3 = syntheticModel('mips64', (f) => {
    f.id = 'test-mips-3';
    const pmc = f.pmcs[1]!;
    const pmd = f.pmds[1]!;
    f.pmcs.push({ ...pmc, index: 2, name: 'CP0_25_2', hwAddr: '0x2', controls: [2] });
    f.pmds.push({ ...pmd, index: 2, name: 'CP0_25_2', hwAddr: '0x2' });
    const base = f.events.find((e) => e.name === 'CYCLES');
    if (base === undefined) throw new Error('no CYCLES');
    f.events.push(
      { ...base, name: 'TWO', counters: [0, 1], modelData: {} },
      { ...base, name: 'THREE', counters: [0, 1, 2], modelData: {} },
    );
  });

  it('events usable on fewer counters are placed first, each on its lowest free counter', () => {
    expect(verbose(mips3, ['THREE', 'TWO']).pmds).toEqual([1, 0]);
    expect(verbose(mips3, ['THREE', 'TWO', 'THREE']).pmds).toEqual([1, 0, 2]);
  });
});
