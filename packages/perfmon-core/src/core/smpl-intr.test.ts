// The default sampling format at work: the overflow handler filling the buffer, buffer full,
// the notification, pfm_restart (perfmon2-sampling.md §3).

import { PROT_READ } from '@pfmsim/kernel-sim';
import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  PFM_CTX_LOADED,
  PFM_CTX_MASKED,
  PFM_FL_OVFL_NO_MSG,
  PFM_MSG_OVFL,
  PFM_REGFL_OVFL_NOTIFY,
} from '../abi/constants.js';
import { ok } from '../abi/errno.js';
import { decodeDflSmplEntry, decodeDflSmplHdr, encodeDflSmplArg } from '../abi/smpl-layouts.js';
import {
  NEG,
  readMsg,
  readPmdValues,
  type TestWorld,
  testWorld,
  writePmcs,
  writePmds,
} from '../test-util.js';
import { DFL_SMPL_FMT } from './smpl-dfl.js';
import { OVFL_CTRL_MASK, OVFL_CTRL_RESET, type SmplFormat } from './smpl-fmt.js';
import { workloadFromEvents, workloadFromPhases } from './workload.js';

const p6 = getModel('intel-p6');
const loop = workloadFromEvents(p6, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 });
const CYCLES = 0x530079n;
const INSTS = 0x5300c0n;
const TEXT = 0x08048000;
/** P6 has 2 PMDs: full below 40 + 16 bytes; an entry with PMD1's value is 48 bytes. */
const FOUR_SAMPLES = 128 + 4 * 48 + 10;

/** A self-monitoring sampling context: PMD0 counts cycles with `period`, sampling PMD1 (instructions). */
function sampling(
  bufSize: number,
  opts: { ctxFlags?: number; notify?: boolean; period?: bigint; fmt?: Partial<SmplFormat> } = {},
) {
  const w = testWorld();
  if (opts.fmt) {
    // the default format with some hooks replaced, under its name
    w.s.formats.unregister('default');
    expect(w.s.formats.register({ ...DFL_SMPL_FMT, uuid: null, ...opts.fmt }, false, 4096)).toBe(0);
  }
  w.p.memlockLimit = Math.max(w.p.memlockLimit, bufSize + 4096); // RLIMIT_MEMLOCK as a sampler raises it
  const ctx = w.buf(64);
  w.p.mm.dataView(ctx, 64, true).setUint32(0, opts.ctxFlags ?? 0, true);
  const name = w.buf(8);
  w.p.mm.write(name, new TextEncoder().encode('default\0'));
  const arg = w.buf(64);
  encodeDflSmplArg(w.p.mm.dataView(arg, 64, true), 0, { buf_size: BigInt(bufSize) });
  const r = w.g.pfm_create_context(ctx, name, arg, 64);
  if (!r.ok) throw new Error(`create: errno ${r.errno}`);
  const fd = r.value;
  const period = opts.period ?? 1000n;
  writePmcs(w, fd, [
    { reg_num: 0, reg_value: CYCLES },
    { reg_num: 1, reg_value: INSTS },
  ]);
  writePmds(w, fd, [
    {
      reg_num: 0,
      reg_value: NEG(period),
      reg_short_reset: NEG(period),
      reg_long_reset: NEG(period),
      reg_flags: opts.notify === false ? 0 : PFM_REGFL_OVFL_NOTIFY,
      reg_smpl_pmds: [0b10n, 0n, 0n, 0n, 0n],
    },
    { reg_num: 1, reg_value: 0n },
  ]);
  expect(w.load(fd, w.t.tid)).toEqual(ok(0));
  expect(w.g.pfm_start(fd)).toEqual(ok(0));
  const map = w.g.mmap(fd, bufSize, PROT_READ);
  if (!map.ok) throw new Error(`mmap: errno ${map.errno}`);
  return { w, fd, hdr: map.value };
}
const header = (w: TestWorld, hdr: number) => decodeDflSmplHdr(w.p.mm.dataView(hdr, 128, false), 0);
const entry = (w: TestWorld, hdr: number, i: number) => {
  const v = w.p.mm.dataView(hdr + 128 + i * 48, 48, false);
  return { ...decodeDflSmplEntry(v, 0), pmd1: v.getBigUint64(40, true) };
};

