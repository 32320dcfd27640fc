import type { PmuBinding } from './pmu.js';
import type { EventSet } from './sets.js';

/**
 * What a PMD counts, decoded from the PMC that drives it (hardware semantics, not perfmon's):
 * x86 PERFEVTSEL (event bits 0–7, unit mask 8–15, USR 16, OS 17, EN 22; on P6 only
 * PERFEVTSEL0's EN enables both counters), Core/architectural FIXED_CTR_CTRL (4 bits per
 * fixed counter: OS, USR), IA-64 PMC4+ (plm bits 0–3, event select 8–15, umask 16–19), and
 * P4 CCCR/ESCR pairs (CCCR enable bit 12 and ESCR_SELECT 13–15 pick the ESCR; the ESCR holds
 * the event select 25–30, event mask 9–24 and T0/T1 OS/USR bits 3/1 and 2/0), POWER5
 * MMCR0/MMCR1 (FC 0x80000000 freezes all, FCS 0x40000000 kernel, FCP 0x20000000 user, FC1_4
 * 0x20 PMC1–4, FC5_6 0x10 PMC5/PMC6; PMCSEL of PMC1–4 in MMCR1 bits 24–31, 16–23, 8–15, 0–7;
 * PMC5 and PMC6 count one fixed event each; the unit and byte lane selects are not decoded,
 * so events that share a PMCSEL on a counter count as the model's first), and MIPS64 PerfCtl
 * (U bit 3, K bit 1, event from bit 5; the S and EXL modes do not occur in a workload).
 * POWER5 and MIPS counters look their event up in the binding's `selectCode` table.
 */
export interface CounterConfig {
  enabled: boolean;
  code: number;
  umask: number;
  user: boolean;
  kernel: boolean;
}

export function decodeCounter(pmu: PmuBinding, set: EventSet, pmd: number, out: CounterConfig): void {
  out.enabled = false;
  const scheme = pmu.model.encoding.scheme;
  const fixed = pmu.pmdFixedEvent[pmd]!;
  if (fixed >= 0 && scheme === 'x86-evtsel') {
    const ctrl = pmu.pmdControl[pmd]!;
    if (ctrl < 0) return;
    const first = pmu.model.pmds.filter((d) => pmu.pmdFixedEvent[d.index]! >= 0)[0]?.index ?? pmd;
    const field = (set.pmcLo[ctrl]! >>> ((pmd - first) * 4)) & 0xf;
    out.kernel = (field & 1) !== 0;
    out.user = (field & 2) !== 0;
    out.enabled = out.kernel || out.user;
    out.code = fixed & 0xff;
    out.umask = (fixed >>> 8) & 0xff;
    return;
  }
  if (scheme === 'p4-escr-cccr') {
    decodeP4(pmu, set, pmd, out);
    return;
  }
  if (scheme === 'power5-mmcr') {
    decodePower5(pmu, set, pmd, out);
    return;
  }
  const ctrl = pmu.pmdControl[pmd]!;
  if (ctrl < 0 || set.usedPmcs[ctrl] !== 1) return;
  const lo = set.pmcLo[ctrl]!;
  if (scheme === 'x86-evtsel') {
    const enableFrom = pmu.model.id === 'intel-p6' ? set.pmcLo[0]! : lo;
    out.enabled = ((enableFrom >>> 22) & 1) === 1;
    out.code = lo & 0xff;
    out.umask = (lo >>> 8) & 0xff;
    out.user = ((lo >>> 16) & 1) === 1;
    out.kernel = ((lo >>> 17) & 1) === 1;
  } else if (scheme === 'ia64-pmc') {
    decodeIa64(lo, out);
  } else if (scheme === 'mips64-ctrl') {
    const code = pmu.selectCode[pmd * 256 + ((lo >>> 5) & ((1 << pmu.model.encoding.eventBits) - 1))]!;
    out.user = ((lo >>> 3) & 1) === 1;
    out.kernel = ((lo >>> 1) & 1) === 1;
    out.enabled = code >= 0 && (out.user || out.kernel);
    out.code = code;
    out.umask = 0;
  }
}

const MMCR0_FC = 0x80000000;
const MMCR0_FCS = 0x40000000;
const MMCR0_FCP = 0x20000000;
const MMCR0_FC1_4 = 0x20;
const MMCR0_FC5_6 = 0x10;

function decodePower5(pmu: PmuBinding, set: EventSet, pmd: number, out: CounterConfig): void {
  if (pmu.mmcr0 < 0 || set.usedPmcs[pmu.mmcr0] !== 1 || pmd < 1 || pmd > 6) return;
  const mmcr0 = set.pmcLo[pmu.mmcr0]!;
  if ((mmcr0 & MMCR0_FC) !== 0) return;
  if ((mmcr0 & (pmd >= 5 ? MMCR0_FC5_6 : MMCR0_FC1_4)) !== 0) return;
  let sel = 0;
  if (pmd <= 4) {
    if (pmu.mmcr1 < 0) return;
    sel = (set.pmcLo[pmu.mmcr1]! >>> (24 - 8 * (pmd - 1))) & 0xff;
  }
  const code = pmu.selectCode[pmd * 256 + sel]!;
  out.user = (mmcr0 & MMCR0_FCP) === 0;
  out.kernel = (mmcr0 & MMCR0_FCS) === 0;
  out.enabled = code >= 0;
  out.code = code;
  out.umask = 0;
}

function decodeIa64(lo: number, out: CounterConfig): void {
  out.user = ((lo >>> 3) & 1) === 1;
  out.kernel = (lo & 1) === 1;
  out.enabled = out.user || out.kernel;
  out.code = (lo >>> 8) & 0xff;
  out.umask = (lo >>> 16) & 0xf;
}

function decodeP4(pmu: PmuBinding, set: EventSet, pmd: number, out: CounterConfig): void {
  const cccr = pmu.p4Cccr[pmd]!;
  if (cccr < 0 || set.usedPmcs[cccr] !== 1) return;
  const c = set.pmcLo[cccr]!;
  if (((c >>> 12) & 1) === 0) return;
  const select = (c >>> 13) & 7;
  for (const e of pmu.p4Escrs[pmd]!) {
    if (pmu.p4EscrSelect[e] !== select || set.usedPmcs[e] !== 1) continue;
    const lo = set.pmcLo[e]!;
    out.code = (lo >>> 25) & 0x3f;
    out.umask = (lo >>> 9) & 0xffff;
    out.user = (lo & 0b101) !== 0;
    out.kernel = (lo & 0b1010) !== 0;
    out.enabled = out.user || out.kernel;
    return;
  }
}
