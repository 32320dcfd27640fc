import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';

/**
 * Writes a file all at once: into a temporary file beside it, then rename(2) over the target,
 * so a reader (or a crash) never sees half a file and a failed run leaves nothing behind.
 */
export function writeFileAtomic(path: string, content: string): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw e;
  }
}

/** Fails early (before any work) when `path` could not be written: missing directory, a directory. */
export function checkWritable(flag: string, path: string, cwd: string): string {
  const abs = resolve(cwd, path);
  const dir = dirname(abs);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(
      `${flag} ${path}: directory ${dir} does not exist`,
      'create it first or pick another path',
    );
  }
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw new UsageError(`${flag} ${path} is a directory`, 'give a file name');
  }
  return abs;
}

/** Files and directories given on the command line must exist. */
export function checkReadable(what: string, path: string, cwd: string): string {
  const abs = resolve(cwd, path);
  if (!existsSync(abs)) {
    const dir = dirname(abs);
    const near = existsSync(dir)
      ? readdirSync(dir).find((f) => f.toLowerCase().startsWith(basename(abs).slice(0, 3).toLowerCase()))
      : undefined;
    throw new UsageError(
      `${what} ${path} does not exist`,
      near ? `did you mean "${join(dirname(path), near)}"?` : 'check the path',
    );
  }
  if (statSync(abs).isDirectory()) throw new UsageError(`${what} ${path} is a directory`, 'give a file');
  return abs;
}
