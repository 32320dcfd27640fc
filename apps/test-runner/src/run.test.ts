import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ArgBufferStrategy, createKmallocStrategy } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.js';
import { type ExtraStrategies, makePlan } from './plan.js';
import { diffLogs, type RunOptions, runScenario } from './run.js';
import { createFreeBeforeCopyBackStrategy, createSkipCopyBackStrategy } from './test-strategies.test-util.js';
import type { Observation } from './world.js';

/**
 * The runner's own checks, each shown to fail with its message when the scenario's
 * expectation is wrong and to pass when it is right: killed threads, deadlocks, the leak
 * report after teardown, `expect: bugs`, exceptions from the simulator, replays.
 */

const HEAD = 'name: t\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\n';

/** kmalloc that never frees the argument buffer: a leak only the end-of-run report sees. */
function createLeakyStrategy(): ArgBufferStrategy {
  return { ...createKmallocStrategy(), name: 'leaky', release() {} };
}

/** kmalloc with a 16 KiB on-stack array in the syscall frame: a fatal kernel stack overflow. */
function createDeepStackStrategy(): ArgBufferStrategy {
  return { ...createKmallocStrategy(), name: 'deep-stack', frameBytes: () => 16384 };
}

/** kmalloc, then a 16 KiB frame for the copy: the thread dies holding its argument buffer. */
function createOverflowAfterAcquireStrategy(): ArgBufferStrategy {
  const inner = createKmallocStrategy();
  return {
    ...inner,
    name: 'overflow-after-acquire',
    acquire(call) {
      const buf = inner.acquire(call);
      call.k.stacks.push(call.t, 16384, 'copy frame');
      return buf;
    },
  };
}

/** A strategy whose acquire throws: a JavaScript exception from inside the simulator. */
function createThrowingStrategy(thrown: unknown): () => ArgBufferStrategy {
  return () => ({
    ...createKmallocStrategy(),
    name: 'throwing',
    acquire() {
      throw thrown;
    },
  });
}

const EXTRA: ExtraStrategies = new Map([
  ['leaky', createLeakyStrategy],
  ['deep-stack', createDeepStackStrategy],
  ['overflow-after-acquire', createOverflowAfterAcquireStrategy],
  [
    'no-factory',
    () => {
      throw new Error('cannot build');
    },
  ],
  ['throwing', createThrowingStrategy(new Error('strategy bug'))],
  ['throwing-string', createThrowingStrategy('not an Error')],
  ['skip-copy-back', createSkipCopyBackStrategy],
  ['free-before-copy-back', createFreeBeforeCopyBackStrategy],
]);

function run(text: string, opts: RunOptions = {}) {
  return runScenario(parseScenario(text, 'x.yaml'), { extraStrategies: EXTRA, ...opts });
}

/** The failures of each test (one per strategy). */
function failures(text: string, opts: RunOptions = {}): string[][] {
  return run(text, opts).tests.map((t) => [...t.failures]);
}

const CREATE = '  - {call: pfm_create_context, save: fd, expect: {ret: 0}}\n';
const WRITE = '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 5}]}, expect: {ret: 0}}\n';
const READ =
  '  - {call: pfm_read_pmds, arg: {pmd: [{reg_num: 0}]}, expect: {ret: 0, out: [{reg_value: 5}]}}\n';

