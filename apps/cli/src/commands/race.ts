import { formatBug, MAX_RACE_THREADS, parseReplay } from '@pfmsim/kernel-sim';
import {
  buildRaceKernel,
  DEFAULT_MIX,
  formatMix,
  parseMix,
  RACE_CALLS,
  type RaceCall,
  type RaceOptions,
  type RaceResult,
  RaceSearch,
  replayRace,
  traceRace,
} from '@pfmsim/lab';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { EXIT_FINDINGS, intOption, oneOf, UsageError } from '../errors.js';
import { addExperimentOptions } from '../experiment-options.js';
import { checkWritable, writeFileAtomic } from '../files.js';
import type { Table } from '../format.js';
import { createStyle, Progress, type Style } from '../io.js';
import { abiFrom, type MachineFlags, machineArgs, machineFrom, seedFrom, strategyFrom } from '../options.js';
import { type Doc, emit, headerLine, type OutputFlags, prepareExports } from '../output.js';
import { type RacePageFinding, renderRacePage } from '../report/race-page.js';

interface RaceFlags extends MachineFlags, OutputFlags {
  abi?: string;
  seed?: string;
  strategy: string;
  threads: string;
  calls: string;
  mix?: string;
  explore: string;
  schedules?: string;
  maxPreemptions?: string;
  pctDepth: string;
  replay?: string;
  all?: boolean;
  failOnFindings?: boolean;
  failOnIncomplete?: boolean;
  html?: string;
}

const MODES = ['exhaustive', 'dpor', 'random', 'pct'] as const;
/** Searches with an end: they can be complete, or not. */
const ENDED_MODES: readonly string[] = ['exhaustive', 'dpor'];

export function registerRace(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('race')
    .summary('schedule exploration on one context fd, each finding with its replay command')
    .description(
      'schedule exploration: T threads make their calls (pfm_write_pmds by default) on one context fd; every ' +
        'interleaving is checked for kernel bugs (races, sleeping under a lock...), corrupted arguments and leaks',
    )
    .option('-s, --strategy <name>', 'argument-buffer strategy', 'ctx-cache')
    .option('-t, --threads <n>', 'threads sharing the context fd', '2')
    .option('--calls <n>', 'calls per thread', '1')
    .option(
      '--mix <calls>',
      `the calls, dealt round robin to threads (T0's first, T0's second...): ${RACE_CALLS.join(', ')}; NAME*N repeats (default: write_pmds)`,
    )
    .option(
      '--explore <mode>',
      'exhaustive (bounded preemptions), dpor (partial-order reduction), random or pct',
      'exhaustive',
    )
    .option('--schedules <n>', 'random/pct: schedules to run; exhaustive/dpor: a cap (default 100000)')
    .option('--max-preemptions <n>', 'preemption bound: exhaustive (default 3), dpor (default none)')
    .option('--pct-depth <n>', 'pct: bug depth', '2')
    .option('--replay <seed:decisions>', 'replay one schedule (as printed with each finding)')
    .option(
      '--all',
      'print every finding kept (the first 100, then one per kind), not only the first of each kind',
    )
    .option('--fail-on-findings', 'exit 1 when a finding is reported')
    .option('--fail-on-incomplete', 'exit 1 when an exhaustive or dpor search did not run every schedule')
    .option(
      '--html <file>',
      "also write an HTML page with each finding's schedule as a swimlane picture: the threads' steps, calls, locks, copies and racing accesses",
    );
  addExperimentOptions(cmd);
  cmd.action((flags: RaceFlags) => raceAction(ctx, flags));
}

function mixFrom(text: string | undefined): RaceCall[] {
  if (text === undefined) return [...DEFAULT_MIX];
  try {
    return parseMix(text);
  } catch (e) {
    throw new UsageError(`--mix: ${(e as Error).message}`);
  }
}

