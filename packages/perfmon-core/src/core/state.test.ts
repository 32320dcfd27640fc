import type { Thread } from '@pfmsim/kernel-sim';
import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  PFM_CMD_STOPPED,
  PFM_CMD_UNLOAD,
  PFM_CTX_LOADED,
  PFM_CTX_MASKED,
  PFM_CTX_ZOMBIE,
  PFM_REGFL_OVFL_NOTIFY,
} from '../abi/constants.js';
import { Errno, fail, ok } from '../abi/errno.js';
import { createPfargSetdesc, encodePfargVector } from '../abi/structs.js';
import { NEG, type TestWorld, testWorld, writePmcs } from '../test-util.js';
import type { PfmContext } from './context.js';
import { checkTaskState } from './state.js';
import { workloadFromEvents } from './workload.js';

const { EINVAL, EBUSY, ESRCH } = Errno;
const loop = workloadFromEvents(getModel('intel-p6'), 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });

/** A context of w.t monitoring a second thread, programmed to notify after 100 cycles. */
function monitoringOther(w: TestWorld) {
  const fd = w.ctx();
  const target = w.s.thread(w.p, 'target');
  writePmcs(w, fd, [{ reg_num: 0, reg_value: 0x530079n }]);
  const pmd = w.pmds([{ reg_num: 0, reg_value: NEG(100n), reg_flags: PFM_REGFL_OVFL_NOTIFY }]);
  expect(w.g.pfm_write_pmds(fd, pmd, 1)).toEqual(ok(0));
  w.s.ptraceAttach(w.t, target);
  expect(w.load(fd, target.tid)).toEqual(ok(0));
  expect(w.g.pfm_start(fd)).toEqual(ok(0));
  return { fd, target, ctx: w.s.contexts[0]!, pmd };
}

function setdesc(w: TestWorld, id: number): number {
  const u = w.buf(w.s.abi.sizes.setdesc);
  encodePfargVector(
    'setdesc',
    w.p.mm.dataView(u, w.s.abi.sizes.setdesc, true),
    0,
    [createPfargSetdesc({ set_id: id })],
    w.s.abi,
  );
  return u;
}

describe('pfm_check_task_state (perfmon2-abi.md §2)', () => {
  it('step 3: the calls that need an unloaded context are EBUSY once it is loaded, even by the monitored thread', () => {
    const w = testWorld();
    const fd = w.ctx();
    expect(w.g.pfm_create_evtsets(fd, setdesc(w, 1), 1)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_create_evtsets(fd, setdesc(w, 2), 1)).toEqual(fail(EBUSY));
    expect(w.g.pfm_delete_evtsets(fd, setdesc(w, 1), 1)).toEqual(fail(EBUSY));
    expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
    expect(w.g.pfm_create_evtsets(fd, setdesc(w, 2), 1)).toEqual(ok(0));
  });

  it('step 6: a MASKED context of another thread is read, written and stopped without ptrace; unload still needs it', () => {
    const w = testWorld();
    const { fd, target, ctx, pmd } = monitoringOther(w);
    w.s.ptraceDetach(target);
    w.s.runSync(target, loop, 300); // the target runs (not stopped, not traced) and overflows
    expect(ctx.state).toBe(PFM_CTX_MASKED);
    expect(w.g.pfm_read_pmds(fd, pmd, 1)).toEqual(ok(0));
    expect(w.g.pfm_write_pmds(fd, pmd, 1)).toEqual(ok(0));
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    expect(w.g.pfm_unload_context(fd)).toEqual(fail(ESRCH));
    expect(ctx.state).toBe(PFM_CTX_MASKED);
    w.s.ptraceAttach(w.t, target);
    expect(w.g.pfm_unload_context(fd)).toEqual(ok(0));
  });

  it('step 7: only PFM_CMD_STOPPED calls need the ptrace stop; pfm_restart on a LOADED context does not', () => {
    const w = testWorld();
    const { fd, target, ctx, pmd } = monitoringOther(w);
    w.s.ptraceDetach(target);
    expect(ctx.state).toBe(PFM_CTX_LOADED);
    expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    expect(w.g.pfm_read_pmds(fd, pmd, 1)).toEqual(fail(ESRCH));
    expect(w.g.pfm_stop(fd)).toEqual(fail(ESRCH));
  });

  it('step 7: the caller must trace the target and the target must be stopped', () => {
    const w = testWorld();
    const { fd, target, pmd } = monitoringOther(w);
    expect(w.g.pfm_read_pmds(fd, pmd, 1)).toEqual(ok(0)); // traced by the caller and stopped
    target.stopped = false; // PTRACE_CONT: still traced, running
    expect(w.g.pfm_read_pmds(fd, pmd, 1)).toEqual(fail(ESRCH));
    expect(w.g.pfm_write_pmds(fd, pmd, 1)).toEqual(fail(ESRCH));
    const other = w.s.thread(w.p, 'debugger');
    w.s.ptraceAttach(other, target); // stopped, but traced by someone else
    expect(target.stopped).toBe(true);
    expect(w.g.pfm_read_pmds(fd, pmd, 1)).toEqual(fail(ESRCH));
    expect(w.g.pfm_stop(fd)).toEqual(fail(ESRCH));
    w.s.ptraceAttach(w.t, target);
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
  });

  describe('called directly (states the system calls cannot reach)', () => {
    const w = testWorld();
    const caller = w.t;
    const target = w.s.thread(w.p, 'target');
    const ctx = (state: number, t: Thread | null) =>
      ({ state, systemWide: false, target: t, cpu: -1 }) as unknown as PfmContext;

    it('step 2: a zombie is EINVAL for every call, before any other check', () => {
      expect(checkTaskState(ctx(PFM_CTX_ZOMBIE, caller), caller, 0)).toBe(EINVAL);
      expect(checkTaskState(ctx(PFM_CTX_ZOMBIE, target), caller, PFM_CMD_STOPPED)).toBe(EINVAL);
    });

    it('step 7: a target that has exited, or none, is ESRCH even when it was traced and stopped', () => {
      const dead = w.s.thread(w.p, 'dead');
      w.s.ptraceAttach(caller, dead);
      expect(checkTaskState(ctx(PFM_CTX_LOADED, dead), caller, PFM_CMD_STOPPED)).toBe(0);
      w.s.k.exitThread(dead);
      expect(checkTaskState(ctx(PFM_CTX_LOADED, dead), caller, PFM_CMD_STOPPED)).toBe(ESRCH);
      expect(checkTaskState(ctx(PFM_CTX_MASKED, null), caller, PFM_CMD_STOPPED | PFM_CMD_UNLOAD)).toBe(ESRCH);
    });
  });
});
