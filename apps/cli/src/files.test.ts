import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usageLine } from '../test/helpers.js';
import { checkReadable, checkWritable, writeFileAtomic } from './files.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'pfmsim-files-'));

describe('atomic writes', () => {
  it('write the whole content and leave no temporary file', () => {
    const dir = scratch();
    const path = join(dir, 'out.json');
    writeFileAtomic(path, '{"a": 1}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"a": 1}\n');
    writeFileAtomic(path, 'second\n');
    expect(readFileSync(path, 'utf8')).toBe('second\n');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });

  it('a write that fails throws, keeps the old file and cleans up its temporary file', () => {
    const dir = scratch();
    // rename(2) over a non-empty directory fails after the temporary file was written.
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'keep'), 'x');
    expect(usageLine(() => writeFileAtomic(join(dir, 'taken'), 'new'))).toMatch(
      /^cannot write .*taken: (is a directory|ENOTEMPTY)$/,
    );
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(join(dir, 'taken'))).toEqual(['keep']);
    // A missing directory: nothing to write, nothing to clean up, the error still surfaces.
    expect(usageLine(() => writeFileAtomic(join(dir, 'missing', 'out.json'), 'x'))).toBe(
      `cannot write ${join(dir, 'missing', 'out.json')}: no such directory`,
    );
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});

describe('output paths are checked before the work', () => {
  it('a path in an existing directory resolves against the working directory', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'sub'));
    expect(checkWritable('--export-json', 'sub/x.json', dir)).toBe(join(dir, 'sub', 'x.json'));
    expect(checkWritable('--export-json', join(dir, 'y.json'), '/')).toBe(join(dir, 'y.json'));
    // An existing file may be replaced.
    writeFileSync(join(dir, 'old.json'), '{}');
    expect(checkWritable('-o', 'old.json', dir)).toBe(join(dir, 'old.json'));
  });

  it('a missing directory, a file taken for a directory, or a directory as the target fails', () => {
    const dir = scratch();
    expect(usageLine(() => checkWritable('--export-csv', 'no/such/x.csv', dir))).toBe(
      `--export-csv no/such/x.csv: directory ${join(dir, 'no', 'such')} does not exist; create it first or pick another path`,
    );
    writeFileSync(join(dir, 'file'), '');
    expect(usageLine(() => checkWritable('-o', 'file/x.csv', dir))).toBe(
      `-o file/x.csv: directory ${join(dir, 'file')} does not exist; create it first or pick another path`,
    );
    mkdirSync(join(dir, 'out'));
    expect(usageLine(() => checkWritable('-o', 'out', dir))).toBe('-o out is a directory; give a file name');
    expect(readdirSync(dir).sort()).toEqual(['file', 'out']);
  });

  it('a directory where no file can be made, or a reason of the system, is named', () => {
    expect(usageLine(() => checkWritable('-o', '/proc/1/r.html', '/'))).toBe(
      '-o /proc/1/r.html: no file can be created in that directory; pick a path you can write',
    );
    const long = 'n'.repeat(300);
    expect(usageLine(() => checkWritable('-o', long, scratch()))).toBe(
      `-o ${long}: the name is too long; pick a path you can write`,
    );
  });
});

describe('input paths must exist', () => {
  it('an existing file resolves against the working directory', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'grid.json'), '{}');
    expect(checkReadable('config', 'grid.json', dir)).toBe(join(dir, 'grid.json'));
  });

  it('a missing file names a file of the directory with the same start, whatever its case', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', 'Results-1.jsonl'), '');
    expect(usageLine(() => checkReadable('results file', 'runs/resultz.jsonl', dir))).toBe(
      'results file runs/resultz.jsonl does not exist; did you mean "runs/Results-1.jsonl"?',
    );
    expect(usageLine(() => checkReadable('results file', 'runs/other.jsonl', dir))).toBe(
      'results file runs/other.jsonl does not exist; check the path',
    );
    expect(usageLine(() => checkReadable('config', 'nowhere/grid.json', dir))).toBe(
      'config nowhere/grid.json does not exist; check the path',
    );
  });

  it('a directory is not a file', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'runs'));
    expect(usageLine(() => checkReadable('config', 'runs', dir))).toBe(
      'config runs is a directory; give a file',
    );
  });
});
