/**
 * A small valid x86-style model used by the tests (not exported from the package).
 * Events 2–13 are fillers so that paths such as `events[12].counters` exist.
 */
import type { PmuModelFile } from './schema.js';
import type { PmuScheme } from './schemes/scheme.js';
import { x86EvtSelScheme } from './schemes/x86-evtsel.js';

export function validFixture(): PmuModelFile {
  const fillers = Array.from({ length: 12 }, (_, i) => ({
    name: `FILLER_${i}`,
    code: `0x${(0x10 + i).toString(16)}`,
    counters: [0, 1],
    description: `filler event ${i}`,
  }));
  return {
    $schema: '../../pmu-model.schema.json',
    id: 'test-pmu',
    name: 'Test PMU',
    description: 'fixture for the validation tests',
    vendor: 'test',
    archs: ['i386'],
    module: 'perfmon_test',
    libpfm: { name: 'Test PMU', type: 0 },
    counterWidth: 31,
    hwCounterWidth: 32,
    encoding: { scheme: 'x86-evtsel', eventBits: 8, umaskBits: 8 },
    pmcs: [
      {
        index: 0,
        name: 'PERFEVTSEL0',
        type: ['I', 'NO64'],
        defaultValue: '0x100000',
        reservedMask: '0xffffffff00300000',
        noEmul64Mask: '0x100000',
        hwAddr: '0x186',
        controls: [0],
      },
      {
        index: 1,
        name: 'PERFEVTSEL1',
        type: ['I', 'NO64'],
        defaultValue: '0x100000',
        reservedMask: '0xffffffff00700000',
        noEmul64Mask: '0x100000',
        hwAddr: '0x187',
        controls: [1],
      },
      {
        index: 16,
        name: 'FIXED_CTRL',
        type: ['I'],
        defaultValue: '0x888',
        reservedMask: '0xfffffffffffffccc',
        hwAddr: '0x38d',
        controls: [16],
      },
    ],
    pmds: [
      {
        index: 0,
        name: 'PERFCTR0',
        type: ['I', 'C64'],
        defaultValue: '0x0',
        reservedMask: '0xffffffff00000000',
      },
      { index: 1, name: 'PERFCTR1', type: ['I', 'C64'], defaultValue: '0x0', reservedMask: '0x0' },
      {
        index: 16,
        name: 'FIXED_CTR0',
        type: ['I', 'C64'],
        defaultValue: '0x0',
        reservedMask: '0xffffff0000000000',
        width: 40,
      },
      { index: 20, name: 'STAMP', type: ['I', 'RO'], defaultValue: '0x0', reservedMask: '0x0' },
    ],
    events: [
      { name: 'CYCLES', code: '0x79', counters: [0, 1], description: 'cycles', fixed: { pmd: 16, pmc: 16 } },
      { name: 'INST_RETIRED', code: '0xc0', counters: [0, 1], description: 'instructions' },
      ...fillers,
      {
        name: 'L2_RQSTS',
        code: '0x2e',
        counters: [0, 1],
        description: 'L2 requests',
        unitMasks: [
          { name: 'I', value: '0x1', description: 'invalid' },
          { name: 'M', value: '0x8', description: 'modified' },
        ],
        umaskCombinable: true,
      },
    ],
    cycleEvent: 'CYCLES',
    instRetiredEvent: 'INST_RETIRED',
    sources: [{ what: 'everything', ref: 'the test suite', verified: true }],
  };
}

/** Index of the L2_RQSTS event in {@link validFixture}. */
export const UMASK_EVENT = 14;

/**
 * A scheme for the tests of scheme rules: x86-evtsel, plus a rule that no event name starts
 * with `RESERVED_`. Registered by the tests that use it.
 */
export const CHECKED_SCHEME: PmuScheme = {
  ...x86EvtSelScheme,
  name: 'fixture-checked',
  checkModel(model, report) {
    model.events.forEach((e, i) => {
      if (e.name.startsWith('RESERVED_'))
        report(`events[${i}].name`, `${e.name}: RESERVED_ names are the scheme's own`);
    });
  },
};
