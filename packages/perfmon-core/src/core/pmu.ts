import { type PmuModel, type SchemeBinding, schemeOf } from '@pfmsim/pmu-models';
import type { V2AbiProfile } from '../abi/profiles.js';
import { CounterCodec } from '../rw/u64.js';

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
  readonly counterPmds: readonly number[];
  /** Intel Core PEBS_ENABLE: nonzero needs the PEBS sampling format (EINVAL without). */
  readonly pebsPmc: number;
  /** The model's encoding scheme bound to it: decodes counters, polices shared units. */
  readonly scheme: SchemeBinding;
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
    }
    for (const pmd of model.pmds) {
      this.pmdImpl[pmd.index] = 1;
      this.pmdCounter[pmd.index] = pmd.isCounter ? 1 : 0;
      this.pmdReadOnly[pmd.index] = pmd.type.includes('RO') ? 1 : 0;
    }
    this.counterPmds = model.counterPmds;
    this.pebsPmc = model.pmcs.find((r) => r.name === 'PEBS_ENABLE')?.index ?? -1;
    this.scheme = schemeOf(model).bind(model);
  }

  isPmcImpl(i: number): boolean {
    return i >= 0 && i < this.maxPmc && this.pmcImpl[i] === 1;
  }

  isPmdImpl(i: number): boolean {
    return i >= 0 && i < this.maxPmd && this.pmdImpl[i] === 1;
  }
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
