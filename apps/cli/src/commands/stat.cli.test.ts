// `pfmsim stat` in this process: what perf-stat users read (the counter lines, the multiplexing
// percentages, the -r spread), the JSON and exports those lines come from, and the one-line
// errors for events, unit masks and workload specs. Runs are kept short (--cycles).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as libpfm from '@pfmsim/libpfm';
import { registerModelDirectory, resetModelDirectories } from '@pfmsim/pmu-models';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectSchema, expectUsageError, REPO, runInProcess, tempDir } from '../../test/helpers.js';

// count() as is, except in the -r test, which gives each seed its own counts (the simulator is
// deterministic: its runs never differ, so the spread could not be seen otherwise).
vi.mock('@pfmsim/libpfm', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@pfmsim/libpfm')>();
  return { ...actual, count: vi.fn(actual.count) };
});
const realCount = (await vi.importActual<typeof import('@pfmsim/libpfm')>('@pfmsim/libpfm')).count;
afterEach(() => {
  vi.mocked(libpfm.count).mockReset();
  vi.mocked(libpfm.count).mockImplementation(realCount);
});

interface StatEvent {
  name: string;
  set: number;
  pmd: number;
  value: number;
  scaled: number;
  enabledNs: number;
  runningNs: number;
  percentRunning: number;
  spread: number;
}
interface StatDoc {
  workload: string;
  rates: Record<string, { user: number; kernel: number }>;
  cycles: number;
  plm: string;
  repeat: number;
  multiplexed: boolean;
  sets: number;
  events: StatEvent[];
  seconds: number;
  machine: string;
}

const CORE2 = ['--machine', 'core2-2007'];
const stat = (...args: string[]) => runInProcess(['stat', ...CORE2, ...args]);
async function statJson(...args: string[]): Promise<StatDoc> {
  const r = await stat(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return expectSchema('stat', r.stdout) as unknown as StatDoc;
}
/** The counter lines of the human output: value, event, and what follows the event. */
function counterLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /^ {2,}\S.* {6}\S/.test(l) && !l.includes('seconds time elapsed'));
}
const FIVE =
  'INSTRUCTIONS_RETIRED,UNHALTED_CORE_CYCLES,BRANCH_INSTRUCTIONS_RETIRED,MISPREDICTED_BRANCH_RETIRED,LOAD_BLOCK:STA';

