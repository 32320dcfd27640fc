/**
 * The conformance suite: one function run over every model, shipped or contributed.
 * It regroups the semantic rules under the issue's headings and adds what validation cannot
 * see from the fields alone: that every event encodes into the PMCs that drive its
 * counters, that the model survives a round trip through the schema, and that the file is
 * filed under its vendor.
 */
import { basename, dirname } from 'node:path';
import { eventFields } from './encode.js';
import {
  bitsAbove,
  effectiveCounters,
  type PmuEvent,
  type PmuModel,
  type PmuUnitMask,
  toModelFile,
} from './model.js';
import { checkSemanticRules, type SemanticRule } from './rules.js';
import { findScheme } from './schemes/registry.js';
import { validateModel } from './validate.js';

export const CONFORMANCE_CHECKS = {
  unique: 'unique register indexes and names, event names and unit-mask names',
  'masks-widths': 'reserved masks, event codes and unit masks consistent with the widths',
  constraints: 'every constraint names real counters; every event and unit mask is countable',
  defaults: 'default values free of reserved bits (PMDs), and within the register width',
  references: 'register type flags; cycleEvent, instRetiredEvent and encoding options resolve',
  encodable:
    'every event, alone and with each unit mask (and all combinable masks together), encodes into a PMC that controls each allowed counter without touching its reserved bits',
  'round-trip': 'model -> file -> schema -> model gives the same model',
  'file-location': 'the file sits in a directory named after its vendor',
} as const;
export type ConformanceCheck = keyof typeof CONFORMANCE_CHECKS;

const RULE_CHECK: Readonly<Record<SemanticRule, ConformanceCheck>> = {
  'register-limit': 'masks-widths',
  'unique-index': 'unique',
  'unique-name': 'unique',
  'duplicate-entry': 'unique',
  'register-type': 'references',
  'no-emul64': 'defaults',
  'reserved-width': 'masks-widths',
  'counter-width': 'masks-widths',
  'no-counters': 'constraints',
  'default-reserved': 'defaults',
  controls: 'constraints',
  'code-width': 'masks-widths',
  'umask-width': 'masks-widths',
  'counter-exists': 'constraints',
  'counter-type': 'constraints',
  'fixed-exists': 'constraints',
  'fixed-control': 'constraints',
  countable: 'constraints',
  'event-ref': 'references',
  'encoding-option': 'references',
  'scheme-rule': 'constraints',
};

export interface ConformanceFinding {
  readonly check: ConformanceCheck;
  /** The validation rule, or the check name for conformance-only checks. */
  readonly rule: string;
  readonly path: string;
  readonly message: string;
}

export interface ConformanceOptions {
  /** The file the model came from; enables the `file-location` check. */
  readonly file?: string;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

interface Selection {
  readonly path: string;
  readonly label: string;
  readonly unitMasks: readonly PmuUnitMask[];
}

function selections(event: PmuEvent, path: string): Selection[] {
  if (event.unitMasks.length === 0) return [{ path, label: event.name, unitMasks: [] }];
  const single = event.unitMasks.map((u, j) => ({
    path: `${path}.unitMasks[${j}]`,
    label: `${event.name}:${u.name}`,
    unitMasks: [u],
  }));
  if (!event.umaskCombinable || event.unitMasks.length < 2) return single;
  return [
    ...single,
    { path: `${path}.unitMasks`, label: `${event.name} with every unit mask`, unitMasks: event.unitMasks },
  ];
}

function checkEncodable(model: PmuModel, add: (f: ConformanceFinding) => void): void {
  const { umaskBits } = model.encoding;
  const pmcImage = findScheme(model.encoding.scheme)?.pmcImage;
  model.events.forEach((event, i) => {
    for (const sel of selections(event, `events[${i}]`)) {
      const finding = (message: string) =>
        add({ check: 'encodable', rule: 'encodable', path: sel.path, message });
      const { select, umask } = eventFields(model, event, sel.unitMasks);
      if ((umask & bitsAbove(umaskBits)) !== 0n) {
        finding(`${sel.label}: unit mask ${hex(umask)} does not fit ${umaskBits} bits`);
        continue;
      }
      const only = sel.unitMasks.length === 1 ? sel.unitMasks[0] : undefined;
      const { generic, fixed } = effectiveCounters(event, only);
      // Counters that do not exist or are not counters are already semantic-rule findings.
      for (const counter of generic.filter((c) => model.pmdByIndex(c)?.isCounter === true)) {
        const pmcs = model.pmcs.filter((p) => p.controls.includes(counter));
        if (pmcs.length === 0) finding(`${sel.label}: no PMC controls counter ${counter}`);
        if (pmcImage === undefined) continue;
        const value = pmcImage(model, select, umask);
        for (const pmc of pmcs) {
          const clash = value & pmc.reservedMask;
          if (clash !== 0n) {
            finding(
              `${sel.label} encodes to ${hex(value)}, setting reserved bits ${hex(clash)} of ${pmc.name}`,
            );
          }
        }
      }
      if (fixed !== undefined && !(model.pmcByIndex(fixed.pmc)?.controls.includes(fixed.pmd) ?? false)) {
        finding(`${sel.label}: fixed counter ${fixed.pmd} is not controlled by PMC ${fixed.pmc}`);
      }
    }
  });
}

function checkRoundTrip(model: PmuModel, add: (f: ConformanceFinding) => void): void {
  const file = toModelFile(model);
  const text = JSON.stringify(file);
  const again = validateModel(JSON.parse(text));
  if (!again.ok) {
    for (const e of again.errors)
      add({ check: 'round-trip', rule: e.rule, path: e.path, message: e.message });
    return;
  }
  if (JSON.stringify(toModelFile(again.model)) !== text) {
    add({
      check: 'round-trip',
      rule: 'round-trip',
      path: '$',
      message: 'the model changes after a round trip through the schema',
    });
  }
}

/**
 * Run the conformance suite over one model. An empty result means the model conforms.
 * Findings name the check, the rule, the JSON path and what is wrong.
 */
export function runConformance(model: PmuModel, options: ConformanceOptions = {}): ConformanceFinding[] {
  const findings: ConformanceFinding[] = [];
  const add = (f: ConformanceFinding) => findings.push(f);
  const errors = checkSemanticRules(model);
  for (const e of errors) {
    add({ check: RULE_CHECK[e.rule as SemanticRule], rule: e.rule, path: e.path, message: e.message });
  }
  checkEncodable(model, add);
  // A model that breaks a rule cannot survive validation on the way back; say it once.
  if (errors.length === 0) checkRoundTrip(model, add);
  if (options.file !== undefined) {
    const dir = basename(dirname(options.file));
    if (!options.file.endsWith('.json')) {
      add({
        check: 'file-location',
        rule: 'file-location',
        path: '$',
        message: `${options.file} is not a .json file`,
      });
    }
    if (dir !== model.vendor) {
      add({
        check: 'file-location',
        rule: 'file-location',
        path: 'vendor',
        message: `vendor "${model.vendor}" but the file is in directory "${dir}" (expected models/${model.vendor}/)`,
      });
    }
  }
  return findings;
}

/** `[encodable] events[3].unitMasks[1]: ...` */
export function formatFinding(f: ConformanceFinding): string {
  return `[${f.check}] ${f.path}: ${f.message}${f.rule === f.check ? '' : ` (${f.rule})`}`;
}
