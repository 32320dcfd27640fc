import { type KGen, PROT_READ, type Thread } from '@pfmsim/kernel-sim';
import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  PFM_CTX_LOADED,
  PFM_CTX_MASKED,
  PFM_CTX_UNLOADED,
  PFM_FL_NOTIFY_BLOCK,
  PFM_FL_SYSTEM_WIDE,
  PFM_REGFL_OVFL_NOTIFY,
  PFM_RW_PMD,
  PFM_SETFL_EXPL_NEXT,
  PFM_SETFL_OVFL_SWITCH,
  PFM_ST_START,
} from './abi/constants.js';
import { Errno, fail, ok } from './abi/errno.js';
import {
  createPfargSetdesc,
  createPfargSetinfo,
  createPfargStart,
  decodePfargVector,
  encodePfarg,
  encodePfargVector,
  type PfargSetdesc,
} from './abi/structs.js';
import { workloadFromEvents } from './core/workload.js';
import { type TestWorld, testWorld } from './test-util.js';

const { EINVAL, EBADF, EFAULT, EBUSY, ESRCH, EPERM, ENOSYS, EMFILE } = Errno;

const loop = workloadFromEvents(getModel('intel-p6'), 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });
const NEG = (n: bigint) => (1n << 64n) - n;
/** perfmon_dfl_smpl.h PFM_DFL_SMPL_UUID (the v2.2 default format). */
const DFL_SMPL_UUID = [
  0xd1, 0x39, 0xb2, 0x9e, 0x62, 0xe8, 0x40, 0xe4, 0xb4, 0x02, 0x73, 0x07, 0x87, 0x92, 0xe9, 0x37,
];

/** A v2.2 pfarg_ctx (128 B) in user memory: UUID, flags, and a byte pattern in ctx_reserved3. */
function ctx22(w: TestWorld, opts: { uuid?: number[]; flags?: number; smplBufSize?: bigint } = {}): number {
  const u = w.buf(128);
  const v = w.p.mm.dataView(u, 128, true);
  (opts.uuid ?? []).forEach((b, i) => {
    v.setUint8(i, b);
  });
  v.setUint32(16, opts.flags ?? 0, true);
  v.setInt32(20, -1, true);
  v.setBigUint64(24, opts.smplBufSize ?? 0n, true);
  for (let i = 32; i < 128; i++) v.setUint8(i, i);
  return u;
}

function setdescs(w: TestWorld, descs: Partial<PfargSetdesc>[]): number {
  const size = w.s.abi.sizes.setdesc;
  const u = w.buf(descs.length * size);
  encodePfargVector(
    'setdesc',
    w.p.mm.dataView(u, descs.length * size, true),
    0,
    descs.map((d) => createPfargSetdesc(d)),
    w.s.abi,
  );
  return u;
}

/** set_runs of each set, from pfm_getinfo_evtsets. */
function runs(w: TestWorld, fd: number, ids: number[]): bigint[] {
  const size = w.s.abi.sizes.setinfo;
  const u = w.buf(ids.length * size);
  const v = w.p.mm.dataView(u, ids.length * size, true);
  encodePfargVector(
    'setinfo',
    v,
    0,
    ids.map((set_id) => createPfargSetinfo({ set_id })),
    w.s.abi,
  );
  expect(w.g.pfm_getinfo_evtsets(fd, u, ids.length)).toEqual(ok(0));
  return decodePfargVector('setinfo', v, 0, ids.length, w.s.abi).map((i) => i.set_runs);
}

function startArg(w: TestWorld, set: number): number {
  const u = w.buf(w.s.abi.sizes.start);
  encodePfarg(
    'start',
    w.p.mm.dataView(u, w.s.abi.sizes.start, true),
    0,
    createPfargStart({ start_set: set }),
    w.s.abi,
  );
  return u;
}

