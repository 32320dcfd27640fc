import { createKernel, explore, type Mutex } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { createStrategy } from './registry.js';
import { contextFloodAttack, sharedContextScenario } from './scenario.js';
import { ARG_BLOCKED, type ArgBufferStrategy, ENOMEM } from './spec.js';
import { kmallocBuffer } from './strategies/common.js';

/** Builds one schedule, runs it to completion, and returns the world and check's failures. */
function runOnce(sc: ReturnType<typeof sharedContextScenario>) {
  const k = sc.build(1);
  const run = k.run();
  return { k, run, world: sc.world(k), failures: sc.check(k, run) };
}

/** kmalloc with a bug in it: `acquire` and `release` changed as given. */
function brokenKmalloc(name: string, changes: Partial<ArgBufferStrategy>): () => ArgBufferStrategy {
  return () => ({ ...createStrategy('kmalloc'), name, ...changes });
}

describe('sharedContextScenario: the world', () => {
  it('one thread per list of calls, named A, B, C, spread over the CPUs; every call returns 0 on a correct strategy', () => {
    const sc = sharedContextScenario({ strategy: 'kmalloc', calls: [[1], [2, 3], [4]] });
    const { world, failures } = runOnce(sc);
    expect(world.threads.map((t) => [t.name, t.cpu])).toEqual([
      ['A', 0],
      ['B', 1],
      ['C', 0],
    ]);
    expect(world.results).toEqual([[0], [0, 0], [0]]);
    expect(failures).toEqual([]);
    const one = sharedContextScenario({ strategy: 'kmalloc', cpus: 1 });
    expect(runOnce(one).world.threads.map((t) => t.cpu)).toEqual([0, 0]);
  });

  it('knows only the kernels it built', () => {
    const sc = sharedContextScenario({ strategy: 'kmalloc' });
    const other = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 1, arenaBytes: 1 << 20 });
    expect(() => sc.world(other)).toThrow('sharedContextScenario: kernel not built by this scenario');
  });

  it('builds each schedule in the arena asked for (a kernel needs at least 16 pages)', () => {
    const sc = sharedContextScenario({ strategy: 'kmalloc', arenaBytes: 8 << 10 });
    expect(() => sc.build(1)).toThrow(/arenaBytes/);
    expect(runOnce(sharedContextScenario({ strategy: 'kmalloc', arenaBytes: 1 << 20 })).failures).toEqual([]);
  });

  it('vectors stay resident unless evicted: spinsplit copying under ctx->lock goes unnoticed without DEBUG_ATOMIC_SLEEP', () => {
    const quiet = sharedContextScenario({ strategy: 'ctx-cache-spinsplit', debugAtomicSleep: false });
    expect(explore({ build: quiet.build, mode: 'exhaustive', maxPreemptions: 1 }).findings).toEqual([]);
    const evicted = sharedContextScenario({
      strategy: 'ctx-cache-spinsplit',
      debugAtomicSleep: false,
      evictVectors: true,
    });
    const { k } = runOnce(evicted);
    expect(k.bugs.length).toBeGreaterThan(0);
    for (const bug of k.bugs)
      expect([bug.kind, bug.message]).toEqual(['sleep-in-atomic', expect.stringMatching(/page fault/)]);
  });
});

describe('sharedContextScenario: the check', () => {
  it('reports each call that failed, by thread and call number, and checks only the vectors that came back', () => {
    const sc = sharedContextScenario({ strategy: 'kmalloc', calls: [[24], [2, 24]] }); // 24 pfarg_pmd > arg_size_max
    const { world, failures } = runOnce(sc);
    expect(world.results).toEqual([[-7], [0, -7]]);
    expect(failures).toEqual(['A call 0 returned -7', 'B call 1 returned -7']);
  });

  it('names a vector that came back with the other thread’s registers: A’s call j sends registers 100 + 10j + i', () => {
    const sc = sharedContextScenario({ strategy: 'ctx-cache-naive' });
    const result = explore({ build: sc.build, check: sc.check, mode: 'exhaustive', maxPreemptions: 2 });
    const failures = new Set(result.findings.flatMap((f) => f.failures));
    // A's first call got B's second vector (registers 210...) back, with B's results
    expect(failures).toContain(
      'A call 0: element 0 came back as reg 210 value 210007, expected reg 100 value 100007',
    );
    expect(failures).toContain(
      'B call 1: element 0 came back as reg 110 value 110007, expected reg 210 value 210007',
    );
  });

  it('names results lost by a copy back one element short, with the register that was right', () => {
    // An off-by-one in the strategy: the copies cover one element less than the vector.
    const short = brokenKmalloc('short-copy', {
      acquire(call) {
        const buf = kmallocBuffer(call);
        call.bytes -= call.elemSize;
        return buf;
      },
    });
    const sc = sharedContextScenario({ strategy: short, calls: [[3, 2]] });
    expect(runOnce(sc).failures).toEqual([
      'A call 0: element 2 came back as reg 102 value 0, expected reg 102 value 102007',
      'A call 1: element 1 came back as reg 111 value 0, expected reg 111 value 111007',
    ]);
  });

  it('reports buffers never freed, by the size asked for and allocation site, and the bytes still charged to the user', () => {
    const leaky = brokenKmalloc('leaky', { release() {} });
    const sc = sharedContextScenario({ strategy: leaky, calls: [[4], [8]] });
    expect(runOnce(sc).failures).toEqual([
      'leak: 704 B at pfm_get_args, 1408 B at pfm_get_args',
      '3072 B still charged to the user after close and exit',
    ]);
  });

  it('an oops with the context mutex held: the other caller waits for ever (deadlock), the dead thread still holds its locks', () => {
    let setup: Mutex | null = null;
    const oops = brokenKmalloc('oops', {
      init(k) {
        setup = k.sync.createMutex('pfm_setup_mutex');
      },
      contextCreated(k, _t, slot) {
        slot.data = k.sync.createMutex(`ctx${slot.id}->arg_mutex`);
      },
      acquire(call) {
        const { k, t } = call;
        if (k.sync.mutexLock(t, call.slot.data as Mutex)) return ARG_BLOCKED;
        k.sync.mutexLock(t, setup!);
        k.stacks.push(t, k.stacks.usable, 'runaway recursion'); // killed here, both mutexes held
        return -ENOMEM;
      },
    });
    const sc = sharedContextScenario({ strategy: oops, calls: [[4], [4]] });
    const { run, failures } = runOnce(sc);
    expect(run.deadlock).toBe(true);
    expect(failures).toEqual(['deadlock', 'T0 A still holds ctx1->arg_mutex, pfm_setup_mutex']);
  });
});

describe('contextFloodAttack', () => {
  it('is one attacker thread opening the contexts, and stops at the first call that fails', () => {
    const r = contextFloodAttack(createStrategy('kmalloc'), 3);
    expect(r.lab.k.threads.map((t) => t.label)).toEqual(['T0 attacker']);
    expect(r.lab.k.mem.ownerHighWater('args:uid:1000')).toBe(4096);
    const failing = brokenKmalloc('no-memory', { acquire: () => -ENOMEM })();
    expect(() => contextFloodAttack(failing, 3)).toThrow('no-memory: flood call failed with -12');
  });
});
