/**
 * x86 PERFEVTSEL: the decoder on the shipped P6, Core, architectural-perfmon and K8 models
 * (and copies of them with other options or register numbers), the workload key, the code
 * width and the PMC image.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { normaliseModel, type PmuEvent, type PmuModel, toModelFile } from '../model.js';
import { getModel } from '../registry.js';
import type { SchemeBinding } from './scheme.js';
import { decode, junk, regs, untouched } from './scheme.test-util.js';
import { x86EvtSelScheme } from './x86-evtsel.js';

const USR = 1 << 16;
const OS = 1 << 17;
const EN = 1 << 22;

const core = getModel('intel-core');
const arch = getModel('intel-arch-perfmon');
const p6 = getModel('intel-p6');
const k8 = getModel('amd64-k8');

/** A copy of a model with other encoding options. */
function withOptions(model: PmuModel, options: Record<string, string | number | boolean>): PmuModel {
  return { ...model, encoding: { ...model.encoding, options } };
}

const cfg = (enabled: boolean, code: number, umask: number, user: boolean, kernel: boolean) => ({
  enabled,
  code,
  umask,
  user,
  kernel,
});

describe('x86-evtsel: the scheme', () => {
  it('names itself and its options', () => {
    expect({
      apiVersion: x86EvtSelScheme.apiVersion,
      name: x86EvtSelScheme.name,
      summary: x86EvtSelScheme.summary,
      options: x86EvtSelScheme.options,
    }).toEqual({
      apiVersion: 1,
      name: 'x86-evtsel',
      summary:
        'x86 PERFEVTSEL: event 0-7, unit mask 8-15, USR 16, OS 17, EN 22; fixed counters by FIXED_CTR_CTRL',
      options: {
        enablePmc: {
          kind: 'pmc',
          description:
            "the PMC whose EN bit (22) enables every counter (P6: 0, PERFEVTSEL0); default: each counter's own PMC",
        },
        northbridgeFrom: {
          kind: 'hex',
          description:
            'event selects at or above this value are AMD Northbridge events, usable by one context at a time (K8: "0xee"); perfmon2 compares the low 8 bits of PERFEVTSEL',
        },
        extendedEventSelect: {
          kind: 'boolean',
          description:
            'AMD Family 10h: event codes are 12-bit event selects, bits 11:8 in PERFEVTSEL bits 35:32 (codes carry no built-in unit mask)',
        },
      },
    });
  });

  it('checkModel: an 8-bit event select and at most 8 unit-mask bits, whatever else the model says', () => {
    const found = (eventBits: number, umaskBits: number, options?: Record<string, boolean>) => {
      const out: string[] = [];
      const encoding = { ...k8.encoding, eventBits, umaskBits, ...(options ? { options } : {}) };
      x86EvtSelScheme.checkModel!({ ...k8, encoding }, (path, message) => out.push(`${path}: ${message}`));
      return out;
    };
    expect(found(8, 8)).toEqual([]);
    expect(found(8, 0)).toEqual([]);
    const twelve =
      'encoding.eventBits: 12: the PERFEVTSEL event select is 8 bits (7:0); an AMD 12-bit event select is declared with encoding.options.extendedEventSelect: true, which puts bits 11:8 in PERFEVTSEL bits 35:32';
    expect(found(12, 8)).toEqual([twelve]);
    // the option does not make a 12-bit field encodable either
    expect(found(12, 8, { extendedEventSelect: true })).toEqual([twelve]);
    expect(found(7, 8)[0]).toMatch(/^encoding\.eventBits: 7: the PERFEVTSEL event select is 8 bits/);
    expect(found(8, 9)).toEqual(['encoding.umaskBits: 9: the PERFEVTSEL unit mask is at most 8 bits (15:8)']);
    expect(found(9, 16)).toHaveLength(2);
  });

  it('codeWidth with extendedEventSelect: a 12-bit select, whatever the field widths', () => {
    const extended = {
      scheme: 'x86-evtsel',
      eventBits: 8,
      umaskBits: 8,
      options: { extendedEventSelect: true },
    };
    expect(x86EvtSelScheme.codeWidth(extended)).toEqual({
      bits: 12,
      label: 'the 12-bit extended event select (encoding.options.extendedEventSelect)',
    });
    // false is the default: the code carries a built-in unit mask
    expect(x86EvtSelScheme.codeWidth({ ...extended, options: { extendedEventSelect: false } }).bits).toBe(16);
  });

  it('codeWidth: event bits plus unit-mask bits (the second byte is a built-in unit mask), at most 64', () => {
    expect(x86EvtSelScheme.codeWidth(core.encoding)).toEqual({
      bits: 16,
      label: 'encoding.eventBits + umaskBits (16)',
    });
    expect(x86EvtSelScheme.codeWidth({ scheme: 'x86-evtsel', eventBits: 8, umaskBits: 4 })).toEqual({
      bits: 12,
      label: 'encoding.eventBits + umaskBits (12)',
    });
    expect(x86EvtSelScheme.codeWidth({ scheme: 'x86-evtsel', eventBits: 40, umaskBits: 40 })).toEqual({
      bits: 64,
      label: 'encoding.eventBits + umaskBits (64)',
    });
  });

  it('pmcImage: the select in the event bits, the unit mask above them', () => {
    const image = x86EvtSelScheme.pmcImage!;
    expect(image(core, 0x2en, 0x41n)).toBe(0x412en);
    expect(image(core, 0xc0n, 0n)).toBe(0xc0n);
    expect(image(core, 0n, 0xffn)).toBe(0xff00n);
    const wide: PmuModel = { ...core, encoding: { ...core.encoding, eventBits: 12 } };
    expect(image(wide, 0x2en, 0x41n)).toBe(0x4102en);
  });

  it('pmcImage with extendedEventSelect: select bits 11:8 in PMC bits 35:32', () => {
    const image = x86EvtSelScheme.pmcImage!;
    const fam10h = withOptions(k8, { extendedEventSelect: true });
    expect(image(fam10h, 0x4e1n, 0x07n)).toBe(0x4_0000_07e1n);
    expect(image(fam10h, 0xfffn, 0xffn)).toBe(0xf_0000_ffffn);
    expect(image(fam10h, 0x76n, 0n)).toBe(0x76n);
    expect(image(fam10h, 0x100n, 0n)).toBe(0x1_0000_0000n);
    expect(image(withOptions(k8, { extendedEventSelect: false }), 0x76n, 0x1n)).toBe(0x176n);
  });

  it('workloadKey: the event select and the built-in unit mask from the code', () => {
    const key = (m: PmuModel, name: string) => x86EvtSelScheme.workloadKey(m, m.eventByName(name)!);
    expect(key(p6, 'INST_RETIRED')).toEqual({ code: 0xc0, umask: 0 });
    expect(key(core, 'LAST_LEVEL_CACHE_MISSES')).toEqual({ code: 0x2e, umask: 0x41 });
    expect(key(core, 'UNHALTED_REFERENCE_CYCLES')).toEqual({ code: 0x3c, umask: 0x01 });
    expect(key(arch, 'LAST_LEVEL_CACHE_REFERENCES')).toEqual({ code: 0x2e, umask: 0x4f });
    // bits above the unit mask are ignored
    const ev: PmuEvent = { ...p6.eventByName('INST_RETIRED')!, code: 0xabcdefn };
    expect(x86EvtSelScheme.workloadKey(p6, ev)).toEqual({ code: 0xef, umask: 0xcd });
  });

  it('workloadKey with extendedEventSelect: the 12-bit select, no built-in unit mask', () => {
    const fam10h = withOptions(k8, { extendedEventSelect: true });
    const ev = (code: bigint): PmuEvent => ({ ...k8.eventByName('CPU_CLK_UNHALTED')!, code });
    expect(x86EvtSelScheme.workloadKey(fam10h, ev(0x4e1n))).toEqual({ code: 0x4e1, umask: 0 });
    expect(x86EvtSelScheme.workloadKey(fam10h, ev(0x76n))).toEqual({ code: 0x76, umask: 0 });
    expect(x86EvtSelScheme.workloadKey(fam10h, ev(0xabcdefn))).toEqual({ code: 0xdef, umask: 0 });
    expect(x86EvtSelScheme.workloadKey(k8, ev(0x4e1n))).toEqual({ code: 0xe1, umask: 4 });
  });
});

