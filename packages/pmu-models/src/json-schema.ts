/**
 * The JSON Schema that model files reference with `"$schema": "../../pmu-model.schema.json"`,
 * generated from the zod schema. `scripts/export-schema.ts` writes it to
 * `pmu-model.schema.json`; a test fails when the committed file is stale.
 */
import { z } from 'zod';
import { PmuModelFileSchema } from './schema.js';
import { BUILTIN_SCHEMES } from './schemes/registry.js';

/** File name of the exported schema at the package root (also a package export). */
export const JSON_SCHEMA_FILE = 'pmu-model.schema.json';

/** The JSON Schema (draft-07, which editors support best) for a model file. */
export function buildJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PmuModelFileSchema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'throw',
  }) as unknown as JsonObject;
  // Editors complete the built-in scheme names; the validator also accepts registered ones.
  const scheme = schema.properties.encoding.properties.scheme;
  scheme.examples = BUILTIN_SCHEMES.map((s) => s.name);
  return schema;
}

interface JsonObject extends Record<string, unknown> {
  properties: { encoding: { properties: { scheme: Record<string, unknown> } } };
}

/** The exact text of `pmu-model.schema.json`. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
