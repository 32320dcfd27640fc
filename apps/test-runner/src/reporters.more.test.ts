// The three reports, line by line, on results built by hand (fixed durations): what a user
// reads in the terminal (human), what a TAP consumer and a JUnit-reading CI parse.
import { describe, expect, it } from 'vitest';
import { createReporter, humanReporter, junitReporter, REPORTERS, tapReporter } from './reporters.js';
import type { ScenarioResult, TestResult } from './run.js';
import type { SuiteResult } from './suite.js';

function test(strategy: string, failures: string[] = [], extra: Partial<TestResult> = {}): TestResult {
  return {
    file: 'f.yaml',
    scenario: 'sc',
    strategy,
    passed: failures.length === 0,
    failures,
    ms: 1,
    ...extra,
  };
}
function scenario(tests: TestResult[], file = 'f.yaml', name = 'sc'): ScenarioResult {
  return { file, scenario: name, tests: tests.map((t) => ({ ...t, file, scenario: name })) };
}
function suite(scenarios: ScenarioResult[], ms = 1234): SuiteResult {
  const tests = scenarios.flatMap((s) => s.tests);
  const passed = tests.filter((t) => t.passed).length;
  return { scenarios, passed, failed: tests.length - passed, ms };
}
function report(
  make: (w: (t: string) => void) => ReturnType<typeof humanReporter>,
  scenarios: ScenarioResult[],
  ms = 1234,
) {
  let out = '';
  const r = make((t) => (out += t));
  for (const s of scenarios) r.scenario(s);
  r.end(suite(scenarios, ms));
  return out;
}
const human = (s: ScenarioResult) => {
  let out = '';
  humanReporter((t) => (out += t)).scenario(s);
  return out;
};

describe('human reporter', () => {
  it('PASS: the strategies (one by name), the schedules explored, the time in ms', () => {
    expect(human(scenario([test('kmalloc', [], { ms: 1.4 }), test('stack', [], { ms: 1.6 })]))).toBe(
      'PASS f.yaml: sc (2 strategies, 3 ms)\n',
    );
    expect(human(scenario([test('stack', [], { ms: 0.4 })]))).toBe(
      'PASS f.yaml: sc (1 strategy: stack, 0 ms)\n',
    );
    expect(
      human(
        scenario([test('kmalloc', [], { schedules: 90, ms: 2.5 }), test('stack', [], { schedules: 90 })]),
      ),
    ).toBe('PASS f.yaml: sc (2 strategies, 180 schedules, 4 ms)\n');
    expect(human(scenario([test('kmalloc', [], { schedules: 1 })]))).toBe(
      'PASS f.yaml: sc (1 strategy: kmalloc, 1 schedule, 1 ms)\n',
    );
  });

  it('FAIL: how many failed, then each group of strategies that failed the same way', () => {
    const out = human(
      scenario([
        test('kmalloc', ['steps[1] x: expected ok 0, got EINVAL']),
        test('stack'),
        test('hybrid', ['steps[1] x: expected ok 0, got EINVAL']),
        test('ctx-cache', ['differs from kmalloc: steps[2]', 'steps[3] y: expected ok 1, got ok 0']),
      ]),
    );
    expect(out).toBe(
      'FAIL f.yaml: sc (3 of 4 failed; 4 strategies, 4 ms)\n' +
        '    [kmalloc, hybrid] steps[1] x: expected ok 0, got EINVAL\n' +
        '    [ctx-cache] differs from kmalloc: steps[2]\n' +
        '    [ctx-cache] steps[3] y: expected ok 1, got ok 0\n',
    );
  });

  it('at most 10 lines per group, then how many more', () => {
    const lines = (k: number) => Array.from({ length: k }, (_, i) => `failure ${i}`);
    const ten = human(scenario([test('kmalloc', lines(10))]));
    expect(ten.split('\n').filter(Boolean)).toHaveLength(11);
    expect(ten).toContain('    [kmalloc] failure 9\n');
    expect(ten).not.toContain('more');
    const twelve = human(scenario([test('kmalloc', lines(12))]));
    expect(twelve).toContain('    [kmalloc] failure 9\n    [kmalloc] ... 2 more\n');
    expect(twelve).not.toContain('failure 10');
  });

  it('a scenario that cannot run: no strategy, the message without a tag', () => {
    const out = human(
      scenario([test('-', ['f.yaml:3:5: machine: unknown machine "p9"'], { ms: 0 })], 'f.yaml', 'f.yaml'),
    );
    expect(out).toBe(
      'FAIL f.yaml: cannot run this scenario\n    f.yaml:3:5: machine: unknown machine "p9"\n',
    );
  });

  it('the end: scenarios, tests, seconds, then the plain line N passed, N failed', () => {
    const one = report(humanReporter, [scenario([test('kmalloc')])], 1250);
    expect(one).toBe(
      'PASS f.yaml: sc (1 strategy: kmalloc, 1 ms)\n\n1 scenario, 1 test (a test is one scenario under one strategy), 1.3 s\n1 passed, 0 failed\n',
    );
    const many = report(
      humanReporter,
      [scenario([test('kmalloc'), test('stack', ['x'])]), scenario([test('kmalloc')], 'g.yaml')],
      40,
    );
    expect(
      many.endsWith(
        '\n2 scenarios, 3 tests (a test is one scenario under one strategy), 0.0 s\n2 passed, 1 failed\n',
      ),
    ).toBe(true);
    expect(report(humanReporter, [], 0)).toBe(
      '\n0 scenarios, 0 tests (a test is one scenario under one strategy), 0.0 s\n0 passed, 0 failed\n',
    );
  });
});

