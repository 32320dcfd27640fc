/** The library object's own behaviour: LIBPFM_VERBOSE parsing, logging, listings, messages. */
import { getModel } from '@pfmsim/pmu-models';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { p6WithManyUmasks } from './fixtures.test-util.js';
import { PFM_PLM3, PFMLIB_ERR_NOTSUPP, pfmInitialize } from './index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('LIBPFM_VERBOSE', () => {
  it('counts only when it starts with a digit; otherwise the option decides', () => {
    const verbose = (env: string, option: boolean) =>
      pfmInitialize({ model: 'intel-p6', verbose: option, env: { LIBPFM_VERBOSE: env } }).verbose;
    expect([verbose('no', false), verbose('x1', false), verbose('', false), verbose('yes', true)]).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect([verbose('2', false), verbose('0x', true)]).toEqual([true, false]);
  });

  it('logs to stderr (console.error) when no log is given', () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const lib = pfmInitialize({ model: 'intel-p6', verbose: true });
    lib.dispatchEvents({ events: [{ event: 0, unitMasks: [] }], dflPlm: PFM_PLM3 });
    expect(stderr.mock.calls.map((c) => c[0])).toEqual([
      '[PERFEVTSEL0(pmc0)=0x510079 emask=0x79 umask=0x0 os=0 usr=1 en=1 int=1 inv=0 edge=0 cnt_mask=0] CPU_CLK_UNHALTED',
      '[PMC0(pmd0)]',
    ]);
  });
});

describe('library queries', () => {
  it('pfm_list_supported_pmus lists each supported PMU in brackets', () => {
    const lib = pfmInitialize({ model: 'intel-p6', supported: [getModel('intel-p6'), getModel('itanium2')] });
    expect(lib.listSupportedPmus()).toBe(
      `supported PMU models: [${getModel('intel-p6').libpfm.name}] [itanium2] \ndetected host PMU: ${lib.getPmuName()}\n`,
    );
  });

  it('descriptions come from the model', () => {
    const lib = pfmInitialize({ model: 'intel-p6' });
    const l2 = lib.findEvent('L2_RQSTS');
    expect(lib.getEventDescription(l2)).toBe(getModel('intel-p6').events[l2]?.description);
    expect(lib.getEventMaskDescription(l2, 1)).toBe(
      getModel('intel-p6').events[l2]?.unitMasks[1]?.description,
    );
  });

  it('NOTSUPP says which event the model does not name', () => {
    const lib = pfmInitialize({ model: p6WithManyUmasks() });
    expect(() => lib.getCycleEvent()).toThrow(
      expect.objectContaining({ code: PFMLIB_ERR_NOTSUPP, detail: 'test-p6-many names no cycle event' }),
    );
    expect(() => lib.getInstRetiredEvent()).toThrow(
      expect.objectContaining({
        code: PFMLIB_ERR_NOTSUPP,
        detail: 'test-p6-many names no retired-instructions event',
      }),
    );
  });

  it('dispatch passes the model-specific input on (counter mask, invert, edge)', () => {
    const lib = pfmInitialize({ model: 'intel-p6' });
    const input = { events: [{ event: 0, unitMasks: [] }], dflPlm: PFM_PLM3 };
    const plain = lib.dispatchEvents(input).pmcs[0]?.regValue;
    const masked = lib.dispatchEvents(input, { counters: [{ cntMask: 2, inv: true }] }).pmcs[0]?.regValue;
    expect(plain).toBe(0x510079n);
    expect(masked).toBe(0x2d10079n);
  });
});
