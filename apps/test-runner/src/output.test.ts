// Output files: checked before the work, written whole or not at all, every failure an
// OutputError naming the path and the reason. Failures the tests cannot cause as root (a full
// disk, a directory that refuses files, a failing close) are injected into node:fs.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

type Injected = Partial<Record<'writeSync' | 'closeSync' | 'renameSync' | 'openSync', NodeJS.ErrnoException>>;
/** The next call of each function named fails with this error (once). */
const inject: Injected = {};
/** Opening a file for writing in a directory whose name starts with "no-write" is refused. */
const refused = (path: fs.PathLike, flags?: fs.OpenMode) =>
  typeof flags === 'string' && /[wa]/.test(flags) && basename(dirname(String(path))).startsWith('no-write');

function take(name: keyof Injected): void {
  const e = inject[name];
  if (e) {
    delete inject[name];
    throw e;
  }
}

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    openSync: (path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
      if (refused(path, flags)) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      take('openSync');
      return real.openSync(path, flags ?? 'r', mode);
    },
    writeSync: (...args: Parameters<typeof real.writeSync>) => {
      take('writeSync');
      return real.writeSync(...args);
    },
    closeSync: (fd: number) => {
      real.closeSync(fd);
      take('closeSync');
    },
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      take('renameSync');
      real.renameSync(from, to);
    },
  };
});

const { checkOutputDir, checkOutputFile, ioReason, makeOutputDir, OutputError, writeFileAtomic } =
  await import('./output.js');

const errno = (code: string) => Object.assign(new Error(`${code}: system message`), { code });

afterEach(() => {
  for (const k of Object.keys(inject)) delete inject[k as keyof Injected];
});

