/**
 * MIPS64 (`pfm_gen_mips64_dispatch_counters`): rank-based allocation, events usable on one
 * counter first, then those usable on two, each on the lowest free counter; an exhaustive
 * search follows when that fails. Unlike libpfm, unavailable PMCs are respected.
 *
 * PerfCtl encoding: bit 0 EXL (PLM2), bit 1 K (PLM0), bit 2 S (PLM1), bit 3 U (PLM3), bit 4 IE
 * (always 1), event from bit 5 (`eventBits` wide) with the event's code for the chosen counter
 * (`modelData.codes`). All four privilege levels are valid; no counter options exist.
 * `regAddr` is the model's `hwAddr` (the counter index; libpfm reports 2n and 2n+1).
 */
import type { Slot } from './assign.js';
import { PFM_PLM0, PFM_PLM1, PFM_PLM2, PFM_PLM3 } from './constants.js';
import {
  assignCounters,
  bit,
  controllers,
  counterAvailable,
  hex,
  pmcAddr,
  pmdAddr,
  range,
  rejectOptions,
} from './dispatch-common.js';
import type { DispatchContext, DispatchResult, PmcValue } from './dispatch-types.js';
import { mipsCodes } from './model-data.js';
import { LIBPFM_SCHEME_API_VERSION, type LibpfmScheme } from './scheme-types.js';

export function dispatchMips64(ctx: DispatchContext): DispatchResult {
  rejectOptions(ctx, {});
  const staticCounters = ctx.events.map((e) => [...e.event.counters]);
  const candidates: Slot[][] = staticCounters.map((list) =>
    list.filter((c) => counterAvailable(ctx, c)).map((counter) => ({ counter })),
  );
  const maxRank = Math.max(0, ...staticCounters.map((l) => l.length));
  const passes = range(maxRank + 1)
    .slice(1)
    .map((rank) => ({ events: range(ctx.events.length).filter((i) => staticCounters[i]?.length === rank) }));
  const assignment = assignCounters(ctx, { candidates, greedy: passes, staticCounters });
  const bits = BigInt(ctx.model.encoding.eventBits);
  const pmcs: PmcValue[] = [];
  const lines: string[] = [];
  for (const e of ctx.events) {
    const counter = (assignment[e.pos] as Slot).counter;
    const code = BigInt(mipsCodes(e.event)?.get(counter) ?? Number(e.event.code));
    const exl = bit((e.plm & PFM_PLM2) !== 0);
    const os = bit((e.plm & PFM_PLM0) !== 0);
    const sup = bit((e.plm & PFM_PLM1) !== 0);
    const usr = bit((e.plm & PFM_PLM3) !== 0);
    const value =
      BigInt(exl) |
      (BigInt(os) << 1n) |
      (BigInt(sup) << 2n) |
      (BigInt(usr) << 3n) |
      (1n << 4n) |
      ((code & ((1n << bits) - 1n)) << 5n);
    const pmc = controllers(ctx.model, counter)[0] ?? counter;
    pmcs.push({ regNum: pmc, regValue: value, regAddr: pmcAddr(ctx.model, pmc) });
    lines.push(
      `[CP0_25_${counter}(pmc${pmc})=${hex(value)} event_mask=${hex(code)} usr=${usr} os=${os} sup=${sup} exl=${exl} int=1] ${e.name}`,
      `[CP0_25_${counter}(pmd${counter})]`,
    );
  }
  const pmds = assignment.map((s) => ({ regNum: s.counter, regAddr: pmdAddr(ctx.model, s.counter) }));
  return { output: { pmcs, pmds }, lines };
}

export const mips64Scheme: LibpfmScheme = {
  apiVersion: LIBPFM_SCHEME_API_VERSION,
  scheme: 'mips64-ctrl',
  dispatcher: () => 'gen_mips64',
  dispatch: (ctx) => dispatchMips64(ctx),
  counterCodes: mipsCodes,
};
