/**
 * perfmon2 constants with their kernel values and C names.
 *
 * Source: /work/shared/reference/perfmon2-abi.md §1, §2, §5, §6, §9.1, §15 (V18/V19 unless
 * noted). Flag values are unsigned: bit 31 is written `0x80000000`, never `1 << 31` (which is
 * negative in JavaScript). Mask results with `>>> 0` when you combine them with `&`/`|`.
 */

// ---------------------------------------------------------------------------------------
// pfarg_ctx.ctx_flags (§6)
// ---------------------------------------------------------------------------------------

/** Block the monitored thread on overflow notification (per-thread, non-self). */
export const PFM_FL_NOTIFY_BLOCK = 0x01;
/** System-wide (per-CPU) context. EINVAL together with NOTIFY_BLOCK. */
export const PFM_FL_SYSTEM_WIDE = 0x02;
/** Allow mmap of the per-set `pfm_set_view` pages (V16–V19). */
export const PFM_FL_MAP_SETS = 0x10;
/** Suppress overflow messages (END messages are still queued). */
export const PFM_FL_OVFL_NO_MSG = 0x80;
/** x86_64 arch flag: allow user-level rdpmc/start/stop. Bits 16–31 are arch flags. */
export const PFM_X86_64_FL_INSECURE = 0x10000;
/** Bits 16–31 of ctx_flags are reserved for arch flags (pfmsim name; §6). */
export const PFM_FL_ARCH_MASK = 0xffff0000;

// ---------------------------------------------------------------------------------------
// reg_flags, input and output (§6)
// ---------------------------------------------------------------------------------------

/** PMD: send a notification on 64-bit overflow. */
export const PFM_REGFL_OVFL_NOTIFY = 0x1;
/** PMD: randomise the reset value with `reg_random_mask`. */
export const PFM_REGFL_RANDOM = 0x2;
/** PMC: do not emulate 64-bit counters (PMC must have the NO64 type bit). */
export const PFM_REGFL_NO_EMUL64 = 0x4;

/** Output: register not available (unimplemented). 1<<31. */
export const PFM_REG_RETFL_NOTAVAIL = 0x80000000;
/** Output: invalid value or flags. 1<<30. */
export const PFM_REG_RETFL_EINVAL = 0x40000000;
/** Output: event set does not exist. 1<<29. */
export const PFM_REG_RETFL_NOSET = 0x20000000;
/** All output error bits. */
export const PFM_REG_RETFL_MASK = 0xe0000000;

/** Flags accepted on a PMC, V17.9–V19 (stale error bits tolerated). = 0xE0000004. */
export const PFM_REGFL_PMC_ALL = 0xe0000004; // NO_EMUL64 | RETFL_MASK
/** Flags accepted on a counter PMD, V17.9–V19. = 0xE0000003. */
export const PFM_REGFL_PMD_ALL = 0xe0000003; // RANDOM | OVFL_NOTIFY | RETFL_MASK
/** V2.8x dropped the RETFL bits from the accepted masks (§6). */
export const PFM_REGFL_PMC_ALL_V28X = PFM_REGFL_NO_EMUL64;
export const PFM_REGFL_PMD_ALL_V28X = 0x3; // RANDOM | OVFL_NOTIFY

/** `PFM_REG_HAS_ERROR(f)` (removed in V2.82). */
export function pfmRegHasError(flags: number): boolean {
  return (flags & PFM_REG_RETFL_MASK) >>> 0 !== 0;
}

// ---------------------------------------------------------------------------------------
// pfarg_setdesc.set_flags (§6, §11)
// ---------------------------------------------------------------------------------------

/** Switch after `reg_ovfl_switch_cnt` 64-bit overflows. */
export const PFM_SETFL_OVFL_SWITCH = 0x01;
/** Switch on timeout. Both OVFL_SWITCH and TIME_SWITCH together → EINVAL. */
export const PFM_SETFL_TIME_SWITCH = 0x02;
/** Follow `set_id_next` instead of the sorted list (≤ V19). */
export const PFM_SETFL_EXPL_NEXT = 0x04;
/** Exclude idle time (V16/V17.9). */
export const PFM_SETFL_EXCL_IDLE = 0x08;
/** libpfm IA-64 extras. */
export const PFM_ITA_SETFL_EXCL_INTR = 0x10000;
export const PFM_ITA_SETFL_INTR_ONLY = 0x20000;
export const PFM_ITA_SETFL_IDLE_EXCL = 0x40000;

