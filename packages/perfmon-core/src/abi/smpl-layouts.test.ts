import { describe, expect, it } from 'vitest';
import type { StructLayout } from './layouts.js';
import {
  DFL_ENTRY_OFF,
  DFL_HDR_OFF,
  decodeDflSmplEntry,
  decodeDflSmplHdr,
  dflMinBufSize,
  dflMinBufSpace,
  encodeDflSmplArg,
  PFM_DEFAULT_SMPL_ARG_V20_LAYOUT,
  PFM_DEFAULT_SMPL_ENTRY_V20_LAYOUT,
  PFM_DEFAULT_SMPL_HDR_V20_LAYOUT,
  PFM_DEFAULT_SMPL_UUID_V20,
  PFM_DFL_SMPL_ARG_LAYOUT,
  PFM_DFL_SMPL_ENTRY_LAYOUT,
  PFM_DFL_SMPL_HDR_LAYOUT,
  PFM_DFL_SMPL_UUID,
} from './smpl-layouts.js';

const offsets = (l: { fields: readonly { name: string; offset: number; size: number }[] }) =>
  Object.fromEntries(l.fields.map((x) => [x.name, [x.offset, x.size]]));

describe('the default sampling format, byte for byte (perfmon2-sampling.md §2.1)', () => {
  it('argument 64 B, header 128 B, entry 40 B, at the reference offsets', () => {
    expect(offsets(PFM_DFL_SMPL_ARG_LAYOUT)).toEqual({
      buf_size: [0, 8],
      buf_flags: [8, 4],
      res1: [12, 4],
      reserved: [16, 48],
    });
    expect(offsets(PFM_DFL_SMPL_HDR_LAYOUT)).toEqual({
      hdr_count: [0, 8],
      hdr_cur_offs: [8, 8],
      hdr_overflows: [16, 8],
      hdr_buf_size: [24, 8],
      hdr_min_buf_space: [32, 8],
      hdr_version: [40, 4],
      hdr_buf_flags: [44, 4],
      hdr_reserved: [48, 80],
    });
    expect(offsets(PFM_DFL_SMPL_ENTRY_LAYOUT)).toEqual({
      pid: [0, 4],
      ovfl_pmd: [4, 2],
      reserved: [6, 2],
      last_reset_val: [8, 8],
      ip: [16, 8],
      tstamp: [24, 8],
      cpu: [32, 2],
      set: [34, 2],
      tgid: [36, 4],
    });
    for (const [name, [off]] of Object.entries(offsets(PFM_DFL_SMPL_HDR_LAYOUT)))
      if (name !== 'hdr_reserved') expect(DFL_HDR_OFF[name as keyof typeof DFL_HDR_OFF]).toBe(off);
    for (const [name, [off]] of Object.entries(offsets(PFM_DFL_SMPL_ENTRY_LAYOUT)))
      if (name !== 'reserved') expect(DFL_ENTRY_OFF[name as keyof typeof DFL_ENTRY_OFF]).toBe(off);
  });

  it('the v2.2 UUID, and the minimum sizes from the number of implemented PMDs', () => {
    expect(Buffer.from(PFM_DFL_SMPL_UUID).toString('hex')).toBe('d139b29e62e840e4b40273078792e937');
    // 128 + 40 + 8 * npmds (§1.3)
    expect(dflMinBufSpace(0)).toBe(40);
    expect(dflMinBufSpace(4)).toBe(72);
    expect(dflMinBufSize(4)).toBe(200);
    expect(dflMinBufSize(18)).toBe(312);
  });

  it('encodes an argument and decodes a header and an entry', () => {
    const view = new DataView(new ArrayBuffer(256));
    new Uint8Array(view.buffer).fill(0xff);
    encodeDflSmplArg(view, 0, { buf_size: 8192n, buf_flags: 3 });
    expect([view.getBigUint64(0, true), view.getUint32(8, true), view.getUint32(12, true)]).toEqual([
      8192n,
      3,
      0,
    ]);
    expect(new Uint8Array(view.buffer, 16, 48).every((b) => b === 0)).toBe(true);
    view.setBigUint64(128 + 8, 168n, true);
    view.setUint32(128 + 40, 0x10000, true);
    expect(decodeDflSmplHdr(view, 128)).toMatchObject({ hdr_cur_offs: 168n, hdr_version: 0x10000 });
    view.setUint16(4, 7, true);
    view.setBigUint64(16, 0x401000n, true);
    view.setUint32(36, 1234, true);
    expect(decodeDflSmplEntry(view, 0)).toMatchObject({ ovfl_pmd: 7, ip: 0x401000n, tgid: 1234 });
  });
});

