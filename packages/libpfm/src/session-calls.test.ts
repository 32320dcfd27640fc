import {
  type ArgBufferStrategy,
  type ArgCall,
  createKmallocStrategy,
  createStackStrategy,
} from '@pfmsim/buffer-strategies';
import { workloadFromEvents } from '@pfmsim/perfmon-core';
import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { PFMLIB_ERR_EVTSET } from './errors.js';
import { sample } from './sample.js';
import { count, openSession, SyscallError } from './session.js';

const p6 = { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' };
const rates = { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.75, BR_INST_RETIRED: 0.125, DATA_MEM_REFS: 0.4 };
const ENOMEM = 12;
const SECOND = 3_000_000_000; // cycles of one second at 3 GHz

/** The stack strategy, except that the n-th argument call (1-based) gets -ENOMEM for its buffer. */
function failingNth(n: number): ArgBufferStrategy {
  const base = createStackStrategy();
  let calls = 0;
  return {
    ...base,
    frameBytes: (kind, size, arch) => base.frameBytes(kind, size, arch),
    acquire: (call: ArgCall) => (++calls === n ? -ENOMEM : base.acquire(call)),
    release: (call: ArgCall) => base.release(call),
  };
}

function syscallError(fn: () => unknown): SyscallError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SyscallError) return e;
    throw e;
  }
  throw new Error('expected a SyscallError');
}

describe('openSession()', () => {
  it('runs as an unprivileged process on the stack strategy and the v2.3 ABI unless told otherwise', () => {
    const s = openSession({ machine: p6 });
    expect(s.sys.strategy.name).toBe('stack');
    expect(s.sys.abi.id).toBe('v2.3');
    expect(s.thread.process.uid).toBe(1000);
    expect(s.thread.process.name).toBe('libpfm');
    expect(s.thread.name).toBe('self');
    expect(s.lib.getPmuName()).toBe(getModel('intel-p6').libpfm.name);
    expect(s.lib.search).toBe('libpfm');
  });

  it('dispatches with the counter search it is given', () => {
    expect(openSession({ machine: p6, search: 'exhaustive' }).lib.search).toBe('exhaustive');
  });

  it('takes the strategy and ABI it is given', () => {
    const s = openSession({ machine: p6, strategy: createKmallocStrategy(), abi: 'v2.2' });
    expect(s.sys.strategy.name).toBe('kmalloc');
    expect(s.sys.abi.id).toBe('v2.2');
  });
});

describe('count(): privilege levels', () => {
  it('counts the user-mode workload at plm user or both, nothing at plm kernel', () => {
    const at = (plm?: 'user' | 'kernel' | 'both') =>
      count({
        machine: p6,
        events: ['INST_RETIRED'],
        workload: rates,
        cycles: 1_000_000,
        ...(plm ? { plm } : {}),
      }).events[0]!.value;
    expect(at()).toBe(750_000);
    expect(at('user')).toBe(750_000);
    expect(at('both')).toBe(750_000);
    expect(at('kernel')).toBe(0);
  });
});

describe('count(): workloads', () => {
  it('accepts a compiled workload as well as a rate table', () => {
    const workload = workloadFromEvents(getModel('intel-p6'), 'compiled', rates);
    const r = count({ machine: p6, events: ['INST_RETIRED', 'BR_INST_RETIRED'], workload, cycles: 800_000 });
    expect(r.events.map((e) => [e.name, e.value])).toEqual([
      ['INST_RETIRED', 600_000],
      ['BR_INST_RETIRED', 100_000],
    ]);
    expect(r.cycles).toBe(800_000);
    expect(r.sets).toBe(1);
  });
});

describe('count(): what does not fit', () => {
  const ita2 = { arch: 'ia64', cost: 'p4-2006', pmu: 'itanium2' };

  it('no events: no sets, nothing counted', () => {
    expect(count({ machine: p6, events: [], workload: rates, cycles: 1000 })).toEqual({
      events: [],
      multiplexed: false,
      sets: 0,
      cycles: 1000,
    });
  });

  it('events that can never be measured together (EVTSET) are an error, not multiplexed', () => {
    const events = ['L1D_READS_SET0', 'L1D_READ_MISSES_ALL'];
    expect(() => count({ machine: ita2, events, workload: { CPU_CYCLES: 1 }, cycles: 1000 })).toThrow(
      expect.objectContaining({ code: PFMLIB_ERR_EVTSET }),
    );
  });

  it('events competing for one counter (NOASSIGN together) go to separate sets', () => {
    const events = ['L2_FORCE_RECIRC_ANY', 'L2_FORCE_RECIRC_L1W'];
    const r = count({ machine: ita2, events, workload: { CPU_CYCLES: 1 }, cycles: 1000 });
    expect(r.events.map((e) => [e.set, e.pmd])).toEqual([
      [0, 4],
      [1, 4],
    ]);
  });
});