/** pmd0 counts cycles (PERFEVTSEL0 = CPU_CLK_UNHALTED, user + OS, enabled). */
function cycles(w: TestWorld, fd: number, set = 0): void {
  expect(w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 0, reg_set: set, reg_value: 0x530079n }]), 1)).toEqual(
    ok(0),
  );
}

function readPmd(w: TestWorld, fd: number, reg_num: number, reg_set = 0): bigint {
  const r = w.pmds([{ reg_num, reg_set }]);
  expect(w.g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
  return w.readPmds(r, 1)[0]!.reg_value;
}

/** A self-monitoring context whose pmd0 (OVFL_NOTIFY) overflowed after 1000 cycles: MASKED. */
function masked(opts = {}, flags = 0) {
  const w = testWorld(opts);
  const fd = w.ctx(flags);
  cycles(w, fd);
  const pmds = w.pmds([
    {
      reg_num: 0,
      reg_value: NEG(1000n),
      reg_long_reset: NEG(1000n),
      reg_short_reset: NEG(1000n),
      reg_flags: PFM_REGFL_OVFL_NOTIFY,
    },
  ]);
  expect(w.g.pfm_write_pmds(fd, pmds, 1)).toEqual(ok(0));
  expect(w.load(fd, w.t.tid)).toEqual(ok(0));
  expect(w.g.pfm_start(fd)).toEqual(ok(0));
  w.s.runSync(w.t, loop, 1500);
  expect(w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
  return { w, fd };
}

describe('pfm_create_context v2.2: the 128-byte pfarg_ctx', () => {
  it('a non-null ctx_smpl_buf_id names a sampling format; none is registered: EINVAL, no fd used', () => {
    const w = testWorld({ abi: 'v2.2' });
    const first = Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0));
    const last = Array.from({ length: 16 }, (_, i) => (i === 15 ? 1 : 0));
    for (const uuid of [DFL_SMPL_UUID, first, last]) {
      expect(w.g.pfm_create_context(ctx22(w, { uuid }))).toEqual(fail(EINVAL));
    }
    expect(w.s.contexts).toEqual([]);
    expect(w.ctx()).toBe(0); // the failed calls left the fd table untouched
  });

  it('the format is looked up before the group check (EINVAL before EPERM)', () => {
    const w = testWorld({ abi: 'v2.2' });
    expect(w.s.sysfs.write('task_group', '42')).toEqual(ok());
    expect(w.g.pfm_create_context(ctx22(w, { uuid: DFL_SMPL_UUID }))).toEqual(fail(EINVAL));
    expect(w.g.pfm_create_context(ctx22(w))).toEqual(fail(EPERM));
  });

  it('returns 0 and copies the request back with ctx_fd and ctx_smpl_buf_size 0 (no buffer)', () => {
    const w = testWorld({ abi: 'v2.2' });
    for (const fd of [0, 1]) {
      const u = ctx22(w, { smplBufSize: 0x1234n });
      const before = w.p.mm.dataView(u, 128, false);
      const reserved = Array.from({ length: 96 }, (_, i) => before.getUint8(32 + i));
      expect(w.g.pfm_create_context(u)).toEqual(ok(0));
      const v = w.p.mm.dataView(u, 128, false);
      expect(v.getInt32(20, true)).toBe(fd);
      expect(v.getBigUint64(24, true)).toBe(0n);
      expect(v.getUint32(16, true)).toBe(0);
      expect(Array.from({ length: 96 }, (_, i) => v.getUint8(32 + i))).toEqual(reserved);
    }
  });

  it('a copy-back fault is EFAULT and undoes the fd and the context', () => {
    const w = testWorld({ abi: 'v2.2' });
    const base = w.s.k.mem.snapshot();
    const u = ctx22(w);
    w.p.mm.mprotect(u, 128, PROT_READ);
    expect(w.g.pfm_create_context(u)).toEqual(fail(EFAULT));
    expect(w.g.close(0)).toEqual(fail(EBADF));
    expect(w.s.contexts).toEqual([]);
    expect(w.s.k.mem.liveObjectsSince(base)).toEqual([]);
    expect(w.ctx()).toBe(0);
  });

  it('v2.3 copies nothing back: a read-only pfarg_ctx works and bytes 4-63 are not a UUID', () => {
    const w = testWorld();
    const u = w.buf(64);
    const v = w.p.mm.dataView(u, 64, true);
    for (let i = 4; i < 64; i++) v.setUint8(i, 0xff);
    w.p.mm.mprotect(u, 64, PROT_READ);
    expect(w.g.pfm_create_context(u)).toEqual(ok(0));
  });

  it('reads ctx_flags at offset 16: SYSTEM_WIDE binds to the CPU, with NOTIFY_BLOCK it is EINVAL', () => {
    const w = testWorld({ abi: 'v2.2', cpus: 2 });
    expect(w.g.pfm_create_context(ctx22(w, { flags: PFM_FL_SYSTEM_WIDE | PFM_FL_NOTIFY_BLOCK }))).toEqual(
      fail(EINVAL),
    );
    const u = ctx22(w, { flags: PFM_FL_SYSTEM_WIDE });
    expect(w.g.pfm_create_context(u)).toEqual(ok(0));
    const fd = w.p.mm.dataView(u, 128, false).getInt32(20, true);
    expect(w.load(fd, 0)).toEqual(ok(0));
    expect(w.s.sysfs.read('sys_sessions_count')).toEqual(ok('1'));
  });
});

