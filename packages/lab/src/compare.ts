import { createStrategy, stackReport, strategyNames } from '@pfmsim/buffer-strategies';
import type { ArchId, Category, CostOverrides } from '@pfmsim/kernel-sim';
import type { AbiProfileId } from '@pfmsim/perfmon-core';
import { runAttack, runThreadAttack } from './attack.js';
import type { Machine } from './machines.js';
import { type CallMeasurement, measureCall } from './measure.js';
import { exploreRaces } from './race.js';
import { VECTOR_SYSCALLS, type VectorSyscall } from './world.js';

export interface CompareOptions {
  machine: Machine;
  abi?: AbiProfileId;
  seed?: number;
  threads?: number;
  counts?: readonly number[];
  syscalls?: readonly VectorSyscall[];
  strategies?: readonly string[];
  attackContexts?: number;
  /**
   * Contexts of a second, scaled attack (pfmsim compare --attack-contexts): its pinned bytes
   * join the 1024-context figure instead of replacing it. Default: none.
   */
  scaledAttackContexts?: number;
  /** Threads of the thread-flood variant of the attack (default 256). */
  attackThreads?: number;
  /** Preemption bound of the exhaustive race exploration (default 3). */
  maxPreemptions?: number;
  costOverrides?: CostOverrides;
  onProgress?: (done: number, total: number, what: string) => void;
}

export interface StrategySummary {
  readonly name: string;
  readonly cyclesAt4: number;
  readonly cyclesAt64: number;
  /** Saving over kmalloc, pfm_read_pmds (fraction, positive = faster). */
  readonly savingAt4: number;
  readonly savingAt64: number;
  /** On-stack array bytes in the pfm_read_pmds frame, and the deepest stack use measured. */
  readonly stackFrameBytes: number;
  readonly stackDepth: number;
  readonly frameWarn: boolean;
  readonly pinnedBytesAfterAttack: number;
  /** Pinned after the scaled attack (`scaledAttackContexts`), or null when none was run. */
  readonly pinnedBytesAfterScaledAttack: number | null;
  /** Pinned after `attackThreads` threads of one process each made one call. */
  readonly pinnedBytesAfterThreadAttack: number;
  readonly raceFree: boolean;
  readonly kernelBugs: readonly string[];
  readonly raceReplay: string | null;
  readonly verdict: string;
}

export interface CompareResult {
  readonly machine: string;
  readonly arch: string;
  readonly cost: string;
  readonly pmu: string;
  readonly seed: number;
  readonly abi: AbiProfileId;
  readonly threads: number;
  readonly counts: readonly number[];
  readonly results: readonly (CallMeasurement & { breakdown: Record<Category, number> })[];
  readonly strategies: readonly StrategySummary[];
  readonly best: string;
}

/**
 * The main experiment: every strategy against the three register calls at each count, plus the
 * 1024-context attack, two-thread race exploration and the stack report, folded into one
 * decision table.
 */
