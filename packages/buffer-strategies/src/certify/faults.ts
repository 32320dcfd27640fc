import { type FaultConfig, PROT_READ } from '@pfmsim/kernel-sim';
import { ELEM_SIZES } from '../lab.js';
import { EFAULT, ENOMEM } from '../spec.js';
import { type CertCheck, Problems, statusOf } from './check.js';
import {
  type CaseWorld,
  caseWorld,
  leftovers,
  type StrategyFactory,
  threadProblems,
  thrown,
} from './world.js';

/** Vector lengths faulted at every byte: 2 and 8 PMDs (the stack paths), 23 (arg_size_max). */
export const FAULT_COUNTS = [2, 8, 23] as const;
/** Calls made under failslab / fail_usercopy: a mix of lengths, so caches grow and are reused. */
export const FAULT_SEQUENCE = [8, 8, 2, 23, 16, 5, 8] as const;
type MakeWorld = (faults?: FaultConfig) => CaseWorld;

/** Injection points tried at most per kind (a strategy allocating more is reported, not looped on). */
export const MAX_FAULT_POINTS = 256;

export interface FaultFigures {
  calls: number;
  copyInBytes: number;
  copyBackBytes: number;
  allocationPoints: number;
  copyPoints: number;
}

/**
 * Fault injection for one strategy (i386, p4-2006): a copy in that faults at every byte of
 * 2-, 8- and 23-PMD vectors gives EFAULT and the whole vector succeeds; the same for the copy
 * back; failslab at every allocation the call sequence makes gives ENOMEM on exactly the call
 * that hit it; fail_usercopy at every copy gives EFAULT on that call. After every call nothing
 * is held (locks, irqs, preemption, stack) and no kernel bug was reported; after closing the
 * context and exiting the thread nothing is left (objects, pinned bytes, budget).
 */
export interface FaultOptions {
  /** The command that reruns this check, printed when it fails. */
  replay: string;
  /** CONFIG_DEBUG_ATOMIC_SLEEP (might_sleep checks in the copies). Default true. */
  debugAtomicSleep?: boolean;
  /** Injection points tried per kind before the check gives up (default MAX_FAULT_POINTS). */
  maxPoints?: number;
}

export function faultInjectionCheck(factory: StrategyFactory, opts: FaultOptions): CertCheck {
  // Stryker disable next-line LogicalOperator: undefined is the lab's own default, which is on
  const das = opts.debugAtomicSleep ?? true;
  const maxPoints = opts.maxPoints ?? MAX_FAULT_POINTS;
  const make = (faults?: FaultConfig) => caseWorld(factory, das, faults);
  const problems = new Problems();
  const f: FaultFigures = { calls: 0, copyInBytes: 0, copyBackBytes: 0, allocationPoints: 0, copyPoints: 0 };
  guarded(problems, 'copy in', () => copyFaults(make, 'in', problems, f));
  guarded(problems, 'copy back', () => copyFaults(make, 'back', problems, f));
  guarded(problems, 'failslab', () => injected(make, 'failslab', maxPoints, problems, f));
  guarded(problems, 'fail_usercopy', () => injected(make, 'failUsercopy', maxPoints, problems, f));
  const status = statusOf(problems);
  return {
    id: 'faults',
    title: 'fault injection at every copy byte and every allocation, with the leak check',
    status,
    summary: `${f.calls} calls: copy in faulted at each of ${f.copyInBytes} bytes, copy back at each of ${f.copyBackBytes}, failslab at ${f.allocationPoints} allocations, fail_usercopy at ${f.copyPoints} copies; ${problems.count} problem(s)`,
    figures: { ...f, problems: problems.count },
    problems: problems.list,
    moreProblems: problems.more,
    replay: status === 'fail' ? [opts.replay] : [],
  };
}

function guarded(problems: Problems, what: string, run: () => void): void {
  try {
    run();
  } catch (e) {
    problems.add(`${what}: ${thrown(e)}`);
  }
}

function afterCall(w: CaseWorld, what: string, problems: Problems): boolean {
  const found = threadProblems(w);
  for (const p of found) problems.add(`${what}: ${p}`);
  return found.length === 0;
}

function finish(w: CaseWorld, what: string, problems: Problems): void {
  for (const p of leftovers(w)) problems.add(`${what}: ${p}`);
}

/** `in`: the vector ends `good` bytes before an unmapped page; `back`: before a read-only one. */
function copyFaults(make: MakeWorld, dir: 'in' | 'back', problems: Problems, f: FaultFigures): void {
  const w = make();
  const { lab, t, ctx } = w;
  const page = lab.k.arch.pageSize;
  const region = lab.process.mm.mmap(2 * page);
  if (dir === 'back') lab.process.mm.mprotect(region + page, page, PROT_READ);
  const end = dir === 'in' ? region + 2 * page : region + page;
  for (const n of FAULT_COUNTS) {
    const bytes = n * ELEM_SIZES.pmd;
    for (let good = 0; good <= bytes; good++) {
      const what = `copy ${dir}, n=${n}, ${good} of ${bytes} bytes ${dir === 'in' ? 'readable' : 'writable'}`;
      const ret = lab.k.runSync(t, lab.call(t, ctx, 'pmd', n, end - good));
      f.calls++;
      const want = good < bytes ? -EFAULT : 0;
      if (ret !== want) problems.add(`${what}: returned ${ret}, expected ${want}`);
      if (!afterCall(w, what, problems)) return;
    }
    // Stryker disable next-line EqualityOperator: both directions fault at the same sizes, so a swap of the two totals cannot show; each is asserted
    if (dir === 'in') f.copyInBytes += bytes;
    else f.copyBackBytes += bytes;
  }
  finish(w, `copy ${dir}`, problems);
}

/**
 * Injection at the nth candidate, for n = 1, 2, ... until a run injects nothing (every point
 * has been tried). The call during which the fault was injected fails with its errno; every
 * other call succeeds.
 */
function injected(
  make: MakeWorld,
  kind: 'failslab' | 'failUsercopy',
  maxPoints: number,
  problems: Problems,
  f: FaultFigures,
): void {
  const errno = kind === 'failslab' ? ENOMEM : EFAULT;
  const label = kind === 'failslab' ? 'failslab' : 'fail_usercopy';
  for (let nth = 1; nth <= maxPoints; nth++) {
    // the argument buffer's allocations and copies: all of them carry the pfm_get_args site
    const w = make({ [kind]: { nth, filter: 'pfm_get_args' } });
    const { lab, t, ctx } = w;
    const injector = kind === 'failslab' ? lab.k.mem.failslab : lab.k.uaccess.failUsercopy;
    const u = lab.process.mm.mmap(23 * ELEM_SIZES.pmd);
    for (const [i, n] of FAULT_SEQUENCE.entries()) {
      const before = injector.stats.failures;
      const ret = lab.k.runSync(t, lab.call(t, ctx, 'pmd', n, u));
      f.calls++;
      const want = injector.stats.failures > before ? -errno : 0;
      const what = `${label} nth=${nth}, call ${i + 1} (n=${n})`;
      if (ret !== want) problems.add(`${what}: returned ${ret}, expected ${want}`);
      if (!afterCall(w, what, problems)) return;
    }
    finish(w, `${label} nth=${nth}`, problems);
    if (injector.stats.failures === 0) return;
    if (kind === 'failslab') f.allocationPoints++;
    else f.copyPoints++;
  }
  problems.add(`${label}: still injecting at point ${maxPoints}; the calls make more than ${maxPoints}`);
}
