/**
 * Pentium 4 / Xeon (`pentium4_dispatch_events`, libpfm-and-tools.md §1.4 and the intel-p4
 * model): each event needs an ESCR (from `modelData.escrs`) and a counter that ESCR reaches
 * (the ESCR's `controls`), whose CCCR (the PMC named `*_CCCR*` controlling that PMD) must be
 * free too. No ESCR, CCCR or counter may be used twice, and none may be unavailable.
 *
 * libpfm places events in input order on the first free ESCR/CCCR pair (an ESCR's counters in
 * the order of the model's `controls`, which is libpfm's table order), which can fail where an
 * assignment exists: that is the default (`search: 'libpfm'`); with `search: 'exhaustive'` the
 * first fit is tried first and an exhaustive search follows.
 *
 * Checked against libpfm-3.x `pfmlib_pentium4.c`: the bit layout below, ESCR then CCCR per
 * event, active_thread 3 and OVF_PMI_T0 set, T1 bits left to the kernel, the verbose lines (the
 * ESCR's mask in decimal). Two deliberate differences: libpfm3 leaves compare, complement,
 * threshold and edge at 0 (a FIXME there; it takes no per-event options on this PMU), while
 * here `cntMask`/`inv`/`edge` set them; and where its first fit fails with NOASSIGN the search
 * here goes on. The REPLAY_EVENT virtual masks (PEBS_ENABLE/PEBS_MATRIX_VERT) and tag bits
 * (mask bits 16 and up) are not modelled.
 *
 * Encoding:
 * - ESCR: bit 2 T0_USR (PLM3), bit 3 T0_OS (PLM0), bits 9–24 event mask (the unit-mask
 *   values OR-ed), bits 25–30 event select (`modelData.escrSelect`);
 * - CCCR: bit 12 enable, bits 13–15 ESCR select (`modelData.cccrSelect`), bits 16–17 active
 *   thread = 3, bit 18 compare and bits 20–23 threshold (`cntMask`, 0–15), bit 19 complement
 *   (`inv`), bit 24 edge, bit 26 OVF_PMI_T0.
 * Output: for each event its ESCR then its CCCR, in event order.
 */
import type { Slot } from './assign.js';
import { PFM_PLM0, PFM_PLM3 } from './constants.js';
import {
  type AssignPlan,
  assignCounters,
  bit,
  checkCntMask,
  hex,
  noAssignment,
  pmcAddr,
  pmdAddr,
  range,
  rejectDflPlm12,
  rejectEventPlm12,
} from './dispatch-common.js';
import type { DispatchContext, DispatchResult, PmcValue, ResolvedEvent } from './dispatch-types.js';
import { PFMLIB_ERR_EVTINCOMP, PFMLIB_ERR_NOTSUPP, PfmError } from './errors.js';
import { type P4EventData, p4Data } from './model-data.js';
import { LIBPFM_SCHEME_API_VERSION, type LibpfmScheme } from './scheme-types.js';

interface P4Slot extends Slot {
  readonly escr: number;
  readonly cccr: number;
}

function cccrFor(ctx: DispatchContext, pmd: number): number | undefined {
  // libpfm-3.10's table gives BPU_CCCR2 (pmd9) the number of BPU_CCCR1 (pmc24).
  if (pmd === 9 && ctx.bugs.has('p4-bpu-cccr2') && ctx.model.pmcByIndex(24)?.name === 'BPU_CCCR1') return 24;
  return ctx.model.pmcs.find((p) => /CCCR/i.test(p.name) && p.controls.includes(pmd))?.index;
}

/**
 * libpfm-3.10's loop (`pentium4_dispatch_events`): per event in input order, its privilege
 * level and whether the host has it (EVTINCOMP), then the first ESCR of its list that is free and available, with the first CCCR of
 * that ESCR's list that is free and available; NOASSIGN as soon as an event finds none.
 * ESCRs and CCCRs are tracked as PMCs, as libpfm does.
 */
function p4FirstFit(
  ctx: DispatchContext,
  data: readonly P4EventData[],
  candidates: readonly (readonly P4Slot[])[],
  plan: AssignPlan,
): P4Slot[] {
  const used = new Set<number>();
  return ctx.events.map((e) => {
    checkEvent(ctx, e, data[e.pos] as P4EventData);
    const slot = (candidates[e.pos] ?? []).find((s) => !used.has(s.escr) && !used.has(s.cccr));
    if (slot === undefined) throw noAssignment(ctx, plan, true);
    used.add(slot.escr);
    used.add(slot.cccr);
    return slot;
  });
}

/** libpfm's per-event checks: the event's plm, then whether the host CPU has the event. */
function checkEvent(ctx: DispatchContext, e: ResolvedEvent, d: P4EventData): void {
  rejectEventPlm12(ctx, e);
  const models = d.cpuModels;
  if (models !== undefined && (ctx.host.cpuModel === undefined || !models.includes(ctx.host.cpuModel))) {
    const host = ctx.host.cpuModel === undefined ? 'an unknown model' : `model ${ctx.host.cpuModel}`;
    throw new PfmError(
      PFMLIB_ERR_EVTINCOMP,
      `${e.name} exists only on CPU models ${models.join(', ')} (the host is ${host})`,
      { events: [e.name] },
    );
  }
}

/**
 * libpfm's replay_event: unit masks listed in `modelData.pebs` program PEBS_ENABLE and
 * PEBS_MATRIX_VERT (their values OR-ed), written before the event's ESCR and CCCR.
 */
