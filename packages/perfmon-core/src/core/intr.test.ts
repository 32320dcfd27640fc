import { CAT } from '@pfmsim/kernel-sim';
import { getModel, normaliseModel, toModelFile } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  PFM_CTX_LOADED,
  PFM_CTX_MASKED,
  PFM_FL_OVFL_NO_MSG,
  PFM_MSG_OVFL,
  PFM_REGFL_OVFL_NOTIFY,
  PFM_REGFL_RANDOM,
  PFM_SETFL_OVFL_SWITCH,
} from '../abi/constants.js';
import { ok } from '../abi/errno.js';
import {
  createSets,
  getSetinfos,
  NEG,
  readMsg,
  readPmdValues,
  testWorld,
  writePmcs,
  writePmds,
} from '../test-util.js';
import { workloadFromEvents } from './workload.js';

const p6 = getModel('intel-p6');
const loop = workloadFromEvents(p6, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });
const CYCLES = 0x530079n; // PERFEVTSEL: CPU_CLK_UNHALTED, USR|OS|EN
const INSTS = 0x5300c0n; // INST_RETIRED
/** The first user-space address of an i386 ELF executable: msg_ovfl_ip is an offset from it. */
const TEXT = 0x08048000;

describe('the overflow message (PFM_MSG_OVFL)', () => {
  it('names the thread (Q11: pid field = tid, tid field = tgid), its CPU, the active set and every overflowed PMD', () => {
    const w = testWorld({ cpus: 2 });
    const fd = w.ctx();
    createSets(w, fd, [{ set_id: 5 }]);
    writePmcs(w, fd, [
      { reg_num: 0, reg_value: CYCLES, reg_set: 5 },
      { reg_num: 1, reg_value: CYCLES, reg_set: 5 },
    ]);
    const period = { reg_value: NEG(1000n), reg_flags: PFM_REGFL_OVFL_NOTIFY, reg_set: 5 };
    writePmds(w, fd, [
      { reg_num: 0, ...period },
      { reg_num: 1, ...period },
    ]);
    const worker = w.s.thread(w.p, 'worker', undefined, 1);
    w.s.ptraceAttach(w.t, worker);
    expect(w.load(fd, worker.tid, 5)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.ptraceDetach(worker);
    w.s.runSync(worker, loop, 5000);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(worker.tid).not.toBe(w.p.pid);
    const msg = readMsg(w, fd);
    expect(msg).toEqual({
      msg_type: PFM_MSG_OVFL,
      msg_ovfl_pid: worker.tid,
      msg_ovfl_pmds: [0b11n, 0n, 0n, 0n],
      msg_active_set: 5,
      msg_ovfl_cpu: 1,
      msg_ovfl_tid: w.p.pid,
      // 1000 cycles of user time at the overflow
      msg_ovfl_ip: BigInt(TEXT + 4 * 1000),
    });
    expect(w.g.poll(fd)).toBe(0); // one message for the two PMDs
  });

  it('msg_ovfl_ip follows the user time of the thread, within a 1 MiB text', () => {
    const w = testWorld();
    const fd = w.ctx();
    writePmcs(w, fd, [{ reg_num: 0, reg_value: CYCLES }]);
    writePmds(w, fd, [{ reg_num: 0, reg_value: NEG(300_000n), reg_flags: PFM_REGFL_OVFL_NOTIFY }]);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 50_000); // loaded, not started: user time that counts nothing
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 400_000);
    expect(w.t.clock.byCategory[CAT.workload]).toBe(450_000); // masked, the thread runs on
    const userCycles = 350_000; // at the overflow
    expect(readMsg(w, fd).msg_ovfl_ip).toBe(BigInt(TEXT + ((4 * userCycles) % 0x100000)));
  });

  it('PFM_FL_OVFL_NO_MSG: the context masks at the overflow but queues nothing', () => {
    const w = testWorld();
    const fd = w.ctx(PFM_FL_OVFL_NO_MSG);
    writePmcs(w, fd, [{ reg_num: 0, reg_value: CYCLES }]);
    writePmds(w, fd, [
      { reg_num: 0, reg_value: NEG(1000n), reg_long_reset: NEG(500n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
    ]);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 3000);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(w.g.poll(fd)).toBe(0);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }])).toEqual([0n]); // frozen at the overflow
    expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 100);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }])).toEqual([NEG(500n) + 100n]);
  });

  it('the bitmap covers PMDs past 31 (word by word) and stops at 256 bits, before msg_active_set', () => {
    // amd64-k8 with two extra counters, pmd33 and pmd256 (logical indexes up to 319 are valid)
    const file = toModelFile(getModel('amd64-k8'));
    for (const i of [33, 256]) {
      file.pmcs.push({ ...file.pmcs[0]!, index: i, name: `PERFSEL${i}`, controls: [i] });
      file.pmds.push({ ...file.pmds[0]!, index: i, name: `PERFCTR${i}` });
    }
    const model = normaliseModel(file);
    const w = testWorld({ machine: { arch: 'x86_64', cost: 'k8-2006', pmu: model } });
    const fd = w.ctx();
    const CLK = 0x530076n; // CPU_CLK_UNHALTED, USR|OS|EN
    writePmcs(
      w,
      fd,
      [0, 33, 256].map((reg_num) => ({ reg_num, reg_value: CLK })),
    );
    writePmds(
      w,
      fd,
      [0, 33, 256].map((reg_num) => ({ reg_num, reg_value: NEG(1000n), reg_flags: PFM_REGFL_OVFL_NOTIFY })),
    );
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, workloadFromEvents(model, 'clk', { CPU_CLK_UNHALTED: 1 }), 2000);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    const msg = readMsg(w, fd);
    expect(msg.msg_ovfl_pmds).toEqual([0x2_0000_0001n, 0n, 0n, 0n]); // pmd0 and pmd33
    expect(msg.msg_active_set).toBe(0);
    expect(msg.msg_ovfl_pid).toBe(w.t.tid);
    expect(msg.msg_ovfl_tid).toBe(w.p.pid);
    expect(getSetinfos(w, fd, [0])[0]!.set_ovfl_pmds.slice(0, 5)).toEqual([0x2_0000_0001n, 0n, 0n, 0n, 1n]);
  });
});

