import type { Kernel } from './kernel.js';
import type { Thread } from './sched/thread.js';

export interface FrameWarning {
  readonly frame: string;
  readonly bytes: number;
  readonly limit: number;
  readonly arch: string;
}

/**
 * Per-thread kernel stacks: handlers push frames of declared sizes (locals and on-stack
 * arrays). Tracks the high-water mark per thread and per system call, reports frames larger
 * than CONFIG_FRAME_WARN as warnings and overflow past THREAD_SIZE as a fatal KernelBug.
 */
export class KernelStacks {
  readonly warnings: FrameWarning[] = [];
  private readonly warned = new Set<string>();
  /** Frame bytes usable by call frames: THREAD_SIZE minus what sits in the same area. */
  readonly usable: number;

  constructor(private readonly k: Kernel) {
    this.usable = k.arch.threadSize - k.arch.reservedBytes;
  }

  push(t: Thread, bytes: number, frame: string): void {
    const arch = this.k.arch;
    if (bytes > arch.frameWarn && !this.warned.has(frame)) {
      this.warned.add(frame);
      this.warnings.push({ frame, bytes, limit: arch.frameWarn, arch: arch.id });
    }
    const depth = t.stackDepth + bytes;
    t.stackDepth = depth;
    t.stackHigh = Math.max(t.stackHigh, depth);
    t.callStackHigh = Math.max(t.callStackHigh, depth);
    if (depth > this.usable) {
      this.k.fatal(
        'stack-overflow',
        t,
        `kernel stack overflow in ${frame}: ${depth} B used of ${this.usable} B`,
        {
          frame,
          depth,
          usable: this.usable,
        },
      );
    }
  }

  /**
   * The thread's kernel stack as memory (THREAD_SIZE bytes of the arena, allocated on first
   * use, owner tag "kernel-stack"): on-stack buffers live here, so copies into them are real.
   * Returns the address of a `bytes`-long area at the current depth (stacks grow down).
   */
  areaAt(t: Thread, bytes: number): number {
    if (t.stackBase === 0) {
      const pages = Math.max(1, this.k.arch.threadSize / this.k.arch.pageSize);
      t.stackBase = this.k.mem.reservePages(Math.ceil(Math.log2(pages)), this.k.mem.tag('kernel-stack'));
      if (t.stackBase === 0) this.k.fatal('stack-overflow', t, 'no memory for a kernel stack');
    }
    const top = t.stackBase + this.k.arch.threadSize;
    return Math.max(t.stackBase, top - t.stackDepth - bytes);
  }

  pop(t: Thread, bytes: number): void {
    t.stackDepth -= bytes;
  }

  /** Margin left at a given depth: usable bytes minus depth (negative means overflow). */
  margin(depth: number): number {
    return this.usable - depth;
  }
}