// ---------------------------------------------------------------------------------------
// Messages, states, internal check masks (§2, §6)
// ---------------------------------------------------------------------------------------

export const PFM_MSG_OVFL = 1;
export const PFM_MSG_END = 2;

export const PFM_CTX_UNLOADED = 1;
export const PFM_CTX_LOADED = 2;
export const PFM_CTX_MASKED = 3;
export const PFM_CTX_ZOMBIE = 4;
export type PfmCtxState =
  | typeof PFM_CTX_UNLOADED
  | typeof PFM_CTX_LOADED
  | typeof PFM_CTX_MASKED
  | typeof PFM_CTX_ZOMBIE;

/** `pfm_check_task_state` mask bits (kernel-internal). */
export const PFM_CMD_STOPPED = 0x01;
export const PFM_CMD_UNLOADED = 0x02;
export const PFM_CMD_UNLOAD = 0x04;

// ---------------------------------------------------------------------------------------
// Sizes and limits (§5, §6)
// ---------------------------------------------------------------------------------------

/** 256 hardware + 64 extra registers; V2.8x keeps 320 for ABI stability. */
export const PFM_MAX_PMCS = 320;
export const PFM_MAX_PMDS = 320;
/** u64 words in a PMD/PMC bit vector: ceil(320 / 64). */
export const PFM_PMD_BV = 5;
export const PFM_PMC_BV = 5;
/** u64 words of `msg_ovfl_pmds` in pfarg_msg (message only). */
export const PFM_HW_PMD_BV = 4;
/** Set ids run 0..65535. */
export const PFM_MAX_NUM_SETS = 65536;
/** Message queue entries (`PFM_MAX_MSGS`, V19 `PFM_MSGS_COUNT`). How many are usable depends on the profile. */
export const PFM_MAX_MSGS = 8;
/**
 * Usable message slots per ABI version (quirk Q14): the V16–V18 ring kept one slot empty.
 * The V3 variant dropped notifications.
 */
export const PFM_USABLE_MSG_SLOTS = { '2.2': 7, '2.3': 8, '3.0': 0 } as const;
/** `sys_group` / `task_group` value meaning any gid. */
export const PFM_GROUP_PERM_ANY = -1;

// ---------------------------------------------------------------------------------------
// PMU description (§9.1): register type bits and config flags
// ---------------------------------------------------------------------------------------

export const PFM_REG_NA = 0;
export const PFM_REG_I = 0x01;
export const PFM_REG_WC = 0x02;
export const PFM_REG_C64 = 0x04;
export const PFM_REG_RO = 0x08;
export const PFM_REG_V = 0x10;
/** 2008 only. */
export const PFM_REG_INTR = 0x20;
/** 2008 only. */
export const PFM_REG_SYS = 0x40;
/** 2008 only. */
export const PFM_REG_THR = 0x80;
export const PFM_REG_NO64 = 0x100;
/** Shorthands used by the model tables. */
export const PFM_REG_W = 0x03; // WC | I
export const PFM_REG_W64 = 0x103; // WC | NO64 | I
export const PFM_REG_I64 = 0x101; // NO64 | I
/** 2006 definition (2008 adds PFM_REG_INTR). */
export const PFM_REG_C = 0x05; // C64 | I
export const PFM_REG_IRO = 0x09; // I | RO
export const PFM_PMUFL_IS_BUILTIN = 0x1;
/** V2.8x expert mode: skip reserved-bit forcing. */
export const PFM_CTRL_FL_RW_EXPERT = 0x1;

// ---------------------------------------------------------------------------------------
// V3 "perfmon3" (§15)
// ---------------------------------------------------------------------------------------

export const PFM_RW_PMD = 0x01;
export const PFM_RW_PMC = 0x02;
export const PFM_ST_START = 0x01;
export const PFM_ST_STOP = 0x02;
export const PFM_NO_TARGET = -1;

// ---------------------------------------------------------------------------------------
// System calls (§1; libpfm-and-tools.md §3)
// ---------------------------------------------------------------------------------------

/** The element struct a vector call copies, as the kernel sizes it. */
export type PfmVectorStruct = 'pmc' | 'pmd' | 'setdesc' | 'setinfo' | 'pmr';