describe('a thread killed by a fatal KernelBug in the sequential steps', () => {
  // read(2) on a context with no message blocks; with no other thread to wake it, a deadlock
  const blockingRead = `${HEAD}steps:\n${CREATE}  - {call: read, expect: {ret: 0}}\n  - {call: pfm_stop, expect: {ret: 0}}\nafter:\n  - {call: close, expect: {errno: EBADF}}\n`;

  it('fails the test at its step, and nothing after it runs (no expectations, no teardown)', () => {
    const r = run(blockingRead);
    expect(r.tests).toHaveLength(1);
    expect(r.tests[0]!.passed).toBe(false);
    // pfm_stop would fail (EINVAL), close in `after` would succeed, the open context would leak
    // without teardown: none of that is reported, the run stopped at the read
    expect(r.tests[0]!.failures).toEqual([
      'steps[1] read (line 6): thread main killed by a KernelBug (deadlock)',
      'KernelBug deadlock: blocked on ctx->msgq_wait with no other thread to release it (thread T0 main in read; replay 1:)',
    ]);
    expect(r.tests[0]!.replayCommand).toBeUndefined();
  });

  it('passes when the scenario expects that kind of KernelBug', () => {
    expect(failures(`${blockingRead}expect: {bugs: [deadlock]}\n`)).toEqual([[]]);
  });

  it('a stack overflow kills the thread the same way; its later steps are skipped', () => {
    const text = `${HEAD.replace('kmalloc', 'deep-stack')}steps:\n${CREATE}${WRITE}${READ}`;
    expect(failures(text)).toEqual([
      [
        'steps[1] pfm_write_pmds (line 6): thread main killed by a KernelBug (stack-overflow)',
        'KernelBug stack-overflow: kernel stack overflow in sys_pfm_write_pmds args: 16640 B used of 8136 B (thread T0 main in pfm_write_pmds; replay 1:)',
      ],
    ]);
  });
});

describe('the concurrent part', () => {
  const twoReaders = `${HEAD}threads:\n  - {name: a, steps: [{call: read, fd: $fa}]}\n  - {name: b, steps: [{call: read, fd: $fb}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fa}\n  - {call: pfm_create_context, thread: b, save: fb}\nafter:\n  - {call: pfm_stop, fd: $fa, expect: {ret: 0}}\n`;

  it('a deadlock fails the test with its replay line; the after steps and the teardown do not run', () => {
    const r = run(twoReaders);
    const t = r.tests[0]!;
    expect(t.passed).toBe(false);
    expect(t.failures).toEqual([
      'KernelBug deadlock: all live threads blocked: T0 a on ctx->msgq_wait, T1 b on ctx->msgq_wait (thread T0 a in read; replay 1:0)',
    ]);
    expect(t.replayCommand).toBe('pfmsim-test run x.yaml --strategy kmalloc --replay 1:0');
    expect(t.schedules).toBeUndefined();
  });

  it('an expected deadlock passes; the replay reruns that schedule', () => {
    const expected = `${twoReaders}expect: {bugs: [deadlock]}\n`;
    expect(failures(expected)).toEqual([[]]);
    const logs: string[] = [];
    const again = run(twoReaders, {
      replay: '1:0',
      onLog: (strategy, log, f) => logs.push(`${strategy}: ${log.length} observations, ${f.length} failures`),
    });
    expect(again.tests[0]!.failures).toEqual(run(twoReaders).tests[0]!.failures);
    expect(logs).toEqual(['kmalloc: 2 observations, 1 failures']);
  });

  it('--replay runs the schedule it names, with its seed', () => {
    const t = run(twoReaders, { replay: '12:1' }).tests[0]!;
    expect(t.failures).toEqual([
      'KernelBug deadlock: all live threads blocked: T0 a on ctx->msgq_wait, T1 b on ctx->msgq_wait (thread T0 a in read; replay 12:1)',
    ]);
    expect(t.replayCommand).toBe('pfmsim-test run x.yaml --strategy kmalloc --replay 12:1');
    expect(run(twoReaders, { replay: '1:1.0' }).tests[0]!.replayCommand).toMatch(/ --replay 1:1$/);
  });

  it('the after steps run once the threads are done, and their expectations are checked', () => {
    const w = (v: number) => `{call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: ${v}}]}}`;
    const text = (value: number) =>
      `${HEAD}threads:\n  - {name: a, steps: [${w(1)}]}\n  - {name: b, steps: [${w(2)}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\nafter:\n  - {call: pfm_read_pmds, arg: {pmd: [{reg_num: 0}]}, expect: {out: [{reg_value: ${value}}]}}\n`;
    expect(failures(text(2))).toEqual([[]]);
    expect(failures(text(1))).toEqual([
      ['after[0] pfm_read_pmds (line 10): out [0] reg_value: expected 1, got 2'],
    ]);
  });

  it('a concurrent thread killed by a KernelBug stops the run: no after steps, no teardown', () => {
    const text = `${HEAD.replace('kmalloc', 'deep-stack')}threads:\n  - {name: a, steps: [{call: pfm_write_pmds, arg: {pmd: [{reg_num: 0}]}, expect: {ret: 0}}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\nafter:\n  - {call: pfm_stop, expect: {ret: 0}}\n`;
    const t = run(text).tests[0]!;
    expect(t.failures).toEqual([
      'KernelBug stack-overflow: kernel stack overflow in sys_pfm_write_pmds args: 16640 B used of 8136 B (thread T0 a in pfm_write_pmds; replay 1:)',
    ]);
    expect(t.replayCommand).toBe('pfmsim-test run x.yaml --strategy deep-stack --replay 1:');
    expect(failures(`${text}expect: {bugs: [stack-overflow]}\n`)).toEqual([[]]);
  });

  it('a failing expectation in a thread prints the schedule replay; a passing run has none', () => {
    // threads with no steps (none, or an empty list) take no part in the schedule
    const text = `${HEAD}threads:\n  - {name: a, steps: [{call: pfm_stop, expect: {ret: 0}}]}\n  - {name: idle, steps: []}\n  - {name: quiet}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\n`;
    const t = run(text).tests[0]!;
    expect(t.failures).toEqual(['threads[0].steps[0] pfm_stop (line 5) [a]: expected ok 0, got EINVAL']);
    expect(t.replayCommand).toBe('pfmsim-test run x.yaml --strategy kmalloc --replay 1:');
    const good = run(text.replace('expect: {ret: 0}', 'expect: {errno: EINVAL}')).tests[0]!;
    expect(good.failures).toEqual([]);
    expect(good.passed).toBe(true);
    expect(good.replayCommand).toBeUndefined();
  });
});

