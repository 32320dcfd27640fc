import { checkOneOf, InvalidArgumentError } from './errors.js';

/**
 * Cycle costs per CPU era, every figure with its kind and source, from
 * shared/reference/cost-model.md (§1 tables, §2.1 parameters). Kinds: M measured,
 * D derived, E estimate (UNVERIFIED). Pairs (lock+unlock, alloc+free) are charged split
 * across their two halves; kmalloc/kfree use the 40/60 split of cost-model.md §0.
 */
export type CostKind = 'M' | 'D' | 'E';

export interface CostFigure {
  readonly value: number;
  readonly kind: CostKind;
  readonly source: string;
}

export const COST_KEYS = [
  'syscallEntryExit',
  'fdLookup',
  'kmallocFast',
  'kfreeFast',
  'kmallocSlow',
  'kfreeSlow',
  'slabGrow',
  'kmemCacheAllocFree',
  'pageAllocFree',
  'copyFixed',
  'copyPerByte',
  'spinLockUnlock',
  'spinLockIrqsaveRestore',
  'localIrqSaveRestore',
  'localIrqDisableEnable',
  'preemptDisableEnable',
  'atomicRmw',
  'cmpxchgLocal',
  'cacheLineTransfer',
  'mutexLockUnlock',
  'minorFault',
  'majorFault',
  'contextSwitch',
  'pmuRegSaved',
  'pmuRegLive',
  'allocColdProbability',
] as const;
export type CostKey = (typeof COST_KEYS)[number];

export type CostFigures = Record<CostKey, CostFigure>;
/** Plain numbers for the hot paths. */
export type Costs = Record<CostKey, number>;

export interface CostProfile {
  readonly id: CostProfileId;
  readonly description: string;
  /** Core clock used to convert cycles to time (ns); UNVERIFIED where the source names none. */
  readonly clockHz: number;
  readonly figures: CostFigures;
}

export const COST_PROFILE_IDS = [
  'p4-2006',
  'core2-2007',
  'k8-2006',
  'itanium2-2006',
  'modern-x86_64',
  'modern-x86_64-mitigated',
] as const;
export type CostProfileId = (typeof COST_PROFILE_IDS)[number];

const m = (value: number, source: string): CostFigure => ({ value, kind: 'M', source });
const d = (value: number, source: string): CostFigure => ({ value, kind: 'D', source });
const e = (value: number, source = 'no source measurement (UNVERIFIED)'): CostFigure => ({
  value,
  kind: 'E',
  source,
});

const SPLIT = 'cost-model.md §0: 40 % alloc / 60 % free split of the pair';
const COLD = e(0, 'p_slow of cost-model.md §2: share of allocations that miss the per-CPU cache (0 = hot)');
const NO_CTXSW = 'not in cost-model.md: a context switch, used only when a thread blocks (UNVERIFIED)';

const p4: CostFigures = {
  syscallEntryExit: m(641, '[L02] sysenter getppid, P4 3 GHz'),
  fdLookup: e(20, 'fget_light; +2 atomics when the fd table is shared (cost-model.md §1.1)'),
  kmallocFast: d(130, `[D07b] pair 320; ${SPLIT}`),
  kfreeFast: d(190, `[D07b] pair 320; ${SPLIT}`),
  kmallocSlow: m(625, '[D07b] kmalloc(1024) batch of 10,000'),
  kfreeSlow: m(750, '[D07b] kfree(1024) batch of 10,000'),
  slabGrow: e(800, 'cost-model.md §1.1 page alloc+free, order 0 (500–1000)'),
  kmemCacheAllocFree: d(320, '[D07b] same fast path without the size lookup'),
  pageAllocFree: e(800, 'cost-model.md §1.1 (500–1000)'),
  copyFixed: e(60, 'cost-model.md §1.1 (40–80)'),
  copyPerByte: e(0.4, 'cost-model.md §1.1 __copy_user_intel for n >= 64 (0.25–0.5)'),
  spinLockUnlock: e(120, 'one lock-prefixed op plus a plain store'),
  spinLockIrqsaveRestore: d(220, 'lock pair + the in-situ irq pair (cost-model.md §1.1)'),
  localIrqSaveRestore: d(120, '[D07a]/[D07b] in situ 105–130'),
  localIrqDisableEnable: e(62, '[D07a] Lameter, rough cli 26 + sti 36'),
  preemptDisableEnable: e(10, 'cost-model.md §1.1 (0 with CONFIG_PREEMPT_NONE)'),
  atomicRmw: e(100, 'often quoted as 100+, source not found'),
  cmpxchgLocal: m(26, '[D07a]'),
  cacheLineTransfer: e(300),
  mutexLockUnlock: e(220, '2 atomic fast paths'),
  minorFault: e(4000, 'cost-model.md §1.1 (2000–6000)'),
  majorFault: e(100000, 'cost-model.md §1.1 major fault / sleep 10^5–10^7'),
  contextSwitch: e(2000, NO_CTXSW),
  pmuRegSaved: e(50, 'cost-model.md §2 C_reg saved (software merge)'),
  pmuRegLive: e(250, 'cost-model.md §2 C_reg live (rdmsr + merge), P4'),
  allocColdProbability: COLD,
};

