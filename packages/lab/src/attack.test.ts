/**
 * The memory-pinning attack of the 2006 post, on small numbers: one user, N contexts, one
 * full-size pfm_write_pmds each (arg_size_max = PAGE_SIZE: 23 PMDs of 176 bytes).
 */
import { type ArgBufferStrategy, createStrategy, E2BIG, kmallocBuffer } from '@pfmsim/buffer-strategies';
import { GFP_KERNEL } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { NR_OPEN, runAttack, runThreadAttack } from './attack.js';
import { getMachine, MACHINES } from './machines.js';

const p4 = getMachine('p4-2006');

/** A strategy with no fallback: it refuses any vector over 1 KiB (a full-size one is 4 KiB). */
const smallOnly: ArgBufferStrategy = {
  ...createStrategy('kmalloc'),
  name: 'small-only',
  acquire: (call) => (call.bytes > 1024 ? -E2BIG : kmallocBuffer(call)),
};

/** A strategy that takes every free page of kernel memory when a context is created. */
const hoarder: ArgBufferStrategy = {
  ...createStrategy('kmalloc'),
  name: 'hoarder',
  contextCreated(k, t, slot) {
    while (k.mem.kmalloc(t, 4096, GFP_KERNEL, slot.owner, 0) !== 0);
  },
};

