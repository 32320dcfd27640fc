import { type ArgBufferStrategy, createStrategy } from '@pfmsim/buffer-strategies';
import type { CostOverrides, KGen, Process, Thread } from '@pfmsim/kernel-sim';
import {
  type AbiProfileId,
  createPfargCtx,
  createPfargPmc,
  createPfargPmd,
  createPfargPmr,
  createSystem,
  encodePfarg,
  encodePfargVector,
  encodePmr,
  type PerfmonSystem,
  PFM_RW_PMC,
  PFM_RW_PMD,
} from '@pfmsim/perfmon-core';
import type { Machine } from './machines.js';

export type VectorSyscall = 'pfm_read_pmds' | 'pfm_write_pmds' | 'pfm_write_pmcs';
export const VECTOR_SYSCALLS: readonly VectorSyscall[] = [
  'pfm_read_pmds',
  'pfm_write_pmds',
  'pfm_write_pmcs',
];

export interface WorldOptions {
  machine: Machine;
  strategy: string | ArgBufferStrategy;
  strategyOptions?: object;
  abi?: AbiProfileId;
  seed?: number;
  cpus?: number;
  arenaBytes?: number;
  costOverrides?: CostOverrides;
  preemptAll?: boolean;
}

/** One process of a world and what it needs to make calls: its thread, vectors, contexts. */
export interface Client {
  readonly p: Process;
  readonly main: Thread;
  /** A user vector of `count` valid elements for `syscall`, written into fresh user memory. */
  vector(syscall: VectorSyscall, count: number): number;
  /** Bytes of one element of `syscall`'s vector under this ABI. */
  elemSize(syscall: VectorSyscall): number;
  /** Opens another context (pfm_create_context from `main`): its fd, or -errno. */
  open(): number;
  /** The kernel code of one call on `fd` (the v2 call, or its perfmon3 equivalent under abi v3). */
  callOn(fd: number, syscall: VectorSyscall, t: Thread, uaddr: number, count: number): KGen<number>;
}

/** A perfmon2 system with one process (uid 1000), ready to issue vector calls on one context. */
export interface World extends Client {
  readonly s: PerfmonSystem;
  readonly fd: number;
  /** The kernel code of one call on the world's context. */
  call(syscall: VectorSyscall, t: Thread, uaddr: number, count: number): KGen<number>;
  /** Another process (another user, with its own limits) and its thread `main`. */
  addClient(opts: { uid: number; name: string; fdLimit?: number; memlock?: number }): Client;
}

export function createWorld(opts: WorldOptions): World {
  const strategy =
    typeof opts.strategy === 'string'
      ? createStrategy(opts.strategy, opts.strategyOptions ?? {})
      : opts.strategy;
  const s = createSystem({
    machine: { arch: opts.machine.arch, cost: opts.machine.cost, pmu: opts.machine.pmu },
    strategy,
    abi: opts.abi ?? 'v2.3',
    seed: opts.seed ?? 1,
    cpus: opts.cpus ?? 1,
    arenaBytes: opts.arenaBytes ?? 1 << 20,
    ...(opts.costOverrides ? { costOverrides: opts.costOverrides } : {}),
    preemptAll: opts.preemptAll ?? false,
  });
  const first = makeClient(s, s.process({ uid: 1000, name: 'lab' }));
  const fd = first.open();
  if (fd < 0) throw new Error(`lab: creating a context failed with errno ${-fd}`);
  const call = (syscall: VectorSyscall, t: Thread, u: number, count: number) =>
    first.callOn(fd, syscall, t, u, count);
  const addClient = (o: { uid: number; name: string; fdLimit?: number; memlock?: number }): Client => {
    const p = s.process({
      uid: o.uid,
      name: o.name,
      ...(o.memlock !== undefined ? { memlock: o.memlock } : {}),
    });
    if (o.fdLimit !== undefined) p.fdLimit = o.fdLimit;
    return makeClient(s, p);
  };
  return { ...first, s, fd, call, addClient };
}

function makeClient(s: PerfmonSystem, p: Process): Client {
  const main = s.thread(p, 'main');
  const abi = s.abi;
  const v3 = s.v3;
  const uctx = v3 ? 0 : p.mm.mmap(4096);
  if (!v3) encodePfarg('ctx', p.mm.dataView(uctx, abi.sizes.ctx, true), 0, createPfargCtx(), abi);
  const open = (): number => {
    if (v3) {
      const r = s.gate(main).pfm_create(0);
      return r.ok ? r.value : -r.errno;
    }
    const r = s.gate(main).pfm_create_context(uctx);
    if (!r.ok) return -r.errno;
    return abi.createContextReturnsFd
      ? r.value
      : p.mm.dataView(uctx, abi.sizes.ctx, false).getInt32(abi.offsets.ctxFd, true);
  };
  const pmcs = s.pmu.model.pmcs.map((x) => x.index);
  // Every model has a counter PMD: validation refuses one without (rule no-counters).
  const pmds = s.pmu.model.counterPmds;
  const elemSize = (syscall: VectorSyscall) =>
    v3 ? 16 : abi.sizes[syscall === 'pfm_write_pmcs' ? 'pmc' : 'pmd'];
  const vector = (syscall: VectorSyscall, count: number): number => {
    const kind = syscall === 'pfm_write_pmcs' ? 'pmc' : 'pmd';
    const size = elemSize(syscall);
    const u = p.mm.mmap(Math.max(1, count * size));
    const view = p.mm.dataView(u, Math.max(1, count * size), true);
    if (v3) {
      const regs = kind === 'pmc' ? pmcs : pmds;
      for (let i = 0; i < count; i++)
        encodePmr(view, i * 16, createPfargPmr({ reg_num: regs[i % regs.length]! }));
    } else if (kind === 'pmc') {
      encodePfargVector(
        'pmc',
        view,
        0,
        Array.from({ length: count }, (_, i) => createPfargPmc({ reg_num: pmcs[i % pmcs.length]! })),
        abi,
      );
    } else {
      encodePfargVector(
        'pmd',
        view,
        0,
        Array.from({ length: count }, (_, i) => createPfargPmd({ reg_num: pmds[i % pmds.length]! })),
        abi,
      );
    }
    return u;
  };
  const callOn = (
    onFd: number,
    syscall: VectorSyscall,
    t: Thread,
    u: number,
    count: number,
  ): KGen<number> => {
    if (!v3) return s.sys[syscall](t, onFd, u, count);
    const bytes = count * 16;
    if (syscall === 'pfm_read_pmds') return s.v3sys.pfm_read(t, onFd, 0, PFM_RW_PMD, u, bytes);
    return s.v3sys.pfm_write(t, onFd, 0, syscall === 'pfm_write_pmcs' ? PFM_RW_PMC : PFM_RW_PMD, u, bytes);
  };
  return { p, main, vector, elemSize, open, callOn };
}

/** Raises the per-call limit (arg_size_max / arg_mem_max) so a vector of `bytes` fits. */
export function fitLimit(s: PerfmonSystem, bytes: number): number {
  const page = s.k.arch.pageSize;
  const limit = Math.max(page, Math.ceil(bytes / page) * page);
  s.sysfs.write(s.abi.limitName, String(limit));
  return limit;
}
