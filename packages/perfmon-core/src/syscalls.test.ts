import {
  createStackStrategy,
  createStrategy,
  isBrokenStrategy,
  STRATEGY_NAMES,
} from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import {
  PFM_CTX_LOADED,
  PFM_CTX_UNLOADED,
  PFM_CTX_ZOMBIE,
  PFM_FL_NOTIFY_BLOCK,
  PFM_FL_SYSTEM_WIDE,
} from './abi/constants.js';
import { Errno, fail, ok } from './abi/errno.js';
import { testWorld } from './test-util.js';

const { EINVAL, EBADF, EFAULT, E2BIG, ENOMEM, EBUSY, ESRCH, EPERM, EEXIST, ENOSYS, ENFILE, EAGAIN } = Errno;

describe('pfm_create_context', () => {
  it('returns the fd in v2.3 and writes ctx_fd in v2.2', () => {
    const w = testWorld();
    expect(w.ctx()).toBe(0);
    expect(w.ctx()).toBe(1);
    const w22 = testWorld({ abi: 'v2.2' });
    expect(w22.ctx()).toBe(0);
    expect(w22.s.sysfs.read('version')).toEqual(ok('2.2'));
  });

  it('checks in the documented order', () => {
    const w = testWorld({ disabled: true });
    expect(w.g.pfm_create_context(0)).toEqual(fail(ENOSYS));
    const v = testWorld();
    expect(v.g.pfm_create_context(0)).toEqual(fail(EFAULT));
    const u = v.buf(64);
    v.p.mm.dataView(u, 64, true).setUint32(0, PFM_FL_SYSTEM_WIDE | PFM_FL_NOTIFY_BLOCK, true);
    expect(v.g.pfm_create_context(u)).toEqual(fail(EINVAL));
    v.p.mm.dataView(u, 64, true).setUint32(0, 0, true);
    const name = v.buf(16);
    expect(v.g.pfm_create_context(u, name)).toEqual(fail(EINVAL)); // unknown sampling format
    expect(v.g.pfm_create_context(u, 0x7000)).toEqual(fail(EFAULT)); // unreadable format name
    expect(v.s.sysfs.write('task_group', '42')).toEqual(ok());
    expect(v.g.pfm_create_context(u)).toEqual(fail(EPERM));
  });

  it('ENOMEM when the context allocation fails, ENFILE when the fd table is full', () => {
    const w = testWorld({ faults: { failslab: { probability: 100, filter: 'pfm_context_alloc' } } });
    expect(w.g.pfm_create_context(w.buf(64))).toEqual(fail(ENOMEM));
    const v = testWorld();
    v.p.fdLimit = 2;
    v.ctx();
    v.ctx();
    expect(v.g.pfm_create_context(v.buf(64))).toEqual(fail(ENFILE));
    expect(v.s.k.bugs).toEqual([]);
  });
});

describe('vector calls: the check order of perfmon2-abi.md §3.1', () => {
  it('count checks come before the fd; EBADF before the argument copy', () => {
    const w = testWorld();
    expect(w.g.pfm_read_pmds(99, 0, -1)).toEqual(fail(EINVAL));
    expect(w.g.pfm_write_pmcs(99, 0, Math.floor(2147483647 / 48))).toEqual(fail(EINVAL));
    expect(w.g.pfm_write_pmcs(99, 0, Math.floor(2147483647 / 48) - 1)).toEqual(fail(EBADF));
    expect(w.g.pfm_read_pmds(99, 0, 4)).toEqual(fail(EBADF)); // bad fd and bad pointer: EBADF wins
    const fd = w.ctx();
    expect(w.g.pfm_read_pmds(fd, 0, 0)).toEqual(ok(0)); // count 0: nothing copied
    expect(w.g.pfm_read_pmds(fd, 0, 4)).toEqual(fail(EFAULT));
    expect(w.g.pfm_write_pmds(fd, 0, 24)).toEqual(fail(E2BIG)); // 24 x 176 > 4096
    expect(w.g.pfm_write_pmds(fd, 0, 23)).toEqual(fail(EFAULT));
  });

  it('E2BIG follows arg_mem_max, whose minimum is PAGE_SIZE', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.s.sysfs.write('arg_mem_max', '4095')).toEqual(fail(EINVAL));
    expect(w.s.sysfs.write('arg_mem_max', '8192')).toEqual(ok());
    const u = w.pmds(Array.from({ length: 40 }, () => ({ reg_num: 0 })));
    expect(w.g.pfm_write_pmds(fd, u, 40)).toEqual(ok(0));
    expect(w.g.pfm_write_pmds(fd, u, 47)).toEqual(fail(E2BIG));
  });

  it('ENOMEM from the argument kmalloc (failslab on pfm_get_args)', () => {
    const w = testWorld({ faults: { failslab: { probability: 100, filter: 'pfm_get_args' } } });
    const fd = w.ctx();
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0 }]), 1)).toEqual(fail(ENOMEM));
  });
});

