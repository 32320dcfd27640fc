// The fuzz campaign (issue 17): a budget in system calls, their count per strategy and per
// second, the branch coverage reached (V8), and the coverage-guided mode with its corpus.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Campaign } from './campaign.js';
import { runFuzz } from './fuzz.js';
import { parseScenario } from './load.js';
import type { TestResult } from './run.js';
import { runScenario } from './run.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'pfmsim-campaign-'));
const test = (strategy: string, syscalls: number, ms: number): TestResult => ({
  file: 'f',
  scenario: 's',
  strategy,
  passed: true,
  failures: [],
  ms,
  syscalls,
});

describe('syscalls made, as the runner counts them', () => {
  it('a sequential scenario counts its call steps (not sysfs or other steps), once per strategy', () => {
    const sc = parseScenario(
      `name: count
machine: { arch: i386, cost: p4-2006, pmu: intel-p6 }
strategy: [kmalloc, stack]
steps:
  - { call: pfm_create_context, save: fd }
  - { sysfs_read: sys_sessions_count }
  - { call: pfm_read_pmds, fd: 99, arg: 0, count: 0, expect: { errno: EBADF } }
  - { call: close, fd: $fd }
`,
      'count.yaml',
    );
    const r = runScenario(sc);
    expect(r.tests.map((t) => [t.strategy, t.syscalls])).toEqual([
      ['kmalloc', 3],
      ['stack', 3],
    ]);
  });

  it('an explored scenario counts the calls of every schedule', () => {
    const sc = parseScenario(
      readFileSync(join(import.meta.dirname, '..', 'conformance', 'concurrent-close.yaml'), 'utf8'),
      'cc.yaml',
    );
    const r = runScenario(sc, { strategies: ['kmalloc'] });
    const t = r.tests[0]!;
    expect(t.schedules).toBeGreaterThan(1);
    // each schedule replays the whole program: at least one call per schedule, the same every time
    expect(t.syscalls! % t.schedules!).toBe(0);
    expect(t.syscalls! / t.schedules!).toBeGreaterThanOrEqual(2);
  });
});

describe('what coverage-guided mutation found in the runner', () => {
  it('a call step on a thread that has exited is refused (a real kernel never runs it; task-cache leaked here)', () => {
    const sc = parseScenario(
      `name: exited
machine: { arch: i386, cost: p4-2006, pmu: intel-p6 }
strategy: [task-cache]
processes: [{ name: p0, uid: 1000 }]
threads: [{ name: t0, process: p0, cpu: 0 }, { name: t1, process: p0, cpu: 1 }]
steps:
  - { call: pfm_create_context, thread: t1 }
  - { exit: t1, thread: t0 }
  - { call: pfm_write_pmcs, thread: t1, fd: 0, arg: { pmc: [{ reg_num: 0 }] } }
`,
      'exited.yaml',
    );
    const [t] = runScenario(sc).tests;
    expect(t!.strategy).toBe('-');
    expect(t!.failures.join('\n')).toMatch(
      /steps\[2\].*its thread has exited: an exited thread makes no system call/,
    );
  });
});

describe('the campaign bookkeeping', () => {
  it('adds syscalls and host time per strategy, and is spent at its budget', () => {
    const lines: string[] = [];
    const c = new Campaign(100, false, (t) => lines.push(t));
    expect(c.spent()).toBe(false);
    expect(c.add([test('kmalloc', 30, 2), test('stack', 30, 4)], 1, 1)).toBe(0);
    expect(c.syscalls).toBe(60);
    expect(c.spent()).toBe(false);
    c.add(
      [test('kmalloc', 25, 1), test('stack', 25, 1), { ...test('-', 0, 0), syscalls: undefined } as never],
      2,
      2,
    );
    expect(c.syscalls).toBe(110);
    expect(c.spent()).toBe(true);
    expect(c.finish()).toEqual({
      syscalls: 110,
      perStrategy: {
        kmalloc: { syscalls: 55, ms: 3 },
        stack: { syscalls: 55, ms: 5 },
        '-': { syscalls: 0, ms: 0 },
      },
    });
    expect(new Campaign(null, false, () => {}).spent()).toBe(false);
    const exact = new Campaign(100, false, () => {});
    exact.add([test('kmalloc', 99, 1)], 1, 1);
    expect(exact.spent()).toBe(false);
    exact.add([test('kmalloc', 1, 1)], 2, 1);
    expect(exact.spent()).toBe(true);
  });

  it('with coverage, each progress line gives the branches reached so far, and the result has them', () => {
    const lines: string[] = [];
    const c = new Campaign(10, true, (t) => lines.push(t));
    c.add([test('kmalloc', 10, 1)], 1, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^fuzz: 10 syscalls \(100 %\), 1 programs, 1\.0 s, 10\/s, perfmon-core \d+, buffer-strategies \d+ branches\n$/,
    );
    const r = c.finish();
    expect(Object.keys(r.coverage!.reached)).toEqual(['perfmon-core', 'buffer-strategies']);
  });

  it('prints one progress line per tenth of the budget reached (several tenths at once: one line)', () => {
    const lines: string[] = [];
    const c = new Campaign(1000, false, (t) => lines.push(t));
    c.add([test('kmalloc', 50, 1)], 1, 1);
    expect(lines).toEqual([]);
    c.add([test('kmalloc', 50, 1)], 2, 2);
    expect(lines).toEqual(['fuzz: 100 syscalls (10 %), 2 programs, 2.0 s, 50/s\n']);
    c.add([test('kmalloc', 350, 1)], 3, 4);
    expect(lines[1]).toBe('fuzz: 450 syscalls (45 %), 3 programs, 4.0 s, 113/s\n');
    c.add([test('kmalloc', 49, 1)], 4, 5);
    expect(lines).toHaveLength(2);
    c.add([test('kmalloc', 2000, 1)], 5, 10);
    expect(lines[2]).toBe('fuzz: 2,499 syscalls (100 %), 5 programs, 10.0 s, 250/s\n');
    c.add([test('kmalloc', 1, 1)], 6, 11);
    expect(lines).toHaveLength(3);
  });

  it('the summary gives the total, each strategy with its rate, and the coverage when measured', () => {
    const text = Campaign.summary(
      {
        syscalls: 3000,
        perStrategy: { kmalloc: { syscalls: 2000, ms: 500 }, stack: { syscalls: 1000, ms: 0 } },
        coverage: {
          reached: { 'perfmon-core': 10, 'buffer-strategies': 4 },
          known: { 'perfmon-core': 20, 'buffer-strategies': 8 },
        },
      },
      1.5,
    );
    expect(text.split('\n')).toEqual([
      'syscalls: 3,000 in 1.5 s, 2,000/s',
      '  kmalloc                     2,000 syscalls     4,000/s',
      '  stack                       1,000 syscalls           -',
      'coverage: perfmon-core 10 of 20 branches, buffer-strategies 4 of 8 branches (V8 block coverage; "of": the blocks of the functions that ran)',
      '',
    ]);
  });

  it('no rate when nothing ran or no time passed', () => {
    const per = { kmalloc: { syscalls: 0, ms: 0 } };
    expect(Campaign.summary({ syscalls: 0, perStrategy: per }, 2).split('\n')[0]).toBe(
      'syscalls: 0 in 2.0 s',
    );
    expect(Campaign.summary({ syscalls: 5, perStrategy: per }, 0).split('\n')[0]).toBe(
      'syscalls: 5 in 0.0 s',
    );
  });
});

