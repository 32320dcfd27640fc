import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { p6WithManyUmasks } from './fixtures.test-util.js';
import {
  findEvent,
  findEventByCode,
  findEventByCodeNext,
  findEventMask,
  findFullEvent,
  getEventCode,
  getEventCodeCounter,
  getEventCounters,
  getEventDescription,
  getEventMaskCode,
  getEventMaskDescription,
  getEventMaskName,
  getEventName,
  getFullEventName,
  getMaxEventNameLen,
  getNumEventMasks,
  PFMLIB_ERR_INVAL,
  PFMLIB_ERR_NOTFOUND,
  PFMLIB_ERR_NOTSUPP,
  PFMLIB_ERR_TOOMANY,
  PFMLIB_ERR_UMASK,
  type PfmError,
} from './index.js';

const p6 = getModel('intel-p6');
const core = getModel('intel-core');
const ita2 = getModel('itanium2');
const mips = getModel('mips64');
const p4 = getModel('intel-p4');
const idx = (model: typeof p6, name: string) => model.events.findIndex((e) => e.name === name);

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as PfmError).code;
  }
  return undefined;
}

function err(fn: () => unknown): PfmError {
  try {
    fn();
  } catch (e) {
    return e as PfmError;
  }
  throw new Error('expected a PfmError');
}

describe('findEvent: names', () => {
  it('is case-insensitive and exact on the full name', () => {
    expect(findEvent(p6, 'CPU_CLK_UNHALTED')).toBe(0);
    expect(findEvent(p6, 'cpu_clk_unhalted')).toBe(0);
    expect(findEvent(p6, 'Inst_Retired')).toBe(1);
    expect(code(() => findEvent(p6, 'CPU_CLK'))).toBe(PFMLIB_ERR_NOTFOUND);
    expect(code(() => findEvent(p6, 'CPU_CLK_UNHALTED_X'))).toBe(PFMLIB_ERR_NOTFOUND);
  });

  it('ignores everything from the first ":"', () => {
    expect(findEvent(p6, 'CPU_CLK_UNHALTED:whatever:else')).toBe(0);
    expect(findEvent(p6, 'l2_rqsts:NOPE')).toBe(idx(p6, 'L2_RQSTS'));
  });

  it('NOTFOUND names the event and suggests close names', () => {
    const e = err(() => findEvent(p6, 'CPU_CLK_UNHALTD'));
    expect(e.code).toBe(PFMLIB_ERR_NOTFOUND);
    expect(e.message).toBe(
      'event not found: CPU_CLK_UNHALTD is not a intel-p6 event (did you mean CPU_CLK_UNHALTED?)',
    );
  });

  it('finds the lower-case P4 names and reports them in upper case', () => {
    const i = findEvent(p4, 'GLOBAL_POWER_EVENTS');
    expect(i).toBe(0);
    expect(getEventName(p4, i)).toBe('GLOBAL_POWER_EVENTS');
  });
});

