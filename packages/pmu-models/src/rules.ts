/**
 * The semantic rules a schema-valid model must also satisfy. They run over the normalised
 * model, in the order of {@link SEMANTIC_RULES}, and report every violation (not just the
 * first) with the JSON path of the offending field.
 */
import {
  bitsAbove,
  effectiveCounters,
  type PmuModel,
  type PmuUnitMask,
  type RegisterDescriptor,
} from './model.js';
import { HEX64_PATTERN, MAX_REGISTER_INDEX, PMC_ONLY_FLAGS, PMD_ONLY_FLAGS } from './schema.js';
import { findScheme } from './schemes/registry.js';

export interface ValidationError {
  /** JSON path of the offending value, e.g. `events[12].counters`; `$` for the whole file. */
  readonly path: string;
  /** The rule that failed, e.g. `counter-exists`; see {@link VALIDATION_RULES}. */
  readonly rule: string;
  readonly message: string;
}

/** Rules applied after the schema, in this order. */
export const SEMANTIC_RULES = {
  'register-limit': 'a register index is at most 319 (perfmon2 refuses 320 or more PMCs or PMDs)',
  'unique-index': 'no two PMCs (or two PMDs) share an index',
  'unique-name':
    'register names are unique per kind; event names are unique, case-insensitively; unit-mask names are unique within their event',
  'duplicate-entry': 'a list of flags, counters or controls names nothing twice',
  'register-type': 'every register has I; C64, RO and V appear only on PMDs; NO64 only on PMCs',
  'no-emul64': 'a PMC with a non-zero noEmul64Mask has the NO64 flag',
  'reserved-width':
    'a counter PMD reserves exactly the bits above its width (`width` if given, else hwCounterWidth or counterWidth) or nothing; any register with a `width` reserves every bit above it',
  'counter-width':
    'counterWidth <= hwCounterWidth; a counter PMD with a `width` is at least counterWidth wide',
  'no-counters': 'at least one PMD is a counter (C64)',
  'default-reserved':
    'a PMD default sets no reserved bit; no default sets a bit above its register `width` (a PMC default may set reserved bits: v2.3 forces them to the default)',
  controls: 'a PMC controls only PMDs that exist',
  'code-width':
    'an event code fits the width its scheme gives it (encoding.eventBits; x86-evtsel: eventBits + umaskBits, the second byte being a built-in unit mask)',
  'umask-width': 'a unit-mask value fits encoding.umaskBits',
  'counter-exists': 'every counter an event or unit mask names is a PMD that exists',
  'counter-type': 'every counter an event or unit mask names is a counter PMD (C64)',
  'fixed-exists': "a fixed counter's PMD and PMC exist",
  'fixed-control': "a fixed counter's PMC lists the fixed PMD in `controls`",
  countable: 'every event, and every unit mask of it, can be counted on at least one counter',
  'event-ref': 'cycleEvent and instRetiredEvent name an existing event (and unit mask, if given)',
  'encoding-option':
    'encoding.options holds only options the scheme defines, each of the right kind (an existing PMC index, a hex string, or true/false)',
  'scheme-rule': "the encoding scheme's own rules about the model hold (see the scheme's module)",
} as const;
export type SemanticRule = keyof typeof SEMANTIC_RULES;

/** Rules reported for files that fail the schema itself. */
export const SCHEMA_RULES = {
  json: 'the file is valid JSON',
  required: 'a required property is present',
  type: 'a value has the right JSON type',
  format: 'a string matches its pattern (hex64, id, name)',
  range: 'a number or list length is within its bounds',
  enum: 'a value is one of the allowed names',
  'unknown-key': 'no property outside the format (catches misspellings)',
  schema: 'any other schema violation',
} as const;
export type SchemaRule = keyof typeof SCHEMA_RULES;

export const VALIDATION_RULES = { ...SCHEMA_RULES, ...SEMANTIC_RULES } as const;
export type ValidationRule = keyof typeof VALIDATION_RULES;

const hex = (v: bigint) => `0x${v.toString(16)}`;

type Report = (path: string, rule: SemanticRule, message: string) => void;

