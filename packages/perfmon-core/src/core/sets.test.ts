import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { PFM_SETFL_EXPL_NEXT, PFM_SETFL_TIME_SWITCH } from '../abi/constants.js';
import { ok } from '../abi/errno.js';
import { NEG, type TestWorld, testWorld, writePmcs } from '../test-util.js';
import { PmdStore } from './pmd-store.js';
import { EventSet, SetList } from './sets.js';
import { workloadFromEvents } from './workload.js';

/**
 * Event sets (perfmon2-abi.md §11): the list kept sorted by id is the round-robin switch
 * order, EXPL_NEXT follows set_id_next, set 0 always exists; and the per-set PMD state the
 * overflow path uses (reg_reset_pmds) and the counting restarts on a reprogrammed PMC.
 */

const p6 = getModel('intel-p6');
const loop = workloadFromEvents(p6, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });
const USR_CYCLES = 0x510079n; // PERFEVTSEL: CPU_CLK_UNHALTED, USR, INT, EN
const USR_INSTR = 0x5100c0n; // INST_RETIRED, USR, INT, EN

function setdescs(w: TestWorld, descs: { id: number; next?: number; flags?: number; timeout?: bigint }[]) {
  const u = w.buf(descs.length * 64);
  const v = w.p.mm.dataView(u, descs.length * 64, true);
  descs.forEach((d, i) => {
    v.setUint16(i * 64, d.id, true);
    v.setUint16(i * 64 + 2, d.next ?? 0, true);
    v.setUint32(i * 64 + 4, d.flags ?? 0, true);
    v.setBigUint64(i * 64 + 8, d.timeout ?? 0n, true);
  });
  return u;
}

/** set_runs (pfarg_setinfo @48) of each set. */
function runs(w: TestWorld, fd: number, ids: number[]): number[] {
  const u = w.buf(ids.length * 192);
  const v = w.p.mm.dataView(u, ids.length * 192, true);
  ids.forEach((id, i) => {
    v.setUint16(i * 192, id, true);
  });
  expect(w.g.pfm_getinfo_evtsets(fd, u, ids.length)).toEqual(ok(0));
  return ids.map((_, i) =>
    Number(w.p.mm.dataView(u, ids.length * 192, false).getBigUint64(i * 192 + 48, true)),
  );
}

/**
 * Sets `ids` (set 0 among them) each switching after one 4-ms tick, created one call per set in
 * the order given (then `deleted` deleted); the context is loaded on set 0 and started. Returns the set that becomes
 * active at each of the next `n` ticks, as getinfo's set_runs shows it.
 */
function switchOrder(
  ids: number[],
  n: number,
  opts: { explicitNext?: number; deleted?: number } = {},
): number[] {
  const { explicitNext, deleted } = opts;
  const w = testWorld();
  const fd = w.ctx();
  const tickNs = 4_000_000n;
  for (const id of ids) {
    const expl = id === 0 && explicitNext !== undefined;
    const flags = PFM_SETFL_TIME_SWITCH | (expl ? PFM_SETFL_EXPL_NEXT : 0);
    const next = expl ? explicitNext : 0;
    expect(w.g.pfm_create_evtsets(fd, setdescs(w, [{ id, next, flags, timeout: tickNs }]), 1)).toEqual(ok(0));
  }
  if (deleted !== undefined) {
    // a delete vector is copied as 192-B pfarg_setinfo (Q10), walked as 64-B pfarg_setdesc
    expect(w.g.pfm_delete_evtsets(fd, setdescs(w, [{ id: deleted }, { id: 0 }, { id: 0 }]), 1)).toEqual(
      ok(0),
    );
  }
  const all = ids.filter((id) => id !== deleted).sort((a, b) => a - b);
  expect(w.load(fd, w.t.tid)).toEqual(ok(0));
  expect(w.g.pfm_start(fd)).toEqual(ok(0));
  const order: number[] = [];
  let before = runs(w, fd, all);
  for (let i = 0; i < n; i++) {
    w.s.runSync(w.t, loop, w.s.k.irq.tickCycles);
    const after = runs(w, fd, all);
    const grown = all.filter((_, j) => after[j]! > before[j]!);
    expect(grown).toHaveLength(1);
    order.push(grown[0]!);
    before = after;
  }
  return order;
}