describe('pfm_create_context: sys_group and task_group', () => {
  it('a member of the group and root may create; others get EPERM', () => {
    const w = testWorld();
    expect(w.s.sysfs.write('task_group', '42')).toEqual(ok());
    expect(w.g.pfm_create_context(w.buf(64))).toEqual(fail(EPERM));
    const member = w.s.process({ uid: 1000, gid: 42 });
    expect(w.s.gate(w.s.thread(member, 'member')).pfm_create_context(member.mm.mmap(64))).toEqual(ok(0));
    const root = w.s.process({ uid: 0, gid: 7 });
    expect(w.s.gate(w.s.thread(root, 'root')).pfm_create_context(root.mm.mmap(64))).toEqual(ok(0));
  });

  it('sys_group governs system-wide contexts only', () => {
    const w = testWorld();
    expect(w.s.sysfs.write('sys_group', '42')).toEqual(ok());
    expect(() => w.ctx(PFM_FL_SYSTEM_WIDE)).toThrow(`errno ${EPERM}`);
    expect(w.ctx()).toBe(0);
  });
});

describe('vector calls with count 0', () => {
  it('return 0 whatever the context state (§3.1: nothing copied, nothing processed)', () => {
    const w = testWorld({ cpus: 2 });
    const sw = w.ctx(PFM_FL_SYSTEM_WIDE);
    expect(w.load(sw, 0)).toEqual(ok(0));
    const cpu1 = w.s.gate(w.s.thread(w.p, 'cpu1', undefined, 1));
    expect(cpu1.pfm_read_pmds(sw, w.pmds([{ reg_num: 0 }]), 1)).toEqual(fail(EBUSY)); // a real call's state check
    expect(cpu1.pfm_read_pmds(sw, 0, 0)).toEqual(ok(0));
    expect(cpu1.pfm_write_pmcs(sw, 0, 0)).toEqual(ok(0));
    expect(cpu1.pfm_create_evtsets(sw, 0, 0)).toEqual(ok(0));
  });
});

