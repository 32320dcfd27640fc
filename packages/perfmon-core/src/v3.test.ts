import { createStackStrategy } from '@pfmsim/buffer-strategies';
import { PROT_READ } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { PFM_RW_PMC, PFM_RW_PMD, PFM_ST_START, PFM_ST_STOP } from './abi/constants.js';
import { Errno, fail, ok } from './abi/errno.js';
import { createPfargPmr, decodePmr, encodePmr } from './abi/structs.js';
import { workloadFromEvents } from './core/workload.js';
import { testWorld } from './test-util.js';

function pmrs(w: ReturnType<typeof testWorld>, values: Parameters<typeof createPfargPmr>[0][]): number {
  const u = w.buf(values.length * 16);
  const v = w.p.mm.dataView(u, values.length * 16, true);
  values.forEach((x, i) => {
    encodePmr(v, i * 16, createPfargPmr(x));
  });
  return u;
}

describe('perfmon3 (abi v3): five calls over 16-byte pfarg_pmr', () => {
  it('create / write / attach / set_state / read, and counting', () => {
    const w = testWorld({ abi: 'v3', strategy: createStackStrategy() });
    const g = w.g;
    expect(w.s.sysfs.read('version')).toEqual(ok('3.0'));
    expect(g.pfm_create(1)).toEqual(fail(Errno.EINVAL));
    const fd = g.pfm_create(0);
    expect(fd).toEqual(ok(0));
    expect(g.pfm_write(0, 0, PFM_RW_PMC, pmrs(w, [{ reg_num: 0, reg_value: 0x510079n }]), 16)).toEqual(ok(0));
    const r = pmrs(w, [{ reg_num: 0, reg_value: 5n }]);
    expect(g.pfm_write(0, 0, PFM_RW_PMD, r, 16)).toEqual(ok(0));
    expect(g.pfm_write(0, 0, PFM_RW_PMD, r, 15)).toEqual(fail(Errno.EINVAL)); // not a multiple of 16
    expect(g.pfm_write(0, 0, PFM_RW_PMD, r, 0)).toEqual(fail(Errno.EINVAL));
    expect(g.pfm_write(0, 0, 7, r, 16)).toEqual(fail(Errno.EINVAL));
    expect(g.pfm_write(9, 0, PFM_RW_PMD, r, 16)).toEqual(fail(Errno.EBADF));
    expect(g.pfm_write(0, 0, PFM_RW_PMD, r, 16 * 257)).toEqual(fail(Errno.E2BIG));
    expect(g.pfm_read(0, 0, PFM_RW_PMC, r, 16)).toEqual(fail(Errno.EINVAL));
    expect(g.pfm_attach(0, 0, w.t.tid)).toEqual(ok(0));
    expect(g.pfm_set_state(0, 0, PFM_ST_START)).toEqual(ok(0));
    w.s.runSync(w.t, workloadFromEvents(w.s.pmu.model, 'l', { CPU_CLK_UNHALTED: 1 }), 1000);
    expect(g.pfm_set_state(0, 0, PFM_ST_STOP)).toEqual(ok(0));
    expect(g.pfm_read(0, 0, PFM_RW_PMD, r, 16)).toEqual(ok(0));
    expect(decodePmr(w.p.mm.dataView(r, 16, false), 0).reg_value).toBe(1005n);
    expect(g.pfm_attach(0, 0, -1)).toEqual(ok(0));
    expect(w.s.contexts[0]!.state).toBe(1);
    expect(w.s.k.bugs).toEqual([]);
  });

  it('the v2 calls do not exist on a perfmon3 kernel, nor the v3 ones on v2', () => {
    const w = testWorld({ abi: 'v3' });
    expect(w.g.pfm_create_context(w.buf(64))).toEqual(fail(Errno.ENOSYS));
    expect(w.g.pfm_read_pmds(0, 0, 1)).toEqual(fail(Errno.ENOSYS));
    expect(w.g.pfm_stop(0)).toEqual(fail(Errno.ENOSYS));
    const v2 = testWorld();
    expect(v2.g.pfm_create(0)).toEqual(fail(Errno.ENOSYS));
  });

  it('pfm_read of 4 registers costs less than v2.3 by the smaller copies', () => {
    const cost = (abi: 'v3' | 'v2.3') => {
      const w = testWorld({ abi });
      if (abi === 'v3') {
        const fd = w.g.pfm_create(0);
        const r = pmrs(
          w,
          [0, 1, 0, 1].map((reg_num) => ({ reg_num })),
        );
        w.g.pfm_write(fd.ok ? fd.value : -1, 0, PFM_RW_PMD, r, 64);
        const before = w.t.clock.total;
        w.g.pfm_read(0, 0, PFM_RW_PMD, r, 64);
        return w.t.clock.total - before;
      }
      const fd = w.ctx();
      const u = w.pmds([0, 1, 0, 1].map((reg_num) => ({ reg_num })));
      w.g.pfm_write_pmds(fd, u, 4);
      const before = w.t.clock.total;
      w.g.pfm_read_pmds(fd, u, 4);
      return w.t.clock.total - before;
    };
    // 2 x 704 B at 0.4 cycles/B vs 2 x 64 B: 512 cycles less on the P4 profile
    expect(cost('v2.3') - cost('v3')).toBe(Math.round(704 * 0.4) * 2 - Math.round(64 * 0.4) * 2);
  });
});

