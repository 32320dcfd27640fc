import type { RunResult } from '../kernel.js';
import { dependent, type Footprint } from './footprint.js';
import { type ChoicePoint, defaultChoice, type Scheduler } from './scheduler.js';

/** The state before one step of the current execution, and what the search knows of it. */
interface Node {
  /** Threads that could run. */
  readonly enabled: readonly number[];
  /** The thread that ran, and what its step touched. */
  thread: number;
  fp: Footprint;
  /** Threads the search must run from this state. */
  readonly backtrack: Set<number>;
  /** Threads run from this state so far, with their step's footprint. */
  readonly done: Map<number, Footprint>;
  /** Threads asleep here (their step was explored from an equivalent state), with footprints. */
  readonly sleep: Map<number, Footprint>;
  /** The sleep set of the branch being run from here: `sleep` and the threads done before it. */
  branchSleep: Map<number, Footprint>;
  /** Threads the preemption bound kept from being run from here. */
  readonly cut: Set<number>;
}

/**
 * Dynamic partial-order reduction: source sets with sleep sets (Abdulla, Aronis, Jonsson,
 * Sagonas, POPL 2014; after Flanagan and Godefroid, POPL 2005), stateless: each execution
 * replays a prefix of steps and runs on; at its end every race in it (two dependent steps of
 * different threads, the first happening just before the second) that could go the other way
 * puts a thread that starts the reversed order in the backtrack set of the state before the
 * first step. Two schedules that differ only in the order of independent steps (footprint.ts)
 * reach the same state, so one of them is run. Sleep sets skip a thread whose step was
 * already explored from an equivalent state.
 *
 * With `maxPreemptions` it is bounded partial-order reduction (after Coons, Musuvathi and
 * McKinley, OOPSLA 2013): a race also puts the threads that start its other order in the
 * backtrack set of the state where the first step's run of steps began (switching there costs
 * no more preemptions than the switch that was made), every such thread rather than one, and
 * no sleep sets (a sleeping thread may be the only way to stay within the bound). A backtrack
 * that would preempt more often than the bound is left out and counted (`cut`). The search
 * reaches every class of schedules that some schedule within the bound reaches, as a bounded
 * exhaustive search does (a property test holds it to that), in fewer schedules.
 */
export class SourceDpor implements Scheduler {
  readonly wantsFootprints = true;
  // Stryker disable next-line ArrayDeclaration: newExecution truncates it to the prefix first
  private nodes: Node[] = [];
  // Stryker disable next-line ArrayDeclaration: newExecution sets it before any step
  private prefix: readonly number[] = [];
  private planned: number[] | null = [];
  private step = 0;
  private sleepNow = new Map<number, Footprint>();
  /** Whether this execution has run a sleeping thread (every thread that could run slept). */
  private blocked = false;
  /**
   * Executions that ran into a state where every enabled thread was asleep: the rest of such
   * an execution is equivalent to one explored before (the run goes on to its end anyway).
   */
  sleepBlocked = 0;
  /** Backtracks left out because they would preempt more often than the bound. */
  cut = 0;

  private readonly bounded: boolean;

  constructor(readonly maxPreemptions = Number.POSITIVE_INFINITY) {
    this.bounded = Number.isFinite(maxPreemptions);
  }

  hasMore(): boolean {
    return this.planned !== null;
  }

  newExecution(): void {
    // Stryker disable next-line ArrayDeclaration: planned is null only once hasMore() is false
    this.prefix = this.planned ?? [];
    this.step = 0;
    // States before the last prefix step are the same in this execution; the rest are redone.
    this.nodes.length = Math.max(0, this.prefix.length);
    this.sleepNow = new Map();
    this.blocked = false;
  }

  nextThread(p: ChoicePoint): number {
    if (p.step < this.prefix.length) return this.prefix[p.step]!;
    const awake = p.candidates.filter((c) => !this.sleepNow.has(c));
    return defaultChoice(awake.length > 0 ? { candidates: awake, previous: p.previous } : p);
  }

  stepped(thread: number, candidates: readonly number[], fp: Footprint): void {
    const s = this.step++;
    const last = this.prefix.length - 1;
    if (s < last) {
      // Replaying: the same state, the same step (the world is deterministic).
      this.nodes[s]!.fp = fp;
      return;
    }
    let node: Node;
    if (s === last) {
      node = this.nodes[s]!;
      node.thread = thread;
      node.fp = fp;
      node.done.set(thread, fp);
      this.sleepNow = node.branchSleep;
    } else {
      // Every thread that could run here sleeps (or the only one that could does): what follows
      // is equivalent to an execution explored before, so the search keeps nothing of it.
      if (this.blocked || this.sleepNow.has(thread)) {
        this.blocked = true;
        return;
      }
      node = {
        enabled: [...candidates],
        thread,
        fp,
        backtrack: new Set([thread]),
        done: new Map([[thread, fp]]),
        sleep: this.sleepNow,
        branchSleep: this.sleepNow,
        cut: new Set(),
      };
      this.nodes.push(node);
    }
    const next = new Map<number, Footprint>();
    for (const [t, f] of this.sleepNow) if (t !== thread && !dependent(f, fp)) next.set(t, f);
    this.sleepNow = next;
  }