describe('pfm_load_context', () => {
  it('v2.3 copies pfarg_load first: a readable argument on a bad fd is EBADF; v2.2 the reverse', () => {
    const w = testWorld();
    const u = w.buf(32);
    expect(w.g.pfm_load_context(9, u)).toEqual(fail(EBADF));
    const v = testWorld({ abi: 'v2.2' });
    const fd = v.ctx();
    expect(v.g.pfm_load_context(fd, 0)).toEqual(fail(EFAULT));
  });

  it('takes one file reference in either order: close after a load frees the context', () => {
    for (const abi of ['v2.2', 'v2.3'] as const) {
      const w = testWorld({ abi });
      const base = w.s.k.mem.snapshot();
      const fd = w.ctx();
      expect(w.load(fd, w.t.tid)).toEqual(ok(0));
      expect(w.g.close(fd)).toEqual(ok(0));
      expect(w.s.contexts).toEqual([]);
      expect(w.s.sysfs.read('task_sessions_count')).toEqual(ok('0'));
      expect(w.s.k.mem.liveObjectsSince(base)).toEqual([]);
    }
  });

  it('load_set picks the first active set', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.g.pfm_create_evtsets(fd, setdescs(w, [{ set_id: 1 }]), 1)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid, 1)).toEqual(ok(0));
    expect(runs(w, fd, [0, 1])).toEqual([0n, 1n]);
  });

  it('Q9: an EXPL_NEXT set whose set_id_next names no set is an invalid chain (EINVAL)', () => {
    for (const flags of [0, PFM_FL_SYSTEM_WIDE]) {
      const w = testWorld();
      const fd = w.ctx(flags);
      const pid = flags ? 0 : w.t.tid;
      // a dangling set_id_next without EXPL_NEXT is never followed
      expect(w.g.pfm_create_evtsets(fd, setdescs(w, [{ set_id: 1, set_id_next: 9 }]), 1)).toEqual(ok(0));
      expect(
        w.g.pfm_create_evtsets(
          fd,
          setdescs(w, [{ set_id: 2, set_id_next: 1, set_flags: PFM_SETFL_EXPL_NEXT }]),
          1,
        ),
      ).toEqual(ok(0));
      const chain = setdescs(w, [{ set_id: 3, set_id_next: 9, set_flags: PFM_SETFL_EXPL_NEXT }]);
      expect(w.g.pfm_create_evtsets(fd, chain, 1)).toEqual(ok(0));
      expect(w.load(fd, pid)).toEqual(fail(EINVAL));
      expect(w.g.pfm_create_evtsets(fd, setdescs(w, [{ set_id: 9 }]), 1)).toEqual(ok(0));
      expect(w.load(fd, pid)).toEqual(ok(0));
    }
  });

  it('system-wide: EINVAL for a missing load_set; EBUSY while a per-thread session or another system-wide session on the CPU is loaded', () => {
    const w = testWorld({ cpus: 2 });
    const sw = w.ctx(PFM_FL_SYSTEM_WIDE);
    expect(w.load(sw, 0, 5)).toEqual(fail(EINVAL));
    const task = w.ctx();
    expect(w.load(task, w.t.tid)).toEqual(ok(0));
    expect(w.load(sw, 0)).toEqual(fail(EBUSY));
    expect(w.g.pfm_unload_context(task)).toEqual(ok(0));
    expect(w.load(sw, 0)).toEqual(ok(0));
    const sw2 = w.ctx(PFM_FL_SYSTEM_WIDE);
    expect(w.load(sw2, 0)).toEqual(fail(EBUSY));
    const cpu1 = w.s.gate(w.s.thread(w.p, 'cpu1', undefined, 1));
    expect(cpu1.pfm_load_context(sw2, w.buf(32))).toEqual(fail(EINVAL)); // load_pid 0, caller on CPU 1
    const arg = w.buf(32);
    w.p.mm.dataView(arg, 32, true).setUint32(0, 1, true);
    expect(cpu1.pfm_load_context(sw2, arg)).toEqual(ok(0));
    expect(w.s.sysfs.read('sys_sessions_count')).toEqual(ok('2'));
  });

  it('another thread: root may attach to any uid; the target must be traced by the caller and stopped', () => {
    const w = testWorld();
    const rp = w.s.process({ uid: 0 });
    const root = w.s.thread(rp, 'root');
    const rg = w.s.gate(root);
    expect(rg.pfm_create_context(rp.mm.mmap(64))).toEqual(ok(0));
    const loadArg = (pid: number) => {
      const a = rp.mm.mmap(32);
      rp.mm.dataView(a, 32, true).setUint32(0, pid, true);
      return a;
    };
    const victim = w.s.thread(w.s.process({ uid: 2000 }), 'victim');
    victim.tracer = root; // traced by root but running
    expect(rg.pfm_load_context(0, loadArg(victim.tid))).toEqual(fail(ESRCH));
    victim.tracer = w.t; // stopped, but traced by someone else
    victim.stopped = true;
    expect(rg.pfm_load_context(0, loadArg(victim.tid))).toEqual(fail(ESRCH));
    w.s.ptraceAttach(root, victim);
    expect(rg.pfm_load_context(0, loadArg(victim.tid))).toEqual(ok(0));
  });
});

