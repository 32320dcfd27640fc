import { type AttackResult, runAttack } from '@pfmsim/lab';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { intOption } from '../errors.js';
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
}

export function registerAttack(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('attack')
    .summary('the memory-pinning attack: kernel memory over time')
    .description(
      'the memory-pinning attack: one user opens N contexts and calls pfm_write_pmds once on each with the ' +
        'largest vector allowed, then keeps them open; shows the kernel memory over time',
    )
    .option('-s, --strategy <name>', 'argument-buffer strategy', 'ctx-cache')
    .option('-n, --contexts <n>', 'contexts the attacker opens', '1024')
    .option('--samples <n>', 'points of the memory curve', '16');
  addExperimentOptions(cmd);
  cmd.action((flags: AttackFlags) => {
    const io = ctx.io;
    const strategy = strategyFrom(flags.strategy);
    const contexts = intOption('--contexts', flags.contexts, 1, 65536);
    const samples = intOption('--samples', flags.samples, 1, 1024);
    const machine = machineFrom(flags);
    const abi = abiFrom(flags.abi);
    const seed = seedFrom(flags.seed);
    const exports = prepareExports(io, flags);
    // Stryker disable next-line StringLiteral: runAttack reports no progress, so the bar (and its label) is never drawn
    const progress = Progress.for(io, flags.quiet, 'attack');
    let r: AttackResult;
    try {
      r = runAttack({ machine, strategy, abi, seed, contexts, samples });
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
      tables: [table],
      text: (style) => {
        const maxK = Math.max(...r.samples.map((s) => s.kernelBytes));
        const lines = [
          `${contexts} contexts, one pfm_write_pmds each with a ${bytes(r.vectorBytes)} vector (the per-call limit)`,
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
          `pinned after the attack: ${bytes(r.pinnedBytesAfter)} (${r.pinnedPagesAfter} pages); after closing every context: ${bytes(r.pinnedBytesAfterClose)}`,
        ];
        if (r.pinnedBytesAfterClose > 0) lines.push(style.red('memory stays pinned after close: a leak'));
        if (r.errors.length > 0) lines.push(style.yellow(`errors: ${r.errors.join('; ')}`));
        if (r.kernelBugs > 0) lines.push(style.red(`kernel bugs: ${r.kernelBugs}`));
        return lines.join('\n');
      },
    };
    emit(io, flags, doc, exports);
  });
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
