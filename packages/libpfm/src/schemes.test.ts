import { getModel, type PmuModel } from '@pfmsim/pmu-models';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_LIBPFM_SCHEMES,
  dispatchEvents,
  dispatcherKind,
  findEventByCode,
  findFullEvent,
  findLibpfmScheme,
  getEventCodeCounter,
  LIBPFM_SCHEME_API_VERSION,
  type LibpfmScheme,
  LibpfmSchemeRegistrationError,
  libpfmSchemeOf,
  PFM_PLM3,
  PFMLIB_ERR_NOTSUPP,
  type PfmError,
  registerLibpfmScheme,
} from './index.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

/** A model of a scheme pmu-models knows but no libpfm support is registered for (yet). */
function withScheme(id: string, scheme: string): PmuModel {
  const model = getModel(id);
  return { ...model, id: `${id}-${scheme}`, encoding: { ...model.encoding, scheme } };
}

describe('libpfm scheme registry', () => {
  it('ships one entry per pmu-models built-in scheme, found by name', () => {
    expect(BUILTIN_LIBPFM_SCHEMES.map((s) => s.scheme)).toEqual([
      'x86-evtsel',
      'p4-escr-cccr',
      'ia64-pmc',
      'power5-mmcr',
      'mips64-ctrl',
    ]);
    for (const s of BUILTIN_LIBPFM_SCHEMES) expect(findLibpfmScheme(s.scheme)).toBe(s);
    expect(findLibpfmScheme('nope')).toBeUndefined();
    expect(libpfmSchemeOf(getModel('power5'))).toBe(findLibpfmScheme('power5-mmcr'));
  });

  it('names each built-in dispatcher as libpfm does', () => {
    const kinds = ['intel-p6', 'intel-core', 'amd64-k8', 'intel-arch-perfmon', 'intel-p4', 'itanium2']
      .concat(['montecito', 'power5', 'mips64'])
      .map((id) => dispatcherKind(getModel(id)));
    expect(kinds).toEqual([
      'i386_p6',
      'core',
      'amd64',
      'gen_ia32',
      'pentium4',
      'itanium2',
      'montecito',
      'gen_powerpc',
      'gen_mips64',
    ]);
  });

  it('a scheme without libpfm support: NOTSUPP to dispatch, one code per event for lookups', () => {
    const model = withScheme('intel-p6', 'test-unsupported');
    const e = thrown(() => libpfmSchemeOf(model)) as PfmError;
    expect([e.code, e.message]).toEqual([
      PFMLIB_ERR_NOTSUPP,
      'not supported: intel-p6-test-unsupported: no dispatcher for encoding test-unsupported',
    ]);
    expect((thrown(() => dispatcherKind(model)) as PfmError).code).toBe(PFMLIB_ERR_NOTSUPP);
    expect(findEventByCode(model, 0xc0)).toBe(findEventByCode(getModel('intel-p6'), 0xc0));
    // no per-counter codes, and any counter of the PMU may be asked for
    const clk = findFullEvent(model, 'CPU_CLK_UNHALTED').event;
    expect(getEventCodeCounter(model, clk, 1)).toBe(0x79);
  });

  it('refuses another interface version and a taken name; the same object twice is fine', () => {
    const x86 = findLibpfmScheme('x86-evtsel')!;
    const future = { ...x86, scheme: 'test-v2', apiVersion: 2 } as unknown as LibpfmScheme;
    const e1 = thrown(() => registerLibpfmScheme(future));
    expect([e1 instanceof LibpfmSchemeRegistrationError, e1.name, e1.message]).toEqual([
      true,
      'LibpfmSchemeRegistrationError',
      'libpfm scheme test-v2 implements interface version 2; this libpfm supports version 1',
    ]);
    expect(findLibpfmScheme('test-v2')).toBeUndefined();
    const e2 = thrown(() => registerLibpfmScheme({ ...x86 }));
    expect(e2.message).toBe('libpfm scheme x86-evtsel is already registered by another module');
    expect(findLibpfmScheme('x86-evtsel')).toBe(x86);
    registerLibpfmScheme(x86);
    expect(findLibpfmScheme('x86-evtsel')).toBe(x86);
  });

  it('dispatches a registered plugin scheme through pfm_dispatch_events, with its hooks', () => {
    const seen: string[] = [];
    const plugin: LibpfmScheme = {
      apiVersion: LIBPFM_SCHEME_API_VERSION,
      scheme: 'test-plugin',
      dispatcher: (model) => `plugin_${model.libpfm.type}`,
      dispatch(ctx) {
        seen.push(ctx.events.map((e) => e.name).join(','));
        return {
          output: {
            pmcs: [{ regNum: 0, regValue: 0x1234n, regAddr: 0n }],
            pmds: [{ regNum: 0, regAddr: 0n }],
          },
          lines: [],
        } as unknown as ReturnType<LibpfmScheme['dispatch']>;
      },
      counterCodes: (event) => new Map([[1, Number(event.code) + 0x100]]),
      codeNeedsCounter: true,
    };
    registerLibpfmScheme(plugin);
    const model = withScheme('intel-p6', 'test-plugin');
    expect(dispatcherKind(model)).toBe('plugin_32');
    const event = findFullEvent(model, 'INST_RETIRED');
    const out = dispatchEvents(model, { events: [event], dflPlm: PFM_PLM3 });
    expect(out.pmcs.map((p) => p.regValue)).toEqual([0x1234n]);
    expect(seen).toEqual(['INST_RETIRED']);
    // per-counter codes: found by the code of counter 1, and only counter 1 has one
    expect(findEventByCode(model, 0xc0 + 0x100)).toBe(event.event);
    expect(getEventCodeCounter(model, event.event, 1)).toBe(0x1c0);
    expect(thrown(() => getEventCodeCounter(model, event.event, 0)).message).toBe(
      'invalid parameters: INST_RETIRED cannot be counted on counter 0',
    );
  });

  it('P4 refuses a counter the event cannot use; x86 does not', () => {
    const p4 = getModel('intel-p4');
    expect(findLibpfmScheme('p4-escr-cccr')?.codeNeedsCounter).toBe(true);
    expect(findLibpfmScheme('x86-evtsel')?.codeNeedsCounter).toBeUndefined();
    const retired = p4.eventByName('instr_retired')!;
    const other = p4.counterPmds.find((c) => !retired.counters.includes(c))!;
    expect(thrown(() => getEventCodeCounter(p4, retired.index, other)).message).toBe(
      `invalid parameters: INSTR_RETIRED cannot be counted on counter ${other}`,
    );
    expect(getEventCodeCounter(p4, retired.index, retired.counters[0]!)).toBe(Number(retired.code));
  });
});
