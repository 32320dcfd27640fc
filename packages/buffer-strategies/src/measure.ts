import { type CostOverrides, InvalidArgumentError } from '@pfmsim/kernel-sim';
import { ELEM_SIZES, StrategyLab } from './lab.js';
import type { ArgBufferStrategy, ElemKind } from './spec.js';

export interface MeasureOptions {
  kind?: ElemKind;
  costOverrides?: CostOverrides;
  /** Back-end cycles per element; default the profile's pmuRegSaved ("saved" reads). */
  regCycles?: number;
  /** Steady-state calls averaged after the warm-up call (default 1). */
  calls?: number;
  seed?: number;
  /** Measure even if the simulator reports kernel bugs (the seed's spinsplit always does). */
  allowBugs?: boolean;
}

/**
 * Mean cycles of one pfm_read_pmds-shaped call with `count` elements, in steady state: one
 * thread, one context, one warm-up call (fills the per-CPU slab arrays and any cache), then
 * `calls` measured calls. Throws if a call fails, or if the simulator reports a kernel bug
 * (unless `allowBugs`).
 */
export function cyclesPerCall(
  strategy: ArgBufferStrategy,
  arch: string,
  cost: string,
  count: number,
  opts: MeasureOptions = {},
): number {
  const kind = opts.kind ?? 'pmd';
  const calls = opts.calls ?? 1;
  const lab = new StrategyLab({
    arch,
    cost,
    seed: opts.seed ?? 1,
    strategy,
    arenaBytes: 2 << 20,
    ...(opts.costOverrides ? { costOverrides: opts.costOverrides } : {}),
    ...(opts.regCycles === undefined ? {} : { regCycles: opts.regCycles }),
  });
  // Stryker disable next-line StringLiteral: the thread's name shows only in bug reports, which the measurement never returns
  const t = lab.thread('reader');
  const ctx = lab.openContext(t);
  const u = lab.process.mm.mmap(Math.max(1, count) * ELEM_SIZES[kind]);
  lab.k.runSync(t, lab.call(t, ctx, kind, count, u));
  const before = t.clock.total;
  for (let i = 0; i < calls; i++) {
    const ret = lab.k.runSync(t, lab.call(t, ctx, kind, count, u));
    if (ret !== 0)
      throw new InvalidArgumentError(
        `${strategy.name} call with ${count} ${kind}`,
        ret,
        'a call that succeeds',
      );
  }
  if (lab.k.bugs.length > 0 && opts.allowBugs !== true) {
    throw new Error(`${strategy.name}: ${lab.k.bugs[0]!.kind}: ${lab.k.bugs[0]!.message}`);
  }
  return (t.clock.total - before) / calls;
}
