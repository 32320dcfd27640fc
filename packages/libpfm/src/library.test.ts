import { getModel, listModelIds } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { p6WithManyUmasks } from './fixtures.test-util.js';
import {
  amd64Revision,
  type Libpfm,
  PFM_PLM3,
  PFMLIB_AMD64_PMU,
  PFMLIB_CORE_PMU,
  PFMLIB_ERR_INVAL,
  PFMLIB_ERR_NOASSIGN,
  PFMLIB_ERR_NOTFOUND,
  PFMLIB_ERR_NOTSUPP,
  PFMLIB_I386_P6_PMU,
  PFMLIB_ITANIUM2_PMU,
  PFMLIB_VERSION,
  type PfmError,
  parseForcePmu,
  pfmInitialize,
  pfmlibMajorVersion,
  pfmlibMinorVersion,
} from './index.js';

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as PfmError).code;
  }
  return undefined;
}

describe('pfmInitialize: detection and forcing', () => {
  it('detects the host model, given as a model or an id', () => {
    const byId = pfmInitialize({ model: 'intel-p6' });
    const byModel = pfmInitialize({ model: getModel('intel-p6') });
    expect(byId.model.id).toBe('intel-p6');
    expect(byModel.model).toBe(getModel('intel-p6'));
    expect(byId.forced).toBe(false);
  });

  it('NOTSUPP without a host model or for an unknown id', () => {
    expect(code(() => pfmInitialize())).toBe(PFMLIB_ERR_NOTSUPP);
    const e = (() => {
      try {
        pfmInitialize({ model: 'pentium-9' });
      } catch (x) {
        return x as PfmError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe(PFMLIB_ERR_NOTSUPP);
    expect(e.message).toContain(`accepted: ${listModelIds().join(', ')})`);
  });

  it('forcePmu picks the first supported PMU of a type, whatever the host', () => {
    const lib = pfmInitialize({ model: 'intel-p6', forcePmu: PFMLIB_AMD64_PMU });
    expect(lib.model.id).toBe('amd64-k8');
    expect(lib.forced).toBe(true);
    expect(pfmInitialize({ forcePmu: PFMLIB_ITANIUM2_PMU }).model.id).toBe('itanium2');
    expect(code(() => pfmInitialize({ model: 'intel-p6', forcePmu: 999 }))).toBe(PFMLIB_ERR_NOTSUPP);
  });

  it('forcing AMD64 (type 16, shared by K8 and Family 10h) picks the model by CPU family', () => {
    // the host's own type: the host (issue 13: not the other AMD64 model)
    const k8 = pfmInitialize({ model: 'amd64-k8', forcePmu: PFMLIB_AMD64_PMU });
    expect([k8.model.id, k8.getPmuName(), k8.getNumEvents()]).toEqual(['amd64-k8', 'AMD64 (K8 RevF)', 87]);
    const ten = pfmInitialize({ model: 'amd64-fam10h', forcePmu: PFMLIB_AMD64_PMU });
    expect([ten.model.id, ten.getPmuName()]).toEqual(['amd64-fam10h', 'AMD64 (Family 10h RevB, Barcelona)']);
    // another host: the CPU named by LIBPFM_FORCE_PMU or the cpu option, else K8
    const byEnv = (value: string) => pfmInitialize({ model: 'intel-p6', env: { LIBPFM_FORCE_PMU: value } });
    expect([byEnv('16,16,2,2').model.id, byEnv('16,16,2,2').getPmuName()]).toEqual([
      'amd64-fam10h',
      'AMD64 (Family 10h RevB, Barcelona)',
    ]);
    expect(byEnv('16,16,4,2').getPmuName()).toBe('AMD64 (Family 10h RevC, Shanghai)');
    expect(byEnv('16,16,9,1').getPmuName()).toBe('AMD64 (Family 10h RevD, Istanbul)');
    expect(byEnv('16,16,10,0').getPmuName()).toBe('AMD64 (Family 10h RevE)');
    expect(byEnv('16,15,72,2').model.id).toBe('amd64-k8');
    expect(byEnv('16').model.id).toBe('amd64-k8');
    const byOption = pfmInitialize({ forcePmu: 16, cpu: { family: 16, model: 8, stepping: 0 } });
    expect([byOption.model.id, byOption.fam10hRevision, byOption.amd64Revision]).toEqual([
      'amd64-fam10h',
      'D',
      'F',
    ]);
    const k8ByOption = pfmInitialize({ forcePmu: 16, cpu: { family: 15, model: 0x21, stepping: 0 } });
    expect([k8ByOption.model.id, k8ByOption.getPmuName()]).toEqual(['amd64-k8', 'AMD64 (K8 RevE)']);
    // a family no supported AMD64 model is
    const none = (() => {
      try {
        byEnv('16,17,1,0');
      } catch (x) {
        return x as PfmError;
      }
      throw new Error('no error');
    })();
    expect(none.code).toBe(PFMLIB_ERR_NOTSUPP);
    expect(none.message).toBe(
      'not supported: no supported PMU of type 16 is a family 17 model 1 CPU (forced; supported: amd64-fam10h, amd64-k8)',
    );
    // detection is by model: the CPU does not change it
    expect(pfmInitialize({ model: 'amd64-k8', cpu: { family: 16, model: 2, stepping: 2 } }).model.id).toBe(
      'amd64-k8',
    );
  });

  it('LIBPFM_FORCE_PMU in env wins over forcePmu', () => {
    const lib = pfmInitialize({ model: 'intel-p6', forcePmu: 16, env: { LIBPFM_FORCE_PMU: '36' } });
    expect(lib.getPmuType()).toBe(PFMLIB_CORE_PMU);
    expect(code(() => pfmInitialize({ model: 'intel-p6', env: { LIBPFM_FORCE_PMU: '7' } }))).toBe(
      PFMLIB_ERR_NOTSUPP,
    );
  });

  it('LIBPFM_FORCE_PMU=16,family,model,stepping sets the K8 revision', () => {
    expect(parseForcePmu('16,15,20,0')).toEqual({ type: 16, amd64Revision: 'D' });
    expect(parseForcePmu('32')).toEqual({ type: 32 });
    const lib = pfmInitialize({ env: { LIBPFM_FORCE_PMU: '16,15,72,2' } });
    expect(lib.getPmuName()).toBe('AMD64 (K8 RevF)');
    expect(pfmInitialize({ env: { LIBPFM_FORCE_PMU: '16,15,5,1' } }).getPmuName()).toBe('AMD64 (K8 RevB)');
    expect(amd64Revision(15, 0x6b, 1)).toBe('G');
    expect(amd64Revision(16, 2, 2)).toBeUndefined();
  });

  it('limits the supported PMUs to `supported` plus the host', () => {
    const lib = pfmInitialize({ model: 'intel-core', supported: [getModel('intel-p6')] });
    expect(lib.isPmuSupported(PFMLIB_I386_P6_PMU)).toBe(true);
    expect(lib.isPmuSupported(PFMLIB_CORE_PMU)).toBe(true);
    expect(lib.isPmuSupported(PFMLIB_AMD64_PMU)).toBe(false);
  });
});

describe('PMU identification and registers', () => {
  const cases: [string, string, number, number, number[], number[], number[], number][] = [
    ['intel-p6', 'Intel P6 Processor Family', 32, 2, [0, 1], [0, 1], [0, 1], 32],
    ['intel-core', 'Intel Core', 36, 5, [0, 1, 16, 17], [0, 1, 16, 17, 18], [0, 1, 16, 17, 18], 32],
    [
      'intel-arch-perfmon',
      'Intel architectural PMU',
      63,
      5,
      [0, 1, 16],
      [0, 1, 16, 17, 18],
      [0, 1, 16, 17, 18],
      32,
    ],
    ['amd64-k8', 'AMD64 (K8 RevF)', 16, 4, [0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3], 48],
    ['mips64', 'MIPS5KC', 68, 2, [0, 1], [0, 1], [0, 1], 32],
    ['power5', 'POWER5', 114, 6, [0, 1, 2], [0, 1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], 64],
  ];
  it.each(cases)('%s: %s, type %i, %i counters', (id, name, type, counters, pmcs, pmds, impl, width) => {
    const lib = pfmInitialize({ model: id });
    expect(lib.getPmuName()).toBe(name);
    expect(lib.getPmuType()).toBe(type);
    expect(lib.getNumCounters()).toBe(counters);
    expect(lib.getImplPmcs().toArray()).toEqual(pmcs);
    expect(lib.getImplPmds().toArray()).toEqual(pmds);
    expect(lib.getImplCounters().toArray()).toEqual(impl);
    expect(lib.getNumPmcs()).toBe(pmcs.length);
    expect(lib.getNumPmds()).toBe(pmds.length);
    expect(lib.getHwCounterWidth()).toBe(width);
  });

  it('Itanium 2 registers reach index 271 (IBR/DBR as PMC256-271)', () => {
    const lib = pfmInitialize({ model: 'itanium2' });
    expect(lib.getImplPmcs().weight()).toBe(28);
    expect(lib.getImplPmcs().isset(271)).toBe(true);
    expect(lib.getImplCounters().toArray()).toEqual([4, 5, 6, 7]);
    expect(lib.getHwCounterWidth()).toBe(47);
  });

  it('names PMUs by type and lists them', () => {
    const lib = pfmInitialize({ model: 'intel-p6' });
    expect(lib.getPmuNameByType(PFMLIB_ITANIUM2_PMU)).toBe('itanium2');
    expect(code(() => lib.getPmuNameByType(999))).toBe(PFMLIB_ERR_INVAL);
    expect(lib.isPmuSupported(999)).toBe(false);
    const list = lib.listSupportedPmus();
    expect(list.startsWith('supported PMU models: [AMD64] ')).toBe(true);
    expect(list.endsWith('\ndetected host PMU: Intel P6 Processor Family\n')).toBe(true);
    // one entry per PMU type: K8 and Family 10h are libpfm's one AMD64 module
    const types = new Set(listModelIds().map((id) => getModel(id).libpfm.type));
    expect(list.match(/\[/g)).toHaveLength(types.size);
    expect(list.match(/\[AMD64\]/g)).toHaveLength(1);
  });

  it('reports libpfm 3.10', () => {
    const lib = pfmInitialize({ model: 'intel-p6' });
    expect(lib.version).toBe(PFMLIB_VERSION);
    expect(pfmlibMajorVersion(lib.version)).toBe(3);
    expect(pfmlibMinorVersion(lib.version)).toBe(10);
    expect(lib.getNumEvents()).toBe(getModel('intel-p6').events.length);
  });
});

describe('cycle and retired-instruction events', () => {
  const full = (lib: Libpfm, e: { event: number; unitMasks: readonly number[] }) => lib.getFullEventName(e);
  it.each([
    ['intel-p6', 'CPU_CLK_UNHALTED', 'INST_RETIRED'],
    ['intel-core', 'UNHALTED_CORE_CYCLES', 'INSTRUCTIONS_RETIRED'],
    ['amd64-k8', 'CPU_CLK_UNHALTED', 'RETIRED_INSTRUCTIONS'],
    ['intel-p4', 'GLOBAL_POWER_EVENTS:RUNNING', 'INSTR_RETIRED:NBOGUSNTAG:NBOGUSTAG'],
    ['itanium2', 'CPU_CYCLES', 'IA64_INST_RETIRED'],
    ['montecito', 'CPU_OP_CYCLES_ALL', 'IA64_INST_RETIRED'],
    ['power5', 'PM_CYC', 'PM_INST_CMPL'],
    ['mips64', 'CYCLES', 'INSNS_EXECED'],
  ])('%s: %s and %s', (id, cycles, insts) => {
    const lib = pfmInitialize({ model: id });
    expect(full(lib, lib.getCycleEvent())).toBe(cycles);
    expect(full(lib, lib.getInstRetiredEvent())).toBe(insts);
  });

  it('NOTSUPP when the model names none', () => {
    const lib = pfmInitialize({ model: p6WithManyUmasks() });
    expect(code(() => lib.getCycleEvent())).toBe(PFMLIB_ERR_NOTSUPP);
    expect(code(() => lib.getInstRetiredEvent())).toBe(PFMLIB_ERR_NOTSUPP);
  });
});

describe('the object API delegates to the lookup functions', () => {
  it('finds events and unit masks', () => {
    const lib = pfmInitialize({ model: 'intel-p6' });
    const l2 = lib.findEvent('L2_RQSTS');
    expect(lib.findEventByName('l2_rqsts')).toBe(l2);
    expect(lib.findEventByCode(0x2e)).toBe(l2);
    expect(code(() => lib.findEventByCodeNext(0x2e, l2))).toBe(PFMLIB_ERR_NOTFOUND);
    expect(lib.findEventMask(l2, 'E')).toBe(2);
    expect(lib.findFullEvent('L2_RQSTS:E')).toEqual({ event: l2, unitMasks: [2] });
    expect(lib.getEventName(l2)).toBe('L2_RQSTS');
    expect(lib.getEventDescription(l2)).not.toBe('');
    expect(lib.getEventCode(l2)).toBe(0x2e);
    expect(lib.getEventCodeCounter(l2, 1)).toBe(0x2e);
    expect(lib.getEventCounters(l2).toArray()).toEqual([0, 1]);
    expect(lib.getNumEventMasks(l2)).toBe(4);
    expect(lib.getEventMaskName(l2, 1)).toBe('S');
    expect(lib.getEventMaskCode(l2, 1)).toBe(2);
    expect(lib.getEventMaskDescription(l2, 1)).not.toBe('');
    expect(lib.getMaxEventNameLen()).toBeGreaterThan(20);
  });
});

describe('verbose mode', () => {
  it('LIBPFM_VERBOSE logs the assignment lines of every dispatch', () => {
    const lines: string[] = [];
    const lib = pfmInitialize({ model: 'intel-p6', env: { LIBPFM_VERBOSE: '1' }, log: (l) => lines.push(l) });
    expect(lib.verbose).toBe(true);
    lib.dispatchEvents({ events: [lib.findFullEvent('CPU_CLK_UNHALTED')], dflPlm: PFM_PLM3 });
    expect(lines).toEqual([
      '[PERFEVTSEL0(pmc0)=0x510079 emask=0x79 umask=0x0 os=0 usr=1 en=1 int=1 inv=0 edge=0 cnt_mask=0] CPU_CLK_UNHALTED',
      '[PMC0(pmd0)]',
    ]);
  });

  it('is off by default and LIBPFM_VERBOSE=0 overrides the option', () => {
    const lines: string[] = [];
    const quiet = pfmInitialize({ model: 'intel-p6', log: (l) => lines.push(l) });
    quiet.dispatchEvents({ events: [{ event: 0 }], dflPlm: PFM_PLM3 });
    const forcedOff = pfmInitialize({ model: 'intel-p6', verbose: true, env: { LIBPFM_VERBOSE: '0' } });
    expect(lines).toEqual([]);
    expect(forcedOff.verbose).toBe(false);
    expect(pfmInitialize({ model: 'intel-p6', verbose: true }).verbose).toBe(true);
  });

  it('INVAL for a dispatch input without an events array', () => {
    const lib = pfmInitialize({ model: 'intel-p6' });
    expect(code(() => lib.dispatchEvents({} as never))).toBe(PFMLIB_ERR_INVAL);
  });
});

describe('dispatch defaults: search mode and libpfm bugs', () => {
  it("searches as libpfm does unless told otherwise; a call's own setting wins", () => {
    const lib = pfmInitialize({ model: 'intel-core' });
    expect(lib.search).toBe('libpfm');
    expect(lib.libpfmBugs).toEqual([]);
    const events = ['MUL', 'BR_INST_DECODED', 'BR_INST_EXEC'].map((s) => lib.findFullEvent(s));
    expect(code(() => lib.dispatchEvents({ events, dflPlm: PFM_PLM3 }))).toBe(PFMLIB_ERR_NOASSIGN);
    const shared = pfmInitialize({ model: 'intel-core', libpfmBugs: ['core-shared-counter'] });
    expect(shared.dispatchEvents({ events, dflPlm: PFM_PLM3 }).pmds.map((p) => p.regNum)).toEqual([1, 0, 1]);
    expect(code(() => shared.dispatchEvents({ events, dflPlm: PFM_PLM3, libpfmBugs: [] }))).toBe(
      PFMLIB_ERR_NOASSIGN,
    );
    const p4 = pfmInitialize({ model: 'intel-p4', search: 'exhaustive' });
    expect(p4.search).toBe('exhaustive');
    const p4Events = ['branch_retired:MMNP', 'instr_retired:NBOGUSNTAG'].map((s) => p4.findFullEvent(s));
    const unavailPmcs = [51, 30, 31, 61, 62];
    expect(
      p4.dispatchEvents({ events: p4Events, dflPlm: PFM_PLM3, unavailPmcs }).pmds.map((p) => p.regNum),
    ).toEqual([15, 6]);
    expect(
      code(() => p4.dispatchEvents({ events: p4Events, dflPlm: PFM_PLM3, unavailPmcs, search: 'libpfm' })),
    ).toBe(PFMLIB_ERR_NOASSIGN);
  });
});
