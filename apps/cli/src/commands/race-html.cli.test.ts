// `pfmsim race --html FILE`: each finding's schedule as a swimlane picture on an HTML page.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';
import { VERSION } from '../version.js';

const SLOW = { timeout: 60_000 };
const NAIVE = ['race', '--strategy', 'ctx-cache-naive', '--max-preemptions', '1'];
const REPLAY_CMD = 'pfmsim race --strategy ctx-cache-naive --machine p4-2006 --threads 2 --abi v2.3 --replay';

const figures = (html: string) =>
  [...html.matchAll(/data-chart="([^"]+)"><figcaption>([^<]*)</g)].map((m) => [m[1], m[2]]);
const commands = (html: string) => [...html.matchAll(/replay: <code>([^<]*)<\/code>/g)].map((m) => m[1]);

describe('pfmsim race --html', SLOW, () => {
  it('--help names the option', async () => {
    const r = await runInProcess(['race', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      "--html <file> also write an HTML page with each finding's schedule as a swimlane picture: the threads' steps, calls, locks, copies and racing accesses",
    );
  });

  it('draws every finding the text shows, with the same replay commands, and leaves the text as it was', async () => {
    const dir = tempDir();
    const r = await runInProcess([...NAIVE, '--html', 'race.html'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const plain = await runInProcess(NAIVE, { cwd: tempDir() });
    expect(r.stdout).toBe(plain.stdout);
    const html = readFileSync(join(dir, 'race.html'), 'utf8');
    const shown = [...r.stdout.matchAll(/^finding (\d+): (.*?)(?: \(and \d+ more schedules like it\))?$/gm)];
    expect(shown.length).toBeGreaterThan(1);
    expect(figures(html).map(([id]) => id)).toEqual(shown.map((m) => `race-${m[1]}`));
    expect(
      figures(html).map(([, title]) => title!.replace(/ \(and \d+ more schedules like it\)$/, '')),
    ).toEqual(shown.map((m) => `Finding ${m[1]}: ${m[2]}`));
    expect(commands(html)).toEqual([...r.stdout.matchAll(/^ {2}replay: (.*)$/gm)].map((m) => m[1]));
    expect(commands(html).every((c) => c!.startsWith(REPLAY_CMD))).toBe(true);
    // the page's header is the run's, its summary the text's first lines
    expect(html).toContain(
      `<p class="meta">pfmsim ${VERSION} · race · machine p4-2006 · seed 1 · abi v2.3 · strategy ctx-cache-naive · exhaustive</p>`,
    );
    expect(html).toMatch(
      /<p>2 threads, one pfm_write_pmds each on one fd; explored \d+ schedules \(every schedule with &lt;= 1 preemptions\), \d+ distinct traces \d+ schedules with findings: /,
    );
    expect(html).toContain('class="race-link"');
    expect(html).not.toContain('<script');
  });

  it('a race-free search writes a page that says so', async () => {
    const dir = tempDir();
    const r = await runInProcess(
      ['race', '--strategy', 'kmalloc', '--max-preemptions', '1', '--html', 'ok.html'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(dir, 'ok.html'), 'utf8');
    expect(html).toContain('no kernel bug, no corrupted argument and no leak in');
    expect(html).toContain('No finding: nothing to draw.');
    expect(figures(html)).toEqual([]);
  });

  it('--replay draws the replayed schedule when it shows something, nothing when it does not', async () => {
    const dir = tempDir();
    const r = await runInProcess([...NAIVE, '--replay', '1:0.0.0.1.1.1.1.1', '--html', 'one.html'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(dir, 'one.html'), 'utf8');
    expect(figures(html)).toEqual([['race-1', 'Replay 1:0.0.0.1.1.1.1.1']]);
    expect(commands(html)).toEqual([`${REPLAY_CMD} 1:0.0.0.1.1.1.1.1`]);
    expect(html).toContain('<p>replay 1:0.0.0.1.1.1.1.1 (2 threads): reproduced</p>');
    const quiet = await runInProcess(['race', '--replay', '1:0.0', '--html', 'none.html'], { cwd: dir });
    expect(quiet.code, quiet.stderr).toBe(0);
    const none = readFileSync(join(dir, 'none.html'), 'utf8');
    expect(none).toContain(
      '<p>replay 1:0.0 (2 threads): no kernel bug, no corrupted argument and no leak</p>',
    );
    expect(figures(none)).toEqual([]);
  });

  it('a bad --html path is one line and exit 2 before the search, and writes nothing', async () => {
    const dir = tempDir();
    expectUsageError(await runInProcess([...NAIVE, '--html', 'no/such/dir/r.html'], { cwd: dir }), /--html/);
    mkdirSync(join(dir, 'adir'));
    expectUsageError(
      await runInProcess([...NAIVE, '--html', 'adir'], { cwd: dir }),
      /--html adir is a directory/,
    );
    expect(readdirSync(dir)).toEqual(['adir']);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});
