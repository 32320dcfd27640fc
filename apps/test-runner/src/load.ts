/**
 * Reading scenario files: YAML with positions, validation against the schema, and the
 * semantic checks the schema cannot express. Every error names the file, the line and the
 * field (`conformance/x.yaml:12:7: steps[2].call: ...`).
 */
import { closest } from '@pfmsim/lab';
import { type Document, isMap, isSeq, LineCounter, type Node, Parser } from 'yaml';
import type { z } from 'zod';
import {
  binaryIssue,
  composeDocument,
  expansionIssue,
  nestingIssue,
  readScenarioBytes,
  stepsIssue,
} from './limits.js';
import {
  ACTION_NAMES,
  ACTIONS,
  CALLS,
  COMMON_STEP_KEYS,
  type Scenario,
  ScenarioSchema,
  type Step,
} from './schema.js';
import { normalizeYaml } from './values.js';

export type Path = readonly (string | number)[];

export interface Issue {
  readonly line: number;
  readonly col: number;
  readonly field: string;
  readonly message: string;
}

/** A scenario file that cannot be run: names the file, line and field of each problem. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly file: string,
    readonly issues: readonly Issue[],
  ) {
    super(
      issues
        .map((i) => `${file}:${i.line}:${i.col}: ${i.field ? `${i.field}: ` : ''}${i.message}`)
        .join('\n'),
    );
  }
}

/** A problem found while running, located by its path in the scenario (turned into a line later). */
export class ScenarioPathError extends Error {
  override readonly name = 'ScenarioPathError';
  constructor(
    readonly path: Path,
    message: string,
  ) {
    super(message);
  }
}

/** Where a step sits: its path, the line of the step and a short label for messages. */
export interface StepLoc {
  readonly path: Path;
  readonly line: number;
  readonly label: string;
}

export interface LoadedScenario {
  /** The file as given on the command line (or a label for generated scenarios). */
  readonly file: string;
  readonly data: Scenario;
  /** The YAML document (with comments), for --update; null for generated scenarios. */
  readonly doc: Document | null;
  /** 1-based line and column of the node at `path` (or its nearest ancestor); 0 when unknown. */
  locate(path: Path): { line: number; col: number };
  /** Location of a step object of `data`. */
  stepLoc(step: Step): StepLoc;
}

export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

export function errorAt(sc: LoadedScenario, path: Path, message: string): ScenarioError {
  const { line, col } = sc.locate(path);
  return new ScenarioError(sc.file, [{ line, col, field: formatPath(path), message }]);
}

function nodeAt(doc: Document, path: Path): { node: Node | null; keyNode: Node | null } {
  let node: unknown = doc.contents;
  let keyNode: Node | null = null;
  for (const p of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === p);
      if (!pair) return { node: node as Node, keyNode: null };
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof p === 'number') {
      const item = node.items[p];
      if (item === undefined) return { node: node as Node, keyNode: null };
      keyNode = null;
      node = item;
      // Stryker disable next-line BlockStatement: an early return; the rest of the path would land in this branch again with the same node
    } else {
      return { node: (node as Node | null) ?? null, keyNode };
    }
  }
  return { node: (node as Node | null) ?? null, keyNode };
}

/** The sequential and concurrent step lists of a scenario, with their paths. */
export function stepLists(data: Scenario): { path: Path; steps: Step[]; concurrent: boolean }[] {
  const out: { path: Path; steps: Step[]; concurrent: boolean }[] = [];
  if (data.steps) out.push({ path: ['steps'], steps: data.steps, concurrent: false });
  (data.threads ?? []).forEach((t, i) => {
    if (t.steps) out.push({ path: ['threads', i, 'steps'], steps: t.steps, concurrent: true });
  });
  if (data.after) out.push({ path: ['after'], steps: data.after, concurrent: false });
  return out;
}

export function stepAction(step: Step): string {
  const action = ACTION_NAMES.find((a) => step[a] !== undefined);
  if (action === 'call') return step.call!;
  return action ?? 'step';
}

