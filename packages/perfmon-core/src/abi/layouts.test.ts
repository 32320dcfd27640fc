import { describe, expect, it } from 'vitest';
import {
  AbiLayoutError,
  defineStruct,
  layoutField,
  reservedLayoutField,
  type StructLayout,
} from './layouts.js';
import { ABI_PROFILE_IDS, getAbiProfile, type V2StructName } from './profiles.js';

/**
 * Expected layouts, written as data straight from perfmon2-abi.md §5 (Field, Type, Off, Size).
 * Array fields give the total size. The compact tables are this package's own (README).
 */
type Row = readonly [name: string, type: string, offset: number, size: number];

const PMC_2006: Row[] = [
  ['reg_num', 'u16', 0, 2],
  ['reg_set', 'u16', 2, 2],
  ['reg_flags', 'u32', 4, 4],
  ['reg_value', 'u64', 8, 8],
  ['reg_reserved2', 'u64', 16, 32],
];

const PMD_2006: Row[] = [
  ['reg_num', 'u16', 0, 2],
  ['reg_set', 'u16', 2, 2],
  ['reg_flags', 'u32', 4, 4],
  ['reg_value', 'u64', 8, 8],
  ['reg_long_reset', 'u64', 16, 8],
  ['reg_short_reset', 'u64', 24, 8],
  ['reg_last_reset_val', 'u64', 32, 8],
  ['reg_ovfl_switch_cnt', 'u64', 40, 8],
  ['reg_reset_pmds', 'u64', 48, 40],
  ['reg_smpl_pmds', 'u64', 88, 40],
  ['reg_smpl_eventid', 'u64', 128, 8],
  ['reg_random_mask', 'u64', 136, 8],
  ['reg_random_seed', 'u32', 144, 4],
  ['reg_reserved2', 'u32', 148, 28],
];

const CTX_V22: Row[] = [
  ['ctx_smpl_buf_id', 'u8', 0, 16],
  ['ctx_flags', 'u32', 16, 4],
  ['ctx_fd', 's32', 20, 4],
  ['ctx_smpl_buf_size', 'u64', 24, 8],
  ['ctx_reserved3', 'u64', 32, 96],
];

const CTX_V23: Row[] = [
  ['ctx_flags', 'u32', 0, 4],
  ['ctx_reserved1', 'u32', 4, 4],
  ['ctx_reserved2', 'u64', 8, 56],
];

const LOAD_2006: Row[] = [
  ['load_pid', 'u32', 0, 4],
  ['load_set', 'u16', 4, 2],
  ['load_reserved1', 'u16', 6, 2],
  ['load_reserved2', 'u64', 8, 24],
];

const START_2006: Row[] = [
  ['start_set', 'u16', 0, 2],
  ['start_reserved1', 'u16', 2, 2],
  ['start_reserved2', 'u32', 4, 4],
  ['reserved3', 'u64', 8, 24],
];

const SETDESC_V22: Row[] = [
  ['set_id', 'u16', 0, 2],
  ['set_id_next', 'u16', 2, 2],
  ['set_flags', 'u32', 4, 4],
  ['set_timeout', 'u32', 8, 4],
  ['set_reserved1', 'u32', 12, 4],
  ['set_mmap_offset', 'u64', 16, 8],
  ['reserved', 'u64', 24, 40],
];

const SETDESC_V23: Row[] = [
  ['set_id', 'u16', 0, 2],
  ['set_id_next', 'u16', 2, 2],
  ['set_flags', 'u32', 4, 4],
  ['set_timeout', 'u64', 8, 8],
  ['set_mmap_offset', 'u64', 16, 8],
  ['reserved', 'u64', 24, 40],
];

