/**
 * Running a scenario under each of its strategies: the sequential script, the threads'
 * concurrent steps (once, or under every explored schedule), the `after` steps, teardown and
 * invariants; then the comparison between strategies (differential testing).
 */
import {
  explore,
  formatBug,
  formatReplay,
  type KGen,
  type RunResult,
  replaySchedule,
  type SchedulerPolicy,
  type Thread,
  ThreadKilled,
  type Verdict,
} from '@pfmsim/kernel-sim';
import { hashBytes } from './bytes.js';
import { execStep } from './exec.js';
import { type LoadedScenario, ScenarioError, ScenarioPathError } from './load.js';
import { makePlan, type Plan, type PlanOptions, strategyFactory } from './plan.js';
import type { Step } from './schema.js';
import { fieldAt, fieldText, structSize } from './structs.js';
import { type Observation, World } from './world.js';

/** One test: a scenario under one strategy. */
export interface TestResult {
  readonly file: string;
  readonly scenario: string;
  readonly strategy: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
  readonly ms: number;
  /** Schedules run (exploration). */
  readonly schedules?: number;
  /** System calls made, over every schedule run (a test that could not run made none). */
  readonly syscalls?: number;
  /** The command that replays the failing schedule. */
  readonly replayCommand?: string;
}

export interface ScenarioResult {
  readonly file: string;
  readonly scenario: string;
  readonly tests: readonly TestResult[];
}

export interface RunOptions extends PlanOptions {
  /** Run one schedule (`SEED:DECISIONS`) instead of exploring. */
  replay?: string;
  /** Called with each world's observation log (--replay prints it). */
  onLog?: (strategy: string, log: readonly Observation[], failures: readonly string[]) => void;
  /**
   * Explored scenarios: restore a snapshot of the set-up world per schedule (default), or set
   * it up again each time (false; the same results, slower: for checking the snapshots).
   */
  snapshots?: boolean;
}

/** A run of one strategy: failures, and what it observed (one log, or one per distinct outcome). */
interface StrategyRun {
  readonly name: string;
  readonly failures: string[];
  readonly ms: number;
  readonly log: readonly Observation[] | null;
  readonly outcomes: Map<string, { replay: string; log: readonly Observation[] }> | null;
  readonly schedules?: number;
  readonly syscalls: number;
  replayCommand?: string;
}

function runList(w: World, steps: readonly Step[] | undefined): void {
  if (!steps) return;
  for (const step of steps) {
    if (w.dead) return;
    const t = step.thread ? w.thread(step.thread) : w.firstThread;
    const loc = w.plan.sc.stepLoc(step);
    try {
      w.k.runSync(t, execStep(w, step, t, loc.label, loc.path));
    } catch (e) {
      if (!(e instanceof ThreadKilled)) throw e;
      w.dead = true;
      if (!w.plan.expectBugs.includes(e.bug.kind))
        w.failures.push(`${loc.label}: thread ${t.name} killed by a KernelBug (${e.bug.kind})`);
    }
  }
}

function installBodies(w: World): void {
  for (const pt of w.plan.threads) {
    if (!pt.steps || pt.steps.length === 0) continue;
    const t = w.thread(pt.name);
    t.body = threadBody(w, t, pt.steps, pt.name);
  }
}

// Top-level, not a closure per world: see kernel-sim's Thread.body.
function* threadBody(w: World, t: Thread, steps: readonly Step[], name: string): KGen<void> {
  for (const step of steps) {
    const loc = w.plan.sc.stepLoc(step);
    yield* execStep(w, step, t, `${loc.label} [${name}]`, loc.path);
  }
}

/** After the concurrent part: `after` steps, teardown, the invariants. Returns the failures. */
function finish(w: World, run: RunResult | null, exploring: boolean): string[] {
  const plan = w.plan;
  if (run?.deadlock) w.dead = true;
  for (const t of w.threads.values()) {
    if (t.killedBy !== null) w.dead = true;
  }
  runList(w, plan.sc.data.after);
  const failures = [...w.failures];
  if (!w.dead) {
    const leaks = w.teardown();
    if (plan.leakCheck && leaks.length > 0)
      failures.push(`leak: after closing every fd and exiting every thread, still live: ${leaks.join('; ')}`);
  }
  for (const b of w.k.bugs) {
    if (!plan.expectBugs.includes(b.kind)) failures.push(`KernelBug ${formatBug(b)}`);
  }
  if (!exploring) {
    const kinds = new Set(w.k.bugs.map((b) => b.kind));
    for (const kind of plan.expectBugs) {
      if (!kinds.has(kind)) failures.push(`expected a ${kind} KernelBug; none was reported`);
    }
  }
  return failures;
}

