import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_DIR, expectGolden, expectSchema, runCli } from './helpers.js';

describe('pfmsim (every command, end to end, colour off)', () => {
  it('--version, --help and no arguments', async () => {
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runCli(['--help']);
    expect(h.code).toBe(0);
    for (const c of [
      'compare',
      'machines',
      'attack',
      'race',
      'pmu',
      'tune',
      'calibrate',
      'sweep',
      'merge',
      'bench',
      'report',
      'stat',
    ]) {
      expect(h.stdout).toContain(`  ${c}`);
    }
    expectGolden('help', h.stdout);
  }, 30_000);

  it('machines', async () => {
    const r = await runCli(['machines']);
    expect(r.code).toBe(0);
    expectGolden('machines', r.stdout);
    const j = await runCli(['machines', '--json']);
    const doc = expectSchema('machines', j.stdout);
    expect((doc.machines as unknown[]).length).toBe(8);
  }, 30_000);

  it('attack: kernel memory over time', async () => {
    const r = await runCli(['attack', '--contexts', '256', '--samples', '8', '--strategy', 'ctx-cache']);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('attack', r.stdout);
    const j = await runCli(['attack', '--contexts', '64', '--strategy', 'ctx-cache-bounded', '--json']);
    const doc = expectSchema('attack', j.stdout);
    expect(doc.pinnedBytesAfter).toBeGreaterThan(0);
  }, 30_000);

  it('race: findings with interleavings and replay commands, and the replay itself', async () => {
    const r = await runCli(['race', '--strategy', 'ctx-cache-naive']);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('race', r.stdout);
    const replay = /replay: (pfmsim race .* --replay (\S+))/.exec(r.stdout);
    expect(replay).not.toBeNull();
    const again = await runCli(replay![1]!.split(' ').slice(1));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('data-race');
    expectGolden('race-replay', again.stdout);

    const j = await runCli([
      'race',
      '--strategy',
      'ctx-cache',
      '--explore',
      'random',
      '--schedules',
      '20',
      '--json',
    ]);
    const doc = expectSchema('race', j.stdout);
    expect(doc).toMatchObject({ raceFree: true, mode: 'random', schedules: 20 });
    const fail = await runCli([
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
    const rj = await runCli(['race', '--strategy', 'ctx-cache-naive', '--replay', replay![2]!, '--json']);
    expect(expectSchema('race', rj.stdout).reproduced).toBe(true);
  }, 60_000);

  it('pmu list | show | validate', async () => {
    const list = await runCli(['pmu', 'list']);
    expect(list.code).toBe(0);
    expectGolden('pmu-list', list.stdout);
    expectSchema('pmu-list', (await runCli(['pmu', 'list', '--json'])).stdout);
    const show = await runCli(['pmu', 'show', 'intel-p6']);
    expect(show.code).toBe(0);
    expectGolden('pmu-show', show.stdout);
    expectSchema('pmu-show', (await runCli(['pmu', 'show', 'amd64-k8', '--json'])).stdout);
    const good = join(CLI_DIR, '..', '..', 'packages', 'pmu-models', 'models', 'intel', 'p6.json');
    const ok = await runCli(['pmu', 'validate', good, '--json']);
    expect(ok.code).toBe(0);
    expect(expectSchema('pmu-validate', ok.stdout).valid).toBe(true);
    const bad = await runCli(['pmu', 'validate', join('test', 'fixtures', 'bad-model.json')], {
      cwd: CLI_DIR,
    });
    expect(bad.code).toBe(2);
    expectGolden('pmu-validate-bad', bad.stdout + bad.stderr);
  }, 60_000);

  it('tune', async () => {
    const r = await runCli(['tune', '--machine', 'p4-2006-4k', '--sizes', 'pmd:1=40,4=40,64=20;pmc:4=100']);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('tune', r.stdout);
    const doc = expectSchema('tune', (await runCli(['tune', '--json'])).stdout);
    expect(doc.arch).toBe('i386');
  }, 30_000);

  it('calibrate: solves by bisection and judges the value', async () => {
    const r = await runCli([
      'calibrate',
      '--target',
      'pfm_read_pmds n=4 stack vs kmalloc = -20%',
      '--vary',
      'kmallocFast',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('calibrate', r.stdout);
    const j = await runCli([
      'calibrate',
      '--target',
      'pfm_read_pmds n=4 kmalloc = 2500',
      '--vary',
      'copyFixed',
      '--json',
    ]);
    const doc = expectSchema('calibrate', j.stdout);
    expect(doc.solved).toBe(true);
    expect(doc.achieved).toBeCloseTo(2500, -1);
    const none = await runCli([
      'calibrate',
      '--target',
      'pfm_read_pmds n=4 stack vs kmalloc = -20%',
      '--vary',
      'copyFixed',
    ]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('no value of copyFixed');
  }, 60_000);

  it('bench: calls per host second per strategy and schedules per second', async () => {
    const r = await runCli(['bench', '--strategies', 'kmalloc,stack', '--duration', '30', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('bench', r.stdout);
    expect(Object.keys(doc.simulatedCallsPerSecond as object)).toEqual(['kmalloc', 'stack']);
    expect(doc.schedulesPerSecond as number).toBeGreaterThan(0);
    const h = await runCli(['bench', '--strategies', 'hybrid', '--duration', '20']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/hybrid\s+[\d,]+\s+[\d.]+/);
    expect(h.stdout).toMatch(/race exploration: [\d,]+ schedules\/s/);
  }, 60_000);

  it('stat: perf-stat style counts, multiplexing scaled with the share of time counted', async () => {
    const r = await runCli([
      'stat',
      '--machine',
      'core2-2007',
      '-e',
      'UNHALTED_CORE_CYCLES,INSTRUCTIONS_RETIRED',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('stat', r.stdout);
    const events =
      'INSTRUCTIONS_RETIRED,UNHALTED_CORE_CYCLES,BRANCH_INSTRUCTIONS_RETIRED,MISPREDICTED_BRANCH_RETIRED,LOAD_BLOCK:STA';
    const mux = await runCli([
      'stat',
      '--machine',
      'core2-2007',
      '-e',
      events,
      '-r',
      '2',
      '--workload',
      'app:INSTRUCTIONS_RETIRED=0.8,UNHALTED_CORE_CYCLES=1,BRANCH_INSTRUCTIONS_RETIRED=0.2,MISPREDICTED_BRANCH_RETIRED=0.01',
    ]);
    expect(mux.code, mux.stderr).toBe(0);
    expectGolden('stat-multiplexed', mux.stdout);
    expect(mux.stdout).toMatch(/\(\d+\.\d\d%\)/);
    const doc = expectSchema(
      'stat',
      (await runCli(['stat', '--machine', 'core2-2007', '-e', events, '--json'])).stdout,
    );
    expect(doc.multiplexed).toBe(true);
  }, 60_000);
});