export function runCompare(opts: CompareOptions): CompareResult {
  const machine = opts.machine;
  const abi = opts.abi ?? 'v2.3';
  const seed = opts.seed ?? 1;
  const threads = opts.threads ?? 1;
  const counts = opts.counts ?? [1, 2, 4, 8, 16, 32, 64];
  const syscalls = opts.syscalls ?? VECTOR_SYSCALLS;
  const strategies = opts.strategies ?? strategyNames();
  const contexts = opts.attackContexts ?? 1024;
  const threadsAttack = opts.attackThreads ?? 256;
  const total =
    strategies.length * (syscalls.length * counts.length + (opts.scaledAttackContexts === undefined ? 4 : 5));
  let done = 0;
  const tick = (what: string) => opts.onProgress?.(++done, total, what);
  const world = {
    machine,
    abi,
    seed,
    ...(opts.costOverrides ? { costOverrides: opts.costOverrides } : {}),
  };

  const results: CallMeasurement[] = [];
  const measuredName = new Map<string, string>();
  for (const strategy of strategies) {
    for (const syscall of syscalls) {
      for (const count of counts) {
        const m = measureCall({ ...world, strategy, syscall, count, threads });
        measuredName.set(strategy, m.strategy);
        results.push(m);
        tick(`${strategy} ${syscall} n=${count}`);
      }
    }
  }
  const cycles = (strategy: string, count: number) =>
    results.find((r) => r.strategy === strategy && r.syscall === 'pfm_read_pmds' && r.count === count)
      ?.cyclesPerCall ?? Number.NaN;
  const nameOf = (s: string) => measuredName.get(s) ?? s;

  const summaries: StrategySummary[] = [];
  for (const strategy of strategies) {
    const name = nameOf(strategy);
    const attack = runAttack({ ...world, strategy, contexts });
    tick(`${strategy} attack`);
    const scaled =
      opts.scaledAttackContexts === undefined
        ? null
        : runAttack({ ...world, strategy, contexts: opts.scaledAttackContexts, samples: 1 });
    if (scaled) tick(`${strategy} scaled attack`);
    const threadAttack = runThreadAttack({ ...world, strategy, threads: threadsAttack });
    tick(`${strategy} thread attack`);
    const race = exploreRaces({
      ...world,
      strategy,
      threads: 2,
      mode: 'exhaustive',
      maxPreemptions: opts.maxPreemptions ?? 3,
    });
    tick(`${strategy} race`);
    const stack = stackReport(createStrategy(strategy), machine.arch as ArchId);
    tick(`${strategy} stack`);
    const pmdRow = stack.rows.find((r) => r.kind === 'pmd')!;
    const c4 = cycles(name, 4);
    const c64 = cycles(name, 64);
    const k4 = cycles(nameOf('kmalloc'), 4);
    const k64 = cycles(nameOf('kmalloc'), 64);
    summaries.push({
      name,
      cyclesAt4: c4,
      cyclesAt64: c64,
      savingAt4: (k4 - c4) / k4,
      savingAt64: (k64 - c64) / k64,
      stackFrameBytes: pmdRow.frameBytes,
      stackDepth: Math.max(...stack.rows.map((r) => r.measuredDepth)),
      frameWarn: stack.rows.some((r) => r.frameWarnExceeded),
      pinnedBytesAfterAttack: attack.pinnedBytesAfter,
      pinnedBytesAfterScaledAttack: scaled?.pinnedBytesAfter ?? null,
      pinnedBytesAfterThreadAttack: threadAttack.pinnedBytesAfter,
      raceFree: race.raceFree,
      kernelBugs: race.bugKinds,
      raceReplay: race.findings[0]?.replay ?? null,
      verdict: '',
    });
  }
  const page = machine.arch === 'ia64' ? 16384 : 4096;
  const bounded = (s: StrategySummary) =>
    s.pinnedBytesAfterAttack < (contexts * page) / 4 &&
    s.pinnedBytesAfterThreadAttack < (threadsAttack * page) / 4;
  const safe = summaries.filter((s) => s.raceFree && !s.frameWarn && bounded(s));
  const best =
    [...safe].sort((a, b) => a.cyclesAt4 + a.cyclesAt64 / 16 - (b.cyclesAt4 + b.cyclesAt64 / 16))[0]?.name ??
    'kmalloc';
  const final = summaries.map((s) => ({ ...s, verdict: verdict(s, best, contexts, page, threadsAttack) }));
  return {
    machine: machine.id,
    arch: machine.arch,
    cost: machine.cost,
    pmu: machine.pmu,
    seed,
    abi,
    threads,
    counts,
    results,
    strategies: final,
    best,
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** One line per strategy, from the measurements only. */
export function verdict(
  s: StrategySummary,
  best: string,
  contexts: number,
  page: number,
  threads = 256,
): string {
  if (!s.raceFree) return `unsafe: ${s.kernelBugs.join(', ')} with two threads on one fd`;
  if (s.frameWarn) return `over CONFIG_FRAME_WARN (${s.stackFrameBytes} B frame)`;
  if (s.pinnedBytesAfterAttack >= (contexts * page) / 4) {
    return `saves ${pct(s.savingAt4)} at 4 regs but pins ${(s.pinnedBytesAfterAttack / 1024 / 1024).toFixed(1)} MiB for ${contexts} contexts`;
  }
  if (s.pinnedBytesAfterThreadAttack >= (threads * page) / 4) {
    return `saves ${pct(s.savingAt4)} at 4 regs but pins ${(s.pinnedBytesAfterThreadAttack / 1024 / 1024).toFixed(1)} MiB for ${threads} threads`;
  }
  if (s.name === best)
    return `best overall: ${pct(s.savingAt4)} faster at 4 regs, ${pct(s.savingAt64)} at 64, bounded memory`;
  if (s.name === 'kmalloc') return 'baseline: the 2006 code';
  return `${pct(s.savingAt4)} at 4 regs, ${pct(s.savingAt64)} at 64, bounded memory`;
}