const SETINFO_HEAD: Row[] = [
  ['set_id', 'u16', 0, 2],
  ['set_id_next', 'u16', 2, 2],
  ['set_flags', 'u32', 4, 4],
  ['set_ovfl_pmds', 'u64', 8, 40],
  ['set_runs', 'u64', 48, 8],
];
const SETINFO_TAIL: Row[] = [
  ['set_act_duration', 'u64', 64, 8],
  ['set_mmap_offset', 'u64', 72, 8],
  ['set_avail_pmcs', 'u64', 80, 40],
  ['set_avail_pmds', 'u64', 120, 40],
];
const SETINFO_V22: Row[] = [
  ...SETINFO_HEAD,
  ['set_timeout', 'u32', 56, 4],
  ['set_reserved1', 'u32', 60, 4],
  ...SETINFO_TAIL,
  ['reserved', 'u64', 160, 32],
];
const SETINFO_V23: Row[] = [
  ...SETINFO_HEAD,
  ['set_timeout', 'u64', 56, 8],
  ...SETINFO_TAIL,
  ['reserved', 'u64', 160, 32],
];

const MSG_2006: Row[] = [
  ['msg_type', 'u32', 0, 4],
  ['msg_ovfl_pid', 'u32', 4, 4],
  ['msg_ovfl_pmds', 'u64', 8, 32],
  ['msg_active_set', 'u16', 40, 2],
  ['msg_ovfl_cpu', 'u16', 42, 2],
  ['msg_ovfl_tid', 'u32', 44, 4],
  ['msg_ovfl_ip', 'u64', 48, 8],
];

const PMR_V3: Row[] = [
  ['reg_num', 'u16', 0, 2],
  ['reg_res1', 'u16', 2, 2],
  ['reg_flags', 'u32', 4, 4],
  ['reg_value', 'u64', 8, 8],
];

// v2-compact: v2.3 with the reserved fields removed, padding kept to a multiple of 8.
const COMPACT: Record<V2StructName, Row[]> = {
  pmc: PMC_2006.slice(0, 4),
  pmd: PMD_2006.slice(0, 12),
  ctx: CTX_V23.slice(0, 2),
  load: LOAD_2006.slice(0, 3),
  start: START_2006.slice(0, 3),
  setdesc: SETDESC_V23.slice(0, 5),
  setinfo: SETINFO_V23.slice(0, 10),
  msg: MSG_2006,
};

const EXPECTED: Record<
  'v2.2' | 'v2.3' | 'v2-compact',
  Record<V2StructName, { size: number; rows: Row[] }>
> = {
  'v2.2': {
    pmc: { size: 48, rows: PMC_2006 },
    pmd: { size: 176, rows: PMD_2006 },
    ctx: { size: 128, rows: CTX_V22 },
    load: { size: 32, rows: LOAD_2006 },
    start: { size: 32, rows: START_2006 },
    setdesc: { size: 64, rows: SETDESC_V22 },
    setinfo: { size: 192, rows: SETINFO_V22 },
    msg: { size: 56, rows: MSG_2006 },
  },
  'v2.3': {
    pmc: { size: 48, rows: PMC_2006 },
    pmd: { size: 176, rows: PMD_2006 },
    ctx: { size: 64, rows: CTX_V23 },
    load: { size: 32, rows: LOAD_2006 },
    start: { size: 32, rows: START_2006 },
    setdesc: { size: 64, rows: SETDESC_V23 },
    setinfo: { size: 192, rows: SETINFO_V23 },
    msg: { size: 56, rows: MSG_2006 },
  },
  'v2-compact': {
    pmc: { size: 16, rows: COMPACT.pmc },
    pmd: { size: 144, rows: COMPACT.pmd },
    ctx: { size: 8, rows: COMPACT.ctx },
    load: { size: 8, rows: COMPACT.load },
    start: { size: 8, rows: COMPACT.start },
    setdesc: { size: 24, rows: COMPACT.setdesc },
    setinfo: { size: 160, rows: COMPACT.setinfo },
    msg: { size: 56, rows: COMPACT.msg },
  },
};

const rowsOf = (layout: StructLayout): Row[] => layout.fields.map((f) => [f.name, f.type, f.offset, f.size]);

