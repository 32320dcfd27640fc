/**
 * x86 PERFEVTSEL dispatchers (libpfm-and-tools.md §2.1–§2.3, §2.5): P6, Intel Core,
 * architectural perfmon (gen_ia32 v2) and AMD64 K8.
 *
 * PERFEVTSEL: bits 0–7 event select, 8–15 unit mask, 16 USR (PLM3), 17 OS (PLM0), 18 EDGE,
 * 20 INT, 22 EN, 23 INV, 24–31 counter mask. FIXED_CTR_CTRL: one nibble per fixed counter,
 * bit 0 OS, bit 1 USR, bit 3 PMI.
 */
import type { PmuModel } from '@pfmsim/pmu-models';
import type { Slot } from './assign.js';
import {
  PFM_PLM0,
  PFM_PLM3,
  PFMLIB_AMD64_PMU,
  PFMLIB_CORE_PMU,
  PFMLIB_I386_P6_PMU,
  PFMLIB_I386_PM_PMU,
  PFMLIB_INTEL_PII_PMU,
  PFMLIB_INTEL_PPRO_PMU,
} from './constants.js';
import {
  type AssignPlan,
  assignCounters,
  bit,
  checkCntMask,
  controllers,
  counterAvailable,
  fixedCounter,
  genericCounters,
  hasFlag,
  hex,
  noAssignment,
  pmcAddr,
  pmcUnavailableReason,
  pmdAddr,
  range,
  rejectDflPlm12,
  rejectEventPlm12,
} from './dispatch-common.js';
import type { DispatchContext, DispatchResult, PmcValue, PmdValue, ResolvedEvent } from './dispatch-types.js';
import { PFMLIB_ERR_BADHOST, PFMLIB_ERR_FEATCOMB, PFMLIB_ERR_NOASSIGN, PfmError } from './errors.js';
import { LIBPFM_SCHEME_API_VERSION, type LibpfmScheme } from './scheme-types.js';

const USR = 1n << 16n;
const OS = 1n << 17n;
const EDGE = 1n << 18n;
const INT = 1n << 20n;
const EN = 1n << 22n;
const INV = 1n << 23n;

interface EvtSel {
  readonly value: bigint;
  readonly select: number;
  readonly umask: number;
  readonly usr: 0 | 1;
  readonly os: 0 | 1;
  readonly en: 0 | 1;
  readonly int: 0 | 1;
  readonly inv: 0 | 1;
  readonly edge: 0 | 1;
  readonly cntMask: number;
}

/**
 * The code's second byte is a built-in unit mask (Intel; K8 codes have none, wider ones are
 * rejected as family 10h events). Core-specific events (`CSPEC`, Intel Core only) that name
 * neither core get SELF (bit 6).
 */
function encodeEvtSel(ctx: DispatchContext, e: ResolvedEvent, en: boolean): EvtSel {
  const { model } = ctx;
  // AMD Family 10h (extendedEventSelect): a 12-bit select, bits 11:8 in PERFSEL 35:32
  // (libpfm's sel_event_mask2); the code then has no built-in unit mask.
  const extended = model.encoding.options?.extendedEventSelect === true;
  const bits = extended ? 12n : BigInt(model.encoding.eventBits);
  const fullSelect = Number(e.event.code & ((1n << bits) - 1n));
  const select = extended ? fullSelect & 0xff : fullSelect;
  let umask = Number((e.event.code >> bits) & 0xffn);
  const tableBug = ctx.bugs.has('p6-bus-tran-def');
  for (const u of e.unitMasks)
    umask |= Number(tableBug && u.libpfmValue !== undefined ? u.libpfmValue : u.value);
  if (hasFlag(e, 'CSPEC') && (umask & 0xc0) === 0) umask |= 0x40;
  // Intel Core: an event taking cache states (MESI) given none counts all four (libpfm).
  if (hasFlag(e, 'MESI') && (umask & 0xf) === 0) umask |= 0xf;
  const usr = bit((e.plm & PFM_PLM3) !== 0);
  const os = bit((e.plm & PFM_PLM0) !== 0);
  // An event may carry its own inv/edge/cnt_mask (modelData, as libpfm's code bits 18, 23,
  // 24–31: Core RS_UOPS_DISPATCHED_NONE); the caller's options add to them.
  const builtIn = e.event.modelData;
  const inv = bit(builtIn.inv === true || e.options.inv);
  const edge = bit(builtIn.edge === true || e.options.edge);
  const cntMask =
    typeof builtIn.cntMask === 'number' && builtIn.cntMask !== 0 ? builtIn.cntMask : e.options.cntMask;
  let value = BigInt(select) | (BigInt(umask & 0xff) << 8n) | INT | (BigInt(cntMask & 0xff) << 24n);
  if (extended) value |= BigInt(fullSelect >> 8) << 32n;
  if (usr) value |= USR;
  if (os) value |= OS;
  if (edge) value |= EDGE;
  if (en) value |= EN;
  if (inv) value |= INV;
  return { value, select, umask: umask & 0xff, usr, os, en: bit(en), int: 1, inv, edge, cntMask };
}

