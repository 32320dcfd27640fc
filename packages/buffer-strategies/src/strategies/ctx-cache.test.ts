import type { FaultConfig, Thread } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { StrategyLab } from '../lab.js';
import { type ContextSlot, E2BIG, ENOMEM } from '../spec.js';
import { createCtxCacheStrategy } from './ctx-cache.js';

function world(faults?: FaultConfig, limit?: number) {
  const s = createCtxCacheStrategy();
  const lab = new StrategyLab({
    arch: 'i386',
    cost: 'p4-2006',
    seed: 1,
    strategy: s,
    arenaBytes: 2 << 20,
    ...(faults ? { faults } : {}),
    ...(limit === undefined ? {} : { limit }),
  });
  const t = lab.thread('A');
  const ctx = lab.openContext(t);
  const u = lab.process.mm.mmap(23 * 176);
  const call = (n: number, slot = ctx) => lab.k.runSync(t, lab.call(t, slot, 'pmd', n, u));
  /** acquire() of a call stopped while it holds its buffer; end() releases it. */
  const begin = (th: Thread, slot: ContextSlot, n: number) => {
    const c = lab.callFor(th);
    c.slot = slot;
    c.kind = 'pmd';
    c.elemSize = 176;
    c.count = n;
    c.bytes = n * 176;
    c.limit = lab.limit;
    c.buf = 0;
    c.how = 0;
    const buf = s.acquire(c);
    return { buf, end: () => s.release(c) };
  };
  const kmallocs = () =>
    lab.k.mem
      .cacheStats()
      .filter((c) => c.name.startsWith('size-'))
      .reduce((n, c) => n + c.fast + c.slow, 0);
  return { s, lab, t, ctx, u, call, begin, kmallocs };
}

describe('ctx-cache', () => {
  it('two callers on one fd: the second kmallocs its own; the first back keeps its buffer in the slot, the other is kfreed', () => {
    const w = world();
    const b = w.lab.thread('B');
    const first = w.begin(w.t, w.ctx, 4);
    const second = w.begin(b, w.ctx, 8);
    expect(second.buf).not.toBe(first.buf);
    expect(w.lab.pinnedBytes()).toBe(1024 + 2048);
    second.end(); // back first: its 2048-B buffer is kept
    first.end(); // the slot is taken: kfreed
    expect(w.lab.pinnedBytes()).toBe(2048);
    const before = w.kmallocs();
    expect(w.call(8)).toBe(0);
    expect(w.kmallocs()).toBe(before); // the kept buffer serves the next call
    w.lab.closeContext(w.t, w.ctx);
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('E2BIG above arg_size_max without touching the slot; exactly arg_size_max is cached', () => {
    const w = world();
    expect(w.call(4)).toBe(0);
    const word = w.lab.k.mem.readWord(w.ctx.addr);
    expect(w.call(24)).toBe(-E2BIG);
    expect(w.lab.k.mem.readWord(w.ctx.addr)).toBe(word);
    expect(w.call(23)).toBe(0);
    expect(w.lab.pinnedBytes()).toBe(4096);
  });

  it('ENOMEM when the slot is empty or its buffer too small: the slot is left empty, the next call fills it', () => {
    const w = world({ failslab: { nth: 2, filter: 'pfm_get_args' } });
    expect(w.call(4)).toBe(0);
    expect(w.call(8)).toBe(-ENOMEM); // the small buffer was kfreed, the larger one failed
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.mem.readWord(w.ctx.addr)).toBe(0);
    expect(w.call(8)).toBe(0);
    expect(w.lab.pinnedBytes()).toBe(2048);
    w.lab.closeContext(w.t, w.ctx);
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('a vector of exactly the cached class (16 pfarg_setdesc = 1024 B) is a hit; exactly arg_size_max is served', () => {
    const w = world();
    expect(w.call(4)).toBe(0);
    const before = w.kmallocs();
    expect(w.lab.k.runSync(w.t, w.lab.call(w.t, w.ctx, 'setdesc', 16, w.u))).toBe(0);
    expect(w.kmallocs()).toBe(before);
    const exact = world(undefined, 704);
    expect(exact.call(4)).toBe(0);
    expect(exact.call(5)).toBe(-E2BIG);
  });

  it('closing a context that never cached anything frees nothing', () => {
    const w = world();
    const other = w.lab.openContext(w.t);
    expect(w.call(4)).toBe(0);
    w.lab.closeContext(null, other);
    expect(w.lab.pinnedBytes()).toBe(1024);
    expect(w.lab.k.bugs).toEqual([]);
  });
});
