/** Lookup details a tool relies on: which strings are codes, what each error names and says. */
import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { suggestNames } from './events.js';
import { p6WithManyUmasks } from './fixtures.test-util.js';
import * as pfm from './index.js';

const { findEvent, findEventByCode, findEventByCodeNext, findEventMask, findFullEvent, getEventName } = pfm;
const { getEventCodeCounter, getEventMaskCode, getEventMaskName, getFullEventName } = pfm;
const { PFMLIB_ERR_INVAL, PFMLIB_ERR_NOTFOUND, PFMLIB_ERR_NOTSUPP, PFMLIB_ERR_TOOMANY, PFMLIB_ERR_UMASK } =
  pfm;

const p6 = getModel('intel-p6');
const mips = getModel('mips64');
const p4 = getModel('intel-p4');
const idx = (model: typeof p6, name: string) => model.events.findIndex((e) => e.name === name);
const L2 = idx(p6, 'L2_RQSTS');
const BUS = idx(p6, 'BUS_TRANS_BRD');

/** `fn` throws a PfmError with this code and detail, naming these events. */
function fails(fn: () => unknown, code: number, detail: string, events: string[] = []): void {
  expect(fn).toThrow(expect.objectContaining({ code, detail, events }));
}

describe('suggestNames: the "did you mean" list', () => {
  it('ranks by edit distance, then alphabetically, at most three, no duplicates', () => {
    expect(suggestNames('ABCD', ['ZBCD', 'ABXY', 'ABCE'])).toEqual(['ABCE', 'ZBCD', 'ABXY']);
    expect(suggestNames('ABCD', ['ABCE', 'abce', 'ABCF', 'ABCG', 'ABCH'])).toEqual(['ABCE', 'ABCF', 'ABCG']);
    expect(suggestNames('abcd', ['xbcd'])).toEqual(['XBCD']);
  });

  it('keeps names within two edits (a quarter of a long name), drops the rest', () => {
    expect(suggestNames('ABCD', ['XYCD'])).toEqual(['XYCD']);
    expect(suggestNames('ABCD', ['XYZD'])).toEqual([]);
    expect(suggestNames('ABCD', ['WXYZ', 'ABCDEFG'])).toEqual(['ABCDEFG']);
    expect(suggestNames('ABCDEFGHIJKL', ['ABCDEFGHIXYZ', 'ABCDEFGHWXYZ'])).toEqual(['ABCDEFGHIXYZ']);
    expect(suggestNames('A', ['B', 'CD', 'EFG'])).toEqual(['B', 'CD']);
  });

  it('a name containing the text, or contained in it, counts as one edit away', () => {
    expect(suggestNames('CLK', ['CPU_CLK_UNHALTED', 'CLX'])).toEqual(['CLX', 'CPU_CLK_UNHALTED']);
    expect(suggestNames('L2_RQSTS_ALL_THE_THINGS', ['L2_RQSTS', 'L2_RQSTX'])).toEqual(['L2_RQSTS']);
  });

  it('suggests nothing for an empty name', () => {
    expect(suggestNames('', ['A', 'B'])).toEqual([]);
  });
});

describe('findEvent: which strings are codes', () => {
  it('only a leading digit makes a code: a sign or a space is a name, and not found', () => {
    for (const str of ['+192', ' 192', '-1', '+0xc0']) {
      expect(() => findEvent(p6, str)).toThrow(expect.objectContaining({ code: PFMLIB_ERR_NOTFOUND }));
    }
    expect(getEventName(p6, findEvent(p6, '5'))).toBe('MISALIGN_MEM_REF');
    expect(getEventName(p6, findEvent(p6, '99'))).toBe('BUS_LOCK_CLOCKS');
  });

  it('a digit-leading string that is not a whole number is INVAL, 9 included', () => {
    const detail = '"9x" is not a number (a digit-leading event is looked up by code)';
    fails(() => findEvent(p6, '9x'), PFMLIB_ERR_INVAL, detail);
  });

  it('INT_MAX itself is a code to look up; one more is INVAL', () => {
    fails(() => findEvent(p6, '2147483647'), PFMLIB_ERR_NOTFOUND, 'no intel-p6 event has code 0x7fffffff');
    const detail = 'event code 0x80000000 is larger than INT_MAX';
    fails(() => findEvent(p6, '0x80000000'), PFMLIB_ERR_INVAL, detail);
  });

  it('a name miss names the part before ":" and suggests close names, if any', () => {
    fails(
      () => findEvent(p6, 'QQQQQQQQ:CPU_CLK_UNHALTED'),
      PFMLIB_ERR_NOTFOUND,
      'QQQQQQQQ is not a intel-p6 event',
    );
    const unhalted = 'CPU_CLK_UNHALTD is not a intel-p6 event (did you mean CPU_CLK_UNHALTED?)';
    fails(() => findEvent(p6, 'CPU_CLK_UNHALTD:X'), PFMLIB_ERR_NOTFOUND, unhalted);
    const l2 = 'L2_LX is not a intel-p6 event (did you mean L2_LD, L2_ST?)';
    fails(() => findEvent(p6, 'L2_LX'), PFMLIB_ERR_NOTFOUND, l2);
    // A leading ":" leaves an empty name: nothing to suggest.
    fails(() => findEvent(p6, ':CPU_CLK_UNHALTED'), PFMLIB_ERR_NOTFOUND, ' is not a intel-p6 event');
  });
});

