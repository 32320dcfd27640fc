import { describe, expect, it } from 'vitest';
import { CAT } from './clock.js';
import { oneThread, testKernel } from './test-util.js';

describe('interrupts', () => {
  it('are delivered only when irqs are enabled', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const seen: string[] = [];
    const lock = k.sync.createSpinlock('ctx->lock');
    k.sync.spinLockIrqsave(t, lock);
    k.irq.raise(0, (it) => seen.push(`pmu irq on ${it.label}, inIrq=${it.inIrq}`));
    k.irq.poll(t);
    expect(seen).toEqual([]);
    k.sync.spinUnlockIrqrestore(t, lock);
    expect(seen).toEqual(['pmu irq on T0 main, inIrq=true']);
    expect(t.inIrq).toBe(false);
    expect(k.irq.delivered).toBe(1);
  });

  it('the timer ticks every clockHz/HZ cycles of a CPU', () => {
    const k = testKernel({ hz: 1000 });
    const { t } = oneThread(k);
    let ticks = 0;
    k.irq.onTimer(() => ticks++);
    expect(k.irq.tickCycles).toBe(3_000_000);
    k.charge(t, CAT.workload, 7_500_000);
    k.irq.poll(t);
    expect(ticks).toBe(2);
    k.charge(t, CAT.workload, 1_500_000);
    k.irq.poll(t);
    expect(ticks).toBe(3);
  });
});

describe('fd table', () => {
  it('installs at the lowest free fd, charges fget_light, and stops at RLIMIT_NOFILE', () => {
    const k = testKernel({ fdLimit: 3 });
    const { t } = oneThread(k);
    const p = t.process;
    const f = { kind: 'test' };
    expect([k.fdInstall(p, f), k.fdInstall(p, f), k.fdInstall(p, f), k.fdInstall(p, f)]).toEqual([
      0, 1, 2, -24,
    ]);
    k.fdRemove(p, 1);
    expect(k.fdInstall(p, f)).toBe(1);
    expect(k.fdGet(t, 2)).toBe(f);
    expect(k.fdGet(t, 7)).toBeNull();
    expect(k.fdGet(t, -1)).toBeNull();
    expect(t.clock.breakdown().fd).toBe(3 * 20);
    k.spawn(p, 'second');
    k.fdGet(t, 0);
    expect(t.clock.breakdown().atomic).toBe(2 * k.costs.atomicRmw);
  });
});

describe('clock', () => {
  it('keeps per-thread and per-CPU totals with a breakdown', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const a = k.spawn(p, 'a', undefined, { cpu: 0 });
    const b = k.spawn(p, 'b', undefined, { cpu: 1 });
    k.charge(a, CAT.copy, 100);
    k.charge(b, CAT.alloc, 30);
    k.charge(a, CAT.alloc, 5);
    expect(a.clock.total).toBe(105);
    expect(k.cpus[1]!.clock.total).toBe(30);
    expect(a.clock.breakdown()).toMatchObject({ copy: 100, alloc: 5, lock: 0 });
    const snap = a.clock.snapshot();
    k.charge(a, CAT.lock, 7);
    expect(a.clock.since(snap)).toMatchObject({ total: 7, lock: 7, copy: 0 });
    expect(k.cyclesToNs(3000)).toBe(1000);
  });
});
