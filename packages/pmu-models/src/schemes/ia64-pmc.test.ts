/**
 * IA-64 counter PMCs (Itanium 2, Montecito): plm bits 0-3 (bit 0 kernel, bit 3 user), event
 * select 8-15, unit mask 16-19; the unit mask of an event is model data.
 */
import { describe, expect, it } from 'vitest';
import type { PmcDescriptor, PmuEvent, PmuModel } from '../model.js';
import { getModel } from '../registry.js';
import { ia64PmcScheme } from './ia64-pmc.js';
import { decode, regs, untouched, withEntryAtMinusOne } from './scheme.test-util.js';

const itanium2 = getModel('itanium2');
const montecito = getModel('montecito');

const cfg = (enabled: boolean, code: number, umask: number, user: boolean, kernel: boolean) => ({
  enabled,
  code,
  umask,
  user,
  kernel,
});

/** A counter PMC: event select `es`, unit mask, privilege-level mask. */
const ev = (es: number, umask: number, plm: number) => ((es << 8) | (umask << 16) | plm) >>> 0;

describe('ia64-pmc: the scheme', () => {
  it('names itself; it takes no options and has no single-PMC image', () => {
    expect({
      apiVersion: ia64PmcScheme.apiVersion,
      name: ia64PmcScheme.name,
      summary: ia64PmcScheme.summary,
      options: ia64PmcScheme.options,
    }).toEqual({
      apiVersion: 1,
      name: 'ia64-pmc',
      summary: 'IA-64 counter PMCs: plm 0-3, event select 8-15, unit mask 16-19 (modelData.umask)',
      options: {},
    });
    expect([ia64PmcScheme.pmcImage, ia64PmcScheme.checkModel]).toEqual([undefined, undefined]);
  });

  it('codeWidth: the event bits', () => {
    expect(ia64PmcScheme.codeWidth(itanium2.encoding)).toEqual({ bits: 8, label: 'encoding.eventBits (8)' });
    expect(ia64PmcScheme.codeWidth({ scheme: 'ia64-pmc', eventBits: 12, umaskBits: 4 })).toEqual({
      bits: 12,
      label: 'encoding.eventBits (12)',
    });
  });

  it('workloadKey: the event select and the unit mask libpfm programs in PMC bits 16-19', () => {
    const key = (m: PmuModel, name: string) => ia64PmcScheme.workloadKey(m, m.eventByName(name)!);
    expect(key(itanium2, 'CPU_CYCLES')).toEqual({ code: 0x12, umask: 0 });
    expect(key(itanium2, 'BUS_MEMORY_ALL_ANY')).toEqual({ code: 0x8a, umask: 0xf });
    expect(key(itanium2, 'BACK_END_BUBBLE_FE')).toEqual({ code: 0x00, umask: 0x1 });
    expect(key(montecito, 'BUS_ALL_ANY')).toEqual({ code: 0x87, umask: 0x3 });
  });

  it('workloadKey: modelData.umask as a number or numeric string, 0 when missing or not a number', () => {
    const base = itanium2.eventByName('BUS_MEMORY_ALL_ANY')!;
    const withUmask = (umask: unknown): PmuEvent => ({ ...base, modelData: { ...base.modelData, umask } });
    const { umask: _, ...noUmask } = base.modelData;
    const key = (e: PmuEvent) => ia64PmcScheme.workloadKey(itanium2, e);
    expect(key(withUmask(0x5))).toEqual({ code: 0x8a, umask: 0x5 });
    expect(key(withUmask('0x5'))).toEqual({ code: 0x8a, umask: 0x5 });
    expect(key(withUmask('0x1f'))).toEqual({ code: 0x8a, umask: 0xf });
    expect(key(withUmask(0x10))).toEqual({ code: 0x8a, umask: 0 });
    expect(key(withUmask(undefined))).toEqual({ code: 0x8a, umask: 0 });
    expect(key(withUmask('abc'))).toEqual({ code: 0x8a, umask: 0 });
    expect(key(withUmask(''))).toEqual({ code: 0x8a, umask: 0 });
    expect(key({ ...base, modelData: noUmask })).toEqual({ code: 0x8a, umask: 0 });
    expect(key({ ...base, code: 0x18an })).toEqual({ code: 0x8a, umask: 0xf });
  });
});