function pebsPair(ctx: DispatchContext, e: ResolvedEvent, d: P4EventData): PmcValue[] {
  const masks = e.unitMasks.flatMap((u) => d.pebs.get(u.name.toUpperCase()) ?? []);
  if (masks.length === 0) return [];
  const enable = ctx.model.pmcs.find((p) => p.name === 'PEBS_ENABLE');
  const matrix = ctx.model.pmcs.find((p) => p.name === 'PEBS_MATRIX_VERT');
  if (enable === undefined || matrix === undefined) {
    throw new PfmError(PFMLIB_ERR_NOTSUPP, `${e.name} needs PEBS_ENABLE and PEBS_MATRIX_VERT`, {
      events: [e.name],
    });
  }
  return [
    {
      regNum: enable.index,
      regValue: masks.reduce((v, m) => v | m.enable, 0n),
      regAddr: pmcAddr(ctx.model, enable.index),
    },
    {
      regNum: matrix.index,
      regValue: masks.reduce((v, m) => v | m.matrixVert, 0n),
      regAddr: pmcAddr(ctx.model, matrix.index),
    },
  ];
}

export function dispatchP4(ctx: DispatchContext): DispatchResult {
  rejectDflPlm12(ctx);
  for (const e of ctx.events) checkCntMask(e, 15, 'CCCR threshold');
  const data = ctx.events.map((e) => p4Data(ctx.model, e.event));
  if (ctx.search === 'exhaustive') for (const e of ctx.events) checkEvent(ctx, e, data[e.pos] as P4EventData);
  const staticCounters: number[][] = [];
  const candidates: P4Slot[][] = data.map((d) => {
    const slots: P4Slot[] = [];
    const reach: number[] = [];
    for (const escr of d.escrs) {
      const pmc = ctx.model.pmcByIndex(escr);
      for (const counter of pmc?.controls ?? []) {
        const cccr = cccrFor(ctx, counter);
        reach.push(counter);
        if (cccr === undefined || ctx.unavail.isset(escr) || ctx.unavail.isset(cccr)) continue;
        slots.push({ counter, escr, cccr });
      }
    }
    staticCounters.push([...new Set(reach)]);
    return slots;
  });
  const plan: AssignPlan = {
    candidates,
    greedy: [{ events: range(ctx.events.length) }],
    staticCounters,
    escrName: (x) => ctx.model.pmcByIndex(x)?.name ?? `pmc${x}`,
  };
  const assignment = (
    ctx.search === 'libpfm' ? p4FirstFit(ctx, data, candidates, plan) : assignCounters(ctx, plan)
  ) as readonly P4Slot[];
  const pmcs: PmcValue[] = [];
  const lines: string[] = [];
  for (const e of ctx.events) {
    const slot = assignment[e.pos] as P4Slot;
    const d = data[e.pos] as (typeof data)[number];
    const usr = bit((e.plm & PFM_PLM3) !== 0);
    const os = bit((e.plm & PFM_PLM0) !== 0);
    const all = e.unitMasks.reduce((m, u) => m | u.value, 0n);
    // Bits 0-15 are the event mask (less what escrMask keeps out); bits 16-19 the tag value.
    const mask = all & 0xffffn & BigInt(d.escrMask);
    const tagValue = (all >> 16n) & 0xfn;
    const tag = bit(tagValue !== 0n);
    const escr =
      (BigInt(d.escrSelect & 0x3f) << 25n) |
      (mask << 9n) |
      (tagValue << 5n) |
      (BigInt(tag) << 4n) |
      (BigInt(os) << 3n) |
      (BigInt(usr) << 2n);
    const threshold = e.options.cntMask;
    const compare = bit(threshold > 0 || e.options.inv);
    const cccr =
      (1n << 12n) |
      (BigInt(d.cccrSelect & 0x7) << 13n) |
      (3n << 16n) |
      (BigInt(compare) << 18n) |
      (BigInt(bit(e.options.inv)) << 19n) |
      (BigInt(threshold & 0xf) << 20n) |
      (BigInt(bit(e.options.edge)) << 24n) |
      (1n << 26n);
    pmcs.push(...pebsPair(ctx, e, d));
    pmcs.push(
      { regNum: slot.escr, regValue: escr, regAddr: pmcAddr(ctx.model, slot.escr) },
      { regNum: slot.cccr, regValue: cccr, regAddr: pmcAddr(ctx.model, slot.cccr) },
    );
    const escrName = ctx.model.pmcByIndex(slot.escr)?.name ?? `pmc${slot.escr}`;
    const cccrName = ctx.model.pmcByIndex(slot.cccr)?.name ?? `pmc${slot.cccr}`;
    const pmdName = ctx.model.pmdByIndex(slot.counter)?.name ?? `pmd${slot.counter}`;
    lines.push(
      `[${escrName}(pmc${slot.escr})=${hex(escr)} os=${os} usr=${usr} tag=${tag} tagval=${hex(tagValue)} mask=${mask} sel=${hex(d.escrSelect)}] ${e.name}`,
      `[${cccrName}(pmc${slot.cccr})=${hex(cccr)} ena=1 sel=${hex(d.cccrSelect)} cmp=${compare} cmpl=${bit(e.options.inv)} thres=${threshold} edg=${bit(e.options.edge)} cas=0] ${e.name}`,
      `[${pmdName}(pmd${slot.counter})]`,
    );
  }
  const pmds = assignment.map((s) => ({ regNum: s.counter, regAddr: pmdAddr(ctx.model, s.counter) }));
  return { output: { pmcs, pmds }, lines };
}

export const p4Scheme: LibpfmScheme = {
  apiVersion: LIBPFM_SCHEME_API_VERSION,
  scheme: 'p4-escr-cccr',
  dispatcher: () => 'pentium4',
  dispatch: (ctx) => dispatchP4(ctx),
  codeNeedsCounter: true,
};
