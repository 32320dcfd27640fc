import { getArch, InvalidArgumentError } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { E2BIG } from '../spec.js';
import {
  createHybridStrategy,
  FRAME_OTHER_LOCALS,
  type HybridOptions,
  hybridStackBudget,
  STACK_BUDGET_RULE,
} from './hybrid.js';
import { strategyWorld } from './test-util.js';

const i386 = getArch('i386');

function world(opts: HybridOptions = {}, limit?: number) {
  return strategyWorld(createHybridStrategy(opts), { limit, thread: 'reader' });
}

describe('hybrid: options', () => {
  it('pmc and pmd: integers from 0 to 1024; stackBudget: 0 to 1 MiB', () => {
    for (const key of ['pmc', 'pmd'] as const) {
      for (const bad of [-1, 1025, 2.5])
        expect(() => createHybridStrategy({ [key]: bad })).toThrow(InvalidArgumentError);
      for (const good of [0, 1024]) expect(() => createHybridStrategy({ [key]: good })).not.toThrow();
      expect(() => createHybridStrategy({ [key]: 1025 })).toThrow(`hybrid ${key}`);
    }
    for (const bad of [-1, (1 << 20) + 1, 0.5])
      expect(() => createHybridStrategy({ stackBudget: bad })).toThrow(/hybrid stackBudget/);
    for (const good of [0, 1 << 20]) expect(() => createHybridStrategy({ stackBudget: good })).not.toThrow();
    expect(() => createHybridStrategy({ userBudget: -1 })).toThrow(InvalidArgumentError);
  });

  it('hands its budgets to the bounded cache it wraps', () => {
    const w = world({ userBudget: 2048, globalBudget: 3072, maxUsers: 1 });
    const r = w.s.budgetReport(w.lab.k);
    expect([r.userLimitBytes, r.globalLimitBytes]).toEqual([2048, 3072]);
    const other = w.lab.openContext(w.t, 2000);
    expect(w.call(8, { slot: other })).toBe(0);
    expect(w.lab.pinnedBytes(2000)).toBe(0); // no table slot for a second user
    expect(w.s.pinnedFormula).toContain('2048 B');
    expect(w.s.pinnedFormula).toContain('only vectors above the stack threshold are cached');
    expect(w.s.stackFootprint).toContain(STACK_BUDGET_RULE);
    expect(STACK_BUDGET_RULE).toMatch(/THREAD_SIZE .* CONFIG_FRAME_WARN - 256/);
    const defaults = createHybridStrategy().budgetReport(world().lab.k);
    expect([defaults.userLimitBytes, defaults.globalLimitBytes]).toEqual([64 << 10, 1 << 20]);
  });
});

describe('hybrid: the stack array', () => {
  it('takes floor(budget / element) elements; a fixed count per kind overrides the budget', () => {
    const s = createHybridStrategy({ stackBudget: 1000 });
    expect(s.frameBytes('pmd', 176, i386)).toBe(5 * 176);
    expect(s.frameBytes('pmc', 48, i386)).toBe(20 * 48);
    const fixed = createHybridStrategy({ pmd: 2, stackBudget: 1000 });
    expect(fixed.frameBytes('pmd', 176, i386)).toBe(2 * 176);
    expect(fixed.frameBytes('pmc', 48, i386)).toBe(20 * 48);
    expect(createHybridStrategy({ pmc: 0 }).frameBytes('pmc', 48, i386)).toBe(0);
    expect(createHybridStrategy().frameBytes('pmd', 176, i386)).toBe(4 * 176); // 768 B budget
  });

  it('the evtset kinds have no stack array', () => {
    const s = createHybridStrategy({ stackBudget: 4096 });
    expect(s.frameBytes('setdesc', 64, i386)).toBe(0);
    expect(s.frameBytes('setinfo', 192, i386)).toBe(0);
  });

  it('the budget rule: an eighth of the stack below the entry path, capped by FRAME_WARN less the other locals, never negative', () => {
    expect(hybridStackBudget(getArch('i386', { threadSize: 8192 + 8 * 100, frameWarn: 4096 }))).toBe(
      Math.floor((8192 + 800 - i386.reservedBytes - i386.syscallEntryDepth) / 8),
    );
    expect(hybridStackBudget(getArch('i386', { frameWarn: 512 }))).toBe(512 - FRAME_OTHER_LOCALS);
    expect(hybridStackBudget(getArch('i386', { frameWarn: 100 }))).toBe(0);
    expect(hybridStackBudget(getArch('i386', { syscallEntryDepth: 9000 }))).toBe(0);
  });
});

describe('hybrid: the call', () => {
  it('a vector that fills the stack array exactly stays on the stack: no allocation, no atomic, no budget', () => {
    const w = world();
    const before = w.kmallocs();
    const atomics = w.t.clock.byCategory[5]!;
    expect(w.call(4)).toBe(0); // 704 B of a 704-B array
    expect(w.kmallocs()).toBe(before);
    expect(w.t.clock.byCategory[5]! - atomics).toBe(0);
    expect(w.lab.k.mem.ownerHighWater('args:uid:1000')).toBe(0);
    expect(w.s.budgetReport(w.lab.k).users.get(1000)).toBe(0);
    expect(w.lab.k.mem.readWord(w.ctx.addr)).toBe(0);
  });

  it('one element more is cached in the context; the evtset calls always take the cache', () => {
    const w = world();
    expect(w.call(5)).toBe(0);
    expect(w.lab.pinnedBytes()).toBe(1024);
    expect(w.call(1, { kind: 'setdesc' })).toBe(0); // 64 B fits the cached buffer: a hit
    expect(w.lab.pinnedBytes()).toBe(1024);
    const before = w.kmallocs();
    expect(w.call(5)).toBe(0);
    expect(w.kmallocs()).toBe(before);
    expect(w.s.shrink!(w.lab.k, w.t)).toBe(1024);
    w.lab.closeContext(w.t, w.ctx);
    expect(w.s.budgetReport(w.lab.k).cachedContexts).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('checks arg_size_max first, even for a vector that would fit on the stack (as V2.8x and V3 do)', () => {
    const w = world({}, 512);
    expect(w.call(4)).toBe(-E2BIG); // 704 B > 512 B
    expect(w.call(2)).toBe(0); // 352 B
    const exact = world({}, 704);
    expect(exact.call(4)).toBe(0);
  });
});
