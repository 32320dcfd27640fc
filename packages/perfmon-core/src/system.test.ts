import { createStrategy } from '@pfmsim/buffer-strategies';
import { InvalidArgumentError, type KGen, type Thread } from '@pfmsim/kernel-sim';
import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  PFM_CTX_LOADED,
  PFM_CTX_MASKED,
  PFM_CTX_UNLOADED,
  PFM_CTX_ZOMBIE,
  PFM_FL_NOTIFY_BLOCK,
  PFM_FL_SYSTEM_WIDE,
  PFM_MSG_END,
  PFM_REGFL_OVFL_NOTIFY,
  PFM_REGFL_RANDOM,
} from './abi/constants.js';
import { Errno, fail, ok } from './abi/errno.js';
import { createPfargSetdesc, encodePfargVector } from './abi/structs.js';
import { workloadFromEvents } from './core/workload.js';
import { createSystem } from './system.js';
import { type TestWorld, testWorld } from './test-util.js';

const { EBADF, EBUSY, EAGAIN } = Errno;
const loop = workloadFromEvents(getModel('intel-p6'), 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });
const NEG = (n: bigint) => (1n << 64n) - n;

/** PERFEVTSEL0 counts cycles into pmd0, PERFEVTSEL1 retired instructions into pmd1. */
function program(w: TestWorld, fd: number): void {
  expect(
    w.g.pfm_write_pmcs(
      fd,
      w.pmcs([
        { reg_num: 0, reg_value: 0x530079n },
        { reg_num: 1, reg_value: 0x5300c0n },
      ]),
      2,
    ),
  ).toEqual(ok(0));
}

