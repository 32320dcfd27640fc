import type { BoundedStrategy } from '@pfmsim/buffer-strategies';
import {
  type ArchId,
  checkInteger,
  getArch,
  MAX_ARENA_BYTES,
  MAX_ARENA_BYTES_32BIT,
  type Thread,
} from '@pfmsim/kernel-sim';
import { errnoName, type PerfmonSystem } from '@pfmsim/perfmon-core';
import { type Client, createWorld, type VectorSyscall, type World, type WorldOptions } from './world.js';

/** The attack's call: a full-size vector is copied into a kernel buffer the strategy provides. */
const ATTACK_CALL: VectorSyscall = 'pfm_write_pmds';

/** fs.nr_open: the most RLIMIT_NOFILE may be (NR_OPEN = 1024 * 1024 in 2.6.18; a sysctl since 2.6.25). */
export const NR_OPEN = 1 << 20;

/** The first attacker's uid; attacker i has uid FIRST_UID + i. */
export const FIRST_UID = 1000;

export interface AttackSample {
  /** Contexts opened so far, all users together. */
  readonly contexts: number;
  /** Argument-buffer memory the strategy keeps for the attackers (owner tags args:uid:N). */
  readonly pinnedBytes: number;
  /**
   * The same, per user (in the order of `users`). Every sample runAttack takes has it; a curve
   * read from an attack document of an earlier version may not.
   */
  readonly pinnedByUser?: readonly number[];
  /** All live kernel slab memory. */
  readonly kernelBytes: number;
}

export interface AttackUser {
  readonly uid: number;
  /** Contexts this user tried to open (its share of the attack). */
  readonly contexts: number;
  /** Contexts it did open (fewer when its RLIMIT_NOFILE or kernel memory ran out). */
  readonly opened: number;
  /** Its RLIMIT_NOFILE (at most fs.nr_open). */
  readonly fdLimit: number;
  /** Argument memory kept for it after its calls (what stays pinned). */
  readonly pinnedBytesAfter: number;
  /** The most argument memory it ever had: kept buffers plus the buffer of a call in flight. */
  readonly peakBytes: number;
  readonly errors: readonly string[];
}

/** One slab cache of what the attack made the kernel hold (a /proc/slabinfo line, as a change). */
export interface SlabLine {
  readonly cache: string;
  readonly objSize: number;
  /** Live objects after the attack, and how many of them the attack added. */
  readonly activeObjs: number;
  readonly addedObjs: number;
  readonly addedBytes: number;
}

/** A bounded strategy's limits, as configured (its userBudget / globalBudget knobs). */
export interface AttackBudget {
  readonly userBytes: number;
  readonly globalBytes: number;
}

export interface AttackResult {
  readonly strategy: string;
  readonly contexts: number;
  /** Bytes of the vector each context was called with (the full per-call limit). */
  readonly vectorBytes: number;
  readonly samples: readonly AttackSample[];
  readonly users: readonly AttackUser[];
  /** fs.nr_open of the run. */
  readonly nrOpen: number;
  /** The strategy's budgets (ctx-cache-bounded, hybrid), or null for a strategy without one. */
  readonly budget: AttackBudget | null;
  /** What the attack left in the kernel's slab caches, by cache (largest first). */
  readonly slabinfo: readonly SlabLine[];
  readonly pinnedBytesAfter: number;
  readonly pinnedPagesAfter: number;
  /** Pinned bytes after every context was closed (a per-thread cache still holds its buffer). */
  readonly pinnedBytesAfterClose: number;
  /** Pinned bytes after the attackers' threads exited too (what a leak would leave). */
  readonly pinnedBytesAfterExit: number;
  readonly errors: readonly string[];
  /** Why the attack did less than asked (a limit reached), in words. */
  readonly notes: readonly string[];
  readonly kernelBugs: number;
}

