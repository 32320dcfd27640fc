import { describe, expect, it } from 'vitest';
import { BROKEN_STRATEGY_NAMES, createStrategy, STRATEGY_NAMES } from '../registry.js';
import { type ArgBufferStrategy, type ArgCall, EFAULT, ENOMEM } from '../spec.js';
import { kfreeBuffer, kmallocBuffer } from '../strategies/common.js';
import { faultInjectionCheck } from './faults.js';

const REPLAY = { replay: 'pfmsim certify x --only faults' };

/** kmalloc with one defect, for the check to find. */
function kmallocWith(defect: Partial<ArgBufferStrategy>): () => ArgBufferStrategy {
  return () => ({ ...createStrategy('kmalloc'), name: 'defective', ...defect });
}

describe('faultInjectionCheck', () => {
  it('kmalloc: every byte of 2, 8 and 23 PMDs in each direction, each of its 7 allocations and 14 copies', () => {
    const c = faultInjectionCheck(() => createStrategy('kmalloc'), REPLAY);
    expect(c.status).toBe('pass');
    expect(c.figures).toEqual({
      calls: 2 * (353 + 1409 + 4049) + 8 * 7 + 15 * 7,
      copyInBytes: 352 + 1408 + 4048,
      copyBackBytes: 5808,
      allocationPoints: 7,
      copyPoints: 14,
      problems: 0,
    });
    expect(c.problems).toEqual([]);
    expect(c.replay).toEqual([]);
    expect(c.id).toBe('faults');
    expect(c.title).toBe('fault injection at every copy byte and every allocation, with the leak check');
    expect(c.summary).toBe(
      '11783 calls: copy in faulted at each of 5808 bytes, copy back at each of 5808, failslab at 7 allocations, fail_usercopy at 14 copies; 0 problem(s)',
    );
  });

  it('a cache allocates less: ctx-cache makes 2 allocations over the sequence', () => {
    const c = faultInjectionCheck(() => createStrategy('ctx-cache'), REPLAY);
    expect(c.status).toBe('pass');
    expect(c.figures.allocationPoints).toBe(2);
  });

  for (const name of STRATEGY_NAMES.filter((n) => n !== 'ctx-cache-spinsplit')) {
    it(`${name} passes`, () => {
      expect(faultInjectionCheck(() => createStrategy(name), REPLAY).problems).toEqual([]);
    });
  }

  it('ctx-cache-spinsplit fails with sleep-in-atomic; with DEBUG_ATOMIC_SLEEP off everything else holds', () => {
    expect(BROKEN_STRATEGY_NAMES).toContain('ctx-cache-spinsplit');
    const on = faultInjectionCheck(() => createStrategy('ctx-cache-spinsplit'), REPLAY);
    expect(on.status).toBe('fail');
    expect(on.problems[0]).toMatch(
      /^copy in, n=2, 0 of 352 bytes readable: sleep-in-atomic: .*copy_from_user/,
    );
    expect(on.replay).toEqual([REPLAY.replay]);
    const off = faultInjectionCheck(() => createStrategy('ctx-cache-spinsplit'), {
      ...REPLAY,
      debugAtomicSleep: false,
    });
    expect(off.problems).toEqual([]);
    expect(off.status).toBe('pass');
  });

  it('a buffer never freed is a leak, found after close and exit', () => {
    const c = faultInjectionCheck(
      kmallocWith({
        release(call: ArgCall) {
          // forgets the buffers of 2-element calls
          if (call.count !== 2) kfreeBuffer(call);
        },
      }),
      REPLAY,
    );
    expect(c.status).toBe('fail');
    expect(c.problems.some((p) => /kernel object\(s\) left after close and exit \(a leak\)/.test(p))).toBe(
      true,
    );
    expect(c.problems.some((p) => /B of argument buffers still charged/.test(p))).toBe(true);
  });

  it('a strategy that turns ENOMEM into another errno is caught at the call that hit it', () => {
    const c = faultInjectionCheck(
      kmallocWith({
        acquire(call: ArgCall) {
          const buf = kmallocBuffer(call);
          return buf === -ENOMEM ? -EFAULT : buf;
        },
      }),
      REPLAY,
    );
    expect(c.status).toBe('fail');
    expect(c.problems[0]).toBe('failslab nth=1, call 1 (n=8): returned -14, expected -12');
  });

  it('a lock left held is reported after the call and stops that case', () => {
    const c = faultInjectionCheck(
      kmallocWith({
        release(call: ArgCall) {
          kfreeBuffer(call);
          call.k.sync.spinLock(call.t, call.slot.lock);
        },
      }),
      REPLAY,
    );
    expect(c.status).toBe('fail');
    // the kernel's own return-to-user check reports it; each case stops at its first call
    const held = 'held-at-return: returning to user space with ctx1->lock held';
    const preempt = 'held-at-return: returning to user space with preempt count 1';
    expect(c.problems).toEqual([
      `copy in, n=2, 0 of 352 bytes readable: ${held}`,
      `copy in, n=2, 0 of 352 bytes readable: ${preempt}`,
      `copy back, n=2, 0 of 352 bytes writable: ${held}`,
      `copy back, n=2, 0 of 352 bytes writable: ${preempt}`,
      `failslab nth=1, call 2 (n=8): ${held}`,
      `failslab nth=1, call 2 (n=8): ${preempt}`,
      `fail_usercopy nth=1, call 1 (n=8): ${held}`,
      `fail_usercopy nth=1, call 1 (n=8): ${preempt}`,
    ]);
    expect(c.figures.problems).toBe(8);
  });

  it('a wrong errno on a faulting copy in is named with the case', () => {
    const c = faultInjectionCheck(
      kmallocWith({ acquire: (call: ArgCall) => (call.count === 8 ? -ENOMEM : kmallocBuffer(call)) }),
      REPLAY,
    );
    expect(c.problems[0]).toBe('copy in, n=8, 0 of 1408 bytes readable: returned -12, expected -14');
  });

  it('a strategy making more allocations or copies than the points tried is reported, not looped on', () => {
    const c = faultInjectionCheck(() => createStrategy('kmalloc'), { ...REPLAY, maxPoints: 3 });
    expect(c.problems).toEqual([
      'failslab: still injecting at point 3; the calls make more than 3',
      'fail_usercopy: still injecting at point 3; the calls make more than 3',
    ]);
    expect(c.figures).toMatchObject({ allocationPoints: 3, copyPoints: 3 });
  });

  it('a strategy that throws is a failure naming the throw, not a crash', () => {
    const c = faultInjectionCheck(
      kmallocWith({
        acquire() {
          throw new Error('plugin bug');
        },
      }),
      REPLAY,
    );
    expect(c.status).toBe('fail');
    expect(c.problems).toEqual([
      'copy in: the strategy threw: plugin bug',
      'copy back: the strategy threw: plugin bug',
      'failslab: the strategy threw: plugin bug',
      'fail_usercopy: the strategy threw: plugin bug',
    ]);
    expect(c.figures.problems).toBe(4);
  });
});
