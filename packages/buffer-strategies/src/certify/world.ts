import type { FaultConfig, MemSnapshot, Thread } from '@pfmsim/kernel-sim';
import { StrategyLab } from '../lab.js';
import type { ArgBufferStrategy, ContextSlot } from '../spec.js';

/** Makes a fresh strategy: certification builds one per world, as a kernel boot would. */
export type StrategyFactory = () => ArgBufferStrategy;

/** One lab world for a certification case: i386 on the 2006 P4, one thread, one context. */
export interface CaseWorld {
  readonly lab: StrategyLab;
  readonly strategy: ArgBufferStrategy;
  readonly t: Thread;
  readonly ctx: ContextSlot;
  readonly snapshot: MemSnapshot;
}

export function caseWorld(
  factory: StrategyFactory,
  debugAtomicSleep: boolean,
  faults?: FaultConfig,
): CaseWorld {
  const strategy = factory();
  const lab = new StrategyLab({
    arch: 'i386',
    cost: 'p4-2006',
    seed: 1,
    strategy,
    arenaBytes: 2 << 20,
    debugAtomicSleep,
    ...(faults ? { faults } : {}),
  });
  const t = lab.thread('caller');
  const snapshot = lab.k.mem.snapshot();
  const ctx = lab.openContext(t);
  return { lab, strategy, t, ctx, snapshot };
}

/** What a call may not leave behind: a kernel bug, a held lock, irqs or preemption off, a frame. */
export function threadProblems(w: CaseWorld): string[] {
  const { lab, t } = w;
  const out = lab.k.bugs.map((b) => `${b.kind}: ${b.message}`);
  if (t.heldLocks.length > 0) out.push(`returned holding ${t.heldLocks.map((l) => l.name).join(', ')}`);
  if (t.preemptCount !== 0) out.push(`returned with preempt count ${t.preemptCount}`);
  if (t.irqsOff) out.push('returned with irqs off');
  if (t.stackDepth !== 0) out.push(`returned with ${t.stackDepth} B still on the kernel stack`);
  return out;
}

interface BudgetReporting {
  budgetReport(k: StrategyLab['k']): { globalBytes: number; users: ReadonlyMap<number, number> };
}

/** Closes the context, exits the thread and lists what is left: objects, pinned bytes, budget. */
export function leftovers(w: CaseWorld): string[] {
  const { lab, strategy, t, ctx, snapshot } = w;
  const bugsBefore = lab.k.bugs.length;
  lab.closeContext(t, ctx);
  lab.k.exitThread(t);
  const out: string[] = [];
  const live = lab.k.mem.liveObjectsSince(snapshot);
  if (live.length > 0) out.push(`${live.length} kernel object(s) left after close and exit (a leak)`);
  const pinned = lab.pinnedBytes();
  if (pinned !== 0)
    out.push(`${pinned} B of argument buffers still charged to the user after close and exit`);
  if ('budgetReport' in strategy) {
    const report = (strategy as unknown as BudgetReporting).budgetReport(lab.k);
    const users = [...report.users.values()].reduce((a, b) => a + b, 0);
    if (report.globalBytes !== 0 || users !== 0) {
      out.push(`budget not back to 0 (global ${report.globalBytes} B, users ${users} B)`);
    }
  }
  for (const b of lab.k.bugs.slice(bugsBefore)) out.push(`${b.kind}: ${b.message}`);
  return out;
}

/** The message of anything a strategy throws (a plugin's own bug). */
export function thrown(e: unknown): string {
  return `the strategy threw: ${e instanceof Error ? e.message : String(e)}`;
}
