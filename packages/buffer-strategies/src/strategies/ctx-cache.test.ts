import type { FaultConfig } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { E2BIG, ENOMEM } from '../spec.js';
import { createCtxCacheStrategy } from './ctx-cache.js';
import { expectExactFitsServed, strategyWorld } from './test-util.js';

function world(faults?: FaultConfig, limit?: number) {
  return strategyWorld(createCtxCacheStrategy(), { faults, limit });
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
    expectExactFitsServed((limit) => world(undefined, limit));
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
