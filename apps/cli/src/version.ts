import { readFileSync } from 'node:fs';

/**
 * The package version, read from package.json. Source files (src/*.ts) and the built bundle
 * (dist/*.js) both sit one directory below the package root, so one relative URL serves both.
 */
function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION: string = readVersion();