const core2: CostFigures = {
  syscallEntryExit: e(250, 'cost-model.md §1.2 (150–300)'),
  fdLookup: e(20),
  kmallocFast: d(55, `[L07] SLAB pair 140; ${SPLIT}`),
  kfreeFast: d(85, `[L07] SLAB pair 140; ${SPLIT}`),
  kmallocSlow: m(416, '[L07] kmalloc(1024) batch of 10,000'),
  kfreeSlow: m(432, '[L07] kfree(1024) batch of 10,000'),
  slabGrow: e(500, 'cost-model.md §1.2 page alloc+free'),
  kmemCacheAllocFree: d(140, '[L07]'),
  pageAllocFree: e(500),
  copyFixed: e(40, 'cost-model.md §1.2 (30–60)'),
  copyPerByte: e(0.2),
  spinLockUnlock: e(40),
  spinLockIrqsaveRestore: e(60),
  localIrqSaveRestore: d(40, '[L07] <= 50 in situ (SLUB 151 -> 68–72)'),
  localIrqDisableEnable: e(20),
  preemptDisableEnable: e(10),
  atomicRmw: e(20, 'cost-model.md §1.2 (20–25)'),
  cmpxchgLocal: e(10),
  cacheLineTransfer: e(150, 'shared L2 within a die; several hundred across sockets'),
  mutexLockUnlock: e(50),
  minorFault: e(3000),
  majorFault: e(100000, 'cost-model.md §1.1 major fault / sleep 10^5–10^7'),
  contextSwitch: e(1500, NO_CTXSW),
  pmuRegSaved: e(50, 'cost-model.md §2 C_reg saved'),
  pmuRegLive: e(150, 'cost-model.md §2 C_reg live'),
  allocColdProbability: COLD,
};

const k8: CostFigures = {
  syscallEntryExit: e(250, '[K02] Linus assumed about 250 for Athlon, unchecked'),
  fdLookup: e(20),
  kmallocFast: d(50, `[D07b] pair 120 (116–126); ${SPLIT}`),
  kfreeFast: d(70, `[D07b] pair 120 (116–126); ${SPLIT}`),
  kmallocSlow: m(340, '[D07b] AMD64 kmalloc(1024) batch'),
  kfreeSlow: m(379, '[D07b] AMD64 kfree(1024) batch'),
  slabGrow: e(500, 'cost-model.md §1.3 page alloc+free'),
  kmemCacheAllocFree: d(120, '[D07b]'),
  pageAllocFree: e(500),
  copyFixed: e(40),
  copyPerByte: e(0.2),
  spinLockUnlock: e(40),
  spinLockIrqsaveRestore: e(60),
  localIrqSaveRestore: d(30, '[D07a]/[D07b] in situ 10–40'),
  localIrqDisableEnable: e(8, '[K02] Kleen: cli about 4 cycles on Athlon'),
  preemptDisableEnable: e(10),
  atomicRmw: e(20),
  cmpxchgLocal: m(19, '[D07a]'),
  cacheLineTransfer: e(200),
  mutexLockUnlock: e(50),
  minorFault: e(3000),
  majorFault: e(100000, 'cost-model.md §1.1 major fault / sleep 10^5–10^7'),
  contextSwitch: e(1500, NO_CTXSW),
  pmuRegSaved: e(50, 'cost-model.md §2 C_reg saved'),
  pmuRegLive: e(150, 'cost-model.md §2 C_reg live'),
  allocColdProbability: COLD,
};

