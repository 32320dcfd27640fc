import { getModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { syntheticModel } from './fixtures.test-util.js';
import {
  type DispatchOutput,
  dispatchEvents,
  dispatchEventsVerbose,
  findFullEvent,
  PFM_PLM3,
  PFMLIB_ERR_EVTSET,
  PFMLIB_ERR_NOASSIGN,
  PFMLIB_PFP_SYSTEMWIDE,
} from './index.js';
import { expectPfmError } from './pfm-error.test-util.js';

type Model = ReturnType<typeof getModel>;

const input = (model: Model, specs: string[]) => ({
  events: specs.map((s) => findFullEvent(model, s)),
  dflPlm: PFM_PLM3,
});
const pmds = (o: DispatchOutput) => o.pmds.map((p) => p.regNum);
const place = (model: Model, specs: string[]) => pmds(dispatchEvents(model, input(model, specs)));

/**
 * Itanium 2 plus cache-group events the real table lacks: L2 events of set 3 (where PMC4's umask
 * binds the set) with umasks 1 and 2, L2 events of sets 1 and 2 with a non-zero umask on PMC5-7,
 * events of group 0 (no group) in different sets, and two events of an undecoded group 3.
 */
const ita2 = syntheticModel('itanium2', (f) => {
  f.id = 'test-ita2-groups';
  const base = f.events.find((e) => e.name === 'L2_REFERENCES');
  if (base === undefined) throw new Error('no L2_REFERENCES');
  const ev = (name: string, data: Record<string, unknown>, counters = [4, 5, 6, 7]) => ({
    ...base,
    name,
    counters,
    modelData: { ...base.modelData, ...data },
  });
  f.events.push(
    ev('S3_U1', { group: 2, set: 3, umask: '0x1' }),
    ev('S3_U1_B', { group: 2, set: 3, umask: '0x1' }),
    ev('S3_U2', { group: 2, set: 3, umask: '0x2' }),
    ev('S3_U0', { group: 2, set: 3, umask: '0x0' }),
    ev('S3_U1_NOT4', { group: 2, set: 3, umask: '0x1' }, [5, 6, 7]),
    ev('S1_U5_NOT4', { group: 2, set: 1, umask: '0x5' }, [5, 6, 7]),
    ev('S2_U5_NOT4', { group: 2, set: 2, umask: '0x5' }, [5, 6, 7]),
    ev('S2_U0', { group: 2, set: 2, umask: '0x0' }),
    ev('NOGROUP_SET3', { group: 0, set: 3 }),
    ev('NOGROUP_SET4', { group: 0, set: 4 }),
    ev('G3_SET0', { group: 3, set: 0 }),
    ev('G3_SET1', { group: 3, set: 1 }),
  );
});

describe('Itanium 2 cross-group checks (check_cross_groups_and_umasks)', () => {
  it('events of no group never conflict, whatever their set', () => {
    expect(place(ita2, ['NOGROUP_SET3', 'NOGROUP_SET4'])).toEqual([4, 5]);
  });

  it('L2 cache-group events of different sets → EVTSET naming both', () => {
    expectPfmError(
      () => place(ita2, ['L2_REFERENCES', 'S2_U0']),
      PFMLIB_ERR_EVTSET,
      'L2_REFERENCES (L2 cache group, set 1) and S2_U0 (set 2) cannot be measured together',
      ['L2_REFERENCES', 'S2_U0'],
    );
  });

  it('another group is named by its number', () => {
    expectPfmError(
      () => place(ita2, ['G3_SET0', 'G3_SET1']),
      PFMLIB_ERR_EVTSET,
      'G3_SET0 (3 group, set 0) and G3_SET1 (set 1)',
    );
  });

  it('L2 events of a set other than 1 and 2 with different non-zero umasks → NOASSIGN', () => {
    expectPfmError(
      () => place(ita2, ['S3_U1', 'S3_U2']),
      PFMLIB_ERR_NOASSIGN,
      'S3_U1 and S3_U2 (L2 cache group, set 3) need different umasks 0x1 and 0x2',
      ['S3_U1', 'S3_U2'],
    );
  });

  it('the same umask, or none after a umask, shares the set', () => {
    expect(place(ita2, ['S3_U1', 'S3_U1_B'])).toEqual([4, 5]);
    expect(place(ita2, ['S3_U1', 'S3_U0'])).toEqual([4, 5]);
  });

  it('sets 1 and 2 are not bound by a umask', () => {
    expect(place(ita2, ['L2_L3ACCESS_CANCEL_ANY', 'S1_U5_NOT4'])).toEqual([4, 5]);
  });
});

describe('Itanium 2 placement (valid_assign)', () => {
  it("in a set other than 1 and 2, every other L2 event needs PMC4's umask or none", () => {
    // S3_U1_NOT4 cannot take PMC4, so S3_U0 (umask 0) does, and 0x1 differs from it.
    expectPfmError(
      () => place(ita2, ['S3_U1_NOT4', 'S3_U0']),
      PFMLIB_ERR_NOASSIGN,
      'the umask of PMC4 shared by its set',
    );
  });

  it('in sets 1 and 2 the event on PMC4 imposes no umask', () => {
    expect(place(ita2, ['S1_U5_NOT4', 'L2_REFERENCES'])).toEqual([5, 4]);
    expect(place(ita2, ['S2_U5_NOT4', 'S2_U0'])).toEqual([5, 4]);
  });
});

describe('Montecito placement (pfm_mont_dispatch_counters)', () => {
  // R3 is limited to PMD4-6 and R2 to PMD4-5; every other event may use any of the 12.
  const mont = syntheticModel('montecito', (f) => {
    f.id = 'test-montecito-r';
    const base = f.events.find((e) => e.name === 'BUS_ALL_ANY');
    if (base === undefined) throw new Error('no BUS_ALL_ANY');
    f.events.push({ ...base, name: 'R3', counters: [4, 5, 6] }, { ...base, name: 'R2', counters: [4, 5] });
  });

  it('restricted events first, in input order, each on its lowest free counter; then the rest', () => {
    expect(place(mont, ['R3', 'R2', 'CPU_OP_CYCLES_ALL'])).toEqual([4, 5, 6]);
    expect(place(mont, ['CPU_OP_CYCLES_ALL', 'R3', 'R2'])).toEqual([6, 4, 5]);
  });
});

describe('IA-64 verbose lines (pfmon -v)', () => {
  it('Itanium 2: the PMC fields, then its PMD', () => {
    const r = dispatchEventsVerbose(ita2, {
      ...input(ita2, ['CPU_CYCLES', 'L2_L3ACCESS_CANCEL_ANY']),
      flags: PFMLIB_PFP_SYSTEMWIDE,
    });
    expect(r.lines).toEqual([
      '[PMC5(pmc5)=0x001268 thres=0 es=0x12 plm=8 umask=0x0 pm=1 ism=0x0 oi=1] CPU_CYCLES',
      '[PMD5(pmd5)]',
      expect.stringMatching(/^\[PMC4\(pmc4\)=0x09b068 thres=0 es=0xb0 plm=8 umask=0x9 pm=1 ism=0x0 oi=1\] /),
      '[PMD4(pmd4)]',
    ]);
  });

  it('Montecito: MESI bits and threshold before the event select', () => {
    const m = getModel('montecito');
    const r = dispatchEventsVerbose(m, input(m, ['CPU_OP_CYCLES_ALL']));
    expect(r.lines).toEqual([
      '[PMC4(pmc4)=0x2001208 m=0 e=0 s=0 i=0 thres=0 all=0 es=0x12 plm=8 umask=0x0 pm=0 ism=0x2 oi=0] CPU_OP_CYCLES_ALL',
      '[PMD4(pmd4)]',
    ]);
  });
});

describe('generic IA-64 and Montecito apply no Itanium 2 placement rule', () => {
  const gen = syntheticModel('itanium2', (f) => {
    f.id = 'test-gen-ia64-rules';
    f.libpfm = { name: 'generic IA-64', type: 1 };
  });

  it('generic: an L2 cache-group event need not be on PMC4', () => {
    expect(place(gen, ['CPU_CYCLES', 'L2_REFERENCES'])).toEqual([4, 5]);
    expect(place(ita2, ['CPU_CYCLES', 'L2_REFERENCES'])).toEqual([5, 4]);
  });

  it('Montecito: running out of counters does not blame the cache-group rule', () => {
    const mont = getModel('montecito');
    const thirteen = Array.from({ length: 13 }, () => 'CPU_OP_CYCLES_ALL');
    expectPfmError(() => place(mont, thirteen), PFMLIB_ERR_NOASSIGN, 'CPU_OP_CYCLES_ALL');
    expect(() => place(mont, thirteen)).not.toThrow(/cache-group/);
  });
});
