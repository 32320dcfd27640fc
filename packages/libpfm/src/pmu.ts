/**
 * PMU identification (libpfm-and-tools.md §1.1, §1.2): which PMU models the library
 * supports, which one `pfm_initialize` picks (detection or `LIBPFM_FORCE_PMU` /
 * `pfm_force_pmu`), and its name.
 *
 * In pfmsim the "CPU" is the host model handed to {@link resolvePmu}: detection succeeds for
 * the supported PMU that is that model. A forced type picks the supported PMU with that
 * `libpfm.type`; no match gives NOTSUPP. Where several PMUs share a type (AMD64: K8 and
 * Family 10h), libpfm tells them apart by the CPU's family and model (`amd64_get_revision`):
 * the CPU of `LIBPFM_FORCE_PMU=16,family,model,stepping` or of the `cpu` option picks the
 * model whose `cpu` matches; without one, the host model when it has the forced type, else
 * the type's default CPU (AMD64: K8 family 15, the K8 RevF pfmsim has always assumed).
 */
import { cpuMatches, getModel, listModelIds, type PmuModel } from '@pfmsim/pmu-models';
import { PFMLIB_AMD64_PMU, PFMLIB_MAX_PMCS, PFMLIB_MAX_PMDS, PFMLIB_NO_PMU } from './constants.js';
import type { Amd64Revision, Fam10hRevision } from './dispatch-types.js';
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

/** libpfm `amd64_get_revision` for Family 10h (family 16): models 4–6 C, 8–9 D, 10 E, else B. */
export function fam10hRevision(model: number): Fam10hRevision {
  if (model >= 4 && model <= 6) return 'C';
  if (model === 8 || model === 9) return 'D';
  return model === 10 ? 'E' : 'B';
}

/** A CPU as libpfm identifies it (cpuid family with the extended family, model, stepping). */
export interface CpuId {
  readonly family: number;
  readonly model: number;
  readonly stepping: number;
}

/** The CPU of `LIBPFM_FORCE_PMU=16,<family>,<model>,<stepping>` (AMD64 only, all three given). */
export function parseForceCpu(value: string): CpuId | undefined {
  const parts = value.split(',');
  if (atoi(value) !== PFMLIB_AMD64_PMU || parts.length !== 4) return undefined;
  const [, family = '', model = '', stepping = ''] = parts;
  return { family: atoi(family), model: atoi(model), stepping: atoi(stepping) };
}

/** The CPU a type falls back to when nothing names one (AMD64: a K8 RevF, family 15 model 0x41). */
const DEFAULT_CPU: Readonly<Record<number, CpuId>> = {
  [PFMLIB_AMD64_PMU]: { family: 15, model: 0x41, stepping: 2 },
};

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
  /** K8 host revision (default `F`, or the revision of a family 15 `cpu`). */
  readonly amd64Revision?: Amd64Revision;
  /**
   * The host CPU (what cpuid says): tells apart the PMUs of a forced type that share it, and
   * gives the K8 or Family 10h revision. `LIBPFM_FORCE_PMU`'s family, model and stepping
   * take precedence.
   */
  readonly cpu?: CpuId;
}

export interface ResolvedPmu {
  readonly model: PmuModel;
  readonly supported: readonly PmuModel[];
  /** True when the PMU was forced rather than detected. */
  readonly forced: boolean;
  readonly amd64Revision: Amd64Revision;
  /** The Family 10h revision (default `B`, libpfm's Barcelona). */
  readonly fam10hRevision: Fam10hRevision;
  /** The CPUID model of the host CPU, when known (`cpu`, the `LIBPFM_FORCE_PMU` tail). */
  readonly cpuModel?: number;
}