describe('the default format records samples at each 64-bit overflow', () => {
  it('one entry per overflow, with the sampled PMD value; the counter short-resets, no message', () => {
    const { w, fd, hdr } = sampling(4096);
    w.s.runSync(w.t, loop, 3500);
    expect(header(w, hdr)).toMatchObject({ hdr_count: 3n, hdr_cur_offs: 128n + 3n * 48n, hdr_overflows: 0n });
    expect(w.g.poll(fd)).toBe(0);
    expect(w.s.contexts[0]!.state).toBe(PFM_CTX_LOADED);
    const e = entry(w, hdr, 1);
    expect(e).toMatchObject({
      pid: w.t.tid,
      tgid: w.p.pid,
      ovfl_pmd: 0,
      last_reset_val: NEG(1000n),
      ip: BigInt(TEXT + 4 * 2000),
      cpu: 0,
      set: 0,
      pmd1: 1600n, // 0.8 instructions per cycle over 2000 cycles
    });
    expect(entry(w, hdr, 2).pmd1).toBe(2400n);
    expect(entry(w, hdr, 2).tstamp).toBeGreaterThan(e.tstamp);
  });

  it('a full buffer keeps its last sample, masks, and notifies; pfm_restart empties it and monitoring goes on', () => {
    const { w, fd, hdr } = sampling(FOUR_SAMPLES);
    w.s.runSync(w.t, loop, 10_000);
    expect(header(w, hdr)).toMatchObject({ hdr_count: 4n, hdr_overflows: 1n });
    const ctx = w.s.contexts[0]!;
    expect(ctx.state).toBe(PFM_CTX_MASKED);
    const msg = readMsg(w, fd);
    expect(msg).toMatchObject({ msg_type: PFM_MSG_OVFL, msg_ovfl_pmds: [1n, 0n, 0n, 0n] });
    expect(entry(w, hdr, 3).pmd1).toBe(3200n);
    expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    expect(ctx.state).toBe(PFM_CTX_LOADED);
    expect(header(w, hdr)).toMatchObject({ hdr_count: 0n, hdr_cur_offs: 128n, hdr_overflows: 1n });
    w.s.runSync(w.t, loop, 4000);
    // the thread ran on masked after the 4th sample: instructions resumed from there
    expect(header(w, hdr)).toMatchObject({ hdr_count: 4n, hdr_overflows: 2n });
    expect(entry(w, hdr, 0).pmd1).toBe(4000n);
  });

  it('without OVFL_NOTIFY a full buffer masks silently; OVFL_NO_MSG masks without a message', () => {
    const silent = sampling(FOUR_SAMPLES, { notify: false });
    silent.w.s.runSync(silent.w.t, loop, 10_000);
    expect(silent.w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(silent.w.g.poll(silent.fd)).toBe(0);
    // v2.2 accepts pfm_restart after any masking (can_restart = 1)
    expect(silent.w.g.pfm_restart(silent.fd)).toEqual(ok(0));
    const noMsg = sampling(FOUR_SAMPLES, { ctxFlags: PFM_FL_OVFL_NO_MSG });
    noMsg.w.s.runSync(noMsg.w.t, loop, 10_000);
    expect(noMsg.w.s.contexts[0]!.state).toBe(PFM_CTX_MASKED);
    expect(noMsg.w.g.poll(noMsg.fd)).toBe(0);
    expect(header(noMsg.w, noMsg.hdr)).toMatchObject({ hdr_count: 4n, hdr_overflows: 1n });
  });

  it('OVFL_NO_MSG still sends SIGIO: a handler that drains the buffer and restarts loses no sample (self_smpl.c)', () => {
    const { w, fd, hdr } = sampling(FOUR_SAMPLES, { ctxFlags: PFM_FL_OVFL_NO_MSG });
    const seen: bigint[] = [];
    w.s.sys.setAsync(w.t, fd, () => {
      const h = header(w, hdr);
      for (let i = 0; i < Number(h.hdr_count); i++) seen.push(entry(w, hdr, i).pmd1);
      expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    });
    w.s.runSync(w.t, loop, 10_500);
    const h = header(w, hdr);
    for (let i = 0; i < Number(h.hdr_count); i++) seen.push(entry(w, hdr, i).pmd1);
    // 10 overflows: two full buffers of 4 went through the handler, 2 are left in the third
    expect(h).toMatchObject({ hdr_count: 2n, hdr_overflows: 2n });
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(800 * (i + 1))));
    expect(w.g.poll(fd)).toBe(0);
  });
});

