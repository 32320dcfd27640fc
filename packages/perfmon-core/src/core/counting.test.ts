import { getModel, normaliseModel, type PmuModel, toModelFile } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { ok } from '../abi/errno.js';
import { testWorld } from '../test-util.js';
import { type CounterConfig, decodeCounter } from './counting.js';
import { workloadFromEvents } from './workload.js';

type Rates = Record<string, number | { user?: number; kernel?: number }>;
type PmcWrite = { reg_num: number; reg_value: bigint };

const ARCH: Record<string, string> = {
  'x86-evtsel': 'i386',
  'p4-escr-cccr': 'i386',
  'ia64-pmc': 'ia64',
  'power5-mmcr': 'ppc64',
  'mips64-ctrl': 'mips64',
};

/**
 * A self-monitoring context on `model` with `pmcs` programmed and `pmds` zeroed, loaded and
 * started. `run` runs a workload for a million cycles and reads the PMDs back; `decoded` is
 * what the core decodes a PMD to count from the active set.
 */
function monitor(model: PmuModel | string, pmcs: PmcWrite[], pmds: number[]) {
  const m = typeof model === 'string' ? getModel(model) : model;
  const w = testWorld({ machine: { arch: ARCH[m.encoding.scheme]!, cost: 'k8-2006', pmu: m } });
  const fd = w.ctx();
  expect(w.g.pfm_write_pmcs(fd, w.pmcs(pmcs), pmcs.length)).toEqual(ok(0));
  const r = w.pmds(pmds.map((reg_num) => ({ reg_num })));
  expect(w.g.pfm_write_pmds(fd, r, pmds.length)).toEqual(ok(0));
  expect(w.load(fd, w.t.tid)).toEqual(ok(0));
  expect(w.g.pfm_start(fd)).toEqual(ok(0));
  return {
    run(rates: Rates, cycles = 1_000_000): bigint[] {
      w.s.runSync(w.t, workloadFromEvents(m, 'w', rates), cycles);
      expect(w.g.pfm_read_pmds(fd, r, pmds.length)).toEqual(ok(0));
      return w.readPmds(r, pmds.length).map((d) => d.reg_value);
    },
    decoded(pmd: number): CounterConfig {
      const out: CounterConfig = { enabled: true, code: -7, umask: -7, user: false, kernel: false };
      decodeCounter(w.s.pmu, w.s.contexts[0]!.active, pmd, out);
      return out;
    },
  };
}

const count = (model: PmuModel | string, pmcs: PmcWrite[], pmds: number[], rates: Rates) =>
  monitor(model, pmcs, pmds).run(rates);

describe('x86 fixed counters (FIXED_CTR_CTRL: 4 bits per counter, OS bit 0, USR bit 1)', () => {
  const rates: Rates = {
    INSTRUCTIONS_RETIRED: { user: 0.5, kernel: 0.25 },
    UNHALTED_CORE_CYCLES: { user: 1, kernel: 2 },
    UNHALTED_REFERENCE_CYCLES: { user: 0.75, kernel: 0.125 },
  };

  it.each(['intel-core', 'intel-arch-perfmon'])(
    '%s: each fixed counter counts its event in the modes of its field',
    (id) => {
      // FIXED_CTR0 (INSTRUCTIONS_RETIRED) USR, FIXED_CTR1 (UNHALTED_CORE_CYCLES) OS, FIXED_CTR2 both
      expect(count(id, [{ reg_num: 16, reg_value: 0x312n }], [16, 17, 18], rates)).toEqual([
        500_000n,
        2_000_000n,
        875_000n,
      ]);
      // only FIXED_CTR1's field set, to both modes
      expect(count(id, [{ reg_num: 16, reg_value: 0x030n }], [16, 17, 18], rates)).toEqual([
        0n,
        3_000_000n,
        0n,
      ]);
    },
  );

  it('FIXED_CTRL left at its default (PMI bits only) counts nothing', () => {
    expect(count('intel-core', [{ reg_num: 0, reg_value: 0x4300c0n }], [16, 17, 18], rates)).toEqual([
      0n,
      0n,
      0n,
    ]);
  });

  it('decodes each fixed counter to its event, built-in unit mask and modes', () => {
    const m = monitor('intel-core', [{ reg_num: 16, reg_value: 0x302n }], [16, 17, 18]);
    expect(m.decoded(16)).toEqual({ enabled: true, code: 0xc0, umask: 0, user: true, kernel: false });
    expect(m.decoded(17)).toEqual({ enabled: false, code: 0x3c, umask: 0, user: false, kernel: false });
    expect(m.decoded(18)).toEqual({ enabled: true, code: 0x3c, umask: 1, user: true, kernel: true });
  });

  it('fields are numbered from the model’s first fixed counter, whatever its PMD index', () => {
    // a Core variant whose fixed counters are PMD2-4 (the generic ones stay PMD0/1)
    const file = toModelFile(getModel('intel-core'));
    const renumber = (i: number) => (i >= 16 && i <= 18 ? i - 14 : i);
    file.id = 'intel-core-fixed2';
    file.pmds = file.pmds.map((d) => ({ ...d, index: renumber(d.index) }));
    file.pmcs = file.pmcs.map((c) => ({
      ...c,
      ...(c.controls ? { controls: c.controls.map(renumber) } : {}),
    }));
    file.events = file.events.map((e) =>
      e.fixed ? { ...e, fixed: { ...e.fixed, pmd: renumber(e.fixed.pmd) } } : e,
    );
    const model = normaliseModel(file);
    expect(count(model, [{ reg_num: 16, reg_value: 0x312n }], [2, 3, 4], rates)).toEqual([
      500_000n,
      2_000_000n,
      875_000n,
    ]);
  });
});