/** The PERFEVTSEL that drives a generic counter (the PMC controlling only that PMD). */
function evtselOf(model: PmuModel, counter: number): number {
  const pmcs = controllers(model, counter);
  return pmcs.find((p) => (model.pmcByIndex(p)?.controls.length ?? 0) === 1) ?? pmcs[0] ?? counter;
}

function rejectUmaskCombination(e: ResolvedEvent): void {
  if (e.unitMasks.length > 1 && !e.event.umaskCombinable) {
    throw new PfmError(
      PFMLIB_ERR_FEATCOMB,
      `${e.name}: the unit masks of ${e.event.name.toUpperCase()} cannot be combined`,
      { events: [e.name] },
    );
  }
}

function genericSlots(ctx: DispatchContext, counters: readonly number[]): Slot[] {
  return counters.filter((c) => counterAvailable(ctx, c)).map((counter) => ({ counter }));
}

interface X86Layout {
  /** Name printed for a generic PMC in verbose lines. */
  readonly selName: (pmc: number) => string;
  /** Name printed for a generic PMD in verbose lines. */
  readonly ctrName: (pmd: number) => string;
  readonly selectLabel: 'emask' | 'event_sel';
  /** AMD64 prints inv before en. */
  readonly amdOrder: boolean;
}

function evtselLine(layout: X86Layout, pmc: number, f: EvtSel, name: string): string {
  const tail = layout.amdOrder
    ? `os=${f.os} usr=${f.usr} inv=${f.inv} en=${f.en} int=${f.int} edge=${f.edge} cnt_mask=${f.cntMask}`
    : `os=${f.os} usr=${f.usr} en=${f.en} int=${f.int} inv=${f.inv} edge=${f.edge} cnt_mask=${f.cntMask}`;
  return `[${layout.selName(pmc)}(pmc${pmc})=${hex(f.value)} ${layout.selectLabel}=${hex(f.select)} umask=${hex(f.umask)} ${tail}] ${name}`;
}

interface FixedPart {
  readonly pmcs: PmcValue[];
  readonly lines: string[];
}