describe('x86-evtsel: generic counters (PERFEVTSEL)', () => {
  let b: SchemeBinding;
  beforeEach(() => {
    b = x86EvtSelScheme.bind(core);
  });

  it('decodes event, unit mask, USR, OS and EN of the counter’s own PERFEVTSEL', () => {
    const s = regs(core, { 0: 0x2e | (0x41 << 8) | USR | OS | EN, 1: 0xc0 | USR | EN });
    expect(decode(b, s, 0)).toEqual(cfg(true, 0x2e, 0x41, true, true));
    expect(decode(b, s, 1)).toEqual(cfg(true, 0xc0, 0, true, false));
  });

  it('USR and OS each give one mode', () => {
    expect(decode(b, regs(core, { 0: 0x3c | USR | EN }), 0)).toEqual(cfg(true, 0x3c, 0, true, false));
    expect(decode(b, regs(core, { 0: 0x3c | OS | EN }), 0)).toEqual(cfg(true, 0x3c, 0, false, true));
    // enabled is EN alone: without a mode bit the counter is enabled but counts in no mode
    expect(decode(b, regs(core, { 0: 0x3c | EN }), 0)).toEqual(cfg(true, 0x3c, 0, false, false));
  });

  it('without EN the counter is disabled, the other fields still decoded', () => {
    expect(decode(b, regs(core, { 0: 0x2e | (0x41 << 8) | USR | OS }), 0)).toEqual(
      cfg(false, 0x2e, 0x41, true, true),
    );
  });

  it('bits next to each field are ignored', () => {
    // everything set but USR (16), OS (17) and EN (22)
    expect(decode(b, regs(core, { 0: 0xffbcffff }), 0)).toEqual(cfg(false, 0xff, 0xff, false, false));
    // only USR, OS, EN: select and unit mask 0
    expect(decode(b, regs(core, { 0: USR | OS | EN }), 0)).toEqual(cfg(true, 0, 0, true, true));
    // bit 7 is the select's top bit, bit 8 the unit mask's bottom bit
    expect(decode(b, regs(core, { 0: 0x80 | EN }), 0)).toEqual(cfg(true, 0x80, 0, false, false));
    expect(decode(b, regs(core, { 0: 0x100 | EN }), 0)).toEqual(cfg(true, 0, 1, false, false));
    expect(decode(b, regs(core, { 0: 0x8000 | USR }), 0)).toEqual(cfg(false, 0, 0x80, true, false));
    expect(decode(b, regs(core, { 0: OS }), 0)).toEqual(cfg(false, 0, 0, false, true));
  });

  it('a PERFEVTSEL the set did not write counts nothing, whatever it holds', () => {
    const s = regs(core, { 1: 0xc0 | USR | EN }, { 0: 0x2e | USR | OS | EN });
    expect(decode(b, s, 0)).toEqual(untouched);
    expect(decode(b, s, 1)).toEqual(cfg(true, 0xc0, 0, true, false));
  });

  it('a PMD no PMC controls, or beyond the model, is disabled and nothing else is touched', () => {
    const s = regs(core, { 0: 0x3c | USR | EN, 1: 0x3c | USR | EN, 16: 0x333 });
    expect(decode(b, s, 2)).toEqual(untouched);
    expect(decode(b, s, 15)).toEqual(untouched);
    expect(decode(b, s, 19)).toEqual(untouched);
    expect(decode(b, s, 100)).toEqual(untouched);
  });

  it('resets enabled on every path it leaves early', () => {
    const out = junk();
    b.decode(regs(core, {}), 0, out);
    expect(out).toEqual(untouched);
  });
});

