/**
 * ABI profiles: which struct layouts and which version-dependent behaviours a simulated kernel
 * exposes. Source: perfmon2-abi.md §0, §0.1, §5, §8, §12, §15.
 *
 * | id           | kernel      | version | notes                                            |
 * |--------------|-------------|---------|--------------------------------------------------|
 * | `v2.3`       | V19 (2.6.19)| 2.3     | default; matches libpfm-3.x                      |
 * | `v2.2`       | V18 (2.6.18)| 2.2     | 128-B pfarg_ctx, fd in ctx_fd, µs timeouts       |
 * | `v2-compact` | none        | 2.3     | v2.3 semantics, reserved fields removed (README) |
 * | `v3`         | perfmon3    | 3.0     | five calls, 16-B pfarg_pmr                       |
 */

import {
  PFM_SYSCALLS,
  PFM_USABLE_MSG_SLOTS,
  PFM_V3_SYSCALLS,
  type PfmSyscallInfo,
  type PfmSyscallName,
  type PfmV3SyscallName,
} from './constants.js';
import {
  AbiLayoutError,
  LOAD_OFF,
  MSG_OFF,
  PFARG_CTX_COMPACT_LAYOUT,
  PFARG_CTX_V22_LAYOUT,
  PFARG_CTX_V23_LAYOUT,
  PFARG_LOAD_COMPACT_LAYOUT,
  PFARG_LOAD_LAYOUT,
  PFARG_MSG_LAYOUT,
  PFARG_PMC_COMPACT_LAYOUT,
  PFARG_PMC_LAYOUT,
  PFARG_PMD_COMPACT_LAYOUT,
  PFARG_PMD_LAYOUT,
  PFARG_PMR_LAYOUT,
  PFARG_SETDESC_COMPACT_LAYOUT,
  PFARG_SETDESC_V22_LAYOUT,
  PFARG_SETDESC_V23_LAYOUT,
  PFARG_SETINFO_COMPACT_LAYOUT,
  PFARG_SETINFO_V22_LAYOUT,
  PFARG_SETINFO_V23_LAYOUT,
  PFARG_START_COMPACT_LAYOUT,
  PFARG_START_LAYOUT,
  PMC_OFF,
  PMD_OFF,
  PMR_OFF,
  START_OFF,
  type StructLayout,
} from './layouts.js';

export const ABI_PROFILE_IDS = ['v2.3', 'v2.2', 'v2-compact', 'v3'] as const;
export type AbiProfileId = (typeof ABI_PROFILE_IDS)[number];
export type V2AbiProfileId = Exclude<AbiProfileId, 'v3'>;
export const DEFAULT_ABI_PROFILE_ID = 'v2.3' satisfies AbiProfileId;

export type V2StructName = 'pmc' | 'pmd' | 'ctx' | 'load' | 'start' | 'setdesc' | 'setinfo' | 'msg';
export type V3StructName = 'pmr';
export type StructName = V2StructName | V3StructName;

export interface AbiProfileBase {
  readonly id: AbiProfileId;
  readonly family: 'v2' | 'v3';
  /** The string in `/sys/kernel/perfmon/version` ("maj.min"). */
  readonly versionString: '2.2' | '2.3' | '3.0';
  readonly description: string;
  /** System calls in syscall-number order (12 for v2, 5 for v3). */
  readonly syscalls: readonly PfmSyscallInfo[];
  readonly syscallCount: number;
  /** Usable message-queue slots (Q14): 7 for v2.2, 8 for v2.3; 0 for v3 (no notifications). */
  readonly maxMsgs: number;
  /** `rsvd_msk` bit = 1 means reserved (v2.3+, Q13) rather than writable (v2.2). */
  readonly rsvdMaskMeansReserved: boolean;
  /** pfm_create_context returns the fd (v2.3+), rather than writing `ctx_fd` and returning 0. */
  readonly createContextReturnsFd: boolean;
  /**
   * pfm_load_context copies `pfarg_load` (EFAULT) before looking up the fd (EBADF): v2.3+.
   * v3's pfm_attach has no pointer argument; the value follows its V19+ lineage.
   */
  readonly loadContextFaultBeforeBadf: boolean;
  /** The argument-size limit's name (kernel field and sysfs file; v2.3 file name UNVERIFIED). */
  readonly limitName: 'arg_size_max' | 'arg_mem_max';
  /** Unit of `set_timeout`: µs in v2.2, ns from v2.3 (v3 has no sets; kept as 'ns'). */
  readonly timeoutUnit: 'us' | 'ns';
  /** How create_context names a sampling format: UUID in pfarg_ctx (v2.2), string (v2.3), none (v3). */
  readonly samplingFormatBy: 'uuid' | 'name' | 'none';
  /** Generator for PFM_REGFL_RANDOM resets: `carta_random32` + seed (v2.2), `random32()` (v2.3). */
  readonly randomReset: 'carta_random32' | 'random32' | 'none';
}

