import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { syntheticModel } from './fixtures.test-util.js';
import {
  type DispatchInput,
  type DispatchOutput,
  dispatchEvents,
  dispatchEventsVerbose,
  dispatcherKind,
  findFullEvent,
  type ModelInput,
  PFM_PLM0,
  PFM_PLM1,
  PFM_PLM2,
  PFM_PLM3,
  PFMLIB_ERR_BADHOST,
  PFMLIB_ERR_FEATCOMB,
  PFMLIB_ERR_INVAL,
  PFMLIB_ERR_NOASSIGN,
  PFMLIB_ERR_TOOMANY,
  PFMLIB_ERR_UMASK,
  type PfmError,
  pfmInitialize,
  RegMask,
} from './index.js';

type Model = ReturnType<typeof getModel>;
const p6 = getModel('intel-p6');
const core = getModel('intel-core');
const arch = getModel('intel-arch-perfmon');
const k8 = getModel('amd64-k8');
const fam10h = getModel('amd64-fam10h');

function run(
  model: Model,
  specs: string[],
  dflPlm = PFM_PLM3,
  extra: Partial<DispatchInput> = {},
  modelInput?: ModelInput,
): DispatchOutput {
  return dispatchEvents(
    model,
    { events: specs.map((s) => findFullEvent(model, s)), dflPlm, ...extra },
    modelInput,
  );
}

function err(fn: () => unknown): PfmError {
  try {
    fn();
  } catch (e) {
    return e as PfmError;
  }
  throw new Error('expected a PfmError');
}

const pmcs = (o: DispatchOutput) => o.pmcs.map((p) => [p.regNum, `0x${p.regValue.toString(16)}`]);
const pmds = (o: DispatchOutput) => o.pmds.map((p) => p.regNum);

describe('dispatcher selection', () => {
  it.each([
    ['intel-p6', 'i386_p6'],
    ['intel-core', 'core'],
    ['intel-arch-perfmon', 'gen_ia32'],
    ['amd64-k8', 'amd64'],
    ['intel-p4', 'pentium4'],
    ['itanium2', 'itanium2'],
    ['montecito', 'montecito'],
    ['power5', 'gen_powerpc'],
    ['mips64', 'gen_mips64'],
  ])('%s uses %s', (id, kind) => {
    expect(dispatcherKind(getModel(id))).toBe(kind);
  });
});

describe('P6: the worked encodings of libpfm-and-tools.md §2.1', () => {
  it('CPU_CLK_UNHALTED, PLM3 → counter 0, pmc0 = 0x510079; INST_RETIRED → counter 1, pmc1 = 0x1100c0', () => {
    const out = run(p6, ['CPU_CLK_UNHALTED', 'INST_RETIRED']);
    expect(pmcs(out)).toEqual([
      [0, '0x510079'],
      [1, '0x1100c0'],
    ]);
    expect(pmds(out)).toEqual([0, 1]);
    expect(out.pmcs.map((p) => p.regAddr)).toEqual([0x186n, 0x187n]);
    expect(out.pmds.map((p) => p.regAddr)).toEqual([0xc1n, 0xc2n]);
  });

  it('the same two with PLM0|PLM3 → 0x530079 / 0x1300c0', () => {
    expect(pmcs(run(p6, ['CPU_CLK_UNHALTED', 'INST_RETIRED'], PFM_PLM0 | PFM_PLM3))).toEqual([
      [0, '0x530079'],
      [1, '0x1300c0'],
    ]);
  });

  it('L2_RQSTS:M:E on counter 0, PLM3 → 0x510c2e, and L2_RQSTS:0xc gives the same', () => {
    expect(pmcs(run(p6, ['L2_RQSTS:M:E']))).toEqual([[0, '0x510c2e']]);
    expect(pmcs(run(p6, ['L2_RQSTS:0xc']))).toEqual([[0, '0x510c2e']]);
  });

  it('FP_ASSIST alone → pmc1 = 0x110011 plus an extra pmc0 = 0x400000 (2 PMCs, 1 PMD)', () => {
    const out = run(p6, ['FP_ASSIST']);
    expect(pmcs(out)).toEqual([
      [1, '0x110011'],
      [0, '0x400000'],
    ]);
    expect(pmds(out)).toEqual([1]);
  });

  it('per-event privilege levels override the default', () => {
    const out = dispatchEvents(p6, { events: [{ event: 0, plm: PFM_PLM0 }, { event: 1 }], dflPlm: PFM_PLM3 });
    expect(pmcs(out)).toEqual([
      [0, '0x520079'],
      [1, '0x1100c0'],
    ]);
  });

  it.each([
    [['FLOPS', 'CYCLES_DIV_BUSY'], 'FLOPS and CYCLES_DIV_BUSY both need counter 0'],
    [['MUL', 'DIV'], 'MUL and DIV both need counter 1'],
    [
      ['CPU_CLK_UNHALTED', 'INST_RETIRED', 'FLOPS'],
      '3 events (CPU_CLK_UNHALTED, INST_RETIRED, FLOPS) for the 2 counters',
    ],
  ])('%j → NOASSIGN naming the events', (specs, text) => {
    const e = err(() => run(p6, specs));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toContain(text);
    expect(e.events).toEqual(specs);
  });

  it('places a counter-constrained event first, whatever the input order', () => {
    const out = run(p6, ['INST_RETIRED', 'FLOPS']);
    expect(pmds(out)).toEqual([1, 0]);
    expect(pmcs(out)).toEqual([
      [1, '0x1100c0'],
      [0, '0x5100c1'],
    ]);
  });

  it('cnt_mask, inv and edge', () => {
    const out = run(
      p6,
      ['CPU_CLK_UNHALTED'],
      PFM_PLM3,
      {},
      { counters: [{ cntMask: 2, inv: true, edge: true }] },
    );
    expect(pmcs(out)).toEqual([[0, '0x2d50079']]);
    expect(pmcs(run(p6, ['CPU_CLK_UNHALTED'], PFM_PLM3, {}, { counters: [{ cntMask: 255 }] }))).toEqual([
      [0, '0xff510079'],
    ]);
    const big = err(() => run(p6, ['CPU_CLK_UNHALTED'], PFM_PLM3, {}, { counters: [{ cntMask: 256 }] }));
    expect(big.code).toBe(PFMLIB_ERR_INVAL);
    expect(big.message).toBe('invalid parameters: CPU_CLK_UNHALTED: cnt_mask 256 is outside 0..255');
    expect(big.events).toEqual(['CPU_CLK_UNHALTED']);
  });

  it('a negative or fractional cnt_mask → INVAL (libpfm takes an unsigned 8-bit field)', () => {
    for (const cntMask of [-1, 1.5]) {
      const e = err(() => run(p6, ['CPU_CLK_UNHALTED'], PFM_PLM3, {}, { counters: [{ cntMask }] }));
      expect(e.code).toBe(PFMLIB_ERR_INVAL);
      expect(e.message).toContain(`cnt_mask ${cntMask} is outside 0..255`);
    }
  });

  it('unavailable PMCs: the event moves, and no extra PERFEVTSEL0 is written', () => {
    const out = run(p6, ['CPU_CLK_UNHALTED'], PFM_PLM3, { unavailPmcs: [0] });
    expect(pmcs(out)).toEqual([[1, '0x110079']]);
    expect(pmds(out)).toEqual([1]);
    const e = err(() => run(p6, ['FLOPS'], PFM_PLM3, { unavailPmcs: RegMask.of(0) }));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toBe(
      'cannot assign events to counters: FLOPS can only use counter 0, which is unavailable: pmc0 (PERFEVTSEL0) is in unavailPmcs',
    );
    expect(
      err(() => run(p6, ['CPU_CLK_UNHALTED', 'INST_RETIRED'], PFM_PLM3, { unavailPmcs: [1] })).code,
    ).toBe(PFMLIB_ERR_NOASSIGN);
  });

  it('PLM1 or PLM2, default or per event, → INVAL', () => {
    const dfl = err(() => run(p6, ['CPU_CLK_UNHALTED'], PFM_PLM3 | PFM_PLM1));
    expect(dfl.code).toBe(PFMLIB_ERR_INVAL);
    expect(dfl.message).toBe('invalid parameters: intel-p6 supports only PLM0 and PLM3 (dflPlm 0xa)');
    const own = err(() =>
      dispatchEvents(p6, { events: [{ event: 1 }, { event: 0, plm: PFM_PLM2 }], dflPlm: PFM_PLM3 }),
    );
    expect(own.code).toBe(PFMLIB_ERR_INVAL);
    expect(own.message).toBe(
      'invalid parameters: CPU_CLK_UNHALTED: intel-p6 supports only PLM0 and PLM3 (plm 0x4)',
    );
    expect(own.events).toEqual(['CPU_CLK_UNHALTED']);
  });

  it('several unit masks on a non-combinable event → FEATCOMB', () => {
    const e = err(() => run(p6, ['BUS_TRANS_BRD:SELF:ANY']));
    expect(e.code).toBe(PFMLIB_ERR_FEATCOMB);
    expect(e.message).toBe(
      'invalid combination of model specific features: BUS_TRANS_BRD:SELF:ANY: the unit masks of BUS_TRANS_BRD cannot be combined',
    );
    expect(e.events).toEqual(['BUS_TRANS_BRD:SELF:ANY']);
  });

  it('prints libpfm verbose lines', () => {
    const { lines } = dispatchEventsVerbose(p6, {
      events: [findFullEvent(p6, 'FP_ASSIST')],
      dflPlm: PFM_PLM3,
    });
    expect(lines).toEqual([
      '[PERFEVTSEL1(pmc1)=0x110011 emask=0x11 umask=0x0 os=0 usr=1 en=0 int=1 inv=0 edge=0 cnt_mask=0] FP_ASSIST',
      '[PMC1(pmd1)]',
      '[PERFEVTSEL0(pmc0)=0x400000] required for enabling counters',
    ]);
  });

  it('builds the output afresh on every call', () => {
    const input: DispatchInput = { events: [{ event: 0 }], dflPlm: PFM_PLM3 };
    const a = dispatchEvents(p6, input);
    const b = dispatchEvents(p6, input);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(a.pmcs).toHaveLength(1);
  });
});