describe('findEventByCode and findEventByCodeNext', () => {
  it('NOTFOUND says which code, and after which index', () => {
    fails(() => findEventByCode(p6, 0x999), PFMLIB_ERR_NOTFOUND, 'no intel-p6 event has code 0x999');
    const after = 'no intel-p6 event after index 1 has code 0xc0';
    fails(() => findEventByCodeNext(p6, 0xc0, 1), PFMLIB_ERR_NOTFOUND, after);
  });

  it('starts strictly after the index given, from the table start for a negative one', () => {
    expect([-1, 0, 0.5].map((start) => findEventByCodeNext(p6, 0xc0, start))).toEqual([1, 1, 1]);
    expect(findEventByCodeNext(p6, 0x79, -5)).toBe(0);
  });

  it('per-counter codes only on MIPS64; elsewhere the event code', () => {
    expect(getEventName(mips, findEventByCode(mips, 0xf))).toBe('INSNS_EXECED');
    expect(getEventName(p6, findEventByCode(p6, 0xc1))).toBe('FLOPS');
  });
});

describe('unit-mask lookup', () => {
  it('findEventMask: a name or an exact value, the first mask included', () => {
    expect(findEventMask(p6, L2, '1')).toBe(0);
    expect(findEventMask(p6, L2, '0x1')).toBe(0);
    expect(findEventMask(p6, BUS, '0')).toBe(0);
    expect(findEventMask(p6, BUS, '0x20')).toBe(1);
  });

  it('an empty unit mask is no unit mask, even where a mask has the value 0', () => {
    const detail = 'BUS_TRANS_BRD has no unit mask "" (valid: SELF, ANY)';
    fails(() => findEventMask(p6, BUS, ''), PFMLIB_ERR_UMASK, detail, ['BUS_TRANS_BRD']);
  });

  it('an unknown unit mask names the event and the valid masks, with suggestions when close', () => {
    const far = 'L2_RQSTS has no unit mask "QQQQQ" (valid: I, S, E, M)';
    fails(() => findEventMask(p6, L2, 'QQQQQ'), PFMLIB_ERR_UMASK, far, ['L2_RQSTS']);
    const seg = idx(p6, 'SEG_RENAME_STALLS');
    const close = 'SEG_RENAME_STALLS has no unit mask "XS" (valid: ES, DS, FS, GS); did you mean DS, ES, FS?';
    fails(() => findEventMask(p6, seg, 'XS'), PFMLIB_ERR_UMASK, close, ['SEG_RENAME_STALLS']);
  });
});

describe('findFullEvent: what each UMASK and TOOMANY names', () => {
  it.each([
    [
      'CPU_CLK_UNHALTED:M',
      'CPU_CLK_UNHALTED has no unit masks, "CPU_CLK_UNHALTED:M" gives one',
      'CPU_CLK_UNHALTED',
    ],
    ['L2_RQSTS', 'L2_RQSTS needs a unit mask (one or more of: I, S, E, M)', 'L2_RQSTS'],
    ['l2_rqsts:', `"l2_rqsts:" ends with ':' but names no unit mask`, 'L2_RQSTS'],
    ['L2_RQSTS::M', '"L2_RQSTS::M" has an empty unit mask', 'L2_RQSTS'],
    ['L2_RQSTS:M:', '"L2_RQSTS:M:" has an empty unit mask', 'L2_RQSTS'],
    [
      'L2_RQSTS:0x10',
      '0x10 is neither a unit mask of L2_RQSTS nor a combination of them (valid: I, S, E, M)',
      'L2_RQSTS',
    ],
    ['L2_RQSTS:M:0x1z', 'L2_RQSTS has no unit mask "0x1z" (valid: I, S, E, M)', 'L2_RQSTS'],
  ])('%s', (spec, detail, name) => {
    fails(() => findFullEvent(p6, spec), PFMLIB_ERR_UMASK, detail, [name]);
  });

  it('an event without unit masks takes none', () => {
    expect(findFullEvent(p6, 'cpu_clk_unhalted')).toEqual({ event: 0, unitMasks: [] });
  });

  it('TOOMANY names the event, by name or by a number split', () => {
    const many = p6WithManyUmasks();
    const names = Array.from({ length: 49 }, (_, i) => `M${i}`).join(':');
    for (const spec of [`many:${names}`, 'many:0xff']) {
      fails(() => findFullEvent(many, spec), PFMLIB_ERR_TOOMANY, 'MANY: more than 48 unit masks', ['MANY']);
    }
  });
});

