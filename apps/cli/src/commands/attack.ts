import { type AttackResult, NR_OPEN, runAttack } from '@pfmsim/lab';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { intOption, UsageError } from '../errors.js';
import { addExperimentOptions } from '../experiment-options.js';
import { bytes, renderTable, type Table } from '../format.js';
import { Progress } from '../io.js';
import { abiFrom, type MachineFlags, machineFrom, seedFrom, strategyFrom } from '../options.js';
import { type Doc, emit, type OutputFlags, prepareExports } from '../output.js';

interface AttackFlags extends MachineFlags, OutputFlags {
  abi?: string;
  seed?: string;
  strategy: string;
  contexts: string;
  samples: string;
  users: string;
  fdLimit?: string;
  nrOpen: string;
  userBudget?: string;
  globalBudget?: string;
}

/** The most contexts an attack may ask for: fs.nr_open each for 16 users. */
const MAX_CONTEXTS = 16 * NR_OPEN;
/** Strategies with argument-buffer budgets (their userBudget / globalBudget knobs). */
const BUDGETED = ['ctx-cache-bounded', 'hybrid'];

export function registerAttack(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('attack')
    .summary('the memory-pinning attack: kernel memory over time')
    .description(
      'the memory-pinning attack: users (one process and uid each) open N contexts between them, taking ' +
        'turns, and call pfm_write_pmds once on each with the largest vector allowed, then keep them open; ' +
        'shows the kernel memory over time, per user, the budgets and the slab caches filled',
    )
    .option('-s, --strategy <name>', 'argument-buffer strategy', 'ctx-cache')
    .option('-n, --contexts <n>', 'contexts the attackers open, all users together', '1024')
    .option('--users <n>', 'attackers, each with its own uid (1000, 1001, ...)', '1')
    .option('--fd-limit <n>', "each attacker's RLIMIT_NOFILE (default: its share of contexts + 16)")
    .option('--nr-open <n>', 'fs.nr_open: no RLIMIT_NOFILE may exceed it', String(NR_OPEN))
    .option('--user-budget <bytes>', 'per-user budget of cached buffers (ctx-cache-bounded, hybrid)')
    .option('--global-budget <bytes>', 'budget of cached buffers for all users (ctx-cache-bounded, hybrid)')
    .option('--samples <n>', 'points of the memory curve', '16');
  addExperimentOptions(cmd);
  cmd.action((flags: AttackFlags) => {
    const io = ctx.io;
    const strategy = strategyFrom(flags.strategy);
    const contexts = intOption('--contexts', flags.contexts, 1, MAX_CONTEXTS);
    const samples = intOption('--samples', flags.samples, 1, 1024);
    const users = intOption('--users', flags.users, 1, 4096);
    const nrOpen = intOption('--nr-open', flags.nrOpen, 1, NR_OPEN);
    const fdLimit =
      flags.fdLimit === undefined ? undefined : intOption('--fd-limit', flags.fdLimit, 1, NR_OPEN);
    const strategyOptions = budgetOptions(strategy, flags);
    const machine = machineFrom(flags);
    const abi = abiFrom(flags.abi);
    const seed = seedFrom(flags.seed);
    const exports = prepareExports(io, flags);
    // Stryker disable next-line StringLiteral: runAttack reports no progress, so the bar (and its label) is never drawn
    const progress = Progress.for(io, flags.quiet, 'attack');
    let r: AttackResult;
    try {
      r = runAttack({
        machine,
        strategy,
        abi,
        seed,
        contexts,
        samples,
        users,
        nrOpen,
        ...(fdLimit !== undefined ? { fdLimit } : {}),
        ...(strategyOptions ? { strategyOptions } : {}),
      });
    } finally {
      progress.finish();
    }
    const table: Table = {
      title: `Kernel memory over time (${r.strategy}, ${machine.id})`,
      columns: [
        { header: 'contexts', align: 'right' },
        { header: 'pinned_bytes', align: 'right' },
        { header: 'kernel_bytes', align: 'right' },
      ],
      rows: r.samples.map((s) => [s.contexts, s.pinnedBytes, s.kernelBytes]),
    };
    const doc: Doc = {
      meta: { command: 'attack', machine: machine.id, seed, extra: [`abi ${abi}`, `strategy ${r.strategy}`] },
      json: { abi, ...r },
      tables: [table, userTable(r), slabTable(r)],
      text: (style) => {
        const maxK = Math.max(...r.samples.map((s) => s.kernelBytes));
        const lines = [
          `${contexts} contexts${users > 1 ? ` by ${users} users (uid ${r.users[0]!.uid}-${r.users.at(-1)!.uid}, taking turns)` : ''}, one pfm_write_pmds each with a ${bytes(r.vectorBytes)} vector (the per-call limit)`,
          r.budget
            ? `budget of ${r.strategy}: ${bytes(r.budget.userBytes)} per user, ${bytes(r.budget.globalBytes)} for all users`
            : `budget of ${r.strategy}: none (nothing limits what a user pins)`,
          '',
          style.bold('Kernel memory over time'),
          renderTable(
            {
              // Stryker disable next-line StringLiteral: renderTable prints no title; this table is never exported
              title: 'memory',
              columns: [
                { header: 'contexts', align: 'right' },
                { header: 'pinned', align: 'right' },
                { header: 'kernel slab', align: 'right' },
                { header: `█ pinned ░ rest of kernel slab (full width ${bytes(maxK)})` },
              ],
              rows: r.samples.map((s) => [
                s.contexts,
                bytes(s.pinnedBytes),
                bytes(s.kernelBytes),
                twoBar(s.pinnedBytes, s.kernelBytes, maxK, 40, style.red, style.dim),
              ]),
            },
            style,
          ),
          '',
          style.bold('Per user'),
          renderTable(userTable(r), style),
          '',
          style.bold('Slab caches the attack filled (as /proc/slabinfo)'),
          renderTable(slabTable(r), style),
          '',
          `pinned after the attack: ${bytes(r.pinnedBytesAfter)} (${r.pinnedPagesAfter} pages); after closing every context: ${bytes(r.pinnedBytesAfterClose)}`,
        ];
        if (r.budget) {
          const over = r.users.filter((u) => u.pinnedBytesAfter > r.budget!.userBytes).length;
          lines.push(
            over === 0 && r.pinnedBytesAfter <= r.budget.globalBytes
              ? style.green(
                  `every user within ${bytes(r.budget.userBytes)}, all within ${bytes(r.budget.globalBytes)}`,
                )
              : style.red(
                  `over budget: ${over} users past ${bytes(r.budget.userBytes)}, ${bytes(r.pinnedBytesAfter)} in all`,
                ),
          );
        }
        if (r.pinnedBytesAfterClose > 0) lines.push(style.red('memory stays pinned after close: a leak'));
        for (const note of r.notes) lines.push(style.yellow(`note: ${note}`));
        if (r.errors.length > 0) lines.push(style.yellow(`errors: ${r.errors.join('; ')}`));
        if (r.kernelBugs > 0) lines.push(style.red(`kernel bugs: ${r.kernelBugs}`));
        return lines.join('\n');
      },
    };
    emit(io, flags, doc, exports);
  });
}

