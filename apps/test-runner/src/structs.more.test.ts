import { getAbiProfile, type V2AbiProfile } from '@pfmsim/perfmon-core';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.js';
import { runScenario } from './run.js';
import { encodeStruct, fieldAt, fieldText, matchStruct } from './structs.js';
import { toBigInt } from './values.js';

/**
 * pfarg structs by their C field names (perfmon2-abi.md §5): little-endian stores of each
 * field type at its offset, two's complement ranges, vector fields, partial matching of what
 * the kernel copied back, and the field names the difference reports give.
 */

const V23 = getAbiProfile('v2.3') as V2AbiProfile;
const V22 = getAbiProfile('v2.2') as V2AbiProfile;
const resolve = (v: unknown) => toBigInt(v);

function encode(
  profile: V2AbiProfile,
  kind: 'pmc' | 'pmd' | 'ctx' | 'load' | 'msg',
  value: Record<string, unknown>,
  size = 512,
  off = 0,
) {
  const view = new DataView(new ArrayBuffer(size));
  new Uint8Array(view.buffer).fill(0xee);
  encodeStruct(profile, kind, view, off, value, resolve, 'b');
  return view;
}

const error = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('encodeStruct', () => {
  it('zeroes exactly the struct, then stores each field little-endian at its offset', () => {
    const v = encode(
      V23,
      'pmc',
      { reg_num: 0x102, reg_set: 3, reg_flags: 0x04030201, reg_value: '0x0807060504030201' },
      64,
      8,
    );
    const bytes = [...new Uint8Array(v.buffer)];
    expect(bytes.slice(0, 8)).toEqual(Array(8).fill(0xee));
    expect(bytes.slice(8, 24)).toEqual([2, 1, 3, 0, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(bytes.slice(24, 56)).toEqual(Array(32).fill(0)); // reg_reserved2
    expect(bytes.slice(56, 64)).toEqual(Array(8).fill(0xee));
  });

  it('u8 vectors, s32 and u64 fields', () => {
    const v = encode(
      V22,
      'ctx',
      { ctx_smpl_buf_id: [1, 2, 255], ctx_flags: 1, ctx_fd: -2, ctx_smpl_buf_size: -1 },
      128,
    );
    const bytes = [...new Uint8Array(v.buffer)];
    expect(bytes.slice(0, 16)).toEqual([1, 2, 255, ...Array(13).fill(0)]);
    expect(v.getUint32(16, true)).toBe(1);
    expect(v.getInt32(20, true)).toBe(-2);
    expect(v.getBigUint64(24, true)).toBe(0xffffffffffffffffn);
  });

  it('a field store touches only its own bytes, whatever was written before', () => {
    const ctx = encode(
      V22,
      'ctx',
      { ctx_flags: 0x04030201, ctx_smpl_buf_id: [...Array(15).fill(0), 9] },
      128,
    );
    expect([ctx.getUint8(15), ctx.getUint32(16, true)]).toEqual([9, 0x04030201]);
    const pmd = encode(V23, 'pmd', { reg_set: 3, reg_flags: 0x10, reg_num: 1 }, 176);
    expect([pmd.getUint16(0, true), pmd.getUint16(2, true), pmd.getUint32(4, true)]).toEqual([1, 3, 0x10]);
    const pmd2 = encode(V23, 'pmd', { reg_value: 0x55, reg_flags: 0x10 }, 176);
    expect([pmd2.getUint32(4, true), pmd2.getBigUint64(8, true)]).toEqual([0x10, 0x55n]);
  });

  it('a vector field takes a list (up to its length) or one value for element 0', () => {
    const v = encode(V23, 'pmd', { reg_reset_pmds: [1, 2, 3, 4, 5], reg_smpl_pmds: 7 }, 176);
    expect([0, 1, 2, 3, 4].map((j) => v.getBigUint64(48 + 8 * j, true))).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect([0, 1, 2, 3, 4].map((j) => v.getBigUint64(88 + 8 * j, true))).toEqual([7n, 0n, 0n, 0n, 0n]);
    expect(error(() => encode(V23, 'pmd', { reg_reset_pmds: [1, 2, 3, 4, 5, 6] }))).toBe(
      'b.reg_reset_pmds: at most 5 elements',
    );
    expect(error(() => encode(V23, 'pmd', { reg_num: [1] }))).toBe(
      'b.reg_num: expected one value, got a list',
    );
  });

  it('each type takes its signed and unsigned range, and no more', () => {
    const fits = (field: string, v: string) =>
      error(() => encode(V22, field.startsWith('ctx') ? 'ctx' : 'pmd', { [field]: v }));
    // u8 (ctx_smpl_buf_id elements), u16, u32, s32, u64
    const ranges: [string, string, bigint][] = [
      ['ctx_smpl_buf_id', 'u8', 8n],
      ['reg_num', 'u16', 16n],
      ['reg_flags', 'u32', 32n],
      ['ctx_fd', 's32', 32n],
      ['reg_value', 'u64', 64n],
    ];
    for (const [field, type, bits] of ranges) {
      const label = field === 'ctx_smpl_buf_id' ? `b.${field}[0]` : `b.${field}`;
      expect(fits(field, String((1n << bits) - 1n)), field).toBe('no error');
      expect(fits(field, String(-(1n << (bits - 1n)))), field).toBe('no error');
      expect(fits(field, String(1n << bits)), field).toBe(
        `${label}: ${1n << bits} does not fit in a ${type}`,
      );
      expect(fits(field, String(-(1n << (bits - 1n)) - 1n)), field).toBe(
        `${label}: ${-(1n << (bits - 1n)) - 1n} does not fit in a ${type}`,
      );
    }
    const v = encode(V23, 'pmd', { reg_num: -1, reg_flags: -2, reg_value: '-3' }, 176);
    expect([v.getUint16(0, true), v.getUint32(4, true), v.getBigUint64(8, true)]).toEqual([
      0xffff,
      0xfffffffe,
      0xfffffffffffffffdn,
    ]);
  });

  it('an unknown or reserved field names the struct and its fields', () => {
    const fields =
      'reg_num, reg_set, reg_flags, reg_value, reg_long_reset, reg_short_reset, reg_last_reset_val, reg_ovfl_switch_cnt, reg_reset_pmds, reg_smpl_pmds, reg_smpl_eventid, reg_random_mask, reg_random_seed';
    expect(error(() => encode(V23, 'pmd', { reg_nun: 1 }))).toBe(
      `pfarg_pmd (v2) has no field "reg_nun"; fields: ${fields}`,
    );
    expect(error(() => encode(V23, 'pmd', { reg_reserved2: 1 }))).toBe(
      `pfarg_pmd (v2) has no field "reg_reserved2"; fields: ${fields}`,
    );
    expect(error(() => encode(V23, 'ctx', { ctx_fd: 1 }))).toBe(
      'pfarg_ctx (v2.3) has no field "ctx_fd"; fields: ctx_flags',
    );
  });

  it('in a scenario, the error is located at the struct', () => {
    const r = runScenario(
      parseScenario(
        'name: t\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\nsteps:\n  - {call: pfm_write_pmds, fd: 0, arg: {pmd: [{reg_num: 0x10000}]}}\n',
        'x.yaml',
      ),
    );
    expect(r.tests.flatMap((t) => t.failures)).toEqual([
      'x.yaml:5:47: steps[0].arg.pmd[0]: pfarg_pmd.reg_num: 65536 does not fit in a u16',
    ]);
  });
});

describe('matchStruct', () => {
  const m = (
    profile: V2AbiProfile,
    kind: 'pmd' | 'ctx' | 'msg',
    stored: Record<string, unknown>,
    want: Record<string, unknown>,
  ) => matchStruct(profile, kind, encode(profile, kind, stored, 256, 0), 0, want, resolve);

  it('compares only the fields given; null when they all match', () => {
    expect(m(V23, 'pmd', { reg_num: 3, reg_value: 5 }, {})).toBeNull();
    expect(m(V23, 'pmd', { reg_num: 3, reg_value: 5 }, { reg_value: 5 })).toBeNull();
    expect(
      m(V23, 'pmd', { reg_num: 3, reg_value: 5 }, { reg_num: 3, reg_value: 5, reg_flags: 0 }),
    ).toBeNull();
    // each type read back little-endian
    const ctx = { ctx_smpl_buf_id: [1, 2], ctx_flags: 0x10, ctx_fd: 0x20, ctx_smpl_buf_size: 0x30 };
    expect(m(V22, 'ctx', ctx, ctx)).toBeNull();
    expect(m(V23, 'pmd', { reg_num: 0x102, reg_set: 0x304 }, { reg_num: 0x102, reg_set: 0x304 })).toBeNull();
  });

  it('names the first field that differs, with both values', () => {
    expect(m(V23, 'pmd', { reg_num: 3, reg_value: 5 }, { reg_num: 3, reg_value: 6, reg_flags: 1 })).toBe(
      'reg_value: expected 6, got 5',
    );
    expect(m(V23, 'pmd', { reg_num: 3 }, { reg_flags: 1, reg_num: 4 })).toBe('reg_flags: expected 1, got 0');
  });

  it('numbers from -9 to 9 in decimal, others in hex; negatives as signed and raw', () => {
    expect(m(V23, 'pmd', { reg_value: 10 }, { reg_value: 9 })).toBe('reg_value: expected 9, got 0xa');
    expect(m(V23, 'pmd', { reg_value: 0 }, { reg_value: -9 })).toBe(
      'reg_value: expected -9 (0xfffffffffffffff7), got 0',
    );
    expect(m(V23, 'pmd', { reg_value: 0 }, { reg_value: -10 })).toBe(
      'reg_value: expected -10 (0xfffffffffffffff6), got 0',
    );
    expect(m(V23, 'pmd', { reg_num: -1 }, { reg_num: 0 })).toBe('reg_num: expected 0, got -1 (0xffff)');
    // far below zero: hex only
    expect(m(V23, 'pmd', { reg_value: '0x8000000000000000' }, { reg_value: 0 })).toBe(
      'reg_value: expected 0, got 0x8000000000000000',
    );
    expect(m(V23, 'pmd', { reg_value: String(-(1n << 40n) + 1n) }, { reg_value: 0 })).toBe(
      'reg_value: expected 0, got -1099511627775 (0xffffff0000000001)',
    );
    expect(m(V23, 'pmd', { reg_value: String(-(1n << 40n)) }, { reg_value: 0 })).toBe(
      'reg_value: expected 0, got 0xffffff0000000000',
    );
  });

  it('compares modulo the field width; s32 fields as signed', () => {
    expect(m(V23, 'pmd', { reg_num: 0xffff }, { reg_num: -1 })).toBeNull();
    expect(m(V23, 'pmd', { reg_flags: 0xffffffff }, { reg_flags: -1 })).toBeNull();
    expect(m(V22, 'ctx', { ctx_fd: -1 }, { ctx_fd: '0xffffffff' })).toBeNull();
    expect(m(V22, 'ctx', { ctx_fd: -1 }, { ctx_fd: -1 })).toBeNull();
    expect(m(V22, 'ctx', { ctx_fd: 3 }, { ctx_fd: -100 })).toBe('ctx_fd: expected -100 (0xffffff9c), got 3');
    expect(m(V22, 'ctx', { ctx_fd: -100 }, { ctx_fd: 3 })).toBe('ctx_fd: expected 3, got -100 (0xffffff9c)');
    expect(m(V22, 'ctx', { ctx_fd: -9 }, { ctx_fd: -10 })).toBe('ctx_fd: expected -10 (0xfffffff6), got -9');
  });

  it('a vector field: element by element, or element 0 for one value', () => {
    const stored = { reg_reset_pmds: [1, 2, 3, 4, 5] };
    expect(m(V23, 'pmd', stored, { reg_reset_pmds: [1, 2, 3, 4, 5] })).toBeNull();
    expect(m(V23, 'pmd', stored, { reg_reset_pmds: 1 })).toBeNull();
    expect(m(V23, 'pmd', stored, { reg_reset_pmds: [1, 2] })).toBeNull();
    expect(m(V23, 'pmd', stored, { reg_reset_pmds: [1, 2, 3, 4, 6] })).toBe(
      'reg_reset_pmds[4]: expected 6, got 5',
    );
    expect(m(V23, 'pmd', stored, { reg_reset_pmds: 2 })).toBe('reg_reset_pmds[0]: expected 2, got 1');
    // elements past the field's length are not compared
    expect(m(V23, 'pmd', stored, { reg_reset_pmds: [1, 2, 3, 4, 5, 99] })).toBeNull();
    expect(m(V22, 'ctx', { ctx_smpl_buf_id: [0, 7] }, { ctx_smpl_buf_id: [0, 8] })).toBe(
      'ctx_smpl_buf_id[1]: expected 8, got 7',
    );
  });

  it('a one-value field is not compared with a list', () => {
    expect(error(() => m(V23, 'pmd', { reg_num: 3 }, { reg_num: [3] }))).toBe(
      'expected an integer, got object',
    );
  });

  it('reads at the offset given, and refuses unknown or reserved fields', () => {
    const view = new DataView(new ArrayBuffer(352));
    encodeStruct(V23, 'pmd', view, 176, { reg_value: 4 }, resolve, 'b');
    expect(matchStruct(V23, 'pmd', view, 176, { reg_value: 4 }, resolve)).toBeNull();
    expect(matchStruct(V23, 'pmd', view, 0, { reg_value: 4 }, resolve)).toBe('reg_value: expected 4, got 0');
    expect(error(() => matchStruct(V23, 'pmd', view, 0, { reg_valu: 4 }, resolve))).toMatch(
      /^pfarg_pmd \(v2\) has no field "reg_valu"; fields: reg_num, /,
    );
    expect(error(() => matchStruct(V23, 'msg', view, 0, { msg_reserved: 0 }, resolve))).toMatch(
      /^pfarg_msg \(v2\) has no field "msg_reserved"; fields: msg_type, msg_ovfl_pid, /,
    );
    expect(error(() => matchStruct(V23, 'pmd', view, 0, { reg_reserved2: 0 }, resolve))).toMatch(
      /^pfarg_pmd \(v2\) has no field "reg_reserved2"/,
    );
  });
});

describe('fieldAt and fieldText (difference reports)', () => {
  it('names the field, or the vector element, at a byte', () => {
    const at = (profile: V2AbiProfile, kind: 'pmd' | 'ctx', b: number) => fieldAt(profile, kind, b).name;
    expect([0, 1, 2, 3, 4, 7, 8, 15, 16].map((b) => at(V23, 'pmd', b))).toEqual([
      'reg_num',
      'reg_num',
      'reg_set',
      'reg_set',
      'reg_flags',
      'reg_flags',
      'reg_value',
      'reg_value',
      'reg_long_reset',
    ]);
    expect([48, 55, 56, 87, 88].map((b) => at(V23, 'pmd', b))).toEqual([
      'reg_reset_pmds[0]',
      'reg_reset_pmds[0]',
      'reg_reset_pmds[1]',
      'reg_reset_pmds[4]',
      'reg_smpl_pmds[0]',
    ]);
    expect([0, 15, 16, 20].map((b) => at(V22, 'ctx', b))).toEqual([
      'ctx_smpl_buf_id[0]',
      'ctx_smpl_buf_id[15]',
      'ctx_flags',
      'ctx_fd',
    ]);
    expect(at(V23, 'pmd', 175)).toBe('reg_reserved2[6]');
    expect(fieldAt(V23, 'pmd', 176)).toEqual({ name: 'byte 176', f: null });
  });

  it('shows the value of the element holding the byte', () => {
    const view = encode(V23, 'pmd', { reg_num: 3, reg_value: 0x1234, reg_reset_pmds: [0, -1] }, 176);
    const text = (b: number) => fieldText(view, 0, fieldAt(V23, 'pmd', b).f!, b);
    expect(text(0)).toBe('3');
    expect(text(9)).toBe('0x1234');
    expect(text(50)).toBe('0');
    expect(text(63)).toBe('-1 (0xffffffffffffffff)');
    const ctx = encode(V22, 'ctx', { ctx_smpl_buf_id: [0, 200], ctx_fd: -3 }, 128);
    expect(fieldText(ctx, 0, fieldAt(V22, 'ctx', 1).f!, 1)).toBe('-56 (0xc8)');
    expect(fieldText(ctx, 0, fieldAt(V22, 'ctx', 21).f!, 21)).toBe('-3');
    // a struct further into the buffer
    const two = new DataView(new ArrayBuffer(352));
    encodeStruct(V23, 'pmd', two, 176, { reg_value: 12 }, resolve, 'b');
    expect(fieldText(two, 176, fieldAt(V23, 'pmd', 8).f!, 8)).toBe('0xc');
  });
});