describe('x86-evtsel: the enable bit (enablePmc)', () => {
  it('AMD64 (no option): each PERFSEL’s own EN enables its counter', () => {
    const b = x86EvtSelScheme.bind(k8);
    const s = regs(k8, { 0: 0x76 | USR | EN, 1: 0x76 | OS, 2: 0x42 | (0x06 << 8) | USR | OS | EN });
    expect(decode(b, s, 0)).toEqual(cfg(true, 0x76, 0, true, false));
    expect(decode(b, s, 1)).toEqual(cfg(false, 0x76, 0, false, true));
    expect(decode(b, s, 2)).toEqual(cfg(true, 0x42, 0x06, true, true));
    // a disabled PERFSEL0 does not disable the others
    const t = regs(k8, { 0: 0x76 | USR, 3: 0x76 | USR | EN });
    expect(decode(b, t, 0)).toEqual(cfg(false, 0x76, 0, true, false));
    expect(decode(b, t, 3)).toEqual(cfg(true, 0x76, 0, true, false));
  });

  it('P6 (enablePmc 0): PERFEVTSEL0’s EN enables both counters; PERFEVTSEL1’s is ignored', () => {
    const b = x86EvtSelScheme.bind(p6);
    const on = regs(p6, { 0: 0x79 | USR | OS | EN, 1: 0xc0 | USR });
    expect(decode(b, on, 0)).toEqual(cfg(true, 0x79, 0, true, true));
    expect(decode(b, on, 1)).toEqual(cfg(true, 0xc0, 0, true, false));
    const off = regs(p6, { 0: 0x79 | USR, 1: 0xc0 | USR | EN });
    expect(decode(b, off, 0)).toEqual(cfg(false, 0x79, 0, true, false));
    expect(decode(b, off, 1)).toEqual(cfg(false, 0xc0, 0, true, false));
  });

  it('P6: a counter whose PERFEVTSEL the set did not write counts nothing, even with PERFEVTSEL0 enabled', () => {
    const b = x86EvtSelScheme.bind(p6);
    const s = regs(p6, { 0: 0x79 | USR | OS | EN }, { 1: 0xc0 | USR | EN });
    expect(decode(b, s, 0)).toEqual(cfg(true, 0x79, 0, true, true));
    expect(decode(b, s, 1)).toEqual(untouched);
  });

  it('the enable PMC is the one the option names', () => {
    const b = x86EvtSelScheme.bind(withOptions(k8, { enablePmc: 1 }));
    const s = regs(k8, { 0: 0x76 | USR | EN, 1: 0xc0 | USR, 2: 0x41 | OS });
    expect(decode(b, s, 0)).toEqual(cfg(false, 0x76, 0, true, false));
    expect(decode(b, s, 2)).toEqual(cfg(false, 0x41, 0, false, true));
    const t = regs(k8, { 0: 0x76 | USR, 1: 0xc0 | USR | EN, 2: 0x41 | OS });
    expect(decode(b, t, 0)).toEqual(cfg(true, 0x76, 0, true, false));
    expect(decode(b, t, 2)).toEqual(cfg(true, 0x41, 0, false, true));
  });

  it('an enablePmc that is not a number is ignored (each counter’s own EN)', () => {
    const b = x86EvtSelScheme.bind(withOptions(k8, { enablePmc: '1' }));
    const s = regs(k8, { 0: 0x76 | USR | EN, 1: 0xc0 | USR });
    expect(decode(b, s, 0)).toEqual(cfg(true, 0x76, 0, true, false));
    expect(decode(b, s, 1)).toEqual(cfg(false, 0xc0, 0, true, false));
  });
});