/** A world with the script run, threads without bodies; `onWorld` sees it first (a step may throw). */
function setUp(plan: Plan, name: string, seed: number, onWorld: (w: World) => void): World {
  const factory = strategyFactory(name, plan.extra)!;
  const w = new World(plan, name, factory(), seed);
  onWorld(w);
  runList(w, plan.sc.data.steps);
  return w;
}

/** The threads' bodies, on a world set up (or restored from its snapshot) that is still alive. */
function start(w: World): void {
  if (!w.dead && w.plan.concurrent) installBodies(w);
}

function policyOf(plan: Plan): SchedulerPolicy {
  return { kind: plan.sc.data.schedule ?? 'run-to-completion' };
}

function replayCommand(plan: Plan, strategy: string, replay: string): string {
  return `pfmsim-test run ${plan.sc.file} --strategy ${strategy} --replay ${replay}`;
}

/** A JavaScript exception from inside the simulator: a failure of this strategy, with its replay. */
function simulatorException(plan: Plan, name: string, e: unknown, w: World | null): StrategyRun {
  if (e instanceof ScenarioError || e instanceof ScenarioPathError || !(e instanceof Error)) throw e;
  const frames = (e.stack ?? '')
    .split('\n')
    .slice(1, 4)
    .map((l) => l.trim());
  const failures = [`the simulator threw ${e.name}: ${e.message} (${frames.join(' < ')})`];
  const r: StrategyRun = { name, failures, ms: 0, log: null, outcomes: null, syscalls: w?.syscalls ?? 0 };
  if (w && (plan.concurrent || plan.sc.data.explore)) {
    r.replayCommand = replayCommand(plan, name, w.k.replay());
    failures.push(`replay: ${r.replayCommand}`);
  }
  return r;
}

function singleRun(plan: Plan, name: string, opts: RunOptions): StrategyRun {
  const t0 = performance.now();
  // a replayed schedule runs the world set up with the scenario's seed under its own seed, as
  // under exploration (kernel-sim's explore with `start`)
  const replay = opts.replay === undefined ? null : parseReplay(opts.replay);
  const seed = replay ? replay.seed : plan.seed;
  let current: World | null = null;
  let world: World;
  let run: RunResult | null = null;
  let failures: string[];
  try {
    world = setUp(plan, name, plan.seed, (x) => {
      current = x;
    });
    const k = world.k;
    if (seed !== plan.seed) k.reseed(seed);
    start(world);
    if (plan.concurrent && !world.dead) {
      run = replay ? k.run({ kind: 'replay', decisions: replay.decisions }) : k.run(policyOf(plan));
    }
    failures = finish(world, run, false);
  } catch (e) {
    return simulatorException(plan, name, e, current);
  }
  opts.onLog?.(name, world.log, failures);
  const r: StrategyRun = {
    name,
    failures,
    ms: performance.now() - t0,
    log: world.log,
    outcomes: null,
    syscalls: world.syscalls,
  };
  if (failures.length > 0 && plan.concurrent && run)
    r.replayCommand = replayCommand(plan, name, formatReplay(seed, run.decisions));
  return r;
}

function parseReplay(replay: string): { seed: number; decisions: number[] } {
  const m = /^(\d+):((?:\d+(?:\.\d+)*)?)$/.exec(replay.trim());
  if (!m) throw new Error(`--replay ${replay}: expected SEED:DECISIONS, e.g. 1:0.1.1`);
  return { seed: Number(m[1]), decisions: m[2] ? m[2].split('.').map(Number) : [] };
}

/** An observation that outlives its world's restore: its bytes copied out of the world. */
function keptObservation(o: Observation): Observation {
  return { ...o, mem: o.mem.map((m) => ({ ...m, bytes: m.bytes.slice() })) };
}

function signature(log: readonly Observation[], unordered = false): string {
  const lines: string[] = [];
  for (const o of log) {
    if (!o.compare) continue;
    let s = `${o.where}=${o.result}`;
    for (const m of o.mem) s += `:${hashBytes(m.bytes)}`;
    lines.push(s);
  }
  if (unordered) lines.sort();
  return `${lines.join('\n')}\n`;
}

