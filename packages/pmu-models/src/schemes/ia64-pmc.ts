/**
 * IA-64 (Itanium 2, Montecito) counter PMCs, PMC4 and up: privilege-level mask bits 0–3
 * (bit 0 kernel, bit 3 user), event select 8–15, unit mask 16–19. An event's unit mask is
 * model data (`modelData.umask`), which libpfm programs in bits 16–19.
 */
import {
  type CounterConfig,
  controllingPmcs,
  dataNumber,
  eventBitsCodeWidth,
  type PmcState,
  type PmuScheme,
  SCHEME_API_VERSION,
} from './scheme.js';

export const ia64PmcScheme: PmuScheme = {
  apiVersion: SCHEME_API_VERSION,
  name: 'ia64-pmc',
  summary: 'IA-64 counter PMCs: plm 0-3, event select 8-15, unit mask 16-19 (modelData.umask)',
  options: {},
  codeWidth: eventBitsCodeWidth,
  workloadKey: (_model, ev) => ({
    code: Number(ev.code & 0xffn),
    umask: (dataNumber(ev.modelData.umask) ?? 0) & 0xf,
  }),
  bind(model) {
    const control = controllingPmcs(model);
    return {
      decode(regs: PmcState, pmd: number, out: CounterConfig): void {
        out.enabled = false;
        const ctrl = control[pmd]!;
        if (ctrl < 0 || regs.usedPmcs[ctrl] !== 1) return;
        const lo = regs.pmcLo[ctrl]!;
        out.user = ((lo >>> 3) & 1) === 1;
        out.kernel = (lo & 1) === 1;
        out.enabled = out.user || out.kernel;
        out.code = (lo >>> 8) & 0xff;
        out.umask = (lo >>> 16) & 0xf;
      },
      sharedUnit: () => false,
    };
  },
};
