import { describe, expect, it } from 'vitest';
import * as C from './constants.js';

// Values from perfmon2-abi.md §1, §2, §5, §6, §9.1, §15.
describe('constants', () => {
  it.each([
    ['PFM_FL_NOTIFY_BLOCK', 0x01],
    ['PFM_FL_SYSTEM_WIDE', 0x02],
    ['PFM_FL_MAP_SETS', 0x10],
    ['PFM_FL_OVFL_NO_MSG', 0x80],
    ['PFM_X86_64_FL_INSECURE', 0x10000],
    ['PFM_REGFL_OVFL_NOTIFY', 0x1],
    ['PFM_REGFL_RANDOM', 0x2],
    ['PFM_REGFL_NO_EMUL64', 0x4],
    ['PFM_REG_RETFL_NOTAVAIL', 2 ** 31],
    ['PFM_REG_RETFL_EINVAL', 2 ** 30],
    ['PFM_REG_RETFL_NOSET', 2 ** 29],
    ['PFM_REG_RETFL_MASK', 0xe0000000],
    ['PFM_REGFL_PMC_ALL', 0xe0000004],
    ['PFM_REGFL_PMD_ALL', 0xe0000003],
    ['PFM_SETFL_OVFL_SWITCH', 0x01],
    ['PFM_SETFL_TIME_SWITCH', 0x02],
    ['PFM_SETFL_EXPL_NEXT', 0x04],
    ['PFM_SETFL_EXCL_IDLE', 0x08],
    ['PFM_MSG_OVFL', 1],
    ['PFM_MSG_END', 2],
    ['PFM_CTX_UNLOADED', 1],
    ['PFM_CTX_LOADED', 2],
    ['PFM_CTX_MASKED', 3],
    ['PFM_CTX_ZOMBIE', 4],
    ['PFM_CMD_STOPPED', 0x01],
    ['PFM_CMD_UNLOADED', 0x02],
    ['PFM_CMD_UNLOAD', 0x04],
    ['PFM_MAX_PMCS', 320],
    ['PFM_MAX_PMDS', 320],
    ['PFM_PMD_BV', 5],
    ['PFM_PMC_BV', 5],
    ['PFM_HW_PMD_BV', 4],
    ['PFM_MAX_NUM_SETS', 65536],
    ['PFM_MAX_MSGS', 8],
    ['PFM_GROUP_PERM_ANY', -1],
    ['PFM_RW_PMD', 1],
    ['PFM_RW_PMC', 2],
    ['PFM_ST_START', 1],
    ['PFM_ST_STOP', 2],
    ['PFM_NO_TARGET', -1],
    ['PFM_REG_NO64', 0x100],
    ['PFM_REG_C', 0x05],
  ] as const)('%s = %s', (name, value) => {
    // biome-ignore lint/performance/noDynamicNamespaceImportAccess: a table-driven test over the exports
    expect(C[name]).toBe(value);
  });

  it('RETFL bits are 1<<31, 1<<30, 1<<29 as unsigned numbers', () => {
    expect(C.PFM_REG_RETFL_NOTAVAIL).toBe((1 << 31) >>> 0);
    expect(C.PFM_REG_RETFL_EINVAL).toBe(1 << 30);
    expect(C.PFM_REG_RETFL_NOSET).toBe(1 << 29);
    expect((C.PFM_REG_RETFL_NOTAVAIL | C.PFM_REG_RETFL_EINVAL | C.PFM_REG_RETFL_NOSET) >>> 0).toBe(
      C.PFM_REG_RETFL_MASK,
    );
    expect(C.pfmRegHasError(C.PFM_REG_RETFL_NOSET)).toBe(true);
    expect(C.pfmRegHasError(C.PFM_REGFL_OVFL_NOTIFY)).toBe(false);
  });

  it('composite masks equal their parts', () => {
    expect(C.PFM_REGFL_PMC_ALL).toBe((C.PFM_REGFL_NO_EMUL64 | C.PFM_REG_RETFL_MASK) >>> 0);
    expect(C.PFM_REGFL_PMD_ALL).toBe(
      (C.PFM_REGFL_RANDOM | C.PFM_REGFL_OVFL_NOTIFY | C.PFM_REG_RETFL_MASK) >>> 0,
    );
    expect(C.PFM_REGFL_PMC_ALL_V28X).toBe(C.PFM_REGFL_NO_EMUL64);
    expect(C.PFM_REGFL_PMD_ALL_V28X).toBe(C.PFM_REGFL_RANDOM | C.PFM_REGFL_OVFL_NOTIFY);
    expect(C.PFM_REG_W).toBe(C.PFM_REG_WC | C.PFM_REG_I);
    expect(C.PFM_REG_W64).toBe(C.PFM_REG_WC | C.PFM_REG_NO64 | C.PFM_REG_I);
    expect(C.PFM_REG_I64).toBe(C.PFM_REG_NO64 | C.PFM_REG_I);
    expect(C.PFM_REG_C).toBe(C.PFM_REG_C64 | C.PFM_REG_I);
    expect(C.PFM_REG_IRO).toBe(C.PFM_REG_I | C.PFM_REG_RO);
  });

  it('bit vectors cover the 320 registers', () => {
    expect(C.PFM_PMD_BV * 64).toBeGreaterThanOrEqual(C.PFM_MAX_PMDS);
    expect((C.PFM_PMD_BV - 1) * 64).toBeLessThan(C.PFM_MAX_PMDS);
  });

  it('usable message slots per version (Q14)', () => {
    expect(C.PFM_USABLE_MSG_SLOTS).toEqual({ '2.2': 7, '2.3': 8, '3.0': 0 });
  });

  it('numbers the 12 v2 calls 0..11 in the documented order', () => {
    expect(C.PFM_SYSCALLS.map((s) => [s.offset, s.name])).toEqual([
      [0, 'pfm_create_context'],
      [1, 'pfm_write_pmcs'],
      [2, 'pfm_write_pmds'],
      [3, 'pfm_read_pmds'],
      [4, 'pfm_load_context'],
      [5, 'pfm_start'],
      [6, 'pfm_stop'],
      [7, 'pfm_restart'],
      [8, 'pfm_create_evtsets'],
      [9, 'pfm_getinfo_evtsets'],
      [10, 'pfm_delete_evtsets'],
      [11, 'pfm_unload_context'],
    ]);
    expect(C.PFM_SYSCALL_OFFSET.pfm_unload_context).toBe(11);
    expect(C.PFM_SYSCALL_OFFSET.pfm_start).toBe(5);
  });

  it('marks the six vector calls and the Q10 sizing of delete_evtsets', () => {
    const vec = C.PFM_SYSCALLS.filter((s) => s.vectorOf !== null).map((s) => [s.name, s.vectorOf]);
    expect(vec).toEqual([
      ['pfm_write_pmcs', 'pmc'],
      ['pfm_write_pmds', 'pmd'],
      ['pfm_read_pmds', 'pmd'],
      ['pfm_create_evtsets', 'setdesc'],
      ['pfm_getinfo_evtsets', 'setinfo'],
      ['pfm_delete_evtsets', 'setinfo'],
    ]);
  });

  it('numbers the five V3 calls as libpfm does', () => {
    expect(C.PFM_V3_SYSCALL_OFFSET).toEqual({
      pfm_create: 0,
      pfm_write: 1,
      pfm_read: 2,
      pfm_attach: 3,
      pfm_set_state: 4,
    });
  });
});
