import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Layouts from './layouts.js';
import { getAbiProfile, listAbiProfiles } from './profiles.js';

describe('v3 (perfmon3, §15) facts', () => {
  const v3 = getAbiProfile('v3');

  it('is a V19-lineage profile: fd returned, rsvd_msk = reserved, copy before fd lookup', () => {
    expect(v3.family).toBe('v3');
    expect(v3.versionString).toBe('3.0');
    expect(v3.rsvdMaskMeansReserved).toBe(true);
    expect(v3.createContextReturnsFd).toBe(true);
    expect(v3.loadContextFaultBeforeBadf).toBe(true);
  });

  it('names its limit arg_mem_max (§8 V3 sysfs), keeps ns, and has no formats or random resets', () => {
    expect(v3.limitName).toBe('arg_mem_max');
    expect(v3.timeoutUnit).toBe('ns');
    expect(v3.samplingFormatBy).toBe('none');
    expect(v3.randomReset).toBe('none');
  });

  it('has the 16-B pfarg_pmr and the 112-B pfarg_sinfo', () => {
    expect(v3.sizes).toEqual({ pmr: 16, sinfo: 112 });
    expect(v3.layouts.pmr.size).toBe(16);
  });
});

describe('profile descriptions agree with the profile data', () => {
  it('each names its kernel and the struct sizes that set it apart', () => {
    const v22 = getAbiProfile('v2.2');
    const v23 = getAbiProfile('v2.3');
    const compact = getAbiProfile('v2-compact');
    const v3 = getAbiProfile('v3');
    expect(v22.description).toContain('V18, 2.6.18');
    expect(v22.description).toContain(`${v22.sizes.ctx}-B pfarg_ctx`);
    expect(v22.description).toContain('µs set timeouts');
    expect(v23.description).toContain('V19, 2.6.19');
    expect(v23.description).toContain(`${v23.sizes.ctx}-B pfarg_ctx`);
    expect(v23.description).toContain('ns set timeouts');
    expect(compact.description).toContain(
      `pfarg_pmc ${compact.sizes.pmc} B, pfarg_pmd ${compact.sizes.pmd} B, setdesc ${compact.sizes.setdesc} B, setinfo ${compact.sizes.setinfo} B`,
    );
    expect(v3.description).toContain('perfmon3');
    expect(v3.description).toContain(`${v3.sizes.pmr}-B pfarg_pmr`);
    expect(new Set(listAbiProfiles().map((p) => p.description)).size).toBe(4);
  });
});

