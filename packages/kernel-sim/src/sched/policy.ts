/**
 * Scheduling policies by name: the plain-data form a scenario file, a CLI flag or a test names
 * (`{ kind: 'pct', depth: 3 }`), and the Scheduler each one makes. Kernel.run takes either.
 */
import { InvalidArgumentError } from '../errors.js';
import { PctScheduler } from './pct.js';
import { RandomScheduler } from './random.js';
import { ReplayScheduler } from './replay.js';
import { RoundRobin } from './round-robin.js';
import { RunToCompletion, type Scheduler } from './scheduler.js';

export type SchedulerPolicy =
  | { kind: 'run-to-completion' }
  | { kind: 'round-robin' }
  | { kind: 'random' }
  /** `decisions`: the expected decisions per run, where change points are drawn (default 0: none). */
  | { kind: 'pct'; depth: number; decisions?: number }
  | { kind: 'replay'; decisions: readonly number[] };

export const POLICY_KINDS = ['run-to-completion', 'round-robin', 'random', 'pct', 'replay'] as const;

type Factories = {
  [K in SchedulerPolicy['kind']]: (policy: Extract<SchedulerPolicy, { kind: K }>) => Scheduler;
};

const FACTORIES: Factories = {
  'run-to-completion': () => new RunToCompletion(),
  'round-robin': () => new RoundRobin(),
  random: () => new RandomScheduler(),
  pct: (p) => new PctScheduler(p.depth, p.decisions),
  replay: (p) => new ReplayScheduler(p.decisions),
};

/** The scheduler a policy names. */
export function createScheduler(policy: SchedulerPolicy): Scheduler {
  const kind = (policy as { kind?: unknown } | null)?.kind;
  if (!Object.hasOwn(FACTORIES, kind as string))
    throw new InvalidArgumentError('scheduler policy', kind, POLICY_KINDS.join(', '));
  return (FACTORIES[kind as SchedulerPolicy['kind']] as (p: SchedulerPolicy) => Scheduler)(policy);
}
