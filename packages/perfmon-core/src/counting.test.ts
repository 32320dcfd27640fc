import { type KGen, type Thread, Y_PREEMPT } from '@pfmsim/kernel-sim';
import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  PFM_CTX_LOADED,
  PFM_CTX_MASKED,
  PFM_FL_NOTIFY_BLOCK,
  PFM_REGFL_OVFL_NOTIFY,
  PFM_SETFL_TIME_SWITCH,
} from './abi/constants.js';
import { ok } from './abi/errno.js';
import {
  createPfargSetdesc,
  createPfargSetinfo,
  decodePfargVector,
  encodePfargVector,
} from './abi/structs.js';
import { workloadFromEvents } from './core/workload.js';
import { testWorld } from './test-util.js';

const p6 = getModel('intel-p6');
const loop = workloadFromEvents(p6, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });
const NEG = (n: bigint) => (1n << 64n) - n;

function selfMonitored(opts = {}) {
  const w = testWorld(opts);
  const fd = w.ctx();
  expect(
    w.g.pfm_write_pmcs(
      fd,
      w.pmcs([
        { reg_num: 0, reg_value: 0x510079n },
        { reg_num: 1, reg_value: 0x1100c0n },
      ]),
      2,
    ),
  ).toEqual(ok(0));
  return { w, fd };
}