describe('set switching order (§11)', () => {
  it('round-robin follows the set ids, not the order the sets were created in', () => {
    expect(switchOrder([5, 2, 0, 9], 5)).toEqual([2, 5, 9, 0, 2]);
    expect(switchOrder([9, 5, 0, 2], 4)).toEqual([2, 5, 9, 0]);
  });

  it('EXPL_NEXT follows set_id_next; the set after it goes on in id order', () => {
    expect(switchOrder([2, 5, 9, 0], 4, { explicitNext: 9 })).toEqual([9, 0, 9, 0]);
    expect(switchOrder([2, 5, 9, 0], 4, { explicitNext: 5 })).toEqual([5, 9, 0, 5]);
  });

  it('a deleted set leaves the rotation; the others keep their order', () => {
    expect(switchOrder([0, 2, 5, 9], 4, { deleted: 5 })).toEqual([2, 9, 0, 2]);
    expect(switchOrder([0, 2, 5, 9], 4, { deleted: 2 })).toEqual([5, 9, 0, 5]);
  });
});

describe('SetList', () => {
  const pmu = testWorld().s.pmu;
  const list = (...ids: number[]) => {
    const store = new PmdStore(Math.max(1, pmu.maxPmd));
    const l = new SetList(new EventSet(ids[0]!, pmu, store));
    for (const id of ids.slice(1)) l.insert(new EventSet(id, pmu, store));
    return l;
  };
  const ids = (l: SetList) => l.sets.map((s) => s.id);

  it('insert keeps the sets sorted by id', () => {
    expect(ids(list(3, 1))).toEqual([1, 3]);
    expect(ids(list(5, 1, 3, 0, 65535, 4))).toEqual([0, 1, 3, 4, 5, 65535]);
    expect(ids(list(0, 1, 2))).toEqual([0, 1, 2]);
  });

  it('a list of one set (every new context): find, next and the sets read it without a second set', () => {
    const l = list(0);
    const [only] = l.sets;
    expect(ids(l)).toEqual([0]);
    expect(l.find(0)).toBe(only);
    expect(l.find(1)).toBeUndefined();
    expect(l.next(only!, PFM_SETFL_EXPL_NEXT)).toBe(only);
    only!.flags = PFM_SETFL_EXPL_NEXT;
    only!.idNext = 7; // names no set: the next in order, itself
    expect(l.next(only!, PFM_SETFL_EXPL_NEXT)).toBe(only);
    const other = new EventSet(3, pmu, new PmdStore(1));
    expect(l.next(other, PFM_SETFL_EXPL_NEXT)).toBe(only);
    l.remove(1);
    expect(ids(l)).toEqual([0]);
    expect(l.find(0)).toBe(only);
    l.insert(new EventSet(2, pmu, new PmdStore(1)));
    expect(ids(l)).toEqual([0, 2]);
    expect(l.next(only!, 0).id).toBe(2);
  });

  it('find and remove by id; removing a missing id changes nothing', () => {
    const l = list(0, 2, 4, 6);
    expect(l.find(4)?.id).toBe(4);
    expect(l.find(5)).toBeUndefined();
    l.remove(5);
    expect(ids(l)).toEqual([0, 2, 4, 6]);
    l.remove(4);
    expect(ids(l)).toEqual([0, 2, 6]);
    expect(l.find(4)).toBeUndefined();
    l.remove(0);
    expect(ids(l)).toEqual([2, 6]);
    l.remove(6);
    expect(ids(l)).toEqual([2]);
  });

  it('next: the following id, wrapping; EXPL_NEXT picks set_id_next, or falls back when it names no set', () => {
    const l = list(0, 2, 4);
    const [s0, s2, s4] = l.sets;
    expect(l.next(s0!, PFM_SETFL_EXPL_NEXT).id).toBe(2);
    expect(l.next(s4!, PFM_SETFL_EXPL_NEXT).id).toBe(0);
    s0!.idNext = 4; // without the flag, set_id_next is ignored
    expect(l.next(s0!, PFM_SETFL_EXPL_NEXT).id).toBe(2);
    s0!.flags = PFM_SETFL_EXPL_NEXT;
    expect(l.next(s0!, PFM_SETFL_EXPL_NEXT).id).toBe(4);
    s2!.flags = PFM_SETFL_EXPL_NEXT;
    s2!.idNext = 3; // dangling (load refuses it, Q9): the id order
    expect(l.next(s2!, PFM_SETFL_EXPL_NEXT).id).toBe(4);
  });
});

describe('EventSet.bvTest (reg_reset_pmds / reg_smpl_pmds bitmaps)', () => {
  it('reads bit `bit` of the 5 u64 words stored for a PMD, past the first word too', () => {
    const bv = new Uint32Array(3 * 10);
    bv[10] = 1 << 3; // pmd1: bit 3
    bv[11] = 1 << 1; // pmd1: bit 33
    bv[29] = 1 << 31; // pmd2: bit 319
    expect(EventSet.bvTest(bv, 1, 3)).toBe(true);
    expect(EventSet.bvTest(bv, 1, 33)).toBe(true);
    expect(EventSet.bvTest(bv, 2, 319)).toBe(true);
    expect(EventSet.bvTest(bv, 1, 1)).toBe(false);
    expect(EventSet.bvTest(bv, 1, 35)).toBe(false);
    expect(EventSet.bvTest(bv, 0, 3)).toBe(false);
    expect(EventSet.bvTest(bv, 0, 33)).toBe(false);
    expect(EventSet.bvTest(bv, 2, 318)).toBe(false);
  });
});

