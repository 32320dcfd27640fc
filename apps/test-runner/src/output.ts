/**
 * Output files of both tools (pfmsim-test and pfmsim): checked before any work, written whole
 * or not at all. A failure is an OutputError naming the path and the reason in plain words; the
 * commands turn it into one line and exit 2.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** An output path that cannot be written; `message` is `PATH: REASON`. */
export class OutputError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'OutputError';
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EFBIG: 'file too large',
};

/** The reason an I/O call failed, in words (the errno name when it has none here). */
export function ioReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && REASONS[code]) return REASONS[code];
  if (code) return code;
  return error instanceof Error ? error.message : String(error);
}

/** A path that exists and is not a regular file or directory (a device, a FIFO): written in place. */
function isSpecial(path: string): boolean {
  try {
    const st = statSync(path);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}

function tempBeside(path: string): string {
  // the name is cut so that the temporary name stays within the 255 bytes a name may have
  const name = basename(path).slice(0, 200);
  return join(dirname(path), `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text);
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

/** Closes `fd`, ignoring a failure (used once the write has already failed). */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // the write's own error is the one to report
  }
}

/**
 * Checks, before any work, that `path` can be written as an output file: it is not a directory,
 * and a file can be created beside it (a temporary file is made and removed, so permissions,
 * read-only file systems and missing directories all show now). Devices and FIFOs are opened
 * for writing instead. Returns the absolute path; throws OutputError.
 */
export function checkOutputFile(path: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new OutputError(path, 'is a directory');
  if (isSpecial(abs)) {
    try {
      closeSync(openSync(abs, 'a'));
    } catch (e) {
      throw new OutputError(path, ioReason(e));
    }
    return abs;
  }
  // (the probe's own name is cut to fit, so a name over NAME_MAX would pass it unseen)
  if (Buffer.byteLength(basename(abs)) > 255) throw new OutputError(path, 'the name is too long');
  const tmp = tempBeside(abs);
  try {
    closeSync(openSync(tmp, 'wx'));
  } catch (e) {
    // /proc/1/x: the directory is there, but no file can be made in it
    const inExistingDir = (e as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(dirname(abs));
    throw new OutputError(path, inExistingDir ? 'no file can be created in that directory' : ioReason(e));
  }
  unlinkSync(tmp);
  return abs;
}

/**
 * Checks, before any work, that files can be created in the directory `dir` (made when missing,
 * so a missing one is checked at its nearest existing parent, which the reason then names).
 * Throws OutputError.
 */
export function checkOutputDir(dir: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, dir);
  let p = abs;
  while (!existsSync(p)) p = dirname(p);
  if (!statSync(p).isDirectory()) throw new OutputError(dir, `${p} is not a directory`);
  const tmp = join(p, `.pfmsim-probe.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    closeSync(openSync(tmp, 'wx'));
  } catch (e) {
    throw new OutputError(dir, p === abs ? ioReason(e) : `${p}: ${ioReason(e)}`);
  }
  unlinkSync(tmp);
  return abs;
}

/** Makes the directory `dir` (and its parents) when missing. Throws OutputError. */
export function makeOutputDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    // EEXIST: a file where the directory should be
    const code = (e as NodeJS.ErrnoException).code;
    throw new OutputError(dir, code === 'EEXIST' ? 'is not a directory' : ioReason(e));
  }
}

/**
 * Writes `text` to `path` whole or not at all: into a temporary file beside it, flushed, then
 * renamed over it, so a reader or a crash never sees half a file and a failure leaves the old
 * file as it was. The replaced file keeps its mode, and a link to a file stays a link (the file
 * it leads to is replaced). A device or FIFO is written in place. Throws OutputError.
 */
export function writeFileAtomic(path: string, text: string): void {
  if (isSpecial(path)) {
    writeInPlace(path, text);
    return;
  }
  const target = existsSync(path) ? realpathSync(path) : path;
  const mode = existsSync(target) ? statSync(target).mode & 0o7777 : undefined;
  const tmp = tempBeside(target);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    if (mode !== undefined) fchmodSync(fd, mode);
    writeAll(fd, text);
    fsyncSync(fd);
    const done = fd;
    fd = undefined;
    closeSync(done);
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never made
    }
    throw new OutputError(path, ioReason(e));
  }
}

function writeInPlace(path: string, text: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'a');
    writeAll(fd, text);
    const done = fd;
    fd = undefined;
    closeSync(done);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    throw new OutputError(path, ioReason(e));
  }
}
