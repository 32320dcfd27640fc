/**
 * Sampling with the default format, as self_smpl.c and pfmon did (libpfm-and-tools.md §4,
 * perfmon2-sampling.md §4): create the context with "default" (its UUID on a v2.2 kernel) and
 * PFM_FL_OVFL_NO_MSG, map the buffer, and on each buffer-full SIGIO walk hdr_count entries
 * (40 bytes plus one u64 per sampled PMD), skip a buffer already read (hdr_overflows and
 * hdr_count not moved), and pfm_restart. At the end, the partial buffer is read once more.
 */
import { CAT, PROT_READ } from '@pfmsim/kernel-sim';
import {
  createPfargCtx,
  createPfargLoad,
  createPfargPmc,
  createPfargPmd,
  DFL_ENTRY_BYTES,
  DFL_HDR_BYTES,
  decodeDflSmplEntry,
  decodeDflSmplHdr,
  encodeDflSmplArg,
  PFM_DFL_SMPL_ARG_LAYOUT,
  PFM_DFL_SMPL_NAME,
  PFM_DFL_SMPL_UUID,
  PFM_FL_OVFL_NO_MSG,
  PFM_REGFL_OVFL_NOTIFY,
  PFM_REGFL_RANDOM,
  type Workload,
} from '@pfmsim/perfmon-core';
import { PFM_PLM3 } from './constants.js';
import { must, openSession, putArgs, type SessionOptions, toWorkload } from './session.js';

export interface SampleOptions extends SessionOptions {
  /** The sampling event: a sample every `period` occurrences. */
  event: string;
  period: number;
  /** Events whose counts each sample records too (reg_smpl_pmds). */
  extra?: readonly string[];
  /** A compiled workload, or event name -> events per cycle in user mode. */
  workload: Workload | Record<string, number>;
  cycles: number;
  /** The buffer's size in bytes, header included (default 3 pages + 512, as task_smpl.c). */
  bufSize?: number;
  /**
   * Randomised periods (pfmon's --smpl-periods-random): each reset subtracts a random value
   * masked with this from the period (PFM_REGFL_RANDOM, reg_random_mask). 0 or absent: none.
   */
  randomMask?: number;
}

/** One entry of the buffer. */
export interface Sample {
  /** The interrupted instruction pointer. */
  readonly ip: number;
  /** The PMD whose overflow took it. */
  readonly pmd: number;
  readonly tid: number;
  readonly tgid: number;
  readonly cpu: number;
  readonly set: number;
  /** The cycle counter at the interrupt (v2.2 and v2.3 use the TSC/ITC). */
  readonly tstamp: number;
  /** The `extra` events' counts, in PMD order. */
  readonly values: readonly bigint[];
}

export interface SampleResult {
  readonly samples: readonly Sample[];
  /** Buffer-full signals the handler took. */
  readonly notifications: number;
  /** Of those, buffers already read (hdr_overflows and hdr_count unchanged): skipped, as pfmon does. */
  readonly duplicates: number;
  /** pfm_restart calls. */
  readonly restarts: number;
  /** hdr_overflows at the end: how many times the buffer filled. */
  readonly bufferFulls: number;
  /** The buffer size requested. */
  readonly bufSize: number;
  /** Cycles the thread spent in the overflow interrupt (the handler writing samples included). */
  readonly irqCycles: number;
  /** Cycles of the pfm_create_context call (its format argument goes through the strategy). */
  readonly createCycles: number;
}

/**
 * pfmon's dfl_smpl_check_new_samples: a buffer-full signal for a buffer already read (neither
 * hdr_overflows past the last one read nor hdr_count changed) is a duplicate, skipped.
 */
export function alreadyRead(
  hdrOverflows: number,
  hdrCount: number,
  lastOverflows: number,
  lastCount: number,
): boolean {
  return hdrOverflows <= lastOverflows && hdrCount === lastCount;
}

