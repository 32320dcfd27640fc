import { relative } from 'node:path';
import type { Command } from 'commander';
import resultsSchema from '../../schemas/sweep-results.schema.json' with { type: 'json' };
import type { Ctx } from '../cli.js';
import { UsageError } from '../errors.js';
import { checkReadable, checkWritable, writeFileAtomic } from '../files.js';
import type { Table } from '../format.js';
import { type Schema, validate } from '../json-schema.js';
import { addOutputOptions, type Doc, emit, note, type OutputFlags, prepareExports } from '../output.js';
import type { CellRecord } from '../sweep/cell.js';
import { type ResultsHeader, readResults } from '../sweep/results.js';

const cellSchema = resultsSchema.$defs.cell as Schema;

/** Every cell line must be one `sweep` writes (the results schema): a damaged value is named, not merged. */
function checkCells(name: string, records: readonly CellRecord[]): void {
  for (const [i, r] of records.entries()) {
    const errors = validate(cellSchema, r, resultsSchema as Schema);
    if (errors.length > 0) {
      throw new UsageError(
        `${name}:${i + 2}: not a valid sweep cell (${errors[0]!.replace(/^\$\.?/, '') || 'the line'})`,
        'the file is damaged: run that cell again (`pfmsim sweep` resumes) or fix the line',
      );
    }
  }
}

/** What may differ between two measurements of one cell: how long it took, which build ran it. */
const NOT_RESULTS = new Set(['hostMs', 'pfmsimVersion']);

/** Two files holding one cell with different results: neither can be chosen silently. */
function refuseConflict(a: CellRecord, aFrom: string, b: CellRecord, bFrom: string): void {
  const left = a as unknown as Record<string, unknown>;
  const right = b as unknown as Record<string, unknown>;
  const field = Object.keys({ ...left, ...right }).find(
    (k) => !NOT_RESULTS.has(k) && JSON.stringify(left[k]) !== JSON.stringify(right[k]),
  );
  if (field === undefined) return;
  throw new UsageError(
    `cell ${a.index} (${a.key}) differs: ${field} is ${JSON.stringify(left[field])} in ${aFrom} and ${JSON.stringify(right[field])} in ${bFrom}`,
    'the files come from different runs of the cell: keep one of them, or run the cell again',
  );
}

interface MergeFlags extends OutputFlags {
  output: string;
}

export function registerMerge(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('merge')
    .summary('join sweep results (shards, interrupted runs) into one file')
    .description('join sweep results (shards, or interrupted runs) into one results file')
    .argument('<files...>', 'results files written by `pfmsim sweep`')
    .requiredOption('-o, --output <file>', 'merged results file (JSON lines, written atomically)');
  addOutputOptions(cmd);
  cmd.action((files: string[], flags: MergeFlags) => {
    const io = ctx.io;
    const paths = files.map((f) => checkReadable('results file', f, io.cwd));
    const out = checkWritable('--output', flags.output, io.cwd);
    const exports = prepareExports(io, flags);
    const inputs = paths.map((p, i) => ({ name: files[i]!, file: readResults(p, files[i]!) }));
    const first = inputs[0]!;
    for (const x of inputs) {
      if (x.file.header.configHash !== first.file.header.configHash) {
        throw new UsageError(
          `${x.name} and ${first.name} come from different sweep configs (${x.file.header.configHash} vs ${first.file.header.configHash})`,
          'merge only the shards of one sweep',
        );
      }
      if (x.file.partialBytes > 0) note(io, flags, `${x.name}: ignored a partial last line`);
    }
    for (const x of inputs) checkCells(x.name, x.file.records);
    const byIndex = new Map<number, { record: CellRecord; from: string }>();
    let duplicates = 0;
    for (const x of inputs) {
      for (const r of x.file.records) {
        const seen = byIndex.get(r.index);
        if (!seen) byIndex.set(r.index, { record: r, from: x.name });
        else {
          refuseConflict(seen.record, seen.from, r, x.name);
          duplicates++;
        }
      }
    }
    const records = [...byIndex.values()].map((v) => v.record).sort((a, b) => a.index - b.index);
    const total = first.file.header.cells;
    const missing = total - records.length;
    const shardCounts = new Set(inputs.map((x) => x.file.header.shard?.count).filter((n) => n !== undefined));
    const missingShards: string[] = [];
    for (const n of shardCounts) {
      for (let i = 1; i <= n; i++) {
        const covered = inputs.some(
          (x) =>
            x.file.header.shard === null ||
            x.file.header.shard.count !== n ||
            x.file.header.shard.index === i,
        );
        if (!covered) missingShards.push(`${i}/${n}`);
      }
    }
    const header: ResultsHeader = {
      ...first.file.header,
      shard: null,
      mergedFrom: files,
    };
    writeFileAtomic(out, `${[header, ...records].map((v) => JSON.stringify(v)).join('\n')}\n`);
    const cfg = first.file.header.config;
    const table: Table = {
      title: `Merged results of ${cfg.name}`,
      columns: [
        { header: 'index', align: 'right' },
        { header: 'machine' },
        { header: 'abi' },
        { header: 'threads', align: 'right' },
        { header: 'seed', align: 'right' },
        { header: 'strategy' },
        { header: 'syscall' },
        { header: 'count', align: 'right' },
        { header: 'cycles_per_call', align: 'right' },
        { header: 'stack_bytes', align: 'right' },
        { header: 'error' },
        { header: 'kernel_bugs', align: 'right' },
      ],
      rows: records.map((r) => [
        r.index,
        r.machine,
        r.abi,
        r.threads,
        r.seed,
        r.strategy,
        r.syscall,
        r.count,
        r.cyclesPerCall,
        r.stackBytes,
        r.error,
        r.kernelBugs,
      ]),
    };
    const doc: Doc = {
      meta: {
        command: 'merge',
        machine: [...new Set(records.map((r) => r.machine))].join(',') || null,
        seed: cfg.seeds.length === 1 ? cfg.seeds[0]! : null,
        extra: [`config ${cfg.name} (${first.file.header.configHash})`],
      },
      json: {
        name: cfg.name,
        configHash: first.file.header.configHash,
        inputs: files,
        output: relative(io.cwd, out),
        cells: total,
        merged: records.length,
        duplicates,
        missing,
        missingShards,
        complete: missing === 0,
      },
      tables: [table],
      text: (style) =>
        [
          `${files.length} files -> ${relative(io.cwd, out)}: ${records.length} of ${total} cells${duplicates ? ` (${duplicates} duplicates dropped)` : ''}`,
          missing === 0
            ? style.green('complete: every cell of the sweep is there')
            : style.yellow(
                `incomplete: ${missing} cells missing${missingShards.length ? ` (shards ${missingShards.join(', ')} not given)` : ' (a shard did not finish: run it again, it resumes)'}`,
              ),
        ].join('\n'),
    };
    emit(io, flags, doc, exports);
  });
}
