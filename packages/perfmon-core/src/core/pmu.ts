import type { PmuModel } from '@pfmsim/pmu-models';
import type { V2AbiProfile } from '../abi/profiles.js';
import { CounterCodec } from '../rw/u64.js';
import { eventWorkloadKey } from './workload.js';

const M32 = 0xffffffffn;

/**
 * A PMU description module loaded into the simulated kernel (perfmon2's pfm_pmu_config): the
 * model's register tables flattened into typed arrays indexed by register number, with the
 * reserved-bit masks in the meaning of the ABI profile (v2.2 tables say 1 = writable, v2.3
 * 1 = reserved, quirk Q13; the V18 POWER5 table forces every write to the default value).
 */
export class PmuBinding {
  readonly width: number;
  readonly maxPmc: number;
  readonly maxPmd: number;
  readonly pmcImpl: Uint8Array;
  readonly pmcNo64: Uint8Array;
  readonly pmcDflLo: Uint32Array;
  readonly pmcDflHi: Uint32Array;
  /** Reserved bits (1 = reserved, forced to the default) as the running kernel applies them. */
  readonly pmcRsvdLo: Uint32Array;
  readonly pmcRsvdHi: Uint32Array;
  readonly pmcNoEmulLo: Uint32Array;
  readonly pmcNoEmulHi: Uint32Array;
  readonly pmdImpl: Uint8Array;
  readonly pmdCounter: Uint8Array;
  readonly pmdReadOnly: Uint8Array;
  /** For each PMD, the PMC that controls it (-1 if none). */
  readonly pmdControl: Int16Array;
  /** For fixed-counter PMDs, the event code they count (else -1). */
  readonly pmdFixedEvent: Float64Array;
  readonly counterPmds: readonly number[];
  /** Intel Core PEBS_ENABLE: nonzero needs the PEBS sampling format (EINVAL without). */
  readonly pebsPmc: number;
  /** AMD64: Northbridge events (code >= 0xEE) belong to one context at a time (EBUSY). */
  readonly northbridge: boolean;
  /** P4: for each counter PMD, its CCCR (-1 if none) and the ESCRs that reach it. */
  readonly p4Cccr: Int16Array;
  readonly p4Escrs: readonly (readonly number[])[];
  /** P4: each ESCR's select number (the CCCR ESCR_SELECT value that picks it), or -1. */
  readonly p4EscrSelect: Int16Array;
  /**
   * POWER5 and MIPS64: per counter PMD p and hardware select value v (POWER5 MMCR1 PMCSEL,
   * MIPS PerfCtl event field), the workload code of the event counted, at [p * 256 + v]
   * (-1: none). POWER5's PMC5/PMC6 count one event each, at v = 0.
   */
  readonly selectCode: Float64Array;
  /** POWER5: MMCR0 and MMCR1 (-1 on other PMUs). */
  readonly mmcr0: number;
  readonly mmcr1: number;
  /** (upper, hw) <-> u64 conversions for this counter width. */
  readonly codec: CounterCodec;

