import { type ArgBufferStrategy, createStackStrategy } from '@pfmsim/buffer-strategies';
import type { Thread } from '@pfmsim/kernel-sim';
import {
  type AbiProfileId,
  createPfargCtx,
  createPfargLoad,
  createPfargPmc,
  createPfargPmd,
  createPfargSetdesc,
  createPfargSetinfo,
  createSystem,
  decodePfargVector,
  encodePfargVector,
  errnoName,
  type PerfmonSystem,
  PFM_SETFL_TIME_SWITCH,
  type StructValues,
  type V2AbiProfile,
  type V2StructName,
  type Workload,
  workloadFromEvents,
} from '@pfmsim/perfmon-core';
import { PFM_PLM0, PFM_PLM3 } from './constants.js';
import type { DispatchOutput, SearchMode } from './dispatch-types.js';
import { PFMLIB_ERR_NOASSIGN, PfmError } from './errors.js';
import type { PfmEvent } from './events.js';
import { type Libpfm, pfmInitialize } from './library.js';
import { PerfmonGate } from './os/perfmon.js';
import type { UserMemory } from './os/user-memory.js';

/** A failing system call inside the high-level API: carries the kernel's errno unchanged. */
export class SyscallError extends Error {
  override readonly name = 'SyscallError';
  constructor(
    readonly call: string,
    readonly errno: number,
  ) {
    super(`${call}: ${errnoName(errno)}`);
  }
}

export interface SessionOptions {
  machine: { arch: string; cost: string; pmu: string };
  strategy?: ArgBufferStrategy;
  abi?: AbiProfileId;
  seed?: number;
  /** Counter search of the session's dispatches: `'libpfm'` (default) or `'exhaustive'`. */
  search?: SearchMode;
}

export interface CountOptions extends SessionOptions {
  events: readonly string[];
  /** A compiled workload, or event name -> events per cycle in user mode. */
  workload: Workload | Record<string, number>;
  /** Cycles the workload runs. */
  cycles: number;
  plm?: 'user' | 'kernel' | 'both';
  /** Set switch timeout when multiplexing (ns); default 10 ms (multiplex2's 100 Hz). */
  switchNs?: number;
}

export interface CountedEvent {
  readonly name: string;
  readonly set: number;
  readonly pmd: number;
  /** Raw 64-bit count. */
  readonly value: number;
  /** Time monitoring was on (ns), and the time this event's set was active (ns). */
  readonly enabledNs: number;
  readonly runningNs: number;
  /** value x enabled / running (multiplex2: scaled by duration, not runs). */
  readonly scaled: number;
}

export interface CountResult {
  readonly events: readonly CountedEvent[];
  readonly multiplexed: boolean;
  readonly sets: number;
  readonly cycles: number;
}

/** A libpfm session on a simulated machine: the system, one thread and its syscall gate. */
export interface Session {
  readonly sys: PerfmonSystem;
  readonly thread: Thread;
  readonly gate: PerfmonGate;
  readonly lib: Libpfm;
}

export function openSession(opts: SessionOptions): Session {
  const sys = createSystem({
    machine: opts.machine,
    strategy: opts.strategy ?? createStackStrategy(),
    abi: opts.abi ?? 'v2.3',
    seed: opts.seed ?? 1,
  });
  const thread = sys.thread(sys.process({ uid: 1000, name: 'libpfm' }), 'self');
  return {
    sys,
    thread,
    gate: new PerfmonGate(sys, thread),
    lib: pfmInitialize({ model: sys.pmu.model, search: opts.search ?? 'libpfm' }),
  };
}

function plmBits(plm: CountOptions['plm']): number {
  return plm === 'kernel' ? PFM_PLM0 : plm === 'both' ? PFM_PLM0 | PFM_PLM3 : PFM_PLM3;
}

/** Copies pfarg structs into fresh user memory, as the C caller's arrays; returns their address. */
export function putArgs<K extends V2StructName>(
  mem: UserMemory,
  abi: V2AbiProfile,
  kind: K,
  values: readonly StructValues[K][],
): number {
  const bytes = values.length * abi.sizes[kind];
  const addr = mem.alloc(bytes);
  // Stryker disable next-line BooleanLiteral: UserMemory maps its memory read-write, so a read-only view writes as well
  encodePfargVector(kind, mem.view(addr, bytes, true), 0, values, abi);
  return addr;
}

/** A compiled workload as is, or a rate table compiled for the system's PMU. */
export function toWorkload(sys: PerfmonSystem, w: Workload | Record<string, number>): Workload {
  return 'rate' in w
    ? (w as Workload)
    : workloadFromEvents(sys.pmu.model, 'workload', w as Record<string, number>);
}

export function must(call: string, r: { ok: true; value: number } | { ok: false; errno: number }): number {
  if (!r.ok) throw new SyscallError(call, r.errno);
  return r.value;
}

/** Splits events into sets that each dispatch (greedy, input order): one set if they all fit. */
export function planSets(
  lib: Libpfm,
  events: readonly PfmEvent[],
  dflPlm: number,
): { events: number[]; out: DispatchOutput }[] {
  const sets: { events: number[]; out: DispatchOutput }[] = [];
  let current: number[] = [];
  let out: DispatchOutput | null = null;
  const tryDispatch = (idx: number[]) => lib.dispatchEvents({ events: idx.map((i) => events[i]!), dflPlm });
  for (let i = 0; i < events.length; i++) {
    try {
      out = tryDispatch([...current, i]);
      current.push(i);
    } catch (e) {
      if (!(e instanceof PfmError) || e.code !== PFMLIB_ERR_NOASSIGN || current.length === 0) throw e;
      sets.push({ events: current, out: out! });
      current = [i];
      out = tryDispatch(current);
    }
  }
  if (current.length > 0) sets.push({ events: current, out: out! });
  return sets;
}

