import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';
import { configHash, parseSweepConfig, type SweepConfig } from '../sweep/config.js';
import { makeHeader, readResults } from '../sweep/results.js';
import { VERSION } from '../version.js';

const config = parseSweepConfig(
  { name: 'grid', strategies: ['kmalloc', 'stack'], calls: ['pfm_read_pmds'], counts: [4, 64], seeds: [7] },
  'grid.json',
);

const record = (index: number, cycles = 1000 + index) => ({
  type: 'cell',
  index,
  key: `k${index}`,
  machine: 'p4-2006',
  arch: 'i386',
  cost: 'p4-2006',
  pmu: 'intel-p4',
  abi: 'v2.3',
  threads: 1,
  seed: 7,
  strategy: index < 2 ? 'kmalloc' : 'stack',
  syscall: 'pfm_read_pmds',
  count: index % 2 === 0 ? 4 : 64,
  cyclesPerCall: cycles,
  breakdown: {},
  stackBytes: 0,
  error: null,
  kernelBugs: 0,
  pfmsimVersion: VERSION,
  hostMs: 1,
});

/** A results file of shard `index`/`count` (null: the whole sweep) holding the given cells. */
function shardFile(
  dir: string,
  name: string,
  shard: [number, number] | null,
  cells: number[],
  opts: { config?: SweepConfig; tail?: string } = {},
): void {
  const c = opts.config ?? config;
  const header = makeHeader(
    c,
    configHash(c),
    4,
    shard && { index: shard[0], count: shard[1], source: '--shard' },
  );
  const lines = [header, ...cells.map((i) => record(i))].map((l) => JSON.stringify(l));
  writeFileSync(join(dir, name), `${lines.join('\n')}\n${opts.tail ?? ''}`);
}