describe('findEvent: digit-leading strings are codes (strtoul base 0)', () => {
  it('parses hex, decimal and octal and returns the first match', () => {
    expect(findEvent(p6, '0xc0')).toBe(1);
    expect(findEvent(p6, '192')).toBe(1);
    expect(findEvent(p6, '0300')).toBe(1);
    expect(findEvent(p6, '0x79')).toBe(0);
    expect(findEvent(ita2, '0x8')).toBe(idx(ita2, 'IA64_INST_RETIRED'));
  });

  it('gives INVAL for trailing characters or a value above INT_MAX, NOTFOUND for an unknown code', () => {
    expect(code(() => findEvent(p6, '0xc0:x'))).toBe(PFMLIB_ERR_INVAL);
    expect(code(() => findEvent(p6, '12abc'))).toBe(PFMLIB_ERR_INVAL);
    expect(code(() => findEvent(p6, '4294967295'))).toBe(PFMLIB_ERR_INVAL);
    expect(code(() => findEvent(p6, '0x999'))).toBe(PFMLIB_ERR_NOTFOUND);
  });

  it('findEventByCodeNext walks events sharing a code', () => {
    const first = findEventByCode(ita2, 0x8);
    const second = findEventByCodeNext(ita2, 0x8, first);
    const third = findEventByCodeNext(ita2, 0x8n, second);
    expect([first, second, third].map((i) => getEventName(ita2, i))).toEqual([
      'IA64_INST_RETIRED',
      'IA64_INST_RETIRED_THIS',
      'IA64_TAGGED_INST_RETIRED_IBRP1_PMC9',
    ]);
    expect(code(() => findEventByCodeNext(ita2, 0x8, third))).toBe(PFMLIB_ERR_NOTFOUND);
  });

  it('matches any counter code on MIPS64 (PFMLIB_MULT_CODE_EVENT)', () => {
    // INSNS_EXECED is 0xf on counter 0 and 0x1 on counter 1; it precedes INSN_FETCHED (0x1).
    expect(getEventName(mips, findEventByCode(mips, 0x1))).toBe('INSNS_EXECED');
    expect(getEventName(mips, findEventByCode(mips, 0xf))).toBe('INSNS_EXECED');
    expect(getEventName(mips, findEvent(mips, '0x9'))).toBe('ICACHE_MISS');
  });
});

describe('findFullEvent: EVENT[:UMASK...]', () => {
  const l2 = idx(p6, 'L2_RQSTS');

  it('takes names (case-insensitive) and keeps their order', () => {
    expect(findFullEvent(p6, 'L2_RQSTS:M:E')).toEqual({ event: l2, unitMasks: [3, 2] });
    expect(findFullEvent(p6, 'l2_rqsts:m:e')).toEqual({ event: l2, unitMasks: [3, 2] });
    expect(getFullEventName(p6, findFullEvent(p6, 'l2_rqsts:m:e'))).toBe('L2_RQSTS:M:E');
  });

  it('takes an exact value, or splits a number into the masks covering it exactly', () => {
    expect(findFullEvent(p6, 'L2_RQSTS:0x8')).toEqual({ event: l2, unitMasks: [3] });
    expect(findFullEvent(p6, 'L2_RQSTS:0xc')).toEqual({ event: l2, unitMasks: [2, 3] });
    expect(findFullEvent(p6, 'L2_RQSTS:12')).toEqual({ event: l2, unitMasks: [2, 3] });
    const bus = idx(p6, 'BUS_TRANS_BRD');
    expect(findFullEvent(p6, 'BUS_TRANS_BRD:0x20').unitMasks).toEqual([1]);
    expect(findFullEvent(p6, 'BUS_TRANS_BRD:0').unitMasks).toEqual([0]);
    expect(findFullEvent(p6, 'BUS_TRANS_BRD:SELF').event).toBe(bus);
  });

  it('A:M1:M2 = A:M1:0x40 = A:0x41 with M1 = 0x1 and M2 = 0x40 (Core L2_LD I_STATE, SELF)', () => {
    const a = findFullEvent(core, 'L2_LD:I_STATE:SELF');
    const b = findFullEvent(core, 'L2_LD:I_STATE:0x40');
    const c = findFullEvent(core, 'L2_LD:0x41');
    const names = (e: typeof a) => e.unitMasks.map((m) => getEventMaskName(core, e.event, m)).sort();
    expect(names(a)).toEqual(['I_STATE', 'SELF']);
    expect(names(b)).toEqual(['I_STATE', 'SELF']);
    expect(names(c)).toEqual(['I_STATE', 'SELF']);
  });

  it('ignores duplicates, by name or by value', () => {
    expect(findFullEvent(p6, 'L2_RQSTS:M:M:m').unitMasks).toEqual([3]);
    expect(findFullEvent(p6, 'L2_RQSTS:M:0xc').unitMasks).toEqual([3, 2]);
    expect(findFullEvent(p6, 'L2_RQSTS:M:8').unitMasks).toEqual([3]);
  });

  it.each([
    ['a unit mask on an event without any', 'CPU_CLK_UNHALTED:M', 'CPU_CLK_UNHALTED has no unit masks'],
    [
      'no unit mask on an event that has some',
      'L2_RQSTS',
      'L2_RQSTS needs a unit mask (one or more of: I, S, E, M)',
    ],
    ['a trailing ":"', 'L2_RQSTS:', 'ends with'],
    ['a trailing ":" after a mask', 'L2_RQSTS:M:', 'empty unit mask'],
    ['an empty mask', 'L2_RQSTS::M', 'empty unit mask'],
    ['an unknown mask', 'L2_RQSTS:X', 'L2_RQSTS has no unit mask "X" (valid: I, S, E, M)'],
    ['bits no mask covers', 'L2_RQSTS:0x10', 'neither a unit mask of L2_RQSTS nor a combination'],
    ['a number that is not one', 'L2_RQSTS:0xzz', 'has no unit mask "0xzz"'],
    ['a combination with a stray bit', 'BUS_TRANS_BRD:0x21', 'BUS_TRANS_BRD'],
  ])('UMASK for %s', (_what, spec, text) => {
    const e = err(() => findFullEvent(p6, spec));
    expect(e.code).toBe(PFMLIB_ERR_UMASK);
    expect(e.message).toContain(text);
  });

  it('suggests a close unit-mask name', () => {
    expect(err(() => findFullEvent(core, 'L2_LD:SLEF')).message).toContain('did you mean SELF?');
  });

  it('NOTFOUND for an unknown event even with unit masks', () => {
    expect(code(() => findFullEvent(p6, 'NOPE:M'))).toBe(PFMLIB_ERR_NOTFOUND);
    // find_full_event looks up by name only: a code is not a name.
    expect(code(() => findFullEvent(p6, '0xc0'))).toBe(PFMLIB_ERR_NOTFOUND);
  });

  it('TOOMANY beyond 48 unit masks, by name or by a number split', () => {
    const many = p6WithManyUmasks();
    const names = (n: number) => Array.from({ length: n }, (_, i) => `M${i}`).join(':');
    expect(findFullEvent(many, `MANY:${names(48)}`).unitMasks).toHaveLength(48);
    expect(code(() => findFullEvent(many, `MANY:${names(49)}`))).toBe(PFMLIB_ERR_TOOMANY);
    // 0xff covers all fifty masks (values 1..50): the split stops at 48.
    expect(code(() => findFullEvent(many, 'MANY:0xff'))).toBe(PFMLIB_ERR_TOOMANY);
  });
});