function exploreRun(plan: Plan, name: string, opts: RunOptions): StrategyRun {
  const t0 = performance.now();
  const spec = plan.sc.data.explore!;
  // The world being built, for the report of a simulator exception thrown before build returns.
  let current: World | null = null;
  const b = (seed: number) =>
    setUp(plan, name, seed, (w) => {
      current = w;
    });
  const baseSeed = spec.seed ?? plan.seed;
  const outcomes = new Map<string, { replay: string; log: readonly Observation[] }>();
  const seenKinds = new Set<string>();
  let schedules = 0;
  let syscalls = 0;
  const first: { failed: { replay: string; failures: string[] } | null } = { failed: null };
  /** Schedules run by an exhaustive or DPOR search that did not finish (null: it did). */
  let incomplete: number | null = null;
  // Judges one schedule; the first that fails ends the search (its replay is the report).
  const check = (w: World, run: RunResult): Verdict => {
    schedules++;
    syscalls += w.syscalls;
    const failures = finish(w, run, true);
    for (const bug of w.k.bugs) seenKinds.add(bug.kind);
    // DPOR runs one schedule of each class of equivalent ones, so the order in which the
    // threads' steps finished is not an outcome there: only what each step saw.
    const sig = signature(w.log, spec.mode === 'dpor');
    // a copy: the world (its log, the bytes the log holds) is restored for the next schedule
    if (!outcomes.has(sig)) outcomes.set(sig, { replay: run.replay, log: w.log.map(keptObservation) });
    if (failures.length === 0) return { failures: [] };
    first.failed = { replay: run.replay, failures };
    return { failures, stop: true };
  };
  try {
    if (opts.replay) {
      const { world, run } = replaySchedule(b, opts.replay, { start, baseSeed });
      check(world, run);
      opts.onLog?.(name, world.log, first.failed?.failures ?? []);
    } else {
      const dpor = spec.mode === 'dpor';
      const bound = spec.max_preemptions ?? (dpor ? undefined : 2);
      const result = explore({
        build: b,
        start,
        // DPOR always runs from a snapshot (kernel-sim: it compares steps of different runs)
        ...(opts.snapshots === false && !dpor ? { snapshots: false } : {}),
        check,
        mode: spec.mode,
        ...(bound !== undefined ? { maxPreemptions: bound } : {}),
        schedules: spec.schedules ?? (spec.mode === 'exhaustive' || dpor ? 100_000 : 200),
        seed: baseSeed,
        ...(spec.pct_depth !== undefined ? { pctDepth: spec.pct_depth } : {}),
      });
      const ended = spec.mode === 'exhaustive' || dpor;
      if (ended && !result.complete && first.failed === null) incomplete = result.schedules;
    }
  } catch (e) {
    return simulatorException(plan, name, e, current);
  }
  const failures: string[] = [];
  let command: string | undefined;
  const f = first.failed;
  if (f) {
    command = replayCommand(plan, name, f.replay);
    failures.push(...f.failures.map((m) => `schedule ${f.replay}: ${m}`));
    failures.push(`replay: ${command}`);
  } else if (!opts.replay) {
    if (incomplete !== null)
      failures.push(
        `exploration incomplete: ${incomplete} schedules run and not every one (${spec.mode === 'dpor' && spec.max_preemptions !== undefined ? 'the cap (schedules:) was reached, or the preemption bound left schedules out' : 'the cap (schedules:) was reached'}): raise schedules: or lower max_preemptions:`,
      );
    for (const kind of plan.expectBugs) {
      if (!seenKinds.has(kind))
        failures.push(`expected a ${kind} KernelBug on some schedule; ${schedules} schedules showed none`);
    }
  }
  const r: StrategyRun = {
    name,
    failures,
    ms: performance.now() - t0,
    log: null,
    outcomes,
    schedules,
    syscalls,
  };
  if (command) r.replayCommand = command;
  return r;
}