describe('pfmsim stat: what is counted', () => {
  it('without -e counts the cycle and instruction events of the PMU on a loop at 1 and 0.8 per cycle', async () => {
    const doc = await statJson('--cycles', '1000000');
    expect(doc.events.map((e) => [e.name, e.value, e.scaled, e.percentRunning, e.spread])).toEqual([
      ['UNHALTED_CORE_CYCLES', 1_000_000, 1_000_000, 100, 0],
      ['INSTRUCTIONS_RETIRED', 800_000, 800_000, 100, 0],
    ]);
    expect(doc.rates).toEqual({
      UNHALTED_CORE_CYCLES: { user: 1, kernel: 0 },
      INSTRUCTIONS_RETIRED: { user: 0.8, kernel: 0 },
    });
    expect(doc).toMatchObject({ workload: 'loop', cycles: 1_000_000, plm: 'user', repeat: 1 });
    expect(doc).toMatchObject({ multiplexed: false, sets: 1 });
    // core2-2007 runs at 2.33 GHz
    expect(doc.seconds).toBeCloseTo(1_000_000 / 2.33e9, 12);

    const text = await stat('--cycles', '1000000');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(" Performance counter stats for workload 'loop' (1 run, user level):\n");
    expect(counterLines(text.stdout)).toEqual([
      '         1,000,000      UNHALTED_CORE_CYCLES                    #    2.330 GHz',
      '           800,000      INSTRUCTIONS_RETIRED                    #    0.80  insn per cycle',
    ]);
    expect(text.stdout).toContain('       0.000429185 seconds time elapsed (simulated, 2.33 GHz)\n');
    expect(text.stdout).not.toContain('note:');
    expect(text.stdout).not.toContain('multiplexed');
  });

  it('derives GHz, insn per cycle and miss ratios as perf stat prints them, in the JSON too', async () => {
    const workload =
      'app:UNHALTED_CORE_CYCLES=1,INSTRUCTIONS_RETIRED=1.6,BRANCH_INSTRUCTIONS_RETIRED=0.2,MISPREDICTED_BRANCH_RETIRED=0.01';
    const events =
      'UNHALTED_CORE_CYCLES,INSTRUCTIONS_RETIRED,BRANCH_INSTRUCTIONS_RETIRED,MISPREDICTED_BRANCH_RETIRED';
    const args = ['--cycles', '1000000', '-e', events, '--workload', workload];
    const text = await stat(...args);
    expect(text.code, text.stderr).toBe(0);
    expect(counterLines(text.stdout)).toEqual([
      '         1,000,000      UNHALTED_CORE_CYCLES                    #    2.330 GHz',
      '         1,600,000      INSTRUCTIONS_RETIRED                    #    1.60  insn per cycle',
      '           200,000      BRANCH_INSTRUCTIONS_RETIRED',
      '            10,000      MISPREDICTED_BRANCH_RETIRED             #    5.00% of all branches',
    ]);
    const doc = (await statJson(...args)) as StatDoc & { derived: unknown };
    expect(doc.derived).toEqual([
      { event: 'UNHALTED_CORE_CYCLES', kind: 'ghz', value: 1_000_000 / doc.seconds / 1e9, of: null },
      { event: 'INSTRUCTIONS_RETIRED', kind: 'ipc', value: 1.6, of: 'UNHALTED_CORE_CYCLES' },
      {
        event: 'MISPREDICTED_BRANCH_RETIRED',
        kind: 'miss-ratio',
        value: 5,
        of: 'BRANCH_INSTRUCTIONS_RETIRED',
      },
    ]);
    // without the cycle event there is no insn per cycle, without the branches no share
    const alone = await stat('--cycles', '1000000', '-e', 'INSTRUCTIONS_RETIRED,MISPREDICTED_BRANCH_RETIRED');
    expect(counterLines(alone.stdout)).toEqual([
      '           800,000      INSTRUCTIONS_RETIRED',
      '            10,000      MISPREDICTED_BRANCH_RETIRED',
    ]);
    expect(
      ((await statJson('-e', 'INSTRUCTIONS_RETIRED')) as StatDoc & { derived: unknown }).derived,
    ).toEqual([]);
  });

  it('-e takes a comma-separated list (spaces and empty items ignored); other events run at 0.01 per cycle', async () => {
    const doc = await statJson(
      '--cycles',
      '1000000',
      '-e',
      ' BRANCH_INSTRUCTIONS_RETIRED , UNHALTED_CORE_CYCLES,',
    );
    expect(doc.events.map((e) => [e.name, e.value])).toEqual([
      ['BRANCH_INSTRUCTIONS_RETIRED', 10_000],
      ['UNHALTED_CORE_CYCLES', 1_000_000],
    ]);
    expect(doc.rates.BRANCH_INSTRUCTIONS_RETIRED).toEqual({ user: 0.01, kernel: 0 });
  });

  it('unit masks are matched without regard to case', async () => {
    const doc = await statJson('--cycles', '1000000', '-e', 'LOAD_BLOCK:sta');
    // libpfm reports the event under its own spelling
    expect(doc.events.map((e) => [e.name, e.value])).toEqual([['LOAD_BLOCK:STA', 10_000]]);
  });

  it('counts AMD Family 10h events with the 12-bit select on a K8 machine with --pmu amd64-fam10h', async () => {
    // no calibrated Family 10h cost profile: a custom machine, K8 costs with the Family 10h PMU
    const r = await runInProcess([
      'stat',
      '--machine',
      'k8-2006',
      '--pmu',
      'amd64-fam10h',
      '--cycles',
      '1000000',
      '-e',
      'L3_CACHE_MISSES:ANY_READ:ALL_CORES,READ_REQUEST_TO_L3_CACHE:ANY_READ,CPU_CLK_UNHALTED',
      '--workload',
      'loop:L3_CACHE_MISSES:ANY_READ:ALL_CORES=0.002,CPU_CLK_UNHALTED=1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('stat', r.stdout) as unknown as StatDoc;
    expect(doc.machine).toBe('x86_64/k8-2006/amd64-fam10h');
    expect(doc.events.map((e) => [e.name, e.value])).toEqual([
      ['L3_CACHE_MISSES:ANY_READ:ALL_CORES', 2_000],
      ['READ_REQUEST_TO_L3_CACHE:ANY_READ', 0],
      ['CPU_CLK_UNHALTED', 1_000_000],
    ]);
  });

  it('--pmu replaces the preset PMU: its default events, its id in the header and the machine id', async () => {
    const r = await runInProcess([
      'stat',
      '--machine',
      'p4-2006',
      '--pmu',
      'intel-p6',
      '--cycles',
      '1000',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('stat', r.stdout) as unknown as StatDoc;
    expect(doc.machine).toBe('i386/p4-2006/intel-p6');
    expect(doc.events.map((e) => [e.name, e.value])).toEqual([
      ['CPU_CLK_UNHALTED', 1000],
      ['INST_RETIRED', 800],
    ]);
    const text = await runInProcess([
      'stat',
      '--machine',
      'p4-2006',
      '--pmu',
      'intel-p6',
      '--cycles',
      '1000',
    ]);
    expect(text.stdout.split('\n')[0]).toMatch(
      / · stat · machine i386\/p4-2006\/intel-p6 · seed 1 · pmu intel-p6$/,
    );
  });

  it('--plm picks the levels counted: user, kernel or both', async () => {
    const spec = 'UNHALTED_CORE_CYCLES=1+0.25';
    const values = async (plm: string) =>
      (await statJson('--cycles', '1000', '-e', 'UNHALTED_CORE_CYCLES', '--workload', spec, '--plm', plm))
        .events[0]!.value;
    expect(await values('user')).toBe(1000);
    expect(await values('kernel')).toBe(250);
    expect(await values('both')).toBe(1250);
    const text = await stat('--cycles', '1000', '--plm', 'both');
    expect(text.stdout).toContain('(1 run, both level):');
  });

  it('a run too short to be timed reports 100 % running and no spread, never NaN', async () => {
    const doc = await statJson('--cycles', '1');
    for (const e of doc.events) {
      expect(e.enabledNs).toBe(0);
      expect(e.percentRunning).toBe(100);
      expect(e.spread).toBe(0);
    }
  });
});

describe('pfmsim stat --workload', () => {
  it('reads EVENT=RATE[+KERNEL_RATE] items with spaces around "=" and "+", and skips empty items', async () => {
    const doc = await statJson(
      '--cycles',
      '1000',
      '--plm',
      'both',
      '-e',
      'UNHALTED_CORE_CYCLES,INSTRUCTIONS_RETIRED,BRANCH_INSTRUCTIONS_RETIRED',
      '--workload',
      ' UNHALTED_CORE_CYCLES = 1 + 0.25 , INSTRUCTIONS_RETIRED=12+10, , BRANCH_INSTRUCTIONS_RETIRED=0.5,',
    );
    expect(doc.workload).toBe('loop');
    expect(doc.rates).toEqual({
      UNHALTED_CORE_CYCLES: { user: 1, kernel: 0.25 },
      INSTRUCTIONS_RETIRED: { user: 12, kernel: 10 },
      BRANCH_INSTRUCTIONS_RETIRED: { user: 0.5, kernel: 0 },
    });
    expect(doc.events.map((e) => [e.name, e.value])).toEqual([
      ['UNHALTED_CORE_CYCLES', 1250],
      ['INSTRUCTIONS_RETIRED', 22_000],
      ['BRANCH_INSTRUCTIONS_RETIRED', 500],
    ]);
  });

  it('a leading NAME: names the workload, also before an event with a unit mask', async () => {
    const named = await statJson('--cycles', '1000', '--workload', 'app:UNHALTED_CORE_CYCLES=2');
    expect(named.workload).toBe('app');
    expect(named.rates).toEqual({ UNHALTED_CORE_CYCLES: { user: 2, kernel: 0 } });
    const masked = await statJson(
      '--cycles',
      '1000',
      '-e',
      'LOAD_BLOCK:STA',
      '--workload',
      'app:LOAD_BLOCK:STA=0.1',
    );
    expect(masked.workload).toBe('app');
    expect(masked.events.map((e) => [e.name, e.value])).toEqual([['LOAD_BLOCK:STA', 100]]);
    const text = await stat('--cycles', '1000', '--workload', 'app:UNHALTED_CORE_CYCLES=2');
    expect(text.stdout).toContain(" Performance counter stats for workload 'app' (1 run, user level):");
  });

  it('an event with a unit mask first is an event, not a workload name', async () => {
    const doc = await statJson(
      '--cycles',
      '1000',
      '-e',
      'LOAD_BLOCK:STA',
      '--workload',
      'LOAD_BLOCK:STA=0.1',
    );
    expect(doc.workload).toBe('loop');
    expect(doc.rates).toEqual({ 'LOAD_BLOCK:STA': { user: 0.1, kernel: 0 } });
    expect(doc.events[0]!.value).toBe(100);
  });

  it('an item it cannot read is one line naming the item and the syntax, exit 2', async () => {
    for (const bad of [
      'UNHALTED_CORE_CYCLES=fast',
      'UNHALTED_CORE_CYCLES=1x',
      'UNHALTED_CORE_CYCLES=1+',
      'UNHALTED_CORE_CYCLES INSTRUCTIONS_RETIRED=1',
    ]) {
      const r = await stat('--cycles', '1000', '--workload', bad);
      expectUsageError(
        r,
        new RegExp(
          `--workload: cannot read "${bad.replace(/[+]/g, '\\+')}"; write EVENT=RATE\\[\\+KERNEL_RATE\\],\\.\\.\\. in events per cycle, e\\.g\\. "loop:INST`,
        ),
        bad,
      );
    }
  });

  it('a NAME must start with a letter: otherwise the whole item is read as an event', async () => {
    const r = await stat('--cycles', '1000', '--workload', '9app:UNHALTED_CORE_CYCLES=1');
    expectUsageError(r, /unknown event for intel-core "9app:UNHALTED_CORE_CYCLES"/);
  });

  it('events and unit masks of the workload are checked like those of -e', async () => {
    expectUsageError(
      await stat('--cycles', '1000', '--workload', 'app:UNHALTED_CORE_CYCLE=1'),
      /unknown event for intel-core "UNHALTED_CORE_CYCLE"; did you mean "UNHALTED_CORE_CYCLES"\?/,
    );
    expectUsageError(
      await stat('--cycles', '1000', '--workload', 'LOAD_BLOCK:XYZ=1'),
      /unknown unit mask of LOAD_BLOCK "XYZ"/,
    );
  });
});

describe('pfmsim stat: bad input is one line, exit 2', () => {
  it('an unknown event names the model and the command that lists its events', async () => {
    expectUsageError(
      await stat('-e', 'UNHALTED_CORE_CYCLE'),
      /^pfmsim: unknown event for intel-core "UNHALTED_CORE_CYCLE"; did you mean "UNHALTED_CORE_CYCLES"\? `pfmsim pmu show intel-core` lists them$/,
    );
  });

  it('an unknown unit mask names the event and lists its unit masks', async () => {
    expectUsageError(
      await stat('-e', 'LOAD_BLOCK:STAA'),
      /^pfmsim: unknown unit mask of LOAD_BLOCK "STAA"; did you mean "STA"\? valid: STA, STD, OVERLAP_STORE, UNTIL_RETIRE, L1D$/,
    );
    expectUsageError(await stat('-e', 'LOAD_BLOCK:STA:NOPE'), /unknown unit mask of LOAD_BLOCK "NOPE"/);
  });

  it('an empty event list says how to give events', async () => {
    expectUsageError(
      await stat('-e', ' , '),
      /^pfmsim: no events to count; give -e EVENT,\.\.\. \(`pfmsim pmu show intel-core`\)$/,
    );
  });

  it('--repeat, --cycles and --plm are checked and named', async () => {
    expectUsageError(await stat('-r', '0'), /^pfmsim: --repeat must be an integer from 1 to 1000, got "0"$/);
    expectUsageError(await stat('-r', '1001'), /--repeat must be an integer from 1 to 1000/);
    expectUsageError(
      await stat('--cycles', '0'),
      /^pfmsim: --cycles must be an integer from 1 to \d+, got "0"$/,
    );
    expectUsageError(
      await stat('--plm', 'all'),
      /^pfmsim: unknown --plm level "all"; .*valid: user, kernel, both$/,
    );
    expectUsageError(
      await stat('--search', 'best'),
      /^pfmsim: unknown --search mode "best"; .*valid: libpfm, exhaustive$/,
    );
  });

  it("--search picks libpfm's own counter search (the default) or the exhaustive one", async () => {
    await statJson('--cycles', '1000');
    expect(vi.mocked(libpfm.count).mock.calls.at(-1)?.[0].search).toBe('libpfm');
    await statJson('--cycles', '1000', '--search', 'exhaustive');
    expect(vi.mocked(libpfm.count).mock.calls.at(-1)?.[0].search).toBe('exhaustive');
  });

  it('--help describes every option with its default', async () => {
    const r = await runInProcess(['stat', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const text of [
      'perf-stat style counting of a simulated workload through the libpfm client (multiplexing shown as perf does), with derived metrics where the events are counted: GHz, insn per cycle and miss ratios (of all branches, cache accesses)',
      "-e, --events <list> comma-separated events of the machine's PMU (default: its cycle and instruction events)",
      '-r, --repeat <n> run the workload N times and average (default: "1")',
      '--workload <spec> events per cycle: [NAME:]EVENT=RATE[+KERNEL_RATE],...',
      '--cycles <n> length of the workload in cycles (default: "1000000000")',
      '--plm <level> privilege levels counted: user, kernel or both (default: "user")',
      '--search <mode> counter search: libpfm (libpfm-3.10\'s first fit) or exhaustive (places events whenever an assignment exists) (default: "libpfm")',
    ]) {
      expect(help).toContain(text);
    }
    const list = await runInProcess(['--help']);
    expect(list.stdout.replace(/\s+/g, ' ')).toContain(
      ' stat [options] perf-stat style counting of a simulated workload ',
    );
  });
});

describe('pfmsim stat: multiplexing', () => {
  it('events that do not fit are time-multiplexed: scaled values and the share of time counted, as perf prints', async () => {
    const dir = tempDir();
    const r = await stat(
      '-e',
      FIVE,
      '--cycles',
      '100000000',
      '--export-json',
      join(dir, 's.json'),
      '--export-csv',
      join(dir, 's.csv'),
      '--export-markdown',
      join(dir, 's.md'),
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('stat', readFileSync(join(dir, 's.json'), 'utf8')) as unknown as StatDoc;
    expect(doc).toMatchObject({ multiplexed: true, sets: 2 });
    const [first, , , , last] = doc.events;
    expect([first!.set, first!.value, first!.scaled, first!.runningNs, first!.enabledNs]).toEqual([
      0, 44_736_000, 80_000_000, 24_000_000, 42_918_455,
    ]);
    expect(first!.percentRunning).toBeCloseTo((24_000_000 / 42_918_455) * 100, 10);
    expect([last!.set, last!.value, last!.scaled, last!.runningNs]).toEqual([
      1, 440_800, 1_000_000, 18_918_455,
    ]);

    // each line: the scaled value, the event, the share of time its set ran
    expect(counterLines(r.stdout)).toEqual([
      '        80,000,000      INSTRUCTIONS_RETIRED                    #    0.80  insn per cycle   (55.92%)',
      '       100,000,000      UNHALTED_CORE_CYCLES                    #    2.330 GHz              (55.92%)',
      '         1,000,000      BRANCH_INSTRUCTIONS_RETIRED                                         (55.92%)',
      '         1,000,000      MISPREDICTED_BRANCH_RETIRED             #  100.00% of all branches  (55.92%)',
      '         1,000,000      LOAD_BLOCK:STA                                                      (44.08%)',
    ]);
    expect(r.stdout).toContain(
      '\n2 event sets time-multiplexed: values are scaled by enabled/running; the percentage is the share of time counted',
    );

    // the CSV is the table of the JSON, the percentage to two places, with machine, seed, version
    const csv = readFileSync(join(dir, 's.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('event,value,scaled,enabled_ns,running_ns,percent_running,machine,seed,pfmsim');
    expect(csv.slice(1)).toEqual(
      doc.events.map((e) =>
        [
          e.name,
          e.value,
          e.scaled,
          e.enabledNs,
          e.runningNs,
          (Math.round(e.percentRunning * 100) / 100).toString(),
          'core2-2007',
          1,
          (doc as unknown as { pfmsimVersion: string }).pfmsimVersion,
        ].join(','),
      ),
    );
    expect(csv[1]).toMatch(/,55\.92,core2-2007,1,/);

    const md = readFileSync(join(dir, 's.md'), 'utf8');
    expect(md).toContain(
      '### Counts for loop (core2-2007)\n\n' +
        '| event | value | scaled | enabled_ns | running_ns | percent_running |\n' +
        '|:---|---:|---:|---:|---:|---:|\n' +
        '| INSTRUCTIONS_RETIRED | 44736000 | 80000000 | 42918455 | 24000000 | 55.92 |\n',
    );
  });

  it('a set that never ran in a short run is <not counted>; a set that ran all along shows no percentage', async () => {
    const r = await stat('-e', FIVE, '--cycles', '1000000');
    expect(r.code, r.stderr).toBe(0);
    expect(counterLines(r.stdout)).toEqual([
      '           800,000      INSTRUCTIONS_RETIRED                    #    0.80  insn per cycle',
      '         1,000,000      UNHALTED_CORE_CYCLES                    #    2.330 GHz',
      '            10,000      BRANCH_INSTRUCTIONS_RETIRED',
      '            10,000      MISPREDICTED_BRANCH_RETIRED             #  100.00% of all branches',
      '     <not counted>      LOAD_BLOCK:STA                                                      (0.00%)',
    ]);
    // it was never scheduled: no claim that the event does not reach the workload
    expect(r.stdout).not.toContain('note:');
    const doc = await statJson('-e', FIVE, '--cycles', '1000000');
    const never = doc.events[4]!;
    expect([never.runningNs, never.percentRunning, never.value]).toEqual([0, 0, 0]);
    expect(never.enabledNs).toBeGreaterThan(0);
  });
});

describe('pfmsim stat: the note on events that count nothing', () => {
  it('names one event the workload rates that counted 0 on this PMU', async () => {
    const r = await stat(
      '--cycles',
      '1000',
      '-e',
      'UNHALTED_CORE_CYCLES,L2_LD:MESI',
      '--workload',
      'app:UNHALTED_CORE_CYCLES=1,L2_LD:MESI=0.1',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      '\nnote: L2_LD:MESI counted 0 although the workload gives it a rate: counting this event on intel-core does not reach the simulated workload\n',
    );
  });

  it('names several, matching the workload spelling without regard to case', async () => {
    const r = await stat(
      '--cycles',
      '1000',
      '-e',
      'L2_LD:MESI,L2_ST:MESI,UNHALTED_CORE_CYCLES',
      '--workload',
      'L2_LD:mesi=0.1,l2_st:MESI=0.2,UNHALTED_CORE_CYCLES=1',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      '\nnote: L2_LD:MESI, L2_ST:MESI counted 0 although the workload gives them a rate: counting this event on intel-core',
    );
  });

  it('says nothing when the workload gives the event no rate at the levels counted', async () => {
    const zero = await stat('--cycles', '1000', '-e', 'L2_LD:MESI', '--workload', 'L2_LD:MESI=0');
    expect(zero.code, zero.stderr).toBe(0);
    expect(zero.stdout).not.toContain('note:');
    // a user-level loop counted at kernel level counts 0 because of --plm, not because of the PMU
    const kernel = await stat('--cycles', '1000', '--plm', 'kernel');
    expect(counterLines(kernel.stdout).map((l) => l.trim().split(/\s+/)[0])).toEqual(['0', '0']);
    expect(kernel.stdout).not.toContain('note:');
    const kernelOnly = await stat('--cycles', '1000', '-e', 'L2_LD:MESI', '--workload', 'L2_LD:MESI=0+0.5');
    expect(kernelOnly.stdout).not.toContain('note:');
    const both = await stat(
      '--cycles',
      '1000',
      '-e',
      'L2_LD:MESI',
      '--workload',
      'L2_LD:MESI=0+0.5',
      '--plm',
      'both',
    );
    expect(both.stdout).toContain('note: L2_LD:MESI counted 0');
    const kernelRate = await stat(
      '--cycles',
      '1000',
      '-e',
      'L2_LD:MESI',
      '--workload',
      'L2_LD:MESI=0+0.5',
      '--plm',
      'kernel',
    );
    expect(kernelRate.stdout).toContain('note: L2_LD:MESI counted 0');
  });
});

describe('pfmsim stat -r N', () => {
  it('runs with seeds seed..seed+N-1 and prints the mean and the standard error of the mean, as perf does', async () => {
    // each run counts 1 % more than the last (seed 4: +3 %, seed 5: +4 %, seed 6: +5 %)
    vi.mocked(libpfm.count).mockImplementation((opts) => {
      const r = realCount(opts);
      const k = 1 + ((opts.seed ?? 1) - 1) / 100;
      return {
        ...r,
        events: r.events.map((e) => ({
          ...e,
          value: Math.round(e.value * k),
          scaled: Math.round(e.scaled * k),
        })),
      };
    });
    const doc = await statJson('--cycles', '1000000', '--seed', '4', '-r', '3');
    expect(vi.mocked(libpfm.count).mock.calls.map(([o]) => o.seed)).toEqual([4, 5, 6]);
    expect(doc.repeat).toBe(3);
    const [cycles, insts] = doc.events;
    expect([cycles!.value, cycles!.scaled]).toEqual([1_040_000, 1_040_000]);
    expect([insts!.value, insts!.scaled]).toEqual([832_000, 832_000]);
    // sample standard deviation 1 % of the base count; its error of the mean is that over sqrt(3)
    expect(cycles!.spread).toBeCloseTo(0.01 / Math.sqrt(3) / 1.04, 9);
    expect(insts!.spread).toBeCloseTo(0.01 / Math.sqrt(3) / 1.04, 9);

    vi.mocked(libpfm.count).mockClear();
    const text = await stat('--cycles', '1000000', '--seed', '4', '-r', '3');
    expect(text.stdout).toContain(" Performance counter stats for workload 'loop' (3 runs, user level):");
    expect(counterLines(text.stdout)).toEqual([
      '         1,040,000      UNHALTED_CORE_CYCLES                    #    2.423 GHz             ( +-  0.56% )',
      '           832,000      INSTRUCTIONS_RETIRED                    #    0.80  insn per cycle  ( +-  0.56% )',
    ]);
  });

  it('equal runs average to the count of one run with a spread of 0.00 %', async () => {
    const doc = await statJson('--cycles', '1000000', '-r', '2');
    expect(doc.events.map((e) => [e.value, e.scaled, e.spread])).toEqual([
      [1_000_000, 1_000_000, 0],
      [800_000, 800_000, 0],
    ]);
    const text = await stat('--cycles', '1000000', '-r', '2');
    expect(counterLines(text.stdout)[0]).toBe(
      '         1,000,000      UNHALTED_CORE_CYCLES                    #    2.330 GHz             ( +-  0.00% )',
    );
  });

  it('an event that counts nothing has no spread (not NaN)', async () => {
    const doc = await statJson(
      '--cycles',
      '1000',
      '-r',
      '2',
      '-e',
      'L2_LD:MESI',
      '--workload',
      'L2_LD:MESI=0',
    );
    expect(doc.events[0]!.spread).toBe(0);
  });
});

describe('pfmsim stat with a PMU model that names no cycle or instruction event', () => {
  beforeAll(() => {
    const dir = tempDir();
    const p6 = JSON.parse(
      readFileSync(join(REPO, 'packages', 'pmu-models', 'models', 'intel', 'p6.json'), 'utf8'),
    ) as Record<string, unknown>;
    const { cycleEvent: _c, instRetiredEvent: _i, $schema: _s, ...rest } = p6;
    writeFileSync(
      join(dir, 'bare.json'),
      JSON.stringify({ ...rest, id: 'test-bare-p6', libpfm: { name: 'bare P6', type: 901 } }),
    );
    registerModelDirectory(dir);
  });
  afterAll(() => resetModelDirectories());

  it('has no default events: stat asks for -e and names the command that lists the events', async () => {
    expectUsageError(
      await runInProcess(['stat', '--pmu', 'test-bare-p6', '--cycles', '1000']),
      /^pfmsim: no events to count; give -e EVENT,\.\.\. \(`pfmsim pmu show test-bare-p6`\)$/,
    );
  });

  it('with -e, the loop rates only the events counted', async () => {
    const r = await runInProcess([
      'stat',
      '--pmu',
      'test-bare-p6',
      '--cycles',
      '1000',
      '-e',
      'INST_RETIRED',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('stat', r.stdout) as unknown as StatDoc;
    expect(doc.rates).toEqual({ INST_RETIRED: { user: 0.01, kernel: 0 } });
    expect(doc.events.map((e) => [e.name, e.value])).toEqual([['INST_RETIRED', 10]]);
  });
});
