/**
 * The recorded libpfm-3.10 corpus (test-data/libpfm-3.10/*.tsv, made by
 * test-data/recipe/pfmdiff.c against the real library) and its replay through this port.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isPfmError } from './errors.js';
import { type InitializeOptions, type Libpfm, pfmInitialize } from './library.js';

export interface CorpusEvent {
  /** The string given to `pfm_find_full_event`. */
  readonly spec: string;
  /** The event's own plm (0: the default). */
  readonly plm: number;
}

export interface CorpusCase {
  readonly kind: 'single' | 'random';
  readonly id: number;
  readonly dflPlm: number;
  readonly events: readonly CorpusEvent[];
  /** libpfm's answer: `find <rc> <index>` or `rc <rc>[ pmcN=0xV...][ pmdN...]`. */
  readonly expected: string;
}

export interface Corpus {
  readonly name: string;
  readonly header: Readonly<Record<string, string>>;
  readonly cases: readonly CorpusCase[];
}

/** The PMUs recorded, with the `LIBPFM_FORCE_PMU` value each was recorded under. */
export const CORPUS_PMUS = [
  { name: 'p6', force: '32' },
  { name: 'core', force: '36' },
  { name: 'k8', force: '16,15,65,2' },
  { name: 'p4', force: '33' },
  { name: 'arch-perfmon', force: '63' },
  { name: 'mips64', force: '68' },
] as const;

export type CorpusName = (typeof CORPUS_PMUS)[number]['name'];

export function parseCorpus(name: string, text: string): Corpus {
  const header: Record<string, string> = {};
  const cases: CorpusCase[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const [key, value] = line.slice(2).split('\t');
      if (key !== undefined) header[key] = value ?? '';
      continue;
    }
    const [kind, id, dfl, events, expected] = line.split('\t');
    if (
      (kind !== 'single' && kind !== 'random') ||
      id === undefined ||
      dfl === undefined ||
      events === undefined ||
      expected === undefined
    ) {
      throw new Error(`${name}: bad corpus line: ${line}`);
    }
    cases.push({
      kind,
      id: Number(id),
      dflPlm: Number(dfl),
      events: events.split(' ').map((e) => {
        const at = e.lastIndexOf('@');
        return { spec: e.slice(0, at), plm: Number(e.slice(at + 1)) };
      }),
      expected,
    });
  }
  return { name, header, cases };
}

export function loadCorpus(name: CorpusName): Corpus {
  const url = new URL(`../test-data/libpfm-3.10/${name}.tsv`, import.meta.url);
  return parseCorpus(name, readFileSync(fileURLToPath(url), 'utf8'));
}

export function initializeFor(name: CorpusName, options: InitializeOptions = {}): Libpfm {
  const pmu = CORPUS_PMUS.find((p) => p.name === name)!;
  return pfmInitialize({ ...options, env: { LIBPFM_FORCE_PMU: pmu.force } });
}

/** This port's answer to a case, in the corpus format. */
export function replayCase(lib: Libpfm, c: CorpusCase): string {
  const events = [];
  for (const [i, e] of c.events.entries()) {
    try {
      const found = lib.findFullEvent(e.spec);
      events.push({ event: found.event, unitMasks: found.unitMasks, plm: e.plm });
    } catch (error) {
      if (!isPfmError(error)) throw error;
      return `find ${error.code} ${i}`;
    }
  }
  try {
    const out = lib.dispatchEvents({ events, dflPlm: c.dflPlm });
    const pmcs = out.pmcs.map((p) => ` pmc${p.regNum}=0x${p.regValue.toString(16)}`).join('');
    const pmds = out.pmds.map((p) => ` pmd${p.regNum}`).join('');
    return `rc 0${pmcs}${pmds}`;
  } catch (error) {
    if (!isPfmError(error)) throw error;
    return `rc ${error.code}`;
  }
}

/** A parsed result line. */
export interface ParsedResult {
  readonly find?: { readonly rc: number; readonly index: number };
  readonly rc: number;
  readonly pmcs: readonly { readonly num: number; readonly value: bigint }[];
  readonly pmds: readonly number[];
}

export function parseResult(text: string): ParsedResult {
  const parts = text.split(' ');
  if (parts[0] === 'find') {
    const rc = Number(parts[1]);
    return { find: { rc, index: Number(parts[2]) }, rc, pmcs: [], pmds: [] };
  }
  const pmcs = [];
  const pmds = [];
  for (const p of parts.slice(2)) {
    const m = /^pmc(\d+)=(0x[0-9a-f]+)$/.exec(p);
    if (m !== null) pmcs.push({ num: Number(m[1]), value: BigInt(m[2] as string) });
    else pmds.push(Number(p.slice(3)));
  }
  return { rc: Number(parts[1]), pmcs, pmds };
}

