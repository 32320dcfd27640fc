/**
 * The step trace of one replayed race schedule, for pictures of a finding: each scheduling
 * step (which thread ran, why it stopped, whether the scheduler chose it), what the threads
 * did in it (system calls, lock and irq operations, argument copies) and the pairs of
 * accesses the race detector reported, each with the step it was made in.
 *
 * kernel-sim has no event hooks, so this replay wraps the methods of its own kernel instance
 * (syscall entry and exit, sync, uaccess, the race detector's access, reportBug, run) and the
 * threads' bodies, and reads them back as they are: nothing of kernel-sim changes, and no
 * other run pays for it.
 */
import {
  type ChoicePoint,
  type Kernel,
  type KernelBug,
  type KGen,
  type Lock,
  type RunResult,
  replaySchedule,
  type Scheduler,
  type Thread,
  Y_BLOCK,
  type YieldCode,
} from '@pfmsim/kernel-sim';
import type { PerfmonSystem } from '@pfmsim/perfmon-core';
import { failuresOf, type RaceOptions } from './race.js';
import { buildRaceWorld, type RaceWorld } from './race-world.js';

/** What a thread did within a step (noun-verb, DESIGN.md). */
export type RaceEventKind =
  | 'syscall-enter'
  | 'syscall-exit'
  | 'lock-take'
  | 'lock-wait'
  | 'lock-release'
  | 'irq-save'
  | 'irq-restore'
  | 'arg-copy-in'
  | 'arg-copy-out'
  | 'bug-report';

export interface RaceEvent {
  /** The scheduling step it happened in (0-based). */
  readonly step: number;
  /** Thread id (a position of `RaceTrace.threads`). */
  readonly thread: number;
  readonly kind: RaceEventKind;
  /** The call, the lock, the copy's site and size, or the bug's kind. */
  readonly what: string;
  /** syscall-exit: what the call returned (a negative errno on failure), when the thread saw it. */
  readonly result?: number;
}

/** How a step ended: at a preemption point, blocked (on a lock), or the thread ended. */
export type StepEnd = 'preempt' | 'block' | 'done' | 'killed';

export interface RaceStep {
  readonly index: number;
  readonly thread: number;
  readonly end: StepEnd;
  /** The threads the scheduler chose among before this step; null when only one could run. */
  readonly choice: readonly number[] | null;
}

export interface RaceAccess {
  readonly thread: number;
  /** The step it was made in; -1 when the trace holds no such access (made before the run). */
  readonly step: number;
  readonly kind: 'read' | 'write';
  /** The call site's tag ("pfm_get_args"). */
  readonly site: string;
}

/** A data-race report: the access that found it (`access`) and the earlier one (`other`). */
export interface RaceConflict {
  readonly addr: number;
  /** The kernel object holding addr ("144 B (size-256) ctx-arg-cache, allocated at ..."), or "". */
  readonly object: string;
  readonly access: RaceAccess;
  readonly other: RaceAccess;
  readonly message: string;
}

export interface RaceTrace {
  readonly replay: string;
  /** Thread labels by id ("T0 main"). */
  readonly threads: readonly string[];
  readonly steps: readonly RaceStep[];
  readonly events: readonly RaceEvent[];
  readonly conflicts: readonly RaceConflict[];
  readonly bugs: readonly KernelBug[];
  readonly failures: readonly string[];
  readonly traceHash: string;
}

interface Access {
  readonly step: number;
  readonly thread: number;
  readonly addr: number;
  readonly len: number;
  readonly write: boolean;
  readonly site: number;
}

/** What one replay records while its threads run. */
class Recorder {
  readonly steps: RaceStep[] = [];
  readonly events: RaceEvent[] = [];
  readonly conflicts: RaceConflict[] = [];
  // Stryker disable next-line ArrayDeclaration: a stray first element is no access of any thread: the partner search skips it
  readonly accesses: Access[] = [];
  /** The thread of the step now running, or null between steps (and after the run). */
  current: Thread | null = null;
  nextChoice: readonly number[] | null = null;
  access: Access | null = null;

  event(t: Thread, kind: RaceEventKind, what: string): void {
    if (this.current !== null) this.events.push({ step: this.steps.length, thread: t.id, kind, what });
  }
}

/** The race detector's granule: a report names the granule's first byte. */
const GRANULE = 8;
// Stryker disable next-line Regex: every data-race message starts so; the anchor only says where
const RACE_MESSAGE = /^(read|write) by .+ races with (read|write) by /;

export function traceRace(opts: RaceOptions, replay: string): RaceTrace {
  const rec = new Recorder();
  let world: RaceWorld | null = null;
  const { kernel, run } = replaySchedule((seed) => buildRaceWorld(opts, seed), replay, {
    start: (w) => {
      w.start();
      world = w;
      instrument(w, rec);
    },
    baseSeed: opts.seed ?? 1,
  });
  try {
    rec.current = null;
    const failures = failuresOf(world!);
    return {
      replay,
      threads: kernel.threads.map((t) => t.label),
      steps: rec.steps,
      events: rec.events,
      conflicts: rec.conflicts,
      bugs: [...kernel.bugs],
      failures,
      traceHash: run.traceHash,
    };
  } finally {
    kernel.dispose();
  }
}