describe('unit-mask and event queries', () => {
  const l2 = idx(p6, 'L2_RQSTS');

  it('findEventMask takes a name or an exact value', () => {
    expect(findEventMask(p6, l2, 'm')).toBe(3);
    expect(findEventMask(p6, l2, '0x8')).toBe(3);
    expect(code(() => findEventMask(p6, l2, 'X'))).toBe(PFMLIB_ERR_UMASK);
    expect(code(() => findEventMask(p6, l2, '0xc'))).toBe(PFMLIB_ERR_UMASK);
    expect(code(() => findEventMask(p6, 999, 'M'))).toBe(PFMLIB_ERR_INVAL);
  });

  it('names, codes and descriptions of unit masks', () => {
    expect(getNumEventMasks(p6, l2)).toBe(4);
    expect(getEventMaskName(p6, l2, 0)).toBe('I');
    expect(getEventMaskCode(p6, l2, 3)).toBe(8);
    expect(getEventMaskDescription(p6, l2, 0)).not.toBe('');
    expect(code(() => getEventMaskName(p6, 0, 0))).toBe(PFMLIB_ERR_NOTSUPP);
    expect(code(() => getEventMaskName(p6, l2, 4))).toBe(PFMLIB_ERR_INVAL);
    expect(code(() => getEventMaskCode(p6, l2, -1))).toBe(PFMLIB_ERR_INVAL);
  });

  it('descriptions default to "no description available"', () => {
    const many = p6WithManyUmasks();
    const bare = idx(many, 'BARE');
    expect(getEventDescription(many, bare)).toBe('no description available');
    expect(getEventMaskDescription(many, bare, 0)).toBe('no description available');
    expect(getEventDescription(p6, 0)).toBe(p6.events[0]?.description);
  });

  it('event names are upper case; a bad index is INVAL', () => {
    expect(getEventName(p4, 1)).toBe('INSTR_RETIRED');
    expect(code(() => getEventName(p6, -1))).toBe(PFMLIB_ERR_INVAL);
    expect(code(() => getEventName(p6, p6.events.length))).toBe(PFMLIB_ERR_INVAL);
    expect(code(() => getEventName(p6, 0.5))).toBe(PFMLIB_ERR_INVAL);
  });

  it('getFullEventName checks the event like dispatch does', () => {
    expect(getFullEventName(p6, { event: 0, unitMasks: [] })).toBe('CPU_CLK_UNHALTED');
    expect(code(() => getFullEventName(p6, { event: l2, unitMasks: [] }))).toBe(PFMLIB_ERR_UMASK);
    expect(code(() => getFullEventName(p6, { event: 0, unitMasks: [0] }))).toBe(PFMLIB_ERR_UMASK);
    expect(code(() => getFullEventName(p6, { event: l2, unitMasks: [7] }))).toBe(PFMLIB_ERR_UMASK);
    expect(code(() => getFullEventName(p6, { event: 1000, unitMasks: [] }))).toBe(PFMLIB_ERR_INVAL);
  });

  it('event codes, also per counter', () => {
    expect(getEventCode(p6, 0)).toBe(0x79);
    expect(getEventCode(core, idx(core, 'THERMAL_TRIP'))).toBe(0xc03b);
    const insns = idx(mips, 'INSNS_EXECED');
    expect(getEventCodeCounter(mips, insns, 0)).toBe(0xf);
    expect(getEventCodeCounter(mips, insns, 1)).toBe(0x1);
    expect(code(() => getEventCodeCounter(mips, idx(mips, 'INSN_FETCHED'), 1))).toBe(PFMLIB_ERR_INVAL);
    expect(getEventCodeCounter(p6, 0, 1)).toBe(0x79);
    expect(code(() => getEventCodeCounter(p6, 0, 5))).toBe(PFMLIB_ERR_INVAL);
    expect(getEventCodeCounter(p4, 0, 9)).toBe(0x13);
    expect(code(() => getEventCodeCounter(p4, 0, 6))).toBe(PFMLIB_ERR_INVAL);
  });

  it('getEventCounters: constrained, fixed and per-unit-mask counters', () => {
    const counters = (model: typeof p6, name: string) => getEventCounters(model, idx(model, name)).toArray();
    expect(counters(p6, 'CPU_CLK_UNHALTED')).toEqual([0, 1]);
    expect(counters(p6, 'FLOPS')).toEqual([0]);
    expect(counters(p6, 'FP_ASSIST')).toEqual([1]);
    expect(counters(core, 'INSTRUCTIONS_RETIRED')).toEqual([0, 1, 16]);
    expect(counters(core, 'UNHALTED_REFERENCE_CYCLES')).toEqual([18]);
    // REF is the only unit mask on a fixed counter (libpfm-3.10's table: CORE_P is not on FIXED_CTR1).
    expect(counters(core, 'CPU_CLK_UNHALTED')).toEqual([0, 1, 18]);
    expect(counters(ita2, 'L2_FORCE_RECIRC_ANY')).toEqual([4]);
    expect(counters(p4, 'global_power_events')).toEqual([0, 1, 9, 10]);
  });

  it('getMaxEventNameLen adds 1 + length for every unit mask', () => {
    for (const model of [p6, core, p4]) {
      const expected = Math.max(
        ...model.events.map((e) => e.unitMasks.reduce((n, u) => n + 1 + u.name.length, e.name.length)),
      );
      expect(getMaxEventNameLen(model)).toBe(expected);
    }
    expect(getMaxEventNameLen(mips)).toBe(Math.max(...mips.events.map((e) => e.name.length)));
  });
});
