import { createStackStrategy } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { Errno, fail, ok } from '../abi/errno.js';
import { testWorld } from '../test-util.js';
import { SYSFS_ROOT, Sysfs } from './sysfs.js';

const { ENOENT, EACCES, EINVAL } = Errno;

/** A sysfs over a P6 system whose stats resets are counted (the system's own reset is a no-op). */
function countedSysfs() {
  const w = testWorld();
  let resets = 0;
  const fs = new Sysfs({
    version: '2.3',
    limitName: 'arg_mem_max',
    pageSize: 4096,
    pmu: w.s.pmu,
    taskSessions: () => 0,
    sysSessions: () => 0,
    fastArgs: () => 0,
    resetStats: () => {
      resets++;
    },
    smplBufferMem: () => 0,
    formats: () => [],
  });
  return { fs, resets: () => resets };
}

const READ_ONLY = [
  'version',
  'task_sessions_count',
  'sys_sessions_count',
  'smpl_buffer_mem',
  'pmd_max_fast_arg',
  'pmc_max_fast_arg',
  'pmu_desc/model',
  'pmu_desc/counter_width',
];

describe('/sys/kernel/perfmon listing', () => {
  it('lists the V18 entries, the limit file and one pmu_desc directory per implemented register', () => {
    expect(testWorld().s.sysfs.list()).toEqual([
      'version',
      'task_sessions_count',
      'sys_sessions_count',
      'smpl_buffer_mem',
      'pmd_max_fast_arg',
      'pmc_max_fast_arg',
      'debug',
      'debug_ovfl',
      'reset_stats',
      'sys_group',
      'task_group',
      'buf_size_max',
      'arg_mem_max',
      'pmu_desc/model',
      'pmu_desc/counter_width',
      'pmu_desc/pmc0/addr',
      'pmu_desc/pmc0/dfl_val',
      'pmu_desc/pmc0/name',
      'pmu_desc/pmc0/rsvd_msk',
      'pmu_desc/pmc1/addr',
      'pmu_desc/pmc1/dfl_val',
      'pmu_desc/pmc1/name',
      'pmu_desc/pmc1/rsvd_msk',
      'pmu_desc/pmd0/addr',
      'pmu_desc/pmd0/dfl_val',
      'pmu_desc/pmd0/name',
      'pmu_desc/pmd0/rsvd_msk',
      'pmu_desc/pmd1/addr',
      'pmu_desc/pmd1/dfl_val',
      'pmu_desc/pmd1/name',
      'pmu_desc/pmd1/rsvd_msk',
    ]);
    const v22 = testWorld({ abi: 'v2.2' }).s.sysfs;
    expect(v22.list()).toContain('arg_size_max');
    // v2.2 names formats by UUID: the default one has its formats/ directory (v2.3 names them only)
    expect(v22.list().filter((p) => p.startsWith('formats/'))).toEqual(['formats/default/uuid']);
    expect(v22.read('formats/default/uuid')).toEqual(ok('d139b29e-62e8-40e4-b402-73078792e937'));
    expect(v22.read('formats/other/uuid')).toEqual(fail(ENOENT));
  });

  it('every listed entry reads back, and nothing unlisted does', () => {
    const fs = testWorld().s.sysfs;
    for (const p of fs.list()) expect(fs.read(p).ok, p).toBe(true);
    expect(fs.read('arg_size_max')).toEqual(fail(ENOENT)); // the v2.2 name, absent under v2.3
    expect(fs.read('formats')).toEqual(fail(ENOENT));
  });
});

