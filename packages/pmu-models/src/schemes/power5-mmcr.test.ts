/**
 * POWER5 MMCR0/MMCR1: MMCR0's freeze bits, MMCR1's PMCSEL bytes for PMC1-4, the fixed events
 * of PMC5/6, and the select table (first event of a shared PMCSEL wins).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { PmuEvent, PmuModel } from '../model.js';
import { getModel } from '../registry.js';
import { power5MmcrScheme } from './power5-mmcr.js';
import type { PmcState, SchemeBinding } from './scheme.js';
import { decode, regs, untouched, withEntryAtMinusOne } from './scheme.test-util.js';

const power5 = getModel('power5');

const cfg = (enabled: boolean, code: number, user = true, kernel = true) => ({
  enabled,
  code,
  umask: 0,
  user,
  kernel,
});

const FC = 0x80000000;
const FCS = 0x40000000;
const FCP = 0x20000000;
const FC1_4 = 0x20;
const FC5_6 = 0x10;

// PMC1 0x44 PM_DTLB_MISS (before PM_CR_MAP_FULL_CYC, same select), PMC2 0x08 PM_SLB_MISS,
// PMC3 0x10 PM_ST_REF_L1, PMC4 0x64 PM_BR_ISSUED; PMC5 PM_INST_CMPL, PMC6 PM_RUN_CYC
const MMCR1 = 0x44081064;
const CODES = [0x800c4, 0x280088, 0x3c1090, 0x230e4, 0x100009, 0x100005];

/** The six counters decoded. */
const all = (b: SchemeBinding, s: PmcState) => [1, 2, 3, 4, 5, 6].map((pmd) => decode(b, s, pmd));

describe('power5-mmcr: the scheme', () => {
  it('names itself; it takes no options and has no single-PMC image', () => {
    expect({
      apiVersion: power5MmcrScheme.apiVersion,
      name: power5MmcrScheme.name,
      summary: power5MmcrScheme.summary,
      options: power5MmcrScheme.options,
    }).toEqual({
      apiVersion: 1,
      name: 'power5-mmcr',
      summary: 'POWER5 MMCR0 freeze bits and MMCR1 PMCSEL bytes for PMC1-4; PMC5/6 fixed',
      options: {},
    });
    expect([power5MmcrScheme.pmcImage, power5MmcrScheme.checkModel]).toEqual([undefined, undefined]);
  });

  it('codeWidth: the event bits', () => {
    expect(power5MmcrScheme.codeWidth(power5.encoding)).toEqual({
      bits: 24,
      label: 'encoding.eventBits (24)',
    });
    expect(power5MmcrScheme.codeWidth({ scheme: 'power5-mmcr', eventBits: 20, umaskBits: 0 })).toEqual({
      bits: 20,
      label: 'encoding.eventBits (20)',
    });
  });

  it('workloadKey: the whole event code (PMCSEL values repeat across counters)', () => {
    const key = (name: string) => power5MmcrScheme.workloadKey(power5, power5.eventByName(name)!);
    expect(key('PM_RUN_CYC')).toEqual({ code: 0x100005, umask: 0 });
    expect(key('PM_CYC')).toEqual({ code: 0xf, umask: 0 });
    expect(key('PM_ST_REF_L1')).toEqual({ code: 0x3c1090, umask: 0 });
    const ev = power5.eventByName('PM_CYC')!;
    expect(power5MmcrScheme.workloadKey(power5, { ...ev, code: 0x123456789n })).toEqual({
      code: 0x123456789,
      umask: 0,
    });
  });
});