describe('x86-evtsel: fixed counters (FIXED_CTR_CTRL: 4 bits per counter, OS bit 0, USR bit 1)', () => {
  it.each([
    ['intel-core', core],
    ['intel-arch-perfmon', arch],
  ])('%s: each fixed counter counts its event in the modes of its field', (_id, model) => {
    const b = x86EvtSelScheme.bind(model);
    // FIXED_CTR0 (INSTRUCTIONS_RETIRED) USR, FIXED_CTR1 (UNHALTED_CORE_CYCLES) OS, FIXED_CTR2 both
    const s = regs(model, { 16: 0x312 });
    expect(decode(b, s, 16)).toEqual(cfg(true, 0xc0, 0, true, false));
    expect(decode(b, s, 17)).toEqual(cfg(true, 0x3c, 0, false, true));
    expect(decode(b, s, 18)).toEqual(cfg(true, 0x3c, 1, true, true));
    const t = regs(model, { 16: 0x030 });
    expect(decode(b, t, 16)).toEqual(cfg(false, 0xc0, 0, false, false));
    expect(decode(b, t, 17)).toEqual(cfg(true, 0x3c, 0, true, true));
    expect(decode(b, t, 18)).toEqual(cfg(false, 0x3c, 1, false, false));
  });

  it('the PMI and AnyThread bits (2, 3) of a field and the bits above the fields count nothing', () => {
    const b = x86EvtSelScheme.bind(core);
    const s = regs(core, { 16: 0xfffffccc });
    expect(decode(b, s, 16)).toEqual(cfg(false, 0xc0, 0, false, false));
    expect(decode(b, s, 17)).toEqual(cfg(false, 0x3c, 0, false, false));
    expect(decode(b, s, 18)).toEqual(cfg(false, 0x3c, 1, false, false));
    // one field at a time, the others and everything above set to non-mode bits
    expect(decode(b, regs(core, { 16: 0xfffffcc1 }), 16)).toEqual(cfg(true, 0xc0, 0, false, true));
    expect(decode(b, regs(core, { 16: 0xfffffcc2 }), 16)).toEqual(cfg(true, 0xc0, 0, true, false));
    expect(decode(b, regs(core, { 16: 0xfffffc2c }), 17)).toEqual(cfg(true, 0x3c, 0, true, false));
    expect(decode(b, regs(core, { 16: 0xfffff1cc }), 18)).toEqual(cfg(true, 0x3c, 1, false, true));
  });

  it('are decoded from FIXED_CTRL’s value whether or not the set wrote it (its default counts nothing)', () => {
    const b = x86EvtSelScheme.bind(core);
    expect(decode(b, regs(core, {}, { 16: 0x888 }), 17)).toEqual(cfg(false, 0x3c, 0, false, false));
    expect(decode(b, regs(core, {}, { 16: 0x020 }), 17)).toEqual(cfg(true, 0x3c, 0, true, false));
  });

  it('a written FIXED_CTRL is not read as a PERFEVTSEL (EN, select and unit mask do not apply)', () => {
    const b = x86EvtSelScheme.bind(core);
    // bit 22 set, select 0x02, unit mask 0x00: as a PERFEVTSEL this would be enabled, code 2
    expect(decode(b, regs(core, { 16: EN | 0x002 }), 16)).toEqual(cfg(true, 0xc0, 0, true, false));
    expect(decode(b, regs(core, { 16: EN | 0x000 }), 16)).toEqual(cfg(false, 0xc0, 0, false, false));
  });

  it('fields are numbered from the model’s first fixed counter, whatever its PMD index', () => {
    // a Core variant whose fixed counters are PMD2-4 (the generic ones stay PMD0/1)
    const file = toModelFile(core);
    const renumber = (i: number) => (i >= 16 && i <= 18 ? i - 14 : i);
    file.id = 'intel-core-fixed2';
    file.pmds = file.pmds.map((d) => ({ ...d, index: renumber(d.index) }));
    file.pmcs = file.pmcs.map((c) => ({
      ...c,
      ...(c.controls ? { controls: c.controls.map(renumber) } : {}),
    }));
    file.events = file.events.map((e) =>
      e.fixed ? { ...e, fixed: { ...e.fixed, pmd: renumber(e.fixed.pmd) } } : e,
    );
    const model = normaliseModel(file);
    const b = x86EvtSelScheme.bind(model);
    const s = regs(model, { 0: 0x2e | USR | EN, 16: 0x312 });
    expect(decode(b, s, 0)).toEqual(cfg(true, 0x2e, 0, true, false));
    expect(decode(b, s, 2)).toEqual(cfg(true, 0xc0, 0, true, false));
    expect(decode(b, s, 3)).toEqual(cfg(true, 0x3c, 0, false, true));
    expect(decode(b, s, 4)).toEqual(cfg(true, 0x3c, 1, true, true));
    expect(decode(b, s, 16)).toEqual(untouched);
  });

  it('a fixed counter whose event code is 0 is still a fixed counter, and still the first', () => {
    const file = toModelFile(core);
    file.events = file.events.map((e) => (e.name === 'INSTRUCTIONS_RETIRED' ? { ...e, code: '0x0' } : e));
    const model = normaliseModel(file);
    const b = x86EvtSelScheme.bind(model);
    const s = regs(model, { 16: 0x312 });
    expect(decode(b, s, 16)).toEqual(cfg(true, 0, 0, true, false));
    expect(decode(b, s, 17)).toEqual(cfg(true, 0x3c, 0, false, true));
    expect(decode(b, s, 18)).toEqual(cfg(true, 0x3c, 1, true, true));
  });

  it('a fixed counter no PMC controls counts nothing', () => {
    const file = toModelFile(core);
    file.pmcs = file.pmcs.map((c) => (c.name === 'FIXED_CTRL' ? { ...c, controls: [16, 17] } : c));
    const model = normaliseModel(file);
    const b = x86EvtSelScheme.bind(model);
    const s = regs(model, { 16: 0x333 });
    expect(decode(b, s, 17)).toEqual(cfg(true, 0x3c, 0, true, true));
    expect(decode(b, s, 18)).toEqual(untouched);
  });
});

