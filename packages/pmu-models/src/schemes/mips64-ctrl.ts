/**
 * MIPS64 PerfCtl: U bit 3, K bit 1, event select from bit 5 (encoding.eventBits wide); the S
 * and EXL modes do not occur in a workload. Select values differ per counter: libpfm's
 * per-counter codes are model data (`modelData.codes`, counter → select) and the workload key
 * is libpfm's whole `pmeCode` (`modelData.pmeCode`), else the event code.
 */
import {
  type CounterConfig,
  controllingPmcs,
  eventBitsCodeWidth,
  type PmcState,
  type PmuScheme,
  SCHEME_API_VERSION,
  selectTable,
} from './scheme.js';

export const mips64CtrlScheme: PmuScheme = {
  apiVersion: SCHEME_API_VERSION,
  name: 'mips64-ctrl',
  summary: 'MIPS64 PerfCtl: U 3, K 1, event from bit 5; per-counter select codes (modelData.codes)',
  options: {},
  codeWidth: eventBitsCodeWidth,
  workloadKey(_model, ev) {
    const pme = ev.modelData.pmeCode;
    return {
      code: typeof pme === 'string' || typeof pme === 'number' ? Number(pme) : Number(ev.code),
      umask: 0,
    };
  },
  checkModel(model, report) {
    // the decoder's select table has 256 entries per counter
    if (model.encoding.eventBits > 8) {
      report(
        'encoding.eventBits',
        `${model.encoding.eventBits}: the PerfCtl event field decodes at most 8 bits`,
      );
    }
  },
  bind(model) {
    const control = controllingPmcs(model);
    const selectMask = (1 << model.encoding.eventBits) - 1;
    const codeAt = selectTable(model, mips64CtrlScheme, (ev, pmd) => {
      const codes = ev.modelData.codes as Record<string, unknown> | undefined;
      return Number(codes?.[String(pmd)] ?? ev.code);
    });
    return {
      decode(regs: PmcState, pmd: number, out: CounterConfig): void {
        out.enabled = false;
        const ctrl = control[pmd]!;
        if (ctrl < 0 || regs.usedPmcs[ctrl] !== 1) return;
        const lo = regs.pmcLo[ctrl]!;
        const code = codeAt[pmd * 256 + ((lo >>> 5) & selectMask)]!;
        out.user = ((lo >>> 3) & 1) === 1;
        out.kernel = ((lo >>> 1) & 1) === 1;
        out.enabled = code >= 0 && (out.user || out.kernel);
        out.code = code;
        out.umask = 0;
      },
      sharedUnit: () => false,
    };
  },
};