function makeLoaded(
  file: string,
  data: Scenario,
  doc: Document | null,
  lc: LineCounter | null,
): LoadedScenario {
  const locs = new Map<Step, StepLoc>();
  const locate = (path: Path) => {
    // Stryker disable next-line LogicalOperator: makeLoaded gets the document and its line counter together or neither
    if (!doc || !lc) return { line: 0, col: 0 };
    const { node, keyNode } = nodeAt(doc, path);
    const n = keyNode ?? node;
    // Stryker disable next-line OptionalChaining: every path reaches a node (see below)
    const range = (n as { range?: [number, number, number] } | null)?.range;
    // Stryker disable next-line ConditionalExpression,ObjectLiteral: every parsed node has a range; a null node is only an empty file's contents, refused before anything is located
    if (!range) return { line: 1, col: 1 };
    return lc.linePos(range[0]);
  };
  for (const list of stepLists(data)) {
    list.steps.forEach((step, i) => {
      const path = [...list.path, i];
      const line = locate(path).line;
      const thread = step.thread ? ` (${step.thread})` : '';
      locs.set(step, {
        path,
        line,
        label: `${formatPath(path)} ${stepAction(step)}${thread}${line ? ` (line ${line})` : ''}`,
      });
    });
  }
  return {
    file,
    data,
    doc,
    locate,
    stepLoc(step) {
      const l = locs.get(step);
      if (l) return l;
      return { path: [], line: 0, label: stepAction(step) };
    },
  };
}

function zodIssues(
  file: string,
  error: z.ZodError,
  locate: LoadedScenario['locate'],
  raw: unknown,
): ScenarioError {
  const issues: Issue[] = [];
  for (const issue of error.issues.slice(0, 12)) {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const full = [...path, key];
        const { line, col } = locate(full);
        const known = knownKeysAt(path);
        const hint = known ? closest(key, known) : undefined;
        issues.push({
          line,
          col,
          field: formatPath(full),
          message: `unknown field ${JSON.stringify(key)}${hint ? ` (did you mean "${hint}"?)` : ''}`,
        });
      }
      continue;
    }
    const { line, col } = locate(path);
    let message = issue.message;
    if (issue.code === 'invalid_union') message = `${message}: ${describeUnion(path)}`;
    if (issue.code === 'invalid_value' && path[path.length - 1] === 'call') {
      const given = valueAt(raw, path);
      const hint = typeof given === 'string' ? closest(given, Object.keys(CALLS)) : undefined;
      message = `unknown call ${JSON.stringify(given)}${hint ? ` (did you mean "${hint}"?)` : ''}; calls: ${Object.keys(CALLS).join(', ')}`;
    }
    issues.push({ line, col, field: formatPath(path), message });
  }
  return new ScenarioError(file, issues);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const p of path) {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: the path of a schema issue exists in the data it was found in
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[p];
  }
  return node;
}

function knownKeysAt(path: readonly PropertyKey[]): string[] | null {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (typeof last === 'number' && (parent === 'steps' || parent === 'after')) {
    return [...ACTION_NAMES, ...Object.keys(ScenarioSchemaStepKeys), ...COMMON_STEP_KEYS];
  }
  if (path.length === 0) return Object.keys(ScenarioSchema.shape);
  if (last === 'expect' && path.length > 1) {
    return [
      'ret',
      'errno',
      'ok',
      'one_of',
      'out',
      'buffers',
      'unchanged',
      'value',
      'cost',
      'memory',
      'by_strategy',
    ];
  }
  return null;
}

const ScenarioSchemaStepKeys: Record<string, true> = Object.fromEntries(
  [
    'fd',
    'arg',
    'count',
    'flags',
    'pid',
    'set',
    'fmt_name',
    'fmt_arg',
    'fmt_size',
    'size',
    'on',
    'workload',
    'events',
    'value',
    'uid',
    'page',
    'prot',
    // Stryker disable next-line BooleanLiteral: only the keys of this record are used
  ].map((k) => [k, true]),
);

function describeUnion(path: readonly PropertyKey[]): string {
  const last = String(path[path.length - 1]);
  if (last === 'arg' || last === 'fmt_name' || last === 'fmt_arg')
    return 'expected a pointer: null, a buffer name, "name+OFFSET", "unmapped", "readonly", "kernel", an address, or a buffer';
  if (last === 'machine') return 'expected a preset id or {preset?, arch?, cost?, pmu?}';
  return 'no accepted form matches';
}