describe('per-set PMD state under a workload', () => {
  function twoCounters(resetPmds: bigint) {
    const w = testWorld();
    const fd = w.ctx();
    // pmd0 counts instructions (0.8/cycle), pmd1 cycles; pmd1 overflows every 1000 cycles
    writePmcs(w, fd, [
      { reg_num: 0, reg_value: USR_INSTR },
      { reg_num: 1, reg_value: USR_CYCLES },
    ]);
    const r = w.pmds([
      { reg_num: 0, reg_short_reset: 256n },
      {
        reg_num: 1,
        reg_value: NEG(1000n),
        reg_short_reset: NEG(1000n),
        reg_reset_pmds: [resetPmds, 0n, 0n, 0n, 0n],
      },
    ]);
    expect(w.g.pfm_write_pmds(fd, r, 2)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 1500);
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    const back = w.pmds([{ reg_num: 0 }, { reg_num: 1 }]);
    expect(w.g.pfm_read_pmds(fd, back, 2)).toEqual(ok(0));
    return w.readPmds(back, 2).map((p) => p.reg_value);
  }

  it("an overflow also resets the PMDs in the overflowed PMD's reg_reset_pmds", () => {
    // pmd1 overflows at 1000 cycles: pmd0 (800 instructions) goes back to its short reset, 256
    expect(twoCounters(0b01n)).toEqual([256n + 400n, NEG(1000n) + 500n]);
  });

  it('without reg_reset_pmds the other PMDs keep counting', () => {
    expect(twoCounters(0n)).toEqual([1200n, NEG(1000n) + 500n]);
  });

  it('reprogramming a PMC restarts its event stream at the new rate', () => {
    const w = testWorld();
    const fd = w.ctx();
    writePmcs(w, fd, [{ reg_num: 0, reg_value: USR_CYCLES }]);
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0 }]), 1)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 1000);
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    // now instructions (0.8 per cycle) from here on: 1000 + 0.8 * 1001
    writePmcs(w, fd, [{ reg_num: 0, reg_value: USR_INSTR }]);
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 1001);
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    const r = w.pmds([{ reg_num: 0 }]);
    expect(w.g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
    expect(w.readPmds(r, 1)[0]!.reg_value).toBe(1000n + 800n);
  });
});

