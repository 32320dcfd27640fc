import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usageLine } from '../../test/helpers.js';
import { VERSION } from '../version.js';
import { configHash, parseSweepConfig } from './config.js';
import { makeHeader, openForResume, ResultsWriter, readResults } from './results.js';

const config = parseSweepConfig(
  { strategies: ['kmalloc'], calls: ['pfm_read_pmds'], counts: [1, 4, 64] },
  'g',
);
const hash = configHash(config);
const scratch = () => mkdtempSync(join(tmpdir(), 'pfmsim-results-'));
const cell = (index: number, extra: Record<string, unknown> = {}) => ({
  type: 'cell',
  index,
  key: `k${index}`,
  ...extra,
});

/** A results file as `sweep` writes it: the header, then one JSON line per cell. */
function resultsFile(dir: string, lines: unknown[], tail = ''): string {
  const path = join(dir, 'r.jsonl');
  writeFileSync(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n${tail}`);
  return path;
}

describe('results header', () => {
  it('names the format, version, config and its hash, the grid size and the shard', () => {
    const shard = { index: 2, count: 3, source: '--shard' };
    expect(makeHeader(config, hash, 3, shard)).toEqual({
      type: 'header',
      format: 'pfmsim-sweep/1',
      pfmsimVersion: VERSION,
      configHash: hash,
      config,
      cells: 3,
      shard,
    });
  });
});

describe('reading results', () => {
  it('gives the header and the cells; a cut-off last line is dropped, not an error', () => {
    const dir = scratch();
    const header = makeHeader(config, hash, 3, null);
    const path = resultsFile(dir, [header, cell(0), cell(2)], '{"type":"cell","index":1,"ké');
    const file = readResults(path, 'r.jsonl');
    expect(file.header).toEqual(header);
    expect(file.records.map((r) => r.index)).toEqual([0, 2]);
    expect(file.partialBytes).toBe('{"type":"cell","index":1,"ké'.length);
    const complete = `${[header, cell(0), cell(2)].map((l) => JSON.stringify(l)).join('\n')}\n`;
    expect(file.goodLength).toBe(Buffer.byteLength(complete));
    const whole = readResults(resultsFile(dir, [header, { ...cell(0), key: 'é' }]), 'r.jsonl');
    expect(whole.partialBytes).toBe(0);
    expect(whole.goodLength).toBe(readFileSync(join(dir, 'r.jsonl')).length);
  });

  it('an empty or damaged file names the line and the fix', () => {
    const dir = scratch();
    const header = makeHeader(config, hash, 3, null);
    for (const text of ['', '\n\n', '\n']) {
      writeFileSync(join(dir, 'e.jsonl'), text);
      expect(usageLine(() => readResults(join(dir, 'e.jsonl'), 'e.jsonl'))).toBe(
        'e.jsonl is empty, not a pfmsim sweep results file; delete it and run the sweep again',
      );
    }
    writeFileSync(join(dir, 'e.jsonl'), '{"type":"header"');
    expect(usageLine(() => readResults(join(dir, 'e.jsonl'), 'e.jsonl'))).toBe(
      'e.jsonl holds only a cut-off first line (16 bytes), not a complete results file; it was interrupted while being written: delete it and run the sweep again',
    );
    writeFileSync(join(dir, 'b.jsonl'), Buffer.from([0x7b, 0x0a, 0x00, 0x41, 0x0a]));
    expect(usageLine(() => readResults(join(dir, 'b.jsonl'), 'b.jsonl'))).toBe(
      'b.jsonl is binary (a NUL byte at offset 2), not a pfmsim sweep results file; pass a file written by `pfmsim sweep`',
    );
    writeFileSync(join(dir, 'b.jsonl'), Buffer.from([0x7b, 0xff, 0xfe, 0x0a]));
    expect(usageLine(() => readResults(join(dir, 'b.jsonl'), 'b.jsonl'))).toBe(
      'b.jsonl is binary (not UTF-8 text), not a pfmsim sweep results file; pass a file written by `pfmsim sweep`',
    );
    writeFileSync(join(dir, 'j.jsonl'), 'not json\n');
    expect(usageLine(() => readResults(join(dir, 'j.jsonl'), 'j.jsonl'))).toBe(
      'j.jsonl:1: not a JSON line; the file is damaged: remove that line to resume',
    );
    for (const first of [
      { type: 'cell', index: 0 },
      { ...header, format: 'pfmsim-sweep/2' },
      { format: 'pfmsim-sweep/1' },
    ]) {
      expect(usageLine(() => readResults(resultsFile(dir, [first]), 'r.jsonl'))).toBe(
        'r.jsonl is not a pfmsim sweep results file (no header line); pass a file written by `pfmsim sweep`',
      );
    }
    writeFileSync(join(dir, 'c.jsonl'), `${JSON.stringify(header)}\n${JSON.stringify(cell(0))}\n{oops\n`);
    expect(usageLine(() => readResults(join(dir, 'c.jsonl'), 'c.jsonl'))).toBe(
      'c.jsonl:3: not a JSON line; the file is damaged: remove that line to resume',
    );
    for (const bad of [header, { type: 'cell', index: '1' }, { index: 1 }]) {
      expect(usageLine(() => readResults(resultsFile(dir, [header, cell(0), bad]), 'r.jsonl'))).toBe(
        'r.jsonl:3: not a sweep cell line; the file is damaged: remove that line to resume',
      );
    }
  });
});

describe('writing results', () => {
  it('appends one JSON line per value, batches in one line each, nothing for an empty batch', () => {
    const path = join(scratch(), 'w.jsonl');
    const w = new ResultsWriter(path);
    w.write({ a: 1 });
    w.writeLines([]);
    w.writeLines(['{"b":2}', '{"c":3}']);
    w.close();
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    const again = new ResultsWriter(path);
    again.write('d');
    again.close();
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n"d"\n');
  });
});

describe('resuming a sweep', () => {
  const shard = (index: number, count: number) => ({ index, count, source: '--shard' });

  it('a new file starts with the header and nothing done', () => {
    const path = join(scratch(), 'new.jsonl');
    const header = makeHeader(config, hash, 3, null);
    const r = openForResume(path, 'new.jsonl', header);
    r.writer.close();
    expect(r.done.size).toBe(0);
    expect(r.droppedPartial).toBe(false);
    expect(r.existed).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(header)}\n`);
  });

  it('an interrupted file continues after its last complete line, knowing the cells done', () => {
    const dir = scratch();
    const header = makeHeader(config, hash, 3, shard(1, 2));
    const path = resultsFile(dir, [header, cell(0), cell(2)], '{"type":"cell","ind');
    const r = openForResume(path, 'r.jsonl', header);
    expect([...r.done].sort()).toEqual([0, 2]);
    expect(r.droppedPartial).toBe(true);
    expect(r.existed).toBe(true);
    r.writer.write(cell(4));
    r.writer.close();
    expect(readResults(path, 'r.jsonl').records.map((x) => x.index)).toEqual([0, 2, 4]);
    expect(
      readFileSync(path, 'utf8').endsWith(`${JSON.stringify(cell(2))}\n${JSON.stringify(cell(4))}\n`),
    ).toBe(true);
  });

  it('a complete file is left as it is', () => {
    const dir = scratch();
    const header = makeHeader(config, hash, 3, null);
    const path = resultsFile(dir, [header, cell(1)]);
    const before = readFileSync(path, 'utf8');
    const r = openForResume(path, 'r.jsonl', header);
    r.writer.close();
    expect(r.droppedPartial).toBe(false);
    expect(r.existed).toBe(true);
    expect([...r.done]).toEqual([1]);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('another config or another shard is refused before anything is written', () => {
    const dir = scratch();
    const other = parseSweepConfig({ strategies: ['stack'] }, 'g');
    const cases: [ReturnType<typeof makeHeader>, ReturnType<typeof makeHeader>, string][] = [
      [
        makeHeader(other, configHash(other), 1, null),
        makeHeader(config, hash, 3, null),
        `r.jsonl holds results of another sweep config (hash ${configHash(other)}, this one ${hash}); pass another -o FILE, or delete it to start over`,
      ],
      [
        makeHeader(config, hash, 3, null),
        makeHeader(config, hash, 3, shard(1, 2)),
        'r.jsonl holds the whole sweep, not shard 1/2; pass another -o FILE for this shard',
      ],
      [
        makeHeader(config, hash, 3, shard(1, 2)),
        makeHeader(config, hash, 3, null),
        'r.jsonl holds shard 1/2, not the whole sweep; pass another -o FILE for this shard',
      ],
      [
        makeHeader(config, hash, 3, shard(1, 2)),
        makeHeader(config, hash, 3, shard(2, 2)),
        'r.jsonl holds shard 1/2, not shard 2/2; pass another -o FILE for this shard',
      ],
      [
        makeHeader(config, hash, 3, shard(1, 2)),
        makeHeader(config, hash, 3, shard(1, 3)),
        'r.jsonl holds shard 1/2, not shard 1/3; pass another -o FILE for this shard',
      ],
    ];
    for (const [saved, asked, line] of cases) {
      const path = resultsFile(dir, [saved, cell(0)], '{"partial');
      const before = readFileSync(path, 'utf8');
      expect(usageLine(() => openForResume(path, 'r.jsonl', asked))).toBe(line);
      expect(readFileSync(path, 'utf8')).toBe(before);
    }
    // The same shard from another source (the environment) is the same slice.
    const path = resultsFile(dir, [makeHeader(config, hash, 3, shard(2, 2))]);
    const r = openForResume(
      path,
      'r.jsonl',
      makeHeader(config, hash, 3, { index: 2, count: 2, source: 'PFMSIM_SHARD_INDEX' }),
    );
    r.writer.close();
    expect(r.existed).toBe(true);
    expect(existsSync(path)).toBe(true);
  });
});
