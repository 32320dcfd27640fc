import type { Process, Thread } from '@pfmsim/kernel-sim';
import {
  createPfargCtx,
  createPfargLoad,
  createPfargPmc,
  createPfargPmd,
  decodePfargVector,
  encodePfarg,
  encodePfargVector,
  type PfargPmc,
  type PfargPmd,
} from './abi/structs.js';
import type { SyncGate } from './syscalls.js';
import { createSystem, type PerfmonSystem, type SystemOptions } from './system.js';

export interface TestWorld {
  s: PerfmonSystem;
  p: Process;
  t: Thread;
  g: SyncGate;
  /** A fresh user buffer of `bytes` (page-aligned, guard page after). */
  buf(bytes: number): number;
  /** Creates a context (v2.3 or v2.2 per profile) and returns its fd. */
  ctx(flags?: number): number;
  pmcs(values: Partial<PfargPmc>[]): number;
  pmds(values: Partial<PfargPmd>[]): number;
  readPmds(uaddr: number, count: number): PfargPmd[];
  /** pfm_load_context(fd, pid, set) by `gate` (the main thread's by default). */
  load(fd: number, pid: number, set?: number, gate?: SyncGate): ReturnType<SyncGate['pfm_load_context']>;
}

export function testWorld(opts: Partial<SystemOptions> = {}): TestWorld {
  const s = createSystem({
    machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
    arenaBytes: 4 << 20,
    ...opts,
  });
  const p = s.process({ uid: 1000 });
  const t = s.thread(p, 'main');
  const g = s.gate(t);
  const mm = p.mm;
  const abi = s.abi;
  const buf = (bytes: number) => mm.mmap(Math.max(1, bytes));
  const write = (addr: number, bytes: number, fill: (v: DataView) => void) => {
    const v = mm.dataView(addr, bytes, true);
    fill(v);
  };
  return {
    s,
    p,
    t,
    g,
    buf,
    ctx(flags = 0) {
      const u = buf(abi.sizes.ctx);
      write(u, abi.sizes.ctx, (v) => encodePfarg('ctx', v, 0, createPfargCtx({ ctx_flags: flags }), abi));
      const r = g.pfm_create_context(u);
      if (!r.ok) throw new Error(`create_context failed: errno ${r.errno}`);
      if (abi.createContextReturnsFd) return r.value;
      return mm.dataView(u, abi.sizes.ctx, false).getInt32(abi.offsets.ctxFd, true);
    },
    pmcs(values) {
      const u = buf(values.length * abi.sizes.pmc);
      write(u, values.length * abi.sizes.pmc, (v) =>
        encodePfargVector(
          'pmc',
          v,
          0,
          values.map((x) => createPfargPmc(x)),
          abi,
        ),
      );
      return u;
    },
    pmds(values) {
      const u = buf(values.length * abi.sizes.pmd);
      write(u, values.length * abi.sizes.pmd, (v) =>
        encodePfargVector(
          'pmd',
          v,
          0,
          values.map((x) => createPfargPmd(x)),
          abi,
        ),
      );
      return u;
    },
    readPmds(uaddr, count) {
      return decodePfargVector('pmd', mm.dataView(uaddr, count * abi.sizes.pmd, false), 0, count, abi);
    },
    load(fd, pid, set = 0, gate = g) {
      const u = buf(abi.sizes.load);
      write(u, abi.sizes.load, (v) =>
        encodePfarg('load', v, 0, createPfargLoad({ load_pid: pid, load_set: set }), abi),
      );
      return gate.pfm_load_context(fd, u);
    },
  };
}