function dir(files: Record<string, string> = {}): string {
  const d = fs.mkdtempSync(join(tmpdir(), 'pfmsim-output-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(join(d, name), text);
  return d;
}

/** The error `fn` throws (it must throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

/** A private clone of a memory device (`mknod`): tests never write to /dev/null or /dev/full by path. */
function device(d: string, name: string, minor: number): string {
  const path = join(d, name);
  execFileSync('mknod', [path, 'c', '1', String(minor)], { stdio: 'ignore' });
  return path;
}

/** Whether this machine lets the tests make devices (as root, on a file system that allows them). */
const CAN_MKNOD = (() => {
  try {
    const d = fs.mkdtempSync(join(tmpdir(), 'pfmsim-mknod-'));
    fs.writeFileSync(device(d, 'null', 3), 'x');
    return true;
  } catch {
    return false;
  }
})();
const NEEDS_MKNOD = 'needs mknod (root, and a temporary directory that allows devices)';

describe('ioReason', () => {
  it('names the common errors in words, others by their code, then the message', () => {
    expect(ioReason(errno('ENOSPC'))).toBe('no space left on the device');
    expect(ioReason(errno('EACCES'))).toBe('permission denied');
    expect(ioReason(errno('EROFS'))).toBe('read-only file system');
    expect(ioReason(errno('ENOENT'))).toBe('no such directory');
    expect(ioReason(errno('EXDEV'))).toBe('EXDEV');
    expect(ioReason(new Error('plain'))).toBe('plain');
    expect(ioReason('text')).toBe('text');
    expect(ioReason(undefined)).toBe('undefined');
  });

  it('every code it has words for', () => {
    const words = Object.fromEntries(
      ['EPERM', 'ENOTDIR', 'EDQUOT', 'EISDIR', 'EEXIST', 'ENAMETOOLONG', 'EMFILE', 'EIO', 'EFBIG'].map(
        (c) => [c, ioReason(errno(c))],
      ),
    );
    expect(words).toEqual({
      EPERM: 'permission denied',
      ENOTDIR: 'a part of the path is not a directory',
      EDQUOT: 'disk quota exceeded',
      EISDIR: 'is a directory',
      EEXIST: 'already exists',
      ENAMETOOLONG: 'the name is too long',
      EMFILE: 'too many open files',
      EIO: 'input/output error',
      EFBIG: 'file too large',
    });
  });
});

describe('OutputError', () => {
  it('is PATH: REASON, keeping both', () => {
    const e = new OutputError('a/b.json', 'permission denied');
    expect([e.message, e.path, e.reason, e.name]).toEqual([
      'a/b.json: permission denied',
      'a/b.json',
      'permission denied',
      'OutputError',
    ]);
    expect(e).toBeInstanceOf(Error);
  });
});

describe('checkOutputFile', () => {
  it('a file that can be made: its absolute path, and nothing left behind', () => {
    const d = dir();
    expect(checkOutputFile('out.json', d)).toBe(join(d, 'out.json'));
    expect(checkOutputFile(join(d, 'x.json'))).toBe(join(d, 'x.json'));
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('a directory, a missing directory, a path through a file, a directory refusing files', () => {
    const d = dir({ afile: 'x' });
    fs.mkdirSync(join(d, 'no-write'));
    const reason = (p: string) =>
      (thrown(() => checkOutputFile(p, d)) as InstanceType<typeof OutputError>).message;
    expect(reason('.')).toBe('.: is a directory');
    expect(reason('gone/out.json')).toBe('gone/out.json: no such directory');
    expect(reason('afile/out.json')).toBe('afile/out.json: a part of the path is not a directory');
    expect(reason('no-write/out.json')).toBe('no-write/out.json: permission denied');
    expect(fs.readdirSync(d).sort()).toEqual(['afile', 'no-write']);
  });

  it('a name longer than a directory entry may be (255 bytes) is refused; 255 bytes are fine', () => {
    const d = dir();
    expect(checkOutputFile('n'.repeat(255), d)).toBe(join(d, 'n'.repeat(255)));
    expect((thrown(() => checkOutputFile('n'.repeat(256), d)) as Error).message).toBe(
      `${'n'.repeat(256)}: the name is too long`,
    );
    // bytes, not characters
    expect((thrown(() => checkOutputFile('é'.repeat(128), d)) as Error).message).toBe(
      `${'é'.repeat(128)}: the name is too long`,
    );
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('a directory that is there but where no file can be made (/proc/1) says so', () => {
    expect((thrown(() => checkOutputFile('/proc/1/r.html')) as Error).message).toBe(
      '/proc/1/r.html: no file can be created in that directory',
    );
    // a missing directory stays "no such directory"
    expect((thrown(() => checkOutputFile('/proc/1/gone/r.html')) as Error).message).toBe(
      '/proc/1/gone/r.html: no such directory',
    );
  });

  it.skipIf(!CAN_MKNOD)(
    `a device that cannot be opened is refused, not probed beside (${NEEDS_MKNOD})`,
    () => {
      const d = dir();
      // major 240 is reserved for local use: no driver behind it here, so open(2) fails with ENXIO
      const none = join(d, 'nodriver');
      execFileSync('mknod', [none, 'c', '240', '0'], { stdio: 'ignore' });
      expect((thrown(() => checkOutputFile(none)) as Error).message).toBe(`${none}: ENXIO`);
      expect(fs.readdirSync(d)).toEqual(['nodriver']);
    },
  );

  it.skipIf(!CAN_MKNOD)(`a device is opened, not replaced (${NEEDS_MKNOD})`, () => {
    const d = dir();
    const nul = device(d, 'null', 3);
    expect(checkOutputFile(nul)).toBe(nul);
    expect(fs.statSync(nul).isCharacterDevice()).toBe(true);
    inject.openSync = errno('EACCES');
    expect((thrown(() => checkOutputFile(nul)) as Error).message).toBe(`${nul}: permission denied`);
  });
});

describe('checkOutputDir', () => {
  it('an existing or missing directory under a writable one: its absolute path, nothing made', () => {
    const d = dir();
    expect(checkOutputDir(d)).toBe(d);
    expect(checkOutputDir('a/b', d)).toBe(join(d, 'a', 'b'));
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('a file on the way, or a directory refusing files (named when it is a parent)', () => {
    const d = dir({ afile: 'x' });
    const f = join(d, 'afile');
    expect((thrown(() => checkOutputDir(f)) as Error).message).toBe(`${f}: ${f} is not a directory`);
    expect((thrown(() => checkOutputDir('afile/sub', d)) as Error).message).toBe(
      `afile/sub: ${f} is not a directory`,
    );
    const nw = join(d, 'no-write');
    fs.mkdirSync(nw);
    const e = thrown(() => checkOutputDir(nw)) as InstanceType<typeof OutputError>;
    expect([e.path, e.reason]).toEqual([nw, 'permission denied']);
    expect((thrown(() => checkOutputDir(join(nw, 'a', 'b'))) as Error).message).toBe(
      `${join(nw, 'a', 'b')}: ${nw}: permission denied`,
    );
    expect(fs.readdirSync(nw)).toEqual([]);
  });
});

describe('makeOutputDir', () => {
  it('makes the directory and its parents; an existing one is fine; a failure is an OutputError', () => {
    const d = dir({ afile: 'x' });
    makeOutputDir(join(d, 'a', 'b'));
    makeOutputDir(join(d, 'a', 'b'));
    expect(fs.statSync(join(d, 'a', 'b')).isDirectory()).toBe(true);
    const e = thrown(() => makeOutputDir(join(d, 'afile', 'sub')));
    expect(e).toBeInstanceOf(OutputError);
    expect((e as Error).message).toBe(`${join(d, 'afile', 'sub')}: a part of the path is not a directory`);
    // a file where the directory should be
    expect((thrown(() => makeOutputDir(join(d, 'afile'))) as Error).message).toBe(
      `${join(d, 'afile')}: is not a directory`,
    );
  });
});

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an old one, leaving no temporary file', () => {
    const d = dir();
    const p = join(d, 'out.json');
    writeFileAtomic(p, 'one\n');
    expect(fs.readFileSync(p, 'utf8')).toBe('one\n');
    writeFileAtomic(p, 'two, longer\n');
    expect(fs.readFileSync(p, 'utf8')).toBe('two, longer\n');
    expect(fs.readdirSync(d)).toEqual(['out.json']);
    // relative to the working directory
    const rel = relative(process.cwd(), join(d, 'rel.txt'));
    writeFileAtomic(rel, 'r');
    expect(fs.readFileSync(join(d, 'rel.txt'), 'utf8')).toBe('r');
  });

  it('writes text of any size whole (several writes)', () => {
    const d = dir();
    const p = join(d, 'big.txt');
    const text = 'é'.repeat(3_000_000);
    writeFileAtomic(p, text);
    expect(fs.readFileSync(p, 'utf8')).toBe(text);
  });

  it('keeps the mode of the file it replaces; a link stays a link', () => {
    const d = dir({ 'real.txt': 'old' });
    const real = join(d, 'real.txt');
    fs.chmodSync(real, 0o640);
    writeFileAtomic(real, 'new');
    expect(fs.statSync(real).mode & 0o7777).toBe(0o640);
    fs.chmodSync(real, 0o755);
    const link = join(d, 'link.txt');
    fs.symlinkSync(real, link);
    writeFileAtomic(link, 'through the link');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe('through the link');
    expect(fs.statSync(real).mode & 0o7777).toBe(0o755);
    expect(fs.readdirSync(d).sort()).toEqual(['link.txt', 'real.txt']);
  });

  it('a name near the longest a file may have still gets a temporary file', () => {
    const d = dir();
    const p = join(d, `${'n'.repeat(250)}.json`);
    writeFileAtomic(p, 'x');
    expect(fs.readFileSync(p, 'utf8')).toBe('x');
  });

  it('a disk that fills up: OutputError, the old file as it was, no temporary file', () => {
    const d = dir({ 'out.json': 'old' });
    const p = join(d, 'out.json');
    inject.writeSync = errno('ENOSPC');
    const e = thrown(() => writeFileAtomic(p, 'new')) as InstanceType<typeof OutputError>;
    expect(e).toBeInstanceOf(OutputError);
    expect(e.message).toBe(`${p}: no space left on the device`);
    expect(fs.readFileSync(p, 'utf8')).toBe('old');
    expect(fs.readdirSync(d)).toEqual(['out.json']);
  });

  it('a close or a rename that fails is an OutputError too, and the temporary file is removed', () => {
    const d = dir({ 'out.json': 'old' });
    const p = join(d, 'out.json');
    inject.closeSync = errno('EIO');
    expect((thrown(() => writeFileAtomic(p, 'new')) as Error).message).toBe(`${p}: input/output error`);
    inject.renameSync = errno('EXDEV');
    expect((thrown(() => writeFileAtomic(p, 'new')) as Error).message).toBe(`${p}: EXDEV`);
    expect(fs.readFileSync(p, 'utf8')).toBe('old');
    expect(fs.readdirSync(d)).toEqual(['out.json']);
  });

  it('a directory in the way, a missing directory, a directory refusing files', () => {
    const d = dir();
    fs.mkdirSync(join(d, 'sub'));
    fs.mkdirSync(join(d, 'no-write'));
    const message = (p: string) => (thrown(() => writeFileAtomic(p, 'x')) as Error).message;
    expect(message(join(d, 'sub'))).toBe(`${join(d, 'sub')}: is a directory`);
    expect(message(join(d, 'gone', 'x.json'))).toBe(`${join(d, 'gone', 'x.json')}: no such directory`);
    expect(message(join(d, 'no-write', 'x.json'))).toBe(
      `${join(d, 'no-write', 'x.json')}: permission denied`,
    );
    expect(fs.readdirSync(d).sort()).toEqual(['no-write', 'sub']);
    expect(fs.readdirSync(join(d, 'sub'))).toEqual([]);
  });

  it.skipIf(!CAN_MKNOD)(
    `a device is written in place, never replaced; a full one is an OutputError (${NEEDS_MKNOD})`,
    () => {
      const d = dir();
      const full = device(d, 'full', 7);
      const nul = device(d, 'null', 3);
      writeFileAtomic(nul, 'discarded');
      expect(fs.statSync(nul).isCharacterDevice()).toBe(true);
      expect((thrown(() => writeFileAtomic(full, 'lost')) as Error).message).toBe(
        `${full}: no space left on the device`,
      );
      expect(fs.statSync(full).isCharacterDevice()).toBe(true);
      inject.closeSync = errno('EIO');
      expect((thrown(() => writeFileAtomic(nul, 'x')) as Error).message).toBe(`${nul}: input/output error`);
      expect(fs.readdirSync(d).sort()).toEqual(['full', 'null']);
    },
  );
});
