import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';

/** A point where more than one thread could run next. */
export interface ChoicePoint {
  /** Thread ids that may run now, ascending. */
  readonly candidates: readonly number[];
  /** The thread that ran last, or -1. */
  readonly previous: number;
  /** Step number in the run. */
  readonly step: number;
}

export type SchedulerPolicy =
  | { kind: 'run-to-completion' }
  | { kind: 'round-robin' }
  | { kind: 'random' }
  | { kind: 'pct'; depth: number; expectedSteps?: number }
  | { kind: 'replay'; decisions: readonly number[] }
  | { kind: 'guided'; choose: (point: ChoicePoint, index: number) => number };

export const POLICY_KINDS = ['run-to-completion', 'round-robin', 'random', 'pct', 'replay'] as const;

export type Chooser = (point: ChoicePoint, index: number) => number;

/** The default at any point: keep running the previous thread, else the lowest id. */
export function defaultChoice(point: ChoicePoint): number {
  return point.candidates.includes(point.previous) ? point.previous : point.candidates[0]!;
}

export function makeChooser(policy: SchedulerPolicy, rng: Rng, threadCount: number): Chooser {
  switch (policy.kind) {
    case 'run-to-completion':
      return defaultChoice;
    case 'round-robin':
      return (p) => {
        for (const id of p.candidates) if (id > p.previous) return id;
        return p.candidates[0]!;
      };
    case 'random':
      return (p) => p.candidates[rng.below(p.candidates.length)]!;
    case 'replay': {
      const decisions = policy.decisions;
      return (p, i) => {
        const want = decisions[i] ?? -1; // -1: past the recorded decisions, never a thread id
        return p.candidates.includes(want) ? want : defaultChoice(p);
      };
    }
    case 'guided':
      return policy.choose;
    case 'pct':
      return pctChooser(policy.depth, policy.expectedSteps ?? 200, rng, threadCount);
    default:
      throw new InvalidArgumentError(
        'scheduler policy',
        (policy as { kind: unknown }).kind,
        POLICY_KINDS.join(', '),
      );
  }
}

/**
 * PCT (Burckhardt et al., ASPLOS 2010): random distinct initial priorities >= depth, and
 * depth-1 random change points; at change point i the running thread drops to priority i.
 * The highest-priority runnable thread always runs.
 */
function pctChooser(depth: number, expectedSteps: number, rng: Rng, threadCount: number): Chooser {
  if (!Number.isInteger(depth) || depth < 1)
    throw new InvalidArgumentError('pct depth', depth, 'an integer >= 1');
  const prio = new Float64Array(threadCount);
  const order = Array.from({ length: threadCount }, (_, i) => i);
  for (let i = order.length - 1; i >= 1; i--) {
    const j = rng.below(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  order.forEach((tid, rank) => {
    prio[tid] = depth + rank;
  });
  const changes = new Map<number, number>();
  for (let i = 1; i < depth; i++) changes.set(1 + rng.below(Math.max(1, expectedSteps)), depth - i);
  return (p) => {
    // Change points are at steps >= 1, where a thread has run (p.previous >= 0).
    const change = changes.get(p.step);
    if (change !== undefined) prio[p.previous] = change;
    let best = p.candidates[0]!;
    // Stryker disable next-line EqualityOperator: priorities never tie (initial ones are distinct and >= depth, each change point sets a distinct one below depth), so > and >= pick the same thread
    for (const id of p.candidates) if (prio[id]! > prio[best]!) best = id;
    return best;
  };
}

/** "SEED:D1.D2.D3" <-> seed and decisions. */
export function formatReplay(seed: number, decisions: readonly number[]): string {
  return `${seed}:${decisions.join('.')}`;
}

export function parseReplay(text: string): { seed: number; decisions: number[] } {
  const m = /^(\d+):((?:\d+(?:\.\d+)*)?)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('replay', text, 'SEED:DECISIONS, e.g. 42:1.0.1');
  const decisions = m[2] ? m[2].split('.').map(Number) : [];
  return { seed: Number(m[1]), decisions };
}
