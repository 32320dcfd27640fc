import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as A from './accessors.js';
import { structArb } from './arbitraries.test-util.js';
import { PFM_PMD_BV } from './constants.js';
import { PMD_OFF } from './layouts.js';
import { getAbiProfile } from './profiles.js';
import {
  createOvflMsg,
  createPfargCtx,
  createPfargLoad,
  createPfargSetdesc,
  createPfargSetinfo,
  createPfargStart,
  decodeCtx,
  decodeMsg,
  decodePmc,
  decodePmd,
  decodePmr,
  decodeSetdesc,
  decodeSetinfo,
  encodeCtx,
  encodeLoad,
  encodeMsg,
  encodePmc,
  encodePmd,
  encodePmr,
  encodeSetdesc,
  encodeSetinfo,
  encodeStart,
  type PfargPmc,
  type PfargPmd,
  type PfargPmr,
} from './structs.js';

const V2 = (['v2.3', 'v2.2', 'v2-compact'] as const).map((id) => getAbiProfile(id));
const viewOf = (n: number) => new DataView(new ArrayBuffer(n));

describe('pmc/pmd accessors agree with the codecs in every v2 profile (fast-check)', () => {
  for (const p of V2) {
    it(`${p.id} pfarg_pmc`, () => {
      fc.assert(
        fc.property(structArb(p.layouts.pmc), fc.nat(3), (raw, slot) => {
          const v = raw as unknown as PfargPmc;
          const view = viewOf(p.sizes.pmc * 4);
          const off = slot * p.sizes.pmc;
          encodePmc(view, off, v, p);
          expect(A.pmcRegNum(view, off)).toBe(v.reg_num);
          expect(A.pmcRegSet(view, off)).toBe(v.reg_set);
          expect(A.pmcRegFlags(view, off)).toBe(v.reg_flags);
          expect(A.pmcValue(view, off)).toBe(v.reg_value);

          const w = viewOf(p.sizes.pmc * 4);
          A.setPmcRegNum(w, off, v.reg_num);
          A.setPmcRegSet(w, off, v.reg_set);
          A.setPmcRegFlags(w, off, v.reg_flags);
          A.setPmcValue(w, off, v.reg_value);
          expect(decodePmc(w, off, p)).toEqual(v);
        }),
        { numRuns: 100 },
      );
    });

    it(`${p.id} pfarg_pmd`, () => {
      fc.assert(
        fc.property(structArb(p.layouts.pmd), fc.nat(3), (raw, slot) => {
          const v = raw as unknown as PfargPmd;
          const view = viewOf(p.sizes.pmd * 4);
          const off = slot * p.sizes.pmd;
          encodePmd(view, off, v, p);
          expect(A.pmdRegNum(view, off)).toBe(v.reg_num);
          expect(A.pmdRegSet(view, off)).toBe(v.reg_set);
          expect(A.pmdRegFlags(view, off)).toBe(v.reg_flags);
          expect(A.pmdValue(view, off)).toBe(v.reg_value);
          expect(A.pmdLongReset(view, off)).toBe(v.reg_long_reset);
          expect(A.pmdShortReset(view, off)).toBe(v.reg_short_reset);
          expect(A.pmdLastResetVal(view, off)).toBe(v.reg_last_reset_val);
          expect(A.pmdOvflSwitchCnt(view, off)).toBe(v.reg_ovfl_switch_cnt);
          expect(A.pmdSmplEventId(view, off)).toBe(v.reg_smpl_eventid);
          expect(A.pmdRandomMask(view, off)).toBe(v.reg_random_mask);
          expect(A.pmdRandomSeed(view, off, p)).toBe(v.reg_random_seed ?? 0);
          for (let i = 0; i < PFM_PMD_BV; i++) {
            expect(A.pmdResetPmds(view, off, i)).toBe(v.reg_reset_pmds[i]);
            expect(A.pmdSmplPmds(view, off, i)).toBe(v.reg_smpl_pmds[i]);
          }

          const w = viewOf(p.sizes.pmd * 4);
          A.setPmdRegNum(w, off, v.reg_num);
          A.setPmdRegSet(w, off, v.reg_set);
          A.setPmdRegFlags(w, off, v.reg_flags);
          A.setPmdValue(w, off, v.reg_value);
          A.setPmdLongReset(w, off, v.reg_long_reset);
          A.setPmdShortReset(w, off, v.reg_short_reset);
          A.setPmdLastResetVal(w, off, v.reg_last_reset_val);
          A.setPmdOvflSwitchCnt(w, off, v.reg_ovfl_switch_cnt);
          A.setPmdSmplEventId(w, off, v.reg_smpl_eventid);
          A.setPmdRandomMask(w, off, v.reg_random_mask);
          expect(A.setPmdRandomSeed(w, off, v.reg_random_seed ?? 0, p)).toBe(p.offsets.pmdRandomSeed >= 0);
          v.reg_reset_pmds.forEach((x, i) => {
            A.setPmdResetPmds(w, off, i, x);
          });
          v.reg_smpl_pmds.forEach((x, i) => {
            A.setPmdSmplPmds(w, off, i, x);
          });
          expect(decodePmd(w, off, p)).toEqual(v);
          // Nothing written past the struct.
          expect(new Uint8Array(w.buffer, off + p.sizes.pmd).every((b) => b === 0)).toBe(true);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('setters wrap like C stores', () => {
    const view = viewOf(176);
    A.setPmdRegNum(view, 0, 0x10001);
    expect(A.pmdRegNum(view, 0)).toBe(1);
    A.setPmdValue(view, 0, -1n);
    expect(A.pmdValue(view, 0)).toBe(2n ** 64n - 1n);
    A.setPmdRegFlags(view, 0, 1 << 31);
    expect(A.pmdRegFlags(view, 0)).toBe(0x80000000);
  });
});

describe('load, start, msg and pmr accessors', () => {
  it('load/start', () => {
    for (const p of V2) {
      const view = viewOf(64);
      encodeLoad(view, 8, createPfargLoad({ load_pid: 0xfffffffe, load_set: 9 }), p);
      expect(A.loadPid(view, 8)).toBe(0xfffffffe);
      expect(A.loadSet(view, 8)).toBe(9);
      A.setLoadPid(view, 8, 3);
      A.setLoadSet(view, 8, 4);
      expect([A.loadPid(view, 8), A.loadSet(view, 8)]).toEqual([3, 4]);
      encodeStart(view, 0, createPfargStart({ start_set: 65535 }), p);
      expect(A.startSet(view, 0)).toBe(65535);
      A.setStartSet(view, 0, 2);
      expect(A.startSet(view, 0)).toBe(2);
    }
  });

  it('msg (Q11 accessors name the stored meaning)', () => {
    const p = getAbiProfile('v2.3');
    const msg = createOvflMsg({
      tid: 501,
      tgid: 500,
      ovflPmds: [1n, 2n, 3n, 4n],
      activeSet: 3,
      cpu: 2,
      ip: 99n,
    });
    const view = viewOf(56);
    encodeMsg(view, 0, msg, p);
    expect(A.msgType(view, 0)).toBe(1);
    expect(A.msgOvflPid(view, 0)).toBe(501);
    expect(A.msgOvflTid(view, 0)).toBe(500);
    expect(A.msgActiveSet(view, 0)).toBe(3);
    expect(A.msgOvflCpu(view, 0)).toBe(2);
    expect(A.msgOvflIp(view, 0)).toBe(99n);
    expect([0, 1, 2, 3].map((i) => A.msgOvflPmds(view, 0, i))).toEqual([1n, 2n, 3n, 4n]);

    const w = viewOf(56);
    A.setMsgType(w, 0, 1);
    A.setMsgOvflPid(w, 0, 501);
    A.setMsgOvflTid(w, 0, 500);
    A.setMsgActiveSet(w, 0, 3);
    A.setMsgOvflCpu(w, 0, 2);
    A.setMsgOvflIp(w, 0, 99n);
    [1n, 2n, 3n, 4n].forEach((x, i) => {
      A.setMsgOvflPmds(w, 0, i, x);
    });
    expect(decodeMsg(w, 0, p)).toEqual(msg);
  });

  it('pmr', () => {
    fc.assert(
      fc.property(structArb(getAbiProfile('v3').layouts.pmr), (raw) => {
        const v = raw as unknown as PfargPmr;
        const view = viewOf(16);
        encodePmr(view, 0, v);
        expect([A.pmrRegNum(view, 0), A.pmrRegFlags(view, 0), A.pmrValue(view, 0)]).toEqual([
          v.reg_num,
          v.reg_flags,
          v.reg_value,
        ]);
        const w = viewOf(16);
        A.setPmrRegNum(w, 0, v.reg_num);
        A.setPmrRegFlags(w, 0, v.reg_flags);
        A.setPmrValue(w, 0, v.reg_value);
        expect(decodePmr(w, 0)).toEqual(v);
      }),
    );
  });
});

describe('profile-dependent accessors', () => {
  const v22 = getAbiProfile('v2.2');
  const v23 = getAbiProfile('v2.3');

  it('ctx_flags moves; ctx_fd and ctx_smpl_buf_size exist only in v2.2', () => {
    const view = viewOf(128);
    A.setCtxFlags(view, 0, 0x2, v22);
    A.setCtxFd(view, 0, 42, v22);
    A.setCtxSmplBufSize(view, 0, 8192n, v22);
    expect(decodeCtx(view, 0, v22)).toMatchObject({ ctx_flags: 2, ctx_fd: 42, ctx_smpl_buf_size: 8192n });
    expect([A.ctxFlags(view, 0, v22), A.ctxFd(view, 0, v22), A.ctxSmplBufSize(view, 0, v22)]).toEqual([
      2,
      42,
      8192n,
    ]);

    const v = viewOf(64);
    encodeCtx(v, 0, createPfargCtx({ ctx_flags: 0x80 }), v23);
    expect(A.ctxFlags(v, 0, v23)).toBe(0x80);
    expect(() => A.ctxFd(v, 0, v23)).toThrow(A.AbiFieldUnavailableError);
    expect(() => A.setCtxFd(v, 0, 1, v23)).toThrow('ABI profile v2.3 has no field pfarg_ctx.ctx_fd');
    expect(() => A.ctxSmplBufSize(v, 0, v23)).toThrow(A.AbiFieldUnavailableError);
    expect(() => A.setCtxSmplBufSize(v, 0, 1n, v23)).toThrow(A.AbiFieldUnavailableError);
  });

  it('set_timeout: u32 in v2.2 (low 32 bits stored), u64 elsewhere', () => {
    for (const p of V2) {
      const d = viewOf(64);
      A.setSetdescTimeout(d, 0, 1_000_000n, p);
      expect(decodeSetdesc(d, 0, p).set_timeout).toBe(1_000_000n);
      encodeSetdesc(d, 0, createPfargSetdesc({ set_timeout: 77n }), p);
      expect(A.setdescTimeout(d, 0, p)).toBe(77n);

      const i = viewOf(192);
      A.setSetinfoTimeout(i, 0, 5n, p);
      expect(decodeSetinfo(i, 0, p).set_timeout).toBe(5n);
      encodeSetinfo(i, 0, createPfargSetinfo({ set_timeout: 6n }), p);
      expect(A.setinfoTimeout(i, 0, p)).toBe(6n);
    }
    const d = viewOf(64);
    A.setSetdescTimeout(d, 0, 2n ** 32n + 5n, v22);
    expect(A.setdescTimeout(d, 0, v22)).toBe(5n);
    expect(d.getUint32(12, true)).toBe(0);
    A.setSetdescTimeout(d, 0, 2n ** 32n + 5n, v23);
    expect(A.setdescTimeout(d, 0, v23)).toBe(2n ** 32n + 5n);
  });
});

describe('bit vectors over u64 words', () => {
  const wordsArb = fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 5, maxLength: 5 });
  const load = (words: bigint[]) => {
    const view = viewOf(8 + 40);
    words.forEach((w, i) => {
      view.setBigUint64(8 + i * 8, w, true);
    });
    return view;
  };
  const bitOf = (words: bigint[], bit: number) => ((words[bit >> 6] ?? 0n) >> BigInt(bit & 63)) & 1n;

  it('bvTest/bvSet/bvClear match bigint arithmetic on the words', () => {
    fc.assert(
      fc.property(wordsArb, fc.integer({ min: 0, max: 319 }), (words, bit) => {
        const view = load(words);
        expect(A.bvTest(view, 8, bit)).toBe(bitOf(words, bit) === 1n);
        A.bvSet(view, 8, bit);
        expect(view.getBigUint64(8 + (bit >> 6) * 8, true)).toBe(
          (words[bit >> 6] ?? 0n) | (1n << BigInt(bit & 63)),
        );
        A.bvClear(view, 8, bit);
        expect(A.bvTest(view, 8, bit)).toBe(false);
        expect(view.getUint32(0, true)).toBe(0);
      }),
    );
  });

  it('bvNextSet, bvCount, bvIsEmpty, bvZero', () => {
    fc.assert(
      fc.property(wordsArb, fc.integer({ min: 0, max: 320 }), (words, from) => {
        const view = load(words);
        let expected = -1;
        for (let b = from; b < 320; b++) {
          if (bitOf(words, b) === 1n) {
            expected = b;
            break;
          }
        }
        expect(A.bvNextSet(view, 8, 5, from)).toBe(expected);
        let count = 0;
        for (let b = 0; b < 320; b++) count += Number(bitOf(words, b));
        expect(A.bvCount(view, 8, 5)).toBe(count);
        expect(A.bvIsEmpty(view, 8, 5)).toBe(count === 0);
        A.bvZero(view, 8, 5);
        expect(A.bvIsEmpty(view, 8, 5)).toBe(true);
        expect(A.bvNextSet(view, 8, 5)).toBe(-1);
      }),
    );
  });

  it('works on a pmd bitmap in place', () => {
    const view = viewOf(176);
    A.bvSet(view, PMD_OFF.reg_reset_pmds, 65);
    expect(A.pmdResetPmds(view, 0, 1)).toBe(2n);
    expect(A.bvNextSet(view, PMD_OFF.reg_reset_pmds, PFM_PMD_BV)).toBe(65);
    expect(A.bvTest(view, PMD_OFF.reg_smpl_pmds, 65)).toBe(false);
  });

  it('finds bit 31 and bit 63 (sign-bit edge cases)', () => {
    for (const bit of [0, 31, 32, 63, 64, 319]) {
      const view = viewOf(40);
      A.bvSet(view, 0, bit);
      expect(A.bvNextSet(view, 0, 5)).toBe(bit);
      expect(A.bvCount(view, 0, 5)).toBe(1);
    }
  });
});

describe('u64 halves', () => {
  it('u64Lo/u64Hi/setU64Parts agree with getBigUint64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        const view = viewOf(8);
        view.setBigUint64(0, v, true);
        expect(BigInt(A.u64Hi(view, 0)) * 2n ** 32n + BigInt(A.u64Lo(view, 0))).toBe(v);
        const w = viewOf(8);
        A.setU64Parts(w, 0, A.u64Lo(view, 0), A.u64Hi(view, 0));
        expect(w.getBigUint64(0, true)).toBe(v);
      }),
    );
  });
});
