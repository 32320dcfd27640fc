import { InvalidArgumentError } from '../errors.js';
import { created, touch } from './footprint.js';
import { blockThread, RUNNABLE, type Thread, wakeThread } from './thread.js';

/**
 * A wait queue (wait_queue_head_t). Kernel code sleeps with `q.sleepOn(t); yield Y_BLOCK;`
 * (prepare_to_wait, then schedule) and re-checks its condition when it runs again, as
 * `wait_event` loops; `wake` and `wakeAll` make sleepers runnable (wake_up, wake_up_all).
 * A deadlock report names the queue a thread sleeps on.
 */
export class WaitQueue {
  /** Made on the first sleeper: most queues (two per perfmon context) never have one. */
  private sleepers: Thread[] | null = null;

  constructor(readonly name: string) {
    created(this);
  }

  /** Threads asleep on the queue. */
  get length(): number {
    return this.sleepers?.length ?? 0;
  }

  has(t: Thread): boolean {
    touch(this, false);
    return this.sleepers?.includes(t) ?? false;
  }

  /** The running thread goes to sleep here; it must yield Y_BLOCK next. */
  sleepOn(t: Thread): void {
    if (t.state !== RUNNABLE)
      throw new InvalidArgumentError(
        `sleepOn(${this.name})`,
        t.label,
        'a runnable thread (one that is running)',
      );
    touch(this, true);
    if (this.sleepers === null) this.sleepers = [t];
    else this.sleepers.push(t);
    blockThread(t, this);
  }

  /** Wakes the longest sleeper; null when none sleeps. */
  wake(): Thread | null {
    touch(this, true);
    const t = this.sleepers?.shift();
    if (t === undefined) return null;
    wakeThread(t);
    return t;
  }

  /** Wakes every sleeper; returns how many. */
  wakeAll(): number {
    touch(this, true);
    const all = this.sleepers;
    if (all === null) return 0;
    this.sleepers = null;
    for (const t of all) wakeThread(t);
    return all.length;
  }
}
