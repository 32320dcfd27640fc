import { GFP_KERNEL, type Kernel, type Spinlock, type Thread } from '@pfmsim/kernel-sim';
import {
  ArgBudget,
  BUDGET_UNIT_BYTES,
  type BudgetOptions,
  checkBudgetOptions,
  type PercpuCounter,
  unitsFor,
} from '../budget.js';
import { type ArgBufferStrategy, type ArgCall, type ContextSlot, E2BIG, ENOMEM } from '../spec.js';
import {
  bufferOf,
  classBytes,
  classOf,
  HOW_CACHED,
  HOW_KMALLOC,
  HOW_NONE,
  howClass,
  howKind,
  packBuffer,
  perKernel,
  sizeClassOf,
  spinLockNoWait,
} from './common.js';

export type CtxCacheBoundedOptions = BudgetOptions;

/** Accounting of a bounded cache in one kernel, read without charging anyone. */
export interface BudgetReport {
  readonly unitBytes: number;
  readonly batch: number;
  readonly userLimitBytes: number;
  readonly globalLimitBytes: number;
  /** Exact bytes charged to the global budget, and the folded (approximate) count. */
  readonly globalBytes: number;
  readonly globalFoldedBytes: number;
  readonly users: ReadonlyMap<number, number>;
  readonly cachedContexts: number;
}

export interface BoundedStrategy extends ArgBufferStrategy {
  budgetReport(k: Kernel): BudgetReport;
}

/**
 * The slot word while a caller owns the slot (claimed with xchg): not a buffer (kmalloc
 * buffers are 32-byte aligned and non-NULL), so a concurrent caller sees "in use" rather than
 * "empty" and takes a transient buffer without touching the budget.
 */
export const SLOT_BUSY = 1;

interface State {
  readonly budget: ArgBudget;
  readonly site: number;
  /** Contexts that may hold a cached buffer: the shrinker's list (a list under listLock). */
  readonly contexts: Set<ContextSlot>;
  readonly listLock: Spinlock;
}

/**
 * `ctx-cache-bounded`: `ctx-cache` (single slot, xchg to claim, cmpxchg to return) plus a
 * budget. A buffer may be kept in a context only if its size (in 1 KiB units) fits both the
 * owner's per-user budget and a global budget, counted with per-CPU-batched counters
 * (percpu_counter: batch = max(32, 2 x nr_cpus) units, per-CPU deltas under preempt_disable,
 * folded under the counter's spinlock only past the batch, summed exactly only near a limit):
 * a cache hit touches no counter, a miss charges without a global lock while far from the
 * limit. Over budget, the call gets a plain kmalloc that is kfreed after it (not cached). A
 * shrinker registered with the kernel takes the cached buffers back under memory pressure.
 *
 * One refinement over ctx-cache: the claim stores SLOT_BUSY instead of NULL, so a concurrent
 * caller that finds the buffer taken knows it is taken (not merely absent) and goes straight
 * to a transient kmalloc, and the owner's return `cmpxchg(&slot, BUSY, buf)` fails only when
 * the shrinker or a close emptied the slot meanwhile. Without it two callers on one fd would
 * charge, allocate, fail the return and uncharge on every overlap. (If the slot was emptied
 * and claimed again meanwhile, the return may land on the new claimant's BUSY: harmless, the
 * returning caller is done with its buffer, and the claimant then frees its own.)
 */