describe('fuzz --syscalls, --coverage, --guided', () => {
  it('stops once the syscall budget is spent; the counts add up', () => {
    let log = '';
    const r = runFuzz({
      syscalls: 3000,
      seed: 3,
      out: scratch(),
      strategies: ['kmalloc', 'stack'],
      log: (t) => (log += t),
    });
    expect(r.syscalls).toBeGreaterThanOrEqual(3000);
    const per = Object.values(r.perStrategy);
    expect(per.reduce((a, s) => a + s.syscalls, 0)).toBe(r.syscalls);
    expect(r.perStrategy.kmalloc!.syscalls).toBe(r.perStrategy.stack!.syscalls);
    expect(r.coverage).toBeUndefined();
    expect(log).toMatch(/^fuzz: seed 3, 3000 syscalls, strategies kmalloc, stack\n/);
    expect(log).toContain(`syscalls: ${r.syscalls.toLocaleString('en-US')} in `);
    // the same seed and budget: the same programs, the same count
    expect(
      runFuzz({ syscalls: 3000, seed: 3, out: scratch(), strategies: ['kmalloc', 'stack'] }),
    ).toMatchObject({
      programs: r.programs,
      syscalls: r.syscalls,
    });
  });

  it('--coverage reports the branches reached', () => {
    const r = runFuzz({ syscalls: 2000, seed: 4, out: scratch(), strategies: ['kmalloc'], coverage: true });
    expect(r.coverage!.reached['perfmon-core']).toBeGreaterThan(20);
    expect(r.coverage!.reached['buffer-strategies']).toBeGreaterThan(0);
  });

  it('--guided keeps the programs that reached new branches in the corpus directory, and a later run loads them', () => {
    const dir = join(scratch(), 'corpus');
    let log = '';
    const r = runFuzz({
      syscalls: 4000,
      seed: 5,
      out: scratch(),
      strategies: ['kmalloc'],
      guided: true,
      corpus: dir,
      log: (t) => (log += t),
    });
    expect(r.coverage).toBeDefined();
    expect(r.corpus!.loaded).toBe(0);
    expect(r.corpus!.size).toBeGreaterThan(0);
    const files = readdirSync(dir);
    expect(files).toHaveLength(r.corpus!.size);
    expect(files.every((f) => /^cov-5-\d+\.yaml$/.test(f))).toBe(true);
    expect(log).toMatch(
      /^fuzz: seed 5, 4000 syscalls, coverage-guided \(corpus 0 programs\), strategies kmalloc\n/,
    );
    expect(log).toContain(`corpus: ${r.corpus!.size} programs (0 loaded, saved in ${dir})`);
    // each kept program is a scenario that runs
    for (const f of files) {
      const sc = parseScenario(
        readFileSync(join(dir, f), 'utf8').replace(/^name:/m, 'strategy: [kmalloc]\nname:'),
        f,
      );
      expect(runScenario(sc).tests[0]!.strategy).toBe('kmalloc');
    }
    const again = runFuzz({
      syscalls: 500,
      seed: 6,
      out: scratch(),
      strategies: ['kmalloc'],
      guided: true,
      corpus: dir,
    });
    expect(again.corpus!.loaded).toBe(r.corpus!.size);
  });
});
