import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  formatHex,
  formatValidationError,
  getModel,
  invalidModelFiles,
  listModelIds,
  listModels,
  modelFile,
  toModelFile,
  type ValidationError,
  validateModel,
} from '@pfmsim/pmu-models';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { EXIT_USAGE, oneOf } from '../errors.js';
import { checkReadable } from '../files.js';
import { renderTable, type Table } from '../format.js';
import { addOutputOptions, type Doc, emit, type OutputFlags, prepareExports } from '../output.js';

export function registerPmu(program: Command, ctx: Ctx): void {
  const pmu = program.command('pmu').description('PMU models: list, show one, validate a model file');

  const list = pmu
    .command('list')
    .description('every PMU model (the package models and PFMSIM_EXTRA_MODELS)');
  addOutputOptions(list);
  list.action((flags: OutputFlags) => {
    const models = listModels();
    const table: Table = {
      title: 'PMU models',
      columns: [
        { header: 'id' },
        { header: 'name' },
        { header: 'vendor' },
        { header: 'archs' },
        { header: 'pmcs', align: 'right' },
        { header: 'pmds', align: 'right' },
        { header: 'counters', align: 'right' },
        { header: 'width', align: 'right' },
        { header: 'events', align: 'right' },
      ],
      rows: models.map((m) => [
        m.id,
        m.name,
        m.vendor,
        m.archs.join(' '),
        m.pmcCount,
        m.pmdCount,
        m.counterCount,
        m.counterWidth,
        m.eventCount,
      ]),
    };
    const doc: Doc = {
      meta: { command: 'pmu list', machine: null, seed: null },
      json: { models: models.map(({ file: _file, ...m }) => m) },
      tables: [table],
      text: (style) =>
        `${renderTable(table, style)}\n${style.dim('`pfmsim pmu show ID` for registers and events')}`,
    };
    emit(ctx.io, flags, doc);
    // Listed, not fatal: one bad file in a models directory must not hide the others.
    for (const bad of invalidModelFiles()) {
      const first = bad.errors[0];
      const more = bad.errors.length > 1 ? ` (and ${bad.errors.length - 1} more)` : '';
      ctx.io.err(
        `pfmsim: skipped invalid PMU model file ${bad.file}: ${first ? `${first.path}: ${first.message} [${first.rule}]` : ''}${more}; \`pfmsim pmu validate ${bad.file}\` lists every error\n`,
      );
    }
  });

  const show = pmu
    .command('show')
    .description('registers and events of one PMU model')
    .argument('<id>', 'model id');
  addOutputOptions(show);
  show.action((idText: string, flags: OutputFlags) => {
    const id = oneOf('PMU model', idText, listModelIds(), 'pfmsim pmu list');
    const exports = prepareExports(ctx.io, flags);
    const m = getModel(id);
    const regs: Table = {
      title: `Registers of ${m.id}`,
      columns: [
        { header: 'register' },
        { header: 'name' },
        { header: 'type' },
        { header: 'default' },
        { header: 'reserved mask' },
        { header: 'controls' },
      ],
      rows: [
        ...m.pmcs.map((r) => [
          `PMC${r.index}`,
          r.name,
          r.type.join(' '),
          formatHex(r.defaultValue),
          formatHex(r.reservedMask),
          r.controls.map((d) => `PMD${d}`).join(' '),
        ]),
        ...m.pmds.map((r) => [
          `PMD${r.index}`,
          r.name,
          r.type.join(' '),
          formatHex(r.defaultValue),
          formatHex(r.reservedMask),
          '',
        ]),
      ],
    };
    const events: Table = {
      title: `Events of ${m.id}`,
      columns: [
        { header: 'event' },
        { header: 'code' },
        { header: 'counters' },
        { header: 'unit masks', align: 'right' },
        { header: 'description' },
      ],
      rows: m.events.map((e) => [
        e.name,
        formatHex(e.code),
        e.fixed
          ? `fixed PMD${e.fixed.pmd}${e.counters.length ? ` ${e.counters.join(' ')}` : ''}`
          : e.counters.join(' '),
        e.unitMasks.length,
        e.description.length > 70 ? `${e.description.slice(0, 67)}...` : e.description,
      ]),
    };
    const doc: Doc = {
      meta: { command: 'pmu show', machine: null, seed: null, extra: [m.id] },
      json: { model: toModelFile(m), file: relative(ctx.io.cwd, modelFile(m.id)) },
      tables: [events, regs],
      text: (style) =>
        [
          `${m.id}: ${m.description} (perfmon2 ${m.name}, module ${m.module}, libpfm ${m.libpfm.name})`,
          `archs ${m.archs.join(', ')} · counter width ${m.counterWidth} (hardware ${m.hwCounterWidth}) · encoding ${m.encoding.scheme}`,
          '',
          style.bold(
            `Registers (${m.pmcs.length} PMCs, ${m.pmds.length} PMDs, ${m.counterPmds.length} counters)`,
          ),
          renderTable(regs, style),
          '',
          style.bold(`Events (${m.events.length})`),
          renderTable(events, style),
        ].join('\n'),
    };
    emit(ctx.io, flags, doc, exports);
  });

  const validate = pmu
    .command('validate')
    .description('check a PMU model file against the schema and the semantic rules')
    .argument('<file>', 'model JSON file');
  addOutputOptions(validate, false);
  validate.action((file: string, flags: OutputFlags) => {
    const io = ctx.io;
    const abs = checkReadable('model file', file, io.cwd);
    let errors: readonly ValidationError[];
    let id: string | null = null;
    let events = 0;
    try {
      // Stryker disable next-line StringLiteral: without an encoding readFileSync gives a Buffer, which JSON.parse reads as UTF-8 all the same
      const r = validateModel(JSON.parse(readFileSync(abs, 'utf8')));
      if (r.ok) {
        errors = [];
        id = r.model.id;
        events = r.model.events.length;
      } else errors = r.errors;
    } catch (e) {
      errors = [{ path: '$', rule: 'json', message: `not valid JSON: ${(e as Error).message}` }];
    }
    const doc: Doc = {
      meta: { command: 'pmu validate', machine: null, seed: null },
      json: { file, valid: errors.length === 0, id, events, errors },
      // Stryker disable next-line ArrayDeclaration: validate takes no export flags, and only exports read the tables
      tables: [],
      text: (style) =>
        errors.length === 0
          ? style.green(`${file}: valid PMU model "${id}" (${events} events)`)
          : errors.map((e) => `${file}: ${formatValidationError(e)}`).join('\n'),
    };
    emit(io, flags, doc, {});
    if (errors.length > 0) {
      if (!flags.json)
        io.err(
          `pfmsim: ${file} is not a valid PMU model (${errors.length} error${errors.length > 1 ? 's' : ''}); fix the paths above\n`,
        );
      ctx.exitCode = EXIT_USAGE;
    }
  });
}
