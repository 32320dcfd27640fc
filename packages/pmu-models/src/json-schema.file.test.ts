import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_FILE, renderJsonSchema } from './json-schema.js';
import { listModelFiles, PACKAGE_MODELS_DIR } from './registry.js';

// Everything is read inside the tests, so a wrong file name fails a test rather than the import.
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

describe('JSON_SCHEMA_FILE', () => {
  it('names the committed schema file at the package root, which holds the rendered schema', () => {
    const path = resolve(packageRoot, JSON_SCHEMA_FILE);
    expect(dirname(path)).toBe(resolve(packageRoot));
    expect(statSync(path).isFile()).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(renderJsonSchema());
  });

  it('is the file each shipped model’s $schema resolves to', () => {
    for (const file of listModelFiles(PACKAGE_MODELS_DIR)) {
      const ref: string = JSON.parse(readFileSync(file, 'utf8')).$schema;
      expect(basename(ref), file).toBe(JSON_SCHEMA_FILE);
      expect(resolve(dirname(file), ref), file).toBe(resolve(packageRoot, JSON_SCHEMA_FILE));
    }
  });

  it('is a file the published package ships and exports under its own name', () => {
    const pkg = JSON.parse(readFileSync(resolve(packageRoot, 'package.json'), 'utf8'));
    expect(pkg.files).toContain(JSON_SCHEMA_FILE);
    expect(pkg.exports[`./${JSON_SCHEMA_FILE}`]).toBe(`./${JSON_SCHEMA_FILE}`);
    expect(JSON_SCHEMA_FILE.endsWith('.schema.json')).toBe(true);
  });
});
