import { InvalidArgumentError } from '../errors.js';
import { type ChoicePoint, defaultChoice, type Scheduler } from './scheduler.js';

/** Makes the recorded decisions again; past their end (or where one cannot run), the default. */
export class ReplayScheduler implements Scheduler {
  constructor(private readonly decisions: readonly number[]) {}
  newExecution(): void {}
  nextThread(p: ChoicePoint): number {
    const want = this.decisions[p.decision] ?? -1; // -1: past the recorded decisions, never a thread id
    return p.candidates.includes(want) ? want : defaultChoice(p);
  }
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
