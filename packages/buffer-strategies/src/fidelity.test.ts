import { describe, expect, it } from 'vitest';
import { cyclesPerCall } from './measure.js';
import { createCtxCacheStrategy } from './strategies/ctx-cache.js';
import { createKmallocStrategy } from './strategies/kmalloc.js';
import { createStackStrategy } from './strategies/stack.js';

interface Era {
  arch: string;
  sys: number;
  fd: number;
  fix: number;
  byte: number;
  lock: number;
  reg: number;
  k: number;
  atomic: number;
}

/** cost-model.md §2: T = C_sys + C_fd + 2 (C_copyfix + n s C_byte) + C_lock + n C_reg + C_buf. */
function analytic(era: Era, n: number) {
  const t = era.sys + era.fd + 2 * (era.fix + n * 176 * era.byte) + era.lock + n * era.reg;
  return { stack: t, kmalloc: t + era.k, cached: t + 2 * era.atomic };
}

// cost-model.md §2.1, the parameters of each era (saved reads).
const eras: Record<string, Era> = {
  'p4-2006': { arch: 'i386', sys: 641, fd: 20, fix: 60, byte: 0.4, lock: 220, reg: 50, k: 320, atomic: 100 },
  'core2-2007': {
    arch: 'x86_64',
    sys: 250,
    fd: 20,
    fix: 40,
    byte: 0.2,
    lock: 60,
    reg: 50,
    k: 140,
    atomic: 20,
  },
  'k8-2006': { arch: 'x86_64', sys: 250, fd: 20, fix: 40, byte: 0.2, lock: 60, reg: 50, k: 120, atomic: 20 },
  'modern-x86_64': {
    arch: 'x86_64-16k',
    sys: 150,
    fd: 10,
    fix: 30,
    byte: 0.03,
    lock: 62,
    reg: 10,
    k: 75,
    atomic: 12,
  },
};

describe('cost fidelity against the analytic model (cost-model.md §2.2)', () => {
  for (const [cost, era] of Object.entries(eras)) {
    it(`${cost}: pfm_read_pmds n=4, saving of stack over kmalloc within 2% of the hand computation`, () => {
      const sim = {
        stack: cyclesPerCall(createStackStrategy(), era.arch, cost, 4),
        kmalloc: cyclesPerCall(createKmallocStrategy(), era.arch, cost, 4),
        cached: cyclesPerCall(createCtxCacheStrategy(), era.arch, cost, 4),
      };
      const hand = analytic(era, 4);
      const simSaving = (sim.kmalloc - sim.stack) / sim.kmalloc;
      const handSaving = (hand.kmalloc - hand.stack) / hand.kmalloc;
      expect(Math.abs(simSaving - handSaving) / handSaving).toBeLessThan(0.02);
      expect(Math.abs(sim.kmalloc - hand.kmalloc) / hand.kmalloc).toBeLessThan(0.01);
      // Strategy C of the model: two atomic RMWs instead of kmalloc+kfree.
      expect(Math.abs(sim.cached - hand.cached) / hand.cached).toBeLessThan(0.01);
    });
  }

  it('p4-2006 and modern figures are the ones the README states', () => {
    const p4 = {
      stack: cyclesPerCall(createStackStrategy(), 'i386', 'p4-2006', 4),
      kmalloc: cyclesPerCall(createKmallocStrategy(), 'i386', 'p4-2006', 4),
    };
    const modern = {
      stack: cyclesPerCall(createStackStrategy(), 'x86_64-16k', 'modern-x86_64', 4),
      kmalloc: cyclesPerCall(createKmallocStrategy(), 'x86_64-16k', 'modern-x86_64', 4),
    };
    expect(p4).toEqual({ stack: 1765, kmalloc: 2085 });
    expect(modern).toEqual({ stack: 364, kmalloc: 439 });
  });

  it('above the stack threshold, stack costs the same as kmalloc within 1%', () => {
    for (const [cost, era] of Object.entries(eras)) {
      for (const n of [5, 8, 16, 23]) {
        const s = cyclesPerCall(createStackStrategy(), era.arch, cost, n);
        const km = cyclesPerCall(createKmallocStrategy(), era.arch, cost, n);
        expect(Math.abs(s - km) / km, `${cost} n=${n}`).toBeLessThan(0.01);
      }
    }
  });
});