describe('pfm_start', () => {
  it('EBADF for a bad fd, also with a bad pfarg_start pointer; EFAULT for a bad pointer, before any state check', () => {
    const w = testWorld();
    expect(w.g.pfm_start(99)).toEqual(fail(EBADF));
    expect(w.g.pfm_start(99, 0x7000)).toEqual(fail(EBADF));
    const fd = w.ctx();
    expect(w.g.pfm_start(fd, 0x7000)).toEqual(fail(EFAULT)); // unloaded: EINVAL without the argument
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd, 0x7000)).toEqual(fail(EFAULT));
    expect(w.s.contexts[0]!.started).toBe(false);
  });

  it('a start_set that names no set is EINVAL and nothing starts', () => {
    const w = testWorld();
    const fd = w.ctx();
    cycles(w, fd);
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0 }]), 1)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd, startArg(w, 3))).toEqual(fail(EINVAL));
    w.s.runSync(w.t, loop, 1000);
    expect(readPmd(w, fd, 0)).toBe(0n);
  });

  it('start_set switches to that set; starting the active set does not switch', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.g.pfm_create_evtsets(fd, setdescs(w, [{ set_id: 1 }, { set_id: 256 }]), 2)).toEqual(ok(0));
    cycles(w, fd, 0);
    cycles(w, fd, 1);
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0 }, { reg_num: 0, reg_set: 1 }]), 2)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd, startArg(w, 1))).toEqual(ok(0));
    w.s.runSync(w.t, loop, 1000);
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    expect(w.g.pfm_start(fd, startArg(w, 1))).toEqual(ok(0));
    w.s.runSync(w.t, loop, 500);
    expect(w.g.pfm_start(fd, startArg(w, 0))).toEqual(ok(0));
    w.s.runSync(w.t, loop, 200);
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    expect([readPmd(w, fd, 0, 0), readPmd(w, fd, 0, 1)]).toEqual([200n, 1500n]);
    expect(runs(w, fd, [0, 1, 256])).toEqual([2n, 1n, 0n]);
  });

  it('a start_set switch applies the long reset to the PMDs of that set which overflowed', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(
      w.g.pfm_create_evtsets(fd, setdescs(w, [{ set_id: 1, set_flags: PFM_SETFL_OVFL_SWITCH }]), 1),
    ).toEqual(ok(0));
    cycles(w, fd, 0);
    cycles(w, fd, 1);
    const pmds = w.pmds([
      { reg_num: 0 },
      {
        reg_num: 0,
        reg_set: 1,
        reg_value: NEG(1000n),
        reg_short_reset: NEG(1000n),
        reg_long_reset: NEG(7n),
        reg_ovfl_switch_cnt: 1n,
      },
    ]);
    expect(w.g.pfm_write_pmds(fd, pmds, 2)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd, startArg(w, 1))).toEqual(ok(0));
    w.s.runSync(w.t, loop, 1500); // set 1 overflows at 1000 cycles, short reset, switch to set 0
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    expect(readPmd(w, fd, 0, 1)).toBe(NEG(1000n));
    expect(readPmd(w, fd, 0, 0)).toBe(500n);
    expect(w.g.pfm_start(fd, startArg(w, 1))).toEqual(ok(0));
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    expect(readPmd(w, fd, 0, 1)).toBe(NEG(7n));
  });

  it('on another thread the target must be ptrace-stopped (ESRCH)', () => {
    const w = testWorld();
    const fd = w.ctx();
    const other = w.s.thread(w.p, 'target');
    w.s.ptraceAttach(w.t, other);
    expect(w.load(fd, other.tid)).toEqual(ok(0));
    w.s.ptraceDetach(other);
    expect(w.g.pfm_start(fd)).toEqual(fail(ESRCH));
    expect(w.g.pfm_stop(fd)).toEqual(fail(ESRCH));
    expect(w.g.pfm_unload_context(fd)).toEqual(fail(ESRCH));
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_LOADED);
    w.s.ptraceAttach(w.t, other);
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
  });
});

