import {
  type CompareResult,
  NR_OPEN,
  runCompare,
  type StrategySummary,
  VECTOR_SYSCALLS,
  type VectorSyscall,
} from '@pfmsim/lab';
import type { Command } from 'commander';
import { loadBaseline, saveBaseline } from '../baseline.js';
import type { Ctx } from '../cli.js';
import { intOption, oneOf, UsageError } from '../errors.js';
import { terminalWidth, wrapCommand, wrapText } from '../fit.js';
import { bytes, type Cell, cycles, pct, renderTable, type Table } from '../format.js';
import { Progress, type Style } from '../io.js';
import {
  abiFrom,
  addAbiOption,
  addMachineOptions,
  addSeedOption,
  type MachineFlags,
  machineArgs,
  machineFrom,
  seedFrom,
  strategiesFrom,
} from '../options.js';
import {
  addOutputOptions,
  type Doc,
  emit,
  envelope,
  note,
  type OutputFlags,
  prepareExports,
} from '../output.js';
import { stackThresholdNote } from './compare-notes.js';

interface CompareFlags extends MachineFlags, OutputFlags {
  abi?: string;
  seed?: string;
  threads?: string;
  strategies?: string;
  contexts?: string;
  attackContexts?: string;
  maxPreemptions?: string;
  saveBaseline?: string;
  baseline?: string;
  syscall?: string;
  wide?: boolean;
}

export function registerCompare(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('compare')
    .summary('the decision table: every strategy, cost at 1..64 registers, attack, races, stack')
    .description(
      'every strategy against pfm_read_pmds, pfm_write_pmds and pfm_write_pmcs at 1..64 registers, plus the ' +
        'memory-pinning attack, the two-thread race exploration and the stack check: one decision table',
    );
  addMachineOptions(cmd);
  addAbiOption(cmd);
  addSeedOption(cmd);
  cmd
    .option('--threads <n>', 'threads calling into one context fd during the cost measurement', '1')
    .option('--strategies <list>', 'comma-separated strategies, or "all" (kmalloc is always measured)', 'all')
    .option('--contexts <n>', 'contexts opened by the memory-pinning attack', '1024')
    .option(
      '--attack-contexts <n>',
      'also run the attack with N contexts: a "pinned @N" column beside the 1024-context one',
    )
    .option('--max-preemptions <n>', 'preemption bound of the exhaustive race exploration', '3')
    .option('--save-baseline <name>', 'keep this run in .pfmsim/baselines/NAME.json')
    .option('--baseline <name>', 'show the change against a saved baseline')
    .option(
      '--syscall <name>',
      'the call of the cycles-per-call table: pfm_read_pmds, pfm_write_pmds or pfm_write_pmcs',
      'pfm_read_pmds',
    )
    .option(
      '--wide',
      'full lines, whatever COLUMNS or the terminal width says (no wrapped or stacked columns)',
    );
  addOutputOptions(cmd);
  cmd.action((flags: CompareFlags) => compareAction(ctx, flags));
}

function compareAction(ctx: Ctx, flags: CompareFlags): void {
  const io = ctx.io;
  const machine = machineFrom(flags);
  const abi = abiFrom(flags.abi);
  const seed = seedFrom(flags.seed);
  const threads = intOption('--threads', flags.threads ?? '1', 1, 16);
  const contexts = intOption('--contexts', flags.contexts ?? '1024', 1, 65536);
  const scaled =
    flags.attackContexts === undefined
      ? undefined
      : intOption('--attack-contexts', flags.attackContexts, 1, 16 * NR_OPEN);
  const maxPreemptions = intOption('--max-preemptions', flags.maxPreemptions ?? '3', 0, 8);
  const syscall = oneOf('syscall', flags.syscall ?? 'pfm_read_pmds', VECTOR_SYSCALLS);
  let strategies = strategiesFrom(flags.strategies);
  if (!strategies.includes('kmalloc')) strategies = ['kmalloc', ...strategies];
  const exports = prepareExports(io, flags);
  const baseline = flags.baseline !== undefined ? loadBaseline(io, flags.baseline, 'compare') : undefined;
  if (flags.saveBaseline !== undefined && flags.saveBaseline === flags.baseline) {
    throw new UsageError('--save-baseline and --baseline name the same baseline', 'save under a new name');
  }

  const progress = Progress.for(io, flags.quiet, 'compare');
  let result: CompareResult;
  try {
    result = runCompare({
      machine,
      abi,
      seed,
      threads,
      strategies,
      attackContexts: contexts,
      ...(scaled !== undefined ? { scaledAttackContexts: scaled } : {}),
      maxPreemptions,
      onProgress: (done, total, what) => progress.update(done, total, what),
    });
  } finally {
    progress.finish();
  }

  const json: Record<string, unknown> = {
    ...result,
    machineDescription: machine.description,
    attackContexts: contexts,
    scaledAttackContexts: scaled ?? null,
    race: { threads: 2, mode: 'exhaustive', maxPreemptions },
  };
  const deltas = baseline ? baselineDeltas(baseline, result) : undefined;
  if (deltas && flags.baseline) json.baseline = { name: flags.baseline, ...deltas };
  const doc: Doc = {
    meta: {
      command: 'compare',
      machine: result.machine,
      seed,
      extra: [`abi ${abi}`, `threads ${threads}`],
    },
    json,
    tables: [decisionTable(result), measurementsTable(result)],
    text: (style) =>
      compareText(
        result,
        machine.description,
        machineArgs(flags),
        contexts,
        scaled,
        maxPreemptions,
        { style, width: terminalWidth(io, flags.wide), syscall },
        flags.baseline,
        deltas,
      ),
  };
  if (flags.saveBaseline !== undefined) {
    const path = saveBaseline(io, flags.saveBaseline, envelope(doc));
    note(io, flags, `saved baseline "${flags.saveBaseline}" to ${path}`);
  }
  emit(io, flags, doc, exports);
}

