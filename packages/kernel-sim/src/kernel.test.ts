import { describe, expect, it } from 'vitest';
import { ThreadKilled } from './bugs.js';
import { CAT } from './clock.js';
import { InvalidArgumentError } from './errors.js';
import { createKernel, EMFILE, type Kernel } from './kernel.js';
import { GFP_KERNEL } from './mem/memory.js';
import { Rng } from './rng.js';
import type { Scheduler } from './sched/scheduler.js';
import {
  blockThread,
  DONE,
  type FileLike,
  type KGen,
  RUNNABLE,
  type Thread,
  Y_BLOCK,
  Y_PREEMPT,
} from './sched/thread.js';
import { oneThread, testKernel } from './test-util.js';

/** A thread of `n` scheduling steps: it logs its id at each and has a preemption point between. */
function* worker(t: Thread, log: number[], n: number): KGen<void> {
  for (let i = 0; i < n; i++) {
    log.push(t.id);
    if (i < n - 1) yield Y_PREEMPT;
  }
}

function workers(k: Kernel, lengths: readonly number[]): number[] {
  const p = k.createProcess();
  const log: number[] = [];
  for (const [i, n] of lengths.entries()) k.spawn(p, `w${i}`, (t) => worker(t, log, n));
  return log;
}

const file = (kind: string): FileLike => ({ kind });

describe('kernel options', () => {
  it('rejects options that are not an object', () => {
    for (const bad of [null, undefined, 'i386']) {
      expect(() => createKernel(bad as never)).toThrow(InvalidArgumentError);
      expect(() => createKernel(bad as never)).toThrow(
        /^invalid kernel options: .* \(accepted: an object\)$/,
      );
    }
  });

  it('names each bad number', () => {
    const base = { arch: 'i386', cost: 'p4-2006', seed: 1 };
    expect(() => createKernel({ ...base, cpus: 65 })).toThrow(
      'invalid cpus: 65 (accepted: an integer from 1 to 64)',
    );
    expect(() => createKernel({ ...base, fdLimit: 0 })).toThrow(
      'invalid fdLimit: 0 (accepted: an integer from 1 to 1048576)',
    );
    expect(() => createKernel({ ...base, hz: 0 })).toThrow(
      'invalid hz: 0 (accepted: an integer from 1 to 100000)',
    );
    expect(() => createKernel({ ...base, arenaBytes: 0 })).toThrow(
      'invalid arenaBytes: 0 (accepted: an integer from 1 to 4294967296)',
    );
  });

  it('defaults: one CPU, a 16 MiB arena, HZ 250, race detection and might_sleep checks on', () => {
    const k = createKernel({ arch: 'i386', cost: 'p4-2006', seed: 3 });
    expect(k.cpus.map((c) => c.id)).toEqual([0]);
    expect(k.mem.u8.length).toBe(16 << 20);
    expect(k.irq.tickCycles).toBe(3e9 / 250);
    expect(k.options).toEqual({ preemptAll: false, raceDetection: true, debugAtomicSleep: true });
    expect(k.preemptAll).toBe(false);
    expect(k.faults).toEqual({});
    const fast = testKernel({
      hz: 1000,
      cpus: 4,
      preemptAll: true,
      raceDetection: false,
      debugAtomicSleep: false,
    });
    expect(fast.irq.tickCycles).toBe(3e9 / 1000);
    expect(fast.cpus).toHaveLength(4);
    expect(fast.options).toEqual({ preemptAll: true, raceDetection: false, debugAtomicSleep: false });
    expect(fast.preemptAll).toBe(true);
  });
});

describe('named random streams', () => {
  it('give each stream its own sequence from the seed, continuing across calls', () => {
    const k = testKernel({ seed: 77 });
    const ref = new Rng(77, 'workload');
    expect([k.rng('workload').u32(), k.rng('workload').u32()]).toEqual([ref.u32(), ref.u32()]);
    expect(k.rng('other').u32()).toBe(new Rng(77, 'other').u32());
  });

  it('the random scheduler draws from the "sched" stream only', () => {
    const decisions = (seed: number, draw: string | null) => {
      const k = testKernel({ seed, cpus: 2 });
      workers(k, [4, 4, 4]);
      if (draw !== null) k.rng(draw).u32();
      return k.run({ kind: 'random' }).decisions.join('.');
    };
    let shifted = 0;
    for (let seed = 1; seed <= 10; seed++) {
      expect(decisions(seed, 'workload')).toBe(decisions(seed, null));
      if (decisions(seed, 'sched') !== decisions(seed, null)) shifted++;
    }
    expect(shifted).toBeGreaterThan(5);
  });
});

