import { type ArchProfile, checkInteger, type Kernel } from '@pfmsim/kernel-sim';
import { type ArgCall, type ArgKind, E2BIG } from '../spec.js';
import { HOW_NONE, HOW_STACK } from './common.js';
import {
  type BoundedStrategy,
  type CtxCacheBoundedOptions,
  createCtxCacheBoundedStrategy,
} from './ctx-cache-bounded.js';

/**
 * Bytes of a vector syscall's frame other than the argument array (locals, saved registers,
 * the call's own spills): an assumption, not a measurement, used by the stack budget rule.
 */
export const FRAME_OTHER_LOCALS = 256;

/** Share of the stack left under the entry path that the argument array may take: 1/8. */
export const STACK_SHARE_DIVISOR = 8;

export const STACK_BUDGET_RULE =
  "min((THREAD_SIZE - reservedBytes - syscallEntryDepth) / 8, CONFIG_FRAME_WARN - 256): one eighth of the stack left below the entry path (the rest stays for the back-end, the copy routines, a page fault taken by the copy with the mm and filesystem code under it, and on 8 KiB i386 the interrupts), and never a frame that trips the FRAME_WARN check, counting 256 B for the frame's other locals";

/** The stack budget of the hybrid strategy's argument array on one arch, in bytes. */
export function hybridStackBudget(arch: ArchProfile): number {
  const share = Math.floor(
    (arch.threadSize - arch.reservedBytes - arch.syscallEntryDepth) / STACK_SHARE_DIVISOR,
  );
  return Math.max(0, Math.min(share, arch.frameWarn - FRAME_OTHER_LOCALS));
}

export interface HybridOptions extends CtxCacheBoundedOptions {
  /** Bytes the on-stack array may take (default: hybridStackBudget(arch), STACK_BUDGET_RULE). */
  stackBudget?: number;
  /** Elements kept on the stack, overriding the budget rule for one kind. */
  pmc?: number;
  pmd?: number;
}

/**
 * `hybrid`: an on-stack array per element kind for small vectors, its size computed from the
 * arch's stack budget (STACK_BUDGET_RULE), and above it the bounded single-slot context cache
 * (`ctx-cache-bounded`: xchg/cmpxchg, per-user and global budgets, shrinker), kmalloc when over
 * budget. Small vectors cost no allocator and no atomic; large ones cost two atomics on a hit
 * and never pin more than the budgets. The evtset kinds pass no stack array (as in perfmon2,
 * lsz = 0) and always take the cache path.
 */
export function createHybridStrategy(options: HybridOptions = {}): BoundedStrategy {
  for (const key of ['pmc', 'pmd'] as const) {
    if (options[key] !== undefined) checkInteger(`hybrid ${key}`, options[key], 0, 1024);
  }
  if (options.stackBudget !== undefined) checkInteger('hybrid stackBudget', options.stackBudget, 0, 1 << 20);
  // checkBudgetOptions reads only the budget options (userBudget, globalBudget, maxUsers).
  const inner = createCtxCacheBoundedStrategy(options, 'hybrid');
  const elements = (kind: ArgKind, elemSize: number, arch: ArchProfile): number => {
    if (kind !== 'pmc' && kind !== 'pmd') return 0;
    const fixed = options[kind];
    if (fixed !== undefined) return fixed;
    return Math.floor((options.stackBudget ?? hybridStackBudget(arch)) / elemSize);
  };
  return {
    specificationVersion: 'v1',
    name: 'hybrid',
    description: 'stack array sized from the stack budget for small vectors, bounded context cache above',
    pinnedFormula: `${inner.pinnedFormula} (only vectors above the stack threshold are cached)`,
    stackFootprint: `floor(budget / sizeof(element)) x sizeof(element) for pmc and pmd, budget = ${STACK_BUDGET_RULE}`,
    frameBytes: (kind, elemSize, arch) => elements(kind, elemSize, arch) * elemSize,
    init(k: Kernel) {
      inner.init!(k);
    },
    contextCreated: inner.contextCreated!,
    acquire(call: ArgCall): number {
      if (call.bytes > call.limit) return -E2BIG; // limit first, as V2.8x and V3 do
      if (call.bytes <= call.stackBytes) {
        call.buf = call.stackArea;
        call.how = HOW_STACK;
        return call.buf;
      }
      return inner.acquire(call);
    },
    release(call: ArgCall): void {
      if (call.how === HOW_STACK) {
        call.buf = 0;
        call.how = HOW_NONE;
        return;
      }
      inner.release(call);
    },
    contextClosed: inner.contextClosed!,
    shrink: inner.shrink!,
    budgetReport: inner.budgetReport,
  };
}

/** Elements of `kind` the hybrid strategy keeps on the stack on `arch` with default options. */
export function hybridThreshold(arch: ArchProfile, elemSize: number): number {
  return Math.floor(hybridStackBudget(arch) / elemSize);
}
