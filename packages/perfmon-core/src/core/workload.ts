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

/** A workload compiled for fast lookup: rates by (code, umask). */
export class Workload {
  private readonly byKey = new Map<number, { user: number; kernel: number }>();

  constructor(readonly spec: WorkloadSpec) {
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
  return new Workload({ name, rates });
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
