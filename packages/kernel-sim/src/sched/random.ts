import type { Rng } from '../rng.js';
import type { ChoicePoint, Scheduler } from './scheduler.js';

/** A uniformly random candidate at every decision, from the kernel's scheduling stream. */
export class RandomScheduler implements Scheduler {
  private rng: Rng | null = null;
  newExecution(_threadCount: number, rng: Rng): void {
    this.rng = rng;
  }
  nextThread(p: ChoicePoint): number {
    return p.candidates[this.rng!.below(p.candidates.length)]!;
  }
}