describe('EventSet state made on first use', () => {
  const pmu = testWorld().s.pmu; // intel-p6: 2 PMCs, 2 PMDs
  const nd = pmu.maxPmd;
  const store = new PmdStore(nd);
  // the per-PMD values: upper and hw (f64), flags and the last reset value (u32 x 3), used (u8)
  const base = nd * (8 * 2 + 4 * 3 + 1);

  it('a fresh set holds only its per-PMD values; PMCs read as the model defaults, none written', () => {
    const a = new EventSet(0, pmu, store);
    const b = new EventSet(1, pmu, store);
    expect(a.hostBytes).toBe(base);
    expect([...a.pmcLo]).toEqual([...pmu.pmcDflLo]);
    expect([...a.pmcHi]).toEqual([...pmu.pmcDflHi]);
    expect([...a.usedPmcs]).toEqual(new Array(Math.max(1, pmu.maxPmc)).fill(0));
    expect(a.usedPmcs).toBe(b.usedPmcs); // shared until written
    expect(a.hostBytes).toBe(base);
  });

  it("writePmc copies the defaults once and never writes them (another set's PMCs stay default)", () => {
    const a = new EventSet(0, pmu, store);
    const b = new EventSet(1, pmu, store);
    const dfl = [[...pmu.pmcDflLo], [...pmu.pmcDflHi]];
    a.writePmc(1, 0x1234, 0x56);
    expect([[...pmu.pmcDflLo], [...pmu.pmcDflHi]]).toEqual(dfl);
    expect([[...b.pmcLo], [...b.pmcHi]]).toEqual(dfl);
    expect([a.pmcLo[1], a.pmcHi[1], a.usedPmcs[1]]).toEqual([0x1234, 0x56, 1]);
    expect([a.pmcLo[0], a.pmcHi[0], a.usedPmcs[0]]).toEqual([pmu.pmcDflLo[0], pmu.pmcDflHi[0], 0]);
    expect([b.pmcLo[1], b.pmcHi[1], b.usedPmcs[1]]).toEqual([pmu.pmcDflLo[1], pmu.pmcDflHi[1], 0]);
    a.writePmc(0, 7, 8);
    expect([a.pmcLo[0], a.pmcHi[0], a.pmcLo[1]]).toEqual([7, 8, 0x1234]);
    expect(a.hostBytes).toBe(base + Math.max(1, pmu.maxPmc) * 9);
  });

  it('bitmaps: all zero stores nothing; any bit stores both maps of the PMD, each bit where it belongs', () => {
    const s = new EventSet(0, pmu, store);
    const u = new Uint8Array(160);
    const view = new DataView(u.buffer);
    s.writeBitmaps(1, view, 0, 80);
    expect(s.hostBytes).toBe(base);
    expect([...s.smplPmds]).toEqual(new Array(nd * 10).fill(0));
    expect(s.resetsOnOverflow(1, 0) || s.samplesOnOverflow(1, 0)).toBe(false);
    view.setUint32(4 * 3, 1 << 5, true); // reset map, word 3: bit 101
    view.setUint32(80 + 4 * 9, 1 << 31, true); // smpl map, word 9: bit 319
    view.setUint32(80, 1 << 1, true); // smpl map, word 0: bit 1
    s.writeBitmaps(1, view, 0, 80);
    expect(s.hostBytes).toBe(base + 2 * nd * 10 * 4);
    const bits = (f: (pmd: number, bit: number) => boolean) =>
      [0, 1]
        .flatMap((pmd) => Array.from({ length: 320 }, (_, b) => (f(pmd, b) ? `${pmd}:${b}` : null)))
        .filter((x) => x !== null);
    expect(bits((p, b) => s.resetsOnOverflow(p, b))).toEqual(['1:101']);
    expect(bits((p, b) => s.samplesOnOverflow(p, b))).toEqual(['1:1', '1:319']);
    expect(bits((p, b) => EventSet.bvTest(s.smplPmds, p, b))).toEqual(['1:1', '1:319']);
    expect(s.smplPmds).toHaveLength(nd * 10);
    // PMD 0 now written with a zero map: stored (the maps exist), read back as empty
    s.writeBitmaps(0, new DataView(new ArrayBuffer(160)), 0, 80);
    expect(bits((p, b) => s.samplesOnOverflow(p, b))).toEqual(['1:1', '1:319']);
    // rewriting PMD 1 with zeros clears it
    s.writeBitmaps(1, new DataView(new ArrayBuffer(160)), 0, 80);
    expect(bits((p, b) => s.resetsOnOverflow(p, b) || s.samplesOnOverflow(p, b))).toEqual([]);
  });

  it('overflow settings: zeros into a set with none store nothing; once stored, zeros overwrite', () => {
    const s = new EventSet(0, pmu, store);
    s.writeOverflowSettings(1, 0, 0, 0, 0, 0, 0, 0);
    expect(s.hostBytes).toBe(base);
    s.writeOverflowSettings(1, 1, 2, 3, 4, 5, 6, 7);
    expect(s.hostBytes).toBe(base + nd * (8 * 2 + 4 * 6 + 2));
    const at = (pmd: number) => [
      s.longResetLo[pmd],
      s.longResetHi[pmd],
      s.shortResetLo[pmd],
      s.shortResetHi[pmd],
      s.randomMaskLo[pmd],
      s.randomMaskHi[pmd],
      s.ovflSwitchCnt[pmd],
      s.ovflSwitchLeft[pmd],
    ];
    expect(at(1)).toEqual([1, 2, 3, 4, 5, 6, 7, 7]);
    expect(at(0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    s.writeOverflowSettings(1, 0, 0, 0, 0, 0, 0, 0);
    expect(at(1)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    for (const x of [1, 2, 3, 4, 5, 6, 7]) {
      const t = new EventSet(0, pmu, store);
      const v = [0, 0, 0, 0, 0, 0, 0];
      v[x - 1] = 9;
      t.writeOverflowSettings(0, v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!);
      expect(t.hostBytes, `value ${x}`).toBe(base + nd * (8 * 2 + 4 * 6 + 2));
    }
  });

  it('reading the overflow flags or the counting bookkeeping makes them (zeros)', () => {
    const s = new EventSet(0, pmu, store);
    expect([...s.ovflPmds]).toEqual(new Array(nd).fill(0));
    expect(s.hostBytes).toBe(base + nd * (8 * 2 + 4 * 6 + 2));
    expect([...s.rateNow, ...s.emitted, ...s.countedCycles]).toEqual(new Array(3 * nd).fill(0));
    expect(s.hostBytes).toBe(base + nd * (8 * 2 + 4 * 6 + 2) + nd * 8 * 3);
    s.countedCycles[1] = 5;
    s.emitted[1] = 6;
    s.restartCounting(1);
    expect([s.countedCycles[1], s.emitted[1]]).toEqual([0, 0]);
  });
});