describe('checking a pfmlib_event_t (getFullEventName)', () => {
  const many = p6WithManyUmasks();
  const MANY = idx(many, 'MANY');
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('48 unit masks are fine, 49 are TOOMANY', () => {
    expect(getFullEventName(many, { event: MANY, unitMasks: range(48) })).toBe(
      ['MANY', ...range(48).map((i) => `M${i}`)].join(':'),
    );
    const detail = 'MANY: 49 unit masks, at most 48';
    fails(() => getFullEventName(many, { event: MANY, unitMasks: range(49) }), PFMLIB_ERR_TOOMANY, detail, [
      'MANY',
    ]);
  });

  it('UMASK names the event and what is wrong with its unit masks', () => {
    const none = 'CPU_CLK_UNHALTED has no unit masks';
    fails(() => getFullEventName(p6, { event: 0, unitMasks: [0] }), PFMLIB_ERR_UMASK, none, [
      'CPU_CLK_UNHALTED',
    ]);
    for (const m of [4, -1, 0.5]) {
      const detail = `L2_RQSTS has no unit mask index ${m} (it has 4)`;
      fails(() => getFullEventName(p6, { event: L2, unitMasks: [0, m] }), PFMLIB_ERR_UMASK, detail, [
        'L2_RQSTS',
      ]);
    }
    const needs = 'L2_RQSTS needs a unit mask (one or more of: I, S, E, M)';
    fails(() => getFullEventName(p6, { event: L2, unitMasks: [] }), PFMLIB_ERR_UMASK, needs, ['L2_RQSTS']);
  });

  it('a JavaScript caller may leave out the unit-mask list of an event without any', () => {
    expect(pfm.checkEvent(p6, { event: 0 } as pfm.PfmEvent).name).toBe('CPU_CLK_UNHALTED');
  });

  it('a bad event index is INVAL and says how many events there are', () => {
    const detail = 'event index 80 is out of range (intel-p6 has 80 events)';
    fails(() => getFullEventName(p6, { event: 80, unitMasks: [] }), PFMLIB_ERR_INVAL, detail);
  });
});

describe('per-counter codes and unit-mask queries: messages', () => {
  it('getEventCodeCounter: any implemented counter on P6, the event counters on MIPS64 and P4', () => {
    expect(getEventCodeCounter(p6, idx(p6, 'FLOPS'), 1)).toBe(0xc1);
    fails(() => getEventCodeCounter(p6, 0, 5), PFMLIB_ERR_INVAL, 'intel-p6 has no counter 5');
    const mipsDetail = 'INSN_FETCHED cannot be counted on counter 1';
    fails(() => getEventCodeCounter(mips, idx(mips, 'INSN_FETCHED'), 1), PFMLIB_ERR_INVAL, mipsDetail);
    const p4Detail = 'GLOBAL_POWER_EVENTS cannot be counted on counter 6';
    fails(() => getEventCodeCounter(p4, 0, 6), PFMLIB_ERR_INVAL, p4Detail);
  });

  it('unit-mask queries name the event in upper case', () => {
    fails(() => getEventMaskName(p6, 0, 0), PFMLIB_ERR_NOTSUPP, 'CPU_CLK_UNHALTED has no unit masks');
    const l2 = 'L2_RQSTS has no unit mask index 4 (it has 4)';
    fails(() => getEventMaskCode(p6, L2, 4), PFMLIB_ERR_INVAL, l2);
    const p4Detail = `GLOBAL_POWER_EVENTS has no unit mask index 99 (it has ${p4.events[0]?.unitMasks.length})`;
    fails(() => getEventMaskName(p4, 0, 99), PFMLIB_ERR_INVAL, p4Detail);
  });

  it('a unit-mask description is the model text', () => {
    expect(pfm.getEventMaskDescription(p6, L2, 3)).toBe(p6.events[L2]?.unitMasks[3]?.description);
  });
});
