/**
 * MIPS64 PerfCtl: U bit 3, K bit 1, event select from bit 5 (encoding.eventBits wide), with
 * per-counter select codes and libpfm's pmeCode as the workload key.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { PmuEvent, PmuModel } from '../model.js';
import { getModel } from '../registry.js';
import { mips64CtrlScheme } from './mips64-ctrl.js';
import type { SchemeBinding } from './scheme.js';
import { decode, regs, untouched, withEntryAtMinusOne } from './scheme.test-util.js';

const mips = getModel('mips64');

const cfg = (enabled: boolean, code: number, user: boolean, kernel: boolean) => ({
  enabled,
  code,
  umask: 0,
  user,
  kernel,
});

const EXL = 1 << 0;
const K = 1 << 1;
const S = 1 << 2;
const U = 1 << 3;
const IE = 1 << 4;
const sel = (v: number) => v << 5;

function event(name: string, code: bigint, counters: number[], modelData: Record<string, unknown>): PmuEvent {
  return {
    index: 0,
    name,
    code,
    description: '',
    counters,
    unitMasks: [],
    umaskCombinable: false,
    flags: [],
    modelData,
  };
}

describe('mips64-ctrl: the scheme', () => {
  it('names itself; it takes no options and has no single-PMC image', () => {
    expect({
      apiVersion: mips64CtrlScheme.apiVersion,
      name: mips64CtrlScheme.name,
      summary: mips64CtrlScheme.summary,
      options: mips64CtrlScheme.options,
    }).toEqual({
      apiVersion: 1,
      name: 'mips64-ctrl',
      summary: 'MIPS64 PerfCtl: U 3, K 1, event from bit 5; per-counter select codes (modelData.codes)',
      options: {},
    });
    expect(mips64CtrlScheme.pmcImage).toBeUndefined();
  });

  it('checkModel: an event field of at most 8 bits (the select table has 256 entries per counter)', () => {
    const found = (eventBits: number) => {
      const out: string[] = [];
      const model = { ...mips, encoding: { ...mips.encoding, eventBits } };
      mips64CtrlScheme.checkModel!(model, (path, message) => out.push(`${path}: ${message}`));
      return out;
    };
    expect(found(4)).toEqual([]);
    expect(found(8)).toEqual([]);
    expect(found(9)).toEqual(['encoding.eventBits: 9: the PerfCtl event field decodes at most 8 bits']);
  });

  it('codeWidth: the event bits', () => {
    expect(mips64CtrlScheme.codeWidth(mips.encoding)).toEqual({ bits: 4, label: 'encoding.eventBits (4)' });
    expect(mips64CtrlScheme.codeWidth({ scheme: 'mips64-ctrl', eventBits: 7, umaskBits: 0 })).toEqual({
      bits: 7,
      label: 'encoding.eventBits (7)',
    });
  });

  it('workloadKey: libpfm’s pmeCode (string or number), else the event code', () => {
    const ev = mips.eventByName('INSNS_EXECED')!;
    const key = (e: PmuEvent) => mips64CtrlScheme.workloadKey(mips, e);
    expect(key(ev)).toEqual({ code: 0x10f, umask: 0 });
    expect(key(mips.eventByName('CYCLES')!)).toEqual({ code: 0, umask: 0 });
    expect(key(mips.eventByName('COP2_INSNS_EXECED')!)).toEqual({ code: 0xf00, umask: 0 });
    const withPme = (pmeCode: unknown): PmuEvent => ({ ...ev, modelData: { ...ev.modelData, pmeCode } });
    expect(key(withPme(0x20f))).toEqual({ code: 0x20f, umask: 0 });
    expect(key(withPme('0x30f'))).toEqual({ code: 0x30f, umask: 0 });
    expect(key(withPme(undefined))).toEqual({ code: 0xf, umask: 0 });
    expect(key(withPme(true))).toEqual({ code: 0xf, umask: 0 });
    expect(key(withPme(null))).toEqual({ code: 0xf, umask: 0 });
    const { pmeCode: _, ...noPme } = ev.modelData;
    expect(key({ ...ev, modelData: noPme })).toEqual({ code: 0xf, umask: 0 });
  });
});

describe('mips64-ctrl: decode', () => {
  let b: SchemeBinding;
  beforeEach(() => {
    b = mips64CtrlScheme.bind(mips);
  });

  it('each counter has its own event numbering (INSNS_EXECED is 0xf on counter 0, 0x1 on counter 1)', () => {
    const s = regs(mips, { 0: sel(0xf) | U, 1: sel(0x1) | K });
    expect(decode(b, s, 0)).toEqual(cfg(true, 0x10f, true, false));
    expect(decode(b, s, 1)).toEqual(cfg(true, 0x10f, false, true));
    const t = regs(mips, { 0: sel(0x1) | U | K, 1: sel(0xf) | U | K });
    expect(decode(b, t, 0)).toEqual(cfg(true, 0x1, true, true));
    expect(decode(b, t, 1)).toEqual(cfg(true, 0xf00, true, true));
  });

  it('event 0 is CYCLES, whose workload code is 0', () => {
    const s = regs(mips, { 0: sel(0) | U, 1: sel(0) | K });
    expect(decode(b, s, 0)).toEqual(cfg(true, 0, true, false));
    expect(decode(b, s, 1)).toEqual(cfg(true, 0, false, true));
  });

  it('an event field with no event on that counter, or no U/K bit, does not count', () => {
    const s = regs(mips, { 0: sel(0xb) | U | K, 1: sel(0x5) });
    expect(decode(b, s, 0)).toEqual(cfg(false, -1, true, true));
    expect(decode(b, s, 1)).toEqual(cfg(false, 0x500, false, false));
  });

  it('EXL (0), S (2) and IE (4) are not modes a workload counts in', () => {
    expect(decode(b, regs(mips, { 0: sel(2) | EXL | S | IE }), 0)).toEqual(cfg(false, 0x202, false, false));
    expect(decode(b, regs(mips, { 0: sel(2) | S }), 0)).toEqual(cfg(false, 0x202, false, false));
    expect(decode(b, regs(mips, { 0: sel(2) | EXL }), 0)).toEqual(cfg(false, 0x202, false, false));
  });

  it('the event field is encoding.eventBits (4) wide: bits above it are ignored', () => {
    expect(decode(b, regs(mips, { 0: sel(0x12) | U }), 0)).toEqual(cfg(true, 0x202, true, false));
    expect(decode(b, regs(mips, { 0: (0xffffffe0 | U) >>> 0 }), 0)).toEqual(cfg(true, 0x10f, true, false));
    expect(decode(b, regs(mips, { 1: (0xfffffe00 | sel(0x8) | K) >>> 0 }), 1)).toEqual(
      cfg(true, 0x800, false, true),
    );
  });

  it('a PerfCtl the set did not write counts nothing, whatever it holds', () => {
    const s = regs(mips, { 1: sel(0x1) | U }, { 0: sel(0xf) | U | K });
    expect(decode(b, s, 0)).toEqual(untouched);
    expect(decode(b, s, 1)).toEqual(cfg(true, 0x10f, true, false));
  });

  it('PMDs beyond the model are disabled and nothing else is touched', () => {
    const s = regs(mips, { 0: sel(0xf) | U, 1: sel(0x1) | U });
    expect(decode(b, s, 2)).toEqual(untouched);
    expect(decode(b, s, 100)).toEqual(untouched);
  });

  it('a PMD without a controlling PMC stays disabled for any array-like state, not only typed arrays', () => {
    const model: PmuModel = { ...mips, pmcs: mips.pmcs.filter((r) => r.index !== 0) };
    const b = mips64CtrlScheme.bind(model);
    const s = withEntryAtMinusOne(regs(model, { 1: sel(0x1) | U }), sel(0xf) | U | K);
    expect(decode(b, s, 1)).toEqual(cfg(true, 0x10f, true, false));
    expect(decode(b, s, 0)).toEqual(untouched);
  });

  it('has no shared unit', () => {
    expect([b.sharedUnit(0, 0xff), b.sharedUnit(1, 0xffffffff)]).toEqual([false, false]);
  });
});

describe('mips64-ctrl: the select table', () => {
  it('an event without per-counter codes is selected by its event code', () => {
    const model: PmuModel = {
      ...mips,
      events: [...mips.events, event('EXTRA', 0xbn, [0], { pmeCode: '0x777' }), event('BARE', 0xcn, [1], {})],
    };
    const b = mips64CtrlScheme.bind(model);
    const s = regs(model, { 0: sel(0xb) | U, 1: sel(0xc) | K });
    expect(decode(b, s, 0)).toEqual(cfg(true, 0x777, true, false));
    expect(decode(b, s, 1)).toEqual(cfg(true, 0xc, false, true));
  });

  it('a code for another counter does not apply: the event code does', () => {
    const model: PmuModel = {
      ...mips,
      events: [event('ONLY0', 0xbn, [0, 1], { codes: { 0: '0xc' }, pmeCode: 0x888 }), ...mips.events],
    };
    const b = mips64CtrlScheme.bind(model);
    const s = regs(model, { 0: sel(0xc) | U, 1: sel(0xb) | U });
    expect(decode(b, s, 0)).toEqual(cfg(true, 0x888, true, false));
    expect(decode(b, s, 1)).toEqual(cfg(true, 0x888, true, false));
  });

  it('the field width follows the model’s eventBits', () => {
    const model: PmuModel = {
      ...mips,
      encoding: { ...mips.encoding, eventBits: 5 },
      events: [...mips.events, event('WIDE', 0x12n, [0], { codes: { 0: '0x12' }, pmeCode: '0x999' })],
    };
    const b = mips64CtrlScheme.bind(model);
    expect(decode(b, regs(model, { 0: sel(0x12) | U }), 0)).toEqual(cfg(true, 0x999, true, false));
    expect(decode(b, regs(model, { 0: sel(0x32) | U }), 0)).toEqual(cfg(true, 0x999, true, false));
    expect(decode(b, regs(model, { 0: sel(0x2) | U }), 0)).toEqual(cfg(true, 0x202, true, false));
  });
});