describe('x86 PERFEVTSEL (event 0-7, unit mask 8-15, USR 16, OS 17, EN 22)', () => {
  const USR = 1n << 16n;
  const OS = 1n << 17n;
  const EN = 1n << 22n;

  it('AMD64: USR and OS pick the modes, EN of each PERFSEL enables its own counter', () => {
    const clk = 0x76n;
    const refills = 0x42n | (0x06n << 8n); // DATA_CACHE_REFILLS:L2_SHARED:L2_EXCLUSIVE
    expect(
      count(
        'amd64-k8',
        [
          { reg_num: 0, reg_value: clk | USR | EN },
          { reg_num: 1, reg_value: clk | OS | EN },
          { reg_num: 2, reg_value: clk | USR | OS },
          { reg_num: 3, reg_value: refills | USR | OS | EN },
        ],
        [0, 1, 2, 3],
        {
          CPU_CLK_UNHALTED: { user: 1, kernel: 0.5 },
          'DATA_CACHE_REFILLS:L2_SHARED:L2_EXCLUSIVE': { user: 0.01, kernel: 0.02 },
          'DATA_CACHE_REFILLS:L2_SHARED': { user: 0.5, kernel: 0.5 },
        },
      ),
    ).toEqual([1_000_000n, 500_000n, 0n, 30_000n]);
  });

  it('AMD64: a disabled PERFSEL0 does not disable the others', () => {
    expect(
      count(
        'amd64-k8',
        [
          { reg_num: 0, reg_value: 0x76n | USR },
          { reg_num: 1, reg_value: 0x76n | USR | EN },
        ],
        [0, 1],
        { CPU_CLK_UNHALTED: 1 },
      ),
    ).toEqual([0n, 1_000_000n]);
  });

  it('AMD Family 10h: the 12-bit event select, bits 11:8 from PERFSEL bits 35:32, counts', () => {
    const l3 = 0xe1n | (0x07n << 8n) | (0x4n << 32n); // L3_CACHE_MISSES:ANY_READ (0x4e1)
    expect(
      count(
        'amd64-fam10h',
        [
          { reg_num: 0, reg_value: l3 | USR | EN },
          { reg_num: 1, reg_value: 0xe1n | (0x07n << 8n) | USR | EN }, // 0x0e1: another event
          { reg_num: 2, reg_value: 0x76n | USR | EN },
        ],
        [0, 1, 2],
        { 'L3_CACHE_MISSES:ANY_READ': 0.25, CPU_CLK_UNHALTED: 1 },
      ),
    ).toEqual([250_000n, 0n, 1_000_000n]);
    // on K8, bits 35:32 are reserved (forced to the default, 0): the same value selects 0x0e1
    const m = monitor('amd64-k8', [{ reg_num: 0, reg_value: l3 | USR | EN }], [0]);
    expect(m.decoded(0)).toEqual({ enabled: true, code: 0xe1, umask: 7, user: true, kernel: false });
  });

  it('P6: only PERFEVTSEL0 has the enable; clear, neither counter counts', () => {
    // EN is reserved in PERFEVTSEL1: writing it has no effect
    expect(
      count(
        'intel-p6',
        [
          { reg_num: 0, reg_value: 0x79n | USR },
          { reg_num: 1, reg_value: 0xc0n | USR | EN },
        ],
        [0, 1],
        { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.5 },
      ),
    ).toEqual([0n, 0n]);
  });

  it('P6: a counter whose PERFEVTSEL the set never wrote counts nothing, even with PERFEVTSEL0 enabled', () => {
    const m = monitor('intel-p6', [{ reg_num: 0, reg_value: 0x79n | USR | OS | EN }], [0, 1]);
    expect(m.decoded(0)).toEqual({ enabled: true, code: 0x79, umask: 0, user: true, kernel: true });
    expect(m.decoded(1).enabled).toBe(false);
    expect(m.run({ CPU_CLK_UNHALTED: 1 })).toEqual([1_000_000n, 0n]);
  });
});