describe('common checks, in libpfm order (§1.6)', () => {
  const l2 = p6.events.findIndex((e) => e.name === 'L2_RQSTS');
  it('dflPlm 0 → INVAL, before anything else', () => {
    expect(err(() => dispatchEvents(p6, { events: [{ event: 9999 }], dflPlm: 0 })).code).toBe(
      PFMLIB_ERR_INVAL,
    );
  });
  it('dflPlm 0 → INVAL even when every event is valid; so does a default that is not an integer', () => {
    const zero = err(() => dispatchEvents(p6, { events: [{ event: 0 }], dflPlm: 0 }));
    expect(zero.code).toBe(PFMLIB_ERR_INVAL);
    expect(zero.message).toBe('invalid parameters: the default privilege level must be set (dflPlm 0)');
    expect(err(() => dispatchEvents(p6, { events: [{ event: 0 }], dflPlm: 8.5 })).code).toBe(
      PFMLIB_ERR_INVAL,
    );
    expect(err(() => dispatchEvents(p6, { events: [{ event: 0 }] } as unknown as DispatchInput)).code).toBe(
      PFMLIB_ERR_INVAL,
    );
  });
  it('an input without an events array → INVAL, not a crash', () => {
    for (const input of [null, undefined, 8, {}, { events: 'CPU_CLK_UNHALTED', dflPlm: PFM_PLM3 }]) {
      const e = err(() => dispatchEvents(p6, input as unknown as DispatchInput));
      expect(e.code).toBe(PFMLIB_ERR_INVAL);
      expect(e.message).toBe('invalid parameters: dispatch input must have an events array');
    }
  });
  it('512 events or more → INVAL (before the counter count)', () => {
    const events = Array.from({ length: 512 }, () => ({ event: 0 }));
    const e = err(() => dispatchEvents(p6, { events, dflPlm: PFM_PLM3 }));
    expect(e.code).toBe(PFMLIB_ERR_INVAL);
    expect(e.message).toBe('invalid parameters: 512 events, libpfm takes fewer than 512');
    expect(err(() => dispatchEvents(p6, { events: events.slice(1), dflPlm: PFM_PLM3 })).code).toBe(
      PFMLIB_ERR_NOASSIGN,
    );
  });
  it('more events than counters → NOASSIGN, before the per-event checks', () => {
    const e = err(() =>
      dispatchEvents(p6, { events: [{ event: 0 }, { event: 1 }, { event: 9999 }], dflPlm: PFM_PLM3 }),
    );
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toContain('#9999');
    expect(e.events).toEqual(['CPU_CLK_UNHALTED', 'INST_RETIRED', '#9999']);
  });
  it('a bad event index → INVAL', () => {
    expect(err(() => dispatchEvents(p6, { events: [{ event: 9999 }], dflPlm: PFM_PLM3 })).code).toBe(
      PFMLIB_ERR_INVAL,
    );
  });
  it('unit-mask errors → UMASK; more than 48 → TOOMANY', () => {
    const umask = (unitMasks: number[], event = l2) =>
      err(() => dispatchEvents(p6, { events: [{ event, unitMasks }], dflPlm: PFM_PLM3 })).code;
    expect(umask([])).toBe(PFMLIB_ERR_UMASK);
    expect(umask([4])).toBe(PFMLIB_ERR_UMASK);
    expect(umask([0], 0)).toBe(PFMLIB_ERR_UMASK);
    expect(umask(Array.from({ length: 49 }, () => 0))).toBe(PFMLIB_ERR_TOOMANY);
    const e = err(() => dispatchEvents(p6, { events: [{ event: l2 }], dflPlm: PFM_PLM3 }));
    expect(e.message).toBe(
      'invalid or missing unit mask: L2_RQSTS needs a unit mask (one or more of: I, S, E, M)',
    );
  });
  it('per-event checks come before the PMU rules', () => {
    // PLM1 is invalid on P6, but the missing unit mask is reported first.
    expect(err(() => dispatchEvents(p6, { events: [{ event: l2 }], dflPlm: PFM_PLM1 })).code).toBe(
      PFMLIB_ERR_UMASK,
    );
  });
});

