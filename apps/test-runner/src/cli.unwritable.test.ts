// Output paths the user cannot write (tests run as root here, where every path is writable:
// access(2) is made to refuse the files and directories whose name starts with "no-write", and
// creating a file in such a directory fails). The CLI refuses them before the work, with one
// line, exit 2, and writes nothing.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    accessSync: (path: fs.PathLike, mode?: number) => {
      if (basename(String(path)).startsWith('no-write'))
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      real.accessSync(path, mode);
    },
    openSync: (path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
      if (flags === 'wx' && basename(dirname(String(path))).startsWith('no-write'))
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      return real.openSync(path, flags ?? 'r', mode);
    },
  };
});

const { main } = await import('./cli.js');

function cli(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env });
  return { code, out, err };
}

const tmp = fs.mkdtempSync(join(tmpdir(), 'pfmsim-cli-unwritable-'));
const GOOD =
  'name: good\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\nsteps:\n  - {call: pfm_create_context, expect: {ret: 1}}\n';

describe('unwritable output paths: one line, exit 2, nothing run or written', () => {
  it('fuzz --out', () => {
    const out = join(tmp, 'no-write');
    fs.mkdirSync(out);
    expect(cli(['fuzz', '--seconds', '0', '--out', out])).toEqual({
      code: 2,
      out: '',
      err: `error: --out ${out}: permission denied; give a directory to write the findings into\n`,
    });
    // a directory still to be created is checked at its nearest existing parent
    expect(cli(['fuzz', '--seconds', '0', '--out', join(out, 'a', 'b')]).err).toBe(
      `error: --out ${join(out, 'a', 'b')}: ${out}: permission denied; give a directory to write the findings into\n`,
    );
  });

  it('PFMSIM_COUNTS_DIR', () => {
    const file = join(tmp, 'good.yaml');
    fs.writeFileSync(file, GOOD);
    const counts = join(tmp, 'no-write-counts');
    fs.mkdirSync(counts);
    expect(cli(['run', file], { PFMSIM_COUNTS_DIR: counts })).toEqual({
      code: 2,
      out: '',
      err: `error: PFMSIM_COUNTS_DIR ${counts}: permission denied; set it to a directory for conformance.json\n`,
    });
    expect(fs.readdirSync(counts)).toEqual([]);
  });

  it('--update: a scenario file (or its directory) that cannot be written', () => {
    const file = join(tmp, 'no-write.yaml');
    fs.writeFileSync(file, GOOD);
    expect(cli(['run', '--update', file])).toEqual({
      code: 2,
      out: '',
      err: `error: --update: cannot write ${file}; make it writable or run without --update\n`,
    });
    expect(fs.readFileSync(file, 'utf8')).toBe(GOOD);
    const dir = join(tmp, 'no-write-dir');
    fs.mkdirSync(dir);
    const inside = join(dir, 'x.yaml');
    fs.writeFileSync(inside, GOOD);
    expect(cli(['run', '--update', dir]).err).toBe(
      `error: --update: cannot write ${inside}; make it writable or run without --update\n`,
    );
    // without --update the same files run
    expect(cli(['run', file]).code).toBe(1);
  });
});
