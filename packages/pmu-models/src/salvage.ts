/**
 * The schema-valid part of a file that fails the schema, so that `validateModel` can report
 * its semantic errors together with the schema errors (all of a file's errors at once).
 *
 * Invalid elements of `pmcs`, `pmds`, `events` and `sources` are left out (their indexes
 * remembered, so semantic errors keep the file's own paths); unknown keys are ignored (they
 * are schema errors already); an invalid optional top-level value is left out, an invalid
 * required one replaced by a neutral placeholder. Whatever was left out or replaced "taints"
 * the semantic rules that read it, and those are not run on the salvage: a left-out PMD must
 * not turn into "counter 3 does not exist".
 */
import type { z } from 'zod';
import type { SemanticRule } from './rules.js';
import {
  EventFileSchema,
  PmcFileSchema,
  PmdFileSchema,
  type PmuModelFile,
  PmuModelFileSchema,
  SourceFileSchema,
} from './schema.js';

const LISTS = {
  pmcs: PmcFileSchema,
  pmds: PmdFileSchema,
  events: EventFileSchema,
  sources: SourceFileSchema,
} as const;
type ListKey = keyof typeof LISTS;

/** Neutral values for required top-level fields that fail the schema. */
const PLACEHOLDERS: Readonly<Record<string, unknown>> = {
  id: 'invalid',
  name: 'invalid',
  description: '',
  vendor: 'invalid',
  archs: ['x86_64'],
  module: 'invalid',
  libpfm: { name: 'invalid', type: 0 },
  counterWidth: 64,
  hwCounterWidth: 64,
  encoding: { scheme: 'invalid', eventBits: 64, umaskBits: 64 },
  events: [],
  sources: [{ what: 'invalid', ref: 'invalid', verified: false }],
};

/** The semantic rules that read each top-level field (beyond the element they report on). */
const READERS: Readonly<Record<string, readonly SemanticRule[]>> = {
  counterWidth: ['counter-width', 'reserved-width'],
  hwCounterWidth: ['counter-width', 'reserved-width'],
  encoding: ['code-width', 'umask-width', 'encoding-option', 'scheme-rule'],
  pmcs: ['fixed-exists', 'fixed-control', 'encoding-option', 'scheme-rule'],
  pmds: [
    'no-counters',
    'controls',
    'counter-exists',
    'counter-type',
    'fixed-exists',
    'fixed-control',
    'scheme-rule',
  ],
  events: ['event-ref', 'scheme-rule'],
};

export interface Salvage {
  /** A schema-valid file made of what parsed. */
  readonly file: PmuModelFile;
  /** Rules not to report: they read a part that was left out or replaced. */
  readonly skipped: ReadonlySet<SemanticRule | 'scheme-name'>;
  /** For each list, the file index of each salvaged element. */
  readonly indexes: Readonly<Record<ListKey, readonly number[]>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An object without the keys its (strict) schema does not know. */
function known(value: unknown, schema: z.ZodObject): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => Object.hasOwn(schema.shape, k)));
}

/**
 * The salvage of `data`, or undefined when too little parses for any semantic rule to mean
 * something (not an object, or no valid PMC or PMD).
 */
export function salvageModel(data: unknown): Salvage | undefined {
  if (!isObject(data)) return undefined;
  const shape = PmuModelFileSchema.shape;
  const file: Record<string, unknown> = {};
  const tainted = new Set<string>();
  const indexes: Record<ListKey, number[]> = { pmcs: [], pmds: [], events: [], sources: [] };
  for (const [key, schema] of Object.entries(shape) as [string, z.ZodType][]) {
    const value = data[key];
    if (Object.hasOwn(LISTS, key) && Array.isArray(value)) {
      const list = key as ListKey;
      const kept: unknown[] = [];
      value.forEach((element, i) => {
        const parsed = LISTS[list].safeParse(known(element, LISTS[list]));
        if (!parsed.success) return;
        kept.push(parsed.data);
        indexes[list].push(i);
      });
      if (kept.length < value.length) tainted.add(key);
      // none kept: a required list gets its placeholder below (events: an empty table)
      if (kept.length > 0) {
        file[key] = kept;
        continue;
      }
    } else {
      const parsed = schema.safeParse(value);
      if (parsed.success) {
        if (parsed.data !== undefined) file[key] = parsed.data;
        continue;
      }
      tainted.add(key);
      if (schema.safeParse(undefined).success) continue;
    }
    if (!Object.hasOwn(PLACEHOLDERS, key)) return undefined;
    file[key] = structuredClone(PLACEHOLDERS[key]);
    tainted.add(key);
  }
  const checked = PmuModelFileSchema.safeParse(file);
  // Stryker disable next-line ConditionalExpression: every kept part parsed on its own, so the whole parses; a guard
  if (!checked.success) return undefined;
  const skipped = new Set<SemanticRule | 'scheme-name'>();
  for (const key of tainted) for (const rule of READERS[key] ?? []) skipped.add(rule);
  if (tainted.has('encoding')) skipped.add('scheme-name');
  return { file: checked.data, skipped, indexes };
}

const LIST_REF = /\b(pmcs|pmds|events|sources)\[(\d+)\]/g;

/** A path or message of the salvage with each list index turned back into the file's. */
export function restoreIndexes(text: string, indexes: Salvage['indexes']): string {
  return text.replace(LIST_REF, (whole, list: ListKey, i: string) => {
    const original = indexes[list][Number(i)];
    return original === undefined ? whole : `${list}[${original}]`;
  });
}