describe('counter virtualisation under a workload', () => {
  it('counts rate x cycles exactly while started, nothing while stopped', () => {
    const { w, fd } = selfMonitored();
    const r = w.pmds([{ reg_num: 0 }, { reg_num: 1 }]);
    expect(w.g.pfm_write_pmds(fd, r, 2)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 1000); // loaded but not started: no counting
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 1_234_567);
    expect(w.g.pfm_stop(fd)).toEqual(ok(0));
    w.s.runSync(w.t, loop, 5000);
    expect(w.g.pfm_read_pmds(fd, r, 2)).toEqual(ok(0));
    const [clk, inst] = w.readPmds(r, 2);
    expect(clk!.reg_value).toBe(1_234_567n);
    expect(inst!.reg_value).toBe(BigInt(Math.floor(0.8 * 1_234_567)));
  });

  it('carries the hardware width: 64-bit values past 2^31 and across many wraps', () => {
    const { w, fd } = selfMonitored();
    const r = w.pmds([{ reg_num: 0, reg_value: 0x7fffff00n }]);
    w.g.pfm_write_pmds(fd, r, 1);
    w.load(fd, w.t.tid);
    w.g.pfm_start(fd);
    w.s.runSync(w.t, loop, 5 * 2 ** 31);
    w.g.pfm_read_pmds(fd, r, 1);
    expect(w.readPmds(r, 1)[0]!.reg_value).toBe(0x7fffff00n + 5n * 2n ** 31n);
  });

  it('a 64-bit overflow of an OVFL_NOTIFY PMD queues PFM_MSG_OVFL and masks; restart resumes with the long reset', () => {
    const { w, fd } = selfMonitored();
    const period = 100_000n;
    const r = w.pmds([
      {
        reg_num: 0,
        reg_value: NEG(period),
        reg_long_reset: NEG(period),
        reg_short_reset: NEG(period),
        reg_flags: PFM_REGFL_OVFL_NOTIFY,
      },
      { reg_num: 1 },
    ]);
    expect(w.g.pfm_write_pmds(fd, r, 2)).toEqual(ok(0));
    w.load(fd, w.t.tid);
    w.g.pfm_start(fd);
    w.s.runSync(w.t, loop, 250_000);
    const ctx = w.s.contexts[0]!;
    expect(ctx.state).toBe(PFM_CTX_MASKED);
    expect(w.g.poll(fd)).toBe(1);
    const m = w.buf(64);
    expect(w.g.read(fd, m, 64)).toEqual(ok(56));
    const msg = w.p.mm.dataView(m, 56, false);
    expect(msg.getUint32(0, true)).toBe(1); // PFM_MSG_OVFL
    expect(msg.getUint32(8, true)).toBe(0b1); // pmd0 overflowed
    // masked: counting stopped exactly at the overflow
    w.g.pfm_read_pmds(fd, r, 2);
    const [clk, inst] = w.readPmds(r, 2);
    expect(clk!.reg_value).toBe(0n);
    expect(inst!.reg_value).toBe(80_000n);
    expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    expect(ctx.state).toBe(PFM_CTX_LOADED);
    w.s.runSync(w.t, loop, 30_000);
    w.g.pfm_read_pmds(fd, r, 1);
    expect(w.readPmds(r, 1)[0]!.reg_value).toBe(NEG(period) + 30_000n);
    expect(w.s.k.bugs).toEqual([]);
  });

  it('without OVFL_NOTIFY the short reset reloads the counter at once', () => {
    const { w, fd } = selfMonitored();
    const r = w.pmds([
      { reg_num: 0, reg_value: NEG(100_000n), reg_short_reset: NEG(100_000n), reg_long_reset: NEG(7n) },
    ]);
    w.g.pfm_write_pmds(fd, r, 1);
    w.load(fd, w.t.tid);
    w.g.pfm_start(fd);
    w.s.runSync(w.t, loop, 250_000);
    w.g.pfm_read_pmds(fd, r, 1);
    const [v] = w.readPmds(r, 1);
    expect(v!.reg_value).toBe(NEG(100_000n) + 50_000n);
    expect(v!.reg_last_reset_val).toBe(NEG(100_000n));
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_LOADED);
  });

  it('time-based multiplexing: sets switch on their timeout; getinfo gives runs and durations', () => {
    const { w, fd } = selfMonitored();
    const abi = w.s.abi;
    const tick = w.s.k.irq.tickCycles; // 12,000,000 cycles at 3 GHz, HZ=250 (4 ms)
    const sd = w.buf(2 * abi.sizes.setdesc);
    encodePfargVector(
      'setdesc',
      w.p.mm.dataView(sd, 2 * abi.sizes.setdesc, true),
      0,
      [
        createPfargSetdesc({ set_id: 0, set_flags: PFM_SETFL_TIME_SWITCH, set_timeout: 4_000_000n }),
        createPfargSetdesc({ set_id: 1, set_flags: PFM_SETFL_TIME_SWITCH, set_timeout: 3_000_000n }),
      ],
      abi,
    );
    expect(w.g.pfm_create_evtsets(fd, sd, 2)).toEqual(ok(0));
    // the effective timeout, rounded up to ticks, is written back: 3 ms -> one 4 ms tick
    expect(decodePfargVector('setdesc', w.p.mm.dataView(sd, 128, false), 0, 2, abi)[1]!.set_timeout).toBe(
      4_000_000n,
    );
    w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 0, reg_set: 1, reg_value: 0x5100c0n }]), 1);
    const r = w.pmds([{ reg_num: 0 }, { reg_num: 0, reg_set: 1 }]);
    w.g.pfm_write_pmds(fd, r, 2);
    w.load(fd, w.t.tid);
    w.g.pfm_start(fd);
    w.s.runSync(w.t, loop, 5 * tick); // set0, set1, set0, set1, set0
    w.g.pfm_stop(fd);
    w.g.pfm_read_pmds(fd, r, 2);
    const [s0, s1] = w.readPmds(r, 2);
    expect(s0!.reg_value).toBe(BigInt(3 * tick)); // cycles while set 0 was active
    expect(s1!.reg_value).toBe(BigInt(Math.floor(0.8 * 2 * tick))); // instructions in set 1
    const si = w.buf(2 * abi.sizes.setinfo);
    encodePfargVector(
      'setinfo',
      w.p.mm.dataView(si, 2 * abi.sizes.setinfo, true),
      0,
      [createPfargSetinfo({ set_id: 0 }), createPfargSetinfo({ set_id: 1 })],
      abi,
    );
    expect(w.g.pfm_getinfo_evtsets(fd, si, 2)).toEqual(ok(0));
    const [i0, i1] = decodePfargVector(
      'setinfo',
      w.p.mm.dataView(si, 2 * abi.sizes.setinfo, false),
      0,
      2,
      abi,
    );
    // the fifth tick ends set 0's third run and switches to set 1 a third time
    expect([i0!.set_runs, i1!.set_runs]).toEqual([3n, 3n]);
    expect(i0!.set_act_duration).toBe(BigInt(Math.round(w.s.k.cyclesToNs(3 * tick))));
  });
});