function raceCell(s: StrategySummary): string {
  return s.raceFree ? 'none' : s.kernelBugs.join(', ') || 'yes';
}

/** The decision table; the scaled attack's column only when compare ran one (--attack-contexts). */
export function decisionTable(r: CompareResult): Table {
  const scaled = r.strategies.some((s) => s.pinnedBytesAfterScaledAttack !== null);
  return {
    title: `Decision table (${r.machine}, abi ${r.abi}, seed ${r.seed})`,
    columns: [
      { header: 'strategy' },
      { header: 'cycles_at_4', align: 'right' },
      { header: 'saving_at_4_pct', align: 'right' },
      { header: 'cycles_at_64', align: 'right' },
      { header: 'saving_at_64_pct', align: 'right' },
      { header: 'stack_frame_bytes', align: 'right' },
      { header: 'stack_depth_bytes', align: 'right' },
      { header: 'pinned_bytes_after_attack', align: 'right' },
      ...(scaled ? [{ header: 'pinned_bytes_after_scaled_attack', align: 'right' as const }] : []),
      { header: 'race_free' },
      { header: 'kernel_bugs' },
      { header: 'verdict' },
    ],
    rows: r.strategies.map((s) => [
      s.name,
      s.cyclesAt4,
      round1(s.savingAt4 * 100),
      s.cyclesAt64,
      round1(s.savingAt64 * 100),
      s.stackFrameBytes,
      s.stackDepth,
      s.pinnedBytesAfterAttack,
      ...(scaled ? [s.pinnedBytesAfterScaledAttack] : []),
      s.raceFree,
      s.kernelBugs.join(' '),
      s.verdict,
    ]),
  };
}

const round1 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);

export function measurementsTable(r: CompareResult): Table {
  const cats = Object.keys(r.results[0]?.breakdown ?? {});
  return {
    title: 'Measurements (cycles per call)',
    columns: [
      { header: 'strategy' },
      { header: 'syscall' },
      { header: 'count', align: 'right' },
      { header: 'cycles_per_call', align: 'right' },
      { header: 'stack_bytes', align: 'right' },
      { header: 'error' },
      ...cats.map((c) => ({ header: c, align: 'right' as const })),
    ],
    rows: r.results.map(
      (m) =>
        [
          m.strategy,
          m.syscall,
          m.count,
          m.cyclesPerCall,
          m.stackBytes,
          m.error,
          ...cats.map((c) => (m.breakdown as Record<string, number>)[c] ?? 0),
        ] as Cell[],
    ),
  };
}

interface Delta {
  readonly before: number | null;
  readonly after: number;
  /** (after - before) / before; null when there is no before. */
  readonly change: number | null;
}

export interface BaselineDeltas {
  readonly pfmsimVersion: unknown;
  readonly machine: unknown;
  readonly seed: unknown;
  readonly abi: unknown;
  readonly threads: unknown;
  /** Same machine, abi and thread count: the numbers are comparable. */
  readonly comparable: boolean;
  readonly strategies: readonly {
    readonly name: string;
    readonly cyclesAt4: Delta;
    readonly cyclesAt64: Delta;
    readonly pinnedBytesAfterAttack: Delta;
    readonly raceFreeBefore: boolean | null;
    readonly raceFree: boolean;
    readonly verdictBefore: string | null;
    readonly verdict: string;
  }[];
}