function duplicates<T>(list: readonly T[]): T[] {
  const seen = new Set<T>();
  const dup = new Set<T>();
  for (const item of list) (seen.has(item) ? dup : seen).add(item);
  return [...dup];
}

function checkRegisters(model: PmuModel, kind: 'pmcs' | 'pmds', report: Report): void {
  const list: readonly RegisterDescriptor[] = model[kind];
  const label = kind === 'pmcs' ? 'PMC' : 'PMD';
  const firstIndex = new Map<number, number>();
  const firstName = new Map<string, number>();
  list.forEach((r, i) => {
    const p = `${kind}[${i}]`;
    if (r.index > MAX_REGISTER_INDEX) {
      report(
        `${p}.index`,
        'register-limit',
        `${label} index ${r.index} is beyond perfmon2's limit (0–${MAX_REGISTER_INDEX})`,
      );
    }
    const sameIndex = firstIndex.get(r.index);
    if (sameIndex === undefined) firstIndex.set(r.index, i);
    else
      report(
        `${p}.index`,
        'unique-index',
        `duplicate ${label} index ${r.index} (also ${kind}[${sameIndex}])`,
      );
    // Stryker disable next-line MethodExpression: any one case folding makes the comparison case-insensitive
    const key = r.name.toUpperCase();
    const sameName = firstName.get(key);
    if (sameName === undefined) firstName.set(key, i);
    else
      report(`${p}.name`, 'unique-name', `duplicate ${label} name "${r.name}" (also ${kind}[${sameName}])`);

    for (const flag of duplicates(r.type))
      report(`${p}.type`, 'duplicate-entry', `flag ${flag} appears twice`);
    if (!r.type.includes('I')) report(`${p}.type`, 'register-type', 'I (implemented) is required');
    const wrong = r.kind === 'pmc' ? PMD_ONLY_FLAGS : PMC_ONLY_FLAGS;
    for (const flag of r.type.filter((f) => wrong.includes(f))) {
      report(`${p}.type`, 'register-type', `${flag} is a ${r.kind === 'pmc' ? 'PMD' : 'PMC'}-only flag`);
    }
    if (r.kind === 'pmc' && r.noEmul64Mask !== 0n && !r.type.includes('NO64')) {
      report(`${p}.noEmul64Mask`, 'no-emul64', `${hex(r.noEmul64Mask)} set on a PMC without the NO64 flag`);
    }

    // Stryker disable next-line ConditionalExpression: a PMC has no isCounter, so the kind test alone cannot change the result
    const isCounter = r.kind === 'pmd' && r.isCounter;
    if (isCounter) {
      const allowed =
        r.width !== undefined ? [r.width] : [...new Set([model.hwCounterWidth, model.counterWidth])];
      if (r.reservedMask !== 0n && !allowed.some((w) => r.reservedMask === bitsAbove(w))) {
        const expected = allowed.map((w) => `${hex(bitsAbove(w))} (width ${w})`).join(' or ');
        report(
          `${p}.reservedMask`,
          'reserved-width',
          `${hex(r.reservedMask)} is neither 0 nor the bits above the counter width: expected ${expected}`,
        );
      }
      // Stryker disable next-line ConditionalExpression: an undefined width compares false anyway
      if (r.width !== undefined && r.width < model.counterWidth) {
        report(
          `${p}.width`,
          'counter-width',
          `counter width ${r.width} is below counterWidth ${model.counterWidth}`,
        );
      }
    } else if (r.width !== undefined) {
      const missing = bitsAbove(r.width) & ~r.reservedMask;
      if (missing !== 0n) {
        report(
          `${p}.reservedMask`,
          'reserved-width',
          `does not reserve the bits above width ${r.width} (missing ${hex(missing)})`,
        );
      }
    }

    if (r.kind === 'pmd' && (r.defaultValue & r.reservedMask) !== 0n) {
      report(
        `${p}.defaultValue`,
        'default-reserved',
        `sets reserved bits ${hex(r.defaultValue & r.reservedMask)}`,
      );
    } else if (r.width !== undefined && (r.defaultValue & bitsAbove(r.width)) !== 0n) {
      report(
        `${p}.defaultValue`,
        'default-reserved',
        `sets reserved bits ${hex(r.defaultValue & bitsAbove(r.width))} (above width ${r.width})`,
      );
    }

    if (r.kind === 'pmc') {
      for (const pmd of duplicates(r.controls))
        report(`${p}.controls`, 'duplicate-entry', `PMD ${pmd} listed twice`);
      for (const pmd of r.controls) {
        if (model.pmdByIndex(pmd) === undefined)
          report(`${p}.controls`, 'controls', `PMD ${pmd} does not exist`);
      }
    }
  });
}