describe('time', () => {
  it('converts cycles and nanoseconds at the profile clock (P4 3 GHz)', () => {
    const k = testKernel();
    expect(k.cyclesToNs(3000)).toBe(1000);
    expect(k.nsToCycles(1000)).toBe(3000);
    expect(k.nsToCycles(0.5)).toBe(2); // 1.5 cycles round to 2
    expect(testKernel({ cost: 'k8-2006' }).cyclesToNs(2000)).toBe(1000);
  });

  it('charges a thread and the CPU it runs on', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const a = k.spawn(p, 'a');
    const b = k.spawn(p, 'b');
    k.charge(a, CAT.workload, 100);
    k.charge(b, CAT.copy, 7);
    expect(a.clock.total).toBe(100);
    expect(k.cpus[0]!.clock.breakdown().workload).toBe(100);
    expect(k.cpus[1]!.clock.breakdown().copy).toBe(7);
    expect(b.cpuClock).toBe(k.cpus[1]!.clock);
  });
});

describe('bug reports', () => {
  it('name the thread, its system call, its locks and the replay handle', () => {
    const k = testKernel({ seed: 9 });
    const { t } = oneThread(k);
    const lock = k.sync.createSpinlock('ctx->lock');
    k.syscallEnter(t, 'pfm_read_pmds');
    k.sync.spinLock(t, lock);
    const bug = k.reportBug('data-race', t, 'something raced', { site: 'x' });
    expect(bug).toEqual({
      kind: 'data-race',
      message: 'something raced',
      thread: 'T0 main',
      syscall: 'pfm_read_pmds',
      heldLocks: ['ctx->lock'],
      replay: '9:',
      detail: { site: 'x' },
    });
    expect(k.bugReport()).toBe(
      'data-race: something raced (thread T0 main in pfm_read_pmds holding [ctx->lock]; replay 9:)',
    );
  });

  it('outside any thread name "-" and nothing held; each distinct bug is kept once', () => {
    const k = testKernel({ seed: 4 });
    const bug = k.reportBug('leak', null, '1 object leaked');
    expect(bug).toMatchObject({ thread: '-', syscall: null, heldLocks: [], detail: {} });
    k.reportBug('leak', null, '1 object leaked');
    k.reportBug('leak', null, '2 objects leaked');
    expect(k.bugs.map((b) => b.message)).toEqual(['1 object leaked', '2 objects leaked']);
    expect(k.bugReport().split('\n')).toEqual([
      'leak: 1 object leaked (thread -; replay 4:)',
      'leak: 2 objects leaked (thread -; replay 4:)',
    ]);
  });

  it('a fatal bug is reported and stops the thread', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    let thrown: unknown;
    try {
      k.fatal('stack-overflow', t, 'too deep', { depth: 9000 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ThreadKilled);
    expect((thrown as ThreadKilled).bug).toBe(k.bugs[0]);
    expect(k.bugs[0]).toMatchObject({ kind: 'stack-overflow', detail: { depth: 9000 } });
  });

  it('carry the decisions of the run so far', () => {
    const k = testKernel({ seed: 5, cpus: 2 });
    const p = k.createProcess();
    const body = function* (t: Thread, kernel: Kernel): KGen<void> {
      yield Y_PREEMPT;
      if (t.id === 1) kernel.reportBug('leak', t, 'from T1');
    };
    k.spawn(p, 'a', (t) => body(t, k));
    k.spawn(p, 'b', (t) => body(t, k));
    const r = k.run({ kind: 'replay', decisions: [1, 1] });
    expect(k.bugs[0]!.replay).toBe('5:1.1');
    expect(k.replay()).toBe(r.replay);
    expect(r.replay).toBe(`5:${r.decisions.join('.')}`);
  });
});

describe('atomic context checks', () => {
  it('might_sleep in atomic context is reported with the context, unless the check is off', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.mightSleep(t, 'kmalloc(GFP_KERNEL)');
    expect(k.bugs).toEqual([]);
    k.sync.preemptDisable(t);
    k.mightSleep(t, 'kmalloc(GFP_KERNEL)');
    expect(k.bugs.map((b) => [b.kind, b.message, b.detail])).toEqual([
      [
        'sleep-in-atomic',
        'sleeping function called from invalid context: kmalloc(GFP_KERNEL) called',
        { preemptCount: 1, irqsDisabled: 0, inIrq: 0 },
      ],
    ]);
    const irqOff = testKernel();
    const i = oneThread(irqOff);
    irqOff.sync.localIrqDisable(i.t);
    irqOff.mightSleep(i.t, 'mutex_lock(m)');
    irqOff.sync.localIrqEnable(i.t);
    irqOff.irq.raise(i.t.cpu, (x) => irqOff.mightSleep(x, 'kmalloc in a handler'));
    irqOff.irq.poll(i.t);
    expect(irqOff.bugs.map((b) => b.detail)).toEqual([
      { preemptCount: 0, irqsDisabled: 1, inIrq: 0 },
      { preemptCount: 0, irqsDisabled: 1, inIrq: 1 },
    ]);
    const off = testKernel({ debugAtomicSleep: false });
    const o = oneThread(off);
    off.sync.preemptDisable(o.t);
    off.mightSleep(o.t, 'copy_from_user');
    expect(off.bugs).toEqual([]);
  });

  it('preempt_disable/enable nest, cost the profile figure, and an underflow is reported', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.sync.preemptDisable(t);
    k.sync.preemptDisable(t);
    expect(t.atomic).toBe(true);
    k.sync.preemptEnable(t);
    expect(t.atomic).toBe(true);
    k.sync.preemptEnable(t);
    expect(t.atomic).toBe(false);
    expect(t.clock.breakdown().lock).toBe(2 * k.costs.preemptDisableEnable);
    expect(k.costs.preemptDisableEnable).toBe(10);
    k.sync.preemptEnable(t);
    expect(t.preemptCount).toBe(0);
    expect(k.bugs.map((b) => b.message)).toEqual([
      'preempt_enable without preempt_disable (preempt count underflow)',
    ]);
  });

  it('sleep and fine preemption points yield only under a scheduler, and never while atomic', () => {
    const seen: string[] = [];
    const body = function* (t: Thread, k: Kernel): KGen<void> {
      seen.push(`T${t.id} sleep ${k.sleepPoint(t)} fine ${k.finePoint(t)}`);
      k.sync.preemptDisable(t);
      seen.push(`T${t.id} atomic sleep ${k.sleepPoint(t)} fine ${k.finePoint(t)}`);
      k.sync.preemptEnable(t);
      yield Y_PREEMPT;
    };
    for (const preemptAll of [false, true]) {
      const k = testKernel({ preemptAll, cpus: 2 });
      const p = k.createProcess();
      const a = k.spawn(p, 'a', (x) => body(x, k));
      k.spawn(p, 'b', (x) => body(x, k));
      expect([k.scheduled, k.sleepPoint(a), k.finePoint(a)]).toEqual([false, false, false]);
      k.run();
      expect([k.scheduled, k.sleepPoint(a), k.finePoint(a)]).toEqual([false, false, false]);
    }
    expect(seen).toEqual([
      'T0 sleep true fine false',
      'T0 atomic sleep false fine false',
      'T1 sleep true fine false',
      'T1 atomic sleep false fine false',
      'T0 sleep true fine true',
      'T0 atomic sleep false fine false',
      'T1 sleep true fine true',
      'T1 atomic sleep false fine false',
    ]);
  });
});

