import { explore } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { LAB_CONTEXT_BYTES, StrategyLab } from './lab.js';
import { createStrategy } from './registry.js';
import { sharedContextScenario } from './scenario.js';
import { SLOT_WORDS } from './spec.js';
import { kmallocCalls } from './strategies/test-util.js';

function lab(
  strategy = createStrategy('ctx-cache'),
  extra: Partial<ConstructorParameters<typeof StrategyLab>[0]> = {},
) {
  return new StrategyLab({ arch: 'i386', cost: 'p4-2006', seed: 1, strategy, arenaBytes: 2 << 20, ...extra });
}

describe('the lab kernel and process', () => {
  it('builds the kernel with the CPUs and preemption model asked for; a thread may be pinned to a CPU', () => {
    const one = lab();
    expect([one.thread('A').cpu, one.thread('B').cpu]).toEqual([0, 0]);
    expect(one.k.preemptAll).toBe(false);
    const two = lab(createStrategy('ctx-cache'), { cpus: 2, preemptAll: true });
    expect([two.thread('A').cpu, two.thread('B').cpu]).toEqual([0, 1]);
    expect(two.thread('C', undefined, 1).cpu).toBe(1); // thread 2 would default to CPU 0
    expect(two.k.preemptAll).toBe(true);
  });

  it('runs as a process named lab owned by uid 1000, or by the user given: its buffers are charged to that user', () => {
    const dflt = lab();
    expect([dflt.process.name, dflt.process.uid]).toEqual(['lab', 1000]);
    const other = lab(createStrategy('ctx-cache'), { uid: 2000 });
    const t = other.thread('A');
    const ctx = other.openContext(t);
    expect(ctx.uid).toBe(2000);
    const u = other.process.mm.mmap(4 * 176);
    expect(other.k.runSync(t, other.call(t, ctx, 'pmd', 4, u))).toBe(0);
    expect([other.pinnedBytes(), other.pinnedBytes(2000), other.pinnedBytes(1000)]).toEqual([1024, 1024, 0]);
  });
});

describe('the lab contexts', () => {
  it('each context is a 256-B kernel object charged to ctx:N, numbered from 1, with its own ctx->lock', () => {
    const l = lab();
    const t = l.thread('A');
    const slots = [l.openContext(t), l.openContext(t), l.openContext(t)];
    expect(slots.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(slots.map((s) => s.lock.name)).toEqual(['ctx1->lock', 'ctx2->lock', 'ctx3->lock']);
    expect(l.k.mem.ownerLiveBytes('ctx:2')).toBe(LAB_CONTEXT_BYTES);
    l.closeContext(t, slots[1]!);
    expect(l.k.mem.ownerLiveBytes('ctx:2')).toBe(0);
    expect(l.k.mem.ownerLiveBytes('ctx:3')).toBe(LAB_CONTEXT_BYTES);
  });

  it('every context lock is of one lockdep class, ctx->lock: one taken with irqs on, another in an interrupt, is reported', () => {
    const l = lab(createStrategy('kmalloc'));
    const t = l.thread('A');
    const [one, two] = [l.openContext(t), l.openContext(t)];
    l.k.sync.spinLock(t, one.lock); // irqs on
    l.k.sync.spinUnlock(t, one.lock);
    l.k.irq.raise(t.cpu, (it) => {
      l.k.sync.spinLock(it, two.lock);
      l.k.sync.spinUnlock(it, two.lock);
    });
    l.k.irq.poll(t);
    expect(l.k.bugs.map((b) => [b.kind, b.detail.class])).toEqual([['irq-unsafe-lock', 'ctx->lock']]);
  });

  it('a context allocated where a closed one was starts with empty slot words, not the freed poison', () => {
    const l = lab();
    const t = l.thread('A');
    const u = l.process.mm.mmap(4 * 176);
    const old = l.openContext(t);
    expect(l.k.runSync(t, l.call(t, old, 'pmd', 4, u))).toBe(0); // caches a buffer in slot word 0
    l.closeContext(t, old);
    const ctx = l.openContext(t);
    expect(ctx.addr).toBe(old.addr); // the same size-256 object, back from the per-CPU array
    const words = Array.from({ length: SLOT_WORDS }, (_, i) => l.k.mem.readWord(ctx.addr + i * 4));
    expect(words).toEqual([0, 0, 0, 0]);
    expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 4, u))).toBe(0);
    expect(l.pinnedBytes()).toBe(1024);
    expect(l.k.bugs).toEqual([]);
  });

  it('pfm_create_context fails when the context kmalloc does (failslab on pfm_context_alloc)', () => {
    const l = lab(createStrategy('kmalloc'), {
      faults: { failslab: { nth: 2, filter: 'pfm_context_alloc' } },
    });
    const t = l.thread('A');
    expect(l.openContext(t).id).toBe(1);
    expect(() => l.openContext(t)).toThrow('lab: out of kernel memory for a context');
  });
});

