/**
 * POWER5 MMCR0/MMCR1: MMCR0 freezes all counters (FC 0x80000000), kernel (FCS 0x40000000)
 * or user counting (FCP 0x20000000), PMC1–4 (FC1_4 0x20) or PMC5/6 (FC5_6 0x10); MMCR1
 * holds the PMCSEL byte of PMC1–4 in bits 24–31, 16–23, 8–15, 0–7. PMC5 and PMC6 count one
 * fixed event each. The unit and byte-lane selects are not decoded, so events that share a
 * PMCSEL on a counter count as the model's first; the workload key is the whole event code.
 */
import {
  type CounterConfig,
  dataNumber,
  eventBitsCodeWidth,
  type PmcState,
  type PmuScheme,
  SCHEME_API_VERSION,
  selectTable,
} from './scheme.js';

const MMCR0_FC = 0x80000000;
const MMCR0_FCS = 0x40000000;
const MMCR0_FCP = 0x20000000;
const MMCR0_FC1_4 = 0x20;
const MMCR0_FC5_6 = 0x10;

export const power5MmcrScheme: PmuScheme = {
  apiVersion: SCHEME_API_VERSION,
  name: 'power5-mmcr',
  summary: 'POWER5 MMCR0 freeze bits and MMCR1 PMCSEL bytes for PMC1-4; PMC5/6 fixed',
  options: {},
  codeWidth: eventBitsCodeWidth,
  workloadKey: (_model, ev) => ({ code: Number(ev.code), umask: 0 }),
  bind(model) {
    const mmcr0 = model.pmcs.find((r) => r.name === 'MMCR0')?.index ?? -1;
    const mmcr1 = model.pmcs.find((r) => r.name === 'MMCR1')?.index ?? -1;
    const codeAt = selectTable(model, power5MmcrScheme, (ev, pmd) =>
      pmd >= 5 ? 0 : (dataNumber(ev.modelData.pmcsel) ?? Number(ev.code)),
    );
    return {
      decode(regs: PmcState, pmd: number, out: CounterConfig): void {
        out.enabled = false;
        if (mmcr0 < 0 || regs.usedPmcs[mmcr0] !== 1 || pmd < 1 || pmd > 6) return;
        const m0 = regs.pmcLo[mmcr0]!;
        if ((m0 & MMCR0_FC) !== 0) return;
        if ((m0 & (pmd >= 5 ? MMCR0_FC5_6 : MMCR0_FC1_4)) !== 0) return;
        let sel = 0;
        if (pmd <= 4) {
          if (mmcr1 < 0) return;
          sel = (regs.pmcLo[mmcr1]! >>> (24 - 8 * (pmd - 1))) & 0xff;
        }
        const code = codeAt[pmd * 256 + sel]!;
        out.user = (m0 & MMCR0_FCP) === 0;
        out.kernel = (m0 & MMCR0_FCS) === 0;
        out.enabled = code >= 0;
        out.code = code;
        out.umask = 0;
      },
      sharedUnit: () => false,
    };
  },
};