function checkCounterList(model: PmuModel, path: string, counters: readonly number[], report: Report): void {
  for (const c of duplicates(counters)) report(path, 'duplicate-entry', `counter ${c} listed twice`);
  for (const c of counters) {
    const pmd = model.pmdByIndex(c);
    if (pmd === undefined) report(path, 'counter-exists', `counter ${c} does not exist`);
    else if (!pmd.isCounter) report(path, 'counter-type', `PMD ${c} (${pmd.name}) is not a counter (no C64)`);
  }
}

function checkFixed(
  model: PmuModel,
  path: string,
  fixed: { pmd: number; pmc: number },
  report: Report,
): void {
  const pmd = model.pmdByIndex(fixed.pmd);
  const pmc = model.pmcByIndex(fixed.pmc);
  if (pmd === undefined) report(`${path}.pmd`, 'fixed-exists', `PMD ${fixed.pmd} does not exist`);
  else if (!pmd.isCounter)
    report(`${path}.pmd`, 'counter-type', `PMD ${fixed.pmd} (${pmd.name}) is not a counter (no C64)`);
  if (pmc === undefined) report(`${path}.pmc`, 'fixed-exists', `PMC ${fixed.pmc} does not exist`);
  else if (pmd !== undefined && !pmc.controls.includes(fixed.pmd)) {
    report(path, 'fixed-control', `PMC ${fixed.pmc} (${pmc.name}) does not control PMD ${fixed.pmd}`);
  }
}

function checkEvents(model: PmuModel, report: Report): void {
  const { umaskBits } = model.encoding;
  // An unknown scheme is a schema finding; its code width is then unknown and not checked.
  const codeWidth = findScheme(model.encoding.scheme)?.codeWidth(model.encoding);
  const codeLimit = codeWidth === undefined ? 0n : bitsAbove(codeWidth.bits);
  const umaskLimit = bitsAbove(umaskBits);
  const firstName = new Map<string, number>();
  model.events.forEach((e, i) => {
    const p = `events[${i}]`;
    // Stryker disable next-line MethodExpression: any one case folding makes the comparison case-insensitive
    const key = e.name.toUpperCase();
    const same = firstName.get(key);
    if (same === undefined) firstName.set(key, i);
    else report(`${p}.name`, 'unique-name', `duplicate event name "${e.name}" (also events[${same}])`);
    if ((e.code & codeLimit) !== 0n) {
      report(`${p}.code`, 'code-width', `${hex(e.code)} is wider than ${codeWidth?.label}`);
    }
    checkCounterList(model, `${p}.counters`, e.counters, report);
    if (e.fixed !== undefined) checkFixed(model, `${p}.fixed`, e.fixed, report);
    for (const f of duplicates(e.flags)) report(`${p}.flags`, 'duplicate-entry', `flag ${f} appears twice`);

    const umaskNames = new Map<string, number>();
    e.unitMasks.forEach((u, j) => {
      const up = `${p}.unitMasks[${j}]`;
      for (const [k, name] of [u.name, ...u.aliases].entries()) {
        // Stryker disable next-line MethodExpression: any one case folding makes the comparison case-insensitive
        const uk = name.toUpperCase();
        const sameU = umaskNames.get(uk);
        if (sameU === undefined) umaskNames.set(uk, j);
        else
          report(
            k === 0 ? `${up}.name` : `${up}.aliases[${k - 1}]`,
            'unique-name',
            `duplicate unit mask "${name}" (also ${p}.unitMasks[${sameU}])`,
          );
      }
      if ((u.value & umaskLimit) !== 0n) {
        report(
          `${up}.value`,
          'umask-width',
          `${hex(u.value)} is wider than encoding.umaskBits (${umaskBits})`,
        );
      }
      if (u.counters !== undefined) checkCounterList(model, `${up}.counters`, u.counters, report);
      if (u.fixed !== undefined) checkFixed(model, `${up}.fixed`, u.fixed, report);
      for (const f of duplicates(u.flags))
        report(`${up}.flags`, 'duplicate-entry', `flag ${f} appears twice`);
    });

    const uncountable = (u?: PmuUnitMask) => {
      const { generic, fixed } = effectiveCounters(e, u);
      return generic.length === 0 && fixed === undefined;
    };
    if (e.unitMasks.length === 0 && uncountable()) {
      report(`${p}.counters`, 'countable', 'the event has no counter and no fixed counter');
    }
    e.unitMasks.forEach((u, j) => {
      if (uncountable(u)) {
        report(
          `${p}.unitMasks[${j}].counters`,
          'countable',
          `unit mask ${u.name} leaves no counter and no fixed counter`,
        );
      }
    });
  });
}

