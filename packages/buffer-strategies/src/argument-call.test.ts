import { Y_BLOCK } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { StrategyLab } from './lab.js';
import { createStrategy, type StrategyName } from './registry.js';
import {
  ARG_BLOCKED,
  type ArgBufferStrategy,
  type ArgCall,
  type ContextSlot,
  E2BIG,
  EFAULT,
  ENOMEM,
  SLOT_WORDS,
  SMPL_ARG_KIND,
} from './spec.js';
import { argumentCall } from './vector-call.js';

const ARG_BYTES = 64; // pfm_dfl_smpl_arg

/**
 * A world for one format argument: a lab on i386, thread A, the 64-byte argument in user
 * memory (bytes 1, 2, 3 ...), and a slot in kernel memory for the call, as pfm_create_context
 * gives one (zeroed words, the caller's uid).
 */
function world(strategy: ArgBufferStrategy) {
  const lab = new StrategyLab({ arch: 'i386', cost: 'p4-2006', seed: 1, strategy });
  const t = lab.thread('A');
  const u = lab.process.mm.mmap(ARG_BYTES);
  const bytes = lab.process.mm.dataView(u, ARG_BYTES, true);
  for (let i = 0; i < ARG_BYTES; i++) bytes.setUint8(i, i + 1);
  const k = lab.k;
  const addr = k.mem.kmalloc(t, SLOT_WORDS * k.arch.wordSize, 0xd0, k.mem.tag('slot'), 0);
  k.mem.u8.fill(0, addr, addr + SLOT_WORDS * k.arch.wordSize);
  const slot: ContextSlot = {
    id: 0,
    addr,
    lock: k.sync.createSpinlock('arg slot lock'),
    uid: lab.process.uid,
    owner: k.mem.tag(`args:uid:${lab.process.uid}`),
    data: null,
  };
  const call = lab.callFor(t);
  call.slot = slot;
  call.kind = SMPL_ARG_KIND;
  call.elemSize = ARG_BYTES;
  call.count = 1;
  call.bytes = ARG_BYTES;
  call.limit = k.arch.pageSize;
  const run = (uaddr: number, use: (c: ArgCall) => number, s = strategy): number =>
    k.runSync(t, argumentCall(s, call, uaddr, 'arg frame', use));
  return { lab, k, t, u, slot, call, run };
}

/** The strategy with every hook logged. */
function logged(base: ArgBufferStrategy, log: string[]): ArgBufferStrategy {
  return {
    ...base,
    contextCreated(k, t, slot) {
      log.push(`created slot ${slot.id}`);
      base.contextCreated?.(k, t, slot);
    },
    acquire(call) {
      const r = base.acquire(call);
      log.push(r > 0 ? 'acquire' : `acquire ${r}`);
      return r;
    },
    release(call) {
      log.push('release');
      base.release(call);
    },
    contextClosed(k, t, slot) {
      log.push('closed');
      base.contextClosed?.(k, t, slot);
    },
  };
}

