import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  PFM_SETFL_EXCL_IDLE,
  PFM_SETFL_EXPL_NEXT,
  PFM_SETFL_OVFL_SWITCH,
  PFM_SETFL_TIME_SWITCH,
} from '../abi/constants.js';
import { Errno, fail, ok } from '../abi/errno.js';
import { workloadFromEvents } from '../core/workload.js';
import { NEG, type TestWorld, testWorld, writePmcs } from '../test-util.js';

/**
 * pfm_create_evtsets / pfm_delete_evtsets / pfm_getinfo_evtsets, byte for byte against the
 * layouts of perfmon2-abi.md §5 (pfarg_setdesc 64 B, pfarg_setinfo 192 B) and the rules of §11.
 * The vectors are read back raw: the whole vector is copied back (§4.2), so a field the kernel
 * does not write comes back as the caller passed it.
 */

const { EINVAL, EBUSY } = Errno;
const DESC = 64;
const INFO = 192;
/** pfarg_setinfo offsets (§5). */
const SI = {
  id: 0,
  next: 2,
  flags: 4,
  ovfl: 8,
  runs: 48,
  timeout: 56,
  act: 64,
  mmap: 72,
  pmcs: 80,
  pmds: 120,
  rsvd: 160,
};
/** A byte the caller leaves in every field it does not set: it shows which fields the kernel wrote. */
const JUNK = 0xa5;
const JUNK32 = 0xa5a5a5a5;

const p6 = getModel('intel-p6');
const loop = workloadFromEvents(p6, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });

interface Desc {
  id: number;
  next?: number;
  flags?: number;
  /** set_timeout: µs (u32) in v2.2, ns (u64) in v2.3. */
  timeout?: bigint;
  /** v2.2 only: the u32 after set_timeout. */
  reserved1?: number;
}

/** pfarg_setdesc vector in user memory, `stride` bytes apart, zero elsewhere. */
function setdescs(w: TestWorld, descs: Desc[], stride = DESC, bytes = descs.length * stride): number {
  const u = w.buf(bytes);
  const v = w.p.mm.dataView(u, bytes, true);
  descs.forEach((d, i) => {
    const o = i * stride;
    v.setUint16(o, d.id, true);
    v.setUint16(o + 2, d.next ?? 0, true);
    v.setUint32(o + 4, d.flags ?? 0, true);
    if (w.s.abi.timeoutUnit === 'us') {
      v.setUint32(o + 8, Number(d.timeout ?? 0n), true);
      v.setUint32(o + 12, d.reserved1 ?? 0, true);
    } else {
      v.setBigUint64(o + 8, d.timeout ?? 0n, true);
    }
  });
  return u;
}

function view(w: TestWorld, u: number, bytes: number): DataView {
  return w.p.mm.dataView(u, bytes, false);
}

/** pfarg_setinfo vector naming `ids`, every other byte JUNK. */
function setinfos(w: TestWorld, ids: number[]): number {
  const u = w.buf(ids.length * INFO);
  const v = w.p.mm.dataView(u, ids.length * INFO, true);
  for (let b = 0; b < ids.length * INFO; b++) v.setUint8(b, JUNK);
  ids.forEach((id, i) => {
    v.setUint16(i * INFO + SI.id, id, true);
  });
  return u;
}

/** getinfo of one set: the raw 192 bytes back. */
function getinfo(w: TestWorld, fd: number, id: number): DataView {
  const u = setinfos(w, [id]);
  expect(w.g.pfm_getinfo_evtsets(fd, u, 1)).toEqual(ok(0));
  return view(w, u, INFO);
}

const u64 = (v: DataView, off: number) => v.getBigUint64(off, true);
const words = (v: DataView, off: number, n: number) =>
  Array.from({ length: n }, (_, i) => v.getUint32(off + i * 4, true));

function create(w: TestWorld, fd: number, descs: Desc[]) {
  return w.g.pfm_create_evtsets(fd, setdescs(w, descs), descs.length);
}

function exists(w: TestWorld, fd: number, id: number): boolean {
  const r = w.g.pfm_getinfo_evtsets(fd, setinfos(w, [id]), 1);
  if (r.ok) return true;
  expect(r).toEqual(fail(EINVAL));
  return false;
}

