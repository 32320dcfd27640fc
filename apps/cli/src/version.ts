import { readFileSync } from 'node:fs';

/**
 * The package version, read from package.json ("0.0.0" if it is missing or has none). Source
 * files (src/*.ts) and the built bundle (dist/*.js) both sit one directory below the package
 * root, so one relative URL serves both.
 */
export function readVersion(packageJson: URL = new URL('../package.json', import.meta.url)): string {
  try {
    const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION: string = readVersion();