/** The supported PMU of a forced type: by CPU where several share the type. */
function forcedModel(
  candidates: readonly PmuModel[],
  type: number,
  host: PmuModel | undefined,
  cpu: CpuId | undefined,
): PmuModel | undefined {
  if (cpu !== undefined) return candidates.find((m) => cpuMatches(m.cpu, cpu.family, cpu.model));
  if (host !== undefined && candidates.some((m) => m.id === host.id)) return host;
  const fallback = DEFAULT_CPU[type];
  return (
    (fallback === undefined
      ? undefined
      : candidates.find((m) => cpuMatches(m.cpu, fallback.family, fallback.model))) ?? candidates[0]
  );
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
  const cpu = (envForce === undefined ? undefined : parseForceCpu(envForce)) ?? options.cpu;
  const revision =
    options.amd64Revision ??
    parsed?.amd64Revision ??
    (cpu === undefined ? undefined : amd64Revision(cpu.family, cpu.model, cpu.stepping)) ??
    'F';
  const fam10h = cpu?.family === 16 ? fam10hRevision(cpu.model) : 'B';
  let model: PmuModel | undefined;
  if (forced !== PFMLIB_NO_PMU) {
    const candidates = supported.filter((m) => m.libpfm.type === forced);
    if (candidates.length === 0) {
      throw new PfmError(PFMLIB_ERR_NOTSUPP, `no supported PMU has type ${forced} (forced)`);
    }
    model = forcedModel(candidates, forced, host, cpu);
    if (model === undefined) {
      throw new PfmError(
        PFMLIB_ERR_NOTSUPP,
        `no supported PMU of type ${forced} is a family ${cpu?.family} model ${cpu?.model} CPU (forced; supported: ${candidates.map((m) => m.id).join(', ')})`,
      );
    }
  } else {
    model = host === undefined ? undefined : supported.find((m) => m.id === host.id);
    if (model === undefined)
      throw new PfmError(PFMLIB_ERR_NOTSUPP, 'no supported PMU detected (no host model given)');
  }
  if (model.pmcs.length >= PFMLIB_MAX_PMCS || model.pmds.length >= PFMLIB_MAX_PMDS) {
    throw new PfmError(PFMLIB_ERR_NOTSUPP, `${model.id} has more registers than libpfm can describe`);
  }
  return {
    model,
    supported,
    forced: forced !== PFMLIB_NO_PMU,
    amd64Revision: revision,
    fam10hRevision: fam10h,
    ...(cpu === undefined ? {} : { cpuModel: cpu.model }),
  };
}

/** libpfm's Family 10h names (`amd64_cpu_strs`) by revision. */
const FAM10H_NAMES: Readonly<Record<Fam10hRevision, string>> = {
  B: 'Family 10h RevB, Barcelona',
  C: 'Family 10h RevC, Shanghai',
  D: 'Family 10h RevD, Istanbul',
  E: 'Family 10h RevE',
};

/**
 * The name libpfm reports: the model's `libpfm.name`, refined for AMD64 by CPU family as
 * `amd64_cpu_strs` does: K8 (family 15, or no `cpu`) with its revision, Family 10h with its
 * revision and code name, K7 (family 6); another family is named by number.
 */
export function pmuName(
  model: PmuModel,
  amd64Rev: Amd64Revision = 'F',
  fam10hRev: Fam10hRevision = 'B',
): string {
  if (model.libpfm.type !== PFMLIB_AMD64_PMU) return model.libpfm.name;
  const family = model.cpu?.family ?? 15;
  if (family === 15) return `${model.libpfm.name} (K8 Rev${amd64Rev})`;
  if (family === 16) return `${model.libpfm.name} (${FAM10H_NAMES[fam10hRev]})`;
  return `${model.libpfm.name} (${family === 6 ? 'K7' : `family ${family}`})`;
}

/** `pfm_get_pmu_name_bytype`: the name of the first supported PMU of this type; INVAL if none. */
export function pmuNameByType(type: number, supported: readonly PmuModel[] = registryModels()): string {
  const model = supported.find((m) => m.libpfm.type === type);
  if (model === undefined) throw new PfmError(PFMLIB_ERR_INVAL, `no supported PMU has type ${type}`);
  return model.libpfm.name;
}