describe('pfm_create_evtsets', () => {
  it('creates a set with its flags and set_id_next, and modifies it when created again', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(exists(w, fd, 5)).toBe(false);
    expect(create(w, fd, [{ id: 5, next: 7, flags: PFM_SETFL_EXPL_NEXT | PFM_SETFL_EXCL_IDLE }])).toEqual(
      ok(0),
    );
    let i = getinfo(w, fd, 5);
    expect(i.getUint16(SI.next, true)).toBe(7);
    expect(i.getUint32(SI.flags, true)).toBe(PFM_SETFL_EXPL_NEXT | PFM_SETFL_EXCL_IDLE);
    expect(create(w, fd, [{ id: 5, next: 0, flags: PFM_SETFL_OVFL_SWITCH }])).toEqual(ok(0));
    i = getinfo(w, fd, 5);
    expect(i.getUint16(SI.next, true)).toBe(0);
    expect(i.getUint32(SI.flags, true)).toBe(PFM_SETFL_OVFL_SWITCH);
  });

  it('processes every element of the vector, in order', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(create(w, fd, [{ id: 1 }, { id: 2, next: 1 }, { id: 3 }])).toEqual(ok(0));
    expect([1, 2, 3, 4].map((id) => exists(w, fd, id))).toEqual([true, true, true, false]);
    expect(getinfo(w, fd, 2).getUint16(SI.next, true)).toBe(1);
  });

  it('touches nothing beyond count elements', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(create(w, fd, [{ id: 0, next: 3, flags: PFM_SETFL_EXPL_NEXT }])).toEqual(ok(0));
    // the element after the vector would redefine set 0 (all zero) if it were read
    const u = setdescs(w, [{ id: 1 }, { id: 0 }]);
    expect(w.g.pfm_create_evtsets(fd, u, 1)).toEqual(ok(0));
    const i = getinfo(w, fd, 0);
    expect(i.getUint32(SI.flags, true)).toBe(PFM_SETFL_EXPL_NEXT);
    expect(i.getUint16(SI.next, true)).toBe(3);
  });

  it('EINVAL for a flag outside OVFL_SWITCH|TIME_SWITCH|EXPL_NEXT|EXCL_IDLE', () => {
    const w = testWorld();
    const fd = w.ctx();
    for (const bad of [0x10, 0x100, 0x80000000]) {
      expect(create(w, fd, [{ id: 1, flags: bad | PFM_SETFL_EXPL_NEXT }])).toEqual(fail(EINVAL));
    }
    expect(exists(w, fd, 1)).toBe(false);
    expect(create(w, fd, [{ id: 1, flags: 0x0f & ~PFM_SETFL_TIME_SWITCH }])).toEqual(ok(0));
  });

  it('EINVAL for OVFL_SWITCH together with TIME_SWITCH', () => {
    const w = testWorld();
    const fd = w.ctx();
    const both = PFM_SETFL_OVFL_SWITCH | PFM_SETFL_TIME_SWITCH;
    expect(create(w, fd, [{ id: 1, flags: both, timeout: 4_000_000n }])).toEqual(fail(EINVAL));
    expect(exists(w, fd, 1)).toBe(false);
  });

  it('EINVAL for a TIME_SWITCH timeout of zero ticks', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(create(w, fd, [{ id: 1, flags: PFM_SETFL_TIME_SWITCH, timeout: 0n }])).toEqual(fail(EINVAL));
    expect(exists(w, fd, 1)).toBe(false);
    // a timeout without TIME_SWITCH is ignored
    expect(create(w, fd, [{ id: 1, timeout: 0n }])).toEqual(ok(0));
  });

  it('stops at the first bad element; the ones before it stay created (no rollback)', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(create(w, fd, [{ id: 1 }, { id: 2, flags: 0x40 }, { id: 3 }])).toEqual(fail(EINVAL));
    expect([1, 2, 3].map((id) => exists(w, fd, id))).toEqual([true, false, false]);
  });

  it('EBUSY once the context is loaded', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(create(w, fd, [{ id: 1 }])).toEqual(fail(EBUSY));
  });

  it('v2.3: rounds a u64 ns timeout up to timer ticks and writes the effective timeout back', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.s.abi.timeoutUnit).toBe('ns');
    const tickNs = w.s.k.cyclesToNs(w.s.k.irq.tickCycles);
    expect(tickNs).toBe(4_000_000); // HZ = 250
    // 2^32 - 1000 ns is 1073.74 ticks: 1074 ticks, 4,296,000,000 ns, past 32 bits
    const u = setdescs(w, [
      { id: 1, flags: PFM_SETFL_TIME_SWITCH, timeout: 2n ** 32n - 1000n },
      { id: 2, flags: PFM_SETFL_TIME_SWITCH | PFM_SETFL_EXCL_IDLE, timeout: 5_000_000_000n },
      { id: 3, flags: PFM_SETFL_TIME_SWITCH, timeout: 1n },
    ]);
    expect(w.g.pfm_create_evtsets(fd, u, 3)).toEqual(ok(0));
    const v = view(w, u, 3 * DESC);
    expect(v.getUint32(8, true)).toBe(4_296_000_000 - 2 ** 32);
    expect(v.getUint32(12, true)).toBe(1);
    expect(v.getUint32(4, true)).toBe(PFM_SETFL_TIME_SWITCH);
    expect(v.getUint16(0, true)).toBe(1);
    expect(u64(v, DESC + 8)).toBe(5_000_000_000n); // a whole number of ticks stays as it is
    expect(v.getUint32(DESC + 4, true)).toBe(PFM_SETFL_TIME_SWITCH | PFM_SETFL_EXCL_IDLE);
    expect(u64(v, 2 * DESC + 8)).toBe(4_000_000n); // 1 ns: one tick
    // getinfo: the whole timeout is left before the context runs, in ns
    expect(u64(getinfo(w, fd, 1), SI.timeout)).toBe(4_296_000_000n);
    expect(u64(getinfo(w, fd, 2), SI.timeout)).toBe(5_000_000_000n);
    expect(u64(getinfo(w, fd, 3), SI.timeout)).toBe(4_000_000n);
  });

  it('v2.2: the timeout is a u32 of µs; set_reserved1 is neither read nor written', () => {
    const w = testWorld({ abi: 'v2.2' });
    const fd = w.ctx();
    expect(w.s.abi.timeoutUnit).toBe('us');
    // 10 ms is 2.5 ticks of 4 ms: 3 ticks, 12,000 µs effective
    const u = setdescs(w, [
      { id: 1, flags: PFM_SETFL_TIME_SWITCH, timeout: 10_000n, reserved1: 0xdeadbeef },
      { id: 2, flags: PFM_SETFL_TIME_SWITCH, timeout: 3_000n, reserved1: 0 },
    ]);
    expect(w.g.pfm_create_evtsets(fd, u, 2)).toEqual(ok(0));
    const v = view(w, u, 2 * DESC);
    expect(v.getUint32(8, true)).toBe(12_000);
    expect(v.getUint32(12, true)).toBe(0xdeadbeef);
    expect(v.getUint32(DESC + 8, true)).toBe(4_000);
    expect(v.getUint32(DESC + 12, true)).toBe(0);
    // getinfo: u32 µs at 56; the u32 after it is the caller's
    const i = getinfo(w, fd, 1);
    expect(i.getUint32(SI.timeout, true)).toBe(12_000);
    expect(i.getUint32(SI.timeout + 4, true)).toBe(JUNK32);
    expect(getinfo(w, fd, 2).getUint32(SI.timeout, true)).toBe(4_000);
  });

  it('v2.2: the timeout switches sets after the rounded number of ticks', () => {
    const w = testWorld({ abi: 'v2.2' });
    const fd = w.ctx();
    const tick = w.s.k.irq.tickCycles;
    expect(
      create(w, fd, [
        { id: 0, flags: PFM_SETFL_TIME_SWITCH, timeout: 10_000n }, // 3 ticks
        { id: 1, flags: PFM_SETFL_TIME_SWITCH, timeout: 10_000n },
      ]),
    ).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 4.5 * tick); // set 0 for 3 ticks, then set 1 for 1.5
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    expect(w.s.contexts[0]!.active.id).toBe(1);
    // time left in set 1: 1.5 of its 3 ticks, 6000 µs
    expect(getinfo(w, fd, 1).getUint32(SI.timeout, true)).toBe(6_000);
    expect(getinfo(w, fd, 0).getUint32(SI.timeout, true)).toBe(0);
  });
});

