import type { FaultConfig } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { E2BIG, ENOMEM } from '../spec.js';
import { createTaskCacheStrategy } from './task-cache.js';
import { expectExactFitsServed, strategyWorld } from './test-util.js';

function world(faults?: FaultConfig, limit?: number) {
  return strategyWorld(createTaskCacheStrategy(), { faults, limit });
}

describe('task-cache', () => {
  it('keeps the first buffer for the thread and reuses it for any vector that fits its class', () => {
    const w = world();
    expect(w.call(4)).toBe(0); // 704 B: size-1024
    expect(w.lab.pinnedBytes()).toBe(1024);
    const before = w.kmallocs();
    expect(w.call(5)).toBe(0); // 880 B: fits the 1024-B object
    expect(w.call(1)).toBe(0);
    expect(w.kmallocs()).toBe(before);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('a longer vector replaces the buffer: the old one is kfreed, the thread keeps only the new one', () => {
    const w = world();
    expect(w.call(4)).toBe(0);
    expect(w.call(8)).toBe(0); // 1408 B: size-2048
    expect([w.live('size-1024'), w.live('size-2048')]).toEqual([0, 1]);
    expect(w.lab.pinnedBytes()).toBe(2048);
    const before = w.kmallocs();
    expect(w.call(4)).toBe(0); // the bigger buffer serves the smaller vector
    expect(w.kmallocs()).toBe(before);
    w.lab.k.exitThread(w.t);
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('each thread has its own buffer, even on one fd; an exiting thread frees only its own', () => {
    const w = world();
    const b = w.lab.thread('B');
    expect(w.call(4)).toBe(0);
    expect(w.call(8, { thread: b })).toBe(0);
    expect(w.lab.pinnedBytes()).toBe(1024 + 2048);
    w.lab.k.exitThread(b);
    expect(w.lab.pinnedBytes()).toBe(1024);
    const idle = w.lab.thread('idle');
    w.lab.k.exitThread(idle); // never called perfmon: nothing to free
    expect(w.lab.pinnedBytes()).toBe(1024);
    w.lab.k.exitThread(w.t);
    expect(w.lab.pinnedBytes()).toBe(0);
    expect(w.lab.k.bugs).toEqual([]);
  });

  it('a vector of exactly the cached class (16 pfarg_setdesc = 1024 B) is a hit; exactly arg_size_max is served', () => {
    expectExactFitsServed((limit) => world(undefined, limit));
  });

  it('E2BIG above arg_size_max leaves the cached buffer alone', () => {
    const w = world();
    expect(w.call(4)).toBe(0);
    expect(w.call(24)).toBe(-E2BIG);
    expect(w.lab.pinnedBytes()).toBe(1024);
    expect(w.call(23)).toBe(0); // exactly within arg_size_max
    expect(w.lab.pinnedBytes()).toBe(4096);
  });

  it('ENOMEM while replacing: the old buffer is gone, nothing is kept, the next call allocates again', () => {
    const w = world({ failslab: { nth: 2, filter: 'pfm_get_args' } });
    expect(w.call(4)).toBe(0);
    expect(w.call(8)).toBe(-ENOMEM);
    expect(w.lab.pinnedBytes()).toBe(0);
    w.lab.k.exitThread(w.t); // nothing left to free: no double free
    expect(w.lab.k.bugs).toEqual([]);
    const again = world({ failslab: { nth: 1, filter: 'pfm_get_args' } });
    expect(again.call(4)).toBe(-ENOMEM);
    expect(again.call(4)).toBe(0);
    expect(again.lab.pinnedBytes()).toBe(1024);
  });

  it('is charged to the owner of the context that made it allocate, and kept across contexts of other users', () => {
    const w = world();
    const other = w.lab.openContext(w.t, 2000);
    expect(w.call(4, { slot: other })).toBe(0);
    expect(w.call(4)).toBe(0);
    expect([w.lab.pinnedBytes(2000), w.lab.pinnedBytes(1000)]).toEqual([1024, 0]);
  });
});
