import { strategyNames } from '@pfmsim/buffer-strategies';
import { ARCH_IDS, COST_PROFILE_IDS } from '@pfmsim/kernel-sim';
import { DEFAULT_MACHINE, MACHINES, type Machine, resolveMachine } from '@pfmsim/lab';
import { ABI_PROFILE_IDS, type AbiProfileId } from '@pfmsim/perfmon-core';
import { getModel, listModelIds, listModels } from '@pfmsim/pmu-models';
import type { Command } from 'commander';
import { intOption, listOf, oneOf, UsageError } from './errors.js';

export interface MachineFlags {
  machine?: string;
  arch?: string;
  cpu?: string;
  pmu?: string;
}

export function addMachineOptions(cmd: Command): Command {
  return cmd
    .option('-m, --machine <id>', 'machine preset (`pfmsim machines` lists them)', DEFAULT_MACHINE)
    .option('--arch <id>', `override the arch (${ARCH_IDS.join(', ')})`)
    .option('--cpu <profile>', `override the cost profile (${COST_PROFILE_IDS.join(', ')})`)
    .option('--pmu <model>', 'override the PMU model (`pfmsim pmu list`)');
}

/** The machine the flags name, every part checked with a closest-name suggestion. */
export function machineFrom(flags: MachineFlags): Machine {
  const id = oneOf(
    'machine',
    flags.machine ?? DEFAULT_MACHINE,
    MACHINES.map((m) => m.id),
    // Stryker disable next-line StringLiteral: the 8 presets fit on the line (up to 12 are listed), so the command is never named
    'pfmsim machines',
  );
  const out: { machine: string; arch?: string; cpu?: string; pmu?: string } = { machine: id };
  if (flags.arch !== undefined) out.arch = oneOf('arch', flags.arch, ARCH_IDS);
  if (flags.cpu !== undefined) out.cpu = oneOf('cpu cost profile', flags.cpu, COST_PROFILE_IDS);
  if (flags.pmu !== undefined) out.pmu = oneOf('PMU model', flags.pmu, listModelIds(), 'pfmsim pmu list');
  const machine = resolveMachine(out);
  if (flags.arch !== undefined || flags.pmu !== undefined) checkPmuFitsArch(machine.pmu, machine.arch);
  return machine;
}

/** i386-4k -> i386, x86_64-16k -> x86_64: a stack-size variant runs what its base arch runs. */
// Stryker disable next-line Regex: no arch id has -4k or -16k anywhere but at its end
const baseArch = (arch: string) => arch.replace(/-(4k|16k)$/, '');
const runsOn = (archs: readonly string[], arch: string) => archs.some((a) => baseArch(a) === baseArch(arch));

/**
 * A PMU model lists the archs it runs on; a custom machine (--arch/--pmu, or a sweep config
 * object) must respect that. The presets are taken as they are.
 */
export function checkPmuFitsArch(pmu: string, arch: string): void {
  const model = getModel(pmu);
  if (!runsOn(model.archs, arch)) {
    const fits = listModels()
      .filter((m) => runsOn(m.archs, arch))
      .map((m) => m.id);
    throw new UsageError(
      `PMU model ${pmu} does not run on arch ${arch} (it runs on ${model.archs.join(', ')})`,
      fits.length > 0 ? `PMU models for ${arch}: ${fits.join(', ')}` : `no PMU model runs on ${arch}`,
    );
  }
}

/** The flags that name this machine again, for printed replay commands. */
export function machineArgs(flags: MachineFlags): string {
  const parts = [`--machine ${flags.machine ?? DEFAULT_MACHINE}`];
  if (flags.arch !== undefined) parts.push(`--arch ${flags.arch}`);
  if (flags.cpu !== undefined) parts.push(`--cpu ${flags.cpu}`);
  if (flags.pmu !== undefined) parts.push(`--pmu ${flags.pmu}`);
  return parts.join(' ');
}

export function addAbiOption(cmd: Command): Command {
  return cmd.option('--abi <profile>', `perfmon2 ABI (${ABI_PROFILE_IDS.join(', ')})`, 'v2.3');
}

export function abiFrom(text: string | undefined): AbiProfileId {
  return oneOf('ABI profile', text ?? 'v2.3', ABI_PROFILE_IDS);
}

export function addSeedOption(cmd: Command): Command {
  return cmd.option('--seed <n>', 'seed of every random choice (same seed, same result)', '1');
}

export const seedFrom = (text: string | undefined): number =>
  intOption('--seed', text ?? '1', 0, 2 ** 31 - 1);

export function strategyFrom(text: string): string {
  return oneOf('strategy', text, strategyNames());
}

export function strategiesFrom(text: string | undefined): string[] {
  const names = strategyNames();
  return text === undefined ? names : listOf('strategy', text, names);
}