describe('struct layouts match perfmon2-abi.md §5', () => {
  for (const [id, structs] of Object.entries(EXPECTED)) {
    describe(id, () => {
      const profile = getAbiProfile(id as keyof typeof EXPECTED);
      for (const [kind, { size, rows }] of Object.entries(structs) as [
        V2StructName,
        { size: number; rows: Row[] },
      ][]) {
        it(`${kind}: size ${size} and every field offset`, () => {
          expect(profile.layouts[kind].size).toBe(size);
          expect(profile.sizes[kind]).toBe(size);
          expect(rowsOf(profile.layouts[kind])).toEqual(rows);
        });
      }
    });
  }

  it('v3: pfarg_pmr is 16 B; pfarg_sinfo is 112 B', () => {
    const v3 = getAbiProfile('v3');
    expect(v3.sizes).toEqual({ pmr: 16, sinfo: 112 });
    expect(rowsOf(v3.layouts.pmr)).toEqual(PMR_V3);
  });

  it('pfarg_pmd is 96 + 16·PFM_PMD_BV bytes', () => {
    expect(getAbiProfile('v2.3').sizes.pmd).toBe(96 + 16 * 5);
  });

  it('every layout of every profile is 8-byte aligned in size and its fields naturally aligned', () => {
    for (const id of ABI_PROFILE_IDS) {
      for (const layout of Object.values(getAbiProfile(id).layouts) as StructLayout[]) {
        expect(layout.size % 8).toBe(0);
        for (const f of layout.fields) expect(f.offset % (f.size / f.count)).toBe(0);
      }
    }
  });

  it('marks reserved fields, and only those, as reserved', () => {
    for (const id of ABI_PROFILE_IDS) {
      for (const layout of Object.values(getAbiProfile(id).layouts) as StructLayout[]) {
        for (const f of layout.fields)
          expect(f.reserved, `${layout.cName}.${f.name}`).toBe(/reserved|_res\d/.test(f.name));
      }
    }
  });

  it('represents the v2.2 u32 set_timeout as a bigint so the decoded shape is the same', () => {
    const v22 = getAbiProfile('v2.2');
    expect(v22.layouts.setdesc.field.set_timeout?.repr).toBe('bigint');
    expect(v22.layouts.setinfo.field.set_timeout?.repr).toBe('bigint');
    expect(v22.layouts.ctx.field.ctx_smpl_buf_id?.repr).toBe('bytes');
  });
});

describe('defineStruct validation', () => {
  it('accepts a consistent table', () => {
    const l = defineStruct('x', 't', 8, [layoutField('a', 'u32', 0), reservedLayoutField('b', 'u32', 4)]);
    expect(l.field.a?.offset).toBe(0);
    expect(l.field.b?.reserved).toBe(true);
    expect(Object.isFrozen(l)).toBe(true);
  });
  it.each([
    ['a hole', 8, [layoutField('a', 'u16', 0), layoutField('b', 'u32', 4)], /hole of 2 bytes/],
    [
      'an overlap',
      8,
      [layoutField('a', 'u32', 0), layoutField('b', 'u16', 2), layoutField('c', 'u32', 4)],
      /overlaps/,
    ],
    ['misalignment', 8, [layoutField('a', 'u16', 0), layoutField('b', 'u64', 2)], /not 8-aligned/],
    ['a wrong size', 16, [layoutField('a', 'u64', 0)], /fields end at 8, size is 16/],
    ['a size not a multiple of 8', 4, [layoutField('a', 'u32', 0)], /not a multiple of 8/],
    ['a duplicate', 8, [layoutField('a', 'u32', 0), layoutField('a', 'u32', 4)], /duplicate/],
    ['a u64 number', 8, [layoutField('a', 'u64', 0, 1, 'number')], /cannot be a number/],
  ] as const)('rejects %s', (_what, size, specs, message) => {
    expect(() => defineStruct('x', 't', size, specs)).toThrow(AbiLayoutError);
    expect(() => defineStruct('x', 't', size, specs)).toThrow(message);
  });
});
