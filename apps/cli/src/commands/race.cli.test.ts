// `pfmsim race` in this process: the flags and their errors, exploration and replay output (text,
// JSON, exports). The golden of the default naive run is test/command-cases.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSchema, expectUsageError, runInProcess, steppingClock, tempDir } from '../../test/helpers.js';
import { VERSION } from '../version.js';
import { runs } from './race.js';

/** Whole commands in this process: seconds each on a loaded machine (mutation runs). */
const SLOW = { timeout: 60_000 };

const NAIVE = ['race', '--strategy', 'ctx-cache-naive', '--max-preemptions', '1'];
/** The naive cache's schedule with a corrupted argument (a race between the two copies). */
const CORRUPTING = '1:0.0.0.1.1.1.1.1';
const REPLAY_CMD = 'pfmsim race --strategy ctx-cache-naive --machine p4-2006 --threads 2 --abi v2.3 --replay';

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

interface RaceJson {
  mode: string;
  maxPreemptions: number | null;
  schedules: number;
  complete: boolean;
  raceFree: boolean;
  findings: {
    replay: string;
    kinds: string[];
    corrupted: string[];
    command: string;
    interleaving: string[];
  }[];
}

describe('pfmsim race: flags', SLOW, () => {
  it('--help describes every option with its default', async () => {
    const r = await runInProcess(['race', '--help']);
    expect(r.code).toBe(0);
    const help = oneLine(r.stdout);
    for (const line of [
      'schedule exploration: T threads make their calls (pfm_write_pmds by default) on one context fd; every interleaving is checked for kernel bugs (races, sleeping under a lock...), corrupted arguments and leaks',
      '-s, --strategy <name> argument-buffer strategy (default: "ctx-cache")',
      '-t, --threads <n> threads sharing the context fd (default: "2")',
      '--calls <n> calls per thread (default: "1")',
      "--mix <calls> the calls, dealt round robin to threads (T0's first, T0's second...): write_pmds, read_pmds, write_pmcs, close, dup, exit, unload; NAME*N repeats (default: write_pmds)",
      '--explore <mode> exhaustive (bounded preemptions), dpor (partial-order reduction), random or pct (default: "exhaustive")',
      '--schedules <n> random/pct: schedules to run; exhaustive/dpor: a cap (default 100000)',
      '--max-preemptions <n> preemption bound: exhaustive (default 3), dpor (default none)',
      '--fail-on-incomplete exit 1 when an exhaustive or dpor search did not run every schedule',
      '--pct-depth <n> pct: bug depth (default: "2")',
      '--replay <seed:decisions> replay one schedule (as printed with each finding)',
      '--all print every finding kept (the first 100, then one per kind), not only the first of each kind',
      '--fail-on-findings exit 1 when a finding is reported',
    ])
      expect(help).toContain(line);
  });

  it('out-of-range numbers name the flag and the accepted range', async () => {
    expectUsageError(
      await runInProcess(['race', '--threads', '1']),
      /--threads must be an integer from 2 to 8, got "1"/,
    );
    expectUsageError(
      await runInProcess(['race', '--threads', '9']),
      /--threads must be an integer from 2 to 8, got "9"/,
    );
    expectUsageError(
      await runInProcess(['race', '--max-preemptions', '11']),
      /--max-preemptions must be an integer from 0 to 10, got "11"/,
    );
    expectUsageError(
      await runInProcess(['race', '--explore', 'pct', '--pct-depth', '0']),
      /--pct-depth must be an integer from 1 to 10, got "0"/,
    );
    expectUsageError(
      await runInProcess(['race', '--schedules', '0']),
      /--schedules must be an integer from 1 to 10000000, got "0"/,
    );
    expectUsageError(await runInProcess(['race', '--explore', 'dfs']), /--explore mode/);
    expectUsageError(
      await runInProcess(['race', '--calls', '9']),
      /--calls must be an integer from 1 to 8, got "9"/,
    );
    expectUsageError(
      await runInProcess(['race', '--mix', 'write_pmds,fork']),
      /--mix: invalid race call: "fork" \(accepted: write_pmds, read_pmds, write_pmcs, close, dup, exit, unload \(NAME or NAME\*N, N 1..64\)\)/,
    );
  });
});