export interface AttackOptions extends WorldOptions {
  /** Contexts in all, shared among the users (the first ones get one more when it does not divide). */
  contexts: number;
  /** Attackers, each a process of its own uid (1000, 1001, ...). Default 1. */
  users?: number;
  /** Points of the memory curve (default 32). */
  samples?: number;
  /** Each attacker's RLIMIT_NOFILE (default: its share plus 16, at most fs.nr_open). */
  fdLimit?: number;
  /** fs.nr_open (default NR_OPEN): no RLIMIT_NOFILE may exceed it. */
  nrOpen?: number;
}

/**
 * Kernel memory for an attack with `units` contexts (or threads): per unit a pinned page, a
 * transient page and a context (or a kernel stack, `extra`), with room for the world's own,
 * up to the largest arena (16 GiB; 4 GiB with 32-bit words). Host memory follows what the
 * attack touches, not this size: past the arena the kernel's allocations fail (ENOMEM), as on a
 * machine out of memory.
 */
function attackArenaBytes(opts: WorldOptions, units: number, extra = 2048): number {
  const arch = getArch(opts.machine.arch as ArchId);
  const largest = arch.wordSize === 4 ? MAX_ARENA_BYTES_32BIT : MAX_ARENA_BYTES;
  return Math.min(largest, (units + 512) * (2 * arch.pageSize + extra));
}

/**
 * The seed's memory-pinning attack: `users` users (one process each) open `contexts` perfmon
 * contexts between them, taking turns, and call pfm_write_pmds once on each with a vector as
 * large as arg_size_max allows, then keep them open. Under a per-context cache that pins a page
 * per context; under a bounded one, at most each user's budget and the global one.
 */
export function runAttack(opts: AttackOptions): AttackResult {
  const n = opts.contexts;
  const userCount = checkInteger('users', opts.users ?? 1, 1, 4096);
  const nrOpen = checkInteger('nrOpen', opts.nrOpen ?? NR_OPEN, 1, NR_OPEN);
  const w = createWorld({ ...opts, arenaBytes: Math.max(opts.arenaBytes ?? 0, attackArenaBytes(opts, n)) });
  const { s } = w;
  const notes = new Set<string>();
  const shares = Array.from(
    { length: userCount },
    (_, i) => Math.floor(n / userCount) + (i < n % userCount ? 1 : 0),
  );
  const clients = shares.map((share, i) => {
    const fdLimit = fdLimitFor(opts.fdLimit ?? share + 16, nrOpen, notes);
    if (i === 0) {
      w.p.fdLimit = fdLimit;
      return w as Client;
    }
    return w.addClient({ uid: FIRST_UID + i, name: `attacker${i}`, fdLimit });
  });
  const before = new Map(s.k.mem.cacheStats().map((c) => [c.name, c.live]));
  const run = openAndCall(w, clients, shares, opts.samples ?? 32);
  clients.forEach((c, i) => {
    if (run.failed[i]) notes.add(stopNote(w, c, run.fds[i]!.length));
  });
  const users: AttackUser[] = clients.map((c, i) => ({
    uid: c.p.uid,
    contexts: shares[i]!,
    opened: run.fds[i]!.length,
    fdLimit: c.p.fdLimit,
    pinnedBytesAfter: s.pinnedArgBytes(c.p.uid),
    peakBytes: s.k.mem.ownerHighWater(`args:uid:${c.p.uid}`),
    errors: [...run.userErrors[i]!],
  }));
  const slabinfo = slabinfoSince(s, before);
  const pinnedBytesAfter = users.reduce((a, u) => a + u.pinnedBytesAfter, 0);
  const budget = budgetOf(s);
  clients.forEach((c, i) => {
    const g = s.gate(c.main);
    for (const fd of run.fds[i]!) g.close(fd);
  });
  const pinnedAll = () => users.reduce((a, u) => a + s.pinnedArgBytes(u.uid), 0);
  const pinnedBytesAfterClose = pinnedAll();
  for (const c of clients) s.k.exitThread(c.main);
  return {
    strategy: s.strategy.name,
    contexts: n,
    vectorBytes: run.vectorBytes,
    samples: run.samples,
    users,
    nrOpen,
    budget,
    slabinfo,
    pinnedBytesAfter,
    pinnedPagesAfter: Math.ceil(pinnedBytesAfter / s.k.arch.pageSize),
    pinnedBytesAfterClose,
    pinnedBytesAfterExit: pinnedAll(),
    errors: [...run.errors],
    notes: [...notes],
    kernelBugs: s.k.bugs.length,
  };
}

