import { costValues, getCostProfile, InvalidArgumentError } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { cyclesPerCall } from './measure.js';
import { createStrategy } from './registry.js';

const p4 = costValues(getCostProfile('p4-2006'));

describe('cyclesPerCall', () => {
  it('prices the call with the cost overrides given: a ctx-cache hit is two atomic RMWs over the stack path', () => {
    const delta = (atomicRmw?: number) => {
      const opts = atomicRmw === undefined ? {} : { costOverrides: { atomicRmw } };
      return (
        cyclesPerCall(createStrategy('ctx-cache'), 'i386', 'p4-2006', 4, opts) -
        cyclesPerCall(createStrategy('stack'), 'i386', 'p4-2006', 4, opts)
      );
    };
    expect(delta()).toBe(2 * p4.atomicRmw);
    expect(delta(30)).toBe(2 * 30);
  });

  it("charges the back-end regCycles per element, by default the profile's saved-register read", () => {
    const kmalloc = createStrategy('kmalloc');
    const dflt = cyclesPerCall(kmalloc, 'i386', 'p4-2006', 8);
    expect(cyclesPerCall(kmalloc, 'i386', 'p4-2006', 8, { regCycles: p4.pmuRegSaved })).toBe(dflt);
    expect(cyclesPerCall(kmalloc, 'i386', 'p4-2006', 8, { regCycles: p4.pmuRegSaved + 100 })).toBe(
      dflt + 8 * 100,
    );
  });

  it('averages over the steady-state calls: a strategy with no state costs the same per call however many', () => {
    const stack = createStrategy('stack');
    const one = cyclesPerCall(stack, 'i386', 'p4-2006', 4);
    expect(cyclesPerCall(stack, 'i386', 'p4-2006', 4, { calls: 5 })).toBe(one);
  });

  it('an empty vector costs the syscall entry and exit and the fd lookup, whatever the strategy', () => {
    for (const name of ['kmalloc', 'stack', 'ctx-cache', 'slab-cache'] as const)
      expect(cyclesPerCall(createStrategy(name), 'i386', 'p4-2006', 0), name).toBe(
        p4.syscallEntryExit + p4.fdLookup,
      );
  });

  it('throws when the measured call fails, naming the strategy and the vector', () => {
    const call = () => cyclesPerCall(createStrategy('kmalloc'), 'i386', 'p4-2006', 24); // 4224 B > arg_size_max
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow('invalid kmalloc call with 24 pmd: -7 (accepted: a call that succeeds)');
  });

  it('throws on a kernel bug unless told to measure anyway', () => {
    const spinsplit = createStrategy('ctx-cache-spinsplit');
    expect(() => cyclesPerCall(spinsplit, 'i386', 'p4-2006', 4)).toThrow(
      /^ctx-cache-spinsplit: sleep-in-atomic: sleeping function called from invalid context/,
    );
    expect(cyclesPerCall(spinsplit, 'i386', 'p4-2006', 4, { allowBugs: true })).toBeGreaterThan(0);
  });
});
