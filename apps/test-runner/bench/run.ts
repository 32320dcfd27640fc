/**
 * `pnpm bench` for the test runner, on the built package (what `pfmsim-test` runs):
 * - exploration speed: the two-thread, one-call-each scenario under 10,000 random schedules,
 *   five rounds after a warm-up (best, median, and the first round, which includes JIT warm-up
 *   as a one-off `pfmsim-test run` does), and its exhaustive space (3 preemptions, best of 20);
 * - the conformance suite under all strategies.
 * Targets: >= 50,000 schedules/s warm (issue 15: each schedule restores a snapshot of the
 * set-up world), >= 10,000/s in the first round (issue 7); the suite in under 60 s.
 */
import {
  CONFORMANCE_DIR,
  runScenario,
  runSuite,
  scenarioFromData,
  twoThreadScenario,
} from '@pfmsim/test-runner';
import { type BenchResult, report } from '../../../scripts/bench.js';

const SCHEDULES = Number(process.argv[2] ?? 10_000);
const ROUNDS = 5;

function explore(schedules: number, mode: 'random' | 'exhaustive' = 'random') {
  const sc = scenarioFromData(twoThreadScenario(schedules, 262144, mode), 'bench');
  const t0 = performance.now();
  const r = runScenario(sc);
  const ms = performance.now() - t0;
  const test = r.tests[0]!;
  if (!test.passed) throw new Error(`bench scenario failed: ${test.failures.join('; ')}`);
  return { schedules: test.schedules!, ms };
}

const perSecond = (x: { schedules: number; ms: number }) => (x.schedules * 1000) / x.ms;
const asResult = (name: string, rate: number, target?: number): BenchResult => ({
  name,
  nsPerOp: 1e9 / rate,
  opsPerSec: rate,
  ...(target !== undefined ? { target: `>= ${target.toLocaleString('en-US')}/s`, ok: rate >= target } : {}),
});

const first = explore(SCHEDULES);
explore(500);
const rates: number[] = [];
for (let i = 0; i < ROUNDS; i++) rates.push(perSecond(explore(SCHEDULES)));
rates.sort((a, b) => a - b);
// One exhaustive search takes milliseconds: the best of many is the figure that holds still.
const EXHAUSTIVE_ROUNDS = 20;
const exhaustive = explore(0, 'exhaustive');
let exhaustiveRate = perSecond(exhaustive);
for (let i = 1; i < EXHAUSTIVE_ROUNDS; i++)
  exhaustiveRate = Math.max(exhaustiveRate, perSecond(explore(0, 'exhaustive')));
const suite = runSuite([CONFORMANCE_DIR]);

report(
  `test-runner: exploration of two threads x one pfm_write_pmds (kmalloc), ${SCHEDULES} schedules per round`,
  [
    asResult(`random schedules, best of ${ROUNDS}`, rates.at(-1)!, 50_000),
    asResult(`random schedules, median of ${ROUNDS}`, rates[ROUNDS >> 1]!, 50_000),
    asResult('random schedules, first round (cold JIT)', perSecond(first), 10_000),
    asResult(
      `exhaustive, 3 preemptions (${exhaustive.schedules} schedules), best of ${EXHAUSTIVE_ROUNDS}`,
      exhaustiveRate,
    ),
  ],
);
process.stdout.write(
  `conformance suite (strategy: all): ${suite.scenarios.length} scenarios, ${suite.passed} passed, ${suite.failed} failed in ${(suite.ms / 1000).toFixed(2)} s  target < 60 s: ${suite.ms < 60_000 && suite.failed === 0 ? 'met' : 'MISSED'}\n`,
);
