import { describe, expect, it } from 'vitest';
import { decodeDflSmplEntry, decodeDflSmplHdr, encodeDflSmplArg } from '../abi/smpl-layouts.js';
import { DFL_SMPL_FMT, ENOBUFS, getU64, setU64 } from './smpl-dfl.js';
import { OVFL_CTRL_MASK, OVFL_CTRL_NOTIFY, OVFL_CTRL_RESET, OvflArg } from './smpl-fmt.js';

const ARG = 0;
const BUF = 4096;
/** "Kernel memory": the argument copy at 0, the buffer at 4096. */
function kernel(bufSize: number, flags = 0) {
  const view = new DataView(new ArrayBuffer(BUF + 8192));
  encodeDflSmplArg(view, ARG, { buf_size: BigInt(bufSize), buf_flags: flags });
  return view;
}
/** An overflow of PMD `pmd` with `values` as its sampled PMDs. */
function ovfl(pmd: number, values: bigint[]) {
  const o = new OvflArg();
  Object.assign(o, { ovflPmd: pmd, activeSet: 2, pid: 1001, tgid: 1000, cpu: 1 });
  o.lastResetLo = 0xfffe7960;
  o.lastResetHi = 0xfffffff0; // halves that differ when byte-swapped
  o.numSmplPmds = values.length;
  values.forEach((v, i) => {
    o.smplPmdsLo[i] = Number(v & 0xffffffffn);
    o.smplPmdsHi[i] = Number(v >> 32n);
  });
  return o;
}
const hdr = (view: DataView) => decodeDflSmplHdr(view, BUF);

describe('the default format: argument and header', () => {
  it('refuses a buffer smaller than header + entry + a value per implemented PMD', () => {
    expect(DFL_SMPL_FMT.validate(0, 4, kernel(199), ARG)).toBe(-22);
    expect(DFL_SMPL_FMT.validate(0, 4, kernel(200), ARG)).toBe(0);
    expect(DFL_SMPL_FMT.validate(0, 18, kernel(311), ARG)).toBe(-22);
    // a size with its high half set is large, not small (the 32-bit ETOOBIG guard is dead code)
    const huge = kernel(0);
    huge.setUint32(ARG + 4, 1, true);
    expect(DFL_SMPL_FMT.validate(0, 4, huge, ARG)).toBe(0);
    expect(DFL_SMPL_FMT.getsize(0, huge, ARG)).toBe(2 ** 32);
    expect(DFL_SMPL_FMT.getsize(0, kernel(12800), ARG)).toBe(12800);
  });

  it('writes the header: version 1.0, the requested (unaligned) size, entries start at 128', () => {
    const view = kernel(3 * 4096 + 512, 0x55);
    expect(DFL_SMPL_FMT.init(view, BUF, 0, 4, ARG)).toBe(0);
    expect(hdr(view)).toEqual({
      hdr_count: 0n,
      hdr_cur_offs: 128n,
      hdr_overflows: 0n,
      hdr_buf_size: 12800n,
      hdr_min_buf_space: 72n,
      hdr_version: 0x10000,
      hdr_buf_flags: 0x55,
    });
    expect(new Uint8Array(view.buffer, BUF + 48, 80).every((b) => b === 0)).toBe(true);
  });
});

