import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesArb, structArb } from './arbitraries.test-util.js';
import { PFM_MSG_END, PFM_MSG_OVFL, PFM_REG_RETFL_NOTAVAIL } from './constants.js';
import { ABI_PROFILE_IDS, getAbiProfile, type V2AbiProfile, type V2StructName } from './profiles.js';
import {
  AbiBoundsError,
  AbiValueError,
  createEndMsg,
  createOvflMsg,
  createPfargCtx,
  createPfargLoad,
  createPfargPmc,
  createPfargPmd,
  createPfargPmr,
  createPfargSetdesc,
  createPfargSetinfo,
  createPfargStart,
  decodeCtx,
  decodeMsg,
  decodePfarg,
  decodePfargVector,
  decodePmc,
  decodePmd,
  decodePmr,
  decodeSetdesc,
  decodeSetinfo,
  decodeStruct,
  encodeCtx,
  encodeMsg,
  encodePfarg,
  encodePfargVector,
  encodePmc,
  encodePmd,
  encodePmr,
  encodeSetdesc,
  encodeSetinfo,
  encodeStruct,
  type StructValues,
} from './structs.js';

const V2_IDS = ['v2.3', 'v2.2', 'v2-compact'] as const;
const V2_KINDS: V2StructName[] = ['pmc', 'pmd', 'ctx', 'load', 'start', 'setdesc', 'setinfo', 'msg'];
const v22 = getAbiProfile('v2.2');
const v23 = getAbiProfile('v2.3');
const compact = getAbiProfile('v2-compact');

function viewOf(size: number): DataView {
  return new DataView(new ArrayBuffer(size));
}
function bytes(view: DataView, off: number, len: number): number[] {
  return [...new Uint8Array(view.buffer, view.byteOffset + off, len)];
}

describe('encode → decode round trips (fast-check)', () => {
  for (const id of V2_IDS) {
    const profile = getAbiProfile(id);
    for (const kind of V2_KINDS) {
      it(`${id} ${kind}`, () => {
        const layout = profile.layouts[kind];
        fc.assert(
          fc.property(structArb(layout), fc.integer({ min: 0, max: 3 }), (value, slot) => {
            // Garbage around the struct must not leak in, and must survive outside it.
            const view = viewOf(layout.size * 5);
            new Uint8Array(view.buffer).fill(0xa5);
            const off = slot * layout.size;
            encodePfarg(kind, view, off, value as unknown as StructValues[typeof kind], profile);
            expect(decodePfarg(kind, view, off, profile)).toEqual(value);
            expect(bytes(view, off + layout.size, 1)).toEqual([0xa5]);
            if (off > 0) expect(bytes(view, off - 1, 1)).toEqual([0xa5]);
          }),
          { numRuns: 200 },
        );
      });
    }
  }

  it('v3 pfarg_pmr', () => {
    const layout = getAbiProfile('v3').layouts.pmr;
    fc.assert(
      fc.property(structArb(layout), (value) => {
        const view = viewOf(16);
        encodePmr(view, 0, value as never);
        expect(decodePmr(view, 0)).toEqual(value);
      }),
    );
  });
});

describe('decode → encode keeps every live byte and zeroes reserved ones (fast-check)', () => {
  for (const id of ABI_PROFILE_IDS) {
    const profile = getAbiProfile(id);
    for (const [kind, layout] of Object.entries(profile.layouts)) {
      it(`${id} ${kind}`, () => {
        fc.assert(
          fc.property(bytesArb(layout.size), (raw) => {
            const src = new DataView(raw.buffer);
            const dst = viewOf(layout.size);
            encodeStruct(dst, 0, layout, decodeStruct(src, 0, layout));
            for (const f of layout.fields) {
              const expected = f.reserved
                ? new Array(f.size).fill(0)
                : [...raw.subarray(f.offset, f.offset + f.size)];
              expect(bytes(dst, f.offset, f.size)).toEqual(expected);
            }
          }),
          { numRuns: 100 },
        );
      });
    }
  }
});