describe('processes and threads', () => {
  it('processes get pids 100 apart, uid 1000 and gid = uid by default, and a name', () => {
    const k = testKernel();
    const a = k.createProcess();
    const b = k.createProcess({ uid: 0, name: 'init' });
    const c = k.createProcess({ uid: 5, gid: 7 });
    expect([a.pid, b.pid, c.pid]).toEqual([1000, 1100, 1200]);
    expect([a.uid, a.gid, a.name]).toEqual([1000, 1000, 'proc1000']);
    expect([b.uid, b.gid, b.name]).toEqual([0, 0, 'init']);
    expect([c.uid, c.gid]).toEqual([5, 7]);
    expect(k.processes).toEqual([a, b, c]);
    expect(a.fdLimit).toBe(1024);
    expect(() => k.createProcess({ uid: -1 })).toThrow('invalid uid: -1');
    expect(() => k.createProcess({ gid: 1.5 })).toThrow('invalid gid: 1.5');
  });

  it('user address spaces end at the arch limit (3 GiB on i386, 128 TiB less a page on x86_64)', () => {
    expect(testKernel().createProcess().mm.userLimit).toBe(0xc0000000);
    expect(testKernel({ arch: 'x86_64' }).createProcess().mm.userLimit).toBe(2 ** 47 - 4096);
    expect(testKernel({ arch: 'ia64' }).createProcess().mm.userLimit).toBe(2 ** 47 - 16384);
  });

  it('user pages come from the arena in power-of-two blocks, up to order 10', () => {
    const k = testKernel({ arenaBytes: 16 << 20 });
    const p = k.createProcess();
    const small = p.mm.mmap(3 * 4096);
    expect(k.mem.ownerLiveBytes('user-memory')).toBe(4 * 4096);
    expect(p.mm.regionOf(small)!.phys).toBeGreaterThan(0);
    p.mm.mmap(4096);
    expect(k.mem.ownerLiveBytes('user-memory')).toBe(5 * 4096);
    p.mm.mmap(4 << 20); // order 10
    expect(k.mem.ownerLiveBytes('user-memory')).toBe(5 * 4096 + (4 << 20));
    const big = p.mm.mmap(8 << 20); // order 11: private bytes
    expect(k.mem.ownerLiveBytes('user-memory')).toBe(5 * 4096 + (4 << 20));
    expect(p.mm.regionOf(big)!.phys).toBe(-1);
  });

  it('a mapping the arena cannot hold gets private bytes, not kernel memory', () => {
    const k = testKernel({ arenaBytes: 1 << 20 });
    const p = k.createProcess();
    const addr = p.mm.mmap(2 << 20);
    const region = p.mm.regionOf(addr)!;
    expect(region.phys).toBe(-1);
    expect(region.bytes.buffer).not.toBe(k.mem.u8.buffer);
    expect(k.mem.ownerLiveBytes('user-memory')).toBe(0);
  });

  it('threads get ids in spawn order, tids from their pid, and CPUs round-robin', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const q = k.createProcess();
    const a = k.spawn(p, 'a');
    const b = k.spawn(p, 'b');
    const c = k.spawn(q, 'c');
    const d = k.spawn(q, 'd', undefined, { cpu: 0 });
    expect([a.id, b.id, c.id, d.id]).toEqual([0, 1, 2, 3]);
    expect([a.tid, b.tid, c.tid, d.tid]).toEqual([1000, 1001, 1100, 1101]);
    expect([a.cpu, b.cpu, c.cpu, d.cpu]).toEqual([0, 1, 0, 0]);
    expect([a.label, d.label]).toEqual(['T0 a', 'T3 d']);
    expect(p.threads).toEqual([a, b]);
    expect(k.threads).toEqual([a, b, c, d]);
    expect(() => k.spawn(p, 'e', undefined, { cpu: 2 })).toThrow(
      'invalid cpu: 2 (accepted: an integer from 0 to 1)',
    );
  });

  it('a new thread is runnable, not atomic, not stopped, not exited, with an empty stack', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    expect(t.state).toBe(RUNNABLE);
    expect([t.atomic, t.stopped, t.exited, t.tracer, t.syscall]).toEqual([false, false, false, null, null]);
    expect([t.stackDepth, t.heldLocks.length, t.clock.total]).toEqual([0, 0, 0]);
  });

  it('thread exit runs every exit hook once', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    const calls: string[] = [];
    k.onThreadExit((x) => calls.push(`first ${x.label}`));
    k.onThreadExit((x) => calls.push(`second ${x.label}`));
    k.exitThread(t);
    k.exitThread(t);
    expect(calls).toEqual(['first T0 main', 'second T0 main']);
    expect(t.exited).toBe(true);
  });
});

