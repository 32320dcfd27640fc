/**
 * PMU identification (libpfm-and-tools.md §1.1, §1.2): which PMU models the library
 * supports, which one `pfm_initialize` picks (detection or `LIBPFM_FORCE_PMU` /
 * `pfm_force_pmu`), and its name.
 *
 * In pfmsim the "CPU" is the host model handed to {@link resolvePmu}: detection succeeds for
 * the supported PMU that is that model. A forced type picks the first supported PMU with that
 * `libpfm.type` whatever the host is, as libpfm does; no match gives NOTSUPP.
 */
import { getModel, listModelIds, type PmuModel } from '@pfmsim/pmu-models';
import { PFMLIB_AMD64_PMU, PFMLIB_MAX_PMCS, PFMLIB_MAX_PMDS, PFMLIB_NO_PMU } from './constants.js';
import type { Amd64Revision } from './dispatch-types.js';
import { PFMLIB_ERR_INVAL, PFMLIB_ERR_NOTSUPP, PfmError } from './errors.js';

/** Every model of `@pfmsim/pmu-models`, in registry order (sorted by id). */
export function registryModels(): PmuModel[] {
  return listModelIds().map((id) => getModel(id));
}

/** A model, or the model with this id (NOTSUPP naming the accepted ids when unknown). */
export function toModel(model: PmuModel | string): PmuModel {
  if (typeof model !== 'string') return model;
  const ids = listModelIds();
  if (!ids.includes(model)) {
    throw new PfmError(PFMLIB_ERR_NOTSUPP, `unknown PMU model "${model}" (accepted: ${ids.join(', ')})`);
  }
  return getModel(model);
}

/** C `atoi`: leading white space, optional sign, decimal digits; 0 when there are none. */
export function atoi(str: string): number {
  const m = /^\s*([+-]?\d+)/.exec(str);
  return m === null ? 0 : Number.parseInt(m[1] as string, 10) | 0;
}

/** libpfm `amd64_get_revision` for K8 (family 15); undefined for other families. */
export function amd64Revision(family: number, model: number, stepping: number): Amd64Revision | undefined {
  if (family !== 15) return undefined;
  switch (model >> 4) {
    case 0:
      if (model === 5 && stepping < 2) return 'B';
      if (model === 4 && stepping === 0) return 'B';
      return 'C';
    case 1:
      return 'D';
    case 2:
    case 3:
      return 'E';
    case 4:
    case 5:
    case 0xc:
      return 'F';
    case 6:
    case 7:
    case 8:
      return 'G';
    default:
      return 'B';
  }
}

/** `LIBPFM_FORCE_PMU=<type>[,family,model,stepping]` (the tail only for AMD64). */
export function parseForcePmu(value: string): { type: number; amd64Revision?: Amd64Revision } {
  const type = atoi(value);
  const parts = value.split(',');
  if (type === PFMLIB_AMD64_PMU && parts.length === 4) {
    const [, family = '', model = '', stepping = ''] = parts;
    const revision = amd64Revision(atoi(family), atoi(model), atoi(stepping));
    if (revision !== undefined) return { type, amd64Revision: revision };
  }
  return { type };
}

export interface ResolvePmuOptions {
  /** The host's PMU (what detection finds): a model or a model id. */
  readonly model?: PmuModel | string;
  /** A `PFMLIB_*_PMU` type to force; `LIBPFM_FORCE_PMU` in `env` takes precedence. */
  readonly forcePmu?: number;
  /** Environment variables (`LIBPFM_FORCE_PMU`); `process.env` is never read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The PMUs compiled in; default every registry model (the host model is always added). */
  readonly supported?: readonly PmuModel[];
  /** K8 host revision (default `F`). */
  readonly amd64Revision?: Amd64Revision;
}

export interface ResolvedPmu {
  readonly model: PmuModel;
  readonly supported: readonly PmuModel[];
  /** True when the PMU was forced rather than detected. */
  readonly forced: boolean;
  readonly amd64Revision: Amd64Revision;
}

/** `pfm_initialize`'s probe: forced type first, else detection of the host model. */
export function resolvePmu(options: ResolvePmuOptions): ResolvedPmu {
  // Stryker disable next-line ConditionalExpression: toModel(undefined) is undefined as well
  const host = options.model === undefined ? undefined : toModel(options.model);
  const supported = [...(options.supported ?? registryModels())];
  if (host !== undefined && !supported.some((m) => m.id === host.id)) supported.push(host);
  const envForce = options.env?.LIBPFM_FORCE_PMU;
  const parsed = envForce !== undefined ? parseForcePmu(envForce) : undefined;
  const forced = parsed?.type ?? options.forcePmu ?? PFMLIB_NO_PMU;
  const revision = options.amd64Revision ?? parsed?.amd64Revision ?? 'F';
  let model: PmuModel | undefined;
  if (forced !== PFMLIB_NO_PMU) {
    model = supported.find((m) => m.libpfm.type === forced);
    if (model === undefined) {
      throw new PfmError(PFMLIB_ERR_NOTSUPP, `no supported PMU has type ${forced} (forced)`);
    }
  } else {
    model = host === undefined ? undefined : supported.find((m) => m.id === host.id);
    if (model === undefined)
      throw new PfmError(PFMLIB_ERR_NOTSUPP, 'no supported PMU detected (no host model given)');
  }
  if (model.pmcs.length >= PFMLIB_MAX_PMCS || model.pmds.length >= PFMLIB_MAX_PMDS) {
    throw new PfmError(PFMLIB_ERR_NOTSUPP, `${model.id} has more registers than libpfm can describe`);
  }
  return { model, supported, forced: forced !== PFMLIB_NO_PMU, amd64Revision: revision };
}

/** The name libpfm reports: the model's `libpfm.name`, refined with the K8 revision for AMD64. */
export function pmuName(model: PmuModel, amd64Rev: Amd64Revision = 'F'): string {
  if (model.libpfm.type === PFMLIB_AMD64_PMU) return `${model.libpfm.name} (K8 Rev${amd64Rev})`;
  return model.libpfm.name;
}

/** `pfm_get_pmu_name_bytype`: the name of the first supported PMU of this type; INVAL if none. */
export function pmuNameByType(type: number, supported: readonly PmuModel[] = registryModels()): string {
  const model = supported.find((m) => m.libpfm.type === type);
  if (model === undefined) throw new PfmError(PFMLIB_ERR_INVAL, `no supported PMU has type ${type}`);
  return model.libpfm.name;
}