function checkEventRef(model: PmuModel, key: 'cycleEvent' | 'instRetiredEvent', report: Report): void {
  const ref = model[key];
  if (ref === undefined) return;
  // Stryker disable next-line StringLiteral: String.split always yields a first element; the default is for the type checker
  const [name = '', ...umasks] = ref.split(':');
  const event = model.eventByName(name);
  if (event === undefined) {
    report(key, 'event-ref', `no event named "${name}"`);
    return;
  }
  for (const u of umasks) {
    if (!event.unitMasks.some((m) => m.name.toUpperCase() === u.toUpperCase())) {
      report(key, 'event-ref', `event ${event.name} has no unit mask "${u}"`);
    }
  }
}

function checkScheme(model: PmuModel, report: Report): void {
  const scheme = findScheme(model.encoding.scheme);
  if (scheme === undefined) return;
  for (const [name, value] of Object.entries(model.encoding.options ?? {})) {
    const path = `encoding.options.${name}`;
    const option = Object.hasOwn(scheme.options, name) ? scheme.options[name] : undefined;
    if (option === undefined) {
      const known = Object.keys(scheme.options);
      const expected = known.length === 0 ? 'it takes none' : `it takes ${known.join(', ')}`;
      report(path, 'encoding-option', `scheme ${scheme.name} has no option "${name}" (${expected})`);
    } else if (
      option.kind === 'pmc' &&
      (typeof value !== 'number' || model.pmcByIndex(value) === undefined)
    ) {
      report(path, 'encoding-option', `${JSON.stringify(value)} is not the index of a PMC of this model`);
    } else if (option.kind === 'hex' && (typeof value !== 'string' || !HEX64_PATTERN.test(value))) {
      report(path, 'encoding-option', `${JSON.stringify(value)} is not a hex string such as "0xee"`);
    } else if (option.kind === 'boolean' && typeof value !== 'boolean') {
      report(path, 'encoding-option', `${JSON.stringify(value)} is not true or false`);
    }
  }
  scheme.checkModel?.(model, (path, message) => report(path, 'scheme-rule', message));
}

/** Apply every semantic rule to a normalised model. */
export function checkSemanticRules(model: PmuModel): ValidationError[] {
  const errors: ValidationError[] = [];
  const report: Report = (path, rule, message) => errors.push({ path, rule, message });
  if (model.counterWidth > model.hwCounterWidth) {
    report(
      'counterWidth',
      'counter-width',
      `${model.counterWidth} exceeds hwCounterWidth ${model.hwCounterWidth}`,
    );
  }
  checkRegisters(model, 'pmcs', report);
  checkRegisters(model, 'pmds', report);
  if (model.counterPmds.length === 0) report('pmds', 'no-counters', 'no PMD is a counter (type C64)');
  checkEvents(model, report);
  checkEventRef(model, 'cycleEvent', report);
  checkEventRef(model, 'instRetiredEvent', report);
  checkScheme(model, report);
  return errors;
}
