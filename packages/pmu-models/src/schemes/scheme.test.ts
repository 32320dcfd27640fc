/**
 * The helpers every scheme shares: model options, the PMC that drives each PMD, the select
 * tables of POWER5 and MIPS64, and model-data numbers.
 */
import { describe, expect, it } from 'vitest';
import type { PmcDescriptor, PmuEvent, PmuModel } from '../model.js';
import { getModel } from '../registry.js';
import {
  controllingPmcs,
  dataNumber,
  type PmuScheme,
  SCHEME_API_VERSION,
  schemeOption,
  selectTable,
} from './scheme.js';
import { x86EvtSelScheme } from './x86-evtsel.js';

function pmc(index: number, controls: number[]): PmcDescriptor {
  return {
    kind: 'pmc',
    index,
    name: `PMC${index}`,
    type: [],
    typeBits: 0,
    defaultValue: 0n,
    reservedMask: 0n,
    noEmul64Mask: 0n,
    controls,
  };
}

function event(name: string, code: bigint, counters: number[]): PmuEvent {
  return {
    index: 0,
    name,
    code,
    description: '',
    counters,
    unitMasks: [],
    umaskCombinable: false,
    flags: [],
    modelData: {},
  };
}

/** A model with only what the helpers read. */
function fake(maxPmd: number, pmcs: PmcDescriptor[], events: PmuEvent[] = []): PmuModel {
  return { ...getModel('intel-core'), maxPmd, pmcs, events };
}

describe('SCHEME_API_VERSION', () => {
  it('is version 1', () => {
    expect(SCHEME_API_VERSION).toBe(1);
  });
});

describe('schemeOption', () => {
  it('gives the value the model file sets, of any type', () => {
    expect(schemeOption(getModel('intel-p6'), 'enablePmc')).toBe(0);
    expect(schemeOption(getModel('amd64-k8'), 'northbridgeFrom')).toBe('0xee');
    const core = getModel('intel-core');
    const flagged: PmuModel = { ...core, encoding: { ...core.encoding, options: { strict: true } } };
    expect(schemeOption(flagged, 'strict')).toBe(true);
  });

  it('is undefined for an option the model does not set, or a model without options', () => {
    expect(schemeOption(getModel('amd64-k8'), 'enablePmc')).toBeUndefined();
    expect(getModel('intel-core').encoding.options).toBeUndefined();
    expect(schemeOption(getModel('intel-core'), 'enablePmc')).toBeUndefined();
  });
});

describe('controllingPmcs', () => {
  it('maps each PMD to the PMC that lists it (-1: none), as Intel Core does', () => {
    const control = controllingPmcs(getModel('intel-core'));
    expect(control).toBeInstanceOf(Int16Array);
    expect(Array.from(control)).toEqual([0, 1, ...Array<number>(14).fill(-1), 16, 16, 16]);
  });

  it('Itanium 2: PMC10-12 drive the non-counter PMDs, PMC4-7 the counters', () => {
    expect(Array.from(controllingPmcs(getModel('itanium2')))).toEqual([
      10, 10, 11, 11, 4, 5, 6, 7, 12, 12, 12, 12, 12, 12, 12, 12, 12, 11,
    ]);
  });

  it('the first PMC (in model order) that lists a PMD wins; PMDs from maxPmd on are ignored', () => {
    const model = fake(3, [pmc(5, [1, 7]), pmc(2, [1, 0]), pmc(9, [3]), pmc(4, [0])]);
    expect(Array.from(controllingPmcs(model))).toEqual([2, 5, -1]);
  });

  it('has one entry even for a model without PMDs', () => {
    expect(Array.from(controllingPmcs(fake(0, [pmc(3, [0, 1])])))).toEqual([3]);
    expect(Array.from(controllingPmcs(fake(0, [])))).toEqual([-1]);
  });
});

describe('selectTable', () => {
  /** The workload code is the event code + 1000, so it cannot be mistaken for a select. */
  const scheme: PmuScheme = {
    ...x86EvtSelScheme,
    workloadKey: (_model, ev) => ({ code: Number(ev.code) + 1000, umask: 7 }),
  };
  const entries = (table: Float64Array) =>
    Array.from(table).flatMap((code, i) => (code === -1 ? [] : [[i, code]]));

  it('puts each event’s workload code at [pmd * 256 + (select & 0xff)], the first event winning', () => {
    const a = event('A', 1n, [0, 2, 3, 5]);
    const b = event('B', 2n, [0, 1]);
    const c = event('C', 3n, [1]);
    const selects = new Map<PmuEvent, number>([
      [a, 0x105],
      [b, 0x5],
      [c, 0xff],
    ]);
    const calls: [string, number][] = [];
    const model = fake(3, [], [a, b, c]);
    const table = selectTable(model, scheme, (ev, pmd) => {
      calls.push([ev.name, pmd]);
      return selects.get(ev)!;
    });
    expect(table).toBeInstanceOf(Float64Array);
    expect(table.length).toBe(3 * 256);
    expect(entries(table)).toEqual([
      [5, 1001],
      [256 + 5, 1002],
      [256 + 255, 1003],
      [512 + 5, 1001],
    ]);
    // counters at or above maxPmd are skipped before their select is asked for
    expect(calls).toEqual([
      ['A', 0],
      ['A', 2],
      ['B', 0],
      ['B', 1],
      ['C', 1],
    ]);
  });

  it('reads the workload code through the scheme, with the model', () => {
    const seen: PmuModel[] = [];
    const model = fake(2, [], [event('A', 0x44n, [1])]);
    const spy: PmuScheme = {
      ...x86EvtSelScheme,
      workloadKey: (m, ev) => {
        seen.push(m);
        return { code: Number(ev.code) * 2, umask: 0 };
      },
    };
    expect(entries(selectTable(model, spy, () => 0x12))).toEqual([[256 + 0x12, 0x88]]);
    expect(seen).toEqual([model]);
    expect(seen[0]).toBe(model);
  });

  it('has one counter’s worth of entries even for a model without PMDs', () => {
    const table = selectTable(fake(0, [], [event('A', 4n, [0, 1])]), scheme, () => 9);
    expect(table.length).toBe(256);
    expect(entries(table)).toEqual([[9, 1004]]);
  });

  it('is all -1 for a model without events', () => {
    const table = selectTable(fake(2, []), scheme, () => 0);
    expect(table.length).toBe(512);
    expect(entries(table)).toEqual([]);
    expect(table[0]).toBe(-1);
  });
});

describe('dataNumber', () => {
  it.each([
    ['the number 5', 5, 5],
    ['the number 0', 0, 0],
    ['the number -3', -3, -3],
    ['"0x1f"', '0x1f', 0x1f],
    ['"12"', '12', 12],
    ['" 0x10 "', ' 0x10 ', 0x10],
    ['""', '', undefined],
    ['"  "', '  ', undefined],
    ['"abc"', 'abc', undefined],
    ['"0xzz"', '0xzz', undefined],
    ['undefined', undefined, undefined],
    ['null', null, undefined],
    ['true', true, undefined],
    ['false', false, undefined],
    ['the bigint 5n', 5n, undefined],
    ['an array', [3], undefined],
  ])('%s', (_label, value, expected) => {
    expect(dataNumber(value)).toBe(expected);
  });

  it('passes a number through unchanged, NaN included', () => {
    expect(dataNumber(Number.NaN)).toBeNaN();
    expect(dataNumber(1.5)).toBe(1.5);
  });
});
