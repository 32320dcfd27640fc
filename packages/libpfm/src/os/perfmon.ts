import type { Thread } from '@pfmsim/kernel-sim';
import type { PerfmonSystem, SyncGate } from '@pfmsim/perfmon-core';
import type { SyscallGate, SyscallResult, UserPtr } from '../syscall-gate.js';
import { UserMemory } from './user-memory.js';

/**
 * libpfm's twelve perfmon2 wrappers (`pfmlib_os_linux_v2.c`) for one simulated thread. Pointers
 * are addresses in the thread's process; every failure returns the kernel's errno unchanged.
 * Like libpfm, `pfm_create_context` always yields the fd: with a v2.2 kernel it reads
 * `ctx_fd` back from the struct.
 */
export class PerfmonGate implements SyscallGate {
  private readonly g: SyncGate;
  readonly mem: UserMemory;

  constructor(
    readonly sys: PerfmonSystem,
    readonly thread: Thread,
  ) {
    this.g = sys.gate(thread);
    this.mem = new UserMemory(thread.process);
  }

  pfm_create_context(
    ctx: UserPtr,
    smplName: string | Uint8Array | null,
    smplArg: UserPtr,
    smplSize: number,
  ): SyscallResult<number> {
    const abi = this.sys.abi;
    if (!abi.createContextReturnsFd) {
      // v2.2 (pfmlib_os_linux_v2.c): the 16 bytes at the name pointer become ctx_smpl_buf_id
      if (smplName !== null) {
        const bytes = typeof smplName === 'string' ? new TextEncoder().encode(`${smplName}\0`) : smplName;
        const uuid = new Uint8Array(16);
        uuid.set(bytes.subarray(0, 16));
        this.thread.process.mm.write(ctx, uuid);
      }
      const r = this.g.pfm_create_context(ctx, 0, smplArg, smplSize);
      if (!r.ok) return r;
      return { ok: true, value: this.mem.view(ctx, abi.sizes.ctx).getInt32(abi.offsets.ctxFd, true) };
    }
    const name =
      smplName === null
        ? 0
        : typeof smplName === 'string'
          ? this.mem.writeString(smplName)
          : this.mem.writeBytes(smplName);
    return this.g.pfm_create_context(ctx, name, smplArg, smplSize);
  }
  /** `mmap(NULL, length, prot, MAP_PRIVATE, fd, 0)`: the sampling buffer; the address. */
  mmap(fd: number, length: number, prot: number): SyscallResult<number> {
    return this.g.mmap(fd, length, prot);
  }
  /** `munmap(addr, length)`. */
  munmap(addr: UserPtr, length: number): void {
    this.thread.process.mm.munmap(addr, length);
  }
  pfm_write_pmcs(fd: number, pmcs: UserPtr, count: number) {
    return this.g.pfm_write_pmcs(fd, pmcs, count);
  }
  pfm_write_pmds(fd: number, pmds: UserPtr, count: number) {
    return this.g.pfm_write_pmds(fd, pmds, count);
  }
  pfm_read_pmds(fd: number, pmds: UserPtr, count: number) {
    return this.g.pfm_read_pmds(fd, pmds, count);
  }
  pfm_load_context(fd: number, load: UserPtr) {
    return this.g.pfm_load_context(fd, load);
  }
  pfm_start(fd: number, start: UserPtr) {
    return this.g.pfm_start(fd, start);
  }
  pfm_stop(fd: number) {
    return this.g.pfm_stop(fd);
  }
  pfm_restart(fd: number) {
    return this.g.pfm_restart(fd);
  }
  pfm_create_evtsets(fd: number, setd: UserPtr, count: number) {
    return this.g.pfm_create_evtsets(fd, setd, count);
  }
  pfm_getinfo_evtsets(fd: number, info: UserPtr, count: number) {
    return this.g.pfm_getinfo_evtsets(fd, info, count);
  }
  pfm_delete_evtsets(fd: number, setd: UserPtr, count: number) {
    return this.g.pfm_delete_evtsets(fd, setd, count);
  }
  pfm_unload_context(fd: number) {
    return this.g.pfm_unload_context(fd);
  }
  /** `pfm_self_start(fd)` / `pfm_self_stop(fd)` (x86 inlines: pfm_start(fd, NULL) / pfm_stop). */
  pfm_self_start(fd: number) {
    return this.g.pfm_start(fd, 0);
  }
  pfm_self_stop(fd: number) {
    return this.g.pfm_stop(fd);
  }
  read(fd: number, buf: UserPtr, size: number) {
    return this.g.read(fd, buf, size);
  }
  close(fd: number) {
    return this.g.close(fd);
  }
}
