import { getModel, normaliseModel, type PmuModel, toModelFile } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { PFM_REGFL_NO_EMUL64 } from '../abi/constants.js';
import { Errno, fail, ok } from '../abi/errno.js';
import { ABI_V2_2, ABI_V2_3, ABI_V2_COMPACT } from '../abi/profiles.js';
import { createSystem } from '../system.js';
import { testWorld, writePmcs } from '../test-util.js';
import { PmuBinding, pmuBinding } from './pmu.js';
import { workloadFromEvents } from './workload.js';

/**
 * A model object of its own: bindings are cached per model object, so a test that wants the
 * core to derive the description again (rather than reuse one an earlier test derived) gets a
 * fresh copy of the model file.
 */
function fresh(id: string): PmuModel {
  return normaliseModel(toModelFile(getModel(id)));
}

const ARCH: Record<string, string> = {
  'intel-core': 'i386',
  'intel-p6': 'i386',
  'intel-p4': 'i386',
  'amd64-k8': 'x86_64',
  power5: 'ppc64',
  mips64: 'mips64',
};

function world(id: string) {
  return testWorld({ machine: { arch: ARCH[id]!, cost: 'k8-2006', pmu: fresh(id) } });
}

const indexes = (a: ArrayLike<number>, pred: (v: number) => boolean) =>
  Array.from(a).flatMap((v, i) => (pred(v) ? [i] : []));

describe('PmuBinding: the description the core derives from a model', () => {
  it('Intel Core: implemented registers, counters, fixed counters and their control', () => {
    const b = new PmuBinding(getModel('intel-core'), ABI_V2_3);
    expect([b.width, b.maxPmc, b.maxPmd]).toEqual([31, 18, 19]);
    expect(Array.from({ length: 20 }, (_, i) => i).filter((i) => b.isPmcImpl(i))).toEqual([0, 1, 16, 17]);
    expect(Array.from({ length: 20 }, (_, i) => i).filter((i) => b.isPmdImpl(i))).toEqual([0, 1, 16, 17, 18]);
    expect([b.isPmcImpl(-1), b.isPmdImpl(-1), b.isPmcImpl(1000), b.isPmdImpl(1000)]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(b.counterPmds).toEqual([0, 1, 16, 17, 18]);
    expect(indexes(b.pmdCounter, (v) => v === 1)).toEqual([0, 1, 16, 17, 18]);
    expect(indexes(b.pmdReadOnly, (v) => v === 1)).toEqual([]);
    // PERFEVTSELx accept NO_EMUL64 (I64); FIXED_CTRL and PEBS_ENABLE do not
    expect(indexes(b.pmcNo64, (v) => v === 1)).toEqual([0, 1]);
    expect(b.pebsPmc).toBe(17);
    expect(b.scheme.sharedUnit(0, 0xee)).toBe(false);
  });

  it('Intel Core: defaults and reserved bits as the v2.3 kernel applies them (1 = reserved)', () => {
    const b = new PmuBinding(getModel('intel-core'), ABI_V2_3);
    expect([b.pmcDflLo[0], b.pmcDflHi[0]]).toEqual([0x100000, 0]);
    expect([b.pmcRsvdLo[0], b.pmcRsvdHi[0]]).toEqual([0x00300000, 0xffffffff]);
    expect([b.pmcDflLo[16], b.pmcRsvdLo[16], b.pmcRsvdHi[16]]).toEqual([0x888, 0xfffffccc, 0xffffffff]);
    expect([b.pmcRsvdLo[17], b.pmcRsvdHi[17]]).toEqual([0xfffffffe, 0xffffffff]);
  });

  it('P6: the APIC interrupt enable is what NO_EMUL64 clears', () => {
    const b = new PmuBinding(getModel('intel-p6'), ABI_V2_2);
    expect([b.pmcNoEmulLo[0], b.pmcNoEmulHi[0], b.pmcNoEmulLo[1]]).toEqual([0x100000, 0, 0x100000]);
    // a table without a v2.2 mask is the same under both profiles
    expect([b.pmcRsvdLo[1], b.pmcRsvdHi[1]]).toEqual([0x00700000, 0xffffffff]);
    expect([b.pebsPmc, b.scheme.sharedUnit(0, 0xff)]).toEqual([-1, false]);
  });

  it('AMD64: Northbridge events (select 0xEE and up, from the model) are a shared unit', () => {
    const b = new PmuBinding(getModel('amd64-k8'), ABI_V2_3);
    expect([0xed, 0xee, 0x4300ff].map((lo) => b.scheme.sharedUnit(0, lo))).toEqual([false, true, true]);
  });

  it('POWER5: TB is read-only, MMCR0 drives PMC1-6, MMCR1 selects; V18 forces every MMCR write to dfl_val (Q13)', () => {
    const v23 = new PmuBinding(getModel('power5'), ABI_V2_3);
    expect(indexes(v23.pmdReadOnly, (v) => v === 1)).toEqual([0]);
    expect(v23.counterPmds).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(v23.pmcRsvdLo)).toEqual([0, 0, 0]);
    expect(v23.pmcDflLo[0]).toBe(0x80000000);
    const v22 = new PmuBinding(getModel('power5'), ABI_V2_2);
    expect(Array.from(v22.pmcRsvdLo)).toEqual([0xffffffff, 0xffffffff, 0xffffffff]);
    expect(Array.from(v22.pmcRsvdHi)).toEqual([0xffffffff, 0xffffffff, 0xffffffff]);
  });
});