/** RLIMIT_NOFILE as setrlimit leaves it: above fs.nr_open it fails with EPERM (noted once). */
function fdLimitFor(wanted: number, nrOpen: number, notes: Set<string>): number {
  if (wanted <= nrOpen) return wanted;
  notes.add(
    `RLIMIT_NOFILE ${wanted} is above fs.nr_open (${nrOpen}): setrlimit fails (EPERM), so the limit is ${nrOpen}`,
  );
  return nrOpen;
}

/** Why a user's pfm_create_context failed: its descriptor limit, or the kernel's memory. */
function stopNote(w: World, c: Client, opened: number): string {
  if (opened >= c.p.fdLimit)
    return `uid ${c.p.uid} stopped at ${opened} contexts: its RLIMIT_NOFILE (${c.p.fdLimit}); perfmon2's pfm_create_context reports any descriptor failure as ENFILE (open(2) would say EMFILE)`;
  const k = w.s.k;
  return outOfMemoryNote(c.p.uid, opened, k.mem.numPages * k.arch.pageSize, k.arch.wordSize);
}

/** The note of a user whose contexts ran the kernel out of memory, with the arena's size. */
export function outOfMemoryNote(uid: number, opened: number, arenaBytes: number, wordSize: number): string {
  const size =
    arenaBytes >= 2 ** 30
      ? `${+(arenaBytes / 2 ** 30).toFixed(2)} GiB`
      : `${+(arenaBytes / 2 ** 20).toFixed(1)} MiB`;
  const most =
    wordSize === 4 && arenaBytes === MAX_ARENA_BYTES_32BIT
      ? ": a 32-bit kernel's most; a 64-bit machine such as core2-2007 holds up to 16 GiB"
      : '';
  return `uid ${uid} stopped at ${opened} contexts: kernel memory ran out (${size}${most})`;
}

interface AttackRun {
  readonly fds: number[][];
  readonly failed: boolean[];
  readonly userErrors: Set<string>[];
  readonly errors: Set<string>;
  readonly samples: AttackSample[];
  readonly vectorBytes: number;
}

/**
 * The attack itself: users take turns, each opening its next context (the first user's first is
 * the world's own) and calling pfm_write_pmds on it with the largest vector; a user whose
 * pfm_create_context fails stops. The memory curve is sampled about `samplePoints` times.
 */
function openAndCall(
  w: World,
  clients: readonly Client[],
  shares: readonly number[],
  samplePoints: number,
): AttackRun {
  const { s } = w;
  const size = w.elemSize(ATTACK_CALL);
  const count = Math.floor(s.sysfs.state.argSizeMax / size);
  const vectors = clients.map((c) => c.vector(ATTACK_CALL, count));
  const run: AttackRun = {
    fds: clients.map((_, i) => (i === 0 ? [w.fd] : [])),
    failed: clients.map(() => false),
    userErrors: clients.map(() => new Set<string>()),
    errors: new Set<string>(),
    samples: [],
    vectorBytes: count * size,
  };
  const uids = clients.map((c) => c.p.uid);
  const total = shares.reduce((a, b) => a + b, 0);
  const every = Math.max(1, Math.floor(total / samplePoints));
  const sample = (contexts: number) => {
    const pinnedByUser = uids.map((uid) => s.pinnedArgBytes(uid));
    run.samples.push({
      contexts,
      pinnedBytes: pinnedByUser.reduce((a, b) => a + b, 0),
      pinnedByUser,
      kernelBytes: s.k.mem.liveBytes,
    });
  };
  const fail = (i: number, e: string) => {
    run.errors.add(e);
    run.userErrors[i]!.add(e);
  };
  sample(0);
  let done = 0;
  const rounds = Math.max(...shares);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < clients.length; i++) {
      if (r >= shares[i]! || run.failed[i]) continue;
      const c = clients[i]!;
      let fd = run.fds[i]![r];
      if (fd === undefined) {
        fd = c.open();
        if (fd < 0) {
          fail(i, `create context: ${errnoName(-fd)}`);
          run.failed[i] = true;
          continue;
        }
        run.fds[i]!.push(fd);
      }
      const ret = s.k.runSync(c.main, c.callOn(fd, ATTACK_CALL, c.main, vectors[i]!, count));
      if (ret < 0) fail(i, `${ATTACK_CALL}: ${errnoName(-ret)}`);
      done++;
      if (done % every === 0) sample(done);
    }
  }
  if (run.samples.at(-1)!.contexts !== done) sample(done);
  return run;
}