describe('perfmon3: argument checks and errno', () => {
  it('pfm_create: ENOSYS when disabled, EPERM outside task_group (root and members may), ENOMEM, ENFILE', () => {
    expect(testWorld({ abi: 'v3', disabled: true }).g.pfm_create(0)).toEqual(fail(Errno.ENOSYS));
    const w = testWorld({ abi: 'v3' });
    expect(w.s.sysfs.write('task_group', '42')).toEqual(ok());
    expect(w.g.pfm_create(0)).toEqual(fail(Errno.EPERM));
    expect(w.s.gate(w.s.thread(w.s.process({ uid: 1000, gid: 42 }), 'member')).pfm_create(0)).toEqual(ok(0));
    expect(w.s.gate(w.s.thread(w.s.process({ uid: 0, gid: 5 }), 'root')).pfm_create(0)).toEqual(ok(0));
    const nomem = testWorld({
      abi: 'v3',
      faults: { failslab: { probability: 100, filter: 'pfm_context_alloc' } },
    });
    expect(nomem.g.pfm_create(0)).toEqual(fail(Errno.ENOMEM));
    const full = testWorld({ abi: 'v3' });
    full.p.fdLimit = 1;
    expect(full.g.pfm_create(0)).toEqual(ok(0));
    expect(full.g.pfm_create(0)).toEqual(fail(Errno.ENFILE));
    expect(full.s.contexts.length).toBe(1);
    expect(full.s.k.bugs).toEqual([]);
  });

  it('pfm_create writes the 112-byte pfarg_sinfo; a fault there is EFAULT and undoes fd and context', () => {
    const w = testWorld({ abi: 'v3' });
    const info = w.buf(112);
    const v = w.p.mm.dataView(info, 112, true);
    for (let i = 0; i < 112; i++) v.setUint8(i, 0xff);
    expect(w.g.pfm_create(0, info)).toEqual(ok(0));
    const back = w.p.mm.dataView(info, 113, false);
    expect(Array.from({ length: 112 }, (_, i) => back.getUint8(i))).toEqual(new Array(112).fill(0));
    const base = w.s.k.mem.snapshot();
    const ro = w.buf(112);
    w.p.mm.mprotect(ro, 112, PROT_READ);
    expect(w.g.pfm_create(0, ro)).toEqual(fail(Errno.EFAULT));
    expect(w.g.close(1)).toEqual(fail(Errno.EBADF));
    expect(w.s.contexts.length).toBe(1);
    expect(w.s.k.mem.liveObjectsSince(base)).toEqual([]);
    expect(w.g.pfm_create(0)).toEqual(ok(1));
  });

  it('pfm_write / pfm_read: flags, type and size are checked before the fd', () => {
    const w = testWorld({ abi: 'v3' });
    const r = pmrs(w, [{ reg_num: 0, reg_value: 5n }]);
    for (const [flags, type, sz] of [
      [1, PFM_RW_PMD, 16],
      [0, 0, 16],
      [0, PFM_RW_PMD, 16.5],
      [0, PFM_RW_PMD, -16],
      [0, PFM_RW_PMD, 24],
    ] as const) {
      expect(w.g.pfm_write(9, flags, type, r, sz)).toEqual(fail(Errno.EINVAL));
      expect(w.g.pfm_read(9, flags, type, r, sz)).toEqual(fail(Errno.EINVAL));
    }
    expect(w.g.pfm_read(9, 0, PFM_RW_PMD, r, 16)).toEqual(fail(Errno.EBADF));
    expect(w.g.pfm_write(9, 0, PFM_RW_PMC, r, 16)).toEqual(fail(Errno.EBADF));
    const fd = w.g.pfm_create(0);
    expect(fd).toEqual(ok(0));
    expect(w.g.pfm_read(0, 0, PFM_RW_PMD, r, 16)).toEqual(fail(Errno.EINVAL)); // pmd0 unused
    expect(w.g.pfm_write(0, 0, PFM_RW_PMD, r, 16)).toEqual(ok(0));
    const out = pmrs(w, [{ reg_num: 0 }]);
    expect(w.g.pfm_read(0, 0, PFM_RW_PMD, out, 16)).toEqual(ok(0));
    expect(decodePmr(w.p.mm.dataView(out, 16, false), 0).reg_value).toBe(5n);
  });

  it('pfm_write copies nothing back: a read-only vector works', () => {
    const w = testWorld({ abi: 'v3' });
    expect(w.g.pfm_create(0)).toEqual(ok(0));
    const r = pmrs(w, [{ reg_num: 1, reg_value: 7n }]);
    w.p.mm.mprotect(r, 16, PROT_READ);
    expect(w.g.pfm_write(0, 0, PFM_RW_PMD, r, 16)).toEqual(ok(0));
    expect(w.g.pfm_read(0, 0, PFM_RW_PMD, r, 16)).toEqual(fail(Errno.EFAULT));
  });

  it('pfm_attach: flags EINVAL; PFM_NO_TARGET (-1 or 0xffffffff) detaches, also when not attached; ptrace rules for another thread', () => {
    const w = testWorld({ abi: 'v3' });
    expect(w.g.pfm_attach(0, 1, w.t.tid)).toEqual(fail(Errno.EINVAL));
    expect(w.g.pfm_attach(0, 0, w.t.tid)).toEqual(fail(Errno.EBADF));
    expect(w.g.pfm_create(0)).toEqual(ok(0));
    expect(w.g.pfm_attach(0, 0, -1)).toEqual(ok(0));
    expect(w.g.pfm_attach(0, 0, 424242)).toEqual(fail(Errno.ESRCH));
    const other = w.s.thread(w.p, 'other');
    expect(w.g.pfm_attach(0, 0, other.tid)).toEqual(fail(Errno.ESRCH));
    w.s.ptraceAttach(w.t, other);
    expect(w.g.pfm_attach(0, 0, other.tid)).toEqual(ok(0));
    expect(w.g.pfm_attach(0, 0, w.t.tid)).toEqual(fail(Errno.EBUSY));
    w.s.ptraceDetach(other);
    expect(w.g.pfm_attach(0, 0, 0xffffffff)).toEqual(fail(Errno.ESRCH));
    expect(w.g.pfm_set_state(0, 0, PFM_ST_START)).toEqual(fail(Errno.ESRCH));
    expect(w.g.pfm_set_state(0, 0, PFM_ST_STOP)).toEqual(fail(Errno.ESRCH));
    w.s.ptraceAttach(w.t, other);
    expect(w.g.pfm_attach(0, 0, 0xffffffff)).toEqual(ok(0));
    expect(w.s.contexts[0]!.state).toBe(1);
    expect(w.s.sysfs.read('task_sessions_count')).toEqual(ok('0'));
  });

  it('pfm_set_state: flags and state checked first; an unattached context cannot start or stop', () => {
    const w = testWorld({ abi: 'v3' });
    expect(w.g.pfm_set_state(0, 1, PFM_ST_START)).toEqual(fail(Errno.EINVAL));
    expect(w.g.pfm_set_state(0, 0, 3)).toEqual(fail(Errno.EINVAL));
    expect(w.g.pfm_set_state(0, 0, 0)).toEqual(fail(Errno.EINVAL));
    expect(w.g.pfm_set_state(0, 0, PFM_ST_STOP)).toEqual(fail(Errno.EBADF));
    expect(w.g.pfm_create(0)).toEqual(ok(0));
    expect(w.g.pfm_set_state(0, 0, PFM_ST_START)).toEqual(fail(Errno.EINVAL));
    expect(w.g.pfm_set_state(0, 0, PFM_ST_STOP)).toEqual(fail(Errno.EINVAL));
  });

  it('the perfmon3 calls do not exist on a v2 kernel', () => {
    const w = testWorld();
    const fd = w.ctx();
    const r = w.buf(16);
    expect(w.g.pfm_write(fd, 0, PFM_RW_PMD, r, 16)).toEqual(fail(Errno.ENOSYS));
    expect(w.g.pfm_read(fd, 0, PFM_RW_PMD, r, 16)).toEqual(fail(Errno.ENOSYS));
    expect(w.g.pfm_attach(fd, 0, w.t.tid)).toEqual(fail(Errno.ENOSYS));
    expect(w.g.pfm_set_state(fd, 0, PFM_ST_START)).toEqual(fail(Errno.ENOSYS));
    expect(w.s.contexts[0]!.state).toBe(1);
  });
});

