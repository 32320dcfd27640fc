import { writeFileSync } from 'node:fs';
import { JSON_SCHEMA_FILE, renderJsonSchema } from '../src/json-schema.js';

writeFileSync(new URL(`../${JSON_SCHEMA_FILE}`, import.meta.url), renderJsonSchema());
process.stdout.write(`wrote ${JSON_SCHEMA_FILE}\n`);