describe('IA-64 PMC4+ (plm bits 0-3: bit 3 user, bit 0 kernel; event 8-15; umask 16-19)', () => {
  const ev = (es: bigint, umask: bigint, plm: bigint) => (es << 8n) | (umask << 16n) | plm;

  it.each(['itanium2', 'montecito'])(
    '%s: counts the event and unit mask in the privilege levels of plm',
    (id) => {
      const m = monitor(
        id,
        [
          { reg_num: 4, reg_value: ev(0x12n, 0n, 0x8n) },
          { reg_num: 5, reg_value: ev(0x12n, 0n, 0x1n) },
          { reg_num: 6, reg_value: ev(0x8an, 0xfn, 0x9n) },
          { reg_num: 7, reg_value: ev(0x12n, 0n, 0x0n) },
        ],
        [4, 5, 6, 7],
      );
      expect(m.decoded(6)).toEqual({ enabled: true, code: 0x8a, umask: 0xf, user: true, kernel: true });
      expect(m.decoded(4)).toMatchObject({ enabled: true, user: true, kernel: false });
      expect(m.decoded(7)).toMatchObject({ enabled: false, user: false, kernel: false });
      // Montecito has no event 0x8a (its cycles event is CPU_OP_CYCLES_ALL, 0x12)
      const rates: Rates =
        id === 'itanium2'
          ? { CPU_CYCLES: { user: 1, kernel: 0.5 }, BUS_MEMORY_ALL_ANY: { user: 0.01, kernel: 0.02 } }
          : { CPU_OP_CYCLES_ALL: { user: 1, kernel: 0.5 } };
      expect(m.run(rates)).toEqual([1_000_000n, 500_000n, id === 'itanium2' ? 30_000n : 0n, 0n]);
    },
  );

  it('itanium2: an event with a built-in unit mask counts when programmed as libpfm does', () => {
    // BACK_END_BUBBLE_FE: es 0x00, umask 0x1; BACK_END_BUBBLE_ALL: es 0x00, umask 0x0
    expect(
      count(
        'itanium2',
        [
          { reg_num: 4, reg_value: ev(0n, 1n, 0x8n) },
          { reg_num: 5, reg_value: ev(0n, 0n, 0x8n) },
        ],
        [4, 5],
        { BACK_END_BUBBLE_FE: 0.25, BACK_END_BUBBLE_ALL: 0.5 },
      ),
    ).toEqual([250_000n, 500_000n]);
  });
});

describe('P4 CCCR/ESCR pairs (CCCR enable 12, ESCR_SELECT 13-15; ESCR event 25-30, mask 9-24, T0_OS 3, T0_USR 2)', () => {
  const cccr = (select: bigint, enable = true) => (enable ? 1n << 12n : 0n) | (select << 13n);
  const escr = (event: bigint, mask: bigint, os: boolean, usr: boolean) =>
    (event << 25n) | (mask << 9n) | (os ? 1n << 3n : 0n) | (usr ? 1n << 2n : 0n);
  const rates: Rates = {
    'instr_retired:NBOGUSNTAG': { user: 0.5, kernel: 0.25 },
    'branch_retired:MMNP': { user: 0.125, kernel: 0.0625 },
    instr_retired: 1,
  };
  const pmcs: PmcWrite[] = [
    // IQ_CTR0: select 4 = CRU_ESCR0, instr_retired:NBOGUSNTAG, user
    { reg_num: 20, reg_value: escr(0x2n, 0x1n, false, true) },
    { reg_num: 29, reg_value: cccr(4n) },
    // IQ_CTR1: select 5 = CRU_ESCR2, branch_retired:MMNP, kernel
    { reg_num: 21, reg_value: escr(0x6n, 0x1n, true, false) },
    { reg_num: 30, reg_value: cccr(5n) },
    // IQ_CTR4: CRU_ESCR0 selected but the CCCR not enabled
    { reg_num: 31, reg_value: cccr(4n, false) },
    // IQ_CTR2: select 4 = CRU_ESCR1, instr_retired:NBOGUSNTAG, both modes
    { reg_num: 51, reg_value: escr(0x2n, 0x1n, true, true) },
    { reg_num: 60, reg_value: cccr(4n) },
    // IQ_CTR3: select 5 = CRU_ESCR3, never written
    { reg_num: 61, reg_value: cccr(5n) },
  ];

  it('each counter counts the event of the ESCR its CCCR selects, in the ESCR’s modes', () => {
    expect(count('intel-p4', pmcs, [6, 7, 8, 15, 16], rates)).toEqual([500_000n, 62_500n, 0n, 750_000n, 0n]);
  });

  it('decodes what each counter counts', () => {
    const m = monitor('intel-p4', pmcs, [6, 7, 8, 15, 16]);
    expect(m.decoded(6)).toEqual({ enabled: true, code: 0x2, umask: 0x1, user: true, kernel: false });
    expect(m.decoded(7)).toEqual({ enabled: true, code: 0x6, umask: 0x1, user: false, kernel: true });
    expect(m.decoded(8).enabled).toBe(false);
    expect(m.decoded(15)).toEqual({ enabled: true, code: 0x2, umask: 0x1, user: true, kernel: true });
    expect(m.decoded(16).enabled).toBe(false);
    // a CCCR the set never wrote: IQ_CTR5
    expect(m.decoded(17).enabled).toBe(false);
  });

  it('an ESCR with neither T0 mode bit counts nothing', () => {
    const m = monitor(
      'intel-p4',
      [
        { reg_num: 20, reg_value: escr(0x2n, 0x1n, false, false) },
        { reg_num: 29, reg_value: cccr(4n) },
      ],
      [6],
    );
    expect(m.decoded(6)).toMatchObject({ enabled: false, user: false, kernel: false });
    expect(m.run(rates)).toEqual([0n]);
  });
});

