/**
 * perf stat's derived metrics for `pfmsim stat`: insn per cycle on the instruction event's line,
 * GHz on the cycle event's, and miss ratios on a miss event's line when the event it is a share
 * of was counted too ("5.00% of all branches").
 */

import type { PmuModel } from '@pfmsim/pmu-models';

/** A counted event as stat reports it (the mean of the scaled values over the runs). */
export interface CountedEvent {
  readonly name: string;
  readonly scaled: number;
  readonly runningNs: number;
}

export interface DerivedMetric {
  /** The event whose line shows the metric. */
  readonly event: string;
  readonly kind: 'ghz' | 'ipc' | 'miss-ratio';
  /** GHz, instructions per cycle, or the miss ratio in percent. */
  readonly value: number;
  /** The event divided by (cycles for ipc; the total for a miss ratio); null for GHz. */
  readonly of: string | null;
  /** As perf prints it after "#". */
  readonly text: string;
}

/**
 * Miss events and the events they are a share of, by event name (any unit mask), with perf's
 * words for the total. Built when asked, so each model's names stay out of module load.
 */
export function missPairs(): readonly (readonly [miss: string, total: string, label: string])[] {
  return [
    ['MISPREDICTED_BRANCH_RETIRED', 'BRANCH_INSTRUCTIONS_RETIRED', 'branches'],
    ['BR_INST_RETIRED_MISPRED', 'BR_INST_RETIRED', 'branches'],
    ['BR_MISS_PRED_RETIRED', 'BR_INST_RETIRED', 'branches'],
    ['RETIRED_MISPREDICTED_BRANCH_INSTRUCTIONS', 'RETIRED_BRANCH_INSTRUCTIONS', 'branches'],
    ['mispred_branch_retired', 'branch_retired', 'branches'],
    ['BRANCHES_MISSPREDICTED', 'BRANCHES_EXECED', 'branches'],
    ['LAST_LEVEL_CACHE_MISSES', 'LAST_LEVEL_CACHE_REFERENCES', 'LL-cache accesses'],
    ['L3_CACHE_MISSES', 'READ_REQUEST_TO_L3_CACHE', 'LL-cache accesses'],
    ['L3_MISSES', 'L3_REFERENCES', 'LL-cache accesses'],
    ['L2_MISSES', 'L2_REFERENCES', 'L2-cache accesses'],
    ['L2_CACHE_MISS', 'REQUESTS_TO_L2', 'L2-cache accesses'],
    ['DATA_CACHE_MISSES', 'DATA_CACHE_ACCESSES', 'L1-dcache accesses'],
    ['INSTRUCTION_CACHE_MISSES', 'INSTRUCTION_CACHE_FETCHES', 'L1-icache accesses'],
    ['L1I_MISSES', 'L1I_READS', 'L1-icache accesses'],
  ];
}

function baseName(event: string): string {
  return event.split(':')[0]!.toUpperCase();
}

/**
 * The derived metrics of the counted events, in the order of the events they annotate. A
 * metric needs both events counted (run > 0) and a total above 0, as perf prints none otherwise.
 */
export function derivedMetrics(
  model: Pick<PmuModel, 'cycleEvent' | 'instRetiredEvent'>,
  events: readonly CountedEvent[],
  seconds: number,
): DerivedMetric[] {
  const find = (name: string | undefined): CountedEvent | undefined =>
    name === undefined
      ? undefined
      : events.find((e) => e.runningNs > 0 && baseName(e.name) === baseName(name));
  const cycles = find(model.cycleEvent);
  const insns = find(model.instRetiredEvent);
  const metrics: DerivedMetric[] = [];
  for (const e of events) {
    if (e.runningNs === 0) continue;
    if (e === cycles && seconds > 0) {
      const ghz = e.scaled / seconds / 1e9;
      metrics.push({
        event: e.name,
        kind: 'ghz',
        value: ghz,
        of: null,
        text: `${ghz.toFixed(3).padStart(8)} GHz`,
      });
    } else if (e === insns && cycles !== undefined && cycles.scaled > 0) {
      const ipc = e.scaled / cycles.scaled;
      metrics.push({
        event: e.name,
        kind: 'ipc',
        value: ipc,
        of: cycles.name,
        text: `${ipc.toFixed(2).padStart(7)}  insn per cycle`,
      });
    } else {
      const pair = missPairs().find(([miss]) => miss.toUpperCase() === baseName(e.name));
      const total = pair && find(pair[1]);
      if (pair && total && total.scaled > 0) {
        const pct = (e.scaled / total.scaled) * 100;
        metrics.push({
          event: e.name,
          kind: 'miss-ratio',
          value: pct,
          of: total.name,
          text: `${pct.toFixed(2).padStart(7)}% of all ${pair[2]}`,
        });
      }
    }
  }
  return metrics;
}
