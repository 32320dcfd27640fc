/**
 * The argument call of a perfmon2 vector call, and the locked part every one runs (the job of
 * perfmon_syscalls.c's pfm_check_task_state + back-end dispatch under ctx->lock).
 */
import { ArgCall } from '@pfmsim/buffer-strategies';
import { type ElementOp, walkElements } from '../rw/walk.js';
import type { PerfmonSystem } from '../system.js';
import type { PfmContext } from './context.js';
import { checkTaskState } from './state.js';

/**
 * A thread's argument call with what the locked part of a vector call needs (context, state
 * mask, element op), so the body passed to the protocol is one shared function, not a closure
 * per call.
 */
export class PfmArgCall extends ArgCall {
  ctx: PfmContext | null = null;
  mask = 0;
  walk = 0;
  element: ElementOp | null = null;
  constructor(readonly sys: PerfmonSystem) {
    super();
  }
}

/** The locked part of every vector call: pfm_check_task_state, then the walk of the elements. */
export function lockedBody(call: ArgCall): number {
  const c = call as PfmArgCall;
  const err = checkTaskState(c.ctx!, c.t, c.mask);
  if (err !== 0) return -err;
  return walkElements(c.sys, c.t, c.ctx!, c.buf, c.count, c.walk, c.element!);
}