/** FIXED_CTR_CTRL for the events placed on fixed counters (empty when none). */
function encodeFixed(ctx: DispatchContext, placed: ReadonlyMap<number, ResolvedEvent>): FixedPart {
  const byPmc = new Map<number, { pmd: number; e: ResolvedEvent }[]>();
  for (const [pmd, e] of placed) {
    const pmc = controllers(ctx.model, pmd).find((p) => (ctx.model.pmcByIndex(p)?.controls.length ?? 0) > 1);
    if (pmc === undefined) continue;
    byPmc.set(pmc, [...(byPmc.get(pmc) ?? []), { pmd, e }]);
  }
  const pmcs: PmcValue[] = [];
  const lines: string[] = [];
  for (const [pmc, list] of [...byPmc].sort((a, b) => a[0] - b[0])) {
    const controlled = [...(ctx.model.pmcByIndex(pmc)?.controls ?? [])].sort((a, b) => a - b);
    let value = 0n;
    for (const { pmd, e } of list) {
      const k = BigInt(controlled.indexOf(pmd));
      const nibble = (e.plm & PFM_PLM0 ? 1n : 0n) | (e.plm & PFM_PLM3 ? 2n : 0n) | 8n;
      value |= nibble << (k * 4n);
    }
    pmcs.push({ regNum: pmc, regValue: value, regAddr: pmcAddr(ctx.model, pmc) });
    const fields = controlled
      .map(
        (_, k) =>
          `pmi${k}=${Number((value >> BigInt(k * 4 + 3)) & 1n)} en${k}=${hex((value >> BigInt(k * 4)) & 3n)}`,
      )
      .join(' ');
    const name = ctx.model.pmcByIndex(pmc)?.name ?? `PMC${pmc}`;
    const ordered = [...list].sort((a, b) => a.pmd - b.pmd);
    lines.push(`[${name}(pmc${pmc})=${hex(value)} ${fields}] ${ordered.map((x) => x.e.name).join(' ')}`);
    for (const { pmd } of ordered) lines.push(`[FIXED_CTR${controlled.indexOf(pmd)}(pmd${pmd})]`);
  }
  return { pmcs, lines };
}

function finish(
  ctx: DispatchContext,
  assignment: readonly Slot[],
  layout: X86Layout,
  enable: (counter: number) => boolean,
): { pmcs: PmcValue[]; pmds: PmdValue[]; lines: string[]; fixed: Map<number, ResolvedEvent> } {
  const pmcs: PmcValue[] = [];
  const lines: string[] = [];
  const fixed = new Map<number, ResolvedEvent>();
  const pmds: PmdValue[] = assignment.map((slot) => ({
    regNum: slot.counter,
    regAddr: pmdAddr(ctx.model, slot.counter),
  }));
  for (const e of ctx.events) {
    const counter = (assignment[e.pos] as Slot).counter;
    if (!genericCountersOf(e).includes(counter)) {
      fixed.set(counter, e);
      continue;
    }
    const pmc = evtselOf(ctx.model, counter);
    const f = encodeEvtSel(ctx, e, enable(counter));
    pmcs.push({ regNum: pmc, regValue: f.value, regAddr: pmcAddr(ctx.model, pmc) });
    lines.push(evtselLine(layout, pmc, f, e.name), `[${layout.ctrName(counter)}(pmd${counter})]`);
  }
  return { pmcs, pmds, lines, fixed };
}

function genericCountersOf(e: ResolvedEvent): number[] {
  return genericCounters(e.event, e.unitMasks);
}

/** PMDs some event of the model reaches as a fixed counter. */
function fixedPmds(model: PmuModel): Set<number> {
  const out = new Set<number>();
  for (const e of model.events) {
    if (e.fixed !== undefined) out.add(e.fixed.pmd);
    for (const u of e.unitMasks) if (u.fixed !== undefined) out.add(u.fixed.pmd);
  }
  return out;
}

const INTEL_LAYOUT: X86Layout = {
  selName: (pmc) => `PERFEVTSEL${pmc}`,
  ctrName: (pmd) => `PMC${pmd}`,
  selectLabel: 'event_sel',
  amdOrder: false,
};

/* ---------------------------------------------------------------- P6 */

/**
 * P6 (`pfm_i386_p6_dispatch_counters`): PLM1/PLM2 → INVAL; several unit masks on a non-combo
 * event → FEATCOMB; pass 1 places counter-0-only and counter-1-only events, pass 2 gives each
 * other event the lowest free counter. INT is always set, EN only on PERFEVTSEL0, and when
 * counter 0 is unused (and available) an extra PERFEVTSEL0 with only EN follows.
 */
