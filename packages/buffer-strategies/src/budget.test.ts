import { createKernel, InvalidArgumentError, type Thread } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import {
  ArgBudget,
  type BudgetOptions,
  checkBudgetOptions,
  DEFAULT_GLOBAL_BUDGET,
  DEFAULT_USER_BUDGET,
} from './budget.js';

function world(opts: BudgetOptions = {}, cpus = 2, arch = 'i386') {
  const k = createKernel({ arch, cost: 'p4-2006', seed: 1, cpus, arenaBytes: 2 << 20 });
  const p = k.createProcess();
  const ts = Array.from({ length: cpus }, (_, cpu) => k.spawn(p, `cpu${cpu}`, undefined, { cpu }));
  const budget = new ArgBudget(k, checkBudgetOptions(opts), 'test');
  return { k, ts, budget };
}

/** Cycles charged as locking to `t` while `fn` runs. */
function lockCycles(t: Thread, fn: () => void): number {
  const before = t.clock.byCategory[4]!;
  fn();
  return t.clock.byCategory[4]! - before;
}

describe('budget options', () => {
  it('default to 64 KiB per user, 1 MiB in all, 64 users', () => {
    expect(checkBudgetOptions({})).toEqual({
      userBudget: DEFAULT_USER_BUDGET,
      globalBudget: DEFAULT_GLOBAL_BUDGET,
      maxUsers: 64,
    });
    expect([DEFAULT_USER_BUDGET, DEFAULT_GLOBAL_BUDGET]).toEqual([65536, 1048576]);
  });

  it('budgets from 0 to 1 GiB, users from 1 to 4096', () => {
    for (const key of ['userBudget', 'globalBudget'] as const) {
      expect(checkBudgetOptions({ [key]: 0 })[key]).toBe(0);
      expect(checkBudgetOptions({ [key]: 2 ** 30 })[key]).toBe(2 ** 30);
      for (const bad of [-1, 2 ** 30 + 1, 1.5])
        expect(() => checkBudgetOptions({ [key]: bad })).toThrow(InvalidArgumentError);
    }
    expect(checkBudgetOptions({ maxUsers: 1 }).maxUsers).toBe(1);
    expect(checkBudgetOptions({ maxUsers: 4096 }).maxUsers).toBe(4096);
    for (const bad of [0, 4097]) expect(() => checkBudgetOptions({ maxUsers: bad })).toThrow(/maxUsers/);
    expect(() => checkBudgetOptions({ userBudget: -1 })).toThrow(/userBudget/);
    expect(() => checkBudgetOptions({ globalBudget: -1 })).toThrow(/globalBudget/);
  });

  it('limits are whole KiB units, rounded down', () => {
    const { budget } = world({ userBudget: 2047, globalBudget: 5 << 10 });
    expect([budget.userLimit, budget.globalLimit]).toEqual([1, 5]);
  });
});

describe('the budget table in kernel memory', () => {
  it('is reserved at load in pages enough for the global counter and every user counter', () => {
    // x86_64, 4 CPUs: 5 words of 8 B per counter, 4097 counters = 163,880 B: 64 pages
    const big = world({ maxUsers: 4096 }, 4, 'x86_64');
    expect(big.k.mem.ownerLiveBytes('test budget (static)')).toBe(64 * 4096);
    const small = world({ maxUsers: 1 }, 1);
    expect(small.k.mem.ownerLiveBytes('test budget (static)')).toBe(4096);
  });

  it('creating the last user of a table that fills its page exactly writes nothing past the table', () => {
    // i386, 1 CPU: 2 words of 4 B per counter; 512 counters (global + 511 users) = 4096 B
    const { k, ts, budget } = world({ maxUsers: 511 }, 1);
    const next = k.mem.allocPages(ts[0]!, 0, 0, k.mem.tag('neighbour'), k.mem.tag('neighbour'));
    expect(next).toBe(budget.global.addr + 4096); // the page right after the table
    k.mem.u8.fill(0xa5, next, next + 4096);
    for (let uid = 0; uid < 511; uid++) expect(budget.userCounter(uid)).not.toBeNull();
    expect(budget.userCounter(511)).toBeNull();
    expect([...k.mem.u8.subarray(next, next + 8)]).toEqual(Array(8).fill(0xa5));
  });

  it('fails loudly when the kernel has no memory for it', () => {
    const k = createKernel({ arch: 'x86_64', cost: 'p4-2006', seed: 1, cpus: 64, arenaBytes: 1 << 20 });
    expect(() => new ArgBudget(k, checkBudgetOptions({ maxUsers: 4096 }), 'big')).toThrow(
      /big: no memory for the budget table/,
    );
  });

  it('starts every counter at zero on every CPU, and the counters of different users never overlap', () => {
    const { k, ts, budget } = world({ maxUsers: 3, userBudget: 1 << 20 }, 4);
    const users = [1000, 1001, 1002].map((uid) => budget.userCounter(uid)!);
    for (const c of [budget.global, ...users]) {
      expect([c.read(k), c.peek(k), [0, 1, 2, 3].map((cpu) => c.cpuDelta(k, cpu))]).toEqual([
        0,
        0,
        [0, 0, 0, 0],
      ]);
    }
    for (const [i, user] of users.entries()) {
      for (let cpu = 0; cpu < 4; cpu++) expect(budget.tryCharge(ts[cpu]!, user, 10 * (i + 1))).toBe(true);
    }
    expect(users.map((u) => u.peek(k))).toEqual([40, 80, 120]);
    expect(budget.global.peek(k)).toBe(240);
  });

  it('gives a user the same counter for every context, and none once the table is full', () => {
    const { budget } = world({ maxUsers: 2 });
    const a = budget.userCounter(1000);
    expect(budget.userCounter(1000)).toBe(a);
    const b = budget.userCounter(2000);
    expect(b).not.toBeNull();
    expect(b).not.toBe(a);
    expect(budget.userCounter(3000)).toBeNull();
    expect(budget.userCounter(1000)).toBe(a);
    expect([...budget.users.keys()]).toEqual([1000, 2000]);
  });
});

