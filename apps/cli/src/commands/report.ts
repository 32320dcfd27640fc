import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { createStrategy, isKnownStrategy, type StackReport, stackReport } from '@pfmsim/buffer-strategies';
import { ARCH_IDS, type ArchId } from '@pfmsim/kernel-sim';
import { type Machine, resolveMachine, runAttack, traceRace } from '@pfmsim/lab';
import { ABI_PROFILE_IDS, type AbiProfileId } from '@pfmsim/perfmon-core';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { listOf, UsageError } from '../errors.js';
import { checkReadable, checkWritable, writeFileAtomic } from '../files.js';
import { Progress } from '../io.js';
import { addOutputOptions, type Doc, emit, type OutputFlags } from '../output.js';
import {
  type AttackCurve,
  type CompareDoc,
  type RacePicture,
  type RecordProfile,
  type ReportSection,
  renderReport,
} from '../report/html.js';

interface ReportFlags extends OutputFlags {
  output: string;
  archs: string;
}

/** The archs whose stack budget the report draws by default: the 2006 ones and the modern one. */
const DEFAULT_ARCHS: readonly ArchId[] = ['i386', 'i386-4k', 'x86_64', 'x86_64-16k', 'ia64', 'ppc64'];

/** What the report reads from each document, by JSON type ("?": may be left out). */
const COMPARE_FIELDS = {
  machine: 'string',
  arch: 'string',
  cost: 'string',
  pmu: 'string',
  abi: 'string',
  best: 'string',
  seed: 'number',
  machineDescription: 'string?',
  pfmsimVersion: 'string?',
  attackContexts: 'number?',
};
const STRATEGY_FIELDS = { name: 'string', raceFree: 'boolean', kernelBugs: 'array', verdict: 'string' };
const RESULT_FIELDS = { syscall: 'string', strategy: 'string', breakdown: 'object' };
const SAMPLE_FIELDS = { contexts: 'number', pinnedBytes: 'number' };
const PROFILE_FIELDS = { name: 'string', samples: 'number', share: 'number' };

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** The first field of `value` (at JSON path `at`) the report cannot read: "path: expected T, got U". */
function badField(value: unknown, fields: Record<string, string>, at: string): string | undefined {
  if (typeOf(value) !== 'object') return `${at}: expected object, got ${typeOf(value)}`;
  for (const [key, want] of Object.entries(fields)) {
    const v = (value as Record<string, unknown>)[key];
    if (typeOf(v) === want.replace('?', '') || (v === undefined && want.endsWith('?'))) continue;
    return `${at ? `${at}.` : ''}${key}: expected ${want.replace('?', '')}, got ${typeOf(v)}`;
  }
  return undefined;
}

/** The first bad element of a list of objects, named `list[i]`. */
const badItem = (items: unknown[], fields: Record<string, string>, list: string): string | undefined =>
  items.map((item, i) => badField(item, fields, `${list}[${i}]`)).find((p) => p !== undefined);

/**
 * Each strategy's race finding (its `raceReplay`) replayed step by step, as compare found it:
 * two threads (or the document's race.threads), one pfm_write_pmds each.
 */
function racePictures(doc: CompareDoc, source: string, machine: Machine): RacePicture[] {
  const flags = doc.machine.includes('/')
    ? `--machine p4-2006 --arch ${doc.arch} --cpu ${doc.cost} --pmu ${doc.pmu}`
    : `--machine ${doc.machine}`;
  return doc.strategies.flatMap((s, i) => {
    if (typeof s.raceReplay !== 'string') return [];
    const opts = {
      machine,
      strategy: s.name,
      abi: doc.abi as AbiProfileId,
      seed: doc.seed,
      threads: doc.race?.threads ?? 2,
    };
    let trace: RacePicture['trace'];
    try {
      trace = traceRace(opts, s.raceReplay);
    } catch (e) {
      throw new UsageError(
        `${source}: strategies[${i}].raceReplay "${s.raceReplay}" does not replay (${(e as Error).message})`,
        'pass the output of `pfmsim compare --json` as it was written',
      );
    }
    const command = `pfmsim race --strategy ${s.name} ${flags} --abi ${doc.abi} --replay ${s.raceReplay}`;
    return [{ strategy: s.name, trace, command }];
  });
}