export function dispatchP6(ctx: DispatchContext): DispatchResult {
  rejectDflPlm12(ctx);
  for (const e of ctx.events) {
    rejectEventPlm12(ctx, e);
    checkCntMask(e, 255);
    rejectUmaskCombination(e);
  }
  const staticCounters = ctx.events.map(genericCountersOf);
  const candidates = staticCounters.map((list) => genericSlots(ctx, list));
  const constrained = range(ctx.events.length).filter((i) => staticCounters[i]?.length === 1);
  const others = range(ctx.events.length).filter((i) => staticCounters[i]?.length !== 1);
  const assignment = assignCounters(ctx, {
    candidates,
    greedy: [{ events: constrained }, { events: others }],
    staticCounters,
  });
  const layout: X86Layout = { ...INTEL_LAYOUT, selectLabel: 'emask' };
  const { pmcs, pmds, lines } = finish(ctx, assignment, layout, (c) => evtselOf(ctx.model, c) === 0);
  const enablePmc = 0;
  const used = assignment.some((s) => evtselOf(ctx.model, s.counter) === enablePmc);
  if (!used && ctx.model.pmcByIndex(enablePmc) !== undefined && !ctx.unavail.isset(enablePmc)) {
    pmcs.push({ regNum: enablePmc, regValue: EN, regAddr: pmcAddr(ctx.model, enablePmc) });
    lines.push(`[PERFEVTSEL0(pmc0)=${hex(EN)}] required for enabling counters`);
  }
  return { output: { pmcs, pmds }, lines };
}

/* ---------------------------------------------------------------- Intel Core */

function isPebs(e: ResolvedEvent): boolean {
  if (e.event.flags.includes('PEBS')) return true;
  return e.unitMasks.length > 0 && e.unitMasks.every((u) => u.flags.includes('PEBS'));
}

/**
 * Intel Core (`pfm_core_dispatch_counters`). Rule checks first, each NOASSIGN: several unit
 * masks on the non-combinable CPU_CLK_UNHALTED, two PMC0-only, two PMC1-only or two
 * FIXED_CTR2 events, a fixed-only event with cnt_mask/inv/edge. Then PMC0/PMC1-constrained
 * events are placed (with `pebs`, the first PEBS event is forced to PMC0), events without
 * options go to their fixed counter (pmd16/17/18) unless PMC16 is unavailable, and the rest
 * take the generic counters. Output: FIXED_CTR_CTRL, then the PERFEVTSELs in event order, then
 * PEBS_ENABLE (=1) when a PEBS event was placed. The checks run per event in libpfm's order:
 * its own privilege level first, then the rules above.
 *
 * In `'libpfm'` search the placement is libpfm's own (see {@link coreFirstFit}); in
 * `'exhaustive'` search the same passes are tried, then every assignment.
 */