async function raceAction(ctx: Ctx, flags: RaceFlags): Promise<void> {
  const io = ctx.io;
  const strategy = strategyFrom(flags.strategy);
  const threads = intOption('--threads', flags.threads, 2, Math.min(8, MAX_RACE_THREADS));
  const calls = intOption('--calls', flags.calls, 1, 8);
  const mix = mixFrom(flags.mix);
  const mode = oneOf('--explore mode', flags.explore, MODES);
  const bound =
    flags.maxPreemptions !== undefined
      ? intOption('--max-preemptions', flags.maxPreemptions, 0, 10)
      : undefined;
  // exhaustive: 3 unless given; dpor: none unless given (then it may cut, and says so)
  const maxPreemptions = mode === 'exhaustive' ? (bound ?? 3) : bound;
  const pctDepth = intOption('--pct-depth', flags.pctDepth, 1, 10);
  const schedules =
    flags.schedules !== undefined ? intOption('--schedules', flags.schedules, 1, 10_000_000) : undefined;
  const machine = machineFrom(flags);
  const abi = abiFrom(flags.abi);
  const seed = seedFrom(flags.seed);
  const replay = flags.replay !== undefined ? parseReplay(flags.replay) : undefined;
  const exports = prepareExports(io, flags);
  const htmlOut = flags.html !== undefined ? checkWritable('--html', flags.html, io.cwd) : undefined;
  /** Writes the --html page, when asked, after the run and before its text. */
  const writePage = (doc: Doc, summary: string, found: readonly RacePageFinding[]) => {
    if (htmlOut !== undefined)
      writeFileAtomic(htmlOut, renderRacePage({ meta: headerLine(doc.meta), summary, findings: found }));
  };
  const opts: RaceOptions = { machine, strategy, abi, seed, threads, calls, mix };
  const mixArg = flags.mix === undefined ? '' : ` --calls ${calls} --mix ${formatMix(mix)}`;
  const callsArg = flags.mix === undefined && calls !== 1 ? ` --calls ${calls}` : '';
  const seedArg = seed !== 1 ? ` --seed ${seed}` : '';
  const base = `pfmsim race --strategy ${strategy} ${machineArgs(flags)} --threads ${threads}${callsArg}${mixArg} --abi ${abi}${seedArg}`;
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
      failures: r.failures,
      reproduced: r.bugs.length > 0 || r.failures.length > 0,
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
          lines.push(style.green('no kernel bug, no corrupted argument and no leak in this schedule'));
        for (const b of r.bugs) lines.push(style.red(`  ${formatBug(b)}`), ...detailLines(b.detail));
        if (r.corrupted.length > 0) lines.push(style.red(`  corrupted arguments: ${r.corrupted.join(', ')}`));
        for (const f of r.failures.filter((x) => x.startsWith('leak:'))) lines.push(style.red(`  ${f}`));
        lines.push(`trace ${r.traceHash}`);
        return lines.join('\n');
      },
    };
    writePage(
      doc,
      `replay ${flags.replay} (${threads} threads): ${json.reproduced ? 'reproduced' : 'no kernel bug, no corrupted argument and no leak'}`,
      json.reproduced
        ? [
            {
              title: `Replay ${flags.replay}`,
              trace: traceRace(opts, flags.replay),
              command: `${base} --replay ${flags.replay}`,
            },
          ]
        : [],
    );
    emit(io, flags, doc, exports);
    return;
  }

  const { result, interrupted } = await search(
    io,
    flags.quiet,
    {
      ...opts,
      mode,
      ...(maxPreemptions !== undefined ? { maxPreemptions } : {}),
      pctDepth,
      ...(schedules !== undefined ? { schedules } : {}),
    },
    schedules ?? (ENDED_MODES.includes(mode) ? 100_000 : 1000),
  );
  const incomplete = ENDED_MODES.includes(mode) && !result.complete;
  // One finding per class of findings (its kinds) unless --all; each with its interleaving and
  // replay command, and how many schedules of the whole search showed its class.
  const schedulesOf = new Map(result.findingClasses.map((c) => [c.kinds.join('+'), c.schedules]));
  const shown: { index: number; count: number }[] = [];
  const bySig = new Set<string>();
  result.findings.forEach((f, i) => {
    const sig = [...f.kinds].sort().join('+');
    if (flags.all) shown.push({ index: i, count: 1 });
    else if (!bySig.has(sig)) {
      bySig.add(sig);
      shown.push({ index: i, count: schedulesOf.get(sig) ?? 1 });
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
  if (incomplete && flags.failOnIncomplete) ctx.exitCode = EXIT_FINDINGS;
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
      calls: result.calls,
      mix: result.mix,
      maxPreemptions: maxPreemptions ?? null,
      schedules: result.schedules,
      complete: result.complete,
      interrupted,
      distinctTraces: result.distinctTraces,
      schedulesWithFindings: result.schedulesWithFindings,
      findingClasses: result.findingClasses,
      raceFree: result.raceFree,
      bugKinds: result.bugKinds,
      findings: findings.map((f, i) => ({
        ...f,
        interleaving: details.find((d) => d.f === findings[i])?.interleaving ?? interleaving(f.replay),
      })),
    },
    tables: [table],
    text: (style) =>
      raceText(result, details, maxPreemptions, interrupted, result.schedulesWithFindings, style),
  };
  writePage(
    doc,
    raceText(result, [], maxPreemptions, interrupted, result.schedulesWithFindings, createStyle(io, false))
      .split('\n')
      .join(' '),
    details.map((d, i) => ({
      title: `Finding ${i + 1}: ${d.f.kinds.join(', ')}${d.count > 1 ? ` (and ${d.count - 1} more schedules like it)` : ''}`,
      trace: traceRace(opts, d.f.replay),
      command: d.f.command,
    })),
  );
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
  maxPreemptions: number | undefined,
  interrupted: boolean,
  total: number,
  style: Style,
): string {
  const bound = maxPreemptions === undefined ? '' : ` with <= ${maxPreemptions} preemptions`;
  const how =
    r.mode === 'exhaustive'
      ? `every schedule${bound}`
      : r.mode === 'dpor'
        ? `one schedule per class of equivalent ones (DPOR)${bound}`
        : `${r.mode} schedules`;
  const calls =
    r.calls === 1 && r.mix.length === 1 && r.mix[0] === 'write_pmds'
      ? 'one pfm_write_pmds each'
      : `${r.calls} call${r.calls === 1 ? '' : 's'} each from ${formatMix(r.mix)}`;
  const lines = [
    `${r.threads} threads, ${calls} on one fd; explored ${r.schedules} schedules (${how}), ${r.distinctTraces} distinct traces`,
  ];
  const ended = ENDED_MODES.includes(r.mode);
  if (ended && !r.complete) {
    const why = interrupted ? 'interrupted' : 'the cap was reached';
    lines.push(style.yellow(`INCOMPLETE: ${why}; not every schedule was run`));
  }
  if (r.raceFree) {
    const text = `no kernel bug, no corrupted argument and no leak in ${r.schedules} schedules`;
    lines.push(ended && !r.complete ? text : style.green(text));
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

/**
 * Runs the search in slices of about 50 ms, so that progress is drawn (stderr, TTY rules as
 * elsewhere) and Ctrl-C is heard: it ends the search and the partial result is printed.
 */
async function search(
  io: Ctx['io'],
  quiet: boolean | undefined,
  opts: RaceOptions,
  cap: number,
): Promise<{ result: RaceResult; interrupted: boolean }> {
  const progress = Progress.for(io, quiet, 'race');
  const s = new RaceSearch(opts);
  let interrupted = false;
  const off = io.onInterrupt?.(() => {
    interrupted = true;
  });
  const t0 = io.now();
  try {
    // Stryker disable next-line NumericLiteral: the first slice's size only sets how soon the first update comes
    let slice = 16;
    for (;;) {
      const start = io.now();
      if (s.run(slice) || interrupted) break;
      const ms = io.now() - start;
      // Stryker disable next-line ArithmeticOperator,MethodExpression,ConditionalExpression,EqualityOperator,NumericLiteral: slices of about 50 ms: their size changes how often progress is drawn, not what is run
      slice = Math.max(1, Math.min(100_000, Math.round(ms > 0 ? (slice * 50) / ms : slice * 2)));
      const secs = (io.now() - t0) / 1000;
      const rate = secs > 0 ? Math.round(s.schedules / secs) : 0;
      const bound = opts.maxPreemptions === undefined ? 'no bound' : `<= ${opts.maxPreemptions} preemptions`;
      progress.update(s.schedules, cap, `${rate}/s ${s.distinctTraces} traces ${bound}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Stryker disable next-line ConditionalExpression: the next turn's check ends it too (one slice later)
      if (interrupted) break;
    }
    return { result: s.result(), interrupted };
  } finally {
    off?.();
    progress.finish();
    s.close();
  }
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
