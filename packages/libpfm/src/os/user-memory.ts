import type { Process } from '@pfmsim/kernel-sim';

/**
 * A bump allocator over one mapping of the simulated process: where libpfm's callers keep
 * their pfarg vectors (the C programs used stack or static arrays).
 */
export class UserMemory {
  private base = 0;
  private size = 0;
  private used = 0;

  constructor(
    readonly process: Process,
    private readonly chunk = 64 * 1024,
  ) {}

  alloc(bytes: number, align = 8): number {
    const need = Math.max(1, bytes);
    let at = Math.ceil(this.used / align) * align;
    if (this.base === 0 || at + need > this.size) {
      this.size = Math.max(this.chunk, Math.ceil(need / 4096) * 4096);
      this.base = this.process.mm.mmap(this.size);
      at = 0;
    }
    this.used = at + need;
    return this.base + at;
  }

  view(addr: number, bytes: number, write = false): DataView {
    return this.process.mm.dataView(addr, Math.max(1, bytes), write);
  }

  writeBytes(bytes: Uint8Array): number {
    const addr = this.alloc(bytes.length, 1);
    this.process.mm.write(addr, bytes);
    return addr;
  }

  writeString(text: string): number {
    const bytes = new TextEncoder().encode(`${text}\0`);
    const addr = this.alloc(bytes.length, 1);
    this.process.mm.write(addr, bytes);
    return addr;
  }
}