/** A layout as its C name, variant and [field, type, offset, count, reserved] rows. */
const rows = (l: StructLayout) => [
  `${l.cName} (${l.variant}) ${l.size}`,
  ...l.fields.map((x) => [x.name, x.type, x.offset, x.count, x.reserved]),
];

describe('every sampling layout, row by row against perfmon2-sampling.md §2', () => {
  it('the default format (v2.2 and v2.3)', () => {
    expect(rows(PFM_DFL_SMPL_ARG_LAYOUT)).toEqual([
      'pfm_dfl_smpl_arg (v2) 64',
      ['buf_size', 'u64', 0, 1, false],
      ['buf_flags', 'u32', 8, 1, false],
      ['res1', 'u32', 12, 1, true],
      ['reserved', 'u64', 16, 6, true],
    ]);
    expect(rows(PFM_DFL_SMPL_HDR_LAYOUT)[0]).toBe('pfm_dfl_smpl_hdr (v2) 128');
    expect(rows(PFM_DFL_SMPL_ENTRY_LAYOUT)[0]).toBe('pfm_dfl_smpl_entry (v2) 40');
  });

  it('the IA-64 v2.0 default format (reference only)', () => {
    expect(Buffer.from(PFM_DEFAULT_SMPL_UUID_V20).toString('hex')).toBe('4d72bec00664414382b4d3fd27243c97');
    expect(rows(PFM_DEFAULT_SMPL_ARG_V20_LAYOUT)).toEqual([
      'pfm_default_smpl_arg (v2.0) 32',
      ['buf_size', 'u64', 0, 1, false],
      ['flags', 'u32', 8, 1, false],
      ['res1', 'u32', 12, 1, true],
      ['reserved', 'u64', 16, 2, true],
    ]);
    expect(rows(PFM_DEFAULT_SMPL_HDR_V20_LAYOUT)).toEqual([
      'pfm_default_smpl_hdr (v2.0) 128',
      ['hdr_count', 'u64', 0, 1, false],
      ['hdr_cur_offs', 'u64', 8, 1, false],
      ['dr_reserved2', 'u64', 16, 1, true],
      ['hdr_overflows', 'u64', 24, 1, false],
      ['hdr_buf_size', 'u64', 32, 1, false],
      ['hdr_version', 'u32', 40, 1, false],
      ['hdr_reserved1', 'u32', 44, 1, true],
      ['hdr_reserved', 'u64', 48, 10, true],
    ]);
    expect(rows(PFM_DEFAULT_SMPL_ENTRY_V20_LAYOUT)).toEqual([
      'pfm_default_smpl_entry (v2.0) 40',
      ['pid', 'u32', 0, 1, false],
      ['reserved1', 'u8', 4, 3, true],
      ['ovfl_pmd', 'u8', 7, 1, false],
      ['last_reset_val', 'u64', 8, 1, false],
      ['ip', 'u64', 16, 1, false],
      ['tstamp', 'u64', 24, 1, false],
      ['cpu', 'u16', 32, 1, false],
      ['set', 'u16', 34, 1, false],
      ['tgid', 'u32', 36, 1, false],
    ]);
  });
});

describe('the IA-64 v2.0 default format, for reference (§2.2)', () => {
  it('hdr_overflows at 24, no hdr_min_buf_space; a u8 ovfl_pmd at 7', () => {
    expect(PFM_DEFAULT_SMPL_HDR_V20_LAYOUT.field.hdr_overflows!.offset).toBe(24);
    expect(PFM_DEFAULT_SMPL_HDR_V20_LAYOUT.field.hdr_min_buf_space).toBeUndefined();
    expect(PFM_DEFAULT_SMPL_ENTRY_V20_LAYOUT.field.ovfl_pmd).toMatchObject({
      offset: 7,
      size: 1,
      repr: 'number',
    });
  });
});