describe('power5-mmcr: decode', () => {
  let b: SchemeBinding;
  beforeEach(() => {
    b = power5MmcrScheme.bind(power5);
  });

  it('PMCSEL of PMC1-4 in MMCR1 bytes 3..0; PMC5 and PMC6 count their one event', () => {
    expect(all(b, regs(power5, { 0: 0, 1: MMCR1 }))).toEqual(CODES.map((code) => cfg(true, code)));
  });

  it('each byte lane belongs to one counter', () => {
    // PM_FXU_IDLE 0x12 on PMC1 only, PM_ISLB_MISS 0x41 on PMC1/2 (before PM_FPU0_FMA, same
    // select), PM_L2SA_ST_HIT 0x60 on PMC3/4
    const s = regs(power5, { 0: 0, 1: 0x12416060 });
    expect(all(b, s).slice(0, 4)).toEqual([
      cfg(true, 0x100012),
      cfg(true, 0x800c1),
      cfg(true, 0x733e0),
      cfg(true, 0x733e0),
    ]);
    const t = regs(power5, { 0: 0, 1: 0x41124460 });
    // 0x12 on PMC2 and 0x44 on PMC3 are not events of those counters
    expect(all(b, t).slice(0, 4)).toEqual([
      cfg(true, 0x800c1),
      cfg(false, -1),
      cfg(false, -1),
      cfg(true, 0x733e0),
    ]);
  });

  it('a PMCSEL with no event on the counter decodes as not counting (code -1)', () => {
    const s = regs(power5, { 0: FCP, 1: (MMCR1 & 0xff00ffff) | 0x00ff0000 });
    expect(decode(b, s, 1)).toEqual(cfg(true, 0x800c4, false, true));
    expect(decode(b, s, 2)).toEqual(cfg(false, -1, false, true));
  });

  it('FCP freezes user mode, FCS kernel mode; both leave the counter enabled in no mode', () => {
    expect(all(b, regs(power5, { 0: FCP, 1: MMCR1 }))).toEqual(
      CODES.map((code) => cfg(true, code, false, true)),
    );
    expect(all(b, regs(power5, { 0: FCS, 1: MMCR1 }))).toEqual(
      CODES.map((code) => cfg(true, code, true, false)),
    );
    expect(all(b, regs(power5, { 0: (FCS | FCP) >>> 0, 1: MMCR1 }))).toEqual(
      CODES.map((code) => cfg(true, code, false, false)),
    );
  });

  it('FC freezes every counter', () => {
    expect(all(b, regs(power5, { 0: FC, 1: MMCR1 }))).toEqual(CODES.map(() => untouched));
    expect(all(b, regs(power5, { 0: 0xffffffff, 1: MMCR1 }))).toEqual(CODES.map(() => untouched));
  });

  it('FC1_4 freezes PMC1-4 only, FC5_6 PMC5/6 only', () => {
    expect(all(b, regs(power5, { 0: FC1_4, 1: MMCR1 }))).toEqual([
      untouched,
      untouched,
      untouched,
      untouched,
      cfg(true, CODES[4]!),
      cfg(true, CODES[5]!),
    ]);
    expect(all(b, regs(power5, { 0: FC5_6, 1: MMCR1 }))).toEqual([
      cfg(true, CODES[0]!),
      cfg(true, CODES[1]!),
      cfg(true, CODES[2]!),
      cfg(true, CODES[3]!),
      untouched,
      untouched,
    ]);
  });

  it('the MMCR0 bits next to the freeze bits change nothing', () => {
    // bits 3, 6, 7 and 28 (0x08, 0x40, 0x80, 0x10000000)
    expect(all(b, regs(power5, { 0: 0x100000c8, 1: MMCR1 }))).toEqual(CODES.map((code) => cfg(true, code)));
  });

  it('an MMCR0 the set did not write counts nothing', () => {
    expect(all(b, regs(power5, { 1: MMCR1 }))).toEqual(CODES.map(() => untouched));
  });

  it('MMCR1 is read whether or not the set wrote it', () => {
    expect(all(b, regs(power5, { 0: 0 }, { 1: MMCR1 }))).toEqual(CODES.map((code) => cfg(true, code)));
  });

  it('the time base (PMD0) and PMDs beyond PMC6 are not counters', () => {
    const s = regs(power5, { 0: 0, 1: 0x0f0f0f0f });
    expect(decode(b, s, 0)).toEqual(untouched);
    expect(decode(b, s, 7)).toEqual(untouched);
    expect(decode(b, s, 100)).toEqual(untouched);
    expect(decode(b, s, -1)).toEqual(untouched);
  });

  it('has no shared unit', () => {
    expect([b.sharedUnit(0, 0), b.sharedUnit(1, 0xffffffff)]).toEqual([false, false]);
  });
});

