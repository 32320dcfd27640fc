import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { JSON_SCHEMA_FILE, renderJsonSchema } from './json-schema.js';
import { findScenarioFiles } from './suite.js';
import { normalizeYaml } from './values.js';

const packageFile = (name: string) => new URL(`../${name}`, import.meta.url);
const committed = readFileSync(packageFile(JSON_SCHEMA_FILE), 'utf8');

describe('scenario.schema.json', () => {
  it('is up to date (run `pnpm --filter @pfmsim/test-runner export-schema` if not)', () => {
    expect(committed).toBe(renderJsonSchema());
  });

  it('accepts every shipped scenario file, independently of the zod sources', () => {
    const schema = z.fromJSONSchema(JSON.parse(committed));
    const files = findScenarioFiles([
      new URL('../conformance', import.meta.url).pathname,
      new URL('../examples', import.meta.url).pathname,
    ]);
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const data = normalizeYaml(parse(readFileSync(file, 'utf8'), { intAsBigInt: true }));
      const r = schema.safeParse(data);
      expect(r.success, `${file}: ${JSON.stringify(r.error?.issues.slice(0, 2))}`).toBe(true);
    }
  });

  it('describes the fields for editors and refuses unknown keys', () => {
    const schema = JSON.parse(committed);
    expect(schema.title).toBe('pfmsim-test scenario');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'machine']));
    expect(JSON.stringify(schema)).toMatch(/exactly one action/);
    const r = z.fromJSONSchema(schema).safeParse({ name: 'x', machine: 'p4-2006', stpes: [] });
    expect(r.success).toBe(false);
  });
});

describe('published package', () => {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8'));
  it('ships the conformance suite, the schema, the examples and the build', () => {
    expect(pkg.files).toEqual(
      expect.arrayContaining(['dist', 'conformance', 'examples', JSON_SCHEMA_FILE, 'README.md']),
    );
    expect(pkg.bin['pfmsim-test']).toBe('./dist/bin.js');
    expect(pkg.exports['./scenario.schema.json']).toBe(`./${JSON_SCHEMA_FILE}`);
  });
});
