import { UsageError } from '../errors.js';

/** A slice of a sweep: cells whose index % count === index - 1 (1-based, like vitest --shard). */
export interface Shard {
  readonly index: number;
  readonly count: number;
  /** Where it came from: "flag", "PFMSIM_SHARD_INDEX", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID". */
  readonly source: string;
}

const AUTO_HINT =
  'set PFMSIM_SHARD_INDEX (1-based) and PFMSIM_SHARD_COUNT, or run it as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with PFMSIM_SHARD_COUNT) or a Slurm job array';

function envInt(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v.trim()))
    throw new UsageError(`--shard auto: ${name}="${v}" is not a non-negative integer`, AUTO_HINT);
  return Number(v);
}

function checked(index: number, count: number, source: string): Shard {
  if (count < 1) throw new UsageError(`--shard: the shard count must be at least 1 (from ${source})`);
  if (index < 1 || index > count) {
    throw new UsageError(
      `--shard: shard ${index} of ${count} does not exist (from ${source})`,
      `shards run from 1/${count} to ${count}/${count}`,
    );
  }
  return { index, count, source };
}

/**
 * `--shard i/n` (1-based), or `--shard auto` from the environment, first match wins:
 * 1. PFMSIM_SHARD_INDEX (1-based) + PFMSIM_SHARD_COUNT   (a CI matrix)
 * 2. JOB_COMPLETION_INDEX (0-based) + PFMSIM_SHARD_COUNT (a Kubernetes Indexed Job)
 * 3. SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP + SLURM_ARRAY_TASK_COUNT (a Slurm array)
 */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>>): Shard {
  if (text === 'auto') {
    const count = envInt(env, 'PFMSIM_SHARD_COUNT');
    const ci = envInt(env, 'PFMSIM_SHARD_INDEX');
    if (ci !== undefined) {
      if (count === undefined)
        throw new UsageError(
          '--shard auto: PFMSIM_SHARD_INDEX is set but PFMSIM_SHARD_COUNT is not',
          AUTO_HINT,
        );
      return checked(ci, count, 'PFMSIM_SHARD_INDEX');
    }
    const k8s = envInt(env, 'JOB_COMPLETION_INDEX');
    if (k8s !== undefined) {
      if (count === undefined) {
        throw new UsageError(
          '--shard auto: JOB_COMPLETION_INDEX is set but PFMSIM_SHARD_COUNT is not',
          "set PFMSIM_SHARD_COUNT to the Job's spec.completions",
        );
      }
      return checked(k8s + 1, count, 'JOB_COMPLETION_INDEX');
    }
    const id = envInt(env, 'SLURM_ARRAY_TASK_ID');
    if (id !== undefined) {
      const n = envInt(env, 'SLURM_ARRAY_TASK_COUNT');
      if (n === undefined)
        throw new UsageError(
          '--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not',
          AUTO_HINT,
        );
      const min = envInt(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
      const step = envInt(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
      return checked(Math.floor((id - min) / Math.max(1, step)) + 1, n, 'SLURM_ARRAY_TASK_ID');
    }
    throw new UsageError('--shard auto found no shard index in the environment', AUTO_HINT);
  }
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m)
    throw new UsageError(
      `--shard "${text}" is not i/n or auto`,
      'e.g. --shard 1/4 (shards are 1-based) or --shard auto',
    );
  return checked(Number(m[1]), Number(m[2]), '--shard');
}

export const inShard = (cellIndex: number, shard: Shard | null): boolean =>
  shard === null || cellIndex % shard.count === shard.index - 1;
