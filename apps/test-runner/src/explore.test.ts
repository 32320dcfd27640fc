import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRATEGY_NAMES } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { twoThreadScenario } from './bench-scenario.js';
import { loadScenarioFile, scenarioFromData } from './load.js';
import { runScenario } from './run.js';

const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

describe('exploration mode', () => {
  it('two threads, one call each: every schedule within the bound, and random schedules, all checked', () => {
    const ex = runScenario(scenarioFromData(twoThreadScenario(0, 262144, 'exhaustive'), 'two-threads'));
    expect(ex.tests[0]!.failures).toEqual([]);
    expect(ex.tests[0]!.schedules).toBeGreaterThan(50);
    const n = 1000;
    const r = runScenario(scenarioFromData(twoThreadScenario(n), 'two-threads'));
    expect(r.tests[0]!.failures).toEqual([]);
    expect(r.tests[0]!.schedules).toBe(n);
    // speed is a benchmark (`pnpm bench`), not a test
  });

  it('a failing schedule prints its replay line, and --replay reruns exactly that schedule', () => {
    const sc = loadScenarioFile(example('naive-race.yaml'));
    const bare = scenarioFromData({ ...sc.data, expect: undefined }, 'naive-race.yaml');
    const r = runScenario(bare);
    const t = r.tests[0]!;
    expect(t.passed).toBe(false);
    expect(t.failures.join('\n')).toMatch(/KernelBug (data-race|use-after-free)/);
    expect(t.replayCommand).toMatch(
      /^pfmsim-test run naive-race\.yaml --strategy ctx-cache-naive --replay \d+:[\d.]+$/,
    );
    expect(t.failures.at(-1)).toBe(`replay: ${t.replayCommand}`);
    const replay = t.replayCommand!.split(' ').at(-1)!;
    const logs: string[] = [];
    const again = runScenario(bare, { replay, onLog: (_s, _log, f) => logs.push(...f) });
    expect(again.tests[0]!.schedules).toBe(1);
    expect(again.tests[0]!.failures.slice(0, -1)).toEqual(t.failures.slice(0, -1));
    expect(logs.length).toBeGreaterThan(0);
  });

  it('expected KernelBug kinds: the scenario passes when each kind shows on some schedule', () => {
    const r = runScenario(loadScenarioFile(example('naive-race.yaml')));
    expect(r.tests[0]!.failures).toEqual([]);
    const wrong = loadScenarioFile(example('naive-race.yaml'));
    const r2 = runScenario(scenarioFromData({ ...wrong.data, expect: { bugs: ['deadlock'] } }, 'x'));
    expect(r2.tests[0]!.failures[0]).toMatch(/KernelBug (data-race|use-after-free)/);
    const r3 = runScenario(scenarioFromData({ ...wrong.data, strategy: 'kmalloc' }, 'x'));
    expect(r3.tests[0]!.failures).toEqual([
      expect.stringMatching(/^expected a data-race KernelBug on some schedule; \d+ schedules showed none$/),
      expect.stringMatching(
        /^expected a use-after-free KernelBug on some schedule; \d+ schedules showed none$/,
      ),
    ]);
  });

  it('strategies must give the same set of outcomes over the explored schedules', () => {
    const data = twoThreadScenario(0, 262144, 'exhaustive');
    const r = runScenario(
      scenarioFromData(
        { ...data, strategy: 'all', explore: { mode: 'exhaustive', max_preemptions: 1 } },
        'x',
      ),
    );
    expect(r.tests.map((t) => t.failures)).toEqual(r.tests.map(() => []));
    expect(r.tests).toHaveLength(8);
  });
});

describe('explore: {mode: dpor}', () => {
  it('the bench scenario: one schedule per class, fewer than the bounded search, and it passes', () => {
    const data = twoThreadScenario(0, 262144, 'exhaustive');
    const dpor = runScenario(scenarioFromData({ ...data, explore: { mode: 'dpor' } }, 'x')).tests[0]!;
    const all = runScenario(scenarioFromData(data, 'x')).tests[0]!;
    expect(dpor.failures).toEqual([]);
    expect(dpor.schedules).toBeGreaterThan(1);
    expect(dpor.schedules).toBeLessThan(all.schedules!);
  });

  it('every explored conformance scenario: the same verdict under every strategy as the bounded search', {
    timeout: 60_000,
  }, () => {
    const dir = fileURLToPath(new URL('../conformance/', import.meta.url));
    for (const f of readdirSync(dir).filter((x) => readFileSync(join(dir, x), 'utf8').includes('explore:'))) {
      const sc = loadScenarioFile(join(dir, f));
      const strategies = [...STRATEGY_NAMES];
      // no preemption bound: DPOR then runs every class of schedules (with one it may cut)
      const dpor = scenarioFromData({ ...sc.data, explore: { mode: 'dpor' } }, f);
      const verdicts = (r: ReturnType<typeof runScenario>) => r.tests.map((t) => `${t.strategy}:${t.passed}`);
      expect(verdicts(runScenario(dpor, { strategies })), f).toEqual(
        verdicts(runScenario(sc, { strategies })),
      );
    }
  });

  it('a search its cap stops is not a pass: it fails as incomplete', () => {
    const data = twoThreadScenario(0, 262144, 'exhaustive');
    for (const explore of [
      { mode: 'exhaustive', max_preemptions: 3, schedules: 10 },
      { mode: 'dpor', schedules: 1 },
    ] as const) {
      const t = runScenario(scenarioFromData({ ...data, explore }, 'x')).tests[0]!;
      expect(t.passed, explore.mode).toBe(false);
      expect(t.failures[0]).toMatch(/^exploration incomplete: \d+ schedules run and not every one \(the cap/);
    }
  });
});