describe('AMD64 K8 (§2.3)', () => {
  it.each([
    ['RETIRED_INSTRUCTIONS', '0x5100c0'],
    ['CPU_CLK_UNHALTED', '0x510076'],
    ['DATA_CACHE_REFILLS:ALL', '0x511f42'],
  ])('%s, PLM3, counter 0 → %s', (spec, value) => {
    const out = run(k8, [spec]);
    expect(pmcs(out)).toEqual([[0, value]]);
    expect(out.pmcs[0]?.regAddr).toBe(0xc0010000n);
    expect(out.pmds[0]?.regAddr).toBe(0xc0010004n);
  });

  it('input order, EN and INT on every PERFSEL, next available counter', () => {
    const out = run(k8, ['CPU_CLK_UNHALTED', 'RETIRED_INSTRUCTIONS', 'DATA_CACHE_MISSES'], PFM_PLM3, {
      unavailPmcs: [1],
    });
    expect(pmcs(out)).toEqual([
      [0, '0x510076'],
      [2, '0x5100c0'],
      [3, '0x510041'],
    ]);
    const e = err(() =>
      run(
        k8,
        ['CPU_CLK_UNHALTED', 'RETIRED_INSTRUCTIONS', 'DATA_CACHE_MISSES', 'DATA_CACHE_ACCESSES'],
        PFM_PLM3,
        {
          unavailPmcs: [1],
        },
      ),
    );
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toContain('compete for counters 0, 2 and 3');
  });

  it('a fifth event → NOASSIGN', () => {
    const five = [
      'CPU_CLK_UNHALTED',
      'RETIRED_INSTRUCTIONS',
      'RETIRED_UOPS',
      'DATA_CACHE_MISSES',
      'DATA_CACHE_ACCESSES',
    ];
    expect(err(() => run(k8, five)).code).toBe(PFMLIB_ERR_NOASSIGN);
  });

  it('cnt_mask ≥ 4 → INVAL; 3 is encoded', () => {
    expect(pmcs(run(k8, ['CPU_CLK_UNHALTED'], PFM_PLM3, {}, { counters: [{ cntMask: 3 }] }))).toEqual([
      [0, '0x3510076'],
    ]);
    expect(err(() => run(k8, ['CPU_CLK_UNHALTED'], PFM_PLM3, {}, { counters: [{ cntMask: 4 }] })).code).toBe(
      PFMLIB_ERR_INVAL,
    );
  });

  it('events gated by CPU revision → BADHOST on an older K8', () => {
    const revC = pfmInitialize({ model: 'amd64-k8', amd64Revision: 'C' });
    const e = err(() =>
      revC.dispatchEvents({ events: [revC.findFullEvent('SIZED_BLOCKS:ALL')], dflPlm: PFM_PLM3 }),
    );
    expect(e.code).toBe(PFMLIB_ERR_BADHOST);
    expect(e.message).toContain('SIZED_BLOCKS:ALL needs K8 revision D or later (host is K8 revision C)');
    const umask = err(() =>
      revC.dispatchEvents({ events: [revC.findFullEvent('PROBE:UPSTREAM_WRITES')], dflPlm: PFM_PLM3 }),
    );
    expect(umask.code).toBe(PFMLIB_ERR_BADHOST);
    const revF = pfmInitialize({ model: 'amd64-k8' });
    expect(
      revF.dispatchEvents({ events: [revF.findFullEvent('SIZED_BLOCKS:ALL')], dflPlm: PFM_PLM3 }).pmds,
    ).toHaveLength(1);
  });

  it('PLM1 → INVAL', () => {
    expect(err(() => run(k8, ['CPU_CLK_UNHALTED'], PFM_PLM1)).code).toBe(PFMLIB_ERR_INVAL);
  });

  it('prints libpfm verbose lines, inv before en', () => {
    const { lines } = dispatchEventsVerbose(k8, {
      events: ['RETIRED_INSTRUCTIONS', 'DATA_CACHE_REFILLS:ALL'].map((s) => findFullEvent(k8, s)),
      dflPlm: PFM_PLM0 | PFM_PLM3,
    });
    expect(lines).toEqual([
      '[PERFSEL0(pmc0)=0x5300c0 emask=0xc0 umask=0x0 os=1 usr=1 inv=0 en=1 int=1 edge=0 cnt_mask=0] RETIRED_INSTRUCTIONS',
      '[PERFCTR0(pmd0)]',
      '[PERFSEL1(pmc1)=0x531f42 emask=0x42 umask=0x1f os=1 usr=1 inv=0 en=1 int=1 edge=0 cnt_mask=0] DATA_CACHE_REFILLS:ALL',
      '[PERFCTR1(pmd1)]',
    ]);
  });

  it('revision gates: from revision D on, and up to a revision (synthetic TILL_K8_REV_C event)', () => {
    const at = (amd64Revision: 'B' | 'C' | 'D' | 'E', spec: string, model = k8) =>
      dispatchEvents(
        model,
        { events: [findFullEvent(model, spec)], dflPlm: PFM_PLM3 },
        {},
        { amd64Revision },
      );
    expect(pmds(at('D', 'SIZED_BLOCKS:ALL'))).toEqual([0]);
    expect(pmds(at('D', 'PROBE:UPSTREAM_WRITES'))).toEqual([0]);
    const e = err(() => at('C', 'SIZED_BLOCKS:ALL'));
    expect(e.events).toEqual(['SIZED_BLOCKS:ALL']);
    const umask = err(() => at('C', 'PROBE:UPSTREAM_WRITES'));
    expect(umask.message).toBe(
      'not supported by host cpu: PROBE:UPSTREAM_WRITES: unit mask UPSTREAM_WRITES needs K8 revision D or later (host is K8 revision C)',
    );
    expect(umask.events).toEqual(['PROBE:UPSTREAM_WRITES']);
    const old = syntheticModel('amd64-k8', (f) => {
      f.id = 'test-k8-till';
      f.events.push({
        name: 'OLD',
        code: '0x9f',
        counters: [0, 1, 2, 3],
        description: 'gone after C',
        flags: ['TILL_K8_REV_C'],
      });
    });
    expect(pmds(at('B', 'OLD', old))).toEqual([0]);
    expect(pmds(at('C', 'OLD', old))).toEqual([0]);
    const gone = err(() => at('D', 'OLD', old));
    expect(gone.code).toBe(PFMLIB_ERR_BADHOST);
    expect(gone.message).toBe(
      'not supported by host cpu: OLD exists only up to K8 revision C (host is K8 revision D)',
    );
  });

  it('a family 10h event (extended event select) → BADHOST on a K8', () => {
    const fam10h = syntheticModel('amd64-k8', (f) => {
      f.id = 'test-k8-fam10h';
      f.events.push({ name: 'EXT', code: '0x1c0', counters: [0, 1, 2, 3], description: 'extended select' });
    });
    const e = err(() => run(fam10h, ['EXT']));
    expect(e.code).toBe(PFMLIB_ERR_BADHOST);
    expect(e.message).toBe('not supported by host cpu: EXT needs the family 10h extended event select');
    expect(e.events).toEqual(['EXT']);
  });

  it('several unit masks on a non-combinable event → FEATCOMB (synthetic K8 event)', () => {
    const model = syntheticModel('amd64-k8', (f) => {
      f.id = 'test-k8-ncombo';
      f.events.push({
        name: 'ONE_OF',
        code: '0x9e',
        counters: [0, 1, 2, 3],
        description: 'one unit mask at a time',
        unitMasks: [
          { name: 'A', value: '0x1', description: 'a' },
          { name: 'B', value: '0x2', description: 'b' },
        ],
      });
    });
    expect(pmcs(run(model, ['ONE_OF:B']))).toEqual([[0, '0x51029e']]);
    expect(err(() => run(model, ['ONE_OF:A:B'])).code).toBe(PFMLIB_ERR_FEATCOMB);
  });
});

