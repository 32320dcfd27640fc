import { type CertCheck, createStrategy, replaySharedFd, strategyNames } from '@pfmsim/buffer-strategies';
import { type Certificate, CHECK_IDS, type CheckId, certify } from '@pfmsim/lab';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { EXIT_FINDINGS, intOption, listOf, oneOf, UsageError } from '../errors.js';
import type { Table } from '../format.js';
import { Progress, type Style } from '../io.js';
import {
  addMachineOptions,
  addSeedOption,
  type MachineFlags,
  machineArgs,
  machineFrom,
  seedFrom,
} from '../options.js';
import { addOutputOptions, type Doc, emit, type OutputFlags, prepareExports } from '../output.js';
import { conformanceCheck } from './certify-conformance.js';

interface CertifyFlags extends MachineFlags, OutputFlags {
  seed?: string;
  only?: string;
  maxPreemptions: string;
  schedules: string;
  replay?: string;
}

const STATUS_WORD: Record<CertCheck['status'], string> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  partial: 'PARTIAL',
  skipped: 'SKIPPED',
};

export function registerCertify(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('certify')
    .summary('hold a strategy (built-in or a plugin) to every check the built-ins go through')
    .description(
      'hold an argument-buffer strategy to every check the built-ins go through: the conformance suite ' +
        'differential against kmalloc, exhaustive and random exploration of threads sharing a context fd, ' +
        'fault injection at every copy byte and allocation with the leak check, the pinning attacks, the ' +
        'stack report on every arch and cycles at 1..64 registers. Exit 0 certified, 1 a check failed ' +
        'or could not finish, 2 bad input',
    )
    .argument('<strategy>', 'a built-in strategy or one a --plugin adds')
    .option('--only <checks>', `run only these checks (comma-separated: ${CHECK_IDS.join(', ')})`)
    .option('--max-preemptions <n>', 'exhaustive exploration: preemption bound', '3')
    .option('--schedules <n>', 'random schedules after each exhaustive search', '300')
    .option('--replay <plan:seed:decisions>', 'replay one shared-fd schedule (as printed with a finding)');
  addMachineOptions(cmd);
  addSeedOption(cmd);
  addOutputOptions(cmd);
  cmd.action((name: string, flags: CertifyFlags) => {
    const io = ctx.io;
    const strategy = oneOf('strategy', name, strategyNames());
    const only = flags.only === undefined ? undefined : listOf('check', flags.only, CHECK_IDS);
    const maxPreemptions = intOption('--max-preemptions', flags.maxPreemptions, 0, 10);
    const randomSchedules = intOption('--schedules', flags.schedules, 0, 1_000_000);
    const machine = machineFrom(flags);
    const seed = seedFrom(flags.seed);
    const exports = prepareExports(io, flags);
    const plugins = ctx.plugins.map((p) => ` --plugin ${p}`).join('');
    if (flags.replay !== undefined) {
      replayCommand(ctx, strategy, flags, flags.replay);
      return;
    }
    const progress = Progress.for(io, flags.quiet, 'certify');
    let cert: Certificate;
    try {
      cert = certify({
        strategy,
        machine,
        seed,
        maxPreemptions,
        randomSchedules,
        ...(only ? { only } : {}),
        conformance: (s) => conformanceCheck(s, `pfmsim-test${plugins}`),
        cli: `pfmsim${plugins}`,
        machineArgs: machineArgs(flags),
        onCheck: (id, i, total) => progress.update(i, total, id),
      });
    } finally {
      progress.finish();
    }
    ctx.exitCode = certifyExitCode(cert, only);
    const table: Table = {
      title: `Certificate of ${cert.strategy} (${machine.id})`,
      columns: [{ header: 'check' }, { header: 'status' }, { header: 'figures' }],
      rows: cert.checks.map((c) => [c.id, STATUS_WORD[c.status], c.summary]),
    };
    const doc: Doc = {
      meta: {
        command: 'certify',
        machine: machine.id,
        seed,
        extra: [`strategy ${cert.strategy}`, `source ${cert.source}`],
      },
      json: { ...cert, only: only ?? null },
      tables: [table],
      text: (style) => certificateText(cert, only, style),
    };
    emit(io, flags, doc, exports);
  });
}

