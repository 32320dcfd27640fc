import { cpus, arch as hostArch, platform } from 'node:os';
import { benchCalls, benchSchedules, type Rate } from '@pfmsim/lab';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { intOption } from '../errors.js';
import { addExperimentOptions } from '../experiment-options.js';
import { grouped, renderTable, type Table } from '../format.js';
import { Progress } from '../io.js';
import {
  abiFrom,
  type MachineFlags,
  machineFrom,
  seedFrom,
  strategiesFrom,
  strategyFrom,
} from '../options.js';
import { type Doc, emit, type OutputFlags, prepareExports } from '../output.js';

interface BenchFlags extends MachineFlags, OutputFlags {
  abi?: string;
  seed?: string;
  strategies?: string;
  duration: string;
  raceStrategy: string;
}

export function registerBench(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('bench')
    .summary("the simulator's own speed on this host")
    .description(
      "the simulator's own speed on this host: simulated pfm_read_pmds calls (4 registers) per host second " +
        'under each strategy, and race schedules explored per second (two threads, one call each)',
    )
    .option('--strategies <list>', 'strategies to time, or "all"', 'all')
    .option('--duration <ms>', 'host milliseconds per measurement', '300')
    .option('--race-strategy <name>', 'strategy of the race scenario', 'ctx-cache');
  addExperimentOptions(cmd);
  cmd.action((flags: BenchFlags) => {
    const io = ctx.io;
    const strategies = strategiesFrom(flags.strategies);
    const raceStrategy = strategyFrom(flags.raceStrategy);
    const durationMs = intOption('--duration', flags.duration, 10, 60_000);
    const machine = machineFrom(flags);
    const abi = abiFrom(flags.abi);
    const seed = seedFrom(flags.seed);
    const exports = prepareExports(io, flags);
    const progress = Progress.for(io, flags.quiet, 'bench');
    const calls: Record<string, Rate> = {};
    let schedules: Rate;
    try {
      strategies.forEach((strategy, i) => {
        progress.update(i, strategies.length + 1, strategy);
        calls[strategy] = benchCalls({ machine, abi, seed, durationMs, strategy, now: io.now });
      });
      progress.update(strategies.length, strategies.length + 1, 'race schedules');
      schedules = benchSchedules({ machine, abi, seed, durationMs, strategy: raceStrategy, now: io.now });
    } finally {
      progress.finish();
    }
    const host = {
      node: process.version,
      platform: platform(),
      arch: hostArch(),
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
    };
    const table: Table = {
      title: `Simulator speed on this host (${machine.id})`,
      columns: [
        { header: 'measurement' },
        { header: 'strategy' },
        { header: 'per_second', align: 'right' },
        { header: 'ops', align: 'right' },
        { header: 'ms', align: 'right' },
      ],
      rows: [
        ...strategies.map((s) => [
          'pfm_read_pmds n=4 calls',
          s,
          calls[s]!.perSecond,
          calls[s]!.ops,
          calls[s]!.ms,
        ]),
        [
          'race schedules (2 threads x 1 call)',
          raceStrategy,
          schedules.perSecond,
          schedules.ops,
          schedules.ms,
        ],
      ],
    };
    const doc: Doc = {
      meta: { command: 'bench', machine: machine.id, seed, extra: [`abi ${abi}`] },
      json: {
        abi,
        durationMs,
        simulatedCallsPerSecond: Object.fromEntries(strategies.map((s) => [s, calls[s]!.perSecond])),
        schedulesPerSecond: schedules.perSecond,
        raceStrategy,
        detail: { calls, schedules },
        host,
      },
      tables: [table],
      text: (style) =>
        [
          `host: ${host.cpu}, ${host.cores} cores, Node ${host.node}; ${durationMs} ms per measurement`,
          '',
          renderTable(
            {
              title: 'bench',
              columns: [
                { header: 'strategy' },
                { header: 'simulated calls/s', align: 'right' },
                { header: 'host us/call', align: 'right' },
              ],
              rows: strategies.map((s) => [
                s,
                grouped(calls[s]!.perSecond),
                (1e6 / calls[s]!.perSecond).toFixed(1),
              ]),
            },
            style,
          ),
          style.dim('pfm_read_pmds with 4 registers, one context, every check of the lab world on'),
          '',
          `race exploration: ${grouped(schedules.perSecond)} schedules/s (${raceStrategy}, two threads, one pfm_write_pmds each, random schedules)`,
        ].join('\n'),
    };
    emit(io, flags, doc, exports);
  });
}