export function registerReport(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('report')
    .summary('a self-contained HTML report with charts')
    .description(
      'a self-contained HTML report (inline SVG, no network) from `compare --json` results, and optionally ' +
        '`attack --json` and `record --json` results: decision table, cycles against kmalloc and per call, cycle breakdown, pinned memory vs contexts, race findings as swimlanes, stack budgets, sampling profiles; light and dark schemes',
    )
    .argument(
      '<results...>',
      'JSON documents written by `pfmsim compare --json` (or --export-json), `pfmsim attack --json` and `pfmsim record --json`',
    )
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .option('--archs <list>', 'archs of the stack-budget chart, or "all"', DEFAULT_ARCHS.join(','));
  addOutputOptions(cmd, false);
  cmd.action((files: string[], flags: ReportFlags) => {
    const io = ctx.io;
    const paths = files.map((f) => checkReadable('results file', f, io.cwd));
    const out = checkWritable('--output', flags.output, io.cwd);
    const archs = listOf('arch', flags.archs, ARCH_IDS);
    const compares: { doc: CompareDoc; source: string }[] = [];
    const attacks: { doc: Record<string, unknown>; source: string }[] = [];
    const profiles: RecordProfile[] = [];
    paths.forEach((p, i) => {
      const name = files[i]!;
      let data: unknown;
      try {
        // Stryker disable next-line StringLiteral: without an encoding JSON.parse reads the Buffer as UTF-8 all the same
        data = JSON.parse(readFileSync(p, 'utf8'));
      } catch (e) {
        throw new UsageError(
          `${name} is not valid JSON (${(e as Error).message})`,
          'pass the output of `pfmsim compare --json`',
        );
      }
      const d = data as Record<string, unknown>;
      if (d && d.command === 'compare' && Array.isArray(d.results) && Array.isArray(d.strategies)) {
        const problem =
          badField(d, COMPARE_FIELDS, '') ??
          badItem(d.strategies, STRATEGY_FIELDS, 'strategies') ??
          badItem(d.results, RESULT_FIELDS, 'results') ??
          ((ABI_PROFILE_IDS as readonly unknown[]).includes(d.abi)
            ? undefined
            : `abi: unknown ABI profile "${d.abi}" (valid: ${ABI_PROFILE_IDS.join(', ')})`);
        if (problem)
          throw new UsageError(`${name}: ${problem}`, 'pass the output of `pfmsim compare --json`');
        // the report reruns each strategy (attack curves, stack panels): a plugin's must be loaded
        const unknown = (d.strategies as { name: string }[]).find((s) => !isKnownStrategy(s.name));
        if (unknown) {
          throw new UsageError(
            `${name}: strategy "${unknown.name}" is not known here`,
            'it comes from a plugin: add the --plugin PATH|PACKAGE the results were made with',
          );
        }
        compares.push({ doc: d as unknown as CompareDoc, source: name });
      } else if (d && d.command === 'record' && Array.isArray(d.functions)) {
        const problem = badItem(d.functions, PROFILE_FIELDS, 'functions');
        if (problem) throw new UsageError(`${name}: ${problem}`, 'pass the output of `pfmsim record --json`');
        profiles.push({ ...(d as unknown as Omit<RecordProfile, 'source'>), source: name });
      } else if (d && d.command === 'attack' && Array.isArray(d.samples)) {
        const problem = badItem(d.samples, SAMPLE_FIELDS, 'samples');
        if (problem) throw new UsageError(`${name}: ${problem}`, 'pass the output of `pfmsim attack --json`');
        attacks.push({ doc: d, source: name });
      } else {
        throw new UsageError(
          `${name} is not a pfmsim compare, attack or record JSON document`,
          'make one with `pfmsim compare --json > compare.json`',
        );
      }
    });
    if (compares.length === 0) {
      throw new UsageError(
        'the report needs at least one `pfmsim compare --json` result',
        'run `pfmsim compare --json > compare.json` first',
      );
    }
    // Stryker disable next-line StringLiteral: the report never draws progress (no update()), so the label is never shown
    const progress = Progress.for(io, flags.quiet, 'report');
    const notes: string[] = [];
    let sections: ReportSection[];
    let stacks: StackReport[];
    try {
      sections = compares.map(({ doc, source }) => {
        const machine = resolveMachine({
          machine: doc.machine.includes('/') ? 'p4-2006' : doc.machine,
          arch: doc.arch,
          cpu: doc.cost,
          pmu: doc.pmu,
        });
        const curves: AttackCurve[] = doc.strategies.map((s) => {
          const given = attacks.find((a) => a.doc.strategy === s.name && a.doc.machine === doc.machine);
          if (given)
            return { strategy: s.name, samples: given.doc.samples as AttackCurve['samples'], from: 'file' };
          const r = runAttack({
            machine,
            strategy: s.name,
            abi: doc.abi as AbiProfileId,
            seed: doc.seed,
            contexts: doc.attackContexts ?? 1024,
            samples: 16,
          });
          return { strategy: s.name, samples: r.samples, from: 'computed' };
        });
        return { doc, source, attacks: curves, races: racePictures(doc, source, machine) };
      });
      const strategies = [...new Set(compares.flatMap((c) => c.doc.strategies.map((s) => s.name)))];
      stacks = archs.flatMap((a) => strategies.map((s) => stackReport(createStrategy(s), a)));
    } finally {
      progress.finish();
    }
    const html = renderReport({ sections, stacks, notes, profiles });
    writeFileAtomic(out, html);
    const charts = (html.match(/<figure class="chart[" ]/g) ?? []).length;
    const doc: Doc = {
      meta: {
        command: 'report',
        machine: compares.map((c) => c.doc.machine).join(','),
        seed: compares[0]!.doc.seed,
      },
      json: {
        output: relative(io.cwd, out),
        inputs: files,
        sections: sections.length,
        charts,
        bytes: Buffer.byteLength(html),
      },
      // Stryker disable next-line ArrayDeclaration: report has no --export-* flags, the only readers of tables
      tables: [],
      text: () =>
        `wrote ${relative(io.cwd, out)}: ${sections.length} compare result${sections.length > 1 ? 's' : ''}, ${charts} charts, ${Buffer.byteLength(html)} bytes, self-contained (no network)`,
    };
    emit(io, flags, doc, {});
  });
}