describe('file descriptors', () => {
  it('install at the lowest free fd, up to RLIMIT_NOFILE', () => {
    const k = testKernel({ fdLimit: 3 });
    const p = k.createProcess();
    const [a, b, c] = [file('a'), file('b'), file('c')];
    expect([k.fdInstall(p, a), k.fdInstall(p, b), k.fdInstall(p, c)]).toEqual([0, 1, 2]);
    expect(k.fdInstall(p, file('d'))).toBe(-EMFILE);
    expect(k.fdRemove(p, 1)).toBe(b);
    expect(k.fdRemove(p, 0)).toBe(a);
    expect(k.fdInstall(p, file('e'))).toBe(0);
    expect(k.fdInstall(p, file('f'))).toBe(1);
    expect(k.fdInstall(p, file('g'))).toBe(-EMFILE);
  });

  it('search from files->next_fd: the lowest free fd whatever the order of closes', () => {
    const k = testKernel({ fdLimit: 6 });
    const p = k.createProcess();
    const fds = ['a', 'b', 'c', 'd', 'e'].map((n) => k.fdInstall(p, file(n)));
    expect(fds).toEqual([0, 1, 2, 3, 4]);
    expect(p.nextFd).toBe(5);
    k.fdRemove(p, 3);
    expect(p.nextFd).toBe(3);
    k.fdRemove(p, 1);
    expect(p.nextFd).toBe(1);
    k.fdRemove(p, 4);
    expect(p.nextFd).toBe(1);
    expect(k.fdInstall(p, file('f'))).toBe(1);
    expect(p.nextFd).toBe(2);
    expect(k.fdInstall(p, file('g'))).toBe(3);
    expect(k.fdInstall(p, file('h'))).toBe(4);
    expect(k.fdInstall(p, file('i'))).toBe(5);
    expect(k.fdInstall(p, file('j'))).toBe(-EMFILE);
    expect(p.files.map((f) => f?.kind)).toEqual(['a', 'f', 'c', 'g', 'h', 'i']);
  });

  it('a free fd at or above RLIMIT_NOFILE is not handed out (EMFILE, as alloc_fd)', () => {
    const k = testKernel({ fdLimit: 4 });
    const p = k.createProcess();
    for (const n of ['a', 'b', 'c', 'd']) k.fdInstall(p, file(n));
    k.fdRemove(p, 3);
    p.fdLimit = 3;
    expect(k.fdInstall(p, file('e'))).toBe(-EMFILE);
    p.fdLimit = 4;
    expect(k.fdInstall(p, file('e'))).toBe(3);
  });

  it('a million descriptors (fs.nr_open) open without rescanning the table', () => {
    const k = testKernel({ fdLimit: 1 << 20 });
    const p = k.createProcess();
    const f = file('a');
    for (let i = 0; i < 1 << 20; i++) k.fdInstall(p, f);
    expect(p.files.length).toBe(1 << 20);
    expect(k.fdInstall(p, f)).toBe(-EMFILE);
    k.fdRemove(p, 123_456);
    expect(k.fdInstall(p, f)).toBe(123_456);
  });

  it('removing an fd that is not open changes nothing', () => {
    const k = testKernel();
    const p = k.createProcess();
    expect(k.fdRemove(p, 5)).toBe(null);
    expect(k.fdInstall(p, file('a'))).toBe(0);
    expect(k.fdInstall(p, file('b'))).toBe(1);
    expect(k.fdRemove(p, 2)).toBe(null);
    expect(k.fdRemove(p, 1)!.kind).toBe('b');
    expect(k.fdRemove(p, 0)!.kind).toBe('a');
    expect(k.fdRemove(p, 0)).toBe(null);
    expect(k.fdInstall(p, file('b'))).toBe(0);
  });

  it('fget_light finds the file or null, and costs two atomics more when the table is shared', () => {
    const k = testKernel();
    const p = k.createProcess();
    const t = k.spawn(p, 'one');
    const f = file('perfmon');
    k.fdInstall(p, f);
    expect(k.fdGet(t, 0)).toBe(f);
    for (const bad of [1, -1, 0.5, Number.NaN]) expect(k.fdGet(t, bad)).toBe(null);
    expect(t.clock.breakdown().fd).toBe(5 * 20);
    expect(t.clock.breakdown().atomic).toBe(0);
    k.spawn(p, 'two');
    k.fdGet(t, 0);
    expect(t.clock.breakdown().atomic).toBe(2 * 100);
  });
});