  constructor(
    readonly model: PmuModel,
    profile: V2AbiProfile,
  ) {
    this.width = model.counterWidth;
    this.codec = new CounterCodec(this.width);
    this.maxPmc = model.maxPmc;
    this.maxPmd = model.maxPmd;
    const nc = Math.max(1, this.maxPmc);
    const nd = Math.max(1, this.maxPmd);
    this.pmcImpl = new Uint8Array(nc);
    this.pmcNo64 = new Uint8Array(nc);
    this.pmcDflLo = new Uint32Array(nc);
    this.pmcDflHi = new Uint32Array(nc);
    this.pmcRsvdLo = new Uint32Array(nc);
    this.pmcRsvdHi = new Uint32Array(nc);
    this.pmcNoEmulLo = new Uint32Array(nc);
    this.pmcNoEmulHi = new Uint32Array(nc);
    this.pmdImpl = new Uint8Array(nd);
    this.pmdCounter = new Uint8Array(nd);
    this.pmdReadOnly = new Uint8Array(nd);
    this.pmdControl = new Int16Array(nd).fill(-1);
    this.pmdFixedEvent = new Float64Array(nd).fill(-1);
    for (const pmc of model.pmcs) {
      const i = pmc.index;
      this.pmcImpl[i] = 1;
      this.pmcNo64[i] = pmc.type.includes('NO64') ? 1 : 0;
      this.pmcDflLo[i] = Number(pmc.defaultValue & M32);
      this.pmcDflHi[i] = Number((pmc.defaultValue >> 32n) & M32);
      const rsvd =
        !profile.rsvdMaskMeansReserved && pmc.reservedMaskV22 !== undefined
          ? ~pmc.reservedMaskV22 & ((1n << 64n) - 1n)
          : pmc.reservedMask;
      this.pmcRsvdLo[i] = Number(rsvd & M32);
      this.pmcRsvdHi[i] = Number((rsvd >> 32n) & M32);
      this.pmcNoEmulLo[i] = Number(pmc.noEmul64Mask & M32);
      this.pmcNoEmulHi[i] = Number((pmc.noEmul64Mask >> 32n) & M32);
      for (const d of pmc.controls) if (d < nd && this.pmdControl[d] === -1) this.pmdControl[d] = i;
    }
    for (const pmd of model.pmds) {
      this.pmdImpl[pmd.index] = 1;
      this.pmdCounter[pmd.index] = pmd.isCounter ? 1 : 0;
      this.pmdReadOnly[pmd.index] = pmd.type.includes('RO') ? 1 : 0;
    }
    for (const ev of model.events) {
      if (ev.fixed && ev.fixed.pmd < nd) this.pmdFixedEvent[ev.fixed.pmd] = Number(ev.code);
    }
    this.counterPmds = model.counterPmds;
    this.pebsPmc = model.pmcs.find((r) => r.name === 'PEBS_ENABLE')?.index ?? -1;
    this.p4Cccr = new Int16Array(nd).fill(-1);
    this.p4EscrSelect = new Int16Array(nc).fill(-1);
    const escrs: number[][] = Array.from({ length: nd }, () => []);
    if (model.encoding.scheme === 'p4-escr-cccr') {
      for (const pmc of model.pmcs) {
        for (const d of pmc.controls) {
          if (d >= nd) continue;
          if (/CCCR/.test(pmc.name)) this.p4Cccr[d] = pmc.index;
          else if (/ESCR/.test(pmc.name)) escrs[d]!.push(pmc.index);
        }
      }
      // An ESCR's select number is what every event on it puts in the CCCR (model data).
      for (const ev of model.events) {
        const md = ev.modelData as { escrs?: number[]; cccrSelect?: number };
        for (const e of md.escrs ?? [])
          if (e < nc && md.cccrSelect !== undefined) this.p4EscrSelect[e] = md.cccrSelect;
      }
    }
    this.p4Escrs = escrs;
    this.northbridge = model.id === 'amd64-k8';
    this.mmcr0 = model.pmcs.find((r) => r.name === 'MMCR0')?.index ?? -1;
    this.mmcr1 = model.pmcs.find((r) => r.name === 'MMCR1')?.index ?? -1;
    this.selectCode = selectCodes(model, nd);
  }

  isPmcImpl(i: number): boolean {
    return i >= 0 && i < this.maxPmc && this.pmcImpl[i] === 1;
  }

  isPmdImpl(i: number): boolean {
    return i >= 0 && i < this.maxPmd && this.pmdImpl[i] === 1;
  }
}

/** The `selectCode` table; the first event of the model wins where two share a select value. */
function selectCodes(model: PmuModel, nd: number): Float64Array {
  const scheme = model.encoding.scheme;
  if (scheme !== 'power5-mmcr' && scheme !== 'mips64-ctrl') return new Float64Array(0);
  const table = new Float64Array(nd * 256).fill(-1);
  for (const ev of model.events) {
    const md = ev.modelData as { pmcsel?: unknown; codes?: Record<string, unknown> };
    const code = eventWorkloadKey(model, ev).code;
    for (const p of ev.counters) {
      if (p >= nd) continue;
      let v: number;
      if (scheme === 'power5-mmcr') v = p >= 5 ? 0 : Number(md.pmcsel ?? ev.code) & 0xff;
      else v = Number(md.codes?.[String(p)] ?? ev.code) & 0xff;
      if (Number.isInteger(v) && table[p * 256 + v] === -1) table[p * 256 + v] = code;
    }
  }
  return table;
}

const bindings = new WeakMap<PmuModel, Map<string, PmuBinding>>();

/** The binding of a model under a profile; bindings are immutable, so systems share them. */
export function pmuBinding(model: PmuModel, profile: V2AbiProfile): PmuBinding {
  let byProfile = bindings.get(model);
  if (!byProfile) {
    byProfile = new Map();
    bindings.set(model, byProfile);
  }
  const key = profile.rsvdMaskMeansReserved ? 'v2.3' : 'v2.2';
  let b = byProfile.get(key);
  if (!b) {
    b = new PmuBinding(model, profile);
    byProfile.set(key, b);
  }
  return b;
}
