import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STRATEGY_NAMES } from '@pfmsim/buffer-strategies';
import { listModelIds, registerModelDirectory, resetModelDirectories } from '@pfmsim/pmu-models';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { REPO, usageLine } from '../test/helpers.js';
import { addExperimentOptions } from './experiment-options.js';
import {
  abiFrom,
  addAbiOption,
  addMachineOptions,
  addSeedOption,
  checkPmuFitsArch,
  machineArgs,
  machineFrom,
  seedFrom,
  strategiesFrom,
  strategyFrom,
} from './options.js';

/** Parses `args` with a command carrying the given options; returns the option values. */
function parse(add: (cmd: Command) => Command, args: string[]): Record<string, unknown> {
  const cmd = add(new Command('x').exitOverride());
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('machine flags', () => {
  it('default to the p4-2006 preset, taken as it is', () => {
    expect(machineFrom({})).toMatchObject({ id: 'p4-2006', arch: 'i386', cost: 'p4-2006', pmu: 'intel-p4' });
    expect(machineFrom({ machine: 'core2-2007' })).toMatchObject({
      id: 'core2-2007',
      arch: 'x86_64',
      pmu: 'intel-core',
    });
  });

  it('replace the parts of a preset that --arch, --cpu and --pmu name', () => {
    expect(machineFrom({ machine: 'core2-2007', arch: 'i386' })).toMatchObject({
      arch: 'i386',
      cost: 'core2-2007',
      pmu: 'intel-core',
    });
    expect(machineFrom({ machine: 'core2-2007', cpu: 'k8-2006' })).toMatchObject({
      arch: 'x86_64',
      cost: 'k8-2006',
      pmu: 'intel-core',
    });
    expect(machineFrom({ machine: 'k8-2006', pmu: 'intel-core' })).toMatchObject({
      arch: 'x86_64',
      cost: 'k8-2006',
      pmu: 'intel-core',
    });
  });

  it('name the closest valid part, and the command listing them', () => {
    expect(usageLine(() => machineFrom({ machine: 'p4-2007' }))).toBe(
      'unknown machine "p4-2007"; did you mean "p4-2006"? valid: p4-2006, p4-2006-4k, core2-2007, k8-2006, itanium2-2006, power5-2006, modern, modern-mitigated',
    );
    expect(usageLine(() => machineFrom({ arch: 'x86-64' }))).toMatch(
      /^unknown arch "x86-64"; did you mean "x86_64"\? valid: i386, i386-4k, x86_64,/,
    );
    expect(usageLine(() => machineFrom({ cpu: 'k8-2007' }))).toMatch(
      /^unknown cpu cost profile "k8-2007"; did you mean "k8-2006"\? valid: p4-2006, core2-2007/,
    );
    expect(usageLine(() => machineFrom({ pmu: 'intel-cor' }))).toMatch(
      /^unknown PMU model "intel-cor"; did you mean "intel-core"\? valid: /,
    );
  });

  it('with site models, too many to list, name the command that lists the PMU models', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfmsim-models-'));
    const p6 = JSON.parse(
      readFileSync(join(REPO, 'packages', 'pmu-models', 'models', 'intel', 'p6.json'), 'utf8'),
    );
    for (const [i, id] of ['site-a', 'site-b', 'site-c', 'site-d'].entries()) {
      // each its own libpfm type: two models of one type must say which CPUs they are
      const libpfm = { ...p6.libpfm, type: 900 + i };
      writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...p6, $schema: undefined, id, libpfm }));
    }
    registerModelDirectory(dir);
    try {
      expect(listModelIds().length).toBeGreaterThan(12);
      expect(machineFrom({ machine: 'p4-2006-4k', pmu: 'site-c' })).toMatchObject({ pmu: 'site-c' });
      expect(usageLine(() => machineFrom({ pmu: 'zzzzzzzzzz' }))).toBe(
        'unknown PMU model "zzzzzzzzzz"; `pfmsim pmu list` lists them',
      );
    } finally {
      resetModelDirectories();
    }
  });

  it('refuse a PMU model on an arch it does not run on, naming the models that do', () => {
    expect(usageLine(() => machineFrom({ machine: 'itanium2-2006', pmu: 'intel-core' }))).toBe(
      'PMU model intel-core does not run on arch ia64 (it runs on i386, i386-4k, x86_64, x86_64-16k); PMU models for ia64: itanium2, montecito',
    );
    // --arch alone can also leave the preset's PMU stranded.
    expect(usageLine(() => machineFrom({ machine: 'p4-2006', arch: 'ia64' }))).toBe(
      'PMU model intel-p4 does not run on arch ia64 (it runs on i386, x86_64); PMU models for ia64: itanium2, montecito',
    );
    expect(usageLine(() => machineFrom({ machine: 'p4-2006', arch: 'sparc64' }))).toBe(
      'PMU model intel-p4 does not run on arch sparc64 (it runs on i386, x86_64); no PMU model runs on sparc64',
    );
    expect(usageLine(() => machineFrom({ machine: 'p4-2006', pmu: 'power5' }))).toMatch(
      /^PMU model power5 does not run on arch i386 /,
    );
  });

  it('run a PMU model on the 4k/16k stack variants of the archs it lists', () => {
    // intel-p4 lists i386 and x86_64 only.
    expect(machineFrom({ machine: 'p4-2006', arch: 'i386-4k' })).toMatchObject({
      arch: 'i386-4k',
      pmu: 'intel-p4',
    });
    expect(machineFrom({ machine: 'p4-2006', arch: 'x86_64-16k' })).toMatchObject({ arch: 'x86_64-16k' });
    expect(() => checkPmuFitsArch('intel-p4', 'x86_64-16k')).not.toThrow();
    // The suffix must be a stack variant at the end of the name, nothing else.
    expect(() => checkPmuFitsArch('intel-p6', 'x86_64')).toThrow(
      /PMU model intel-p6 does not run on arch x86_64/,
    );
    expect(() => checkPmuFitsArch('intel-p6', 'x86_64-16k')).toThrow(/does not run on arch x86_64-16k/);
    expect(() => checkPmuFitsArch('itanium2', 'i386-4k')).toThrow(/does not run on arch i386-4k/);
  });

  it('print the flags that name the machine again, for replay commands', () => {
    expect(machineArgs({})).toBe('--machine p4-2006');
    expect(machineArgs({ machine: 'k8-2006' })).toBe('--machine k8-2006');
    expect(machineArgs({ machine: 'k8-2006', arch: 'i386', cpu: 'p4-2006', pmu: 'amd64-k8' })).toBe(
      '--machine k8-2006 --arch i386 --cpu p4-2006 --pmu amd64-k8',
    );
    expect(machineArgs({ pmu: 'intel-core' })).toBe('--machine p4-2006 --pmu intel-core');
  });
});

