import type { Thread } from '@pfmsim/kernel-sim';
import {
  PFM_CMD_STOPPED,
  PFM_CMD_UNLOAD,
  PFM_CMD_UNLOADED,
  PFM_CTX_MASKED,
  PFM_CTX_UNLOADED,
  PFM_CTX_ZOMBIE,
} from '../abi/constants.js';
import { Errno } from '../abi/errno.js';
import type { PfmContext } from './context.js';

/**
 * pfm_check_task_state (V18/V19/V2.8x), in its documented order. Called with ctx->lock held.
 * The ptrace check of step 7 needs no lock drop here: the simulated ptrace state cannot
 * change while the lock is held. Returns 0 or an errno.
 */
export function checkTaskState(ctx: PfmContext, t: Thread, mask: number): number {
  const state = ctx.state;
  if (state === PFM_CTX_UNLOADED) return 0;
  if (state === PFM_CTX_ZOMBIE) return Errno.EINVAL;
  if (mask & PFM_CMD_UNLOADED) return Errno.EBUSY;
  if (ctx.systemWide) return t.cpu === ctx.cpu ? 0 : Errno.EBUSY;
  const target = ctx.target;
  if (target === t) return 0;
  if (state === PFM_CTX_MASKED && !(mask & PFM_CMD_UNLOAD)) return 0;
  if (mask & PFM_CMD_STOPPED) {
    // ptrace_check_attach(task, 0): the caller must be tracing a stopped target.
    if (target === null || target.exited || target.tracer !== t || !target.stopped) return Errno.ESRCH;
  }
  return 0;
}
