/**
 * What the simulated kernel's debug options would have reported: lockdep, DEBUG_ATOMIC_SLEEP,
 * KASAN, KCSAN, kmemleak, stack overflow. A KernelBug is data, never an exception; the
 * fatal kinds (a deadlock, a stack overflow) also stop the thread that hit them.
 */
export const BUG_KINDS = [
  'sleep-in-atomic',
  'recursive-lock',
  'unlock-not-held',
  'lock-order',
  'irq-unsafe-lock',
  'held-at-return',
  'stack-overflow',
  'use-after-free',
  'out-of-bounds',
  'double-free',
  'invalid-free',
  'data-race',
  'leak',
  'deadlock',
] as const;
export type BugKind = (typeof BUG_KINDS)[number];

export interface KernelBug {
  readonly kind: BugKind;
  readonly message: string;
  /** Thread that hit it ("T1 reader"), or "-" outside any thread. */
  readonly thread: string;
  /** The system call that was running, if any. */
  readonly syscall: string | null;
  /** Locks held by the thread at the time, innermost last. */
  readonly heldLocks: readonly string[];
  /** `pfmsim`-style replay handle: `SEED:D1.D2...` (decisions taken so far). */
  readonly replay: string;
  /** Kind-specific detail (sites of a race, the lock cycle, stack depth...). */
  readonly detail: Readonly<Record<string, string | number>>;
}

/** Thrown inside a simulated thread when a bug makes continuing meaningless (deadlock, overflow). */
export class ThreadKilled extends Error {
  override readonly name = 'ThreadKilled';
  constructor(readonly bug: KernelBug) {
    super(`thread killed: ${bug.kind}: ${bug.message}`);
  }
}

export function formatBug(bug: KernelBug): string {
  const locks = bug.heldLocks.length > 0 ? ` holding [${bug.heldLocks.join(', ')}]` : '';
  const call = bug.syscall ? ` in ${bug.syscall}` : '';
  return `${bug.kind}: ${bug.message} (thread ${bug.thread}${call}${locks}; replay ${bug.replay})`;
}
