import { describe, expect, it } from 'vitest';
import {
  PFM_REG_RETFL_EINVAL,
  PFM_REG_RETFL_NOSET,
  PFM_REG_RETFL_NOTAVAIL,
  PFM_REGFL_NO_EMUL64,
} from '../abi/constants.js';
import { Errno, fail, ok } from '../abi/errno.js';
import { createPfargPmc, createPfargSetdesc, encodePfargVector, type PfargPmc } from '../abi/structs.js';
import { type TestWorld, testWorld, withRegFlags } from '../test-util.js';

const { EINVAL, EBUSY } = Errno;
const PMC = 48;
const RSVD_FROM = 16; // reg_reserved2[4]: neither read nor written by the kernel

const P6 = { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' };
const CORE = { arch: 'i386', cost: 'p4-2006', pmu: 'intel-core' };
const K8 = { arch: 'x86_64', cost: 'k8-2006', pmu: 'amd64-k8' };
const MONTECITO = { arch: 'ia64', cost: 'k8-2006', pmu: 'montecito' };

function world(machine = P6, opts: Parameters<typeof testWorld>[0] = {}) {
  const w = testWorld({ machine, ...opts });
  return { w, fd: w.ctx() };
}

/** A pfarg_pmc vector with its reserved words filled with 0xa5, so stray stores show. */
function vec(w: TestWorld, elems: Partial<PfargPmc>[]): number {
  const u = w.buf(elems.length * PMC);
  const v = w.p.mm.dataView(u, elems.length * PMC, true);
  encodePfargVector(
    'pmc',
    v,
    0,
    elems.map((e) => createPfargPmc(e)),
    w.s.abi,
  );
  for (let i = 0; i < elems.length; i++) for (let b = RSVD_FROM; b < PMC; b++) v.setUint8(i * PMC + b, 0xa5);
  return u;
}

function flagsOf(w: TestWorld, u: number, i: number): number {
  return w.p.mm.dataView(u + i * PMC, PMC, false).getUint32(4, true);
}

/** The value committed to set->pmcs[cnum] (§9.2 step 7), the image loaded into the PMU. */
function committed(w: TestWorld, cnum: number, setId = 0, ctx = 0): bigint {
  const set = w.s.contexts[ctx]!.sets.find(setId)!;
  return (BigInt(set.pmcHi[cnum]!) << 32n) | BigInt(set.pmcLo[cnum]!);
}

function used(w: TestWorld, cnum: number, setId = 0): number {
  return w.s.contexts[0]!.sets.find(setId)!.usedPmcs[cnum]!;
}

describe('pfm_write_pmcs: per-element checks in the order of perfmon2-abi.md §9.2', () => {
  it('an unimplemented PMC is EINVAL; elements before it are committed (no rollback, Q3)', () => {
    const { w, fd } = world();
    expect(w.g.pfm_write_pmcs(fd, vec(w, [{ reg_num: 0, reg_value: 0x530079n }, { reg_num: 2 }]), 2)).toEqual(
      fail(EINVAL),
    );
    expect(committed(w, 0)).toBe(0x530079n);
    expect(used(w, 0)).toBe(1);
    expect(w.g.pfm_write_pmcs(fd, vec(w, [{ reg_num: 0xffff }]), 1)).toEqual(fail(EINVAL));
  });

  it('flags other than NO_EMUL64 and the stale RETFL bits are EINVAL', () => {
    const { w, fd } = world();
    const bad = [
      { reg_num: 0, reg_value: 0x530079n },
      { reg_num: 1, reg_flags: 0x1, reg_value: 0x5300c0n },
    ];
    expect(w.g.pfm_write_pmcs(fd, vec(w, bad), 2)).toEqual(fail(EINVAL));
    expect(used(w, 1)).toBe(0);
    expect(w.g.pfm_write_pmcs(fd, vec(w, [{ reg_num: 0, reg_flags: 0x10000 }]), 1)).toEqual(fail(EINVAL));
    const good = [
      { reg_num: 0, reg_value: 0x530079n, reg_flags: 0xe0000000 },
      { reg_num: 1, reg_value: 0x5300c0n, reg_flags: 0xe0000000 | PFM_REGFL_NO_EMUL64 },
    ];
    expect(w.g.pfm_write_pmcs(fd, vec(w, good), 2)).toEqual(ok(0));
    // PERFEVTSEL1: bits 20-22 reserved (dfl bit 20), then NO_EMUL64 clears bit 20
    expect([committed(w, 0), committed(w, 1)]).toEqual([0x530079n, 0x0300c0n]);
  });

  it('NO_EMUL64 clears the no_emul64_msk bits (the APIC interrupt enable, bit 20) of a NO64 PMC', () => {
    const { w, fd } = world();
    const u = vec(w, [{ reg_num: 0, reg_value: 0x530079n, reg_flags: PFM_REGFL_NO_EMUL64 }]);
    expect(w.g.pfm_write_pmcs(fd, u, 1)).toEqual(ok(0));
    expect(committed(w, 0)).toBe(0x430079n);
    // without the flag the same value keeps bit 20
    expect(w.g.pfm_write_pmcs(fd, vec(w, [{ reg_num: 0, reg_value: 0x530079n }]), 1)).toEqual(ok(0));
    expect(committed(w, 0)).toBe(0x530079n);
  });

  it('NO_EMUL64 on a PMC without NO64 (Core FIXED_CTR_CTRL) is EINVAL', () => {
    const { w, fd } = world(CORE);
    const u = vec(w, [
      { reg_num: 0, reg_value: 0x53003cn, reg_flags: PFM_REGFL_NO_EMUL64 },
      { reg_num: 16, reg_value: 0xbbbn, reg_flags: PFM_REGFL_NO_EMUL64 },
    ]);
    expect(w.g.pfm_write_pmcs(fd, u, 2)).toEqual(fail(EINVAL));
    expect(used(w, 0)).toBe(1);
    expect(used(w, 16)).toBe(0);
    expect(w.g.pfm_write_pmcs(fd, vec(w, [{ reg_num: 16, reg_value: 0xbbbn }]), 1)).toEqual(ok(0));
    expect(committed(w, 16)).toBe(0xbbbn);
  });

  it('a missing reg_set is EINVAL; each element reaches the set it names', () => {
    const { w, fd } = world();
    const sd = w.buf(w.s.abi.sizes.setdesc);
    encodePfargVector(
      'setdesc',
      w.p.mm.dataView(sd, w.s.abi.sizes.setdesc, true),
      0,
      [createPfargSetdesc({ set_id: 3 })],
      w.s.abi,
    );
    expect(w.g.pfm_create_evtsets(fd, sd, 1)).toEqual(ok(0));
    const u = vec(w, [
      { reg_num: 0, reg_set: 0, reg_value: 0x510001n },
      { reg_num: 0, reg_set: 3, reg_value: 0x510003n },
      { reg_num: 1, reg_set: 3, reg_value: 0x110013n },
      { reg_num: 1, reg_set: 0, reg_value: 0x110010n },
      { reg_num: 1, reg_set: 7, reg_value: 0x510077n },
    ]);
    expect(w.g.pfm_write_pmcs(fd, u, 5)).toEqual(fail(EINVAL));
    expect([committed(w, 0, 0), committed(w, 0, 3), committed(w, 1, 3), committed(w, 1, 0)]).toEqual([
      0x510001n,
      0x510003n,
      0x110013n,
      0x110010n,
    ]);
    expect(w.g.pfm_write_pmcs(fd, vec(w, [{ reg_num: 0, reg_set: 1 }]), 1)).toEqual(fail(EINVAL));
    expect(committed(w, 0, 0)).toBe(0x510001n);
  });

  it('reserved bits (v2.3: 1 = reserved) are forced to dfl_val in both halves, silently', () => {
    const { w, fd } = world(MONTECITO);
    const u = vec(w, [
      { reg_num: 33, reg_value: 0xffffffffffffffffn }, // rsvd 0xfffffe0000000000, dfl 0
      { reg_num: 256, reg_value: 0x0123456789abcdefn }, // IBR0: nothing reserved
      { reg_num: 35, reg_value: 0x5a5a5a5a5a5a5a5an }, // rsvd 0x1ffffffffff, dfl 0
    ]);
    expect(w.g.pfm_write_pmcs(fd, u, 3)).toEqual(ok(0));
    expect([committed(w, 33), committed(w, 256), committed(w, 35)]).toEqual([
      0x1ffffffffffn,
      0x0123456789abcdefn,
      0x5a5a5a5a5a5a5a5an & ~0x1ffffffffffn,
    ]);
  });
});

describe('model write checkers (perfmon2-abi.md §3.3)', () => {
  it('Core PEBS_ENABLE other than 0 is EINVAL (no PEBS format); 0, or only reserved bits, is accepted', () => {
    const { w, fd } = world(CORE);
    const u = vec(w, [
      { reg_num: 0, reg_value: 0x53003cn },
      { reg_num: 17, reg_value: 1n },
    ]);
    expect(w.g.pfm_write_pmcs(fd, u, 2)).toEqual(fail(EINVAL));
    expect(used(w, 0)).toBe(1);
    expect(used(w, 17)).toBe(0);
    expect(w.g.pfm_write_pmcs(fd, vec(w, [{ reg_num: 17, reg_value: 0n }]), 1)).toEqual(ok(0));
    expect(w.g.pfm_write_pmcs(fd, vec(w, [{ reg_num: 17, reg_value: 0xfffffffefffffffen }]), 1)).toEqual(
      ok(0),
    );
    expect(used(w, 17)).toBe(1);
    // other Core PMCs are not checked
    expect(w.g.pfm_write_pmcs(fd, vec(w, [{ reg_num: 1, reg_value: 1n }]), 1)).toEqual(ok(0));
  });

  it('AMD64: a Northbridge event (>= 0xEE) belongs to one context; another one gets EBUSY', () => {
    const w = testWorld({ machine: K8 });
    const a = w.ctx();
    const b = w.ctx();
    expect(w.g.pfm_write_pmcs(a, vec(w, [{ reg_num: 0, reg_value: 0x5300een }]), 1)).toEqual(ok(0));
    expect(w.g.pfm_write_pmcs(a, vec(w, [{ reg_num: 1, reg_value: 0x5300efn }]), 1)).toEqual(ok(0));
    expect(w.g.pfm_write_pmcs(b, vec(w, [{ reg_num: 0, reg_value: 0x530076n }]), 1)).toEqual(ok(0));
    expect(w.g.pfm_write_pmcs(b, vec(w, [{ reg_num: 1, reg_value: 0x5300ffn }]), 1)).toEqual(fail(EBUSY));
    expect(w.g.pfm_write_pmcs(b, vec(w, [{ reg_num: 2, reg_value: 0x5300edn }]), 1)).toEqual(ok(0));
  });

  it('other PMUs have no Northbridge: two contexts may both program event 0xEE', () => {
    const w = testWorld({ machine: P6 });
    const a = w.ctx();
    const b = w.ctx();
    expect(w.g.pfm_write_pmcs(a, vec(w, [{ reg_num: 0, reg_value: 0x5300een }]), 1)).toEqual(ok(0));
    expect(w.g.pfm_write_pmcs(b, vec(w, [{ reg_num: 0, reg_value: 0x5300een }]), 1)).toEqual(ok(0));
  });
});

describe('returned reg_flags (quirk Q1): the input in the 2006 kernels, RETFL bits with retflags=intent', () => {
  const good = { reg_num: 0, reg_value: 0x53003cn, reg_flags: 0xe0000004 };
  const cases: [string, typeof CORE, Partial<PfargPmc>, number][] = [
    ['unimplemented PMC', CORE, { reg_num: 2, reg_flags: 0x40000004 }, PFM_REG_RETFL_NOTAVAIL | 0x4],
    ['bad flags', CORE, { reg_num: 1, reg_flags: 0x20000001 }, PFM_REG_RETFL_EINVAL | 0x1],
    ['missing set', CORE, { reg_num: 1, reg_set: 5, reg_flags: 0x80000000 }, PFM_REG_RETFL_NOSET],
    ['NO_EMUL64 without NO64', CORE, { reg_num: 16, reg_flags: 0x20000004 }, PFM_REG_RETFL_EINVAL | 0x4],
    [
      'PEBS_ENABLE checker',
      CORE,
      { reg_num: 17, reg_value: 1n, reg_flags: 0xa0000000 },
      PFM_REG_RETFL_EINVAL,
    ],
    // the checks come in order: implemented, flags, set, NO_EMUL64
    ['unimplemented with bad flags', CORE, { reg_num: 2, reg_flags: 0x1 }, PFM_REG_RETFL_NOTAVAIL | 0x1],
    [
      'bad flags in a missing set',
      CORE,
      { reg_num: 1, reg_set: 5, reg_flags: 0x8 },
      PFM_REG_RETFL_EINVAL | 0x8,
    ],
    [
      'NO_EMUL64 without NO64 in a missing set',
      CORE,
      { reg_num: 16, reg_set: 5, reg_flags: 0x4 },
      PFM_REG_RETFL_NOSET | 0x4,
    ],
  ];

  for (const [what, machine, bad, intent] of cases) {
    it(`${what}: EINVAL and only the processed elements' reg_flags change`, () => {
      for (const mode of ['historical', 'intent'] as const) {
        const { w, fd } = world(machine, { retflags: mode });
        const u = vec(w, [good, bad, good]);
        const before = w.bytes(u, 3 * PMC);
        expect(w.g.pfm_write_pmcs(fd, u, 3)).toEqual(fail(EINVAL));
        if (mode === 'historical') expect(w.bytes(u, 3 * PMC)).toEqual(before);
        else
          expect(w.bytes(u, 3 * PMC)).toEqual(
            withRegFlags(before, PMC, [
              [0, 0x4],
              [1, intent >>> 0],
            ]),
          );
      }
    });
  }

  it('success: intent clears the stale RETFL bits and keeps the others', () => {
    for (const mode of ['historical', 'intent'] as const) {
      const { w, fd } = world(P6, { retflags: mode });
      const u = vec(w, [good, { reg_num: 1, reg_value: 0x5300c0n, reg_flags: 0x40000004 }]);
      const before = w.bytes(u, 2 * PMC);
      expect(w.g.pfm_write_pmcs(fd, u, 2)).toEqual(ok(0));
      expect(w.bytes(u, 2 * PMC)).toEqual(
        mode === 'historical'
          ? before
          : withRegFlags(before, PMC, [
              [0, 0x4],
              [1, 0x4],
            ]),
      );
    }
  });

  it('AMD64 Northbridge EBUSY is marked EINVAL in reg_flags', () => {
    const w = testWorld({ machine: K8, retflags: 'intent' });
    const a = w.ctx();
    const b = w.ctx();
    expect(w.g.pfm_write_pmcs(a, vec(w, [{ reg_num: 0, reg_value: 0x5300f0n }]), 1)).toEqual(ok(0));
    const u = vec(w, [{ reg_num: 1, reg_value: 0x5300f0n, reg_flags: 0x80000000 }]);
    expect(w.g.pfm_write_pmcs(b, u, 1)).toEqual(fail(EBUSY));
    expect(flagsOf(w, u, 0)).toBe(PFM_REG_RETFL_EINVAL);
  });
});
