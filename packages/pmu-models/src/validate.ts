/**
 * `validateModel(data)`: the schema first, then the semantic rules. Every error names the
 * JSON path (`events[12].counters`), the rule (`counter-exists`) and a message
 * (`counter 5 does not exist`). A file that fails the schema still gets the semantic rules
 * on the parts that parsed (see `salvage.ts`), so all of its errors come at once.
 */
import type { z } from 'zod';
import { normaliseModel, type PmuModel } from './model.js';
import { checkSemanticRules, type SemanticRule, type ValidationError } from './rules.js';
import { restoreIndexes, salvageModel } from './salvage.js';
import { PmuModelFileSchema } from './schema.js';
import { findScheme, listSchemes } from './schemes/registry.js';

export type { ValidationError } from './rules.js';

export type ValidationResult =
  | { readonly ok: true; readonly model: PmuModel }
  | { readonly ok: false; readonly errors: readonly ValidationError[] };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Render a path as `events[12].unitMasks[0].value`; the empty path is `$`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out === '' ? '$' : out;
}

/** `events[12].counters: counter 5 does not exist [counter-exists]` */
export function formatValidationError(error: ValidationError): string {
  return `${error.path}: ${error.message} [${error.rule}]`;
}

function hasPath(data: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = data;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

function schemaErrors(data: unknown, issues: readonly z.core.$ZodIssue[]): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const issue of issues) {
    const path = issue.path;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          errors.push({
            path: formatPath([...path, key]),
            rule: 'unknown-key',
            message: `unknown property "${key}"`,
          });
        }
        break;
      case 'invalid_type':
        if (!hasPath(data, path)) {
          errors.push({
            path: formatPath(path),
            rule: 'required',
            message: `required ${issue.expected} is missing`,
          });
        } else {
          errors.push({ path: formatPath(path), rule: 'type', message: issue.message });
        }
        break;
      case 'invalid_format':
        errors.push({ path: formatPath(path), rule: 'format', message: issue.message });
        break;
      case 'too_big':
      case 'too_small':
        errors.push({ path: formatPath(path), rule: 'range', message: issue.message });
        break;
      case 'invalid_value':
        errors.push({ path: formatPath(path), rule: 'enum', message: issue.message });
        break;
      default:
        errors.push({ path: formatPath(path), rule: 'schema', message: issue.message });
    }
  }
  return errors;
}

function checkSchemeName(name: string): ValidationError[] {
  if (findScheme(name) !== undefined) return [];
  return [
    {
      path: 'encoding.scheme',
      rule: 'enum',
      message: `unknown encoding scheme "${name}": expected one of ${listSchemes().join(', ')} (a plugin may register more)`,
    },
  ];
}

/**
 * The semantic errors of the parts of a schema-invalid file that parsed, with the file's own
 * paths; none at or under a path the schema already reported, none from a rule that reads a
 * part that did not parse.
 */
function salvagedErrors(data: unknown, schema: readonly ValidationError[]): ValidationError[] {
  const salvage = salvageModel(data);
  if (salvage === undefined) return [];
  const model = normaliseModel(salvage.file);
  const reported = schema.map((e) => e.path);
  const within = (path: string) =>
    reported.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
  const scheme = salvage.skipped.has('scheme-name') ? [] : checkSchemeName(model.encoding.scheme);
  return [...scheme, ...checkSemanticRules(model)]
    .filter((e) => !salvage.skipped.has(e.rule as SemanticRule))
    .map((e) => ({
      ...e,
      path: restoreIndexes(e.path, salvage.indexes),
      message: restoreIndexes(e.message, salvage.indexes),
    }))
    .filter((e) => !within(e.path));
}

/**
 * Validate parsed JSON against the PMU model format. On success returns the normalised,
 * frozen {@link PmuModel}; otherwise every error found: the schema errors, then the semantic
 * errors of the parts that parsed.
 */
export function validateModel(data: unknown): ValidationResult {
  const parsed = PmuModelFileSchema.safeParse(data);
  if (!parsed.success) {
    const errors = schemaErrors(data, parsed.error.issues);
    return { ok: false, errors: [...errors, ...salvagedErrors(data, errors)] };
  }
  const model = normaliseModel(parsed.data);
  const errors = [...checkSchemeName(model.encoding.scheme), ...checkSemanticRules(model)];
  return errors.length === 0 ? { ok: true, model } : { ok: false, errors };
}
