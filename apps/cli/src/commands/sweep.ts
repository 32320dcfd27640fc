import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, relative } from 'node:path';
import { createWorld, resolveMachine } from '@pfmsim/lab';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { intOption, UsageError } from '../errors.js';
import { checkReadable, checkWritable } from '../files.js';
import { cycles, renderTable, type Table } from '../format.js';
import { Progress } from '../io.js';
import {
  addOutputOptions,
  type Doc,
  type Exports,
  emit,
  note,
  type OutputFlags,
  prepareExports,
} from '../output.js';
import type { CellSummary } from '../sweep/cell.js';
import {
  configHash,
  expandCells,
  gridSummary,
  loadSweepConfig,
  type SweepCell,
  type SweepConfig,
} from '../sweep/config.js';
import { lockResults } from '../sweep/lock.js';
import { runCells } from '../sweep/pool.js';
import { makeHeader, openForResume, type ResultsHeader } from '../sweep/results.js';
import { inShard, parseShard, type Shard } from '../sweep/shard.js';

interface SweepFlags extends OutputFlags {
  config: string;
  jobs: string;
  shard?: string;
  output?: string;
}

const EXAMPLE = `
Config (JSON; every key optional, lists may be a single value, "all" = every choice):
  {
    "name": "stack-vs-cache",
    "machines": ["p4-2006", "core2-2007", {"machine": "k8-2006", "pmu": "amd64-k8"}],
    "strategies": ["kmalloc", "stack", "ctx-cache", "hybrid"],
    "calls": ["pfm_read_pmds", "pfm_write_pmcs"],
    "counts": [1, 4, 16, 64],
    "abi": ["v2.3", "v2.2"],
    "threads": [1, 2],
    "seeds": [1],
    "callsPerThread": 4,
    "costOverrides": {"kmallocFast": 150}
  }
Shards: --shard 2/4 runs cells 1, 5, 9... (index % 4 === 1); --shard auto reads
PFMSIM_SHARD_INDEX/PFMSIM_SHARD_COUNT (CI matrix), JOB_COMPLETION_INDEX + PFMSIM_SHARD_COUNT
(Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm array).
Results are JSON lines; running the same command again resumes; \`pfmsim merge\` joins shards.`;

export function registerSweep(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('sweep')
    .summary('run a grid of experiments on worker threads; resumable and shardable')
    .description('run a grid of machines x strategies x calls x counts x abi x threads; resumable, shardable')
    .requiredOption('-c, --config <file>', 'sweep config (JSON)')
    .option('-j, --jobs <n>', 'worker threads ("auto" = one per core)', '1')
    .option('--shard <i/n|auto>', 'run only slice i of n (1-based), or take it from the environment')
    .option(
      '-o, --output <file>',
      'results file (JSON lines); default CONFIG.results.jsonl or CONFIG.shard-I-of-N.jsonl',
    )
    .addHelpText('after', EXAMPLE);
  addOutputOptions(cmd);
  cmd.action((flags: SweepFlags) => sweepAction(ctx, flags));
}

async function sweepAction(ctx: Ctx, flags: SweepFlags): Promise<void> {
  const io = ctx.io;
  const configPath = checkReadable('config', flags.config, io.cwd);
  const config = loadSweepConfig(configPath, flags.config);
  const jobs = flags.jobs === 'auto' ? availableParallelism() : intOption('--jobs', flags.jobs, 1, 256);
  const shard = flags.shard !== undefined ? parseShard(flags.shard, io.env) : null;
  const stem = basename(flags.config).replace(/\.json$/, '');
  const outText =
    flags.output ??
    (shard ? `${stem}.shard-${shard.index}-of-${shard.count}.jsonl` : `${stem}.results.jsonl`);
  const outPath = checkWritable('--output', outText, io.cwd);
  if (outPath === configPath)
    throw new UsageError('--output would overwrite the config file', 'pick another -o FILE');
  if (existsSync(outPath) && !statSync(outPath).isFile())
    throw new UsageError(
      `--output ${outText} is not a regular file (a device or a pipe)`,
      'a sweep appends to its results file and resumes from it: pick a file',
    );
  const exports = prepareExports(io, flags);
  preflight(config, flags.config);
  const hash = configHash(config);
  const all = expandCells(config);
  const mine = all.filter((c) => inShard(c.index, shard));
  const header = makeHeader(config, hash, all.length, shard);
  const lock = lockResults(outPath, outText);
  try {
    if (lock.stale)
      note(
        io,
        flags,
        `${outText}: took over the lock of pid ${lock.stale.pid}, which is gone (a killed sweep)`,
      );
    await sweepLocked(ctx, flags, {
      config,
      hash,
      all,
      mine,
      header,
      shard,
      stem,
      jobs,
      outPath,
      outText,
      exports,
    });
  } finally {
    lock.release();
  }
}

interface SweepPlan {
  readonly config: SweepConfig;
  readonly hash: string;
  readonly all: readonly SweepCell[];
  readonly mine: readonly SweepCell[];
  readonly header: ResultsHeader;
  readonly shard: Shard | null;
  readonly stem: string;
  readonly jobs: number;
  readonly outPath: string;
  readonly outText: string;
  readonly exports: Exports;
}