function readPmd(w: TestWorld, fd: number, reg_num: number, reg_set = 0, g = w.g) {
  const r = w.pmds([{ reg_num, reg_set }]);
  expect(g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
  return w.readPmds(r, 1)[0]!;
}

function readMsg(w: TestWorld, fd: number): DataView {
  const m = w.buf(56);
  expect(w.g.read(fd, m, 56)).toEqual(ok(56));
  return w.p.mm.dataView(m, 56, false);
}

/** fd of a context loaded on a second thread `target` (ptrace-attached and stopped). */
function onOtherThread(w: TestWorld, flags = 0, cpu?: number) {
  const fd = w.ctx(flags);
  const target = w.s.thread(w.p, 'target', undefined, cpu);
  w.s.ptraceAttach(w.t, target);
  expect(w.load(fd, target.tid)).toEqual(ok(0));
  return { fd, target };
}

describe('createSystem', () => {
  it('rejects options that are not an object with a machine', () => {
    for (const bad of [undefined, null, 'x86_64', {}, { machine: 'x86_64' }]) {
      expect(() => createSystem(bad as never)).toThrow(InvalidArgumentError);
      expect(() => createSystem(bad as never)).toThrow(/system options.*machine/);
    }
  });

  it('takes a PMU model object as well as an id', () => {
    const w = testWorld({ machine: { arch: 'x86_64', cost: 'k8-2006', pmu: getModel('amd64-k8') } });
    expect(w.s.sysfs.read('pmu_desc/model')).toEqual(ok('AMD64'));
  });

  it('cost overrides change what the calls cost', () => {
    const cost = (overrides?: Record<string, number>) => {
      const w = testWorld(overrides ? { costOverrides: overrides } : {});
      const fd = w.ctx();
      const before = w.t.clock.total;
      w.g.pfm_stop(fd);
      return w.t.clock.total - before;
    };
    expect(cost({ syscallEntryExit: 1000 }) - cost()).toBe(1000 - testWorld().s.k.costs.syscallEntryExit);
  });

  it('passes its kernel options on: the arena size and fine preemption points', () => {
    const machine = { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' };
    expect(createSystem({ machine, arenaBytes: 1 << 20 }).k.mem.u8.length).toBe(1 << 20);
    expect(createSystem({ machine }).k.preemptAll).toBe(false);
    expect(createSystem({ machine, preemptAll: true }).k.preemptAll).toBe(true);
  });

  it('a thread created on an explicit CPU runs there', () => {
    const w = testWorld({ cpus: 2 });
    const sw = w.ctx(PFM_FL_SYSTEM_WIDE);
    expect(w.load(sw, 0)).toEqual(ok(0));
    const onCpu0 = w.s.gate(w.s.thread(w.p, 'second', undefined, 0)); // round-robin placement would pick CPU 1
    expect(onCpu0.pfm_stop(sw)).toEqual(ok(0));
  });
});

describe('context memory', () => {
  it('each context is one 512-byte object owned by ctx:<id>, allocated at pfm_context_alloc (leak reports name them)', () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    w.ctx();
    w.ctx();
    const live = w.s.k.mem.liveObjectsSince(base).map((o) => [o.owner, o.site, o.size]);
    expect(live.sort()).toEqual([
      ['ctx:1', 'pfm_context_alloc', 512],
      ['ctx:2', 'pfm_context_alloc', 512],
    ]);
  });
});

describe('file lookup', () => {
  it('a descriptor that is not a perfmon file is EBADF for every call', () => {
    const w = testWorld();
    const fd = w.s.k.fdInstall(w.p, { kind: 'pipe' });
    const u = w.pmds([{ reg_num: 0 }]);
    expect(w.g.pfm_read_pmds(fd, u, 1)).toEqual(fail(EBADF));
    expect(w.g.pfm_stop(fd)).toEqual(fail(EBADF));
    expect(w.g.pfm_start(fd)).toEqual(fail(EBADF));
    expect(w.g.poll(fd)).toBe(32);
  });
});

describe('live versus saved registers (cost-model.md §2)', () => {
  /** Cycles of one pfm_read_pmds of pmd0 and pmd1 by `g`. */
  function readCost(w: TestWorld, fd: number, t = w.t, set = 0) {
    const r = w.pmds([
      { reg_num: 0, reg_set: set },
      { reg_num: 1, reg_set: set },
    ]);
    const g = w.s.gate(t);
    g.pfm_read_pmds(fd, r, 2);
    const before = t.clock.total;
    expect(g.pfm_read_pmds(fd, r, 2)).toEqual(ok(0));
    return t.clock.total - before;
  }

  it('a started context read by the thread it monitors (or on its CPU) reads the registers live', () => {
    const w = testWorld({ cpus: 2 });
    const fd = w.ctx();
    program(w, fd);
    const sd = w.buf(64);
    encodePfargVector(
      'setdesc',
      w.p.mm.dataView(sd, 64, true),
      0,
      [createPfargSetdesc({ set_id: 1 })],
      w.s.abi,
    );
    expect(w.g.pfm_create_evtsets(fd, sd, 1)).toEqual(ok(0));
    expect(
      w.g.pfm_write_pmds(
        fd,
        w.pmds([{ reg_num: 0 }, { reg_num: 1 }, { reg_num: 0, reg_set: 1 }, { reg_num: 1, reg_set: 1 }]),
        4,
      ),
    ).toEqual(ok(0));
    const saved = readCost(w, fd);
    const delta = 2 * (w.s.k.costs.pmuRegLive - w.s.k.costs.pmuRegSaved);
    expect(delta).not.toBe(0);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(readCost(w, fd)).toBe(saved); // loaded, not started
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    expect(readCost(w, fd)).toBe(saved + delta);
    expect(readCost(w, fd, w.t, 1)).toBe(saved); // set 1 is not active
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    expect(readCost(w, fd)).toBe(saved);

    const sw = w.ctx(PFM_FL_SYSTEM_WIDE);
    program(w, sw);
    expect(w.g.pfm_write_pmds(sw, w.pmds([{ reg_num: 0 }, { reg_num: 1 }]), 2)).toEqual(ok(0));
    expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
    expect(w.load(sw, 0)).toEqual(ok(0));
    expect(w.g.pfm_start(sw)).toEqual(ok(0));
    expect(readCost(w, sw)).toBe(saved + delta);
  });

  it('a masked context is read from its saved state, also by the thread it monitors', () => {
    const w = testWorld();
    const fd = w.ctx();
    program(w, fd);
    const pmds = w.pmds([
      { reg_num: 0, reg_value: NEG(100n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
      { reg_num: 1 },
    ]);
    expect(w.g.pfm_write_pmds(fd, pmds, 2)).toEqual(ok(0));
    const saved = readCost(w, fd);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 300);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(readCost(w, fd)).toBe(saved);
  });

  it('a context monitoring another thread is read from its saved state', () => {
    const w = testWorld();
    const { fd } = onOtherThread(w);
    program(w, fd);
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0 }, { reg_num: 1 }]), 2)).toEqual(ok(0));
    const before = readCost(w, fd);
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    expect(readCost(w, fd)).toBe(before);
  });
});

