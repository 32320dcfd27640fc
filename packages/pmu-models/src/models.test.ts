/**
 * The conformance suite over every model file shipped in models/, plus facts about the
 * x86 models checked against perfmon2-abi.md §10 and libpfm-and-tools.md §1–§2.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatFinding, runConformance } from './conformance.js';
import { encodeX86EvtSel } from './encode.js';
import { effectiveCounters, type PmuModel, toModelFile } from './model.js';
import { getModel, listModelFiles, loadModelFile, PACKAGE_MODELS_DIR } from './registry.js';
import { PmuModelFileSchema } from './schema.js';
import { validateModel } from './validate.js';

const files = listModelFiles(PACKAGE_MODELS_DIR).map((file) => ({
  file,
  name: relative(PACKAGE_MODELS_DIR, file),
}));

/** Models exempt from the 15-event minimum, and why. */
const FEW_EVENTS: Readonly<Record<string, string>> = {
  'intel-arch-perfmon': 'architectural perfmon defines exactly seven events',
};

describe.each(files)('conformance: $name', ({ file }) => {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));

  it('validates and passes every conformance check', () => {
    const model = loadModelFile(file);
    const findings = runConformance(model, { file });
    expect(findings.map(formatFinding)).toEqual([]);
  });

  it('round-trips through the schema unchanged', () => {
    // File level: the schema neither drops nor rewrites anything.
    expect(PmuModelFileSchema.parse(raw)).toEqual(raw);
    // Model level: model -> file -> model is the identity.
    const model = loadModelFile(file);
    const again = validateModel(JSON.parse(JSON.stringify(toModelFile(model))));
    expect(again.ok).toBe(true);
    if (again.ok) expect(toModelFile(again.model)).toEqual(toModelFile(model));
  });

  it('references the exported JSON Schema', () => {
    const ref = (raw as { $schema?: string }).$schema;
    expect(ref).toBe('../../pmu-model.schema.json');
    expect(resolve(dirname(file), ref ?? '')).toBe(
      resolve(PACKAGE_MODELS_DIR, '..', 'pmu-model.schema.json'),
    );
  });

  it('has at least 15 events, or says why not', () => {
    const model = loadModelFile(file);
    if (FEW_EVENTS[model.id] === undefined) expect(model.events.length).toBeGreaterThanOrEqual(15);
    else expect(model.events.length).toBeGreaterThan(0);
  });

  it('lists its sources, and marks unverified ones', () => {
    const model = loadModelFile(file);
    expect(model.sources.length).toBeGreaterThan(0);
    for (const s of model.sources) expect(s.ref.length).toBeGreaterThan(0);
  });
});