describe('pmuBinding: one description per model and reserved-mask meaning', () => {
  it('is derived once and shared by every system on the model; v2.2 gets its own', () => {
    const m = fresh('power5');
    const a = pmuBinding(m, ABI_V2_3);
    expect(pmuBinding(m, ABI_V2_3)).toBe(a);
    expect(pmuBinding(m, ABI_V2_COMPACT)).toBe(a);
    const old = pmuBinding(m, ABI_V2_2);
    expect(old).not.toBe(a);
    expect(pmuBinding(m, ABI_V2_2)).toBe(old);
    expect(old.pmcRsvdLo[1]).toBe(0xffffffff);
    expect(a.pmcRsvdLo[1]).toBe(0);
    const machine = { arch: 'ppc64', cost: 'k8-2006', pmu: m };
    expect(createSystem({ machine }).pmu).toBe(a);
    expect(createSystem({ machine, abi: 'v2.2' }).pmu).toBe(old);
  });
});

describe('the description as the syscalls see it', () => {
  it('Intel Core: unimplemented PMCs/PMDs between the generic and the fixed ones are EINVAL', () => {
    const w = world('intel-core');
    const fd = w.ctx();
    expect(w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 2 }]), 1)).toEqual(fail(Errno.EINVAL));
    expect(w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 18 }]), 1)).toEqual(fail(Errno.EINVAL));
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 2 }]), 1)).toEqual(fail(Errno.EINVAL));
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 19 }]), 1)).toEqual(fail(Errno.EINVAL));
    const r = w.pmds([{ reg_num: 18, reg_value: 12345n }]);
    expect(w.g.pfm_write_pmds(fd, r, 1)).toEqual(ok(0));
    expect(w.g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
    expect(w.readPmds(r, 1)[0]!.reg_value).toBe(12345n);
  });

  it('Intel Core: NO_EMUL64 is for the PERFEVTSELs only', () => {
    const w = world('intel-core');
    const fd = w.ctx();
    expect(
      w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 16, reg_value: 0x3n, reg_flags: PFM_REGFL_NO_EMUL64 }]), 1),
    ).toEqual(fail(Errno.EINVAL));
    writePmcs(w, fd, [{ reg_num: 1, reg_value: 0x4100c0n, reg_flags: PFM_REGFL_NO_EMUL64 }]);
  });

  it('Intel Core: PEBS_ENABLE other than 0 needs the PEBS format (EINVAL)', () => {
    const w = world('intel-core');
    const fd = w.ctx();
    expect(w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 17, reg_value: 1n }]), 1)).toEqual(fail(Errno.EINVAL));
    writePmcs(w, fd, [{ reg_num: 17, reg_value: 0n }]);
  });

  it('AMD64 only: a Northbridge event belongs to one context at a time', () => {
    const nb = 0x5300een;
    const k8 = world('amd64-k8');
    const a = k8.ctx();
    const b = k8.ctx();
    expect(k8.g.pfm_write_pmcs(a, k8.pmcs([{ reg_num: 0, reg_value: nb }]), 1)).toEqual(ok(0));
    expect(k8.g.pfm_write_pmcs(b, k8.pmcs([{ reg_num: 1, reg_value: nb }]), 1)).toEqual(fail(Errno.EBUSY));
    const p6 = world('intel-p6');
    const c = p6.ctx();
    const d = p6.ctx();
    expect(p6.g.pfm_write_pmcs(c, p6.pmcs([{ reg_num: 0, reg_value: nb }]), 1)).toEqual(ok(0));
    expect(p6.g.pfm_write_pmcs(d, p6.pmcs([{ reg_num: 0, reg_value: nb }]), 1)).toEqual(ok(0));
  });
});

