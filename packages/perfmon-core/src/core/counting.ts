import type { CounterConfig } from '@pfmsim/pmu-models';
import type { PmuBinding } from './pmu.js';
import type { EventSet } from './sets.js';

export type { CounterConfig } from '@pfmsim/pmu-models';

/**
 * What a PMD counts under the PMC values of an event set, decoded by the model's encoding
 * scheme (hardware semantics, not perfmon's; see pmu-models `src/schemes/`).
 */
export function decodeCounter(pmu: PmuBinding, set: EventSet, pmd: number, out: CounterConfig): void {
  pmu.scheme.decode(set, pmd, out);
}
