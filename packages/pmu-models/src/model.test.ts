/**
 * The normalised model: perfmon2's derived values, the lookups libpfm relies on, immutability,
 * and the file written back by `toModelFile`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UMASK_EVENT, validFixture } from './fixtures.js';
import {
  cpuMatches,
  cpusOverlap,
  describeCpu,
  effectiveCounters,
  normaliseModel,
  toModelFile,
} from './model.js';
import { getModel, modelFile } from './registry.js';
import { type PmuModelFile, PmuModelFileSchema } from './schema.js';

const build = (mutate: (f: PmuModelFile) => void = () => {}) => {
  const f = validFixture();
  mutate(f);
  return normaliseModel(PmuModelFileSchema.parse(f));
};

describe('normaliseModel', () => {
  it('ORs the type flags into perfmon2 type bits', () => {
    const m = build((f) => {
      f.pmcs[2]!.type = ['I', 'WC', 'NO64'];
      f.pmds[3]!.type = ['I', 'RO', 'V', 'INTR', 'SYS', 'THR'];
    });
    expect(m.pmcs.map((r) => r.typeBits)).toEqual([0x101, 0x101, 0x103]);
    expect(m.pmds.map((r) => r.typeBits)).toEqual([0x05, 0x05, 0x05, 0xf9]);
    expect(m.pmds.map((r) => r.isCounter)).toEqual([true, true, true, false]);
  });

  it('derives ovfl_mask, max_pmc, max_pmd and the ascending counter PMDs', () => {
    const m = build((f) => {
      f.counterWidth = 47;
      f.hwCounterWidth = 48;
      f.pmds.reverse();
      f.pmds.push({
        index: 30,
        name: 'ALIAS0',
        type: ['I', 'C64'],
        defaultValue: '0x0',
        reservedMask: '0x0',
      });
      f.pmds.push({ index: 1, name: 'ALIAS1', type: ['I', 'C64'], defaultValue: '0x0', reservedMask: '0x0' });
    });
    expect(m.ovflMask).toBe(0x7fffffffffffn);
    expect(m.counterPmds).toEqual([0, 1, 16, 30]);
    expect(m.maxPmc).toBe(17);
    expect(m.maxPmd).toBe(31);
    expect(build().maxPmd).toBe(21);
  });

  it('fills absent optional fields with their defaults', () => {
    const m = build((f) => {
      f.events[UMASK_EVENT]!.unitMasks![0] = { name: 'I', value: '0x1' };
    });
    expect(m.pmcs[2]?.noEmul64Mask).toBe(0n);
    expect(m.pmcs[0]?.noEmul64Mask).toBe(0x100000n);
    expect(m.pmcs[0]?.controls).toEqual([0]);
    expect(m.events[1]).toMatchObject({ unitMasks: [], flags: [], modelData: {}, umaskCombinable: false });
    expect(m.events[UMASK_EVENT]?.umaskCombinable).toBe(true);
    expect(m.events[UMASK_EVENT]?.unitMasks[0]).toStrictEqual({
      name: 'I',
      value: 1n,
      aliases: [],
      description: '',
      flags: [],
    });
    expect(m.events[1]?.index).toBe(1);
    expect(Object.hasOwn(m.events[1]!, 'fixed')).toBe(false);
    expect(m.events[0]?.fixed).toEqual({ pmd: 16, pmc: 16 });
    expect(Object.hasOwn(m.pmds[0]!, 'width')).toBe(false);
    expect(m.pmds[2]?.width).toBe(40);
  });

  it('copies every register, event and unit-mask field from the file', () => {
    const m = build((f) => {
      Object.assign(f.pmcs[0]!, { reservedMaskV22: '0x0', note: 'pmc note', width: 32 });
      Object.assign(f.pmds[0]!, { reservedMaskV22: '0xff', hwAddr: '0xc1', note: 'pmd note' });
      Object.assign(f.events[0]!, { flags: ['PEBS'], modelData: { maxincr: 4 }, note: 'event note' });
      f.events[UMASK_EVENT]!.unitMasks![1] = {
        name: 'M',
        value: '0x8',
        aliases: ['MODIFIED'],
        libpfmValue: '0x9',
        counters: [1],
        fixed: { pmd: 16, pmc: 16 },
        flags: ['MESI'],
        note: 'umask note',
      };
      f.sources[0]!.note = 'source note';
    });
    expect(m.pmcs[0]).toStrictEqual({
      kind: 'pmc',
      index: 0,
      name: 'PERFEVTSEL0',
      type: ['I', 'NO64'],
      typeBits: 0x101,
      defaultValue: 0x100000n,
      reservedMask: 0xffffffff00300000n,
      reservedMaskV22: 0n,
      hwAddr: 0x186n,
      width: 32,
      note: 'pmc note',
      noEmul64Mask: 0x100000n,
      controls: [0],
    });
    expect(m.pmds[0]).toStrictEqual({
      kind: 'pmd',
      index: 0,
      name: 'PERFCTR0',
      type: ['I', 'C64'],
      typeBits: 0x05,
      defaultValue: 0n,
      reservedMask: 0xffffffff00000000n,
      reservedMaskV22: 0xffn,
      hwAddr: 0xc1n,
      note: 'pmd note',
      isCounter: true,
    });
    expect(m.events[0]).toStrictEqual({
      index: 0,
      name: 'CYCLES',
      code: 0x79n,
      description: 'cycles',
      counters: [0, 1],
      unitMasks: [],
      umaskCombinable: false,
      fixed: { pmd: 16, pmc: 16 },
      flags: ['PEBS'],
      modelData: { maxincr: 4 },
      note: 'event note',
    });
    expect(m.events[UMASK_EVENT]?.unitMasks[1]).toStrictEqual({
      name: 'M',
      value: 8n,
      aliases: ['MODIFIED'],
      libpfmValue: 9n,
      description: '',
      counters: [1],
      fixed: { pmd: 16, pmc: 16 },
      flags: ['MESI'],
      note: 'umask note',
    });
    expect(m.sources).toStrictEqual([
      { what: 'everything', ref: 'the test suite', verified: true, note: 'source note' },
    ]);
    expect(m).toMatchObject({
      id: 'test-pmu',
      name: 'Test PMU',
      description: 'fixture for the validation tests',
      vendor: 'test',
      archs: ['i386'],
      module: 'perfmon_test',
      libpfm: { name: 'Test PMU', type: 0 },
      counterWidth: 31,
      hwCounterWidth: 32,
      encoding: { scheme: 'x86-evtsel', eventBits: 8, umaskBits: 8 },
      cycleEvent: 'CYCLES',
      instRetiredEvent: 'INST_RETIRED',
    });
  });

  it('does not share lists or model data with the file it was built from', () => {
    const f = validFixture();
    f.events[0]!.modelData = { escr: [1, 2] };
    const parsed = PmuModelFileSchema.parse(f);
    const m = normaliseModel(parsed);
    (parsed.events[0]!.modelData!.escr as number[]).push(3);
    parsed.events[0]!.counters.push(7);
    parsed.archs.push('x86_64');
    expect(m.events[0]?.modelData).toEqual({ escr: [1, 2] });
    expect(m.events[0]?.counters).toEqual([0, 1]);
    expect(m.archs).toEqual(['i386']);
  });

  it('looks registers up by index and events by name (libpfm rules) and by code', () => {
    const m = build((f) => {
      f.pmcs.push({ index: 0, name: 'SHADOW', type: ['I'], defaultValue: '0x0', reservedMask: '0x0' });
      f.pmds.push({ index: 0, name: 'SHADOW', type: ['I'], defaultValue: '0x0', reservedMask: '0x0' });
      f.events.push({ name: 'cycles', code: '0x79', counters: [0], description: 'a second CYCLES' });
    });
    expect(m.pmcByIndex(0)?.name).toBe('PERFEVTSEL0');
    expect(m.pmcByIndex(16)?.name).toBe('FIXED_CTRL');
    expect(m.pmcByIndex(2)).toBeUndefined();
    expect(m.pmdByIndex(0)?.name).toBe('PERFCTR0');
    expect(m.pmdByIndex(20)?.name).toBe('STAMP');
    expect(m.pmdByIndex(21)).toBeUndefined();
    // The first event of a name wins; case and anything after ':' are ignored.
    expect(m.eventByName('Cycles')?.description).toBe('cycles');
    expect(m.eventByName('l2_rqsts:M:I')?.name).toBe('L2_RQSTS');
    expect(m.eventByName('L2')).toBeUndefined();
    expect(m.eventByName('')).toBeUndefined();
    expect(m.eventsByCode(0x79n).map((e) => e.description)).toEqual(['cycles', 'a second CYCLES']);
    expect(m.eventsByCode(0xc0n).map((e) => e.name)).toEqual(['INST_RETIRED']);
    expect(m.eventsByCode(0xffn)).toEqual([]);
  });

  it('is deeply immutable, lookups included', () => {
    const m = build((f) => {
      f.events[0]!.modelData = { escr: { select: 4 } };
    });
    for (const frozen of [
      m,
      m.pmcs,
      m.pmcs[0],
      m.pmcs[0]?.controls,
      m.pmds[0]?.type,
      m.events[0]?.modelData,
      m.events[0]?.modelData.escr,
      m.events[0]?.fixed,
      m.events[UMASK_EVENT]?.unitMasks[1],
      m.sources[0],
      m.libpfm,
      m.encoding,
      m.eventsByCode(0x79n),
    ]) {
      expect(Object.isFrozen(frozen)).toBe(true);
    }
    expect(() => {
      (m.eventsByCode(0x79n) as unknown[]).push({});
    }).toThrow(TypeError);
  });
});

describe('effectiveCounters', () => {
  it("overrides the event's generic counters and fixed counter independently", () => {
    const core = getModel('intel-core');
    const clk = core.eventByName('CPU_CLK_UNHALTED')!;
    const mask = (name: string) => clk.unitMasks.find((u) => u.name === name);
    expect(effectiveCounters(clk)).toStrictEqual({ generic: [0, 1] });
    // CORE_P keeps the generic counters and no fixed one (libpfm-3.10's table).
    expect(effectiveCounters(clk, mask('CORE_P'))).toStrictEqual({ generic: [0, 1] });
    // REF: fixed counter 2 only.
    expect(effectiveCounters(clk, mask('REF'))).toStrictEqual({ generic: [], fixed: { pmd: 18, pmc: 16 } });
    const inst = core.eventByName('INSTRUCTIONS_RETIRED')!;
    expect(effectiveCounters(inst)).toStrictEqual({ generic: [0, 1], fixed: { pmd: 16, pmc: 16 } });
  });
});

describe('cpu: the CPUs a model is (libpfm tells PMUs of one type apart by them)', () => {
  it('is copied from the file, written back, and absent when the file has none', () => {
    const m = build((f) => {
      f.cpu = { family: 16, models: [2, 4] };
    });
    expect(m.cpu).toEqual({ family: 16, models: [2, 4] });
    expect(Object.isFrozen(m.cpu?.models)).toBe(true);
    expect(toModelFile(m).cpu).toStrictEqual({ family: 16, models: [2, 4] });
    const family = build((f) => {
      f.cpu = { family: 15 };
    });
    expect(toModelFile(family).cpu).toStrictEqual({ family: 15 });
    expect(build().cpu).toBeUndefined();
    expect('cpu' in toModelFile(build())).toBe(false);
  });

  it('cpusOverlap: absent covers every CPU; else one family and a shared model (absent: all)', () => {
    const f16 = { family: 16 };
    expect(cpusOverlap(undefined, undefined)).toBe(true);
    expect(cpusOverlap(undefined, f16)).toBe(true);
    expect(cpusOverlap(f16, undefined)).toBe(true);
    expect(cpusOverlap(f16, { family: 15 })).toBe(false);
    expect(cpusOverlap(f16, { family: 16, models: [2] })).toBe(true);
    expect(cpusOverlap({ family: 16, models: [2] }, f16)).toBe(true);
    expect(cpusOverlap({ family: 16, models: [2, 4] }, { family: 16, models: [4, 8] })).toBe(true);
    expect(cpusOverlap({ family: 16, models: [2, 4] }, { family: 16, models: [5, 8] })).toBe(false);
    expect(cpusOverlap({ family: 16, models: [2] }, { family: 15, models: [2] })).toBe(false);
  });

  it('cpuMatches: the family, and the model when models are listed', () => {
    expect(cpuMatches(undefined, 6, 9)).toBe(true);
    expect(cpuMatches({ family: 15 }, 15, 0x41)).toBe(true);
    expect(cpuMatches({ family: 15 }, 16, 2)).toBe(false);
    expect(cpuMatches({ family: 16, models: [2, 4] }, 16, 4)).toBe(true);
    expect(cpuMatches({ family: 16, models: [2, 4] }, 16, 8)).toBe(false);
    expect(cpuMatches({ family: 16, models: [2, 4] }, 15, 2)).toBe(false);
  });

  it('describeCpu names the family and the models', () => {
    expect(describeCpu(undefined)).toBe('every CPU');
    expect(describeCpu({ family: 15 })).toBe('family 15');
    expect(describeCpu({ family: 16, models: [2] })).toBe('family 16 model 2');
    expect(describeCpu({ family: 16, models: [2, 4] })).toBe('family 16 models 2, 4');
  });
});

describe('toModelFile', () => {
  it('writes the x86 model files back exactly as committed (canonical hex, no empty lists)', () => {
    for (const id of ['intel-p6', 'intel-core', 'intel-arch-perfmon', 'amd64-k8', 'amd64-fam10h']) {
      const raw: unknown = JSON.parse(readFileSync(modelFile(id), 'utf8'));
      expect(toModelFile(getModel(id)), id).toStrictEqual(raw);
    }
  });

  it('writes the fixture back as given, with another $schema path on request', () => {
    const m = build();
    expect(toModelFile(m)).toStrictEqual(validFixture());
    expect(toModelFile(m, 'pmu-model.schema.json').$schema).toBe('pmu-model.schema.json');
  });

  it('leaves out empty optional fields and keeps the set ones', () => {
    const m = build((f) => {
      f.pmcs[0]!.controls = [];
      f.pmcs[0]!.noEmul64Mask = '0x0';
      f.pmcs[1]!.reservedMaskV22 = '0x0';
      f.pmcs[1]!.width = 40;
      f.pmcs[1]!.note = 'n';
      f.events[1]!.flags = [];
      f.events[1]!.modelData = {};
      f.events[1]!.unitMasks = [];
      f.events[1]!.umaskCombinable = false;
      f.events[2]!.flags = ['PEBS'];
      f.events[2]!.modelData = { maxincr: 2 };
      f.events[2]!.note = 'e';
      f.events[UMASK_EVENT]!.unitMasks = [
        { name: 'I', value: '0x1', description: '', flags: [] },
        { name: 'M', value: '0x8', counters: [1], fixed: { pmd: 16, pmc: 16 }, flags: ['X'], note: 'u' },
      ];
      f.sources[0]!.note = 's';
    });
    const file = toModelFile(m);
    expect(file.pmcs[0]).toStrictEqual({
      index: 0,
      name: 'PERFEVTSEL0',
      type: ['I', 'NO64'],
      defaultValue: '0x100000',
      reservedMask: '0xffffffff00300000',
      hwAddr: '0x186',
    });
    expect(file.pmcs[1]).toMatchObject({ reservedMaskV22: '0x0', width: 40, note: 'n', controls: [1] });
    expect(file.events[1]).toStrictEqual({
      name: 'INST_RETIRED',
      code: '0xc0',
      counters: [0, 1],
      description: 'instructions',
    });
    expect(file.events[2]).toMatchObject({ flags: ['PEBS'], modelData: { maxincr: 2 }, note: 'e' });
    expect(file.events[UMASK_EVENT]?.unitMasks).toStrictEqual([
      { name: 'I', value: '0x1' },
      { name: 'M', value: '0x8', counters: [1], fixed: { pmd: 16, pmc: 16 }, flags: ['X'], note: 'u' },
    ]);
    expect(file.sources).toStrictEqual([
      { what: 'everything', ref: 'the test suite', verified: true, note: 's' },
    ]);
    const again = toModelFile(normaliseModel(PmuModelFileSchema.parse(file)));
    expect(again).toStrictEqual(file);
  });

  it('gives a file that does not share lists or model data with the model', () => {
    const m = build((f) => {
      f.events[0]!.modelData = { escr: [1] };
    });
    const file = toModelFile(m);
    (file.events[0]!.modelData!.escr as number[]).push(2);
    file.pmcs[0]!.type.push('WC');
    file.events[0]!.counters.push(3);
    expect(Object.isFrozen(file.archs)).toBe(false);
    expect(m.events[0]?.modelData).toEqual({ escr: [1] });
  });
});