/** The sweep proper, run while this process holds the results file's lock. */
async function sweepLocked(ctx: Ctx, flags: SweepFlags, plan: SweepPlan): Promise<void> {
  const io = ctx.io;
  const { config, hash, all, mine, header, shard, stem, jobs, outPath, outText, exports } = plan;
  const { writer, done, droppedPartial, existed } = openForResume(outPath, outText, header);
  if (droppedPartial)
    note(io, flags, `${outText}: dropped a partial last line (an interrupted write); its cell runs again`);
  const todo = mine.filter((c) => !done.has(c.index));
  if (existed && done.size > 0)
    note(io, flags, `${outText}: resuming, ${done.size} of ${mine.length} cells already done`);

  const progress = Progress.for(io, flags.quiet, 'sweep');
  const t0 = io.now();
  let ran = 0;
  const records: CellSummary[] = [];
  try {
    await runCells(todo, jobs, (lines, summaries) => {
      writer.writeLines(lines);
      records.push(...summaries);
      ran += summaries.length;
      progress.update(ran, todo.length, summaries[summaries.length - 1]?.key ?? '');
    });
  } finally {
    progress.finish();
    writer.close();
  }
  const seconds = (io.now() - t0) / 1000;
  const machines = config.machines.map((m) => Object.values(m).join('/'));
  const errors = records.filter((r) => r.error !== null).length;
  const bugs = records.reduce((s, r) => s + r.kernelBugs, 0);
  const table: Table = {
    title: `Sweep ${config.name}${shard ? ` shard ${shard.index}/${shard.count}` : ''}`,
    columns: [
      { header: 'cells', align: 'right' },
      { header: 'shard_cells', align: 'right' },
      { header: 'already_done', align: 'right' },
      { header: 'ran', align: 'right' },
      { header: 'jobs', align: 'right' },
      { header: 'seconds', align: 'right' },
      { header: 'output' },
    ],
    rows: [
      [
        all.length,
        mine.length,
        mine.length - todo.length,
        ran,
        jobs,
        round2(seconds),
        relative(io.cwd, outPath),
      ],
    ],
  };
  const doc: Doc = {
    meta: {
      command: 'sweep',
      machine: machines.join(','),
      seed: config.seeds.length === 1 ? config.seeds[0]! : null,
      extra: [`config ${config.name} (${hash})`],
    },
    json: {
      name: config.name,
      configHash: hash,
      seeds: config.seeds,
      cells: all.length,
      shard: shard ? { index: shard.index, count: shard.count, source: shard.source } : null,
      shardCells: mine.length,
      alreadyDone: mine.length - todo.length,
      ran,
      errors,
      kernelBugs: bugs,
      jobs,
      seconds: round2(seconds),
      cellsPerSecond: seconds > 0 ? round2(ran / seconds) : null,
      output: relative(io.cwd, outPath),
      complete: done.size + ran >= mine.length,
    },
    tables: [table],
    text: (style) => {
      const lines = [
        `${gridSummary(config)} = ${all.length} cells`,
        `${shard ? `shard ${shard.index}/${shard.count} (from ${shard.source}): ${mine.length} cells; ` : ''}${mine.length - todo.length} already in ${relative(io.cwd, outPath)}, ran ${ran} in ${seconds.toFixed(1)} s on ${threadsText(jobs, todo.length)}`,
      ];
      if (errors > 0)
        lines.push(style.yellow(`${errors} cells returned an errno (see "error" in the results)`));
      if (bugs > 0) lines.push(style.red(`${bugs} kernel bugs reported by the cells`));
      const read = records.filter((r) => r.syscall === 'pfm_read_pmds' && r.count === 4 && r.threads === 1);
      if (read.length > 0 && read.length <= 40) {
        lines.push('', style.bold('pfm_read_pmds at 4 registers, cycles per call (cells run now)'));
        lines.push(
          renderTable(
            {
              title: 'read4',
              columns: [
                { header: 'machine' },
                { header: 'abi' },
                { header: 'strategy' },
                { header: 'cycles', align: 'right' },
              ],
              rows: read
                .sort((a, b) => a.index - b.index)
                .map((r) => [r.machine, r.abi, r.strategy, cycles(r.cyclesPerCall)]),
            },
            style,
          ),
        );
      }
      lines.push(
        '',
        `results: ${relative(io.cwd, outPath)}${shard ? ` · join the shards with: pfmsim merge ${stem}.shard-*-of-${shard.count}.jsonl -o ${stem}.results.jsonl` : ''}`,
      );
      return lines.join('\n');
    },
  };
  emit(io, flags, doc, exports);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Builds one world per machine x ABI before anything is written, so a combination the
 * simulator cannot run (an ABI not simulated yet, a PMU that does not fit the arch) is one
 * clear line and exit 2 instead of a failure halfway through the sweep.
 */
function preflight(config: SweepConfig, shownAs: string): void {
  for (const spec of config.machines) {
    const machine = resolveMachine(spec);
    for (const abi of config.abi) {
      try {
        createWorld({ machine, strategy: 'kmalloc', abi, arenaBytes: 1 << 20 });
      } catch (e) {
        throw new UsageError(
          `config ${shownAs}: machine ${machine.id} with abi ${abi} cannot run: ${(e as Error).message.split('\n')[0]}`,
          'remove that combination from the config',
        );
      }
    }
  }
}

/** The threads runCells uses: this one for a single job or cell, else one worker per cell up to --jobs. */
function threadsText(jobs: number, cells: number): string {
  const workers = jobs <= 1 || cells <= 1 ? 0 : Math.min(jobs, cells);
  return workers === 0 ? '1 thread' : `${workers} worker threads`;
}
