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
  greedyPasses,
  type ModelInput,
  PFM_PLM0,
  PFM_PLM1,
  PFM_PLM2,
  PFM_PLM3,
  PFMLIB_ERR_EVTINCOMP,
  PFMLIB_ERR_EVTSET,
  PFMLIB_ERR_INVAL,
  PFMLIB_ERR_NOASSIGN,
  PFMLIB_ERR_NOTSUPP,
  PFMLIB_PFP_SYSTEMWIDE,
  type PfmError,
} from './index.js';

type Model = ReturnType<typeof getModel>;
const p4 = getModel('intel-p4');
const ita2 = getModel('itanium2');
const mont = getModel('montecito');
const power5 = getModel('power5');
const mips = getModel('mips64');

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
const field = (v: bigint, lo: number, width: number) =>
  Number((v >> BigInt(lo)) & ((1n << BigInt(width)) - 1n));

describe('Pentium 4: ESCR/CCCR pairs', () => {
  it('encodes the cycle and retired-instruction events on their first free pair', () => {
    const out = run(p4, ['global_power_events:RUNNING', 'instr_retired:NBOGUSNTAG:NBOGUSTAG']);
    expect(pmds(out)).toEqual([0, 6]);
    expect(pmcs(out)).toEqual([
      [6, '0x26000204'], // FSB_ESCR0: select 0x13, mask RUNNING, T0_USR
      [23, '0x403d000'], // BPU_CCCR0: enable, ESCR select 6, active thread 3, OVF_PMI_T0
      [20, '0x4000604'], // CRU_ESCR0: select 0x2, mask 0x3
      [29, '0x4039000'], // IQ_CCCR0: ESCR select 4
    ]);
    const escr = out.pmcs[0]?.regValue ?? 0n;
    expect([field(escr, 25, 6), field(escr, 9, 16), field(escr, 2, 1), field(escr, 3, 1)]).toEqual([
      0x13, 1, 1, 0,
    ]);
    const cccr = out.pmcs[1]?.regValue ?? 0n;
    expect([field(cccr, 12, 1), field(cccr, 13, 3), field(cccr, 16, 2), field(cccr, 26, 1)]).toEqual([
      1, 6, 3, 1,
    ]);
    expect(out.pmcs.map((p) => p.regAddr)).toEqual([0x3a2n, 0x360n, 0x3b8n, 0x36cn]);
  });

  it('PLM0 sets T0_OS; cntMask, inv and edge go to the CCCR', () => {
    const out = run(
      p4,
      ['instr_retired:NBOGUSNTAG'],
      PFM_PLM0,
      {},
      { counters: [{ cntMask: 3, inv: true, edge: true }] },
    );
    const [escr, cccr] = out.pmcs.map((p) => p.regValue) as [bigint, bigint];
    expect([field(escr, 3, 1), field(escr, 2, 1)]).toEqual([1, 0]);
    expect([field(cccr, 18, 1), field(cccr, 19, 1), field(cccr, 20, 4), field(cccr, 24, 1)]).toEqual([
      1, 1, 3, 1,
    ]);
    expect(
      err(() => run(p4, ['instr_retired:NBOGUSNTAG'], PFM_PLM3, {}, { counters: [{ cntMask: 16 }] })).code,
    ).toBe(PFMLIB_ERR_INVAL);
    expect(err(() => run(p4, ['instr_retired:NBOGUSNTAG'], PFM_PLM2)).code).toBe(PFMLIB_ERR_INVAL);
  });

  it('two events needing the same ESCR → NOASSIGN naming it', () => {
    // With HyperThreading the non-HT registers (pmc32-64) are unavailable: only CRU_ESCR0 is left.
    const ht = Array.from({ length: 33 }, (_, i) => 32 + i);
    const e = err(() =>
      run(p4, ['instr_retired:NBOGUSNTAG', 'uops_retired:NBOGUS'], PFM_PLM3, { unavailPmcs: ht }),
    );
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toBe(
      'cannot assign events to counters: INSTR_RETIRED:NBOGUSNTAG and UOPS_RETIRED:NBOGUS both need ESCR CRU_ESCR0',
    );
    // Without HT the second one takes CRU_ESCR1 and an IQ counter behind it.
    const out = run(p4, ['instr_retired:NBOGUSNTAG', 'uops_retired:NBOGUS']);
    expect(out.pmcs.map((p) => p.regNum)).toEqual([20, 29, 51, 60]);
    expect(pmds(out)).toEqual([6, 15]);
  });

  it('finds the assignment libpfm first-fit misses (exhaustive search)', () => {
    // CRU_ESCR1 and IQ_CCCR1/4/3/5 unavailable: instr_retired can only use CRU_ESCR0 → IQ_CTR0;
    // branch_retired can use CRU_ESCR2 → IQ_CTR0 or CRU_ESCR3 → IQ_CTR2. libpfm's first fit,
    // in input order, gives IQ_CTR0 to branch_retired and then fails on instr_retired.
    const unavailPmcs = [51, 30, 31, 61, 62];
    const libpfmFirstFit = greedyPasses(
      [
        [
          { counter: 6, escr: 21 },
          { counter: 15, escr: 52 },
        ],
        [{ counter: 6, escr: 20 }],
      ],
      [{ events: [0, 1] }],
    );
    expect(libpfmFirstFit).toBeUndefined();
    const out = run(p4, ['branch_retired:MMNP', 'instr_retired:NBOGUSNTAG'], PFM_PLM3, {
      unavailPmcs,
      search: 'exhaustive',
    });
    expect(pmds(out)).toEqual([15, 6]);
    // libpfm's own search (the default) fails where libpfm fails.
    const e = err(() =>
      run(p4, ['branch_retired:MMNP', 'instr_retired:NBOGUSNTAG'], PFM_PLM3, { unavailPmcs }),
    );
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(out.pmcs.map((p) => p.regNum)).toEqual([52, 60, 20, 29]);
  });

  it('prints ESCR and CCCR lines', () => {
    const { lines } = dispatchEventsVerbose(p4, {
      events: [findFullEvent(p4, 'global_power_events:RUNNING')],
      dflPlm: PFM_PLM3,
    });
    expect(lines).toEqual([
      '[FSB_ESCR0(pmc6)=0x26000204 os=0 usr=1 tag=0 tagval=0x0 mask=1 sel=0x13] GLOBAL_POWER_EVENTS:RUNNING',
      '[BPU_CCCR0(pmc23)=0x403d000 ena=1 sel=0x6 cmp=0 cmpl=0 thres=0 edg=0 cas=0] GLOBAL_POWER_EVENTS:RUNNING',
      '[BPU_CTR0(pmd0)]',
    ]);
  });

  it('CCCRs taken by someone else (e.g. the NMI watchdog on IQ_CCCR0) are named in NOASSIGN', () => {
    // instr_retired reaches IQ_CTR0-2 through CRU_ESCR0 and IQ_CTR3-5 through CRU_ESCR1; the
    // ESCRs are free but every CCCR behind them is unavailable.
    const unavailPmcs = [29, 30, 31, 60, 61, 62];
    const e = err(() => run(p4, ['instr_retired:NBOGUSNTAG'], PFM_PLM3, { unavailPmcs }));
    expect(e.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(e.message).toBe(
      'cannot assign events to counters: INSTR_RETIRED:NBOGUSNTAG can only use counters 6, 8, 7, 15, 16 and 17, all unavailable: ' +
        'pmc29 (IQ_CCCR0) is in unavailPmcs, pmc31 (IQ_CCCR4) is in unavailPmcs, pmc30 (IQ_CCCR1) is in unavailPmcs, ' +
        'pmc60 (IQ_CCCR2) is in unavailPmcs, pmc61 (IQ_CCCR3) is in unavailPmcs and pmc62 (IQ_CCCR5) is in unavailPmcs',
    );
    // With only IQ_CCCR0 taken, the event moves to IQ_CTR4: libpfm tries CRU_ESCR0's counters
    // in its table order, IQ_CCCR0, IQ_CCCR4, IQ_CCCR1.
    expect(pmds(run(p4, ['instr_retired:NBOGUSNTAG'], PFM_PLM3, { unavailPmcs: [29] }))).toEqual([8]);
  });

  it('libpfmBugs p4-bpu-cccr2: pmd9 is programmed through pmc24 and conflicts with pmd1', () => {
    // BPU_ESCR0 unavailable: BPU_fetch_request goes through BPU_ESCR1 to pmd9 (BPU_CCCR2, pmc54).
    const unavailPmcs = [0];
    const out = run(p4, ['BPU_fetch_request:TCMISS'], PFM_PLM3, { unavailPmcs });
    expect(pmds(out)).toEqual([9]);
    expect(out.pmcs.map((p) => p.regNum)).toEqual([32, 54]);
    const bug = run(p4, ['BPU_fetch_request:TCMISS'], PFM_PLM3, {
      unavailPmcs,
      libpfmBugs: ['p4-bpu-cccr2'],
    });
    expect(pmds(bug)).toEqual([9]);
    expect(bug.pmcs.map((p) => p.regNum)).toEqual([32, 24]);
    // pmc24 also drives pmd1: with the first event there (BPU_CCCR0 taken), libpfm moves the
    // second one on to pmd10.
    const specs = ['BPU_fetch_request:TCMISS', 'BPU_fetch_request:TCMISS'];
    const two = run(p4, specs, PFM_PLM3, { unavailPmcs: [23], libpfmBugs: ['p4-bpu-cccr2'] });
    expect(pmds(two)).toEqual([1, 10]);
    expect(pmds(run(p4, specs, PFM_PLM3, { unavailPmcs: [23] }))).toEqual([1, 9]);
  });

  it("libpfm's loop: an event that finds no counter fails before a later event's bad plm", () => {
    const unavailPmcs = [29, 30, 31, 60, 61, 62];
    const events = [
      findFullEvent(p4, 'instr_retired:NBOGUSNTAG'),
      { ...findFullEvent(p4, 'global_power_events:RUNNING'), plm: 2 },
    ];
    expect(err(() => dispatchEvents(p4, { events, dflPlm: PFM_PLM3, unavailPmcs })).code).toBe(
      PFMLIB_ERR_NOASSIGN,
    );
    // The exhaustive search checks every privilege level first.
    expect(
      err(() => dispatchEvents(p4, { events, dflPlm: PFM_PLM3, unavailPmcs, search: 'exhaustive' })).code,
    ).toBe(PFMLIB_ERR_INVAL);
  });

  it("tag bits, replay_event's PEBS registers and instr_completed, as libpfm-3.10", () => {
    // Unit-mask bits 16-19 are the ESCR tag value (bits 5-8) with tag enable (bit 4).
    expect(pmcs(run(p4, ['PACKED_SP_UOP:TAG1:TAG3']))).toEqual([
      [12, '0x10000154'],
      [27, '0x4033000'],
    ]);
    // L1_LD_MISS and DTLB_LD_MISS: PEBS_ENABLE and PEBS_MATRIX_VERT first, the ESCR keeps NBOGUS.
    expect(pmcs(run(p4, ['REPLAY_EVENT:NBOGUS:L1_LD_MISS:DTLB_LD_MISS']))).toEqual([
      [64, '0x1000005'],
      [63, '0x1'],
      [21, '0x12000204'],
      [29, '0x403b000'],
    ]);
    expect(pmcs(run(p4, ['REPLAY_EVENT:BOGUS']))).toEqual([
      [21, '0x12000404'],
      [29, '0x403b000'],
    ]);
    // instr_completed exists on Prescott (models 3, 4, 6) only; a forced P4 has no model.
    const e = err(() => run(p4, ['INSTR_COMPLETED:NBOGUS']));
    expect(e.code).toBe(PFMLIB_ERR_EVTINCOMP);
    expect(e.message).toBe(
      'incompatible events combination: INSTR_COMPLETED:NBOGUS exists only on CPU models 3, 4, 6 (the host is an unknown model)',
    );
    const events = [findFullEvent(p4, 'INSTR_COMPLETED:NBOGUS')];
    expect(
      dispatchEvents(p4, { events, dflPlm: PFM_PLM3 }, {}, { cpuModel: 4 }).pmds.map((p) => p.regNum),
    ).toEqual([6]);
    expect(
      err(() => dispatchEvents(p4, { events, dflPlm: PFM_PLM3 }, {}, { cpuModel: 2 })).message,
    ).toContain('(the host is model 2)');
  });

  it('NOTSUPP for an event whose model data lacks its ESCRs', () => {
    const broken = syntheticModel('intel-p4', (f) => {
      f.id = 'test-p4-broken';
      const ev = f.events[0];
      if (ev?.modelData) delete ev.modelData.escrs;
    });
    expect(err(() => run(broken, ['global_power_events:RUNNING'])).code).toBe(PFMLIB_ERR_NOTSUPP);
  });
});

describe('Itanium 2', () => {
  it('encodes plm, oi, es and umask; all four privilege levels are valid', () => {
    const out = run(ita2, ['CPU_CYCLES', 'IA64_INST_RETIRED']);
    expect(pmds(out)).toEqual([4, 5]);
    expect(pmcs(out)).toEqual([
      [4, '0x1228'],
      [5, '0x828'],
    ]);
    expect(pmcs(run(ita2, ['CPU_CYCLES'], PFM_PLM0 | PFM_PLM1 | PFM_PLM2 | PFM_PLM3))).toEqual([
      [4, '0x122f'],
    ]);
    expect(pmcs(run(ita2, ['ITLB_MISSES_FETCH_ALL']))).toEqual([[4, '0x34728']]);
    expect(pmcs(run(ita2, ['CPU_CYCLES'], PFM_PLM3, { flags: PFMLIB_PFP_SYSTEMWIDE }))).toEqual([
      [4, '0x1268'],
    ]);
    expect(pmcs(run(ita2, ['CPU_CYCLES'], PFM_PLM3, {}, { counters: [{ cntMask: 5 }] }))).toEqual([
      [4, '0x501228'],
    ]);
  });

  it('threshold above 7, inv or edge → INVAL', () => {
    expect(err(() => run(ita2, ['CPU_CYCLES'], PFM_PLM3, {}, { counters: [{ cntMask: 8 }] })).code).toBe(
      PFMLIB_ERR_INVAL,
    );
    expect(err(() => run(ita2, ['CPU_CYCLES'], PFM_PLM3, {}, { counters: [{ inv: true }] })).code).toBe(
      PFMLIB_ERR_INVAL,
    );
    const over = err(() => run(ita2, ['CPU_CYCLES'], PFM_PLM3, {}, { counters: [{ cntMask: 8 }] }));
    expect(over.message).toBe('invalid parameters: CPU_CYCLES: threshold 8 is outside 0..7');
    const edge = err(() =>
      run(ita2, ['CPU_CYCLES'], PFM_PLM3, {}, { counters: [{ cntMask: 2, edge: true }] }),
    );
    expect(edge.message).toBe('invalid parameters: CPU_CYCLES: itanium2 does not support edge');
    expect(edge.events).toEqual(['CPU_CYCLES']);
  });

  it('the cache-group rules need an exhaustive search: L1D on PMC5, L2 on PMC4', () => {
    // Lowest-free in input order would give 4, 5, 6, 7: no L2 event on PMC4. libpfm's 4! loop
    // (and this search, in the same order) finds 5, 6, 4, 7.
    const out = run(ita2, ['L1D_READS_SET0', 'L2DTLB_MISSES', 'L2_REFERENCES', 'CPU_CYCLES']);
    expect(pmds(out)).toEqual([5, 6, 4, 7]);
    expect(pmds(run(ita2, ['L1D_READS_SET0']))).toEqual([5]);
    expect(pmds(run(ita2, ['CPU_CYCLES', 'L2_REFERENCES']))).toEqual([5, 4]);
  });

  it('events of one group in different sets → EVTSET', () => {
    const e = err(() => run(ita2, ['L1D_READS_SET0', 'L1D_READ_MISSES_ALL']));
    expect(e.code).toBe(PFMLIB_ERR_EVTSET);
    expect(e.message).toContain('L1D_READS_SET0 (L1D cache group, set 0) and L1D_READ_MISSES_ALL (set 1)');
  });

  it('NOASSIGN when the rules cannot be met', () => {
    const both4 = err(() => run(ita2, ['L2_FORCE_RECIRC_ANY', 'L2_FORCE_RECIRC_L1W']));
    expect(both4.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(both4.message).toContain('L2_FORCE_RECIRC_ANY and L2_FORCE_RECIRC_L1W both need counter 4');
    const noPmc5 = err(() => run(ita2, ['L1D_READS_SET0'], PFM_PLM3, { unavailPmcs: [5] }));
    expect(noPmc5.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(noPmc5.message).toContain('an L1D cache-group event must be on PMC5');
  });
});

describe('Montecito', () => {
  it('forces ism = 2, leaves oi to the kernel, sets MESI bits, honours counter masks', () => {
    const out = run(mont, ['CPU_OP_CYCLES_ALL', 'CPU_OP_CYCLES_HALTED', 'L3_READS_ALL_ALL']);
    expect(pmds(out)).toEqual([4, 10, 5]);
    expect(pmcs(out)).toEqual([
      [4, '0x2001208'],
      [10, '0x2001808'],
      [5, '0x7a0fdd08'],
    ]);
  });

  it('12 counters; a 13th event → NOASSIGN', () => {
    const twelve = Array.from({ length: 12 }, () => 'CPU_OP_CYCLES_ALL');
    expect(pmds(run(mont, twelve))).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(err(() => run(mont, [...twelve, 'IA64_INST_RETIRED'])).code).toBe(PFMLIB_ERR_NOASSIGN);
  });

  it('finds what libpfm placement by restriction misses (synthetic counter masks)', () => {
    // BUS_ALL_ANY limited to PMD4-5 and BUS_ALL_EITHER to PMD4: libpfm places restricted
    // events in input order on their lowest free counter, so BUS_ALL_ANY takes PMD4.
    const model = syntheticModel('montecito', (f) => {
      f.id = 'test-montecito';
      for (const e of f.events) {
        if (e.name === 'BUS_ALL_ANY') e.counters = [4, 5];
        if (e.name === 'BUS_ALL_EITHER') e.counters = [4];
      }
    });
    const specs = ['BUS_ALL_ANY', 'BUS_ALL_EITHER', 'CPU_OP_CYCLES_ALL'];
    expect(pmds(run(model, specs, PFM_PLM3, { search: 'exhaustive' }))).toEqual([5, 4, 6]);
    expect(err(() => run(model, specs)).code).toBe(PFMLIB_ERR_NOASSIGN);
  });
});

describe('POWER5', () => {
  it('writes MMCR0, MMCR1 and MMCRA after the events', () => {
    const out = run(power5, ['PM_CYC', 'PM_INST_CMPL']);
    expect(pmds(out)).toEqual([1, 2]);
    expect(pmcs(out)).toEqual([
      [0, '0x4400c011'], // PMXE|PMC1CE|PMCjCE, FCS and FCHV (no kernel, no hypervisor), FC5_6
      [1, '0xf090000'], // PMCSEL 0xf on PMC1, 0x9 on PMC2
      [2, '0x0'],
    ]);
    expect(out.pmcs.map((p) => p.regAddr)).toEqual([0x31bn, 0x31en, 0x312n]);
  });

  it('clears FCS for PLM0 and FCHV for PLM1; PMC5/6 in use clear FC5_6', () => {
    const out = run(power5, ['PM_RUN_CYC', 'PM_FPU_FDIV', 'PM_INST_CMPL'], PFM_PLM0 | PFM_PLM1 | PFM_PLM3);
    // PM_RUN_CYC can use PMC1 or PMC6; PMC1 is PM_FPU_FDIV's only counter.
    expect(pmds(out)).toEqual([6, 1, 2]);
    expect(pmcs(out)[0]).toEqual([0, '0x400c000']);
  });

  it('NOASSIGN for mixed privilege levels, no common group, or an unavailable MMCR', () => {
    const mixed = err(() =>
      dispatchEvents(power5, {
        events: [
          findFullEvent(power5, 'PM_CYC'),
          { ...findFullEvent(power5, 'PM_INST_CMPL'), plm: PFM_PLM0 },
        ],
        dflPlm: PFM_PLM3,
      }),
    );
    expect(mixed.code).toBe(PFMLIB_ERR_NOASSIGN);
    const groups = err(() => run(power5, ['PM_FPU_FDIV', 'PM_FXU_IDLE']));
    expect(groups.code).toBe(PFMLIB_ERR_NOASSIGN);
    expect(groups.message).toContain('no power5 event group contains all of PM_FPU_FDIV and PM_FXU_IDLE');
    const mmcr = err(() => run(power5, ['PM_CYC'], PFM_PLM3, { unavailPmcs: [2] }));
    expect(mmcr.message).toContain('pmc2 (MMCRA) is in unavailPmcs');
    expect(err(() => run(power5, ['PM_CYC'], PFM_PLM3, {}, { counters: [{ edge: true }] })).code).toBe(
      PFMLIB_ERR_INVAL,
    );
  });
});

describe('MIPS64 5Kc', () => {
  it('per-counter codes, IE always set, all four privilege levels', () => {
    const out = run(mips, ['CYCLES', 'INSNS_EXECED']);
    expect(pmds(out)).toEqual([0, 1]);
    expect(pmcs(out)).toEqual([
      [0, '0x18'],
      [1, '0x38'], // INSNS_EXECED is 0x1 on counter 1
    ]);
    expect(pmcs(run(mips, ['INSNS_EXECED'], PFM_PLM0 | PFM_PLM1 | PFM_PLM2 | PFM_PLM3))).toEqual([
      [0, '0x1ff'],
    ]);
  });

  it('places single-counter events first (rank-based)', () => {
    expect(pmds(run(mips, ['INSNS_EXECED', 'INSN_FETCHED']))).toEqual([1, 0]);
    expect(pmds(run(mips, ['CYCLES', 'DCACHE_MISS']))).toEqual([0, 1]);
    const e = err(() => run(mips, ['INSN_FETCHED', 'BRANCHES_EXECED']));
    expect(e.message).toContain('INSN_FETCHED and BRANCHES_EXECED both need counter 0');
    expect(pmds(run(mips, ['CYCLES'], PFM_PLM3, { unavailPmcs: [0] }))).toEqual([1]);
    expect(err(() => run(mips, ['CYCLES'], PFM_PLM3, {}, { counters: [{ cntMask: 1 }] })).code).toBe(
      PFMLIB_ERR_INVAL,
    );
  });

  it('takes no cnt_mask, inv or edge: INVAL naming each', () => {
    const e = err(() =>
      run(
        mips,
        ['INSNS_EXECED', 'CYCLES'],
        PFM_PLM3,
        {},
        { counters: [{}, { cntMask: 1, inv: true, edge: true }] },
      ),
    );
    expect(e.code).toBe(PFMLIB_ERR_INVAL);
    expect(e.message).toBe('invalid parameters: CYCLES: mips64 does not support cntMask, inv, edge');
    expect(e.events).toEqual(['CYCLES']);
    expect(err(() => run(mips, ['CYCLES'], PFM_PLM3, {}, { counters: [{ inv: true }] })).message).toBe(
      'invalid parameters: CYCLES: mips64 does not support inv',
    );
  });
});

describe('generic IA-64 (a synthetic IA-64 model of type GEN_IA64)', () => {
  // Itanium 2 registers and events under libpfm type 1 (PFMLIB_GEN_IA64_PMU): the generic
  // IA-64 dispatcher, Itanium 2's PMC layout (oi = 1, ism = 0) but none of its cache-group
  // rules, and events placed in input order on their first free counter. A and B are
  // synthetic events limited to PMC4-6 and PMC4-5.
  const model = syntheticModel('itanium2', (f) => {
    f.id = 'test-gen-ia64';
    f.libpfm = { name: 'generic IA-64', type: 1 };
    const cycles = f.events.find((e) => e.name === 'CPU_CYCLES');
    if (cycles === undefined) throw new Error('no CPU_CYCLES');
    f.events.push({ ...cycles, name: 'A', counters: [4, 5, 6] }, { ...cycles, name: 'B', counters: [4, 5] });
  });

  it('uses the gen_ia64 dispatcher and the Itanium 2 counter layout', () => {
    expect(dispatcherKind(model)).toBe('gen_ia64');
    const out = run(model, ['CPU_CYCLES', 'IA64_INST_RETIRED'], PFM_PLM0 | PFM_PLM3);
    expect(pmds(out)).toEqual([4, 5]);
    expect(pmcs(out)).toEqual([
      [4, '0x1229'],
      [5, '0x829'],
    ]);
  });

  it('places events in input order, first free counter: A → PMC4, B → PMC5', () => {
    expect(pmds(run(model, ['A', 'B']))).toEqual([4, 5]);
  });

  it('applies no Itanium 2 cache-group rule', () => {
    expect(pmds(run(model, ['L1D_READS_SET0', 'L1D_READ_MISSES_ALL']))).toEqual([4, 5]);
  });
});

describe('a model whose encoding no libpfm dispatcher handles', () => {
  it('→ NOTSUPP', () => {
    const future = { ...mips, id: 'test-future', encoding: { ...mips.encoding, scheme: 'vliw-2030' } };
    const e = err(() => dispatcherKind(future as unknown as Model));
    expect(e.code).toBe(PFMLIB_ERR_NOTSUPP);
    expect(e.message).toBe('not supported: test-future: no dispatcher for encoding vliw-2030');
  });
});
