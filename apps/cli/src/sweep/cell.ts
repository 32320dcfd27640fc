import { measureCall, resolveMachine } from '@pfmsim/lab';
import { VERSION } from '../version.js';
import type { SweepCell } from './config.js';

/** One line of a sweep results file. */
export interface CellRecord {
  readonly type: 'cell';
  readonly index: number;
  readonly key: string;
  readonly machine: string;
  readonly arch: string;
  readonly cost: string;
  readonly pmu: string;
  readonly abi: string;
  readonly threads: number;
  readonly seed: number;
  readonly strategy: string;
  readonly syscall: string;
  readonly count: number;
  readonly cyclesPerCall: number;
  readonly breakdown: Readonly<Record<string, number>>;
  readonly stackBytes: number;
  readonly error: string | null;
  readonly kernelBugs: number;
  readonly pfmsimVersion: string;
  /** Host milliseconds the cell took (not part of the result; for load balancing). */
  readonly hostMs: number;
}

/**
 * Kernel arena of a sweep cell. The lab's default (16 MiB) is allocated and zeroed per world,
 * which costs most of a cell's host time and serialises worker threads on page faults of the
 * one process; the vectors of a cell need far less, and the results are the same (checked in
 * src/sweep/sweep.test.ts against the default arena).
 */
export function cellArenaBytes(cell: Pick<SweepCell, 'count' | 'threads'>): number {
  const need = (cell.count * 256 * 4 + 32 * 1024) * Math.max(1, cell.threads) + (128 << 10);
  let arena = 256 << 10;
  while (arena < need) arena *= 2;
  return arena;
}

/** What the sweep command keeps of a cell for its summary (the full record goes to the file). */
export type CellSummary = Pick<
  CellRecord,
  | 'index'
  | 'key'
  | 'machine'
  | 'abi'
  | 'threads'
  | 'strategy'
  | 'syscall'
  | 'count'
  | 'cyclesPerCall'
  | 'error'
  | 'kernelBugs'
>;

export function summarize(r: CellRecord): CellSummary {
  const { index, key, machine, abi, threads, strategy, syscall, count, cyclesPerCall, error, kernelBugs } = r;
  return { index, key, machine, abi, threads, strategy, syscall, count, cyclesPerCall, error, kernelBugs };
}

/** Runs one cell: a measureCall of @pfmsim/lab, nothing more (no simulation logic here). */
export function runCell(cell: SweepCell): CellRecord {
  const t0 = performance.now();
  const machine = resolveMachine(cell.machine);
  const m = measureCall({
    machine,
    strategy: cell.strategy,
    abi: cell.abi,
    seed: cell.seed,
    syscall: cell.syscall,
    count: cell.count,
    threads: cell.threads,
    callsPerThread: cell.callsPerThread,
    arenaBytes: cellArenaBytes(cell),
    ...(Object.keys(cell.costOverrides).length > 0 ? { costOverrides: cell.costOverrides } : {}),
  });
  return {
    type: 'cell',
    index: cell.index,
    key: cell.key,
    machine: cell.machineId,
    arch: machine.arch,
    cost: machine.cost,
    pmu: machine.pmu,
    abi: cell.abi,
    threads: cell.threads,
    seed: cell.seed,
    strategy: m.strategy,
    syscall: m.syscall,
    count: m.count,
    cyclesPerCall: m.cyclesPerCall,
    breakdown: m.breakdown,
    stackBytes: m.stackBytes,
    error: m.error,
    kernelBugs: m.kernelBugs,
    pfmsimVersion: VERSION,
    hostMs: Math.round((performance.now() - t0) * 100) / 100,
  };
}