describe('/sys/kernel/perfmon reads', () => {
  it('reads the defaults of a fresh system', () => {
    const fs = testWorld().s.sysfs;
    expect(fs.read('version')).toEqual(ok('2.3'));
    expect(fs.read('task_sessions_count')).toEqual(ok('0'));
    expect(fs.read('sys_sessions_count')).toEqual(ok('0'));
    expect(fs.read('smpl_buffer_mem')).toEqual(ok('0'));
    expect(fs.read('debug')).toEqual(ok('0'));
    expect(fs.read('debug_ovfl')).toEqual(ok('0'));
    expect(fs.read('reset_stats')).toEqual(ok('0'));
    expect(fs.read('sys_group')).toEqual(ok('-1'));
    expect(fs.read('task_group')).toEqual(ok('-1'));
    expect(fs.read('buf_size_max')).toEqual(ok('18446744073709551615')); // ~0UL
    expect(fs.read('arg_mem_max')).toEqual(ok('4096')); // PAGE_SIZE
  });

  it('pmc_max_fast_arg and pmd_max_fast_arg are PFM_PMC_STK_ARG and PFM_PMD_STK_ARG', () => {
    const fs = testWorld({ strategy: createStackStrategy({ pmc: 2, pmd: 3 }) }).s.sysfs;
    expect(fs.read('pmc_max_fast_arg')).toEqual(ok('2'));
    expect(fs.read('pmd_max_fast_arg')).toEqual(ok('3'));
    expect(fs.read('smpl_buffer_mem')).toEqual(ok('0')); // no sampling buffer allocated
  });

  it('accepts the absolute path, a leading slash, or several', () => {
    const fs = testWorld().s.sysfs;
    expect(fs.write('debug', '7')).toEqual(ok());
    expect(fs.read(`${SYSFS_ROOT}/debug`)).toEqual(ok('7'));
    expect(fs.read('/debug')).toEqual(ok('7'));
    expect(fs.read('//debug')).toEqual(ok('7'));
    expect(fs.write('//debug_ovfl', '2')).toEqual(ok());
    expect(fs.read(`${SYSFS_ROOT}/debug_ovfl`)).toEqual(ok('2'));
  });

  it('pmu_desc describes each register: address, default, name and reserved mask', () => {
    const fs = testWorld().s.sysfs;
    expect(fs.read('pmu_desc/pmc0/addr')).toEqual(ok('0x186')); // MSR_P6_EVNTSEL0
    expect(fs.read('pmu_desc/pmc1/addr')).toEqual(ok('0x187'));
    expect(fs.read('pmu_desc/pmc0/dfl_val')).toEqual(ok('0x100000'));
    expect(fs.read('pmu_desc/pmc0/name')).toEqual(ok('PERFEVTSEL0'));
    expect(fs.read('pmu_desc/pmc1/name')).toEqual(ok('PERFEVTSEL1'));
    expect(fs.read('pmu_desc/pmc0/rsvd_msk')).toEqual(ok('0xffffffff00300000'));
    expect(fs.read('pmu_desc/pmc1/rsvd_msk')).toEqual(ok('0xffffffff00700000'));
    expect(fs.read('pmu_desc/pmd0/addr')).toEqual(ok('0xc1')); // MSR_P6_PERFCTR0
    expect(fs.read('pmu_desc/pmd1/name')).toEqual(ok('PERFCTR1'));
    expect(fs.read('pmu_desc/pmd0/name')).toEqual(ok('PERFCTR0'));
  });

  it('pmu_desc register numbers have several digits; unimplemented registers are ENOENT', () => {
    const fs = testWorld({ machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-core' } }).s.sysfs;
    expect(fs.read('pmu_desc/pmc16/name')).toEqual(ok('FIXED_CTRL'));
    expect(fs.read('pmu_desc/pmc16/addr')).toEqual(ok('0x38d'));
    expect(fs.read('pmu_desc/pmd18/name')).toEqual(ok('FIXED_CTR2'));
    expect(fs.read('pmu_desc/pmc2/name')).toEqual(fail(ENOENT));
    expect(fs.read('pmu_desc/pmd5/addr')).toEqual(fail(ENOENT));
  });

  it('a path that only contains a pmu_desc entry is ENOENT', () => {
    const fs = testWorld().s.sysfs;
    expect(fs.read('pmu_desc/pmc0/name_')).toEqual(fail(ENOENT));
    expect(fs.read('pmu_desc/pmc0/names')).toEqual(fail(ENOENT));
    expect(fs.read('x/pmu_desc/pmc0/name')).toEqual(fail(ENOENT));
    expect(fs.read('pmu_desc/pmc0/width')).toEqual(fail(ENOENT)); // V2.8x only
  });
});

describe('/sys/kernel/perfmon writes', () => {
  it('the read-only entries are EACCES, unknown ones ENOENT', () => {
    const fs = testWorld().s.sysfs;
    for (const p of READ_ONLY) expect(fs.write(p, '1'), p).toEqual(fail(EACCES));
    expect(fs.write('pmu_desc/pmc0/name', 'X')).toEqual(fail(EACCES));
    expect(fs.write('pmu_desc/pmd1/rsvd_msk', '0')).toEqual(fail(EACCES));
    expect(fs.write('nope', '1')).toEqual(fail(ENOENT));
    expect(fs.write('pmu_desc/pmc9/name', '1')).toEqual(fail(ENOENT));
  });

  it('each tunable keeps its own value', () => {
    const fs = testWorld().s.sysfs;
    expect(fs.write('debug', '1')).toEqual(ok());
    expect(fs.write('debug_ovfl', '2')).toEqual(ok());
    expect(fs.write('sys_group', '3')).toEqual(ok());
    expect(fs.write('task_group', '4')).toEqual(ok());
    expect(fs.write('buf_size_max', '8192')).toEqual(ok());
    expect(fs.write('arg_mem_max', '12288')).toEqual(ok());
    expect(fs.read('debug')).toEqual(ok('1'));
    expect(fs.read('debug_ovfl')).toEqual(ok('2'));
    expect(fs.read('sys_group')).toEqual(ok('3'));
    expect(fs.read('task_group')).toEqual(ok('4'));
    expect(fs.read('buf_size_max')).toEqual(ok('8192'));
    expect(fs.read('arg_mem_max')).toEqual(ok('12288'));
    expect(fs.read('reset_stats')).toEqual(ok('0'));
    expect(fs.write('sys_group', '-1')).toEqual(ok());
    expect(fs.read('sys_group')).toEqual(ok('-1'));
  });

  it('non-root writes are EACCES (the files are 0644) and change nothing', () => {
    const fs = testWorld().s.sysfs;
    expect(fs.write('task_group', '42', 1000)).toEqual(fail(EACCES));
    expect(fs.write('reset_stats', '1', 1000)).toEqual(fail(EACCES));
    expect(fs.read('task_group')).toEqual(ok('-1'));
  });

  it('buf_size_max and the argument limit accept PAGE_SIZE and refuse anything below', () => {
    const fs = testWorld().s.sysfs;
    expect(fs.write('buf_size_max', '4096')).toEqual(ok());
    expect(fs.read('buf_size_max')).toEqual(ok('4096'));
    expect(fs.write('buf_size_max', '4095')).toEqual(fail(EINVAL));
    expect(fs.read('buf_size_max')).toEqual(ok('4096'));
    expect(fs.write('arg_mem_max', '8192')).toEqual(ok());
    expect(fs.write('arg_mem_max', '4096')).toEqual(ok());
    expect(fs.read('arg_mem_max')).toEqual(ok('4096'));
    expect(fs.write('arg_mem_max', '4095')).toEqual(fail(EINVAL));
    expect(fs.write('arg_mem_max', '-1')).toEqual(fail(EINVAL));
    expect(fs.read('arg_mem_max')).toEqual(ok('4096'));
    expect(fs.read('buf_size_max')).toEqual(ok('4096')); // the two limits are separate files
  });

  it('the v2.2 limit file is arg_size_max', () => {
    const fs = testWorld({ abi: 'v2.2' }).s.sysfs;
    expect(fs.write('arg_size_max', '8192')).toEqual(ok());
    expect(fs.read('arg_size_max')).toEqual(ok('8192'));
    expect(fs.write('arg_mem_max', '8192')).toEqual(fail(ENOENT));
  });

  it('values are decimal integers; echo’s newline and blanks are accepted', () => {
    const fs = testWorld().s.sysfs;
    expect(fs.write('debug', ' 3\n')).toEqual(ok());
    expect(fs.read('debug')).toEqual(ok('3'));
    for (const bad of ['', 'x', '1e3', '12e0', '1.0', '0x10', '3 4', '99999999999999999999']) {
      expect(fs.write('debug', bad), JSON.stringify(bad)).toEqual(fail(EINVAL));
    }
    expect(fs.read('debug')).toEqual(ok('3'));
    expect(fs.write('task_group', '-7')).toEqual(ok());
    expect(fs.read('task_group')).toEqual(ok('-7'));
  });
});

describe('/sys/kernel/perfmon stats resets', () => {
  it('any write to reset_stats resets the stats and changes no tunable', () => {
    const { fs, resets } = countedSysfs();
    expect(fs.write('reset_stats', 'anything')).toEqual(ok());
    expect(resets()).toBe(1);
    expect(fs.write('reset_stats', '8192')).toEqual(ok());
    expect(resets()).toBe(2);
    expect(fs.read('reset_stats')).toEqual(ok('0'));
    expect(fs.read('arg_mem_max')).toEqual(ok('4096'));
    expect(fs.read('debug')).toEqual(ok('0'));
  });

  it('writing 0 to debug resets the stats; other values do not', () => {
    const { fs, resets } = countedSysfs();
    expect(fs.write('debug', '1')).toEqual(ok());
    expect(fs.write('debug_ovfl', '0')).toEqual(ok());
    expect(fs.write('sys_group', '0')).toEqual(ok());
    expect(resets()).toBe(0);
    expect(fs.write('debug', '0')).toEqual(ok());
    expect(resets()).toBe(1);
    expect(fs.write('debug', 'x')).toEqual(fail(EINVAL));
    expect(resets()).toBe(1);
  });
});