describe('the short reset at the overflow (no notification)', () => {
  it('reloads only the overflowed PMD; the other counters go on', () => {
    const w = testWorld();
    const fd = w.ctx();
    writePmcs(w, fd, [
      { reg_num: 0, reg_value: CYCLES },
      { reg_num: 1, reg_value: INSTS },
    ]);
    writePmds(w, fd, [
      { reg_num: 0, reg_value: NEG(1000n), reg_short_reset: NEG(1000n), reg_long_reset: NEG(3n) },
      { reg_num: 1, reg_short_reset: 7n, reg_long_reset: 9n },
    ]);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 2500);
    expect(readPmdValues(w, fd, [{ reg_num: 0 }, { reg_num: 1 }])).toEqual([NEG(1000n) + 500n, 2000n]);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_LOADED);
    expect(w.g.poll(fd)).toBe(0);
  });

  it('also reloads the PMDs of the overflowed PMD’s reg_reset_pmds, with their short reset', () => {
    const w = testWorld();
    const fd = w.ctx();
    writePmcs(w, fd, [
      { reg_num: 0, reg_value: CYCLES },
      { reg_num: 1, reg_value: INSTS },
    ]);
    writePmds(w, fd, [
      {
        reg_num: 0,
        reg_value: NEG(1000n),
        reg_short_reset: NEG(1000n),
        reg_reset_pmds: [0b10n, 0n, 0n, 0n, 0n],
      },
      { reg_num: 1, reg_short_reset: 1_000_000n, reg_long_reset: 5_000_000n },
    ]);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 2500);
    // pmd1 was reset at pmd0's second overflow (cycle 2000), then retired 0.8 x 500 instructions
    const [clk, inst] = readPmdValues(w, fd, [{ reg_num: 0 }, { reg_num: 1 }]);
    expect(clk).toBe(NEG(1000n) + 500n);
    expect(inst).toBe(1_000_000n + 400n);
  });
});

