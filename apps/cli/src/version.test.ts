import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_DIR, tempDir } from '../test/helpers.js';
import { readVersion, VERSION } from './version.js';

function packageJson(text: string): URL {
  const file = join(tempDir(), 'package.json');
  writeFileSync(file, text);
  return pathToFileURL(file);
}

describe('the pfmsim version', () => {
  it('is the version of the package', () => {
    const pkg = JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(readVersion()).toBe(pkg.version);
  });

  it('reads the version field of a package.json', () => {
    expect(readVersion(packageJson('{"name":"@pfmsim/cli","version":"1.4.2"}'))).toBe('1.4.2');
  });

  it('is 0.0.0 when package.json has no version string, is no JSON or is missing', () => {
    expect(readVersion(packageJson('{"version":142}'))).toBe('0.0.0');
    expect(readVersion(packageJson('{"name":"x"}'))).toBe('0.0.0');
    expect(readVersion(packageJson('{"version":'))).toBe('0.0.0');
    expect(readVersion(pathToFileURL(join(tempDir(), 'package.json')))).toBe('0.0.0');
  });
});
