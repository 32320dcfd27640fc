import { describe, expect, it } from 'vitest';
import { PFM_HW_PMD_BV, PFM_MSG_OVFL } from './constants.js';
import { defineStruct, layoutField as f, PFARG_PMD_LAYOUT, PFARG_SETINFO_V23_LAYOUT } from './layouts.js';
import { getAbiProfile } from './profiles.js';
import {
  AbiBoundsError,
  AbiValueError,
  createOvflMsg,
  createPfargLoad,
  createPfargPmc,
  createPfargPmd,
  createPfargSetdesc,
  createPfargSetinfo,
  createPfargStart,
  decodeCtx,
  decodeLoad,
  decodePmc,
  decodePmd,
  decodeSetdesc,
  decodeStart,
  decodeStruct,
  encodeCtx,
  encodeLoad,
  encodePmc,
  encodePmd,
  encodeSetdesc,
  encodeStart,
  encodeStruct,
  readField,
  writeField,
} from './structs.js';

const v22 = getAbiProfile('v2.2');
const v23 = getAbiProfile('v2.3');
const compact = getAbiProfile('v2-compact');

/** A view of `size` bytes, every byte 0xa5 so stray writes show. */
function garbage(size: number): DataView {
  const view = new DataView(new ArrayBuffer(size));
  new Uint8Array(view.buffer).fill(0xa5);
  return view;
}
function bytes(view: DataView, off: number, len: number): number[] {
  return [...new Uint8Array(view.buffer, view.byteOffset + off, len)];
}
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('pfarg_load and pfarg_start on the wire (§5)', () => {
  it('pfarg_load: load_pid u32 @0, load_set u16 @4, 24 reserved bytes zeroed (32 B)', () => {
    const view = garbage(40);
    encodeLoad(view, 0, createPfargLoad({ load_pid: 0x01020304, load_set: 0x0506 }), v23);
    expect(bytes(view, 0, 8)).toEqual([0x04, 0x03, 0x02, 0x01, 0x06, 0x05, 0, 0]);
    expect(bytes(view, 8, 24)).toEqual(new Array(24).fill(0));
    expect(bytes(view, 32, 1)).toEqual([0xa5]);
    expect(decodeLoad(view, 0, v23)).toEqual({ load_pid: 0x01020304, load_set: 0x0506 });
  });

  it('pfarg_load compact: 8 B with the alignment pad zeroed', () => {
    const view = garbage(16);
    encodeLoad(view, 8, { load_pid: 3, load_set: 1 }, compact);
    expect(bytes(view, 0, 16)).toEqual([...new Array(8).fill(0xa5), 3, 0, 0, 0, 1, 0, 0, 0]);
    expect(decodeLoad(view, 8, compact)).toEqual({ load_pid: 3, load_set: 1 });
  });

  it('pfarg_start: start_set u16 @0 and 30 reserved bytes zeroed (32 B)', () => {
    const view = garbage(33);
    encodeStart(view, 0, createPfargStart({ start_set: 0x0102 }), v22);
    expect(bytes(view, 0, 33)).toEqual([0x02, 0x01, ...new Array(30).fill(0), 0xa5]);
    expect(decodeStart(view, 0, v22)).toEqual({ start_set: 0x0102 });
    view.setUint16(2, 0xffff, true);
    expect(decodeStart(view, 0, v22)).toEqual({ start_set: 0x0102 });
  });
});