function instrument(w: RaceWorld, rec: Recorder): void {
  const k = w.kernel;
  // Stryker disable next-line MethodExpression,ConditionalExpression: start() gives every thread of a race world a body; the filter keeps results[i] paired if one ever has none
  const bodied = k.threads.filter((t) => t.body !== null);
  bodied.forEach((t, i) => {
    t.body = traced(t, t.body!, rec, w.results[i]!);
  });
  const run = k.run.bind(k);
  k.run = (policy, maxSteps) => run(isScheduler(policy) ? choices(policy, rec) : policy, maxSteps);

  const enter = k.syscallEnter.bind(k);
  k.syscallEnter = (t, name) => {
    rec.event(t, 'syscall-enter', name);
    enter(t, name);
  };
  const exit = k.syscallExit.bind(k);
  k.syscallExit = (t) => {
    const name = t.syscall ?? '?';
    exit(t);
    rec.event(t, 'syscall-exit', name);
  };
  wrapFdCalls(w.system as PerfmonSystem, rec);
  wrapSync(k, rec);
  wrapCopies(k, rec);
  wrapRaces(k, rec);
}

/**
 * close and dup enter no syscall path of kernel-sim (they return at once): marked here as calls
 * of their own, so every call a thread makes in a step has its exit, and its result.
 */
function wrapFdCalls(s: PerfmonSystem, rec: Recorder): void {
  const sys = s.sys;
  for (const name of ['close', 'dup'] as const) {
    const call = sys[name].bind(sys);
    sys[name] = (t: Thread, fd: number) => {
      rec.event(t, 'syscall-enter', name);
      const r = call(t, fd);
      rec.event(t, 'syscall-exit', name);
      return r;
    };
  }
}

/** Each step of a thread: recorded from the call of next() that runs it to the yield that ends it. */
function* traced(t: Thread, body: KGen<unknown>, rec: Recorder, results: number[]): KGen<unknown> {
  for (;;) {
    const index = rec.steps.length;
    const choice = rec.nextChoice;
    rec.nextChoice = null;
    rec.current = t;
    const seen = results.length;
    let r: IteratorResult<YieldCode, unknown>;
    try {
      r = body.next();
    } catch (e) {
      rec.steps.push({ index, thread: t.id, end: 'killed', choice });
      rec.current = null;
      throw e;
    }
    returned(rec, t, index, results.slice(seen));
    rec.steps.push({
      index,
      thread: t.id,
      end: r.done ? 'done' : r.value === Y_BLOCK ? 'block' : 'preempt',
      choice,
    });
    rec.current = null;
    if (r.done) return r.value;
    yield r.value;
  }
}

/**
 * The values a thread's calls finished in a step returned go to the step's syscall-exit events
 * of that thread, the last ones, in order (every call has its exit: close and dup included).
 */
function returned(rec: Recorder, t: Thread, step: number, values: readonly number[]): void {
  const exits: number[] = [];
  rec.events.forEach((e, i) => {
    if (e.step === step && e.thread === t.id && e.kind === 'syscall-exit') exits.push(i);
  });
  const n = Math.min(values.length, exits.length);
  for (let j = 0; j < n; j++) {
    const i = exits[exits.length - n + j]!;
    rec.events[i] = { ...rec.events[i]!, result: values[values.length - n + j]! };
  }
}

/** The scheduler of the replay, with each choice point's candidates noted for the next step. */
function choices(inner: Scheduler, rec: Recorder): Scheduler {
  const wrapped: Scheduler = {
    // Stryker disable next-line ArrowFunction: a replay is one execution; its scheduler's start and end of it change no step recorded
    newExecution: (n, rng) => inner.newExecution(n, rng),
    nextThread: (point: ChoicePoint) => {
      rec.nextChoice = [...point.candidates];
      return inner.nextThread(point);
    },
    // Stryker disable next-line ArrowFunction: as newExecution
    endExecution: (r: RunResult) => inner.endExecution?.(r),
  };
  return wrapped;
}

function isScheduler(x: unknown): x is Scheduler {
  // Stryker disable next-line ConditionalExpression,OptionalChaining: replaySchedule always runs a Scheduler object; this keeps a policy name from being wrapped
  return typeof (x as Partial<Scheduler> | undefined)?.nextThread === 'function';
}