describe('overflow-based set switching (OVFL_SWITCH)', () => {
  it('switches to the next set after reg_ovfl_switch_cnt overflows, silently', () => {
    const { w, fd } = selfMonitored();
    const abi = w.s.abi;
    const sd = w.buf(2 * abi.sizes.setdesc);
    encodePfargVector(
      'setdesc',
      w.p.mm.dataView(sd, 2 * abi.sizes.setdesc, true),
      0,
      [createPfargSetdesc({ set_id: 0, set_flags: 0x01 }), createPfargSetdesc({ set_id: 1 })],
      abi,
    );
    expect(w.g.pfm_create_evtsets(fd, sd, 2)).toEqual(ok(0));
    w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 0, reg_set: 1, reg_value: 0x5100c0n }]), 1);
    const r = w.pmds([
      { reg_num: 0, reg_value: NEG(1000n), reg_short_reset: NEG(1000n), reg_ovfl_switch_cnt: 2n },
      { reg_num: 0, reg_set: 1 },
    ]);
    expect(w.g.pfm_write_pmds(fd, r, 2)).toEqual(ok(0));
    w.load(fd, w.t.tid);
    w.g.pfm_start(fd);
    w.s.runSync(w.t, loop, 10_000); // set 0: two overflows of 1000 cycles, then set 1 counts instructions
    w.g.pfm_stop(fd);
    w.g.pfm_read_pmds(fd, r, 2);
    const [s0, s1] = w.readPmds(r, 2);
    expect(w.s.contexts[0]!.active.id).toBe(1);
    expect(s0!.reg_value).toBe(NEG(1000n)); // reset after its second overflow, then switched out
    expect(s1!.reg_value).toBe(BigInt(Math.floor(0.8 * 8000)));
    expect(w.g.poll(fd)).toBe(0); // no notification: the switch is silent
  });
});

/**
 * A NOTIFY_BLOCK context started on a worker thread (CPU 1) by the main thread, with PMD0
 * overflowing every 1000 cycles and asking for a notification.
 */
function blockingWorker() {
  const w = testWorld({ cpus: 2 });
  const fd = w.ctx(PFM_FL_NOTIFY_BLOCK);
  const worker = w.s.thread(w.s.process({ uid: 1000 }), 'worker', undefined, 1);
  w.g.pfm_write_pmcs(fd, w.pmcs([{ reg_num: 0, reg_value: 0x510079n }]), 1);
  w.g.pfm_write_pmds(
    fd,
    w.pmds([
      { reg_num: 0, reg_value: NEG(1000n), reg_long_reset: NEG(1000n), reg_flags: PFM_REGFL_OVFL_NOTIFY },
    ]),
    1,
  );
  w.s.ptraceAttach(w.t, worker);
  expect(w.load(fd, worker.tid)).toEqual(ok(0));
  expect(w.g.pfm_start(fd)).toEqual(ok(0));
  w.s.ptraceDetach(worker);
  return { w, fd, worker };
}

