import { readFileSync } from 'node:fs';
import {
  ELEM_KINDS,
  type ElemKind,
  recommendThresholds,
  type SizeDistribution,
} from '@pfmsim/buffer-strategies';
import type { ArchId } from '@pfmsim/kernel-sim';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { intOption, oneOf, UsageError } from '../errors.js';
import { checkReadable } from '../files.js';
import { bytes, pct, renderTable, type Table } from '../format.js';
import { addMachineOptions, type MachineFlags, machineFrom } from '../options.js';
import { addOutputOptions, type Doc, emit, type OutputFlags, prepareExports } from '../output.js';

interface TuneFlags extends MachineFlags, OutputFlags {
  sizes?: string;
  stackBudget?: string;
  fallback: string;
}

/**
 * The distribution `tune` assumes without --sizes: a self-monitoring tool that mostly programs
 * a handful of counters (an assumption, not a measurement; give --sizes for your workload).
 */
export const DEFAULT_SIZES =
  'pmc:1=10,2=25,4=40,8=20,32=5;pmd:1=10,2=25,4=40,8=20,32=5;setdesc:1=90,4=10;setinfo:1=90,4=10';

const SIZES_HELP = 'e.g. "pmd:1=40,4=40,64=20;pmc:4=100" (count=weight per kind) or @file.json';

/** "pmd:1=40,4=40;pmc:4=100" or "@file.json" ({"pmd": {"1": 40}}) -> a SizeDistribution. */
export function parseSizes(text: string, cwd: string): SizeDistribution {
  if (text.startsWith('@')) {
    const abs = checkReadable('--sizes file', text.slice(1), cwd);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(abs, 'utf8'));
    } catch (e) {
      throw new UsageError(
        `--sizes file ${text.slice(1)} is not valid JSON (${(e as Error).message})`,
        SIZES_HELP,
      );
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new UsageError(
        `--sizes file ${text.slice(1)} must hold an object of kind -> {count: weight}`,
        SIZES_HELP,
      );
    }
    const out: Record<string, Record<number, number>> = {};
    for (const [kind, weights] of Object.entries(data)) {
      oneOf('element kind', kind, ELEM_KINDS);
      if (typeof weights !== 'object' || weights === null) {
        throw new UsageError(`--sizes file: ${kind} must be an object of count -> weight`, SIZES_HELP);
      }
      out[kind] = {};
      for (const [count, w] of Object.entries(weights)) {
        if (!/^\d+$/.test(count) || typeof w !== 'number' || !(w >= 0)) {
          throw new UsageError(
            `--sizes file: ${kind}.${count} must be a count with a weight >= 0`,
            SIZES_HELP,
          );
        }
        out[kind][Number(count)] = w;
      }
    }
    return out as SizeDistribution;
  }
  const out: Partial<Record<ElemKind, Record<number, number>>> = {};
  for (const part of text.split(';').filter((p) => p.trim() !== '')) {
    const m = /^\s*([a-z]+)\s*:\s*(.+)$/.exec(part);
    if (!m) throw new UsageError(`--sizes: cannot read "${part}"`, SIZES_HELP);
    const kind = oneOf('element kind', m[1]!, ELEM_KINDS);
    const weights: Record<number, number> = {};
    for (const pair of m[2]!.split(',')) {
      const pm = /^\s*(\d+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(pair);
      if (!pm) throw new UsageError(`--sizes: cannot read "${pair.trim()}" in ${kind}`, SIZES_HELP);
      weights[Number(pm[1])] = Number(pm[2]);
    }
    out[kind] = weights;
  }
  if (Object.keys(out).length === 0) throw new UsageError('--sizes is empty', SIZES_HELP);
  return out;
}

export function registerTune(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('tune')
    .summary('recommended on-stack thresholds per element kind')
    .description('recommended on-stack thresholds per element kind for a distribution of vector lengths')
    .option('--sizes <dist>', `vector lengths and their weights, ${SIZES_HELP}`)
    .option('--stack-budget <bytes>', 'bytes one call may put on the stack (default: the hybrid budget rule)')
    .option('--fallback <path>', 'what a vector above the threshold costs: kmalloc or ctx-cache', 'kmalloc');
  addMachineOptions(cmd);
  addOutputOptions(cmd);
  cmd.action((flags: TuneFlags) => {
    const io = ctx.io;
    const machine = machineFrom(flags);
    const sizesText = flags.sizes ?? DEFAULT_SIZES;
    const sizes = parseSizes(sizesText, io.cwd);
    const fallback = oneOf('--fallback', flags.fallback, ['kmalloc', 'ctx-cache'] as const);
    const exports = prepareExports(io, flags);
    const r = recommendThresholds({
      arch: machine.arch as ArchId,
      cost: machine.cost,
      sizeDistribution: sizes,
      fallback,
      ...(flags.stackBudget !== undefined
        ? { stackBudget: intOption('--stack-budget', flags.stackBudget, 0, 1 << 20) }
        : {}),
    });
    const table: Table = {
      title: `Stack thresholds (${machine.id}, ${r.arch})`,
      columns: [
        { header: 'kind' },
        { header: 'threshold', align: 'right' },
        { header: 'stack_bytes', align: 'right' },
        { header: 'max_elements', align: 'right' },
        { header: 'stack_share', align: 'right' },
        { header: 'cycles', align: 'right' },
        { header: 'cycles_without_stack', align: 'right' },
      ],
      rows: r.kinds.map((k) => [
        k.kind,
        k.elements,
        k.stackBytes,
        k.maxElements,
        Math.round(k.stackShare * 1000) / 1000,
        Math.round(k.expectedCycles * 10) / 10,
        Math.round(k.expectedCyclesWithoutStack * 10) / 10,
      ]),
    };
    const doc: Doc = {
      meta: {
        command: 'tune',
        machine: machine.id,
        seed: null,
        extra: [`arch ${r.arch}`, `cost ${machine.cost}`],
      },
      json: { cost: machine.cost, sizes: sizesText, defaultSizes: flags.sizes === undefined, fallback, ...r },
      tables: [table],
      text: (style) =>
        [
          `stack budget ${bytes(r.stackBudget)} per call${flags.stackBudget === undefined ? ' (hybrid budget rule)' : ''}; above the threshold: ${fallback} at ${r.fallbackCycles.toFixed(0)} cycles`,
          `sizes: ${sizesText}${flags.sizes === undefined ? style.dim(' (default, an assumption: give --sizes for your workload)') : ''}`,
          '',
          renderTable(
            {
              title: 'tune',
              columns: [
                { header: 'kind' },
                { header: 'threshold', align: 'right' },
                { header: 'stack', align: 'right' },
                { header: 'max fits', align: 'right' },
                { header: 'calls on stack', align: 'right' },
                { header: 'buffer cycles/call', align: 'right' },
                { header: 'without stack', align: 'right' },
              ],
              rows: r.kinds.map((k) => [
                k.kind,
                k.elements,
                bytes(k.stackBytes),
                k.maxElements,
                pct(k.stackShare, false),
                k.expectedCycles.toFixed(1),
                k.expectedCyclesWithoutStack.toFixed(1),
              ]),
            },
            style,
          ),
          '',
          `hybrid strategy options for this budget: { pmc: ${r.thresholds.pmc}, pmd: ${r.thresholds.pmd} } (the set kinds always take the cache path)`,
        ].join('\n'),
    };
    emit(io, flags, doc, exports);
  });
}