describe('byte-sized fields (a layout a later package defines with defineStruct)', () => {
  // u32 @0, u16 @4, u8 @6, u8 @7: 8 B; the last field is a single byte.
  const BYTES = defineStruct('test_bytes', 'test', 8, [
    f('a', 'u32', 0),
    f('b', 'u16', 4),
    f('c', 'u8', 6),
    f('d', 'u8', 7),
  ]);
  // u32 @0, u16 @4, u16 @6: the last field is a u16.
  const HALVES = defineStruct('test_halves', 'test', 8, [
    f('a', 'u32', 0),
    f('b', 'u16', 4),
    f('c', 'u16', 6),
  ]);

  it('a u8 reads and writes exactly its own byte', () => {
    const view = garbage(12);
    encodeStruct(view, 0, BYTES, { a: 1, b: 2, c: 0xfe, d: 0x7f });
    expect(bytes(view, 0, 9)).toEqual([1, 0, 0, 0, 2, 0, 0xfe, 0x7f, 0xa5]);
    expect(decodeStruct(view, 0, BYTES)).toEqual({ a: 1, b: 2, c: 0xfe, d: 0x7f });
    expect(readField(view, 0, BYTES.field.c!)).toBe(0xfe);
  });

  it('a u8 that ends the view still fits', () => {
    const view = new DataView(new ArrayBuffer(8));
    encodeStruct(view, 0, BYTES, { d: 0xff });
    expect(bytes(view, 0, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0xff]);
  });

  it('a u16 that ends the struct writes two bytes, not four', () => {
    const view = garbage(12);
    encodeStruct(view, 0, HALVES, { a: 0, b: 0x1234, c: 0xbeef });
    expect(bytes(view, 4, 6)).toEqual([0x34, 0x12, 0xef, 0xbe, 0xa5, 0xa5]);
  });

  it('u8 range: -128…255 (two’s complement below 0), 256 and -129 refused', () => {
    const view = new DataView(new ArrayBuffer(8));
    encodeStruct(view, 0, BYTES, { c: -0x80, d: 0xff });
    expect(bytes(view, 6, 2)).toEqual([0x80, 0xff]);
    expect(() => encodeStruct(view, 0, BYTES, { c: 0x100 })).toThrow(
      'test_bytes.c: 256 does not fit in a u8',
    );
    expect(() => encodeStruct(view, 0, BYTES, { c: -0x81 })).toThrow(
      'test_bytes.c: -129 does not fit in a u8',
    );
  });
});

describe('the v2.2 sampling-format UUID (16 × u8)', () => {
  const uuid = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i);

  it('decodes as a copy: later writes to the buffer do not change it, nor it the buffer', () => {
    const view = new DataView(new ArrayBuffer(128));
    encodeCtx(view, 0, { ctx_flags: 0, ctx_smpl_buf_id: uuid }, v22);
    const got = decodeCtx(view, 0, v22).ctx_smpl_buf_id!;
    new Uint8Array(view.buffer).fill(0);
    expect([...got]).toEqual([...uuid]);
    got[0] = 1;
    expect(view.getUint8(0)).toBe(0);
  });

  it('takes a plain array of byte values, −128…255 per element', () => {
    const view = new DataView(new ArrayBuffer(128));
    const plain = [...new Array(14).fill(7), -0x80, 0xff];
    encodeCtx(view, 0, { ctx_flags: 0, ctx_smpl_buf_id: plain as never }, v22);
    expect(bytes(view, 0, 16)).toEqual([...new Array(14).fill(7), 0x80, 0xff]);
    const bad = [...new Array(15).fill(0), 0x100];
    expect(() => encodeCtx(view, 0, { ctx_flags: 0, ctx_smpl_buf_id: bad as never }, v22)).toThrow(
      'pfarg_ctx.ctx_smpl_buf_id[15]: 256 does not fit in a u8',
    );
  });

  it('refuses bigint or string bytes, naming the element', () => {
    const view = new DataView(new ArrayBuffer(128));
    const big = new Array(16).fill(1n);
    expect(() => encodeCtx(view, 0, { ctx_flags: 0, ctx_smpl_buf_id: big as never }, v22)).toThrow(
      'pfarg_ctx.ctx_smpl_buf_id[0]: expected a number, got bigint',
    );
    const str = new Array(16).fill('1');
    expect(() => encodeCtx(view, 0, { ctx_flags: 0, ctx_smpl_buf_id: str as never }, v22)).toThrow(
      'pfarg_ctx.ctx_smpl_buf_id[0]: expected a number, got string',
    );
  });

  it('refuses a value that is not an array at all', () => {
    const view = new DataView(new ArrayBuffer(176));
    const e = thrown(() => encodePmd(view, 0, createPfargPmd({ reg_smpl_pmds: 5n as never }), v23));
    expect(e).toBeInstanceOf(AbiValueError);
    expect((e as AbiValueError).message).toBe('pfarg_pmd.reg_smpl_pmds: expected an array of 5, got bigint');
    expect((e as AbiValueError).path).toBe('pfarg_pmd.reg_smpl_pmds');
    expect(() => encodePmd(view, 0, createPfargPmd({ reg_reset_pmds: 'abcde' as never }), v23)).toThrow(
      'pfarg_pmd.reg_reset_pmds: expected an array of 5, got string',
    );
  });
});

