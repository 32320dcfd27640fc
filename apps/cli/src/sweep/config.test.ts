import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STRATEGY_NAMES } from '@pfmsim/buffer-strategies';
import { VECTOR_SYSCALLS } from '@pfmsim/lab';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import {
  CONFIG_KEYS,
  configHash,
  expandCells,
  gridSummary,
  loadSweepConfig,
  machineLabel,
  parseSweepConfig,
} from './config.js';

/** The one line a user sees for a bad config. */
function lineOf(data: unknown): string {
  try {
    parseSweepConfig(data, 'grid.json');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).line();
  }
  throw new Error('expected a UsageError');
}

describe('sweep config defaults', () => {
  it('an empty config is p4-2006, every strategy and call, counts 1..64, v2.3, one thread, seed 1', () => {
    expect(parseSweepConfig({}, 'grid.json')).toEqual({
      name: 'sweep',
      machines: [{ machine: 'p4-2006' }],
      strategies: [...STRATEGY_NAMES],
      calls: [...VECTOR_SYSCALLS],
      counts: [1, 2, 4, 8, 16, 32, 64],
      abi: ['v2.3'],
      threads: [1],
      seeds: [1],
      callsPerThread: 4,
      costOverrides: {},
    });
    expect(parseSweepConfig({}, 'grid.json', 'nightly').name).toBe('nightly');
  });

  it('"all" means every value, a single value is a list of one, duplicates go', () => {
    const c = parseSweepConfig(
      {
        name: 'n',
        strategies: 'all',
        calls: 'pfm_write_pmcs',
        counts: [4, 4, 64],
        abi: ['v3', 'v2.2', 'v3'],
        threads: 2,
        seeds: [0, 2147483647],
        machines: [
          'k8-2006',
          { machine: 'k8-2006' },
          { machine: 'core2-2007', arch: 'i386', cpu: 'p4-2006', pmu: 'intel-p6' },
        ],
        callsPerThread: 1000,
        costOverrides: { kmallocFast: 0, copyFixed: 12.5 },
      },
      'grid.json',
    );
    expect(c).toEqual({
      name: 'n',
      machines: [
        { machine: 'k8-2006' },
        { machine: 'core2-2007', arch: 'i386', cpu: 'p4-2006', pmu: 'intel-p6' },
      ],
      strategies: [...STRATEGY_NAMES],
      calls: ['pfm_write_pmcs'],
      counts: [4, 64],
      abi: ['v3', 'v2.2'],
      threads: [2],
      seeds: [0, 2147483647],
      callsPerThread: 1000,
      costOverrides: { kmallocFast: 0, copyFixed: 12.5 },
    });
  });

  it('a machine object without "machine" starts from p4-2006', () => {
    expect(parseSweepConfig({ machines: [{ cpu: 'k8-2006' }] }, 'g').machines).toEqual([
      { machine: 'p4-2006', cpu: 'k8-2006' },
    ]);
    expect(machineLabel({ machine: 'p4-2006' })).toBe('p4-2006');
    expect(machineLabel({ machine: 'p4-2006', cpu: 'k8-2006' })).toBe('i386/k8-2006/intel-p4');
  });
});