describe('object shapes agree with the layouts', () => {
  const factories: { [K in V2StructName]: () => StructValues[K] } = {
    pmc: () => createPfargPmc(),
    pmd: () => createPfargPmd({ reg_random_seed: 0 }),
    ctx: () => createPfargCtx({ ctx_smpl_buf_id: new Uint8Array(16), ctx_fd: 0, ctx_smpl_buf_size: 0n }),
    load: () => createPfargLoad(),
    start: () => createPfargStart(),
    setdesc: () => createPfargSetdesc(),
    setinfo: () => createPfargSetinfo(),
    msg: () => createEndMsg(),
  };
  const liveNames = (profile: V2AbiProfile, kind: V2StructName) =>
    profile.layouts[kind].fields.filter((f) => !f.reserved).map((f) => f.name);

  it('a full object has exactly the v2.2 fields (the superset of the 2006 layouts)', () => {
    for (const kind of V2_KINDS) {
      expect(Object.keys(factories[kind]()).sort(), kind).toEqual(liveNames(v22, kind).sort());
    }
  });
  it('v2.3 and compact fields are subsets of them', () => {
    for (const kind of V2_KINDS) {
      const all = Object.keys(factories[kind]());
      for (const p of [v23, compact]) for (const n of liveNames(p, kind)) expect(all).toContain(n);
    }
  });
  it('decoding zeros gives the factory defaults', () => {
    for (const id of V2_IDS) {
      const p = getAbiProfile(id);
      const view = viewOf(256);
      expect(decodePmc(view, 0, p)).toEqual(createPfargPmc());
      const pmd = decodePmd(view, 0, p);
      expect(pmd).toEqual(
        p.offsets.pmdRandomSeed < 0 ? createPfargPmd() : createPfargPmd({ reg_random_seed: 0 }),
      );
      expect(decodeSetdesc(view, 0, p)).toEqual(createPfargSetdesc());
      expect(decodeSetinfo(view, 0, p)).toEqual(createPfargSetinfo());
    }
    expect(decodePmr(viewOf(16), 0)).toEqual(createPfargPmr());
  });
});

