/**
 * libpfm-3.x constants: version, limits, privilege levels, input flags and the
 * `PFMLIB_*_PMU` type codes (libpfm-and-tools.md §1.1, §1.2, §1.5, §1.7).
 */

/** `PFMLIB_VERSION` of libpfm-3.10: `(3 << 16) | 10`. */
export const PFMLIB_VERSION = (3 << 16) | 10;
export const pfmlibMajorVersion = (v: number): number => v >>> 16;
export const pfmlibMinorVersion = (v: number): number => v & 0xffff;

/** `PFMLIB_MAX_PMCS` / `PFMLIB_MAX_PMDS`: register indexes a regmask can hold. */
export const PFMLIB_MAX_PMCS = 512;
export const PFMLIB_MAX_PMDS = 512;
/** `PFMLIB_REG_MAX`: bits in a `pfmlib_regmask_t`. */
export const PFMLIB_REG_MAX = 512;
/** `PFMLIB_MAX_MASKS_PER_EVENT`. */
export const PFMLIB_MAX_MASKS_PER_EVENT = 48;

/** Privilege levels (`PFM_PLM*`): PLM0 is the kernel, PLM3 user level. They combine. */
export const PFM_PLM0 = 0x1;
export const PFM_PLM1 = 0x2;
export const PFM_PLM2 = 0x4;
export const PFM_PLM3 = 0x8;

/** `pfp_flags`: the session is system-wide (IA-64 sets the `pm` bit of its PMCs). */
export const PFMLIB_PFP_SYSTEMWIDE = 0x1;

/** `PFMLIB_*_PMU` type codes of libpfm-3.10 `pfmlib.h`. */
export const PFMLIB_NO_PMU = -1;
export const PFMLIB_UNKNOWN_PMU = 0;
export const PFMLIB_GEN_IA64_PMU = 1;
export const PFMLIB_ITANIUM_PMU = 2;
export const PFMLIB_ITANIUM2_PMU = 3;
export const PFMLIB_MONTECITO_PMU = 4;
export const PFMLIB_AMD64_PMU = 16;
export const PFMLIB_I386_P6_PMU = 32;
export const PFMLIB_PENTIUM4_PMU = 33;
export const PFMLIB_COREDUO_PMU = 34;
export const PFMLIB_I386_PM_PMU = 35;
export const PFMLIB_CORE_PMU = 36;
export const PFMLIB_INTEL_PPRO_PMU = 37;
export const PFMLIB_INTEL_PII_PMU = 38;
export const PFMLIB_INTEL_ATOM_PMU = 39;
export const PFMLIB_INTEL_NHM_PMU = 40;
export const PFMLIB_INTEL_WSM_PMU = 41;
export const PFMLIB_GEN_IA32_PMU = 63;
/** MIPS 5Kc as numbered in the libpfm-3.y `pfmlib.h` the mips64 model was read from. */
export const PFMLIB_MIPS_5KC_PMU = 68;
export const PFMLIB_POWER5_PMU = 114;
