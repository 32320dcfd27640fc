import { describe, expect, it } from 'vitest';
import { PFM_DFL_SMPL_UUID } from '../abi/smpl-layouts.js';
import { DFL_SMPL_FMT } from './smpl-dfl.js';
import { formatUuid, type SmplFormat, SmplFormats } from './smpl-fmt.js';

const other = (over: Partial<SmplFormat>): SmplFormat => ({
  ...DFL_SMPL_FMT,
  name: 'other',
  uuid: Array.from({ length: 16 }, (_, i) => i + 1),
  ...over,
});

describe('registering sampling formats (perfmon_fmt.c)', () => {
  it('finds a format by name and by UUID, and lists the names in order', () => {
    const r = new SmplFormats();
    expect(r.register(DFL_SMPL_FMT, true, 4096)).toBe(0);
    expect(r.register(other({}), true, 4096)).toBe(0);
    expect(r.names()).toEqual(['default', 'other']);
    expect(r.byName('default')).toBe(DFL_SMPL_FMT);
    expect(r.byName('nope')).toBeUndefined();
    const bytes = new Uint8Array(20);
    bytes.set(PFM_DFL_SMPL_UUID, 4);
    expect(r.byUuid(bytes, 4)).toBe(DFL_SMPL_FMT);
    bytes[19] = 0;
    expect(r.byUuid(bytes, 4)).toBeUndefined();
    expect(r.unregister('other')).toBe(0);
    expect(r.unregister('other')).toBe(-22);
    expect(r.names()).toEqual(['default']);
  });

  it('EINVAL: no name, no handler, a null UUID where formats go by UUID, qdepth over 8, an argument over a page', () => {
    const r = new SmplFormats();
    expect(r.register(other({ name: '' }), false, 4096)).toBe(-22);
    expect(r.register(other({ handler: undefined as never }), false, 4096)).toBe(-22);
    expect(r.register(other({ uuid: null }), true, 4096)).toBe(-22);
    expect(r.register(other({ uuid: new Array(16).fill(0) }), true, 4096)).toBe(-22);
    expect(r.register(other({ qdepth: 9 }), true, 4096)).toBe(-22);
    expect(r.register(other({ argSize: 4097 }), true, 4096)).toBe(-22);
    expect(r.names()).toEqual([]);
    // by name only: no UUID needed; the limits hold exactly
    expect(r.register(other({ uuid: null, qdepth: 8, argSize: 4096 }), false, 4096)).toBe(0);
  });

  it('EBUSY: a name or a UUID already registered', () => {
    const r = new SmplFormats();
    r.register(DFL_SMPL_FMT, true, 4096);
    expect(r.register(other({ name: 'default' }), true, 4096)).toBe(-16);
    expect(r.register(other({ uuid: PFM_DFL_SMPL_UUID }), true, 4096)).toBe(-16);
    expect(r.register(other({ uuid: null }), false, 4096)).toBe(0);
    expect(r.register(other({ name: 'third', uuid: null }), false, 4096)).toBe(0);
  });

  it('prints a UUID as sysfs does', () => {
    expect(formatUuid(PFM_DFL_SMPL_UUID)).toBe('d139b29e-62e8-40e4-b402-73078792e937');
  });
});