export function dispatchCore(ctx: DispatchContext): DispatchResult {
  rejectDflPlm12(ctx);
  const pebsUsed = ctx.modelInput.pebs === true;
  const generic = ctx.events.map(genericCountersOf);
  let onPmc0: ResolvedEvent | undefined;
  let onPmc1: ResolvedEvent | undefined;
  let onFixed2: ResolvedEvent | undefined;
  for (const e of ctx.events) {
    rejectEventPlm12(ctx, e);
    checkCntMask(e, 255);
    if (e.unitMasks.length > 1 && !e.event.umaskCombinable) {
      throw new PfmError(
        PFMLIB_ERR_NOASSIGN,
        `${e.name}: the unit masks of ${e.event.name.toUpperCase()} cannot be combined`,
        { events: [e.name] },
      );
    }
    const g = generic[e.pos] ?? [];
    const fixed2 = hasFlag(e, 'FIXED2_ONLY');
    for (const [only, taken, set] of [
      [g.length === 1 && g[0] === 0 && !fixed2, onPmc0, (x: ResolvedEvent) => (onPmc0 = x)],
      [g.length === 1 && g[0] === 1 && !fixed2, onPmc1, (x: ResolvedEvent) => (onPmc1 = x)],
      [fixed2, onFixed2, (x: ResolvedEvent) => (onFixed2 = x)],
    ] as const) {
      if (!only) continue;
      if (taken !== undefined) {
        const counter = fixed2 ? (fixedCounter(e.event, e.unitMasks) ?? 18) : (g[0] ?? 0);
        throw new PfmError(PFMLIB_ERR_NOASSIGN, `${taken.name} and ${e.name} both need counter ${counter}`, {
          events: [taken.name, e.name],
        });
      }
      set(e);
    }
    if (fixed2 && e.hasOptions) {
      throw new PfmError(
        PFMLIB_ERR_NOASSIGN,
        `${e.name}: fixed counters support no cnt_mask, inv or edge, and it can only use a fixed counter`,
        { events: [e.name] },
      );
    }
  }
  // libpfm forces the first PEBS event onto PMC0, unless a PMC0-only event came before it.
  const pmc0Only = (e: ResolvedEvent): boolean => {
    const g = generic[e.pos] ?? [];
    return g.length === 1 && g[0] === 0 && !hasFlag(e, 'FIXED2_ONLY');
  };
  const firstPebsAt = pebsUsed ? ctx.events.findIndex(isPebs) : -1;
  const firstPebs =
    firstPebsAt >= 0 && !ctx.events.slice(0, firstPebsAt).some(pmc0Only)
      ? ctx.events[firstPebsAt]
      : undefined;
  const staticCounters: number[][] = [];
  const candidates = ctx.events.map((e) => {
    const g = generic[e.pos] ?? [];
    const fixed = fixedCounter(e.event, e.unitMasks);
    if (e === firstPebs) {
      staticCounters.push(g.includes(0) ? [0] : []);
      return genericSlots(ctx, g.includes(0) ? [0] : []);
    }
    const fixedEligible = fixed !== undefined && !e.hasOptions && !(pebsUsed && isPebs(e));
    staticCounters.push(fixedEligible ? [fixed, ...g] : g);
    const slots: Slot[] = [];
    if (fixedEligible && counterAvailable(ctx, fixed)) slots.push({ counter: fixed });
    return [...slots, ...genericSlots(ctx, g)];
  });
  const fixedSet = fixedPmds(ctx.model);
  const isFixedSlot = (s: Slot): boolean => fixedSet.has(s.counter);
  const all = range(ctx.events.length);
  const plan: AssignPlan = {
    candidates,
    greedy: [
      {
        events: all.filter((i) => {
          const only = staticCounters[i] ?? [];
          return only.length === 1 && !fixedSet.has(only[0] ?? -1);
        }),
        filter: (s) => !isFixedSlot(s),
      },
      { events: all, filter: isFixedSlot, optional: true },
      { events: all, filter: (s) => !isFixedSlot(s) },
    ],
    staticCounters,
  };
  const assignment =
    ctx.search === 'libpfm'
      ? coreFirstFit(ctx, plan, generic, fixedSet, pebsUsed)
      : assignCounters(ctx, plan);
  const perEvent = finish(ctx, assignment, INTEL_LAYOUT, () => true);
  const fixedPart = encodeFixed(ctx, perEvent.fixed);
  const pmcs = [...fixedPart.pmcs, ...perEvent.pmcs];
  const lines = [...fixedPart.lines, ...perEvent.lines];
  const { pmds } = perEvent;
  // PEBS_ENABLE as libpfm writes it: with `pebs`, once PMC0 holds the forced PEBS event or a
  // PMC0-only event.
  const pebsHolder = firstPebs ?? (pebsUsed ? ctx.events.find(pmc0Only) : undefined);
  if (pebsHolder !== undefined) {
    const reason = pmcUnavailableReason(ctx, 17);
    if (reason !== undefined) {
      throw new PfmError(PFMLIB_ERR_NOASSIGN, `${pebsHolder.name} needs PEBS_ENABLE, but ${reason}`, {
        events: [pebsHolder.name],
      });
    }
    pmcs.push({ regNum: 17, regValue: 1n, regAddr: pmcAddr(ctx.model, 17) });
    lines.push('[PEBS_ENABLE(pmc17)=0x1 ena=1]');
  }
  return { output: { pmcs, pmds }, lines };
}