describe('sweep config errors name the JSON path and the fix', () => {
  it('the document and its keys', () => {
    for (const bad of [null, [], 'x', 3])
      expect(lineOf(bad)).toBe('config grid.json: $: must be a JSON object');
    expect(lineOf({ stratgies: [] })).toBe(
      'config grid.json: stratgies: unknown key; did you mean "strategies"?',
    );
    expect(lineOf({ zzzzzzzzzzzzzzzzzzzzzzzz: 1 })).toBe(
      `config grid.json: zzzzzzzzzzzzzzzzzzzzzzzz: unknown key; valid keys: ${CONFIG_KEYS.join(', ')}`,
    );
    expect(() => parseSweepConfig({ $schema: 'x.json' }, 'g')).not.toThrow();
    expect(lineOf({ name: 3 })).toBe('config grid.json: name: must be a string');
    expect(lineOf({ counts: [] })).toBe(
      'config grid.json: counts: is empty; give at least one value or leave the key out for the default',
    );
  });

  it('strategies, calls and ABI profiles', () => {
    expect(lineOf({ strategies: ['kmalloc', 'hybird'] })).toBe(
      'config grid.json: strategies[1]: unknown strategy "hybird"; did you mean "hybrid"?',
    );
    expect(lineOf({ strategies: ['zzzzzzzzzzzzzzzzzzzzzzzzzzzz'] })).toBe(
      `config grid.json: strategies[0]: unknown strategy "zzzzzzzzzzzzzzzzzzzzzzzzzzzz"; valid: ${STRATEGY_NAMES.join(', ')}`,
    );
    expect(lineOf({ calls: [4] })).toBe('config grid.json: calls[0]: must be a string (call)');
    expect(lineOf({ calls: 'pfm_read_pmd' })).toBe(
      'config grid.json: calls[0]: unknown call "pfm_read_pmd"; did you mean "pfm_read_pmds"?',
    );
    expect(lineOf({ abi: ['v2.3', 'v2.4'] })).toBe(
      'config grid.json: abi[1]: unknown ABI profile "v2.4"; did you mean "v2.3"?',
    );
  });

  it('integers and their ranges', () => {
    expect(lineOf({ counts: [1, 0] })).toBe(
      'config grid.json: counts[1]: must be an integer from 1 to 4096, got 0',
    );
    expect(lineOf({ counts: [4097] })).toBe(
      'config grid.json: counts[0]: must be an integer from 1 to 4096, got 4097',
    );
    expect(parseSweepConfig({ counts: [1, 4096] }, 'g').counts).toEqual([1, 4096]);
    expect(lineOf({ counts: [2.5] })).toBe(
      'config grid.json: counts[0]: must be an integer from 1 to 4096, got 2.5',
    );
    expect(lineOf({ counts: ['4'] })).toBe(
      'config grid.json: counts[0]: must be an integer from 1 to 4096, got "4"',
    );
    expect(lineOf({ threads: [17] })).toBe(
      'config grid.json: threads[0]: must be an integer from 1 to 16, got 17',
    );
    expect(parseSweepConfig({ threads: [1, 16] }, 'g').threads).toEqual([1, 16]);
    expect(lineOf({ seeds: [-1] })).toBe(
      'config grid.json: seeds[0]: must be an integer from 0 to 2147483647, got -1',
    );
    expect(lineOf({ seeds: [2 ** 31] })).toBe(
      'config grid.json: seeds[0]: must be an integer from 0 to 2147483647, got 2147483648',
    );
    expect(lineOf({ callsPerThread: 0 })).toBe(
      'config grid.json: callsPerThread[0]: must be an integer from 1 to 1000, got 0',
    );
    expect(lineOf({ callsPerThread: 1001 })).toBe(
      'config grid.json: callsPerThread[0]: must be an integer from 1 to 1000, got 1001',
    );
    expect(parseSweepConfig({ callsPerThread: 1 }, 'g').callsPerThread).toBe(1);
  });

  it('machines: preset ids, or objects of known parts that fit together', () => {
    expect(lineOf({ machines: ['p4-2006', 'k8-2007'] })).toBe(
      'config grid.json: machines[1]: unknown machine "k8-2007"; did you mean "k8-2006"?',
    );
    expect(lineOf({ machines: ['zzzzzzzzzzzzzzzzzzzzzz'] })).toMatch(
      /^config grid\.json: machines\[0\]: unknown machine "z+"; valid: p4-2006, p4-2006-4k, core2-2007, /,
    );
    for (const bad of [3, null, [['p4-2006']]]) {
      expect(lineOf({ machines: Array.isArray(bad) ? bad : [bad] })).toBe(
        'config grid.json: machines[0]: must be a preset id or {"machine", "arch", "cpu", "pmu"}',
      );
    }
    expect(lineOf({ machines: [{ machine: 'p4-2006', cpuu: 'k8-2006' }] })).toBe(
      'config grid.json: machines[0].cpuu: unknown key; did you mean "cpu"?',
    );
    for (const [typo, key] of [
      ['machinee', 'machine'],
      ['archs', 'arch'],
      ['pmux', 'pmu'],
    ]) {
      expect(lineOf({ machines: [{ [typo!]: 'x' }] })).toBe(
        `config grid.json: machines[0].${typo}: unknown key; did you mean "${key}"?`,
      );
    }
    expect(lineOf({ machines: [{ pmu: 'intel-cor' }] })).toBe(
      'config grid.json: machines[0].pmu: unknown PMU model "intel-cor"; did you mean "intel-core"?',
    );
    expect(lineOf({ machines: [{ zzzzzzzzzzzz: 1 }] })).toBe(
      'config grid.json: machines[0].zzzzzzzzzzzz: unknown key; valid: machine, arch, cpu, pmu',
    );
    expect(lineOf({ machines: [{ arch: 64 }] })).toBe('config grid.json: machines[0].arch: must be a string');
    expect(lineOf({ machines: [{ arch: 'x86-64' }] })).toBe(
      'config grid.json: machines[0].arch: unknown arch "x86-64"; did you mean "x86_64"?',
    );
    expect(lineOf({ machines: [{ cpu: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' }] })).toMatch(
      /^config grid\.json: machines\[0\]\.cpu: unknown cpu cost profile "z+"; valid: p4-2006, core2-2007, /,
    );
    expect(lineOf({ machines: [{ machine: 'p4-2007' }] })).toBe(
      'config grid.json: machines[0].machine: unknown machine "p4-2007"; did you mean "p4-2006"?',
    );
    expect(lineOf({ machines: ['p4-2006', { machine: 'k8-2006', pmu: 'itanium2' }] })).toBe(
      'config grid.json: machines[1]: PMU model itanium2 does not run on arch x86_64 (it runs on ia64); PMU models for x86_64: amd64-fam10h, amd64-k8, intel-arch-perfmon, intel-core, intel-p4',
    );
    expect(lineOf({ machines: [{ machine: 'p4-2006', arch: 'ia64' }] })).toMatch(
      /^config grid\.json: machines\[0\]: PMU model intel-p4 does not run on arch ia64 /,
    );
    // Presets are taken as they are; a cpu part alone changes no fit.
    expect(
      parseSweepConfig({ machines: [{ machine: 'itanium2-2006', cpu: 'k8-2006' }] }, 'g').machines,
    ).toEqual([{ machine: 'itanium2-2006', cpu: 'k8-2006' }]);
  });

  it('cost overrides: known figures, numbers of at least 0', () => {
    for (const bad of [3, null, [1]]) {
      expect(lineOf({ costOverrides: bad })).toBe(
        'config grid.json: costOverrides: must be an object of cost figure -> cycles',
      );
    }
    expect(lineOf({ costOverrides: { kmallocFst: 1 } })).toBe(
      'config grid.json: costOverrides.kmallocFst: unknown cost figure; did you mean "kmallocFast"?',
    );
    expect(lineOf({ costOverrides: { zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz: 1 } })).toBe(
      'config grid.json: costOverrides.zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz: unknown cost figure',
    );
    for (const bad of [-1, '5', Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(lineOf({ costOverrides: { kmallocFast: bad } })).toBe(
        'config grid.json: costOverrides.kmallocFast: must be a number >= 0',
      );
    }
  });
});

describe('config files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pfmsim-config-'));

  it('are named after the file without .json unless they name themselves', () => {
    writeFileSync(join(dir, 'nightly.json'), '{"counts": [4]}');
    expect(loadSweepConfig(join(dir, 'nightly.json'), 'nightly.json')).toMatchObject({
      name: 'nightly',
      counts: [4],
    });
    writeFileSync(join(dir, 'named.json'), '{"name": "weekly"}');
    expect(loadSweepConfig(join(dir, 'named.json'), 'named.json').name).toBe('weekly');
    writeFileSync(join(dir, 'grid.jsonc'), '{}');
    expect(loadSweepConfig(join(dir, 'grid.jsonc'), 'grid.jsonc').name).toBe('grid.jsonc');
  });

  it('that cannot be read or parsed say so in one line', () => {
    expect(() => loadSweepConfig(join(dir, 'missing.json'), 'missing.json')).toThrow(
      /^cannot read config missing\.json: ENOENT/,
    );
    writeFileSync(join(dir, 'syntax.json'), '{"machines": [');
    try {
      loadSweepConfig(join(dir, 'syntax.json'), 'syntax.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).line()).toMatch(
        /^config syntax\.json is not valid JSON: .+; see `pfmsim sweep --help` for an example$/,
      );
    }
    writeFileSync(join(dir, 'key.json'), '{"seed": 1}');
    expect(() => loadSweepConfig(join(dir, 'key.json'), 'key.json')).toThrow(
      'config key.json: seed: unknown key',
    );
  });
});

describe('the grid', () => {
  it('expands machine, abi, threads, seed, strategy, call, count, the last varying fastest', () => {
    const c = parseSweepConfig(
      {
        machines: ['p4-2006', { machine: 'p4-2006', cpu: 'k8-2006' }],
        abi: ['v2.3', 'v3'],
        threads: [1, 2],
        seeds: [1, 5],
        strategies: ['kmalloc', 'stack'],
        calls: ['pfm_read_pmds', 'pfm_write_pmcs'],
        counts: [4, 64],
        callsPerThread: 3,
        costOverrides: { kmallocFast: 7 },
      },
      'g',
    );
    const cells = expandCells(c);
    expect(cells).toHaveLength(2 ** 7);
    expect(cells.slice(0, 3).map((x) => x.key)).toEqual([
      'p4-2006|v2.3|t1|s1|kmalloc|pfm_read_pmds|n4',
      'p4-2006|v2.3|t1|s1|kmalloc|pfm_read_pmds|n64',
      'p4-2006|v2.3|t1|s1|kmalloc|pfm_write_pmcs|n4',
    ]);
    expect(cells.at(-1)).toEqual({
      index: 127,
      key: 'i386/k8-2006/intel-p4|v3|t2|s5|stack|pfm_write_pmcs|n64',
      machine: { machine: 'p4-2006', cpu: 'k8-2006' },
      machineId: 'i386/k8-2006/intel-p4',
      abi: 'v3',
      threads: 2,
      seed: 5,
      strategy: 'stack',
      syscall: 'pfm_write_pmcs',
      count: 64,
      callsPerThread: 3,
      costOverrides: { kmallocFast: 7 },
    });
    expect(new Set(cells.map((x) => x.key)).size).toBe(128);
    expect(gridSummary(c)).toBe(
      '2 machines x 2 strategies x 2 calls x 2 counts x 2 abi x 2 threads x 2 seeds',
    );
  });

  it('the hash follows the expanded config, not how it was written', () => {
    const a = parseSweepConfig({ strategies: ['kmalloc'], counts: 4 }, 'a');
    expect(configHash(a)).toBe(configHash(parseSweepConfig({ strategies: 'kmalloc', counts: [4, 4] }, 'b')));
    expect(configHash(a)).not.toBe(configHash(parseSweepConfig({ strategies: ['kmalloc'], counts: 8 }, 'a')));
    expect(configHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });
});