describe('ia64-pmc: decode', () => {
  it.each([
    ['itanium2', itanium2],
    ['montecito', montecito],
  ])('%s: each counter PMC gives its event, unit mask and privilege levels', (_id, model) => {
    const b = ia64PmcScheme.bind(model);
    const s = regs(model, {
      4: ev(0x12, 0, 0x8),
      5: ev(0x12, 0, 0x1),
      6: ev(0x8a, 0xf, 0x9),
      7: ev(0x12, 0, 0x0),
    });
    expect(decode(b, s, 4)).toEqual(cfg(true, 0x12, 0, true, false));
    expect(decode(b, s, 5)).toEqual(cfg(true, 0x12, 0, false, true));
    expect(decode(b, s, 6)).toEqual(cfg(true, 0x8a, 0xf, true, true));
    expect(decode(b, s, 7)).toEqual(cfg(false, 0x12, 0, false, false));
  });

  it('plm levels 1 and 2 (bits 1, 2) count in neither mode', () => {
    const b = ia64PmcScheme.bind(itanium2);
    expect(decode(b, regs(itanium2, { 4: ev(0x40, 0x2, 0x6) }), 4)).toEqual(
      cfg(false, 0x40, 0x2, false, false),
    );
    expect(decode(b, regs(itanium2, { 4: ev(0x40, 0x2, 0x2) }), 4)).toEqual(
      cfg(false, 0x40, 0x2, false, false),
    );
    expect(decode(b, regs(itanium2, { 4: ev(0x40, 0x2, 0x4) }), 4)).toEqual(
      cfg(false, 0x40, 0x2, false, false),
    );
  });

  it('the fields end where documented: bits 4-7 and 20-31 are ignored', () => {
    const b = ia64PmcScheme.bind(itanium2);
    expect(decode(b, regs(itanium2, { 5: 0xfff000f0 }), 5)).toEqual(cfg(false, 0, 0, false, false));
    expect(decode(b, regs(itanium2, { 5: 0xffffffff }), 5)).toEqual(cfg(true, 0xff, 0xf, true, true));
    expect(decode(b, regs(itanium2, { 5: ev(0x80, 0x8, 0x8) }), 5)).toEqual(
      cfg(true, 0x80, 0x8, true, false),
    );
    expect(decode(b, regs(itanium2, { 5: ev(0x01, 0x1, 0x1) }), 5)).toEqual(
      cfg(true, 0x01, 0x1, false, true),
    );
  });

  it('a PMC the set did not write counts nothing, whatever it holds', () => {
    const b = ia64PmcScheme.bind(itanium2);
    const s = regs(itanium2, { 5: ev(0x12, 0, 0x9) }, { 4: ev(0x12, 0, 0x9) });
    expect(decode(b, s, 4)).toEqual(untouched);
    expect(decode(b, s, 5)).toEqual(cfg(true, 0x12, 0, true, true));
  });

  it('a PMD no PMC controls, or beyond the model, is disabled and nothing else is touched', () => {
    const b = ia64PmcScheme.bind(montecito);
    const s = regs(montecito, { 4: ev(0x12, 0, 0x9), 15: ev(0x12, 0, 0x9) });
    expect(decode(b, s, 15)).toEqual(cfg(true, 0x12, 0, true, true));
    expect(decode(b, s, 20)).toEqual(untouched);
    expect(decode(b, s, 64)).toEqual(untouched);
    expect(decode(b, s, 1000)).toEqual(untouched);
  });

  it('a PMD without a controlling PMC stays disabled for any array-like state, not only typed arrays', () => {
    const b = ia64PmcScheme.bind(montecito);
    const s = withEntryAtMinusOne(regs(montecito, { 4: ev(0x12, 0, 0x9) }), ev(0x12, 0, 0x9));
    expect(decode(b, s, 4)).toEqual(cfg(true, 0x12, 0, true, true));
    expect(decode(b, s, 20)).toEqual(untouched);
  });

  it('a PMD driven by PMC0 is decoded from PMC0', () => {
    const pmc0: PmcDescriptor = { ...itanium2.pmcByIndex(4)!, index: 0, name: 'PMC0', controls: [0] };
    const model: PmuModel = { ...itanium2, pmcs: [pmc0] };
    const b = ia64PmcScheme.bind(model);
    expect(decode(b, regs(model, { 0: ev(0x12, 0x3, 0x8) }), 0)).toEqual(cfg(true, 0x12, 0x3, true, false));
    expect(decode(b, regs(model, { 0: ev(0x12, 0x3, 0x8) }), 4)).toEqual(untouched);
  });

  it('has no shared unit', () => {
    const b = ia64PmcScheme.bind(itanium2);
    expect([b.sharedUnit(4, 0xff), b.sharedUnit(4, 0xffffffff)]).toEqual([false, false]);
  });
});
