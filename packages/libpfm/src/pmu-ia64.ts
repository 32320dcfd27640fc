/**
 * IA-64 counter dispatch: Itanium 2 (`pfm_ita2_dispatch_counters`) and Montecito
 * (`pfm_mont_dispatch_counters`), generic counters only (EAR, BTB/ETB, opcode matching and
 * address ranges are not modelled). All four privilege levels are valid.
 *
 * Itanium 2 rules (libpfm `check_cross_groups_and_umasks`, `valid_assign`), with the group
 * and set of `modelData` (group 1 = L1D cache, 2 = L2 cache; set 15 = none):
 * - two events of one group but different sets → EVTSET;
 * - two L2-group events of a set other than 1 and 2 with different non-zero umasks →
 *   NOASSIGN;
 * - when an L1D-group event is present, one of them must be on PMC5; when an L2-group event is
 *   present, one must be on PMC4, and every other L2 event of that set needs PMC4's umask or
 *   none.
 * libpfm tries every placement (4! at most) in lexicographic order; the search here uses the
 * same order, so it returns the assignment libpfm returns.
 *
 * Montecito: libpfm places counter-restricted events first, then the rest on the lowest free
 * counter; that is tried first, then an exhaustive search. The L1D/L2D set rules are not
 * applied because the montecito model does not decode group and set (UNVERIFIED there).
 *
 * Encoding (simplified; the counter PMC layouts of libpfm's IA-64 headers):
 * bits 0–3 plm, bit 5 oi (Itanium 2: 1; Montecito: 0, the kernel forces it), bit 6 pm
 * (system-wide), bits 8–15 es (`code & 0xff`), bits 16–19 umask (`modelData.umask`),
 * bits 20–22 threshold (`cntMask`), bits 24–25 ism (Itanium 2: 0 = both; Montecito: 2 =
 * IA-64 only); Montecito MESI events (`modelData.mesi`) get i/s/e/m (bits 27–30) all set.
 */
import type { Assignment, Slot } from './assign.js';
import { PFMLIB_ITANIUM2_PMU, PFMLIB_MONTECITO_PMU, PFMLIB_PFP_SYSTEMWIDE } from './constants.js';
import {
  assignCounters,
  checkCntMask,
  counterAvailable,
  hex,
  pmcAddr,
  pmdAddr,
  range,
  rejectOptions,
} from './dispatch-common.js';
import type { DispatchContext, DispatchResult, PmcValue, ResolvedEvent } from './dispatch-types.js';
import { PFMLIB_ERR_EVTSET, PFMLIB_ERR_NOASSIGN, PfmError } from './errors.js';
import { type Ia64EventData, ia64Data } from './model-data.js';
import { LIBPFM_SCHEME_API_VERSION, type LibpfmScheme } from './scheme-types.js';

const L1_GROUP = 1;
const L2_GROUP = 2;

export type Ia64Flavour = 'itanium2' | 'montecito' | 'generic';

function checkGroups(events: readonly ResolvedEvent[], data: readonly Ia64EventData[]): void {
  for (let i = 0; i < events.length; i++) {
    const a = data[i] as Ia64EventData;
    if (a.group === undefined || a.group === 0) continue;
    for (let j = i + 1; j < events.length; j++) {
      const b = data[j] as Ia64EventData;
      if (b.group !== a.group) continue;
      const ea = events[i] as ResolvedEvent;
      const eb = events[j] as ResolvedEvent;
      if (b.set !== a.set) {
        const group = a.group === L1_GROUP ? 'L1D cache' : a.group === L2_GROUP ? 'L2 cache' : `${a.group}`;
        throw new PfmError(
          PFMLIB_ERR_EVTSET,
          `${ea.name} (${group} group, set ${a.set}) and ${eb.name} (set ${b.set}) cannot be measured together`,
          { events: [ea.name, eb.name] },
        );
      }
      if (a.group !== L2_GROUP || a.set === 1 || a.set === 2) continue;
      if (b.umask !== 0 && b.umask !== a.umask) {
        throw new PfmError(
          PFMLIB_ERR_NOASSIGN,
          `${ea.name} and ${eb.name} (L2 cache group, set ${a.set}) need different umasks ${hex(a.umask)} and ${hex(b.umask)}`,
          { events: [ea.name, eb.name] },
        );
      }
    }
  }
}

