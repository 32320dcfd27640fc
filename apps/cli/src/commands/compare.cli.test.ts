// `pfmsim compare` in this process: the printed tables against the JSON document, the exports,
// the flags, baselines, colours, progress and the usage errors. Small runs only (a few strategies,
// few attack contexts, a low preemption bound); the default compare runs through the binary in
// test/compare.e2e.test.ts.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompareResult } from '@pfmsim/lab';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSchema, expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';
import { main } from '../cli.js';
import { stripAnsi } from '../io.js';
import { VERSION } from '../version.js';
import { baselineDeltas, measurementsTable } from './compare.js';

const T = 60_000;
const SMALL = [
  'compare',
  '--strategies',
  'stack,task-cache,ctx-cache-naive',
  '--contexts',
  '64',
  '--max-preemptions',
  '1',
];
const TINY = ['compare', '--strategies', 'stack,task-cache', '--contexts', '8', '--max-preemptions', '0'];
const COLOR = { NO_COLOR: '', FORCE_COLOR: '1' };
const RED = (s: string) => `\x1b[31m${s}\x1b[39m`;
const GREEN = (s: string) => `\x1b[32m${s}\x1b[39m`;
const YELLOW = (s: string) => `\x1b[33m${s}\x1b[39m`;

interface Summary {
  name: string;
  cyclesAt4: number;
  cyclesAt64: number;
  savingAt4: number;
  savingAt64: number;
  stackFrameBytes: number;
  stackDepth: number;
  frameWarn: boolean;
  pinnedBytesAfterAttack: number;
  pinnedBytesAfterThreadAttack: number;
  raceFree: boolean;
  kernelBugs: string[];
  raceReplay: string | null;
  verdict: string;
}
interface Measurement {
  strategy: string;
  syscall: string;
  count: number;
  cyclesPerCall: number;
  stackBytes: number;
  error: string | null;
  breakdown: Record<string, number>;
}
interface CompareDoc {
  machine: string;
  arch: string;
  cost: string;
  pmu: string;
  seed: number;
  abi: string;
  threads: number;
  counts: number[];
  results: Measurement[];
  strategies: Summary[];
  best: string;
  machineDescription: string;
  attackContexts: number;
  race: unknown;
  baseline?: unknown;
}

/** The lines of the text output from the line starting with `from` up to (not with) `to`. */
function section(text: string, from: string, to: (line: string) => boolean): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(from));
  expect(start, `section "${from}"`).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (to(l)) break;
    out.push(l);
  }
  return out;
}

/** Table cells: columns are two or more spaces apart; no cell holds two spaces in a row. */
const cells = (line: string) => line.trim().split(/\s{2,}/);

/** Minimal RFC 4180 reader for the exported CSV. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.trimEnd().split('\n')) {
    const row: string[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let v = '';
        i++;
        while (i < line.length) {
          if (line[i] === '"' && line[i + 1] === '"') {
            v += '"';
            i += 2;
          } else if (line[i] === '"') {
            i++;
            break;
          } else v += line[i++];
        }
        row.push(v);
        i++;
      } else {
        const end = line.indexOf(',', i);
        const stop = end < 0 ? line.length : end;
        row.push(line.slice(i, stop));
        i = stop + 1;
      }
    }
    rows.push(row);
  }
  return rows;
}

const fmtCycles = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const fmtBytes = (n: number) =>
  n < 1024
    ? `${n} B`
    : n < 1024 * 1024
      ? `${Number.isInteger(n / 1024) ? n / 1024 : (n / 1024).toFixed(1)} KiB`
      : `${(n / 1024 / 1024).toFixed(1)} MiB`;
/** A change in cycles, signed: "-15.3%" is fewer cycles (faster), "+2.0%" more (slower). */
const fmtChange = (x: number) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

function readCycles(doc: CompareDoc, strategy: string, count: number): number {
  const m = doc.results.find(
    (r) => r.strategy === strategy && r.syscall === 'pfm_read_pmds' && r.count === count,
  );
  expect(m, `${strategy} pfm_read_pmds n=${count}`).toBeDefined();
  return m!.cyclesPerCall;
}