describe('AMD64 Family 10h (pfmlib_amd64.c with the family 10h table)', () => {
  it('puts event-select bits 11:8 in PERFSEL bits 35:32 (sel_event_mask2)', () => {
    const out = run(fam10h, [
      'L3_CACHE_MISSES:ANY_READ:ALL_CORES',
      'RETIRED_INSTRUCTIONS',
      'CPU_TO_DRAM_REQUESTS_TO_TARGET_NODE:ALL',
      'L3_EVICTIONS:ALL',
    ]);
    expect(pmcs(out)).toEqual([
      [0, '0x40051f7e1'],
      [1, '0x5100c0'],
      [2, '0x10051ffe0'],
      [3, '0x400510fe3'],
    ]);
    const lines = dispatchEventsVerbose(
      fam10h,
      {
        events: ['L3_CACHE_MISSES:ANY_READ', 'CPU_CLK_UNHALTED'].map((s) => findFullEvent(fam10h, s)),
        dflPlm: PFM_PLM0,
      },
      {},
      { fam10hRevision: 'D' },
    ).lines;
    expect(lines).toEqual([
      '[PERFSEL0(pmc0)=0x4005207e1 emask=0xe1 umask=0x7 os=1 usr=0 inv=0 en=1 int=1 edge=0 cnt_mask=0] L3_CACHE_MISSES:ANY_READ',
      '[PERFCTR0(pmd0)]',
      '[PERFSEL1(pmc1)=0x520076 emask=0x76 umask=0x0 os=1 usr=0 inv=0 en=1 int=1 edge=0 cnt_mask=0] CPU_CLK_UNHALTED',
      '[PERFCTR1(pmd1)]',
    ]);
  });

  it('gates Rev C events and masks by the family 10h revision (default B, Barcelona)', () => {
    const at = (fam10hRevision: 'B' | 'C' | 'E', spec: string) =>
      dispatchEvents(
        fam10h,
        { events: [findFullEvent(fam10h, spec)], dflPlm: PFM_PLM3 },
        {},
        { fam10hRevision },
      );
    const early = err(() => run(fam10h, ['LFENCE_INST_RETIRED']));
    expect(early.code).toBe(PFMLIB_ERR_BADHOST);
    expect(early.message).toBe(
      'not supported by host cpu: LFENCE_INST_RETIRED needs family 10h revision C or later (host is family 10h revision B)',
    );
    expect(pmcs(at('C', 'LFENCE_INST_RETIRED'))).toEqual([[0, '0x1005100d3']]);
    expect(pmcs(at('B', 'L1_DTLB_MISS_AND_L2_DTLB_HIT:ALL'))).toEqual([[0, '0x510345']]);
    const late = err(() => at('C', 'L1_DTLB_MISS_AND_L2_DTLB_HIT:ALL'));
    expect(late.message).toBe(
      'not supported by host cpu: L1_DTLB_MISS_AND_L2_DTLB_HIT:ALL: unit mask ALL exists only up to family 10h revision B (host is family 10h revision C)',
    );
    expect(err(() => at('B', 'L1_DTLB_MISS_AND_L2_DTLB_HIT:L2_1G_TLB_HIT')).code).toBe(PFMLIB_ERR_BADHOST);
    expect(pmcs(at('E', 'L1_DTLB_MISS_AND_L2_DTLB_HIT:L2_1G_TLB_HIT'))).toEqual([[0, '0x510445']]);
  });

  it('K8 and Family 10h gates order as libpfm’s revisions do (every K8 before every 10h)', () => {
    const gated = syntheticModel('amd64-k8', (f) => {
      f.id = 'test-k8-10h-gate';
      f.events.push({
        name: 'TEN',
        code: '0x9f',
        counters: [0, 1, 2, 3],
        description: 'x',
        flags: ['FAM10H_REV_B'],
      });
      f.events.push({
        name: 'OLD',
        code: '0x9e',
        counters: [0, 1, 2, 3],
        description: 'x',
        flags: ['TILL_K8_REV_G'],
      });
      f.events.push({
        name: 'ODD',
        code: '0x9d',
        counters: [0, 1, 2, 3],
        description: 'x',
        flags: ['FAM10H_REV_F', 'K8_REV_Z'],
      });
    });
    expect(err(() => run(gated, ['TEN'])).message).toBe(
      'not supported by host cpu: TEN needs family 10h revision B or later (host is K8 revision F)',
    );
    expect(pmds(run(gated, ['OLD', 'ODD']))).toEqual([0, 1]);
    const later = syntheticModel('amd64-fam10h', (f) => {
      f.id = 'test-10h-k8-gate';
      f.events.push({
        name: 'OLD',
        code: '0x9e',
        counters: [0, 1, 2, 3],
        description: 'x',
        flags: ['TILL_K8_REV_G'],
      });
      f.events.push({
        name: 'NEW',
        code: '0x9f',
        counters: [0, 1, 2, 3],
        description: 'x',
        flags: ['K8_REV_G'],
      });
    });
    expect(err(() => run(later, ['OLD'])).message).toBe(
      'not supported by host cpu: OLD exists only up to K8 revision G (host is family 10h revision B)',
    );
    expect(pmds(run(later, ['NEW']))).toEqual([0]);
  });
});

