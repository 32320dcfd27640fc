import type { ChoicePoint, Scheduler } from './scheduler.js';

/** At every decision, the next thread id after the previous one, wrapping to the lowest. */
export class RoundRobin implements Scheduler {
  newExecution(): void {}
  nextThread(p: ChoicePoint): number {
    for (const id of p.candidates) if (id > p.previous) return id;
    return p.candidates[0]!;
  }
}
