/**
 * `pfmsim record`: pfmon-like sampling of a simulated program with perfmon2's default sampling
 * format (libpfm's `sample()`): a sample every `--period` events, the buffer read at each
 * buffer-full signal and restarted, and a flat profile of the samples by function and by
 * instruction address, with what the sampling cost the kernel.
 */

import { createStrategy } from '@pfmsim/buffer-strategies';
import { sample } from '@pfmsim/libpfm';
import {
  dflMinBufSize,
  TEXT_START,
  type Workload,
  workloadFromEvents,
  workloadFromPhases,
} from '@pfmsim/perfmon-core';
import { getModel, type PmuModel } from '@pfmsim/pmu-models';
import type { Command } from 'commander';
import type { Ctx } from '../cli.js';
import { intOption, UsageError } from '../errors.js';
import { grouped, type Table } from '../format.js';
import {
  addMachineOptions,
  addSeedOption,
  type MachineFlags,
  machineFrom,
  seedFrom,
  strategyFrom,
} from '../options.js';
import { addOutputOptions, type Doc, emit, type OutputFlags, prepareExports } from '../output.js';
import { checkEvent } from './stat.js';

interface RecordFlags extends MachineFlags, OutputFlags {
  seed?: string;
  event?: string;
  period: string;
  randomMask: string;
  strategy: string;
  bufSize: string;
  workload?: string;
  cycles: string;
}

/** One phase of `--workload`: a function, where it lies, its share of the time, its events per cycle. */
export interface RecordPhase {
  readonly name: string;
  readonly share: number;
  readonly start: number;
  readonly end: number;
  readonly events: Record<string, number>;
}

/** Bytes of each function laid out by default, one after the other from the start of the text. */
const FUNCTION_BYTES = 0x1000;

/**
 * "NAME=SHARE[@START-END][:EVENT=RATE,...];..." phases of a program that cycles through them
 * every million cycles. A phase without an address range gets the next 4 KiB of the text; its
 * events per cycle default to the model's cycle event at 1 and its instruction event at 0.8.
 * Default: `main=50;compute=30;io=20` (io retires no instructions).
 */