describe('sessions and detach', () => {
  it('closing an unloaded context leaves the session counts alone', () => {
    const w = testWorld();
    w.g.close(w.ctx());
    w.g.close(w.ctx(PFM_FL_SYSTEM_WIDE));
    expect(w.s.sysfs.read('task_sessions_count')).toEqual(ok('0'));
    expect(w.load(w.ctx(), w.t.tid)).toEqual(ok(0));
    expect(w.s.sysfs.read('task_sessions_count')).toEqual(ok('1'));
  });

  it('unloading a system-wide context ends its session: per-thread loads work again', () => {
    const w = testWorld();
    const sw = w.ctx(PFM_FL_SYSTEM_WIDE);
    expect(w.load(sw, 0)).toEqual(ok(0));
    expect(w.g.pfm_unload_context(sw)).toEqual(ok(0));
    expect(w.s.sysfs.read('sys_sessions_count')).toEqual(ok('0'));
    expect(w.load(w.ctx(), w.t.tid)).toEqual(ok(0));
  });

  it('after an unload the thread is free for another context and no longer counted', () => {
    const w = testWorld();
    const fd = w.ctx();
    program(w, fd);
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0 }]), 1)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 100);
    expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
    expect(w.s.sysfs.read('task_sessions_count')).toEqual(ok('0'));
    w.s.runSync(w.t, loop, 100);
    expect(readPmd(w, fd, 0).reg_value).toBe(100n);
    expect(w.load(w.ctx(), w.t.tid)).toEqual(ok(0));
  });

  it('close: a MASKED context attached elsewhere becomes a zombie, freed (session included) at that thread’s exit', () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    const { fd, target } = onOtherThread(w);
    program(w, fd);
    const pmds = w.pmds([{ reg_num: 0, reg_value: NEG(100n), reg_flags: PFM_REGFL_OVFL_NOTIFY }]);
    expect(w.g.pfm_write_pmds(fd, pmds, 1)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(target, loop, 200);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(w.g.close(fd)).toEqual(ok(0));
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_ZOMBIE);
    expect(w.s.sysfs.read('task_sessions_count')).toEqual(ok('1'));
    w.s.k.exitThread(target);
    expect(w.s.contexts).toEqual([]);
    expect(w.s.sysfs.read('task_sessions_count')).toEqual(ok('0'));
    expect(w.s.k.mem.liveObjectsSince(base)).toEqual([]);
  });

  it('close of a self-monitoring or system-wide context frees it at once', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.close(fd)).toEqual(ok(0));
    const sw = w.ctx(PFM_FL_SYSTEM_WIDE);
    expect(w.load(sw, 0)).toEqual(ok(0));
    expect(w.g.close(sw)).toEqual(ok(0));
    expect(w.s.contexts).toEqual([]);
    expect(w.s.sysfs.read('sys_sessions_count')).toEqual(ok('0'));
  });

  it('unloading wakes a NOTIFY_BLOCK target blocked at its overflow', () => {
    const w = testWorld({ cpus: 2 });
    const { fd, target } = onOtherThread(w, PFM_FL_NOTIFY_BLOCK, 1);
    program(w, fd);
    const pmds = w.pmds([{ reg_num: 0, reg_value: NEG(1000n), reg_flags: PFM_REGFL_OVFL_NOTIFY }]);
    expect(w.g.pfm_write_pmds(fd, pmds, 1)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.ptraceDetach(target);
    const events: string[] = [];
    target.body = (function* (t: Thread): KGen<void> {
      yield* w.s.run(t, loop, 3000);
      events.push('target done');
    })(target);
    const msg = w.buf(56);
    w.t.body = (function* (t: Thread): KGen<void> {
      events.push(`msg ${yield* w.s.sys.read(t, fd, msg, 56)}`);
      w.s.ptraceAttach(t, target);
      events.push(`unload ${yield* w.s.sys.pfm_unload_context(t, fd)}`);
      w.s.ptraceDetach(target);
    })(w.t);
    expect(w.s.k.run({ kind: 'round-robin' }).deadlock).toBe(false);
    expect(events).toEqual(['msg 56', 'unload 0', 'target done']);
    expect(readPmd(w, fd, 0).reg_value).toBe(0n); // stopped at the overflow, never restarted
  });
});

