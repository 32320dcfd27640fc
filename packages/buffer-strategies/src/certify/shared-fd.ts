import { explore, type Finding, replaySchedule } from '@pfmsim/kernel-sim';
import { sharedContextScenario } from '../scenario.js';
import { type CertCheck, Problems, statusOf } from './check.js';
import { type StrategyFactory, thrown } from './world.js';

/** Two threads of one process on one context fd: what each calls, in order. */
export interface SharedFdPlan {
  readonly id: string;
  readonly calls: readonly (readonly number[])[];
  /** The vectors' pages are not present before each call, so the copy in takes a page fault. */
  readonly evictVectors: boolean;
}

export const SHARED_FD_PLANS: readonly SharedFdPlan[] = [
  // a second call reuses whatever the first left (a cached buffer, a budget)
  {
    id: 'two-calls',
    calls: [
      [5, 2],
      [6, 5],
    ],
    evictVectors: false,
  },
  // a full arg_size_max vector against a stack-sized and a mid-sized one
  { id: 'full-vector', calls: [[23, 2], [8]], evictVectors: false },
  // the copy in sleeps on a page fault, wherever the strategy makes it
  {
    id: 'faulting-copy',
    calls: [
      [5, 2],
      [6, 5],
    ],
    evictVectors: true,
  },
];

export interface SharedFdOptions {
  /** Exhaustive search bound (preemptions per schedule). Default 3. */
  maxPreemptions?: number;
  /** Random schedules per plan after the exhaustive search. Default 300. */
  randomSchedules?: number;
  seed?: number;
  /** Cap on exhaustive schedules per plan; reaching it makes the check partial. Default 100,000. */
  cap?: number;
  /** CONFIG_DEBUG_ATOMIC_SLEEP (might_sleep checks in the copies). Default true. */
  debugAtomicSleep?: boolean;
  /** Builds the replay command of a finding from its `PLAN:SEED:DECISIONS` string. */
  replayCommand: (replay: string) => string;
}

function scenarioOf(factory: StrategyFactory, plan: SharedFdPlan, debugAtomicSleep = true) {
  return sharedContextScenario({
    strategy: factory,
    calls: plan.calls,
    evictVectors: plan.evictVectors,
    debugAtomicSleep,
  });
}

/**
 * Exhaustive (bounded) and random exploration of two threads sharing one context fd, for
 * each plan: every schedule is checked for kernel bugs (data races, use after free, sleeping
 * in atomic context, lock misuse), for arguments that came back wrong, failed calls, and for
 * anything left after the context is closed and the threads exit.
 */
export function sharedFdCheck(factory: StrategyFactory, opts: SharedFdOptions): CertCheck {
  const maxPreemptions = opts.maxPreemptions ?? 3;
  const randomSchedules = opts.randomSchedules ?? 300;
  const seed = opts.seed ?? 1;
  const cap = opts.cap ?? 100_000;
  const problems = new Problems();
  const replays: string[] = [];
  const kinds = new Set<string>();
  let exhaustive = 0;
  let random = 0;
  let partial = false;
  const byPlan: string[] = [];
  for (const plan of SHARED_FD_PLANS) {
    try {
      const sc = scenarioOf(factory, plan, opts.debugAtomicSleep);
      const ex = explore({
        build: sc.build,
        check: sc.check,
        mode: 'exhaustive',
        maxPreemptions,
        schedules: cap,
      });
      exhaustive += ex.schedules;
      byPlan.push(`${plan.id} ${ex.schedules}`);
      if (!ex.complete) partial = true;
      const rnd = explore({
        build: sc.build,
        check: sc.check,
        mode: 'random',
        schedules: randomSchedules,
        seed,
      });
      random += rnd.schedules;
      const seen = new Set<string>();
      for (const f of [...ex.findings, ...rnd.findings]) {
        for (const [kind, what] of findingKinds(f)) {
          kinds.add(kind);
          if (seen.has(kind)) continue;
          seen.add(kind);
          problems.add(`schedule ${plan.id}:${f.replay}: ${what}`);
          if (replays.length < 3) replays.push(opts.replayCommand(`${plan.id}:${f.replay}`));
        }
      }
    } catch (e) {
      problems.add(`${plan.id}: ${thrown(e)}`);
    }
  }
  const status = statusOf(problems, false, partial);
  return {
    id: 'shared-fd',
    title: 'two threads on one context fd: exhaustive (bounded) and random schedules',
    status,
    summary: `${SHARED_FD_PLANS.length} plans, ${exhaustive} exhaustive schedules (up to ${maxPreemptions} preemptions${partial ? `, capped at ${cap}: PARTIAL` : ', complete'}) + ${random} random (seed ${seed}); ${problems.count === 0 ? 'no finding' : `findings: ${[...kinds].join(', ')}`}`,
    figures: {
      plans: SHARED_FD_PLANS.length,
      exhaustiveSchedules: exhaustive,
      exhaustiveByPlan: byPlan.join(', '),
      randomSchedules: random,
      maxPreemptions,
      complete: !partial,
      findings: problems.count,
      kinds: [...kinds].join(' '),
    },
    problems: problems.list,
    moreProblems: problems.more,
    replay: replays,
  };
}

/** Each kind of problem a finding shows (bug kinds; `wrong-result-or-leak` for the scenario's own checks) with its first message. */
function findingKinds(f: Finding): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of f.bugs) if (!out.has(b.kind)) out.set(b.kind, `${b.kind}: ${b.message}`);
  const failure = f.failures[0];
  if (failure !== undefined) out.set('wrong-result-or-leak', failure);
  return out;
}

/** Replays one shared-fd schedule, `PLAN:SEED:DECISIONS`, and lists what it finds. */
export function replaySharedFd(
  factory: StrategyFactory,
  replay: string,
): { plan: string; problems: string[] } {
  const at = replay.indexOf(':');
  const id = replay.slice(0, at);
  const plan = SHARED_FD_PLANS.find((p) => p.id === id);
  if (!plan) {
    throw new RangeError(
      `unknown shared-fd plan in ${JSON.stringify(replay)}: expected PLAN:SEED:DECISIONS with PLAN one of ${SHARED_FD_PLANS.map((p) => p.id).join(', ')}`,
    );
  }
  const sc = scenarioOf(factory, plan);
  const { kernel, run } = replaySchedule(sc.build, replay.slice(at + 1));
  const bugs = kernel.bugs.map((b) => `${b.kind}: ${b.message}`);
  return { plan: id, problems: [...bugs, ...sc.check(kernel, run)] };
}
