import { UnknownStrategyError } from '@pfmsim/buffer-strategies';
import { InvalidArgumentError, KernelSimError } from '@pfmsim/kernel-sim';
import { PfmError, SyscallError } from '@pfmsim/libpfm';
import {
  DuplicateModelError,
  InvalidModelError,
  LibpfmTypeClashError,
  UnknownModelError,
} from '@pfmsim/pmu-models';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { expectGolden, expectUsageError, runInProcess } from '../test/helpers.js';
import { describeError } from './cli.js';
import { UsageError } from './errors.js';
import { VERSION } from './version.js';

describe('errors become one line and an exit code', () => {
  it('bad input exits 2 with the problem and its fix', () => {
    expect(describeError(new UsageError('unknown machine "x"', 'valid: a'), false)).toEqual({
      line: 'unknown machine "x"; valid: a',
      code: 2,
    });
    expect(describeError(new UnknownStrategyError('stak'), false)).toEqual({
      line: new UnknownStrategyError('stak').message,
      code: 2,
    });
    expect(describeError(new UnknownModelError('p7', ['p6']), false)).toEqual({
      line: 'unknown PMU model "p7"; accepted ids: p6',
      code: 2,
    });
    expect(describeError(new InvalidArgumentError('count', -1, '1..64'), false)).toEqual({
      line: new InvalidArgumentError('count', -1, '1..64').message.split('\n')[0],
      code: 2,
    });
    expect(describeError(new KernelSimError('first line\nsecond line'), false)).toEqual({
      line: 'first line',
      code: 2,
    });
  });

  it('an invalid model file names its first error and how many more', () => {
    const errors = [
      { path: 'events[0].code', rule: 'schema', message: 'must be an integer' },
      { path: 'events[1]', rule: 'counter-exists', message: 'no counter 9' },
      { path: 'events[2]', rule: 'counter-exists', message: 'no counter 10' },
    ];
    expect(describeError(new InvalidModelError('m.json', errors), false)).toEqual({
      line: 'invalid PMU model file m.json: events[0].code: must be an integer [schema] (and 2 more); `pfmsim pmu validate FILE` lists every error',
      code: 2,
    });
    expect(describeError(new InvalidModelError('m.json', errors.slice(0, 1)), false).line).toBe(
      'invalid PMU model file m.json: events[0].code: must be an integer [schema]; `pfmsim pmu validate FILE` lists every error',
    );
  });

  it('two model files the registry cannot both serve: their message, exit 2', () => {
    const dup = new DuplicateModelError('a', ['/x/a.json', '/y/a.json']);
    expect(describeError(dup, false)).toEqual({ line: dup.message, code: 2 });
    const clash = new LibpfmTypeClashError(
      16,
      ['a', 'b'],
      ['/a.json', '/b.json'],
      [{ family: 15 }, undefined],
    );
    expect(describeError(clash, false)).toEqual({ line: clash.message, code: 2 });
  });

  it('libpfm errors are bad input; a failed simulated system call is a finding (exit 1)', () => {
    const pfm = new PfmError(-4, 'no event FOO');
    expect(describeError(pfm, false)).toEqual({ line: `libpfm: ${pfm.message}`, code: 2 });
    const sys = new SyscallError('pfm_read_pmds', 22);
    expect(describeError(sys, false)).toEqual({
      line: `a simulated system call failed: ${sys.message}`,
      code: 1,
    });
  });

  it('anything else is an internal error, with its stack only under PFMSIM_DEBUG', () => {
    const e = new Error('boom');
    expect(describeError(e, false)).toEqual({
      line: 'internal error: boom (PFMSIM_DEBUG=1 prints the stack)',
      code: 1,
    });
    expect(describeError(e, true)).toEqual({ line: `internal error: boom\n${e.stack}`, code: 1 });
    expect(describeError('a string', false).line).toBe(
      'internal error: a string (PFMSIM_DEBUG=1 prints the stack)',
    );
  });

  it('commander errors become one line with the help to read', () => {
    const unknownOption = new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'");
    expect(describeError(unknownOption, false, 'compare')).toEqual({
      line: "unknown option '--x'; see `pfmsim compare --help`",
      code: 2,
    });
    expect(describeError(unknownOption, false).line).toBe("unknown option '--x'; see `pfmsim --help`");
    const suggested = new CommanderError(
      1,
      'commander.unknownOption',
      "error: unknown option '--machnie'\n(Did you mean --machine?)",
    );
    expect(describeError(suggested, false, 'compare').line).toBe(
      "unknown option '--machnie' (Did you mean --machine?)",
    );
    const command = new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'frob'.");
    expect(describeError(command, false).line).toBe(
      "unknown command 'frob'; `pfmsim --help` lists the commands",
    );
  });
});

describe('main', () => {
  it('no arguments print the help; --version prints the version', async () => {
    const none = await runInProcess([]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^Usage: pfmsim \[options\] \[command\]/);
    expect(none.stdout).toContain('Start with `pfmsim compare`');
    expect(none.stdout).toBe((await runInProcess(['--help'])).stdout);
    expectGolden('help', none.stdout);
    const version = await runInProcess(['--version']);
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const help = await runInProcess(['compare', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: pfmsim compare \[options\]/);
    expect(help.stderr).toBe('');
  });

  it('bad input: one line on stderr, nothing on stdout, exit 2', async () => {
    expectUsageError(
      await runInProcess(['comapre']),
      /^pfmsim: unknown command 'comapre' \(Did you mean compare\?\)$/,
    );
    expectUsageError(
      await runInProcess(['pmu', 'show', 'intel-p6', '--frob']),
      /^pfmsim: unknown option '--frob'; see `pfmsim pmu show --help`$/,
    );
    expectUsageError(
      await runInProcess(['race', '--seed', 'x']),
      /^pfmsim: --seed must be an integer from 0 to 2147483647/,
    );
  });

  it('`pfmsim help COMMAND` prints the help of that command on stdout and exits 0', async () => {
    const r = await runInProcess(['help', 'compare']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe((await runInProcess(['compare', '--help'])).stdout);
    const group = await runInProcess(['pmu', 'help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^Usage: pfmsim pmu \[options\] \[command\]/);
  });

  it('a command group without its subcommand prints its help and exits 2', async () => {
    const r = await runInProcess(['pmu']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: pfmsim pmu/);
  });
});