/** Parses and validates scenario text. Throws ScenarioError (file, line, field). */
export function parseScenario(text: string, file: string): LoadedScenario {
  const lc = new LineCounter();
  const tokens = [...new Parser(lc.addNewLine).parse(text)];
  // before the yaml library builds the document, which it does by recursion
  const tooDeep = nestingIssue(tokens, lc);
  if (tooDeep) throw new ScenarioError(file, [tooDeep]);
  const doc = composeDocument(tokens, text.length, {
    intAsBigInt: true,
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return { line: pos.line, col: pos.col, field: '', message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  // aliases shared, not expanded: the limits below count them exactly, where the library's
  // own count (maxAliasCount) would refuse files within them
  const js = doc.toJS({ maxAliasCount: -1 });
  const prelim = makeLoaded(file, {} as Scenario, doc, lc);
  const tooLarge = stepsIssue(js, prelim.locate) ?? expansionIssue(doc, lc);
  if (tooLarge) throw new ScenarioError(file, [tooLarge]);
  const raw = normalizeYaml(js);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(file, [
      { line: 1, col: 1, field: '', message: 'a scenario file is a YAML mapping' },
    ]);
  }
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) throw zodIssues(file, parsed.error, prelim.locate, raw);
  const loaded = makeLoaded(file, parsed.data, doc, lc);
  checkSteps(loaded);
  return loaded;
}

/** Reads and parses a scenario file within its limits (limits.ts). Throws ScenarioError, ScenarioFileError. */
export function loadScenarioFile(path: string, display = path): LoadedScenario {
  const bytes = readScenarioBytes(path, display);
  const binary = binaryIssue(bytes);
  if (binary) throw new ScenarioError(display, [binary]);
  return parseScenario(bytes.toString('utf8'), display);
}

/** A scenario built in code (the fuzzer's): validated, no positions. */
export function scenarioFromData(data: unknown, label: string): LoadedScenario {
  const parsed = ScenarioSchema.safeParse(data);
  if (!parsed.success) throw zodIssues(label, parsed.error, () => ({ line: 0, col: 0 }), data);
  const loaded = makeLoaded(label, parsed.data, null, null);
  checkSteps(loaded);
  return loaded;
}

/** Exactly one action per step, only the parameters that action takes. */
function checkSteps(sc: LoadedScenario): void {
  const issues: Issue[] = [];
  const add = (path: Path, message: string) => {
    const { line, col } = sc.locate(path);
    issues.push({ line, col, field: formatPath(path), message });
  };
  for (const list of stepLists(sc.data)) {
    list.steps.forEach((step, i) => {
      const path = [...list.path, i];
      const actions = ACTION_NAMES.filter((a) => step[a] !== undefined);
      if (actions.length !== 1) {
        add(
          path,
          actions.length === 0
            ? `a step needs one action: ${ACTION_NAMES.join(', ')}`
            : `one action per step, found ${actions.join(' and ')}`,
        );
        return;
      }
      const action = actions[0]!;
      const allowed = new Set<string>([
        action,
        ...COMMON_STEP_KEYS,
        ...(action === 'call' ? CALLS[step.call!].params : ACTIONS[action]),
      ]);
      for (const key of Object.keys(step)) {
        if (!allowed.has(key)) {
          add(
            [...path, key],
            `${JSON.stringify(key)} is not a parameter of ${action === 'call' ? step.call : action} (it takes ${[...allowed].filter((k) => k !== action && !(COMMON_STEP_KEYS as readonly string[]).includes(k)).join(', ') || 'none'})`,
          );
        }
      }
      if (list.concurrent && step.thread !== undefined) {
        add([...path, 'thread'], 'a thread\'s own steps run on that thread: remove "thread"');
      }
      if (action === 'sysfs_write' && step.value === undefined) add(path, 'sysfs_write needs value:');
      if (action === 'fill' && step.value === undefined) add(path, 'fill needs value:');
      if (action === 'protect' && step.prot === undefined) add(path, 'protect needs prot:');
      if (action === 'run' && step.workload === undefined && step.events === undefined)
        add(path, 'run needs workload: or events:');
      if (step.check === 'memory' && step.expect?.memory === undefined)
        add(path, 'check: memory needs expect: {memory: baseline}');
      if (step.check === 'smpl' && step.expect?.smpl === undefined)
        add(path, 'check: smpl needs expect: {smpl: {hdr: ..., entries: [...]}}');
    });
  }
  if (issues.length > 0) throw new ScenarioError(sc.file, issues);
}
