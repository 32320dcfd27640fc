// The certificate's text and exit code from made-up certificates: every verdict, status word
// and layout, including the ones a real run reaches rarely (an exploration cap).
import type { CertCheck } from '@pfmsim/buffer-strategies';
import type { Certificate } from '@pfmsim/lab';
import { describe, expect, it } from 'vitest';
import { createStyle } from '../io.js';
import { certificateText, certifyExitCode, verdictLine } from './certify.js';

const check = (id: string, status: CertCheck['status'], extra: Partial<CertCheck> = {}): CertCheck => ({
  id,
  title: `${id} title`,
  status,
  summary: `${id} summary`,
  figures: {},
  problems: [],
  moreProblems: 0,
  replay: [],
  ...extra,
});

const cert = (checks: CertCheck[], verdict: Certificate['verdict'], failed: string[] = []): Certificate => ({
  strategy: 's',
  source: 'built-in',
  broken: false,
  description: 'a strategy',
  pinnedFormula: 'none',
  stackFootprint: '0 B',
  machine: 'p4-2006',
  seed: 1,
  checks,
  failed,
  verdict,
});

const plain = createStyle(
  { out: () => {}, err: () => {}, stdoutIsTTY: false, stderrIsTTY: false, env: {}, cwd: '/', now: () => 0 },
  false,
);

describe('verdictLine and certifyExitCode', () => {
  it('certified, with and without caveats: exit 0', () => {
    const ok = cert([check('faults', 'pass'), check('stack', 'pass')], 'certified');
    expect(verdictLine(ok, undefined)).toBe('CERTIFIED: all 2 checks pass');
    const warned = cert(
      [check('faults', 'pass'), check('stack', 'warn'), check('attacks', 'warn')],
      'certified',
    );
    expect(verdictLine(warned, undefined)).toBe(
      'CERTIFIED: all 3 checks pass (with caveats: stack, attacks)',
    );
    expect(certifyExitCode(ok, undefined)).toBe(0);
  });

  it('not certified: the failed checks, exit 1 even for a subset', () => {
    const bad = cert([check('race', 'fail'), check('faults', 'fail')], 'not certified', ['race', 'faults']);
    expect(verdictLine(bad, undefined)).toBe('NOT CERTIFIED: race, faults failed');
    expect(certifyExitCode(bad, undefined)).toBe(1);
    expect(certifyExitCode(bad, ['race', 'faults'])).toBe(1);
  });

  it('a check that could not finish or was skipped: PARTIAL, exit 1', () => {
    const capped = cert([check('shared-fd', 'partial'), check('conformance', 'skipped')], 'partial');
    expect(verdictLine(capped, undefined)).toBe(
      'PARTIAL: shared-fd, conformance could not finish; not a certificate',
    );
    expect(certifyExitCode(capped, undefined)).toBe(1);
  });

  it('a passing subset: PARTIAL, exit 0, naming what ran', () => {
    const subset = cert([check('stack', 'warn')], 'partial');
    expect(verdictLine(subset, ['stack'])).toBe(
      'PARTIAL: only stack checked (1 of 7), all pass (with caveats: stack); not a certificate',
    );
    expect(certifyExitCode(subset, ['stack'])).toBe(0);
  });
});

describe('certificateText', () => {
  it('the header, each check with its status word, summary, problems, more and replays, then the verdict', () => {
    const c = {
      ...cert(
        [
          check('faults', 'fail', {
            problems: ['p1', 'p2'],
            moreProblems: 3,
            replay: ['pfmsim certify s --only faults'],
          }),
          check('stack', 'warn'),
          check('race', 'partial'),
          check('conformance', 'skipped'),
          check('cycles', 'pass'),
        ],
        'not certified',
        ['faults'],
      ),
      broken: true,
    };
    const pad = ' '.repeat(20);
    expect(certificateText(c, undefined, plain).split('\n')).toEqual([
      'Certificate of s (built-in, registered as broken)',
      '  a strategy',
      '  pinned memory: none',
      '  stack: 0 B',
      '',
      'FAIL    faults      faults title',
      `${pad}faults summary`,
      `${pad}- p1`,
      `${pad}- p2`,
      `${pad}- ... and 3 more`,
      `${pad}replay: pfmsim certify s --only faults`,
      'WARN    stack       stack title',
      `${pad}stack summary`,
      'PARTIAL race        race title',
      `${pad}race summary`,
      'SKIPPED conformance conformance title',
      `${pad}conformance summary`,
      'PASS    cycles      cycles title',
      `${pad}cycles summary`,
      '',
      'NOT CERTIFIED: faults failed',
    ]);
  });

  it('in colour: red for a failure, green for a pass, yellow for the rest', () => {
    const colour = createStyle(
      {
        out: () => {},
        err: () => {},
        stdoutIsTTY: true,
        stderrIsTTY: false,
        env: { FORCE_COLOR: '1' },
        cwd: '/',
        now: () => 0,
      },
      undefined,
    );
    const text = certificateText(
      cert([check('a', 'fail'), check('b', 'pass'), check('c', 'warn')], 'not certified', ['a']),
      undefined,
      colour,
    );
    expect(text).toContain(colour.red('FAIL   '));
    expect(text).toContain(colour.green('PASS   '));
    expect(text).toContain(colour.yellow('WARN   '));
    expect(colour.red('x')).not.toBe('x');
  });
});