function wrapSync(k: Kernel, rec: Recorder): void {
  const s = k.sync;
  const taken = (t: Thread, call: string, lock: Lock, waits: boolean): boolean => {
    rec.event(t, waits ? 'lock-wait' : 'lock-take', `${call}(${lock.name})`);
    return waits;
  };
  const released = (t: Thread, call: string, lock: Lock, take: string): void => {
    rec.event(t, 'lock-release', `${call}(${lock.name})`);
    // A waiter gets the lock handed over in the releaser's step.
    if (lock.owner !== null && lock.owner !== t)
      rec.event(lock.owner, 'lock-take', `${take}(${lock.name}) handed over`);
  };
  const spinLock = s.spinLock.bind(s);
  s.spinLock = (t, l) => taken(t, 'spin_lock', l, spinLock(t, l));
  const spinLockIrqsave = s.spinLockIrqsave.bind(s);
  s.spinLockIrqsave = (t, l) => taken(t, 'spin_lock_irqsave', l, spinLockIrqsave(t, l));
  const mutexLock = s.mutexLock.bind(s);
  s.mutexLock = (t, m) => taken(t, 'mutex_lock', m, mutexLock(t, m));
  const spinUnlock = s.spinUnlock.bind(s);
  s.spinUnlock = (t, l) => {
    spinUnlock(t, l);
    released(t, 'spin_unlock', l, 'spin_lock');
  };
  const spinUnlockIrqrestore = s.spinUnlockIrqrestore.bind(s);
  s.spinUnlockIrqrestore = (t, l) => {
    spinUnlockIrqrestore(t, l);
    released(t, 'spin_unlock_irqrestore', l, 'spin_lock_irqsave');
  };
  const mutexUnlock = s.mutexUnlock.bind(s);
  s.mutexUnlock = (t, m) => {
    mutexUnlock(t, m);
    released(t, 'mutex_unlock', m, 'mutex_lock');
  };
  const save = s.localIrqSave.bind(s);
  s.localIrqSave = (t) => {
    rec.event(t, 'irq-save', 'local_irq_save');
    return save(t);
  };
  const restore = s.localIrqRestore.bind(s);
  s.localIrqRestore = (t, flags) => {
    restore(t, flags);
    rec.event(t, 'irq-restore', 'local_irq_restore');
  };
  const disable = s.localIrqDisable.bind(s);
  s.localIrqDisable = (t) => {
    rec.event(t, 'irq-save', 'local_irq_disable');
    disable(t);
  };
  const enable = s.localIrqEnable.bind(s);
  s.localIrqEnable = (t) => {
    enable(t);
    rec.event(t, 'irq-restore', 'local_irq_enable');
  };
}

function wrapCopies(k: Kernel, rec: Recorder): void {
  const u = k.uaccess;
  const from = u.copyFromUser.bind(u);
  u.copyFromUser = (t, kaddr, uaddr, len, site = 0) => {
    rec.event(t, 'arg-copy-in', `copy_from_user ${len} B${site ? ` at ${k.mem.tagName(site)}` : ''}`);
    return from(t, kaddr, uaddr, len, site);
  };
  const to = u.copyToUser.bind(u);
  u.copyToUser = (t, uaddr, kaddr, len, site = 0) => {
    rec.event(t, 'arg-copy-out', `copy_to_user ${len} B${site ? ` at ${k.mem.tagName(site)}` : ''}`);
    return to(t, uaddr, kaddr, len, site);
  };
}

/** Every access the detector checks is logged; a data-race report names the pair it found. */
function wrapRaces(k: Kernel, rec: Recorder): void {
  const race = k.race;
  const check = race.access.bind(race);
  race.access = (t, addr, len, isWrite, site) => {
    if (rec.current === null) return check(t, addr, len, isWrite, site);
    const a: Access = { step: rec.steps.length, thread: t.id, addr, len, write: isWrite, site };
    rec.access = a;
    check(t, addr, len, isWrite, site);
    rec.access = null;
    rec.accesses.push(a);
  };
  const report = k.reportBug.bind(k);
  k.reportBug = (kind, t, message, detail = {}) => {
    const before = k.bugs.length;
    const bug = report(kind, t, message, detail);
    if (k.bugs.length === before || t === null || rec.current === null) return bug;
    if (kind === 'data-race' && rec.access !== null && rec.current !== null)
      rec.conflicts.push(conflict(k, rec, rec.access, message, detail));
    else rec.event(t, 'bug-report', `${kind}: ${message}`);
    return bug;
  };
}

function conflict(
  k: Kernel,
  rec: Recorder,
  a: Access,
  message: string,
  detail: Readonly<Record<string, string | number>>,
): RaceConflict {
  const addr = Number(detail.addr);
  const otherThread = k.threads.findIndex((t) => t.label === detail.otherThread);
  const otherKind = RACE_MESSAGE.exec(message)?.[2] === 'write' ? 'write' : 'read';
  const otherSite = String(detail.otherSite);
  // The latest access of the other thread to these bytes, of that kind, at that site.
  let prior: Access | undefined;
  for (const x of rec.accesses) {
    const same = x.thread === otherThread && x.write === (otherKind === 'write');
    if (same && x.addr < addr + GRANULE && addr < x.addr + x.len && k.mem.tagName(x.site) === otherSite)
      prior = x;
  }
  const live = k.mem.liveObjectsSince(null).find((o) => o.addr <= addr && addr < o.addr + o.size);
  return {
    addr,
    object: live ? `${live.size} B (${live.cache}) ${live.owner}, allocated at ${live.site}` : '',
    access: { thread: a.thread, step: a.step, kind: a.write ? 'write' : 'read', site: k.mem.tagName(a.site) },
    other: { thread: otherThread, step: prior?.step ?? -1, kind: otherKind, site: otherSite },
    message,
  };
}
