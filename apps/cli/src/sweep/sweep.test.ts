import { getMachine, measureCall } from '@pfmsim/lab';
import { describe, expect, it } from 'vitest';
import type { UsageError } from '../errors.js';
import { cellArenaBytes, runCell } from './cell.js';
import { configHash, expandCells, parseSweepConfig } from './config.js';
import { inShard, parseShard } from './shard.js';

describe('sweep config', () => {
  it('expands the grid in a fixed order with defaults', () => {
    const c = parseSweepConfig(
      { machines: 'p4-2006', strategies: ['kmalloc', 'stack'], counts: [4, 64] },
      'x.json',
    );
    const cells = expandCells(c);
    expect(cells).toHaveLength(2 * 3 * 2);
    expect(cells[0]!.key).toBe('p4-2006|v2.3|t1|s1|kmalloc|pfm_read_pmds|n4');
    expect(cells.map((x) => x.index)).toEqual(cells.map((_, i) => i));
    expect(configHash(c)).toMatch(/^[0-9a-f]{16}$/);
    expect(
      configHash(
        parseSweepConfig({ machines: ['p4-2006'], strategies: ['kmalloc', 'stack'], counts: [4, 64] }, 'y'),
      ),
    ).toBe(configHash(c));
  });

  it('names the JSON path and the closest valid value', () => {
    expect(() => parseSweepConfig({ strategies: ['kmalloc', 'hybird'] }, 'x.json')).toThrow(
      /config x\.json: strategies\[1\]: unknown strategy "hybird"/,
    );
    try {
      parseSweepConfig({ machines: [{ machine: 'p4-2006', cpuu: 'k8-2006' }] }, 'x.json');
    } catch (e) {
      expect((e as UsageError).line()).toBe(
        'config x.json: machines[0].cpuu: unknown key; did you mean "cpu"?',
      );
    }
  });
});

describe('shards', () => {
  it('parses i/n and the environment of a CI matrix, a Kubernetes Indexed Job and a Slurm array', () => {
    expect(parseShard('2/4', {})).toMatchObject({ index: 2, count: 4 });
    expect(parseShard('auto', { PFMSIM_SHARD_INDEX: '3', PFMSIM_SHARD_COUNT: '4' })).toMatchObject({
      index: 3,
      count: 4,
    });
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '0', PFMSIM_SHARD_COUNT: '4' })).toMatchObject({
      index: 1,
      count: 4,
    });
    expect(
      parseShard('auto', {
        SLURM_ARRAY_TASK_ID: '12',
        SLURM_ARRAY_TASK_MIN: '0',
        SLURM_ARRAY_TASK_STEP: '4',
        SLURM_ARRAY_TASK_COUNT: '4',
      }),
    ).toMatchObject({
      index: 4,
      count: 4,
    });
    expect(() => parseShard('5/4', {})).toThrow(/shard 5 of 4 does not exist/);
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '1' })).toThrow(/PFMSIM_SHARD_COUNT is not/);
    expect(() => parseShard('1-4', {})).toThrow(/not i\/n or auto/);
  });

  it('splits the cells round-robin so every cell is in exactly one shard', () => {
    for (let i = 0; i < 20; i++) {
      const owners = [1, 2, 3].filter((k) => inShard(i, { index: k, count: 3, source: 't' }));
      expect(owners).toHaveLength(1);
    }
  });
});

describe('sweep cells', () => {
  it('give the same numbers as measureCall with the lab default arena', () => {
    const machine = getMachine('core2-2007');
    for (const cell of expandCells(
      parseSweepConfig(
        { machines: 'core2-2007', strategies: ['kmalloc', 'hybrid'], counts: [1, 64], threads: [1, 2] },
        'x',
      ),
    )) {
      const r = runCell(cell);
      const m = measureCall({
        machine,
        strategy: cell.strategy,
        syscall: cell.syscall,
        count: cell.count,
        threads: cell.threads,
        seed: cell.seed,
      });
      expect(r.cyclesPerCall, cell.key).toBe(m.cyclesPerCall);
      expect(r.stackBytes, cell.key).toBe(m.stackBytes);
      expect(cellArenaBytes(cell)).toBeLessThan(16 << 20);
    }
  });
});
