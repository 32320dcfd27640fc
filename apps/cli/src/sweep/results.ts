import { closeSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { ioReason } from '@pfmsim/test-runner';
import { UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import type { CellRecord } from './cell.js';
import type { SweepConfig } from './config.js';
import type { Shard } from './shard.js';

/** First line of a results file: which sweep, which slice. */
export interface ResultsHeader {
  readonly type: 'header';
  readonly format: 'pfmsim-sweep/1';
  readonly pfmsimVersion: string;
  readonly configHash: string;
  readonly config: SweepConfig;
  /** Cells in the whole grid. */
  readonly cells: number;
  readonly shard: Shard | null;
  readonly mergedFrom?: readonly string[];
}

export interface ResultsFile {
  readonly header: ResultsHeader;
  readonly records: CellRecord[];
  /** Bytes of a partial last line (an interrupted write) that a resume drops. */
  readonly partialBytes: number;
  /** Length of the file up to its last complete line. */
  readonly goodLength: number;
}

export function makeHeader(
  config: SweepConfig,
  hash: string,
  cells: number,
  shard: Shard | null,
): ResultsHeader {
  return {
    type: 'header',
    format: 'pfmsim-sweep/1',
    pfmsimVersion: VERSION,
    configHash: hash,
    config,
    cells,
    shard,
  };
}

/** The file as text; a file that is not UTF-8 text (a NUL byte, invalid UTF-8) is named as binary. */
function readText(path: string, shownAs: string): string {
  // a device such as /dev/zero would be read forever
  if (!statSync(path).isFile())
    throw new UsageError(`${shownAs} is not a regular file`, 'pass a file written by `pfmsim sweep`');
  const bytes = readFileSync(path);
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = '';
  }
  if (nul >= 0 || (text === '' && bytes.length > 0)) {
    throw new UsageError(
      `${shownAs} is binary (${nul >= 0 ? `a NUL byte at offset ${nul}` : 'not UTF-8 text'}), not a pfmsim sweep results file`,
      'pass a file written by `pfmsim sweep`',
    );
  }
  return text;
}

/** Reads a results file written by `sweep` or `merge`; a partial last line is tolerated. */
export function readResults(path: string, shownAs: string): ResultsFile {
  const text = readText(path, shownAs);
  const end = text.lastIndexOf('\n') + 1;
  const complete = text.slice(0, end);
  const lines = complete.split('\n').filter((l) => l !== '');
  if (lines.length === 0 && text.trim() !== '')
    throw new UsageError(
      `${shownAs} holds only a cut-off first line (${Buffer.byteLength(text)} bytes), not a complete results file`,
      'it was interrupted while being written: delete it and run the sweep again',
    );
  if (lines.length === 0)
    throw new UsageError(
      `${shownAs} is empty, not a pfmsim sweep results file`,
      'delete it and run the sweep again',
    );
  const parse = (line: string, n: number): Record<string, unknown> => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new UsageError(
        `${shownAs}:${n}: not a JSON line`,
        'the file is damaged: remove that line to resume',
      );
    }
  };
  const header = parse(lines[0]!, 1);
  if (header.type !== 'header' || header.format !== 'pfmsim-sweep/1') {
    throw new UsageError(
      `${shownAs} is not a pfmsim sweep results file (no header line)`,
      'pass a file written by `pfmsim sweep`',
    );
  }
  const records = lines.slice(1).map((l, i) => {
    const r = parse(l, i + 2);
    if (r.type !== 'cell' || typeof r.index !== 'number') {
      throw new UsageError(
        `${shownAs}:${i + 2}: not a sweep cell line`,
        'the file is damaged: remove that line to resume',
      );
    }
    return r as unknown as CellRecord;
  });
  return {
    header: header as unknown as ResultsHeader,
    records,
    partialBytes: text.length - end,
    goodLength: Buffer.byteLength(complete),
  };
}

/** Appends JSON lines, one write(2) per line, so an interrupted sweep loses at most one line. */
export class ResultsWriter {
  private readonly fd: number;
  constructor(
    path: string,
    private readonly shownAs = path,
  ) {
    this.fd = this.guard(() => openSync(path, 'a'));
  }
  write(value: unknown): void {
    this.guard(() => writeSync(this.fd, `${JSON.stringify(value)}\n`));
  }
  /** Lines already serialised (one write for the batch; a cut-off last line is dropped on resume). */
  writeLines(lines: readonly string[]): void {
    if (lines.length > 0) this.guard(() => writeSync(this.fd, `${lines.join('\n')}\n`));
  }
  close(): void {
    closeSync(this.fd);
  }
  /** A failed write (a full disk) is one line: the lines before it are kept, and a resume goes on from them. */
  private guard<T>(io: () => T): T {
    try {
      return io();
    } catch (e) {
      throw new UsageError(
        `cannot write ${this.shownAs}: ${ioReason(e)}`,
        'the cells written before are kept: fix that and run the same sweep again, it resumes',
      );
    }
  }
}

/**
 * Opens `path` to continue a sweep: a new file gets the header; an existing one must hold the
 * same config and shard (else a UsageError, before anything is written), loses a partial last
 * line, and gives the indexes already done.
 */
export function openForResume(
  path: string,
  shownAs: string,
  header: ResultsHeader,
): { writer: ResultsWriter; done: Set<number>; droppedPartial: boolean; existed: boolean } {
  if (!existsSync(path)) {
    const writer = new ResultsWriter(path, shownAs);
    writer.write(header);
    return { writer, done: new Set(), droppedPartial: false, existed: false };
  }
  const file = readResults(path, shownAs);
  if (file.header.configHash !== header.configHash) {
    throw new UsageError(
      `${shownAs} holds results of another sweep config (hash ${file.header.configHash}, this one ${header.configHash})`,
      'pass another -o FILE, or delete it to start over',
    );
  }
  const a = file.header.shard;
  const b = header.shard;
  if ((a === null) !== (b === null) || (a && b && (a.index !== b.index || a.count !== b.count))) {
    throw new UsageError(
      `${shownAs} holds ${a ? `shard ${a.index}/${a.count}` : 'the whole sweep'}, not ${b ? `shard ${b.index}/${b.count}` : 'the whole sweep'}`,
      'pass another -o FILE for this shard',
    );
  }
  if (file.partialBytes > 0) truncateSync(path, file.goodLength);
  return {
    writer: new ResultsWriter(path, shownAs),
    done: new Set(file.records.map((r) => r.index)),
    droppedPartial: file.partialBytes > 0,
    existed: true,
  };
}
