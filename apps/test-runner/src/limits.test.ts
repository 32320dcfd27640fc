// The limits of a scenario file: each one refused with one located line naming the limit and
// what to do, before the file can exhaust the stack, the memory or the time; files within
// them load. The README's "Limits" section states the same figures.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineCounter, Parser } from 'yaml';
import { main } from './cli.js';
import {
  binaryIssue,
  MAX_ALIASES,
  MAX_DEPTH,
  MAX_FILE_BYTES,
  MAX_NODES,
  MAX_STEPS,
  nestingIssue,
  ScenarioFileError,
  stepsIssue,
} from './limits.js';
import { loadScenarioFile, parseScenario, ScenarioError } from './load.js';

const H = 'name: t\nmachine: p4-2006\n';
const dir = mkdtempSync(join(tmpdir(), 'pfmsim-limits-'));

/** The message loading the text gives ('' when it loads); any other error is thrown. */
function loadError(text: string | Buffer, name = 'x.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  try {
    loadScenarioFile(file, name);
    return '';
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof ScenarioFileError) return e.message;
    throw e;
  }
}

/** `pfmsim-test run FILE`: the exit code and the output. */
function run(text: string, name: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  let out = '';
  const code = main(['run', file, '--strategy', 'kmalloc'], {
    stdout: (t) => (out += t),
    stderr: () => {},
    env: {},
  });
  return { code, out, file };
}

/** `n` flow steps that take no time to parse or check: `{}`. */
const emptySteps = (n: number) => `[${'{}, '.repeat(n - 1)}{}]`;

const FIX_BYTES = 'a scenario file may have at most 1,048,576 bytes (1 MiB): split it into several files';
const TOO_DEEP = 'nested more than 100 deep; a scenario is at most 100 levels of collections: flatten it';
const TOO_MANY_NODES =
  'more than 100,000 nodes with the aliases expanded; a scenario may have at most 100,000: make it smaller, or use fewer aliases of large nodes';
const BINARY = 'not a scenario: a scenario file is YAML text in UTF-8';

describe('file size', () => {
  it(`at most ${MAX_FILE_BYTES} bytes: one more is refused before it is parsed, with its size`, () => {
    const valid = `${H}steps: [{call: close, expect: {errno: EBADF}}]\n`;
    const padded = (bytes: number) => `${valid}#${'x'.repeat(bytes - valid.length - 2)}\n`;
    expect(Buffer.byteLength(padded(MAX_FILE_BYTES))).toBe(MAX_FILE_BYTES);
    expect(loadError(padded(MAX_FILE_BYTES))).toBe('');
    expect(loadError(padded(MAX_FILE_BYTES + 1), 'big.yaml')).toBe(`big.yaml: 1,048,577 bytes; ${FIX_BYTES}`);
  });

  it('a device whose size is unknown is read no further than the limit', () => {
    expect(() => loadScenarioFile('/dev/zero', 'zero')).toThrow(
      new ScenarioFileError('zero', `more than 1,048,576 bytes; ${FIX_BYTES}`),
    );
  });

  it('pfmsim-test run: one failed test naming the file once, nothing run', () => {
    const r = run(`${H}#${'x'.repeat(MAX_FILE_BYTES)}\n`, 'huge.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `FAIL ${r.file}: cannot run this scenario\n    ${r.file}: ${(MAX_FILE_BYTES + H.length + 2).toLocaleString('en-US')} bytes; ${FIX_BYTES}\n`,
    );
  });
});

