/**
 * One run of a kernel's threads under a Scheduler (Kernel.run): pick the runnable candidates,
 * let the scheduler decide when there are several, switch to the thread, step it to its next
 * yield, fold the step into the trace hash; until every thread ends, or all are blocked
 * (a deadlock), or the step budget runs out (a livelock).
 */
import { type KernelBug, ThreadKilled } from '../bugs.js';
import { CAT } from '../clock.js';
import type { Kernel, RunResult } from '../kernel.js';
import { beginStep, endStep, Footprint } from './footprint.js';
import { formatReplay } from './replay.js';
import type { Scheduler } from './scheduler.js';
import { BLOCKED, DONE, endThread, RUNNABLE, type Thread } from './thread.js';

export class Execution {
  private readonly threads: readonly Thread[];
  // Stryker disable next-line ArrayDeclaration: every slot is written before it is read (candidates[count++] = i)
  private readonly candidates: number[] = [];
  /** Whether the scheduler wants each step's footprint (DPOR). */
  private readonly footprints: boolean;
  /** Steps each thread has run (footprints name what a step makes by it). */
  private readonly stepsOf: number[];
  /** The thread that ran last on each CPU. */
  private readonly onCpu: (Thread | null)[];
  // Stryker disable next-line UnaryOperator: point.previous is set before every choice
  private readonly point = { candidates: this.candidates, previous: -1, step: 0, decision: 0 };
  private previous = -1;
  private steps = 0;
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;

  constructor(
    private readonly k: Kernel,
    private readonly scheduler: Scheduler,
    /** The kernel's decision list (bug reports made during the run quote it as their replay). */
    private readonly decisions: number[],
    private readonly maxSteps: number,
  ) {
    this.threads = k.threads;
    this.onCpu = k.cpus.map(() => null);
    this.footprints = scheduler.wantsFootprints === true;
    this.stepsOf = k.threads.map(() => 0);
  }

  /** A step whose footprint is recorded: the switch, the step, and the CPU it ran on. */
  private recordedStep(t: Thread): void {
    const candidates = this.candidates.slice();
    const fp = new Footprint();
    beginStep(fp, t.id, this.stepsOf[t.id]!++);
    try {
      fp.touch(this.k.cpus[t.cpu]!, true);
      this.switchTo(t);
      this.step(t);
    } finally {
      endStep();
    }
    this.scheduler.stepped?.(t.id, candidates, fp);
  }

  run(): RunResult {
    const bugsBefore = this.k.bugs.length;
    let deadlock = false;
    for (;;) {
      const count = this.collectCandidates();
      if (count < 0) break; // every thread ended
      if (count === 0) {
        this.reportDeadlock();
        deadlock = true;
        break;
      }
      const t = this.threads[this.decide(count)]!;
      if (this.footprints) {
        this.recordedStep(t);
      } else {
        this.switchTo(t);
        this.step(t);
      }
      if (this.steps >= this.maxSteps) {
        this.k.reportBug('deadlock', t, `no progress after ${this.maxSteps} scheduling steps (livelock?)`);
        deadlock = true;
        break;
      }
    }
    return this.result(bugsBefore, deadlock);
  }

  /** Fills `candidates` with the threads that may run now; -1 when no thread is left alive. */
  private collectCandidates(): number {
    const threads = this.threads;
    const candidates = this.candidates;
    let live = false;
    let count = 0;
    for (let i = 0; i < threads.length; i++) {
      const t = threads[i]!;
      if (t.body === null || t.state === DONE) continue;
      live = true;
      if (t.state !== RUNNABLE) continue;
      // A thread that yielded while atomic keeps its CPU: no other thread may run there.
      const holder = this.onCpu[t.cpu]!;
      if (holder !== null && holder !== t && holder.state === RUNNABLE && holder.atomic) continue;
      candidates[count++] = i;
    }
    if (!live) return -1;
    // Stryker disable next-line ConditionalExpression: writing the length the array already has changes nothing (the check only saves the write)
    if (candidates.length !== count) candidates.length = count;
    return count;
  }

  /** The thread to run: the only candidate, or the scheduler's decision (recorded). */
  private decide(count: number): number {
    const candidates = this.candidates;
    if (count === 1) return candidates[0]!;
    const point = this.point;
    point.previous = this.previous;
    point.step = this.steps;
    point.decision = this.decisions.length;
    const want = this.scheduler.nextThread(point);
    const chosen = candidates.includes(want) ? want : candidates[0]!;
    this.decisions.push(chosen);
    return chosen;
  }

  /**
   * The chosen thread gets its CPU: a context switch when another thread ran there last (on
   * that CPU: what ran meanwhile on another CPU does not matter).
   */
  private switchTo(t: Thread): void {
    const last = this.onCpu[t.cpu]!;
    this.onCpu[t.cpu] = t;
    if (last !== null && last !== t) this.k.charge(t, CAT.sched, this.k.costs.contextSwitch);
    this.k.irq.poll(t); // returns at once while t has irqs off
  }

  /** Runs the thread to its next yield; a thread killed by a kernel bug ends there. */
  private step(t: Thread): void {
    let r: IteratorResult<number, unknown>;
    try {
      r = t.body!.next();
    } catch (e) {
      if (!(e instanceof ThreadKilled)) throw e;
      t.killedBy = e.bug.kind;
      r = { done: true, value: undefined };
    }
    this.steps++;
    this.h1 = Math.imul(this.h1 ^ (t.id + 1), 0x01000193) >>> 0;
    this.h2 = Math.imul(this.h2 ^ (t.clock.total & 0xffffffff), 0x5bd1e995) >>> 0;
    if (r.done) endThread(t, r.value);
    this.previous = t.id;
  }

  private reportDeadlock(): void {
    const blocked = this.threads.filter((t) => t.state === BLOCKED);
    const what = blocked.map(
      (t) => `${t.label} on ${(t.blockedOn as { name?: string } | null)?.name ?? '?'}`,
    );
    this.k.reportBug('deadlock', blocked[0] ?? null, `all live threads blocked: ${what.join(', ')}`);
  }

  private result(bugsBefore: number, deadlock: boolean): RunResult {
    const bugs = this.k.bugs.slice(bugsBefore);
    let h1 = this.h1;
    for (const b of bugs) h1 = Math.imul(h1 ^ b.kind.length, 0x01000193) >>> 0;
    const traceHash = h1.toString(16).padStart(8, '0') + this.h2.toString(16).padStart(8, '0');
    return new Run(this.k.seed, this.decisions, this.steps, traceHash, bugs, deadlock);
  }
}

/** A run's result; its replay string is formatted on first use (a long run's decision list is large). */
class Run implements RunResult {
  private replayText: string | null = null;
  constructor(
    private readonly seed: number,
    readonly decisions: number[],
    readonly steps: number,
    readonly traceHash: string,
    readonly bugs: KernelBug[],
    readonly deadlock: boolean,
  ) {}

  get replay(): string {
    this.replayText ??= formatReplay(this.seed, this.decisions);
    return this.replayText;
  }
}
