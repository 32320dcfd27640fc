import { formatBug, MAX_RACE_THREADS, parseReplay } from '@pfmsim/kernel-sim';
import { buildRaceKernel, exploreRaces, type RaceOptions, type RaceResult, replayRace } from '@pfmsim/lab';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { EXIT_FINDINGS, intOption, oneOf } from '../errors.js';
import { addExperimentOptions } from '../experiment-options.js';
import type { Table } from '../format.js';
import { Progress, type Style } from '../io.js';
import { abiFrom, type MachineFlags, machineArgs, machineFrom, seedFrom, strategyFrom } from '../options.js';
import { type Doc, emit, type OutputFlags, prepareExports } from '../output.js';

interface RaceFlags extends MachineFlags, OutputFlags {
  abi?: string;
  seed?: string;
  strategy: string;
  threads: string;
  explore: string;
  schedules?: string;
  maxPreemptions: string;
  pctDepth: string;
  replay?: string;
  all?: boolean;
  failOnFindings?: boolean;
}

const MODES = ['exhaustive', 'random', 'pct'] as const;

export function registerRace(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('race')
    .summary('schedule exploration on one context fd, each finding with its replay command')
    .description(
      'schedule exploration: T threads call pfm_write_pmds once each on one context fd; every interleaving ' +
        'is checked for kernel bugs (races, sleeping under a lock...) and corrupted arguments',
    )
    .option('-s, --strategy <name>', 'argument-buffer strategy', 'ctx-cache')
    .option('-t, --threads <n>', 'threads sharing the context fd', '2')
    .option('--explore <mode>', 'exhaustive (bounded preemptions), random or pct', 'exhaustive')
    .option('--schedules <n>', 'random/pct: schedules to run; exhaustive: a cap (default 100000)')
    .option('--max-preemptions <n>', 'exhaustive: preemption bound', '3')
    .option('--pct-depth <n>', 'pct: bug depth', '2')
    .option('--replay <seed:decisions>', 'replay one schedule (as printed with each finding)')
    .option('--all', 'print every finding, not only the first of each kind')
    .option('--fail-on-findings', 'exit 1 when a finding is reported');
  addExperimentOptions(cmd);
  cmd.action((flags: RaceFlags) => raceAction(ctx, flags));
}

function raceAction(ctx: Ctx, flags: RaceFlags): void {
  const io = ctx.io;
  const strategy = strategyFrom(flags.strategy);
  const threads = intOption('--threads', flags.threads, 2, Math.min(8, MAX_RACE_THREADS));
  const mode = oneOf('--explore mode', flags.explore, MODES);
  const maxPreemptions = intOption('--max-preemptions', flags.maxPreemptions, 0, 10);
  const pctDepth = intOption('--pct-depth', flags.pctDepth, 1, 10);
  const schedules =
    flags.schedules !== undefined ? intOption('--schedules', flags.schedules, 1, 10_000_000) : undefined;
  const machine = machineFrom(flags);
  const abi = abiFrom(flags.abi);
  const seed = seedFrom(flags.seed);
  const replay = flags.replay !== undefined ? parseReplay(flags.replay) : undefined;
  const exports = prepareExports(io, flags);
  const opts: RaceOptions = { machine, strategy, abi, seed, threads };
  const base = `pfmsim race --strategy ${strategy} ${machineArgs(flags)} --threads ${threads} --abi ${abi}`;
  const labelCache = new Map<number, string[]>();
  const labels = (replaySeed: number) => {
    let l = labelCache.get(replaySeed);
    if (!l) {
      l = buildRaceKernel(opts, replaySeed).kernel.threads.map((t) => t.label);
      labelCache.set(replaySeed, l);
    }
    return l;
  };
  const interleaving = (text: string) => {
    const r = parseReplay(text);
    return runs(r.decisions.map((d) => labels(r.seed)[d] ?? `T${d}`));
  };

  if (replay !== undefined && flags.replay !== undefined) {
    const r = replayRace(opts, flags.replay);
    const json = {
      abi,
      strategy,
      threads,
      replay: flags.replay,
      interleaving: interleaving(flags.replay),
      traceHash: r.traceHash,
      bugs: r.bugs.map((b) => ({ ...b })),
      corrupted: r.corrupted,
      reproduced: r.bugs.length > 0 || r.corrupted.length > 0,
    };
    if (json.reproduced && flags.failOnFindings) ctx.exitCode = EXIT_FINDINGS;
    const doc: Doc = {
      meta: {
        command: 'race',
        machine: machine.id,
        seed,
        extra: [`abi ${abi}`, `strategy ${strategy}`, `replay ${flags.replay}`],
      },
      json,
      tables: [
        {
          title: 'Replayed bugs',
          columns: [{ header: 'kind' }, { header: 'thread' }, { header: 'syscall' }, { header: 'message' }],
          rows: r.bugs.map((b) => [b.kind, b.thread, b.syscall, b.message]),
        },
      ],
      text: (style) => {
        const lines = [
          `replay ${flags.replay} (${threads} threads): interleaving ${json.interleaving.join(' -> ') || '(no choice points)'}`,
        ];
        if (!json.reproduced)
          lines.push(style.green('no kernel bug and no corrupted argument in this schedule'));
        for (const b of r.bugs) lines.push(style.red(`  ${formatBug(b)}`), ...detailLines(b.detail));
        if (r.corrupted.length > 0) lines.push(style.red(`  corrupted arguments: ${r.corrupted.join(', ')}`));
        lines.push(`trace ${r.traceHash}`);
        return lines.join('\n');
      },
    };
    emit(io, flags, doc, exports);
    return;
  }

  const progress = Progress.for(io, flags.quiet, 'race');
  let result: RaceResult;
  try {
    result = exploreRaces({
      ...opts,
      mode,
      maxPreemptions,
      pctDepth,
      ...(schedules !== undefined ? { schedules } : {}),
    });
  } finally {
    progress.finish();
  }
  // One finding per distinct signature unless --all; each with its interleaving and replay command.
  const shown: { index: number; count: number }[] = [];
  const bySig = new Map<string, { index: number; count: number }>();
  result.findings.forEach((f, i) => {
    const sig = [...f.kinds].sort().join('+');
    const seen = bySig.get(sig);
    if (seen && !flags.all) seen.count++;
    else {
      const e = { index: i, count: 1 };
      bySig.set(sig, e);
      shown.push(e);
    }
  });
  const findings = result.findings.map((f) => ({
    ...f,
    command: `${base} --replay ${f.replay}`,
  }));
  const details = shown.map(({ index, count }) => {
    const f = findings[index]!;
    const again = replayRace(opts, f.replay);
    return { f, count, interleaving: interleaving(f.replay), bugs: again.bugs };
  });
  if (findings.length > 0 && flags.failOnFindings) ctx.exitCode = EXIT_FINDINGS;
  const table: Table = {
    title: `Race findings (${strategy}, ${mode})`,
    columns: [{ header: 'replay' }, { header: 'kinds' }, { header: 'corrupted' }, { header: 'command' }],
    rows: findings.map((f) => [f.replay, f.kinds.join(' '), f.corrupted.join(' '), f.command]),
  };
  const doc: Doc = {
    meta: {
      command: 'race',
      machine: machine.id,
      seed,
      extra: [`abi ${abi}`, `strategy ${strategy}`, `${mode}`],
    },
    json: {
      abi,
      strategy: result.strategy,
      mode: result.mode,
      threads: result.threads,
      maxPreemptions: mode === 'exhaustive' ? maxPreemptions : null,
      schedules: result.schedules,
      complete: result.complete,
      raceFree: result.raceFree,
      bugKinds: result.bugKinds,
      findings: findings.map((f, i) => ({
        ...f,
        interleaving: details.find((d) => d.f === findings[i])?.interleaving ?? interleaving(f.replay),
      })),
    },
    tables: [table],
    text: (style) => raceText(result, details, maxPreemptions, result.findings.length, style),
  };
  emit(io, flags, doc, exports);
}