describe('pfmsim compare: the printed tables agree with the JSON document', () => {
  let dir: string;
  let text: string;
  let doc: CompareDoc;
  let stdoutJson: string;

  beforeAll(async () => {
    dir = tempDir();
    const r = await runInProcess(
      [...SMALL, '--export-json', 'c.json', '--export-csv', 'c.csv', '--export-markdown', 'c.md'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    text = r.stdout;
    doc = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as CompareDoc;
    const j = await runInProcess([...SMALL, '--json'], { cwd: dir });
    expect(j.code, j.stderr).toBe(0);
    stdoutJson = j.stdout;
  }, T);

  it('--json prints the document that --export-json writes, with the run settings in it', () => {
    expect(stdoutJson).toBe(readFileSync(join(dir, 'c.json'), 'utf8'));
    const j = expectSchema('compare', stdoutJson) as unknown as CompareDoc;
    expect(j).toMatchObject({
      pfmsimVersion: VERSION,
      command: 'compare',
      machine: 'p4-2006',
      seed: 1,
      abi: 'v2.3',
      threads: 1,
      arch: 'i386',
      cost: 'p4-2006',
      pmu: 'intel-p4',
      machineDescription: 'Pentium 4 3 GHz, i386 (8 KiB stacks), 2006',
      attackContexts: 64,
      race: { threads: 2, mode: 'exhaustive', maxPreemptions: 1 },
      counts: [1, 2, 4, 8, 16, 32, 64],
    });
    expect(j).not.toHaveProperty('baseline');
    // kmalloc, the baseline, is measured first though not asked for; every syscall at every count
    expect(j.strategies.map((s) => s.name)).toEqual(['kmalloc', 'stack', 'task-cache', 'ctx-cache-naive']);
    expect(j.results).toHaveLength(4 * 3 * 7);
  });

  it('prints the header, the machine and the experiment settings', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe(`pfmsim ${VERSION} · compare · machine p4-2006 · seed 1 · abi v2.3 · threads 1`);
    expect(lines[1]).toBe(`${doc.machineDescription}: arch ${doc.arch}, cost ${doc.cost}, pmu ${doc.pmu}`);
    expect(lines[2]).toBe(
      'cost: one warm call · attack: 64 contexts · race: 2 threads on one fd, exhaustive, <= 1 preemptions',
    );
    expect(text).toContain(
      'pinned: argument-buffer memory the attacker keeps after opening 64 contexts; by threads: the same after 256 threads each made one call',
    );
  });

  it('the pfm_read_pmds table has one row per strategy and the cycles of the JSON results', () => {
    const body = section(text, 'Cycles per call, pfm_read_pmds', (l) => l.startsWith('pfm_write_pmds and'));
    expect(cells(body[0]!)).toEqual(['strategy', ...doc.counts.map((n) => `n=${n}`)]);
    const rows = body.slice(1).map(cells);
    expect(rows).toEqual(
      doc.strategies.map((s) => [s.name, ...doc.counts.map((n) => fmtCycles(readCycles(doc, s.name, n)))]),
    );
    // distinct strategies print distinct numbers (not one strategy's row repeated)
    expect(rows[0]).not.toEqual(rows[1]?.map((c, i) => (i === 0 ? rows[0]![0] : c)));
  });

  it('the decision table: cycles at 4 and 64, the signed change against kmalloc, stack, memory, races', () => {
    const body = section(text, 'Decision table', (l) => l.startsWith('@4/@64'));
    expect(cells(body[0]!)).toEqual([
      'strategy',
      '@4',
      'vs kmalloc',
      '@64',
      'vs kmalloc',
      'stack B',
      'pinned',
      'by threads',
      'races / bugs',
      'verdict',
    ]);
    const k4 = readCycles(doc, 'kmalloc', 4);
    const k64 = readCycles(doc, 'kmalloc', 64);
    const expected = doc.strategies.map((s) => {
      const c4 = readCycles(doc, s.name, 4);
      const c64 = readCycles(doc, s.name, 64);
      expect(s.cyclesAt4).toBe(c4);
      expect(s.cyclesAt64).toBe(c64);
      return [
        s.name,
        fmtCycles(c4),
        s.name === 'kmalloc' ? '-' : fmtChange((c4 - k4) / k4),
        fmtCycles(c64),
        s.name === 'kmalloc' ? '-' : fmtChange((c64 - k64) / k64),
        `${s.stackFrameBytes}/${s.stackDepth}`,
        fmtBytes(s.pinnedBytesAfterAttack),
        fmtBytes(s.pinnedBytesAfterThreadAttack),
        s.raceFree ? 'none' : s.kernelBugs.join(', '),
        s.verdict,
      ];
    });
    expect(body.slice(1).map(cells)).toEqual(expected);
    // fewer cycles than kmalloc print as a negative change: stack saves 15.3 % at 4 registers
    expect(body.find((l) => l.startsWith('stack '))).toMatch(/^stack\s+1765\s+-15\.3%\s+13533\s+0\.0%\s/);
    expect(body.find((l) => l.startsWith('ctx-cache-naive'))).toContain('data-race, corrupted-argument');
  });

  it('names the best strategy and prints the command that replays each race', () => {
    expect(doc.best).toBe('stack');
    expect(text).toContain(
      'best: stack (the cheapest strategy that is race-free, within CONFIG_FRAME_WARN and keeps pinned memory bounded)',
    );
    const naive = doc.strategies.find((s) => s.name === 'ctx-cache-naive')!;
    expect(naive.raceReplay).toMatch(/^\d+:/);
    const raceLines = text.split('\n').filter((l) => l.startsWith('race '));
    expect(raceLines).toEqual([
      `race ctx-cache-naive: pfmsim race --strategy ctx-cache-naive --machine p4-2006 --abi v2.3 --replay ${naive.raceReplay}`,
    ]);
  });

  it('--export-csv writes the decision table with the JSON numbers and savings in percent', () => {
    const rows = parseCsv(readFileSync(join(dir, 'c.csv'), 'utf8'));
    expect(rows[0]).toEqual([
      'strategy',
      'cycles_at_4',
      'saving_at_4_pct',
      'cycles_at_64',
      'saving_at_64_pct',
      'stack_frame_bytes',
      'stack_depth_bytes',
      'pinned_bytes_after_attack',
      'race_free',
      'kernel_bugs',
      'verdict',
      'machine',
      'seed',
      'pfmsim',
    ]);
    expect(rows).toHaveLength(1 + doc.strategies.length);
    doc.strategies.forEach((s, i) => {
      const row = rows[i + 1]!;
      expect(row).toEqual([
        s.name,
        String(s.cyclesAt4),
        row[2],
        String(s.cyclesAt64),
        row[4],
        String(s.stackFrameBytes),
        String(s.stackDepth),
        String(s.pinnedBytesAfterAttack),
        String(s.raceFree),
        s.kernelBugs.join(' '),
        s.verdict,
        'p4-2006',
        '1',
        VERSION,
      ]);
      // a saving is the JSON fraction in percent, to one decimal (positive = fewer cycles)
      expect(Math.abs(Number(row[2]) - s.savingAt4 * 100)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(Number(row[4]) - s.savingAt64 * 100)).toBeLessThanOrEqual(0.05);
      expect(row[2]).toMatch(/^-?\d+(\.\d)?$/);
    });
    const byName = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byName.get('stack')!.slice(1, 5)).toEqual(['1765', '15.3', '13533', '0']);
    expect(byName.get('task-cache')!.slice(1, 5)).toEqual(['1765', '15.3', '13213', '2.4']);
    expect(byName.get('ctx-cache-naive')![9]).toBe('data-race corrupted-argument');
  });

  it('--export-markdown writes the decision table and every measurement with its cost breakdown', () => {
    const md = readFileSync(join(dir, 'c.md'), 'utf8');
    expect(
      md.startsWith(`## pfmsim ${VERSION} · compare · machine p4-2006 · seed 1 · abi v2.3 · threads 1\n`),
    ).toBe(true);
    const lines = md.split('\n');
    const at = (title: string) => {
      const i = lines.indexOf(title);
      expect(i, title).toBeGreaterThanOrEqual(0);
      return i;
    };
    const d = at('### Decision table (p4-2006, abi v2.3, seed 1)');
    expect(lines[d + 2]).toBe(
      '| strategy | cycles_at_4 | saving_at_4_pct | cycles_at_64 | saving_at_64_pct | stack_frame_bytes | stack_depth_bytes | pinned_bytes_after_attack | race_free | kernel_bugs | verdict |',
    );
    expect(lines[d + 3]).toBe('|:---|---:|---:|---:|---:|---:|---:|---:|:---|:---|:---|');
    expect(lines[d + 4]).toBe(
      '| kmalloc | 2085 | 0 | 13533 | 0 | 0 | 160 | 0 | true |  | baseline: the 2006 code |',
    );

    const m = at('### Measurements (cycles per call)');
    const cats = Object.keys(doc.results[0]!.breakdown);
    expect(cats).toEqual(expect.arrayContaining(['syscall', 'alloc', 'copy', 'lock']));
    expect(lines[m + 2]).toBe(
      `| strategy | syscall | count | cycles_per_call | stack_bytes | error | ${cats.join(' | ')} |`,
    );
    expect(lines[m + 3]).toBe(`|:---|:---|---:|---:|---:|:---|${cats.map(() => '---:').join('|')}|`);
    const rows = lines.slice(m + 4, m + 4 + doc.results.length);
    expect(rows).toEqual(
      doc.results.map(
        (r) =>
          `| ${r.strategy} | ${r.syscall} | ${r.count} | ${r.cyclesPerCall} | ${r.stackBytes} | ${r.error ?? '-'} | ${cats
            .map((c) => r.breakdown[c])
            .join(' | ')} |`,
      ),
    );
    expect(new Set(doc.results.map((r) => r.syscall))).toEqual(
      new Set(['pfm_read_pmds', 'pfm_write_pmds', 'pfm_write_pmcs']),
    );
  });

  it(
    'writes only the files asked for, atomically, and is deterministic (same arguments, same output)',
    async () => {
      expect(readdirSync(dir).sort()).toEqual(['c.csv', 'c.json', 'c.md']);
      const again = await runInProcess(SMALL, { cwd: dir });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe(text);
      // no baseline saved, nothing else written, no note
      expect(again.stderr).toBe('');
      expect(readdirSync(dir).sort()).toEqual(['c.csv', 'c.json', 'c.md']);
    },
    T,
  );
});

