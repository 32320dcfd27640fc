import { describe, expect, it } from 'vitest';
import { PFM_REGFL_OVFL_NOTIFY, PFM_REGFL_RANDOM, PFM_RW_PMD } from '../abi/constants.js';
import { Errno, fail, ok } from '../abi/errno.js';
import { createPfargPmr, encodePmr, type PfargPmr } from '../abi/structs.js';
import { type TestWorld, testWorld } from '../test-util.js';

const { EINVAL } = Errno;
const PMR = 16;

/** A perfmon3 system (16-byte pfarg_pmr) and its context's fd. */
function v3(machine = { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' }) {
  const w = testWorld({ abi: 'v3', machine });
  const r = w.g.pfm_create(0);
  if (!r.ok) throw new Error(`pfm_create: errno ${r.errno}`);
  return { w, fd: r.value };
}
const POWER5 = { arch: 'ppc64', cost: 'k8-2006', pmu: 'power5' };
const ITANIUM2 = { arch: 'ia64', cost: 'k8-2006', pmu: 'itanium2' };

function vec(w: TestWorld, elems: Partial<PfargPmr>[]): number {
  const u = w.buf(elems.length * PMR);
  const v = w.p.mm.dataView(u, elems.length * PMR, true);
  elems.forEach((e, i) => {
    encodePmr(v, i * PMR, createPfargPmr(e));
  });
  return u;
}

const write = (w: TestWorld, fd: number, elems: Partial<PfargPmr>[]) =>
  w.g.pfm_write(fd, 0, PFM_RW_PMD, vec(w, elems), elems.length * PMR);

function readValues(w: TestWorld, fd: number, nums: number[]): bigint[] {
  const u = vec(
    w,
    nums.map((reg_num) => ({ reg_num })),
  );
  expect(w.g.pfm_read(fd, 0, PFM_RW_PMD, u, nums.length * PMR)).toEqual(ok(0));
  const v = w.p.mm.dataView(u, nums.length * PMR, false);
  return nums.map((_, i) => v.getBigUint64(i * PMR + 8, true));
}

describe('perfmon3 PMD writes over pfarg_pmr (perfmon2-abi.md §15, §9.3)', () => {
  it('an unimplemented PMD is EINVAL; the elements before it stay written', () => {
    const { w, fd } = v3();
    expect(write(w, fd, [{ reg_num: 1, reg_value: 0x1122334455667788n }, { reg_num: 2 }])).toEqual(
      fail(EINVAL),
    );
    expect(readValues(w, fd, [1])).toEqual([0x1122334455667788n]);
    expect(write(w, fd, [{ reg_num: 0x4000 }])).toEqual(fail(EINVAL));
  });

  it('counters take OVFL_NOTIFY, RANDOM and stale RETFL bits; any other flag is EINVAL', () => {
    const { w, fd } = v3();
    expect(write(w, fd, [{ reg_num: 0, reg_flags: 0x4 }])).toEqual(fail(EINVAL));
    expect(write(w, fd, [{ reg_num: 1, reg_flags: 0x10000 }])).toEqual(fail(EINVAL));
    expect(
      write(w, fd, [
        { reg_num: 0, reg_flags: PFM_REGFL_OVFL_NOTIFY, reg_value: 3n },
        { reg_num: 1, reg_flags: 0xe0000000 | PFM_REGFL_RANDOM | PFM_REGFL_OVFL_NOTIFY, reg_value: 4n },
      ]),
    ).toEqual(ok(0));
    expect(readValues(w, fd, [0, 1])).toEqual([3n, 4n]);
  });

  it('a non-counter PMD (Itanium 2 pmd0) takes any flags', () => {
    const { w, fd } = v3(ITANIUM2);
    expect(write(w, fd, [{ reg_num: 0, reg_flags: 0x1004, reg_value: 0xfedcba9876543210n }])).toEqual(ok(0));
    expect(readValues(w, fd, [0])).toEqual([0xfedcba9876543210n]);
    expect(write(w, fd, [{ reg_num: 5, reg_flags: 0x1004 }])).toEqual(fail(EINVAL));
  });

  it('writes to a read-only PMD (POWER5 TB) are ignored: it stays unused, the next element is written', () => {
    const { w, fd } = v3(POWER5);
    expect(
      write(w, fd, [
        { reg_num: 0, reg_value: 99n },
        { reg_num: 2, reg_value: 0x8000000000000001n },
      ]),
    ).toEqual(ok(0));
    expect(w.g.pfm_read(fd, 0, PFM_RW_PMD, vec(w, [{ reg_num: 0 }]), PMR)).toEqual(fail(EINVAL));
    expect(readValues(w, fd, [2])).toEqual([0x8000000000000001n]);
  });
});

describe('perfmon3 PMD reads', () => {
  it('fill reg_value of every element with all 64 bits and leave the rest of each element as it was', () => {
    const { w, fd } = v3();
    expect(
      write(w, fd, [
        { reg_num: 0, reg_value: 0x0102030405060708n },
        { reg_num: 1, reg_value: 0xf1f2f3f4f5f6f7f8n },
      ]),
    ).toEqual(ok(0));
    const u = vec(w, [
      { reg_num: 1, reg_flags: 0xa5a5a5a5, reg_value: 0xdeadbeefdeadbeefn },
      { reg_num: 0, reg_flags: 0x5a5a5a5a, reg_value: 0xdeadbeefdeadbeefn },
      { reg_num: 1, reg_flags: 0x1, reg_value: 0n },
    ]);
    const expected = w.bytes(u, 3 * PMR);
    const e = new DataView(expected.buffer);
    e.setBigUint64(8, 0xf1f2f3f4f5f6f7f8n, true);
    e.setBigUint64(PMR + 8, 0x0102030405060708n, true);
    e.setBigUint64(2 * PMR + 8, 0xf1f2f3f4f5f6f7f8n, true);
    expect(w.g.pfm_read(fd, 0, PFM_RW_PMD, u, 3 * PMR)).toEqual(ok(0));
    expect(w.bytes(u, 3 * PMR)).toEqual(expected);
  });

  it('EINVAL for an unimplemented or an unused PMD; the elements before it are filled', () => {
    const { w, fd } = v3();
    expect(write(w, fd, [{ reg_num: 0, reg_value: 42n }])).toEqual(ok(0));
    for (const bad of [2, 1]) {
      const u = vec(w, [{ reg_num: 0 }, { reg_num: bad, reg_value: 7n }]);
      expect(w.g.pfm_read(fd, 0, PFM_RW_PMD, u, 2 * PMR)).toEqual(fail(EINVAL));
      const v = w.p.mm.dataView(u, 2 * PMR, false);
      expect([v.getBigUint64(8, true), v.getBigUint64(PMR + 8, true)]).toEqual([42n, 7n]);
    }
  });
});