/**
 * libpfm-3.10's Core placement (`pfm_core_dispatch_counters`), step by step: PMC0-only events
 * (and, with `pebs`, the first PEBS event) take PMC0 and move the next generic counter to
 * PMC1; a PMC1-only event takes PMC1 and moves it to PMC2 if it was at PMC1, else back to
 * PMC0; then each event without options (nor PEBS, with `pebs`) takes its fixed counter if
 * free; then the others take the next generic counters in turn, NOASSIGN past the last.
 * libpfm can so put two events on one counter; that is NOASSIGN here unless
 * `core-shared-counter` is among `libpfmBugs`.
 */
function coreFirstFit(
  ctx: DispatchContext,
  plan: AssignPlan,
  generic: readonly (readonly number[])[],
  fixedSet: ReadonlySet<number>,
  pebsUsed: boolean,
): Slot[] {
  const gens = ctx.model.counterPmds.filter((c) => !fixedSet.has(c)).sort((a, b) => a - b);
  const [pmc0 = 0, pmc1 = 1] = gens;
  const assign: (number | undefined)[] = ctx.events.map(() => undefined);
  let nextGen = 0;
  let donePebs = false;
  for (const e of ctx.events) {
    const g = generic[e.pos] ?? [];
    const only = g.length === 1 && !hasFlag(e, 'FIXED2_ONLY') ? g[0] : undefined;
    if (only === pmc0 || (pebsUsed && isPebs(e) && !donePebs)) {
      if (!counterAvailable(ctx, pmc0)) throw noAssignment(ctx, plan, true);
      assign[e.pos] = pmc0;
      nextGen = 1;
      donePebs = true;
    }
    if (only === pmc1) {
      if (!counterAvailable(ctx, pmc1)) throw noAssignment(ctx, plan, true);
      assign[e.pos] = pmc1;
      nextGen = nextGen === 1 ? 2 : 0;
    }
  }
  const freeFixed = new Set(fixedSet);
  for (const e of ctx.events) {
    if (e.hasOptions || (pebsUsed && isPebs(e))) continue;
    const f = fixedCounter(e.event, e.unitMasks);
    if (f === undefined || !freeFixed.has(f) || !counterAvailable(ctx, f)) continue;
    assign[e.pos] = f;
    freeFixed.delete(f);
  }
  for (const e of ctx.events) {
    if (assign[e.pos] !== undefined) continue;
    while (nextGen < gens.length && !counterAvailable(ctx, gens[nextGen] as number)) nextGen++;
    const counter = gens[nextGen];
    const g = generic[e.pos] ?? [];
    if (counter === undefined || !g.includes(counter)) throw noAssignment(ctx, plan, true);
    assign[e.pos] = counter;
    nextGen++;
  }
  const slots = assign.map((counter) => ({ counter: counter as number }));
  const twice = ctx.events.filter((e, i) => assign.indexOf(assign[e.pos]) !== i);
  const first = twice[0];
  if (first !== undefined && !ctx.bugs.has('core-shared-counter')) {
    const holder = ctx.events[assign.indexOf(assign[first.pos])] as ResolvedEvent;
    throw new PfmError(
      PFMLIB_ERR_NOASSIGN,
      `libpfm-3.10's first fit puts ${holder.name} and ${first.name} both on counter ${assign[first.pos]} (libpfmBugs: ['core-shared-counter'] reproduces it; search: 'exhaustive' looks further)`,
      { events: [holder.name, first.name] },
    );
  }
  return slots;
}

/* ---------------------------------------------------------------- architectural perfmon */