/** Offsets that differ between v2 profiles; -1 when the profile lacks the field. */
export interface V2ProfileOffsets {
  readonly ctxFlags: number;
  readonly ctxFd: number;
  readonly ctxSmplBufSize: number;
  readonly pmdRandomSeed: number;
  readonly setdescTimeout: number;
  readonly setinfoTimeout: number;
  /** `set_timeout` is a u64 (v2.3, compact) rather than a u32 (v2.2). */
  readonly timeoutIsU64: boolean;
}

export interface V2AbiProfile extends AbiProfileBase {
  readonly id: V2AbiProfileId;
  readonly family: 'v2';
  readonly versionString: '2.2' | '2.3';
  readonly syscalls: readonly PfmSyscallInfo<PfmSyscallName>[];
  readonly layouts: { readonly [K in V2StructName]: StructLayout };
  /** `sizeof` of each struct, in bytes. */
  readonly sizes: { readonly [K in V2StructName]: number };
  readonly offsets: V2ProfileOffsets;
}

export interface V3AbiProfile extends AbiProfileBase {
  readonly id: 'v3';
  readonly family: 'v3';
  readonly versionString: '3.0';
  readonly syscalls: readonly PfmSyscallInfo<PfmV3SyscallName>[];
  readonly layouts: { readonly pmr: StructLayout };
  /** `pfarg_sinfo` (112 B) is known by size only; its layout is not in the reference. */
  readonly sizes: { readonly pmr: number; readonly sinfo: number };
}

export type AbiProfile = V2AbiProfile | V3AbiProfile;

export interface AbiProfileById {
  'v2.3': V2AbiProfile;
  'v2.2': V2AbiProfile;
  'v2-compact': V2AbiProfile;
  v3: V3AbiProfile;
}

/** Thrown by `getAbiProfile` for an unknown id; names the id and the accepted ones. */
export class UnknownAbiProfileError extends Error {
  override readonly name = 'UnknownAbiProfileError';
  readonly id: string;
  readonly accepted: readonly AbiProfileId[] = ABI_PROFILE_IDS;
  constructor(id: string) {
    super(
      `unknown ABI profile ${JSON.stringify(id)}; accepted: ${ABI_PROFILE_IDS.map((p) =>
        p === DEFAULT_ABI_PROFILE_ID ? `${p} (default)` : p,
      ).join(', ')}`,
    );
    this.id = id;
  }
}

function offsetOf(layout: StructLayout, name: string): number {
  return layout.field[name]?.offset ?? -1;
}

function sizesOf<K extends string>(
  layouts: { readonly [P in K]: StructLayout },
): { readonly [P in K]: number } {
  const out: Record<string, number> = {};
  for (const [k, l] of Object.entries<StructLayout>(layouts)) out[k] = l.size;
  return Object.freeze(out) as { readonly [P in K]: number };
}

/** The hot-path accessors use fixed offsets; every v2 profile must agree with them. */
function checkHotOffsets(id: string, layout: StructLayout, expected: Readonly<Record<string, number>>): void {
  for (const [name, off] of Object.entries(expected)) {
    const actual = layout.field[name]?.offset;
    if (actual !== off) {
      throw new AbiLayoutError(
        `${id}: ${layout.cName}.${name} at ${String(actual)}, hot accessors assume ${off}`,
      );
    }
  }
}

type V2Facts = Omit<V2AbiProfile, 'family' | 'syscalls' | 'syscallCount' | 'sizes' | 'offsets'>;