describe('PMC and PMD back-ends', () => {
  it('forces reserved PMC bits to their defaults and stops at the first bad element', () => {
    const w = testWorld();
    const fd = w.ctx();
    const u = w.pmcs([
      { reg_num: 0, reg_value: 0xffffffffffffffffn },
      { reg_num: 1, reg_value: 0x510079n },
      { reg_num: 2 },
    ]);
    expect(w.g.pfm_write_pmcs(fd, u, 3)).toEqual(fail(EINVAL));
    const set = w.s.contexts[0]!.active;
    // P6 PERFEVTSEL0: reserved bits 32–63, 20, 21; default 0x100000 (bit 20).
    expect(set.pmcHi[0]).toBe(0);
    expect(set.pmcLo[0]).toBe(((0xffffffff & ~0x300000) | 0x100000) >>> 0);
    expect(set.usedPmcs[1]).toBe(1);
    // the whole vector is copied back, unchanged (Q1, Q2: historical reg_flags)
    const back = w.p.mm.dataView(u, 144, false);
    expect(back.getUint32(48 * 2 + 4, true)).toBe(0);
  });

  it('retflags=intent marks the failing element NOTAVAIL', () => {
    const w = testWorld({ retflags: 'intent' });
    const fd = w.ctx();
    const u = w.pmcs([{ reg_num: 0 }, { reg_num: 9 }]);
    expect(w.g.pfm_write_pmcs(fd, u, 2)).toEqual(fail(EINVAL));
    expect(w.p.mm.dataView(u, 96, false).getUint32(48 + 4, true)).toBe(0x80000000);
  });

  it('round-trips 64-bit PMD values and refuses to read an unused PMD', () => {
    const w = testWorld();
    const fd = w.ctx();
    const v = 0x123456789abcdefn;
    expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 1, reg_value: v }]), 1)).toEqual(ok(0));
    const r = w.pmds([{ reg_num: 1 }]);
    expect(w.g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
    expect(w.readPmds(r, 1)[0]).toMatchObject({ reg_num: 1, reg_value: v, reg_last_reset_val: v });
    expect(w.g.pfm_read_pmds(fd, w.pmds([{ reg_num: 0 }]), 1)).toEqual(fail(EINVAL));
    expect(w.g.pfm_read_pmds(fd, w.pmds([{ reg_num: 1, reg_set: 3 }]), 1)).toEqual(fail(EINVAL));
  });
});