describe('pfmsim compare: the flags take effect', () => {
  it(
    'kmalloc is always measured, once, and every saving is a number (no NaN)',
    async () => {
      const only = await runInProcess(['compare', '--strategies', 'stack', ...TINY.slice(3), '--json']);
      expect(only.code, only.stderr).toBe(0);
      const d = JSON.parse(only.stdout) as CompareDoc;
      expect(d.strategies.map((s) => s.name)).toEqual(['kmalloc', 'stack']);
      expect(d.results).toHaveLength(2 * 3 * 7);
      for (const s of d.strategies) {
        expect(Number.isFinite(s.savingAt4), s.name).toBe(true);
        expect(s.verdict).not.toContain('NaN');
      }
      const named = await runInProcess([
        'compare',
        '--strategies',
        'stack,kmalloc',
        ...TINY.slice(3),
        '--json',
      ]);
      const n = JSON.parse(named.stdout) as CompareDoc;
      expect(n.strategies.map((s) => s.name)).toEqual(['stack', 'kmalloc']);
      expect(n.results).toHaveLength(2 * 3 * 7);
      const txt = await runInProcess(['compare', '--strategies', 'stack', ...TINY.slice(3)]);
      expect(txt.stdout).not.toContain('NaN');
      expect(txt.stdout).toMatch(/^stack\s+1765\s+-15\.3%\s+13533\s+0\.0%/m);
    },
    T,
  );

  it(
    '--threads N measures N threads on one fd (mean per call, more cycles than one warm call)',
    async () => {
      const one = JSON.parse((await runInProcess([...TINY, '--json'])).stdout) as CompareDoc;
      const r = await runInProcess([...TINY, '--threads', '2']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[0]).toMatch(/ · threads 2$/);
      expect(r.stdout).toContain('cost: 2 threads on one fd, mean per call · attack: 8 contexts');
      const two = JSON.parse(
        (await runInProcess([...TINY, '--threads', '2', '--json'])).stdout,
      ) as CompareDoc;
      expect(two.threads).toBe(2);
      expect(two.strategies[0]!.cyclesAt4).toBeGreaterThan(one.strategies[0]!.cyclesAt4);
      expect(r.stdout).toMatch(
        new RegExp(`^kmalloc\\s+${fmtCycles(two.strategies[0]!.cyclesAt4)}\\s+-\\s`, 'm'),
      );
    },
    T,
  );

  it(
    '--contexts sizes the attack and --max-preemptions bounds the race exploration',
    async () => {
      const args = ['compare', '--strategies', 'ctx-cache-naive', '--max-preemptions', '0'];
      const r8 = JSON.parse(
        (await runInProcess([...args, '--contexts', '8', '--json'])).stdout,
      ) as CompareDoc;
      const r16 = JSON.parse(
        (await runInProcess([...args, '--contexts', '16', '--json'])).stdout,
      ) as CompareDoc;
      expect(r8.attackContexts).toBe(8);
      expect(r8.race).toEqual({ threads: 2, mode: 'exhaustive', maxPreemptions: 0 });
      const pinned = (d: CompareDoc) =>
        d.strategies.find((s) => s.name === 'ctx-cache-naive')!.pinnedBytesAfterAttack;
      expect(pinned(r16)).toBe(2 * pinned(r8));
      const t = await runInProcess([...args, '--contexts', '8']);
      expect(t.stdout).toContain(
        'attack: 8 contexts · race: 2 threads on one fd, exhaustive, <= 0 preemptions',
      );
      expect(t.stdout).toContain('keeps after opening 8 contexts;');
    },
    T,
  );

  it(
    '--machine, --abi and --seed name the run; the replay command carries the machine flags',
    async () => {
      const r = await runInProcess([
        'compare',
        '--machine',
        'k8-2006',
        '--abi',
        'v3',
        '--seed',
        '5',
        '--strategies',
        'ctx-cache-naive',
        '--contexts',
        '8',
        '--max-preemptions',
        '1',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const j = await runInProcess([
        'compare',
        '--machine',
        'k8-2006',
        '--abi',
        'v3',
        '--seed',
        '5',
        '--strategies',
        'ctx-cache-naive',
        '--contexts',
        '8',
        '--max-preemptions',
        '1',
        '--json',
      ]);
      const d = JSON.parse(j.stdout) as CompareDoc;
      expect(d).toMatchObject({ machine: 'k8-2006', abi: 'v3', seed: 5, arch: 'x86_64' });
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe(`pfmsim ${VERSION} · compare · machine k8-2006 · seed 5 · abi v3 · threads 1`);
      expect(lines[1]).toBe(`${d.machineDescription}: arch x86_64, cost ${d.cost}, pmu ${d.pmu}`);
      const naive = d.strategies.find((s) => s.name === 'ctx-cache-naive')!;
      expect(naive.raceFree).toBe(false);
      const replay = lines.find((l) => l.startsWith('race ctx-cache-naive: '))!;
      expect(replay).toBe(
        `race ctx-cache-naive: pfmsim race --strategy ctx-cache-naive --machine k8-2006 --abi v3 --replay ${naive.raceReplay}`,
      );
      // the printed command replays the race
      const again = await runInProcess(replay.slice(replay.indexOf('pfmsim ') + 7).split(' '));
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('data-race');
    },
    T,
  );

  it(
    '--arch, --cpu and --pmu overrides are repeated in the replay command',
    async () => {
      const r = await runInProcess([
        'compare',
        '--cpu',
        'core2-2007',
        '--strategies',
        'ctx-cache-naive',
        '--contexts',
        '8',
        '--max-preemptions',
        '1',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /^race ctx-cache-naive: pfmsim race --strategy ctx-cache-naive --machine p4-2006 --cpu core2-2007 --abi v2\.3 --replay \S+$/m,
      );
      expect(r.stdout.split('\n')[1]).toContain('cost core2-2007');
    },
    T,
  );

  it('--help documents every compare option with its default', async () => {
    const r = await runInProcess(['compare', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const line of [
      'every strategy against pfm_read_pmds, pfm_write_pmds and pfm_write_pmcs at 1..64 registers, plus the memory-pinning attack, the two-thread race exploration and the stack check: one decision table',
      '--threads <n> threads calling into one context fd during the cost measurement (default: "1")',
      '--strategies <list> comma-separated strategies, or "all" (kmalloc is always measured) (default: "all")',
      '--contexts <n> contexts opened by the memory-pinning attack (default: "1024")',
      '--max-preemptions <n> preemption bound of the exhaustive race exploration (default: "3")',
      '--save-baseline <name> keep this run in .pfmsim/baselines/NAME.json',
      '--baseline <name> show the change against a saved baseline',
    ]) {
      expect(help).toContain(line);
    }
  });
});

describe('pfmsim compare: bad input is one line on stderr and exit 2, before any work', () => {
  const cases: [string[], RegExp][] = [
    [['--threads', '0'], /^pfmsim: --threads must be an integer from 1 to 16, got "0"$/],
    [['--threads', '17'], /--threads must be an integer from 1 to 16, got "17"/],
    [['--contexts', '0'], /^pfmsim: --contexts must be an integer from 1 to 65536, got "0"$/],
    [['--contexts', 'many'], /--contexts must be an integer from 1 to 65536, got "many"/],
    [['--max-preemptions', '9'], /^pfmsim: --max-preemptions must be an integer from 0 to 8, got "9"$/],
    [['--strategies', 'stack,stak'], /unknown strategy "stak"; did you mean "stack"\?/],
    [['--strategies', ','], /empty strategy list/],
    [['--machine', 'p4-2007'], /unknown machine "p4-2007"; did you mean "p4-2006"\?/],
    [['--abi', 'v4'], /unknown ABI profile "v4"/],
    [['--seed', '-1'], /--seed must be an integer/],
    [['--export-json', 'no/such/dir/c.json'], /--export-json/],
    [['--baseline', 'never-saved'], /no baseline "never-saved" in \.pfmsim[/\\]baselines; save one first/],
  ];
  for (const [flags, pattern] of cases) {
    it(`compare ${flags.join(' ')}`, async () => {
      const dir = tempDir();
      const r = await runInProcess(['compare', ...flags], { cwd: dir });
      expectUsageError(r, pattern, flags.join(' '));
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it(
    '--save-baseline and --baseline with one name is refused and leaves the baseline as it was',
    async () => {
      const dir = tempDir();
      const saved = await runInProcess([...TINY, '--save-baseline', 'same', '-q'], { cwd: dir });
      expect(saved.code, saved.stderr).toBe(0);
      expect(saved.stderr).toBe('');
      const file = join(dir, '.pfmsim', 'baselines', 'same.json');
      const before = readFileSync(file, 'utf8');
      const r = await runInProcess(
        [...TINY, '--threads', '2', '--save-baseline', 'same', '--baseline', 'same'],
        {
          cwd: dir,
        },
      );
      expectUsageError(
        r,
        /^pfmsim: --save-baseline and --baseline name the same baseline; save under a new name$/,
      );
      expect(readFileSync(file, 'utf8')).toBe(before);
    },
    T,
  );
});

describe('pfmsim compare: baselines', () => {
  it(
    '--save-baseline keeps the JSON document of the run and says where',
    async () => {
      const dir = tempDir();
      const r = await runInProcess([...TINY, '--save-baseline', 'b1'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe(`saved baseline "b1" to ${join('.pfmsim', 'baselines', 'b1.json')}\n`);
      const j = await runInProcess([...TINY, '--json'], { cwd: dir });
      expect(readFileSync(join(dir, '.pfmsim', 'baselines', 'b1.json'), 'utf8')).toBe(j.stdout);
      expect(readdirSync(join(dir, '.pfmsim', 'baselines'))).toEqual(['b1.json']);
    },
    T,
  );

  it(
    '--baseline prints the change of each strategy, "new" for one not in the baseline',
    async () => {
      const dir = tempDir();
      expect((await runInProcess([...TINY, '--save-baseline', 'base', '-q'], { cwd: dir })).code).toBe(0);
      const file = join(dir, '.pfmsim', 'baselines', 'base.json');
      const base = JSON.parse(readFileSync(file, 'utf8')) as CompareDoc & { pfmsimVersion: string };
      // an edited baseline: kmalloc was faster at 4 (now +10 % slower) and 0 at 64; stack was
      // slower at 4 (now 10 % faster), a hair faster at 64 (+0.4 %) and had another verdict;
      // task-cache was not measured then.
      const k = base.strategies.find((s) => s.name === 'kmalloc')!;
      const s = base.strategies.find((x) => x.name === 'stack')!;
      k.cyclesAt4 = 2085 / 1.1;
      k.cyclesAt64 = 0;
      s.cyclesAt4 = 1765 / 0.9;
      s.cyclesAt64 = 13533 / 1.004;
      s.verdict = 'an older verdict';
      base.strategies = [k, s];
      base.pfmsimVersion = '0.0.9';
      writeFileSync(join(dir, '.pfmsim', 'baselines', 'edited.json'), JSON.stringify(base));

      const r = await runInProcess([...TINY, '--baseline', 'edited'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(
        'Change against baseline "edited" (pfmsim 0.0.9, machine p4-2006, seed 1, abi v2.3)\n',
      );
      expect(r.stdout).not.toContain('note: the baseline ran on another machine');
      const body = section(r.stdout, 'Change against baseline', () => false).filter((l) => l !== '');
      expect(body.map(cells)).toEqual([
        [
          'strategy',
          '@4 before',
          '@4 now',
          'change',
          '@64 before',
          '@64 now',
          'change',
          'pinned before',
          'pinned now',
          'verdict',
        ],
        ['kmalloc', fmtCycles(2085 / 1.1), '2085', '+10.0%', '0', '13533', '-', '0 B', '0 B', 'unchanged'],
        [
          'stack',
          fmtCycles(1765 / 0.9),
          '1765',
          '-10.0%',
          fmtCycles(13533 / 1.004),
          '13533',
          '+0.4%',
          '0 B',
          '0 B',
          'was: an older verdict',
        ],
        ['task-cache', '-', '1765', 'new', '-', '13213', 'new', '-', '4 KiB', 'new'],
      ]);

      const j = await runInProcess([...TINY, '--baseline', 'edited', '--json'], { cwd: dir });
      const doc = expectSchema('compare', j.stdout) as unknown as CompareDoc;
      expect(doc.baseline).toMatchObject({
        name: 'edited',
        pfmsimVersion: '0.0.9',
        machine: 'p4-2006',
        seed: 1,
        abi: 'v2.3',
        threads: 1,
        comparable: true,
        strategies: [
          {
            name: 'kmalloc',
            cyclesAt4: { before: 2085 / 1.1, after: 2085 },
            cyclesAt64: { before: 0, after: 13533, change: null },
            pinnedBytesAfterAttack: { before: 0, after: 0, change: 0 },
            raceFreeBefore: true,
            raceFree: true,
            verdictBefore: 'baseline: the 2006 code',
          },
          {
            name: 'stack',
            verdictBefore: 'an older verdict',
            verdict: expect.stringMatching(/^best overall/),
          },
          {
            name: 'task-cache',
            cyclesAt4: { before: null, after: 1765, change: null },
            raceFreeBefore: null,
            verdictBefore: null,
          },
        ],
      });
      const kd = (doc.baseline as { strategies: { cyclesAt4: { change: number } }[] }).strategies[0]!;
      expect(kd.cyclesAt4.change).toBeCloseTo(0.1, 10);
    },
    T,
  );

  it(
    'colours a change red when slower by more than 0.5 %, green when faster, and nothing else',
    async () => {
      const dir = tempDir();
      expect((await runInProcess([...TINY, '--save-baseline', 'base', '-q'], { cwd: dir })).code).toBe(0);
      const file = join(dir, '.pfmsim', 'baselines', 'base.json');
      const base = JSON.parse(readFileSync(file, 'utf8')) as CompareDoc;
      const [k, s, t] = base.strategies as [Summary, Summary, Summary];
      k.cyclesAt4 = 2085 / 1.1; // +10.0 %
      k.cyclesAt64 = 13533 / 0.9; // -10.0 %
      s.cyclesAt4 = 1765 / 1.006; // +0.6 %
      s.cyclesAt64 = 13533 / 1.004; // +0.4 %
      t.cyclesAt4 = 1765 / 0.994; // -0.6 %
      t.cyclesAt64 = 13213 / 0.996; // -0.4 %
      writeFileSync(join(dir, '.pfmsim', 'baselines', 'edited.json'), JSON.stringify(base));
      const r = await runInProcess([...TINY, '--baseline', 'edited'], { cwd: dir, env: COLOR });
      expect(r.code, r.stderr).toBe(0);
      const rows = section(r.stdout, '\x1b[1mChange against baseline', () => false).slice(1);
      const row = (name: string) =>
        rows
          .find((l) => l.startsWith(name))!
          .trim()
          .split(/ {2,}/);
      expect(row('kmalloc').slice(1, 7)).toEqual([
        fmtCycles(2085 / 1.1),
        '2085',
        RED('+10.0%'),
        fmtCycles(13533 / 0.9),
        '13533',
        GREEN('-10.0%'),
      ]);
      expect(row('stack').slice(2, 7)).toEqual([
        '1765',
        RED('+0.6%'),
        fmtCycles(13533 / 1.004),
        '13533',
        '+0.4%',
      ]);
      expect(row('task-cache').slice(2, 7)).toEqual([
        '1765',
        GREEN('-0.6%'),
        fmtCycles(13213 / 0.996),
        '13213',
        '-0.4%',
      ]);
    },
    T,
  );

  it(
    'warns when the baseline ran on another machine, ABI or thread count',
    async () => {
      const dir = tempDir();
      expect((await runInProcess([...TINY, '--save-baseline', 'one', '-q'], { cwd: dir })).code).toBe(0);
      const r = await runInProcess([...TINY, '--threads', '2', '--baseline', 'one'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(
        'note: the baseline ran on another machine, ABI or thread count; the changes mix setups',
      );
      const j = JSON.parse(
        (await runInProcess([...TINY, '--threads', '2', '--baseline', 'one', '--json'], { cwd: dir })).stdout,
      ) as {
        baseline: { comparable: boolean; threads: number };
      };
      expect(j.baseline).toMatchObject({ comparable: false, threads: 1 });
      const same = await runInProcess([...TINY, '--baseline', 'one'], { cwd: dir });
      expect(same.stdout).not.toContain('note: the baseline');
      expect(same.stdout).toMatch(
        /^kmalloc\s+2085\s+2085\s+0\.0%\s+13533\s+13533\s+0\.0%\s+0 B\s+0 B\s+unchanged$/m,
      );
    },
    T,
  );
});

describe('baselineDeltas', () => {
  const result = {
    machine: 'p4-2006',
    abi: 'v2.3',
    threads: 1,
    strategies: [
      {
        name: 'kmalloc',
        cyclesAt4: 2000,
        cyclesAt64: 10000,
        pinnedBytesAfterAttack: 0,
        raceFree: true,
        verdict: 'baseline: the 2006 code',
      },
      {
        name: 'task-cache',
        cyclesAt4: 1500,
        cyclesAt64: 9000,
        pinnedBytesAfterAttack: 4096,
        raceFree: true,
        verdict: 'saves',
      },
    ],
  } as unknown as CompareResult;

  it('an empty baseline: nothing known before, not comparable', () => {
    for (const base of [{}, { strategies: 'none' }, { strategies: { kmalloc: {} } }]) {
      const d = baselineDeltas(base, result);
      expect(d).toEqual({
        pfmsimVersion: null,
        machine: null,
        seed: null,
        abi: null,
        threads: null,
        comparable: false,
        strategies: result.strategies.map((s) => ({
          name: s.name,
          cyclesAt4: { before: null, after: s.cyclesAt4, change: null },
          cyclesAt64: { before: null, after: s.cyclesAt64, change: null },
          pinnedBytesAfterAttack: { before: null, after: s.pinnedBytesAfterAttack, change: null },
          raceFreeBefore: null,
          raceFree: true,
          verdictBefore: null,
          verdict: s.verdict,
        })),
      });
    }
  });

  it('comparable only with the same machine, ABI and thread count', () => {
    const same = { machine: 'p4-2006', abi: 'v2.3', threads: 1, seed: 9, pfmsimVersion: '0.0.1' };
    const d = baselineDeltas(same, result);
    expect(d).toMatchObject({ comparable: true, seed: 9, threads: 1, machine: 'p4-2006', abi: 'v2.3' });
    expect(d.pfmsimVersion).toBe('0.0.1');
    expect(baselineDeltas({ ...same, machine: 'core2-2007' }, result).comparable).toBe(false);
    expect(baselineDeltas({ ...same, abi: 'v3' }, result).comparable).toBe(false);
    expect(baselineDeltas({ ...same, threads: 2 }, result).comparable).toBe(false);
    expect(baselineDeltas({ ...same, seed: 2 }, result).comparable).toBe(true);
  });

  it('a change is (now - before) / before; a missing, non-numeric or zero before has none', () => {
    const d = baselineDeltas(
      {
        strategies: [
          {
            name: 'kmalloc',
            cyclesAt4: 2500,
            cyclesAt64: '10000',
            pinnedBytesAfterAttack: 0,
            raceFree: false,
            verdict: 'unsafe',
          },
          {
            name: 'task-cache',
            cyclesAt4: Number.NaN,
            cyclesAt64: Number.POSITIVE_INFINITY,
            pinnedBytesAfterAttack: 0,
            raceFree: 'yes',
            verdict: 42,
          },
        ],
      },
      result,
    );
    const [k, t] = d.strategies;
    expect(k!.cyclesAt4).toEqual({ before: 2500, after: 2000, change: -0.2 });
    expect(k!.cyclesAt64).toEqual({ before: null, after: 10000, change: null });
    expect(k!.pinnedBytesAfterAttack).toEqual({ before: 0, after: 0, change: 0 });
    expect(k!.raceFreeBefore).toBe(false);
    expect(k!.verdictBefore).toBe('unsafe');
    expect(t!.cyclesAt4).toEqual({ before: null, after: 1500, change: null });
    expect(t!.cyclesAt64).toEqual({ before: null, after: 9000, change: null });
    expect(t!.pinnedBytesAfterAttack).toEqual({ before: 0, after: 4096, change: null });
    expect(t!.raceFreeBefore).toBeNull();
    expect(t!.verdictBefore).toBeNull();
  });
});

describe('measurementsTable', () => {
  it('a result without measurements has the fixed columns only and no rows', () => {
    const t = measurementsTable({ results: [] } as unknown as CompareResult);
    expect(t.columns.map((c) => c.header)).toEqual([
      'strategy',
      'syscall',
      'count',
      'cycles_per_call',
      'stack_bytes',
      'error',
    ]);
    expect(t.rows).toEqual([]);
  });
});

describe('pfmsim compare on a terminal', () => {
  it(
    'colours the decision table: unsafe races and verdicts red, the best verdict green, a pinning one yellow',
    async () => {
      const plain = await runInProcess(SMALL);
      const r = await runInProcess(SMALL, { env: COLOR });
      expect(r.code, r.stderr).toBe(0);
      // colour changes no character and no alignment
      expect(stripAnsi(r.stdout)).toBe(plain.stdout);
      const body = section(r.stdout, '\x1b[1mDecision table', (l) => l.startsWith('\x1b[2m@4/@64')).slice(1);
      const row = (name: string) =>
        body
          .find((l) => l.startsWith(`${name} `))!
          .trim()
          .split(/ {2,}/);
      const naive = row('ctx-cache-naive');
      expect(naive[7]).toBe('4 KiB'); // by threads: a size, not a verdict
      expect(naive[8]).toBe(RED('data-race, corrupted-argument'));
      expect(naive[9]).toBe(RED('unsafe: data-race, corrupted-argument with two threads on one fd'));
      const stack = row('stack');
      expect(stack[8]).toBe('none');
      expect(stack[9]).toBe(GREEN('best overall: 15.3% faster at 4 regs, 0.0% at 64, bounded memory'));
      const task = row('task-cache');
      expect(task[8]).toBe('none');
      expect(task[9]).toBe(YELLOW('saves 15.3% at 4 regs but pins 1.0 MiB for 256 threads'));
      expect(row('kmalloc').slice(1)).toEqual([
        '2085',
        '-',
        '13533',
        '-',
        '0/160',
        '0 B',
        '0 B',
        'none',
        'baseline: the 2006 code',
      ]);
      expect(r.stdout).toContain(`best: ${GREEN('stack')} (the cheapest strategy`);
      expect(r.stdout).toContain(`${RED('race')} ctx-cache-naive: pfmsim race --strategy ctx-cache-naive`);
    },
    T,
  );

  it(
    'draws a progress bar on stderr once the run has taken a second, and clears it at the end',
    async () => {
      let t = 0;
      let stdout = '';
      let stderr = '';
      const code = await main([...TINY.slice(0, 2), 'stack', ...TINY.slice(3)], {
        out: (s) => {
          stdout += s;
        },
        err: (s) => {
          stderr += s;
        },
        stdoutIsTTY: false,
        stderrIsTTY: true,
        env: { NO_COLOR: '1' },
        cwd: tempDir(),
        now: () => {
          t += 400;
          return t;
        },
      });
      expect(code, stderr).toBe(0);
      expect(stdout).toContain('Decision table');
      // 2 strategies x (3 syscalls x 7 counts + attack, thread attack, race, stack) = 50 steps
      const draws = stderr.split('\r\x1b[2K').filter((s) => s !== '');
      expect(draws.length).toBeGreaterThan(10);
      for (const d of draws) expect(d).toMatch(/^compare \[[#.]{28}\] \d+\/50 \d+\.\ds /);
      expect(draws.at(-1)).toMatch(/^compare \[#{28}\] 50\/50 \d+\.\ds stack stack$/);
      expect(draws).toContainEqual(expect.stringMatching(/ kmalloc pfm_read_pmds n=\d+$/));
      expect(stderr.endsWith('\r\x1b[2K')).toBe(true);
    },
    T,
  );

  it(
    'no progress bar with --quiet, and none when stderr is not a terminal',
    async () => {
      const io = (tty: boolean) => {
        let t = 0;
        const err: string[] = [];
        return {
          err,
          io: {
            out: () => {},
            err: (s: string) => {
              err.push(s);
            },
            stdoutIsTTY: false,
            stderrIsTTY: tty,
            env: { NO_COLOR: '1' },
            cwd: tempDir(),
            now: () => (t += 400),
          },
        };
      };
      const q = io(true);
      expect(await main([...TINY, '-q'], q.io)).toBe(0);
      expect(q.err).toEqual([]);
      const pipe = io(false);
      expect(await main(TINY, pipe.io)).toBe(0);
      expect(pipe.err).toEqual([]);
    },
    T,
  );
});

describe('pfmsim compare: the saved baseline directory', () => {
  it(
    'is created only by --save-baseline',
    async () => {
      const dir = tempDir();
      mkdirSync(join(dir, 'sub'));
      const r = await runInProcess(TINY, { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(join(dir, '.pfmsim'))).toBe(false);
    },
    T,
  );
});