describe('integer ranges at their edges', () => {
  it('v2.2 set_timeout (u32 µs, a bigint in JS): −2^31…2^32−1, stored modulo 2^32', () => {
    const view = new DataView(new ArrayBuffer(64));
    encodeSetdesc(view, 0, createPfargSetdesc({ set_timeout: -(2n ** 31n) }), v22);
    expect(view.getUint32(8, true)).toBe(0x80000000);
    expect(decodeSetdesc(view, 0, v22).set_timeout).toBe(0x80000000n);
    encodeSetdesc(view, 0, createPfargSetdesc({ set_timeout: 2n ** 32n - 1n }), v22);
    expect(view.getUint32(8, true)).toBe(0xffffffff);
    const e = thrown(() =>
      encodeSetdesc(view, 0, createPfargSetdesc({ set_timeout: -(2n ** 31n) - 1n }), v22),
    );
    expect(e).toBeInstanceOf(AbiValueError);
    expect((e as Error).message).toBe('pfarg_setdesc.set_timeout: -2147483649 does not fit in a u32');
    expect(() => encodeSetdesc(view, 0, createPfargSetdesc({ set_timeout: 2n ** 32n }), v22)).toThrow(
      'pfarg_setdesc.set_timeout: 4294967296 does not fit in a u32',
    );
  });

  it('v2.2 set_timeout refuses a string (the JS shape is a bigint)', () => {
    const view = new DataView(new ArrayBuffer(64));
    expect(() => encodeSetdesc(view, 0, createPfargSetdesc({ set_timeout: '10' as never }), v22)).toThrow(
      'pfarg_setdesc.set_timeout: expected a bigint, got string',
    );
  });

  it('u16: −32768 is stored as 0x8000, −32769 refused', () => {
    const view = new DataView(new ArrayBuffer(48));
    encodePmc(view, 0, createPfargPmc({ reg_num: -0x8000 }), v23);
    expect(bytes(view, 0, 2)).toEqual([0x00, 0x80]);
    expect(decodePmc(view, 0, v23).reg_num).toBe(0x8000);
    expect(() => encodePmc(view, 0, createPfargPmc({ reg_num: -0x8001 }), v23)).toThrow(
      'pfarg_pmc.reg_num: -32769 does not fit in a u16',
    );
  });

  it('u32: −2^31 is stored as 0x80000000, −2^31−1 refused', () => {
    const view = new DataView(new ArrayBuffer(48));
    encodePmc(view, 0, createPfargPmc({ reg_flags: -0x80000000 }), v23);
    expect(view.getUint32(4, true)).toBe(0x80000000);
    expect(() => encodePmc(view, 0, createPfargPmc({ reg_flags: -0x80000001 }), v23)).toThrow(
      'pfarg_pmc.reg_flags: -2147483649 does not fit in a u32',
    );
  });

  it('u64: −2^63 is the lowest accepted value (stored as 1<<63)', () => {
    const view = new DataView(new ArrayBuffer(48));
    encodePmc(view, 0, createPfargPmc({ reg_value: -(2n ** 63n) }), v23);
    expect(bytes(view, 8, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0x80]);
    expect(decodePmc(view, 0, v23).reg_value).toBe(2n ** 63n);
  });
});

describe('fields a layout lacks', () => {
  it('v2.3 pfarg_ctx: ctx_smpl_buf_size 0n is accepted, a nonzero size refused', () => {
    const view = new DataView(new ArrayBuffer(64));
    encodeCtx(view, 0, { ctx_flags: 1, ctx_smpl_buf_size: 0n }, v23);
    expect(decodeCtx(view, 0, v23)).toEqual({ ctx_flags: 1 });
    expect(() => encodeCtx(view, 0, { ctx_flags: 1, ctx_smpl_buf_size: 4096n }, v23)).toThrow(
      'pfarg_ctx.ctx_smpl_buf_size: the v2.3 layout has no such field, so a nonzero value would be lost',
    );
    expect(() => encodeCtx(view, 0, { ctx_flags: 1, ctx_smpl_buf_size: 4096n }, compact)).toThrow(
      'pfarg_ctx.ctx_smpl_buf_size: the compact layout has no such field, so a nonzero value would be lost',
    );
  });

  it('a bit vector of zero words is accepted, one with a bit set refused', () => {
    // A narrower setinfo (no free-register vectors) told which fields other variants have.
    const NARROW = defineStruct('pfarg_setinfo', 'narrow', 48, [
      f('set_id', 'u16', 0),
      f('set_id_next', 'u16', 2),
      f('set_flags', 'u32', 4),
      f('set_ovfl_pmds', 'u64', 8, 5),
    ]);
    const known = PFARG_SETINFO_V23_LAYOUT.fields.filter((x) => !x.reserved).map((x) => x.name);
    const view = new DataView(new ArrayBuffer(48));
    encodeStruct(view, 0, NARROW, createPfargSetinfo({ set_id: 3 }), known);
    expect(view.getUint16(0, true)).toBe(3);
    expect(() =>
      encodeStruct(view, 0, NARROW, createPfargSetinfo({ set_avail_pmds: [0n, 0n, 1n, 0n, 0n] }), known),
    ).toThrow('pfarg_setinfo.set_avail_pmds: the narrow layout has no such field');
  });
});