export interface PfmSyscallInfo<N extends string = string> {
  /** Offset from the arch's syscall base (libpfm `PFM_pfm_* = base + offset`). */
  readonly offset: number;
  readonly name: N;
  /** The struct the kernel sizes a vector argument by, or null for non-vector calls. */
  readonly vectorOf: PfmVectorStruct | null;
}

/** The 12 perfmon2 v2.x system calls in syscall-number order. */
export const PFM_SYSCALL_NAMES = [
  'pfm_create_context',
  'pfm_write_pmcs',
  'pfm_write_pmds',
  'pfm_read_pmds',
  'pfm_load_context',
  'pfm_start',
  'pfm_stop',
  'pfm_restart',
  'pfm_create_evtsets',
  'pfm_getinfo_evtsets',
  'pfm_delete_evtsets',
  'pfm_unload_context',
] as const;
export type PfmSyscallName = (typeof PFM_SYSCALL_NAMES)[number];

/** Offset of each v2.x call from the syscall base: `PFM_SYSCALL_OFFSET.pfm_start === 5`. */
export const PFM_SYSCALL_OFFSET: { readonly [K in PfmSyscallName]: number } = Object.freeze(
  Object.fromEntries(PFM_SYSCALL_NAMES.map((name, i) => [name, i])) as { [K in PfmSyscallName]: number },
);

/**
 * v2.x syscall table. `pfm_delete_evtsets` is sized by the kernel as `pfarg_setinfo` even though
 * it walks (and libpfm passes) `pfarg_setdesc` elements: quirk Q10.
 */
export const PFM_SYSCALLS: readonly PfmSyscallInfo<PfmSyscallName>[] = Object.freeze(
  (
    [
      { offset: 0, name: 'pfm_create_context', vectorOf: null },
      { offset: 1, name: 'pfm_write_pmcs', vectorOf: 'pmc' },
      { offset: 2, name: 'pfm_write_pmds', vectorOf: 'pmd' },
      { offset: 3, name: 'pfm_read_pmds', vectorOf: 'pmd' },
      { offset: 4, name: 'pfm_load_context', vectorOf: null },
      { offset: 5, name: 'pfm_start', vectorOf: null },
      { offset: 6, name: 'pfm_stop', vectorOf: null },
      { offset: 7, name: 'pfm_restart', vectorOf: null },
      { offset: 8, name: 'pfm_create_evtsets', vectorOf: 'setdesc' },
      { offset: 9, name: 'pfm_getinfo_evtsets', vectorOf: 'setinfo' },
      { offset: 10, name: 'pfm_delete_evtsets', vectorOf: 'setinfo' },
      { offset: 11, name: 'pfm_unload_context', vectorOf: null },
    ] satisfies PfmSyscallInfo<PfmSyscallName>[]
  ).map((s) => Object.freeze(s)),
);

/**
 * The five perfmon3 calls, numbered as libpfm's `pfmlib_os_linux_v3.c` does
 * (create +0, write +1, read +2, attach +3, set_state +4). The reference (§15) lists them
 * without numbers. A later libpfm added pfm_create_sets +5 and pfm_getinfo_sets +6, which
 * the V3 variant here does not have (sets were dropped).
 */
export const PFM_V3_SYSCALL_NAMES = [
  'pfm_create',
  'pfm_write',
  'pfm_read',
  'pfm_attach',
  'pfm_set_state',
] as const;
export type PfmV3SyscallName = (typeof PFM_V3_SYSCALL_NAMES)[number];

/** Offset of each perfmon3 call from the syscall base. */
export const PFM_V3_SYSCALL_OFFSET: { readonly [K in PfmV3SyscallName]: number } = Object.freeze(
  Object.fromEntries(PFM_V3_SYSCALL_NAMES.map((name, i) => [name, i])) as { [K in PfmV3SyscallName]: number },
);

export const PFM_V3_SYSCALLS: readonly PfmSyscallInfo<PfmV3SyscallName>[] = Object.freeze(
  (
    [
      { offset: 0, name: 'pfm_create', vectorOf: null },
      { offset: 1, name: 'pfm_write', vectorOf: 'pmr' },
      { offset: 2, name: 'pfm_read', vectorOf: 'pmr' },
      { offset: 3, name: 'pfm_attach', vectorOf: null },
      { offset: 4, name: 'pfm_set_state', vectorOf: null },
    ] satisfies PfmSyscallInfo<PfmV3SyscallName>[]
  ).map((s) => Object.freeze(s)),
);