describe('system call boundaries', () => {
  it('charge the entry/exit pair split across both halves and use the entry stack', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.syscallEnter(t, 'pfm_write_pmcs');
    expect(t.syscall).toBe('pfm_write_pmcs');
    expect(t.clock.breakdown().syscall).toBe(320);
    expect(t.stackDepth).toBe(160);
    k.syscallExit(t);
    expect(t.clock.breakdown().syscall).toBe(641);
    expect(t.stackDepth).toBe(0);
    expect(t.syscall).toBe(null);
    expect(k.bugs).toEqual([]);
  });

  it('an entry path deeper than the kernel stack overflows at entry', () => {
    const k = testKernel({ arch: 'i386-4k', archOverrides: { syscallEntryDepth: 5000 } });
    const { t } = oneThread(k);
    expect(() => k.syscallEnter(t, 'pfm_create_context')).toThrow(
      'thread killed: stack-overflow: kernel stack overflow in syscall entry: 5000 B used of 4040 B',
    );
    expect(k.stacks.warnings.map((w) => w.frame)).toEqual(['syscall entry']);
  });

  it('report irqs left disabled and a preempt count left raised, and restore both', () => {
    const k = testKernel();
    const { t } = oneThread(k);
    k.syscallEnter(t, 'pfm_stop');
    k.sync.localIrqSave(t);
    k.sync.preemptDisable(t);
    k.sync.preemptDisable(t);
    k.syscallExit(t);
    expect(k.bugs.map((b) => [b.kind, b.message, b.syscall])).toEqual([
      ['held-at-return', 'returning to user space with irqs disabled', 'pfm_stop'],
      ['held-at-return', 'returning to user space with preempt count 2', 'pfm_stop'],
    ]);
    expect(t.atomic).toBe(false);
  });

  it('report locks held at return, release them, and hand a mutex to its waiter', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const m = k.sync.createMutex('ctx_mutex');
    const s = k.sync.createSpinlock('ctx->lock');
    const log: string[] = [];
    const leaker = function* (t: Thread): KGen<void> {
      k.syscallEnter(t, 'pfm_load_context');
      k.sync.mutexLock(t, m);
      k.sync.spinLock(t, s);
      yield Y_PREEMPT;
      k.syscallExit(t);
      log.push(`leaker out, atomic ${t.atomic}`);
    };
    const waiter = function* (t: Thread): KGen<void> {
      if (k.sync.mutexLock(t, m)) yield Y_BLOCK;
      log.push(`waiter owns the mutex: ${m.owner === t}`);
      k.sync.mutexUnlock(t, m);
    };
    k.spawn(p, 'leaker', leaker);
    k.spawn(p, 'waiter', waiter);
    const r = k.run({ kind: 'round-robin' });
    expect(r.deadlock).toBe(false);
    expect(log).toEqual(['leaker out, atomic false', 'waiter owns the mutex: true']);
    expect(k.bugs.map((b) => [b.kind, b.message])).toEqual([
      ['held-at-return', 'returning to user space with ctx_mutex, ctx->lock held'],
      ['held-at-return', 'returning to user space with preempt count 1'],
    ]);
    expect(s.owner).toBe(null);
    expect(m.owner).toBe(null);
    // The forgotten unlocks cost what the unlocks cost: each lock+unlock pair is charged once.
    expect(k.threads[0]!.clock.breakdown().lock).toBe(k.costs.mutexLockUnlock + k.costs.spinLockUnlock);
  });
});

