import { UnknownStrategyError } from '@pfmsim/buffer-strategies';
import { InvalidArgumentError, KernelSimError } from '@pfmsim/kernel-sim';
import { commandPluginSpecs, extractPluginArgs, loadPlugins, PluginError, unloadPlugins } from '@pfmsim/lab';
import { PfmError, SyscallError } from '@pfmsim/libpfm';
import {
  DuplicateModelError,
  InvalidModelError,
  LibpfmTypeClashError,
  UnknownModelError,
} from '@pfmsim/pmu-models';
import { Command, CommanderError } from 'commander';
import { registerAttack } from './commands/attack.js';
import { registerBench } from './commands/bench.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerCertify } from './commands/certify.js';
import { registerCompare } from './commands/compare.js';
import { registerMachines } from './commands/machines.js';
import { registerMerge } from './commands/merge.js';
import { registerPmu } from './commands/pmu.js';
import { registerRace } from './commands/race.js';
import { registerRecord } from './commands/record.js';
import { registerReport } from './commands/report.js';
import { registerStat } from './commands/stat.js';
import { registerSweep } from './commands/sweep.js';
import { registerTune } from './commands/tune.js';
import { EXIT_USAGE, UsageError } from './errors.js';
import { type Io, processIo } from './io.js';
import { VERSION } from './version.js';

/** What a command's action reports back: its exit code (0 unless it says otherwise). */
export interface Ctx {
  readonly io: Io;
  exitCode: number;
  /** The `--plugin` values of this run, for the replay commands a command prints. */
  plugins: readonly string[];
}

export function createProgram(ctx: Ctx): Command {
  const program = new Command('pfmsim')
    .description(
      'pfmsim: the perfmon2 argument-buffer laboratory. How should a vector of register arguments reach ' +
        'the kernel (kmalloc per call, a stack buffer, a per-context cache...)? Measured on a simulated ' +
        '2006 kernel in cycles, stack bytes, pinned memory, races and kernel bugs.',
    )
    .version(VERSION, '-V, --version', 'print the pfmsim version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: () => {
        // printed by run() as one line
      },
    });
  program.addHelpText(
    'after',
    '\nStart with `pfmsim compare` (the decision table on the default machine, p4-2006). ' +
      'Every command takes --help, --json and --no-color, and --plugin PATH|PACKAGE (repeatable; also `plugins` ' +
      'in a pfmsim.config.json found upward) to add strategies and PMU models. Exit codes: 0 ok, 1 findings (when asked), 2 bad input.',
  );
  registerCompare(program, ctx);
  registerMachines(program, ctx);
  registerAttack(program, ctx);
  registerRace(program, ctx);
  registerPmu(program, ctx);
  registerTune(program, ctx);
  registerCalibrate(program, ctx);
  registerCertify(program, ctx);
  registerSweep(program, ctx);
  registerMerge(program, ctx);
  registerBench(program, ctx);
  registerReport(program, ctx);
  registerStat(program, ctx);
  registerRecord(program, ctx);
  return program;
}

/** One line for a CommanderError: "unknown option '--foo' (Did you mean --bar?)". */
function commanderLine(e: CommanderError, command: string): string {
  const lines = e.message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  let text = lines.join(' ').replace(/\.$/, '');
  if (!/did you mean/i.test(text)) {
    if (e.code === 'commander.unknownCommand') text += '; `pfmsim --help` lists the commands';
    else text += `; see \`pfmsim ${command ? `${command} ` : ''}--help\``;
  }
  return text;
}

/** "compare", "pmu show"... from the arguments, for help hints. */
function commandOf(program: Command, argv: readonly string[]): string {
  const parts: string[] = [];
  let cmd: Command | undefined = program;
  for (const a of argv) {
    if (a.startsWith('-')) break;
    const sub: Command | undefined = cmd?.commands.find((c) => c.name() === a);
    if (!sub) break;
    parts.push(a);
    cmd = sub;
  }
  return parts.join(' ');
}

/** The single line (and exit code) for anything a command throws. */
export function describeError(e: unknown, debug: boolean, command = ''): { line: string; code: number } {
  if (e instanceof UsageError) return { line: e.line(), code: EXIT_USAGE };
  if (e instanceof CommanderError) return { line: commanderLine(e, command), code: EXIT_USAGE };
  if (e instanceof UnknownStrategyError) return { line: e.message, code: EXIT_USAGE };
  if (e instanceof PluginError) return { line: e.message, code: EXIT_USAGE };
  if (e instanceof UnknownModelError) return { line: e.message, code: EXIT_USAGE };
  // Two model files the registry cannot both serve (one id, or one libpfm type for one CPU).
  if (e instanceof DuplicateModelError || e instanceof LibpfmTypeClashError) {
    return { line: e.message, code: EXIT_USAGE };
  }
  if (e instanceof InvalidModelError) {
    const first = e.errors[0];
    const more = e.errors.length > 1 ? ` (and ${e.errors.length - 1} more)` : '';
    return {
      line: `invalid PMU model file ${e.file}: ${first ? `${first.path}: ${first.message} [${first.rule}]` : ''}${more}; \`pfmsim pmu validate FILE\` lists every error`,
      code: EXIT_USAGE,
    };
  }
  if (e instanceof PfmError) return { line: `libpfm: ${e.message}`, code: EXIT_USAGE };
  if (e instanceof SyscallError) return { line: `a simulated system call failed: ${e.message}`, code: 1 };
  if (e instanceof InvalidArgumentError || e instanceof KernelSimError) {
    return { line: e.message.split('\n')[0] ?? e.message, code: EXIT_USAGE };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    line: `internal error: ${err.message}${debug ? `\n${err.stack ?? ''}` : ' (PFMSIM_DEBUG=1 prints the stack)'}`,
    code: 1,
  };
}

/** Runs pfmsim with `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const ctx: Ctx = { io, exitCode: 0, plugins: [] };
  const program = createProgram(ctx);
  if (argv.length === 0) {
    // The same help as --help, with the text after it (where to start, the exit codes).
    program.outputHelp();
    return 0;
  }
  let loaded = false;
  try {
    const { plugins, rest } = extractPluginArgs(argv);
    ctx.plugins = plugins;
    const specs = commandPluginSpecs(plugins, io.cwd);
    if (specs.length > 0) {
      // set first: a plugin that fails to load may leave the ones before it registered
      loaded = true;
      await loadPlugins(specs, { cwd: io.cwd });
    }
    await program.parseAsync(rest, { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      // `pfmsim pmu` without a subcommand: commander printed the help on stderr.
      if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : EXIT_USAGE;
      if (e.exitCode === 0) return 0;
    }
    const { line, code } = describeError(e, io.env.PFMSIM_DEBUG === '1', commandOf(program, argv));
    io.err(`pfmsim: ${line}\n`);
    return code;
  } finally {
    // Plugins register process-wide; a caller running main() again starts clean.
    if (loaded) unloadPlugins();
  }
}
