// The prologue shared by the libpfm example programs (examples_v2.x): initialise, find the
// events, dispatch them, create a context and write the PMCs and PMDs.
import type { Thread } from '@pfmsim/kernel-sim';
import { type DispatchOutput, type Libpfm, PerfmonGate, pfmInitialize } from '@pfmsim/libpfm';
import {
  createPfargCtx,
  createPfargLoad,
  createPfargPmc,
  createPfargPmd,
  encodeDflSmplArg,
  encodePfarg,
  encodePfargVector,
  type PerfmonSystem,
  PFM_DFL_SMPL_NAME,
  PFM_DFL_SMPL_UUID,
} from '@pfmsim/perfmon-core';

export interface Prologue {
  lib: Libpfm;
  gate: PerfmonGate;
  fd: number;
  out: DispatchOutput;
  upmds: number;
  names: string[];
}

export function prologue(
  sys: PerfmonSystem,
  t: Thread,
  events: string[],
  dflPlm: number,
  ctxFlags = 0,
  /** Sample with the default format into a buffer of this many bytes (task_smpl.c, self_smpl.c). */
  smplBufSize = 0,
): Prologue {
  const lib = pfmInitialize({ model: sys.pmu.model });
  const gate = new PerfmonGate(sys, t);
  const abi = sys.abi;
  const mem = gate.mem;
  const max = lib.getNumCounters();
  if (events.length > max) events = events.slice(0, max);
  const parsed = events.map((e) => lib.findFullEvent(e));
  const uctx = mem.alloc(abi.sizes.ctx);
  encodePfarg('ctx', mem.view(uctx, abi.sizes.ctx, true), 0, createPfargCtx({ ctx_flags: ctxFlags }), abi);
  let fd: ReturnType<PerfmonGate['pfm_create_context']>;
  if (smplBufSize > 0) {
    const arg = mem.alloc(64);
    encodeDflSmplArg(mem.view(arg, 64, true), 0, { buf_size: BigInt(smplBufSize) });
    const name = abi.id === 'v2.2' ? Uint8Array.from(PFM_DFL_SMPL_UUID) : PFM_DFL_SMPL_NAME;
    fd = gate.pfm_create_context(uctx, name, arg, 64);
  } else fd = gate.pfm_create_context(uctx, null, 0, 0);
  if (!fd.ok) throw new Error(`cannot create context: errno ${fd.errno}`);
  const out = lib.dispatchEvents({ events: parsed, dflPlm });
  const pmcs = out.pmcs.map((p) => createPfargPmc({ reg_num: p.regNum, reg_value: p.regValue }));
  const pmds = out.pmds.map((p) => createPfargPmd({ reg_num: p.regNum }));
  const upmcs = mem.alloc(pmcs.length * abi.sizes.pmc);
  encodePfargVector('pmc', mem.view(upmcs, pmcs.length * abi.sizes.pmc, true), 0, pmcs, abi);
  const upmds = mem.alloc(pmds.length * abi.sizes.pmd);
  encodePfargVector('pmd', mem.view(upmds, pmds.length * abi.sizes.pmd, true), 0, pmds, abi);
  for (const [name, r] of [
    ['pfm_write_pmcs', gate.pfm_write_pmcs(fd.value, upmcs, pmcs.length)],
    ['pfm_write_pmds', gate.pfm_write_pmds(fd.value, upmds, pmds.length)],
  ] as const) {
    if (!r.ok) throw new Error(`${name}: errno ${r.errno}`);
  }
  return { lib, gate, fd: fd.value, out, upmds, names: parsed.map((e) => lib.getFullEventName(e)) };
}

export function load(sys: PerfmonSystem, gate: PerfmonGate, fd: number, pid: number): void {
  const u = gate.mem.alloc(sys.abi.sizes.load);
  encodePfarg(
    'load',
    gate.mem.view(u, sys.abi.sizes.load, true),
    0,
    createPfargLoad({ load_pid: pid }),
    sys.abi,
  );
  const r = gate.pfm_load_context(fd, u);
  if (!r.ok) throw new Error(`pfm_load_context: errno ${r.errno}`);
}