/** The per-user figures: what each user opened and pinned, and its peak with a call in flight. */
function userTable(r: AttackResult): Table {
  return {
    title: `Per user (${r.strategy})`,
    columns: [
      { header: 'uid', align: 'right' },
      { header: 'contexts', align: 'right' },
      { header: 'opened', align: 'right' },
      { header: 'RLIMIT_NOFILE', align: 'right' },
      { header: 'pinned', align: 'right' },
      { header: 'peak_in_flight', align: 'right' },
    ],
    rows: r.users.map((u) => [
      u.uid,
      u.contexts,
      u.opened,
      u.fdLimit,
      bytes(u.pinnedBytesAfter),
      bytes(u.peakBytes),
    ]),
  };
}

/** What the attack left in each slab cache, largest first. */
function slabTable(r: AttackResult): Table {
  return {
    title: `Slab caches the attack filled (${r.strategy})`,
    columns: [
      { header: 'cache' },
      { header: 'objsize', align: 'right' },
      { header: 'active_objs', align: 'right' },
      { header: 'added_objs', align: 'right' },
      { header: 'added', align: 'right' },
    ],
    rows: r.slabinfo.map((l) => [l.cache, l.objSize, l.activeObjs, l.addedObjs, bytes(l.addedBytes)]),
  };
}

/** The strategy options of --user-budget / --global-budget; a usage error for a strategy without budgets. */
function budgetOptions(
  strategy: string,
  flags: AttackFlags,
): { userBudget?: number; globalBudget?: number } | null {
  if (flags.userBudget === undefined && flags.globalBudget === undefined) return null;
  if (!BUDGETED.includes(strategy))
    throw new UsageError(
      `--user-budget and --global-budget set the budgets of ${BUDGETED.join(' and ')}; ${strategy} has none: drop them or pick one of those strategies`,
    );
  return {
    ...(flags.userBudget !== undefined
      ? { userBudget: intOption('--user-budget', flags.userBudget, 0, 2 ** 30) }
      : {}),
    ...(flags.globalBudget !== undefined
      ? { globalBudget: intOption('--global-budget', flags.globalBudget, 0, 2 ** 30) }
      : {}),
  };
}

/** `█` for the part of `whole` that is `part`, `░` for the rest, scaled to `max`. */
function twoBar(
  part: number,
  whole: number,
  max: number,
  width: number,
  a: (s: string) => string,
  b: (s: string) => string,
): string {
  // Stryker disable next-line StringLiteral: never returned: max is the largest kernel slab, never 0 (the context the attack starts with is allocated at every sample)
  if (!(max > 0)) return '';
  const p = Math.round((part / max) * width);
  const w = Math.max(p, Math.round((whole / max) * width));
  return a('█'.repeat(p)) + b('░'.repeat(w - p));
}