/**
 * Architectural perfmon v2 (`pfm_gen_ia32_dispatch_counters_v2`), also used for x86 models
 * whose libpfm type has no dedicated dispatcher: events without options take their fixed
 * counter first (unless PMC16 is unavailable), the rest the generic counters in event order.
 * EN and INT are set on every PERFEVTSEL; FIXED_CTR_CTRL follows the PERFEVTSELs.
 */
export function dispatchGenIa32(ctx: DispatchContext): DispatchResult {
  rejectDflPlm12(ctx);
  for (const e of ctx.events) {
    rejectEventPlm12(ctx, e);
    checkCntMask(e, 255);
    rejectUmaskCombination(e);
  }
  const generic = ctx.events.map(genericCountersOf);
  const staticCounters: number[][] = [];
  const candidates = ctx.events.map((e) => {
    const g = generic[e.pos] ?? [];
    const fixed = e.hasOptions ? undefined : fixedCounter(e.event, e.unitMasks);
    staticCounters.push(fixed === undefined ? g : [fixed, ...g]);
    const slots: Slot[] = fixed !== undefined && counterAvailable(ctx, fixed) ? [{ counter: fixed }] : [];
    return [...slots, ...genericSlots(ctx, g)];
  });
  const all = range(ctx.events.length);
  const fixedSet = fixedPmds(ctx.model);
  const assignment = assignCounters(ctx, {
    candidates,
    greedy: [
      { events: all, filter: (s) => fixedSet.has(s.counter), optional: true },
      { events: all, filter: (s) => !fixedSet.has(s.counter) },
    ],
    staticCounters,
  });
  const { pmcs, pmds, lines, fixed } = finish(ctx, assignment, INTEL_LAYOUT, () => true);
  const fixedPart = encodeFixed(ctx, fixed);
  return { output: { pmcs: [...fixedPart.pmcs, ...pmcs], pmds }, lines: [...fixedPart.lines, ...lines] };
}

/* ---------------------------------------------------------------- AMD64 */

/** libpfm's `amd64_rev_t` order: K8 revisions B–G, then Family 10h revisions B–E. */
const REVISIONS: Readonly<Record<'K8' | 'FAM10H', { readonly letters: string; readonly label: string }>> = {
  K8: { letters: 'BCDEFG', label: 'K8 revision' },
  FAM10H: { letters: 'BCDE', label: 'family 10h revision' },
};

/** A CPU revision's rank in libpfm's order (-1: not a revision of that family). */
function revisionRank(family: 'K8' | 'FAM10H', letter: string): number {
  const index = REVISIONS[family].letters.indexOf(letter);
  if (index < 0) return -1;
  return family === 'K8' ? index : REVISIONS.K8.letters.length + index;
}

interface HostRevision {
  readonly family: 'K8' | 'FAM10H';
  readonly letter: string;
}

function revisionAllowed(flags: readonly string[], host: HostRevision): string | undefined {
  const rank = revisionRank(host.family, host.letter);
  for (const flag of flags) {
    const m = /^(TILL_)?(K8|FAM10H)_REV_([A-Z])$/.exec(flag);
    if (m === null) continue;
    const family = m[2] as 'K8' | 'FAM10H';
    const letter = m[3] as string;
    const gate = revisionRank(family, letter);
    if (gate < 0) continue;
    const label = REVISIONS[family].label;
    if (m[1] === undefined && rank < gate) return `needs ${label} ${letter} or later`;
    if (m[1] !== undefined && rank > gate) return `exists only up to ${label} ${letter}`;
  }
  return undefined;
}

/**
 * AMD64 (`pfm_amd64_dispatch_counters`), K8 and Family 10h: events in input order on the next
 * available counter; several unit masks on a non-combo event → FEATCOMB; cnt_mask ≥ 4 → INVAL;
 * an event or unit mask gated by CPU revision (flags `K8_REV_D`, `FAM10H_REV_C`: from that
 * revision on; `TILL_K8_REV_C`, `TILL_FAM10H_REV_B`: up to it) → BADHOST on another host.
 * EN and INT on every PERFSEL. An event select wider than 8 bits needs the model's
 * `extendedEventSelect` (Family 10h: bits 11:8 in PERFSEL 35:32), else BADHOST.
 */