describe('pfm_restart', () => {
  it('NOTIFY_BLOCK on self (Q15 allowed): the thread is not blocked and restarts its own context', () => {
    const { w, fd } = masked({ notifyBlockSelf: 'allow' }, PFM_FL_NOTIFY_BLOCK);
    expect(w.g.poll(fd)).toBe(1);
    expect(w.g.read(fd, w.buf(64), 64)).toEqual(ok(56));
    expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_LOADED);
    w.s.runSync(w.t, loop, 400);
    expect(readPmd(w, fd, 0)).toBe(NEG(1000n) + 400n);
    expect(w.s.k.bugs).toEqual([]);
  });

  it('after an unload the masked context is UNLOADED: restart is EBUSY', () => {
    const { w, fd } = masked();
    expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
    expect(w.g.pfm_restart(fd)).toEqual(fail(EBUSY));
    expect(readPmd(w, fd, 0)).toBe(0n); // no long reset
  });

  it('restart on a LOADED context that was not masked leaves the counters alone', () => {
    const w = testWorld();
    const fd = w.ctx();
    cycles(w, fd);
    const pmds = w.pmds([
      { reg_num: 0, reg_value: NEG(1000n), reg_short_reset: NEG(1000n), reg_long_reset: NEG(5n) },
    ]);
    expect(w.g.pfm_write_pmds(fd, pmds, 1)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 1300); // one overflow, short reset at once
    w.g.pfm_restart(fd);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_LOADED);
    expect(readPmd(w, fd, 0)).toBe(NEG(1000n) + 300n);
  });

  it('a system-wide context is restarted from its CPU only (EBUSY elsewhere)', () => {
    const w = testWorld({ cpus: 2 });
    const fd = w.ctx(PFM_FL_SYSTEM_WIDE);
    expect(w.load(fd, 0)).toEqual(ok(0));
    const cpu1 = w.s.gate(w.s.thread(w.p, 'cpu1', undefined, 1));
    expect(cpu1.pfm_restart(fd)).toEqual(fail(EBUSY));
    expect(cpu1.pfm_unload_context(fd)).toEqual(fail(EBUSY));
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_LOADED);
  });
});