describe('thread exit', () => {
  it('another thread exiting leaves the context alone', () => {
    const w = testWorld();
    const { fd } = onOtherThread(w);
    w.s.k.exitThread(w.s.thread(w.p, 'bystander'));
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_LOADED);
    expect(w.g.poll(fd)).toBe(0);
  });

  it('PFM_MSG_END: pid field = tid, tid field = tgid, the CPU and the active set; also from MASKED', () => {
    const w = testWorld({ cpus: 2 });
    const fd = w.ctx();
    const sd = w.buf(64);
    encodePfargVector(
      'setdesc',
      w.p.mm.dataView(sd, 64, true),
      0,
      [createPfargSetdesc({ set_id: 258 })],
      w.s.abi,
    );
    expect(w.g.pfm_create_evtsets(fd, sd, 1)).toEqual(ok(0));
    const target = w.s.thread(w.p, 'target', undefined, 1);
    w.s.ptraceAttach(w.t, target);
    expect(w.load(fd, target.tid, 258)).toEqual(ok(0));
    w.s.k.exitThread(target);
    const end = readMsg(w, fd);
    expect(end.getUint32(0, true)).toBe(2);
    expect(end.getUint32(4, true)).toBe(target.tid);
    expect(end.getUint32(44, true)).toBe(w.p.pid);
    expect(end.getUint16(42, true)).toBe(1);
    expect(end.getUint16(40, true)).toBe(258);

    const m = testWorld();
    const { fd: mfd, target: mt } = onOtherThread(m);
    program(m, mfd);
    const pmds = m.pmds([{ reg_num: 0, reg_value: NEG(100n), reg_flags: PFM_REGFL_OVFL_NOTIFY }]);
    expect(m.g.pfm_write_pmds(mfd, pmds, 1)).toEqual(ok(0));
    expect(m.g.pfm_start(mfd)).toEqual(ok(0));
    m.s.runSync(mt, loop, 200);
    expect(m.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    m.s.k.exitThread(mt);
    expect(m.s.contexts[0]!.state).toBe(PFM_CTX_UNLOADED);
    expect(readMsg(m, mfd).getUint32(0, true)).toBe(1);
    expect(readMsg(m, mfd).getUint32(0, true)).toBe(2);
  });

  it('a full queue drops PFM_MSG_END silently (Q14: 8 slots in v2.3, 7 in v2.2)', () => {
    for (const [abi, slots] of [
      ['v2.3', 8],
      ['v2.2', 7],
    ] as const) {
      const w = testWorld({ abi });
      const fd = w.ctx();
      program(w, fd);
      const pmds = w.pmds([
        { reg_num: 0, reg_value: NEG(100n), reg_long_reset: NEG(100n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
      ]);
      expect(w.g.pfm_write_pmds(fd, pmds, 1)).toEqual(ok(0));
      const reader = w.s.thread(w.p, 'reader');
      expect(w.load(fd, w.t.tid)).toEqual(ok(0));
      expect(w.g.pfm_start(fd)).toEqual(ok(0));
      for (let i = 0; i < slots + 2; i++) {
        w.s.runSync(w.t, loop, 150);
        expect(w.g.pfm_restart(fd)).toEqual(ok(0));
      }
      w.s.k.exitThread(w.t);
      const rg = w.s.gate(reader);
      const types: number[] = [];
      const m = w.buf(56);
      rg.read(fd, m, 56);
      w.s.sys.setNonblock(reader, fd, true);
      for (let r = rg.read(fd, m, 56); r.ok; r = rg.read(fd, m, 56))
        types.push(w.p.mm.dataView(m, 56, false).getUint32(0, true));
      expect(types.length, abi).toBe(slots - 1);
      expect(types.every((x) => x === 1)).toBe(true); // overflow messages only: END was dropped
      expect(rg.read(fd, m, 56)).toEqual(fail(EAGAIN));
    }
  });
});

describe('overflow handling on any counter', () => {
  it('an overflow of pmd1 notifies with bit 1 of msg_ovfl_pmds', () => {
    const w = testWorld();
    const fd = w.ctx();
    program(w, fd);
    const pmds = w.pmds([
      { reg_num: 0 },
      { reg_num: 1, reg_value: NEG(800n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
    ]);
    expect(w.g.pfm_write_pmds(fd, pmds, 2)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 2000);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(readMsg(w, fd).getUint32(8, true)).toBe(0b10);
    expect(readPmd(w, fd, 0).reg_value).toBe(1000n); // masked at 1000 cycles, 800 instructions
  });

  it('REGFL_RANDOM subtracts (random & reg_random_mask) from the reset value, borrowing from the high word', () => {
    const reset = (value: bigint, mask: bigint, overflows: number, flags = PFM_REGFL_RANDOM) => {
      const w = testWorld({ seed: 7 });
      const fd = w.ctx();
      program(w, fd);
      const pmd = {
        reg_num: 0,
        reg_value: NEG(100n),
        reg_short_reset: value,
        reg_flags: flags,
        reg_random_mask: mask,
      };
      expect(w.g.pfm_write_pmds(fd, w.pmds([pmd]), 1)).toEqual(ok(0));
      expect(w.load(fd, w.t.tid)).toEqual(ok(0));
      expect(w.g.pfm_start(fd)).toEqual(ok(0));
      const seen: bigint[] = [];
      w.s.runSync(w.t, loop, 100);
      seen.push(readPmd(w, fd, 0).reg_last_reset_val);
      for (let i = 1; i < overflows; i++) {
        // the counter restarted from the last reset value: run it to its next overflow
        w.s.runSync(w.t, loop, Number((1n << 64n) - seen[i - 1]!));
        seen.push(readPmd(w, fd, 0).reg_last_reset_val);
      }
      return seen;
    };
    // mask 0: nothing subtracted, no borrow, also from a low word of 0
    expect(reset(NEG(1n << 32n), 0n, 1)).toEqual([NEG(1n << 32n)]);
    expect(reset(NEG(50n), 0n, 1)).toEqual([NEG(50n)]);
    // a mask without PFM_REGFL_RANDOM: the exact reset value
    expect(reset(NEG(50n), 0xffn, 2, 0)).toEqual([NEG(50n), NEG(50n)]);
    const base = NEG((1n << 32n) - 5n); // low word 5: most draws borrow from the high word
    const values = reset(base, 0xffn, 4);
    for (const v of values) {
      expect(v).toBeLessThanOrEqual(base);
      expect(v).toBeGreaterThanOrEqual(base - 0xffn);
    }
    expect(values.some((v) => v < base - 5n)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(1);
  });
});

describe('system-wide monitoring', () => {
  it('counts every thread on its CPU while loaded, none on other CPUs, none once unloaded', () => {
    const w = testWorld({ cpus: 2 });
    w.ctx(); // ahead of it in the list: an unloaded per-thread context and an unloaded system-wide one
    const sw1 = w.ctx(PFM_FL_SYSTEM_WIDE);
    const sw = w.ctx(PFM_FL_SYSTEM_WIDE);
    program(w, sw);
    expect(w.g.pfm_write_pmds(sw, w.pmds([{ reg_num: 0 }]), 1)).toEqual(ok(0));
    expect(w.load(sw, 0)).toEqual(ok(0));
    expect(w.g.pfm_start(sw)).toEqual(ok(0));
    program(w, sw1);
    expect(w.g.pfm_write_pmds(sw1, w.pmds([{ reg_num: 0 }]), 1)).toEqual(ok(0));
    const other = w.s.process({ uid: 2000 });
    w.s.runSync(w.s.thread(other, 'on-cpu0', undefined, 0), loop, 300);
    w.s.runSync(w.s.thread(other, 'on-cpu1', undefined, 1), loop, 5000);
    w.s.runSync(w.t, loop, 200);
    expect(w.g.pfm_stop(sw)).toEqual(ok(0));
    expect(readPmd(w, sw, 0).reg_value).toBe(500n);
    expect(readPmd(w, sw1, 0).reg_value).toBe(0n);
    expect(w.g.pfm_unload_context(sw)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 200);
    expect(readPmd(w, sw, 0).reg_value).toBe(500n);
  });
});

describe('system-wide monitoring on several CPUs', () => {
  it('one context per CPU: each counts only the threads on its CPU; one unloaded ahead of them counts nothing', () => {
    const w = testWorld({ cpus: 2 });
    const g1 = w.s.gate(w.s.thread(w.p, 'loader-cpu1', undefined, 1));
    const unloaded = w.ctx(PFM_FL_SYSTEM_WIDE); // first in the list: loaded on CPU 1, then unloaded
    const cpu1 = w.ctx(PFM_FL_SYSTEM_WIDE);
    const cpu0 = w.ctx(PFM_FL_SYSTEM_WIDE);
    for (const fd of [unloaded, cpu1, cpu0]) {
      program(w, fd);
      expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0 }]), 1)).toEqual(ok(0));
    }
    expect(w.load(unloaded, 1, 0, g1)).toEqual(ok(0));
    expect(g1.pfm_start(unloaded)).toEqual(ok(0));
    expect(g1.pfm_unload_context(unloaded)).toEqual(ok(0));
    expect(w.load(cpu1, 1, 0, g1)).toEqual(ok(0));
    expect(g1.pfm_start(cpu1)).toEqual(ok(0));
    expect(w.load(cpu0, 0)).toEqual(ok(0));
    expect(w.g.pfm_start(cpu0)).toEqual(ok(0));
    const other = w.s.process({ uid: 2000 });
    w.s.runSync(w.s.thread(other, 'on-cpu0', undefined, 0), loop, 300);
    w.s.runSync(w.s.thread(other, 'on-cpu1', undefined, 1), loop, 5000);
    expect(readPmd(w, cpu0, 0).reg_value).toBe(300n);
    expect(readPmd(w, cpu1, 0, 0, g1).reg_value).toBe(5000n);
    expect(readPmd(w, unloaded, 0).reg_value).toBe(0n);
  });
});

