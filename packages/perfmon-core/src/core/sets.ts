import { PmdRows, type PmdStore } from './pmd-store.js';
import type { PmuBinding } from './pmu.js';

export const BV_WORDS = 5; // PFM_PMD_BV = PFM_PMC_BV = 5 u64 words

/**
 * One event set (perfmon2 `struct pfm_event_set`): PMC values, PMD 64-bit state as
 * (upper, hw), reset values and bitmaps, switch thresholds, and the bookkeeping that
 * pfm_getinfo_evtsets reports. Everything lives in typed arrays indexed by register number;
 * the per-PMD state every set has is a row of the system's PmdStore.
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
  /** PMDs in the set: the model's PMD count (at least 1). */
  readonly pmdCount: number;
  /** Its row in the system's PmdStore (-1 once given back), the chunk and the row's offset. */
  private row: number;
  private readonly rows: PmdRows;
  private readonly base: number;
  private readonly store: PmdStore;
  /**
   * PMC values and which PMCs were written, made on the first pfm_write_pmcs (null: every PMC
   * at its default, none written). A context that is only read or written as PMDs (the
   * memory-pinning attack's million contexts) never holds them.
   */
  private pmcState: { lo: Uint32Array; hi: Uint32Array; used: Uint8Array } | null = null;
  /**
   * reg_reset_pmds then reg_smpl_pmds, 2*BV_WORDS u32 per PMD each, made on the first write of
   * a bitmap that is not all zero (null: every bitmap empty).
   */
  private bitmaps: Uint32Array | null = null;
  private readonly pmu: PmuBinding;
  /** Reset values, random masks, switch thresholds, overflow flags: made on first use. */
  private overflowState: OverflowState | null = null;
  /** Counting bookkeeping (cycles counted at the current rate, events emitted, that rate). */
  private countingState: CountingState | null = null;

  /** Set `id`, its per-PMD state a zeroed row of `store` (store.width PMDs: the model's). */
  constructor(
    readonly id: number,
    pmu: PmuBinding,
    store: PmdStore,
  ) {
    this.pmu = pmu;
    this.store = store;
    this.pmdCount = store.width;
    this.row = store.take();
    this.rows = store.chunkOf(this.row);
    this.base = (this.row - this.rows.first) * store.width;
  }

  /** Gives the set's row back to the store (the set was deleted or its context freed). */
  release(): void {
    if (this.row < 0) return;
    this.store.give(this.row);
    this.row = -1;
  }

  /** Whether PMD `num` was written in this set. */
  pmdUsed(num: number): boolean {
    return this.rows.used[this.base + num] === 1;
  }

  /** Marks PMD `num` written, with its flags (reg_flags as stored). */
  usePmd(num: number, flags: number): void {
    this.rows.flags[this.base + num] = flags;
    this.rows.used[this.base + num] = 1;
  }

  /** PMD `num`'s stored flags. */
  pmdFlags(num: number): number {
    return this.rows.flags[this.base + num]!;
  }

  /** The software upper part of PMD `num`'s 64-bit value. */
  pmdUpper(num: number): number {
    return this.rows.upper[this.base + num]!;
  }

  /** The hardware counter part of PMD `num`'s 64-bit value. */
  pmdHw(num: number): number {
    return this.rows.hw[this.base + num]!;
  }

  setPmdUpper(num: number, upper: number): void {
    this.rows.upper[this.base + num] = upper;
  }

  setPmdHw(num: number, hw: number): void {
    this.rows.hw[this.base + num] = hw;
  }

  /** Loads PMD `num` with a value (upper, hw) that is also its last reset value (lo, hi). */
  loadPmd(num: number, upper: number, hw: number, lo: number, hi: number): void {
    const i = this.base + num;
    this.rows.upper[i] = upper;
    this.rows.hw[i] = hw;
    this.rows.lastResetLo[i] = lo;
    this.rows.lastResetHi[i] = hi;
  }

  /** Low word of PMD `num`'s last reset value. */
  lastResetLo(num: number): number {
    return this.rows.lastResetLo[this.base + num]!;
  }

  /** High word of PMD `num`'s last reset value. */
  lastResetHi(num: number): number {
    return this.rows.lastResetHi[this.base + num]!;
  }

  private get overflow(): OverflowState {
    if (this.overflowState === null) this.overflowState = new OverflowState(this.pmdCount);
    return this.overflowState;
  }

  private get counting(): CountingState {
    if (this.countingState === null) this.countingState = new CountingState(this.pmdCount);
    return this.countingState;
  }

  get longResetLo(): Uint32Array {
    return this.overflow.longResetLo;
  }
  get longResetHi(): Uint32Array {
    return this.overflow.longResetHi;
  }
  get shortResetLo(): Uint32Array {
    return this.overflow.shortResetLo;
  }
  get shortResetHi(): Uint32Array {
    return this.overflow.shortResetHi;
  }
  get randomMaskLo(): Uint32Array {
    return this.overflow.randomMaskLo;
  }
  get randomMaskHi(): Uint32Array {
    return this.overflow.randomMaskHi;
  }
  get ovflSwitchCnt(): Float64Array {
    return this.overflow.ovflSwitchCnt;
  }
  get ovflSwitchLeft(): Float64Array {
    return this.overflow.ovflSwitchLeft;
  }
  /** PMDs whose 64-bit value overflowed (last overflow), as a flag per PMD. */
  get ovflPmds(): Uint8Array {
    return this.overflow.ovflPmds;
  }
  /** Scratch for resetOverflowed: the PMDs one overflow marks for reset. */
  get resetMarks(): Uint8Array {
    return this.overflow.resetMarks;
  }
  get countedCycles(): Float64Array {
    return this.counting.countedCycles;
  }
  get emitted(): Float64Array {
    return this.counting.emitted;
  }
  get rateNow(): Float64Array {
    return this.counting.rateNow;
  }

  /**
   * Stores PMD `num`'s reset values, random mask and switch threshold (pfm_write_pmds): all
   * zero into a set that has none stored yet changes nothing, and stores nothing.
   */
  writeOverflowSettings(
    num: number,
    longLo: number,
    longHi: number,
    shortLo: number,
    shortHi: number,
    maskLo: number,
    maskHi: number,
    switchCount: number,
  ): void {
    if (
      this.overflowState === null &&
      (longLo | longHi | shortLo | shortHi | maskLo | maskHi | switchCount) === 0
    )
      return;
    const o = this.overflow;
    o.longResetLo[num] = longLo;
    o.longResetHi[num] = longHi;
    o.shortResetLo[num] = shortLo;
    o.shortResetHi[num] = shortHi;
    o.randomMaskLo[num] = maskLo;
    o.randomMaskHi[num] = maskHi;
    o.ovflSwitchCnt[num] = switchCount;
    o.ovflSwitchLeft[num] = switchCount;
  }

  /**
   * Host bytes of the typed arrays this set holds (its PmdStore row always; PMC values,
   * bitmaps, overflow settings and counting bookkeeping once made): what a set costs the host.
   */
  get hostBytes(): number {
    return (
      PmdRows.rowBytes(this.pmdCount) +
      (this.pmcState === null ? 0 : this.pmcState.lo.byteLength * 2 + this.pmcState.used.byteLength) +
      (this.bitmaps?.byteLength ?? 0) +
      (this.overflowState?.ovflPmds.buffer.byteLength ?? 0) +
      (this.countingState?.rateNow.buffer.byteLength ?? 0)
    );
  }

  /** PMC values, low words (the model's defaults until a PMC is written). Read-only. */
  get pmcLo(): Uint32Array {
    return this.pmcState?.lo ?? this.pmu.pmcDflLo;
  }

  /** PMC values, high words (as pmcLo). Read-only. */
  get pmcHi(): Uint32Array {
    return this.pmcState?.hi ?? this.pmu.pmcDflHi;
  }

  /** 1 for each PMC written (none until one is). Read-only. */
  get usedPmcs(): Uint8Array {
    return this.pmcState?.used ?? noPmcsUsed(this.pmu);
  }

  /** Stores a checked PMC value (pfm_write_pmcs). */
  writePmc(cnum: number, lo: number, hi: number): void {
    let st = this.pmcState;
    if (st === null) {
      st = {
        lo: this.pmu.pmcDflLo.slice(),
        hi: this.pmu.pmcDflHi.slice(),
        used: noPmcsUsed(this.pmu).slice(),
      };
      this.pmcState = st;
    }
    st.lo[cnum] = lo;
    st.hi[cnum] = hi;
    st.used[cnum] = 1;
  }

  /** Stores PMD `num`'s reg_reset_pmds and reg_smpl_pmds, read from `view` at the two offsets. */
  writeBitmaps(num: number, view: DataView, resetOff: number, smplOff: number): void {
    const words = 2 * BV_WORDS;
    let b = this.bitmaps;
    if (b === null) {
      let any = 0;
      for (let wd = 0; wd < words; wd++)
        any |= view.getUint32(resetOff + wd * 4, true) | view.getUint32(smplOff + wd * 4, true);
      if (any === 0) return; // empty, as every bitmap already is
      b = new Uint32Array(2 * this.pmdCount * words);
      this.bitmaps = b;
    }
    const smpl = this.pmdCount * words;
    for (let wd = 0; wd < words; wd++) {
      b[num * words + wd] = view.getUint32(resetOff + wd * 4, true);
      b[smpl + num * words + wd] = view.getUint32(smplOff + wd * 4, true);
    }
  }

  /**
   * reg_smpl_pmds of every PMD, 2*BV_WORDS u32 each, for `EventSet.bvTest` (a copy of zeros
   * while no map is stored). `samplesOnOverflow` reads one bit without it.
   */
  get smplPmds(): Uint32Array {
    const words = 2 * BV_WORDS * this.pmdCount;
    return this.bitmaps === null ? new Uint32Array(words) : this.bitmaps.subarray(words);
  }

  /** Whether `bit` is set in PMD `pmd`'s reg_reset_pmds. */
  resetsOnOverflow(pmd: number, bit: number): boolean {
    return this.bitmaps !== null && EventSet.bvTest(this.bitmaps, pmd, bit);
  }

  /** Whether `bit` is set in PMD `pmd`'s reg_smpl_pmds. */
  samplesOnOverflow(pmd: number, bit: number): boolean {
    return this.bitmaps !== null && EventSet.bvTest(this.bitmaps, this.pmdCount + pmd, bit);
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

/** A set's per-PMD overflow settings and state, as views of one buffer. */
class OverflowState {
  readonly ovflSwitchCnt: Float64Array;
  readonly ovflSwitchLeft: Float64Array;
  readonly longResetLo: Uint32Array;
  readonly longResetHi: Uint32Array;
  readonly shortResetLo: Uint32Array;
  readonly shortResetHi: Uint32Array;
  readonly randomMaskLo: Uint32Array;
  readonly randomMaskHi: Uint32Array;
  readonly ovflPmds: Uint8Array;
  readonly resetMarks: Uint8Array;

  constructor(nd: number) {
    const buf = new ArrayBuffer(8 * 2 * nd + 4 * 6 * nd + 2 * nd);
    this.ovflSwitchCnt = new Float64Array(buf, 0, nd);
    this.ovflSwitchLeft = new Float64Array(buf, 8 * nd, nd);
    this.longResetLo = new Uint32Array(buf, 16 * nd, nd);
    this.longResetHi = new Uint32Array(buf, 20 * nd, nd);
    this.shortResetLo = new Uint32Array(buf, 24 * nd, nd);
    this.shortResetHi = new Uint32Array(buf, 28 * nd, nd);
    this.randomMaskLo = new Uint32Array(buf, 32 * nd, nd);
    this.randomMaskHi = new Uint32Array(buf, 36 * nd, nd);
    this.ovflPmds = new Uint8Array(buf, 40 * nd, nd);
    this.resetMarks = new Uint8Array(buf, 41 * nd, nd);
  }
}

/** A set's counting bookkeeping (counting.ts), as views of one buffer. */
class CountingState {
  readonly countedCycles: Float64Array;
  readonly emitted: Float64Array;
  readonly rateNow: Float64Array;

  constructor(nd: number) {
    const buf = new Float64Array(3 * nd).buffer;
    this.countedCycles = new Float64Array(buf, 0, nd);
    this.emitted = new Float64Array(buf, 8 * nd, nd);
    this.rateNow = new Float64Array(buf, 16 * nd, nd);
  }
}

const noPmcs = new WeakMap<PmuBinding, Uint8Array>();

/** The shared "no PMC written" flags of a model (never written: writePmc copies them). */
function noPmcsUsed(pmu: PmuBinding): Uint8Array {
  let a = noPmcs.get(pmu);
  if (a === undefined) {
    a = new Uint8Array(Math.max(1, pmu.maxPmc));
    noPmcs.set(pmu, a);
  }
  return a;
}

/** Sets of a context, kept sorted by id (the round-robin switch order). */
export class SetList {
  /** Every set, sorted by id; null while the first one is alone (most contexts never add one). */
  private all: EventSet[] | null = null;

  /** The list of a new context: its set 0. */
  constructor(private readonly first: EventSet) {}

  /** The sets in switch order (a new array while the first set is alone). */
  get sets(): readonly EventSet[] {
    return this.all ?? [this.first];
  }

  find(id: number): EventSet | undefined {
    const sets = this.all;
    if (sets === null) return this.first.id === id ? this.first : undefined;
    for (let i = 0; i < sets.length; i++) if (sets[i]!.id === id) return sets[i];
    return undefined;
  }

  insert(set: EventSet): void {
    if (this.all === null) this.all = [this.first];
    const i = this.all.findIndex((s) => s.id > set.id);
    if (i < 0) this.all.push(set);
    else this.all.splice(i, 0, set);
  }

  remove(id: number): void {
    if (this.all === null) this.all = [this.first];
    const i = this.all.findIndex((s) => s.id === id);
    if (i >= 0) this.all.splice(i, 1);
  }

  /** Whether an EXPL_NEXT set's set_id_next names no set of the list (an invalid chain). */
  brokenChain(explNextFlag: number): boolean {
    const sets = this.all;
    if (sets === null) return this.first.flags & explNextFlag ? this.first.idNext !== this.first.id : false;
    for (let i = 0; i < sets.length; i++) {
      const s = sets[i]!;
      if (s.flags & explNextFlag && this.find(s.idNext) === undefined) return true;
    }
    return false;
  }

  /** Gives every set's PMD row back (the context is freed). */
  releaseAll(): void {
    const sets = this.all;
    if (sets === null) this.first.release();
    else for (let i = 0; i < sets.length; i++) sets[i]!.release();
  }

  /** The set after `set` in switch order: set_id_next with EXPL_NEXT, else the next id. */
  next(set: EventSet, explNextFlag: number): EventSet {
    if (set.flags & explNextFlag) {
      const explicit = this.find(set.idNext);
      if (explicit) return explicit;
    }
    const sets = this.all;
    if (sets === null) return this.first;
    const i = sets.indexOf(set);
    return sets[(i + 1) % sets.length]!;
  }
}
