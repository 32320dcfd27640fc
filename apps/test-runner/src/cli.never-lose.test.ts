// Writes that fail after the up-front checks passed (the disk fills up during the run): a fuzz
// finding is printed whole on stderr instead of being lost, and the run goes on; any other
// write is one line naming the file and the reason, exit 2, and the old file is kept.
// The disk is made full for the temporary files of the names in FULL (tests run as root, so
// permissions cannot refuse a write).
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FuzzOptions } from './fuzz.js';

/** Names whose temporary files (NAME....tmp, .NAME....tmp) cannot be written. */
const FULL = new Set<string>();
const full = (path: fs.PathOrFileDescriptor) => {
  const name = basename(String(path)).replace(/^\./, '');
  return name.endsWith('.tmp') && [...FULL].some((n) => name.startsWith(n));
};
const ENOSPC = () => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    openSync: (path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
      if (full(path)) throw ENOSPC();
      return real.openSync(path, flags ?? 'r', mode);
    },
    writeFileSync: (path: fs.PathOrFileDescriptor, ...rest: [string, fs.WriteFileOptions?]) => {
      if (full(path)) throw ENOSPC();
      real.writeFileSync(path, ...rest);
    },
  };
});

// the real fuzzer, stopped after 4 programs: seed 2 on ctx-cache-naive finds a corrupted
// argument in program 0 and a data race in program 3 (--seconds is then never reached)
vi.mock('./fuzz.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./fuzz.js')>();
  return { ...real, runFuzz: (opts: FuzzOptions) => real.runFuzz({ ...opts, maxPrograms: 4 }) };
});

const { main } = await import('./cli.js');
const { parseScenario } = await import('./load.js');
const { runScenario } = await import('./run.js');
const { failureSignature, runFuzz } = await import('./fuzz.js');

afterEach(() => FULL.clear());

function cli(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env });
  return { code, out, err };
}

const tmp = () => fs.mkdtempSync(join(tmpdir(), 'pfmsim-never-lose-'));
const GOOD =
  'name: good\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\nsteps:\n  - {call: pfm_create_context, expect: {ret: 1}}\n';

describe('a fuzz finding whose file cannot be written', () => {
  it('is printed whole on stderr as a scenario; the run goes on; exit 2 at the end', () => {
    const out = join(tmp(), 'findings');
    FULL.add('fuzz-2-0-');
    const r = cli(['fuzz', '--seconds', '600', '--seed', '2', '--strategy', 'ctx-cache-naive', '--out', out]);
    expect(r.code).toBe(2);
    const lost = join(out, 'fuzz-2-0-corrupted-argument.yaml');
    const [first, ...rest] = r.err.split('\n');
    expect(first).toBe(
      `fuzz: the finding could not be written to ${lost} (no space left on the device); its scenario follows:`,
    );
    const scenario = rest.join('\n');
    expect(scenario).toMatch(
      /^# Found by: pfmsim-test fuzz --seed 2 \(program 0\), shrunk from \d+ to \d+ steps\.\n/,
    );
    expect(scenario).toContain(`# Reproduce: pfmsim-test run ${lost}\n`);
    // the scenario printed is the finding: saved, it reproduces the failure
    const t = runScenario(parseScenario(scenario, 'saved.yaml')).tests[0]!;
    expect(t.passed).toBe(false);
    expect(failureSignature(t.failures[0]!)).toBe('corrupted-argument');
    // the run went on: the next finding was written, and nothing else is left in the directory
    const written = join(out, 'fuzz-2-3-bug-data-race.yaml');
    expect(r.out).toContain(`  wrote ${written} (`);
    expect(r.out).toMatch(
      /fuzz: 4 programs in \d+\.\d s, 2 findings\nsyscalls: [\d,]+ in \d+\.\d s, [\d,]+\/s\n {2}ctx-cache-naive +[\d,]+ syscalls +[\d,]+\/s\n$/,
    );
    expect(r.out).not.toContain(`wrote ${lost}`);
    expect(fs.readdirSync(out)).toEqual(['fuzz-2-3-bug-data-race.yaml']);
  });

  it('a directory that cannot be made is a finding printed too; the API says why, and logs it without warn', () => {
    const base = tmp();
    const out = join(base, 'findings');
    let log = '';
    // --out passed its check; then a file took the directory's place
    fs.writeFileSync(out, 'in the way');
    const r = runFuzz({
      seconds: 600,
      seed: 2,
      out,
      strategies: ['ctx-cache-naive'],
      log: (t) => (log += t),
    });
    expect(r.findings.map((f) => [basename(f.file), f.unwritten])).toEqual([
      ['fuzz-2-0-corrupted-argument.yaml', `${out}: is not a directory`],
      ['fuzz-2-3-bug-data-race.yaml', `${out}: is not a directory`],
    ]);
    expect(log).toContain(
      `fuzz: the finding could not be written to ${join(out, 'fuzz-2-0-corrupted-argument.yaml')} (${out}: is not a directory); its scenario follows:\n# Found by: pfmsim-test fuzz --seed 2 (program 0)`,
    );
    expect(fs.readFileSync(out, 'utf8')).toBe('in the way');
  });
});

describe('other writes that fail: one line naming the file and the reason, exit 2, the old file kept', () => {
  it('PFMSIM_COUNTS_DIR/conformance.json', () => {
    const d = tmp();
    const file = join(d, 'good.yaml');
    fs.writeFileSync(file, GOOD);
    const counts = join(d, 'counts');
    fs.mkdirSync(counts);
    fs.writeFileSync(join(counts, 'conformance.json'), 'old');
    FULL.add('conformance.json');
    const r = cli(['run', file], { PFMSIM_COUNTS_DIR: counts });
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `error: cannot write ${join(counts, 'conformance.json')}: no space left on the device\n`,
    );
    expect(fs.readdirSync(counts)).toEqual(['conformance.json']);
    expect(fs.readFileSync(join(counts, 'conformance.json'), 'utf8')).toBe('old');
  });

  it('--update', () => {
    const d = tmp();
    const file = join(d, 'good.yaml');
    fs.writeFileSync(file, GOOD);
    FULL.add('good.yaml');
    const r = cli(['run', '--update', file]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: cannot write ${file}: no space left on the device\n`);
    expect(fs.readFileSync(file, 'utf8')).toBe(GOOD);
    expect(fs.readdirSync(d)).toEqual(['good.yaml']);
  });
});