describe('a file that is not text is named as binary, where it stops being text', () => {
  it('a NUL byte', () => {
    expect(loadError(`${H}# a comment \0 in a scenario that would run\nsteps: []\n`)).toBe(
      `x.yaml:3:13: a binary file (a NUL byte here), ${BINARY}`,
    );
  });

  it('bytes that are not UTF-8 (Latin-1 here); a U+FFFD written in the file is text', () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${H}# caf`),
      Buffer.from([0xe9]),
      Buffer.from('\nsteps: []\n'),
    ]);
    expect(loadError(latin1)).toBe(`x.yaml:3:6: a binary file (bytes that are not UTF-8 here), ${BINARY}`);
    const replacement = Buffer.concat([
      Buffer.from(`${H}# \uFFFD\uFFFD`),
      Buffer.from([0xff]),
      Buffer.from('\n'),
    ]);
    expect(loadError(replacement)).toBe(
      `x.yaml:3:5: a binary file (bytes that are not UTF-8 here), ${BINARY}`,
    );
    expect(loadError(`${H}# \uFFFD\nsteps: []\n`)).toBe('');
  });

  it('the first of the two is named; an empty file is not binary', () => {
    const both = (first: number[], second: number[]) =>
      Buffer.concat([Buffer.from('# a\n#'), Buffer.from(first), Buffer.from('\n#'), Buffer.from(second)]);
    expect(loadError(both([0xff], [0]))).toBe(
      `x.yaml:2:2: a binary file (bytes that are not UTF-8 here), ${BINARY}`,
    );
    expect(loadError(both([0], [0xff]))).toBe(`x.yaml:2:2: a binary file (a NUL byte here), ${BINARY}`);
    expect(binaryIssue(Buffer.alloc(0))).toBeNull();
    expect(loadError('')).toBe('x.yaml:1:1: a scenario file is a YAML mapping');
  });
});

/** nestingIssue of a text, as load.ts calls it. */
function nesting(text: string) {
  const lc = new LineCounter();
  return nestingIssue([...new Parser(lc.addNewLine).parse(text)], lc);
}

describe(`nesting: at most ${MAX_DEPTH} collections deep, the top-level mapping the first`, () => {
  it('100,000 deep is one located line, not a stack overflow', () => {
    const deep = 100_000;
    expect(loadError(`${H}x: ${'['.repeat(deep)}${']'.repeat(deep)}\n`)).toBe(`x.yaml:3:103: ${TOO_DEEP}`);
    expect(loadError(`${H}x:\n  ${'- '.repeat(deep)}1\n`)).toBe(`x.yaml:4:201: ${TOO_DEEP}`);
  });

  it('100 deep is within the limit, 101 is not: flow and block sequences, block mappings', () => {
    const flow = (n: number) => `${H}x: ${'['.repeat(n - 1)}${']'.repeat(n - 1)}\n`;
    const block = (n: number) => `${H}x:\n  ${'- '.repeat(n - 1)}1\n`;
    const maps = (n: number) =>
      `${H}${Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`;
    for (const make of [flow, block, maps]) {
      expect(nesting(make(MAX_DEPTH))).toBeNull();
      expect(loadError(make(MAX_DEPTH))).not.toContain('nested');
      expect(nesting(make(MAX_DEPTH + 1))).toMatchObject({ message: TOO_DEEP });
    }
    expect(loadError(maps(MAX_DEPTH + 1))).toBe(`x.yaml:103:101: ${TOO_DEEP}`);
  });

  it('counted in the document too: a pair in a flow sequence is a mapping of its own', () => {
    const text = `${H}x: ${'[a: '.repeat(60)}1${']'.repeat(60)}\n`;
    expect(nesting(text)).toBeNull();
    expect(loadError(text)).toBe(`x.yaml:3:201: ${TOO_DEEP}`);
  });
});