describe('abi, seed and strategy flags', () => {
  it('the ABI defaults to v2.3 and must be a known profile', () => {
    expect(abiFrom(undefined)).toBe('v2.3');
    expect(abiFrom('v3')).toBe('v3');
    expect(usageLine(() => abiFrom('v2.4'))).toBe(
      'unknown ABI profile "v2.4"; did you mean "v2.3"? valid: v2.3, v2.2, v2-compact, v3',
    );
  });

  it('the seed defaults to 1 and is an integer from 0 to 2^31-1', () => {
    expect(seedFrom(undefined)).toBe(1);
    expect(seedFrom('0')).toBe(0);
    expect(seedFrom('2147483647')).toBe(2147483647);
    expect(usageLine(() => seedFrom('2147483648'))).toBe(
      '--seed must be an integer from 0 to 2147483647, got "2147483648"',
    );
    expect(usageLine(() => seedFrom('-1'))).toBe('--seed must be an integer from 0 to 2147483647, got "-1"');
  });

  it('strategies: one named, a list, or every one by default', () => {
    expect(strategyFrom('hybrid')).toBe('hybrid');
    expect(usageLine(() => strategyFrom('ctx-cach'))).toMatch(
      /^unknown strategy "ctx-cach"; did you mean "ctx-cache"\?/,
    );
    expect(strategiesFrom(undefined)).toEqual([...STRATEGY_NAMES]);
    expect(strategiesFrom('stack,kmalloc')).toEqual(['stack', 'kmalloc']);
    expect(usageLine(() => strategiesFrom('stack,stak'))).toMatch(
      /^unknown strategy "stak"; did you mean "stack"\?/,
    );
  });
});

describe('option declarations', () => {
  it('the experiment options default to p4-2006, v2.3 and seed 1, and take the output flags', () => {
    expect(parse(addExperimentOptions, [])).toEqual({
      machine: 'p4-2006',
      abi: 'v2.3',
      seed: '1',
      color: true,
    });
    expect(
      parse(addExperimentOptions, [
        '-m',
        'k8-2006',
        '--arch',
        'i386',
        '--cpu',
        'p4-2006',
        '--pmu',
        'amd64-k8',
        '--abi',
        'v3',
        '--seed',
        '7',
        '--json',
        '-q',
        '--no-color',
        '--export-json',
        'a.json',
        '--export-csv',
        'a.csv',
        '--export-markdown',
        'a.md',
      ]),
    ).toEqual({
      machine: 'k8-2006',
      arch: 'i386',
      cpu: 'p4-2006',
      pmu: 'amd64-k8',
      abi: 'v3',
      seed: '7',
      json: true,
      quiet: true,
      color: false,
      exportJson: 'a.json',
      exportCsv: 'a.csv',
      exportMarkdown: 'a.md',
    });
  });

  it('the help lists the choices of each option', () => {
    const cmd = addSeedOption(addAbiOption(addMachineOptions(new Command('x'))));
    const help = cmd.helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain(
      '-m, --machine <id> machine preset (`pfmsim machines` lists them) (default: "p4-2006")',
    );
    expect(help).toContain(
      '--arch <id> override the arch (i386, i386-4k, x86_64, x86_64-16k, ia64, ppc32, ppc64, mips64, sparc64)',
    );
    expect(help).toContain(
      '--cpu <profile> override the cost profile (p4-2006, core2-2007, k8-2006, itanium2-2006, modern-x86_64, modern-x86_64-mitigated)',
    );
    expect(help).toContain('--pmu <model> override the PMU model (`pfmsim pmu list`)');
    expect(help).toContain('--abi <profile> perfmon2 ABI (v2.3, v2.2, v2-compact, v3) (default: "v2.3")');
    expect(help).toContain('--seed <n> seed of every random choice (same seed, same result) (default: "1")');
  });
});
