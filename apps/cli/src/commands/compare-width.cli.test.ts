// `pfmsim compare` in this process: fitting the terminal (COLUMNS, the terminal's width, --wide),
// the note on the stack strategy's threshold, and --syscall. Kept apart from compare.cli.test.ts
// so that a change here re-tests only the mutants these tests cover.
import type { CompareResult, VectorSyscall } from '@pfmsim/lab';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, expectSchema, expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';
import { stripAnsi } from '../io.js';

const T = 60_000;
const TINY = ['compare', '--strategies', 'stack,task-cache', '--contexts', '8', '--max-preemptions', '0'];

const lengths = (text: string) =>
  stripAnsi(text)
    .trimEnd()
    .split('\n')
    .map((l) => l.length);

async function ok(args: readonly string[], opts: Parameters<typeof runInProcess>[1] = {}): Promise<string> {
  const r: CliRun = await runInProcess(args, opts);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The verdict column of the decision table, a cell's continuation lines joined with spaces. */
function verdicts(text: string, names: readonly string[]): string[] {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => l.startsWith('strategy') && l.includes('verdict'));
  const at = lines[head]!.indexOf('verdict');
  const out: string[] = [];
  for (const line of lines.slice(head + 1)) {
    const piece = line.slice(at).trim();
    if (names.some((n) => line.startsWith(`${n} `))) out.push(piece);
    else if (line.startsWith(' ')) out[out.length - 1] += ` ${piece}`;
    else break;
  }
  return out;
}

describe('pfmsim compare fits the terminal', () => {
  let doc: CompareResult;
  let plain: string;
  let narrow: string;
  let wide: string;
  beforeAll(async () => {
    doc = expectSchema('compare', await ok([...TINY, '--json'])) as unknown as CompareResult;
    plain = await ok(TINY);
    narrow = await ok(TINY, { env: { COLUMNS: '80' } });
    wide = await ok([...TINY, '--wide'], { env: { COLUMNS: '80' } });
  }, T);

  it('COLUMNS=80: every line within 80 columns; --wide and a pipe without COLUMNS: the full lines', () => {
    expect(Math.max(...lengths(plain))).toBeGreaterThan(80);
    expect(Math.max(...lengths(narrow))).toBeLessThanOrEqual(80);
    expect(wide).toBe(plain);
    const full = plain.split('\n').find((l) => l.startsWith('task-cache ') && l.includes('saves'))!;
    expect(full.length).toBeGreaterThan(80);
    expect(full).toMatch(/ {2}saves 15\.3% at 4 regs but pins 1\.0 MiB for 256 threads$/);
  });

  it('wraps the verdicts within their column, loses no word, and stacks the other columns below', () => {
    const names = doc.strategies.map((s) => s.name);
    expect(verdicts(narrow, names)).toEqual(doc.strategies.map((s) => s.verdict));
    expect(verdicts(plain, names)).toEqual(doc.strategies.map((s) => s.verdict));
    expect(narrow).toMatch(/^strategy +stack B +pinned +by threads +races \/ bugs$/m);
    expect(narrow).toMatch(/^stack +704\/864 +0 B +0 B +none$/m);
    expect(plain).not.toMatch(/^strategy +stack B/m);
  });

  it(
    'the width of a terminal on stdout when COLUMNS is unset; COLUMNS wins over it',
    async () => {
      const tty = await ok(TINY, { stdoutColumns: 72 });
      expect(Math.max(...lengths(tty))).toBeLessThanOrEqual(72);
      expect(Math.max(...lengths(tty))).toBeGreaterThan(60);
      const both = await ok(TINY, { stdoutColumns: 72, env: { COLUMNS: '100' } });
      expect(Math.max(...lengths(both))).toBeLessThanOrEqual(100);
      expect(Math.max(...lengths(both))).toBeGreaterThan(72);
    },
    T,
  );

  it('says why stack equals kmalloc at 64 registers: its on-stack array and the threshold', () => {
    const read = (name: string, n: number) =>
      doc.results.find((m) => m.strategy === name && m.syscall === 'pfm_read_pmds' && m.count === n)!
        .cyclesPerCall;
    expect(read('stack', 64)).toBe(read('kmalloc', 64));
    // the lab's stack report: the pfm_read_pmds frame holds this many 176-B pfarg_pmd
    const held = doc.strategies.find((s) => s.name === 'stack')!.stackFrameBytes / 176;
    const from = doc.counts.find((n) => n > held)!;
    expect(read('stack', held)).toBeLessThan(read('kmalloc', held));
    expect(read('stack', from)).toBe(read('kmalloc', from));
    expect(plain).toContain(
      `note: stack = kmalloc from n=${from}: the stack strategy's on-stack array holds up to ${held} registers (${held} x 176-B pfarg_pmd on i386); larger vectors take kmalloc`,
    );
  });
});