describe('charging and uncharging', () => {
  it('refuses a charge over the user budget or over the global budget, each on its own', () => {
    const { k, ts, budget } = world({ userBudget: 4 << 10, globalBudget: 6 << 10 });
    const a = budget.userCounter(1000)!;
    const b = budget.userCounter(2000)!;
    expect(budget.tryCharge(ts[0]!, a, 4)).toBe(true); // exactly the user budget
    expect(budget.tryCharge(ts[0]!, a, 1)).toBe(false); // user budget
    expect(budget.tryCharge(ts[0]!, b, 3)).toBe(false); // room for b, but 7 > 6 globally
    expect(budget.tryCharge(ts[0]!, b, 2)).toBe(true); // exactly the global budget
    expect([a.peek(k), b.peek(k), budget.global.peek(k)]).toEqual([4, 2, 6]);
    for (const t of ts) expect(t.preemptCount).toBe(0);
    budget.uncharge(ts[1]!, a, 4);
    expect([a.peek(k), budget.global.peek(k)]).toEqual([0, 2]);
    expect(ts[1]!.preemptCount).toBe(0);
    expect(k.bugs).toEqual([]);
  });

  it('an uncharge from outside any thread (reclaim) goes straight into the folded count', () => {
    const { k, ts, budget } = world();
    const a = budget.userCounter(1000)!;
    expect(budget.tryCharge(ts[0]!, a, 8)).toBe(true);
    budget.uncharge(null, a, 3);
    expect([a.read(k), a.cpuDelta(k, 0), a.peek(k)]).toEqual([-3, 8, 5]);
    expect([budget.global.read(k), budget.global.peek(k)]).toEqual([-3, 5]);
  });

  it('a CPU folds its delta into the count when it reaches the batch either way, under the lock with irqs saved', () => {
    const { k, ts, budget } = world({ userBudget: 1 << 20, globalBudget: 1 << 20 });
    const a = budget.userCounter(1000)!;
    const t1 = ts[1]!;
    budget.uncharge(t1, a, 31);
    expect([a.read(k), a.cpuDelta(k, 1)]).toEqual([0, -31]); // below the batch: stays on CPU 1
    const cycles = lockCycles(t1, () => budget.uncharge(t1, a, 1));
    expect([a.read(k), a.cpuDelta(k, 1), a.peek(k)]).toEqual([-32, 0, -32]);
    expect(cycles).toBe(2 * k.costs.spinLockIrqsaveRestore + k.costs.preemptDisableEnable); // user and global fold
    expect(lockCycles(t1, () => budget.uncharge(t1, a, 1))).toBe(k.costs.preemptDisableEnable); // no fold
    expect([t1.heldLocks, t1.irqsOff]).toEqual([[], false]);
    expect(k.bugs).toEqual([]);
  });
});

describe('compare (__percpu_counter_compare)', () => {
  it('far from the limit it trusts the folded count and takes no lock; within batch x nr_cpus it sums every CPU under the lock', () => {
    const { k, ts, budget } = world({}, 2); // batch 32, 2 CPUs: exact within 64 units
    const a = budget.userCounter(1000)!;
    const t = ts[0]!;
    expect(lockCycles(t, () => expect(a.compare(k, t, 65)).toBe(-1))).toBe(0);
    expect(lockCycles(t, () => expect(a.compare(k, t, -65)).toBe(1))).toBe(0);
    expect(lockCycles(t, () => expect(a.compare(k, t, 64)).toBe(-1))).toBe(k.costs.spinLockIrqsaveRestore);
    expect(lockCycles(t, () => expect(a.compare(k, t, -64)).toBe(1))).toBeGreaterThan(0);
    expect(t.heldLocks).toEqual([]);
  });

  it('near the limit the answer is exact, counting what sits on each CPU', () => {
    const { k, ts, budget } = world({ userBudget: 1 << 20, globalBudget: 1 << 20 }, 2);
    const a = budget.userCounter(1000)!;
    expect(budget.tryCharge(ts[0]!, a, 20)).toBe(true);
    expect(budget.tryCharge(ts[1]!, a, 10)).toBe(true);
    expect(a.read(k)).toBe(0); // nothing folded: the folded count alone says 0
    expect(a.sum(k, ts[0]!)).toBe(30);
    expect([29, 30, 31].map((rhs) => a.compare(k, ts[0]!, rhs))).toEqual([1, 0, -1]);
  });
});
