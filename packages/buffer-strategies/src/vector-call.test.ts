import { type Thread, Y_PREEMPT } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { StrategyLab } from './lab.js';
import { createStrategy, type StrategyName } from './registry.js';
import type { ArgBufferStrategy, ContextSlot } from './spec.js';

/**
 * Thread A makes one call of one pfarg_pmd (register 5) while thread B, on the other CPU, looks
 * at A's argument buffer each time it gets to run; the scheduler switches at every chance. The
 * log shows where the protocol lets another thread in.
 */
function preemptionPoints(name: StrategyName): string[] {
  const log: string[] = [];
  const base = createStrategy(name);
  let buf = 0;
  const probe: ArgBufferStrategy = {
    ...base,
    acquire(call) {
      buf = base.acquire(call);
      log.push('A takes its buffer');
      return buf;
    },
    release(call) {
      base.release(call);
      log.push('A gives its buffer back');
    },
  };
  const lab = new StrategyLab({
    arch: 'i386',
    cost: 'p4-2006',
    seed: 1,
    strategy: probe,
    cpus: 2,
    debugAtomicSleep: false, // spinsplit's copies under ctx->lock: not what is looked at here
  });
  const u = lab.process.mm.mmap(176);
  lab.process.mm.dataView(u, 176, true).setUint16(0, 5, true);
  let ctx: ContextSlot | null = null;
  let done = false;
  const view = lab.k.mem.view;
  const seen = () => {
    if (lab.process.mm.dataView(u, 176, false).getUint32(8, true) === 5007)
      return 'B sees the result returned';
    if (buf === 0) return 'B sees no buffer';
    if (view.getUint32(buf + 8, true) === 5007) return 'B sees the result in the buffer';
    return view.getUint16(buf, true) === 5 ? 'B sees the vector copied in' : 'B sees an empty buffer';
  };
  const a = lab.thread('A', function* (t: Thread) {
    yield* lab.call(t, ctx!, 'pmd', 1, u);
    done = true;
    log.push('A returns');
  });
  lab.thread('B', function* () {
    while (!done) {
      log.push(seen());
      yield Y_PREEMPT;
    }
  });
  ctx = lab.openContext(a);
  const run = lab.k.run({ kind: 'round-robin' });
  expect(run.deadlock).toBe(false);
  return log;
}

describe('vectorCall: where another thread may run', () => {
  it('after the allocation, after the copy in, before the copy back and after the release; never under ctx->lock', () => {
    expect(preemptionPoints('kmalloc')).toEqual([
      'A takes its buffer',
      'B sees an empty buffer',
      'B sees the vector copied in',
      'B sees the result in the buffer',
      'A gives its buffer back',
      'B sees the result returned',
      'A returns',
    ]);
  });

  it('a strategy that holds ctx->lock from acquire to release (spinsplit) copies with preemption off: no one runs in between', () => {
    expect(preemptionPoints('ctx-cache-spinsplit')).toEqual([
      'A takes its buffer',
      'A gives its buffer back',
      'B sees the result returned',
      'A returns',
    ]);
  });

  it('a call without copy back leaves the user vector as it was', () => {
    const lab = new StrategyLab({
      arch: 'i386',
      cost: 'p4-2006',
      seed: 1,
      strategy: createStrategy('kmalloc'),
    });
    const t = lab.thread('A');
    const ctx = lab.openContext(t);
    const u = lab.process.mm.mmap(176);
    lab.process.mm.dataView(u, 176, true).setUint16(0, 5, true);
    expect(lab.k.runSync(t, lab.call(t, ctx, 'pmd', 1, u, false))).toBe(0);
    expect(lab.process.mm.dataView(u, 176, false).getUint32(8, true)).toBe(0);
    expect(lab.k.runSync(t, lab.call(t, ctx, 'pmd', 1, u))).toBe(0);
    expect(lab.process.mm.dataView(u, 176, false).getUint32(8, true)).toBe(5007);
  });
});
