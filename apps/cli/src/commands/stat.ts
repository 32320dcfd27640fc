/**
 * `pfmsim stat`: perf-stat style counting of a simulated workload through the libpfm client
 * (`count()` of @pfmsim/libpfm). Kept in one file: it is the only command on the libpfm API.
 */

import { getCostProfile } from '@pfmsim/kernel-sim';
import { type CountResult, count } from '@pfmsim/libpfm';
import { type Workload, workloadFromEvents } from '@pfmsim/perfmon-core';
import { getModel, type PmuModel } from '@pfmsim/pmu-models';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { intOption, oneOf, UsageError, unknownChoice } from '../errors.js';
import { grouped, type Table } from '../format.js';
import { addMachineOptions, addSeedOption, type MachineFlags, machineFrom, seedFrom } from '../options.js';
import { addOutputOptions, type Doc, emit, type OutputFlags, prepareExports } from '../output.js';
import { derivedMetrics } from './derived.js';

interface StatFlags extends MachineFlags, OutputFlags {
  seed?: string;
  events?: string;
  repeat: string;
  workload?: string;
  cycles: string;
  plm: string;
  search: string;
}

/** Checks "NAME[:UMASK...]" against the model; unknown names get the closest event name. */
export function checkEvent(model: PmuModel, full: string): string {
  const [name, ...masks] = full.split(':');
  // Stryker disable next-line StringLiteral: split() always gives a first element, so the fallback is never used
  const ev = model.eventByName(name ?? '');
  if (!ev)
    throw unknownChoice(
      `event for ${model.id}`,
      full,
      model.events.map((e) => e.name),
      `pfmsim pmu show ${model.id}`,
    );
  for (const um of masks) {
    if (!ev.unitMasks.some((u) => u.name.toLowerCase() === um.toLowerCase())) {
      throw unknownChoice(
        `unit mask of ${ev.name}`,
        um,
        ev.unitMasks.map((u) => u.name),
      );
    }
  }
  return full;
}

/**
 * "EVENT=RATE[+KERNEL_RATE],..." events per cycle (user, and optionally kernel); a leading
 * "NAME:" names the workload. Default: the model's cycle event at 1/cycle, its instruction
 * event at 0.8/cycle, every other counted event at 0.01/cycle (a synthetic loop).
 */
export function parseWorkload(
  model: PmuModel,
  spec: string | undefined,
  events: readonly string[],
): { name: string; workload: Workload; rates: Record<string, { user: number; kernel: number }> } {
  const rates: Record<string, { user: number; kernel: number }> = {};
  let name = 'loop';
  if (spec === undefined) {
    for (const e of events) rates[e] = { user: 0.01, kernel: 0 };
    if (model.cycleEvent) rates[model.cycleEvent] = { user: 1, kernel: 0 };
    if (model.instRetiredEvent) rates[model.instRetiredEvent] = { user: 0.8, kernel: 0 };
  } else {
    let body = spec;
    // "NAME:" when NAME is no event of the model, also before an event with a unit mask ("app:EV:UM=1")
    const named = /^([A-Za-z][\w-]*):(?=[^=]*=)/.exec(spec);
    if (named && !model.eventByName(named[1]!)) {
      name = named[1]!;
      body = spec.slice(named[0].length);
    }
    for (const part of body.split(',').filter((p) => p.trim() !== '')) {
      const m = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)(?:\s*\+\s*(\d+(?:\.\d+)?))?\s*$/.exec(part);
      if (!m) {
        throw new UsageError(
          `--workload: cannot read "${part}"`,
          'write EVENT=RATE[+KERNEL_RATE],... in events per cycle, e.g. "loop:INST_RETIRED=0.8,CPU_CLK_UNHALTED=1"',
        );
      }
      rates[checkEvent(model, m[1]!)] = { user: Number(m[2]), kernel: m[3] !== undefined ? Number(m[3]) : 0 };
    }
  }
  return { name, workload: workloadFromEvents(model, name, rates), rates };
}

