import type { PmuBinding } from './pmu.js';

export const BV_WORDS = 5; // PFM_PMD_BV = PFM_PMC_BV = 5 u64 words

/**
 * One event set (perfmon2 `struct pfm_event_set`): PMC values, PMD 64-bit state as
 * (upper, hw), reset values and bitmaps, switch thresholds, and the bookkeeping that
 * pfm_getinfo_evtsets reports. Everything lives in typed arrays indexed by register number.
 */
export class EventSet {
  flags = 0;
  idNext = 0;
  /** Requested timeout as the ABI carries it (µs in v2.2, ns in v2.3). */
  timeout = 0;
  /** Effective timeout in cycles (0: none). */
  timeoutCycles = 0;
  timeoutLeft = 0;
  runs = 0;
  /** Cycles this set was the active set while monitoring ran. */
  activeCycles = 0;
  readonly pmcLo: Uint32Array;
  readonly pmcHi: Uint32Array;
  readonly usedPmcs: Uint8Array;
  readonly usedPmds: Uint8Array;
  readonly pmdUpper: Float64Array;
  readonly pmdHw: Float64Array;
  readonly pmdFlags: Uint32Array;
  readonly longResetLo: Uint32Array;
  readonly longResetHi: Uint32Array;
  readonly shortResetLo: Uint32Array;
  readonly shortResetHi: Uint32Array;
  readonly lastResetLo: Uint32Array;
  readonly lastResetHi: Uint32Array;
  readonly randomMaskLo: Uint32Array;
  readonly randomMaskHi: Uint32Array;
  readonly ovflSwitchCnt: Float64Array;
  readonly ovflSwitchLeft: Float64Array;
  /** reg_reset_pmds / reg_smpl_pmds as 2*BV_WORDS u32 per PMD. */
  readonly resetPmds: Uint32Array;
  readonly smplPmds: Uint32Array;
  /** PMDs whose 64-bit value overflowed (last overflow), as a flag per PMD. */
  readonly ovflPmds: Uint8Array;
  /** Scratch for resetOverflowed: the PMDs one overflow marks for reset. */
  readonly resetMarks: Uint8Array;
  /** Counting bookkeeping: cycles counted at the current rate, events emitted, that rate. */
  readonly countedCycles: Float64Array;
  readonly emitted: Float64Array;
  readonly rateNow: Float64Array;

  constructor(
    readonly id: number,
    pmu: PmuBinding,
  ) {
    const nc = Math.max(1, pmu.maxPmc);
    const nd = Math.max(1, pmu.maxPmd);
    this.pmcLo = Uint32Array.from(pmu.pmcDflLo);
    this.pmcHi = Uint32Array.from(pmu.pmcDflHi);
    this.usedPmcs = new Uint8Array(nc);
    this.usedPmds = new Uint8Array(nd);
    this.pmdUpper = new Float64Array(nd);
    this.pmdHw = new Float64Array(nd);
    this.pmdFlags = new Uint32Array(nd);
    this.longResetLo = new Uint32Array(nd);
    this.longResetHi = new Uint32Array(nd);
    this.shortResetLo = new Uint32Array(nd);
    this.shortResetHi = new Uint32Array(nd);
    this.lastResetLo = new Uint32Array(nd);
    this.lastResetHi = new Uint32Array(nd);
    this.randomMaskLo = new Uint32Array(nd);
    this.randomMaskHi = new Uint32Array(nd);
    this.ovflSwitchCnt = new Float64Array(nd);
    this.ovflSwitchLeft = new Float64Array(nd);
    this.resetPmds = new Uint32Array(nd * 2 * BV_WORDS);
    // Stryker disable next-line ArithmeticOperator: reg_smpl_pmds is stored for pfm_write_pmds but nothing reads it back (no format records PMDs)
    this.smplPmds = new Uint32Array(nd * 2 * BV_WORDS);
    this.ovflPmds = new Uint8Array(nd);
    this.resetMarks = new Uint8Array(nd);
    this.countedCycles = new Float64Array(nd);
    this.emitted = new Float64Array(nd);
    this.rateNow = new Float64Array(nd);
  }

  /**
   * The counter's configuration (its rate) changed: the event stream starts over. Reloading
   * the PMD's value does not restart it, so no fraction of an event is lost at a reset.
   */
  restartCounting(pmd: number): void {
    this.countedCycles[pmd] = 0;
    this.emitted[pmd] = 0;
  }

  /** Bit `bit` of the 5-word bitmap stored for `pmd` in `bv`. */
  static bvTest(bv: Uint32Array, pmd: number, bit: number): boolean {
    const word = bv[pmd * 2 * BV_WORDS + (bit >>> 5)];
    return word !== undefined && ((word >>> (bit & 31)) & 1) === 1;
  }
}

/** Sets of a context, kept sorted by id (the round-robin switch order). */
export class SetList {
  readonly sets: EventSet[] = [];

  find(id: number): EventSet | undefined {
    const sets = this.sets;
    for (let i = 0; i < sets.length; i++) if (sets[i]!.id === id) return sets[i];
    return undefined;
  }

  insert(set: EventSet): void {
    const i = this.sets.findIndex((s) => s.id > set.id);
    if (i < 0) this.sets.push(set);
    else this.sets.splice(i, 0, set);
  }

  remove(id: number): void {
    const i = this.sets.findIndex((s) => s.id === id);
    if (i >= 0) this.sets.splice(i, 1);
  }

  /** The set after `set` in switch order: set_id_next with EXPL_NEXT, else the next id. */
  next(set: EventSet, explNextFlag: number): EventSet {
    if (set.flags & explNextFlag) {
      const explicit = this.find(set.idNext);
      if (explicit) return explicit;
    }
    const i = this.sets.indexOf(set);
    return this.sets[(i + 1) % this.sets.length]!;
  }
}
