/**
 * A new encoding scheme is one module: registered with pmu-models, it validates models that
 * name it and the core counts with its decoder, with no change to perfmon-core.
 */
import {
  controllingPmcs,
  getModel,
  type PmuScheme,
  registerScheme,
  SCHEME_API_VERSION,
  toModelFile,
  validateModel,
} from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import { ok } from '../abi/errno.js';
import { testWorld } from '../test-util.js';
import { workloadFromEvents } from './workload.js';

/** P6's PERFEVTSEL layout without an enable bit: a counter counts when USR or OS is set. */
const NO_ENABLE_SCHEME: PmuScheme = {
  apiVersion: SCHEME_API_VERSION,
  name: 'test-evtsel-no-enable',
  summary: 'PERFEVTSEL without EN: USR 16 and OS 17 alone start a counter',
  options: {},
  codeWidth: (encoding) => ({
    bits: encoding.eventBits,
    label: `encoding.eventBits (${encoding.eventBits})`,
  }),
  workloadKey: (_model, ev) => ({ code: Number(ev.code & 0xffn), umask: 0 }),
  bind(model) {
    const control = controllingPmcs(model);
    return {
      decode(regs, pmd, out) {
        out.enabled = false;
        const ctrl = control[pmd]!;
        if (ctrl < 0 || regs.usedPmcs[ctrl] !== 1) return;
        const lo = regs.pmcLo[ctrl]!;
        out.user = ((lo >>> 16) & 1) === 1;
        out.kernel = ((lo >>> 17) & 1) === 1;
        out.enabled = out.user || out.kernel;
        out.code = lo & 0xff;
        out.umask = 0;
      },
      sharedUnit: () => false,
    };
  },
};

function p6Variant(scheme: string) {
  const file = toModelFile(getModel('intel-p6'));
  file.id = `p6-${scheme}`;
  file.encoding = { scheme, eventBits: 8, umaskBits: 8 };
  return validateModel(file);
}

describe('a scheme brought by a plugin module', () => {
  it('is refused by validation until registered, then counts with its own decoder', () => {
    const before = p6Variant(NO_ENABLE_SCHEME.name);
    expect(before.ok ? [] : before.errors.map((e) => `${e.path} [${e.rule}]`)).toEqual([
      'encoding.scheme [enum]',
    ]);

    registerScheme(NO_ENABLE_SCHEME);
    const after = p6Variant(NO_ENABLE_SCHEME.name);
    if (!after.ok) throw new Error(after.errors.map((e) => e.message).join('\n'));
    const model = after.model;

    const w = testWorld({ machine: { arch: 'i386', cost: 'p4-2006', pmu: model } });
    const fd = w.ctx();
    // CPU_CLK_UNHALTED (0x79) user only, INST_RETIRED (0xc0) kernel only; no EN bit anywhere
    const pmcs = [
      { reg_num: 0, reg_value: 0x79n | (1n << 16n) },
      { reg_num: 1, reg_value: 0xc0n | (1n << 17n) },
    ];
    expect(w.g.pfm_write_pmcs(fd, w.pmcs(pmcs), 2)).toEqual(ok(0));
    const r = w.pmds([{ reg_num: 0 }, { reg_num: 1 }]);
    expect(w.g.pfm_write_pmds(fd, r, 2)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    const rates = { CPU_CLK_UNHALTED: { user: 1, kernel: 0.5 }, INST_RETIRED: { user: 0.5, kernel: 0.25 } };
    w.s.runSync(w.t, workloadFromEvents(model, 'w', rates), 1_000_000);
    expect(w.g.pfm_read_pmds(fd, r, 2)).toEqual(ok(0));
    expect(w.readPmds(r, 2).map((d) => d.reg_value)).toEqual([1_000_000n, 250_000n]);
  });

  it('the same registers under x86-evtsel count nothing without the EN bit', () => {
    const result = p6Variant('x86-evtsel');
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
    const w = testWorld({ machine: { arch: 'i386', cost: 'p4-2006', pmu: result.model } });
    const fd = w.ctx();
    const pmcs = [{ reg_num: 0, reg_value: 0x79n | (1n << 16n) }];
    expect(w.g.pfm_write_pmcs(fd, w.pmcs(pmcs), 1)).toEqual(ok(0));
    const r = w.pmds([{ reg_num: 0 }]);
    expect(w.g.pfm_write_pmds(fd, r, 1)).toEqual(ok(0));
    expect(w.load(fd, w.t.tid)).toEqual(ok(0));
    expect(w.g.pfm_start(fd)).toEqual(ok(0));
    w.s.runSync(w.t, workloadFromEvents(result.model, 'w', { CPU_CLK_UNHALTED: 1 }), 1_000_000);
    expect(w.g.pfm_read_pmds(fd, r, 1)).toEqual(ok(0));
    expect(w.readPmds(r, 1).map((d) => d.reg_value)).toEqual([0n]);
  });
});