/** 1 when a check failed, or when a full run could not finish one; 0 otherwise (a passing --only subset too). */
export function certifyExitCode(cert: Certificate, only: readonly CheckId[] | undefined): number {
  if (cert.verdict === 'not certified') return EXIT_FINDINGS;
  return cert.verdict === 'partial' && only === undefined ? EXIT_FINDINGS : 0;
}

/** The last line of a certificate. */
export function verdictLine(cert: Certificate, only: readonly CheckId[] | undefined): string {
  const warned = cert.checks.filter((c) => c.status === 'warn').map((c) => c.id);
  const caveat = warned.length > 0 ? ` (with caveats: ${warned.join(', ')})` : '';
  if (cert.verdict === 'not certified') return `NOT CERTIFIED: ${cert.failed.join(', ')} failed`;
  if (cert.verdict === 'certified') return `CERTIFIED: all ${cert.checks.length} checks pass${caveat}`;
  const open = cert.checks.filter((c) => c.status === 'partial' || c.status === 'skipped').map((c) => c.id);
  if (open.length > 0) return `PARTIAL: ${open.join(', ')} could not finish; not a certificate`;
  return `PARTIAL: only ${(only ?? []).join(', ')} checked (${cert.checks.length} of ${CHECK_IDS.length}), all pass${caveat}; not a certificate`;
}

export function certificateText(
  cert: Certificate,
  only: readonly CheckId[] | undefined,
  style: Style,
): string {
  const lines = [
    style.bold(`Certificate of ${cert.strategy}`) +
      ` (${cert.source}${cert.broken ? ', registered as broken' : ''})`,
    `  ${cert.description}`,
    `  pinned memory: ${cert.pinnedFormula}`,
    `  stack: ${cert.stackFootprint}`,
    '',
  ];
  const paint = (c: CertCheck, word: string) =>
    c.status === 'fail' ? style.red(word) : c.status === 'pass' ? style.green(word) : style.yellow(word);
  for (const c of cert.checks) {
    lines.push(`${paint(c, STATUS_WORD[c.status].padEnd(7))} ${c.id.padEnd(11)} ${c.title}`);
    lines.push(`${' '.repeat(20)}${c.summary}`);
    for (const p of c.problems) lines.push(`${' '.repeat(20)}- ${p}`);
    if (c.moreProblems > 0) lines.push(`${' '.repeat(20)}- ... and ${c.moreProblems} more`);
    for (const r of c.replay) lines.push(`${' '.repeat(20)}${style.dim('replay:')} ${r}`);
  }
  lines.push('', verdictLine(cert, only));
  return lines.join('\n');
}

function replayCommand(ctx: Ctx, strategy: string, flags: CertifyFlags, replay: string): void {
  if (flags.only !== undefined && flags.only.trim() !== 'shared-fd') {
    throw new UsageError(
      '--replay replays a shared-fd schedule',
      'use it with --only shared-fd or without --only',
    );
  }
  let r: { plan: string; problems: string[] };
  try {
    r = replaySharedFd(() => createStrategy(strategy), replay);
  } catch (e) {
    if (e instanceof RangeError)
      throw new UsageError(e.message, 'copy the replay string printed with the finding');
    throw e;
  }
  if (r.problems.length > 0) ctx.exitCode = EXIT_FINDINGS;
  const machine = machineFrom(flags);
  const doc: Doc = {
    meta: {
      command: 'certify',
      machine: machine.id,
      seed: null,
      extra: [`strategy ${strategy}`, `replay ${replay}`],
    },
    json: { strategy, replay, plan: r.plan, problems: r.problems },
    tables: [],
    text: () =>
      [
        `shared-fd schedule ${replay} under ${strategy}: ${r.problems.length === 0 ? 'no problem' : `${r.problems.length} problem(s)`}`,
        ...r.problems.map((p) => `  - ${p}`),
      ].join('\n'),
  };
  emit(ctx.io, flags, doc);
}
