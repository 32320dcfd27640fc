import { describe, expect, it } from 'vitest';
import { PFMLIB_ERR_NOTSUPP, PFMLIB_GEN_IA64_PMU, PFMLIB_NO_PMU, PfmError, pfmInitialize } from './index.js';

describe('PFMLIB_NO_PMU: "nothing forced"', () => {
  it('forcing PMU type 1 (generic IA-64), which no model has, is NOTSUPP and not a detection', () => {
    let error: unknown;
    try {
      pfmInitialize({ model: 'intel-p6', forcePmu: PFMLIB_GEN_IA64_PMU });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PfmError);
    expect((error as PfmError).code).toBe(PFMLIB_ERR_NOTSUPP);
    expect((error as PfmError).detail).toBe('no supported PMU has type 1 (forced)');
  });

  it('forcing PFMLIB_NO_PMU is the same as forcing nothing', () => {
    const lib = pfmInitialize({ model: 'intel-p6', forcePmu: PFMLIB_NO_PMU });
    expect(lib.model.id).toBe('intel-p6');
    expect(lib.forced).toBe(false);
  });
});