describe('intel-p6 (perfmon_p6, libpfm i386_p6)', () => {
  // Loaded in each test (not at collection), so each test covers the model code it uses.
  let m: PmuModel;
  beforeEach(() => {
    m = getModel('intel-p6');
  });

  it('has the perfmon2 register map', () => {
    expect(m.name).toBe('Intel P6 processor Family');
    expect(m.counterWidth).toBe(31);
    expect(m.hwCounterWidth).toBe(32);
    expect(m.ovflMask).toBe(0x7fffffffn);
    expect(m.pmcs.map((r) => [r.name, r.hwAddr, r.typeBits])).toEqual([
      ['PERFEVTSEL0', 0x186n, 0x101],
      ['PERFEVTSEL1', 0x187n, 0x101],
    ]);
    expect(m.pmds.map((r) => [r.name, r.hwAddr, r.isCounter])).toEqual([
      ['PERFCTR0', 0xc1n, true],
      ['PERFCTR1', 0xc2n, true],
    ]);
    expect(m.pmcs[0]).toMatchObject({
      defaultValue: 0x100000n,
      noEmul64Mask: 0x100000n,
      reservedMask: 0xffffffff00300000n,
    });
    expect(m.pmcs[1]?.reservedMask).toBe(0xffffffff00700000n);
  });

  it('restricts FLOPS, FP_COMP_OPS_EXE, CYCLES_DIV_BUSY to counter 0 and FP_ASSIST, MUL, DIV to counter 1', () => {
    const counters = (name: string) => m.eventByName(name)?.counters;
    for (const [name, code] of [
      ['FLOPS', 0xc1n],
      ['FP_COMP_OPS_EXE', 0x10n],
      ['CYCLES_DIV_BUSY', 0x14n],
    ] as const) {
      expect(counters(name)).toEqual([0]);
      expect(m.eventByName(name)?.code).toBe(code);
    }
    for (const [name, code] of [
      ['FP_ASSIST', 0x11n],
      ['MUL', 0x12n],
      ['DIV', 0x13n],
    ] as const) {
      expect(counters(name)).toEqual([1]);
      expect(m.eventByName(name)?.code).toBe(code);
    }
    expect(m.events.filter((e) => e.counters.length === 2)).toHaveLength(m.events.length - 6);
  });

  it('puts CPU_CLK_UNHALTED first and INST_RETIRED second, like libpfm', () => {
    expect(m.events[0]?.name).toBe('CPU_CLK_UNHALTED');
    expect(m.events[1]?.name).toBe('INST_RETIRED');
    expect(m.cycleEvent).toBe('CPU_CLK_UNHALTED');
    expect(m.instRetiredEvent).toBe('INST_RETIRED');
  });

  it('reproduces the worked encodings of libpfm-and-tools.md §2.1', () => {
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { counter: 0 })).toBe(0x510079n);
    expect(encodeX86EvtSel(m, 'INST_RETIRED', { counter: 1 })).toBe(0x1100c0n);
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED', { counter: 0, os: true })).toBe(0x530079n);
    expect(encodeX86EvtSel(m, 'INST_RETIRED', { counter: 1, os: true })).toBe(0x1300c0n);
    expect(encodeX86EvtSel(m, 'L2_RQSTS:M:E', { counter: 0 })).toBe(0x510c2en);
    expect(encodeX86EvtSel(m, 'FP_ASSIST')).toBe(0x110011n);
    expect(() => encodeX86EvtSel(m, 'FLOPS', { counter: 1 })).toThrow(
      /cannot be counted on generic counter 1/,
    );
  });

  it('has combinable MESI unit masks on the L2 events', () => {
    for (const name of ['L2_IFETCH', 'L2_LD', 'L2_ST', 'L2_RQSTS']) {
      const e = m.eventByName(name);
      expect(e?.umaskCombinable).toBe(true);
      expect(e?.unitMasks.map((u) => [u.name, u.value])).toEqual([
        ['I', 1n],
        ['S', 2n],
        ['E', 4n],
        ['M', 8n],
      ]);
    }
  });
});

describe('intel-core (perfmon_intel_core, libpfm core)', () => {
  // Loaded in each test (not at collection), so each test covers the model code it uses.
  let m: PmuModel;
  beforeEach(() => {
    m = getModel('intel-core');
  });

  it('has two generic and three fixed counters, FIXED_CTRL and PEBS_ENABLE', () => {
    expect(m.pmcs.map((r) => r.index)).toEqual([0, 1, 16, 17]);
    expect(m.pmds.map((r) => r.index)).toEqual([0, 1, 16, 17, 18]);
    expect(m.pmcByIndex(16)).toMatchObject({
      name: 'FIXED_CTRL',
      defaultValue: 0x888n,
      reservedMask: 0xfffffffffffffcccn,
      hwAddr: 0x38dn,
      controls: [16, 17, 18],
    });
    expect(m.pmcByIndex(17)).toMatchObject({
      name: 'PEBS_ENABLE',
      reservedMask: 0xfffffffffffffffen,
      type: ['I', 'WC'],
    });
    expect(m.pmdByIndex(16)?.hwAddr).toBe(0x309n);
    expect(m.counterWidth).toBe(31);
  });

  it('maps the architected events to fixed counters as libpfm does', () => {
    const e = (name: string) => m.eventByName(name);
    expect(m.events.slice(0, 7).map((x) => x.name)).toEqual([
      'UNHALTED_CORE_CYCLES',
      'INSTRUCTIONS_RETIRED',
      'UNHALTED_REFERENCE_CYCLES',
      'LAST_LEVEL_CACHE_REFERENCES',
      'LAST_LEVEL_CACHE_MISSES',
      'BRANCH_INSTRUCTIONS_RETIRED',
      'MISPREDICTED_BRANCH_RETIRED',
    ]);
    expect(e('UNHALTED_CORE_CYCLES')).toMatchObject({
      code: 0x3cn,
      counters: [0, 1],
      fixed: { pmd: 17, pmc: 16 },
    });
    expect(e('INSTRUCTIONS_RETIRED')).toMatchObject({
      code: 0xc0n,
      counters: [0, 1],
      fixed: { pmd: 16, pmc: 16 },
    });
    expect(e('UNHALTED_REFERENCE_CYCLES')).toMatchObject({
      code: 0x13cn,
      counters: [],
      fixed: { pmd: 18, pmc: 16 },
    });
    expect(e('LAST_LEVEL_CACHE_MISSES')?.code).toBe(0x412en);
    const clk = e('CPU_CLK_UNHALTED');
    expect(clk?.umaskCombinable).toBe(false);
    const ref = clk?.unitMasks.find((u) => u.name === 'REF');
    expect(clk && effectiveCounters(clk, ref)).toEqual({ generic: [], fixed: { pmd: 18, pmc: 16 } });
  });

  it('restricts the PMC0-only and PMC1-only events', () => {
    for (const name of [
      'RS_UOPS_DISPATCHED_CYCLES',
      'FP_COMP_OPS_EXE',
      'CYCLES_DIV_BUSY',
      'IDLE_DURING_DIV',
      'MEM_LOAD_RETIRED',
    ]) {
      expect(m.eventByName(name)?.counters, name).toEqual([0]);
    }
    for (const name of ['FP_ASSIST', 'MUL', 'DIV', 'DELAYED_BYPASS']) {
      expect(m.eventByName(name)?.counters, name).toEqual([1]);
    }
  });

  it('encodes a code with a built-in unit mask', () => {
    expect(encodeX86EvtSel(m, 'LAST_LEVEL_CACHE_MISSES')).toBe(0x51412en);
    expect(encodeX86EvtSel(m, 'THERMAL_TRIP', { counter: 1 })).toBe(0x51c03bn);
    expect(() => encodeX86EvtSel(m, 'UNHALTED_REFERENCE_CYCLES')).toThrow(/cannot be counted/);
  });
});

