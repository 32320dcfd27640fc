// Writes packages/pmu-models/pmu-model.schema.json from the zod schema.
// Run: pnpm --filter @pfmsim/pmu-models export-schema
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JSON_SCHEMA_FILE, renderJsonSchema } from '../src/json-schema.js';

const target = fileURLToPath(new URL(`../${JSON_SCHEMA_FILE}`, import.meta.url));
writeFileSync(target, renderJsonSchema());
process.stdout.write(`wrote ${target}\n`);