describe('pfmsim merge', () => {
  it('joins the shards of a sweep into one complete file, in cell order', async () => {
    const dir = tempDir();
    shardFile(dir, 's1.jsonl', [1, 2], [2, 0]);
    shardFile(dir, 's2.jsonl', [2, 2], [1, 3]);
    const r = await runInProcess(['merge', 's1.jsonl', 's2.jsonl', '-o', 'all.jsonl'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        `pfmsim ${VERSION} · merge · machine p4-2006 · seed 7 · config grid (${configHash(config)})`,
        '2 files -> all.jsonl: 4 of 4 cells',
        'complete: every cell of the sweep is there',
        '',
      ].join('\n'),
    );
    const merged = readResults(join(dir, 'all.jsonl'), 'all.jsonl');
    expect(merged.header).toMatchObject({ configHash: configHash(config), shard: null, cells: 4 });
    expect(merged.header.mergedFrom).toEqual(['s1.jsonl', 's2.jsonl']);
    expect(merged.records).toEqual([0, 1, 2, 3].map((i) => record(i)));
    expect(readdirSync(dir).sort()).toEqual(['all.jsonl', 's1.jsonl', 's2.jsonl']);
  });

  it('reports duplicates, partial lines, missing cells and the shards not given, as JSON and CSV', async () => {
    const dir = tempDir();
    shardFile(dir, 'a.jsonl', [1, 3], [0, 3], { tail: '{"type":"cell","ind' });
    shardFile(dir, 'b.jsonl', [1, 3], [0]);
    const r = await runInProcess(
      ['merge', 'a.jsonl', 'b.jsonl', '-o', 'm.jsonl', '--json', '--export-csv', 'm.csv'],
      {
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('a.jsonl: ignored a partial last line\n');
    expect(JSON.parse(r.stdout)).toEqual({
      pfmsimVersion: VERSION,
      command: 'merge',
      machine: 'p4-2006',
      seed: 7,
      name: 'grid',
      configHash: configHash(config),
      inputs: ['a.jsonl', 'b.jsonl'],
      output: 'm.jsonl',
      cells: 4,
      merged: 2,
      duplicates: 1,
      missing: 2,
      missingShards: ['2/3', '3/3'],
      complete: false,
    });
    const csv = readFileSync(join(dir, 'm.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe(
      'index,machine,abi,threads,seed,strategy,syscall,count,cycles_per_call,stack_bytes,error,kernel_bugs,machine,seed,pfmsim',
    );
    expect(csv[1]).toBe(`0,p4-2006,v2.3,1,7,kmalloc,pfm_read_pmds,4,1000,0,,0,p4-2006,7,${VERSION}`);
    expect(csv[2]).toBe(`3,p4-2006,v2.3,1,7,stack,pfm_read_pmds,64,1003,0,,0,p4-2006,7,${VERSION}`);
    const q = await runInProcess(['merge', 'a.jsonl', 'b.jsonl', '-o', 'm.jsonl', '-q'], { cwd: dir });
    expect(q.stderr).toBe('');
    expect(q.stdout.split('\n').slice(1, 3)).toEqual([
      '2 files -> m.jsonl: 2 of 4 cells (1 duplicates dropped)',
      'incomplete: 2 cells missing (shards 2/3, 3/3 not given)',
    ]);
  });

  it('every shard given but a cell missing: the shard did not finish', async () => {
    const dir = tempDir();
    shardFile(dir, 'w.jsonl', null, [0, 1, 3]);
    shardFile(dir, 'x.jsonl', [2, 2], [1, 3]);
    const r = await runInProcess(['merge', 'w.jsonl', 'x.jsonl', '-o', 'm.jsonl', '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout)).toMatchObject({ merged: 3, duplicates: 2, missing: 1, missingShards: [] });
    const t = await runInProcess(['merge', 'x.jsonl', '-o', 'm.jsonl'], { cwd: dir });
    expect(t.stdout.split('\n')[2]).toBe('incomplete: 2 cells missing (shards 1/2 not given)');
    const u = await runInProcess(['merge', 'w.jsonl', '-o', 'm.jsonl'], { cwd: dir });
    expect(u.stdout.split('\n')[2]).toBe(
      'incomplete: 1 cells missing (a shard did not finish: run it again, it resumes)',
    );
  });

  it('a sweep over several seeds or machines names none or all of them', async () => {
    const dir = tempDir();
    const seeds = parseSweepConfig({ name: 'seeds', strategies: ['kmalloc'], seeds: [1, 2] }, 'g');
    shardFile(dir, 's.jsonl', null, [], { config: seeds });
    const r = await runInProcess(['merge', 's.jsonl', '-o', 'm.jsonl', '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout)).toMatchObject({ machine: null, seed: null, merged: 0 });
  });

  it('refuses files of different sweeps, and checks every path before writing', async () => {
    const dir = tempDir();
    const other = parseSweepConfig({ strategies: ['hybrid'] }, 'g');
    shardFile(dir, 'a.jsonl', [1, 2], [0]);
    shardFile(dir, 'b.jsonl', [2, 2], [1], { config: other });
    expectUsageError(
      await runInProcess(['merge', 'a.jsonl', 'b.jsonl', '-o', 'm.jsonl'], { cwd: dir }),
      new RegExp(
        `^pfmsim: b\\.jsonl and a\\.jsonl come from different sweep configs \\(${configHash(other)} vs ${configHash(config)}\\); merge only the shards of one sweep$`,
      ),
    );
    expectUsageError(
      await runInProcess(['merge', 'a.jsonl', '-o', 'no/m.jsonl'], { cwd: dir }),
      /^pfmsim: --output no\/m\.jsonl: directory .* does not exist/,
    );
    expectUsageError(
      await runInProcess(['merge', 'a.jsonl', '-o', 'm.jsonl', '--export-json', 'no/x.json'], { cwd: dir }),
      /^pfmsim: --export-json no\/x\.json: directory/,
    );
    expectUsageError(
      await runInProcess(['merge', 'c.jsonl', '-o', 'm.jsonl'], { cwd: dir }),
      /results file c\.jsonl does not exist/,
    );
    expect(existsSync(join(dir, 'm.jsonl'))).toBe(false);
  });
});

describe('pfmsim merge refuses what it cannot join honestly', () => {
  it('one cell with different results in two files: exit 2 naming the cell, the field and both files, in either order', async () => {
    const dir = tempDir();
    const cells = (cycles: number) => [record(0), record(1, cycles)].map((r) => JSON.stringify(r));
    const header = JSON.stringify(makeHeader(config, configHash(config), 4, null));
    writeFileSync(join(dir, 'a.jsonl'), `${[header, ...cells(999)].join('\n')}\n`);
    writeFileSync(join(dir, 'b.jsonl'), `${[header, ...cells(1511)].join('\n')}\n`);
    expectUsageError(
      await runInProcess(['merge', 'a.jsonl', 'b.jsonl', '-o', 'm.jsonl'], { cwd: dir }),
      /^pfmsim: cell 1 \(k1\) differs: cyclesPerCall is 999 in a\.jsonl and 1511 in b\.jsonl; the files come from different runs of the cell: keep one of them, or run the cell again$/,
    );
    expectUsageError(
      await runInProcess(['merge', 'b.jsonl', 'a.jsonl', '-o', 'm.jsonl'], { cwd: dir }),
      /^pfmsim: cell 1 \(k1\) differs: cyclesPerCall is 1511 in b\.jsonl and 999 in a\.jsonl;/,
    );
    expect(existsSync(join(dir, 'm.jsonl'))).toBe(false);
  });

  it('the same result measured at another time or by another build is one cell, not a conflict', async () => {
    const dir = tempDir();
    const header = JSON.stringify(makeHeader(config, configHash(config), 4, null));
    const again = { ...record(1), hostMs: 250, pfmsimVersion: '9.9.9' };
    writeFileSync(join(dir, 'a.jsonl'), `${[header, JSON.stringify(record(1))].join('\n')}\n`);
    writeFileSync(join(dir, 'b.jsonl'), `${[header, JSON.stringify(again)].join('\n')}\n`);
    const r = await runInProcess(['merge', 'a.jsonl', 'b.jsonl', '-o', 'm.jsonl', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ merged: 1, duplicates: 1 });
    expect(readResults(join(dir, 'm.jsonl'), 'm.jsonl').records).toEqual([record(1)]);
  });

  it('a cell line that is not what sweep writes is named by file, line and field, and not merged', async () => {
    const dir = tempDir();
    const header = JSON.stringify(makeHeader(config, configHash(config), 4, null));
    const cases: [Record<string, unknown>, string][] = [
      [{ ...record(2), cyclesPerCall: 'x' }, 'cyclesPerCall: expected number, got string'],
      [{ ...record(2), syscall: 'pfm_nope' }, 'syscall: "pfm_nope" is not one of'],
      [(({ stackBytes: _s, ...rest }) => rest)(record(2)), 'missing required "stackBytes"'],
      [{ ...record(2), index: -1 }, 'index: -1 < minimum 0'],
    ];
    for (const [bad, reason] of cases) {
      writeFileSync(
        join(dir, 'a.jsonl'),
        `${[header, JSON.stringify(record(0)), JSON.stringify(bad)].join('\n')}\n`,
      );
      const r = await runInProcess(['merge', 'a.jsonl', '-o', 'm.jsonl'], { cwd: dir });
      expectUsageError(r, /^pfmsim: a\.jsonl:3: not a valid sweep cell \(/);
      expect(r.stderr).toContain(reason);
      expect(r.stderr).toContain('the file is damaged: run that cell again');
    }
    expect(existsSync(join(dir, 'm.jsonl'))).toBe(false);
  });

  it('a truncated or binary file is named as such, not as empty', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cut.jsonl'), '{"type":"header","format":"pfm');
    expectUsageError(
      await runInProcess(['merge', 'cut.jsonl', '-o', 'm.jsonl'], { cwd: dir }),
      /^pfmsim: cut\.jsonl holds only a cut-off first line \(30 bytes\)/,
    );
    writeFileSync(
      join(dir, 'bin.jsonl'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]),
    );
    expectUsageError(
      await runInProcess(['merge', 'bin.jsonl', '-o', 'm.jsonl'], { cwd: dir }),
      /^pfmsim: bin\.jsonl is binary \(a NUL byte at offset 8\)/,
    );
  });
});
