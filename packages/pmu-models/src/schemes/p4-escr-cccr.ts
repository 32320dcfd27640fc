/**
 * Pentium 4 ESCR/CCCR pairs: a counter counts when its CCCR is enabled (bit 12) and its
 * ESCR_SELECT (bits 13–15) picks one of the ESCRs that reach it; that ESCR holds the event
 * select (bits 25–30), the event mask (9–24) and the T0/T1 OS (3/1) and USR (2/0) bits.
 * Registers are told apart by name (…CCCR…, …ESCR…); an ESCR's select number comes from
 * the `cccrSelect` of the first event that uses it (`modelData.escrs`).
 */
import {
  type CounterConfig,
  dataNumber,
  eventBitsCodeWidth,
  type PmcState,
  type PmuScheme,
  SCHEME_API_VERSION,
} from './scheme.js';

export const p4EscrCccrScheme: PmuScheme = {
  apiVersion: SCHEME_API_VERSION,
  name: 'p4-escr-cccr',
  summary: 'Pentium 4 ESCR/CCCR pairs: CCCR enable 12 and ESCR select 13-15; ESCR event 25-30, mask 9-24',
  options: {},
  codeWidth: eventBitsCodeWidth,
  workloadKey: (_model, ev) => ({ code: Number(ev.code & 0x3fn), umask: 0 }),
  bind(model) {
    const nd = Math.max(1, model.maxPmd);
    const nc = Math.max(1, model.maxPmc);
    const cccrOf = new Int16Array(nd).fill(-1);
    const escrsOf: number[][] = Array.from({ length: nd }, () => []);
    const escrSelect = new Int16Array(nc).fill(-1);
    for (const pmc of model.pmcs) {
      for (const d of pmc.controls) {
        if (d >= nd) continue;
        if (/CCCR/.test(pmc.name)) cccrOf[d] = pmc.index;
        else if (/ESCR/.test(pmc.name)) escrsOf[d]!.push(pmc.index);
      }
    }
    for (const ev of model.events) {
      const select = dataNumber(ev.modelData.cccrSelect);
      const escrs = ev.modelData.escrs;
      if (select === undefined || !Array.isArray(escrs)) continue;
      // The first event naming an ESCR gives its select: libpfm-3.10's table (after the SDM)
      // gives b2b_cycles, bnr, snoop and response select 3 on the FSB ESCRs, whose select is 6.
      for (const e of escrs)
        if (typeof e === 'number' && e >= 0 && e < nc && escrSelect[e] === -1) escrSelect[e] = select;
    }
    return {
      decode(regs: PmcState, pmd: number, out: CounterConfig): void {
        out.enabled = false;
        const cccr = cccrOf[pmd]!;
        if (cccr < 0 || regs.usedPmcs[cccr] !== 1) return;
        const c = regs.pmcLo[cccr]!;
        if (((c >>> 12) & 1) === 0) return;
        const select = (c >>> 13) & 7;
        for (const e of escrsOf[pmd]!) {
          if (escrSelect[e] !== select || regs.usedPmcs[e] !== 1) continue;
          const lo = regs.pmcLo[e]!;
          out.code = (lo >>> 25) & 0x3f;
          out.umask = (lo >>> 9) & 0xffff;
          out.user = (lo & 0b101) !== 0;
          out.kernel = (lo & 0b1010) !== 0;
          out.enabled = out.user || out.kernel;
          return;
        }
      },
      sharedUnit: () => false,
    };
  },
};
