/**
 * POWER5 (`pfm_gen_powerpc_dispatch_events`, simplified).
 *
 * libpfm programs POWER5 through predefined event groups: it intersects the events' group
 * vectors, takes the first group left and copies that group's MMCR0/MMCR1/MMCRA. The power5
 * model keeps the group vectors (`modelData.groupVector`) but not the group table, so:
 * - every event must use the same privilege levels (libpfm: NOASSIGN otherwise);
 * - the events' group vectors must share a group (libpfm: NOASSIGN otherwise);
 * - the three MMCRs are always written, so none may be unavailable (NOASSIGN);
 * - counters are chosen by exhaustive search over the PMCs each event can use (PMC1–6 are
 *   PMD 1–6), not by the group table.
 *
 * Encoding (simplified): MMCR0 = PMXE | PMC1CE | PMCjCE, with FCP, FCS and FCHV set and then
 * cleared for PLM3 (user), PLM0 (kernel) and PLM1 (hypervisor); FC5_6 when neither PMC5 nor
 * PMC6 is used. MMCR1 holds the PMCSEL byte (`modelData.pmcsel`) of each event on PMC1–4 at
 * bits 24, 16, 8, 0; the unit, byte and bus selects of MMCR1 are not programmed. MMCRA = 0.
 * PLM2 does not exist on POWER and is ignored, as libpfm does.
 */
import type { Slot } from './assign.js';
import { joinAnd } from './assign.js';
import { PFM_PLM0, PFM_PLM1, PFM_PLM3 } from './constants.js';
import {
  assignCounters,
  counterAvailable,
  hex,
  pmcAddr,
  pmcUnavailableReason,
  pmdAddr,
  rejectOptions,
} from './dispatch-common.js';
import type { DispatchContext, DispatchResult, PmcValue } from './dispatch-types.js';
import { PFMLIB_ERR_NOASSIGN, PfmError } from './errors.js';
import { power5Data } from './model-data.js';
import { LIBPFM_SCHEME_API_VERSION, type LibpfmScheme } from './scheme-types.js';

export const MMCR0_FCS = 0x40000000n;
export const MMCR0_FCP = 0x20000000n;
export const MMCR0_PMXE = 0x04000000n;
export const MMCR0_PMC1CE = 0x00008000n;
export const MMCR0_PMCJCE = 0x00004000n;
export const MMCR0_FC5_6 = 0x00000010n;
export const MMCR0_FCHV = 0x00000001n;

const MMCRS = [0, 1, 2];

export function dispatchPower5(ctx: DispatchContext): DispatchResult {
  rejectOptions(ctx, {});
  const first = ctx.events[0];
  if (first !== undefined) {
    const other = ctx.events.find((e) => e.plm !== first.plm);
    if (other !== undefined) {
      throw new PfmError(
        PFMLIB_ERR_NOASSIGN,
        `${ctx.model.id} counts every event at the same privilege levels: ${first.name} uses ${hex(first.plm)}, ${other.name} ${hex(other.plm)}`,
        { events: [first.name, other.name] },
      );
    }
  }
  const data = ctx.events.map((e) => power5Data(ctx.model, e.event));
  if (data.length > 0) {
    const words = Math.max(...data.map((d) => d.groupVector.length));
    let common = false;
    for (let w = 0; w < words; w++) {
      if (data.reduce((acc, d) => acc & (d.groupVector[w] ?? 0n), (1n << 64n) - 1n) !== 0n) common = true;
    }
    if (!common) {
      const names = ctx.events.map((e) => e.name);
      throw new PfmError(
        PFMLIB_ERR_NOASSIGN,
        `no ${ctx.model.id} event group contains all of ${joinAnd(names)}`,
        {
          events: names,
        },
      );
    }
  }
  for (const pmc of MMCRS) {
    const reason = pmcUnavailableReason(ctx, pmc);
    if (reason !== undefined && ctx.events.length > 0) {
      const names = ctx.events.map((e) => e.name);
      throw new PfmError(
        PFMLIB_ERR_NOASSIGN,
        `every ${ctx.model.id} event needs MMCR0, MMCR1 and MMCRA, but ${reason}`,
        {
          events: names,
        },
      );
    }
  }
  const staticCounters = ctx.events.map((e) => [...e.event.counters]);
  const candidates: Slot[][] = staticCounters.map((list) =>
    list.filter((c) => counterAvailable(ctx, c)).map((counter) => ({ counter })),
  );
  const assignment = assignCounters(ctx, { candidates, search: { order: 'input' }, staticCounters });
  const plm = first?.plm ?? ctx.dflPlm;
  let mmcr0 = MMCR0_PMXE | MMCR0_PMC1CE | MMCR0_PMCJCE | MMCR0_FCP | MMCR0_FCS | MMCR0_FCHV;
  if (plm & PFM_PLM3) mmcr0 &= ~MMCR0_FCP;
  if (plm & PFM_PLM0) mmcr0 &= ~MMCR0_FCS;
  if (plm & PFM_PLM1) mmcr0 &= ~MMCR0_FCHV;
  const used = new Set(assignment.map((s) => s.counter));
  if (!used.has(5) && !used.has(6)) mmcr0 |= MMCR0_FC5_6;
  let mmcr1 = 0n;
  const lines: string[] = [];
  for (const e of ctx.events) {
    const counter = (assignment[e.pos] as Slot).counter;
    const d = data[e.pos] as (typeof data)[number];
    if (counter >= 1 && counter <= 4) mmcr1 |= BigInt(d.pmcsel & 0xff) << BigInt(24 - 8 * (counter - 1));
  }
  const pmcs: PmcValue[] = [
    { regNum: 0, regValue: mmcr0, regAddr: pmcAddr(ctx.model, 0) },
    { regNum: 1, regValue: mmcr1, regAddr: pmcAddr(ctx.model, 1) },
    { regNum: 2, regValue: 0n, regAddr: pmcAddr(ctx.model, 2) },
  ];
  lines.push(`[MMCR0(pmc0)=${hex(mmcr0)}] [MMCR1(pmc1)=${hex(mmcr1)}] [MMCRA(pmc2)=0x0]`);
  for (const e of ctx.events) {
    const counter = (assignment[e.pos] as Slot).counter;
    lines.push(`[PMC${counter}(pmd${counter})] ${e.name}`);
  }
  const pmds = assignment.map((s) => ({ regNum: s.counter, regAddr: pmdAddr(ctx.model, s.counter) }));
  return { output: { pmcs, pmds }, lines };
}

export const power5Scheme: LibpfmScheme = {
  apiVersion: LIBPFM_SCHEME_API_VERSION,
  scheme: 'power5-mmcr',
  dispatcher: () => 'gen_powerpc',
  dispatch: (ctx) => dispatchPower5(ctx),
};