describe('context state machine and attach rules', () => {
  it('load / start / stop / unload on self', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.g.pfm_start(fd)).toEqual(fail(EINVAL));
    expect(w.g.pfm_stop(fd)).toEqual(fail(EINVAL));
    expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
    expect(w.g.pfm_restart(fd)).toEqual(fail(EBUSY));
    expect(w.load(fd, w.t.tid, 7)).toEqual(fail(EINVAL)); // no set 7
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_LOADED);
    expect(w.load(fd, w.t.tid)).toEqual(fail(EBUSY));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_UNLOADED);
    expect(w.s.sysfs.read('task_sessions_count')).toEqual(ok('0'));
  });

  it('load_context: EFAULT before EBADF in v2.3, the reverse in v2.2', () => {
    const w = testWorld();
    expect(w.g.pfm_load_context(9, 0)).toEqual(fail(EFAULT));
    const v = testWorld({ abi: 'v2.2' });
    expect(v.g.pfm_load_context(9, 0)).toEqual(fail(EBADF));
  });

  it('another thread: same uid and ptrace-stopped, else EPERM / ESRCH; one context per thread', () => {
    const w = testWorld();
    const fd = w.ctx();
    const other = w.s.thread(w.p, 'target');
    const stranger = w.s.thread(w.s.process({ uid: 2000 }), 'stranger');
    expect(w.load(fd, 424242)).toEqual(fail(ESRCH));
    expect(w.load(fd, other.tid)).toEqual(fail(ESRCH)); // not stopped by us
    w.s.ptraceAttach(w.t, stranger);
    expect(w.load(fd, stranger.tid)).toEqual(fail(EPERM));
    w.s.ptraceAttach(w.t, other);
    expect(w.load(fd, other.tid)).toEqual(ok(0));
    const fd2 = w.ctx();
    expect(w.load(fd2, other.tid)).toEqual(fail(EEXIST));
    // the target must stay stopped for PFM_CMD_STOPPED calls
    w.s.ptraceDetach(other);
    expect(w.g.pfm_read_pmds(fd, w.pmds([{ reg_num: 0 }]), 1)).toEqual(fail(ESRCH));
  });

  it('sessions: system-wide and per-thread exclude each other; system-wide binds to the CPU', () => {
    const w = testWorld({ cpus: 2 });
    const sw = w.ctx(PFM_FL_SYSTEM_WIDE);
    expect(w.load(sw, 1)).toEqual(fail(EINVAL)); // caller runs on CPU 0
    expect(w.load(sw, 0)).toEqual(ok(0));
    const task = w.ctx();
    expect(w.load(task, w.t.tid)).toEqual(fail(EBUSY));
    expect(w.s.sysfs.read('sys_sessions_count')).toEqual(ok('1'));
    const onCpu1 = w.s.thread(w.p, 'cpu1', undefined, 1);
    expect(w.s.gate(onCpu1).pfm_stop(sw)).toEqual(fail(EBUSY));
  });

  it('NOTIFY_BLOCK on self is EINVAL (Q15 intent) unless allowed', () => {
    const w = testWorld();
    expect(w.load(w.ctx(PFM_FL_NOTIFY_BLOCK), w.t.tid)).toEqual(fail(EINVAL));
    const v = testWorld({ notifyBlockSelf: 'allow' });
    expect(v.load(v.ctx(PFM_FL_NOTIFY_BLOCK), v.t.tid)).toEqual(ok(0));
  });

  it('close while attached to another thread leaves a zombie freed at that thread’s exit', () => {
    const w = testWorld();
    const base = w.s.k.mem.snapshot();
    const fd = w.ctx();
    const other = w.s.thread(w.p, 'target');
    w.s.ptraceAttach(w.t, other);
    expect(w.load(fd, other.tid)).toEqual(ok(0));
    expect(w.g.close(fd)).toEqual(ok(0));
    const ctx = w.s.contexts[0]!;
    expect(ctx.state).toBe(PFM_CTX_ZOMBIE);
    w.s.k.exitThread(other);
    expect(w.s.contexts).toEqual([]);
    expect(w.s.k.mem.liveObjectsSince(base)).toEqual([]);
    expect(w.g.close(fd)).toEqual(fail(EBADF));
  });

  it('thread exit unloads the context and queues PFM_MSG_END for read()', () => {
    const w = testWorld();
    const fd = w.ctx();
    const other = w.s.thread(w.p, 'target');
    w.s.ptraceAttach(w.t, other);
    w.load(fd, other.tid);
    expect(w.g.read(fd, w.buf(64), 40)).toEqual(fail(EINVAL));
    w.s.sys.setNonblock(w.t, fd, true);
    expect(w.g.read(fd, w.buf(64), 64)).toEqual(fail(EAGAIN));
    expect(w.g.poll(fd)).toBe(0);
    w.s.k.exitThread(other);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_UNLOADED);
    expect(w.g.poll(fd)).toBe(1);
    const m = w.buf(64);
    expect(w.g.read(fd, m, 64)).toEqual(ok(56));
    const v = w.p.mm.dataView(m, 56, false);
    expect(v.getUint32(0, true)).toBe(2); // PFM_MSG_END
    expect(v.getUint32(4, true)).toBe(other.tid); // Q11: the pid field holds the tid
  });
});