describe('TAP reporter', () => {
  it('the version line first, numbered tests across scenarios, the plan and counts last', () => {
    let out = '';
    const r = tapReporter((t) => (out += t));
    expect(out).toBe('TAP version 13\n');
    r.scenario(scenario([test('kmalloc'), test('stack')]));
    r.scenario(
      scenario(
        [test('kmalloc', ['steps[0] a\nsecond line', 'steps[1] b'], { ms: 2.5 })],
        'g.yaml',
        'has # in it',
      ),
    );
    r.end(suite([]));
    expect(out).toBe(
      'TAP version 13\nok 1 - f.yaml: sc [kmalloc]\nok 2 - f.yaml: sc [stack]\n' +
        'not ok 3 - g.yaml: has \\# in it [kmalloc]\n' +
        '  ---\n  message: |\n    steps[0] a\n    second line\n    steps[1] b\n  duration_ms: 3\n  ...\n' +
        '1..3\n# 0 passed, 0 failed\n',
    );
  });

  it('counts come from the suite', () => {
    const s = [scenario([test('kmalloc'), test('stack', ['x'], { ms: 2.4 })])];
    expect(report(tapReporter, s)).toBe(
      'TAP version 13\nok 1 - f.yaml: sc [kmalloc]\nnot ok 2 - f.yaml: sc [stack]\n  ---\n  message: |\n    x\n  duration_ms: 2\n  ...\n1..2\n# 1 passed, 1 failed\n',
    );
  });
});

describe('JUnit reporter', () => {
  it('nothing until the end, then one testsuite per scenario with its counts and times', () => {
    let out = '';
    const r = junitReporter((t) => (out += t));
    const a = scenario([
      test('kmalloc', [], { ms: 1.5 }),
      test('stack', ['steps[0] x', 'steps[1] y'], { ms: 2.25 }),
    ]);
    const b = scenario([test('kmalloc', [], { ms: 10 })], 'g.yaml', 'other');
    r.scenario(a);
    r.scenario(b);
    expect(out).toBe('');
    r.end(suite([a, b], 1234.5678));
    expect(out).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<testsuites name="pfmsim-test" tests="3" failures="1" time="1.235">\n' +
        '  <testsuite name="f.yaml: sc" tests="2" failures="1" time="0.004">\n' +
        '    <testcase classname="f.yaml" name="sc [kmalloc]" time="0.002"/>\n' +
        '    <testcase classname="f.yaml" name="sc [stack]" time="0.002">\n' +
        '      <failure message="steps[0] x">steps[0] x\nsteps[1] y</failure>\n' +
        '    </testcase>\n' +
        '  </testsuite>\n' +
        '  <testsuite name="g.yaml: other" tests="1" failures="0" time="0.010">\n' +
        '    <testcase classname="g.yaml" name="other [kmalloc]" time="0.010"/>\n' +
        '  </testsuite>\n' +
        '</testsuites>\n',
    );
  });

  it('escapes XML and drops the characters XML 1.0 forbids (keeping tab, newline, carriage return)', () => {
    const nasty = 'a<b>&"c\u0000\u0008\t\n\u000b\u000c\r\u000e\u001f \u007f.';
    const out = report(junitReporter, [scenario([test('kmalloc', [nasty])], 'd&"<>.yaml', 'n&m')]);
    expect(out).toContain('<testsuite name="d&amp;&quot;&lt;&gt;.yaml: n&amp;m" tests="1" failures="1"');
    expect(out).toContain('<testcase classname="d&amp;&quot;&lt;&gt;.yaml" name="n&amp;m [kmalloc]"');
    expect(out).toContain(
      `<failure message="a&lt;b&gt;&amp;&quot;c\t\n\r \u007f.">a&lt;b&gt;&amp;&quot;c\t\n\r \u007f.</failure>`,
    );
  });

  it('a failed test without a message still says failed', () => {
    const out = report(junitReporter, [scenario([{ ...test('kmalloc'), passed: false }])]);
    expect(out).toContain('<failure message="failed"></failure>');
  });
});

describe('createReporter', () => {
  it('gives the reporter of each name', () => {
    expect([...REPORTERS]).toEqual(['human', 'tap', 'junit']);
    const s = [scenario([test('kmalloc')])];
    const by = (name: (typeof REPORTERS)[number]) => report((w) => createReporter(name, w), s, 0);
    expect(by('human')).toBe(report(humanReporter, s, 0));
    expect(by('tap')).toBe(report(tapReporter, s, 0));
    expect(by('junit')).toBe(report(junitReporter, s, 0));
    expect(by('human')).toMatch(/^PASS /);
  });
});