describe('teardown and the leak report', () => {
  it('a context left open is closed by the teardown: no leak', () => {
    expect(failures(`${HEAD}steps:\n${CREATE}${WRITE}`)).toEqual([[]]);
  });

  it('a kernel object still live after closing every fd and exiting every thread is a leak', () => {
    const text = `${HEAD.replace('kmalloc', 'leaky')}steps:\n${CREATE}${WRITE}`;
    expect(failures(text)).toEqual([
      [
        'leak: after closing every fd and exiting every thread, still live: 176 B (size-256) allocated at pfm_get_args for args:uid:1000',
      ],
    ]);
    expect(failures(`${text}expect: {leak_check: false}\n`)).toEqual([[]]);
  });
});

describe('expect: bugs', () => {
  const uaf = `${HEAD.replace('kmalloc', 'free-before-copy-back')}steps:\n${CREATE}  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0}]}}\n`;

  it('a KernelBug the scenario does not list fails the test; listed, it passes', () => {
    const [f] = failures(uaf);
    expect(f).toHaveLength(1);
    expect(f![0]).toMatch(
      /^KernelBug use-after-free: read of 176 B at 0x[0-9a-f]+ in a freed size-256 object /,
    );
    expect(failures(`${uaf}expect: {bugs: [use-after-free]}\n`)).toEqual([[]]);
  });

  it('a listed kind that never occurs fails the test', () => {
    expect(failures(`${HEAD}steps:\n${CREATE}expect: {bugs: [data-race, use-after-free]}\n`)).toEqual([
      [
        'expected a data-race KernelBug; none was reported',
        'expected a use-after-free KernelBug; none was reported',
      ],
    ]);
    const [f] = failures(`${uaf}expect: {bugs: [data-race, use-after-free]}\n`);
    expect(f).toEqual(['expected a data-race KernelBug; none was reported']);
  });
});

