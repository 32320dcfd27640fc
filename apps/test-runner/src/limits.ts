/**
 * The limits of a scenario file (README, "Limits"): a file too large, not text, too deep, or
 * that grows too large through its aliases is refused at once with one located line, before
 * it can exhaust the stack, the memory or the time. Each check walks the file with its own
 * stack (never by recursion), so a 100,000-deep file cannot overflow the call stack.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  Composer,
  CST,
  type Document,
  type DocumentOptions,
  isAlias,
  isCollection,
  isPair,
  isScalar,
  type LineCounter,
  type Node,
  type ParseOptions,
  type SchemaOptions,
  YAMLParseError,
} from 'yaml';
import type { Issue, Path } from './load.js';

/** Bytes in a scenario file (1 MiB). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Steps in a scenario: `steps`, every thread's `steps` and `after` together. */
export const MAX_STEPS = 10_000;
/** Collections within collections (the top-level mapping is 1), aliases expanded. */
export const MAX_DEPTH = 100;
/** Aliases (`*name`) in a file. */
export const MAX_ALIASES = 1_000;
/** Nodes (scalars, keys and collections) once every alias is expanded. */
export const MAX_NODES = 100_000;

const count = (n: number) => n.toLocaleString('en-US');
const TOO_DEEP = `nested more than ${MAX_DEPTH} deep; a scenario is at most ${MAX_DEPTH} levels of collections: flatten it`;

/** A scenario file refused whole, before it is read as YAML (it is too large): `message` is `FILE: WHY`. */
export class ScenarioFileError extends Error {
  override readonly name = 'ScenarioFileError';
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`${file}: ${why}`);
  }
}

/**
 * The bytes of a scenario file, at most MAX_FILE_BYTES: its size is checked before reading,
 * and a device or FIFO (whose size is not known beforehand) is read up to one byte past the
 * limit. Throws ScenarioFileError naming `display`.
 */
export function readScenarioBytes(path: string, display: string): Buffer {
  const fix = `a scenario file may have at most ${count(MAX_FILE_BYTES)} bytes (1 MiB): split it into several files`;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_FILE_BYTES) throw new ScenarioFileError(display, `${count(size)} bytes; ${fix}`);
    const bytes = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, bytes, length, bytes.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_FILE_BYTES)
        throw new ScenarioFileError(display, `more than ${count(MAX_FILE_BYTES)} bytes; ${fix}`);
    }
    return bytes.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** The offset of the first byte that is not part of valid UTF-8 (the length when all is). */
function firstInvalidUtf8(bytes: Buffer): number {
  let offset = 0;
  // a byte sequence that is not UTF-8 decodes to U+FFFD, which is also valid text: EF BF BD
  for (const ch of bytes.toString('utf8')) {
    if (
      ch === '\uFFFD' &&
      !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)
    )
      return offset;
    offset += Buffer.byteLength(ch);
  }
  return offset;
}

/** Where a file stops being text (a NUL byte, or bytes that are not UTF-8), or null when it is text. */
export function binaryIssue(bytes: Buffer): Issue | null {
  const nul = bytes.indexOf(0);
  const invalid = isUtf8(bytes) ? -1 : firstInvalidUtf8(bytes);
  if (nul < 0 && invalid < 0) return null;
  const offset = invalid < 0 || (nul >= 0 && nul < invalid) ? nul : invalid;
  const what = offset === nul ? 'a NUL byte' : 'bytes that are not UTF-8';
  // the text before it is valid: its lines and characters place it
  const before = bytes.subarray(0, offset).toString('utf8');
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return {
    line,
    col,
    field: '',
    message: `a binary file (${what} here), not a scenario: a scenario file is YAML text in UTF-8`,
  };
}

/** The tokens directly inside a token of the parser's concrete syntax tree. */
function cstChildren(token: CST.Token): CST.Token[] {
  if (token.type === 'document') return token.value ? [token.value] : [];
  if (!CST.isCollection(token)) return [];
  const out: CST.Token[] = [];
  for (const item of token.items) {
    if (item.key) out.push(item.key);
    if (item.value) out.push(item.value);
  }
  return out;
}

/**
 * The first collection nested more than MAX_DEPTH deep, found in the parser's tokens (`lc`
 * counted their lines): the yaml library builds its document by recursion, so a file too deep
 * must be refused before {@link composeDocument}.
 */
export function nestingIssue(tokens: readonly CST.Token[], lc: LineCounter): Issue | null {
  // taken in the file's order: each token's children pushed last to first
  const stack = tokens.map((token) => ({ token, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    const inner = CST.isCollection(token) ? depth + 1 : depth;
    if (inner > MAX_DEPTH) return { ...lc.linePos(token.offset), field: '', message: TOO_DEEP };
    const children = cstChildren(token);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ token: children[i]!, depth: inner });
  }
  return null;
}

/**
 * The yaml library's parseDocument, from the tokens of its Parser (parsed once, and checked by
 * {@link nestingIssue} first).
 */
export function composeDocument(
  tokens: readonly CST.Token[],
  length: number,
  options: ParseOptions & DocumentOptions & SchemaOptions,
): Document.Parsed {
  let doc: Document.Parsed | null = null;
  for (const next of new Composer(options).compose(tokens, true, length)) {
    if (doc === null) {
      doc = next;
      continue;
    }
    const message = 'Source contains multiple documents; please use YAML.parseAllDocuments()';
    doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', message));
    break;
  }
  // compose(tokens, true) ends with a document, an empty one for an empty text
  return doc!;
}