describe('pfm_delete_evtsets', () => {
  function threeSets() {
    const w = testWorld();
    const fd = w.ctx();
    expect(create(w, fd, [{ id: 1 }, { id: 2 }, { id: 3 }])).toEqual(ok(0));
    return { w, fd };
  }
  /** A delete vector: the kernel copies 192 B per element (Q10) and walks 64-B pfarg_setdesc. */
  const dels = (w: TestWorld, ids: number[]) =>
    setdescs(
      w,
      ids.map((id) => ({ id })),
      DESC,
      ids.length * INFO,
    );

  it('deletes the named set; the others stay', () => {
    const { w, fd } = threeSets();
    expect(w.g.pfm_delete_evtsets(fd, dels(w, [2]), 1)).toEqual(ok(0));
    expect([0, 1, 2, 3].map((id) => exists(w, fd, id))).toEqual([true, true, false, true]);
  });

  it('walks the vector with the 64-byte pfarg_setdesc stride (Q10)', () => {
    const { w, fd } = threeSets();
    expect(w.g.pfm_delete_evtsets(fd, dels(w, [3, 1]), 2)).toEqual(ok(0));
    expect([0, 1, 2, 3].map((id) => exists(w, fd, id))).toEqual([true, false, true, false]);
  });

  it('set 0 cannot be deleted: EINVAL', () => {
    const { w, fd } = threeSets();
    expect(w.g.pfm_delete_evtsets(fd, dels(w, [0]), 1)).toEqual(fail(EINVAL));
    expect([0, 1, 2, 3].map((id) => exists(w, fd, id))).toEqual([true, true, true, true]);
  });

  it('a missing set is EINVAL; the elements before it stay deleted', () => {
    const { w, fd } = threeSets();
    expect(w.g.pfm_delete_evtsets(fd, dels(w, [9]), 1)).toEqual(fail(EINVAL));
    expect(w.g.pfm_delete_evtsets(fd, dels(w, [1, 9, 3]), 3)).toEqual(fail(EINVAL));
    expect([0, 1, 2, 3].map((id) => exists(w, fd, id))).toEqual([true, false, true, true]);
    // set_id is a whole u16: 258 is not set 2
    expect(w.g.pfm_delete_evtsets(fd, dels(w, [256 + 2]), 1)).toEqual(fail(EINVAL));
    expect(exists(w, fd, 2)).toBe(true);
    // a deleted set is missing too
    expect(w.g.pfm_delete_evtsets(fd, dels(w, [1]), 1)).toEqual(fail(EINVAL));
  });

  it('reads no element beyond count (the 192-B copy holds a zero id at 64)', () => {
    const { w, fd } = threeSets();
    expect(w.g.pfm_delete_evtsets(fd, dels(w, [3]), 1)).toEqual(ok(0));
    expect(exists(w, fd, 3)).toBe(false);
  });

  it('EBUSY once the context is loaded', () => {
    const { w, fd } = threeSets();
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_delete_evtsets(fd, dels(w, [1]), 1)).toEqual(fail(EBUSY));
  });
});