function v2Profile(facts: V2Facts): V2AbiProfile {
  const { layouts } = facts;
  checkHotOffsets(facts.id, layouts.pmc, PMC_OFF);
  checkHotOffsets(facts.id, layouts.pmd, PMD_OFF);
  checkHotOffsets(facts.id, layouts.load, LOAD_OFF);
  checkHotOffsets(facts.id, layouts.start, START_OFF);
  checkHotOffsets(facts.id, layouts.msg, MSG_OFF);
  const setdescTimeout = layouts.setdesc.field.set_timeout;
  const setinfoTimeout = layouts.setinfo.field.set_timeout;
  if (
    setdescTimeout === undefined ||
    setinfoTimeout === undefined ||
    setdescTimeout.type !== setinfoTimeout.type
  ) {
    throw new AbiLayoutError(`${facts.id}: set_timeout must exist with one type in setdesc and setinfo`);
  }
  const timeoutIsU64 = setdescTimeout.type === 'u64';
  if (timeoutIsU64 !== (facts.timeoutUnit === 'ns')) {
    throw new AbiLayoutError(
      `${facts.id}: set_timeout type ${setdescTimeout.type} vs unit ${facts.timeoutUnit}`,
    );
  }
  return Object.freeze({
    ...facts,
    family: 'v2',
    syscalls: PFM_SYSCALLS,
    syscallCount: PFM_SYSCALLS.length,
    layouts: Object.freeze({ ...layouts }),
    sizes: sizesOf(layouts),
    offsets: Object.freeze({
      ctxFlags: offsetOf(layouts.ctx, 'ctx_flags'),
      ctxFd: offsetOf(layouts.ctx, 'ctx_fd'),
      ctxSmplBufSize: offsetOf(layouts.ctx, 'ctx_smpl_buf_size'),
      pmdRandomSeed: offsetOf(layouts.pmd, 'reg_random_seed'),
      setdescTimeout: setdescTimeout.offset,
      setinfoTimeout: setinfoTimeout.offset,
      timeoutIsU64,
    }),
  });
}

/** V18, 2.6.18 perfmon2 (9 Oct 2006). */
export const ABI_V2_2: V2AbiProfile = v2Profile({
  id: 'v2.2',
  versionString: '2.2',
  description: 'perfmon2 v2.2 (V18, 2.6.18, Oct 2006): 128-B pfarg_ctx, fd in ctx_fd, µs set timeouts',
  maxMsgs: PFM_USABLE_MSG_SLOTS['2.2'],
  rsvdMaskMeansReserved: false,
  createContextReturnsFd: false,
  loadContextFaultBeforeBadf: false,
  limitName: 'arg_size_max',
  timeoutUnit: 'us',
  samplingFormatBy: 'uuid',
  randomReset: 'carta_random32',
  layouts: {
    pmc: PFARG_PMC_LAYOUT,
    pmd: PFARG_PMD_LAYOUT,
    ctx: PFARG_CTX_V22_LAYOUT,
    load: PFARG_LOAD_LAYOUT,
    start: PFARG_START_LAYOUT,
    setdesc: PFARG_SETDESC_V22_LAYOUT,
    setinfo: PFARG_SETINFO_V22_LAYOUT,
    msg: PFARG_MSG_LAYOUT,
  },
});

/** V19, 2.6.19 perfmon2 (5 Dec 2006). The default profile; matches libpfm-3.x. */
export const ABI_V2_3: V2AbiProfile = v2Profile({
  id: 'v2.3',
  versionString: '2.3',
  description:
    'perfmon2 v2.3 (V19, 2.6.19, Dec 2006): 64-B pfarg_ctx, create returns the fd, ns set timeouts',
  maxMsgs: PFM_USABLE_MSG_SLOTS['2.3'],
  rsvdMaskMeansReserved: true,
  createContextReturnsFd: true,
  loadContextFaultBeforeBadf: true,
  limitName: 'arg_mem_max',
  timeoutUnit: 'ns',
  samplingFormatBy: 'name',
  randomReset: 'random32',
  layouts: {
    pmc: PFARG_PMC_LAYOUT,
    pmd: PFARG_PMD_LAYOUT,
    ctx: PFARG_CTX_V23_LAYOUT,
    load: PFARG_LOAD_LAYOUT,
    start: PFARG_START_LAYOUT,
    setdesc: PFARG_SETDESC_V23_LAYOUT,
    setinfo: PFARG_SETINFO_V23_LAYOUT,
    msg: PFARG_MSG_LAYOUT,
  },
});

