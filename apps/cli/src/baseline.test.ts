import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usageLine } from '../test/helpers.js';
import {
  BASELINE_DIR,
  baselinePath,
  checkBaselineName,
  listBaselines,
  loadBaseline,
  saveBaseline,
} from './baseline.js';
import type { Io } from './io.js';
import { toJsonText } from './output.js';

function ioIn(cwd: string): Io {
  return { out: () => {}, err: () => {}, stdoutIsTTY: false, stderrIsTTY: false, env: {}, cwd, now: () => 0 };
}

const scratch = () => mkdtempSync(join(tmpdir(), 'pfmsim-baseline-'));

/** A directory with baselines written as `pfmsim COMMAND --save-baseline NAME` would. */
function withBaselines(files: Record<string, string>): Io {
  const io = ioIn(scratch());
  mkdirSync(join(io.cwd, BASELINE_DIR), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(io.cwd, BASELINE_DIR, name), text);
  return io;
}

describe('baseline names', () => {
  it('are letters, digits, ".", "_" and "-", at most 64, not starting with punctuation', () => {
    for (const ok of ['before-fix', 'v2.3_run', '0', 'A'.repeat(64)]) expect(checkBaselineName(ok)).toBe(ok);
    for (const bad of ['', '-x', '.hidden', '../x', 'a/b', 'a b', 'A'.repeat(65), 'x\n']) {
      expect(usageLine(() => checkBaselineName(bad))).toBe(
        `invalid baseline name "${bad}"; use letters, digits, ".", "_" and "-" (at most 64), e.g. "before-fix"`,
      );
    }
  });

  it('live in .pfmsim/baselines of the working directory', () => {
    expect(BASELINE_DIR).toBe(join('.pfmsim', 'baselines'));
    expect(baselinePath(ioIn('/w'), 'before')).toBe('/w/.pfmsim/baselines/before.json');
    expect(() => baselinePath(ioIn('/w'), '../etc/passwd')).toThrow(/invalid baseline name/);
  });
});

describe('saving and loading baselines', () => {
  it('a saved baseline loads back as it was, and the path is printed relative', () => {
    const io = ioIn(scratch());
    const doc = { command: 'compare', machine: 'p4-2006', rows: [1, 2] };
    expect(saveBaseline(io, 'before', doc)).toBe(join('.pfmsim', 'baselines', 'before.json'));
    expect(readFileSync(join(io.cwd, BASELINE_DIR, 'before.json'), 'utf8')).toBe(toJsonText(doc));
    expect(loadBaseline(io, 'before', 'compare')).toEqual(doc);
    // Saving again replaces it, leaving no temporary file.
    saveBaseline(io, 'before', { ...doc, rows: [3] });
    expect(loadBaseline(io, 'before', 'compare')).toEqual({ ...doc, rows: [3] });
    expect(readdirSync(join(io.cwd, BASELINE_DIR))).toEqual(['before.json']);
  });

  it('lists only the baselines of one command, sorted, skipping damaged files', () => {
    const io = withBaselines({
      'b.json': '{"command": "compare"}',
      'a.json': '{"command": "compare"}',
      'c.json': '{"command": "attack"}',
      'broken.json': '{',
      'notes.txt': '{"command": "compare"}',
    });
    expect(listBaselines(io, 'compare')).toEqual(['a', 'b']);
    expect(listBaselines(io, 'attack')).toEqual(['c']);
    expect(listBaselines(ioIn(scratch()), 'compare')).toEqual([]);
    // A copy beside a baseline ("before.copy") is not a second "before".
    const copy = withBaselines({
      'before.json': '{"command": "compare"}',
      'before.copy': '{"command": "compare"}',
    });
    expect(listBaselines(copy, 'compare')).toEqual(['before']);
  });

  it('a missing baseline says how to save one, or names the closest saved one', () => {
    expect(usageLine(() => loadBaseline(ioIn(scratch()), 'before', 'compare'))).toBe(
      `no baseline "before" in ${BASELINE_DIR}; save one first with \`pfmsim compare --save-baseline before\``,
    );
    const io = withBaselines({
      'before.json': '{"command": "compare"}',
      'other.json': '{"command": "attack"}',
    });
    expect(usageLine(() => loadBaseline(io, 'befor', 'compare'))).toBe(
      'unknown baseline for compare "befor"; did you mean "before"? valid: before',
    );
    expect(usageLine(() => loadBaseline(io, 'before', 'attack'))).toBe(
      'baseline "before" was not saved by `pfmsim attack`; pick a baseline of this command',
    );
  });

  it('a damaged baseline or one that is not a document is refused with a fix', () => {
    const io = withBaselines({
      'bad.json': '{"command": ',
      'null.json': 'null',
      'num.json': '3',
      'arr.json': '[]',
    });
    expect(usageLine(() => loadBaseline(io, 'bad', 'compare'))).toMatch(
      /^baseline \.pfmsim\/baselines\/bad\.json is not valid JSON \(.+\); save it again$/,
    );
    for (const name of ['null', 'num', 'arr']) {
      expect(usageLine(() => loadBaseline(io, name, 'compare'))).toBe(
        `baseline "${name}" was not saved by \`pfmsim compare\`; pick a baseline of this command`,
      );
    }
  });
});