describe('exceptions from inside the simulator', () => {
  it('fail the strategy that threw, with the first frames; other strategies still run', () => {
    const text = `${HEAD.replace('strategy: kmalloc', 'strategy: [kmalloc, throwing]')}steps:\n${CREATE}${WRITE}`;
    const r = run(text);
    expect(r.tests.map((t) => t.strategy)).toEqual(['kmalloc', 'throwing']);
    expect(r.tests[0]!.failures).toEqual([]);
    const t = r.tests[1]!;
    expect(t.passed).toBe(false);
    expect(t.failures).toHaveLength(1);
    expect(t.failures[0]).toMatch(
      /^the simulator threw Error: strategy bug \(at [^<]+ < at [^<]+ < at [^<]+\)$/,
    );
    expect(t.replayCommand).toBeUndefined();
    expect(t.ms).toBe(0);
  });

  it('in a concurrent part, the failure carries the replay of the schedule so far', () => {
    const text = `${HEAD.replace('kmalloc', 'throwing')}threads:\n  - {name: a, steps: [{call: pfm_write_pmds, arg: {pmd: [{reg_num: 0}]}}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\n`;
    const t = run(text).tests[0]!;
    expect(t.failures).toHaveLength(2);
    expect(t.failures[0]).toMatch(/^the simulator threw Error: strategy bug /);
    expect(t.failures[1]).toBe('replay: pfmsim-test run x.yaml --strategy throwing --replay 1:');
    expect(t.replayCommand).toBe('pfmsim-test run x.yaml --strategy throwing --replay 1:');
  });

  it('a thrown non-Error cannot be blamed on a strategy: the scenario fails as a whole', () => {
    const r = run(`${HEAD.replace('kmalloc', 'throwing-string')}steps:\n${CREATE}${WRITE}`);
    expect(r.tests).toEqual([
      {
        file: 'x.yaml',
        scenario: 't',
        strategy: '-',
        passed: false,
        failures: ['x.yaml: not an Error'],
        ms: 0,
      },
    ]);
  });

  it('a scenario error found while running names the file, line and field', () => {
    const r = run(`${HEAD}steps:\n  - {call: pfm_stop, fd: $nope}\n`);
    expect(r.tests).toEqual([
      {
        file: 'x.yaml',
        scenario: 't',
        strategy: '-',
        passed: false,
        failures: ['x.yaml:5:22: steps[0].fd: $nope is not saved yet'],
        ms: 0,
      },
    ]);
  });

  it('a bad --replay fails the scenario as a whole, saying what a replay looks like', () => {
    const text = `${HEAD}threads:\n  - {name: a, steps: [{call: pfm_stop}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\n`;
    for (const bad of ['nope', '1', '1:0.', '1:.0', 'x1:0', '1:0x', '-1:0', '1:0..1']) {
      expect(run(text, { replay: bad }).tests, bad).toEqual([
        {
          file: 'x.yaml',
          scenario: 't',
          strategy: '-',
          passed: false,
          failures: [`x.yaml: --replay ${bad}: expected SEED:DECISIONS, e.g. 1:0.1.1`],
          ms: 0,
        },
      ]);
    }
    const failing = text.replace('{call: pfm_stop}', '{call: pfm_stop, expect: {ret: 0}}');
    expect(run(failing, { replay: ' 3:0 ' }).tests[0]!.replayCommand).toBe(
      'pfmsim-test run x.yaml --strategy kmalloc --replay 3:',
    );
  });
});