describe('blocking notification (NOTIFY_BLOCK, another thread)', () => {
  it('the target blocks at the overflow until the monitor reads the message and restarts', () => {
    const { w, fd, worker } = blockingWorker();
    const events: string[] = [];
    const msg = w.buf(64);
    worker.body = (function* (t: Thread): KGen<void> {
      yield* w.s.run(t, loop, 2500);
      events.push('worker done');
      w.s.k.exitThread(t);
    })(worker);
    w.t.body = (function* (t: Thread): KGen<void> {
      for (let i = 0; i < 2; i++) {
        const n = yield* w.s.sys.read(t, fd, msg, 64);
        events.push(`msg ${n}`);
        yield Y_PREEMPT;
        events.push(`restart ${yield* w.s.sys.pfm_restart(t, fd)}`);
      }
    })(w.t);
    const run = w.s.k.run({ kind: 'round-robin' });
    expect(run.deadlock).toBe(false);
    expect(events).toEqual(['msg 56', 'restart 0', 'msg 56', 'restart 0', 'worker done']);
    expect(w.s.k.bugs).toEqual([]);
  });

  it('a monitor that waits for a second message without restarting: both sleep, and the deadlock names their queues', () => {
    const { w, fd, worker } = blockingWorker();
    const msg = w.buf(64);
    worker.body = (function* (t: Thread): KGen<void> {
      yield* w.s.run(t, loop, 2500);
    })(worker);
    w.t.body = (function* (t: Thread): KGen<void> {
      yield* w.s.sys.read(t, fd, msg, 64);
      yield* w.s.sys.read(t, fd, msg, 64); // no pfm_restart: no second overflow comes
    })(w.t);
    const run = w.s.k.run({ kind: 'round-robin' });
    expect(run.deadlock).toBe(true);
    expect(w.s.k.bugs.map((b) => b.message)).toEqual([
      'all live threads blocked: T0 main on ctx->msgq_wait, T1 worker on ctx->restart_complete',
    ]);
  });
});

describe('self-monitoring with SIGIO (notify_self.c)', () => {
  it('the handler reads each overflow message and restarts; counting goes on', () => {
    const w = testWorld();
    const fd = w.ctx();
    w.g.pfm_write_pmcs(
      fd,
      w.pmcs([
        { reg_num: 0, reg_value: 0x510079n },
        { reg_num: 1, reg_value: 0x1100c0n },
      ]),
      2,
    );
    const period = 1_000_000n;
    w.g.pfm_write_pmds(
      fd,
      w.pmds([
        {
          reg_num: 0,
          reg_value: NEG(period),
          reg_long_reset: NEG(period),
          reg_short_reset: NEG(period),
          reg_flags: PFM_REGFL_OVFL_NOTIFY,
        },
        { reg_num: 1 },
      ]),
      2,
    );
    w.load(fd, w.t.tid);
    const m = w.buf(64);
    let notifications = 0;
    w.s.sys.setAsync(w.t, fd, () => {
      while (w.g.poll(fd) === 1) {
        expect(w.g.read(fd, m, 64)).toEqual(ok(56));
        notifications++;
      }
      expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    });
    w.g.pfm_start(fd);
    w.s.runSync(w.t, loop, 3_500_000);
    expect(notifications).toBe(3);
    const r = w.pmds([{ reg_num: 1 }]);
    w.g.pfm_read_pmds(fd, r, 1);
    expect(w.readPmds(r, 1)[0]!.reg_value).toBe(BigInt(Math.floor(0.8 * 3_500_000)));
    expect(w.s.k.bugs).toEqual([]);
  });
});