describe('pfmsim race: exploration', SLOW, () => {
  it('JSON: every finding with its replay command and its own interleaving; the preemption bound', async () => {
    const r = await runInProcess([...NAIVE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = expectSchema('race', r.stdout) as unknown as RaceJson;
    expect(doc).toMatchObject({
      mode: 'exhaustive',
      maxPreemptions: 1,
      schedules: 10,
      complete: true,
      raceFree: false,
      schedulesWithFindings: 10,
    });
    expect(doc.findings).toHaveLength(10);
    const classes = (doc as unknown as { findingClasses: { kinds: string[]; schedules: number }[] })
      .findingClasses;
    expect(classes.map((c) => c.kinds)).toEqual([['data-race'], ['corrupted-argument', 'data-race']]);
    expect(classes.reduce((n, c) => n + c.schedules, 0)).toBe(10);
    expect(doc.findings.slice(0, 3)).toMatchObject([
      { replay: '1:0.0.0.0.0', kinds: ['data-race'], interleaving: ['T0 main x5'] },
      { replay: '1:0.0.0.0.1.1.1.1.1', kinds: ['data-race'], interleaving: ['T0 main x4', 'T1 caller1 x5'] },
      {
        replay: CORRUPTING,
        kinds: ['data-race', 'corrupted-argument'],
        interleaving: ['T0 main x3', 'T1 caller1 x5'],
      },
    ]);
    for (const f of doc.findings) expect(f.command).toBe(`${REPLAY_CMD} ${f.replay}`);
    // Each finding's interleaving is the one its replay shows.
    const last = doc.findings.at(-1)!;
    const replayed = await runInProcess([...NAIVE, '--replay', last.replay, '--json']);
    expect((JSON.parse(replayed.stdout) as { interleaving: string[] }).interleaving).toEqual(
      last.interleaving,
    );
  });

  it('--all prints every finding on its own; by default one per kind with a count of the others', async () => {
    const all = await runInProcess([...NAIVE, '--all']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('\nfinding 1: data-race\n  interleaving: T0 main x5\n');
    expect(all.stdout).toContain('\nfinding 2: data-race\n  interleaving: T0 main x4 -> T1 caller1 x5\n');
    expect(all.stdout).toContain('\nfinding 10: ');
    expect(all.stdout).not.toContain('more schedules like it');
    const some = await runInProcess(NAIVE);
    expect(some.stdout).toContain('\n10 schedules with findings: data-race, corrupted-argument\n');
    expect(some.stdout).toContain('\nfinding 1: data-race (and 5 more schedules like it)\n');
    expect(some.stdout).toContain(
      '\nfinding 2: data-race, corrupted-argument (and 3 more schedules like it)\n',
    );
    expect(some.stdout).not.toContain('finding 3:');
    // A finding's message that is no kernel bug (the corrupted vector) is printed under it.
    expect(some.stdout).toContain(
      '  T0 main: copied-back vector differs from its own (corrupted argument)\n',
    );
  });

  it('--export-csv and --export-markdown write the findings table', async () => {
    const dir = tempDir();
    const r = await runInProcess(
      [...NAIVE, '--export-csv', 'f.csv', '--export-markdown', 'f.md', '--export-json', 'f.json', '-q'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const csv = readFileSync(join(dir, 'f.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('replay,kinds,corrupted,command,machine,seed,pfmsim');
    expect(csv[1]).toBe(`1:0.0.0.0.0,data-race,,${REPLAY_CMD} 1:0.0.0.0.0,p4-2006,1,${VERSION}`);
    expect(csv[3]).toBe(
      `${CORRUPTING},data-race corrupted-argument,T0 main,${REPLAY_CMD} ${CORRUPTING},p4-2006,1,${VERSION}`,
    );
    expect(csv).toHaveLength(12);
    const md = readFileSync(join(dir, 'f.md'), 'utf8');
    expect(md).toContain(
      '### Race findings (ctx-cache-naive, exhaustive)\n\n| replay | kinds | corrupted | command |\n',
    );
    expect(JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8'))).toMatchObject({ schedules: 10 });
  });

  it('a race-free strategy: says so, and --fail-on-findings still exits 0', async () => {
    const r = await runInProcess(['race', '--max-preemptions', '1', '--fail-on-findings']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(1)).toEqual([
      '2 threads, one pfm_write_pmds each on one fd; explored 10 schedules (every schedule with <= 1 preemptions), 10 distinct traces',
      'no kernel bug, no corrupted argument and no leak in 10 schedules',
      '',
    ]);
    const findings = await runInProcess([...NAIVE, '--fail-on-findings', '-q']);
    expect(findings.code).toBe(1);
  });

  it('random and pct exploration: the mode in the text, no preemption bound in the JSON', async () => {
    const r = await runInProcess(['race', '--explore', 'random', '--schedules', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(
      '2 threads, one pfm_write_pmds each on one fd; explored 5 schedules (random schedules), 5 distinct traces',
    );
    const pct = await runInProcess(['race', '--explore', 'pct', '--schedules', '4', '--json']);
    expect(JSON.parse(pct.stdout)).toMatchObject({ mode: 'pct', schedules: 4, maxPreemptions: null });
  });

  it('exhaustive exploration stopped by --schedules says it is not complete', async () => {
    const r = await runInProcess(['race', '--strategy', 'ctx-cache-naive', '--schedules', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(1, 3)).toEqual([
      '2 threads, one pfm_write_pmds each on one fd; explored 3 schedules (every schedule with <= 3 preemptions), 3 distinct traces',
      'INCOMPLETE: the cap was reached; not every schedule was run',
    ]);
    const j = await runInProcess(['race', '--strategy', 'ctx-cache-naive', '--schedules', '3', '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ schedules: 3, complete: false, maxPreemptions: 3 });
    const clean = await runInProcess(['race', '--schedules', '3', '--fail-on-incomplete']);
    expect(clean.code).toBe(1);
    expect(clean.stdout).toContain('INCOMPLETE: the cap was reached');
    expect(clean.stdout).toContain('\nno kernel bug, no corrupted argument and no leak in 3 schedules\n');
    const done = await runInProcess(['race', '--max-preemptions', '1', '--fail-on-incomplete']);
    expect(done.code).toBe(0);
    const sampled = await runInProcess([
      'race',
      '--explore',
      'random',
      '--schedules',
      '3',
      '--fail-on-incomplete',
    ]);
    expect(sampled.code).toBe(0); // random and pct schedules have no end: nothing to be incomplete
  });

  it('--explore dpor: one schedule per class, complete without a bound, said incomplete when its bound cuts', async () => {
    const r = await runInProcess(['race', '--explore', 'dpor', '-t', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(1, 3)).toEqual([
      '3 threads, one pfm_write_pmds each on one fd; explored 342 schedules (one schedule per class of equivalent ones (DPOR)), 342 distinct traces',
      'no kernel bug, no corrupted argument and no leak in 342 schedules',
    ]);
    const j = await runInProcess(['race', '--explore', 'dpor', '--json']);
    expect(expectSchema('race', j.stdout)).toMatchObject({
      mode: 'dpor',
      schedules: 10,
      complete: true,
      maxPreemptions: null,
      calls: 1,
      mix: ['write_pmds'],
      interrupted: false,
    });
    const naive = await runInProcess(['race', '--explore', 'dpor', '-s', 'ctx-cache-naive', '--json']);
    expect(JSON.parse(naive.stdout)).toMatchObject({
      complete: true,
      bugKinds: ['data-race', 'corrupted-argument'],
    });
    // bounded DPOR is complete within its bound; a cap below what it needs is not
    const bounded = await runInProcess([
      'race',
      '--explore',
      'dpor',
      '-t',
      '3',
      '--max-preemptions',
      '0',
      '--json',
    ]);
    expect(expectSchema('race', bounded.stdout)).toMatchObject({ maxPreemptions: 0, complete: true });
    const capped = await runInProcess([
      'race',
      '--explore',
      'dpor',
      '-t',
      '3',
      '--calls',
      '2',
      '--schedules',
      '5',
    ]);
    expect(capped.stdout.split('\n')[2]).toBe('INCOMPLETE: the cap was reached; not every schedule was run');
  });

  it('--calls and --mix: closes, dups and exits racing with the calls, and the replay command carries them', async () => {
    const r = await runInProcess([
      'race',
      '-t',
      '3',
      '--calls',
      '2',
      '--mix',
      'write_pmds*5,close',
      '--explore',
      'random',
      '--schedules',
      '20',
      '--seed',
      '4',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(
      '3 threads, 2 calls each from write_pmds*5,close on one fd; explored 20 schedules (random schedules), 20 distinct traces',
    );
    const naive = await runInProcess([
      'race',
      '-s',
      'ctx-cache-naive',
      '--calls',
      '2',
      '--mix',
      'write_pmds,dup',
      '--explore',
      'random',
      '--schedules',
      '30',
      '--seed',
      '4',
      '--json',
    ]);
    const doc = JSON.parse(naive.stdout) as RaceJson;
    expect(doc.findings.length).toBeGreaterThan(0);
    const f = doc.findings[0]!;
    expect(f.command).toBe(
      `pfmsim race --strategy ctx-cache-naive --machine p4-2006 --threads 2 --calls 2 --mix write_pmds,dup --abi v2.3 --seed 4 --replay ${f.replay}`,
    );
    const again = await runInProcess([...f.command.split(' ').slice(1), '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ reproduced: true, replay: f.replay });
  });

  it('on a terminal, stderr shows schedules, the rate, distinct traces and the bound, then clears it', async () => {
    const r = await runInProcess(['race', '--explore', 'dpor', '-t', '3'], {
      stderrIsTTY: true,
      now: steppingClock(500), // every reading half a second later
    });
    expect(r.code).toBe(0);
    const err = r.stderr;
    const draws = err.split('\r\x1b[2K').filter((x) => x !== '');
    expect(draws.length).toBeGreaterThan(0);
    expect(draws[0]).toMatch(/^race \[\.+#*\.*\] \d+\/100000 \d+\.\ds \d+\/s \d+ traces no bound$/);
    expect(err.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('Ctrl-C ends the search: the partial result, said to be interrupted and incomplete', async () => {
    const r = await runInProcess(['race', '--explore', 'dpor', '-t', '3', '--calls', '2', '--json'], {
      onInterrupt: (handler) => {
        handler(); // as if Ctrl-C came at once
        return () => {};
      },
    });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ interrupted: true, complete: false });
    expect(doc.schedules).toBeGreaterThan(0);
    expect(doc.schedules).toBeLessThan(1000);
  });
});

describe('pfmsim race --replay', SLOW, () => {
  it('a schedule with a corrupted argument: its bugs, the corrupted threads and --fail-on-findings', async () => {
    const r = await runInProcess([...NAIVE, '--replay', CORRUPTING, '--fail-on-findings']);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      `pfmsim ${VERSION} · race · machine p4-2006 · seed 1 · abi v2.3 · strategy ctx-cache-naive · replay ${CORRUPTING}`,
    );
    expect(lines[1]).toBe(`replay ${CORRUPTING} (2 threads): interleaving T0 main x3 -> T1 caller1 x5`);
    expect(lines).toContain('  corrupted arguments: T0 main');
    expect(lines.at(-2)).toMatch(/^trace [0-9a-f]{16}$/);
    expect(r.stdout).not.toContain('no kernel bug');
  });

  it('a schedule without a finding: says so, is not reproduced, exits 0 even with --fail-on-findings', async () => {
    const r = await runInProcess(['race', '--replay', '1:0.0', '--fail-on-findings']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(1, 3)).toEqual([
      'replay 1:0.0 (2 threads): interleaving T0 main x2',
      'no kernel bug, no corrupted argument and no leak in this schedule',
    ]);
    const j = await runInProcess(['race', '--replay', '1:0.0', '--json']);
    expect(expectSchema('race', j.stdout)).toMatchObject({ reproduced: false, bugs: [], corrupted: [] });
  });

  it('a replay without decisions says there was no choice point', async () => {
    const r = await runInProcess(['race', '--replay', '1:']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('replay 1: (2 threads): interleaving (no choice points)');
  });

  it('--export-markdown and --export-csv write the replayed bugs', async () => {
    const dir = tempDir();
    const r = await runInProcess(
      [...NAIVE, '--replay', '1:0.0.0.0.0', '--export-markdown', 'r.md', '--export-csv', 'r.csv', '--json'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(dir, 'r.md'), 'utf8').split('\n');
    expect(md.slice(2, 6)).toEqual([
      '### Replayed bugs',
      '',
      '| kind | thread | syscall | message |',
      '|:---|:---|:---|:---|',
    ]);
    expect(md[6]).toMatch(
      /^\| data-race \| T1 caller1 \| pfm_write_pmds \| read by T1 caller1 at ctx->arg_buf read/,
    );
    const csv = readFileSync(join(dir, 'r.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('kind,thread,syscall,message,machine,seed,pfmsim');
    expect(csv.filter((l) => l.startsWith('data-race,'))).toHaveLength(3);
  });
});

describe('interleavings', () => {
  it('runs of the same thread are counted; single steps stay as they are', () => {
    expect(runs(['T0 main', 'T0 main', 'T1 caller1'])).toEqual(['T0 main x2', 'T1 caller1']);
    expect(runs(['T0 main', 'T1 caller1', 'T0 main'])).toEqual(['T0 main', 'T1 caller1', 'T0 main']);
    expect(runs([])).toEqual([]);
  });
});