describe('differential testing between strategies', () => {
  const plan = makePlan(parseScenario(HEAD, 'x.yaml'));
  const pmds = (...values: number[]) => {
    const bytes = new Uint8Array(176 * values.length);
    const v = new DataView(bytes.buffer);
    values.forEach((x, i) => {
      v.setBigUint64(i * 176 + 8, BigInt(x), true);
    });
    return bytes;
  };
  const obs = (
    where: string,
    result: string,
    mem: { label: string; kind: 'pmd' | null; bytes: Uint8Array }[] = [],
    compare = true,
  ): Observation => ({ where, path: [], result, mem, compare });

  it('identical logs agree; observations left out of the comparison are skipped', () => {
    const a = [obs('s0', 'ok 0'), obs('s1', 'ok 3', [], false), obs('s2', 'ok 0')];
    const b = [obs('s0', 'ok 0'), obs('s2', 'ok 0')];
    expect(diffLogs(plan, a, b, 'A', 'B')).toBeNull();
    expect(diffLogs(plan, b, a, 'A', 'B')).toBeNull();
  });

  it('a step reached under one strategy only', () => {
    const a = [obs('s0', 'ok 0'), obs('s1', 'ok 0')];
    const b = [obs('s0', 'ok 0')];
    expect(diffLogs(plan, a, b, 'A', 'B')).toBe('s1: reached under A only (A made 2 observations, B 1)');
    expect(diffLogs(plan, b, a, 'A', 'B')).toBe('s1: reached under B only (A made 1 observations, B 2)');
  });

  it('steps in another order, another result', () => {
    expect(diffLogs(plan, [obs('s0', 'ok 0')], [obs('s1', 'ok 0')], 'A', 'B')).toBe(
      'steps ran in a different order: A s0, B s1',
    );
    expect(diffLogs(plan, [obs('s0', 'ok 0')], [obs('s0', 'EFAULT')], 'A', 'B')).toBe(
      's0: result: A ok 0, B EFAULT',
    );
  });

  it('buffers: their number, a raw byte, a struct field of a later element', () => {
    const raw = (...b: number[]) => ({ label: 'r', kind: null, bytes: Uint8Array.from(b) });
    const pmd = (...v: number[]) => ({ label: 'p', kind: 'pmd' as const, bytes: pmds(...v) });
    expect(diffLogs(plan, [obs('s0', 'ok 0', [raw(1)])], [obs('s0', 'ok 0')], 'A', 'B')).toBe(
      's0: buffers differ in number',
    );
    expect(diffLogs(plan, [obs('s0', 'ok 0')], [obs('s0', 'ok 0', [raw(1)])], 'A', 'B')).toBe(
      's0: buffers differ in number',
    );
    expect(
      diffLogs(plan, [obs('s0', 'ok 0', [raw(1, 2, 3)])], [obs('s0', 'ok 0', [raw(1, 2, 4)])], 'A', 'B'),
    ).toBe('s0: buffer r byte 2: A 3, B 4');
    expect(
      diffLogs(
        plan,
        [obs('s0', 'ok 0', [raw(1), pmd(5, 0x60)])],
        [obs('s0', 'ok 0', [raw(1), pmd(5, 0x70)])],
        'A',
        'B',
      ),
    ).toBe('s0: buffer p[1].reg_value: A 0x60, B 0x70');
    const arr = pmds(0);
    arr[48 + 2 * 8] = 0x90; // reg_reset_pmds[2]
    expect(
      diffLogs(
        plan,
        [obs('s0', 'ok 0', [pmd(0)])],
        [obs('s0', 'ok 0', [{ label: 'p', kind: 'pmd', bytes: arr }])],
        'A',
        'B',
      ),
    ).toBe('s0: buffer p[0].reg_reset_pmds[2]: A 0, B 0x90');
  });

  const twoStrategies = (s: string) => HEAD.replace('strategy: kmalloc', `strategy: [${s}]`);
  const readBack = `steps:\n${CREATE}${WRITE}  - {call: pfm_read_pmds, arg: {pmd: [{reg_num: 0}]}}\n`;

  it('a strategy that gives other bytes fails, pointing at the field; differential: false turns it off', () => {
    expect(failures(`${twoStrategies('kmalloc, skip-copy-back')}${readBack}`)).toEqual([
      [],
      [
        'differs from kmalloc: steps[2] pfm_read_pmds (line 7): buffer steps[2].arg[0].reg_value: kmalloc 5, skip-copy-back 0',
      ],
    ]);
    expect(
      failures(`${twoStrategies('kmalloc, skip-copy-back')}${readBack}expect: {differential: false}\n`),
    ).toEqual([[], []]);
  });

  it('a failing reference is compared with nothing', () => {
    const wrong = readBack.replace('reg_num: 0}]}}', 'reg_num: 0}]}, expect: {errno: EFAULT}}');
    expect(failures(`${twoStrategies('kmalloc, skip-copy-back')}${wrong}`)).toEqual([
      ['steps[2] pfm_read_pmds (line 7): expected errno EFAULT, got ok 0'],
      ['steps[2] pfm_read_pmds (line 7): expected errno EFAULT, got ok 0'],
    ]);
  });

  it('results carry the file, scenario, strategy and time; schedules only when exploring', () => {
    const r = run(`${twoStrategies('kmalloc, stack')}steps:\n${CREATE}`);
    expect(r.file).toBe('x.yaml');
    expect(r.scenario).toBe('t');
    for (const t of r.tests) {
      expect(Object.keys(t).sort()).toEqual([
        'failures',
        'file',
        'ms',
        'passed',
        'scenario',
        'strategy',
        'syscalls',
      ]);
      // pfm_create_context, the one call step
      expect(t.syscalls).toBe(1);
      expect(t.ms).toBeGreaterThan(0);
    }
    expect(r.tests.map((t) => [t.file, t.scenario, t.strategy, t.passed])).toEqual([
      ['x.yaml', 't', 'kmalloc', true],
      ['x.yaml', 't', 'stack', true],
    ]);
  });
});

