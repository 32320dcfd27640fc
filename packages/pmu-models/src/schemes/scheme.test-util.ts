/** Helpers of the scheme decoder tests (test code: never mutated). */
import type { PmuModel } from '../model.js';
import type { CounterConfig, PmcState, SchemeBinding } from './scheme.js';

/** PMC state: `written` PMCs with their values, `unwritten` values the set did not write. */
export function regs(
  model: PmuModel,
  written: Record<number, number>,
  unwritten: Record<number, number> = {},
): PmcState {
  const pmcLo = new Uint32Array(model.maxPmc);
  const usedPmcs = new Uint8Array(model.maxPmc);
  for (const [i, v] of Object.entries(unwritten)) pmcLo[Number(i)] = v;
  for (const [i, v] of Object.entries(written)) {
    pmcLo[Number(i)] = v;
    usedPmcs[Number(i)] = 1;
  }
  return { pmcLo, pmcHi: new Uint32Array(model.maxPmc), usedPmcs };
}

/** Values decode never writes, to see which fields an early return leaves alone. */
export const junk = (): CounterConfig => ({ enabled: true, code: -7, umask: -9, user: true, kernel: true });
export const untouched: CounterConfig = { enabled: false, code: -7, umask: -9, user: true, kernel: true };

/** The same state as plain arrays with an entry at index -1, which typed arrays cannot have. */
export function withEntryAtMinusOne(state: PmcState, lo: number): PmcState {
  return {
    pmcLo: Object.assign(Array.from(state.pmcLo), { '-1': lo }),
    pmcHi: state.pmcHi,
    usedPmcs: Object.assign(Array.from(state.usedPmcs), { '-1': 1 }),
  };
}

/** What `binding` decodes PMD `pmd` to, starting from junk. */
export function decode(binding: SchemeBinding, state: PmcState, pmd: number): CounterConfig {
  const out = junk();
  binding.decode(state, pmd, out);
  return out;
}
