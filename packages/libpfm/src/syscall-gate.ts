/**
 * The seam for the syscall wrappers (not implemented in this package yet).
 *
 * libpfm's twelve perfmon2 wrappers (libpfm-and-tools.md §3), with libpfm's names and
 * argument order. Pointer arguments are addresses in the simulated process's memory, where
 * the caller has marshalled the `pfarg_*` vectors; results follow the pfmsim convention
 * `{ ok: true, value } | { ok: false, errno }` with the kernel's errno unchanged.
 * `pfm_create_context` returns the new context's file descriptor (perfmon2 v2.3 and later).
 *
 * This is the interface the wrappers over `@pfmsim/perfmon-core` are expected to implement;
 * its exact shape (for example a thread argument) is for the lead to settle once the
 * syscalls exist.
 */

/** A syscall result: the value, or the errno the kernel returned. */
export type SyscallResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errno: number };

/** An address in the simulated process (a pointer argument); 0 is NULL. */
export type UserPtr = number;

export interface SyscallGate {
  /**
   * `pfm_create_context(pfarg_ctx_t *ctx, char *smpl_name, void *smpl_arg, size_t smpl_size)` → fd.
   * With a v2.2 kernel the format is a UUID: pass its 16 bytes where the name goes (libpfm
   * copies 16 bytes from that pointer into ctx_smpl_buf_id).
   */
  pfm_create_context(
    ctx: UserPtr,
    smplName: string | Uint8Array | null,
    smplArg: UserPtr,
    smplSize: number,
  ): SyscallResult<number>;
  /** `pfm_write_pmcs(int fd, pfarg_pmc_t *pmcs, int count)`. */
  pfm_write_pmcs(fd: number, pmcs: UserPtr, count: number): SyscallResult<number>;
  /** `pfm_write_pmds(int fd, pfarg_pmd_t *pmds, int count)`. */
  pfm_write_pmds(fd: number, pmds: UserPtr, count: number): SyscallResult<number>;
  /** `pfm_read_pmds(int fd, pfarg_pmd_t *pmds, int count)`. */
  pfm_read_pmds(fd: number, pmds: UserPtr, count: number): SyscallResult<number>;
  /** `pfm_load_context(int fd, pfarg_load_t *load)`. */
  pfm_load_context(fd: number, load: UserPtr): SyscallResult<number>;
  /** `pfm_start(int fd, pfarg_start_t *start)`; NULL (0) is allowed. */
  pfm_start(fd: number, start: UserPtr): SyscallResult<number>;
  /** `pfm_stop(int fd)`. */
  pfm_stop(fd: number): SyscallResult<number>;
  /** `pfm_restart(int fd)`. */
  pfm_restart(fd: number): SyscallResult<number>;
  /** `pfm_create_evtsets(int fd, pfarg_setdesc_t *setd, int count)`. */
  pfm_create_evtsets(fd: number, setd: UserPtr, count: number): SyscallResult<number>;
  /** `pfm_getinfo_evtsets(int fd, pfarg_setinfo_t *info, int count)`. */
  pfm_getinfo_evtsets(fd: number, info: UserPtr, count: number): SyscallResult<number>;
  /** `pfm_delete_evtsets(int fd, pfarg_setdesc_t *setd, int count)`. */
  pfm_delete_evtsets(fd: number, setd: UserPtr, count: number): SyscallResult<number>;
  /** `pfm_unload_context(int fd)`. */
  pfm_unload_context(fd: number): SyscallResult<number>;
}
