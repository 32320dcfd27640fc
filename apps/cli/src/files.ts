import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkOutputFile, OutputError, writeFileAtomic as writeWhole } from '@pfmsim/test-runner';
import { UsageError } from './errors.js';

/**
 * Writes a file whole or not at all (temporary file + rename; a device or FIFO in place). A
 * failure is a UsageError naming the path and the reason: exit 2, one line.
 */
export function writeFileAtomic(path: string, content: string): void {
  try {
    writeWhole(path, content);
  } catch (e) {
    if (e instanceof OutputError) throw new UsageError(`cannot write ${path}: ${e.reason}`);
    throw e;
  }
}

/**
 * Fails early, before any work, when `path` could not be written: a missing directory, a
 * directory, no permission, a read-only file system (a file is created beside it and removed).
 */
export function checkWritable(flag: string, path: string, cwd: string): string {
  try {
    return checkOutputFile(path, cwd);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    if (e.reason === 'is a directory')
      throw new UsageError(`${flag} ${path} is a directory`, 'give a file name');
    if (e.reason === 'no such directory' || e.reason === 'a part of the path is not a directory') {
      throw new UsageError(
        `${flag} ${path}: directory ${dirname(resolve(cwd, path))} does not exist`,
        'create it first or pick another path',
      );
    }
    throw new UsageError(`${flag} ${path}: ${e.reason}`, 'pick a path you can write');
  }
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
