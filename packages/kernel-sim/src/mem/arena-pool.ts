/**
 * The memory a disposed kernel hands on to the next one (schedule exploration builds a kernel
 * per schedule): its arena buffers, zeroed, and its race detector's shadow store. A kernel
 * takes from and gives back to the pool named by `KernelOptions.arenaPool`: `sharedArenaPool`
 * unless the caller owns one (or passes null: nothing is recycled).
 */
import type { ShadowStore } from '../race.js';

/** The large per-kernel arrays of Memory. */
export interface ArenaBuffers {
  /** The arena's bytes in chunks of 4 GiB (Memory's ARENA_CHUNK_BYTES), the last one the rest. */
  readonly chunks: readonly Uint8Array[];
  readonly slotState: Uint8Array;
  readonly slotOwner: Int32Array;
  readonly slotSite: Int32Array;
  readonly slotSize: Int32Array;
  readonly slotSeq: Int32Array;
}

export class ArenaPool {
  /** Arenas by their size and first chunk's size (`bytes:chunk`). */
  private readonly arenas = new Map<string, ArenaBuffers[]>();
  private readonly shadows: ShadowStore[] = [];

  /** At most `keep` arenas per size, and `keep` shadow stores. */
  constructor(readonly keep = 4) {}

  /** Arenas held, of every size. */
  get arenaCount(): number {
    let n = 0;
    for (const list of this.arenas.values()) n += list.length;
    return n;
  }

  /** An arena of `bytes` in chunks of `chunkBytes` (the first chunk's size), if one is held. */
  takeArena(bytes: number, chunkBytes: number): ArenaBuffers | undefined {
    return this.arenas.get(`${bytes}:${chunkBytes}`)?.pop();
  }

  /** A zeroed arena of a disposed kernel. */
  giveArena(b: ArenaBuffers): void {
    let bytes = 0;
    for (const c of b.chunks) bytes += c.length;
    const key = `${bytes}:${b.chunks[0]!.length}`;
    const list = this.arenas.get(key) ?? [];
    if (list.length < this.keep) list.push(b);
    this.arenas.set(key, list);
  }

  takeShadow(): ShadowStore | undefined {
    return this.shadows.pop();
  }

  giveShadow(s: ShadowStore): void {
    if (this.shadows.length < this.keep) this.shadows.push(s);
  }
}

/** The pool kernels share unless their options name another. */
export const sharedArenaPool = new ArenaPool();
