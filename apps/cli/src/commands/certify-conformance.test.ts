// The conformance check over a stand-in suite result: what counts as passed, whose failures are
// listed, which replay command is printed, and a suite that throws.
import * as testRunner from '@pfmsim/test-runner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { conformanceCheck } from './certify-conformance.js';

vi.mock('@pfmsim/test-runner', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@pfmsim/test-runner')>();
  return { ...actual, runSuite: vi.fn(actual.runSuite) };
});
const realRunSuite = (await vi.importActual<typeof import('@pfmsim/test-runner')>('@pfmsim/test-runner'))
  .runSuite;
afterEach(() => {
  vi.mocked(testRunner.runSuite).mockReset();
  vi.mocked(testRunner.runSuite).mockImplementation(realRunSuite);
});

type Test = testRunner.TestResult;
const test = (file: string, strategy: string, passed: boolean, extra: Partial<Test> = {}): Test => ({
  file,
  scenario: file,
  strategy,
  passed,
  failures: passed ? [] : [`${file} failed under ${strategy}`],
  ms: 1,
  ...extra,
});

function suite(...scenarios: Test[][]): void {
  vi.mocked(testRunner.runSuite).mockReturnValue({
    scenarios: scenarios.map((tests) => ({ file: tests[0]!.file, scenario: tests[0]!.file, tests })),
    passed: 0,
    failed: 0,
    ms: 1,
  });
}

describe('conformanceCheck', () => {
  it('runs the shipped suite under kmalloc then the strategy, the strategy built from the registry', () => {
    suite([test('a.yaml', 'kmalloc', true), test('a.yaml', 'stack', true)]);
    const c = conformanceCheck('stack', 'pfmsim-test');
    const [paths, opts] = vi.mocked(testRunner.runSuite).mock.calls[0]!;
    expect(paths).toEqual([testRunner.CONFORMANCE_DIR]);
    expect(opts!.strategies).toEqual(['kmalloc', 'stack']);
    expect(opts!.extraStrategies!.get('stack')!().name).toBe('stack');
    expect(c).toMatchObject({
      id: 'conformance',
      title: 'the conformance suite, differential against kmalloc',
      status: 'pass',
      summary: "1 of 1 scenarios pass, every observation equal to kmalloc's",
      figures: { scenarios: 1, passed: 1, failed: 0 },
      replay: [],
    });
  });

  it('kmalloc alone is its own reference', () => {
    suite([test('a.yaml', 'kmalloc', true)], [test('b.yaml', 'kmalloc', false)]);
    const c = conformanceCheck('kmalloc', 'pfmsim-test');
    expect(vi.mocked(testRunner.runSuite).mock.calls[0]![1]!.strategies).toEqual(['kmalloc']);
    expect(c.summary).toBe('1 of 2 scenarios pass');
    expect(c.problems).toEqual(['b.yaml: b.yaml failed under kmalloc']);
  });

  it("failures: the strategy's by file, the reference's marked; a schedule's own replay command is preferred", () => {
    suite(
      [test('a.yaml', 'kmalloc', false), test('a.yaml', 'x', true)],
      [
        test('b.yaml', 'kmalloc', true),
        test('b.yaml', 'x', false, { replayCommand: 'pfmsim-test run b.yaml --replay 1:0' }),
      ],
      [test('c.yaml', 'kmalloc', true), test('c.yaml', 'x', false)],
      [test('d.yaml', 'kmalloc', true), test('d.yaml', 'x', false)],
      [test('e.yaml', 'kmalloc', true), test('e.yaml', 'x', false)],
    );
    const c = conformanceCheck('x', 'pfmsim-test --plugin ./x.mjs');
    expect(c.status).toBe('fail');
    expect(c.problems).toEqual([
      'a.yaml (under kmalloc): a.yaml failed under kmalloc',
      'b.yaml: b.yaml failed under x',
      'c.yaml: c.yaml failed under x',
      'd.yaml: d.yaml failed under x',
      'e.yaml: e.yaml failed under x',
    ]);
    expect(c.replay).toEqual([
      'pfmsim-test --plugin ./x.mjs run a.yaml --strategy kmalloc,x',
      'pfmsim-test run b.yaml --replay 1:0',
      'pfmsim-test --plugin ./x.mjs run c.yaml --strategy kmalloc,x',
    ]);
    expect(c.figures).toEqual({ scenarios: 5, passed: 1, failed: 4 });
  });

  it('a test with no failure text still names its file', () => {
    suite([test('a.yaml', 'kmalloc', true), { ...test('a.yaml', 'x', false), failures: [] }]);
    expect(conformanceCheck('x', 'pfmsim-test').problems).toEqual(['a.yaml: failed']);
  });

  it('a suite that throws is one problem naming the throw', () => {
    vi.mocked(testRunner.runSuite).mockImplementation(() => {
      throw new Error('boom');
    });
    expect(conformanceCheck('x', 'pfmsim-test').problems).toEqual(['the strategy threw: boom']);
    vi.mocked(testRunner.runSuite).mockImplementation(() => {
      throw 'text';
    });
    expect(conformanceCheck('x', 'pfmsim-test').problems).toEqual(['the strategy threw: text']);
  });
});