describe('perfmon3 kernel: the v2 calls do not exist', () => {
  it('load, start, unload, restart and the vector calls are ENOSYS', () => {
    const w = testWorld({ abi: 'v3' });
    const fd = w.g.pfm_create(0);
    expect(fd).toEqual(ok(0));
    const u = w.buf(256);
    expect(w.g.pfm_load_context(0, u)).toEqual(fail(ENOSYS));
    expect(w.g.pfm_start(0)).toEqual(fail(ENOSYS));
    expect(w.g.pfm_restart(0)).toEqual(fail(ENOSYS));
    expect(w.g.pfm_unload_context(0)).toEqual(fail(ENOSYS));
    expect(w.g.pfm_write_pmcs(0, u, 1)).toEqual(fail(ENOSYS));
    expect(w.g.pfm_create_evtsets(0, u, 1)).toEqual(fail(ENOSYS));
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_UNLOADED);
    // still so after each perfmon3 call that runs a shared v2 path
    expect(w.g.pfm_write(0, 0, PFM_RW_PMD, u, 16)).toEqual(ok(0));
    expect(w.g.pfm_read_pmds(0, u, 1)).toEqual(fail(ENOSYS));
    expect(w.g.pfm_attach(0, 0, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_stop(0)).toEqual(fail(ENOSYS));
    expect(w.g.pfm_set_state(0, 0, PFM_ST_START)).toEqual(ok(0));
    expect(w.g.pfm_unload_context(0)).toEqual(fail(ENOSYS));
    expect(w.s.contexts[0]!.started).toBe(true);
  });
});

describe('file operations on the context fd', () => {
  it('read(): EBADF for a bad fd, a buffer of exactly 56 bytes is enough, a fault is EFAULT and the message is consumed', () => {
    const w = testWorld();
    expect(w.g.read(99, w.buf(64), 64)).toEqual(fail(EBADF));
    const fd = w.ctx();
    const other = w.s.thread(w.p, 'target');
    w.s.ptraceAttach(w.t, other);
    expect(w.load(fd, other.tid)).toEqual(ok(0));
    w.s.k.exitThread(other); // PFM_MSG_END
    const ro = w.buf(64);
    w.p.mm.mprotect(ro, 64, PROT_READ);
    expect(w.g.read(fd, ro, 56)).toEqual(fail(EFAULT));
    expect(w.g.poll(fd)).toBe(0);
    const again = w.ctx();
    const t2 = w.s.thread(w.p, 'target2');
    w.s.ptraceAttach(w.t, t2);
    expect(w.load(again, t2.tid)).toEqual(ok(0));
    w.s.k.exitThread(t2);
    const m = w.buf(56);
    expect(w.g.read(again, m, 56)).toEqual(ok(56));
    expect(w.p.mm.dataView(m, 56, false).getUint32(0, true)).toBe(2);
  });

  it('poll() on a descriptor that is not open is POLLNVAL', () => {
    const w = testWorld();
    expect(w.g.poll(5)).toBe(32);
  });

  it('dup(): both descriptors name the context; it lives until the last close; EBADF, EMFILE', () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    expect(w.g.dup(3)).toEqual(fail(EBADF));
    const fd = w.ctx();
    const copy = w.g.dup(fd);
    expect(copy).toEqual(ok(1));
    expect(w.g.close(fd)).toEqual(ok(0));
    expect(w.g.pfm_write_pmds(1, w.pmds([{ reg_num: 0, reg_value: 9n }]), 1)).toEqual(ok(0));
    expect(readPmd(w, 1, 0)).toBe(9n);
    expect(w.g.close(1)).toEqual(ok(0));
    expect(w.s.contexts).toEqual([]);
    expect(w.s.k.mem.liveObjectsSince(base)).toEqual([]);
    const v = testWorld();
    v.p.fdLimit = 1;
    expect(v.g.dup(v.ctx())).toEqual(fail(EMFILE));
  });

  it('close() of a descriptor that is not a perfmon file releases that file (if it has a release)', () => {
    const w = testWorld();
    const released: string[] = [];
    const fd = w.s.k.fdInstall(w.p, { kind: 'pipe', release: () => released.push('pipe') });
    expect(w.g.close(fd)).toEqual(ok(0));
    expect(released).toEqual(['pipe']);
    expect(w.g.close(w.s.k.fdInstall(w.p, { kind: 'socket' }))).toEqual(ok(0));
  });

  it('dup() takes the lowest free descriptor, and a failed dup takes no reference', () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    w.ctx();
    const fd = w.ctx();
    expect(w.g.close(0)).toEqual(ok(0));
    expect(w.g.dup(fd)).toEqual(ok(0));
    w.p.fdLimit = 2;
    expect(w.g.dup(fd)).toEqual(fail(EMFILE));
    expect(w.g.close(0)).toEqual(ok(0));
    expect(w.g.close(fd)).toEqual(ok(0));
    expect(w.s.contexts).toEqual([]);
    expect(w.s.k.mem.liveObjectsSince(base)).toEqual([]);
  });

  it('O_ASYNC: SIGIO for a message already queued runs the handler on return to user mode, and only then', () => {
    const w = testWorld();
    const fd = w.ctx();
    cycles(w, fd);
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    let calls = 0;
    expect(w.s.sys.setAsync(w.t, fd, () => calls++)).toBe(0);
    w.s.runSync(w.t, loop, 100); // nothing queued: no signal
    expect(calls).toBe(0);
    expect(w.s.sys.setAsync(w.t, 7, null)).toBe(-EBADF);
    expect(w.s.sys.setNonblock(w.t, 7, true)).toBe(-EBADF);
    expect(w.s.sys.setAsync(w.t, fd, null)).toBe(0);
    const { w: m, fd: mfd } = masked();
    let seen = 0;
    expect(m.s.sys.setAsync(m.t, mfd, () => seen++)).toBe(0); // the message is already queued
    m.s.runSync(m.t, loop, 100);
    expect(seen).toBe(1);
  });
});