export function registerStat(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('stat')
    .summary('perf-stat style counting of a simulated workload')
    .description(
      'perf-stat style counting of a simulated workload through the libpfm client (multiplexing shown as perf does), with derived metrics where the events are counted: GHz, insn per cycle and miss ratios (of all branches, cache accesses)',
    )
    .option(
      '-e, --events <list>',
      "comma-separated events of the machine's PMU (default: its cycle and instruction events)",
    )
    .option('-r, --repeat <n>', 'run the workload N times and average', '1')
    .option('--workload <spec>', 'events per cycle: [NAME:]EVENT=RATE[+KERNEL_RATE],...')
    .option('--cycles <n>', 'length of the workload in cycles', '1000000000')
    .option('--plm <level>', 'privilege levels counted: user, kernel or both', 'user')
    .option(
      '--search <mode>',
      "counter search: libpfm (libpfm-3.10's first fit) or exhaustive (places events whenever an assignment exists)",
      'libpfm',
    );
  addMachineOptions(cmd);
  addSeedOption(cmd);
  addOutputOptions(cmd);
  cmd.action((flags: StatFlags) => {
    const io = ctx.io;
    const machine = machineFrom(flags);
    const seed = seedFrom(flags.seed);
    const repeat = intOption('--repeat', flags.repeat, 1, 1000);
    const cyclesN = intOption('--cycles', flags.cycles, 1, Number.MAX_SAFE_INTEGER);
    const plm = oneOf('--plm level', flags.plm, ['user', 'kernel', 'both'] as const);
    const search = oneOf('--search mode', flags.search, ['libpfm', 'exhaustive'] as const);
    const model = getModel(machine.pmu);
    const defaults = [model.cycleEvent, model.instRetiredEvent].filter((e): e is string => e !== undefined);
    const events = (flags.events ?? defaults.join(','))
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (events.length === 0)
      throw new UsageError('no events to count', `give -e EVENT,... (\`pfmsim pmu show ${model.id}\`)`);
    for (const e of events) checkEvent(model, e);
    const { name, workload, rates } = parseWorkload(model, flags.workload, events);
    const exports = prepareExports(io, flags);
    // -r N: N runs (seeds seed..seed+N-1), reported as perf does: the mean and its spread.
    const runs: CountResult[] = [];
    for (let i = 0; i < repeat; i++) {
      runs.push(
        count({
          machine: { arch: machine.arch, cost: machine.cost, pmu: machine.pmu },
          events,
          workload,
          cycles: cyclesN,
          plm,
          seed: seed + i,
          search,
        }),
      );
    }
    const r = runs[0]!;
    const clockHz = getCostProfile(machine.cost).clockHz;
    const seconds = cyclesN / clockHz;
    const rows = r.events.map((e, i) => {
      const scaled = runs.map((x) => x.events[i]!.scaled);
      const values = runs.map((x) => x.events[i]!.value);
      const mean = scaled.reduce((a, b) => a + b, 0) / scaled.length;
      const sd = Math.sqrt(scaled.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, scaled.length - 1));
      return {
        name: e.name,
        set: e.set,
        pmd: e.pmd,
        value: values.reduce((a, b) => a + b, 0) / values.length,
        scaled: mean,
        enabledNs: e.enabledNs,
        runningNs: e.runningNs,
        percentRunning: e.enabledNs > 0 ? (e.runningNs / e.enabledNs) * 100 : 100,
        /** perf's "+- x%": the standard error of the mean of the scaled value, relative to the mean. */
        spread: repeat > 1 && mean > 0 ? sd / Math.sqrt(scaled.length) / mean : 0,
      };
    });
    const derived = derivedMetrics(model, rows, seconds);
    const table: Table = {
      title: `Counts for ${name} (${machine.id})`,
      columns: [
        { header: 'event' },
        { header: 'value', align: 'right' },
        { header: 'scaled', align: 'right' },
        { header: 'enabled_ns', align: 'right' },
        { header: 'running_ns', align: 'right' },
        { header: 'percent_running', align: 'right' },
      ],
      rows: rows.map((e) => [
        e.name,
        e.value,
        e.scaled,
        e.enabledNs,
        e.runningNs,
        Math.round(e.percentRunning * 100) / 100,
      ]),
    };
    const doc: Doc = {
      meta: { command: 'stat', machine: machine.id, seed, extra: [`pmu ${model.id}`] },
      json: {
        workload: name,
        rates,
        cycles: cyclesN,
        plm,
        repeat,
        multiplexed: r.multiplexed,
        sets: r.sets,
        events: rows,
        derived: derived.map(({ event, kind, value, of }) => ({ event, kind, value, of })),
        seconds,
      },
      tables: [table],
      text: () => {
        const lines = [
          '',
          ` Performance counter stats for workload '${name}' (${repeat} run${repeat > 1 ? 's' : ''}, ${plm} level):`,
          '',
        ];
        // The metric column is as wide as its longest text, so the spreads and shares line up.
        const metricWidth = Math.max(0, ...derived.map((m) => m.text.length + 2));
        for (const e of rows) {
          const value = e.runningNs === 0 && r.multiplexed ? '<not counted>' : grouped(Math.round(e.scaled));
          const m = derived.find((d) => d.event === e.name);
          const metric = (m ? `# ${m.text}` : '').padEnd(metricWidth);
          const spread = repeat > 1 ? `  ( +-${(e.spread * 100).toFixed(2).padStart(6)}% )` : '';
          const mux = r.multiplexed && e.runningNs < e.enabledNs ? `  (${e.percentRunning.toFixed(2)}%)` : '';
          lines.push(`${value.padStart(18)}      ${e.name.padEnd(40)}${metric}${spread}${mux}`.trimEnd());
        }
        lines.push(
          '',
          `${seconds.toFixed(9).padStart(18)} seconds time elapsed (simulated, ${(clockHz / 1e9).toFixed(2)} GHz)`,
          '',
        );
        // Counted (its set ran) at a level the workload gives a rate, and still 0.
        const rateCounted = (v: { user: number; kernel: number }) =>
          (plm === 'kernel' ? 0 : v.user) + (plm === 'user' ? 0 : v.kernel);
        const silent = rows.filter(
          (e) =>
            e.value === 0 &&
            e.runningNs > 0 &&
            Object.entries(rates).some(
              ([k, v]) => k.toLowerCase() === e.name.toLowerCase() && rateCounted(v) > 0,
            ),
        );
        if (silent.length > 0) {
          lines.push(
            `note: ${silent.map((e) => e.name).join(', ')} counted 0 although the workload gives ${silent.length > 1 ? 'them' : 'it'} a rate: counting this event on ${model.id} does not reach the simulated workload`,
          );
        }
        if (r.multiplexed) {
          lines.push(
            `${r.sets} event sets time-multiplexed: values are scaled by enabled/running; the percentage is the share of time counted`,
          );
        }
        return lines.join('\n');
      },
    };
    emit(io, flags, doc, exports);
  });
}
