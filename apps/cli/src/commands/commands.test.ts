// Every command in this process through main(): the same parser, output and error path as the
// binary, checked against the goldens the end-to-end tests compare the binary with.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLI_DIR,
  expectGolden,
  expectSchema,
  expectUsageError,
  REPO,
  runInProcess,
  tempDir,
} from '../../test/helpers.js';

const P6 = join(REPO, 'packages', 'pmu-models', 'models', 'intel', 'p6.json');

describe('commands in process', () => {
  it('machines, as a table and as JSON', async () => {
    const r = await runInProcess(['machines']);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('machines', r.stdout);
    const doc = expectSchema('machines', (await runInProcess(['machines', '--json'])).stdout);
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
  }, 60_000);

  it('pmu list | show | validate', async () => {
    const list = await runInProcess(['pmu', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expectGolden('pmu-list', list.stdout);
    expectSchema('pmu-list', (await runInProcess(['pmu', 'list', '--json'])).stdout);
    const show = await runInProcess(['pmu', 'show', 'intel-p6']);
    expect(show.code, show.stderr).toBe(0);
    expectGolden('pmu-show', show.stdout);
    expect(
      JSON.stringify(
        expectSchema('pmu-show', (await runInProcess(['pmu', 'show', 'amd64-k8', '--json'])).stdout),
      ),
    ).toContain('"amd64-k8"');
    const ok = await runInProcess(['pmu', 'validate', P6, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(expectSchema('pmu-validate', ok.stdout).valid).toBe(true);
    const bad = await runInProcess(['pmu', 'validate', join('test', 'fixtures', 'bad-model.json')], {
      cwd: CLI_DIR,
    });
    expect(bad.code).toBe(2);
    expectGolden('pmu-validate-bad', bad.stdout + bad.stderr);
  }, 60_000);

  it('tune: the thresholds for a distribution, and the assumed one without --sizes', async () => {
    const r = await runInProcess([
      'tune',
      '--machine',
      'p4-2006-4k',
      '--sizes',
      'pmd:1=40,4=40,64=20;pmc:4=100',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('tune', r.stdout);
    const doc = expectSchema('tune', (await runInProcess(['tune', '--json'])).stdout);
    expect(doc.arch).toBe('i386');
  }, 60_000);

  it('calibrate: a solved target, and an unsolvable one exits 1', async () => {
    const r = await runInProcess([
      'calibrate',
      '--target',
      'pfm_read_pmds n=4 stack vs kmalloc = -20%',
      '--vary',
      'kmallocFast',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('calibrate', r.stdout);
    const j = await runInProcess([
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
    const none = await runInProcess([
      'calibrate',
      '--target',
      'pfm_read_pmds n=4 stack vs kmalloc = -20%',
      '--vary',
      'copyFixed',
    ]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('no value of copyFixed');
  }, 60_000);

  it('stat: counts, and multiplexed counts scaled with the share of time counted', async () => {
    const r = await runInProcess([
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
    const mux = await runInProcess([
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
    const doc = expectSchema(
      'stat',
      (await runInProcess(['stat', '--machine', 'core2-2007', '-e', events, '--json'])).stdout,
    );
    expect(doc.multiplexed).toBe(true);
  }, 60_000);

  it('attack: kernel memory over time', async () => {
    const r = await runInProcess([
      'attack',
      '--contexts',
      '256',
      '--samples',
      '8',
      '--strategy',
      'ctx-cache',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('attack', r.stdout);
    const doc = expectSchema(
      'attack',
      (await runInProcess(['attack', '--contexts', '64', '--strategy', 'ctx-cache-bounded', '--json']))
        .stdout,
    );
    expect(doc.pinnedBytesAfter).toBeGreaterThan(0);
  }, 60_000);

  it('race: a finding with its replay command, and the replay reproduces it', async () => {
    const r = await runInProcess(['race', '--strategy', 'ctx-cache-naive']);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('race', r.stdout);
    const replay = /replay: (pfmsim race .* --replay (\S+))/.exec(r.stdout);
    expect(replay).not.toBeNull();
    const again = await runInProcess(replay![1]!.split(' ').slice(1));
    expect(again.code, again.stderr).toBe(0);
    expectGolden('race-replay', again.stdout);
    const rj = await runInProcess([
      'race',
      '--strategy',
      'ctx-cache-naive',
      '--replay',
      replay![2]!,
      '--json',
    ]);
    expect(expectSchema('race', rj.stdout).reproduced).toBe(true);
    const fail = await runInProcess([
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
  }, 60_000);

  it('compare with a baseline (saved, shown against, refused under a wrong name) and its report', async () => {
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
    const saved = await runInProcess([...args, '--save-baseline', 'before'], { cwd: dir });
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stderr).toBe('saved baseline "before" to .pfmsim/baselines/before.json\n');
    const again = await runInProcess([...args, '--threads', '2', '--baseline', 'before'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expectGolden('compare-baseline', again.stdout);
    const json = await runInProcess([...args, '--baseline', 'before', '--json', '--export-json', 'c.json'], {
      cwd: dir,
    });
    const doc = expectSchema('compare', json.stdout);
    expect((doc.baseline as { comparable: boolean }).comparable).toBe(true);
    const attack = await runInProcess(
      ['attack', '--contexts', '64', '--strategy', 'ctx-cache', '--export-json', 'a.json'],
      {
        cwd: dir,
      },
    );
    expect(attack.code, attack.stderr).toBe(0);
    const report = await runInProcess(['report', 'c.json', 'a.json', '-o', 'r.html', '--json'], { cwd: dir });
    expect(report.code, report.stderr).toBe(0);
    expectSchema('report', report.stdout);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    expectUsageError(
      await runInProcess([...args, '--baseline', 'befor'], { cwd: dir }),
      /unknown baseline for compare "befor"; did you mean "before"\?/,
    );
  }, 60_000);

  it('sweep and merge: two shards joined give the whole sweep', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'small.json'),
      readFileSync(join(CLI_DIR, 'test', 'fixtures', 'small-sweep.json')),
    );
    for (const shard of ['1/2', '2/2']) {
      const r = await runInProcess(['sweep', '-c', 'small.json', '--shard', shard, '--jobs', '1', '-q'], {
        cwd: dir,
      });
      expect(r.code, r.stderr).toBe(0);
    }
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort();
    expect(files).toEqual(['small.shard-1-of-2.jsonl', 'small.shard-2-of-2.jsonl']);
    const merged = await runInProcess(['merge', ...files, '-o', 'all.jsonl', '--json'], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    expectSchema('merge', merged.stdout);
    const whole = await runInProcess(
      ['sweep', '-c', 'small.json', '-o', 'whole.jsonl', '-q', '--jobs', '1'],
      {
        cwd: dir,
      },
    );
    expect(whole.code, whole.stderr).toBe(0);
    const cells = (f: string) =>
      readFileSync(join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l) as { index: number; cyclesPerCall: number })
        .map(({ index, cyclesPerCall }) => ({ index, cyclesPerCall }))
        .sort((a, b) => a.index - b.index);
    expect(cells('all.jsonl')).toEqual(cells('whole.jsonl'));
  }, 60_000);
});
