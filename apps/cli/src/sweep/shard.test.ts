import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { inShard, parseShard } from './shard.js';

const AUTO_HINT =
  'set PFMSIM_SHARD_INDEX (1-based) and PFMSIM_SHARD_COUNT, or run it as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with PFMSIM_SHARD_COUNT) or a Slurm job array';

function lineOf(text: string, env: Record<string, string> = {}): string {
  try {
    parseShard(text, env);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).line();
  }
  throw new Error('expected a UsageError');
}

describe('--shard i/n', () => {
  it('is 1-based, from 1/n to n/n, and says where it came from', () => {
    expect(parseShard('1/1', {})).toEqual({ index: 1, count: 1, source: '--shard' });
    expect(parseShard(' 4/4 ', {})).toEqual({ index: 4, count: 4, source: '--shard' });
    expect(parseShard('12/16', {})).toEqual({ index: 12, count: 16, source: '--shard' });
    expect(lineOf('0/4')).toBe(
      '--shard: shard 0 of 4 does not exist (from --shard); shards run from 1/4 to 4/4',
    );
    expect(lineOf('5/4')).toBe(
      '--shard: shard 5 of 4 does not exist (from --shard); shards run from 1/4 to 4/4',
    );
    expect(lineOf('0/0')).toBe('--shard: the shard count must be at least 1 (from --shard)');
  });

  it('anything else is refused with an example', () => {
    for (const bad of ['1-4', '1/', '/4', 'a/b', '1/4/2', '-1/4', 'x1/4', '1/4x']) {
      expect(lineOf(bad)).toBe(
        `--shard "${bad}" is not i/n or auto; e.g. --shard 1/4 (shards are 1-based) or --shard auto`,
      );
    }
  });
});

describe('--shard auto', () => {
  it('a CI matrix: PFMSIM_SHARD_INDEX (1-based) with PFMSIM_SHARD_COUNT, first in line', () => {
    expect(
      parseShard('auto', {
        PFMSIM_SHARD_INDEX: '2',
        PFMSIM_SHARD_COUNT: '3',
        JOB_COMPLETION_INDEX: '0',
        SLURM_ARRAY_TASK_ID: '0',
        SLURM_ARRAY_TASK_COUNT: '3',
      }),
    ).toEqual({ index: 2, count: 3, source: 'PFMSIM_SHARD_INDEX' });
    expect(lineOf('auto', { PFMSIM_SHARD_INDEX: '2' })).toBe(
      `--shard auto: PFMSIM_SHARD_INDEX is set but PFMSIM_SHARD_COUNT is not; ${AUTO_HINT}`,
    );
    expect(lineOf('auto', { PFMSIM_SHARD_INDEX: '4', PFMSIM_SHARD_COUNT: '3' })).toBe(
      '--shard: shard 4 of 3 does not exist (from PFMSIM_SHARD_INDEX); shards run from 1/3 to 3/3',
    );
  });

  it('a Kubernetes Indexed Job: JOB_COMPLETION_INDEX is 0-based, before Slurm', () => {
    expect(
      parseShard('auto', {
        JOB_COMPLETION_INDEX: '2',
        PFMSIM_SHARD_COUNT: '3',
        SLURM_ARRAY_TASK_ID: '0',
        SLURM_ARRAY_TASK_COUNT: '3',
      }),
    ).toEqual({ index: 3, count: 3, source: 'JOB_COMPLETION_INDEX' });
    expect(lineOf('auto', { JOB_COMPLETION_INDEX: '3', PFMSIM_SHARD_COUNT: '3' })).toBe(
      '--shard: shard 4 of 3 does not exist (from JOB_COMPLETION_INDEX); shards run from 1/3 to 3/3',
    );
    expect(lineOf('auto', { JOB_COMPLETION_INDEX: '1' })).toBe(
      "--shard auto: JOB_COMPLETION_INDEX is set but PFMSIM_SHARD_COUNT is not; set PFMSIM_SHARD_COUNT to the Job's spec.completions",
    );
  });

  it('a Slurm array: the task id relative to its minimum and step', () => {
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' })).toEqual({
      index: 1,
      count: 2,
      source: 'SLURM_ARRAY_TASK_ID',
    });
    // --array=1-4: ids 1..4.
    expect(
      parseShard('auto', {
        SLURM_ARRAY_TASK_ID: '4',
        SLURM_ARRAY_TASK_MIN: '1',
        SLURM_ARRAY_TASK_COUNT: '4',
      }),
    ).toMatchObject({ index: 4, count: 4 });
    // --array=10-40:10: ids 10, 20, 30, 40.
    expect(
      parseShard('auto', {
        SLURM_ARRAY_TASK_ID: '30',
        SLURM_ARRAY_TASK_MIN: '10',
        SLURM_ARRAY_TASK_STEP: '10',
        SLURM_ARRAY_TASK_COUNT: '4',
      }),
    ).toMatchObject({ index: 3, count: 4 });
    // A step of 0 is taken as 1.
    expect(
      parseShard('auto', {
        SLURM_ARRAY_TASK_ID: '2',
        SLURM_ARRAY_TASK_STEP: '0',
        SLURM_ARRAY_TASK_COUNT: '4',
      }),
    ).toMatchObject({ index: 3, count: 4 });
    expect(lineOf('auto', { SLURM_ARRAY_TASK_ID: '2' })).toBe(
      `--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; ${AUTO_HINT}`,
    );
    expect(lineOf('auto', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' })).toBe(
      '--shard: shard 5 of 4 does not exist (from SLURM_ARRAY_TASK_ID); shards run from 1/4 to 4/4',
    );
  });

  it('an empty variable counts as unset; a malformed one is refused', () => {
    expect(lineOf('auto', { PFMSIM_SHARD_INDEX: '', PFMSIM_SHARD_COUNT: '' })).toBe(
      `--shard auto found no shard index in the environment; ${AUTO_HINT}`,
    );
    expect(lineOf('auto')).toBe(`--shard auto found no shard index in the environment; ${AUTO_HINT}`);
    expect(parseShard('auto', { PFMSIM_SHARD_INDEX: ' 1 ', PFMSIM_SHARD_COUNT: '2' })).toMatchObject({
      index: 1,
    });
    for (const bad of ['-1', '1.5', 'two', '1x', 'x1']) {
      expect(lineOf('auto', { PFMSIM_SHARD_INDEX: bad, PFMSIM_SHARD_COUNT: '2' })).toBe(
        `--shard auto: PFMSIM_SHARD_INDEX="${bad}" is not a non-negative integer; ${AUTO_HINT}`,
      );
    }
    expect(lineOf('auto', { PFMSIM_SHARD_INDEX: '1', PFMSIM_SHARD_COUNT: '0' })).toBe(
      '--shard: the shard count must be at least 1 (from PFMSIM_SHARD_INDEX)',
    );
  });
});

describe('shard membership', () => {
  it('deals cells round-robin: cell i belongs to shard (i mod n) + 1; no shard takes every cell', () => {
    const shard = (index: number, count: number) => ({ index, count, source: 't' });
    expect([0, 1, 2, 3, 4, 5, 6].filter((i) => inShard(i, shard(1, 3)))).toEqual([0, 3, 6]);
    expect([0, 1, 2, 3, 4, 5, 6].filter((i) => inShard(i, shard(3, 3)))).toEqual([2, 5]);
    expect([0, 1, 2].filter((i) => inShard(i, null))).toEqual([0, 1, 2]);
    expect([0, 1, 2].filter((i) => inShard(i, shard(1, 1)))).toEqual([0, 1, 2]);
  });
});
