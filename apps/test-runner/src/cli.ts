/**
 * The `pfmsim-test` command line: `run` scenario files, `fuzz`, `schema`. {@link main} is
 * synchronous and loads no plugin; {@link mainAsync} (the binary) loads `--plugin`, the config
 * file's and each scenario's plugins first.
 */
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBrokenStrategy, strategyNames } from '@pfmsim/buffer-strategies';
import { commandPluginSpecs, extractPluginArgs, loadPlugins, PluginError, unloadPlugins } from '@pfmsim/lab';
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { type FuzzOptions, runFuzz } from './fuzz.js';
import { renderJsonSchema } from './json-schema.js';
import type { LoadedScenario } from './load.js';
import { checkOutputDir, makeOutputDir, OutputError, writeFileAtomic } from './output.js';
import { defaultStrategies, type ExtraStrategies, pluginHint, strategyFactory } from './plan.js';
import { createReporter, REPORTERS, type Reporter, type ReporterName } from './reporters.js';
import type { ScenarioResult } from './run.js';
import {
  findScenarioFiles,
  MissingPathError,
  runSuite,
  runSuiteAsync,
  type SuiteOptions,
  type SuiteResult,
} from './suite.js';
import { applyUpdate, writeUpdated } from './update.js';
import type { Observation } from './world.js';

export const VERSION: string = pkg.version;

/** The conformance suite shipped in the package. */
export const CONFORMANCE_DIR = fileURLToPath(new URL('../conformance', import.meta.url));

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Where `pfmsim.config.json` is searched from and `--plugin` paths resolve (mainAsync; default: the process's). */
  cwd?: string;
  /** Strategies beyond the registry (tests). */
  extraStrategies?: ExtraStrategies;
}

class UsageError extends Error {}

const COMMANDS = ['run', 'fuzz', 'schema'];

function splitStrategies(value: string | undefined, io: CliIo): string[] | undefined {
  if (value === undefined) return undefined;
  const accepted = `(accepted: all, ${[...defaultStrategies(), ...strategyNames().filter(isBrokenStrategy)].join(', ')})`;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // an empty list would run no test at all, and pass
  if (names.length === 0)
    throw new UsageError(`--strategy ${JSON.stringify(value)} names no strategy ${accepted}`);
  for (const n of names) {
    if (n !== 'all' && !strategyFactory(n, io.extraStrategies)) {
      throw new UsageError(`unknown strategy ${JSON.stringify(n)} ${accepted}${pluginHint('flag')}`);
    }
  }
  return names;
}

/** An output directory, checked before the work (output.ts): a failure is one usage line with the fix. */
function checkDirFlag(dir: string, what: string, fix: string): void {
  try {
    checkOutputDir(dir);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    throw new UsageError(`${what}: ${e.reason}; ${fix}`);
  }
}

/** The fuzz command's flags: the fuzzer's options, with the strategies as typed. */
type FuzzFlags = Pick<
  FuzzOptions,
  'seconds' | 'syscalls' | 'coverage' | 'guided' | 'corpus' | 'seed' | 'out' | 'closeRaces'
> & { strategy?: string };

interface RunFlags {
  strategy?: string;
  filter?: string;
  reporter: ReporterName;
  update?: boolean;
  replay?: string;
}

/** A run checked and ready: the suite's options, and what to do with its result (the exit code). */
interface PreparedRun {
  readonly targets: string[];
  readonly options: SuiteOptions;
  finish(suite: SuiteResult): number;
}

