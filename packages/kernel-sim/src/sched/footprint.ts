/**
 * What one scheduling step touched that another thread's step could also touch: the footprint
 * DPOR (dpor.ts) decides dependence by. Two steps are dependent when they touch the same
 * object and one of them writes it, or overlapping arena bytes and one of them writes them.
 *
 * Recorded while a step runs under a scheduler that asks for it (Execution sets `recording`):
 * kernel memory accesses (Memory.access, the user side of a copy), the allocator, locks and
 * wait queues, a thread blocking or waking, fd tables, random streams, bug reports, and the
 * CPU the step ran on (its clock, its interrupts, who ran there last). State outside these
 * (a higher layer's own objects) is covered when it is touched under a lock, or through
 * `Kernel.touch`.
 *
 * DPOR compares footprints of different executions (sleep sets), which run in one world
 * restored from a snapshot: an object that existed at the snapshot is the same object in
 * every execution. One made during a run is not; it is named instead by who made it (the
 * thread, its step, the order within the step: `created`), which is the same in every
 * execution that reaches an equivalent state. An object made lazily by whichever thread comes
 * first and found by a name (a random stream, a lock class) is named by that name (`named`):
 * the same object whoever makes it. Labels handed out in order of making (tag ids, lock ids,
 * lock class ids) may differ between equivalent schedules; nothing compares them.
 */

export class Footprint {
  /** Objects touched (or their names, for those made during a run): true when one was written. */
  readonly objects = new Map<unknown, boolean>();
  /** Arena byte ranges: [start, end, written] triples. */
  readonly ranges: number[] = [];

  touch(o: object, write: boolean): void {
    const key = names.get(o) ?? o;
    if (write) this.objects.set(key, true);
    else if (!this.objects.has(key)) this.objects.set(key, false);
  }

  touchRange(start: number, length: number, write: boolean): void {
    if (length <= 0) return;
    const r = this.ranges;
    const end = start + length;
    // the common case, a copy walking on: extend the last range (none yet: r[-1] is undefined)
    const n = r.length;
    if (r[n - 1] === (write ? 1 : 0) && r[n - 2] === start) {
      r[n - 2] = end;
      return;
    }
    r.push(start, end, write ? 1 : 0);
  }
}

/** Whether the steps of two footprints may not be swapped (see the file comment). */
export function dependent(a: Footprint, b: Footprint): boolean {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: which one is walked changes the work, not the answer
  const [small, large] = a.objects.size <= b.objects.size ? [a, b] : [b, a];
  for (const [o, w] of small.objects) {
    const other = large.objects.get(o);
    if (other !== undefined && (w || other)) return true;
  }
  const x = a.ranges;
  const y = b.ranges;
  // Stryker disable next-line EqualityOperator: a triple past the end is undefined and overlaps nothing
  for (let i = 0; i < x.length; i += 3) {
    // Stryker disable next-line EqualityOperator: as above
    for (let j = 0; j < y.length; j += 3) {
      if ((x[i + 2] === 1 || y[j + 2] === 1) && x[i]! < y[j + 1]! && y[j]! < x[i + 1]!) return true;
    }
  }
  return false;
}

/** The footprint of the step running now, or null when nothing asks for one. */
let current: Footprint | null = null;
/** Who is running the step: the thread, its step, objects it has made so far in the step. */
// Stryker disable next-line StringLiteral: beginStep sets it before created() reads it
let maker = '';
let made = 0;
/** Names of objects made while a footprint was recorded. */
const names = new WeakMap<object, string>();

/** Starts recording step `step` (counted from 0) of thread `thread` (Execution, for DPOR). */
export function beginStep(f: Footprint, thread: number, step: number): void {
  current = f;
  maker = `${thread}/${step}/`;
  made = 0;
}

/** A shared object made now: named by its maker when a step is being recorded. */
export function created(o: object): void {
  if (current !== null) names.set(o, maker + made++);
}

/** A shared object found by `name` wherever it is made: named by it. */
export function named(o: object, name: string): void {
  names.set(o, name);
}

/** Stops recording. */
export function endStep(): void {
  current = null;
}

/** The running step touches `o` (a lock, a queue, a table): no-op unless recording. */
export function touch(o: object, write: boolean): void {
  if (current !== null) current.touch(o, write);
}

/** The running step touches arena bytes [start, start + length): no-op unless recording. */
export function touchRange(start: number, length: number, write: boolean): void {
  if (current !== null) current.touchRange(start, length, write);
}