// The hot-path accessors use fixed offsets, so building the profiles must refuse a layout table
// that moves or drops a hot field, or whose set_timeout disagrees between structs or with the
// profile's unit. Each case loads the profiles against a deliberately broken layouts module.
describe('profiles refuse an inconsistent layout table when they load', () => {
  type LayoutsModule = typeof Layouts;
  type Patch = (real: LayoutsModule) => Partial<LayoutsModule>;

  async function loadProfilesWith(patch: Patch): Promise<unknown> {
    vi.resetModules();
    vi.doMock('./layouts.js', async (importOriginal) => {
      const real = await importOriginal<LayoutsModule>();
      return { ...real, ...patch(real) };
    });
    try {
      await import('./profiles.js');
      return undefined;
    } catch (e) {
      return e;
    }
  }

  afterEach(() => {
    vi.doUnmock('./layouts.js');
    vi.resetModules();
  });

  function expectLayoutError(e: unknown, message: string): void {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).name).toBe('AbiLayoutError');
    expect((e as Error).message).toBe(message);
  }

  it('loads with the real tables', async () => {
    expect(await loadProfilesWith(() => ({}))).toBeUndefined();
  });

  it('a v2 pfarg_pmd with reg_value moved', async () => {
    const e = await loadProfilesWith(({ defineStruct, layoutField: f }) => ({
      PFARG_PMD_LAYOUT: defineStruct('pfarg_pmd', 'v2', 16, [
        f('reg_num', 'u16', 0),
        f('reg_set', 'u16', 2),
        f('reg_flags', 'u32', 4),
        f('reg_long_reset', 'u64', 8),
      ]),
    }));
    expectLayoutError(e, 'v2.2: pfarg_pmd.reg_value at undefined, hot accessors assume 8');
  });

  it('a compact pfarg_load without load_set', async () => {
    const e = await loadProfilesWith(({ defineStruct, layoutField: f, reservedLayoutField: rsv }) => ({
      PFARG_LOAD_COMPACT_LAYOUT: defineStruct('pfarg_load', 'compact', 8, [
        f('load_pid', 'u32', 0),
        rsv('load_reserved1', 'u32', 4),
      ]),
    }));
    expectLayoutError(e, 'v2-compact: pfarg_load.load_set at undefined, hot accessors assume 4');
  });

  it('a pfarg_msg with msg_ovfl_cpu and msg_active_set swapped', async () => {
    const e = await loadProfilesWith(({ defineStruct, layoutField: f }) => ({
      PFARG_MSG_LAYOUT: defineStruct('pfarg_msg', 'v2', 56, [
        f('msg_type', 'u32', 0),
        f('msg_ovfl_pid', 'u32', 4),
        f('msg_ovfl_pmds', 'u64', 8, 4),
        f('msg_ovfl_cpu', 'u16', 40),
        f('msg_active_set', 'u16', 42),
        f('msg_ovfl_tid', 'u32', 44),
        f('msg_ovfl_ip', 'u64', 48),
      ]),
    }));
    expectLayoutError(e, 'v2.2: pfarg_msg.msg_active_set at 42, hot accessors assume 40');
  });

  it('a v3 pfarg_pmr with reg_num after reg_flags', async () => {
    const e = await loadProfilesWith(({ defineStruct, layoutField: f, reservedLayoutField: rsv }) => ({
      PFARG_PMR_LAYOUT: defineStruct('pfarg_pmr', 'v3', 16, [
        f('reg_flags', 'u32', 0),
        f('reg_num', 'u16', 4),
        rsv('reg_res1', 'u16', 6),
        f('reg_value', 'u64', 8),
      ]),
    }));
    expectLayoutError(e, 'v3: pfarg_pmr.reg_num at 4, hot accessors assume 0');
  });

  const setdescWithout = ({ defineStruct, layoutField: f, reservedLayoutField: rsv }: LayoutsModule) =>
    defineStruct('pfarg_setdesc', 'v2.3', 64, [
      f('set_id', 'u16', 0),
      f('set_id_next', 'u16', 2),
      f('set_flags', 'u32', 4),
      rsv('set_reserved0', 'u64', 8),
      f('set_mmap_offset', 'u64', 16),
      rsv('reserved', 'u64', 24, 5),
    ]);

  it('a pfarg_setdesc without set_timeout', async () => {
    const e = await loadProfilesWith((real) => ({ PFARG_SETDESC_V23_LAYOUT: setdescWithout(real) }));
    expectLayoutError(e, 'v2.3: set_timeout must exist with one type in setdesc and setinfo');
  });

  it('a pfarg_setinfo without set_timeout', async () => {
    const e = await loadProfilesWith((real) => ({
      PFARG_SETINFO_V23_LAYOUT: real.defineStruct('pfarg_setinfo', 'v2.3', 16, [
        real.layoutField('set_id', 'u16', 0),
        real.layoutField('set_id_next', 'u16', 2),
        real.layoutField('set_flags', 'u32', 4),
        real.reservedLayoutField('set_reserved0', 'u64', 8),
      ]),
    }));
    expectLayoutError(e, 'v2.3: set_timeout must exist with one type in setdesc and setinfo');
  });

  it('set_timeout a u32 in setdesc but a u64 in setinfo', async () => {
    const e = await loadProfilesWith((real) => ({ PFARG_SETDESC_V23_LAYOUT: real.PFARG_SETDESC_V22_LAYOUT }));
    expectLayoutError(e, 'v2.3: set_timeout must exist with one type in setdesc and setinfo');
  });

  it('a u64 set_timeout in the µs profile (v2.2 is a u32 µs)', async () => {
    const e = await loadProfilesWith((real) => ({
      PFARG_SETDESC_V22_LAYOUT: real.PFARG_SETDESC_V23_LAYOUT,
      PFARG_SETINFO_V22_LAYOUT: real.PFARG_SETINFO_V23_LAYOUT,
    }));
    expectLayoutError(e, 'v2.2: set_timeout type u64 vs unit us');
  });

  it('a u32 set_timeout in an ns profile', async () => {
    const e = await loadProfilesWith((real) => ({
      PFARG_SETDESC_V23_LAYOUT: real.PFARG_SETDESC_V22_LAYOUT,
      PFARG_SETINFO_V23_LAYOUT: real.PFARG_SETINFO_V22_LAYOUT,
    }));
    expectLayoutError(e, 'v2.3: set_timeout type u32 vs unit ns');
  });
});