function prepareRun(paths: string[], flags: RunFlags, io: CliIo): PreparedRun {
  const strategies = splitStrategies(flags.strategy, io);
  const countsDir = io.env.PFMSIM_COUNTS_DIR;
  if (countsDir)
    checkDirFlag(countsDir, `PFMSIM_COUNTS_DIR ${countsDir}`, 'set it to a directory for conformance.json');
  if (flags.replay !== undefined && !/^\d+:(?:\d+(?:\.\d+)*)?$/.test(flags.replay))
    throw new UsageError(`--replay ${flags.replay}: expected SEED:DECISIONS, e.g. 1:0.1.1`);
  const targets = paths.length > 0 ? paths : [CONFORMANCE_DIR];
  let files: string[];
  try {
    files = findScenarioFiles(targets);
  } catch (e) {
    if (e instanceof MissingPathError) throw new UsageError(e.message);
    // an entry that cannot be read (a link loop, no permission): named by the system's message
    throw new UsageError(
      `cannot list the scenario files under ${targets.join(', ')}: ${(e as Error).message}`,
    );
  }
  if (files.length === 0) throw new UsageError(`no scenario files (*.yaml) under ${targets.join(', ')}`);
  if (flags.replay !== undefined && files.length !== 1 && flags.filter === undefined)
    throw new UsageError('--replay needs exactly one scenario file');
  if (flags.update) {
    for (const f of files) {
      // (a dangling link fails to load: nothing to write)
      if (!existsSync(f)) continue;
      try {
        // the file is replaced by a new one written beside the file the path leads to
        accessSync(f, constants.W_OK);
        accessSync(dirname(realpathSync(f)), constants.W_OK);
      } catch {
        throw new UsageError(`--update: cannot write ${f}; make it writable or run without --update`);
      }
    }
  }
  // made on the first scenario, so a --filter that matches nothing writes no report at all
  let reporter: Reporter | null = null;
  const report = () => (reporter ??= createReporter(flags.reporter, io.stdout));
  let current: Observation[] | null = null;
  const updates: { sc: LoadedScenario; log: Observation[] }[] = [];
  const options: SuiteOptions = {
    ...(strategies ? { strategies } : {}),
    filter: flags.filter,
    // Stryker disable next-line ConditionalExpression: to runScenario an undefined replay is no replay
    ...(flags.replay !== undefined ? { replay: flags.replay } : {}),
    ...(io.extraStrategies ? { extraStrategies: io.extraStrategies } : {}),
    onLog: (strategy, log, failures) => {
      if (current === null) current = [...log];
      if (flags.replay !== undefined) {
        io.stdout(`replay ${flags.replay} under ${strategy}:\n`);
        for (const o of log) io.stdout(`  ${o.where} -> ${o.result}\n`);
        for (const f of failures) io.stdout(`  FAILED ${f}\n`);
      }
    },
    onScenario: (r: ScenarioResult) => {
      report().scenario(r);
    },
    onLoaded: (sc) => {
      if (flags.update && current) updates.push({ sc, log: current });
      current = null;
    },
  };
  const finish = (suite: SuiteResult): number => {
    if (suite.scenarios.length === 0)
      throw new UsageError(
        `--filter ${JSON.stringify(flags.filter)} matches no scenario name or file among the ${files.length} under ${targets.join(', ')}; check the text or run without --filter`,
      );
    report().end(suite);
    if (flags.update) {
      let changed = 0;
      for (const u of updates) {
        const n = applyUpdate(u.sc, u.log);
        if (n > 0) {
          writeUpdated(u.sc, u.sc.file);
          changed += n;
        }
      }
      io.stderr(`--update: ${changed} expectation${changed === 1 ? '' : 's'} rewritten\n`);
    }
    if (countsDir) {
      makeOutputDir(countsDir);
      writeFileAtomic(
        join(countsDir, 'conformance.json'),
        `${JSON.stringify({ passed: suite.passed, failed: suite.failed })}\n`,
      );
    }
    return suite.failed > 0 ? 1 : 0;
  };
  return { targets, options, finish };
}

function positiveInt(name: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v)) throw new UsageError(`${name} ${v}: expected a non-negative integer`);
    return Number(v);
  };
}