export function parsePhases(model: PmuModel, spec: string | undefined): RecordPhase[] {
  const base: Record<string, number> = {};
  if (model.cycleEvent) base[model.cycleEvent] = 1;
  if (model.instRetiredEvent) base[model.instRetiredEvent] = 0.8;
  const text =
    spec ?? `main=50;compute=30;io=20${model.instRetiredEvent ? `:${model.instRetiredEvent}=0` : ''}`;
  const phases: RecordPhase[] = [];
  let next = TEXT_START;
  for (const part of text.split(';').filter((p) => p.trim() !== '')) {
    const m =
      /^\s*([A-Za-z_][\w.]*)\s*=\s*(\d+(?:\.\d+)?)\s*(?:@\s*(0x[0-9a-fA-F]+|\d+)\s*-\s*(0x[0-9a-fA-F]+|\d+))?\s*(?::(.*))?$/.exec(
        part,
      );
    if (!m || Number(m[2]) <= 0) {
      throw new UsageError(
        `--workload: cannot read "${part.trim()}"`,
        'write NAME=SHARE[@START-END][:EVENT=RATE,...];... e.g. "main=50;hash=30@0x8050000-0x8050400:INST_RETIRED=2;wait=20"',
      );
    }
    const start = m[3] !== undefined ? Number(m[3]) : next;
    const end = m[4] !== undefined ? Number(m[4]) : start + FUNCTION_BYTES;
    if (end <= start)
      throw new UsageError(
        `--workload: ${m[1]}'s addresses ${m[3]}-${m[4]} are empty`,
        'give START-END with START < END',
      );
    next = Math.max(next, end);
    const events = { ...base };
    for (const rate of (m[5] ?? '').split(',').filter((r) => r.trim() !== '')) {
      const r = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(rate);
      if (!r)
        throw new UsageError(
          `--workload: cannot read "${rate.trim()}" in ${m[1]}`,
          'write EVENT=RATE (events per cycle)',
        );
      events[checkEvent(model, r[1]!)] = Number(r[2]);
    }
    phases.push({ name: m[1]!, share: Number(m[2]), start, end, events });
  }
  const names = phases.map((p) => p.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    throw new UsageError(`--workload: two phases named ${twice}`, 'give each function its own name');
  if (phases.length === 0) throw new UsageError('--workload: no phase', 'write NAME=SHARE;...');
  return phases;
}

/** The events of `event` the program counts in `cycles`: per phase segment, floor(rate x length), as the simulated counters count. */
function eventsIn(workload: Workload, lookup: (w: Workload) => number, cycles: number): number {
  let total = 0;
  for (let at = 0; at < cycles; ) {
    const len = Math.min(workload.phaseLeft(at), cycles - at);
    total += Math.floor(lookup(workload.phaseAt(at).workload) * len);
    at += len;
  }
  return total;
}

export function registerRecord(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('record')
    .summary('pfmon-like sampling of a simulated program: a flat profile')
    .description(
      "pfmon-like sampling with perfmon2's default sampling format: a sample every --period events, read from the mapped buffer at each buffer-full signal, and a flat profile by function and address",
    )
    .option('-e, --event <name>', "the sampling event (default: the machine's cycle event)")
    .option('--period <n>', 'a sample every N events', '100000')
    .option(
      '--random-mask <n>',
      "randomised periods (pfmon's --smpl-periods-random): each reset adds up to N & random events",
      '0',
    )
    .option(
      '-s, --strategy <name>',
      'argument-buffer strategy for the format argument and the vectors',
      'stack',
    )
    .option('--buf-size <bytes>', 'the sampling buffer, header included', '12800')
    .option('--workload <spec>', 'the program: NAME=SHARE[@START-END][:EVENT=RATE,...];...')
    .option('--cycles <n>', 'length of the run in cycles', '100000000');
  addMachineOptions(cmd);
  addSeedOption(cmd);
  addOutputOptions(cmd);
  cmd.action((flags: RecordFlags) => {
    const io = ctx.io;
    const machine = machineFrom(flags);
    const seed = seedFrom(flags.seed);
    const period = intOption('--period', flags.period, 1, 2 ** 40);
    const randomMask = intOption('--random-mask', flags.randomMask, 0, 2 ** 32 - 1);
    const strategy = strategyFrom(flags.strategy);
    const bufSize = intOption('--buf-size', flags.bufSize, 1, 1 << 30);
    const cycles = intOption('--cycles', flags.cycles, 1, Number.MAX_SAFE_INTEGER);
    const model = getModel(machine.pmu);
    const least = dflMinBufSize(model.pmds.length);
    if (bufSize < least)
      throw new UsageError(
        `--buf-size ${bufSize}: the default format needs at least ${least} bytes on ${model.id}`,
        'the header, one entry and a value for each implemented PMD; the default 12800 holds about 300 samples',
      );
    const event = checkEvent(model, flags.event ?? model.cycleEvent ?? model.events[0]!.name);
    const phases = parsePhases(model, flags.workload);
    const workload = workloadFromPhases(model, 'program', phases);
    const exports = prepareExports(io, flags);
    const r = sample({
      machine: { arch: machine.arch, cost: machine.cost, pmu: machine.pmu },
      seed,
      event,
      period,
      workload,
      cycles,
      bufSize,
      randomMask,
      strategy: createStrategy(strategy),
    });
    const byFunction = phases.map((p) => ({ name: p.name, start: p.start, end: p.end, samples: 0 }));
    const byIp = new Map<number, number>();
    for (const s of r.samples) {
      byIp.set(s.ip, (byIp.get(s.ip) ?? 0) + 1);
      const f = byFunction.find((x) => s.ip >= x.start && s.ip < x.end);
      if (f) f.samples++;
    }
    const total = r.samples.length;
    // the (code, umask) the sampled event is rated under, unit masks included
    const key = workloadFromEvents(model, 'key', { [event]: 1 }).spec.rates[0]!;
    const events = eventsIn(workload, (w) => w.rate(key.code, key.umask ?? 0, true, false), cycles);
    // with random periods the overflows are not predicted: nothing to count the lost ones against
    const expected = randomMask === 0 ? Math.floor(events / period) : null;
    const lost = expected === null ? null : expected - total;
    const share = (n: number) => (total > 0 ? n / total : 0);
    const doc: Doc = {
      meta: {
        command: 'record',
        machine: machine.id,
        seed,
        extra: [`pmu ${model.id}`, `strategy ${strategy}`],
      },
      json: {
        event,
        period,
        randomMask,
        strategy,
        bufSize,
        cycles,
        phases: phases.map((p) => ({ ...p })),
        events,
        samples: total,
        expected,
        lost,
        notifications: r.notifications,
        restarts: r.restarts,
        bufferFulls: r.bufferFulls,
        duplicates: r.duplicates,
        overheadCyclesPerSample: total > 0 ? Math.round(r.irqCycles / total) : 0,
        createCycles: Math.round(r.createCycles),
        functions: byFunction.map((f) => ({ ...f, share: share(f.samples) })),
        addresses: [...byIp]
          .sort((a, b) => b[1] - a[1] || a[0] - b[0])
          .map(([ip, samples]) => ({
            ip,
            samples,
            function: byFunction.find((f) => ip >= f.start && ip < f.end)?.name ?? null,
          })),
      },
      tables: [
        {
          title: `Samples by function (${event}, period ${period})`,
          columns: [
            { header: 'function' },
            { header: 'samples', align: 'right' },
            { header: 'percent', align: 'right' },
          ],
          rows: byFunction.map((f) => [f.name, f.samples, Math.round(share(f.samples) * 10000) / 100]),
        } satisfies Table,
      ],
      text: () => {
        const lines = [
          `# results for [${r.samples[0]?.tgid ?? '-'}:${r.samples[0]?.tid ?? '-'}] (program)`,
          `# total samples          : ${grouped(total)}`,
          `# total buffer overflows : ${grouped(r.bufferFulls)}`,
          '#',
          '#     counts   %self    %cum symbol',
        ];
        let cum = 0;
        for (const f of [...byFunction].sort((a, b) => b.samples - a.samples)) {
          cum += f.samples;
          lines.push(
            `${grouped(f.samples).padStart(12)} ${(share(f.samples) * 100).toFixed(2).padStart(6)}% ${(share(cum) * 100).toFixed(2).padStart(6)}% ${f.name}`,
          );
        }
        lines.push(
          '',
          expected === null
            ? `${grouped(events)} ${event} events, a sample every ${grouped(period)} + (random & ${grouped(randomMask)}): ${grouped(total)} samples read (random periods: no overflow count to compare)`
            : `${grouped(events)} ${event} events, a sample every ${grouped(period)}: ${grouped(expected)} overflows, ${grouped(total)} samples read (${grouped(lost!)} lost)`,
          `buffer ${grouped(bufSize)} bytes: ${grouped(r.notifications)} buffer-full signals, ${grouped(r.restarts)} restarts`,
          `overhead: ${total > 0 ? grouped(Math.round(r.irqCycles / total)) : 0} kernel cycles per sample in the overflow interrupt`,
          `pfm_create_context: ${grouped(Math.round(r.createCycles))} cycles, the format argument through ${strategy}`,
        );
        return lines.join('\n');
      },
    };
    emit(io, flags, doc, exports);
  });
}
