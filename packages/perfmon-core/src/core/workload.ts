import { InvalidArgumentError } from '@pfmsim/kernel-sim';
import { type PmuEvent, type PmuModel, schemeOf, type WorkloadKey } from '@pfmsim/pmu-models';

/** Events per cycle of one hardware event, by privilege level. */
export interface EventRate {
  /** Event select code (as in the PMC's event field). */
  code: number;
  umask?: number;
  /** Events per cycle while the task runs in user mode. */
  user?: number;
  /** Events per cycle in kernel mode (the workload's own system time). */
  kernel?: number;
}

export interface WorkloadSpec {
  name: string;
  rates: EventRate[];
}

/** Where a thread keeps the workload it runs (its samples' instruction pointers come from it). */
export const RUNNING_WORKLOAD = 'pfm_workload';

/** The user text of an i386 ELF executable starts here; a workload without code regions runs in its first MiB. */
export const TEXT_START = 0x08048000;
const TEXT_BYTES = 0x100000;
/** Instruction-pointer bytes a simulated program advances per cycle inside a function. */
const IP_BYTES_PER_CYCLE = 4;

/** One phase of a phased workload: a share of its time spent in one function, with its own rates. */
export interface PhaseSpec {
  /** The function (code region) the phase runs in. */
  readonly name: string;
  /** Its share of the time (any positive weights; they are normalised). */
  readonly share: number;
  /** The function's instruction addresses, [start, end). */
  readonly start: number;
  readonly end: number;
  readonly rates: EventRate[];
}

/** A compiled phase: its place in the period and its rates. */
export interface Phase {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** First and last-plus-one cycle of the phase in the period. */
  readonly from: number;
  readonly to: number;
  readonly workload: Workload;
}

/** A workload compiled for fast lookup: rates by (code, umask). */
export class Workload {
  private readonly byKey = new Map<number, { user: number; kernel: number }>();
  /** The phases a program cycles through, every `period` user cycles (one phase: the whole time). */
  readonly phases: readonly Phase[];
  readonly period: number;

  constructor(
    readonly spec: WorkloadSpec,
    phases: readonly PhaseSpec[] = [],
    period = 1_000_000,
  ) {
    for (const r of spec.rates) {
      for (const [k, v] of [
        ['code', r.code],
        ['umask', r.umask ?? 0],
        ['user', r.user ?? 0],
        ['kernel', r.kernel ?? 0],
      ] as const) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          throw new InvalidArgumentError(`workload ${spec.name} rate ${k}`, v, 'a finite number >= 0');
        }
      }
      const key = r.code * 65536 + (r.umask ?? 0);
      const prev = this.byKey.get(key) ?? { user: 0, kernel: 0 };
      this.byKey.set(key, { user: prev.user + (r.user ?? 0), kernel: prev.kernel + (r.kernel ?? 0) });
    }
    if (phases.length === 0) {
      this.period = Number.POSITIVE_INFINITY;
      this.phases = [
        {
          name: spec.name,
          start: TEXT_START,
          end: TEXT_START + TEXT_BYTES,
          from: 0,
          to: this.period,
          workload: this,
        },
      ];
      return;
    }
    if (!Number.isInteger(period) || period < phases.length)
      throw new InvalidArgumentError(
        `workload ${spec.name} period`,
        period,
        `an integer of at least ${phases.length} cycles`,
      );
    const total = phases.reduce((a, p) => a + p.share, 0);
    let from = 0;
    this.period = period;
    this.phases = phases.map((p, i) => {
      if (!(p.share > 0) || !Number.isFinite(p.share))
        throw new InvalidArgumentError(
          `workload ${spec.name} phase ${p.name} share`,
          p.share,
          'a finite number > 0',
        );
      if (!Number.isInteger(p.start) || !Number.isInteger(p.end) || p.start < 0 || p.end <= p.start)
        throw new InvalidArgumentError(
          `workload ${spec.name} phase ${p.name} code`,
          `${p.start}-${p.end}`,
          'addresses start < end',
        );
      const to =
        i === phases.length - 1 ? period : Math.max(from + 1, Math.round(from + (p.share / total) * period));
      const phase = {
        name: p.name,
        start: p.start,
        end: p.end,
        from,
        to,
        workload: new Workload({ name: p.name, rates: p.rates }),
      };
      from = to;
      return phase;
    });
  }

  /** The phase running after `userCycles` cycles of the program. */
  phaseAt(userCycles: number): Phase {
    const at = userCycles % this.period;
    for (const p of this.phases) if (at < p.to) return p;
    return this.phases[this.phases.length - 1]!;
  }

  /** Cycles until the phase running after `userCycles` ends. */
  phaseLeft(userCycles: number): number {
    return this.phaseAt(userCycles).to - (userCycles % this.period);
  }

  /**
   * The instruction pointer after `userCycles` cycles: walking through the function of the
   * phase that ran the last of them (an event at a phase's last cycle is that phase's).
   */
  ipAt(userCycles: number): number {
    const p = this.phaseAt(Math.max(0, userCycles - 1));
    const at = userCycles % this.period;
    const into = (at === 0 && userCycles > 0 ? this.period : at) - p.from;
    return p.start + ((into * IP_BYTES_PER_CYCLE) % (p.end - p.start));
  }

  /** Events per cycle counted by a counter configured for (code, umask, user, kernel). */
  rate(code: number, umask: number, user: boolean, kernel: boolean): number {
    const r = this.byKey.get(code * 65536 + umask);
    if (!r) return 0;
    return (user ? r.user : 0) + (kernel ? r.kernel : 0);
  }
}

