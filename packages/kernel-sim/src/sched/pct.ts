import { checkInteger, InvalidArgumentError } from '../errors.js';
import type { RunResult } from '../kernel.js';
import type { Rng } from '../rng.js';
import type { ChoicePoint, Scheduler } from './scheduler.js';

/**
 * PCT (Burckhardt et al., ASPLOS 2010): random distinct initial priorities >= depth, and
 * depth-1 distinct change points; at change point i the running thread drops to priority i.
 * The highest-priority runnable thread always runs.
 *
 * Change points are decision indices (points where two or more threads could run), never raw
 * scheduling steps: a change point on a step with one runnable thread would change nothing.
 * They are drawn among the decisions of the longest execution seen so far (as shuttle's PCT
 * does), so the first execution of a search without an expected length has none and teaches
 * the length to the next ones.
 */
export class PctScheduler implements Scheduler {
  private prio = new Float64Array(0);
  /** Decision index -> the priority the running thread drops to there. */
  private readonly changes = new Map<number, number>();
  private longest: number;

  /** `decisions`: the expected decisions per execution, before any is learned (default 0). */
  constructor(
    readonly depth: number,
    decisions = 0,
  ) {
    if (!Number.isInteger(depth) || depth < 1)
      throw new InvalidArgumentError('pct depth', depth, 'an integer >= 1');
    this.longest = checkInteger('pct decisions', decisions, 0, 2 ** 31);
  }

  /** The decisions of the longest execution seen (or the expected count given). */
  get runLength(): number {
    return this.longest;
  }

  /** This execution's change points, in the order they lower priorities (depth-1, ..., 1). */
  get changePoints(): number[] {
    return [...this.changes.keys()];
  }

  newExecution(threadCount: number, rng: Rng): void {
    if (this.prio.length !== threadCount) this.prio = new Float64Array(threadCount);
    const order = Array.from({ length: threadCount }, (_, i) => i);
    for (let i = order.length - 1; i >= 1; i--) {
      const j = rng.below(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let rank = 0; rank < threadCount; rank++) this.prio[order[rank]!] = this.depth + rank;
    // Decision 0 may come before any thread ran: change points are among decisions 1..longest-1.
    this.changes.clear();
    const slots = this.longest - 1;
    const count = Math.min(this.depth - 1, Math.max(0, slots));
    for (let i = 1; i <= count; i++) {
      let at: number;
      do at = 1 + rng.below(slots);
      while (this.changes.has(at));
      this.changes.set(at, this.depth - i);
    }
  }

  nextThread(p: ChoicePoint): number {
    const change = this.changes.get(p.decision);
    if (change !== undefined) this.prio[p.previous] = change;
    let best = p.candidates[0]!;
    // Stryker disable next-line EqualityOperator: priorities never tie (initial ones are distinct and >= depth, each change point sets a distinct one below depth), so > and >= pick the same thread
    for (const id of p.candidates) if (this.prio[id]! > this.prio[best]!) best = id;
    return best;
  }

  endExecution(run: RunResult): void {
    if (run.decisions.length > this.longest) this.longest = run.decisions.length;
  }
}
