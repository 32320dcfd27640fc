// Every command's case, written once and run two ways: in this process by
// src/commands/commands.test.ts (runInProcess: the tests mutation testing runs, since a mutant is
// switched on only inside the test process) and through the spawned binary by
// test/commands.e2e.test.ts (runCli). Same arguments, goldens and schema checks for both. This file
// is no test file itself (vitest collects *.test.ts only), and it lies outside src/, so it is not
// mutated.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLI_DIR,
  expectGolden,
  expectSchema,
  expectUsageError,
  REPO,
  type Runner,
  tempDir,
} from './helpers.js';

export interface CommandCase {
  readonly name: string;
  readonly check: (run: Runner) => Promise<void>;
}

/** Generous: a case runs pfmsim several times, each spawn seconds long on a loaded machine. */
const CASE_TIMEOUT_MS = 120_000;

const P6 = join(REPO, 'packages', 'pmu-models', 'models', 'intel', 'p6.json');

export const COMMAND_CASES: readonly CommandCase[] = [
  {
    name: 'machines, as a table and as JSON',
    async check(run) {
      const r = await run(['machines']);
      expect(r.code, r.stderr).toBe(0);
      expectGolden('machines', r.stdout);
      const doc = expectSchema('machines', (await run(['machines', '--json'])).stdout);
      expect((doc.machines as { id: string }[]).map((m) => m.id)).toEqual([
        'p4-2006',
        'p4-2006-4k',
        'core2-2007',
        'k8-2006',
        'itanium2-2006',
        'power5-2006',
        'modern',
        'modern-mitigated',
      ]);
    },
  },
  {
    name: 'pmu list | show | validate',
    async check(run) {
      const list = await run(['pmu', 'list']);
      expect(list.code, list.stderr).toBe(0);
      expectGolden('pmu-list', list.stdout);
      expectSchema('pmu-list', (await run(['pmu', 'list', '--json'])).stdout);
      const show = await run(['pmu', 'show', 'intel-p6']);
      expect(show.code, show.stderr).toBe(0);
      expectGolden('pmu-show', show.stdout);
      expect(
        JSON.stringify(expectSchema('pmu-show', (await run(['pmu', 'show', 'amd64-k8', '--json'])).stdout)),
      ).toContain('"amd64-k8"');
      const ok = await run(['pmu', 'validate', P6, '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(expectSchema('pmu-validate', ok.stdout).valid).toBe(true);
      const bad = await run(['pmu', 'validate', join('test', 'fixtures', 'bad-model.json')], {
        cwd: CLI_DIR,
      });
      expect(bad.code).toBe(2);
      expectGolden('pmu-validate-bad', bad.stdout + bad.stderr);
    },
  },
  {
    name: 'tune: the thresholds for a distribution, and the assumed one without --sizes',
    async check(run) {
      const r = await run(['tune', '--machine', 'p4-2006-4k', '--sizes', 'pmd:1=40,4=40,64=20;pmc:4=100']);
      expect(r.code, r.stderr).toBe(0);
      expectGolden('tune', r.stdout);
      const doc = expectSchema('tune', (await run(['tune', '--json'])).stdout);
      expect(doc.arch).toBe('i386');
    },
  },
  {
    name: 'calibrate: solves by bisection and judges the value; an unsolvable target exits 1',
    async check(run) {
      const calibrate = (target: string, vary: string, ...more: string[]) =>
        run(['calibrate', '--target', target, '--vary', vary, ...more]);
      const r = await calibrate('pfm_read_pmds n=4 stack vs kmalloc = -20%', 'kmallocFast');
      expect(r.code, r.stderr).toBe(0);
      expectGolden('calibrate', r.stdout);
      const j = await calibrate('pfm_read_pmds n=4 kmalloc = 2500', 'copyFixed', '--json');
      const doc = expectSchema('calibrate', j.stdout);
      expect(doc.solved).toBe(true);
      expect(doc.achieved).toBeCloseTo(2500, -1);
      const none = await calibrate('pfm_read_pmds n=4 stack vs kmalloc = -20%', 'copyFixed');
      expect(none.code).toBe(1);
      expect(none.stdout).toContain('no value of copyFixed');
    },
  },
  {
    name: 'stat: perf-stat style counts, multiplexed counts scaled with the share of time counted',
    async check(run) {
      const stat = (events: string, ...more: string[]) =>
        run(['stat', '--machine', 'core2-2007', '-e', events, ...more]);
      const r = await stat('UNHALTED_CORE_CYCLES,INSTRUCTIONS_RETIRED');
      expect(r.code, r.stderr).toBe(0);
      expectGolden('stat', r.stdout);
      const events =
        'INSTRUCTIONS_RETIRED,UNHALTED_CORE_CYCLES,BRANCH_INSTRUCTIONS_RETIRED,MISPREDICTED_BRANCH_RETIRED,LOAD_BLOCK:STA';
      const workload =
        'app:INSTRUCTIONS_RETIRED=0.8,UNHALTED_CORE_CYCLES=1,BRANCH_INSTRUCTIONS_RETIRED=0.2,MISPREDICTED_BRANCH_RETIRED=0.01';
      const mux = await stat(events, '-r', '2', '--workload', workload);
      expect(mux.code, mux.stderr).toBe(0);
      expectGolden('stat-multiplexed', mux.stdout);
      expect(mux.stdout).toMatch(/\(\d+\.\d\d%\)/);
      const doc = expectSchema('stat', (await stat(events, '--json')).stdout);
      expect(doc.multiplexed).toBe(true);
    },
  },
  {
    name: "record: pfmon's flat profile of a sampled program, and its JSON",
    async check(run) {
      const r = await run(['record', '--cycles', '20000000']);
      expect(r.code, r.stderr).toBe(0);
      expectGolden('record', r.stdout);
      const doc = expectSchema('record', (await run(['record', '--cycles', '20000000', '--json'])).stdout);
      expect(doc.lost).toBe(0);
    },
  },
  {
    name: 'attack: kernel memory over time',
    async check(run) {
      const r = await run(['attack', '--contexts', '256', '--samples', '8', '--strategy', 'ctx-cache']);
      expect(r.code, r.stderr).toBe(0);
      expectGolden('attack', r.stdout);
      const j = await run(['attack', '--contexts', '64', '--strategy', 'ctx-cache-bounded', '--json']);
      expect(expectSchema('attack', j.stdout).pinnedBytesAfter).toBeGreaterThan(0);
    },
  },
  {
    name: 'certify: a certificate with every check; a broken strategy exits 1 with replay commands',
    async check(run) {
      const r = await run(['certify', 'hybrid']);
      expect(r.code, r.stderr).toBe(0);
      expectGolden('certify', r.stdout);
      const bad = await run(['certify', 'ctx-cache-naive', '--only', 'shared-fd,race,attacks']);
      expect(bad.code).toBe(1);
      expectGolden('certify-broken', bad.stdout);
      const j = await run(['certify', 'ctx-cache-naive', '--only', 'race', '--json']);
      expect(expectSchema('certify', j.stdout)).toMatchObject({ verdict: 'not certified', failed: ['race'] });
    },
  },
  {
    name: 'race: findings with their replay commands, the replay reproduces them; random exploration; --fail-on-findings exits 1',
    async check(run) {
      const r = await run(['race', '--strategy', 'ctx-cache-naive']);
      expect(r.code, r.stderr).toBe(0);
      expectGolden('race', r.stdout);
      const replay = /replay: (pfmsim race .* --replay (\S+))/.exec(r.stdout);
      expect(replay).not.toBeNull();
      const again = await run(replay![1]!.split(' ').slice(1));
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('data-race');
      expectGolden('race-replay', again.stdout);
      const rj = await run(['race', '--strategy', 'ctx-cache-naive', '--replay', replay![2]!, '--json']);
      expect(expectSchema('race', rj.stdout).reproduced).toBe(true);

      const j = await run([
        'race',
        '--strategy',
        'ctx-cache',
        '--explore',
        'random',
        '--schedules',
        '20',
        '--json',
      ]);
      expect(expectSchema('race', j.stdout)).toMatchObject({ raceFree: true, mode: 'random', schedules: 20 });
      const fail = await run([
        'race',
        '--strategy',
        'ctx-cache-spinsplit',
        '--max-preemptions',
        '1',
        '--fail-on-findings',
        '--json',
      ]);
      expect(fail.code).toBe(1);
      expectSchema('race', fail.stdout);
    },
  },
  {
    name: 'bench: calls per host second per strategy and schedules per second',
    async check(run) {
      const quick = ['--rounds', '2', '--round-schedules', '200'];
      const r = await run(['bench', '--strategies', 'kmalloc,stack', '--duration', '30', ...quick, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const doc = expectSchema('bench', r.stdout);
      expect(Object.keys(doc.simulatedCallsPerSecond as object)).toEqual(['kmalloc', 'stack']);
      expect(doc.schedulesPerSecond as number).toBeGreaterThan(0);
      const h = await run(['bench', '--strategies', 'hybrid', '--duration', '20', ...quick]);
      expect(h.code, h.stderr).toBe(0);
      expect(h.stdout).toMatch(/^hybrid(\s+[\d,]+){3}\s+[\d.]+%\s+[\d.]+$/m);
      expect(h.stdout).toMatch(
        /exploration: [\d,]+ schedules\/s median of 2 rounds of 200 \(min [\d,]+, max [\d,]+, spread [\d.]+%;/,
      );
    },
  },
  {
    name: 'compare with a baseline (saved, shown against, refused under a wrong name) and its report',
    async check(run) {
      const dir = tempDir();
      const args = [
        'compare',
        '--strategies',
        'stack,task-cache',
        '--contexts',
        '64',
        '--max-preemptions',
        '1',
      ];
      const saved = await run([...args, '--save-baseline', 'before'], { cwd: dir });
      expect(saved.code, saved.stderr).toBe(0);
      expect(saved.stderr).toBe('saved baseline "before" to .pfmsim/baselines/before.json\n');
      expect(existsSync(join(dir, '.pfmsim', 'baselines', 'before.json'))).toBe(true);

      const again = await run([...args, '--threads', '2', '--baseline', 'before'], { cwd: dir });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('Change against baseline "before"');
      expectGolden('compare-baseline', again.stdout);

      const json = await run([...args, '--baseline', 'before', '--json', '--export-json', 'c.json'], {
        cwd: dir,
      });
      const base = expectSchema('compare', json.stdout).baseline as {
        comparable: boolean;
        strategies: { name: string; cyclesAt4: { change: number } }[];
      };
      expect(base.comparable).toBe(true);
      expect(base.strategies.map((s) => s.cyclesAt4.change)).toEqual([0, 0, 0]);

      const attack = await run(
        ['attack', '--contexts', '64', '--strategy', 'ctx-cache', '--export-json', 'a.json'],
        {
          cwd: dir,
        },
      );
      expect(attack.code, attack.stderr).toBe(0);
      const report = await run(['report', 'c.json', 'a.json', '-o', 'r.html', '--json'], { cwd: dir });
      expect(report.code, report.stderr).toBe(0);
      expectSchema('report', report.stdout);
      expect(readFileSync(join(dir, 'r.html'), 'utf8')).toMatch(/^<!doctype html>/i);

      expectUsageError(
        await run([...args, '--baseline', 'befor'], { cwd: dir }),
        /unknown baseline for compare "befor"; did you mean "before"\?/,
      );
    },
  },
];

/** One test per case in COMMAND_CASES, each running pfmsim through `run`. */
export function describeCommandCases(title: string, run: Runner): void {
  describe(title, () => {
    for (const c of COMMAND_CASES) it(c.name, () => c.check(run), CASE_TIMEOUT_MS);
  });
}
