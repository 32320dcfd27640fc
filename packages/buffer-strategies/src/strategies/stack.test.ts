import { getArch, InvalidArgumentError } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { E2BIG } from '../spec.js';
import { createStackStrategy, type StackStrategyOptions } from './stack.js';
import { strategyWorld } from './test-util.js';

const i386 = getArch('i386');

function world(opts: StackStrategyOptions = {}, limit?: number) {
  const w = strategyWorld(createStackStrategy(opts), { limit, thread: 'reader' });
  return { ...w, userHigh: () => w.lab.k.mem.ownerHighWater('args:uid:1000') };
}

describe('stack: options', () => {
  for (const key of ['pmc', 'pmd', 'threshold'] as const) {
    it(`${key}: an integer from 0 to 1024, anything else is refused`, () => {
      for (const bad of [-1, 1025, 1.5, Number.NaN, 4096]) {
        expect(() => createStackStrategy({ [key]: bad }), `${key}=${bad}`).toThrow(InvalidArgumentError);
      }
      expect(() => createStackStrategy({ [key]: 1025 })).toThrow(`stack strategy ${key}`);
      for (const good of [0, 1, 1024]) expect(() => createStackStrategy({ [key]: good })).not.toThrow();
    });
  }

  it('the error names the option and the value refused', () => {
    expect(() => createStackStrategy({ pmd: 2000 })).toThrow(/stack strategy pmd.*an integer from 0 to 1024/);
    expect(() => createStackStrategy({ threshold: -3 })).toThrow(/-3/);
  });

  it('is named after its threshold; per-kind sizes keep the plain name', () => {
    expect(createStackStrategy().name).toBe('stack');
    expect(createStackStrategy({ threshold: 8 }).name).toBe('stack(8)');
    expect(createStackStrategy({ threshold: 0 }).name).toBe('stack(0)');
    expect(createStackStrategy({ pmc: 2 }).name).toBe('stack');
  });
});

describe('stack: the frame', () => {
  it("defaults to the arch's PFM_ARCH_P?C_STK_ARG: 4 x pfarg_pmc, 4 x pfarg_pmd on i386, 8 on ia64", () => {
    const s = createStackStrategy();
    expect(s.frameBytes('pmc', 48, i386)).toBe(4 * 48);
    expect(s.frameBytes('pmd', 176, i386)).toBe(4 * 176);
    expect(s.frameBytes('pmd', 176, getArch('ia64'))).toBe(8 * 176);
    expect(s.frameBytes('pmc', 48, getArch('sparc64'))).toBe(1 * 48);
    expect(s.frameBytes('pmd', 176, getArch('sparc64'))).toBe(2 * 176);
  });

  it("perfmon3's 16-byte pfarg_pmr vectors use the single PFM_ARCH_STK_ARG buffer: 8 pmr on x86, 4 with 4K stacks", () => {
    const s = createStackStrategy();
    expect(s.frameBytes('pmd', 16, i386)).toBe(8 * 16);
    expect(s.frameBytes('pmc', 16, i386)).toBe(8 * 16);
    expect(s.frameBytes('pmd', 16, getArch('i386-4k'))).toBe(4 * 16);
    expect(s.frameBytes('pmd', 16, getArch('ia64'))).toBe(1 * 16);
  });

  it('the evtset calls pass no stack array (lsz = 0), whatever the threshold', () => {
    const s = createStackStrategy({ threshold: 8 });
    expect(s.frameBytes('setdesc', 64, i386)).toBe(0);
    expect(s.frameBytes('setinfo', 192, i386)).toBe(0);
    expect(createStackStrategy().frameBytes('setinfo', 192, i386)).toBe(0);
  });

  it('a per-kind size wins over the threshold, the threshold over the arch default', () => {
    const s = createStackStrategy({ pmc: 2, threshold: 6 });
    expect(s.frameBytes('pmc', 48, i386)).toBe(2 * 48);
    expect(s.frameBytes('pmd', 176, i386)).toBe(6 * 176);
    const d = createStackStrategy({ pmd: 1 });
    expect(d.frameBytes('pmd', 176, i386)).toBe(176);
    expect(d.frameBytes('pmc', 48, i386)).toBe(4 * 48);
    expect(createStackStrategy({ threshold: 0 }).frameBytes('pmd', 176, i386)).toBe(0);
  });
});

describe('stack: the call', () => {
  it('a vector that exactly fills the on-stack array is copied there: no allocation, nothing charged', () => {
    const w = world();
    const before = w.kmallocs();
    const alloc = w.t.clock.byCategory[2]!;
    expect(w.call(4)).toBe(0); // 4 x 176 = 704 B, the whole i386 array
    expect(w.call(1)).toBe(0);
    expect(w.call(4, { kind: 'pmc' })).toBe(0);
    expect(w.kmallocs()).toBe(before);
    expect(w.t.clock.byCategory[2]! - alloc).toBe(0);
    expect(w.userHigh()).toBe(0);
    // the registers went through the stack array and came back with their values
    const back = w.lab.process.mm.dataView(w.u, 4 * 176, false);
    expect(back.getUint32(8, true)).toBe(back.getUint16(0, true) * 1000 + 7);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('one element more takes kmalloc for the call and kfrees it after', () => {
    const w = world();
    const before = w.kmallocs();
    expect(w.call(5)).toBe(0); // 880 B: size-1024
    expect(w.kmallocs()).toBe(before + 1);
    expect(w.userHigh()).toBe(1024);
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.live('size-1024')).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('with threshold 0 every vector is kmalloced; with threshold 8 the seed 8 pfarg_pmd stay on the stack', () => {
    const none = world({ threshold: 0 });
    const before = none.kmallocs();
    expect(none.call(1)).toBe(0);
    expect(none.kmallocs()).toBe(before + 1);
    const eight = world({ threshold: 8 });
    const b8 = eight.kmallocs();
    expect(eight.call(8)).toBe(0);
    expect(eight.kmallocs()).toBe(b8);
    expect(eight.call(9)).toBe(0);
    expect(eight.kmallocs()).toBe(b8 + 1);
  });

  it('skips the arg_size_max check on the stack path (quirk Q4), keeps it on the kmalloc path', () => {
    const w = world({}, 512);
    expect(w.call(4)).toBe(0); // 704 B > 512 B, but on the stack
    expect(w.call(5)).toBe(-E2BIG);
    expect(w.userHigh()).toBe(0);
    const exact = world({}, 880);
    expect(exact.call(5)).toBe(0); // exactly arg_size_max is allowed
    expect(exact.call(6)).toBe(-E2BIG);
  });
});