function delta(before: unknown, after: number): Delta {
  const b = typeof before === 'number' && Number.isFinite(before) ? before : null;
  return {
    before: b,
    after,
    change: b === null ? null : b === 0 ? (after === 0 ? 0 : null) : (after - b) / b,
  };
}

export function baselineDeltas(base: Record<string, unknown>, r: CompareResult): BaselineDeltas {
  // Stryker disable next-line ArrayDeclaration: a strategy always has a name, so no element of any stand-in list matches one
  const old = Array.isArray(base.strategies) ? (base.strategies as Record<string, unknown>[]) : [];
  return {
    pfmsimVersion: base.pfmsimVersion ?? null,
    machine: base.machine ?? null,
    seed: base.seed ?? null,
    abi: base.abi ?? null,
    threads: base.threads ?? null,
    comparable: base.machine === r.machine && base.abi === r.abi && base.threads === r.threads,
    strategies: r.strategies.map((s) => {
      const o = old.find((x) => x.name === s.name) ?? {};
      return {
        name: s.name,
        cyclesAt4: delta(o.cyclesAt4, s.cyclesAt4),
        cyclesAt64: delta(o.cyclesAt64, s.cyclesAt64),
        pinnedBytesAfterAttack: delta(o.pinnedBytesAfterAttack, s.pinnedBytesAfterAttack),
        raceFreeBefore: typeof o.raceFree === 'boolean' ? o.raceFree : null,
        raceFree: s.raceFree,
        verdictBefore: typeof o.verdict === 'string' ? o.verdict : null,
        verdict: s.verdict,
      };
    }),
  };
}

/** How the text is printed: colours, the width to fit (undefined: none) and the call tabled. */
interface TextView {
  readonly style: Style;
  readonly width: number | undefined;
  readonly syscall: VectorSyscall;
}