/**
 * v2.3 with the reserved fields removed (never shipped; the 2006 seed's "reduce the size of
 * the structs"). Reports version "2.3" because its semantics are v2.3's; only sizes differ.
 */
export const ABI_V2_COMPACT: V2AbiProfile = v2Profile({
  id: 'v2-compact',
  versionString: '2.3',
  description:
    'v2.3 semantics with reserved fields removed: pfarg_pmc 16 B, pfarg_pmd 144 B, setdesc 24 B, setinfo 160 B',
  maxMsgs: PFM_USABLE_MSG_SLOTS['2.3'],
  rsvdMaskMeansReserved: true,
  createContextReturnsFd: true,
  loadContextFaultBeforeBadf: true,
  limitName: 'arg_mem_max',
  timeoutUnit: 'ns',
  samplingFormatBy: 'name',
  randomReset: 'random32',
  layouts: {
    pmc: PFARG_PMC_COMPACT_LAYOUT,
    pmd: PFARG_PMD_COMPACT_LAYOUT,
    ctx: PFARG_CTX_COMPACT_LAYOUT,
    load: PFARG_LOAD_COMPACT_LAYOUT,
    start: PFARG_START_COMPACT_LAYOUT,
    setdesc: PFARG_SETDESC_COMPACT_LAYOUT,
    setinfo: PFARG_SETINFO_COMPACT_LAYOUT,
    msg: PFARG_MSG_LAYOUT,
  },
});

checkHotOffsets('v3', PFARG_PMR_LAYOUT, PMR_OFF);

/** perfmon3 (late 2008): five calls, 16-B pfarg_pmr; sets, formats and notifications dropped. */
export const ABI_V3: V3AbiProfile = Object.freeze({
  id: 'v3',
  family: 'v3',
  versionString: '3.0',
  description: 'perfmon3 (2008): pfm_create/write/read/attach/set_state, 16-B pfarg_pmr vectors',
  syscalls: PFM_V3_SYSCALLS,
  syscallCount: PFM_V3_SYSCALLS.length,
  maxMsgs: PFM_USABLE_MSG_SLOTS['3.0'],
  rsvdMaskMeansReserved: true,
  createContextReturnsFd: true,
  loadContextFaultBeforeBadf: true,
  limitName: 'arg_mem_max',
  timeoutUnit: 'ns',
  samplingFormatBy: 'none',
  randomReset: 'none',
  layouts: Object.freeze({ pmr: PFARG_PMR_LAYOUT }),
  sizes: Object.freeze({ pmr: PFARG_PMR_LAYOUT.size, sinfo: 112 }),
} satisfies V3AbiProfile);

const PROFILES: AbiProfileById = {
  'v2.3': ABI_V2_3,
  'v2.2': ABI_V2_2,
  'v2-compact': ABI_V2_COMPACT,
  v3: ABI_V3,
};

export function isAbiProfileId(id: string): id is AbiProfileId {
  return (ABI_PROFILE_IDS as readonly string[]).includes(id);
}

/** Looks a profile up by id; throws `UnknownAbiProfileError` naming the id and the accepted ones. */
export function getAbiProfile<I extends AbiProfileId>(id: I): AbiProfileById[I];
export function getAbiProfile(id: string): AbiProfile;
export function getAbiProfile(id: string): AbiProfile {
  if (!isAbiProfileId(id)) throw new UnknownAbiProfileError(id);
  return PROFILES[id];
}

/** All profiles, default first. */
export function listAbiProfiles(): readonly AbiProfile[] {
  return ABI_PROFILE_IDS.map((id) => PROFILES[id]);
}

/** Narrows to a v2 profile, throwing a TypeError that names the profile otherwise. */
export function assertV2Profile(profile: AbiProfile): asserts profile is V2AbiProfile {
  if (profile.family !== 'v2') {
    throw new TypeError(`ABI profile ${profile.id} is not a perfmon2 v2.x profile`);
  }
}