describe('the default format: the handler', () => {
  it('writes entries back to back, keeps the one that fills the buffer, then loses samples until restart', () => {
    // 4 implemented PMDs: full below 72 bytes left; entries of 40 + 2 × 8 = 56 bytes
    const view = kernel(128 + 3 * 56 + 20);
    DFL_SMPL_FMT.init(view, BUF, 0, 4, ARG);
    new Uint8Array(view.buffer, BUF + 128, 4096).fill(0xab);
    const results: [number, number][] = [];
    for (let i = 0; i < 4; i++) {
      const o = ovfl(i, [BigInt(i) * 1000n, 0x1_0000_0002n]);
      results.push([DFL_SMPL_FMT.handler(view, BUF, o, 0x8048000 + i, 5000 + i), o.ovflCtrl]);
    }
    const full = OVFL_CTRL_NOTIFY | OVFL_CTRL_MASK;
    expect(results).toEqual([
      [0, OVFL_CTRL_RESET],
      [0, OVFL_CTRL_RESET],
      [-ENOBUFS, full], // written: 20 bytes left
      [-ENOBUFS, full], // not written
    ]);
    expect(hdr(view)).toMatchObject({ hdr_count: 3n, hdr_cur_offs: 128n + 3n * 56n, hdr_overflows: 2n });
    expect(decodeDflSmplEntry(view, BUF + 128 + 56)).toEqual({
      pid: 1001,
      ovfl_pmd: 1,
      last_reset_val: 0xffff_fff0_fffe_7960n,
      ip: 0x8048001n,
      tstamp: 5001n,
      cpu: 1,
      set: 2,
      tgid: 1000,
    });
    expect(view.getBigUint64(BUF + 128 + 56 + 40, true)).toBe(1000n);
    expect(view.getBigUint64(BUF + 128 + 56 + 48, true)).toBe(0x1_0000_0002n);
    // the reserved half-word is never written
    expect(view.getUint16(BUF + 128 + 6, true)).toBe(0xabab);
    // the fourth sample left no trace
    expect(view.getUint32(BUF + 128 + 3 * 56, true)).toBe(0xabababab);
  });

  it('writes a sample when exactly the minimum is left, and is full only below it', () => {
    // min 40 + 8 × 1 = 48; entries of 40 bytes (no sampled PMDs)
    const view = kernel(128 + 40 + 48);
    DFL_SMPL_FMT.init(view, BUF, 0, 1, ARG);
    expect(DFL_SMPL_FMT.handler(view, BUF, ovfl(0, []), 0, 0)).toBe(0);
    expect(DFL_SMPL_FMT.handler(view, BUF, ovfl(0, []), 0, 0)).toBe(-ENOBUFS);
    expect(hdr(view)).toMatchObject({ hdr_count: 2n, hdr_overflows: 1n });
  });

  it('entries can differ in size: each holds the values of its own PMD', () => {
    const view = kernel(4096);
    DFL_SMPL_FMT.init(view, BUF, 0, 4, ARG);
    DFL_SMPL_FMT.handler(view, BUF, ovfl(0, [7n]), 0, 0);
    DFL_SMPL_FMT.handler(view, BUF, ovfl(1, [8n, 9n, 10n]), 0, 0);
    expect(hdr(view).hdr_cur_offs).toBe(128n + 48n + 64n);
    expect(decodeDflSmplEntry(view, BUF + 128 + 48).ovfl_pmd).toBe(1);
    expect(view.getBigUint64(BUF + 128 + 48 + 40 + 16, true)).toBe(10n);
  });

  it('restart empties the buffer for the next round; hdr_overflows and the old bytes stay', () => {
    const view = kernel(128 + 40 + 39);
    DFL_SMPL_FMT.init(view, BUF, 0, 0, ARG);
    DFL_SMPL_FMT.handler(view, BUF, ovfl(3, []), 0x1234, 0);
    expect(hdr(view)).toMatchObject({ hdr_count: 1n, hdr_overflows: 1n });
    const ctrl = { value: 0 };
    expect(DFL_SMPL_FMT.restart(true, ctrl, view, BUF)).toBe(0);
    expect(ctrl.value).toBe(OVFL_CTRL_RESET);
    expect(hdr(view)).toMatchObject({ hdr_count: 0n, hdr_cur_offs: 128n, hdr_overflows: 1n });
    expect(decodeDflSmplEntry(view, BUF + 128).ip).toBe(0x1234n);
    expect(DFL_SMPL_FMT.exit(view, BUF)).toBe(0);
  });
});

it('u64 fields as numbers, both halves', () => {
  const view = new DataView(new ArrayBuffer(8));
  setU64(view, 0, 2 ** 40 + 5);
  expect(view.getBigUint64(0, true)).toBe(2n ** 40n + 5n);
  expect(getU64(view, 0)).toBe(2 ** 40 + 5);
});
