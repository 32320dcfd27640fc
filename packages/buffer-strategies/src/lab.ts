import {
  CAT,
  type CostOverrides,
  createKernel,
  type FaultConfig,
  GFP_KERNEL,
  type Kernel,
  type KGen,
  type Process,
  type Thread,
} from '@pfmsim/kernel-sim';
import { type ArgBufferStrategy, ArgCall, type ContextSlot, type ElemKind, SLOT_WORDS } from './spec.js';
import { vectorCall } from './vector-call.js';

/** Element sizes of the v2.3 ABI (perfmon2-abi.md §5). */
export const ELEM_SIZES: Readonly<Record<ElemKind, number>> = {
  pmc: 48,
  pmd: 176,
  setdesc: 64,
  setinfo: 192,
};

/** Bytes of a simulated context object (the strategy's slot words live at its start). */
export const LAB_CONTEXT_BYTES = 256;

export interface LabOptions {
  arch: string;
  cost: string;
  seed: number;
  strategy: ArgBufferStrategy;
  cpus?: number;
  faults?: FaultConfig;
  arenaBytes?: number;
  /** arg_size_max; default PAGE_SIZE as in perfmon2. */
  limit?: number;
  preemptAll?: boolean;
  /** Back-end cycles per element (C_reg); default the profile's pmuRegSaved. */
  regCycles?: number;
  costOverrides?: CostOverrides;
  /** CONFIG_DEBUG_ATOMIC_SLEEP (might_sleep/might_fault checks); default true. */
  debugAtomicSleep?: boolean;
  /** The user that owns the lab process (and its contexts); default 1000. */
  uid?: number;
}

/**
 * A minimal perfmon-shaped world for one strategy: contexts with a slot and a spinlock, and a
 * vector call with the real skeleton (syscall entry, fd lookup, the argument protocol, a
 * back-end that touches each element under the lock). It lets a strategy be measured, attacked
 * and raced without the perfmon2 core; `@pfmsim/perfmon-core` runs the same protocol for real.
 */
export class StrategyLab {
  readonly k: Kernel;
  readonly strategy: ArgBufferStrategy;
  readonly process: Process;
  readonly limit: number;
  readonly regCycles: number;
  private readonly calls = new Map<Thread, ArgCall>();
  private nextContext = 1;
  private readonly site: number;
  private readonly ctxSite: number;
  private readonly backendSite: number;

  constructor(opts: LabOptions) {
    this.k = createKernel({
      arch: opts.arch,
      cost: opts.cost,
      seed: opts.seed,
      cpus: opts.cpus ?? 1,
      arenaBytes: opts.arenaBytes ?? 16 << 20,
      preemptAll: opts.preemptAll ?? false,
      debugAtomicSleep: opts.debugAtomicSleep ?? true,
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(opts.costOverrides ? { costOverrides: opts.costOverrides } : {}),
    });
    this.strategy = opts.strategy;
    this.limit = opts.limit ?? this.k.arch.pageSize;
    this.regCycles = opts.regCycles ?? this.k.costs.pmuRegSaved;
    this.process = this.k.createProcess({ uid: opts.uid ?? 1000, name: 'lab' });
    this.site = this.k.mem.tag('pfm_get_args');
    this.ctxSite = this.k.mem.tag('pfm_context_alloc');
    this.backendSite = this.k.mem.tag('back-end element access');
    opts.strategy.init?.(this.k);
    const strategy = opts.strategy;
    if (strategy.threadExited) this.k.onThreadExit((t) => strategy.threadExited!(this.k, t));
  }

  /** A thread of the lab process (the body, if any, runs under k.run()). */
  thread(name: string, body?: (t: Thread) => KGen<unknown>, cpu?: number): Thread {
    return this.k.spawn(this.process, name, body, cpu === undefined ? {} : { cpu });
  }

  /** A context created by `uid` (default: the lab process's user), as pfm_create_context. */
  openContext(t: Thread, uid = this.process.uid): ContextSlot {
    const k = this.k;
    const id = this.nextContext++;
    const owner = k.mem.tag(`args:uid:${uid}`);
    const addr = k.mem.kmalloc(t, LAB_CONTEXT_BYTES, GFP_KERNEL, k.mem.tag(`ctx:${id}`), this.ctxSite);
    if (addr === 0) throw new Error('lab: out of kernel memory for a context');
    k.mem.fillBytes(addr, SLOT_WORDS * k.arch.wordSize, 0);
    const slot: ContextSlot = {
      id,
      addr,
      lock: k.sync.createSpinlock(`ctx${id}->lock`, 'ctx->lock'),
      uid,
      owner,
      data: null,
    };
    this.strategy.contextCreated?.(k, t, slot);
    return slot;
  }

  closeContext(t: Thread | null, slot: ContextSlot): void {
    this.strategy.contextClosed?.(this.k, t, slot);
    this.k.mem.kfree(t, slot.addr);
  }

  callFor(t: Thread): ArgCall {
    let call = this.calls.get(t);
    if (!call) {
      call = new ArgCall();
      call.k = this.k;
      call.t = t;
      call.site = this.site;
      this.calls.set(t, call);
    }
    return call;
  }

  /**
   * One vector call shaped like pfm_read_pmds / pfm_write_pmds: returns 0 or -errno. The
   * back-end reads each element's reg_num and writes its value field under the lock.
   */
  *call(
    t: Thread,
    slot: ContextSlot,
    kind: ElemKind,
    count: number,
    uaddr: number,
    copyBack = true,
  ): KGen<number> {
    const k = this.k;
    const call = this.callFor(t);
    call.slot = slot;
    call.kind = kind;
    call.elemSize = ELEM_SIZES[kind];
    call.count = count;
    call.bytes = count * call.elemSize;
    call.limit = this.limit;
    k.syscallEnter(t, `lab_${kind}_call`);
    k.fdGet(t, 3);
    let ret = 0;
    if (count > 0) {
      ret = yield* vectorCall(this.strategy, call, uaddr, `lab ${kind} frame`, copyBack, (c) =>
        this.backend(c),
      );
    }
    k.syscallExit(t);
    return ret;
  }

  private backend(call: ArgCall): number {
    const k = this.k;
    const t = call.t;
    for (let i = 0; i < call.count; i++) {
      const el = call.buf + i * call.elemSize;
      k.mem.access(t, el, 8, false, this.backendSite);
      k.mem.access(t, el + 8, 8, true, this.backendSite);
      k.mem.view.setUint32(el + 8, k.mem.view.getUint16(el, true) * 1000 + 7, true);
      k.charge(t, CAT.handler, this.regCycles);
    }
    return 0;
  }

  /** Bytes of argument buffers allocated for a user (owner tag args:uid:N), by default the lab's. */
  pinnedBytes(uid = this.process.uid): number {
    return this.k.mem.ownerLiveBytes(`args:uid:${uid}`);
  }
}
