/**
 * The Scheduler interface: what Kernel.run asks at each point where more than one thread could
 * run. A scheduler may live across many executions (a search: PCT learns the run length, the
 * bounded DFS plans the next schedule from the last one); `newExecution` starts each one.
 * One file per policy: round-robin.ts, random.ts, pct.ts, replay.ts, dfs.ts.
 */
import type { RunResult } from '../kernel.js';
import type { Rng } from '../rng.js';
import type { Footprint } from './footprint.js';

/** A point where more than one thread could run. */
export interface ChoicePoint {
  /** Thread ids that may run now, ascending. */
  readonly candidates: readonly number[];
  /** The thread that ran last, or -1. */
  readonly previous: number;
  /** Scheduling steps so far in the run (every step, including those with one runnable thread). */
  readonly step: number;
  /** Decision points before this one in the run (0 for the first). */
  readonly decision: number;
}

export interface Scheduler {
  /** An execution over `threadCount` threads begins; `rng` is the kernel's scheduling stream. */
  newExecution(threadCount: number, rng: Rng): void;
  /** The thread to run at a decision point; an id that is not a candidate means the lowest. */
  nextThread(point: ChoicePoint): number;
  /** The execution ended: a search learns from it or plans its next schedule. */
  endExecution?(run: RunResult): void;
  /** A search with an end (the bounded DFS): false once it has run every schedule it has. */
  hasMore?(): boolean;
  /** Asks for every step's footprint (DPOR): the run records them and calls `stepped`. */
  readonly wantsFootprints?: boolean;
  /** After each step (every step, a choice or not): who ran, who could have, what it touched. */
  stepped?(thread: number, candidates: readonly number[], footprint: Footprint): void;
}

/** The default at any point: keep running the previous thread, else the lowest id. */
export function defaultChoice(point: Pick<ChoicePoint, 'candidates' | 'previous'>): number {
  return point.candidates.includes(point.previous) ? point.previous : point.candidates[0]!;
}

/** Never preempts: each thread runs until it blocks or ends, then the lowest id runs. */
export class RunToCompletion implements Scheduler {
  newExecution(): void {}
  nextThread(point: ChoicePoint): number {
    return defaultChoice(point);
  }
}
