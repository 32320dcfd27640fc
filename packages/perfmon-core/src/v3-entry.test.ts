import { explore, type KGen, type Thread } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { PFM_RW_PMD } from './abi/constants.js';
import { Errno } from './abi/errno.js';
import { createPfargPmr, encodePmr } from './abi/structs.js';
import { createSystem, type PerfmonSystem } from './system.js';

// Top-level generators (see kernel-sim's Thread.body).
function* v3Write(s: PerfmonSystem, t: Thread, fd: number, u: number, out: number[]): KGen<void> {
  out[0] = yield* s.v3sys.pfm_write(t, fd, 0, PFM_RW_PMD, u, 2 * 16);
}
function* v2Read(s: PerfmonSystem, t: Thread, fd: number, u: number, out: number[]): KGen<void> {
  out[1] = yield* s.sys.pfm_read_pmds(t, fd, u, 2);
}

/**
 * Two threads of one process on a perfmon3 kernel: A writes two PMDs through pfm_write (its
 * copy from user space is a preemption point inside the shared v2 code path), B calls the v2
 * pfm_read_pmds on the same fd. The v2 call's number does not exist on perfmon3.
 */
function world(seed: number) {
  const s = createSystem({
    machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
    abi: 'v3',
    seed,
    cpus: 2,
    arenaBytes: 4 << 20,
  });
  const p = s.process({ uid: 1000 });
  const main = s.thread(p, 'main');
  const fd = s.gate(main).pfm_create(0);
  if (!fd.ok) throw new Error('pfm_create failed');
  const u = p.mm.mmap(4096);
  const v = p.mm.dataView(u, 2 * 16, true);
  for (let i = 0; i < 2; i++) encodePmr(v, i * 16, createPfargPmr({ reg_num: i, reg_value: 7n }));
  s.k.threads.length = 0; // main only set up the context
  p.threads.length = 0;
  const returns = [Number.NaN, Number.NaN];
  s.thread(p, 'A', (t) => v3Write(s, t, fd.value, u, returns), 0);
  s.thread(p, 'B', (t) => v2Read(s, t, fd.value, u, returns), 1);
  return { kernel: s.k, returns };
}

describe('the system-call entry travels with the call', () => {
  it('a v2 call from a second thread while the first is inside a perfmon3 call is ENOSYS on every schedule', () => {
    const seen = new Set<number>();
    const result = explore({
      build: world,
      mode: 'exhaustive',
      maxPreemptions: 3,
      check: (w) => {
        seen.add(w.returns[1]!);
        const failures: string[] = [];
        if (w.returns[0] !== 0) failures.push(`pfm_write returned ${w.returns[0]}`);
        if (w.returns[1] !== -Errno.ENOSYS)
          failures.push(`pfm_read_pmds returned ${w.returns[1]}, not -ENOSYS`);
        return failures;
      },
    });
    expect(result.complete).toBe(true);
    // B ran inside A's call on some schedules (A's copy from user space yields)
    expect(result.schedules).toBeGreaterThan(2);
    expect(result.findings.map((f) => `${f.replay}: ${f.failures.join('; ')}`)).toEqual([]);
    expect([...seen]).toEqual([-Errno.ENOSYS]);
  });
});