describe('power5-mmcr: registers by name and the select table', () => {
  const without = (name: string): PmuModel => ({
    ...power5,
    pmcs: power5.pmcs.filter((r) => r.name !== name),
  });

  it('without MMCR0 nothing counts', () => {
    const model = without('MMCR0');
    const b = power5MmcrScheme.bind(model);
    // MMCR1 holds a value that, read as MMCR0, would freeze nothing
    expect(all(b, regs(model, { 0: 0, 1: 0x44000000 }))).toEqual(CODES.map(() => untouched));
  });

  it('without MMCR0 nothing counts, for any array-like state, not only typed arrays', () => {
    const model = without('MMCR0');
    const b = power5MmcrScheme.bind(model);
    expect(all(b, withEntryAtMinusOne(regs(model, { 1: MMCR1 }), 0))).toEqual(CODES.map(() => untouched));
  });

  it('without MMCR1, PMC1-4 count nothing and PMC5/6 still count', () => {
    const model = without('MMCR1');
    const b = power5MmcrScheme.bind(model);
    expect(all(b, regs(model, { 0: 0, 1: 0x44000000 }))).toEqual([
      untouched,
      untouched,
      untouched,
      untouched,
      cfg(true, CODES[4]!),
      cfg(true, CODES[5]!),
    ]);
  });

  it('MMCR0 and MMCR1 are found by name, not by index', () => {
    const swapped: PmuModel = {
      ...power5,
      pmcs: power5.pmcs.map((r) =>
        r.name === 'MMCR0' ? { ...r, name: 'MMCR1' } : r.name === 'MMCR1' ? { ...r, name: 'MMCR0' } : r,
      ),
    };
    const b = power5MmcrScheme.bind(swapped);
    expect(all(b, regs(swapped, { 0: MMCR1, 1: FCS }))).toEqual(
      CODES.map((code) => cfg(true, code, true, false)),
    );
    expect(all(b, regs(swapped, { 0: MMCR1 }))).toEqual(CODES.map(() => untouched));
  });

  function event(
    name: string,
    code: bigint,
    counters: number[],
    modelData: Record<string, unknown>,
  ): PmuEvent {
    return {
      index: 0,
      name,
      code,
      description: '',
      counters,
      unitMasks: [],
      umaskCombinable: false,
      flags: [],
      modelData,
    };
  }

  it('an event’s PMCSEL is modelData.pmcsel (string or number), else its code’s low byte', () => {
    const model: PmuModel = {
      ...power5,
      events: [
        ...power5.events,
        event('ZERO', 0n, [2], { pmcsel: '0x22' }),
        event('NO_PMCSEL', 0x1234n, [3], {}),
        event('BAD_PMCSEL', 0x2199n, [3], { pmcsel: 'abc' }),
        event('NUMERIC', 0x5555n, [4], { pmcsel: 0x23 }),
        event('LATE_PMC5', 0x9999n, [5], { pmcsel: '0x77' }),
      ],
    };
    const b = power5MmcrScheme.bind(model);
    expect(all(b, regs(model, { 0: 0, 1: 0x44223423 }))).toEqual([
      cfg(true, 0x800c4),
      cfg(true, 0),
      cfg(true, 0x1234),
      cfg(true, 0x5555),
      cfg(true, CODES[4]!),
      cfg(true, CODES[5]!),
    ]);
    expect(decode(b, regs(model, { 0: 0, 1: 0x00009900 }), 3)).toEqual(cfg(true, 0x2199));
    expect(decode(b, regs(model, { 0: 0, 1: 0x00007700 }), 3)).toEqual(cfg(false, -1));
  });

  it('PMC5 and PMC6 count the first event listed on them, whatever its PMCSEL', () => {
    const model: PmuModel = {
      ...power5,
      events: [
        event('EARLY_PMC6', 0x6666n, [6], { pmcsel: '0x77' }),
        ...power5.events,
        event('LATE_PMC5', 0x9999n, [5], { pmcsel: '0x00' }),
      ],
    };
    const b = power5MmcrScheme.bind(model);
    const s = regs(model, { 0: 0, 1: 0x77777777 });
    expect([decode(b, s, 5), decode(b, s, 6)]).toEqual([cfg(true, CODES[4]!), cfg(true, 0x6666)]);
  });
});
