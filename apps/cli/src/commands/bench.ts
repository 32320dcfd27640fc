import { cpus, arch as hostArch, platform } from 'node:os';
import { benchCallRounds, type Rate } from '@pfmsim/lab';
import { runScenario, scenarioFromData, twoThreadScenario } from '@pfmsim/test-runner';
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
import { type RoundStats, roundStats } from '../stats.js';

interface BenchFlags extends MachineFlags, OutputFlags {
  abi?: string;
  seed?: string;
  strategies?: string;
  duration: string;
  raceStrategy: string;
  rounds: string;
  roundSchedules: string;
}

interface Round {
  readonly schedules: number;
  readonly ms: number;
  readonly perSecond: number;
}

/** One round: the test-runner bench's scenario explored for `schedules` random schedules. */
function scheduleRound(strategy: string, schedules: number, now: () => number): Round {
  const sc = scenarioFromData(twoThreadScenario(schedules, 262144, 'random', strategy), 'bench');
  const t0 = now();
  const test = runScenario(sc).tests[0]!;
  const ms = now() - t0;
  if (!test.passed)
    throw new Error(`bench: the exploration scenario failed under ${strategy}: ${test.failures[0]}`);
  const n = test.schedules ?? 0;
  return { schedules: n, ms: Math.round(ms * 10) / 10, perSecond: ms > 0 ? Math.round((n * 1000) / ms) : 0 };
}

function roundsOf(n: number): string {
  return `${n} round${n === 1 ? '' : 's'}`;
}

/** Host microseconds per simulated call at a rate (never 0: a round ends after one batch at least). */
function usPerCall(perSecond: number): string {
  return (1e6 / perSecond).toFixed(1);
}

export function registerBench(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('bench')
    .summary("the simulator's own speed on this host")
    .description(
      "the simulator's own speed on this host: simulated pfm_read_pmds calls (4 registers) per host second " +
        "under each strategy, and random schedules explored per second, in rounds after a warm-up, on test-runner's bench scenario (two threads, one call each)",
    )
    .option('--strategies <list>', 'strategies to time, or "all"', 'all')
    .option('--duration <ms>', 'host milliseconds per round of calls', '200')
    .option(
      '--race-strategy <name>',
      "strategy of the exploration scenario (test-runner's bench scenario)",
      'kmalloc',
    )
    .option(
      '--rounds <n>',
      "rounds measured after a warm-up, for each strategy's calls and for the exploration (which also times a first, cold round)",
      '5',
    )
    .option(
      '--round-schedules <n>',
      "exploration: random schedules per round (test-runner's bench: 10000)",
      '10000',
    );
  addExperimentOptions(cmd);
  cmd.action((flags: BenchFlags) => {
    const io = ctx.io;
    const strategies = strategiesFrom(flags.strategies);
    const raceStrategy = strategyFrom(flags.raceStrategy);
    const durationMs = intOption('--duration', flags.duration, 10, 60_000);
    const roundCount = intOption('--rounds', flags.rounds, 1, 50);
    const perRound = intOption('--round-schedules', flags.roundSchedules, 10, 1_000_000);
    const machine = machineFrom(flags);
    const abi = abiFrom(flags.abi);
    const seed = seedFrom(flags.seed);
    const exports = prepareExports(io, flags);
    const progress = Progress.for(io, flags.quiet, 'bench');
    const callRounds: Record<string, Rate[]> = {};
    const steps = strategies.length + roundCount + 1;
    let first: Round;
    const rounds: Round[] = [];
    try {
      strategies.forEach((strategy, i) => {
        progress.update(i, steps, strategy);
        callRounds[strategy] = benchCallRounds({
          machine,
          abi,
          seed,
          durationMs,
          strategy,
          rounds: roundCount,
          now: io.now,
        });
      });
      // The first round runs cold (JIT), as a one-off command does; then a warm-up, then rounds.
      progress.update(strategies.length, steps, 'exploration, first round');
      first = scheduleRound(raceStrategy, perRound, io.now);
      scheduleRound(raceStrategy, perRound, io.now);
      for (let r = 0; r < roundCount; r++) {
        progress.update(strategies.length + 1 + r, steps, `exploration, round ${r + 1}`);
        rounds.push(scheduleRound(raceStrategy, perRound, io.now));
      }
    } finally {
      progress.finish();
    }
    const calls: Record<string, RoundStats & { rounds: Rate[] }> = Object.fromEntries(
      strategies.map((s) => [
        s,
        { rounds: callRounds[s]!, ...roundStats(callRounds[s]!.map((r) => r.perSecond)) },
      ]),
    );
    const schedules = roundStats(rounds.map((r) => r.perSecond));
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
        ...strategies.flatMap((s) =>
          calls[s]!.rounds.map((r, i) => [
            `pfm_read_pmds n=4 calls round ${i + 1}`,
            s,
            r.perSecond,
            r.ops,
            r.ms,
          ]),
        ),
        ...rounds.map((r, i) => [
          `exploration round ${i + 1} (random schedules of 2 threads x 1 call)`,
          raceStrategy,
          r.perSecond,
          r.schedules,
          r.ms,
        ]),
      ],
    };
    const doc: Doc = {
      meta: { command: 'bench', machine: machine.id, seed, extra: [`abi ${abi}`] },
      json: {
        abi,
        durationMs,
        rounds: roundCount,
        roundSchedules: perRound,
        simulatedCallsPerSecond: Object.fromEntries(strategies.map((s) => [s, calls[s]!.median])),
        schedulesPerSecond: schedules.median,
        raceStrategy,
        detail: { calls, schedules: { rounds, ...schedules, firstRound: first } },
        host,
      },
      tables: [table],
      text: (style) =>
        [
          `host: ${host.cpu}, ${host.cores} cores, Node ${host.node}; ${roundsOf(roundCount)} of ${durationMs} ms per strategy after a warm-up`,
          '',
          renderTable(
            {
              title: 'bench',
              columns: [
                { header: 'strategy' },
                { header: 'calls/s median', align: 'right' },
                { header: 'min', align: 'right' },
                { header: 'max', align: 'right' },
                { header: 'spread', align: 'right' },
                { header: 'host us/call', align: 'right' },
              ],
              rows: strategies.map((s) => [
                s,
                grouped(calls[s]!.median),
                grouped(calls[s]!.min),
                grouped(calls[s]!.max),
                `${calls[s]!.spreadPercent.toFixed(1)}%`,
                usPerCall(calls[s]!.median),
              ]),
            },
            style,
          ),
          style.dim(
            'simulated pfm_read_pmds with 4 registers, one context, every check of the lab world on; spread = (max - min) / median; host us/call at the median',
          ),
          '',
          `exploration: ${grouped(schedules.median)} schedules/s median of ${roundsOf(roundCount)} of ${grouped(perRound)} (min ${grouped(schedules.min)}, max ${grouped(schedules.max)}, spread ${schedules.spreadPercent.toFixed(1)}%; first round, cold: ${grouped(first.perSecond)}/s)`,
          style.dim(
            `test-runner's bench scenario: two threads, one pfm_write_pmds each, random schedules, ${raceStrategy}; each schedule restores a snapshot of the set-up world`,
          ),
        ].join('\n'),
    };
    emit(io, flags, doc, exports);
  });
}