/** The first difference between two observation logs, as text; null when they agree. */
export function diffLogs(
  plan: Plan,
  a: readonly Observation[],
  b: readonly Observation[],
  an: string,
  bn: string,
): string | null {
  const A = a.filter((o) => o.compare);
  const B = b.filter((o) => o.compare);
  for (let i = 0; i < Math.max(A.length, B.length); i++) {
    const x = A[i];
    const y = B[i];
    if (!x || !y) {
      const where = (x ?? y)!.where;
      return `${where}: reached under ${x ? an : bn} only (${an} made ${A.length} observations, ${bn} ${B.length})`;
    }
    if (x.where !== y.where) return `steps ran in a different order: ${an} ${x.where}, ${bn} ${y.where}`;
    if (x.result !== y.result) return `${x.where}: result: ${an} ${x.result}, ${bn} ${y.result}`;
    for (let m = 0; m < Math.max(x.mem.length, y.mem.length); m++) {
      const p = x.mem[m];
      const q = y.mem[m];
      if (!p || !q) return `${x.where}: buffers differ in number`;
      const n = Math.min(p.bytes.length, q.bytes.length);
      for (let off = 0; off < n; off++) {
        if (p.bytes[off] === q.bytes[off]) continue;
        if (p.kind === null)
          return `${x.where}: buffer ${p.label} byte ${off}: ${an} ${p.bytes[off]}, ${bn} ${q.bytes[off]}`;
        const size = structSize(plan.abi, p.kind);
        const el = Math.floor(off / size);
        const at = off % size;
        const { name, f } = fieldAt(plan.abi, p.kind, at);
        const pv = new DataView(p.bytes.buffer, p.bytes.byteOffset + el * size, size);
        const qv = new DataView(q.bytes.buffer, q.bytes.byteOffset + el * size, size);
        const va = f ? fieldText(pv, 0, f, at) : String(p.bytes[off]);
        const vb = f ? fieldText(qv, 0, f, at) : String(q.bytes[off]);
        return `${x.where}: buffer ${p.label}[${el}].${name}: ${an} ${va}, ${bn} ${vb}`;
      }
    }
  }
  return null;
}

function compareOutcomes(plan: Plan, ref: StrategyRun, r: StrategyRun): string | null {
  const A = ref.outcomes!;
  const B = r.outcomes!;
  for (const [sig, o] of B) {
    if (A.has(sig)) continue;
    const first = A.values().next().value;
    const d = first
      ? diffLogs(plan, first.log, o.log, `${ref.name} (schedule ${first.replay})`, r.name)
      : null;
    return `schedule ${o.replay} under ${r.name} gives an outcome no ${ref.name} schedule gives${d ? `; e.g. ${d}` : ''}`;
  }
  for (const [sig, o] of A) {
    if (!B.has(sig)) return `an outcome of ${ref.name} (schedule ${o.replay}) never occurs under ${r.name}`;
  }
  return null;
}

/**
 * Runs one scenario under each of its strategies. A scenario that cannot run (an unknown
 * name, a bad value) gives one failed test whose message names the file, line and field.
 */
export function runScenario(sc: LoadedScenario, opts: RunOptions = {}): ScenarioResult {
  const name = sc.data.name;
  let plan: Plan;
  try {
    plan = makePlan(sc, opts);
  } catch (e) {
    return errorResult(sc, e);
  }
  const runs: StrategyRun[] = [];
  try {
    for (const s of plan.strategies) {
      runs.push(plan.sc.data.explore ? exploreRun(plan, s, opts) : singleRun(plan, s, opts));
    }
  } catch (e) {
    return errorResult(sc, e);
  }
  const ref = runs[0]!;
  const tests: TestResult[] = runs.map((r) => {
    const failures = [...r.failures];
    // differential: compared with the reference strategy (the first) whenever that one passed
    if (
      r !== ref &&
      plan.differential &&
      ref.failures.length === 0 &&
      (r.log !== null || r.outcomes !== null)
    ) {
      const d =
        r.log && ref.log
          ? diffLogs(plan, ref.log, r.log, ref.name, r.name)
          : r.outcomes
            ? compareOutcomes(plan, ref, r)
            : null;
      if (d) failures.unshift(`differs from ${ref.name}: ${d}`);
    }
    return {
      file: sc.file,
      scenario: name,
      strategy: r.name,
      passed: failures.length === 0,
      failures,
      ms: r.ms,
      syscalls: r.syscalls,
      ...(r.schedules !== undefined ? { schedules: r.schedules } : {}),
      ...(r.replayCommand ? { replayCommand: r.replayCommand } : {}),
    };
  });
  return { file: sc.file, scenario: name, tests };
}

/** A scenario that cannot run, as one failed test (strategy `-`). */
export function errorResult(sc: LoadedScenario, e: unknown): ScenarioResult {
  let message: string;
  if (e instanceof ScenarioError) message = e.message;
  else if (e instanceof ScenarioPathError) {
    const { line, col } = sc.locate(e.path);
    const field = e.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '');
    message = `${sc.file}:${line}:${col}: ${field}: ${e.message}`;
  } else if (e instanceof Error) message = `${sc.file}: ${e.message}`;
  else message = `${sc.file}: ${String(e)}`;
  return {
    file: sc.file,
    scenario: sc.data.name ?? sc.file,
    tests: [
      {
        file: sc.file,
        scenario: sc.data.name ?? sc.file,
        strategy: '-',
        passed: false,
        failures: [message],
        ms: 0,
      },
    ],
  };
}
