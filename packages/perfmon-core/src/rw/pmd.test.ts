import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  PFM_CTX_MASKED,
  PFM_REG_RETFL_EINVAL,
  PFM_REG_RETFL_NOSET,
  PFM_REG_RETFL_NOTAVAIL,
  PFM_REGFL_OVFL_NOTIFY,
  PFM_REGFL_RANDOM,
} from '../abi/constants.js';
import { Errno, fail, ok } from '../abi/errno.js';
import { createPfargPmd, createPfargSetdesc, encodePfargVector, type PfargPmd } from '../abi/structs.js';
import { workloadFromEvents } from '../core/workload.js';
import { NEG, type TestWorld, testWorld, withRegFlags, writePmcs } from '../test-util.js';

const { EINVAL } = Errno;
const PMD = 176;
/** reg_random_seed and reg_reserved2[7]: the kernel neither reads nor writes them. */
const UNUSED_FROM = 144;
const loop = workloadFromEvents(getModel('intel-p6'), 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });

/** Intel P6 (i386): PERFEVTSEL0 counts cycles into pmd0, PERFEVTSEL1 instructions into pmd1. */
function p6(opts: Parameters<typeof testWorld>[0] = {}) {
  const w = testWorld(opts);
  const fd = w.ctx();
  const pmcs = w.pmcs([
    { reg_num: 0, reg_value: 0x530079n },
    { reg_num: 1, reg_value: 0x5300c0n },
  ]);
  expect(w.g.pfm_write_pmcs(fd, pmcs, 2)).toEqual(ok(0));
  return { w, fd };
}

/**
 * A pfarg_pmd vector in user memory with the fields the kernel ignores filled with 0xa5, so
 * that a stray store anywhere in the copied-back vector shows.
 */
function vec(w: TestWorld, elems: Partial<PfargPmd>[]): number {
  const u = w.buf(elems.length * PMD);
  const v = w.p.mm.dataView(u, elems.length * PMD, true);
  encodePfargVector(
    'pmd',
    v,
    0,
    elems.map((e) => createPfargPmd(e)),
    w.s.abi,
  );
  for (let i = 0; i < elems.length; i++)
    for (let b = UNUSED_FROM; b < PMD; b++) v.setUint8(i * PMD + b, 0xa5);
  return u;
}

function flagsOf(w: TestWorld, u: number, i: number): number {
  return w.p.mm.dataView(u + i * PMD, PMD, false).getUint32(4, true);
}

