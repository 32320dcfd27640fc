import type { ContextSlot } from '@pfmsim/buffer-strategies';
import { type FileLike, type Process, type Spinlock, type Thread, WaitQueue } from '@pfmsim/kernel-sim';
import { PFM_CTX_UNLOADED } from '../abi/constants.js';
import { MsgQueue } from './msg.js';
import type { PmdStore } from './pmd-store.js';
import type { PmuBinding } from './pmu.js';
import { EventSet, SetList } from './sets.js';
import type { SmplBuffer } from './smpl-buf.js';

/** Bytes of the kernel's struct pfm_context (a kmalloc from the context cache). */
export const CONTEXT_BYTES = 512;

/**
 * A perfmon2 context (struct pfm_context) and the file behind its descriptor. Its lock is the
 * irq-safe ctx->lock that serialises every call; its state follows perfmon2-abi.md §2. It is
 * also the argument-buffer strategy's slot for the context (ContextSlot: id, addr, lock, uid,
 * owner, data), so a million contexts are a million objects, not two million.
 */
export class PfmContext implements FileLike, ContextSlot {
  /** FileLike.kind, on the prototype (not a field of each of a million contexts). */
  get kind(): 'perfmon' {
    return 'perfmon';
  }
  /** Descriptors referring to this file (dup/close bookkeeping). */
  refs = 0;
  state: number = PFM_CTX_UNLOADED;
  readonly sets: SetList;
  active: EventSet;
  /** Monitored thread (per-thread mode) once loaded. */
  target: Thread | null = null;
  /** The thread that loaded the context: NOTIFY_BLOCK blocks a target other than it. */
  loader: Thread | null = null;
  /** Bound CPU (system-wide mode) once loaded. */
  cpu = -1;
  // Stryker disable next-line BooleanLiteral: read only while LOADED, and pfm_load_context clears it
  started = false;
  // Stryker disable next-line BooleanLiteral: read only while MASKED, and masking sets it to true
  canRestart = false;
  /** read() returns EAGAIN instead of blocking when set (O_NONBLOCK). */
  nonblock = false;
  /** Threads sleeping in read() for a message (ctx->msgq_wait). */
  readonly msgqWait = new WaitQueue('ctx->msgq_wait');
  /**
   * fcntl(F_SETFL, O_ASYNC) + F_SETOWN: SIGIO to the owner when a message is queued. The
   * handler runs in the owner thread's user context on its return to user mode.
   */
  asyncOwner: Thread | null = null;
  asyncHandler: ((t: Thread) => void) | null = null;
  // Stryker disable next-line BooleanLiteral: read only with an async handler, and setAsync recomputes it
  sigioPending = false;
  /** A NOTIFY_BLOCK target that must wait for pfm_restart (set at the overflow). */
  blockedTarget: Thread | null = null;
  /** Where the blocked target sleeps until pfm_restart or an unload (ctx->restart_complete). */
  readonly restartComplete = new WaitQueue('ctx->restart_complete');
  /** The notification queue, made on first use (most contexts never queue a message). */
  private msgQueue: MsgQueue | null = null;
  /** The uid of the creating process when the context was made (per-user budgets). */
  readonly uid: number;
  /** The strategy's own state for this context (ContextSlot.data). */
  data: unknown = null;
  /** The sampling format and its buffer, when the context was created with one. */
  smpl: SmplBuffer | null = null;
  freed = false;

  constructor(
    readonly id: number,
    readonly flags: number,
    readonly systemWide: boolean,
    readonly creator: Process,
    readonly lock: Spinlock,
    /** Owner tag of the context's argument buffers (args:uid:N): ContextSlot.owner. */
    readonly owner: number,
    readonly kaddr: number,
    pmu: PmuBinding,
    pmdStore: PmdStore,
    private readonly maxMsgs: number,
    /** The system's last-close handler: one function shared by every context. */
    readonly onRelease: (ctx: PfmContext, t: Thread | null) => void,
  ) {
    this.active = new EventSet(0, pmu, pmdStore);
    this.sets = new SetList(this.active);
    this.uid = creator.uid;
  }

  /** The struct's kernel address (ContextSlot.addr). */
  get addr(): number {
    return this.kaddr;
  }

  get msgs(): MsgQueue {
    if (this.msgQueue === null) this.msgQueue = new MsgQueue(this.maxMsgs);
    return this.msgQueue;
  }

  release(t: Thread | null): void {
    this.onRelease(this, t);
  }
}