describe('pfm_getinfo_evtsets', () => {
  it('fills each field of pfarg_setinfo at its offset and leaves the rest as passed', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(
      create(w, fd, [{ id: 4, next: 0x1234, flags: PFM_SETFL_EXPL_NEXT | PFM_SETFL_OVFL_SWITCH }]),
    ).toEqual(ok(0));
    const u = setinfos(w, [0, 4]);
    expect(w.g.pfm_getinfo_evtsets(fd, u, 2)).toEqual(ok(0));
    const v = view(w, u, 2 * INFO);
    for (const [o, id] of [
      [0, 0],
      [INFO, 4],
    ] as const) {
      expect(v.getUint16(o + SI.id, true)).toBe(id);
      expect(words(v, o + SI.ovfl, 10)).toEqual(Array(10).fill(0)); // no overflow yet
      expect(u64(v, o + SI.runs)).toBe(0n);
      expect(u64(v, o + SI.timeout)).toBe(0n);
      expect(u64(v, o + SI.act)).toBe(0n);
      // P6: PERFEVTSEL0/1 and PERFCTR0/1 are available
      expect(words(v, o + SI.pmcs, 10)).toEqual([3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(words(v, o + SI.pmds, 10)).toEqual([3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      // set_mmap_offset and reserved[4] are not written
      expect(u64(v, o + SI.mmap)).toBe(0xa5a5a5a5a5a5a5a5n);
      expect(words(v, o + SI.rsvd, 8)).toEqual(Array(8).fill(JUNK32));
    }
    expect(v.getUint16(SI.next, true)).toBe(0);
    expect(v.getUint32(SI.flags, true)).toBe(0);
    expect(v.getUint16(INFO + SI.next, true)).toBe(0x1234);
    expect(v.getUint32(INFO + SI.flags, true)).toBe(PFM_SETFL_EXPL_NEXT | PFM_SETFL_OVFL_SWITCH);
  });

  it('sets the bits of the implemented registers above 31 (Montecito)', () => {
    const w = testWorld({ machine: { arch: 'ia64', cost: 'itanium2-2006', pmu: 'montecito' } });
    const fd = w.ctx();
    const v = getinfo(w, fd, 0);
    // §10: PMCs 4-15, 32-42, 256-271; PMDs 4-15, 32-36, 38-39, 48-63
    expect(words(v, SI.pmcs, 10)).toEqual([0xfff0, 0x7ff, 0, 0, 0, 0, 0, 0, 0xffff, 0]);
    expect(words(v, SI.pmds, 10)).toEqual([0xfff0, 0xffff00df, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(words(v, SI.ovfl, 10)).toEqual(Array(10).fill(0));
    expect(words(v, SI.rsvd, 8)).toEqual(Array(8).fill(JUNK32));
  });

  it('EINVAL for a set that does not exist (Q8); the elements before it are filled', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(create(w, fd, [{ id: 1, next: 2 }])).toEqual(ok(0));
    const u = setinfos(w, [1, 2]);
    expect(w.g.pfm_getinfo_evtsets(fd, u, 2)).toEqual(fail(EINVAL));
    const v = view(w, u, 2 * INFO);
    expect(v.getUint16(SI.next, true)).toBe(2);
    expect(v.getUint16(INFO + SI.next, true)).toBe(0xa5a5);
    expect(w.g.pfm_getinfo_evtsets(fd, setinfos(w, [65535]), 1)).toEqual(fail(EINVAL));
  });

  it('works in every state: LOADED and started too', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    expect(u64(getinfo(w, fd, 0), SI.runs)).toBe(1n); // load_set's first run
  });

  it('reports the PMDs of the last overflow, the runs and the active duration', () => {
    const w = testWorld();
    const fd = w.ctx();
    // both counters count user cycles; both overflow after 1000, then pmd0 every 1000 and pmd1 every 5000
    writePmcs(w, fd, [
      { reg_num: 0, reg_value: 0x510079n },
      { reg_num: 1, reg_value: 0x110079n },
    ]);
    const r = w.pmds([
      { reg_num: 0, reg_value: NEG(1000n), reg_short_reset: NEG(1000n) },
      { reg_num: 1, reg_value: NEG(1000n), reg_short_reset: NEG(5000n) },
    ]);
    expect(w.g.pfm_write_pmds(fd, r, 2)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 1500);
    let v = getinfo(w, fd, 0);
    expect(words(v, SI.ovfl, 10)).toEqual([0b11, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    w.s.runSync(w.t, loop, 1000);
    v = getinfo(w, fd, 0);
    expect(words(v, SI.ovfl, 10)).toEqual([0b01, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(u64(v, SI.runs)).toBe(1n);
    expect(u64(v, SI.act)).toBe(BigInt(Math.round(w.s.k.cyclesToNs(2500))));
  });

  it('set_act_duration is a u64 of ns: past 2^32 ns (4.3 s) of activity', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    const cycles = 13_000_000_000; // 4.33 s at 3 GHz
    w.s.runSync(w.t, loop, cycles);
    const v = getinfo(w, fd, 0);
    const ns = Math.round(w.s.k.cyclesToNs(cycles));
    expect(ns).toBeGreaterThan(2 ** 32);
    expect(u64(v, SI.act)).toBe(BigInt(ns));
    expect(u64(v, SI.runs)).toBe(1n);
  });

  it('v2.3: set_timeout is the ns left of the current run', () => {
    const w = testWorld();
    const fd = w.ctx();
    const tick = w.s.k.irq.tickCycles;
    expect(create(w, fd, [{ id: 0, flags: PFM_SETFL_TIME_SWITCH, timeout: 12_000_000n }])).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, tick / 2);
    expect(u64(getinfo(w, fd, 0), SI.timeout)).toBe(10_000_000n);
  });
});