/** One line for commander's error: "unknown option '--filtr' (Did you mean --filter?)", or the help to read. */
function commanderLine(e: CommanderError, argv: readonly string[]): string {
  let text = e.message.replace('error: ', '').split('\n').join(' ').replace(/\.$/, '');
  if (!/did you mean/i.test(text)) {
    const first = argv.find((a) => !a.startsWith('-'));
    const command = COMMANDS.find((c) => c === first);
    text += `; see \`pfmsim-test ${command ? `${command} ` : ''}--help\``;
  }
  return text;
}

/** For the help only: mainAsync takes `--plugin` out of the arguments before commander sees them. */
function pluginOption(): Option {
  return new Option('--plugin <path|package>', 'load a plugin first (repeatable)');
}

/** The exit code the command's action sets (0 unless it says otherwise). */
interface Outcome {
  code: number;
}

/**
 * The program. `run` runs the suite through `suite`: the synchronous runner (its action
 * returns nothing) or the asynchronous one that loads scenario plugins (a promise to await).
 */
function createProgram(
  io: CliIo,
  out: Outcome,
  suite: (targets: string[], options: SuiteOptions) => SuiteResult | Promise<SuiteResult>,
): Command {
  const program = new Command()
    .name('pfmsim-test')
    .description('Runs perfmon2 scenario files against pfmsim; fuzzes the simulated kernel.')
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nEvery command takes --plugin PATH|PACKAGE (repeatable), and the `plugins` of a\npfmsim.config.json found upward from the working directory.',
    )
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: () => {
        // printed below as one line
      },
    });

  program
    .command('run')
    .description('run scenario files or directories (default: the shipped conformance suite)')
    .argument('[paths...]', 'scenario files or directories')
    .option(
      '--strategy <names>',
      "run under these strategies (comma-separated, or all) instead of the files'",
    )
    .option('--filter <text>', 'only scenarios whose name or file contains the text')
    .addOption(new Option('--reporter <name>', 'output format').choices(REPORTERS).default('human'))
    .option('--update', 'rewrite expected results from what the first strategy observed')
    .option('--replay <seed:decisions>', 'run one recorded schedule (as printed for a failing schedule)')
    .addOption(pluginOption())
    .action((paths: string[], flags: RunFlags) => {
      const run = prepareRun(paths, flags, io);
      const result = suite(run.targets, run.options);
      if (!(result instanceof Promise)) {
        out.code = run.finish(result);
        return;
      }
      return result.then((r) => {
        out.code = run.finish(r);
      });
    });

  program
    .command('fuzz')
    .description(
      'random syscall programs checked against the invariants; failures are shrunk and written as scenarios',
    )
    .option('--seconds <n>', 'time budget (default 10, or none with --syscalls)', positiveInt('--seconds'))
    .option(
      '--syscalls <n>',
      'budget in system calls made (over every strategy and schedule)',
      positiveInt('--syscalls'),
    )
    .option('--coverage', 'measure the branches reached in perfmon-core and buffer-strategies (V8)')
    .option('--guided', 'coverage-guided: keep programs that reach new branches and mutate them')
    .option('--corpus <dir>', 'with --guided: load the programs kept there, save new ones there')
    .option('--seed <n>', 'random seed', positiveInt('--seed'), 1)
    .option('--strategy <names>', 'strategies (comma-separated; default: all shipped and plugin ones)')
    .option('--out <dir>', 'where failing programs are written', 'fuzz-findings')
    .option('--close-races', 'also race close() against calls on the same fd')
    .addOption(pluginOption())
    .action((flags: FuzzFlags) => {
      const strategies = splitStrategies(flags.strategy, io);
      checkDirFlag(flags.out, `--out ${flags.out}`, 'give a directory to write the findings into');
      if (flags.corpus !== undefined && !flags.guided)
        throw new UsageError(`--corpus ${flags.corpus} needs --guided (only the guided mode keeps a corpus)`);
      if (flags.corpus !== undefined)
        checkDirFlag(flags.corpus, `--corpus ${flags.corpus}`, 'give a directory for the corpus');
      const r = runFuzz({
        ...(flags.seconds !== undefined || flags.syscalls === undefined
          ? { seconds: flags.seconds ?? 10 }
          : {}),
        ...(flags.syscalls !== undefined ? { syscalls: flags.syscalls } : {}),
        ...(flags.coverage ? { coverage: true } : {}),
        ...(flags.guided ? { guided: true } : {}),
        ...(flags.corpus !== undefined ? { corpus: flags.corpus } : {}),
        seed: flags.seed,
        out: flags.out,
        ...(flags.closeRaces ? { closeRaces: true } : {}),
        ...(strategies
          ? { strategies: strategies.flatMap((s) => (s === 'all' ? defaultStrategies() : [s])) }
          : {}),
        ...(io.extraStrategies ? { extraStrategies: io.extraStrategies } : {}),
        log: io.stdout,
        warn: io.stderr,
      });
      // a finding printed because its file could not be written: exit 2, as for any write
      if (r.findings.some((f) => f.unwritten !== undefined)) out.code = 2;
      else out.code = r.findings.length > 0 ? 1 : 0;
    });

  program
    .command('schema')
    .description('print the JSON Schema of scenario files')
    .addOption(pluginOption())
    .action(() => {
      io.stdout(renderJsonSchema());
    });
  return program;
}