describe('messages', () => {
  it('one queued with no thread (interrupt context) names none: its pid, tid and CPU fields are 0', () => {
    const w = testWorld();
    const fd = w.ctx();
    w.s.queueMessage(w.s.contexts[0]!, PFM_MSG_END, null);
    const msg = readMsg(w, fd);
    expect(msg.getUint32(0, true)).toBe(PFM_MSG_END);
    expect([msg.getUint32(4, true), msg.getUint32(44, true), msg.getUint16(42, true)]).toEqual([0, 0, 0]);
  });
});

describe('O_ASYNC delivery', () => {
  it('SIGIO waits for its owner: another monitored thread returning to user mode first does not take it', () => {
    const w = testWorld();
    const fd = w.ctx();
    program(w, fd);
    const pmds = w.pmds([{ reg_num: 0, reg_value: NEG(100n), reg_flags: PFM_REGFL_OVFL_NOTIFY }]);
    expect(w.g.pfm_write_pmds(fd, pmds, 1)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 300); // overflow: a message queued
    const ran: Thread[] = [];
    expect(w.s.sys.setAsync(w.t, fd, (t) => ran.push(t))).toBe(0);
    const other = w.s.thread(w.p, 'other');
    const own = w.ctx(); // the other thread monitors itself, started: it checks for signals as it runs
    program(w, own);
    expect(w.load(own, other.tid, 0, w.s.gate(other))).toEqual(ok(0));
    expect(w.s.gate(other).pfm_start(own)).toEqual(ok(0));
    w.s.runSync(other, loop, 100);
    expect(ran).toEqual([]);
    w.s.runSync(w.t, loop, 100);
    expect(ran).toEqual([w.t]);
  });

  it('SIGIO runs in the owner only, once per message; a handler that restarts resumes counting at once', () => {
    const w = testWorld();
    const fd = w.ctx();
    program(w, fd);
    const pmds = w.pmds([
      { reg_num: 0, reg_value: NEG(100n), reg_long_reset: NEG(1000n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
    ]);
    expect(w.g.pfm_write_pmds(fd, pmds, 1)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 300); // overflow at 100 cycles: masked, message queued
    const ran: Thread[] = [];
    expect(
      w.s.sys.setAsync(w.t, fd, (t) => {
        ran.push(t);
        readMsg(w, fd);
        expect(w.g.pfm_restart(fd)).toEqual(ok(0));
      }),
    ).toBe(0);
    w.s.runSync(w.s.thread(w.p, 'not-the-owner'), loop, 100);
    expect(ran).toEqual([]);
    w.s.runSync(w.t, loop, 400);
    expect(ran).toEqual([w.t]);
    expect(readPmd(w, fd, 0).reg_value).toBe(NEG(1000n) + 400n);
  });
});

describe('argument buffers pinned per user', () => {
  it('a caching strategy pins its buffer to the context owner until the context is closed', () => {
    const w = testWorld({ strategy: createStrategy('ctx-cache') });
    const fd = w.ctx();
    expect(w.s.pinnedArgBytes(1000)).toBe(0);
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0 }, { reg_num: 1 }]), 2)).toEqual(ok(0));
    expect(w.s.pinnedArgBytes(1000)).toBeGreaterThanOrEqual(2 * w.s.abi.sizes.pmd);
    expect(w.s.pinnedArgBytes(0)).toBe(0);
    expect(w.g.close(fd)).toEqual(ok(0));
    expect(w.s.pinnedArgBytes(1000)).toBe(0);
  });

  it('a new context starts with an empty cache slot, also when it reuses a freed context’s memory', () => {
    const w = testWorld({ strategy: createStrategy('ctx-cache') });
    const base = w.s.k.mem.snapshot();
    for (let i = 0; i < 3; i++) {
      const fd = w.ctx();
      expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0, reg_value: BigInt(i) }]), 1)).toEqual(ok(0));
      expect(readPmd(w, fd, 0).reg_value).toBe(BigInt(i));
      expect(w.g.close(fd)).toEqual(ok(0));
    }
    expect(w.s.k.bugs).toEqual([]);
    expect(w.s.k.mem.liveObjectsSince(base)).toEqual([]);
  });
});