describe('POWER5 MMCR0/MMCR1', () => {
  const FCS = 0x40000000n;
  const FCP = 0x20000000n;
  // PMC1 0x44 PM_DTLB_MISS, PMC2 0xff (no event), PMC3 0x10 PM_ST_REF_L1, PMC4 0x64 PM_BR_ISSUED
  const mmcr1 = (0x44n << 24n) | (0xffn << 16n) | (0x10n << 8n) | 0x64n;
  const rates: Rates = {
    PM_DTLB_MISS: { user: 0.01, kernel: 0.02 },
    PM_ST_REF_L1: { user: 0.25, kernel: 0.125 },
    PM_BR_ISSUED: { user: 0.125, kernel: 0.0625 },
    PM_CYC: 1,
  };
  const pmcs = (mmcr0: bigint): PmcWrite[] => [
    { reg_num: 0, reg_value: mmcr0 },
    { reg_num: 1, reg_value: mmcr1 },
  ];

  it('PMCSEL of PMC1-4 in MMCR1 bytes 3..0; FCP freezes user mode, FCS kernel mode', () => {
    expect(count('power5', pmcs(0n), [1, 2, 3, 4], rates)).toEqual([30_000n, 0n, 375_000n, 187_500n]);
    expect(count('power5', pmcs(FCP), [1, 2, 3, 4], rates)).toEqual([20_000n, 0n, 125_000n, 62_500n]);
    expect(count('power5', pmcs(FCS), [1, 2, 3, 4], rates)).toEqual([10_000n, 0n, 250_000n, 125_000n]);
  });

  it('decodes the modes from MMCR0 and a select with no event as not counting', () => {
    const m = monitor('power5', pmcs(FCP), [1, 2, 3, 4]);
    expect(m.decoded(1)).toEqual({ enabled: true, code: 0x800c4, umask: 0, user: false, kernel: true });
    expect(m.decoded(2).enabled).toBe(false);
    expect(m.decoded(4)).toMatchObject({ enabled: true, code: 0x230e4 });
  });
});

describe('MIPS64 PerfCtl (U bit 3, K bit 1, event from bit 5)', () => {
  const U = 0x8n;
  const K = 0x2n;

  it('event 0 is CYCLES; U counts user mode only, K kernel mode only', () => {
    expect(
      count(
        'mips64',
        [
          { reg_num: 0, reg_value: (0n << 5n) | U },
          { reg_num: 1, reg_value: (0n << 5n) | K },
        ],
        [0, 1],
        { CYCLES: { user: 1, kernel: 0.5 } },
      ),
    ).toEqual([1_000_000n, 500_000n]);
  });

  it('decodes an event field with no event on that counter, or no mode bit, as not counting', () => {
    const m = monitor(
      'mips64',
      [
        { reg_num: 0, reg_value: (0xbn << 5n) | U | K },
        { reg_num: 1, reg_value: 0x5n << 5n },
      ],
      [0, 1],
    );
    expect(m.decoded(0).enabled).toBe(false);
    expect(m.decoded(1)).toEqual({ enabled: false, code: 0x500, umask: 0, user: false, kernel: false });
  });
});