/** libpfm `valid_assign` group placement rules (Itanium 2). */
function validAssign(data: readonly Ia64EventData[], slots: Assignment): boolean {
  const l1 = data.some((d) => d.group === L1_GROUP);
  const l2 = data.some((d) => d.group === L2_GROUP);
  if (l1 && !data.some((d, i) => d.group === L1_GROUP && slots[i]?.counter === 5)) return false;
  if (!l2) return true;
  const key = data.findIndex((d, i) => d.group === L2_GROUP && slots[i]?.counter === 4);
  if (key < 0) return false;
  const ref = data[key] as Ia64EventData;
  if (ref.set === 1 || ref.set === 2) return true;
  return data.every(
    (d, i) => slots[i]?.counter === 4 || d.group !== L2_GROUP || d.umask === 0 || d.umask === ref.umask,
  );
}

export function dispatchIa64(ctx: DispatchContext, flavour: Ia64Flavour): DispatchResult {
  rejectOptions(ctx, { cntMask: true });
  for (const e of ctx.events) checkCntMask(e, 7, 'threshold');
  const data = ctx.events.map((e) => ia64Data(e.event));
  if (flavour === 'itanium2') checkGroups(ctx.events, data);
  const staticCounters = ctx.events.map((e) => [...e.event.counters]);
  const candidates: Slot[][] = staticCounters.map((list) =>
    list.filter((c) => counterAvailable(ctx, c)).map((counter) => ({ counter })),
  );
  const all = range(ctx.events.length);
  const everyCounter = ctx.model.counterPmds.length;
  const assignment = assignCounters(ctx, {
    candidates,
    ...(flavour === 'montecito'
      ? {
          greedy: [
            { events: all.filter((i) => (staticCounters[i] ?? []).length < everyCounter) },
            { events: all },
          ],
        }
      : {}),
    search:
      flavour === 'itanium2'
        ? { order: 'input', accept: (slots: Assignment) => validAssign(data, slots) }
        : { order: flavour === 'generic' ? 'input' : 'most-constrained' },
    staticCounters,
    ...(flavour === 'itanium2'
      ? {
          ruleText:
            'an L1D cache-group event must be on PMC5 and an L2 cache-group event on PMC4, with the umask of PMC4 shared by its set',
        }
      : {}),
  });
  const montecito = flavour === 'montecito';
  const pm = ctx.flags & PFMLIB_PFP_SYSTEMWIDE ? 1n : 0n;
  const pmcs: PmcValue[] = [];
  const lines: string[] = [];
  for (const e of ctx.events) {
    const counter = (assignment[e.pos] as Slot).counter;
    const d = data[e.pos] as Ia64EventData;
    const oi = montecito ? 0n : 1n;
    const ism = montecito ? 2n : 0n;
    const thres = BigInt(e.options.cntMask & 0x7);
    const mesi = montecito && d.mesi ? 0xfn : 0n;
    const value =
      BigInt(e.plm & 0xf) |
      (oi << 5n) |
      (pm << 6n) |
      (BigInt(d.es & 0xff) << 8n) |
      (BigInt(d.umask & 0xf) << 16n) |
      (thres << 20n) |
      (ism << 24n) |
      (mesi << 27n);
    pmcs.push({ regNum: counter, regValue: value, regAddr: pmcAddr(ctx.model, counter) });
    const prefix = montecito
      ? `m=${Number((mesi >> 3n) & 1n)} e=${Number((mesi >> 2n) & 1n)} s=${Number((mesi >> 1n) & 1n)} i=${Number(mesi & 1n)} thres=${thres} all=0 `
      : `thres=${thres} `;
    lines.push(
      `[PMC${counter}(pmc${counter})=0x${value.toString(16).padStart(6, '0')} ${prefix}es=0x${d.es.toString(16).padStart(2, '0')} plm=${e.plm & 0xf} umask=${hex(d.umask)} pm=${pm} ism=${hex(ism)} oi=${oi}] ${e.name}`,
      `[PMD${counter}(pmd${counter})]`,
    );
  }
  const pmds = assignment.map((s) => ({ regNum: s.counter, regAddr: pmdAddr(ctx.model, s.counter) }));
  return { output: { pmcs, pmds }, lines };
}

/** libpfm's IA-64 dispatcher by PMU type: Itanium 2 (3), Montecito (4), else generic IA-64. */
function ia64Flavour(type: number): Ia64Flavour {
  if (type === PFMLIB_ITANIUM2_PMU) return 'itanium2';
  if (type === PFMLIB_MONTECITO_PMU) return 'montecito';
  return 'generic';
}

export const ia64Scheme: LibpfmScheme = {
  apiVersion: LIBPFM_SCHEME_API_VERSION,
  scheme: 'ia64-pmc',
  dispatcher(model) {
    const flavour = ia64Flavour(model.libpfm.type);
    return flavour === 'generic' ? 'gen_ia64' : flavour;
  },
  dispatch: (ctx) => dispatchIa64(ctx, ia64Flavour(ctx.model.libpfm.type)),
};