describe('reserved fields', () => {
  it('stay zero even when the caller’s object carries one by name', () => {
    const view = garbage(48);
    const pmc = { ...createPfargPmc({ reg_num: 1 }), reg_reserved2: [1n, 2n, 3n, 4n] };
    encodePmc(view, 0, pmc, v23);
    expect(bytes(view, 16, 32)).toEqual(new Array(32).fill(0));
    const pmd = { ...createPfargPmd(), reg_reserved2: [1, 2, 3, 4, 5, 6, 7] };
    const pv = garbage(176);
    encodePmd(pv, 0, pmd, v22);
    expect(bytes(pv, 148, 28)).toEqual(new Array(28).fill(0));
  });
});

describe('writeField', () => {
  it('an undefined bit vector zeroes exactly its 40 bytes', () => {
    const view = new DataView(new ArrayBuffer(176));
    new Uint8Array(view.buffer).fill(0xff);
    writeField(view, 0, PFARG_PMD_LAYOUT.field.reg_smpl_pmds!, undefined);
    expect(bytes(view, 87, 42)).toEqual([0xff, ...new Array(40).fill(0), 0xff]);
    expect(decodePmd(view, 0, v22).reg_smpl_pmds).toEqual([0n, 0n, 0n, 0n, 0n]);
  });

  it('names the field itself in errors when no path is given', () => {
    const view = new DataView(new ArrayBuffer(176));
    expect(() => writeField(view, 0, PFARG_PMD_LAYOUT.field.reg_num!, 1.5)).toThrow(
      'reg_num: 1.5 is not an integer',
    );
  });
});

describe('error classes', () => {
  it('AbiValueError and AbiBoundsError are RangeErrors that name themselves', () => {
    const view = new DataView(new ArrayBuffer(48));
    const value = thrown(() => encodePmc(view, 0, createPfargPmc({ reg_num: 0x10000 }), v23));
    expect(value).toBeInstanceOf(RangeError);
    expect((value as Error).name).toBe('AbiValueError');
    expect(String(value)).toBe('AbiValueError: pfarg_pmc.reg_num: 65536 does not fit in a u16');
    const bounds = thrown(() => decodePmc(view, 8, v23));
    expect(bounds).toBeInstanceOf(AbiBoundsError);
    expect(bounds).toBeInstanceOf(RangeError);
    expect((bounds as Error).name).toBe('AbiBoundsError');
  });
});

describe('createOvflMsg defaults', () => {
  it('only tid and tgid given: no PMD bits, set 0, CPU 0, ip 0', () => {
    expect(createOvflMsg({ tid: 101, tgid: 100 })).toEqual({
      msg_type: PFM_MSG_OVFL,
      msg_ovfl_pid: 101,
      msg_ovfl_pmds: new Array(PFM_HW_PMD_BV).fill(0n),
      msg_active_set: 0,
      msg_ovfl_cpu: 0,
      msg_ovfl_tid: 100,
      msg_ovfl_ip: 0n,
    });
  });

  it('copies the caller’s PMD bit vector', () => {
    const pmds = [1n, 0n, 0n, 0n];
    const msg = createOvflMsg({ tid: 1, tgid: 1, ovflPmds: pmds, activeSet: 2 });
    pmds[0] = 8n;
    expect(msg.msg_ovfl_pmds).toEqual([1n, 0n, 0n, 0n]);
    expect(msg.msg_active_set).toBe(2);
  });
});