function read(w: TestWorld, fd: number, reg_num: number, reg_set = 0): PfargPmd {
  const r = w.pmds([{ reg_num, reg_set }]);
  expect(w.g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
  return w.readPmds(r, 1)[0]!;
}

function createSet(w: TestWorld, fd: number, set_id: number): void {
  const sd = w.buf(w.s.abi.sizes.setdesc);
  encodePfargVector(
    'setdesc',
    w.p.mm.dataView(sd, w.s.abi.sizes.setdesc, true),
    0,
    [createPfargSetdesc({ set_id })],
    w.s.abi,
  );
  expect(w.g.pfm_create_evtsets(fd, sd, 1)).toEqual(ok(0));
}

describe('pfm_write_pmds: per-element checks (perfmon2-abi.md §3.3, §9.3)', () => {
  it('an unimplemented PMD is EINVAL; the elements before it stay written (no rollback, Q3)', () => {
    const { w, fd } = p6();
    const u = vec(w, [{ reg_num: 1, reg_value: 0x1122334455667788n }, { reg_num: 2 }]);
    expect(w.g.pfm_write_pmds(fd, u, 2)).toEqual(fail(EINVAL));
    expect(read(w, fd, 1).reg_value).toBe(0x1122334455667788n);
    expect(w.g.pfm_write_pmds(fd, vec(w, [{ reg_num: 0x8000 }]), 1)).toEqual(fail(EINVAL));
  });

  it('flags outside PMD_ALL are EINVAL on a counter; OVFL_NOTIFY, RANDOM and stale RETFL bits are not', () => {
    const { w, fd } = p6();
    expect(w.g.pfm_write_pmds(fd, vec(w, [{ reg_num: 0, reg_flags: 0x4 }]), 1)).toEqual(fail(EINVAL));
    expect(w.g.pfm_write_pmds(fd, vec(w, [{ reg_num: 1, reg_flags: 0x100 }]), 1)).toEqual(fail(EINVAL));
    const u = vec(w, [
      { reg_num: 0, reg_flags: 0xe0000000 | PFM_REGFL_OVFL_NOTIFY | PFM_REGFL_RANDOM, reg_value: 9n },
      { reg_num: 1, reg_flags: PFM_REGFL_OVFL_NOTIFY, reg_value: 10n },
    ]);
    expect(w.g.pfm_write_pmds(fd, u, 2)).toEqual(ok(0));
    expect([read(w, fd, 0).reg_value, read(w, fd, 1).reg_value]).toEqual([9n, 10n]);
  });

  it('V17.9-V19 check the flags of counters only: a non-counter PMD (Itanium 2 pmd0) takes any flags', () => {
    const w = testWorld({ machine: { arch: 'ia64', cost: 'k8-2006', pmu: 'itanium2' } });
    const fd = w.ctx();
    const u = vec(w, [{ reg_num: 0, reg_flags: 0x1004, reg_value: 0xabcdef0123n }]);
    expect(w.g.pfm_write_pmds(fd, u, 1)).toEqual(ok(0));
    expect(read(w, fd, 0).reg_value).toBe(0xabcdef0123n);
    // its counters (pmd4-7) are checked
    expect(w.g.pfm_write_pmds(fd, vec(w, [{ reg_num: 4, reg_flags: 0x4 }]), 1)).toEqual(fail(EINVAL));
  });

  it('reg_reset_pmds and reg_smpl_pmds must name implemented PMDs only, in every word', () => {
    const { w, fd } = p6();
    const write = (e: Partial<PfargPmd>) => w.g.pfm_write_pmds(fd, vec(w, [{ reg_num: 0, ...e }]), 1);
    const bv = (word: number, bit: bigint) =>
      [0n, 0n, 0n, 0n, 0n].map((_, i) => (i === word ? 1n << bit : 0n));
    expect(
      write({ reg_reset_pmds: [0b11n, 0n, 0n, 0n, 0n], reg_smpl_pmds: [0b11n, 0n, 0n, 0n, 0n] }),
    ).toEqual(ok(0));
    expect(write({ reg_reset_pmds: [0b10n, 0n, 0n, 0n, 0n] })).toEqual(ok(0));
    expect(write({ reg_smpl_pmds: [0b1n, 0n, 0n, 0n, 0n] })).toEqual(ok(0));
    // the u64 after reg_smpl_pmds is reg_smpl_eventid, not a bitmap word
    expect(write({ reg_smpl_pmds: [0b1n, 0n, 0n, 0n, 0n], reg_smpl_eventid: NEG(1n) })).toEqual(ok(0));
    for (const [word, bit] of [
      [0, 2n],
      [0, 32n],
      [1, 0n],
      [2, 40n],
      [3, 7n],
      [4, 63n],
    ] as const) {
      expect(write({ reg_reset_pmds: bv(word, bit) }), `reset pmd ${word * 64 + Number(bit)}`).toEqual(
        fail(EINVAL),
      );
      expect(write({ reg_smpl_pmds: bv(word, bit) }), `smpl pmd ${word * 64 + Number(bit)}`).toEqual(
        fail(EINVAL),
      );
    }
  });

  it('Montecito: bitmaps reach PMDs 32-63 (the second u32 of each u64 word)', () => {
    const w = testWorld({ machine: { arch: 'ia64', cost: 'k8-2006', pmu: 'montecito' } });
    const fd = w.ctx();
    const write = (reset: bigint, smpl = 0n) =>
      w.g.pfm_write_pmds(
        fd,
        vec(w, [
          { reg_num: 4, reg_reset_pmds: [reset, 0n, 0n, 0n, 0n], reg_smpl_pmds: [smpl, 0n, 0n, 0n, 0n] },
        ]),
        1,
      );
    expect(write((1n << 33n) | (1n << 63n) | (1n << 4n), 1n << 48n)).toEqual(ok(0));
    expect(write(1n << 37n)).toEqual(fail(EINVAL)); // no pmd37
    expect(write(0n, 1n << 40n)).toEqual(fail(EINVAL));
  });

  it('a reg_set that does not exist is EINVAL; each element reaches the set it names', () => {
    const { w, fd } = p6();
    createSet(w, fd, 3);
    const u = vec(w, [
      { reg_num: 0, reg_set: 0, reg_value: 100n },
      { reg_num: 0, reg_set: 3, reg_value: 300n },
      { reg_num: 1, reg_set: 3, reg_value: 301n },
      { reg_num: 1, reg_set: 0, reg_value: 101n },
      { reg_num: 1, reg_set: 2 },
    ]);
    expect(w.g.pfm_write_pmds(fd, u, 5)).toEqual(fail(EINVAL));
    expect(
      [read(w, fd, 0, 0), read(w, fd, 0, 3), read(w, fd, 1, 3), read(w, fd, 1, 0)].map((d) => d.reg_value),
    ).toEqual([100n, 300n, 301n, 101n]);
  });

  it('the set is looked up again in every call (a set of another context is never used)', () => {
    const a = p6();
    const b = p6();
    expect(a.w.g.pfm_write_pmds(a.fd, vec(a.w, [{ reg_num: 0, reg_value: 1n }]), 1)).toEqual(ok(0));
    expect(b.w.g.pfm_write_pmds(b.fd, vec(b.w, [{ reg_num: 0, reg_set: 1, reg_value: 2n }]), 1)).toEqual(
      fail(EINVAL),
    );
    expect(a.w.g.pfm_read_pmds(a.fd, vec(a.w, [{ reg_num: 0 }]), 1)).toEqual(ok(0));
    expect(b.w.g.pfm_read_pmds(b.fd, vec(b.w, [{ reg_num: 0, reg_set: 1 }]), 1)).toEqual(fail(EINVAL));
    expect(read(a.w, a.fd, 0).reg_value).toBe(1n);
  });

  it('writes to a read-only PMD are ignored (POWER5 TB): it stays unused, the next element is written', () => {
    const w = testWorld({ machine: { arch: 'ppc64', cost: 'k8-2006', pmu: 'power5' } });
    const fd = w.ctx();
    const u = vec(w, [
      { reg_num: 0, reg_value: 12345n, reg_flags: 0x4 },
      { reg_num: 1, reg_value: 777n },
    ]);
    expect(w.g.pfm_write_pmds(fd, u, 2)).toEqual(ok(0));
    expect(w.g.pfm_read_pmds(fd, vec(w, [{ reg_num: 0 }]), 1)).toEqual(fail(EINVAL));
    expect(read(w, fd, 1).reg_value).toBe(777n);
  });
});

describe('reset values, reset bitmaps and the switch count take effect', () => {
  it('short reset on an overflow without OVFL_NOTIFY, and the PMDs of reg_reset_pmds with it', () => {
    const { w, fd } = p6();
    const S0 = 0x0a0b0c0d00000011n;
    const S1 = 0x0102030400000000n;
    const u = vec(w, [
      { reg_num: 0, reg_value: 0n, reg_short_reset: S0, reg_long_reset: 7n },
      {
        reg_num: 1,
        reg_value: NEG(80_000n),
        reg_short_reset: S1,
        reg_long_reset: 9n,
        reg_reset_pmds: [0b01n, 0n, 0n, 0n, 0n],
      },
    ]);
    expect(w.g.pfm_write_pmds(fd, u, 2)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 150_000); // pmd1 overflows after 100,000 cycles (80,000 instructions)
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    const r = vec(w, [{ reg_num: 0 }, { reg_num: 1 }]);
    expect(w.g.pfm_read_pmds(fd, r, 2)).toEqual(ok(0));
    const [d0, d1] = w.readPmds(r, 2);
    expect([d0!.reg_value, d0!.reg_last_reset_val]).toEqual([S0 + 50_000n, S0]);
    expect([d1!.reg_value, d1!.reg_last_reset_val]).toEqual([S1 + 40_000n, S1]);
  });

  it('a PMD not in the reset bitmap of the overflowing one keeps counting (reg_smpl_pmds resets nothing)', () => {
    const { w, fd } = p6();
    const u = vec(w, [
      { reg_num: 1, reg_value: NEG(80_000n), reg_short_reset: 5n },
      { reg_num: 0, reg_value: 0n, reg_short_reset: 3n, reg_smpl_pmds: [0b11n, 0n, 0n, 0n, 0n] },
    ]);
    expect(w.g.pfm_write_pmds(fd, u, 2)).toEqual(ok(0));
    w.load(fd, w.t.tid);
    w.g.pfm_start(fd);
    w.s.runSync(w.t, loop, 150_000);
    w.g.pfm_stop(fd);
    expect(read(w, fd, 0).reg_value).toBe(150_000n);
    expect(read(w, fd, 1).reg_value).toBe(5n + 40_000n);
  });

  it('long reset at pfm_restart after a notified overflow, all 64 bits of it', () => {
    const { w, fd } = p6();
    const L = 0x0102030405060708n;
    const u = vec(w, [
      {
        reg_num: 0,
        reg_value: NEG(100_000n),
        reg_long_reset: L,
        reg_short_reset: 0x0a0b0c0d0e0f1011n,
        reg_flags: PFM_REGFL_OVFL_NOTIFY,
      },
    ]);
    expect(w.g.pfm_write_pmds(fd, u, 1)).toEqual(ok(0));
    w.load(fd, w.t.tid);
    w.g.pfm_start(fd);
    w.s.runSync(w.t, loop, 250_000);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 30_000);
    const d = read(w, fd, 0);
    expect([d.reg_value, d.reg_last_reset_val]).toEqual([L + 30_000n, L]);
  });

  it('Montecito: an overflow resets a PMD named in the upper half of reg_reset_pmds[0] (pmd33)', () => {
    const model = getModel('montecito');
    const w = testWorld({ machine: { arch: 'ia64', cost: 'k8-2006', pmu: model } });
    const fd = w.ctx();
    // PMC4: CPU_OP_CYCLES_ALL (0x12), user and kernel
    writePmcs(w, fd, [{ reg_num: 4, reg_value: 0x1209n }]);
    const u = vec(w, [
      { reg_num: 33, reg_value: 0x77n, reg_short_reset: 0x1234n },
      { reg_num: 32, reg_value: 0x66n, reg_short_reset: 0x4321n },
      {
        reg_num: 4,
        reg_value: NEG(1000n),
        reg_short_reset: NEG(1000n),
        reg_reset_pmds: [1n << 33n, 0n, 0n, 0n, 0n],
      },
    ]);
    expect(w.g.pfm_write_pmds(fd, u, 3)).toEqual(ok(0));
    w.load(fd, w.t.tid);
    w.g.pfm_start(fd);
    w.s.runSync(w.t, workloadFromEvents(model, 'cyc', { CPU_OP_CYCLES_ALL: 1 }), 1500);
    w.g.pfm_stop(fd);
    expect(read(w, fd, 4).reg_value).toBe(NEG(1000n) + 500n);
    expect(read(w, fd, 33).reg_value).toBe(0x1234n);
    expect(read(w, fd, 32).reg_value).toBe(0x66n);
  });

  it('reg_ovfl_switch_cnt is stored and read back as a u64 (upper half zero)', () => {
    const { w, fd } = p6();
    const u = vec(w, [{ reg_num: 1, reg_ovfl_switch_cnt: 0x01020304n }]);
    expect(w.g.pfm_write_pmds(fd, u, 1)).toEqual(ok(0));
    const r = vec(w, [{ reg_num: 1, reg_ovfl_switch_cnt: 0xdeadbeefcafef00dn }]);
    expect(w.g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
    expect(w.readPmds(r, 1)[0]!.reg_ovfl_switch_cnt).toBe(0x01020304n);
  });
});

describe('pfm_read_pmds: per-element checks and the vector copied back byte for byte', () => {
  it('EINVAL for an unimplemented PMD, a missing set or an unused PMD; earlier elements are filled', () => {
    const { w, fd } = p6();
    expect(w.g.pfm_write_pmds(fd, vec(w, [{ reg_num: 0, reg_value: 0x8877665544332211n }]), 1)).toEqual(
      ok(0),
    );
    for (const bad of [{ reg_num: 2 }, { reg_num: 0, reg_set: 1 }, { reg_num: 1 }]) {
      const r = vec(w, [{ reg_num: 0 }, bad]);
      expect(w.g.pfm_read_pmds(fd, r, 2)).toEqual(fail(EINVAL));
      expect(w.readPmds(r, 1)[0]!.reg_value).toBe(0x8877665544332211n);
    }
  });

  it('only reg_value, reg_last_reset_val and reg_ovfl_switch_cnt change', () => {
    const { w, fd } = p6();
    const u = vec(w, [
      { reg_num: 0, reg_value: 0x0102030405060708n, reg_ovfl_switch_cnt: 0x11223344n },
      { reg_num: 1, reg_value: 0xf1f2f3f4f5f6f7f8n, reg_ovfl_switch_cnt: 0x55667788n },
    ]);
    expect(w.g.pfm_write_pmds(fd, u, 2)).toEqual(ok(0));
    const r = w.buf(2 * PMD);
    const v = w.p.mm.dataView(r, 2 * PMD, true);
    for (let b = 0; b < 2 * PMD; b++) v.setUint8(b, 0xa5);
    v.setUint32(0, 0, true); // pmd0, set 0
    v.setUint32(PMD, 1, true); // pmd1, set 0
    const before = w.bytes(r, 2 * PMD);
    expect(w.g.pfm_read_pmds(fd, r, 2)).toEqual(ok(0));
    const expected = before.slice();
    const e = new DataView(expected.buffer);
    for (const [i, value, sw] of [
      [0, 0x0102030405060708n, 0x11223344n],
      [1, 0xf1f2f3f4f5f6f7f8n, 0x55667788n],
    ] as const) {
      e.setBigUint64(i * PMD + 8, value, true);
      e.setBigUint64(i * PMD + 32, value, true);
      e.setBigUint64(i * PMD + 40, sw, true);
    }
    expect(w.bytes(r, 2 * PMD)).toEqual(expected);
  });
});

describe('returned reg_flags (quirk Q1): the input in the 2006 kernels, RETFL bits with retflags=intent', () => {
  const good = { reg_num: 0, reg_flags: 0xe0000001 };
  const writeCases: [string, Partial<PfargPmd>, number][] = [
    ['unimplemented PMD', { reg_num: 2, reg_flags: 0x40000001 }, 0x80000001],
    ['bad flags', { reg_num: 1, reg_flags: 0x20000004 }, 0x40000004],
    [
      'bad reset bitmap',
      { reg_num: 1, reg_flags: 0x80000002, reg_reset_pmds: [4n, 0n, 0n, 0n, 0n] },
      0x40000002,
    ],
    ['missing set', { reg_num: 1, reg_set: 9, reg_flags: 0x40000001 }, 0x20000001],
  ];

  for (const [what, bad, intent] of writeCases) {
    it(`pfm_write_pmds, ${what}: EINVAL and only the elements' reg_flags change`, () => {
      for (const mode of ['historical', 'intent'] as const) {
        const { w, fd } = p6({ retflags: mode });
        const u = vec(w, [good, bad, good]);
        const before = w.bytes(u, 3 * PMD);
        expect(w.g.pfm_write_pmds(fd, u, 3)).toEqual(fail(EINVAL));
        const after = w.bytes(u, 3 * PMD);
        if (mode === 'historical') expect(after).toEqual(before);
        else
          expect(after).toEqual(
            withRegFlags(before, PMD, [
              [0, 0x1],
              [1, intent],
            ]),
          );
      }
    });
  }

  it('pfm_write_pmds success: intent clears stale RETFL bits and keeps the rest', () => {
    for (const mode of ['historical', 'intent'] as const) {
      const { w, fd } = p6({ retflags: mode });
      const u = vec(w, [good, { reg_num: 1, reg_flags: 0x40000003 }]);
      const before = w.bytes(u, 2 * PMD);
      expect(w.g.pfm_write_pmds(fd, u, 2)).toEqual(ok(0));
      expect(w.bytes(u, 2 * PMD)).toEqual(
        mode === 'historical'
          ? before
          : withRegFlags(before, PMD, [
              [0, 0x1],
              [1, 0x3],
            ]),
      );
    }
  });

  it('pfm_read_pmds: NOTAVAIL, NOSET, EINVAL per failing element, 0 for a read one', () => {
    const cases: [Partial<PfargPmd>, number][] = [
      [{ reg_num: 5, reg_flags: 0x40000001 }, PFM_REG_RETFL_NOTAVAIL | 1],
      [{ reg_num: 1, reg_set: 4, reg_flags: 0x80000002 }, PFM_REG_RETFL_NOSET | 2],
      [{ reg_num: 1, reg_flags: 0xa0000003 }, PFM_REG_RETFL_EINVAL | 3],
    ];
    for (const [bad, retfl] of cases) {
      for (const mode of ['historical', 'intent'] as const) {
        const { w, fd } = p6({ retflags: mode });
        expect(w.g.pfm_write_pmds(fd, vec(w, [{ reg_num: 0 }]), 1)).toEqual(ok(0));
        const u = vec(w, [good, bad]);
        expect(w.g.pfm_read_pmds(fd, u, 2)).toEqual(fail(EINVAL));
        expect([flagsOf(w, u, 0), flagsOf(w, u, 1)]).toEqual(
          mode === 'historical' ? [0xe0000001, bad.reg_flags] : [0x1, retfl >>> 0],
        );
      }
    }
  });
});