/** Why this port answers a case differently from libpfm-3.10. */
export interface DifferenceClass {
  readonly id: string;
  readonly reason: string;
}

interface DiffFacts {
  readonly corpus: CorpusName;
  readonly c: CorpusCase;
  readonly expected: ParsedResult;
  readonly actual: ParsedResult;
  readonly lib: Libpfm;
}

interface DifferenceRule extends DifferenceClass {
  readonly applies: (f: DiffFacts) => boolean;
}

const eventName = (spec: string): string => spec.split(':')[0] as string;
function unknownToPort(f: DiffFacts): boolean {
  return f.c.events.some((e) => {
    try {
      f.lib.findEventByName(eventName(e.spec));
      return false;
    } catch (error) {
      if (isPfmError(error)) return true;
      throw error;
    }
  });
}

function umaskUnknownToPort(f: DiffFacts): boolean {
  const { find } = f.actual;
  if (find === undefined || find.rc !== -22) return false;
  return f.expected.find === undefined || f.expected.find.index > find.index;
}

/** The ordered classification rules; the first that applies names the cause. */
export const DIFFERENCE_RULES: readonly DifferenceRule[] = [
  {
    id: 'missing-event',
    reason: 'an event of libpfm-3.10 is missing from the pfmsim model (NOTFOUND)',
    applies: unknownToPort,
  },
  {
    id: 'missing-umask-name',
    reason: 'a libpfm-3.10 unit-mask name is missing from the pfmsim model (UMASK)',
    applies: umaskUnknownToPort,
  },
  ...(
    [
      [
        'core-shared-counter',
        "libpfm-3.10's Core first fit puts two events on one counter (after a PMC1-only event its next generic counter is PMC0 again); pfmsim says NOASSIGN",
      ],
      [
        'p4-bpu-cccr2',
        "libpfm-3.10's P4 table numbers BPU_CCCR2 (pmd9's CCCR) 24, BPU_CCCR1's number: pfmsim writes pmc54, and where pmc24 is taken libpfm moves on or fails",
      ],
      [
        'p6-bus-tran-def',
        'libpfm-3.10 gives BUS_TRAN_DEF:SELF/ANY the unit masks 0x1/0x2; the SDM and libpfm4 say 0x00/0x20 (pfmsim)',
      ],
    ] as const
  ).map(([id, reason]) => ({
    id,
    reason,
    // The cause is this bug when switching it on makes pfmsim answer as libpfm did.
    applies: (f: DiffFacts) =>
      replayCase(initializeFor(f.corpus, { libpfmBugs: [id] }), f.c) === f.c.expected,
  })),
];

/** The first rule explaining a difference, or undefined when none does. */
export function classifyDifference(
  corpus: CorpusName,
  lib: Libpfm,
  c: CorpusCase,
  actual: string,
): DifferenceClass | undefined {
  const facts: DiffFacts = { corpus, c, lib, expected: parseResult(c.expected), actual: parseResult(actual) };
  const rule = DIFFERENCE_RULES.find((r) => r.applies(facts));
  return rule === undefined ? undefined : { id: rule.id, reason: rule.reason };
}

export interface CorpusReport {
  readonly name: CorpusName;
  readonly total: number;
  readonly identical: number;
  readonly byClass: ReadonlyMap<string, number>;
  readonly unclassified: readonly { readonly c: CorpusCase; readonly actual: string }[];
}

export function compareCorpus(name: CorpusName, options: InitializeOptions = {}): CorpusReport {
  const corpus = loadCorpus(name);
  const lib = initializeFor(name, options);
  let identical = 0;
  const byClass = new Map<string, number>();
  const unclassified = [];
  for (const c of corpus.cases) {
    const actual = replayCase(lib, c);
    if (actual === c.expected) {
      identical++;
      continue;
    }
    const cls = classifyDifference(name, lib, c, actual);
    if (cls === undefined) unclassified.push({ c, actual });
    else byClass.set(cls.id, (byClass.get(cls.id) ?? 0) + 1);
  }
  return { name, total: corpus.cases.length, identical, byClass, unclassified };
}

export const percent = (r: CorpusReport): number => (100 * r.identical) / r.total;
