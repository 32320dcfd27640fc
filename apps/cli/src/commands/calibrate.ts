import { strategyNames } from '@pfmsim/buffer-strategies';
import { COST_KEYS, type CostKey } from '@pfmsim/kernel-sim';
import { type CalibrationResult, type CalibrationTarget, calibrate, VECTOR_SYSCALLS } from '@pfmsim/lab';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { EXIT_FINDINGS, intOption, oneOf, UsageError } from '../errors.js';
import { addExperimentOptions } from '../experiment-options.js';
import { cycles, pct, type Table } from '../format.js';
import { Progress } from '../io.js';
import { abiFrom, type MachineFlags, machineFrom, seedFrom } from '../options.js';
import { type Doc, emit, type OutputFlags, prepareExports } from '../output.js';

interface CalibrateFlags extends MachineFlags, OutputFlags {
  abi?: string;
  seed?: string;
  target: string;
  vary: string;
  min?: string;
  max?: string;
}

const TARGET_HELP =
  'write it as "pfm_read_pmds n=4 stack vs kmalloc = -20%" or "pfm_read_pmds n=4 kmalloc = 2000"';

export function parseTarget(text: string): CalibrationTarget {
  const m =
    /^\s*(\S+)\s+n\s*=\s*(\d+)\s+(\S+)(?:\s+vs\s+(\S+))?\s*=\s*([+-]?\d+(?:\.\d+)?)\s*(%?)\s*(?:cycles)?\s*$/.exec(
      text,
    );
  if (!m) throw new UsageError(`cannot read the target "${text}"`, TARGET_HELP);
  const syscall = oneOf('syscall', m[1]!, VECTOR_SYSCALLS);
  const count = intOption('n', m[2]!, 1, 4096);
  const strategy = oneOf('strategy', m[3]!, strategyNames());
  const num = Number(m[5]);
  if (m[4] !== undefined) {
    const versus = oneOf('strategy', m[4], strategyNames());
    if (m[6] !== '%') throw new UsageError(`a relative target needs a percentage ("${m[5]}%")`, TARGET_HELP);
    if (versus === strategy) throw new UsageError('the target compares a strategy with itself', TARGET_HELP);
    return { kind: 'relative', syscall, count, strategy, versus, value: num / 100 };
  }
  if (m[6] === '%') throw new UsageError('a percentage needs two strategies ("A vs B = -20%")', TARGET_HELP);
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
      'solve for the cost figure that reproduces a measured result (bisection over the simulated call) ' +
        'and say whether the value is plausible against the cost reference',
    )
    .requiredOption('--target <spec>', TARGET_HELP.replace('write it as ', ''))
    .requiredOption('--vary <param>', `the cost figure to solve for (${COST_KEYS.join(', ')})`)
    .option('--min <value>', 'lower end of the search interval (default 0)')
    .option('--max <value>', 'upper end of the search interval (default: widened from 4x the figure)');
  addExperimentOptions(cmd);
  cmd.action((flags: CalibrateFlags) => {
    const io = ctx.io;
    const target = parseTarget(flags.target);
    const vary = oneOf('cost figure', flags.vary, COST_KEYS) as CostKey;
    const machine = machineFrom(flags);
    const abi = abiFrom(flags.abi);
    const seed = seedFrom(flags.seed);
    const min = flags.min !== undefined ? floatOption('--min', flags.min) : undefined;
    const max = flags.max !== undefined ? floatOption('--max', flags.max) : undefined;
    if (min !== undefined && max !== undefined && !(max > min))
      throw new UsageError('--max must be above --min');
    const exports = prepareExports(io, flags);
    const progress = Progress.for(io, flags.quiet, 'calibrate');
    let r: CalibrationResult;
    try {
      r = calibrate({
        machine,
        abi,
        seed,
        target,
        vary,
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
      });
    } finally {
      progress.finish();
    }
    if (!r.solved) ctx.exitCode = EXIT_FINDINGS;
    const fmt = (x: number | null) => (x === null ? '-' : target.kind === 'relative' ? pct(x) : cycles(x));
    const what =
      target.kind === 'relative'
        ? `${target.syscall} n=${target.count} ${target.strategy} vs ${target.versus}`
        : `${target.syscall} n=${target.count} ${target.strategy}`;
    const table: Table = {
      title: `Calibration of ${vary} (${machine.id})`,
      columns: [
        { header: 'param' },
        { header: 'figure', align: 'right' },
        { header: 'kind' },
        { header: 'solved', align: 'right' },
        { header: 'target', align: 'right' },
        { header: 'achieved', align: 'right' },
        { header: 'plausibility' },
      ],
      rows: [
        [
          vary,
          r.figure.value,
          r.figure.kind,
          r.value,
          r.target,
          r.achieved,
          r.plausibility?.verdict ?? 'unsolved',
        ],
      ],
    };
    const doc: Doc = {
      meta: {
        command: 'calibrate',
        machine: machine.id,
        seed,
        extra: [`abi ${abi}`, `cost ${machine.cost}`],
      },
      json: { abi, cost: machine.cost, targetText: flags.target, targetSpec: target, ...r },
      tables: [table],
      text: (style) => {
        const cyc = (c: { strategy: number; versus: number | null }) =>
          c.versus === null
            ? `${cycles(c.strategy)} cycles`
            : `${cycles(c.strategy)} vs ${cycles(c.versus)} cycles`;
        const lines = [
          `target: ${what} = ${fmt(r.target)}`,
          `figure: ${vary} = ${r.figure.value} on ${machine.cost} (kind ${r.figure.kind}: ${r.figure.source})`,
          `now:    ${what} = ${fmt(r.current)} (${cyc(r.currentCycles)})`,
        ];
        if (!r.solved) {
          lines.push(
            style.red(
              `no value of ${vary} in [${r.interval[0]}, ${r.interval[1]}] reproduces the target: the result ranges over ${fmt(r.reachable[0])} .. ${fmt(r.reachable[1])}`,
            ),
          );
          lines.push('vary another figure, or widen the interval with --min/--max');
          return lines.join('\n');
        }
        lines.push(
          style.bold(`solved: ${vary} = ${r.value}`) +
            ` (${r.steps} simulated runs; gives ${fmt(r.achieved)}, ${r.achievedCycles ? cyc(r.achievedCycles) : ''})`,
        );
        const p = r.plausibility!;
        const color =
          p.verdict === 'plausible' ? style.green : p.verdict === 'doubtful' ? style.yellow : style.red;
        lines.push(`${color(p.verdict)}: ${p.reason}`);
        return lines.join('\n');
      },
    };
    emit(io, flags, doc, exports);
  });
}
