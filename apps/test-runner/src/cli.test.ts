import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, VERSION } from './cli.js';

function cli(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'pfmsim-test-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const HEAD = 'name: NAME\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: [kmalloc, stack]\n';
const good = file(
  'good.yaml',
  `${HEAD.replace('NAME', 'good one')}steps:\n  - {call: pfm_create_context, save: fd, expect: {ret: 0}}\n`,
);
const bad = file(
  'bad.yaml',
  `${HEAD.replace('NAME', 'bad one')}steps:\n  - {call: pfm_create_context, save: fd, expect: {ret: 0}}\n  - {call: pfm_stop, expect: {ret: 0}}   # really EINVAL\n`,
);

describe('pfmsim-test run', () => {
  it('--version', () => {
    expect(cli(['--version'])).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
  });

  it('human output ends with the plain line N passed, N failed; exit 1 on a failure', () => {
    const ok = cli(['run', good]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^PASS .*good\.yaml: good one \(2 strategies, \d+ ms\)\n/);
    expect(ok.out.endsWith('\n2 passed, 0 failed\n')).toBe(true);
    const ko = cli(['run', good, bad]);
    expect(ko.code).toBe(1);
    expect(ko.out).toContain('[kmalloc, stack] steps[1] pfm_stop (line 6): expected ok 0, got EINVAL');
    expect(ko.out.endsWith('\n2 passed, 2 failed\n')).toBe(true);
  });

  it('bad flags, unknown strategies and missing files: one clear line, exit 2', () => {
    for (const args of [
      ['run', '--bogus', good],
      ['run', '--reporter', 'xml', good],
      ['run', '--strategy', 'kmaloc', good],
      ['run', join(tmp, 'missing.yaml')],
      ['run', '--replay', 'nope', good],
      ['nosuchcommand'],
    ]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(/^error: /);
    }
    expect(cli(['run', join(tmp, 'missing.yaml')]).err).toBe(
      `error: no such file or directory: ${join(tmp, 'missing.yaml')}\n`,
    );
  });

  it('TAP and JUnit for CI', () => {
    const tap = cli(['run', '--reporter', 'tap', good, bad]);
    expect(tap.out).toMatch(/^TAP version 13\nok 1 - .*good\.yaml: good one \[kmalloc\]\nok 2 - /);
    expect(tap.out).toContain('not ok 3 - ');
    expect(tap.out).toContain(
      '  ---\n  message: |\n    steps[1] pfm_stop (line 6): expected ok 0, got EINVAL\n',
    );
    expect(tap.out.endsWith('1..4\n# 2 passed, 2 failed\n')).toBe(true);
    const junit = cli(['run', '--reporter', 'junit', good, bad]);
    expect(junit.out).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="pfmsim-test" tests="4" failures="2"/,
    );
    expect(junit.out).toContain('<testcase classname=');
    expect(junit.out).toContain('<failure message="steps[1] pfm_stop (line 6): expected ok 0, got EINVAL">');
  });

  it('writes the counts for the repository test command when PFMSIM_COUNTS_DIR is set', () => {
    const dir = join(tmp, 'counts');
    cli(['run', good, bad], { PFMSIM_COUNTS_DIR: dir });
    expect(JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8'))).toEqual({ passed: 2, failed: 2 });
  });

  it('--filter, and the shipped suite by default', () => {
    const r = cli(['run', '--filter', 'sysfs', '--strategy', 'kmalloc']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS conformance\/sysfs\.yaml|^PASS .*conformance\/sysfs\.yaml/);
    expect(r.out.endsWith('\n1 passed, 0 failed\n')).toBe(true);
  });

  it('--update rewrites the expected results, keeping comments', () => {
    const p = file('update.yaml', readFileSync(bad, 'utf8'));
    const r = cli(['run', '--update', p]);
    expect(r.err).toBe('--update: 1 expectation rewritten\n');
    const text = readFileSync(p, 'utf8');
    expect(text).toContain('- { call: pfm_stop, expect: { errno: EINVAL } } # really EINVAL');
    expect(cli(['run', p]).code).toBe(0);
  });

  it('--replay prints the run of one schedule', () => {
    const naive = fileURLToPath(new URL('../examples/naive-race.yaml', import.meta.url));
    const r = cli(['run', naive, '--replay', '1:1.1.1.0.0.0.0.0']);
    expect(r.out).toMatch(
      /^replay 1:1\.1\.1\.0\.0\.0\.0\.0 under ctx-cache-naive:\n {2}steps\[0\] pfm_create_context \(A\) \(line \d+\) -> ok 0\n/,
    );
  });

  it('schema prints the JSON Schema', () => {
    expect(JSON.parse(cli(['schema']).out).title).toBe('pfmsim-test scenario');
  });
});