describe('a PMD in its own reg_reset_pmds', () => {
  it('is reset once per overflow: with REGFL_RANDOM, one random draw as without the bit', () => {
    const lastResets = (selfBit: bigint) => {
      const w = testWorld({ seed: 11 });
      const fd = w.ctx();
      writePmcs(w, fd, [{ reg_num: 0, reg_value: CYCLES }]);
      writePmds(w, fd, [
        {
          reg_num: 0,
          reg_value: NEG(1000n),
          reg_short_reset: NEG(1000n),
          reg_flags: PFM_REGFL_RANDOM,
          reg_random_mask: 0xffn,
          reg_reset_pmds: [selfBit, 0n, 0n, 0n, 0n],
        },
      ]);
      expect(w.load(fd, w.t.tid)).toEqual(ok(0));
      expect(w.g.pfm_start(fd)).toEqual(ok(0));
      const seen: bigint[] = [];
      for (let i = 0; i < 4; i++) {
        // run to the next overflow: the counter restarts from its last reset value
        const u = w.pmds([{ reg_num: 0 }]);
        expect(w.g.pfm_read_pmds(fd, u, 1)).toEqual(ok(0));
        w.s.runSync(w.t, loop, Number((1n << 64n) - w.readPmds(u, 1)[0]!.reg_value));
        expect(w.g.pfm_read_pmds(fd, u, 1)).toEqual(ok(0));
        seen.push(w.readPmds(u, 1)[0]!.reg_last_reset_val);
      }
      return seen;
    };
    const alone = lastResets(0n);
    expect(new Set(alone).size).toBeGreaterThan(1); // the draws differ
    expect(lastResets(0b1n)).toEqual(alone);
  });
});

describe('overflow-based set switching (OVFL_SWITCH)', () => {
  function switching(setFlags: number, switchCnt: bigint) {
    const w = testWorld();
    const fd = w.ctx();
    createSets(w, fd, [{ set_id: 0, set_flags: setFlags }, { set_id: 1 }]);
    writePmcs(w, fd, [
      { reg_num: 0, reg_value: CYCLES },
      { reg_num: 0, reg_value: CYCLES, reg_set: 1 },
    ]);
    writePmds(w, fd, [
      { reg_num: 0, reg_value: NEG(1000n), reg_short_reset: NEG(1000n), reg_ovfl_switch_cnt: switchCnt },
      { reg_num: 0, reg_set: 1 },
    ]);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 10_500);
    return getSetinfos(w, fd, [0, 1]).map((i) => i.set_runs);
  }

  it('a PMD with a zero reg_ovfl_switch_cnt never switches the set, however often it overflows', () => {
    expect(switching(PFM_SETFL_OVFL_SWITCH, 0n)).toEqual([1n, 0n]);
  });

  it('without OVFL_SWITCH on the set, reg_ovfl_switch_cnt is not counted down', () => {
    expect(switching(0, 1n)).toEqual([1n, 0n]);
    expect(switching(PFM_SETFL_OVFL_SWITCH, 1n)).toEqual([1n, 1n]); // the same with the flag switches
  });

  it('the countdown starts over each time the set is switched in', () => {
    const w = testWorld();
    const fd = w.ctx();
    createSets(w, fd, [
      { set_id: 0, set_flags: PFM_SETFL_OVFL_SWITCH },
      { set_id: 1, set_flags: PFM_SETFL_OVFL_SWITCH },
    ]);
    writePmcs(w, fd, [
      { reg_num: 0, reg_value: CYCLES },
      { reg_num: 0, reg_value: CYCLES, reg_set: 1 },
    ]);
    const every1000 = { reg_num: 0, reg_value: NEG(1000n), reg_short_reset: NEG(1000n) };
    writePmds(w, fd, [
      { ...every1000, reg_ovfl_switch_cnt: 3n },
      { ...every1000, reg_set: 1, reg_ovfl_switch_cnt: 1n },
    ]);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    // set 0 for 3000 cycles, set 1 for 1000, set 0 for 3000 again, then set 1
    w.s.runSync(w.t, loop, 7500);
    expect(getSetinfos(w, fd, [0, 1]).map((i) => i.set_runs)).toEqual([2n, 2n]);
    expect(readPmdValues(w, fd, [{ reg_num: 0, reg_set: 1 }])).toEqual([NEG(1000n) + 500n]);
  });
});
