/**
 * Branch coverage of the simulated kernel while fuzzing: V8's precise block coverage (the
 * engine's own counters, through the inspector of this process), restricted to perfmon-core
 * and buffer-strategies. A "branch" is one block range V8 reports for a function (a function
 * body, an if/else arm, a loop body, a short-circuit operand); it is reached once it ran.
 */
import { Session } from 'node:inspector';

/** The packages whose branches are counted, and how their files are recognised. */
export const COVERED_PACKAGES = ['perfmon-core', 'buffer-strategies'] as const;
export type CoveredPackage = (typeof COVERED_PACKAGES)[number];

const FILE = /[/\\](perfmon-core|buffer-strategies)[/\\](?:src|dist)[/\\](?!.*\.test\.)/;

interface Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}
interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly Range[] }[];
}

/** The package a script belongs to (judged by its path, not a query), or null when its branches are not counted. */
export function coveredPackage(url: string): CoveredPackage | null {
  const m = FILE.exec(url.split('?')[0]!);
  return m ? (m[1] as CoveredPackage) : null;
}

/** Reached and known branches per package. */
export interface CoverageSummary {
  readonly reached: Readonly<Record<CoveredPackage, number>>;
  readonly known: Readonly<Record<CoveredPackage, number>>;
}

/** The part of node:inspector's Session the tracker uses (tests give it a scripted one). */
export interface InspectorSession {
  connect(): void;
  disconnect(): void;
  post(method: string, params: object, callback: (err: Error | null, result: unknown) => void): void;
}

/**
 * Collects block coverage from now on. `take()` returns how many branches were reached for the
 * first time since the previous take (the signal that keeps a program in the corpus); V8 resets
 * its counters at each take, so a take costs the blocks that ran, not the whole program.
 */
export class CoverageTracker {
  private readonly reached = new Set<string>();
  private readonly known = new Set<string>();
  private stopped = false;

  constructor(private readonly session: InspectorSession = new Session() as InspectorSession) {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });
  }

  /**
   * Branches reached for the first time since the last take. V8 leaves out a block that ran as
   * often as its function (binary mode: every block that ran), so a block is seen when it did
   * not run (count 0); it is reached in a take where its function ran and it is not reported
   * as 0. Blocks never reported at all always ran with their function: the function counts them.
   */
  take(): number {
    const { result } = this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
    let fresh = 0;
    const reach = (key: string) => {
      if (this.reached.has(key)) return;
      this.reached.add(key);
      fresh++;
    };
    for (const script of result) {
      const pkg = coveredPackage(script.url);
      if (!pkg) continue;
      for (const fn of script.functions) {
        const [body, ...blocks] = fn.ranges;
        if (!body) continue;
        const fnKey = `${pkg}\0${script.url}\0${body.startOffset}\0${body.endOffset}`;
        this.known.add(fnKey);
        const known = this.blocksOf(fnKey);
        const notRun: Range[] = [];
        for (const r of blocks) {
          const key = `${fnKey}\0${r.startOffset}\0${r.endOffset}`;
          known.set(key, r);
          this.known.add(key);
          if (r.count === 0) notRun.push(r);
        }
        if (body.count === 0) continue;
        reach(fnKey);
        // a block not reported ran, unless it lies inside one that did not run (reported once, for both)
        for (const [key, r] of known) {
          if (!notRun.some((n) => n.startOffset <= r.startOffset && r.endOffset <= n.endOffset)) reach(key);
        }
      }
    }
    return fresh;
  }

  /** The blocks V8 has reported for each function (by key), with their offsets. */
  private readonly blocks = new Map<string, Map<string, Range>>();
  private blocksOf(fnKey: string): Map<string, Range> {
    let map = this.blocks.get(fnKey);
    if (!map) {
      map = new Map();
      this.blocks.set(fnKey, map);
    }
    return map;
  }

  summary(): CoverageSummary {
    const count = (set: Set<string>, pkg: CoveredPackage) => {
      let n = 0;
      for (const k of set) if (k.startsWith(`${pkg}\0`)) n++;
      return n;
    };
    const per = (set: Set<string>) =>
      Object.fromEntries(COVERED_PACKAGES.map((p) => [p, count(set, p)])) as Record<CoveredPackage, number>;
    return { reached: per(this.reached), known: per(this.known) };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.post('Profiler.stopPreciseCoverage');
    this.post('Profiler.disable');
    this.session.disconnect();
  }

  /** The inspector of this process answers synchronously: the callback runs before post returns. */
  private post(method: string, params?: object): unknown {
    let out: unknown;
    let failure: Error | null = null;
    this.session.post(method, params ?? {}, (err, res) => {
      failure = err;
      out = res;
    });
    if (failure) throw failure;
    return out;
  }
}
