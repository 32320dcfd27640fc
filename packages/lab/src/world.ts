import { type ArgBufferStrategy, createStrategy } from '@pfmsim/buffer-strategies';
import type { CostOverrides, Process, Thread } from '@pfmsim/kernel-sim';
import {
  type AbiProfileId,
  createPfargCtx,
  createPfargPmc,
  createPfargPmd,
  createSystem,
  encodePfarg,
  encodePfargVector,
  type PerfmonSystem,
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

/** A perfmon2 system with one process, ready to issue vector calls on one context. */
export interface World {
  readonly s: PerfmonSystem;
  readonly p: Process;
  readonly main: Thread;
  readonly fd: number;
  /** A user vector of `count` valid elements for `syscall`, written into fresh user memory. */
  vector(syscall: VectorSyscall, count: number): number;
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
    arenaBytes: opts.arenaBytes ?? 16 << 20,
    ...(opts.costOverrides ? { costOverrides: opts.costOverrides } : {}),
    preemptAll: opts.preemptAll ?? false,
  });
  const p = s.process({ uid: 1000, name: 'lab' });
  const main = s.thread(p, 'main');
  const abi = s.abi;
  const uctx = p.mm.mmap(4096);
  encodePfarg('ctx', p.mm.dataView(uctx, abi.sizes.ctx, true), 0, createPfargCtx(), abi);
  const r = s.gate(main).pfm_create_context(uctx);
  if (!r.ok) throw new Error(`lab: pfm_create_context failed with errno ${r.errno}`);
  const fd = abi.createContextReturnsFd
    ? r.value
    : p.mm.dataView(uctx, abi.sizes.ctx, false).getInt32(abi.offsets.ctxFd, true);
  const pmcs = s.pmu.model.pmcs.map((x) => x.index);
  const pmds =
    s.pmu.model.counterPmds.length > 0 ? s.pmu.model.counterPmds : s.pmu.model.pmds.map((x) => x.index);
  const vector = (syscall: VectorSyscall, count: number): number => {
    const kind = syscall === 'pfm_write_pmcs' ? 'pmc' : 'pmd';
    const size = abi.sizes[kind];
    const u = p.mm.mmap(Math.max(1, count * size));
    const view = p.mm.dataView(u, Math.max(1, count * size), true);
    if (kind === 'pmc') {
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
  return { s, p, main, fd, vector };
}

/** Raises the per-call limit (arg_size_max / arg_mem_max) so a vector of `bytes` fits. */
export function fitLimit(s: PerfmonSystem, bytes: number): number {
  const page = s.k.arch.pageSize;
  const limit = Math.max(page, Math.ceil(bytes / page) * page);
  s.sysfs.write(s.abi.limitName, String(limit));
  return limit;
}
