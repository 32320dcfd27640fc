import { type KGen, Y_BLOCK, Y_PREEMPT } from '@pfmsim/kernel-sim';
import { ARG_BLOCKED, type ArgBufferStrategy, type ArgCall, EFAULT } from './spec.js';

/**
 * The argument protocol of a perfmon2 vector system call (V18/V19 pfm_get_args and the
 * syscall skeleton around it), with the strategy plugged in:
 *
 *   frame with the strategy's on-stack array
 *   acquire buffer (E2BIG / ENOMEM)    copy_from_user (EFAULT, buffer released)
 *   spin_lock_irqsave(ctx->lock)       body: state check + back-end, irqs off
 *   spin_unlock_irqrestore             copy_to_user of the whole vector (EFAULT overrides)
 *   release buffer
 *
 * Copies happen with no lock held and irqs on, unless the strategy says it holds the context
 * lock (the seed's split proposal): then only the irq masking is done here, and the copies
 * run under the spinlock, which is exactly what the validator must catch. With `lockBody`
 * false the body runs with neither (argumentCall's `use`).
 * Returns the body's result (0 or -errno) or the argument errors.
 */
export function* vectorCall(
  strategy: ArgBufferStrategy,
  call: ArgCall,
  uaddr: number,
  frameName: string,
  copyBack: boolean,
  body: (call: ArgCall) => number,
  lockBody = true,
): KGen<number> {
  const { k, t } = call;
  const frame = strategy.frameBytes(call.kind, call.elemSize, k.arch);
  call.stackBytes = frame;
  call.stackArea = frame > 0 ? k.stacks.areaAt(t, frame) : 0;
  call.buf = 0;
  call.holdsContextLock = false;
  call.how = 0;
  k.stacks.push(t, frame, frameName);
  try {
    let buf = strategy.acquire(call);
    while (buf === ARG_BLOCKED) {
      yield Y_BLOCK;
      buf = strategy.resume!(call);
    }
    if (buf < 0) return buf;
    if (k.sleepPoint(t)) yield Y_PREEMPT;
    const notCopied = k.uaccess.copyFromUser(t, buf, uaddr, call.bytes, call.site);
    if (k.sleepPoint(t)) yield Y_PREEMPT;
    if (notCopied !== 0) {
      strategy.release(call);
      return -EFAULT;
    }
    let ret: number;
    if (lockBody) {
      const lock = call.slot.lock;
      let irqFlags = 0;
      if (call.holdsContextLock) irqFlags = k.sync.localIrqSave(t);
      else if (k.sync.spinLockIrqsave(t, lock)) yield Y_BLOCK;
      ret = body(call);
      if (call.holdsContextLock) k.sync.localIrqRestore(t, irqFlags);
      else k.sync.spinUnlockIrqrestore(t, lock);
    } else ret = body(call);
    if (copyBack) {
      if (k.sleepPoint(t)) yield Y_PREEMPT;
      if (k.uaccess.copyToUser(t, uaddr, call.buf, call.bytes, call.site) !== 0) ret = -EFAULT;
    }
    strategy.release(call);
    if (k.sleepPoint(t)) yield Y_PREEMPT;
    return ret;
  } finally {
    k.stacks.pop(t, frame);
  }
}

/**
 * The format argument of a sampling pfm_create_context (pfm_get_smpl_arg) through the
 * strategy: `call.slot` is a slot for this system call only (zeroed words in the caller's
 * frame), told to the strategy with contextCreated first and contextClosed last. The argument
 * is copied in as a vector is, but `use` (fmt_validate, fmt_getsize, fmt_init and the rest of
 * the call) runs under no lock, and nothing is copied back. Returns `use`'s result, or the
 * argument errors (-ENOMEM, -EFAULT; -E2BIG only if `call.limit` is below the argument, which
 * a format registered with fmt_arg_size <= PAGE_SIZE never is).
 */
export function* argumentCall(
  strategy: ArgBufferStrategy,
  call: ArgCall,
  uaddr: number,
  frameName: string,
  use: (call: ArgCall) => number,
): KGen<number> {
  const { k, t, slot } = call;
  strategy.contextCreated?.(k, t, slot);
  try {
    return yield* vectorCall(strategy, call, uaddr, frameName, false, use, false);
  } finally {
    strategy.contextClosed?.(k, t, slot);
  }
}
