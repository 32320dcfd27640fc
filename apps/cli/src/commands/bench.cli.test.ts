// `pfmsim bench` in this process. The host clock is the Io's `now`: a fake clock that moves a
// fixed step per reading makes the measured rates exact (one round of 100 calls, or one round
// of exploration, per step), so the tests check the numbers, the tables and the exports, not
// the host.

import { readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { expectSchema, expectUsageError, runInProcess, steppingClock, tempDir } from '../../test/helpers.js';
import { VERSION } from '../version.js';

const host = vi.hoisted(() => ({ noCpus: false }));
vi.mock('node:os', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:os')>();
  const cpus = () => (host.noCpus ? [] : real.cpus());
  return { ...real, cpus, default: { ...real, cpus } };
});

const T = 60_000;
/** One round of 100 calls in 10 ms. */
const ONE = { ops: 100, ms: 10, perSecond: 10000 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** main() with a clock that moves `step` ms per reading; stderr a terminal when `tty`. */
function bench(
  args: readonly string[],
  opts: { step?: number; tty?: boolean; cwd?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return runInProcess(['bench', ...args], {
    now: steppingClock(opts.step ?? 10),
    stderrIsTTY: opts.tty ?? false,
    cwd: opts.cwd ?? tempDir(),
    ...(opts.env !== undefined ? { env: opts.env } : {}),
  }) as Promise<Run>;
}

interface BenchDoc {
  abi: string;
  durationMs: number;
  rounds: number;
  simulatedCallsPerSecond: Record<string, number>;
  schedulesPerSecond: number;
  raceStrategy: string;
  detail: {
    calls: Record<
      string,
      {
        rounds: { ops: number; ms: number; perSecond: number }[];
        min: number;
        median: number;
        max: number;
        spreadPercent: number;
      }
    >;
    schedules: {
      rounds: { schedules: number; ms: number; perSecond: number }[];
      min: number;
      median: number;
      max: number;
      spreadPercent: number;
      firstRound: { schedules: number; ms: number; perSecond: number };
    };
  };
  host: { node: string; platform: string; arch: string; cpu: string; cores: number };
}

describe('pfmsim bench', () => {
  // --duration 10 with a 10 ms step: one round per measurement, 100 calls (or 100 schedules) in
  // 10 ms, so 10,000 calls/s (100 us per call) and 10,000 schedules/s.
  const ARGS = [
    '--strategies',
    'kmalloc,stack',
    '--duration',
    '10',
    '--rounds',
    '2',
    '--round-schedules',
    '100',
  ];

  it(
    'prints calls per second per strategy, host microseconds per call and schedules per second',
    async () => {
      const r = await bench(ARGS);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      const cpu = os.cpus()[0]?.model ?? 'unknown';
      expect(r.stdout).toBe(
        [
          `pfmsim ${VERSION} · bench · machine p4-2006 · seed 1 · abi v2.3`,
          `host: ${cpu}, ${os.cpus().length} cores, Node ${process.version}; 2 rounds of 10 ms per strategy after a warm-up`,
          '',
          'strategy  calls/s median     min     max  spread  host us/call',
          'kmalloc           10,000  10,000  10,000    0.0%         100.0',
          'stack             10,000  10,000  10,000    0.0%         100.0',
          'simulated pfm_read_pmds with 4 registers, one context, every check of the lab world on; spread = (max - min) / median; host us/call at the median',
          '',
          'exploration: 10,000 schedules/s median of 2 rounds of 100 (min 10,000, max 10,000, spread 0.0%; first round, cold: 10,000/s)',
          "test-runner's bench scenario: two threads, one pfm_write_pmds each, random schedules, kmalloc; each schedule restores a snapshot of the set-up world",
          '',
        ].join('\n'),
      );
    },
    T,
  );

  it(
    '--json: the rates by strategy, their detail, the settings and the host',
    async () => {
      const r = await bench([...ARGS, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const doc = expectSchema('bench', r.stdout) as unknown as BenchDoc;
      expect(doc).toEqual({
        pfmsimVersion: VERSION,
        command: 'bench',
        machine: 'p4-2006',
        seed: 1,
        abi: 'v2.3',
        durationMs: 10,
        rounds: 2,
        roundSchedules: 100,
        simulatedCallsPerSecond: { kmalloc: 10000, stack: 10000 },
        schedulesPerSecond: 10000,
        raceStrategy: 'kmalloc',
        detail: {
          calls: {
            kmalloc: { rounds: [ONE, ONE], min: 10000, median: 10000, max: 10000, spreadPercent: 0 },
            stack: { rounds: [ONE, ONE], min: 10000, median: 10000, max: 10000, spreadPercent: 0 },
          },
          schedules: {
            rounds: [
              { schedules: 100, ms: 10, perSecond: 10000 },
              { schedules: 100, ms: 10, perSecond: 10000 },
            ],
            min: 10000,
            median: 10000,
            max: 10000,
            spreadPercent: 0,
            firstRound: { schedules: 100, ms: 10, perSecond: 10000 },
          },
        },
        host: {
          node: process.version,
          platform: os.platform(),
          arch: os.arch(),
          cpu: os.cpus()[0]?.model ?? 'unknown',
          cores: os.cpus().length,
        },
      });
    },
    T,
  );

  it(
    'host microseconds per call follow the rate (a slower clock, fewer calls per second)',
    async () => {
      // 100 calls per 40 ms: 2,500 calls/s, 400 us per call
      const r = await bench(
        [
          '--strategies',
          'hybrid',
          '--duration',
          '40',
          '--race-strategy',
          'stack',
          '--rounds',
          '3',
          '--round-schedules',
          '200',
        ],
        { step: 40 },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^hybrid\s+2,500\s+2,500\s+2,500\s+0\.0%\s+400\.0$/m);
      // 200 schedules per 40 ms
      expect(r.stdout).toContain(
        'exploration: 5,000 schedules/s median of 3 rounds of 200 (min 5,000, max 5,000, spread 0.0%;',
      );
      expect(r.stdout).toContain('random schedules, stack;');
    },
    T,
  );

  it(
    'rounds of different speeds: min, median, max and spread of each figure, the rounds in --json',
    async () => {
      // Readings 10, 20, 10, 40, 10 ms apart, again and again: the three rounds of calls take
      // 10, 20 and 40 ms for 100 calls, and so do the exploration's rounds for 10 schedules.
      const steps = [10, 20, 10, 40, 10];
      const clock = () => {
        let t = 0;
        let i = 0;
        return () => (t += steps[i++ % steps.length]!);
      };
      const args = [
        'bench',
        '--strategies',
        'kmalloc',
        '--duration',
        '10',
        '--rounds',
        '3',
        '--round-schedules',
        '10',
      ];
      const json = await runInProcess([...args, '--json'], { now: clock(), cwd: tempDir() });
      expect(json.code, json.stderr).toBe(0);
      const doc = expectSchema('bench', json.stdout) as unknown as BenchDoc;
      expect(doc.detail.calls.kmalloc).toEqual({
        rounds: [
          { ops: 100, ms: 10, perSecond: 10000 },
          { ops: 100, ms: 20, perSecond: 5000 },
          { ops: 100, ms: 40, perSecond: 2500 },
        ],
        min: 2500,
        median: 5000,
        max: 10000,
        spreadPercent: 150,
      });
      expect(doc.simulatedCallsPerSecond).toEqual({ kmalloc: 5000 });
      expect(doc.detail.schedules).toMatchObject({ min: 250, median: 500, max: 1000, spreadPercent: 150 });
      expect(doc.detail.schedules.rounds.map((r) => r.perSecond)).toEqual([1000, 500, 250]);
      expect(doc.schedulesPerSecond).toBe(500);
      const text = await runInProcess(args, { now: clock(), cwd: tempDir() });
      expect(text.stdout).toMatch(/^kmalloc\s+5,000\s+2,500\s+10,000\s+150\.0%\s+200\.0$/m);
      expect(text.stdout).toContain(
        'exploration: 500 schedules/s median of 3 rounds of 10 (min 250, max 1,000, spread 150.0%;',
      );
    },
    T,
  );

  it(
    '--export-csv and --export-markdown write the measurement table with the JSON numbers',
    async () => {
      const dir = tempDir();
      const r = await bench(
        [...ARGS, '--export-csv', 'b.csv', '--export-markdown', 'b.md', '--export-json', 'b.json'],
        {
          cwd: dir,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['b.csv', 'b.json', 'b.md']);
      expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe(
        [
          'measurement,strategy,per_second,ops,ms,machine,seed,pfmsim',
          `pfm_read_pmds n=4 calls round 1,kmalloc,10000,100,10,p4-2006,1,${VERSION}`,
          `pfm_read_pmds n=4 calls round 2,kmalloc,10000,100,10,p4-2006,1,${VERSION}`,
          `pfm_read_pmds n=4 calls round 1,stack,10000,100,10,p4-2006,1,${VERSION}`,
          `pfm_read_pmds n=4 calls round 2,stack,10000,100,10,p4-2006,1,${VERSION}`,
          `exploration round 1 (random schedules of 2 threads x 1 call),kmalloc,10000,100,10,p4-2006,1,${VERSION}`,
          `exploration round 2 (random schedules of 2 threads x 1 call),kmalloc,10000,100,10,p4-2006,1,${VERSION}`,
          '',
        ].join('\n'),
      );
      expect(readFileSync(join(dir, 'b.md'), 'utf8')).toBe(
        [
          `## pfmsim ${VERSION} · bench · machine p4-2006 · seed 1 · abi v2.3`,
          '',
          '### Simulator speed on this host (p4-2006)',
          '',
          '| measurement | strategy | per_second | ops | ms |',
          '|:---|:---|---:|---:|---:|',
          '| pfm_read_pmds n=4 calls round 1 | kmalloc | 10000 | 100 | 10 |',
          '| pfm_read_pmds n=4 calls round 2 | kmalloc | 10000 | 100 | 10 |',
          '| pfm_read_pmds n=4 calls round 1 | stack | 10000 | 100 | 10 |',
          '| pfm_read_pmds n=4 calls round 2 | stack | 10000 | 100 | 10 |',
          '| exploration round 1 (random schedules of 2 threads x 1 call) | kmalloc | 10000 | 100 | 10 |',
          '| exploration round 2 (random schedules of 2 threads x 1 call) | kmalloc | 10000 | 100 | 10 |',
          '',
        ].join('\n'),
      );
      const doc = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as BenchDoc;
      expect(doc.simulatedCallsPerSecond).toEqual({ kmalloc: 10000, stack: 10000 });
    },
    T,
  );

  it(
    'is deterministic on the same clock: same arguments, same output',
    async () => {
      const a = await bench([...ARGS, '--json']);
      const b = await bench([...ARGS, '--json']);
      expect(b.stdout).toBe(a.stdout);
    },
    T,
  );

  it(
    'defaults: every strategy, five rounds of 200 ms, five rounds of 10,000 kmalloc schedules; --machine, --abi, --seed named',
    async () => {
      // 200 ms with a 100 ms step: two batches of 100 calls per round
      const r = await bench(['--json'], { step: 100 });
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as BenchDoc & { machine: string; seed: number };
      expect(doc.durationMs).toBe(200);
      expect(doc.rounds).toBe(5);
      expect(doc.raceStrategy).toBe('kmalloc');
      expect(doc.detail.schedules.rounds).toHaveLength(5);
      expect(doc.detail.schedules.rounds[0]).toEqual({ schedules: 10000, ms: 100, perSecond: 100000 });
      expect(Object.keys(doc.simulatedCallsPerSecond)).toEqual([
        'kmalloc',
        'stack',
        'ctx-cache-naive',
        'ctx-cache-spinsplit',
        'ctx-cache',
        'ctx-cache-mutex',
        'ctx-cache-bounded',
        'task-cache',
        'slab-cache',
        'hybrid',
      ]);
      const round = { ops: 200, ms: 200, perSecond: 1000 };
      expect(doc.detail.calls.kmalloc).toEqual({
        rounds: [round, round, round, round, round],
        min: 1000,
        median: 1000,
        max: 1000,
        spreadPercent: 0,
      });
      const other = await bench(
        [
          '--strategies',
          'stack',
          '--machine',
          'core2-2007',
          '--abi',
          'v3',
          '--seed',
          '7',
          '--duration',
          '10',
          '--rounds',
          '1',
          '--round-schedules',
          '10',
        ],
        {},
      );
      expect(other.code, other.stderr).toBe(0);
      expect(other.stdout.split('\n')[0]).toBe(
        `pfmsim ${VERSION} · bench · machine core2-2007 · seed 7 · abi v3`,
      );
      const j = JSON.parse(
        (
          await bench([
            '--strategies',
            'stack',
            '--machine',
            'core2-2007',
            '--abi',
            'v3',
            '--seed',
            '7',
            '--duration',
            '10',
            '--rounds',
            '1',
            '--round-schedules',
            '10',
            '--json',
          ])
        ).stdout,
      ) as BenchDoc & { machine: string; seed: number };
      expect(j).toMatchObject({ machine: 'core2-2007', abi: 'v3', seed: 7 });
    },
    T,
  );

  it(
    'draws a progress bar on a terminal (each strategy, then the exploration rounds) and clears it',
    async () => {
      const r = await bench(
        ['--strategies', 'kmalloc,stack', '--duration', '1000', '--rounds', '1', '--round-schedules', '10'],
        { step: 1000, tty: true },
      );
      expect(r.code, r.stderr).toBe(0);
      const draws = r.stderr.split('\r\x1b[2K').filter((s) => s !== '');
      expect(draws).toEqual([
        expect.stringMatching(/^bench \[\.{28}\] 0\/4 \d+\.\ds kmalloc$/),
        expect.stringMatching(/^bench \[#{7}\.{21}\] 1\/4 \d+\.\ds stack$/),
        expect.stringMatching(/^bench \[#{14}\.{14}\] 2\/4 \d+\.\ds exploration, first round$/),
        expect.stringMatching(/^bench \[#{21}\.{7}\] 3\/4 \d+\.\ds exploration, round 1$/),
      ]);
      expect(r.stderr.endsWith('\r\x1b[2K')).toBe(true);
      const quiet = await bench(
        ['--strategies', 'kmalloc', '--duration', '1000', '--rounds', '1', '--round-schedules', '10', '-q'],
        {
          step: 1000,
          tty: true,
        },
      );
      expect(quiet.stderr).toBe('');
    },
    T,
  );

  it(
    'reports the CPU as unknown when the host lists no CPUs',
    async () => {
      host.noCpus = true;
      try {
        const r = await bench([...ARGS, '--json']);
        expect(r.code, r.stderr).toBe(0);
        expect((JSON.parse(r.stdout) as BenchDoc).host).toMatchObject({ cpu: 'unknown', cores: 0 });
        const t = await bench(ARGS);
        expect(t.stdout).toContain('host: unknown, 0 cores, Node ');
      } finally {
        host.noCpus = false;
      }
    },
    T,
  );

  it('--help documents the options and their defaults', async () => {
    const r = await runInProcess(['bench', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const line of [
      "the simulator's own speed on this host: simulated pfm_read_pmds calls (4 registers) per host second under each strategy, and random schedules explored per second, in rounds after a warm-up, on test-runner's bench scenario (two threads, one call each)",
      '--strategies <list> strategies to time, or "all" (default: "all")',
      '--duration <ms> host milliseconds per round of calls (default: "200")',
      '--race-strategy <name> strategy of the exploration scenario (test-runner\'s bench scenario) (default: "kmalloc")',
      '--rounds <n> rounds measured after a warm-up, for each strategy\'s calls and for the exploration (which also times a first, cold round) (default: "5")',
      '--round-schedules <n> exploration: random schedules per round (test-runner\'s bench: 10000) (default: "10000")',
    ]) {
      expect(help).toContain(line);
    }
  });
});

describe('pfmsim bench: bad input is one line on stderr and exit 2, before any work', () => {
  const cases: [string[], RegExp][] = [
    [['--duration', '5'], /^pfmsim: --duration must be an integer from 10 to 60000, got "5"$/],
    [['--duration', '60001'], /--duration must be an integer from 10 to 60000, got "60001"/],
    [['--rounds', '0'], /--rounds must be an integer from 1 to 50, got "0"/],
    [['--round-schedules', '5'], /--round-schedules must be an integer from 10 to 1000000, got "5"/],
    [['--strategies', 'kmaloc'], /unknown strategy "kmaloc"; did you mean "kmalloc"\?/],
    [['--race-strategy', 'ctx-cach'], /unknown strategy "ctx-cach"; did you mean "ctx-cache"\?/],
    [['--machine', 'p4-2007'], /unknown machine "p4-2007"; did you mean "p4-2006"\?/],
    [['--abi', 'v9'], /unknown ABI profile "v9"/],
    [['--seed', 'x'], /--seed must be an integer/],
    [['--export-csv', 'missing/dir/b.csv'], /--export-csv/],
  ];
  for (const [flags, pattern] of cases) {
    it(`bench ${flags.join(' ')}`, async () => {
      const dir = tempDir();
      const r = await runInProcess(['bench', ...flags], { cwd: dir });
      expectUsageError(r, pattern, flags.join(' '));
      expect(readdirSync(dir)).toEqual([]);
    });
  }
});