/** Default-format sampling of a workload on the calling thread. */
export function sample(opts: SampleOptions): SampleResult {
  const { sys, gate, lib, thread } = openSession(opts);
  const abi = sys.abi;
  const mem = gate.mem;
  const events = [opts.event, ...(opts.extra ?? [])].map((e) => lib.findFullEvent(e));
  const out = lib.dispatchEvents({ events, dflPlm: PFM_PLM3 });
  const bufSize = opts.bufSize ?? 3 * sys.k.arch.pageSize + 512;
  const uctx = putArgs(mem, abi, 'ctx', [createPfargCtx({ ctx_flags: PFM_FL_OVFL_NO_MSG })]);
  const uarg = mem.alloc(PFM_DFL_SMPL_ARG_LAYOUT.size);
  encodeDflSmplArg(mem.view(uarg, PFM_DFL_SMPL_ARG_LAYOUT.size, true), 0, { buf_size: BigInt(bufSize) });
  const name = abi.id === 'v2.2' ? Uint8Array.from(PFM_DFL_SMPL_UUID) : PFM_DFL_SMPL_NAME;
  const beforeCreate = thread.clock.snapshot();
  const fd = must(
    'pfm_create_context',
    gate.pfm_create_context(uctx, name, uarg, PFM_DFL_SMPL_ARG_LAYOUT.size),
  );
  const createCycles = thread.clock.since(beforeCreate).total;
  const hdr = must('mmap', gate.mmap(fd, bufSize, PROT_READ));
  const pmcs = out.pmcs.map((p) => createPfargPmc({ reg_num: p.regNum, reg_value: p.regValue }));
  must('pfm_write_pmcs', gate.pfm_write_pmcs(fd, putArgs(mem, abi, 'pmc', pmcs), pmcs.length));
  const sampler = out.pmds[0]!.regNum;
  const extra = out.pmds.slice(1).map((p) => p.regNum);
  const neg = (1n << 64n) - BigInt(opts.period);
  const randomMask = BigInt(opts.randomMask ?? 0);
  const smpl = [0n, 0n, 0n, 0n, 0n];
  for (const r of extra) smpl[r >> 6]! |= 1n << BigInt(r & 63);
  const pmds = [
    createPfargPmd({
      reg_num: sampler,
      reg_value: neg,
      reg_long_reset: neg,
      reg_short_reset: neg,
      reg_flags: PFM_REGFL_OVFL_NOTIFY | (randomMask !== 0n ? PFM_REGFL_RANDOM : 0),
      reg_random_mask: randomMask,
      reg_smpl_pmds: smpl,
    }),
    ...extra.map((reg_num) => createPfargPmd({ reg_num })),
  ];
  must('pfm_write_pmds', gate.pfm_write_pmds(fd, putArgs(mem, abi, 'pmd', pmds), pmds.length));
  const uload = putArgs(mem, abi, 'load', [createPfargLoad({ load_pid: thread.tid })]);
  must('pfm_load_context', gate.pfm_load_context(fd, uload));

  const samples: Sample[] = [];
  // the entries since the last restart; every entry is this PMD's, of the same size
  const walk = () => {
    const h = decodeDflSmplHdr(mem.view(hdr, DFL_HDR_BYTES), 0);
    const size = DFL_ENTRY_BYTES + 8 * extra.length;
    for (let i = 0, at = hdr + DFL_HDR_BYTES; i < Number(h.hdr_count); i++, at += size) {
      const v = mem.view(at, size);
      const e = decodeDflSmplEntry(v, 0);
      samples.push({
        ip: Number(e.ip),
        pmd: e.ovfl_pmd,
        tid: e.pid,
        tgid: e.tgid,
        cpu: e.cpu,
        set: e.set,
        tstamp: Number(e.tstamp),
        values: extra.map((_, j) => v.getBigUint64(DFL_ENTRY_BYTES + 8 * j, true)),
      });
    }
    return Number(h.hdr_overflows);
  };
  let notifications = 0;
  let duplicates = 0;
  let restarts = 0;
  let last = -1;
  let lastCount = 0;
  sys.sys.setAsync(thread, fd, () => {
    notifications++;
    const h = decodeDflSmplHdr(mem.view(hdr, DFL_HDR_BYTES), 0);
    if (alreadyRead(Number(h.hdr_overflows), Number(h.hdr_count), last, lastCount)) {
      duplicates++;
      return;
    }
    lastCount = Number(h.hdr_count);
    last = walk();
    must('pfm_restart', gate.pfm_restart(fd));
    restarts++;
  });
  must('pfm_start', gate.pfm_self_start(fd));
  sys.runSync(thread, toWorkload(sys, opts.workload), opts.cycles);
  must('pfm_stop', gate.pfm_self_stop(fd));
  const bufferFulls = walk();
  gate.munmap(hdr, bufSize);
  must('close', gate.close(fd));
  const irqCycles = thread.clock.byCategory[CAT.irq]!;
  return { samples, notifications, duplicates, restarts, bufferFulls, bufSize, irqCycles, createCycles };
}