export function createCtxCacheBoundedStrategy(
  options: CtxCacheBoundedOptions = {},
  name = 'ctx-cache-bounded',
): BoundedStrategy {
  const opts = checkBudgetOptions(options);
  const state = perKernel((k: Kernel): State => {
    const st: State = {
      budget: new ArgBudget(k, opts, name),
      // Stryker disable next-line StringLiteral: names only shown in race and lockdep reports; a correct run has none
      site: k.mem.tag(`ctx->arg_cache (${name})`),
      contexts: new Set(),
      // Stryker disable next-line StringLiteral: names only shown in race and lockdep reports; a correct run has none
      listLock: k.sync.createSpinlock(`${name} context list`, 'arg_cache_list_lock'),
    };
    k.mem.registerShrinker(name, (t, wanted) => shrink(k, st, t, wanted));
    return st;
  });

  const shrink = (k: Kernel, st: State, t: Thread | null, wanted: number): number => {
    let freed = 0;
    if (t !== null) spinLockNoWait(k, t, st.listLock, false);
    for (const slot of st.contexts) {
      if (freed >= wanted) break;
      let word: number;
      if (t !== null) word = k.sync.xchg(t, slot.addr, 0, st.site);
      else {
        word = k.mem.readWord(slot.addr);
        k.mem.writeWord(slot.addr, 0);
      }
      // Empty, or in use (its owner's cmpxchg will now fail and free it): nothing to take.
      if (word === 0 || word === SLOT_BUSY) continue;
      const bytes = classBytes(k, classOf(word));
      k.mem.kfree(t, bufferOf(word));
      st.budget.uncharge(t, slot.data as PercpuCounter, unitsFor(bytes));
      freed += bytes;
    }
    if (t !== null) k.sync.spinUnlock(t, st.listLock);
    return freed;
  };

  return {
    specificationVersion: 'v1',
    name,
    description:
      'ctx-cache within a per-user and a global budget (percpu counters), kmalloc over budget, shrinker',
    pinnedFormula: `min(contexts x arg_size_max, per-user budget (${opts.userBudget} B) per user, global budget (${opts.globalBudget} B))`,
    stackFootprint: '0 B',
    frameBytes: () => 0,
    init(k) {
      state(k);
    },
    contextCreated(k: Kernel, t: Thread, slot: ContextSlot): void {
      const st = state(k);
      slot.data = st.budget.userCounter(slot.uid);
      if (slot.data === null) return; // no budget slot for this user: never cached
      spinLockNoWait(k, t, st.listLock, false);
      st.contexts.add(slot);
      k.sync.spinUnlock(t, st.listLock);
    },
    acquire(call: ArgCall): number {
      const { k, t, slot } = call;
      if (call.bytes > call.limit) return -E2BIG;
      const st = state(k);
      const user = slot.data as PercpuCounter | null;
      if (user !== null) {
        const word = k.sync.xchg(t, slot.addr, SLOT_BUSY, st.site);
        if (word !== SLOT_BUSY) {
          // The slot is ours until release: reuse, replace or fill it.
          if (word !== 0) {
            const cls = classOf(word);
            const have = classBytes(k, cls);
            if (have >= call.bytes) {
              call.buf = bufferOf(word);
              call.how = HOW_CACHED | (cls << 4);
              return call.buf;
            }
            k.mem.kfree(t, bufferOf(word));
            st.budget.uncharge(t, user, unitsFor(have));
          }
          const cls = sizeClassOf(k, call.bytes);
          const units = unitsFor(classBytes(k, cls));
          if (cls !== 0 && st.budget.tryCharge(t, user, units)) {
            const buf = k.mem.kmalloc(t, call.bytes, GFP_KERNEL, slot.owner, call.site);
            if (buf === 0) {
              st.budget.uncharge(t, user, units);
              k.sync.cmpxchg(t, slot.addr, SLOT_BUSY, 0, st.site);
              return -ENOMEM;
            }
            call.buf = buf;
            call.how = HOW_CACHED | (cls << 4);
            return buf;
          }
          // Over budget: give the slot back empty.
          k.sync.cmpxchg(t, slot.addr, SLOT_BUSY, 0, st.site);
        }
      }
      // The buffer is in use by another caller, or over budget: a transient buffer, kfreed after.
      const buf = k.mem.kmalloc(t, call.bytes, GFP_KERNEL, slot.owner, call.site);
      if (buf === 0) return -ENOMEM;
      call.buf = buf;
      call.how = HOW_KMALLOC;
      return buf;
    },
    release(call: ArgCall): void {
      const { k, t } = call;
      const kind = howKind(call.how);
      if (kind === HOW_CACHED) {
        const st = state(k);
        const cls = howClass(call.how);
        // Fails only if the shrinker or a close emptied the slot meanwhile: then let it go.
        if (k.sync.cmpxchg(t, call.slot.addr, SLOT_BUSY, packBuffer(call.buf, cls), st.site) !== SLOT_BUSY) {
          k.mem.kfree(t, call.buf);
          st.budget.uncharge(t, call.slot.data as PercpuCounter, unitsFor(classBytes(k, cls)));
        }
      } else {
        k.mem.kfree(t, call.buf); // HOW_KMALLOC: a transient buffer
      }
      call.buf = 0;
      call.how = HOW_NONE;
    },
    contextClosed(k: Kernel, t: Thread | null, slot: ContextSlot): void {
      const st = state(k);
      if (t !== null) spinLockNoWait(k, t, st.listLock, false);
      st.contexts.delete(slot);
      if (t !== null) k.sync.spinUnlock(t, st.listLock);
      const word = k.mem.readWord(slot.addr);
      k.mem.writeWord(slot.addr, 0);
      // A buffer word: neither empty (0) nor claimed (SLOT_BUSY). A context without a budget
      // counter never keeps one.
      // (No call holds the fd when its context is closed, so the slot is never SLOT_BUSY here.)
      if (word > SLOT_BUSY) {
        k.mem.kfree(t, bufferOf(word));
        st.budget.uncharge(t, slot.data as PercpuCounter, unitsFor(classBytes(k, classOf(word))));
      }
      slot.data = null;
    },
    shrink(k: Kernel, t: Thread | null): number {
      return shrink(k, state(k), t, Number.POSITIVE_INFINITY);
    },
    budgetReport(k: Kernel): BudgetReport {
      const st = state(k);
      const users = new Map<number, number>();
      for (const [uid, c] of st.budget.users) users.set(uid, c.peek(k) * BUDGET_UNIT_BYTES);
      return {
        unitBytes: BUDGET_UNIT_BYTES,
        batch: st.budget.batch,
        userLimitBytes: st.budget.userLimit * BUDGET_UNIT_BYTES,
        globalLimitBytes: st.budget.globalLimit * BUDGET_UNIT_BYTES,
        globalBytes: st.budget.global.peek(k) * BUDGET_UNIT_BYTES,
        globalFoldedBytes: st.budget.global.read(k) * BUDGET_UNIT_BYTES,
        users,
        cachedContexts: st.contexts.size,
      };
    },
  };
}
