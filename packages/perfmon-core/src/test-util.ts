import type { Process, Thread } from '@pfmsim/kernel-sim';
import type { SyscallResult } from './abi/errno.js';
import {
  createPfargCtx,
  createPfargLoad,
  createPfargPmc,
  createPfargPmd,
  createPfargSetdesc,
  createPfargSetinfo,
  decodeMsg,
  decodePfargVector,
  encodePfarg,
  encodePfargVector,
  type PfargMsg,
  type PfargPmc,
  type PfargPmd,
  type PfargSetdesc,
  type PfargSetinfo,
} from './abi/structs.js';
import { MSG_BYTES } from './core/msg.js';
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
  /** A pfarg_setdesc vector in user memory. */
  setdescs(values: Partial<PfargSetdesc>[]): number;
  /** A pfarg_setinfo vector in user memory naming the sets `ids`. */
  setinfos(ids: number[]): number;
  readSetinfos(uaddr: number, count: number): PfargSetinfo[];
  /** A copy of `bytes` bytes of user memory at uaddr. */
  bytes(uaddr: number, bytes: number): Uint8Array;
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
    setdescs(values) {
      const u = buf(values.length * abi.sizes.setdesc);
      write(u, values.length * abi.sizes.setdesc, (v) =>
        encodePfargVector(
          'setdesc',
          v,
          0,
          values.map((x) => createPfargSetdesc(x)),
          abi,
        ),
      );
      return u;
    },
    setinfos(ids) {
      const u = buf(ids.length * abi.sizes.setinfo);
      write(u, ids.length * abi.sizes.setinfo, (v) =>
        encodePfargVector(
          'setinfo',
          v,
          0,
          ids.map((set_id) => createPfargSetinfo({ set_id })),
          abi,
        ),
      );
      return u;
    },
    readSetinfos(uaddr, count) {
      return decodePfargVector(
        'setinfo',
        mm.dataView(uaddr, count * abi.sizes.setinfo, false),
        0,
        count,
        abi,
      );
    },
    bytes(uaddr, bytes) {
      const v = mm.dataView(uaddr, bytes, false);
      return Uint8Array.from({ length: bytes }, (_, i) => v.getUint8(i));
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

/** 2^64 - n: a 64-bit counter value n events before its overflow. */
export const NEG = (n: bigint): bigint => (1n << 64n) - n;

/** The value of a call that must succeed; throws with the errno otherwise. */
export function mustOk<T>(r: SyscallResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what} failed: errno ${r.errno}`);
  return r.value;
}

/** pfm_write_pmcs of `pmcs`, which must succeed. */
export function writePmcs(w: TestWorld, fd: number, pmcs: Partial<PfargPmc>[]): number {
  const u = w.pmcs(pmcs);
  mustOk(w.g.pfm_write_pmcs(fd, u, pmcs.length), 'pfm_write_pmcs');
  return u;
}

/** pfm_write_pmds of `pmds`, which must succeed; the vector's address. */
export function writePmds(w: TestWorld, fd: number, pmds: Partial<PfargPmd>[]): number {
  const u = w.pmds(pmds);
  mustOk(w.g.pfm_write_pmds(fd, u, pmds.length), 'pfm_write_pmds');
  return u;
}

/** pfm_read_pmds of `regs`, which must succeed: the elements read back. */
export function readPmdElems(
  w: TestWorld,
  fd: number,
  regs: { reg_num: number; reg_set?: number }[],
): PfargPmd[] {
  const u = w.pmds(regs);
  mustOk(w.g.pfm_read_pmds(fd, u, regs.length), 'pfm_read_pmds');
  return w.readPmds(u, regs.length);
}

/** The values of `regs` from pfm_read_pmds. */
export function readPmdValues(
  w: TestWorld,
  fd: number,
  regs: { reg_num: number; reg_set?: number }[],
): bigint[] {
  return readPmdElems(w, fd, regs).map((r) => r.reg_value);
}

/** pfm_create_evtsets of `descs`, which must succeed. */
export function createSets(w: TestWorld, fd: number, descs: Partial<PfargSetdesc>[]): void {
  mustOk(w.g.pfm_create_evtsets(fd, w.setdescs(descs), descs.length), 'pfm_create_evtsets');
}

/** pfm_getinfo_evtsets of the sets `ids`, which must succeed. */
export function getSetinfos(w: TestWorld, fd: number, ids: number[]): PfargSetinfo[] {
  const u = w.setinfos(ids);
  mustOk(w.g.pfm_getinfo_evtsets(fd, u, ids.length), 'pfm_getinfo_evtsets');
  return w.readSetinfos(u, ids.length);
}

/** The next message of the context, by read(2), which must return a whole one. */
export function readMsg(w: TestWorld, fd: number): PfargMsg {
  const u = w.buf(MSG_BYTES);
  const n = mustOk(w.g.read(fd, u, MSG_BYTES), 'read');
  if (n !== MSG_BYTES) throw new Error(`read returned ${n} bytes, not a ${MSG_BYTES}-byte message`);
  return decodeMsg(w.p.mm.dataView(u, MSG_BYTES, false), 0, w.s.abi);
}

/** `before` (a copy of a register vector) with the reg_flags of elements replaced. */
export function withRegFlags(before: Uint8Array, elemBytes: number, patches: [number, number][]): Uint8Array {
  const out = before.slice();
  const v = new DataView(out.buffer);
  for (const [i, f] of patches) v.setUint32(i * elemBytes + 4, f >>> 0, true);
  return out;
}