describe(`aliases: at most ${MAX_ALIASES}, and ${MAX_NODES} nodes once expanded`, () => {
  it('an alias inside the node it stands for is refused, not a stack overflow', () => {
    expect(loadError(`${H}a: &a [*a]\n`)).toBe(
      'x.yaml:3:8: alias *a stands for a node that contains it, so it never ends: anchor a node outside it',
    );
    expect(loadError(`${H}a: &a {b: [1, {c: *a}]}\n`)).toBe(
      'x.yaml:3:19: alias *a stands for a node that contains it, so it never ends: anchor a node outside it',
    );
    // an anchor set again: an alias stands for the last node before it with that anchor, as
    // the yaml library resolves it, here the one that contains it
    expect(loadError(`${H}a: &a [1]\nb: &a [*a]\n`)).toBe(
      'x.yaml:4:8: alias *a stands for a node that contains it, so it never ends: anchor a node outside it',
    );
    expect(loadError(`${H}a: &a [1]\nb: &a [2]\nc: *a\n`)).toContain('unknown field "a"');
  });

  it(`${MAX_ALIASES} aliases load (a step used 1,001 times); one more is refused where it is`, () => {
    const steps = (n: number) => `[&s {call: close, expect: {errno: EBADF}}${', *s'.repeat(n)}]`;
    const sc = parseScenario(`${H}steps: ${steps(MAX_ALIASES)}\n`, 'x.yaml');
    expect(sc.data.steps).toHaveLength(MAX_ALIASES + 1);
    expect(sc.data.steps![MAX_ALIASES]).toEqual({ call: 'close', expect: { errno: 'EBADF' } });
    const col = 'steps: [&s {call: close, expect: {errno: EBADF}}'.length + 4 * MAX_ALIASES + 3;
    expect(loadError(`${H}steps: ${steps(MAX_ALIASES + 1)}\n`)).toBe(
      `x.yaml:3:${col}: more than 1,000 aliases; a scenario may have at most 1,000: write the values out, or split the file`,
    );
  });

  it('a billion nodes from 90 aliases (nine levels of ten) are refused where the count passes the limit', () => {
    let text = `${H}l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n`;
    for (let i = 1; i < 9; i++)
      text += `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]\n`;
    // before l4: 12,354 nodes (l0..l3 hold 11 + 111 + 1,111 + 11,111); each *l3 adds 11,111:
    // the 8th passes 100,000
    expect(loadError(text)).toBe(
      `x.yaml:7:${'l4: &l4 ['.length + 7 * '*l3, '.length + 1}: ${TOO_MANY_NODES}`,
    );
  });

  it('an alias deep inside counts as deep as the node it stands for', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    // a: 99 sequences in the top-level mapping (100 deep); inside one more sequence, 101
    expect(loadError(`${H}a: &a ${deep(MAX_DEPTH - 1)}\nb: [*a]\n`)).toBe(`x.yaml:4:5: ${TOO_DEEP}`);
    expect(loadError(`${H}a: &a ${deep(MAX_DEPTH - 1)}\nb: *a\n`)).toContain('unknown field "a"');
  });
});

describe(`steps: at most ${MAX_STEPS} in all`, () => {
  it('a 200,000-step file is refused with the steps limit before anything runs', () => {
    const r = run(`${H}steps: ${emptySteps(200_000)}\n`, 'many.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `FAIL ${r.file}: cannot run this scenario\n    ${r.file}:3:1: steps: 200,000 steps in the scenario; a scenario may have at most 10,000: split it into several scenarios\n`,
    );
    expect(r.out).toContain('0 passed, 1 failed\n');
  });

  it("steps, every thread's steps and after count together; the list past the limit is named", () => {
    const text = `${H}steps: ${emptySteps(5_000)}\nthreads:\n  - {name: a, steps: ${emptySteps(4_999)}}\nafter: [{}, {}]\n`;
    expect(loadError(text)).toBe(
      'x.yaml:6:1: after: 10,001 steps in the scenario; a scenario may have at most 10,000: split it into several scenarios',
    );
    const at = () => ({ line: 7, col: 9 });
    const list = (n: number) => Array.from({ length: n }, () => ({}));
    expect(stepsIssue({ steps: list(1), threads: [{ steps: list(MAX_STEPS - 1) }] }, at)).toBeNull();
    expect(stepsIssue({ steps: list(1), threads: [{}, { steps: list(MAX_STEPS) }] }, at)).toEqual({
      line: 7,
      col: 9,
      field: 'threads[1].steps',
      message:
        '10,001 steps in the scenario; a scenario may have at most 10,000: split it into several scenarios',
    });
    expect(stepsIssue({ steps: 'not a list', threads: [null, 3] }, at)).toBeNull();
    expect(stepsIssue(null, at)).toBeNull();
  });
});

describe('README', () => {
  it('documents each limit with the figure the code uses', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.split('\n## Limits\n')[1]!.split('\n## ')[0]!;
    const figures = [...section.matchAll(/^\| [^|]+ \| ([\d,]+) /gm)].map((m) => m[1]);
    const count = (n: number) => n.toLocaleString('en-US');
    expect(figures).toEqual([MAX_FILE_BYTES, MAX_STEPS, MAX_DEPTH, MAX_ALIASES, MAX_NODES].map(count));
  });
});
