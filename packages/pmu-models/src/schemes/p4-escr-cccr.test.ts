/**
 * Pentium 4 ESCR/CCCR pairs: the decoder on the shipped P4 model and on small models that
 * isolate one rule each (register roles by name, select numbers from model data).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { PmcDescriptor, PmuEvent, PmuModel } from '../model.js';
import { getModel } from '../registry.js';
import { p4EscrCccrScheme } from './p4-escr-cccr.js';
import type { SchemeBinding } from './scheme.js';
import { decode, regs, untouched, withEntryAtMinusOne } from './scheme.test-util.js';

const p4 = getModel('intel-p4');

const cfg = (enabled: boolean, code: number, umask: number, user: boolean, kernel: boolean) => ({
  enabled,
  code,
  umask,
  user,
  kernel,
});

const T1_USR = 1 << 0;
const T1_OS = 1 << 1;
const T0_USR = 1 << 2;
const T0_OS = 1 << 3;
/** A CCCR: enable bit 12, ESCR_SELECT 13-15. */
const cccr = (select: number, enable = true) => ((enable ? 1 << 12 : 0) | (select << 13)) >>> 0;
/** An ESCR: event select 25-30, event mask 9-24, mode bits 0-3. */
const escr = (event: number, mask: number, modes: number) => ((event << 25) | (mask << 9) | modes) >>> 0;

describe('p4-escr-cccr: the scheme', () => {
  it('names itself; it takes no options and has no single-PMC image', () => {
    expect({
      apiVersion: p4EscrCccrScheme.apiVersion,
      name: p4EscrCccrScheme.name,
      summary: p4EscrCccrScheme.summary,
      options: p4EscrCccrScheme.options,
    }).toEqual({
      apiVersion: 1,
      name: 'p4-escr-cccr',
      summary: 'Pentium 4 ESCR/CCCR pairs: CCCR enable 12 and ESCR select 13-15; ESCR event 25-30, mask 9-24',
      options: {},
    });
    expect([p4EscrCccrScheme.pmcImage, p4EscrCccrScheme.checkModel]).toEqual([undefined, undefined]);
  });

  it('codeWidth: the event bits', () => {
    expect(p4EscrCccrScheme.codeWidth(p4.encoding)).toEqual({ bits: 6, label: 'encoding.eventBits (6)' });
    expect(p4EscrCccrScheme.codeWidth({ scheme: 'p4-escr-cccr', eventBits: 9, umaskBits: 16 })).toEqual({
      bits: 9,
      label: 'encoding.eventBits (9)',
    });
  });

  it('workloadKey: the ESCR event select (6 bits), unit masks apart', () => {
    const key = (name: string) => p4EscrCccrScheme.workloadKey(p4, p4.eventByName(name)!);
    expect(key('instr_retired')).toEqual({ code: 0x2, umask: 0 });
    expect(key('global_power_events')).toEqual({ code: 0x13, umask: 0 });
    expect(key('scalar_DP_uop')).toEqual({ code: 0xe, umask: 0 });
    const ev = p4.eventByName('instr_retired')!;
    expect(p4EscrCccrScheme.workloadKey(p4, { ...ev, code: 0x7fn })).toEqual({ code: 0x3f, umask: 0 });
    expect(p4EscrCccrScheme.workloadKey(p4, { ...ev, code: 0x1c0n })).toEqual({ code: 0, umask: 0 });
  });
});

