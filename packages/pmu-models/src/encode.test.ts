/**
 * PERFEVTSEL encodings bit for bit (libpfm-and-tools.md §2.1 layout: 0–7 event, 8–15 unit
 * mask, 16 USR, 17 OS, 18 EDGE, 20 INT, 22 EN, 23 INV, 24–31 cnt_mask), and the errors of
 * an event specification that cannot be encoded.
 */
import { describe, expect, it } from 'vitest';
import { encodeX86EvtSel, eventFields, resolveEvent, X86_EVTSEL } from './encode.js';
import { validFixture } from './fixtures.js';
import { normaliseModel } from './model.js';
import { getModel } from './registry.js';
import { PmuModelFileSchema } from './schema.js';

const p6 = () => getModel('intel-p6');
const core = () => getModel('intel-core');

describe('X86_EVTSEL', () => {
  it('places the PERFEVTSEL flags at their architectural bits', () => {
    expect(X86_EVTSEL).toEqual({
      USR: 0x10000n,
      OS: 0x20000n,
      EDGE: 0x40000n,
      INT: 0x100000n,
      EN: 0x400000n,
      INV: 0x800000n,
      CMASK_SHIFT: 24n,
    });
  });
});

describe('resolveEvent', () => {
  it('finds the event and its unit masks case-insensitively, in the order given', () => {
    const { event, unitMasks } = resolveEvent(p6(), 'l2_rqsts:m:e');
    expect(event.name).toBe('L2_RQSTS');
    expect(unitMasks.map((u) => [u.name, u.value])).toEqual([
      ['M', 8n],
      ['E', 4n],
    ]);
    expect(resolveEvent(p6(), 'INST_RETIRED').unitMasks).toEqual([]);
  });

  it('names the model and the missing event or unit mask', () => {
    expect(() => resolveEvent(p6(), 'NO_SUCH_EVENT')).toThrow('intel-p6: no event named "NO_SUCH_EVENT"');
    expect(() => resolveEvent(p6(), 'L2_RQSTS:M:X')).toThrow('intel-p6: event L2_RQSTS has no unit mask "X"');
  });
});

describe('eventFields', () => {
  it("splits a code's built-in unit mask from the event select and ORs in the chosen masks", () => {
    const m = core();
    const llc = m.eventByName('LAST_LEVEL_CACHE_MISSES')!;
    expect(eventFields(m, llc, [])).toEqual({ select: 0x2en, umask: 0x41n });
    const { event, unitMasks } = resolveEvent(p6(), 'L2_RQSTS:M:E');
    expect(eventFields(p6(), event, unitMasks)).toEqual({ select: 0x2en, umask: 0x0cn });
  });
});

describe('encodeX86EvtSel', () => {
  it('sets USR by default, OS, EDGE, INV and the counter mask on request (P6 PERFEVTSEL0)', () => {
    const m = p6();
    // 0x79 event, USR, INT (forced from the default), EN.
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED')).toBe(0x510079n);
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { usr: false, os: true })).toBe(0x520079n);
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { usr: false })).toBe(0x500079n);
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { edge: true })).toBe(0x550079n);
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { inv: true })).toBe(0xd10079n);
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { enable: false })).toBe(0x110079n);
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { cmask: 2 })).toBe(0x2510079n);
    // cnt_mask is 8 bits: higher bits do not leak into the reserved upper half.
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { cmask: 0x1ff })).toBe(0xff510079n);
  });

  it('forces the reserved bits to the PMC default: no EN on P6 PERFEVTSEL1, INT always set', () => {
    const m = p6();
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { counter: 1, enable: true })).toBe(0x110079n);
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { counter: 1, inv: true, edge: true })).toBe(0x950079n);
    // K8 has the enable bit on every PERFSEL.
    expect(encodeX86EvtSel(getModel('amd64-k8'), 'CPU_CLK_UNHALTED', { counter: 2 })).toBe(0x510076n);
  });

  it('uses the first allowed counter unless told, and refuses a counter the event may not use', () => {
    const m = p6();
    expect(encodeX86EvtSel(m, 'MUL')).toBe(0x110012n); // counter 1 only: no EN
    expect(encodeX86EvtSel(m, 'FLOPS')).toBe(0x5100c1n); // counter 0 only
    expect(() => encodeX86EvtSel(m, 'MUL', { counter: 0 })).toThrow(
      'intel-p6: MUL cannot be counted on generic counter 0',
    );
    expect(() => encodeX86EvtSel(m, 'INST_RETIRED', { counter: 2 })).toThrow(
      'intel-p6: INST_RETIRED cannot be counted on generic counter 2',
    );
  });

  it("applies one unit mask's counter override, and the event's counters for several masks", () => {
    const m = core();
    // CPU_CLK_UNHALTED:REF is FIXED2_ONLY: no generic counter at all.
    expect(() => encodeX86EvtSel(m, 'CPU_CLK_UNHALTED:REF')).toThrow(
      'intel-core: CPU_CLK_UNHALTED:REF cannot be counted on generic counter undefined',
    );
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED:CORE_P', { counter: 1 })).toBe(0x51003cn);
    // Two masks: the event's own counters apply, not the first mask's override.
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED:REF:CORE_P')).toBe(0x51013cn);
  });

  it('refuses a model that is not x86-evtsel', () => {
    expect(() => encodeX86EvtSel(getModel('intel-p4'), 'GLOBAL_POWER_EVENTS')).toThrow(
      'intel-p4: not an x86-evtsel model',
    );
  });

  it('refuses a counter no PMC controls', () => {
    const file = validFixture();
    file.pmcs[1]!.controls = [];
    const m = normaliseModel(PmuModelFileSchema.parse(file));
    expect(() => encodeX86EvtSel(m, 'INST_RETIRED', { counter: 1 })).toThrow(
      'test-pmu: no PMC controls counter 1',
    );
    expect(encodeX86EvtSel(m, 'INST_RETIRED')).toBe(0x5100c0n);
  });
});

describe('the AMD extended event select (extendedEventSelect)', () => {
  /** K8 as a Family 10h would be: the option set, PMC bits 35:32 no longer reserved. */
  const fam10hLike = () => {
    const file = JSON.parse(JSON.stringify(validFixture()));
    file.encoding.options = { extendedEventSelect: true };
    for (const p of file.pmcs.slice(0, 2)) p.reservedMask = '0xfffffcf000300000';
    file.events[2].code = '0x4e1';
    file.events[2].unitMasks = [{ name: 'ANY_READ', value: '0x7' }];
    return normaliseModel(PmuModelFileSchema.parse(file));
  };

  it('eventFields: the code is a 12-bit select with no built-in unit mask', () => {
    const m = fam10hLike();
    const ev = m.events[2]!;
    expect(eventFields(m, ev, [])).toEqual({ select: 0x4e1n, umask: 0n });
    expect(eventFields(m, ev, ev.unitMasks)).toEqual({ select: 0x4e1n, umask: 7n });
  });

  it('encodeX86EvtSel puts select bits 11:8 in PERFEVTSEL bits 35:32', () => {
    const m = fam10hLike();
    expect(encodeX86EvtSel(m, 'FILLER_0:ANY_READ').toString(16)).toBe('4005107e1');
    expect(encodeX86EvtSel(m, 'FILLER_0', { os: true, usr: false }).toString(16)).toBe('4005200e1');
    expect(encodeX86EvtSel(m, 'INST_RETIRED').toString(16)).toBe('5100c0');
  });
});