describe('AMD64 Northbridge events', () => {
  it('stay owned by their context until it is freed, whatever other contexts do', () => {
    const w = testWorld({ machine: { arch: 'x86_64', cost: 'k8-2006', pmu: 'amd64-k8' } });
    const nb = (fd: number) =>
      w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 0, reg_value: 0x5300e0n | 0xeen }]), 1);
    const a = w.ctx();
    expect(nb(a)).toEqual(ok(0));
    w.g.close(w.ctx()); // another context comes and goes
    const c = w.ctx();
    expect(nb(c)).toEqual(fail(EBUSY));
    expect(w.g.close(a)).toEqual(ok(0));
    expect(nb(c)).toEqual(ok(0));
  });
});

describe('context locks', () => {
  it('each is ctx<id>->lock, all of one lockdep class: nesting two is reported as possible recursive locking', () => {
    const w = testWorld();
    w.ctx();
    w.ctx();
    const [a, b] = w.s.contexts;
    const sync = w.s.k.sync;
    sync.spinLock(w.t, a!.lock);
    sync.spinLock(w.t, b!.lock);
    sync.spinUnlock(w.t, b!.lock);
    sync.spinUnlock(w.t, a!.lock);
    expect(w.s.k.bugs.map((bug) => bug.message)).toEqual([
      'possible recursive locking: ctx2->lock taken while holding ctx1->lock of the same class ctx->lock',
    ]);
  });
});