describe('Intel Core (§2.2)', () => {
  it('puts unfiltered eligible events on the fixed counters and writes FIXED_CTR_CTRL before the PERFEVTSELs', () => {
    const out = run(core, [
      'BR_INST_DECODED',
      'INSTRUCTIONS_RETIRED',
      'UNHALTED_CORE_CYCLES',
      'UNHALTED_REFERENCE_CYCLES',
    ]);
    expect(pmds(out)).toEqual([0, 16, 17, 18]);
    // libpfm-3.10 writes FIXED_CTR_CTRL (pmc16) first (recorded: core.tsv).
    expect(pmcs(out)).toEqual([
      [16, '0xaaa'],
      [0, '0x5100e0'],
    ]);
    expect(out.pmcs[0]?.regAddr).toBe(0x38dn);
    expect(out.pmds.map((p) => p.regAddr)).toEqual([0xc1n, 0x309n, 0x30an, 0x30bn]);
    expect(pmcs(run(core, ['INSTRUCTIONS_RETIRED'], PFM_PLM0 | PFM_PLM3))).toEqual([[16, '0xb']]);
    expect(pmcs(run(core, ['UNHALTED_CORE_CYCLES'], PFM_PLM0))).toEqual([[16, '0x90']]);
  });

  it('fixed counters take no cnt_mask/inv/edge and need PMC16', () => {
    const filtered = run(core, ['INSTRUCTIONS_RETIRED'], PFM_PLM3, {}, { counters: [{ inv: true }] });
    expect(pmcs(filtered)).toEqual([[0, '0xd100c0']]);
    expect(pmds(run(core, ['INSTRUCTIONS_RETIRED'], PFM_PLM3, { unavailPmcs: [16] }))).toEqual([0]);
    const e = err(() => run(core, ['UNHALTED_REFERENCE_CYCLES'], PFM_PLM3, { unavailPmcs: [16] }));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toContain(
      'UNHALTED_REFERENCE_CYCLES can only use counter 18, which is unavailable: pmc16 (FIXED_CTRL)',
    );
  });

  it('CPU_CLK_UNHALTED:CORE_P and INST_RETIRED:ANY_P take generic counters, :REF only FIXED_CTR2', () => {
    // libpfm-3.10's table lets no unit mask but REF onto a fixed counter (recorded: core.tsv,
    // CPU_CLK_UNHALTED:CORE_P → pmc0=0x51003c; UNHALTED_CORE_CYCLES is the fixed-counter name).
    expect(
      pmds(run(core, ['CPU_CLK_UNHALTED:CORE_P', 'CPU_CLK_UNHALTED:REF', 'CPU_CLK_UNHALTED:BUS'])),
    ).toEqual([0, 18, 1]);
    expect(pmcs(run(core, ['CPU_CLK_UNHALTED:CORE_P']))).toEqual([[0, '0x51003c']]);
    expect(pmcs(run(core, ['INST_RETIRED:ANY_P']))).toEqual([[0, '0x5100c0']]);
  });

  it.each([
    [['FP_COMP_OPS_EXE', 'CYCLES_DIV_BUSY'], 'FP_COMP_OPS_EXE and CYCLES_DIV_BUSY both need counter 0'],
    [['MUL', 'DIV'], 'MUL and DIV both need counter 1'],
    [
      ['UNHALTED_REFERENCE_CYCLES', 'CPU_CLK_UNHALTED:REF'],
      'UNHALTED_REFERENCE_CYCLES and CPU_CLK_UNHALTED:REF both need counter 18',
    ],
    [['CPU_CLK_UNHALTED:BUS:NO_OTHER'], 'the unit masks of CPU_CLK_UNHALTED cannot be combined'],
    [['BR_INST_DECODED', 'BR_INST_EXEC', 'MUL'], 'compete for counters 0 and 1'],
  ])('%j → NOASSIGN', (specs, text) => {
    const e = err(() => run(core, specs, PFM_PLM3, { search: 'exhaustive' }));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toContain(text);
    expect(e.events).toEqual(specs);
  });

  it('a FIXED_CTR2-only event with options → NOASSIGN', () => {
    const e = err(() =>
      run(core, ['UNHALTED_REFERENCE_CYCLES'], PFM_PLM3, {}, { counters: [{ cntMask: 1 }] }),
    );
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toContain('fixed counters support no cnt_mask');
    // The REF unit mask alone makes CPU_CLK_UNHALTED FIXED_CTR2-only (a unit-mask flag).
    const ref = err(() => run(core, ['CPU_CLK_UNHALTED:REF'], PFM_PLM3, {}, { counters: [{ inv: true }] }));
    expect(ref.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(ref.message).toBe(
      'cannot assign events to counters: CPU_CLK_UNHALTED:REF: fixed counters support no cnt_mask, inv or edge, and it can only use a fixed counter',
    );
  });

  it('CPU_CLK_UNHALTED:REF has no generic counter: with FIXED_CTRL unavailable → NOASSIGN', () => {
    const e = err(() => run(core, ['CPU_CLK_UNHALTED:REF'], PFM_PLM3, { unavailPmcs: [16] }));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toBe(
      'cannot assign events to counters: CPU_CLK_UNHALTED:REF can only use counter 18, which is unavailable: pmc16 (FIXED_CTRL) is in unavailPmcs',
    );
    // CORE_P falls back to a generic counter.
    expect(pmds(run(core, ['CPU_CLK_UNHALTED:CORE_P'], PFM_PLM3, { unavailPmcs: [16] }))).toEqual([0]);
  });

  it('several unit masks use a fixed counter only when all of them can (pfm_core_is_fixed)', () => {
    // ANY_P may count on FIXED_CTR0, LOADS may not: INST_RETIRED:ANY_P:LOADS takes PMC0, umask 0x01.
    const out = run(core, ['INST_RETIRED:ANY_P:LOADS']);
    expect(pmds(out)).toEqual([0]);
    expect(pmcs(out)).toEqual([[0, '0x5101c0']]);
  });

  it('PMC1-constrained events first, then the rest in order', () => {
    expect(pmds(run(core, ['BR_INST_DECODED', 'MUL']))).toEqual([0, 1]);
    expect(pmds(run(core, ['MUL', 'BR_INST_DECODED']))).toEqual([1, 0]);
    expect(pmds(run(core, ['MUL', 'FP_COMP_OPS_EXE', 'INSTRUCTIONS_RETIRED']))).toEqual([1, 0, 16]);
  });

  it('forces SELF on core-specific events that name no core, and keeps the code second byte', () => {
    expect(pmcs(run(core, ['L2_LINES_IN:ANY']))).toEqual([[0, '0x517024']]);
    expect(pmcs(run(core, ['L2_LINES_IN:BOTH_CORES']))).toEqual([[0, '0x51c024']]);
    expect(pmcs(run(core, ['THERMAL_TRIP']))).toEqual([[0, '0x51c03b']]);
    expect(pmcs(run(core, ['LAST_LEVEL_CACHE_MISSES']))).toEqual([[0, '0x51412e']]);
  });

  it('PEBS: the first PEBS event goes to PMC0 and PEBS_ENABLE follows', () => {
    const out = run(core, ['BR_INST_DECODED', 'INST_RETIRED:ANY_P'], PFM_PLM3, {}, { pebs: true });
    expect(pmds(out)).toEqual([1, 0]);
    expect(pmcs(out)).toEqual([
      [1, '0x5100e0'],
      [0, '0x5100c0'],
      [17, '0x1'],
    ]);
    expect(out.pmcs[2]?.regAddr).toBe(0x3f1n);
    // Without PEBS, INST_RETIRED:ANY_P takes the next generic counter (never a fixed one).
    expect(pmds(run(core, ['BR_INST_DECODED', 'INST_RETIRED:ANY_P']))).toEqual([0, 1]);
    const e = err(() => run(core, ['INST_RETIRED:ANY_P'], PFM_PLM3, { unavailPmcs: [17] }, { pebs: true }));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toContain('PEBS_ENABLE');
    // The second PEBS event is not forced: it takes the other generic counter (not a fixed one).
    expect(
      pmds(run(core, ['MEM_LOAD_RETIRED:L2_MISS', 'INST_RETIRED:ANY_P'], PFM_PLM3, {}, { pebs: true })),
    ).toEqual([0, 1]);
    // A PMC0-only event before the first PEBS event keeps PMC0 (libpfm's done_pebs), and
    // PEBS_ENABLE is still written, as libpfm does.
    const pmc0First = run(core, ['FP_COMP_OPS_EXE', 'INST_RETIRED:ANY_P'], PFM_PLM3, {}, { pebs: true });
    expect(pmds(pmc0First)).toEqual([0, 1]);
    expect(pmcs(pmc0First).at(-1)).toEqual([17, '0x1']);
    // After it, both need PMC0: libpfm writes both there (core-shared-counter), pfmsim refuses.
    const both = err(() =>
      run(
        core,
        ['INST_RETIRED:ANY_P', 'FP_COMP_OPS_EXE'],
        PFM_PLM3,
        { search: 'exhaustive' },
        { pebs: true },
      ),
    );
    expect(both.message).toBe(
      'cannot assign events to counters: INST_RETIRED:ANY_P and FP_COMP_OPS_EXE both need counter 0',
    );
    const shared = run(
      core,
      ['INST_RETIRED:ANY_P', 'FP_COMP_OPS_EXE'],
      PFM_PLM3,
      { libpfmBugs: ['core-shared-counter'] },
      { pebs: true },
    );
    expect(pmds(shared)).toEqual([0, 0]);
    const noPmc0 = err(() =>
      run(core, ['INST_RETIRED:ANY_P'], PFM_PLM3, { unavailPmcs: [0] }, { pebs: true }),
    );
    expect(noPmc0.message).toBe(
      'cannot assign events to counters: INST_RETIRED:ANY_P can only use counter 0, which is unavailable: pmc0 (PERFEVTSEL0) is in unavailPmcs',
    );
  });

  it('verbose lines for the fixed counters follow the counter order, not the event order', () => {
    const { lines } = dispatchEventsVerbose(core, {
      events: ['UNHALTED_REFERENCE_CYCLES', 'UNHALTED_CORE_CYCLES', 'INSTRUCTIONS_RETIRED'].map((s) =>
        findFullEvent(core, s),
      ),
      dflPlm: PFM_PLM0,
    });
    expect(lines).toEqual([
      '[FIXED_CTRL(pmc16)=0x999 pmi0=1 en0=0x1 pmi1=1 en1=0x1 pmi2=1 en2=0x1] INSTRUCTIONS_RETIRED UNHALTED_CORE_CYCLES UNHALTED_REFERENCE_CYCLES',
      '[FIXED_CTR0(pmd16)]',
      '[FIXED_CTR1(pmd17)]',
      '[FIXED_CTR2(pmd18)]',
    ]);
  });

  it('PEBS: an event is PEBS when the event is, or when all of its unit masks are', () => {
    // BR_INST_RETIRED_MISPRED is PEBS as an event: forced to PMC0.
    const ev = dispatchEventsVerbose(
      core,
      {
        events: ['BR_INST_DECODED', 'BR_INST_RETIRED_MISPRED'].map((s) => findFullEvent(core, s)),
        dflPlm: PFM_PLM3,
      },
      { pebs: true },
    );
    expect(pmds(ev.output)).toEqual([1, 0]);
    expect(pmcs(ev.output)).toEqual([
      [1, '0x5100e0'],
      [0, '0x5100c5'],
      [17, '0x1'],
    ]);
    expect(ev.lines).toEqual([
      '[PERFEVTSEL1(pmc1)=0x5100e0 event_sel=0xe0 umask=0x0 os=0 usr=1 en=1 int=1 inv=0 edge=0 cnt_mask=0] BR_INST_DECODED',
      '[PMC1(pmd1)]',
      '[PERFEVTSEL0(pmc0)=0x5100c5 event_sel=0xc5 umask=0x0 os=0 usr=1 en=1 int=1 inv=0 edge=0 cnt_mask=0] BR_INST_RETIRED_MISPRED',
      '[PMC0(pmd0)]',
      '[PEBS_ENABLE(pmc17)=0x1 ena=1]',
    ]);
    // ANY_P is PEBS, LOADS is not: INST_RETIRED:ANY_P:LOADS is not a PEBS event.
    const mixed = run(core, ['BR_INST_DECODED', 'INST_RETIRED:ANY_P:LOADS'], PFM_PLM3, {}, { pebs: true });
    expect(pmds(mixed)).toEqual([0, 1]);
    expect(mixed.pmcs.map((p) => p.regNum)).toEqual([0, 1]);
    const taken = err(() =>
      run(core, ['INST_RETIRED:ANY_P'], PFM_PLM3, { unavailPmcs: [17] }, { pebs: true }),
    );
    expect(taken.message).toBe(
      'cannot assign events to counters: INST_RETIRED:ANY_P needs PEBS_ENABLE, but pmc17 (PEBS_ENABLE) is in unavailPmcs',
    );
    expect(taken.events).toEqual(['INST_RETIRED:ANY_P']);
  });

  it('verbose lines for the fixed counters', () => {
    const { lines } = dispatchEventsVerbose(core, {
      events: ['INSTRUCTIONS_RETIRED', 'UNHALTED_CORE_CYCLES'].map((s) => findFullEvent(core, s)),
      dflPlm: PFM_PLM3,
    });
    expect(lines).toEqual([
      '[FIXED_CTRL(pmc16)=0xaa pmi0=1 en0=0x2 pmi1=1 en1=0x2 pmi2=0 en2=0x0] INSTRUCTIONS_RETIRED UNHALTED_CORE_CYCLES',
      '[FIXED_CTR0(pmd16)]',
      '[FIXED_CTR1(pmd17)]',
    ]);
  });
});

describe('architectural perfmon (§2.5)', () => {
  it('fixed counters first, then generic ones; EN and INT on every PERFEVTSEL', () => {
    const out = run(arch, [
      'UNHALTED_CORE_CYCLES',
      'LAST_LEVEL_CACHE_MISSES',
      'INSTRUCTIONS_RETIRED',
      'BRANCH_INSTRUCTIONS_RETIRED',
    ]);
    expect(pmds(out)).toEqual([17, 0, 16, 1]);
    expect(pmcs(out)).toEqual([
      [16, '0xaa'],
      [0, '0x51412e'],
      [1, '0x5100c4'],
    ]);
  });

  it('NOASSIGN names every counter an event could use, fixed one first', () => {
    const e = err(() => run(arch, ['UNHALTED_CORE_CYCLES'], PFM_PLM3, { unavailPmcs: [0, 1, 16] }));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toBe(
      'cannot assign events to counters: UNHALTED_CORE_CYCLES can only use counters 17, 0 and 1, all unavailable: ' +
        'pmc16 (FIXED_CTRL) is in unavailPmcs, pmc0 (PERFEVTSEL0) is in unavailPmcs and pmc1 (PERFEVTSEL1) is in unavailPmcs',
    );
    const filtered = err(() =>
      run(arch, ['UNHALTED_CORE_CYCLES'], PFM_PLM3, { unavailPmcs: [0, 1] }, { counters: [{ inv: true }] }),
    );
    expect(filtered.message).toContain('UNHALTED_CORE_CYCLES can only use counters 0 and 1, all unavailable');
  });

  it('a global control PMC that drives several counters is not an event select (synthetic model)', () => {
    // A GLOBAL_CTRL listed first among the PMCs driving PMC0/PMC1: the event still goes to its
    // own PERFEVTSEL.
    const model = syntheticModel('intel-arch-perfmon', (f) => {
      f.id = 'test-arch-global';
      f.pmcs.unshift({
        index: 15,
        name: 'GLOBAL_CTRL',
        type: ['I'],
        defaultValue: '0x3',
        reservedMask: '0xfffffffffffffffc',
        hwAddr: '0x38f',
        controls: [0, 1],
      });
    });
    const out = run(model, ['LAST_LEVEL_CACHE_MISSES', 'BRANCH_INSTRUCTIONS_RETIRED']);
    expect(pmcs(out)).toEqual([
      [0, '0x51412e'],
      [1, '0x5100c4'],
    ]);
    expect(out.pmcs.map((p) => p.regAddr)).toEqual([0x186n, 0x187n]);
  });

  it('with filters or PMC16 unavailable the architected events use generic counters', () => {
    expect(pmds(run(arch, ['UNHALTED_CORE_CYCLES'], PFM_PLM3, { unavailPmcs: [16] }))).toEqual([0]);
    expect(pmds(run(arch, ['UNHALTED_CORE_CYCLES'], PFM_PLM3, {}, { counters: [{ edge: true }] }))).toEqual([
      0,
    ]);
  });
});

describe('a constraint only an exhaustive search solves (synthetic x86 model)', () => {
  // K8 registers, an unknown libpfm type (so the gen_ia32 dispatcher), constrained events:
  // A may use 0 or 1, B only 0, C 1 or 2. libpfm's input-order lowest-free pass puts A on 0
  // and then has nowhere for B.
  const model = syntheticModel('amd64-k8', (f) => {
    f.id = 'test-x86-constrained';
    f.libpfm = { name: 'test x86', type: 999 };
    f.events = [
      { name: 'A', code: '0x10', counters: [0, 1], description: 'a' },
      { name: 'B', code: '0x11', counters: [0], description: 'b' },
      { name: 'C', code: '0x12', counters: [1, 2], description: 'c' },
      { name: 'D', code: '0x13', counters: [0, 1, 2], description: 'd' },
    ];
    delete f.cycleEvent;
    delete f.instRetiredEvent;
  });

  it("finds A→1, B→0, C→2 with search: 'exhaustive'; libpfm's own search fails", () => {
    expect(dispatcherKind(model)).toBe('gen_ia32');
    expect(pmds(run(model, ['A', 'B', 'C'], PFM_PLM3, { search: 'exhaustive' }))).toEqual([1, 0, 2]);
    const e = err(() => run(model, ['A', 'B', 'C']));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toBe(
      "cannot assign events to counters: libpfm's first fit cannot place A, B and C, though an assignment exists (search: 'exhaustive' finds it)",
    );
  });

  it('and reports NOASSIGN when no assignment exists', () => {
    const e = err(() => run(model, ['A', 'B', 'C', 'D']));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toContain('A, B, C and D compete for counters 0, 1 and 2');
  });
});

describe('unit masks that restrict the counters (synthetic Intel Core event)', () => {
  // SPLIT may count on PMC0 or PMC1; its unit mask ON1 only on PMC1, ON0 only on PMC0. A
  // combination of unit masks may only use the counters every one of them allows.
  const model = syntheticModel('intel-core', (f) => {
    f.id = 'test-core-split';
    f.events.push({
      name: 'SPLIT',
      code: '0x77',
      counters: [0, 1],
      description: 'unit masks with their own counter constraints',
      umaskCombinable: true,
      unitMasks: [
        { name: 'ANY', value: '0x1', description: 'any' },
        { name: 'ON1', value: '0x2', description: 'PMC1 only', counters: [1] },
        { name: 'ON0', value: '0x4', description: 'PMC0 only', counters: [0] },
      ],
    });
  });

  it('one restricting unit mask restricts the event, in whichever order the masks are given', () => {
    expect(pmds(run(model, ['SPLIT:ANY']))).toEqual([0]);
    expect(pmds(run(model, ['SPLIT:ON1']))).toEqual([1]);
    expect(pmcs(run(model, ['SPLIT:ANY:ON1']))).toEqual([[1, '0x510377']]);
    expect(pmcs(run(model, ['SPLIT:ON1:ANY']))).toEqual([[1, '0x510377']]);
  });

  it('unit masks with no counter in common → NOASSIGN', () => {
    const e = err(() => run(model, ['SPLIT:ON0:ON1']));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toBe(
      'cannot assign events to counters: SPLIT:ON0:ON1 cannot be counted on any counter',
    );
    expect(e.events).toEqual(['SPLIT:ON0:ON1']);
  });
});

describe('libpfm placement order is kept when it succeeds', () => {
  // The synthetic gen_ia32 model below: D may use 0, 1 or 2, A only 0 or 1. libpfm's
  // input-order pass gives D counter 0 and A counter 1; a search placing the most constrained
  // event first would give A counter 0 instead.
  const model = syntheticModel('amd64-k8', (f) => {
    f.id = 'test-x86-order';
    f.libpfm = { name: 'test x86', type: 999 };
    f.events = [
      { name: 'A', code: '0x10', counters: [0, 1], description: 'a' },
      { name: 'D', code: '0x13', counters: [0, 1, 2], description: 'd' },
    ];
    delete f.cycleEvent;
    delete f.instRetiredEvent;
  });

  it('D, A → counters 0, 1', () => {
    const out = run(model, ['D', 'A']);
    expect(pmds(out)).toEqual([0, 1]);
    expect(pmcs(out)).toEqual([
      [0, '0x510013'],
      [1, '0x510010'],
    ]);
  });
});

describe('libpfm-3.10, output for output (recorded in test-data/libpfm-3.10)', () => {
  it('Core: a MESI event given no cache state counts all four (0xf), as libpfm does', () => {
    expect(pmcs(run(core, ['L2_IFETCH:SELF']))).toEqual([[0, '0x514f28']]);
    expect(pmcs(run(core, ['L2_LD:ANY']))).toEqual([[0, '0x517f29']]);
    // SELF is forced too when no core is named; a named state is kept as given.
    expect(pmcs(run(core, ['L2_LD:I_STATE']))).toEqual([[0, '0x514129']]);
    expect(pmcs(run(core, ['L1D_CACHE_LD:S_STATE']))).toEqual([[0, '0x510240']]);
    // Events without the MESI flag are left alone.
    expect(pmcs(run(core, ['L2_LINES_IN:SELF']))).toEqual([[0, '0x514024']]);
  });

  it('P6: libpfmBugs p6-bus-tran-def gives BUS_TRAN_DEF:SELF/ANY libpfm-3.10 values 0x1/0x2', () => {
    expect(pmcs(run(p6, ['BUS_TRAN_DEF:ANY']))).toEqual([[0, '0x51206d']]);
    expect(pmcs(run(p6, ['BUS_TRAN_DEF:SELF']))).toEqual([[0, '0x51006d']]);
    const bug = { libpfmBugs: ['p6-bus-tran-def'] } as const;
    expect(pmcs(run(p6, ['BUS_TRAN_DEF:ANY'], PFM_PLM3, bug))).toEqual([[0, '0x51026d']]);
    expect(pmcs(run(p6, ['BUS_TRAN_DEF:SELF'], PFM_PLM3, bug))).toEqual([[0, '0x51016d']]);
    // Other bus events keep the SDM's values either way.
    expect(pmcs(run(p6, ['BUS_TRANS_BRD:ANY'], PFM_PLM3, bug))).toEqual([[0, '0x512065']]);
  });

  it('Core: a PMC1-only event sends libpfm back to PMC0, so a third event would share PMC1', () => {
    // libpfm-3.10: MUL → PMC1, next generic PMC0; BR_INST_DECODED → PMC0; BR_INST_EXEC → PMC1.
    const specs = ['MUL', 'BR_INST_DECODED', 'BR_INST_EXEC'];
    const e = err(() => run(core, specs));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toBe(
      "cannot assign events to counters: libpfm-3.10's first fit puts MUL and BR_INST_EXEC both on counter 1 (libpfmBugs: ['core-shared-counter'] reproduces it; search: 'exhaustive' looks further)",
    );
    expect(e.events).toEqual(['MUL', 'BR_INST_EXEC']);
    const shared = run(core, specs, PFM_PLM3, { libpfmBugs: ['core-shared-counter'] });
    expect(pmds(shared)).toEqual([1, 0, 1]);
    expect(pmcs(shared)).toEqual([
      [1, '0x510012'],
      [0, '0x5100e0'],
      [1, '0x510088'],
    ]);
    // Two generic events after a PMC0-only and a PMC1-only one: none is left.
    expect(err(() => run(core, ['FP_COMP_OPS_EXE', 'MUL', 'BR_INST_DECODED'])).code).toBe(
      PFMLIB_ERR_NOASSIGN,
    );
    expect(pmds(run(core, ['FP_COMP_OPS_EXE', 'MUL']))).toEqual([0, 1]);
  });

  it('checks each event in libpfm order: its plm, then its own rules (NOASSIGN before a later INVAL)', () => {
    const events = [
      findFullEvent(core, 'CPU_CLK_UNHALTED:BUS:NO_OTHER'),
      { ...findFullEvent(core, 'MUL'), plm: 2 },
    ];
    const e = err(() => dispatchEvents(core, { events, dflPlm: PFM_PLM3 }));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    const first = err(() => dispatchEvents(core, { events: [...events].reverse(), dflPlm: PFM_PLM3 }));
    expect(first.code).toBe(PFMLIB_ERR_INVAL);
    // The default plm is checked before any event (P6: FEATCOMB on a later event loses to it).
    expect(err(() => dispatchEvents(core, { events, dflPlm: 2 })).code).toBe(PFMLIB_ERR_INVAL);
    // P6: an event's FEATCOMB comes before a later event's bad plm.
    const p6Events = [
      findFullEvent(p6, 'BUS_TRANS_BRD:SELF:ANY'),
      { ...findFullEvent(p6, 'INST_RETIRED'), plm: 4 },
    ];
    expect(err(() => dispatchEvents(p6, { events: p6Events, dflPlm: PFM_PLM3 })).code).toBe(
      PFMLIB_ERR_FEATCOMB,
    );
    expect(err(() => dispatchEvents(p6, { events: [...p6Events].reverse(), dflPlm: PFM_PLM3 })).code).toBe(
      PFMLIB_ERR_INVAL,
    );
  });

  it('rejects an unknown search mode or libpfm bug', () => {
    const events = [findFullEvent(core, 'MUL')];
    const bad = err(() => dispatchEvents(core, { events, dflPlm: PFM_PLM3, search: 'best' as never }));
    expect(bad.code).toBe(PFMLIB_ERR_INVAL);
    expect(bad.message).toContain("search must be 'libpfm' or 'exhaustive' (got best)");
    const bug = err(() => dispatchEvents(core, { events, dflPlm: PFM_PLM3, libpfmBugs: ['nope' as never] }));
    expect(bug.code).toBe(PFMLIB_ERR_INVAL);
    expect(bug.message).toContain(
      'unknown libpfm bug nope (known: p6-bus-tran-def, core-shared-counter, p4-bpu-cccr2)',
    );
  });
});

describe("libpfm-3.10's tables (recorded in test-data/libpfm-3.10)", () => {
  it('Core RS_UOPS_DISPATCHED_NONE carries inv and cnt_mask 1', () => {
    expect(pmcs(run(core, ['RS_UOPS_DISPATCHED_NONE']))).toEqual([[0, '0x1d100a0']]);
    // A caller's cnt_mask does not replace the built-in one; its edge adds to it.
    expect(
      pmcs(run(core, ['RS_UOPS_DISPATCHED_NONE'], PFM_PLM3, {}, { counters: [{ cntMask: 4, edge: true }] })),
    ).toEqual([[0, '0x1d500a0']]);
  });

  it('K8: libpfm-3.10 unit-mask names, the later names as aliases, and the HyperTransport events', () => {
    expect(pmcs(run(k8, ['L2_FILL_WRITEBACK:L2_WRITEBACKS']))).toEqual([[0, '0x51027f']]);
    expect(pmcs(run(k8, ['L2_FILL_WRITEBACK:L2_WRITEBACKS_TO_SYSTEM']))).toEqual([[0, '0x51027f']]);
    expect(
      pmcs(run(k8, ['THERMAL_STATUS_AND_ECC_ERRORS:CLKS_CPU_ACTIVE:CLKS_DIE_TEMP_TOO_HIGH'], PFM_PLM0)),
    ).toEqual([[0, '0x5205e8']]);
    expect(
      pmcs(
        run(k8, ['THERMAL_STATUS_AND_ECC_ERRORS:NUMBER_OF_CORRECTABLE_AND_UNCORRECTABLE_DRAM_ECC_ERRORS']),
      ),
    ).toEqual([[0, '0x5180e8']]);
    expect(pmcs(run(k8, ['HYPERTRANSPORT_LINK2:ALL', 'HYPERTRANSPORT_LINK0:NOP_DWORD_SENT']))).toEqual([
      [0, '0x510ff8'],
      [1, '0x5108f6'],
    ]);
    expect(findFullEvent(k8, 'hypertransport_link1:command_dword_sent').unitMasks).toEqual([0]);
  });
});