/** The step lists of the data (`toJS` of the document, aliases shared), with their fields. */
function stepCounts(data: unknown): { path: Path; field: string; length: number }[] {
  const out: { path: Path; field: string; length: number }[] = [];
  if (data === null || typeof data !== 'object') return out;
  const { steps, threads, after } = data as Record<string, unknown>;
  if (Array.isArray(steps)) out.push({ path: ['steps'], field: 'steps', length: steps.length });
  if (Array.isArray(threads)) {
    threads.forEach((t: unknown, i) => {
      const s = t !== null && typeof t === 'object' ? (t as Record<string, unknown>).steps : undefined;
      if (Array.isArray(s))
        out.push({ path: ['threads', i, 'steps'], field: `threads[${i}].steps`, length: s.length });
    });
  }
  if (Array.isArray(after)) out.push({ path: ['after'], field: 'after', length: after.length });
  return out;
}

/** More than MAX_STEPS steps in all: the list that goes past the limit. */
export function stepsIssue(
  data: unknown,
  locate: (path: Path) => { line: number; col: number },
): Issue | null {
  const lists = stepCounts(data);
  const total = lists.reduce((sum, l) => sum + l.length, 0);
  let seen = 0;
  for (const list of lists) {
    seen += list.length;
    if (seen > MAX_STEPS) {
      return {
        ...locate(list.path),
        field: list.field,
        message: `${count(total)} steps in the scenario; a scenario may have at most ${count(MAX_STEPS)}: split it into several scenarios`,
      };
    }
  }
  return null;
}

/** Nodes and depth of a node once its aliases are expanded. */
interface Measure {
  size: number;
  depth: number;
}

/**
 * The first alias that stands for a node containing it (it would never end), the alias past
 * MAX_ALIASES, the node past MAX_NODES or nested past MAX_DEPTH, counting each alias as the
 * nodes it stands for. An alias stands for the last node before it with its anchor, as the
 * yaml library resolves it; the nodes are taken in the same order (a node, then its children;
 * a key, then its value).
 */
export function expansionIssue(doc: Document, lc: LineCounter): Issue | null {
  const at = (node: Node, message: string): Issue => ({
    ...lc.linePos(node.range?.[0] ?? 0),
    field: '',
    message,
  });
  const anchored = new Map<string, Node>();
  const measured = new Map<Node, Measure>();
  /** The collections being walked, outermost first, with what their children add up to so far. */
  const open: { node: Node; size: number; depth: number }[] = [];
  const walk: ({ node: unknown } | { close: true })[] = [{ node: doc.contents }];
  let aliases = 0;
  let nodes = 0;
  /** Counts `size` more nodes, `depth` deep inside the open collections. */
  const grow = (node: Node, size: number, depth: number): Issue | null => {
    nodes += size;
    if (nodes > MAX_NODES)
      return at(
        node,
        `more than ${count(MAX_NODES)} nodes with the aliases expanded; a scenario may have at most ${count(MAX_NODES)}: make it smaller, or use fewer aliases of large nodes`,
      );
    if (open.length + depth > MAX_DEPTH) return at(node, TOO_DEEP);
    return null;
  };
  /** Adds a finished child to the collection it is in. */
  const into = (m: Measure) => {
    const parent = open[open.length - 1];
    if (!parent) return;
    parent.size += m.size;
    parent.depth = Math.max(parent.depth, m.depth);
  };
  while (walk.length > 0) {
    const next = walk.pop()!;
    if ('close' in next) {
      const c = open.pop()!;
      const m = { size: c.size + 1, depth: c.depth + 1 };
      measured.set(c.node, m);
      into(m);
      continue;
    }
    const node = next.node;
    if (isPair(node)) {
      walk.push({ node: node.value }, { node: node.key });
    } else if (isAlias(node)) {
      aliases++;
      if (aliases > MAX_ALIASES)
        return at(
          node,
          `more than ${count(MAX_ALIASES)} aliases; a scenario may have at most ${count(MAX_ALIASES)}: write the values out, or split the file`,
        );
      const source = anchored.get(node.source);
      // (an alias without its anchor is a YAML error, reported before)
      if (!source) continue;
      if (open.some((c) => c.node === source))
        return at(
          node,
          `alias *${node.source} stands for a node that contains it, so it never ends: anchor a node outside it`,
        );
      const m = measured.get(source) ?? { size: 1, depth: 0 };
      const issue = grow(node, m.size, m.depth);
      if (issue) return issue;
      into(m);
    } else if (isScalar(node)) {
      if (node.anchor) anchored.set(node.anchor, node);
      const issue = grow(node, 1, 0);
      if (issue) return issue;
      into({ size: 1, depth: 0 });
    } else if (isCollection(node)) {
      if (node.anchor) anchored.set(node.anchor, node);
      const issue = grow(node, 1, 1);
      if (issue) return issue;
      // its children are counted as they come, the collection itself when it closes
      open.push({ node, size: 0, depth: 0 });
      walk.push({ close: true });
      for (let i = node.items.length - 1; i >= 0; i--) walk.push({ node: node.items[i] });
    }
  }
  return null;
}