describe('x86-evtsel: sharedUnit (AMD64 Northbridge events, northbridgeFrom)', () => {
  it('K8 ("0xee"): selects from 0xee up, by the low byte only', () => {
    const b = x86EvtSelScheme.bind(k8);
    const lows = [0, 0xed, 0xee, 0xef, 0xff, 0x1ee, 0x1ed, 0x4300ff, 0x5300ee, 0xee00];
    expect(lows.map((lo) => b.sharedUnit(0, lo))).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
    expect([b.sharedUnit(3, 0xee), b.sharedUnit(3, 0xed)]).toEqual([true, false]);
  });

  it('models without the option have no shared unit', () => {
    for (const model of [core, p6, arch]) {
      const b = x86EvtSelScheme.bind(model);
      expect([0, 0xed, 0xee, 0xff, 0x1ee].map((lo) => b.sharedUnit(0, lo))).toEqual([
        false,
        false,
        false,
        false,
        false,
      ]);
    }
  });

  it('the threshold is the option’s hex string; a non-string option is ignored', () => {
    const low = x86EvtSelScheme.bind(withOptions(k8, { northbridgeFrom: '0x10' }));
    expect([0x0f, 0x10, 0x11].map((lo) => low.sharedUnit(0, lo))).toEqual([false, true, true]);
    const numeric = x86EvtSelScheme.bind(withOptions(k8, { northbridgeFrom: 0xee }));
    expect([0xee, 0xff].map((lo) => numeric.sharedUnit(0, lo))).toEqual([false, false]);
  });
});