/** What the attack added to each slab cache since `before` (cache -> live objects), largest first. */
function slabinfoSince(s: PerfmonSystem, before: ReadonlyMap<string, number>): SlabLine[] {
  return s.k.mem
    .cacheStats()
    .map((c) => ({
      cache: c.name,
      objSize: c.objSize,
      activeObjs: c.live,
      addedObjs: c.live - (before.get(c.name) ?? 0),
      addedBytes: (c.live - (before.get(c.name) ?? 0)) * c.objSize,
    }))
    .filter((l) => l.addedObjs !== 0)
    .sort((a, b) => b.addedBytes - a.addedBytes || a.cache.localeCompare(b.cache));
}

function budgetOf(s: PerfmonSystem): AttackBudget | null {
  const strategy = s.strategy as Partial<BoundedStrategy>;
  if (typeof strategy.budgetReport !== 'function') return null;
  const r = strategy.budgetReport(s.k);
  return { userBytes: r.userLimitBytes, globalBytes: r.globalLimitBytes };
}

export interface ThreadAttackResult {
  readonly strategy: string;
  readonly threads: number;
  readonly pinnedBytesAfter: number;
  /** Pinned bytes after the context was closed and every attacker thread exited. */
  readonly pinnedBytesAfterExit: number;
  readonly errors: readonly string[];
  readonly kernelBugs: number;
}

/**
 * The same attack through threads instead of contexts: one context, `threads` threads of the
 * attacker's process each make one full-size call and stay alive. A cache per thread pins a
 * buffer per thread; a cache per context, one.
 */
export function runThreadAttack(opts: WorldOptions & { threads: number }): ThreadAttackResult {
  const n = opts.threads;
  // Each attacker thread also holds a kernel stack (THREAD_SIZE: 32 KiB on IA-64).
  const stack = getArch(opts.machine.arch as ArchId).threadSize;
  const w = createWorld({
    ...opts,
    arenaBytes: Math.max(opts.arenaBytes ?? 0, attackArenaBytes(opts, n, stack + 2048)),
  });
  const { s, p } = w;
  const size = w.elemSize(ATTACK_CALL);
  const count = Math.floor(s.sysfs.state.argSizeMax / size);
  const u = w.vector(ATTACK_CALL, count);
  const errors = new Set<string>();
  const attackers: Thread[] = [];
  for (let i = 0; i < n; i++) {
    // Stryker disable next-line ConditionalExpression,StringLiteral: main is an idle thread of the same process, so a fresh thread in its place makes the same call and pins the same; names only show in kernel bug messages, which this result counts
    const t = i === 0 ? w.main : s.thread(p, `attacker${i}`);
    attackers.push(t);
    const r = s.k.runSync(t, w.call(ATTACK_CALL, t, u, count));
    if (r < 0) errors.add(`${ATTACK_CALL}: ${errnoName(-r)}`);
  }
  const pinnedBytesAfter = s.pinnedArgBytes(p.uid);
  s.gate(w.main).close(w.fd);
  for (const t of attackers) s.k.exitThread(t);
  return {
    strategy: s.strategy.name,
    threads: n,
    pinnedBytesAfter,
    pinnedBytesAfterExit: s.pinnedArgBytes(p.uid),
    errors: [...errors],
    kernelBugs: s.k.bugs.length,
  };
}