// cost-model.md §1.4: only allocator, cli/sti and fault figures exist for Itanium 2.
// Every other figure is a placeholder borrowed from k8-2006 and says so.
const BORROWED = 'no public Itanium 2 figure (cost-model.md §1.4); placeholder borrowed from k8-2006';
const borrow = (key: CostKey): CostFigure => ({ value: k8[key].value, kind: 'E', source: BORROWED });
const itanium2: CostFigures = {
  syscallEntryExit: borrow('syscallEntryExit'),
  fdLookup: borrow('fdLookup'),
  kmallocFast: d(51, `[L07] SLAB pair 114–142 (midpoint 128); ${SPLIT}`),
  kfreeFast: d(77, `[L07] SLAB pair 114–142 (midpoint 128); ${SPLIT}`),
  kmallocSlow: m(348, '[L07] kmalloc(1024) SLAB batch'),
  kfreeSlow: m(221, '[L07] kfree(1024) SLAB batch'),
  slabGrow: borrow('slabGrow'),
  kmemCacheAllocFree: d(128, '[L07] SLAB pair midpoint'),
  pageAllocFree: borrow('pageAllocFree'),
  copyFixed: borrow('copyFixed'),
  copyPerByte: borrow('copyPerByte'),
  spinLockUnlock: borrow('spinLockUnlock'),
  spinLockIrqsaveRestore: borrow('spinLockIrqsaveRestore'),
  localIrqSaveRestore: borrow('localIrqSaveRestore'),
  localIrqDisableEnable: e(24, '[D07a] Lameter, rough cli 12 / sti 12'),
  preemptDisableEnable: borrow('preemptDisableEnable'),
  atomicRmw: borrow('atomicRmw'),
  cmpxchgLocal: e(11, '[D07a]/[L07] no fast cmpxchg_local; setting ar.ccv about 11 (rough)'),
  cacheLineTransfer: borrow('cacheLineTransfer'),
  mutexLockUnlock: borrow('mutexLockUnlock'),
  minorFault: d(30000, '[AP] about 22 µs incl. zeroing 16 KiB at an assumed 1.3–1.6 GHz (clock UNVERIFIED)'),
  majorFault: e(300000, 'scaled from the minor fault (UNVERIFIED)'),
  contextSwitch: e(2000, NO_CTXSW),
  pmuRegSaved: borrow('pmuRegSaved'),
  pmuRegLive: borrow('pmuRegLive'),
  allocColdProbability: COLD,
};

const modern: CostFigures = {
  syscallEntryExit: e(150, 'cost-model.md §1.5 (100–200)'),
  fdLookup: e(10, 'fdget'),
  kmallocFast: d(30, `[J15]/[L14] pair 75 (65–75, SLUB 2015); ${SPLIT}`),
  kfreeFast: d(45, `[J15]/[L14] pair 75; ${SPLIT}`),
  kmallocSlow: m(81, '[J15] kmalloc(1024) batch'),
  kfreeSlow: m(120, '[J15] kfree(1024) batch'),
  slabGrow: e(
    811,
    'cost-model.md §1.5: refilling from new slab pages adds about 600 plus a page allocation (211)',
  ),
  kmemCacheAllocFree: d(50, '[J15] 14.0–14.8 ns loop at an assumed 3.5 GHz'),
  pageAllocFree: m(211, '[B17] i7-4790K 4 GHz'),
  copyFixed: e(30, 'call, access_ok, STAC/CLAC, pointer masking'),
  copyPerByte: d(0.03, '[Z3] 0.02 TSC/B measured; a 704-B copy adds about 27 cycles both ways'),
  spinLockUnlock: m(33, '[B17]/[TB] 13.9 ns on E5-2695'),
  spinLockIrqsaveRestore: m(62, '[B17]/[B23] (48 on E5-1650 v4)'),
  localIrqSaveRestore: m(38, '[B17]/[T23]'),
  localIrqDisableEnable: m(7, '[B17]'),
  preemptDisableEnable: m(11, '[B17]/[T23]'),
  atomicRmw: m(12, '[T23] locked cmpxchg 12'),
  cmpxchgLocal: m(3, '[T23]'),
  cacheLineTransfer: e(150, '[Z3] 515 TSC one-way in a VM is an upper bound'),
  mutexLockUnlock: e(30),
  minorFault: e(3000, 'cost-model.md §1.5 (2000–5500), [XP]'),
  majorFault: e(100000, 'cost-model.md §1.1 major fault / sleep 10^5–10^7'),
  contextSwitch: e(1000, NO_CTXSW),
  pmuRegSaved: e(10, 'cost-model.md §2 C_reg saved, modern'),
  pmuRegLive: e(150, 'cost-model.md §2 C_reg live'),
  allocColdProbability: COLD,
};