describe('x86-evtsel: the extended event select (extendedEventSelect, AMD Family 10h)', () => {
  /** K8's PMC state with PERFSEL0's high word set as well. */
  const withHi = (model: PmuModel, lo: number, hi: number) => {
    const state = regs(model, { 0: lo });
    (state.pmcHi as Uint32Array)[0] = hi;
    return state;
  };

  it('decodes select bits 11:8 from PERFEVTSEL bits 35:32', () => {
    const b = x86EvtSelScheme.bind(withOptions(k8, { extendedEventSelect: true }));
    expect(decode(b, withHi(k8, 0xe1 | (0x07 << 8) | USR | EN, 0x4), 0)).toEqual(
      cfg(true, 0x4e1, 0x07, true, false),
    );
    // bits 36 and up (HostOnly, GuestOnly, reserved) are not the select
    expect(decode(b, withHi(k8, 0x76 | OS | EN, 0xfffffff0), 0)).toEqual(cfg(true, 0x76, 0, false, true));
    expect(decode(b, withHi(k8, 0xff | EN, 0xffffffff), 0)).toEqual(cfg(true, 0xfff, 0, false, false));
    expect(decode(b, withHi(k8, EN, 0x1), 0)).toEqual(cfg(true, 0x100, 0, false, false));
  });

  it('without the option the high word is ignored (K8: bits 32–63 are reserved)', () => {
    for (const model of [k8, withOptions(k8, { extendedEventSelect: false })]) {
      const b = x86EvtSelScheme.bind(model);
      expect(decode(b, withHi(k8, 0xe1 | USR | EN, 0x4), 0)).toEqual(cfg(true, 0xe1, 0, true, false));
    }
  });

  it('the Northbridge test stays on the low byte, as perfmon2 does', () => {
    const b = x86EvtSelScheme.bind(withOptions(k8, { northbridgeFrom: '0xee', extendedEventSelect: true }));
    expect([0xe1, 0xee, 0xef].map((lo) => b.sharedUnit(0, lo))).toEqual([false, true, true]);
  });
});