function compareText(
  r: CompareResult,
  description: string,
  machineFlags: string,
  contexts: number,
  scaled: number | undefined,
  maxPreemptions: number,
  view: TextView,
  baselineName: string | undefined,
  deltas: BaselineDeltas | undefined,
): string {
  const { style, width, syscall } = view;
  const out: string[] = [];
  const prose = (text: string) => out.push(wrapText(text, width, '  '));
  prose(`${description}: arch ${r.arch}, cost ${r.cost}, pmu ${r.pmu}`);
  prose(
    `cost: ${r.threads === 1 ? 'one warm call' : `${r.threads} threads on one fd, mean per call`} · attack: ${contexts} contexts · race: 2 threads on one fd, exhaustive, <= ${maxPreemptions} preemptions`,
  );
  out.push('');
  out.push(style.bold(`Cycles per call, ${syscall} (n = registers)`));
  const names = r.strategies.map((s) => s.name);
  out.push(
    renderTable(
      {
        // Stryker disable next-line StringLiteral: renderTable prints no title; only exports do, and this table is not exported
        title: 'read',
        columns: [
          { header: 'strategy' },
          ...r.counts.map((n) => ({ header: `n=${n}`, align: 'right' as const })),
        ],
        rows: names.map((name) => [
          name,
          ...r.counts.map((n) => {
            const m = r.results.find((x) => x.strategy === name && x.syscall === syscall && x.count === n);
            return m ? (m.error ? m.error : cycles(m.cyclesPerCall)) : '-';
          }),
        ]),
      },
      style,
      undefined,
      width,
    ),
  );
  const others = VECTOR_SYSCALLS.filter((c) => c !== syscall).join(' and ');
  prose(style.dim(`${others}: --syscall NAME (all three: --json or --export-markdown)`));
  const threshold = stackThresholdNote(r, syscall);
  if (threshold !== null) prose(`${style.yellow('note:')} ${threshold}`);
  out.push('');
  out.push(style.bold('Decision table'));
  const rows = r.strategies.map((s) => [
    s.name,
    cycles(s.cyclesAt4),
    s.name === 'kmalloc' ? '-' : pct(-s.savingAt4),
    cycles(s.cyclesAt64),
    s.name === 'kmalloc' ? '-' : pct(-s.savingAt64),
    `${s.stackFrameBytes}/${s.stackDepth}`,
    bytes(s.pinnedBytesAfterAttack),
    ...(scaled === undefined ? [] : [bytes(s.pinnedBytesAfterScaledAttack ?? Number.NaN)]),
    bytes(s.pinnedBytesAfterThreadAttack),
    raceCell(s),
    s.verdict,
  ]);
  out.push(
    renderTable(
      {
        // Stryker disable next-line StringLiteral: renderTable prints no title; only exports do, and this table is not exported
        title: 'decision',
        columns: [
          { header: 'strategy' },
          { header: '@4', align: 'right' },
          { header: 'vs kmalloc', align: 'right', stackRank: 2 },
          { header: '@64', align: 'right' },
          { header: 'vs kmalloc', align: 'right', stackRank: 2 },
          { header: 'stack B', align: 'right', stackRank: 1 },
          { header: 'pinned', align: 'right', stackRank: 1 },
          ...(scaled === undefined
            ? []
            : [{ header: `pinned @${scaled}`, align: 'right' as const, stackRank: 1 }]),
          { header: 'by threads', align: 'right', stackRank: 1 },
          { header: 'races / bugs', wrap: true, stackRank: 1 },
          { header: 'verdict', wrap: true },
        ],
        rows,
      },
      style,
      (i, j, text) => {
        const s = r.strategies[i];
        if (!s) return text;
        // 8: races / bugs, 9: verdict (7 is the thread-flood column, a size), one more with the scaled attack
        const at = scaled === undefined ? 0 : 1;
        if (j === 8 + at && !s.raceFree) return style.red(text);
        if (j === 9 + at) {
          if (!s.raceFree) return style.red(text);
          if (s.name === r.best) return style.green(text);
          if (s.frameWarn || text.includes(' pins ')) return style.yellow(text);
        }
        return text;
      },
      width,
    ),
  );
  prose(
    style.dim(
      '@4/@64: cycles per pfm_read_pmds call at 4/64 registers; stack B: on-stack array / deepest stack use;\n' +
        `pinned: argument-buffer memory the attacker keeps after opening ${contexts} contexts` +
        (scaled === undefined ? '; ' : ` (pinned @${scaled}: after ${scaled}); `) +
        'by threads: the same after 256 threads each made one call',
    ),
  );
  out.push('');
  prose(
    `best: ${style.green(r.best)} (the cheapest strategy that is race-free, within CONFIG_FRAME_WARN and keeps pinned memory bounded)`,
  );
  for (const s of r.strategies) {
    if (s.raceReplay !== null) {
      out.push(
        wrapCommand(
          `${style.red('race')} ${s.name}: pfmsim race --strategy ${s.name} ${machineFlags} --abi ${r.abi} --replay ${s.raceReplay}`,
          width,
        ),
      );
    }
  }
  if (deltas && baselineName !== undefined) {
    out.push('');
    prose(
      style.bold(
        `Change against baseline "${baselineName}" (pfmsim ${String(deltas.pfmsimVersion)}, machine ${String(deltas.machine)}, seed ${String(deltas.seed)}, abi ${String(deltas.abi)})`,
      ),
    );
    if (!deltas.comparable) {
      prose(
        style.yellow(
          'note: the baseline ran on another machine, ABI or thread count; the changes mix setups',
        ),
      );
    }
    const chg = (d: Delta) => (d.change === null ? (d.before === null ? 'new' : '-') : pct(d.change));
    out.push(
      renderTable(
        {
          // Stryker disable next-line StringLiteral: renderTable prints no title; only exports do, and this table is not exported
          title: 'baseline',
          columns: [
            { header: 'strategy' },
            { header: '@4 before', align: 'right', stackRank: 2 },
            { header: '@4 now', align: 'right' },
            { header: 'change', align: 'right' },
            { header: '@64 before', align: 'right', stackRank: 2 },
            { header: '@64 now', align: 'right' },
            { header: 'change', align: 'right' },
            { header: 'pinned before', align: 'right', stackRank: 1 },
            { header: 'pinned now', align: 'right', stackRank: 1 },
            { header: 'verdict', wrap: true },
          ],
          rows: deltas.strategies.map((d) => [
            d.name,
            d.cyclesAt4.before === null ? '-' : cycles(d.cyclesAt4.before),
            cycles(d.cyclesAt4.after),
            chg(d.cyclesAt4),
            d.cyclesAt64.before === null ? '-' : cycles(d.cyclesAt64.before),
            cycles(d.cyclesAt64.after),
            chg(d.cyclesAt64),
            d.pinnedBytesAfterAttack.before === null ? '-' : bytes(d.pinnedBytesAfterAttack.before),
            bytes(d.pinnedBytesAfterAttack.after),
            d.verdictBefore === null
              ? 'new'
              : d.verdictBefore === d.verdict
                ? 'unchanged'
                : `was: ${d.verdictBefore}`,
          ]),
        },
        style,
        (i, j, text) => {
          const d = deltas.strategies[i];
          if (!d) return text;
          const c = j === 3 ? d.cyclesAt4.change : j === 6 ? d.cyclesAt64.change : null;
          if (c !== null && c > 0.005) return style.red(text);
          if (c !== null && c < -0.005) return style.green(text);
          return text;
        },
        width,
      ),
    );
  }
  return out.join('\n');
}