const mitigated: CostFigures = {
  ...modern,
  syscallEntryExit: m(500, '[Z3] getppid 451 (min) – 651 (median) TSC, SRSO safe RET'),
  kmallocFast: d(45, `[Z3] kmalloc_array 144 B pair 110; ${SPLIT}`),
  kfreeFast: d(65, `[Z3] pair 110; ${SPLIT}`),
  kmallocSlow: e(120, 'cost-model.md §1.6: slow pair 300 (about 1.5x §1.5), 40 % of it'),
  kfreeSlow: e(180, 'cost-model.md §1.6: slow pair 300, 60 % of it'),
  copyFixed: e(40, 'speculation barriers and pointer masking'),
  minorFault: m(5500, '[Z3] first-touch anon write incl. zeroing 4 KiB, nested paging'),
  contextSwitch: e(2500, NO_CTXSW),
};

const profiles: Record<CostProfileId, CostProfile> = {
  'p4-2006': {
    id: 'p4-2006',
    description: 'Pentium 4 (NetBurst, 3 GHz, HT), i386, SLAB',
    clockHz: 3.0e9,
    figures: p4,
  },
  'core2-2007': {
    id: 'core2-2007',
    description: 'Core 2 (Xeon E5345 class), x86_64, SLAB',
    clockHz: 2.33e9,
    figures: core2,
  },
  'k8-2006': {
    id: 'k8-2006',
    description: 'AMD K8 (Athlon64/Opteron 2.0 GHz), x86_64, SLAB',
    clockHz: 2.0e9,
    figures: k8,
  },
  'itanium2-2006': {
    id: 'itanium2-2006',
    description: 'Itanium 2 (McKinley/Madison), 16 KiB pages; allocator figures only, the rest borrowed',
    clockHz: 1.5e9,
    figures: itanium2,
  },
  'modern-x86_64': {
    id: 'modern-x86_64',
    description: 'Modern x86-64 (2015–2023), SLUB, no costly mitigations',
    clockHz: 3.5e9,
    figures: modern,
  },
  'modern-x86_64-mitigated': {
    id: 'modern-x86_64-mitigated',
    description: 'Modern x86-64 with heavy syscall mitigations (retpolines + SRSO safe RET)',
    clockHz: 2.45e9,
    figures: mitigated,
  },
};
// Shared by every kernel, never changed: frozen (a world snapshot then skips them).
for (const p of Object.values(profiles)) {
  for (const f of Object.values(p.figures)) Object.freeze(f);
  Object.freeze(p.figures);
  Object.freeze(p);
}

export type CostOverrides = Partial<Record<CostKey, number>>;

export function getCostProfile(id: unknown, overrides: CostOverrides = {}): CostProfile {
  // checked against the list, not with `in`: "toString" is in every object
  const base = profiles[checkOneOf('cost profile', id, COST_PROFILE_IDS)];
  const keys = Object.keys(overrides);
  if (keys.length === 0) return base;
  const figures = { ...base.figures } as Record<CostKey, CostFigure>;
  for (const key of keys) {
    if (!(COST_KEYS as readonly string[]).includes(key)) {
      throw new InvalidArgumentError('cost figure name', key, COST_KEYS.join(', '));
    }
    const value = overrides[key as CostKey];
    if (!Number.isFinite(value) || (value as number) < 0) {
      throw new InvalidArgumentError(`cost figure ${key}`, value, 'a finite number >= 0');
    }
    figures[key as CostKey] = Object.freeze({ value: value as number, kind: 'E', source: 'user override' });
  }
  return Object.freeze({ ...base, figures: Object.freeze(figures) });
}

export function listCostProfiles(): CostProfile[] {
  return COST_PROFILE_IDS.map((id) => profiles[id]);
}

const valuesOf = new WeakMap<CostProfile, Costs>();

/** The figures as plain numbers; shared per profile object (callers must not modify it). */
export function costValues(profile: CostProfile): Costs {
  let out = valuesOf.get(profile);
  if (!out) {
    out = {} as Costs;
    for (const key of COST_KEYS) out[key] = profile.figures[key].value;
    valuesOf.set(profile, Object.freeze(out));
  }
  return out;
}
