import type { RunResult } from '../kernel.js';
import { type ChoicePoint, defaultChoice, type Scheduler } from './scheduler.js';

interface Point {
  readonly candidates: readonly number[];
  readonly previous: number;
}

/**
 * Depth-first search over decision sequences, bounded by a preemption count (CHESS-style):
 * each execution replays a prefix of the last one and takes the next untried alternative at
 * its deepest point where the bound allows one; `hasMore()` is false once none is left.
 * A preemption is a switch away from a thread that could have continued.
 */
export class BoundedDfs implements Scheduler {
  private prefix: readonly number[] = [];
  private planned: number[] | null = [];
  private points: Point[] = [];

  constructor(readonly maxPreemptions: number) {}

  hasMore(): boolean {
    return this.planned !== null;
  }

  newExecution(): void {
    this.prefix = this.planned ?? [];
    this.points = [];
  }

  nextThread(p: ChoicePoint): number {
    this.points.push({ candidates: [...p.candidates], previous: p.previous });
    return p.decision < this.prefix.length ? this.prefix[p.decision]! : defaultChoice(p);
  }

  endExecution(run: RunResult): void {
    this.planned = nextPrefix(run.decisions, this.points, this.maxPreemptions);
  }
}

function nextPrefix(decisions: readonly number[], points: readonly Point[], bound: number): number[] | null {
  // used[i]: preemptions made before decision i
  const used: number[] = [];
  let count = 0;
  for (let i = 0; i < decisions.length; i++) {
    used.push(count);
    const { candidates, previous } = points[i]!;
    if (candidates.includes(previous) && decisions[i] !== previous) count++;
  }
  for (let i = decisions.length - 1; i >= 0; i--) {
    const { candidates, previous } = points[i]!;
    const order = orderAt(candidates, previous);
    const pos = order.indexOf(decisions[i]!);
    for (let j = pos + 1; j < order.length; j++) {
      // order[0] is previous whenever it can run, so every later alternative switches away from it.
      const preempts = candidates.includes(previous);
      if (used[i]! + (preempts ? 1 : 0) <= bound) return [...decisions.slice(0, i), order[j]!];
    }
  }
  return null;
}

/** Alternatives in a fixed order: the default choice first, then the others ascending. */
function orderAt(candidates: readonly number[], previous: number): number[] {
  const first = defaultChoice({ candidates, previous });
  return [first, ...candidates.filter((c) => c !== first)];
}
