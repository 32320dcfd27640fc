/**
 * The differential test against the real libpfm-3.10: every case of the recorded corpus
 * (test-data/libpfm-3.10, recipe in test-data/recipe) replayed through this port. Each
 * difference must have a known cause (DIFFERENCE_RULES), and the identical count per PMU is
 * pinned: a change that moves it, either way, updates the figures here and in the README.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LIBPFM_BUGS } from './dispatch-types.js';
import {
  CORPUS_PMUS,
  type CorpusName,
  classifyDifference,
  compareCorpus,
  initializeFor,
  loadCorpus,
  parseCorpus,
  parseResult,
  replayCase,
} from './libpfm-corpus.test-util.js';

interface Expected {
  readonly identical: number;
  readonly byClass: Readonly<Record<string, number>>;
}

const TOTAL: Record<CorpusName, number> = {
  p6: 752,
  core: 1010,
  k8: 850,
  p4: 838,
  'arch-perfmon': 607,
  mips64: 620,
};

/** Identical cases per PMU and the differences by cause: pfmsim's defaults. */
const DEFAULTS: Record<CorpusName, Expected> = {
  p6: { identical: 742, byClass: { 'p6-bus-tran-def': 10 } },
  core: { identical: 1004, byClass: { 'core-shared-counter': 6 } },
  k8: { identical: 850, byClass: {} },
  p4: { identical: 731, byClass: { 'p4-bpu-cccr2': 107 } },
  'arch-perfmon': { identical: 607, byClass: {} },
  mips64: { identical: 620, byClass: {} },
};

/** With every libpfm-3.10 bug switched on (`libpfmBugs: LIBPFM_BUGS`): all identical. */
const WITH_BUGS: Record<CorpusName, Expected> = {
  p6: { identical: 752, byClass: {} },
  core: { identical: 1010, byClass: {} },
  k8: { identical: 850, byClass: {} },
  p4: { identical: 838, byClass: {} },
  'arch-perfmon': { identical: 607, byClass: {} },
  mips64: { identical: 620, byClass: {} },
};

describe('the recorded libpfm-3.10 corpus', () => {
  for (const { name } of CORPUS_PMUS) {
    it(`${name}: was recorded on the PMU this port initialises`, () => {
      const corpus = loadCorpus(name);
      const lib = initializeFor(name);
      expect(corpus.header.pmu).toBe(lib.getPmuName());
      expect(Number(corpus.header.type)).toBe(lib.getPmuType());
      expect(Number(corpus.header.counters)).toBe(lib.getNumCounters());
      expect(corpus.cases.length).toBe(TOTAL[name]);
    });

    for (const [mode, expected, options] of [
      ['defaults', DEFAULTS, {}],
      ['libpfm bugs', WITH_BUGS, { libpfmBugs: LIBPFM_BUGS }],
    ] as const) {
      it(`${name}, ${mode}: every difference has a known cause, and the identical count is pinned`, () => {
        const report = compareCorpus(name, options);
        expect(report.unclassified.map((u) => `${u.c.id}: ${u.c.expected} / ${u.actual}`)).toEqual([]);
        expect(report.total).toBe(TOTAL[name]);
        expect(Object.fromEntries(report.byClass)).toEqual(expected[name].byClass);
        expect(report.identical).toBe(expected[name].identical);
      });
    }
  }
});

describe('the README quotes these figures', () => {
  it('has one row per PMU with the cases and the identical counts pinned above', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const labels: Record<CorpusName, string> = {
      p6: 'P6',
      core: 'Core',
      k8: 'K8 RevF',
      p4: 'P4',
      'arch-perfmon': 'architectural perfmon',
      mips64: 'MIPS64 5Kc',
    };
    const pct = (n: number, total: number) => {
      const p = (100 * n) / total;
      return Number.isInteger(p) ? `${p}` : p.toFixed(2);
    };
    for (const { name, force } of CORPUS_PMUS) {
      const total = TOTAL[name];
      const d = DEFAULTS[name].identical;
      const b = WITH_BUGS[name].identical;
      expect(readme).toContain(
        `| ${labels[name]} (\`${force}\`) | ${total} | ${d} (${pct(d, total)} %) | ${b} (${pct(b, total)} %) |`,
      );
    }
  });
});

