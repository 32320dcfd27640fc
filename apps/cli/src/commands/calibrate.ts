import { strategyNames } from '@pfmsim/buffer-strategies';
import { COST_KEYS, type CostKey } from '@pfmsim/kernel-sim';
import { type CalibrationTarget, calibrate, calibrateAll, VECTOR_SYSCALLS } from '@pfmsim/lab';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { EXIT_FINDINGS, intOption, oneOf, UsageError } from '../errors.js';
import { addExperimentOptions } from '../experiment-options.js';
import { Progress } from '../io.js';
import { abiFrom, type MachineFlags, machineFrom, seedFrom } from '../options.js';
import { type Doc, emit, type OutputFlags, prepareExports } from '../output.js';
import { allDoc, singleDoc } from './calibrate-render.js';

interface CalibrateFlags extends MachineFlags, OutputFlags {
  abi?: string;
  seed?: string;
  target: string;
  vary: string;
  min?: string;
  max?: string;
  tolerance?: string;
}

const TARGET_HELP =
  'write it as "pfm_read_pmds n=4 stack vs kmalloc = -20%", "pfm_read_pmds n=4 stack vs kmalloc calls/s = +20%" or "pfm_read_pmds n=4 kmalloc = 2000"';

export function parseTarget(text: string): CalibrationTarget {
  const m =
    /^\s*(\S+)\s+n\s*=\s*(\d+)\s+(\S+)(?:\s+vs\s+(\S+))?(?:\s+(calls\/s))?\s*=\s*([+-]?\d+(?:\.\d+)?)\s*(%?)\s*(?:cycles)?\s*$/.exec(
      text,
    );
  if (!m) throw new UsageError(`cannot read the target "${text}"`, TARGET_HELP);
  const syscall = oneOf('syscall', m[1]!, VECTOR_SYSCALLS);
  const count = intOption('n', m[2]!, 1, 4096);
  const strategy = oneOf('strategy', m[3]!, strategyNames());
  const num = Number(m[6]);
  if (m[4] !== undefined) {
    const versus = oneOf('strategy', m[4], strategyNames());
    if (m[7] !== '%') throw new UsageError(`a relative target needs a percentage ("${m[6]}%")`, TARGET_HELP);
    if (versus === strategy) throw new UsageError('the target compares a strategy with itself', TARGET_HELP);
    if (m[5] !== undefined && !(num > -100))
      throw new UsageError('a throughput change is above -100%', TARGET_HELP);
    const kind = m[5] === undefined ? 'relative' : 'throughput';
    return { kind, syscall, count, strategy, versus, value: num / 100 };
  }
  if (m[5] !== undefined)
    throw new UsageError('calls/s compares two strategies ("A vs B calls/s = +20%")', TARGET_HELP);
  if (m[7] === '%') throw new UsageError('a percentage needs two strategies ("A vs B = -20%")', TARGET_HELP);
  if (!(num > 0)) throw new UsageError('an absolute target is a positive number of cycles', TARGET_HELP);
  return { kind: 'absolute', syscall, count, strategy, value: num };
}

function floatOption(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag} must be a number >= 0, got "${text}"`);
  return n;
}

export function registerCalibrate(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('calibrate')
    .summary('solve for the cost figure that reproduces a measured result')
    .description(
      'solve for the cost figure that reproduces a measured result (a bracketed search over the simulated call, ' +
        'checked by measuring the value again) and say whether the value is plausible against the cost reference; ' +
        '--vary all gives one row per cost figure: what would have to be true',
    )
    .requiredOption('--target <spec>', TARGET_HELP.replace('write it as ', ''))
    .requiredOption('--vary <param>', `the cost figure to solve for, or all (${COST_KEYS.join(', ')})`)
    .option('--min <value>', 'lower end of the search interval (default 0)')
    .option('--max <value>', 'upper end of the search interval (default: widened from 4x the figure)')
    .option(
      '--tolerance <t>',
      'how close the result must come to the target: percentage points for % targets (default 0.1), cycles for absolute ones (default 0.5)',
    );
  addExperimentOptions(cmd);
  cmd.action((flags: CalibrateFlags) => {
    const io = ctx.io;
    const target = parseTarget(flags.target);
    const all = flags.vary === 'all';
    const vary = all ? null : (oneOf('cost figure', flags.vary, [...COST_KEYS, 'all']) as CostKey);
    const machine = machineFrom(flags);
    const abi = abiFrom(flags.abi);
    const seed = seedFrom(flags.seed);
    const min = flags.min !== undefined ? floatOption('--min', flags.min) : undefined;
    const max = flags.max !== undefined ? floatOption('--max', flags.max) : undefined;
    if (min !== undefined && max !== undefined && !(max > min))
      throw new UsageError('--max must be above --min');
    if (all && (min !== undefined || max !== undefined))
      throw new UsageError('--min and --max bound one figure; --vary all searches each from 0');
    const tolerance = flags.tolerance !== undefined ? toleranceOption(flags.tolerance, target) : undefined;
    const exports = prepareExports(io, flags);
    const progress = Progress.for(io, flags.quiet, 'calibrate');
    const common = { machine, abi, seed, target, ...(tolerance !== undefined ? { tolerance } : {}) };
    const meta = { machine, abi, seed, target, targetText: flags.target };
    let doc: Doc;
    try {
      if (vary === null) {
        const t = calibrateAll(common);
        if (!t.rows.some((r) => r.verdict !== 'unreachable')) ctx.exitCode = EXIT_FINDINGS;
        doc = allDoc(meta, t);
      } else {
        const r = calibrate({
          ...common,
          vary,
          ...(min !== undefined ? { min } : {}),
          ...(max !== undefined ? { max } : {}),
        });
        if (!r.solved) ctx.exitCode = EXIT_FINDINGS;
        doc = singleDoc(meta, r);
      }
    } finally {
      progress.finish();
    }
    emit(io, flags, doc, exports);
  });
}

function toleranceOption(text: string, target: CalibrationTarget): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !(n > 0))
    throw new UsageError(`--tolerance must be a number > 0, got "${text}"`);
  return target.kind === 'absolute' ? n : n / 100;
}