describe('runAttack', () => {
  it('pins a page per open context under ctx-cache, sampled along the way, and frees them on close', () => {
    const a = runAttack({ machine: p4, strategy: 'ctx-cache', contexts: 7, samples: 3 });
    expect(a).toMatchObject({
      strategy: 'ctx-cache',
      contexts: 7,
      vectorBytes: 23 * 176,
      pinnedBytesAfter: 7 * 4096,
      pinnedPagesAfter: 7,
      pinnedBytesAfterClose: 0,
      errors: [],
      kernelBugs: 0,
    });
    // Every floor(7 / 3) = 2 contexts, and after the last.
    expect(a.samples.map((s) => [s.contexts, s.pinnedBytes])).toEqual([
      [0, 0],
      [2, 2 * 4096],
      [4, 4 * 4096],
      [6, 6 * 4096],
      [7, 7 * 4096],
    ]);
    const kernel = a.samples.map((s) => s.kernelBytes);
    expect(kernel).toEqual([...kernel].sort((x, y) => x - y));
    expect(kernel[4]! - kernel[0]!).toBeGreaterThanOrEqual(7 * 4096);
  });

  it('a per-thread cache keeps its buffer after the contexts close, until the thread exits', () => {
    const a = runAttack({ machine: p4, strategy: 'task-cache', contexts: 3 });
    expect(a).toMatchObject({ pinnedBytesAfter: 4096, pinnedBytesAfterClose: 4096, pinnedBytesAfterExit: 0 });
    expect(runAttack({ machine: p4, strategy: 'ctx-cache', contexts: 3 }).pinnedBytesAfterExit).toBe(0);
  });

  it('takes 32 samples by default and at least one per context', () => {
    expect(runAttack({ machine: p4, strategy: 'kmalloc', contexts: 64 }).samples).toHaveLength(33);
    const few = runAttack({ machine: p4, strategy: 'kmalloc', contexts: 3, samples: 10 });
    expect(few.samples.map((s) => s.contexts)).toEqual([0, 1, 2, 3]);
    expect(few.pinnedBytesAfter).toBe(0);
    expect(few.pinnedPagesAfter).toBe(0);
  });

  it('fills the per-call limit of the ABI: 16-byte perfmon3 registers, a 16 KiB ia64 page', () => {
    expect(runAttack({ machine: p4, strategy: 'kmalloc', contexts: 1, abi: 'v3' }).vectorBytes).toBe(4096);
    const ia64 = runAttack({ machine: getMachine('itanium2-2006'), strategy: 'ctx-cache', contexts: 2 });
    expect(ia64.vectorBytes).toBe(Math.floor(16384 / 176) * 176);
    expect(ia64).toMatchObject({ pinnedBytesAfter: 2 * 16384, pinnedPagesAfter: 2 });
  });

  it('samples every floor(contexts / samples) contexts, counted from the first', () => {
    const a = runAttack({ machine: p4, strategy: 'ctx-cache', contexts: 10, samples: 3 });
    expect(a.samples.map((s) => [s.contexts, s.pinnedBytes / 4096])).toEqual([
      [0, 0],
      [3, 3],
      [6, 6],
      [9, 9],
      [10, 10],
    ]);
  });

  it("makes its first call on the world's own context: kmalloc adds one context's memory per further one", () => {
    const kernel = runAttack({ machine: p4, strategy: 'kmalloc', contexts: 4 }).samples.map(
      (s) => s.kernelBytes,
    );
    const [k0, k1, k2, k3, k4] = kernel as [number, number, number, number, number];
    expect(k1).toBe(k0);
    expect(k2).toBeGreaterThan(k1);
    expect([k3 - k2, k4 - k3]).toEqual([k2 - k1, k2 - k1]);
  });

  it('reports each failing call once, by errno, and keeps going', () => {
    const a = runAttack({ machine: p4, strategy: smallOnly, contexts: 3 });
    expect(a.errors).toEqual(['pfm_write_pmds: E2BIG']);
    expect(a.samples.map((s) => s.contexts)).toEqual([0, 1, 2, 3]);
    expect(a.pinnedBytesAfter).toBe(0);
  });

  it('stops at the first context the kernel cannot create, and says why', () => {
    const a = runAttack({ machine: p4, strategy: hoarder, contexts: 20, samples: 20 });
    // The world's context took every free page: each call's buffer fails, and the contexts
    // fill what is left of their slab page (8 of 512 bytes) before creation fails too.
    expect(a.errors).toEqual(['pfm_write_pmds: ENOMEM', 'create context: ENOMEM']);
    expect(a.samples.map((s) => s.contexts)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(a.kernelBugs).toBe(0);
  });
});

describe('runAttack with several users', () => {
  it('shares the contexts among the users, who take turns, and pins per uid under ctx-cache', () => {
    const a = runAttack({ machine: p4, strategy: 'ctx-cache', contexts: 10, users: 3, samples: 5 });
    expect(a.users.map((u) => [u.uid, u.contexts, u.opened, u.fdLimit, u.pinnedBytesAfter / 4096])).toEqual([
      [1000, 4, 4, 20, 4],
      [1001, 3, 3, 19, 3],
      [1002, 3, 3, 19, 3],
    ]);
    expect(a.pinnedBytesAfter).toBe(10 * 4096);
    expect(a.pinnedPagesAfter).toBe(10);
    // every 2 contexts, in turns: 1000, 1001, 1002, 1000, ...
    expect(a.samples.map((x) => [x.contexts, ...x.pinnedByUser!.map((b) => b / 4096)])).toEqual([
      [0, 0, 0, 0],
      [2, 1, 1, 0],
      [4, 2, 1, 1],
      [6, 2, 2, 2],
      [8, 3, 3, 2],
      [10, 4, 3, 3],
    ]);
    expect(a.samples.every((x) => x.pinnedBytes === x.pinnedByUser!.reduce((p, b) => p + b, 0))).toBe(true);
    expect(a).toMatchObject({ pinnedBytesAfterClose: 0, pinnedBytesAfterExit: 0, errors: [], notes: [] });
    expect(a.budget).toBe(null);
    expect(a.nrOpen).toBe(NR_OPEN);
  });

  it('holds each user to its budget and all of them to the global one (ctx-cache-bounded)', () => {
    const a = runAttack({
      machine: p4,
      strategy: 'ctx-cache-bounded',
      strategyOptions: { userBudget: 8 << 10, globalBudget: 20 << 10 },
      contexts: 40,
      users: 4,
    });
    expect(a.budget).toEqual({ userBytes: 8 << 10, globalBytes: 20 << 10 });
    // 8 KiB each would be 32 KiB: the global 20 KiB runs out first. In turns, each user caches
    // a page in the first round; in the second the first user's page fills the global budget.
    expect(a.users.map((u) => u.pinnedBytesAfter / 4096)).toEqual([2, 1, 1, 1]);
    expect(a.pinnedBytesAfter).toBeLessThanOrEqual(20 << 10);
    for (const u of a.users) {
      expect(u.pinnedBytesAfter).toBeLessThanOrEqual(8 << 10);
      expect(u.opened).toBe(10);
      // a call over budget still had its buffer while it ran: the peak is one page more
      expect(u.peakBytes).toBe(u.pinnedBytesAfter + 4096);
    }
    expect(a.errors).toEqual([]);
  });

  it("one user alone cannot take another user's budget", () => {
    const alone = runAttack({ machine: p4, strategy: 'ctx-cache-bounded', contexts: 64, users: 1 });
    const two = runAttack({ machine: p4, strategy: 'ctx-cache-bounded', contexts: 128, users: 2 });
    expect(alone.users[0]!.pinnedBytesAfter).toBe(64 << 10);
    expect(two.users.map((u) => u.pinnedBytesAfter)).toEqual([64 << 10, 64 << 10]);
  });

  it('lists what the attack left in the slab caches, largest first', () => {
    const a = runAttack({ machine: p4, strategy: 'ctx-cache', contexts: 6, users: 2 });
    // 5 new contexts (the world's own was there before), 6 cached pages
    expect(a.slabinfo).toEqual([
      { cache: 'size-4096', objSize: 4096, activeObjs: 6, addedObjs: 6, addedBytes: 6 * 4096 },
      { cache: 'size-512', objSize: 512, activeObjs: 6, addedObjs: 5, addedBytes: 5 * 512 },
    ]);
  });

  it("stops a user at its RLIMIT_NOFILE with perfmon2's ENFILE, and says so", () => {
    const a = runAttack({ machine: p4, strategy: 'ctx-cache', contexts: 10, users: 2, fdLimit: 3 });
    expect(a.users.map((u) => [u.opened, u.fdLimit, u.errors])).toEqual([
      [3, 3, ['create context: ENFILE']],
      [3, 3, ['create context: ENFILE']],
    ]);
    expect(a.errors).toEqual(['create context: ENFILE']);
    expect(a.notes).toEqual([
      "uid 1000 stopped at 3 contexts: its RLIMIT_NOFILE (3); perfmon2's pfm_create_context reports any descriptor failure as ENFILE (open(2) would say EMFILE)",
      "uid 1001 stopped at 3 contexts: its RLIMIT_NOFILE (3); perfmon2's pfm_create_context reports any descriptor failure as ENFILE (open(2) would say EMFILE)",
    ]);
    expect(a.samples.at(-1)!.contexts).toBe(6);
    expect(a.pinnedBytesAfter).toBe(6 * 4096);
  });

  it('caps RLIMIT_NOFILE at fs.nr_open, and says so', () => {
    const a = runAttack({ machine: p4, strategy: 'kmalloc', contexts: 12, nrOpen: 8 });
    expect(a.users[0]).toMatchObject({ opened: 8, fdLimit: 8 });
    expect(a.nrOpen).toBe(8);
    expect(a.notes[0]).toBe(
      'RLIMIT_NOFILE 28 is above fs.nr_open (8): setrlimit fails (EPERM), so the limit is 8',
    );
    expect(a.notes[1]).toMatch(/^uid 1000 stopped at 8 contexts: its RLIMIT_NOFILE \(8\)/);
    // four users over the same cap: the note is said once, each user's stop once
    const four = runAttack({ machine: p4, strategy: 'kmalloc', contexts: 48, users: 4, nrOpen: 8 });
    expect(four.notes).toEqual([
      'RLIMIT_NOFILE 28 is above fs.nr_open (8): setrlimit fails (EPERM), so the limit is 8',
      ...[1000, 1001, 1002, 1003].map(
        (uid) =>
          `uid ${uid} stopped at 8 contexts: its RLIMIT_NOFILE (8); perfmon2's pfm_create_context reports any descriptor failure as ENFILE (open(2) would say EMFILE)`,
      ),
    ]);
    expect(four.users.map((u) => [u.opened, u.errors])).toEqual(
      [0, 1, 2, 3].map(() => [8, ['create context: ENFILE']]),
    );
    expect(() => runAttack({ machine: p4, strategy: 'kmalloc', contexts: 1, users: 0 })).toThrow(
      'invalid users: 0 (accepted: an integer from 1 to 4096)',
    );
    expect(() => runAttack({ machine: p4, strategy: 'kmalloc', contexts: 1, nrOpen: NR_OPEN + 1 })).toThrow(
      'invalid nrOpen: 1048577 (accepted: an integer from 1 to 1048576)',
    );
  });
});

describe('runThreadAttack', () => {
  // compare's default: 256 threads, each with its own kernel stack (IA-64's THREAD_SIZE is 32 KiB,
  // four times i386's), which the attack's memory must hold on every machine.
  it.each(MACHINES.map((m) => [m.id, m] as const))('256 threads on %s each make their call', (_, machine) => {
    const r = runThreadAttack({ machine, strategy: 'stack', threads: 256 });
    expect(r).toMatchObject({ threads: 256, errors: [], kernelBugs: 0 });
  });

  it('pins a buffer per thread under a per-task cache, one under a per-context cache', () => {
    expect(runThreadAttack({ machine: p4, strategy: 'task-cache', threads: 5 })).toEqual({
      strategy: 'task-cache',
      threads: 5,
      pinnedBytesAfter: 5 * 4096,
      pinnedBytesAfterExit: 0, // each thread's buffer goes with the thread
      errors: [],
      kernelBugs: 0,
    });
    expect(runThreadAttack({ machine: p4, strategy: 'ctx-cache', threads: 5 }).pinnedBytesAfter).toBe(4096);
    expect(runThreadAttack({ machine: p4, strategy: 'kmalloc', threads: 5 }).pinnedBytesAfter).toBe(0);
  });

  it('reports each failing call once, by errno', () => {
    expect(runThreadAttack({ machine: p4, strategy: smallOnly, threads: 3 })).toEqual({
      strategy: 'small-only',
      threads: 3,
      pinnedBytesAfter: 0,
      pinnedBytesAfterExit: 0,
      errors: ['pfm_write_pmds: E2BIG'],
      kernelBugs: 0,
    });
  });
});
