import { type CertCheck, createStrategy, Problems, statusOf } from '@pfmsim/buffer-strategies';
import { CONFORMANCE_DIR, runSuite } from '@pfmsim/test-runner';

/**
 * The shipped conformance suite (pfmsim-test's scenarios) run under kmalloc and the strategy,
 * with the runner's differential: every observation of the strategy (results, copied-back
 * bytes) must equal kmalloc's, and every scenario's own expectations must hold.
 * `testCli` is `pfmsim-test` plus the flags that load the strategy's plugin.
 */
export function conformanceCheck(strategy: string, testCli: string): CertCheck {
  const strategies = strategy === 'kmalloc' ? ['kmalloc'] : ['kmalloc', strategy];
  const problems = new Problems();
  const replay: string[] = [];
  let scenarios = 0;
  let passed = 0;
  try {
    const r = runSuite([CONFORMANCE_DIR], {
      strategies,
      extraStrategies: new Map([[strategy, () => createStrategy(strategy)]]),
    });
    scenarios = r.scenarios.length;
    for (const s of r.scenarios) {
      for (const t of s.tests) {
        if (t.strategy !== strategy && t.passed) continue;
        if (t.passed) {
          passed++;
          continue;
        }
        const who = t.strategy === strategy ? '' : ` (under ${t.strategy})`;
        problems.add(`${t.file}${who}: ${t.failures[0] ?? 'failed'}`);
        if (replay.length < 3) {
          replay.push(t.replayCommand ?? `${testCli} run ${t.file} --strategy ${strategies.join(',')}`);
        }
      }
    }
  } catch (e) {
    problems.add(`the strategy threw: ${e instanceof Error ? e.message : String(e)}`);
  }
  const status = statusOf(problems);
  return {
    id: 'conformance',
    title: 'the conformance suite, differential against kmalloc',
    status,
    summary: `${passed} of ${scenarios} scenarios pass${strategy === 'kmalloc' ? '' : ", every observation equal to kmalloc's"}`,
    figures: { scenarios, passed, failed: scenarios - passed },
    problems: problems.list,
    moreProblems: problems.more,
    replay,
  };
}
