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
    if (depth > t.stackHigh) t.stackHigh = depth;
    if (depth > t.callStackHigh) t.callStackHigh = depth;
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

  pop(t: Thread, bytes: number): void {
    t.stackDepth -= bytes;
  }

  /** Margin left at a given depth: usable bytes minus depth (negative means overflow). */
  margin(depth: number): number {
    return this.usable - depth;
  }
}