  endExecution(_run: RunResult): void {
    if (this.blocked) this.sleepBlocked++;
    this.addBacktracks();
    this.planned = this.plan();
  }

  /** Each reversible race e_i ⋖ e_j puts an initial of notdep(e_i).e_j in backtrack(i). */
  private addBacktracks(): void {
    const nodes = this.nodes;
    const n = nodes.length;
    const threads = 1 + Math.max(0, ...nodes.map((x) => Math.max(x.thread, ...x.enabled)));
    // clock[j][t]: how many of thread t's steps happen before or at step j.
    const clock: Int32Array[] = [];
    const local: number[] = [];
    const lastOf = new Int32Array(threads).fill(-1);
    const dep: boolean[][] = [];
    for (let j = 0; j < n; j++) {
      const tj = nodes[j]!.thread;
      const c = new Int32Array(threads);
      const prev = lastOf[tj]!;
      if (prev >= 0) c.set(clock[prev]!);
      dep.push([]);
      for (let i = 0; i < j; i++) {
        const d = nodes[i]!.thread !== tj && dependent(nodes[i]!.fp, nodes[j]!.fp);
        dep[j]![i] = d;
        if (d) for (let t = 0; t < threads; t++) if (clock[i]![t]! > c[t]!) c[t] = clock[i]![t]!;
      }
      local.push((prev >= 0 ? local[prev]! : 0) + 1);
      c[tj] = local[j]!;
      clock.push(c);
      lastOf[tj] = j;
    }
    const hb = (i: number, k: number) => clock[k]![nodes[i]!.thread]! >= local[i]!;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < j; i++) {
        if (!dep[j]![i]) continue;
        let direct = true;
        for (let k = i + 1; k < j && direct; k++) if (hb(i, k) && hb(k, j)) direct = false;
        if (direct) this.reverse(i, j, hb);
      }
    }
  }

  /** The race e_i ⋖ e_j: make sure backtrack(i) holds a thread that can start the other order. */
  private reverse(i: number, j: number, hb: (a: number, b: number) => boolean): void {
    const nodes = this.nodes;
    const v: number[] = [];
    for (let k = i + 1; k < j; k++) if (!hb(i, k)) v.push(k);
    v.push(j);
    const initials = new Set<number>();
    const seen = new Set<number>();
    for (let a = 0; a < v.length; a++) {
      const t = nodes[v[a]!]!.thread;
      if (seen.has(t)) continue;
      seen.add(t);
      let first = true;
      for (let b = 0; b < a && first; b++) if (hb(v[b]!, v[a]!)) first = false;
      if (first) initials.add(t);
    }
    const want = nodes[j]!.thread;
    this.backtrackAt(nodes[i]!, initials, want);
    if (this.bounded) {
      // Bounded (Coons, Musuvathi, McKinley 2013): also where e_i's run of steps began, where
      // switching to another thread costs no more preemptions than the switch that was made.
      let k = i;
      while (k > 0 && nodes[k - 1]!.thread === nodes[i]!.thread) k--;
      if (k < i) this.backtrackAt(nodes[k]!, initials, want);
    }
  }

  private backtrackAt(node: Node, initials: ReadonlySet<number>, want: number): void {
    const candidates = [...initials].filter((t) => node.enabled.includes(t));
    if (candidates.length === 0) {
      // No thread that starts the other order can run here: every thread that can (Flanagan
      // and Godefroid's conservative choice).
      for (const t of node.enabled) node.backtrack.add(t);
      return;
    }
    if (this.bounded) {
      // every thread that starts the other order: one of them may fit the bound where another does not
      for (const t of candidates) node.backtrack.add(t);
      return;
    }
    if (candidates.some((t) => node.backtrack.has(t))) return;
    const awake = candidates.filter((t) => !node.sleep.has(t));
    const pick = awake.includes(want) ? want : (awake[0] ?? candidates[0]!);
    node.backtrack.add(pick);
  }

  /** The next execution: the deepest state with a thread left to run, or null when none is. */
  private plan(): number[] | null {
    const nodes = this.nodes;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      for (const q of [...node.backtrack].sort((a, b) => a - b)) {
        if (node.done.has(q) || node.sleep.has(q) || node.cut.has(q)) continue;
        const prefix = nodes.slice(0, i).map((x) => x.thread);
        if (preemptions(nodes, prefix, q) > this.maxPreemptions) {
          node.cut.add(q);
          this.cut++;
          continue;
        }
        const sleep = new Map(node.sleep);
        // Bounded: no sleep sets (a sleeping thread may be the only way to stay within the bound).
        if (!this.bounded) for (const [t, f] of node.done) sleep.set(t, f);
        node.branchSleep = sleep;
        this.nodes.length = i + 1;
        return [...prefix, q];
      }
    }
    return null;
  }
}

/** Preemptions of a schedule whose steps run `prefix` and then `next`. */
function preemptions(nodes: readonly Node[], prefix: readonly number[], next: number): number {
  let count = 0;
  const steps = [...prefix, next];
  for (let s = 1; s < steps.length; s++) {
    const previous = steps[s - 1]!;
    if (steps[s] !== previous && nodes[s]!.enabled.includes(previous)) count++;
  }
  return count;
}