describe('count(): multiplexing', () => {
  const four = ['CPU_CLK_UNHALTED', 'INST_RETIRED', 'BR_INST_RETIRED', 'DATA_MEM_REFS'];

  it('keeps the events in input order, each with its set and the counter of that set', () => {
    const r = count({ machine: p6, events: four, workload: rates, cycles: SECOND / 10 });
    expect(r.events.map((e) => [e.name, e.set, e.pmd])).toEqual([
      ['CPU_CLK_UNHALTED', 0, 0],
      ['INST_RETIRED', 0, 1],
      ['BR_INST_RETIRED', 1, 0],
      ['DATA_MEM_REFS', 1, 1],
    ]);
    const enabled = r.events[0]!.enabledNs;
    expect(r.events.every((e) => e.enabledNs === enabled)).toBe(true);
    expect(r.events[0]!.runningNs + r.events[2]!.runningNs).toBe(enabled);
  });

  it.each(['v2.3', 'v2.2'] as const)(
    '%s: the set switch timeout is switchNs (given in ns, µs on v2.2)',
    (abi) => {
      // With a 600 ms timeout over one second, set 0 runs 600 ms and set 1 the remaining 400 ms.
      const r = count({ machine: p6, events: four, workload: rates, cycles: SECOND, switchNs: 600e6, abi });
      const [set0, set1] = [r.events[0]!.runningNs, r.events[2]!.runningNs];
      expect(Math.abs(set0 - 600e6) / 600e6).toBeLessThan(0.01);
      expect(Math.abs(set1 - 400e6) / 400e6).toBeLessThan(0.01);
    },
  );

  it('a set that never ran reports its raw count (0) and scales to 0', () => {
    // A 10 s timeout over 10 ms: set 1 is never activated.
    const r = count({ machine: p6, events: four, workload: rates, cycles: SECOND / 100, switchNs: 10e9 });
    expect(r.events.slice(2).map((e) => [e.value, e.runningNs, e.scaled])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(r.events[0]!.scaled).toBe(r.events[0]!.value);
  });

  it('raises the argument size limit (one page) for vectors that do not fit in it', () => {
    // 100 events on two counters: 100 PMC and 100 PMD elements in 50 sets, more than a 4 KiB page.
    const events = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 'CPU_CLK_UNHALTED' : 'INST_RETIRED'));
    const { sys } = openSession({ machine: p6 });
    expect(100 * Math.min(sys.abi.sizes.pmc, sys.abi.sizes.pmd)).toBeGreaterThan(sys.k.arch.pageSize);
    const r = count({ machine: p6, events, workload: rates, cycles: SECOND, switchNs: 1e6 });
    expect(r.sets).toBe(50);
    expect(r.events.map((e) => e.set)).toEqual(Array.from({ length: 100 }, (_, i) => i >> 1));
    for (const e of r.events) {
      const truth = (e.name === 'INST_RETIRED' ? 0.75 : 1) * SECOND;
      expect(Math.abs(e.scaled - truth) / truth).toBeLessThan(0.05);
    }
  });
});

describe('count() and sample(): a failing system call', () => {
  it.each([
    [1, 'pfm_write_pmcs'],
    [2, 'pfm_write_pmds'],
    [3, 'pfm_read_pmds'],
    [4, 'pfm_getinfo_evtsets'],
  ])('vector call %i fails: SyscallError names %s and carries the errno', (n, call) => {
    const e = syscallError(() =>
      count({
        machine: p6,
        events: ['INST_RETIRED'],
        workload: rates,
        cycles: 1000,
        strategy: failingNth(n),
      }),
    );
    expect(e.name).toBe('SyscallError');
    expect(e.call).toBe(call);
    expect(e.errno).toBe(ENOMEM);
    expect(e.message).toBe(`${call}: ENOMEM`);
  });

  it('multiplexing creates the event sets first', () => {
    const e = syscallError(() =>
      count({
        machine: p6,
        events: ['CPU_CLK_UNHALTED', 'INST_RETIRED', 'BR_INST_RETIRED'],
        workload: rates,
        cycles: 1000,
        strategy: failingNth(1),
      }),
    );
    expect(e.message).toBe('pfm_create_evtsets: ENOMEM');
  });

  // the format argument of pfm_create_context goes through the strategy first
  it.each([
    [1, 'pfm_create_context'],
    [2, 'pfm_write_pmcs'],
    [3, 'pfm_write_pmds'],
  ])('sample(): argument call %i fails: %s', (n, call) => {
    const e = syscallError(() =>
      sample({
        machine: p6,
        event: 'INST_RETIRED',
        period: 1000,
        workload: rates,
        cycles: 10_000,
        strategy: failingNth(n),
      }),
    );
    expect(e.message).toBe(`${call}: ENOMEM`);
  });
});

describe('sample()', () => {
  it('accepts a compiled workload; each sample names the overflowed PMD and where the program was', () => {
    const workload = workloadFromEvents(getModel('intel-p6'), 'compiled', rates);
    const r = sample({ machine: p6, event: 'INST_RETIRED', period: 50_000, workload, cycles: 1_000_000 });
    expect(r.samples.length).toBe(15);
    expect(r.samples.every((s) => s.pmd === 0)).toBe(true);
    // the ip: where the program was, in its i386 text (loaded from 0x08048000)
    for (const { ip } of r.samples) {
      expect(ip).toBeGreaterThanOrEqual(0x0804_8000);
      expect(ip).toBeLessThan(0x0a00_0000);
    }
  });
});
