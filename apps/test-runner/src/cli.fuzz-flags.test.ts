// `pfmsim-test fuzz`: what the command hands the fuzzer for each flag, and its exit code from
// the findings (the fuzzer itself is replaced here; fuzz.test.ts runs the real one).
import { describe, expect, it, vi } from 'vitest';
import type { FuzzOptions, FuzzResult } from './fuzz.js';
import { DEFAULT_STRATEGIES, type ExtraStrategies } from './plan.js';

const calls: FuzzOptions[] = [];
let result: FuzzResult = { programs: 0, findings: [], seconds: 0, syscalls: 0, perStrategy: {} };
let crash: Error | null = null;
vi.mock('./fuzz.js', () => ({
  runFuzz: (opts: FuzzOptions) => {
    calls.push(opts);
    if (crash) throw crash;
    opts.log?.('fuzzing\n');
    return result;
  },
}));

const { main } = await import('./cli.js');

function fuzz(args: string[], extraStrategies?: ExtraStrategies) {
  calls.length = 0;
  let out = '';
  let err = '';
  const code = main(['fuzz', ...args], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: {},
    ...(extraStrategies ? { extraStrategies } : {}),
  });
  return { code, out, err, opts: calls[0] };
}

describe('pfmsim-test fuzz flags', () => {
  it('defaults: 10 s, seed 1, fuzz-findings, every shipped strategy (the fuzzer default), no close races', () => {
    const r = fuzz([]);
    expect(r).toMatchObject({ code: 0, out: 'fuzzing\n', err: '' });
    expect(r.opts).toEqual({
      seconds: 10,
      seed: 1,
      out: 'fuzz-findings',
      log: expect.any(Function),
      warn: expect.any(Function),
    });
  });

  it('each flag is passed on; all expands to the shipped strategies', () => {
    const extra: ExtraStrategies = new Map([['mine', () => ({}) as never]]);
    const r = fuzz(
      ['--seconds', '25', '--seed', '1234', '--out', 'found', '--close-races', '--strategy', 'mine,all'],
      extra,
    );
    expect(r.code).toBe(0);
    expect(r.opts).toEqual({
      seconds: 25,
      seed: 1234,
      out: 'found',
      closeRaces: true,
      strategies: ['mine', ...DEFAULT_STRATEGIES],
      extraStrategies: extra,
      log: expect.any(Function),
      warn: expect.any(Function),
    });
  });

  it('exit 1 when something was found, 0 otherwise', () => {
    result = {
      programs: 3,
      findings: [{ file: 'f.yaml', failure: 'x', signature: 'leak', steps: 2 }],
      seconds: 1,
      syscalls: 9,
      perStrategy: {},
    };
    expect(fuzz(['--seconds', '0']).code).toBe(1);
    result = { programs: 3, findings: [], seconds: 1, syscalls: 9, perStrategy: {} };
    expect(fuzz(['--seconds', '0']).code).toBe(0);
  });

  it('an internal error is not passed off as a usage error (it propagates)', () => {
    crash = new Error('boom');
    try {
      expect(() => fuzz(['--seconds', '0'])).toThrow('boom');
    } finally {
      crash = null;
    }
  });

  it('a campaign: --syscalls alone has no time budget, with --seconds whichever ends first', () => {
    expect(fuzz(['--syscalls', '10000000']).opts).toEqual({
      syscalls: 10_000_000,
      seed: 1,
      out: 'fuzz-findings',
      log: expect.any(Function),
      warn: expect.any(Function),
    });
    expect(fuzz(['--syscalls', '500', '--seconds', '30']).opts).toMatchObject({ seconds: 30, syscalls: 500 });
    expect(fuzz(['--syscalls', '1e7'])).toMatchObject({
      code: 2,
      err: 'error: --syscalls 1e7: expected a non-negative integer\n',
    });
  });

  it('--coverage, --guided and --corpus are passed on; the corpus directory is checked before the run', () => {
    expect(fuzz(['--coverage']).opts).toMatchObject({ seconds: 10, coverage: true });
    expect(fuzz(['--guided', '--corpus', 'kept']).opts).toMatchObject({ guided: true, corpus: 'kept' });
    const alone = fuzz(['--corpus', 'kept']);
    expect(alone).toMatchObject({ code: 2, opts: undefined });
    expect(alone.err).toBe('error: --corpus kept needs --guided (only the guided mode keeps a corpus)\n');
    const onFile = fuzz(['--guided', '--corpus', '/etc/hostname']);
    expect(onFile).toMatchObject({ code: 2, opts: undefined });
    expect(onFile.err).toMatch(/^error: --corpus \/etc\/hostname: .*; give a directory for the corpus\n$/);
  });
});