describe('p4-escr-cccr: decode on the P4 model', () => {
  let b: SchemeBinding;
  beforeEach(() => {
    b = p4EscrCccrScheme.bind(p4);
  });
  const pmcs = {
    // IQ_CTR0: select 4 = CRU_ESCR0, instr_retired:NBOGUSNTAG, user
    20: escr(0x2, 0x1, T0_USR),
    29: cccr(4),
    // IQ_CTR1: select 5 = CRU_ESCR2, branch_retired:MMNP, kernel
    21: escr(0x6, 0x1, T0_OS),
    30: cccr(5),
    // IQ_CTR4: CRU_ESCR0 selected but the CCCR not enabled
    31: cccr(4, false),
    // IQ_CTR2: select 4 = CRU_ESCR1, both modes
    51: escr(0x2, 0x1, T0_OS | T0_USR),
    60: cccr(4),
    // IQ_CTR3: select 5 = CRU_ESCR3, never written
    61: cccr(5),
  };

  it('each counter counts the event of the ESCR its CCCR selects, in the ESCR’s modes', () => {
    const s = regs(p4, pmcs);
    expect(decode(b, s, 6)).toEqual(cfg(true, 0x2, 0x1, true, false));
    expect(decode(b, s, 7)).toEqual(cfg(true, 0x6, 0x1, false, true));
    expect(decode(b, s, 15)).toEqual(cfg(true, 0x2, 0x1, true, true));
  });

  it('a CCCR without its enable bit, a selected ESCR not written, a CCCR not written: disabled, nothing else touched', () => {
    const s = regs(p4, pmcs, { 52: escr(0x6, 0x1, T0_OS), 62: cccr(4) });
    expect(decode(b, s, 8)).toEqual(untouched);
    expect(decode(b, s, 16)).toEqual(untouched);
    expect(decode(b, s, 17)).toEqual(untouched);
  });

  it('PMDs beyond the model are disabled', () => {
    const s = regs(p4, pmcs);
    expect(decode(b, s, 18)).toEqual(untouched);
    expect(decode(b, s, 100)).toEqual(untouched);
  });

  it('T1_USR (0) and T0_USR (2) give user mode, T1_OS (1) and T0_OS (3) kernel mode', () => {
    const with_ = (modes: number) => decode(b, regs(p4, { 20: escr(0x2, 0x1, modes), 29: cccr(4) }), 6);
    expect(with_(T1_USR)).toEqual(cfg(true, 0x2, 0x1, true, false));
    expect(with_(T1_OS)).toEqual(cfg(true, 0x2, 0x1, false, true));
    expect(with_(T0_USR)).toEqual(cfg(true, 0x2, 0x1, true, false));
    expect(with_(T0_OS)).toEqual(cfg(true, 0x2, 0x1, false, true));
    expect(with_(T1_USR | T0_OS)).toEqual(cfg(true, 0x2, 0x1, true, true));
    // no mode bit: the event is decoded but does not count
    expect(with_(0)).toEqual(cfg(false, 0x2, 0x1, false, false));
    expect(with_(1 << 4)).toEqual(cfg(false, 0x2, 0x1, false, false));
  });

  it('the event select is bits 25-30 and the event mask bits 9-24, nothing next to them', () => {
    const of = (lo: number) => decode(b, regs(p4, { 20: lo >>> 0, 29: cccr(4) }), 6);
    expect(of(0xffffffff)).toEqual(cfg(true, 0x3f, 0xffff, true, true));
    // bit 31 above the select, bits 4-8 below the mask
    expect(of((1 << 31) | 0x1f0 | T0_USR)).toEqual(cfg(true, 0, 0, true, false));
    // the lowest and highest bit of each field
    expect(of((1 << 25) | (1 << 24) | (1 << 9) | T0_OS)).toEqual(cfg(true, 1, 0x8001, false, true));
    expect(of((1 << 30) | T0_OS)).toEqual(cfg(true, 0x20, 0, false, true));
  });

  it('the CCCR enable is bit 12 alone; ESCR_SELECT is bits 13-15', () => {
    const escrs = { 0: escr(0x3, 0x1, T0_USR), 3: escr(0x18, 0x2, T0_USR), 7: escr(0xc, 0x4, T0_OS) };
    const of = (c: number) => decode(b, regs(p4, { ...escrs, 23: c >>> 0 }), 0);
    // BPU_CTR0: select 0 = BPU_ESCR0, 3 = ITLB_ESCR0, 7 = BSU_ESCR0
    expect(of(cccr(0))).toEqual(cfg(true, 0x3, 0x1, true, false));
    expect(of(cccr(3))).toEqual(cfg(true, 0x18, 0x2, true, false));
    expect(of(cccr(7))).toEqual(cfg(true, 0xc, 0x4, false, true));
    // bits above the select are ignored
    expect(of(cccr(3) | (1 << 16) | (1 << 31))).toEqual(cfg(true, 0x18, 0x2, true, false));
    // without bit 12, bits 11 and 13-15 do not enable
    expect(of((1 << 11) | (7 << 13))).toEqual(untouched);
    expect(of(cccr(3, false) | 0xfff)).toEqual(untouched);
    // a select no ESCR of the counter has (1 on BPU_CTR0) finds nothing
    expect(of(cccr(1))).toEqual(untouched);
  });

  it('the CCCR select reaches the ESCR of that select even when an event-less ESCR of the counter is written', () => {
    // IQ_CTR3 (PMD16): IQ_CCCR3 selects 1 = ALF_ESCR1 (resource_stall); IQ_ESCR1, also on
    // IQ_CTR3 and listed before it, is written but has no select of its own
    const s = regs(p4, { 48: escr(0x2, 0x1, T0_USR), 49: escr(0x1, 0x20, T0_USR), 61: cccr(1) });
    expect(decode(b, s, 16)).toEqual(cfg(true, 0x1, 0x20, true, false));
  });

  it('an ESCR of the right select that the set did not write is skipped', () => {
    const s = regs(p4, { 48: escr(0x2, 0x1, T0_USR), 61: cccr(1) }, { 49: escr(0x1, 0x20, T0_USR) });
    expect(decode(b, s, 16)).toEqual(untouched);
  });

  it('has no shared unit', () => {
    expect([b.sharedUnit(0, 0xff), b.sharedUnit(23, 0xffffffff), b.sharedUnit(20, 0xee)]).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe('p4-escr-cccr: how the tables are built', () => {
  function pmc(index: number, name: string, controls: number[]): PmcDescriptor {
    return {
      kind: 'pmc',
      index,
      name,
      type: [],
      typeBits: 0,
      defaultValue: 0n,
      reservedMask: 0n,
      noEmul64Mask: 0n,
      controls,
    };
  }
  function event(name: string, modelData: Record<string, unknown>): PmuEvent {
    return {
      index: 0,
      name,
      code: 1n,
      description: '',
      counters: [0],
      unitMasks: [],
      umaskCombinable: false,
      flags: [],
      modelData,
    };
  }
  /**
   * Three PMDs: PMD0 (CCCR at PMC0; ESCRs PMC1, PMC2; PMC3 named neither), PMD1 (CCCR at
   * PMC4; ESCR PMC1), PMD2 (ESCR PMC1, no CCCR). PMC1 also lists PMD3, which does not exist.
   */
  const tiny: PmuModel = {
    ...p4,
    maxPmd: 3,
    maxPmc: 6,
    pmcs: [
      pmc(0, 'A_CCCR0', [0]),
      pmc(1, 'A_ESCR0', [0, 1, 2, 3]),
      pmc(2, 'A_ESCR1', [0]),
      pmc(3, 'A_OTHER', [0]),
      pmc(4, 'B_CCCR1', [1]),
    ],
    events: [
      event('both', { cccrSelect: 3, escrs: [1, 2] }),
      event('other', { cccrSelect: '0x5', escrs: [3] }),
      event('no-select', { escrs: [2] }),
      event('no-escrs', { cccrSelect: 6 }),
      event('escrs-not-a-list', { cccrSelect: 6, escrs: 2 }),
      event('bad-escrs', { cccrSelect: 7, escrs: ['1', -1, 6, 99] }),
    ],
  };
  let b: SchemeBinding;
  beforeEach(() => {
    b = p4EscrCccrScheme.bind(tiny);
  });
  const first = escr(0x11, 0x2, T0_USR);
  const second = escr(0x22, 0x3, T0_OS);

  it('of two written ESCRs with the selected number, the first listed counts', () => {
    expect(decode(b, regs(tiny, { 0: cccr(3), 1: first, 2: second }), 0)).toEqual(
      cfg(true, 0x11, 0x2, true, false),
    );
    expect(decode(b, regs(tiny, { 0: cccr(3), 2: second }), 0)).toEqual(cfg(true, 0x22, 0x3, false, true));
    expect(decode(b, regs(tiny, { 4: cccr(3), 1: first, 2: second }), 1)).toEqual(
      cfg(true, 0x11, 0x2, true, false),
    );
  });

  it('an ESCR’s select is the one of the first event naming it; a later event with another select changes nothing', () => {
    // As libpfm-3.10's b2b_cycles (select 3) after global_power_events (select 6) on FSB_ESCR0.
    const later: PmuModel = {
      ...tiny,
      events: [event('first', { cccrSelect: 3, escrs: [1] }), event('later', { cccrSelect: 5, escrs: [1] })],
    };
    const bl = p4EscrCccrScheme.bind(later);
    expect(decode(bl, regs(later, { 0: cccr(3), 1: first }), 0)).toEqual(cfg(true, 0x11, 0x2, true, false));
    expect(decode(bl, regs(later, { 0: cccr(5), 1: first }), 0)).toEqual(untouched);
  });

  it('an ESCR’s select comes only from events that give both cccrSelect and an escrs list of indexes', () => {
    // no-select does not make PMC2 select 0; bad-escrs does not make PMC1 select 7
    expect(decode(b, regs(tiny, { 0: cccr(0), 2: second }), 0)).toEqual(untouched);
    expect(decode(b, regs(tiny, { 0: cccr(7), 1: first }), 0)).toEqual(untouched);
    expect(decode(b, regs(tiny, { 0: cccr(6), 1: first, 2: second }), 0)).toEqual(untouched);
  });

  it('only registers named …ESCR… are ESCRs, whatever model data says', () => {
    expect(decode(b, regs(tiny, { 0: cccr(5), 3: second }), 0)).toEqual(untouched);
  });

  it('a PMD without a CCCR counts nothing, even when its ESCR looks like an enabled CCCR', () => {
    // mask 0x38 puts bits 12-14 in the ESCR: as a CCCR it is enabled with select 3
    const lookalike = escr(0x11, 0x38, T0_USR);
    expect(decode(b, regs(tiny, { 1: lookalike }), 2)).toEqual(untouched);
    expect(decode(b, regs(tiny, { 0: cccr(3), 1: lookalike }), 0)).toEqual(
      cfg(true, 0x11, 0x38, true, false),
    );
  });

  it('a PMD without a CCCR stays disabled for any array-like state, not only typed arrays', () => {
    const s = withEntryAtMinusOne(regs(tiny, { 1: first }), cccr(3));
    expect(decode(b, s, 2)).toEqual(untouched);
    expect(decode(b, s, 1)).toEqual(untouched);
    expect(decode(b, withEntryAtMinusOne(regs(tiny, { 0: cccr(3), 1: first }), cccr(3)), 0)).toEqual(
      cfg(true, 0x11, 0x2, true, false),
    );
  });

  it('a CCCR at PMC0 counts', () => {
    expect(decode(b, regs(tiny, { 0: cccr(3), 2: escr(0x3f, 0, T1_OS) }), 0)).toEqual(
      cfg(true, 0x3f, 0, false, true),
    );
  });
});