/**
 * Builds a workload from event names of a PMU model ("INST_RETIRED": 0.8 per cycle, user
 * mode), e.g. `workloadFromEvents(model, 'loop', { CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8 })`.
 * A name may carry unit masks, OR-ed together as libpfm does ("L2_RQSTS:M:E").
 */
export function workloadFromEvents(
  model: PmuModel,
  name: string,
  perCycle: Record<string, number | { user?: number; kernel?: number }>,
): Workload {
  return new Workload({ name, rates: ratesFromEvents(model, perCycle) });
}

/** A phase of `workloadFromPhases`: a function, its share of the time, its events per cycle. */
export interface NamedPhase {
  readonly name: string;
  readonly share: number;
  readonly start: number;
  readonly end: number;
  readonly events: Record<string, number | { user?: number; kernel?: number }>;
}

/**
 * A program that cycles through functions every `period` cycles, each phase with its events
 * by name (as workloadFromEvents) and its code region, so samples land in its functions.
 */
export function workloadFromPhases(
  model: PmuModel,
  name: string,
  phases: readonly NamedPhase[],
  period?: number,
): Workload {
  return new Workload(
    { name, rates: [] },
    phases.map((p) => ({ ...p, rates: ratesFromEvents(model, p.events) })),
    period,
  );
}

function ratesFromEvents(
  model: PmuModel,
  perCycle: Record<string, number | { user?: number; kernel?: number }>,
): EventRate[] {
  const rates: EventRate[] = [];
  for (const [full, value] of Object.entries(perCycle)) {
    const [evName, ...umNames] = full.split(':');
    const ev = model.eventByName(evName!);
    if (!ev) {
      throw new InvalidArgumentError(`workload event for ${model.id}`, full, 'an event name of the model');
    }
    const key = eventWorkloadKey(model, ev);
    const code = key.code;
    let umask = key.umask;
    for (const umName of umNames) {
      const um = ev.unitMasks.find((u) => u.name.toLowerCase() === umName.toLowerCase());
      if (!um)
        throw new InvalidArgumentError(
          `unit mask of ${ev.name}`,
          umName,
          ev.unitMasks.map((u) => u.name).join(', '),
        );
      umask |= Number(um.value);
    }
    const r = typeof value === 'number' ? { user: value } : value;
    rates.push({ code, umask, ...r });
  }
  return rates;
}

/**
 * The (code, umask) under which a workload rates an event, and under which a counter
 * programmed for it looks its rate up: the model's encoding scheme decides (x86: event field
 * and built-in unit mask; P4: the ESCR event select; IA-64: select and `modelData.umask`;
 * POWER5: the whole code; MIPS64: libpfm's `pmeCode`). See pmu-models `src/schemes/`.
 */
export function eventWorkloadKey(model: PmuModel, ev: PmuEvent): WorkloadKey {
  return schemeOf(model).workloadKey(model, ev);
}