describe('bytes on the wire', () => {
  it('pfarg_pmd fields are little-endian at their offsets', () => {
    const view = viewOf(176);
    encodePmd(
      view,
      0,
      createPfargPmd({
        reg_num: 0x0102,
        reg_set: 0x0304,
        reg_flags: PFM_REG_RETFL_NOTAVAIL,
        reg_value: 0x1122334455667788n,
        reg_reset_pmds: [1n, 0n, 0n, 0n, 1n << 63n],
        reg_random_seed: 0xdeadbeef,
      }),
      v23,
    );
    expect(bytes(view, 0, 8)).toEqual([0x02, 0x01, 0x04, 0x03, 0, 0, 0, 0x80]);
    expect(bytes(view, 8, 8)).toEqual([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    expect(bytes(view, 48, 1)).toEqual([1]);
    expect(bytes(view, 48 + 32 + 7, 1)).toEqual([0x80]);
    expect(view.getUint32(144, true)).toBe(0xdeadbeef);
    expect(bytes(view, 148, 28)).toEqual(new Array(28).fill(0));
  });

  it('stores negative periods in two’s complement, as C does', () => {
    const view = viewOf(176);
    encodePmd(view, 0, createPfargPmd({ reg_value: -100000n, reg_long_reset: -1n }), v23);
    expect(decodePmd(view, 0, v23).reg_value).toBe(2n ** 64n - 100000n);
    expect(decodePmd(view, 0, v23).reg_long_reset).toBe(2n ** 64n - 1n);
    encodePmc(view, 0, createPfargPmc({ reg_flags: -1 }), v23);
    expect(decodePmc(view, 0, v23).reg_flags).toBe(0xffffffff);
  });

  it('zeroes reserved fields on encode', () => {
    const view = viewOf(48);
    new Uint8Array(view.buffer).fill(0xff);
    encodePmc(view, 0, createPfargPmc({ reg_num: 4 }), v23);
    expect(bytes(view, 16, 32)).toEqual(new Array(32).fill(0));
  });

  it('encodes and decodes vectors with the profile stride', () => {
    for (const p of [v22, v23, compact]) {
      const pmds = [0, 1, 2].map((i) => createPfargPmd({ reg_num: 4 + i, reg_value: BigInt(-i) }));
      const view = viewOf(3 * p.sizes.pmd + 8);
      expect(encodePfargVector('pmd', view, 8, pmds, p)).toBe(3 * p.sizes.pmd);
      expect(view.getUint16(8 + 2 * p.sizes.pmd, true)).toBe(6);
      const back = decodePfargVector('pmd', view, 8, 3, p);
      expect(back.map((x) => x.reg_num)).toEqual([4, 5, 6]);
      expect(back[2]?.reg_value).toBe(2n ** 64n - 2n);
    }
  });
});

describe('v2.2 vs v2.3 (§0.1)', () => {
  it('pfarg_ctx: v2.2 carries the UUID, flags at 16 and ctx_fd; v2.3 has flags at 0 only', () => {
    const uuid = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const view = viewOf(128);
    encodeCtx(view, 0, { ctx_flags: 0x82, ctx_smpl_buf_id: uuid, ctx_fd: 7, ctx_smpl_buf_size: 4096n }, v22);
    expect(bytes(view, 0, 16)).toEqual([...uuid]);
    expect(view.getUint32(16, true)).toBe(0x82);
    expect(view.getInt32(20, true)).toBe(7);
    expect(decodeCtx(view, 0, v22)).toEqual({
      ctx_flags: 0x82,
      ctx_smpl_buf_id: uuid,
      ctx_fd: 7,
      ctx_smpl_buf_size: 4096n,
    });

    const v = viewOf(64);
    encodeCtx(v, 0, { ctx_flags: 0x82 }, v23);
    expect(v.getUint32(0, true)).toBe(0x82);
    expect(decodeCtx(v, 0, v23)).toEqual({ ctx_flags: 0x82 });
  });

  it('ctx_fd is signed (-1 is representable, 2^31 is not)', () => {
    const view = viewOf(128);
    encodeCtx(view, 0, { ctx_flags: 0, ctx_fd: -1 }, v22);
    expect(decodeCtx(view, 0, v22).ctx_fd).toBe(-1);
    expect(() => encodeCtx(view, 0, { ctx_flags: 0, ctx_fd: 2 ** 31 }, v22)).toThrow(/does not fit in a s32/);
  });

  it('set_timeout: u32 µs + reserved in v2.2, u64 ns in v2.3', () => {
    const view = viewOf(64);
    new Uint8Array(view.buffer).fill(0xff);
    encodeSetdesc(view, 0, createPfargSetdesc({ set_id: 1, set_timeout: 10_000n }), v22);
    expect(view.getUint32(8, true)).toBe(10_000);
    expect(view.getUint32(12, true)).toBe(0);
    expect(() => encodeSetdesc(view, 0, createPfargSetdesc({ set_timeout: 2n ** 32n }), v22)).toThrow(
      AbiValueError,
    );

    encodeSetdesc(view, 0, createPfargSetdesc({ set_timeout: 10_000_000n * 2n ** 20n }), v23);
    expect(view.getBigUint64(8, true)).toBe(10_000_000n * 2n ** 20n);

    const info = viewOf(192);
    encodeSetinfo(info, 0, createPfargSetinfo({ set_timeout: 123n, set_act_duration: 5n }), v22);
    expect(info.getUint32(56, true)).toBe(123);
    expect(info.getBigUint64(64, true)).toBe(5n);
    encodeSetinfo(info, 0, createPfargSetinfo({ set_timeout: 2n ** 40n }), v23);
    expect(info.getBigUint64(56, true)).toBe(2n ** 40n);
  });
});

describe('pfarg_msg (Q11)', () => {
  it('createOvflMsg puts the tid in msg_ovfl_pid and the tgid in msg_ovfl_tid', () => {
    const msg = createOvflMsg({
      tid: 1234,
      tgid: 1200,
      ovflPmds: [0b10000n, 0n, 0n, 0n],
      cpu: 1,
      ip: 0x400123n,
    });
    const view = viewOf(56);
    encodeMsg(view, 0, msg, v23);
    expect(view.getUint32(0, true)).toBe(PFM_MSG_OVFL);
    expect(view.getUint32(4, true)).toBe(1234);
    expect(view.getUint32(44, true)).toBe(1200);
    expect(view.getUint16(42, true)).toBe(1);
    expect(view.getBigUint64(8, true)).toBe(16n);
    expect(view.getBigUint64(48, true)).toBe(0x400123n);
    expect(decodeMsg(view, 0, v22)).toEqual(msg);
  });
  it('an END message carries only its type', () => {
    const view = viewOf(56);
    encodeMsg(view, 0, createEndMsg(), v22);
    expect(view.getUint32(0, true)).toBe(PFM_MSG_END);
    expect(bytes(view, 4, 52)).toEqual(new Array(52).fill(0));
  });
});

describe('encoding errors', () => {
  it('refuses a struct that does not fit in the view, before writing anything', () => {
    const view = viewOf(100);
    new Uint8Array(view.buffer).fill(7);
    expect(() => encodePmd(view, 0, createPfargPmd(), v23)).toThrow(AbiBoundsError);
    expect(() => encodePmd(view, 0, createPfargPmd(), v23)).toThrow(
      /pfarg_pmd \(v2\) at offset 0 needs 176 bytes; view has 100/,
    );
    expect(new Uint8Array(view.buffer).every((b) => b === 7)).toBe(true);
    expect(() => decodePmc(view, 60, v23)).toThrow(AbiBoundsError);
    expect(() => decodePmc(view, -1, v23)).toThrow(AbiBoundsError);
    expect(() => decodePfargVector('pmc', view, 0, 3, v23)).toThrow(/×3/);
  });

  it.each([
    ['a non-integer', { reg_num: 1.5 }, /reg_num: 1.5 is not an integer/],
    ['an out-of-range u16', { reg_num: 0x10000 }, /reg_num: 65536 does not fit in a u16/],
    ['an out-of-range u32', { reg_flags: 2 ** 32 }, /reg_flags/],
    ['a number for a u64', { reg_value: 5 }, /reg_value: expected a bigint, got number/],
    ['a bigint for a u16', { reg_set: 5n }, /reg_set: expected a number, got bigint/],
    ['a u64 above 2^64-1', { reg_value: 2n ** 64n }, /does not fit in a u64/],
    ['a u64 below -2^63', { reg_value: -(2n ** 63n) - 1n }, /does not fit in a u64/],
  ])('refuses %s', (_what, init, message) => {
    const view = viewOf(48);
    expect(() => encodePmc(view, 0, { ...createPfargPmc(), ...init } as never, v23)).toThrow(message);
    expect(() => encodePmc(view, 0, { ...createPfargPmc(), ...init } as never, v23)).toThrow(AbiValueError);
  });

  it('refuses bit vectors of the wrong length', () => {
    const view = viewOf(176);
    expect(() => encodePmd(view, 0, createPfargPmd({ reg_smpl_pmds: [1n] }), v23)).toThrow(
      /pfarg_pmd.reg_smpl_pmds: expected 5 elements, got 1/,
    );
    expect(() =>
      encodePmd(view, 0, createPfargPmd({ reg_smpl_pmds: [0n, 0n, 0n, 0n, -(2n ** 64n)] }), v23),
    ).toThrow(/reg_smpl_pmds\[4\]/);
  });

  it('refuses a nonzero value for a field the profile lacks, accepts zero', () => {
    const ctx = viewOf(64);
    expect(() => encodeCtx(ctx, 0, { ctx_flags: 0, ctx_fd: 3 }, v23)).toThrow(
      /pfarg_ctx.ctx_fd: the v2.3 layout/,
    );
    expect(() =>
      encodeCtx(ctx, 0, { ctx_flags: 0, ctx_smpl_buf_id: new Uint8Array(16).fill(1) }, v23),
    ).toThrow(AbiValueError);
    encodeCtx(ctx, 0, { ctx_flags: 1, ctx_fd: 0, ctx_smpl_buf_id: new Uint8Array(16) }, v23);
    expect(decodeCtx(ctx, 0, v23)).toEqual({ ctx_flags: 1 });

    const pmd = viewOf(176);
    expect(() => encodePmd(pmd, 0, createPfargPmd({ reg_random_seed: 9 }), compact)).toThrow(
      /reg_random_seed/,
    );
    encodePmd(pmd, 0, createPfargPmd({ reg_random_seed: 0 }), compact);
  });

  it('writes absent optional fields as zero', () => {
    const view = viewOf(128);
    new Uint8Array(view.buffer).fill(0xee);
    encodeCtx(view, 0, { ctx_flags: 2 }, v22);
    expect(decodeCtx(view, 0, v22)).toEqual({
      ctx_flags: 2,
      ctx_smpl_buf_id: new Uint8Array(16),
      ctx_fd: 0,
      ctx_smpl_buf_size: 0n,
    });
  });
});