describe('the lab vector call', () => {
  it("a kernel bug found during a call names the call's syscall", () => {
    const l = lab(createStrategy('ctx-cache-spinsplit'));
    const t = l.thread('A');
    const ctx = l.openContext(t);
    const u = l.process.mm.mmap(4096);
    expect(l.k.runSync(t, l.call(t, ctx, 'setinfo', 2, u))).toBe(0);
    expect(l.k.bugs.map((b) => [b.kind, b.syscall])).toContainEqual(['sleep-in-atomic', 'lab_setinfo_call']);
  });

  it('an empty vector runs only the syscall skeleton: no buffer, no lock, no copy', () => {
    for (const name of ['kmalloc', 'stack', 'ctx-cache'] as const) {
      const l = lab(createStrategy(name));
      const t = l.thread('A');
      const ctx = l.openContext(t);
      const u = l.process.mm.mmap(176);
      const kmallocs = kmallocCalls(l);
      const before = t.clock.total;
      expect(l.k.runSync(t, l.call(t, ctx, 'pmd', 0, u))).toBe(0);
      expect(t.clock.total - before, name).toBe(l.k.costs.syscallEntryExit + l.k.costs.fdLookup);
      expect(kmallocCalls(l)).toBe(kmallocs);
      expect(l.k.mem.ownerHighWater('args:uid:1000')).toBe(0);
    }
  });

  it('each thread has one ArgCall, refilled by each of its calls (nothing allocated per call)', () => {
    const l = lab();
    const a = l.thread('A');
    const b = l.thread('B');
    const ctx = l.openContext(a);
    const u = l.process.mm.mmap(4096);
    const mine = l.callFor(a);
    expect(l.callFor(a)).toBe(mine);
    expect(l.callFor(b)).not.toBe(mine);
    expect(l.k.runSync(a, l.call(a, ctx, 'setinfo', 3, u))).toBe(0);
    expect(l.callFor(a)).toBe(mine);
    expect([mine.t, mine.kind, mine.count, mine.bytes, mine.elemSize]).toEqual([a, 'setinfo', 3, 576, 192]);
  });

  it("the back-end reads each element's reg_num and writes its value 8 bytes on: a use after free shows both", () => {
    // ctx-cache-naive frees a buffer another caller is still using: the back-end's accesses are reported
    const sc = sharedContextScenario({ strategy: 'ctx-cache-naive' });
    const result = explore({ build: sc.build, mode: 'exhaustive', maxPreemptions: 2 });
    const backend = result.findings
      .flatMap((f) => f.bugs)
      .filter((b) => b.kind === 'use-after-free' && b.detail.site === 'back-end element access');
    const reads = backend
      .filter((b) => b.message.startsWith('read of 8 B'))
      .map((b) => b.detail.addr as number);
    const writes = backend
      .filter((b) => b.message.startsWith('write of 8 B'))
      .map((b) => b.detail.addr as number);
    expect(reads.length).toBeGreaterThan(0);
    expect(writes.sort()).toEqual(reads.map((a) => a + 8).sort());
  });
});