function raceText(
  r: RaceResult,
  details: {
    f: {
      replay: string;
      kinds: readonly string[];
      messages: readonly string[];
      corrupted: readonly string[];
      command: string;
    };
    count: number;
    interleaving: string[];
    bugs: readonly import('@pfmsim/kernel-sim').KernelBug[];
  }[],
  maxPreemptions: number,
  total: number,
  style: Style,
): string {
  const how =
    r.mode === 'exhaustive'
      ? `every schedule with <= ${maxPreemptions} preemptions${r.complete ? '' : ' (cap reached: not complete)'}`
      : `${r.mode} schedules`;
  const lines = [
    `${r.threads} threads, one pfm_write_pmds each on one fd; explored ${r.schedules} schedules (${how})`,
  ];
  if (r.raceFree) {
    lines.push(style.green(`no kernel bug and no corrupted argument in ${r.schedules} schedules`));
    return lines.join('\n');
  }
  lines.push(style.red(`${total} schedules with findings: ${r.bugKinds.join(', ')}`));
  details.forEach((d, i) => {
    lines.push('');
    lines.push(
      style.bold(`finding ${i + 1}: ${d.f.kinds.join(', ')}`) +
        (d.count > 1 ? style.dim(` (and ${d.count - 1} more schedules like it)`) : ''),
    );
    lines.push(`  interleaving: ${d.interleaving.join(' -> ') || '(no choice points)'}`);
    for (const b of d.bugs) lines.push(`  ${style.red(formatBug(b))}`, ...detailLines(b.detail));
    for (const m of d.f.messages.filter((m) => !d.bugs.some((b) => m.startsWith(`${b.kind}: `))))
      lines.push(`  ${style.red(m)}`);
    lines.push(`  replay: ${d.f.command}`);
  });
  return lines.join('\n');
}

function detailLines(detail: Readonly<Record<string, string | number>>): string[] {
  const entries = Object.entries(detail);
  if (entries.length === 0) return [];
  return [`    ${entries.map(([k, v]) => `${k} ${String(v)}`).join('; ')}`];
}

/** ["T0 main","T0 main","T1 caller1"] -> ["T0 main x2", "T1 caller1"]. */
export function runs(seq: readonly string[]): string[] {
  const out: string[] = [];
  let prev: string | undefined;
  let n = 0;
  for (const s of [...seq, undefined]) {
    if (s === prev) {
      n++;
      continue;
    }
    if (prev !== undefined) out.push(n > 1 ? `${prev} x${n}` : prev);
    prev = s;
    n = 1;
  }
  return out;
}
