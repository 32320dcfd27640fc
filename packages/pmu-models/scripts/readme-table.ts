// Regenerates the model table in packages/pmu-models/README.md from the model files.
// Run: pnpm --filter @pfmsim/pmu-models readme
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getModel, listModelIds } from '../src/registry.js';
import { renderModelTable, replaceModelTable } from '../src/table.js';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const table = renderModelTable(listModelIds().map((id) => getModel(id)));
const current = readFileSync(readme, 'utf8');
const next = replaceModelTable(current, table);
// Written only when stale, so running it on an up-to-date tree touches nothing.
if (next !== current) writeFileSync(readme, next);
process.stdout.write(`${table}\n`);
