import { type ArchId, getArch, type Thread } from '@pfmsim/kernel-sim';
import { errnoName } from '@pfmsim/perfmon-core';
import { createWorld, type VectorSyscall, type WorldOptions } from './world.js';

/** The attack's call: a full-size vector is copied into a kernel buffer the strategy provides. */
const ATTACK_CALL: VectorSyscall = 'pfm_write_pmds';

export interface AttackSample {
  readonly contexts: number;
  /** Argument-buffer memory the strategy keeps for the attacker (owner tag args:uid:N). */
  readonly pinnedBytes: number;
  /** All live kernel slab memory. */
  readonly kernelBytes: number;
}

export interface AttackResult {
  readonly strategy: string;
  readonly contexts: number;
  /** Bytes of the vector each context was called with (the full per-call limit). */
  readonly vectorBytes: number;
  readonly samples: readonly AttackSample[];
  readonly pinnedBytesAfter: number;
  readonly pinnedPagesAfter: number;
  /** Pinned bytes after every context was closed (a per-thread cache still holds its buffer). */
  readonly pinnedBytesAfterClose: number;
  /** Pinned bytes after the attacker's thread exited too (what a leak would leave). */
  readonly pinnedBytesAfterExit: number;
  readonly errors: readonly string[];
  readonly kernelBugs: number;
}

/**
 * The seed's memory-pinning attack: one user opens `contexts` perfmon contexts and calls
 * pfm_write_pmds once on each with a vector as large as arg_size_max allows, then keeps them
 * open. Under a per-context cache that pins a page per context.
 */
export function runAttack(opts: WorldOptions & { contexts: number; samples?: number }): AttackResult {
  const n = opts.contexts;
  const w = createWorld({ ...opts, arenaBytes: Math.max(opts.arenaBytes ?? 0, (n * 2 + 512) * 4096 * 2) });
  const { s, p } = w;
  p.fdLimit = n + 16;
  const g = s.gate(w.main);
  const size = w.elemSize(ATTACK_CALL);
  const count = Math.floor(s.sysfs.state.argSizeMax / size);
  const u = w.vector(ATTACK_CALL, count);
  const fds: number[] = [w.fd];
  const samples: AttackSample[] = [];
  const every = Math.max(1, Math.floor(n / (opts.samples ?? 32)));
  const errors = new Set<string>();
  const sample = (contexts: number) =>
    samples.push({ contexts, pinnedBytes: s.pinnedArgBytes(p.uid), kernelBytes: s.k.mem.liveBytes });
  sample(0);
  for (let i = 0; i < n; i++) {
    let fd = fds[i];
    if (fd === undefined) {
      fd = w.open();
      // Stryker disable next-line EqualityOperator: fd 0 is the world's own context, open for the whole attack, so a new one is never 0
      if (fd < 0) {
        errors.add(`create context: ${errnoName(-fd)}`);
        break;
      }
      fds.push(fd);
    }
    const r = s.k.runSync(w.main, w.callOn(fd, ATTACK_CALL, w.main, u, count));
    if (r < 0) errors.add(`${ATTACK_CALL}: ${errnoName(-r)}`);
    if ((i + 1) % every === 0 || i === n - 1) sample(i + 1);
  }
  const pinnedBytesAfter = s.pinnedArgBytes(p.uid);
  for (const fd of fds) g.close(fd);
  const pinnedBytesAfterClose = s.pinnedArgBytes(p.uid);
  s.k.exitThread(w.main);
  return {
    strategy: s.strategy.name,
    contexts: n,
    vectorBytes: count * size,
    samples,
    pinnedBytesAfter,
    pinnedPagesAfter: Math.ceil(pinnedBytesAfter / s.k.arch.pageSize),
    pinnedBytesAfterClose,
    pinnedBytesAfterExit: s.pinnedArgBytes(p.uid),
    errors: [...errors],
    kernelBugs: s.k.bugs.length,
  };
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
  const stacks = n * getArch(opts.machine.arch as ArchId).threadSize;
  const w = createWorld({
    ...opts,
    arenaBytes: Math.max(opts.arenaBytes ?? 0, (n * 2 + 512) * 4096 * 2 + stacks),
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
