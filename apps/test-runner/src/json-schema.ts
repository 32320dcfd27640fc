/**
 * The JSON Schema of scenario files, generated from the zod schema. `scenario.schema.json` at
 * the package root is this text (`pnpm export-schema` writes it); a test fails when it is
 * stale. Scenario files can point editors at it with `$schema: ../scenario.schema.json`.
 */
import { z } from 'zod';
import { ScenarioSchema } from './schema.js';

export const JSON_SCHEMA_FILE = 'scenario.schema.json';

export function buildJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ScenarioSchema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'throw',
  }) as Record<string, unknown>;
}

export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
