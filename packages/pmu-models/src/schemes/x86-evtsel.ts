/**
 * x86 PERFEVTSEL (P6, Core, architectural perfmon, AMD64): one PMC per generic counter with
 * event select bits 0–7, unit mask 8–15, USR 16, OS 17, EN 22; an event code's second byte is
 * a built-in unit mask. Fixed counters (Core, architectural perfmon) share one FIXED_CTR_CTRL
 * PMC with 4 bits per counter (OS bit 0, USR bit 1), counting the event the model names.
 *
 * Options: `enablePmc` (P6: PERFEVTSEL0's EN bit enables both counters), `northbridgeFrom`
 * (AMD64: event selects from 0xEE are Northbridge events, one context at a time) and
 * `extendedEventSelect` (AMD Family 10h: a 12-bit event select whose bits 11:8 sit in
 * PERFEVTSEL bits 35:32; event codes are then the select alone, with no built-in unit mask).
 *
 * The event-select field is 8 bits and the unit-mask field at most 8 (PERFEVTSEL bits 7:0 and
 * 15:8): a model declaring other widths cannot be encoded and is refused (`scheme-rule`).
 */
import type { PmuModel } from '../model.js';
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
/** PERFEVTSEL bit where event-select bits 11:8 go under `extendedEventSelect` (35:32). */
const EXTENDED_SELECT_SHIFT = 32n;

/** Whether the model declares the AMD Family 10h 12-bit event select. */
function extendedSelect(model: PmuModel): boolean {
  return schemeOption(model, 'extendedEventSelect') === true;
}

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
        'event selects at or above this value are AMD Northbridge events, usable by one context at a time (K8: "0xee"); perfmon2 compares the low 8 bits of PERFEVTSEL',
    },
    extendedEventSelect: {
      kind: 'boolean',
      description:
        'AMD Family 10h: event codes are 12-bit event selects, bits 11:8 in PERFEVTSEL bits 35:32 (codes carry no built-in unit mask)',
    },
  },
  codeWidth(encoding) {
    if (encoding.options?.extendedEventSelect === true) {
      return { bits: 12, label: 'the 12-bit extended event select (encoding.options.extendedEventSelect)' };
    }
    const bits = Math.min(64, encoding.eventBits + encoding.umaskBits);
    return { bits, label: `encoding.eventBits + umaskBits (${bits})` };
  },
  checkModel(model, report) {
    const { eventBits, umaskBits } = model.encoding;
    if (eventBits !== 8) {
      report(
        'encoding.eventBits',
        `${eventBits}: the PERFEVTSEL event select is 8 bits (7:0); an AMD 12-bit event select is declared with encoding.options.extendedEventSelect: true, which puts bits 11:8 in PERFEVTSEL bits 35:32`,
      );
    }
    if (umaskBits > 8) {
      report('encoding.umaskBits', `${umaskBits}: the PERFEVTSEL unit mask is at most 8 bits (15:8)`);
    }
  },
  pmcImage(model, select, umask) {
    const image = umask << BigInt(model.encoding.eventBits);
    if (!extendedSelect(model)) return select | image;
    return (select & 0xffn) | ((select >> 8n) << EXTENDED_SELECT_SHIFT) | image;
  },
  workloadKey: (model, ev) =>
    extendedSelect(model)
      ? { code: Number(ev.code & 0xfffn), umask: 0 }
      : { code: Number(ev.code & 0xffn), umask: Number((ev.code >> 8n) & 0xffn) },
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
    // PERFEVTSEL bits 35:32 (event select 11:8) count only where the model declares them.
    const selectHiMask = extendedSelect(model) ? 0xf : 0;
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
        out.code = (lo & 0xff) | ((regs.pmcHi[ctrl]! & selectHiMask) << 8);
        out.umask = (lo >>> 8) & 0xff;
        out.user = ((lo >>> 16) & 1) === 1;
        out.kernel = ((lo >>> 17) & 1) === 1;
      },
      sharedUnit: (_pmc, lo) => (lo & 0xff) >= northbridgeFrom,
    };
  },
};