describe('perfmon3: no kernel stack bytes leak into pfarg_sinfo', () => {
  it('pfm_create zeroes the on-stack pfarg_sinfo even after a call left argument bytes on the stack', () => {
    const w = testWorld({ abi: 'v3', strategy: createStackStrategy() });
    expect(w.g.pfm_create(0)).toEqual(ok(0));
    const r = pmrs(
      w,
      Array.from({ length: 8 }, (_, i) => ({ reg_num: i % 2, reg_value: 0xdeadbeefcafef00dn })),
    );
    expect(w.g.pfm_write(0, 0, PFM_RW_PMD, r, 8 * 16)).toEqual(ok(0));
    const info = w.buf(112);
    const v = w.p.mm.dataView(info, 112, true);
    for (let i = 0; i < 112; i++) v.setUint8(i, 0x5a);
    expect(w.g.pfm_create(0, info)).toEqual(ok(1));
    const back = w.p.mm.dataView(info, 112, false);
    expect(Array.from({ length: 112 }, (_, i) => back.getUint8(i))).toEqual(new Array(112).fill(0));
  });
});

describe('perfmon3: pfm_set_state(PFM_ST_STOP) stops counting', () => {
  it('no events are counted between STOP and the next START', () => {
    const w = testWorld({ abi: 'v3' });
    const g = w.g;
    const busy = workloadFromEvents(w.s.pmu.model, 'l', { CPU_CLK_UNHALTED: 1 });
    expect(g.pfm_create(0)).toEqual(ok(0));
    expect(g.pfm_write(0, 0, PFM_RW_PMC, pmrs(w, [{ reg_num: 0, reg_value: 0x510079n }]), 16)).toEqual(ok(0));
    const r = pmrs(w, [{ reg_num: 0 }]);
    expect(g.pfm_write(0, 0, PFM_RW_PMD, r, 16)).toEqual(ok(0));
    expect(g.pfm_attach(0, 0, w.t.tid)).toEqual(ok(0));
    expect(g.pfm_set_state(0, 0, PFM_ST_START)).toEqual(ok(0));
    w.s.runSync(w.t, busy, 300);
    expect(g.pfm_set_state(0, 0, PFM_ST_STOP)).toEqual(ok(0));
    w.s.runSync(w.t, busy, 5000);
    expect(g.pfm_read(0, 0, PFM_RW_PMD, r, 16)).toEqual(ok(0));
    expect(decodePmr(w.p.mm.dataView(r, 16, false), 0).reg_value).toBe(300n);
  });
});
