import type { Command } from 'commander';
import { addAbiOption, addMachineOptions, addSeedOption } from './options.js';
import { addOutputOptions } from './output.js';

/** The options every experiment command takes: machine, ABI, seed, and the output flags. */
export function addExperimentOptions(cmd: Command): Command {
  addMachineOptions(cmd);
  addAbiOption(cmd);
  addSeedOption(cmd);
  return addOutputOptions(cmd);
}
