/**
 * x86 PERFEVTSEL (P6, Core, architectural perfmon, AMD64): one PMC per generic counter with
 * event select bits 0–7, unit mask 8–15, USR 16, OS 17, EN 22; an event code's second byte is
 * a built-in unit mask. Fixed counters (Core, architectural perfmon) share one FIXED_CTR_CTRL
 * PMC with 4 bits per counter (OS bit 0, USR bit 1), counting the event the model names.
 *
 * Options: `enablePmc` (P6: PERFEVTSEL0's EN bit enables both counters) and `northbridgeFrom`
 * (AMD64: event selects from 0xEE are Northbridge events, one context at a time).
 */
import {
  type CounterConfig,
  controllingPmcs,
  type PmcState,
  type PmuScheme,
  SCHEME_API_VERSION,
  type SchemeBinding,
  schemeOption,
} from './scheme.js';

const EN_BIT = 22;

export const x86EvtSelScheme: PmuScheme = {
  apiVersion: SCHEME_API_VERSION,
  name: 'x86-evtsel',
  summary:
    'x86 PERFEVTSEL: event 0-7, unit mask 8-15, USR 16, OS 17, EN 22; fixed counters by FIXED_CTR_CTRL',
  options: {
    enablePmc: {
      kind: 'pmc',
      description:
        "the PMC whose EN bit (22) enables every counter (P6: 0, PERFEVTSEL0); default: each counter's own PMC",
    },
    northbridgeFrom: {
      kind: 'hex',
      description:
        'event selects at or above this value are AMD Northbridge events, usable by one context at a time (K8: "0xee")',
    },
  },
  codeWidth(encoding) {
    const bits = Math.min(64, encoding.eventBits + encoding.umaskBits);
    return { bits, label: `encoding.eventBits + umaskBits (${bits})` };
  },
  pmcImage: (model, select, umask) => select | (umask << BigInt(model.encoding.eventBits)),
  workloadKey: (_model, ev) => ({ code: Number(ev.code & 0xffn), umask: Number((ev.code >> 8n) & 0xffn) }),
  bind(model): SchemeBinding {
    const control = controllingPmcs(model);
    const fixedEvent = new Float64Array(control.length).fill(-1);
    for (const ev of model.events) {
      if (ev.fixed && ev.fixed.pmd < fixedEvent.length) fixedEvent[ev.fixed.pmd] = Number(ev.code);
    }
    const firstFixed = fixedEvent.findIndex((code) => code >= 0);
    const enablePmc = schemeOption(model, 'enablePmc');
    const sharedEnable = typeof enablePmc === 'number' ? enablePmc : -1;
    const northbridge = schemeOption(model, 'northbridgeFrom');
    const northbridgeFrom = typeof northbridge === 'string' ? Number(northbridge) : Number.POSITIVE_INFINITY;
    return {
      decode(regs: PmcState, pmd: number, out: CounterConfig): void {
        out.enabled = false;
        const ctrl = control[pmd]!;
        if (ctrl < 0) return;
        const fixed = fixedEvent[pmd]!;
        if (fixed >= 0) {
          const field = (regs.pmcLo[ctrl]! >>> ((pmd - firstFixed) * 4)) & 0xf;
          out.kernel = (field & 1) !== 0;
          out.user = (field & 2) !== 0;
          out.enabled = out.kernel || out.user;
          out.code = fixed & 0xff;
          out.umask = (fixed >>> 8) & 0xff;
          return;
        }
        if (regs.usedPmcs[ctrl] !== 1) return;
        const lo = regs.pmcLo[ctrl]!;
        const enableFrom = sharedEnable >= 0 ? regs.pmcLo[sharedEnable]! : lo;
        out.enabled = ((enableFrom >>> EN_BIT) & 1) === 1;
        out.code = lo & 0xff;
        out.umask = (lo >>> 8) & 0xff;
        out.user = ((lo >>> 16) & 1) === 1;
        out.kernel = ((lo >>> 17) & 1) === 1;
      },
      sharedUnit: (_pmc, lo) => (lo & 0xff) >= northbridgeFrom,
    };
  },
};