export function dispatchAmd64(ctx: DispatchContext): DispatchResult {
  rejectDflPlm12(ctx);
  const host: HostRevision =
    ctx.model.cpu?.family === 16
      ? { family: 'FAM10H', letter: ctx.host.fam10hRevision ?? 'B' }
      : { family: 'K8', letter: ctx.host.amd64Revision ?? 'F' };
  const hostLabel = `${REVISIONS[host.family].label} ${host.letter}`;
  for (const e of ctx.events) {
    rejectEventPlm12(ctx, e);
    rejectUmaskCombination(e);
    const gated = revisionAllowed(e.event.flags, host);
    if (gated !== undefined) {
      throw new PfmError(PFMLIB_ERR_BADHOST, `${e.name} ${gated} (host is ${hostLabel})`, {
        events: [e.name],
      });
    }
    checkCntMask(e, 3);
  }
  const staticCounters = ctx.events.map(genericCountersOf);
  const candidates = staticCounters.map((list) => genericSlots(ctx, list));
  const assignment = assignCounters(ctx, {
    candidates,
    greedy: [{ events: range(ctx.events.length) }],
    staticCounters,
  });
  for (const e of ctx.events) {
    for (const u of e.unitMasks) {
      const gated = revisionAllowed(u.flags, host);
      if (gated !== undefined) {
        throw new PfmError(
          PFMLIB_ERR_BADHOST,
          `${e.name}: unit mask ${u.name} ${gated} (host is ${hostLabel})`,
          {
            events: [e.name],
          },
        );
      }
    }
    if (
      ctx.model.encoding.options?.extendedEventSelect !== true &&
      e.event.code >> BigInt(ctx.model.encoding.eventBits) !== 0n
    ) {
      throw new PfmError(PFMLIB_ERR_BADHOST, `${e.name} needs the family 10h extended event select`, {
        events: [e.name],
      });
    }
  }
  const layout: X86Layout = {
    selName: (pmc) => ctx.model.pmcByIndex(pmc)?.name ?? `PERFSEL${pmc}`,
    ctrName: (pmd) => ctx.model.pmdByIndex(pmd)?.name ?? `PERFCTR${pmd}`,
    selectLabel: 'emask',
    amdOrder: true,
  };
  const { pmcs, pmds, lines } = finish(ctx, assignment, layout, () => true);
  return { output: { pmcs, pmds }, lines };
}

const P6_TYPES = new Set([
  PFMLIB_I386_P6_PMU,
  PFMLIB_I386_PM_PMU,
  PFMLIB_INTEL_PPRO_PMU,
  PFMLIB_INTEL_PII_PMU,
]);

/**
 * libpfm's x86 dispatcher by PMU type: the P6 family (32/35/37/38), Core (36), AMD64 (16);
 * any other type, including architectural perfmon (63), uses gen_ia32 v2.
 */
function x86Dispatcher(type: number): readonly [string, (ctx: DispatchContext) => DispatchResult] {
  if (P6_TYPES.has(type)) return ['i386_p6', dispatchP6];
  if (type === PFMLIB_CORE_PMU) return ['core', dispatchCore];
  if (type === PFMLIB_AMD64_PMU) return ['amd64', dispatchAmd64];
  return ['gen_ia32', dispatchGenIa32];
}

export const x86Scheme: LibpfmScheme = {
  apiVersion: LIBPFM_SCHEME_API_VERSION,
  scheme: 'x86-evtsel',
  dispatcher: (model) => x86Dispatcher(model.libpfm.type)[0],
  dispatch: (ctx) => x86Dispatcher(ctx.model.libpfm.type)[1](ctx),
};
