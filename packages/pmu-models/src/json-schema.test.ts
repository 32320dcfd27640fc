import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validFixture } from './fixtures.js';
import { JSON_SCHEMA_FILE, renderJsonSchema } from './json-schema.js';
import { listModelFiles, PACKAGE_MODELS_DIR } from './registry.js';

const packageFile = (name: string) => new URL(`../${name}`, import.meta.url);
const committed = readFileSync(packageFile(JSON_SCHEMA_FILE), 'utf8');

describe('exported JSON Schema', () => {
  it('is up to date (run `pnpm --filter @pfmsim/pmu-models export-schema` if not)', () => {
    expect(committed).toBe(renderJsonSchema());
  });

  it('accepts every shipped model file and rejects broken ones, independently of zod sources', () => {
    const schema = z.fromJSONSchema(JSON.parse(committed));
    for (const file of listModelFiles(PACKAGE_MODELS_DIR)) {
      const result = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      expect(result.success, file).toBe(true);
    }
    const broken = validFixture();
    Object.assign(broken.pmcs[0]!, { reservedmask: '0x0' });
    broken.pmds[0]!.defaultValue = '12';
    const result = schema.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.code} ${i.path.join('.')}`).sort()).toEqual([
      'invalid_format pmds.0.defaultValue',
      'unrecognized_keys pmcs.0',
    ]);
  });

  it('is the file every shipped model names as its $schema, and a package export', () => {
    const named = listModelFiles(PACKAGE_MODELS_DIR).map(
      (file) => JSON.parse(readFileSync(file, 'utf8')).$schema,
    );
    expect(new Set(named)).toEqual(new Set([`../../${JSON_SCHEMA_FILE}`]));
    const manifest = JSON.parse(readFileSync(packageFile('package.json'), 'utf8'));
    expect(manifest.exports[`./${JSON_SCHEMA_FILE}`]).toBe(`./${JSON_SCHEMA_FILE}`);
  });

  it('describes the fields for editors', () => {
    const schema = JSON.parse(committed);
    expect(schema.title).toBe('pfmsim PMU model');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.counterWidth.description).toMatch(/ovfl_mask/);
    expect(schema.properties.pmcs.items.properties.reservedMask.pattern).toBe('^0x[0-9a-fA-F]{1,16}$');
  });
});

describe('published package', () => {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8'));

  it('ships the JSON Schema, the model files, the build and the README', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'models', JSON_SCHEMA_FILE, 'README.md']));
  });

  it('exports the schema and the model files', () => {
    expect(pkg.exports['./pmu-model.schema.json']).toBe(`./${JSON_SCHEMA_FILE}`);
    expect(pkg.exports['./models/*']).toBe('./models/*');
    expect(pkg.exports['.']['@pfmsim/source']).toBe('./src/index.ts');
  });
});