describe('runSync', () => {
  it('drives one thread to completion and returns its value', () => {
    const k = testKernel();
    const { run } = oneThread(k);
    const gen = function* (): KGen<number> {
      yield Y_PREEMPT;
      yield Y_PREEMPT;
      return 42;
    };
    expect(run(gen())).toBe(42);
  });

  it('a block with no other thread is a deadlock: reported, the thread stopped and unwound', () => {
    const k = testKernel();
    const { t, run } = oneThread(k);
    const m = k.sync.createMutex('sem');
    const other = k.spawn(t.process, 'holder');
    k.sync.mutexLock(other, m);
    let unwound = false;
    const gen = function* (): KGen<void> {
      try {
        if (k.sync.mutexLock(t, m)) yield Y_BLOCK;
      } finally {
        unwound = true;
      }
    };
    expect(() => run(gen())).toThrow(ThreadKilled);
    expect(unwound).toBe(true);
    expect(k.bugs.map((b) => [b.kind, b.message])).toEqual([
      ['deadlock', 'blocked on sem with no other thread to release it'],
    ]);
    const event = function* (): KGen<void> {
      blockThread(t, null);
      yield Y_BLOCK;
    };
    expect(() => run(event())).toThrow(/blocked on an event with no other thread/);
  });
});

describe('scheduler', () => {
  it('counts steps, records decisions and folds the schedule into a 16-hex-digit trace hash', () => {
    const hashes = new Map<string, string>();
    for (let seed = 1; seed <= 30; seed++) {
      const k = testKernel({ seed, cpus: 2 });
      const log = workers(k, [3, 2, 4]);
      const r = k.run({ kind: 'random' });
      expect(r.steps).toBe(9);
      expect(r.traceHash).toMatch(/^[0-9a-f]{16}$/);
      const prev = hashes.get(log.join(''));
      if (prev !== undefined) expect(r.traceHash).toBe(prev);
      hashes.set(log.join(''), r.traceHash);
    }
    expect(new Set(hashes.values()).size).toBe(hashes.size);
    expect(hashes.size).toBeGreaterThan(10);
  });

  it('asks a Scheduler at each decision point, with the candidates, the previous thread and the counts', () => {
    const k = testKernel({ cpus: 2 });
    const log = workers(k, [2, 1, 2]);
    const picks = [2, 0, 2, 1];
    const seen: string[] = [];
    const events: string[] = [];
    const scheduler: Scheduler = {
      newExecution: (threads) => events.push(`new ${threads}`),
      nextThread: (p) => {
        seen.push(`${p.candidates.join('')}/${p.previous}/${p.step}/${p.decision}`);
        return picks[p.decision]!;
      },
      endExecution: (run) => events.push(`end ${run.decisions.join('')}`),
    };
    const r = k.run(scheduler);
    expect(log).toEqual([2, 0, 2, 1, 0]);
    expect(r.decisions).toEqual([2, 0, 2, 1]);
    // the last step has one candidate left: no decision there
    expect(seen).toEqual(['012/-1/0/0', '012/2/1/1', '012/0/2/2', '01/2/3/3']);
    expect(events).toEqual(['new 3', 'end 2021']);
  });

  it('a scheduler naming a thread that cannot run gets the lowest runnable one', () => {
    const k = testKernel({ cpus: 2 });
    const log = workers(k, [2, 2]);
    const r = k.run({ newExecution() {}, nextThread: () => 9 });
    expect(log).toEqual([0, 0, 1, 1]);
    expect(r.decisions).toEqual([0, 0]);
  });

  it('skips threads without a body and threads finished in an earlier run', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    k.spawn(p, 'setup');
    const first: boolean[] = [];
    const body = function* (t: Thread, out: boolean[]): KGen<void> {
      out.push(k.sleepPoint(t));
      yield Y_PREEMPT;
    };
    k.spawn(p, 'a', (t) => body(t, first));
    k.spawn(p, 'b', (t) => body(t, first));
    expect(k.run().deadlock).toBe(false);
    expect(first).toEqual([true, true]);
    const second: boolean[] = [];
    const c = k.spawn(p, 'c', (t) => body(t, second));
    const r = k.run();
    expect(second).toEqual([false]); // the only live thread: no scheduler, no yields
    expect(r.steps).toBe(2);
    expect(c.state).toBe(DONE);
  });

  it('a thread that yields with preemption or irqs off keeps its CPU; other CPUs run on', () => {
    for (const off of ['preempt', 'irq'] as const) {
      const k = testKernel({ cpus: 2 });
      const p = k.createProcess();
      const log: string[] = [];
      const atomicBody = function* (t: Thread): KGen<void> {
        const flags = off === 'irq' ? k.sync.localIrqSave(t) : 0;
        if (off === 'preempt') k.sync.preemptDisable(t);
        log.push('T0 in');
        yield Y_PREEMPT;
        log.push('T0 still in');
        yield Y_PREEMPT;
        if (off === 'preempt') k.sync.preemptEnable(t);
        else k.sync.localIrqRestore(t, flags);
        log.push('T0 out');
        yield Y_PREEMPT;
        log.push('T0 done');
      };
      // biome-ignore lint/correctness/useYield: a thread of one step
      const other = function* (t: Thread): KGen<void> {
        log.push(`T${t.id} runs`);
      };
      k.spawn(p, 'atomic', atomicBody); // CPU 0
      k.spawn(p, 'cpu1', other); // CPU 1
      k.spawn(p, 'cpu0', other); // CPU 0
      k.run({ kind: 'round-robin' });
      expect(log, off).toEqual(['T0 in', 'T1 runs', 'T0 still in', 'T0 out', 'T2 runs', 'T0 done']);
    }
  });

  it('charges a context switch when another thread takes the same CPU, not across CPUs', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const log: number[] = [];
    const a = k.spawn(p, 'a', (t) => worker(t, log, 2)); // CPU 0
    const b = k.spawn(p, 'b', (t) => worker(t, log, 2)); // CPU 1
    const c = k.spawn(p, 'c', (t) => worker(t, log, 2)); // CPU 0
    k.run({ kind: 'replay', decisions: [0, 2, 0, 1, 1] });
    expect(log).toEqual([0, 2, 0, 1, 1, 2]);
    expect(a.clock.breakdown().sched).toBe(2000); // c -> a on CPU 0
    expect(b.clock.breakdown().sched).toBe(0); // CPU 1 runs only b
    // a -> c on CPU 0, twice: b running on CPU 1 in between does not make it less of a switch
    expect(c.clock.breakdown().sched).toBe(4000);
    expect(k.costs.contextSwitch).toBe(2000);
  });

  it('delivers a pending interrupt when it schedules a thread with irqs on', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const seen: string[] = [];
    const raiser = function* (t: Thread): KGen<void> {
      k.irq.raise(1, (x) => seen.push(`irq on T${x.id}`));
      yield Y_PREEMPT;
      seen.push(`T${t.id} done`);
    };
    const target = function* (t: Thread): KGen<void> {
      seen.push(`T${t.id} runs`);
      yield Y_PREEMPT;
    };
    k.spawn(p, 'raiser', raiser);
    k.spawn(p, 'target', target);
    k.run({ kind: 'round-robin' });
    expect(seen).toEqual(['irq on T1', 'T1 runs', 'T0 done']);
  });

  it('a thread killed by a fatal bug stops; the others run on', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const log: number[] = [];
    const doomed = function* (t: Thread): KGen<void> {
      yield Y_PREEMPT;
      k.stacks.push(t, 1 << 20, 'huge frame');
      log.push(-1);
    };
    const t0 = k.spawn(p, 'doomed', doomed);
    const t1 = k.spawn(p, 'fine', (t) => worker(t, log, 3));
    const r = k.run({ kind: 'round-robin' });
    expect(r.deadlock).toBe(false);
    expect(log).toEqual([1, 1, 1]);
    expect(t0.killedBy).toBe('stack-overflow');
    expect(r.steps).toBe(5);
    expect([t0.state, t1.state, t1.killedBy]).toEqual([DONE, DONE, null]);
    expect(r.bugs.map((b) => b.kind)).toEqual(['stack-overflow']);
  });

  it('a thread killed while atomic gives its CPU back', () => {
    const k = testKernel({ cpus: 1 });
    const p = k.createProcess();
    const lock = k.sync.createSpinlock('l');
    const log: number[] = [];
    const doomed = function* (t: Thread): KGen<void> {
      k.sync.spinLock(t, lock);
      yield Y_PREEMPT;
      k.stacks.push(t, 1 << 20, 'huge frame');
    };
    k.spawn(p, 'doomed', doomed);
    k.spawn(p, 'next', (t) => worker(t, log, 2));
    const r = k.run({ kind: 'round-robin' });
    expect(r.deadlock).toBe(false);
    expect(log).toEqual([1, 1]);
  });

  it("keeps each thread's return value", () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const body = function* (t: Thread): KGen<number> {
      yield Y_PREEMPT;
      return 10 * t.id + 7;
    };
    const a = k.spawn(p, 'a', body);
    const b = k.spawn(p, 'b', body);
    k.run({ kind: 'random' });
    expect([a.result, b.result]).toEqual([7, 17]);
  });

  it('an exception that is not a kernel bug propagates out of the run', () => {
    const k = testKernel();
    const p = k.createProcess();
    const broken = function* (): KGen<void> {
      yield Y_PREEMPT;
      throw new RangeError('simulator bug');
    };
    k.spawn(p, 'a', broken);
    k.spawn(p, 'b', broken);
    expect(() => k.run()).toThrow(RangeError);
  });

  it('reports a deadlock naming each blocked thread and what it waits on', () => {
    const k = testKernel({ cpus: 2 });
    const p = k.createProcess();
    const a = k.sync.createMutex('A');
    const b = k.sync.createMutex('B');
    const body = function* (t: Thread, x: typeof a, y: typeof a): KGen<void> {
      if (k.sync.mutexLock(t, x)) yield Y_BLOCK;
      yield Y_PREEMPT;
      if (k.sync.mutexLock(t, y)) yield Y_BLOCK;
    };
    const waitEvent = function* (t: Thread): KGen<void> {
      blockThread(t, null); // waiting for an event nobody names
      yield Y_BLOCK;
    };
    k.spawn(p, 'one', (t) => body(t, a, b));
    k.spawn(p, 'two', (t) => body(t, b, a));
    k.spawn(p, 'reader', waitEvent);
    k.spawn(p, 'finisher', (t) => worker(t, [], 1));
    const r = k.run({ kind: 'round-robin' });
    expect(r.deadlock).toBe(true);
    const dl = k.bugs.find((x) => x.kind === 'deadlock')!;
    expect(dl.message).toBe('all live threads blocked: T0 one on B, T1 two on A, T2 reader on ?');
    expect(dl.thread).toBe('T0 one');
  });

  it('stops a run that makes no progress after maxSteps, as a livelock', () => {
    const k = testKernel({ cpus: 2 });
    workers(k, [10, 10]);
    const r = k.run({ kind: 'round-robin' }, 5);
    expect(r).toMatchObject({ deadlock: true, steps: 5 });
    expect(r.bugs.map((b) => [b.kind, b.message, b.thread])).toEqual([
      ['deadlock', 'no progress after 5 scheduling steps (livelock?)', 'T0 w0'],
    ]);
    expect(k.scheduled).toBe(false);
    const enough = testKernel({ cpus: 2 });
    workers(enough, [3, 3]);
    expect(enough.run({ kind: 'round-robin' }, 7).deadlock).toBe(false);
  });

  it("a run's result and trace hash cover its own bugs, not earlier ones", () => {
    const hashOf = (before: boolean, during: boolean) => {
      const k = testKernel({ cpus: 2 });
      const p = k.createProcess();
      if (before) k.reportBug('leak', null, 'earlier');
      const body = function* (t: Thread): KGen<void> {
        yield Y_PREEMPT;
        if (during && t.id === 1) k.reportBug('leak', t, 'now');
      };
      k.spawn(p, 'a', body);
      k.spawn(p, 'b', body);
      return k.run({ kind: 'round-robin' });
    };
    const clean = hashOf(false, false);
    const earlier = hashOf(true, false);
    const now = hashOf(false, true);
    expect(earlier.traceHash).toBe(clean.traceHash);
    expect(earlier.bugs).toEqual([]);
    expect(now.traceHash).not.toBe(clean.traceHash);
    expect(now.bugs.map((b) => b.message)).toEqual(['now']);
  });
});

describe('dispose', () => {
  it('hands the arena to the next kernel of the same size', () => {
    const k = testKernel({ arenaBytes: 1 << 20 });
    const { t } = oneThread(k);
    k.mem.kmalloc(t, 64, GFP_KERNEL, 0, 0);
    const arena = k.mem.u8.buffer;
    k.dispose();
    const next = testKernel({ arenaBytes: 1 << 20 });
    expect(next.mem.u8.buffer).toBe(arena);
    expect(next.mem.snapshot().liveObjects).toBe(0);
  });
});

it('a process has RLIMIT_MEMLOCK: 8 pages unless given, unlimited on request, a bad value refused', () => {
  const k = createKernel({ arch: 'x86_64', cost: 'k8-2006', seed: 1, arenaBytes: 1 << 20 });
  expect(k.createProcess().memlockLimit).toBe(8 * 4096);
  expect(k.createProcess({ memlock: 65536 }).memlockLimit).toBe(65536);
  expect(k.createProcess({ memlock: Number.POSITIVE_INFINITY }).memlockLimit).toBe(Number.POSITIVE_INFINITY);
  expect(k.createProcess().lockedVm).toBe(0);
  expect(() => k.createProcess({ memlock: -1 })).toThrow(/memlock: -1/);
});
