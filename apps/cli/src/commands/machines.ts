import { ARCH_IDS, COST_PROFILE_IDS } from '@pfmsim/kernel-sim';
import { DEFAULT_MACHINE, MACHINES } from '@pfmsim/lab';
import { listModelIds } from '@pfmsim/pmu-models';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { renderTable, type Table } from '../format.js';
import { addOutputOptions, type Doc, emit, type OutputFlags } from '../output.js';

export function registerMachines(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('machines')
    .summary('list the machine presets and the parts of a custom machine')
    .description(
      'list the machine presets (arch + CPU cost profile + PMU model) and the parts for --arch/--cpu/--pmu',
    );
  addOutputOptions(cmd);
  cmd.action((flags: OutputFlags) => {
    const table: Table = {
      title: 'Machines',
      columns: [
        { header: 'id' },
        { header: 'arch' },
        { header: 'cpu' },
        { header: 'pmu' },
        { header: 'description' },
      ],
      rows: MACHINES.map((m) => [
        m.id === DEFAULT_MACHINE ? `${m.id} *` : m.id,
        m.arch,
        m.cost,
        m.pmu,
        m.note ? `${m.description} (${m.note})` : m.description,
      ]),
    };
    const pmus = listModelIds();
    const doc: Doc = {
      meta: { command: 'machines', machine: null, seed: null },
      json: {
        default: DEFAULT_MACHINE,
        machines: MACHINES.map((m) => ({
          id: m.id,
          arch: m.arch,
          cpu: m.cost,
          pmu: m.pmu,
          description: m.description,
          note: m.note ?? null,
        })),
        archs: [...ARCH_IDS],
        cpus: [...COST_PROFILE_IDS],
        pmus,
      },
      tables: [table],
      text: (style) =>
        [
          renderTable(table, style),
          style.dim(`* default. A custom machine: --machine PRESET plus any of --arch, --cpu, --pmu:`),
          `  --arch  ${ARCH_IDS.join(', ')}`,
          `  --cpu   ${COST_PROFILE_IDS.join(', ')}`,
          `  --pmu   ${pmus.join(', ')}`,
        ].join('\n'),
    };
    emit(ctx.io, flags, doc);
  });
}