describe('argumentCall: the format argument through the strategy', () => {
  it('runs contextCreated, acquire, the copy in, use, release, contextClosed in that order, and returns what use returns', () => {
    const log: string[] = [];
    const w = world(logged(createStrategy('kmalloc'), log));
    let seen: number[] = [];
    const ret = w.run(w.u, (c) => {
      log.push('use');
      seen = [...w.k.mem.u8.subarray(c.buf, c.buf + ARG_BYTES)];
      return 42;
    });
    expect(ret).toBe(42);
    expect(log).toEqual(['created slot 0', 'acquire', 'use', 'release', 'closed']);
    expect(seen).toEqual(Array.from({ length: ARG_BYTES }, (_, i) => i + 1));
  });

  it('use runs with no lock held and irqs on: it allocates and may sleep (a vector body runs under ctx->lock)', () => {
    const states: string[] = [];
    for (const name of ['kmalloc', 'ctx-cache'] as const) {
      const w = world(createStrategy(name));
      w.run(w.u, () => {
        states.push(`${name}: ${w.t.heldLocks.length} locks, irqs ${w.t.irqsOff ? 'off' : 'on'}`);
        return 0;
      });
    }
    expect(states).toEqual(['kmalloc: 0 locks, irqs on', 'ctx-cache: 0 locks, irqs on']);
  });

  it('copies nothing back: what use writes into the kernel copy never reaches the user', () => {
    const w = world(createStrategy('kmalloc'));
    w.run(w.u, (c) => {
      w.k.mem.u8.fill(0xee, c.buf, c.buf + ARG_BYTES);
      return 0;
    });
    expect(w.lab.process.mm.dataView(w.u, ARG_BYTES, false).getUint8(0)).toBe(1);
    expect(w.lab.process.mm.dataView(w.u, ARG_BYTES, false).getUint8(ARG_BYTES - 1)).toBe(ARG_BYTES);
  });

  it('a fault in the copy is EFAULT: use never runs, the buffer is released and the slot closed, nothing leaks', () => {
    const log: string[] = [];
    const w = world(logged(createStrategy('kmalloc'), log));
    const ret = w.run(0x10, () => {
      log.push('use');
      return 0;
    });
    expect(ret).toBe(-EFAULT);
    expect(log).toEqual(['created slot 0', 'acquire', 'release', 'closed']);
    expect(w.lab.pinnedBytes()).toBe(0);
  });

  it('an acquire that fails returns its errno: no copy, no release, the slot still closed', () => {
    const log: string[] = [];
    const base = createStrategy('kmalloc');
    const w = world(logged({ ...base, acquire: () => -ENOMEM }, log));
    let used = false;
    expect(
      w.run(w.u, () => {
        used = true;
        return 0;
      }),
    ).toBe(-ENOMEM);
    expect(used).toBe(false);
    expect(log).toEqual(['created slot 0', 'acquire -12', 'closed']);
  });

  it('a blocked acquire yields Y_BLOCK and resumes: the call goes on with the buffer resume gave', () => {
    const base = createStrategy('kmalloc');
    let resumed = 0;
    const blocking: ArgBufferStrategy = {
      ...base,
      acquire: () => ARG_BLOCKED,
      resume: (call) => {
        resumed++;
        return base.acquire(call);
      },
    };
    const w = world(blocking);
    const gen = argumentCall(blocking, w.call, w.u, 'arg frame', (c) => w.k.mem.u8[c.buf]!);
    const yields: unknown[] = [];
    let r = gen.next();
    while (!r.done) {
      yields.push(r.value);
      r = gen.next();
    }
    expect(yields[0]).toBe(Y_BLOCK);
    expect(resumed).toBe(1);
    expect(r.value).toBe(1);
  });

  it("pushes the strategy's frame for the argument while use runs, and pops it after", () => {
    const base = createStrategy('kmalloc');
    const framed: ArgBufferStrategy = { ...base, frameBytes: () => 200 };
    const w = world(framed);
    const before = w.t.stackDepth;
    let during = 0;
    w.run(w.u, () => {
      during = w.t.stackDepth;
      return 0;
    });
    expect(during).toBe(before + 200);
    expect(w.t.stackDepth).toBe(before);
  });

  it('the argument over call.limit is E2BIG under a limit-checking strategy', () => {
    const w = world(createStrategy('kmalloc'));
    w.call.limit = ARG_BYTES - 1;
    expect(w.run(w.u, () => 0)).toBe(-E2BIG);
  });

  it.each<StrategyName>([
    'kmalloc',
    'stack',
    'ctx-cache',
    'ctx-cache-mutex',
    'ctx-cache-bounded',
    'task-cache',
    'slab-cache',
    'hybrid',
  ])(
    '%s: the argument arrives, and a strategy that caches per context keeps nothing after the call',
    (name) => {
      const w = world(createStrategy(name));
      let first = 0;
      expect(
        w.run(w.u, (c) => {
          first = w.k.mem.u8[c.buf]!;
          return 0;
        }),
      ).toBe(0);
      expect(first).toBe(1);
      // task-cache keeps its buffer with the thread (until it exits), slab-cache in its own cache
      const kept = name === 'task-cache' ? 64 : 0;
      expect(w.lab.pinnedBytes()).toBe(kept);
      expect(w.k.mem.readWord(w.slot.addr)).toBe(0);
    },
  );

  it("the format argument's kind is named as perfmon-core and plugins see it: 'smpl_arg'", () => {
    expect(SMPL_ARG_KIND).toBe('smpl_arg');
  });

  it('the per-element-kind stack strategies keep no stack array for the format argument', () => {
    const arch = new StrategyLab({
      arch: 'i386',
      cost: 'p4-2006',
      seed: 1,
      strategy: createStrategy('kmalloc'),
    }).k.arch;
    for (const name of ['stack', 'hybrid'] as const) {
      expect(createStrategy(name).frameBytes(SMPL_ARG_KIND, ARG_BYTES, arch)).toBe(0);
      expect(createStrategy(name).frameBytes('pmd', 176, arch)).toBeGreaterThan(0);
    }
  });
});