describe('pfmsim compare --baseline fits the terminal', () => {
  it(
    'the change table within COLUMNS, its pinned columns stacked below',
    async () => {
      const cwd = tempDir();
      await ok([...TINY, '--save-baseline', 'before', '--quiet'], { cwd });
      const full = await ok([...TINY, '--baseline', 'before'], { cwd });
      const narrow = await ok([...TINY, '--baseline', 'before'], { cwd, env: { COLUMNS: '80' } });
      const table = (text: string) => text.slice(text.indexOf('Change against baseline'));
      expect(Math.max(...lengths(table(full)))).toBeGreaterThan(80);
      expect(Math.max(...lengths(narrow))).toBeLessThanOrEqual(80);
      expect(table(narrow)).toMatch(
        /^strategy +@4 before +@4 now +change +@64 before +@64 now +change +verdict$/m,
      );
      expect(table(narrow)).toMatch(/^task-cache +1765 +1765 +0\.0% +13213 +13213 +0\.0% +unchanged$/m);
      expect(table(narrow)).toMatch(/^strategy +pinned before +pinned now$/m);
      expect(table(narrow)).toMatch(/^task-cache +4 KiB +4 KiB$/m);
      expect(table(full)).not.toMatch(/^strategy +pinned before/m);
    },
    T,
  );
});

describe('pfmsim compare --syscall', () => {
  it(
    'prints the cycles table of the named call, as in the JSON, and names the others',
    async () => {
      const doc = expectSchema('compare', await ok([...TINY, '--json'])) as unknown as CompareResult;
      for (const syscall of ['pfm_write_pmcs', 'pfm_write_pmds'] as VectorSyscall[]) {
        const text = await ok([...TINY, '--syscall', syscall]);
        const lines = text.split('\n');
        const title = lines.indexOf(`Cycles per call, ${syscall} (n = registers)`);
        expect(title, text).toBeGreaterThan(0);
        const rows = lines.slice(title + 2, title + 2 + doc.strategies.length).map((l) => l.split(/ +/));
        expect(rows).toEqual(
          doc.strategies.map((s) => [
            s.name,
            ...doc.counts.map((n) =>
              String(
                doc.results.find((m) => m.strategy === s.name && m.syscall === syscall && m.count === n)!
                  .cyclesPerCall,
              ),
            ),
          ]),
        );
        const others = ['pfm_read_pmds', 'pfm_write_pmds', 'pfm_write_pmcs'].filter((c) => c !== syscall);
        expect(lines[title + 2 + doc.strategies.length]).toBe(
          `${others.join(' and ')}: --syscall NAME (all three: --json or --export-markdown)`,
        );
      }
    },
    T,
  );

  it('a name that is not a vector call is one line naming the valid ones, before any work', async () => {
    expectUsageError(
      await runInProcess([...TINY, '--syscall', 'pfm_write_pmd']),
      /^pfmsim: unknown syscall "pfm_write_pmd"; did you mean "pfm_write_pmds"\? valid: pfm_read_pmds, pfm_write_pmds, pfm_write_pmcs$/,
    );
    expectUsageError(
      await runInProcess([...TINY, '--syscall', 'pfm_create_context']),
      /valid: pfm_read_pmds, /,
    );
  });
});