describe('exploration', () => {
  // a writer and a reader of one counter: the reader sees the old value or the new one
  const writerReader = (strategies: string, explore: string) =>
    `${HEAD.replace('strategy: kmalloc', `strategy: [${strategies}]`)}threads:\n  - {name: w, steps: [{call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 100}]}}]}\n  - {name: r, steps: [{call: pfm_read_pmds, arg: {pmd: [{reg_num: 0}]}}]}\nsteps:\n  - {call: pfm_create_context, thread: w, save: fd}\nexplore: ${explore}\n`;

  it('an outcome the reference never gives fails the other strategy, with an example difference', () => {
    const r = run(writerReader('kmalloc, skip-copy-back', '{mode: exhaustive}'));
    expect(r.tests.map((t) => t.failures)).toEqual([
      [],
      [
        'differs from kmalloc: schedule 1:0.0.0.0.0 under skip-copy-back gives an outcome no kmalloc schedule gives; e.g. threads[1].steps[0] pfm_read_pmds (line 6) [r]: buffer threads[1].steps[0].arg[0].reg_value: kmalloc (schedule 1:0.0.0.0.0) 0x64, skip-copy-back 0',
      ],
    ]);
  });

  it('an outcome of the reference that never occurs under another strategy fails it', () => {
    // skip-copy-back leaves the read buffer as it was: one outcome, the reader-first one of kmalloc
    const r = run(writerReader('skip-copy-back, kmalloc', '{mode: exhaustive}'));
    expect(r.tests.map((t) => t.failures)).toEqual([
      [],
      [
        'differs from skip-copy-back: an outcome of skip-copy-back (schedule 1:0.0.0.0.0) never occurs under kmalloc',
      ],
    ]);
  });

  it('the number of schedules: exhaustive within 2 preemptions by default and never capped, random 200', () => {
    const schedules = (explore: string) => run(writerReader('kmalloc', explore)).tests[0]!.schedules;
    expect(schedules('{mode: exhaustive, max_preemptions: 1}')).toBe(10);
    expect(schedules('{mode: exhaustive, max_preemptions: 2}')).toBe(42);
    expect(schedules('{mode: exhaustive}')).toBe(42);
    expect(schedules('{mode: exhaustive, max_preemptions: 5}')).toBe(210);
    expect(schedules('{mode: random}')).toBe(200);
    expect(schedules('{mode: pct, schedules: 20}')).toBe(20);
  });

  it('a failing schedule is named by the exploration seed, or else the scenario seed', () => {
    const failing = (explore: string, seed = '') =>
      run(
        `${writerReader('kmalloc', explore)}${seed}`.replace(
          'reg_num: 0}]}}]}',
          'reg_num: 0}]}, expect: {ret: 1}}]}',
        ),
      ).tests[0]!;
    const t = failing('{mode: random, seed: 7}');
    expect(t.failures[0]).toMatch(
      /^schedule 7:[\d.]+: threads\[1\]\.steps\[0\] pfm_read_pmds \(line 6\) \[r\]: expected ok 1, got (ok 0|EINVAL)$/,
    );
    expect(t.failures.at(-1)).toBe(`replay: ${t.replayCommand}`);
    expect(t.replayCommand).toMatch(/^pfmsim-test run x\.yaml --strategy kmalloc --replay 7:[\d.]+$/);
    expect(failing('{mode: random}', 'seed: 9\n').replayCommand).toMatch(/--replay 9:[\d.]+$/);
  });

  it('a replayed schedule need not show the expected KernelBugs (they are expected on some schedule)', () => {
    const race = readFileSync(fileURLToPath(new URL('../examples/naive-race.yaml', import.meta.url)), 'utf8');
    const logs: string[][] = [];
    const r = runScenario(parseScenario(race, 'naive-race.yaml'), {
      replay: '1:',
      onLog: (_s, log, f) => logs.push([`${log.length} observations`, ...f]),
    });
    expect(r.tests[0]!.failures).toEqual([]);
    expect(r.tests[0]!.schedules).toBe(1);
    expect(logs).toEqual([['3 observations']]);
    expect(runScenario(parseScenario(race, 'naive-race.yaml'), { replay: '1:' }).tests[0]!.failures).toEqual(
      [],
    );
  });

  it('pct_depth: depth 1 never preempts, so a thread reads back its own write; depth 4 finds the other writer', () => {
    const w = (v: number) => `{call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: ${v}}]}}`;
    const text = (depth: number) =>
      `${HEAD}threads:\n  - {name: a, steps: [${w(1)}, {call: pfm_read_pmds, arg: {pmd: [{reg_num: 0}]}, expect: {out: [{reg_value: 1}]}}]}\n  - {name: b, steps: [${w(2)}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\nexplore: {mode: pct, schedules: 200, pct_depth: ${depth}}\n`;
    expect(failures(text(1))).toEqual([[]]);
    expect(failures(text(4))[0]![0]).toMatch(
      /^schedule \d+:[\d.]+: threads\[0\]\.steps\[1\] pfm_read_pmds \(line 5\) \[a\]: out \[0\] reg_value: expected 1, got 2$/,
    );
  });

  it('steps left out of the comparison do not make outcomes differ', () => {
    // under 4K stacks, pmd_max_fast_arg reads 0 under kmalloc and 2 under stack
    const head = HEAD.replace('i386,', 'i386-4k,').replace('strategy: kmalloc', 'strategy: [kmalloc, stack]');
    const threads = `threads:\n  - {name: a, steps: [{call: dup}]}\n  - {name: b, steps: [{call: dup}]}\nexplore: {mode: exhaustive}\n`;
    const read = (how: string) =>
      `${head}${threads}steps:\n  - {call: pfm_create_context, thread: a, save: fd}\n  - {sysfs_read: pmd_max_fast_arg, ${how}}\n`;
    expect(failures(read('expect: {value: "0", by_strategy: {stack: {value: "2"}}}'))).toEqual([[], []]);
    expect(failures(read('differential: false'))).toEqual([[], []]);
    expect(failures(read('note: compared'))[1]![0]).toMatch(
      /^differs from kmalloc: schedule 1:[\d.]* under stack gives an outcome no kmalloc schedule gives; e\.g\. steps\[1\] sysfs_read \(line \d+\): result: kmalloc \(schedule 1:[\d.]*\) "0", stack "2"$/,
    );
  });

  it('an exception while exploring fails that strategy with the replay of its schedule', () => {
    const t = run(writerReader('kmalloc, throwing', '{mode: random, seed: 7}')).tests[1]!;
    expect(t.failures).toEqual([
      expect.stringMatching(/^the simulator threw Error: strategy bug \(at /),
      'replay: pfmsim-test run x.yaml --strategy throwing --replay 7:1',
    ]);
    expect(t.replayCommand).toBe('pfmsim-test run x.yaml --strategy throwing --replay 7:1');
    const again = run(writerReader('throwing', '{mode: random, seed: 7}'), { replay: '7:1' }).tests[0]!;
    expect(again.failures[0]).toMatch(/^the simulator threw Error: strategy bug \(at /);
  });
});

describe('what a killed thread leaves behind is not reported', () => {
  const steps = `steps:\n${CREATE}  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0}]}}\n`;
  const bug =
    'KernelBug stack-overflow: kernel stack overflow in copy frame: 16640 B used of 8136 B (thread T0 main in pfm_write_pmds; replay 1:)';

  it('the buffer it held is no leak: the teardown does not run after a kill', () => {
    const text = `${HEAD.replace('kmalloc', 'overflow-after-acquire')}${steps}`;
    expect(failures(text)).toEqual([
      ['steps[1] pfm_write_pmds (line 6): thread main killed by a KernelBug (stack-overflow)', bug],
    ]);
    expect(failures(`${text}expect: {bugs: [stack-overflow]}\n`)).toEqual([[]]);
  });

  it('the same in a concurrent thread', () => {
    const text = `${HEAD.replace('kmalloc', 'overflow-after-acquire')}threads:\n  - {name: a, steps: [{call: pfm_write_pmds, arg: {pmd: [{reg_num: 0}]}}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\nexpect: {bugs: [stack-overflow]}\n`;
    expect(failures(text)).toEqual([[]]);
  });

  it('a kill in the sequential steps: the threads never start, explored or not', () => {
    const text = `${HEAD}threads:\n  - {name: a, steps: [{call: pfm_stop, expect: {ret: 0}}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\n  - {call: read, thread: a}\nexpect: {bugs: [deadlock]}\n`;
    const r = run(text);
    expect(r.tests[0]!.failures).toEqual([]);
    expect(r.tests[0]!.replayCommand).toBeUndefined();
    const explored = run(`${text}explore: {mode: exhaustive}\n`).tests[0]!;
    expect(explored.failures).toEqual([]);
    expect(explored.schedules).toBe(1);
  });
});

describe('scheduling, timing and scenario errors', () => {
  it('schedule: round-robin interleaves the threads step by step; by default each runs to completion', () => {
    const w = (v: number) => `{call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: ${v}}]}}`;
    const text = `${HEAD}threads:\n  - {name: a, steps: [${w(1)}, ${w(2)}]}\n  - {name: b, steps: [${w(3)}, ${w(4)}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\n`;
    const order = (t: string) => {
      const where: string[] = [];
      run(t, { onLog: (_s, log) => where.push(...log.map((o) => o.where.split(' ').at(-1)!)) });
      return where.slice(1).join(' ');
    };
    expect(order(text)).toBe('[a] [a] [b] [b]');
    expect(order(`${text}schedule: run-to-completion\n`)).toBe('[a] [a] [b] [b]');
    expect(order(`${text}schedule: round-robin\n`)).toBe('[a] [b] [a] [b]');
  });

  it('a strategy that cannot be built fails without a replay: there is no kernel to replay', () => {
    const text = `${HEAD.replace('kmalloc', 'no-factory')}threads:\n  - {name: a, steps: [{call: pfm_stop}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\n`;
    const t = run(text).tests[0]!;
    expect(t.failures).toEqual([expect.stringMatching(/^the simulator threw Error: cannot build \(at /)]);
    expect(t.replayCommand).toBeUndefined();
  });

  it('an explored scenario with no concurrent part still names the replay of a throwing strategy', () => {
    const t = run(
      `${HEAD.replace('kmalloc', 'throwing')}steps:\n${CREATE}${WRITE}explore: {mode: random, seed: 4}\n`,
    ).tests[0]!;
    expect(t.failures).toEqual([
      expect.stringMatching(/^the simulator threw Error: strategy bug \(at /),
      'replay: pfmsim-test run x.yaml --strategy throwing --replay 4:',
    ]);
  });

  it('the time of each test is the time its runs took', () => {
    for (const text of [
      `${HEAD}steps:\n${CREATE}${WRITE}`,
      `${HEAD}threads:\n  - {name: a, steps: [{call: dup}]}\n  - {name: b, steps: [{call: dup}]}\nsteps:\n  - {call: pfm_create_context, thread: a, save: fd}\nexplore: {mode: exhaustive}\n`,
    ]) {
      const t0 = performance.now();
      const t = run(text).tests[0]!;
      const took = performance.now() - t0;
      expect(t.ms).toBeGreaterThan(0);
      expect(t.ms).toBeLessThanOrEqual(took);
    }
  });

  it('a scenario that cannot run is one failed test naming the file, line and field', () => {
    const r = run(`${HEAD}threads: [{name: a, cpu: 5}]\nsteps:\n  - {call: pfm_create_context, thread: a}\n`);
    expect(r).toEqual({
      file: 'x.yaml',
      scenario: 't',
      tests: [
        {
          file: 'x.yaml',
          scenario: 't',
          strategy: '-',
          passed: false,
          failures: ['x.yaml:4:21: threads[0].cpu: cpu 5 does not exist (cpus: 2)'],
          ms: 0,
        },
      ],
    });
    expect(run(`${HEAD}steps:\n${CREATE}`, { strategies: ['kmaloc'] }).tests[0]!.failures).toEqual([
      expect.stringMatching(/^x\.yaml: unknown strategy "kmaloc" \(did you mean "kmalloc"\?\)/),
    ]);
  });
});