describe('race detection', () => {
  it('is on by default: two threads sharing a fd through the broken ctx-cache-naive race on ctx->arg_buf', () => {
    const kinds = (raceDetection?: boolean) => {
      const found = new Set<string>();
      for (let seed = 1; seed <= 20; seed++) {
        const w = testWorld({
          strategy: createStrategy('ctx-cache-naive'),
          seed,
          cpus: 2,
          ...(raceDetection === undefined ? {} : { raceDetection }),
        });
        const fd = w.ctx();
        const u1 = w.pmds([{ reg_num: 0, reg_value: 1n }]);
        const u2 = w.pmds([{ reg_num: 1, reg_value: 2n }]);
        const body = (u: number) =>
          function* (t: Thread): KGen<void> {
            for (let i = 0; i < 3; i++) yield* w.s.sys.pfm_write_pmds(t, fd, u, 1);
          };
        w.t.body = body(u1)(w.t);
        const b = w.s.thread(w.p, 'b', undefined, 1);
        b.body = body(u2)(b);
        w.s.k.run({ kind: 'random' });
        for (const bug of w.s.k.bugs) found.add(bug.kind);
      }
      return found;
    };
    expect(kinds().has('data-race')).toBe(true);
    expect(kinds(false).has('data-race')).toBe(false);
  }, 30_000);
});
