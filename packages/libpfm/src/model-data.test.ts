import { getModel, type PmuEvent } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { PFMLIB_ERR_NOTSUPP, type PfmError } from './errors.js';
import { ia64Data, mipsCodes, p4Data, power5Data } from './model-data.js';

const p4 = getModel('intel-p4');
const power5 = getModel('power5');
const ita2 = getModel('itanium2');

function withData(base: PmuEvent, modelData: Record<string, unknown>, code = base.code): PmuEvent {
  return { ...base, code, modelData: { ...base.modelData, ...modelData } } as PmuEvent;
}
const p4Event = (data: Record<string, unknown>, code?: bigint) => withData(p4.events[0]!, data, code);
const p5Event = (data: Record<string, unknown>, code?: bigint) => withData(power5.events[0]!, data, code);

function notsupp(fn: () => unknown): PfmError {
  try {
    fn();
  } catch (e) {
    expect((e as PfmError).code).toBe(PFMLIB_ERR_NOTSUPP);
    return e as PfmError;
  }
  throw new Error('expected NOTSUPP');
}

describe('numeric modelData fields: integers, hex strings, decimal strings', () => {
  it.each([
    [6, 6],
    ['0x1F', 31],
    ['0x6', 6],
    ['12', 12],
    ['7', 7],
  ])('cccrSelect %j reads as %i', (value, expected) => {
    expect(p4Data(p4, p4Event({ cccrSelect: value })).cccrSelect).toBe(expected);
  });

  it.each([1.5, '0x', '0x1g', 'z0x1', ' 12', '12a', 'a12', 'abc', '', null, true])(
    'cccrSelect %j is not a number: NOTSUPP naming the event and the field',
    (value) => {
      const e = notsupp(() => p4Data(p4, p4Event({ cccrSelect: value })));
      expect(e.message).toContain('intel-p4: event global_power_events has no usable modelData.cccrSelect');
      expect(e.events).toEqual(['global_power_events']);
    },
  );
});

describe('P4 ESCR data', () => {
  it('reads the ESCR list in preference order and the ESCR select', () => {
    expect(p4Data(p4, p4Event({ escrs: ['0x6', 38], escrSelect: 5 }, 9n))).toEqual({
      escrSelect: 5,
      cccrSelect: 6,
      escrs: [6, 38],
      escrMask: 0xffff,
      pebs: new Map(),
      cpuModels: undefined,
    });
  });

  it('reads the replay PEBS table, the ESCR mask and the CPU models', () => {
    const d = p4Data(
      p4,
      p4Event({
        escrMask: '0x3',
        pebs: { l1_ld_miss: { enable: '0x1000001', matrixVert: 1 } },
        cpuModels: [3, '4'],
      }),
    );
    expect([d.escrMask, [...d.pebs], d.cpuModels]).toEqual([
      3,
      [['L1_LD_MISS', { enable: 0x1000001n, matrixVert: 1n }]],
      [3, 4],
    ]);
    expect(notsupp(() => p4Data(p4, p4Event({ pebs: { X: { enable: 'no' } } }))).message).toContain(
      'modelData.pebs.X',
    );
  });

  it('without escrSelect the event code is the ESCR select', () => {
    expect(p4Data(p4, p4Event({ escrSelect: undefined }, 9n)).escrSelect).toBe(9);
  });

  it.each([[undefined], ['6'], [[6, 'x']], [['x', 6]]])('escrs %j → NOTSUPP', (escrs) => {
    expect(notsupp(() => p4Data(p4, p4Event({ escrs }))).message).toContain('modelData.escrs');
  });
});

describe('IA-64 data', () => {
  it('es is the low byte of the code; umask, group and set as given; MESI only when true', () => {
    const base = ita2.events[0]!;
    expect(ia64Data(withData(base, { umask: '0x9', group: '2', set: 3, mesi: true }, 0x1b0n))).toEqual({
      es: 0xb0,
      umask: 9,
      group: 2,
      set: 3,
      mesi: true,
    });
    expect(
      ia64Data(withData(base, { umask: undefined, group: undefined, set: undefined, mesi: 'yes' })),
    ).toMatchObject({
      umask: 0,
      group: undefined,
      set: undefined,
      mesi: false,
    });
  });
});

describe('MIPS64 per-counter codes', () => {
  const base = getModel('mips64').events[0]!;
  it('keeps the numeric counters with a usable code', () => {
    const codes = mipsCodes(withData(base, { codes: { 0: '0x5', 1: 7, 2: 'bad', x: 1, '1a': 2, a1: 3 } }));
    expect([...(codes ?? [])]).toEqual([
      [0, 5],
      [1, 7],
    ]);
  });

  it.each([[null], [undefined], ['0x5']])('codes %j: none', (codes) => {
    expect(mipsCodes(withData(base, { codes }))).toBeUndefined();
  });
});

describe('POWER5 data', () => {
  it('event ids per PMC (-1 where unusable), group vector words, PMCSEL', () => {
    expect(
      power5Data(
        power5,
        p5Event({ eventIds: [12, '0xf', 'x', -1], groupVector: ['0x3', 5, '12'], pmcsel: 7 }),
      ),
    ).toEqual({ eventIds: [12, 15, -1, -1], groupVector: [3n, 5n, 12n], pmcsel: 7 });
  });

  it('without pmcsel: the low 7 bits of the code', () => {
    expect(power5Data(power5, p5Event({ pmcsel: undefined }, 0x1abn)).pmcsel).toBe(0x2b);
  });

  it('eventIds not a list → NOTSUPP', () => {
    expect(notsupp(() => power5Data(power5, p5Event({ eventIds: '12' }))).message).toContain(
      'power5: event PM_CYC has no usable modelData.eventIds',
    );
  });

  it.each([['0x3'], [['0x3', 'x']], [['x', 1]], [[1.5]], [['1x']], [['x1']], [['0x1g']]])(
    'groupVector %j → NOTSUPP',
    (groupVector) => {
      expect(notsupp(() => power5Data(power5, p5Event({ groupVector }))).message).toContain(
        'power5: event PM_CYC has no usable modelData.groupVector',
      );
    },
  );
});