describe('intel-arch-perfmon (perfmon_intel_arch, libpfm gen_ia32)', () => {
  // Loaded in each test (not at collection), so each test covers the model code it uses.
  let m: PmuModel;
  beforeEach(() => {
    m = getModel('intel-arch-perfmon');
  });

  it('has exactly the seven architectural events, all on both generic counters', () => {
    expect(m.events.map((e) => [e.name, e.code])).toEqual([
      ['UNHALTED_CORE_CYCLES', 0x3cn],
      ['INSTRUCTIONS_RETIRED', 0xc0n],
      ['UNHALTED_REFERENCE_CYCLES', 0x13cn],
      ['LAST_LEVEL_CACHE_REFERENCES', 0x4f2en],
      ['LAST_LEVEL_CACHE_MISSES', 0x412en],
      ['BRANCH_INSTRUCTIONS_RETIRED', 0xc4n],
      ['MISPREDICTED_BRANCH_RETIRED', 0xc5n],
    ]);
    for (const e of m.events) expect(e.counters).toEqual([0, 1]);
    expect(m.events.map((e) => e.fixed?.pmd)).toEqual([
      17,
      16,
      18,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('is architectural perfmon v2 with 2 generic and 3 fixed 40-bit counters', () => {
    expect(m.name).toBe('Intel architectural');
    expect(m.counterPmds).toEqual([0, 1, 16, 17, 18]);
    for (const r of m.pmds) expect(r.reservedMask).toBe(0xffffff0000000000n);
    expect(m.pmcByIndex(16)).toMatchObject({ defaultValue: 0x888n, reservedMask: 0xfffffffffffffcccn });
  });
});

describe('amd64-k8 (perfmon_amd64, libpfm amd64 K8)', () => {
  // Loaded in each test (not at collection), so each test covers the model code it uses.
  let m: PmuModel;
  beforeEach(() => {
    m = getModel('amd64-k8');
  });

  it('has four PERFSEL at 0xc0010000+i and four 48-bit PERFCTR at 0xc0010004+i', () => {
    expect(m.name).toBe('AMD64');
    expect(m.counterWidth).toBe(47);
    expect(m.hwCounterWidth).toBe(48);
    expect(m.pmcs.map((r) => [r.name, r.hwAddr])).toEqual(
      [0, 1, 2, 3].map((i) => [`PERFSEL${i}`, 0xc0010000n + BigInt(i)]),
    );
    expect(m.pmds.map((r) => [r.name, r.hwAddr, r.reservedMask])).toEqual(
      [0, 1, 2, 3].map((i) => [`PERFCTR${i}`, 0xc0010004n + BigInt(i), 0xffff000000000000n]),
    );
    for (const r of m.pmcs)
      expect(r).toMatchObject({ defaultValue: 0x100000n, reservedMask: 0xffffffff00300000n });
  });

  it('lets every event use every counter', () => {
    for (const e of m.events) expect(e.counters).toEqual([0, 1, 2, 3]);
  });

  it('reproduces the worked encodings of libpfm-and-tools.md §2.3', () => {
    expect(encodeX86EvtSel(m, 'RETIRED_INSTRUCTIONS')).toBe(0x5100c0n);
    expect(encodeX86EvtSel(m, 'CPU_CLK_UNHALTED')).toBe(0x510076n);
    expect(encodeX86EvtSel(m, 'DATA_CACHE_REFILLS:ALL')).toBe(0x511f42n);
    expect(encodeX86EvtSel(m, 'RETIRED_INSTRUCTIONS', { counter: 3 })).toBe(0x5100c0n);
  });

  it('flags the Northbridge events the kernel restricts (code >= 0xee)', () => {
    for (const e of m.events) expect(e.flags.includes('NORTHBRIDGE')).toBe(e.code >= 0xeen);
  });
});

describe('amd64-fam10h (perfmon_amd64 on family 16, libpfm amd64 Family 10h)', () => {
  let m: PmuModel;
  let k8: PmuModel;
  beforeEach(() => {
    m = getModel('amd64-fam10h');
    k8 = getModel('amd64-k8');
  });

  it('shares libpfm type 16 with K8 and tells itself apart by CPU family 16', () => {
    expect([m.libpfm, m.cpu]).toEqual([{ name: 'AMD64', type: 16 }, { family: 16 }]);
    expect([k8.libpfm, k8.cpu]).toEqual([{ name: 'AMD64', type: 16 }, { family: 15 }]);
  });

  it('has K8’s registers with the family 16 reserved mask (PFM_16_RSVD): bits 32–35 and 40–41 writable', () => {
    expect(m.pmcs.map((r) => [r.name, r.hwAddr, r.defaultValue, r.reservedMask])).toEqual(
      [0, 1, 2, 3].map((i) => [`PERFSEL${i}`, 0xc0010000n + BigInt(i), 0x100000n, 0xfffffcf000300000n]),
    );
    expect(m.pmds.map((r) => [r.name, r.width])).toEqual(k8.pmds.map((r) => [r.name, r.width]));
    expect([m.counterWidth, m.hwCounterWidth]).toEqual([47, 48]);
  });

  it('declares the 12-bit event select and encodes bits 11:8 into PERFSEL bits 35:32', () => {
    expect(m.encoding.options).toEqual({ northbridgeFrom: '0xee', extendedEventSelect: true });
    expect(m.eventByName('L3_CACHE_MISSES')?.code).toBe(0x4e1n);
    expect(encodeX86EvtSel(m, 'L3_CACHE_MISSES:ANY_READ:ALL_CORES')).toBe(0x4_0051_f7e1n);
    expect(encodeX86EvtSel(m, 'RETIRED_X87_OPS:ALL', { counter: 2 })).toBe(0x1_0051_07c0n);
    expect(encodeX86EvtSel(m, 'RETIRED_INSTRUCTIONS')).toBe(0x5100c0n);
    expect(m.events.filter((e) => e.code > 0xffn).length).toBeGreaterThanOrEqual(20);
  });

  it('has the core events at K8’s codes, and libpfm’s cycle and instruction events', () => {
    for (const name of ['CPU_CLK_UNHALTED', 'RETIRED_INSTRUCTIONS', 'DATA_CACHE_MISSES', 'DISPATCHED_FPU']) {
      expect(m.eventByName(name)?.code, name).toBe(k8.eventByName(name)?.code);
    }
    expect([m.cycleEvent, m.instRetiredEvent]).toEqual(['CPU_CLK_UNHALTED', 'RETIRED_INSTRUCTIONS']);
    expect(m.events).toHaveLength(123);
    expect(m.events.reduce((n, e) => n + e.unitMasks.length, 0)).toBe(378);
  });

  it('gates the Rev C events and masks by revision, and flags Northbridge events from 0xee', () => {
    expect(m.eventByName('LFENCE_INST_RETIRED')?.flags).toEqual(['FAM10H_REV_C']);
    const tlb = m.eventByName('L1_DTLB_MISS_AND_L2_DTLB_HIT')!;
    expect(tlb.unitMasks.map((u) => [u.name, u.value, u.flags])).toContainEqual([
      'ALL',
      3n,
      ['TILL_FAM10H_REV_B'],
    ]);
    for (const e of m.events) {
      expect(e.flags.includes('NORTHBRIDGE'), e.name).toBe(e.code >= 0xeen && e.code <= 0xffn);
    }
  });
});