describe('corpus replay', () => {
  it('parses cases and results in the recipe format', () => {
    const corpus = parseCorpus(
      't',
      '# pmu\tX\nsingle\t0\t8\tA:B@0\trc 0 pmc16=0xa0 pmc0=0x51003c pmd17 pmd0\nrandom\t1\t9\tA@1 C:D:E@8\tfind -4 1\n',
    );
    expect(corpus.header).toEqual({ pmu: 'X' });
    expect(corpus.cases).toEqual([
      { kind: 'single', id: 0, dflPlm: 8, events: [{ spec: 'A:B', plm: 0 }], expected: expect.any(String) },
      {
        kind: 'random',
        id: 1,
        dflPlm: 9,
        events: [
          { spec: 'A', plm: 1 },
          { spec: 'C:D:E', plm: 8 },
        ],
        expected: 'find -4 1',
      },
    ]);
    expect(parseResult('rc 0 pmc16=0xa0 pmc0=0x51003c pmd17 pmd0')).toEqual({
      rc: 0,
      pmcs: [
        { num: 16, value: 0xa0n },
        { num: 0, value: 0x51003cn },
      ],
      pmds: [17, 0],
    });
    expect(parseResult('find -22 2')).toEqual({ find: { rc: -22, index: 2 }, rc: -22, pmcs: [], pmds: [] });
    expect(() => parseCorpus('t', 'bogus line\n')).toThrow('t: bad corpus line');
  });

  it('answers in the corpus format: registers, dispatch errors, lookup errors', () => {
    const lib = initializeFor('p6');
    const c = (specs: string[], dflPlm = 8) => ({
      kind: 'random' as const,
      id: 0,
      dflPlm,
      events: specs.map((spec) => ({ spec, plm: 0 })),
      expected: '',
    });
    expect(replayCase(lib, c(['CPU_CLK_UNHALTED', 'INST_RETIRED']))).toBe(
      'rc 0 pmc0=0x510079 pmc1=0x1100c0 pmd0 pmd1',
    );
    expect(replayCase(lib, c(['CPU_CLK_UNHALTED'], 2))).toBe('rc -2');
    expect(replayCase(lib, c(['CPU_CLK_UNHALTED', 'NO_SUCH_EVENT']))).toBe('find -4 1');
  });

  it('classifies a difference by its first matching rule, and leaves unknown ones unclassified', () => {
    const lib = initializeFor('core');
    const base = { kind: 'single' as const, id: 0, dflPlm: 8 };
    const shared = {
      ...base,
      events: ['MUL', 'BR_INST_DECODED', 'BR_INST_EXEC'].map((spec) => ({ spec, plm: 0 })),
      expected: 'rc 0 pmc1=0x510012 pmc0=0x5100e0 pmc1=0x510088 pmd1 pmd0 pmd1',
    };
    expect(classifyDifference('core', lib, shared, 'rc -5')?.id).toBe('core-shared-counter');
    const other = { ...shared, expected: 'rc 0 pmc16=0xa pmc0=0x1 pmd16 pmd0' };
    expect(classifyDifference('core', lib, other, 'rc 0 pmc0=0x1 pmc16=0xa pmd16 pmd0')).toBeUndefined();
    const missing = { ...base, events: [{ spec: 'NO_SUCH_EVENT', plm: 0 }], expected: 'rc 0 pmc0=0x1 pmd0' };
    expect(classifyDifference('core', lib, missing, 'find -4 0')?.id).toBe('missing-event');
  });
});
