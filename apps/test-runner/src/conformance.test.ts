import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_DIR } from './cli.js';
import { loadScenarioFile, stepLists } from './load.js';
import { DEFAULT_STRATEGIES } from './plan.js';
import { CALL_NAMES } from './schema.js';
import { findScenarioFiles, runSuite } from './suite.js';
import { createFreeBeforeCopyBackStrategy, createSkipCopyBackStrategy } from './test-strategies.test-util.js';

const files = findScenarioFiles([CONFORMANCE_DIR]);
const scenarios = files.map((f) => loadScenarioFile(f));

describe('the conformance suite', () => {
  it('runs clean under every shipped strategy (the figure: the whole suite, all strategies)', () => {
    const t0 = performance.now();
    const r = runSuite([CONFORMANCE_DIR]);
    const seconds = (performance.now() - t0) / 1000;
    const failures = r.scenarios.flatMap((s) =>
      s.tests.filter((t) => !t.passed).map((t) => `${t.file} [${t.strategy}]: ${t.failures.join('; ')}`),
    );
    expect(failures).toEqual([]);
    expect(r.passed).toBe(scenarios.length * DEFAULT_STRATEGIES.length);
    console.log(
      `conformance: ${scenarios.length} scenarios x ${DEFAULT_STRATEGIES.length} strategies = ${r.passed} tests passed in ${seconds.toFixed(1)} s`,
    );
    expect(seconds).toBeLessThan(60);
  });

  it('runs every scenario under strategy: all', () => {
    for (const sc of scenarios) expect(sc.data.strategy, sc.file).toBe('all');
  });

  it('covers every call, every errno of the reference and the listed topics', () => {
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    const calls = new Set(
      scenarios.flatMap((sc) => stepLists(sc.data).flatMap((l) => l.steps.map((s) => s.call))),
    );
    for (const c of CALL_NAMES) expect(calls.has(c), c).toBe(true);
    for (const errno of [
      'EINVAL',
      'EBADF',
      'EFAULT',
      'E2BIG',
      'ENOMEM',
      'EBUSY',
      'ESRCH',
      'EPERM',
      'EEXIST',
      'ENOSYS',
      'ENFILE',
      'EAGAIN',
      'EACCES',
      'ENOENT',
    ]) {
      expect(text, errno).toContain(`errno: ${errno}`);
    }
    for (const topic of [
      'explore:',
      'SETFL_TIME_SWITCH',
      'SETFL_OVFL_SWITCH',
      'REGFL_OVFL_NOTIFY',
      'pfm_restart',
      'FL_SYSTEM_WIDE',
      'boundary:',
      'fail_usercopy',
      'failslab',
      'arg_mem_max',
      'memory: baseline',
    ]) {
      expect(text, topic).toContain(topic);
    }
  });
});

describe('a deliberately broken strategy makes the suite fail, pointing at the scenario and the value', () => {
  const extra = new Map([
    ['skip-copy-back', createSkipCopyBackStrategy],
    ['free-before-copy-back', createFreeBeforeCopyBackStrategy],
  ]);

  it('skipping the copy back: results differ from kmalloc (the 2006 code) value by value', () => {
    const r = runSuite([CONFORMANCE_DIR], {
      strategies: ['kmalloc', 'skip-copy-back'],
      extraStrategies: extra,
    });
    const broken = r.scenarios
      .flatMap((s) => s.tests)
      .filter((t) => t.strategy === 'skip-copy-back' && !t.passed);
    expect(r.scenarios.flatMap((s) => s.tests).filter((t) => t.strategy === 'kmalloc' && !t.passed)).toEqual(
      [],
    );
    expect(broken.length).toBeGreaterThan(20);
    const selfMon = broken.find((t) => t.file.endsWith('state-unloaded.yaml'))!;
    expect(selfMon.failures).toEqual([
      'differs from kmalloc: steps[3] pfm_read_pmds (line 10): buffer steps[3].arg[0].reg_value: kmalloc 0xb, skip-copy-back 0',
      'steps[3] pfm_read_pmds (line 10): out [0] reg_value: expected 0xb, got 0',
    ]);
  });

  it('freeing the buffer before the copy back: a use-after-free KernelBug and EFAULT', () => {
    const r = runSuite([CONFORMANCE_DIR], {
      strategies: ['kmalloc', 'free-before-copy-back'],
      extraStrategies: extra,
      filter: 'create-context.yaml',
    });
    const t = r.scenarios[0]!.tests.find((x) => x.strategy === 'free-before-copy-back')!;
    expect(t.passed).toBe(false);
    expect(t.failures[0]).toMatch(
      /^differs from kmalloc: steps\[17\] pfm_write_pmds \(line \d+\): result: kmalloc ok 0, free-before-copy-back EFAULT$/,
    );
    expect(t.failures.join('\n')).toMatch(
      /KernelBug use-after-free: read of 176 B at 0x[0-9a-f]+ in a freed size-256 object \(thread T0 main in pfm_write_pmds/,
    );
  });
});
