// The `pfmsim-test` executable: the arguments after the program name, the process's output
// streams and environment, and the exit code (run in this process, with argv set).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const argv = process.argv;
afterEach(() => {
  process.argv = argv;
  process.exitCode = undefined;
  delete process.env.PFMSIM_COUNTS_DIR;
  vi.restoreAllMocks();
  vi.resetModules();
});

async function bin(args: string[]) {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((t) => {
    out += String(t);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((t) => {
    err += String(t);
    return true;
  });
  process.argv = ['/usr/bin/node', '/x/bin.js', ...args];
  await import('./bin.js');
  const code = process.exitCode;
  vi.restoreAllMocks();
  return { code, out, err };
}

describe('bin', () => {
  it('runs the arguments after the program name, writes to stdout, reads the environment', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pfmsim-bin-'));
    const file = join(tmp, 'a.yaml');
    writeFileSync(
      file,
      'name: a\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\nsteps:\n  - {call: pfm_create_context, expect: {ret: 0}}\n',
    );
    process.env.PFMSIM_COUNTS_DIR = join(tmp, 'counts');
    const r = await bin(['run', file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS .*a\.yaml: a \(1 strategy: kmalloc, \d+ ms\)\n/);
    expect(r.err).toBe('');
    expect(readFileSync(join(tmp, 'counts', 'conformance.json'), 'utf8')).toBe('{"passed":1,"failed":0}\n');
  });

  it('a usage error goes to stderr with exit code 2', async () => {
    const r = await bin(['run', '--bogus']);
    expect(r).toEqual({
      code: 2,
      out: '',
      err: "error: unknown option '--bogus'; see `pfmsim-test run --help`\n",
    });
  });
});