/** The exit code for what parsing or a command threw, after printing its one line. */
function failure(e: unknown, argv: readonly string[], io: CliIo): number {
  if (e instanceof CommanderError) {
    // --help, --version
    if (e.exitCode === 0) return 0;
    // no command: commander printed the help on stderr
    if (e.code === 'commander.help') return 2;
    io.stderr(`error: ${commanderLine(e, argv)}\n`);
    return 2;
  }
  if (e instanceof OutputError) {
    io.stderr(`error: cannot write ${e.message}\n`);
    return 2;
  }
  if (e instanceof UsageError || e instanceof PluginError) {
    io.stderr(`error: ${e.message}\n`);
    return 2;
  }
  throw e;
}

/**
 * Runs the command line with the plugins already loaded in this process, loading none (see
 * {@link mainAsync}); returns the exit code (0 ok, 1 test failures, 2 usage errors).
 */
export function main(argv: readonly string[], io: CliIo): number {
  const out: Outcome = { code: 0 };
  try {
    if (extractPluginArgs(argv).plugins.length > 0)
      throw new UsageError('--plugin loads modules, which main() cannot wait for: call mainAsync()');
    createProgram(io, out, runSuite).parse([...argv], { from: 'user' });
  } catch (e) {
    return failure(e, argv, io);
  }
  return out.code;
}

/**
 * Runs the command line as the `pfmsim-test` binary does: loads the plugins of
 * `pfmsim.config.json` (found upward from `io.cwd`) and of `--plugin` first (a plugin that
 * fails to load is one line and exit 2, and nothing runs), runs each scenario with its own
 * `plugins:` loaded, and unloads every plugin at the end.
 */
export async function mainAsync(argv: readonly string[], io: CliIo): Promise<number> {
  const out: Outcome = { code: 0 };
  let loaded = false;
  let args = argv;
  try {
    const { plugins, rest } = extractPluginArgs(argv);
    args = rest;
    const cwd = io.cwd ?? process.cwd();
    const specs = commandPluginSpecs(plugins, cwd);
    if (specs.length > 0) {
      // set first: a plugin that fails to load may leave the ones before it registered
      loaded = true;
      await loadPlugins(specs, { cwd });
    }
    await createProgram(io, out, runSuiteAsync).parseAsync(rest, { from: 'user' });
  } catch (e) {
    return failure(e, args, io);
  } finally {
    // plugins register process-wide: a caller running mainAsync() again starts clean
    if (loaded) unloadPlugins();
  }
  return out.code;
}
