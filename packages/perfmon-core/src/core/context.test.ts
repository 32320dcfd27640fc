import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { PFM_FL_SYSTEM_WIDE } from '../abi/constants.js';
import { ok } from '../abi/errno.js';
import { testWorld, writePmcs } from '../test-util.js';
import { workloadFromEvents } from './workload.js';

const loop = workloadFromEvents(getModel('intel-p6'), 'loop', { CPU_CLK_UNHALTED: 1 });

describe('a new context', () => {
  it('is bound to no CPU until loaded: a system-wide session on CPU 1 still counts the threads there', () => {
    const w = testWorld({ cpus: 2 });
    const g1 = w.s.gate(w.s.thread(w.p, 'loader-cpu1', undefined, 1));
    const fresh = w.ctx(); // per-thread, never loaded, first in the context list
    const freshSw = w.ctx(PFM_FL_SYSTEM_WIDE); // system-wide, never loaded
    const sw = w.ctx(PFM_FL_SYSTEM_WIDE);
    for (const fd of [fresh, freshSw, sw]) {
      writePmcs(w, fd, [{ reg_num: 0, reg_value: 0x530079n }]);
      expect(w.g.pfm_write_pmds(fd, w.pmds([{ reg_num: 0 }]), 1)).toEqual(ok(0));
    }
    expect(w.load(sw, 1, 0, g1)).toEqual(ok(0));
    expect(g1.pfm_start(sw)).toEqual(ok(0));
    w.s.runSync(w.s.thread(w.s.process({ uid: 2000 }), 'on-cpu1', undefined, 1), loop, 5000);
    const r = w.pmds([{ reg_num: 0 }]);
    expect(g1.pfm_read_pmds(sw, r, 1)).toEqual(ok(0));
    expect(w.readPmds(r, 1)[0]!.reg_value).toBe(5000n);
    for (const fd of [fresh, freshSw]) {
      expect(w.g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
      expect(w.readPmds(r, 1)[0]!.reg_value).toBe(0n);
    }
  });
});