describe('differential: strategies give identical observable results', () => {
  it('kmalloc and stack agree on results and user memory', () => {
    const run = (strategy?: ReturnType<typeof createStackStrategy>) => {
      const w = testWorld(strategy ? { strategy } : {});
      const fd = w.ctx();
      const out: unknown[] = [];
      const u = w.pmds(
        Array.from({ length: 6 }, (_, i) => ({ reg_num: i % 2, reg_value: BigInt(i * 1000) })),
      );
      out.push(w.g.pfm_write_pmds(fd, u, 6), w.g.pfm_read_pmds(fd, u, 6), w.readPmds(u, 6));
      out.push(w.g.pfm_read_pmds(fd, u, 2), w.readPmds(u, 2), w.g.pfm_write_pmds(fd, u, 24));
      out.push(w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 0, reg_value: 0x510079n }, { reg_num: 5 }]), 2));
      expect(w.s.k.bugs).toEqual([]);
      return out;
    };
    expect(run(createStackStrategy())).toEqual(run());
  });
});

describe('differential: every shipped strategy', () => {
  it('gives identical results, errno and user memory; only costs differ', () => {
    const run = (name: string) => {
      const w = testWorld({ strategy: createStrategy(name) });
      const fd = w.ctx();
      const out: unknown[] = [];
      const big = w.pmds(
        Array.from({ length: 23 }, (_, i) => ({ reg_num: i % 2, reg_value: BigInt(i) << 33n })),
      );
      out.push(w.g.pfm_write_pmds(fd, big, 23), w.g.pfm_read_pmds(fd, big, 23), w.readPmds(big, 23));
      out.push(w.g.pfm_read_pmds(fd, big, 24), w.g.pfm_write_pmds(fd, big + 176 * 22 + 1, 2));
      const few = w.pmds([{ reg_num: 1 }, { reg_num: 3 }]);
      out.push(w.g.pfm_read_pmds(fd, few, 2), w.readPmds(few, 2));
      out.push(
        w.g.pfm_write_pmcs(
          fd,
          w.pmcs([
            { reg_num: 0, reg_value: 0x510079n },
            { reg_num: 1, reg_value: 0x1100c0n },
          ]),
          2,
        ),
      );
      out.push(w.load(fd, w.t.tid), w.g.pfm_start(fd), w.g.pfm_read_pmds(fd, few, 1), w.g.close(fd));
      expect(w.s.k.bugs, name).toEqual([]);
      return JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    };
    const shipped = STRATEGY_NAMES.filter((n) => !isBrokenStrategy(n));
    const reference = run('kmalloc');
    for (const name of shipped) expect(run(name), name).toBe(reference);
  });
});

describe('costs', () => {
  it('pfm_read_pmds n=4 on p4-2006 costs what the analytic model says (kmalloc 2085, stack 1765)', () => {
    const measure = (strategy?: ReturnType<typeof createStackStrategy>) => {
      const w = testWorld(strategy ? { strategy } : {});
      const fd = w.ctx();
      const u = w.pmds([0, 1, 0, 1].map((reg_num) => ({ reg_num })));
      w.g.pfm_write_pmds(fd, u, 4);
      w.g.pfm_read_pmds(fd, u, 4);
      const before = w.t.clock.total;
      expect(w.g.pfm_read_pmds(fd, u, 4)).toEqual(ok(0));
      return w.t.clock.total - before;
    };
    expect(measure()).toBe(2085);
    expect(measure(createStackStrategy())).toBe(1765);
  });
});