describe('POWER5 and MIPS64 counters under a workload', () => {
  const power5 = getModel('power5');
  const mips = getModel('mips64');
  const FCS = 0x40000000n;

  function count(
    abi: 'v2.2' | 'v2.3',
    pmu: 'power5' | 'mips64',
    pmcs: { reg_num: number; reg_value: bigint }[],
    pmds: number[],
    rates: Record<string, number | { user?: number; kernel?: number }>,
  ) {
    const arch = pmu === 'power5' ? 'ppc64' : 'mips64';
    const w = testWorld({ machine: { arch, cost: 'k8-2006', pmu }, abi });
    const fd = w.ctx();
    expect(w.g.pfm_write_pmcs(fd, w.pmcs(pmcs), pmcs.length)).toEqual(ok(0));
    const r = w.pmds(pmds.map((reg_num) => ({ reg_num })));
    expect(w.g.pfm_write_pmds(fd, r, pmds.length)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    const model = pmu === 'power5' ? power5 : mips;
    w.s.runSync(w.t, workloadFromEvents(model, 'w', rates), 1_000_000);
    expect(w.g.pfm_read_pmds(fd, r, pmds.length)).toEqual(ok(0));
    return w.readPmds(r, pmds.length).map((d) => d.reg_value);
  }

  it('POWER5: MMCR1 PMCSEL picks the event of PMC1-4, PMC5/6 count their fixed events, FCS/FCP/FC5_6 gate them', () => {
    // PMC1 = PM_CYC (PMCSEL 0x0f), PMC2 = PM_INST_CMPL (0x09); FCS set: user mode only
    const mmcr1 = (0x0fn << 24n) | (0x09n << 16n);
    const rates = { PM_CYC: { user: 1, kernel: 1 }, PM_INST_CMPL: 0.5, PM_RUN_CYC: 1 };
    expect(
      count(
        'v2.3',
        'power5',
        [
          { reg_num: 0, reg_value: FCS },
          { reg_num: 1, reg_value: mmcr1 },
        ],
        [1, 2, 5, 6],
        rates,
      ),
    ).toEqual([1_000_000n, 500_000n, 500_000n, 1_000_000n]);
    // FC5_6 freezes PMC5/6 only; with FCS clear PM_CYC counts kernel cycles too
    expect(
      count(
        'v2.3',
        'power5',
        [
          { reg_num: 0, reg_value: 0x10n },
          { reg_num: 1, reg_value: mmcr1 },
        ],
        [1, 2, 5, 6],
        rates,
      ),
    ).toEqual([2_000_000n, 500_000n, 0n, 0n]);
  });

  it('POWER5: FC1_4 freezes PMC1-4 only, FC all of them', () => {
    const pmcs = (mmcr0: bigint) => [
      { reg_num: 0, reg_value: mmcr0 },
      { reg_num: 1, reg_value: 0x0fn << 24n },
    ];
    const rates = { PM_CYC: 1, PM_INST_CMPL: 0.5, PM_RUN_CYC: 1 };
    expect(count('v2.3', 'power5', pmcs(0x20n), [1, 5, 6], rates)).toEqual([0n, 500_000n, 1_000_000n]);
    expect(count('v2.3', 'power5', pmcs(0x80000000n), [1, 5, 6], rates)).toEqual([0n, 0n, 0n]);
  });

  it('POWER5 under v2.2 (quirk Q13): every MMCR write becomes dfl_val, MMCR0 keeps FC, nothing counts', () => {
    expect(
      count(
        'v2.2',
        'power5',
        [
          { reg_num: 0, reg_value: 0n },
          { reg_num: 1, reg_value: 0x0fn << 24n },
        ],
        [1, 5],
        { PM_CYC: 1, PM_INST_CMPL: 1 },
      ),
    ).toEqual([0n, 0n]);
  });

  it('MIPS64: the PerfCtl event field means a different event on each counter; U and K pick the modes', () => {
    // counter 0: event 5 = FAILED_COND_STORES, U; counter 1: event 5 = FP_INSNS_EXECED, U + K
    const rates = { FAILED_COND_STORES: 0.25, FP_INSNS_EXECED: { user: 0.5, kernel: 0.125 }, CYCLES: 1 };
    expect(
      count(
        'v2.3',
        'mips64',
        [
          { reg_num: 0, reg_value: (5n << 5n) | 0x8n | 0x10n },
          { reg_num: 1, reg_value: (5n << 5n) | 0xan | 0x10n },
        ],
        [0, 1],
        rates,
      ),
    ).toEqual([250_000n, 625_000n]);
    // no mode bit: the counter is off
    expect(count('v2.3', 'mips64', [{ reg_num: 0, reg_value: 0x10n }], [0], { CYCLES: 1 })).toEqual([0n]);
  });
});