describe("pfm_restart does what the format's fmt_restart asks", () => {
  /** A full buffer of four samples, then pfm_restart under `restart`; the context and PMD0 after. */
  function restartWith(restart: SmplFormat['restart']) {
    const { w, fd, hdr } = sampling(FOUR_SAMPLES, { fmt: { restart } });
    w.s.runSync(w.t, loop, 10_000);
    const ctx = w.s.contexts[0]!;
    expect(ctx.state).toBe(PFM_CTX_MASKED);
    readMsg(w, fd);
    expect(w.g.pfm_restart(fd)).toEqual(ok(0));
    return {
      state: ctx.state,
      pmd0: readPmdValues(w, fd, [{ reg_num: 0 }])[0]!,
      count: header(w, hdr).hdr_count,
    };
  }

  it('RESET: the long reset, and monitoring goes on (what the default format asks)', () => {
    const r = restartWith(DFL_SMPL_FMT.restart);
    expect(r).toMatchObject({ state: PFM_CTX_LOADED, pmd0: NEG(1000n), count: 0n });
  });

  it('no RESET: unmasked without resetting the overflowed PMD', () => {
    const r = restartWith((_a, ctrl) => {
      ctrl.value = 0;
      return 0;
    });
    expect(r.state).toBe(PFM_CTX_LOADED);
    expect(r.pmd0).not.toBe(NEG(1000n));
    // the buffer is the format's business: not emptied here
    expect(r.count).toBe(4n);
  });

  it('MASK: reset but stays masked; a nonzero return: neither reset nor unmasked', () => {
    const masked = restartWith((_a, ctrl) => {
      ctrl.value = OVFL_CTRL_RESET | OVFL_CTRL_MASK;
      return 0;
    });
    expect(masked).toMatchObject({ state: PFM_CTX_MASKED, pmd0: NEG(1000n) });
    const refused = restartWith((_a, ctrl) => {
      ctrl.value = OVFL_CTRL_RESET;
      return -16;
    });
    expect(refused.state).toBe(PFM_CTX_MASKED);
    expect(refused.pmd0).not.toBe(NEG(1000n));
  });
});

describe('a phased program: samples land in its functions in proportion to their time', () => {
  it('cycle sampling over three functions gives their shares; instructions count at each phase rate', () => {
    const prog = workloadFromPhases(
      p6,
      'prog',
      [
        {
          name: 'main',
          share: 50,
          start: 0x8049000,
          end: 0x8049400,
          events: { CPU_CLK_UNHALTED: 1, INST_RETIRED: 1 },
        },
        {
          name: 'hash',
          share: 30,
          start: 0x804a000,
          end: 0x804a100,
          events: { CPU_CLK_UNHALTED: 1, INST_RETIRED: 2 },
        },
        { name: 'wait', share: 20, start: 0x804b000, end: 0x804b040, events: { CPU_CLK_UNHALTED: 1 } },
      ],
      100_000,
    );
    const { w, fd, hdr } = sampling(128 + 2100 * 48 + 56, { period: 997n });
    w.s.runSync(w.t, prog, 2_000_000);
    const h = header(w, hdr);
    expect(h.hdr_count).toBe(2_000_000n / 997n);
    const byFunction: Record<string, number> = { main: 0, hash: 0, wait: 0 };
    for (let i = 0; i < Number(h.hdr_count); i++) {
      const ip = Number(entry(w, hdr, i).ip);
      const f = prog.phases.find((p) => ip >= p.start && ip < p.end)!;
      byFunction[f.name]!++;
    }
    const n = Number(h.hdr_count);
    expect(Math.abs(byFunction.main! / n - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(byFunction.hash! / n - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(byFunction.wait! / n - 0.2)).toBeLessThan(0.02);
    // 20 periods of (50,000 x 1 + 30,000 x 2 + 20,000 x 0) instructions
    expect(readPmdValues(w, fd, [{ reg_num: 1 }])).toEqual([20n * 110_000n]);
  });
});

describe('what sampling costs (the estimates of the README table "Sampling costs")', () => {
  it('each sample: the interrupt entry and exit, a live read per overflowed and per sampled PMD, the entry stores', () => {
    const { w } = sampling(4096, { notify: false });
    const k = w.s.k;
    const before = w.t.clock.snapshot();
    w.s.runSync(w.t, loop, 3500);
    const irq = w.t.clock.since(before).irq;
    const c = k.costs;
    const perSample = c.syscallEntryExit + 2 * c.pmuRegLive + c.copyFixed + 48 * c.copyPerByte;
    expect(irq).toBeCloseTo(3 * perSample, 6);
  });

  it('a buffer full after one sample masks: no more interrupts; pfm_restart adds the header stores', () => {
    // room for exactly one entry, then full: the context masks and the counter stops
    const { w, fd } = sampling(128 + 48 + 10, { notify: false });
    const k = w.s.k;
    const before = w.t.clock.snapshot();
    w.s.runSync(w.t, loop, 1500);
    const c = k.costs;
    expect(w.t.clock.since(before).irq).toBeCloseTo(
      c.syscallEntryExit + 2 * c.pmuRegLive + c.copyFixed + 48 * c.copyPerByte,
      6,
    );
    // pfm_restart charges fmt_restart's header stores (copyFixed) on top of the system call
    const noBuffer = testWorld();
    const plain = noBuffer.ctx();
    expect(noBuffer.load(plain, noBuffer.t.tid)).toEqual(ok(0));
    const restartCost = (world: TestWorld, f: number) => {
      const s = world.t.clock.snapshot();
      world.g.pfm_restart(f);
      return world.t.clock.since(s).handler;
    };
    expect(restartCost(w, fd) - restartCost(noBuffer, plain)).toBe(c.copyFixed);
  });
});
