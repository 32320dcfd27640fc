/**
 * One check of a strategy certificate (`pfmsim certify`). `warn` passes with a caveat the
 * certificate prints (a frame over CONFIG_FRAME_WARN, memory that grows with the attacker);
 * `partial` means the check could not finish (an exploration cap) and never reads as a pass.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'partial' | 'skipped';

export type Figure = number | string | boolean | null;

export interface CertCheck {
  /** Short id, the one `--only` takes: `conformance`, `faults`, `shared-fd`... */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** One line with the figures that decided the status. */
  readonly summary: string;
  readonly figures: Readonly<Record<string, Figure>>;
  /** What went wrong (the first few), each a complete sentence. */
  readonly problems: readonly string[];
  /** Problems found beyond those listed. */
  readonly moreProblems: number;
  /** Commands that reproduce a failure (or the check) exactly. */
  readonly replay: readonly string[];
  /** The full measurements behind the figures (JSON output), when there are more than fit a line. */
  readonly data?: unknown;
}

/** Problems a check lists before it only counts them. */
export const MAX_PROBLEMS = 8;

/** Collects problems for one check, keeping the first MAX_PROBLEMS. */
export class Problems {
  readonly list: string[] = [];
  count = 0;

  add(message: string): void {
    this.count++;
    if (this.list.length < MAX_PROBLEMS) this.list.push(message);
  }

  get more(): number {
    return this.count - this.list.length;
  }
}

/** The status of a check from its problems and caveats. */
export function statusOf(problems: Problems, caveat = false, partial = false): CheckStatus {
  if (problems.count > 0) return 'fail';
  if (partial) return 'partial';
  return caveat ? 'warn' : 'pass';
}