describe('the event each select value means, as counted under a workload', () => {
  function count(
    id: string,
    pmcs: { reg_num: number; reg_value: bigint }[],
    pmds: number[],
    rates: Record<string, number | { user?: number; kernel?: number }>,
  ): bigint[] {
    const w = world(id);
    const fd = w.ctx();
    expect(w.g.pfm_write_pmcs(fd, w.pmcs(pmcs), pmcs.length)).toEqual(ok(0));
    const r = w.pmds(pmds.map((reg_num) => ({ reg_num })));
    expect(w.g.pfm_write_pmds(fd, r, pmds.length)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, workloadFromEvents(w.s.pmu.model, 'w', rates), 1_000_000);
    expect(w.g.pfm_read_pmds(fd, r, pmds.length)).toEqual(ok(0));
    return w.readPmds(r, pmds.length).map((d) => d.reg_value);
  }

  it('POWER5: PMCSEL is the model’s pmcsel (not the low code byte); the first event of a shared select wins', () => {
    // PMC1 0x44: PM_DTLB_MISS (listed before PM_CR_MAP_FULL_CYC, same select); PMC3 0x10:
    // PM_ST_REF_L1 (code 0x3c1090); PMC4 0x64: PM_BR_ISSUED (code 0x230e4); PMC5 PM_INST_CMPL
    const mmcr1 = (0x44n << 24n) | (0x10n << 8n) | 0x64n;
    const rates = {
      PM_DTLB_MISS: 0.01,
      PM_CR_MAP_FULL_CYC: 0.5,
      PM_ST_REF_L1: 0.25,
      PM_BR_ISSUED: 0.125,
      PM_INST_CMPL: 0.75,
    };
    expect(
      count(
        'power5',
        [
          { reg_num: 0, reg_value: 0n },
          { reg_num: 1, reg_value: mmcr1 },
        ],
        [1, 3, 4, 5],
        rates,
      ),
    ).toEqual([10_000n, 250_000n, 125_000n, 750_000n]);
  });

  it('MIPS64: each counter has its own event numbering (INSNS_EXECED is 0xf on counter 0, 0x1 on counter 1)', () => {
    const U = 0x8n;
    expect(
      count(
        'mips64',
        [
          { reg_num: 0, reg_value: (0xfn << 5n) | U },
          { reg_num: 1, reg_value: (0x1n << 5n) | U },
        ],
        [0, 1],
        { INSNS_EXECED: 0.5, INSN_FETCHED: 0.25, COP2_INSNS_EXECED: 0.125 },
      ),
    ).toEqual([500_000n, 500_000n]);
  });

  it('P4: the CCCR select reaches the ESCR of that select even when an event-less ESCR of the counter is programmed', () => {
    // IQ_CTR3 (PMD16): IQ_CCCR3 selects 1 = ALF_ESCR1 (resource_stall:SBFULL, T0_USR);
    // IQ_ESCR1, also on IQ_CTR3, is programmed but has no select of its own
    const cccr = (1n << 12n) | (1n << 13n);
    const escr = (event: bigint, mask: bigint) => (event << 25n) | (mask << 9n) | (1n << 2n);
    expect(
      count(
        'intel-p4',
        [
          { reg_num: 48, reg_value: escr(0x2n, 0x1n) },
          { reg_num: 49, reg_value: escr(0x1n, 0x20n) },
          { reg_num: 61, reg_value: cccr },
        ],
        [16],
        { 'resource_stall:SBFULL': 0.25, 'instr_retired:NBOGUSNTAG': 0.5 },
      ),
    ).toEqual([250_000n]);
  });
});
