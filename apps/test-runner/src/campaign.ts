/**
 * The bookkeeping of a fuzz campaign: system calls made per strategy (the budget of
 * `fuzz --syscalls N`), their rate, the branch coverage reached, and progress lines at each
 * tenth of the budget. Counts come from the runs (TestResult.syscalls, TestResult.ms), never
 * from estimates.
 */
import { COVERED_PACKAGES, type CoverageSummary, CoverageTracker } from './coverage.js';
import type { TestResult } from './run.js';

export interface StrategyCount {
  readonly syscalls: number;
  /** Host milliseconds spent running this strategy's tests. */
  readonly ms: number;
}

export interface CampaignResult {
  readonly syscalls: number;
  readonly perStrategy: Readonly<Record<string, StrategyCount>>;
  /** Branch coverage reached, when it was measured. */
  readonly coverage?: CoverageSummary;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

export class Campaign {
  syscalls = 0;
  private readonly perStrategy = new Map<string, { syscalls: number; ms: number }>();
  private readonly tracker: CoverageTracker | null;
  private tenthsShown = 0;

  constructor(
    /** Stop once this many system calls ran (null: no syscall budget). */
    readonly budget: number | null,
    coverage: boolean,
    private readonly log: (text: string) => void,
  ) {
    this.tracker = coverage ? new CoverageTracker() : null;
  }

  spent(): boolean {
    return this.budget !== null && this.syscalls >= this.budget;
  }

  /**
   * Counts a program's tests; returns the branches it reached first (0 without coverage).
   * `programs` and `seconds` so far are for the progress line printed at each tenth.
   */
  add(tests: readonly TestResult[], programs: number, seconds: number): number {
    for (const t of tests) {
      const calls = t.syscalls ?? 0;
      this.syscalls += calls;
      const s = this.perStrategy.get(t.strategy) ?? { syscalls: 0, ms: 0 };
      s.syscalls += calls;
      s.ms += t.ms;
      this.perStrategy.set(t.strategy, s);
    }
    const fresh = this.tracker ? this.tracker.take() : 0;
    // the tenths of the budget reached; one line when a program crosses one (or several)
    const tenths = this.budget === null ? 0 : Math.min(10, Math.floor((this.syscalls * 10) / this.budget));
    // (tenths stays 0 without a budget)
    if (tenths > this.tenthsShown) {
      this.tenthsShown = tenths;
      const pct = Math.min(100, Math.floor((this.syscalls / this.budget!) * 100));
      this.log(
        `fuzz: ${n(this.syscalls)} syscalls (${pct} %), ${programs} programs, ${seconds.toFixed(1)} s, ${n(this.syscalls / seconds)}/s${this.coverageText()}\n`,
      );
    }
    return fresh;
  }

  private coverageText(): string {
    if (!this.tracker) return '';
    const { reached } = this.tracker.summary();
    return `, ${COVERED_PACKAGES.map((p) => `${p} ${reached[p]}`).join(', ')} branches`;
  }

  /** Ends coverage collection; the counts so far. */
  finish(): CampaignResult {
    const coverage = this.tracker?.summary();
    this.tracker?.stop();
    const perStrategy = Object.fromEntries(
      [...this.perStrategy].map(([k, v]) => [k, { syscalls: v.syscalls, ms: Math.round(v.ms) }]),
    );
    return { syscalls: this.syscalls, perStrategy, ...(coverage ? { coverage } : {}) };
  }

  /** The summary lines: syscalls per strategy and per second, coverage reached. */
  static summary(r: CampaignResult, seconds: number): string {
    const rate = r.syscalls > 0 && seconds > 0 ? `, ${n(r.syscalls / seconds)}/s` : '';
    const lines = [`syscalls: ${n(r.syscalls)} in ${seconds.toFixed(1)} s${rate}`];
    for (const [name, s] of Object.entries(r.perStrategy)) {
      const rate = s.ms > 0 ? `${n(s.syscalls / (s.ms / 1000))}/s` : '-';
      lines.push(`  ${name.padEnd(20)} ${n(s.syscalls).padStart(12)} syscalls  ${rate.padStart(10)}`);
    }
    if (r.coverage) {
      const c = r.coverage;
      lines.push(
        `coverage: ${COVERED_PACKAGES.map((p) => `${p} ${c.reached[p]} of ${c.known[p]} branches`).join(', ')} (V8 block coverage; "of": the blocks of the functions that ran)`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}