/**
 * pfmon/perf-stat style counting of a workload on the calling thread: find the events,
 * dispatch them (into time-multiplexed event sets when they do not fit the counters at once),
 * create, write, load, start, run, stop, read, close. Without multiplexing the counts are
 * exact; with it, `scaled` estimates each event as value x enabled / running.
 */
export function count(opts: CountOptions): CountResult {
  const s = openSession(opts);
  const { sys, gate, lib, thread } = s;
  const abi = sys.abi;
  const mem = gate.mem;
  const dflPlm = plmBits(opts.plm);
  const parsed = opts.events.map((e) => lib.findFullEvent(e));
  const sets = planSets(lib, parsed, dflPlm);
  const multiplexed = sets.length > 1;

  const uctx = putArgs(mem, abi, 'ctx', [createPfargCtx()]);
  const fd = must('pfm_create_context', gate.pfm_create_context(uctx, null, 0, 0));
  if (multiplexed) {
    const timeout = BigInt(
      Math.round(abi.timeoutUnit === 'us' ? (opts.switchNs ?? 10e6) / 1000 : (opts.switchNs ?? 10e6)),
    );
    const descs = sets.map((_, i) =>
      createPfargSetdesc({ set_id: i, set_flags: PFM_SETFL_TIME_SWITCH, set_timeout: timeout }),
    );
    const u = putArgs(mem, abi, 'setdesc', descs);
    must('pfm_create_evtsets', gate.pfm_create_evtsets(fd, u, descs.length));
  }
  const pmcs = sets.flatMap((set, i) =>
    set.out.pmcs.map((p) => createPfargPmc({ reg_num: p.regNum, reg_set: i, reg_value: p.regValue })),
  );
  const pmds = sets.flatMap((set, i) =>
    set.out.pmds.map((p) => createPfargPmd({ reg_num: p.regNum, reg_set: i })),
  );
  const upmcs = putArgs(mem, abi, 'pmc', pmcs);
  const upmds = putArgs(mem, abi, 'pmd', pmds);
  raiseLimit(sys, Math.max(pmcs.length * abi.sizes.pmc, pmds.length * abi.sizes.pmd));
  must('pfm_write_pmcs', gate.pfm_write_pmcs(fd, upmcs, pmcs.length));
  must('pfm_write_pmds', gate.pfm_write_pmds(fd, upmds, pmds.length));
  const uload = putArgs(mem, abi, 'load', [createPfargLoad({ load_pid: thread.tid })]);
  must('pfm_load_context', gate.pfm_load_context(fd, uload));
  must('pfm_start', gate.pfm_self_start(fd));
  sys.runSync(thread, toWorkload(sys, opts.workload), opts.cycles);
  must('pfm_stop', gate.pfm_self_stop(fd));
  must('pfm_read_pmds', gate.pfm_read_pmds(fd, upmds, pmds.length));
  const values = decodePfargVector('pmd', mem.view(upmds, pmds.length * abi.sizes.pmd), 0, pmds.length, abi);

  const infos = sets.map((_, i) => createPfargSetinfo({ set_id: i }));
  const uinfo = putArgs(mem, abi, 'setinfo', infos);
  must('pfm_getinfo_evtsets', gate.pfm_getinfo_evtsets(fd, uinfo, infos.length));
  const info = decodePfargVector(
    'setinfo',
    mem.view(uinfo, infos.length * abi.sizes.setinfo),
    0,
    infos.length,
    abi,
  );
  const running = info.map((x) => Number(x.set_act_duration));
  const enabled = running.reduce((a, b) => a + b, 0);
  must('close', gate.close(fd));

  const events: CountedEvent[] = [];
  let k = 0;
  sets.forEach((set, si) => {
    set.out.pmds.forEach((pmd, j) => {
      const v = values[k++]!;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: every dispatcher returns one PMD per event, so no set has extra PMDs
      if (j >= set.events.length) return; // extra PMDs (none on these PMUs) are not events
      const value = Number(v.reg_value);
      events.push({
        name: lib.getFullEventName(parsed[set.events[j]!]!),
        set: si,
        pmd: pmd.regNum,
        value,
        enabledNs: enabled,
        runningNs: running[si]!,
        scaled: running[si]! > 0 ? Math.round((value * enabled) / running[si]!) : 0,
      });
    });
  });
  const order = opts.events.map((_, i) => i);
  const byInput = order.map((i) => {
    const set = sets.findIndex((s) => s.events.includes(i));
    const pos = sets[set]!.events.indexOf(i);
    return events.filter((e) => e.set === set)[pos]!;
  });
  return { events: byInput, multiplexed, sets: sets.length, cycles: opts.cycles };
}

function raiseLimit(sys: PerfmonSystem, bytes: number): void {
  const page = sys.k.arch.pageSize;
  if (bytes > sys.sysfs.state.argSizeMax)
    sys.sysfs.write(sys.abi.limitName, String(Math.ceil(bytes / page) * page));
}