describe('preemption points: copies from user space may sleep', () => {
  /** Thread a makes one call under a round-robin scheduler while thread b only logs: the order. */
  function interleaving(setup: (w: TestWorld) => (t: Thread) => KGen<number>): string[] {
    const w = testWorld();
    const call = setup(w);
    const events: string[] = [];
    const b = w.s.thread(w.p, 'b');
    w.t.body = (function* (t: Thread): KGen<void> {
      events.push('a enters');
      events.push(`a returns ${yield* call(t)}`);
    })(w.t);
    // biome-ignore lint/correctness/useYield: b runs to completion in one step
    b.body = (function* (): KGen<void> {
      events.push('b runs');
    })();
    expect(w.s.k.run({ kind: 'round-robin' }).deadlock).toBe(false);
    return events;
  }

  it('read() yields after copying the message out', () => {
    expect(
      interleaving((w) => {
        const fd = w.ctx();
        const other = w.s.thread(w.p, 'target');
        w.s.ptraceAttach(w.t, other);
        expect(w.load(fd, other.tid)).toEqual(ok(0));
        w.s.k.exitThread(other); // queues PFM_MSG_END
        const m = w.buf(56);
        return (t) => w.s.sys.read(t, fd, m, 56);
      }),
    ).toEqual(['a enters', 'b runs', 'a returns 56']);
  });

  it('pfm_create_context, pfm_load_context and pfm_start yield after copying their argument', () => {
    const expected = ['a enters', 'b runs', 'a returns 0'];
    expect(interleaving((w) => (t) => w.s.sys.pfm_create_context(t, w.buf(64)))).toEqual(expected);
    expect(
      interleaving((w) => {
        const fd = w.ctx();
        const u = w.buf(32);
        w.p.mm.dataView(u, 32, true).setUint32(0, w.t.tid, true);
        return (t) => w.s.sys.pfm_load_context(t, fd, u);
      }),
    ).toEqual(expected);
    expect(
      interleaving((w) => {
        const fd = w.ctx();
        expect(w.load(fd, w.t.tid)).toEqual(ok(0));
        const u = startArg(w, 0);
        return (t) => w.s.sys.pfm_start(t, fd, u);
      }),
    ).toEqual(expected);
  });
});
