import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  errorAt,
  formatPath,
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  ScenarioPathError,
  scenarioFromData,
  stepAction,
  stepLists,
} from './load.js';
import { CALL_NAMES } from './schema.js';

const H = 'name: t\nmachine: p4-2006\n';
const ACTIONS_LIST =
  'call, run, sysfs_read, sysfs_write, ptrace_attach, ptrace_detach, exit, fill, unmap, drop_pages, protect, check';

/** The error text parseScenario gives for a file, or '' when it loads. */
function loadError(text: string, file = 'x.yaml'): string {
  try {
    parseScenario(text, file);
    return '';
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
}

function dataError(data: unknown): string {
  try {
    scenarioFromData(data, 'gen');
    return '';
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
}

describe('ScenarioError and located messages', () => {
  it('prints one line per issue as file:line:col: field: message, the field left out when empty', () => {
    const e = new ScenarioError('f.yaml', [
      { line: 3, col: 4, field: 'steps[0]', message: 'first' },
      { line: 1, col: 2, field: '', message: 'YAML: second' },
    ]);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ScenarioError');
    expect(e.file).toBe('f.yaml');
    expect(e.issues).toHaveLength(2);
    expect(e.message).toBe('f.yaml:3:4: steps[0]: first\nf.yaml:1:2: YAML: second');
  });

  it('ScenarioPathError keeps the path of a problem found while running', () => {
    const e = new ScenarioPathError(['steps', 2, 'fd'], '$nope is not saved yet');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ScenarioPathError');
    expect(e.path).toEqual(['steps', 2, 'fd']);
    expect(e.message).toBe('$nope is not saved yet');
  });

  it('formatPath writes indexes in brackets and fields with dots', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['steps'])).toBe('steps');
    expect(formatPath(['threads', 1, 'steps', 0, 'arg'])).toBe('threads[1].steps[0].arg');
    expect(formatPath(['buffers', 'b', 'value', 3])).toBe('buffers.b.value[3]');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });

  it('errorAt locates a path of the file', () => {
    const sc = parseScenario(`${H}steps:\n  - {call: pfm_stop, fd: 4}\n`, 'x.yaml');
    const e = errorAt(sc, ['steps', 0, 'fd'], 'bad fd');
    expect(e.message).toBe('x.yaml:4:22: steps[0].fd: bad fd');
    expect(e.issues).toEqual([{ line: 4, col: 22, field: 'steps[0].fd', message: 'bad fd' }]);
  });
});

describe('locate: the line and column of a path, or of its nearest ancestor', () => {
  const text = `${H}steps:\n  - {call: pfm_stop, fd: 4}\n  - call: close\n    fd: 5\n`;
  const sc = parseScenario(text, 'x.yaml');

  it('points at the key of a field, and at the item of a list', () => {
    expect(sc.locate(['name'])).toEqual({ line: 1, col: 1 });
    expect(sc.locate(['machine'])).toEqual({ line: 2, col: 1 });
    expect(sc.locate(['steps', 0])).toEqual({ line: 4, col: 5 });
    expect(sc.locate(['steps', 1])).toEqual({ line: 5, col: 5 });
    expect(sc.locate(['steps', 1, 'fd'])).toEqual({ line: 6, col: 5 });
    expect(sc.locate(['steps', 0, 'fd'])).toEqual({ line: 4, col: 22 });
  });

  it('falls back to the mapping, the list or the scalar that holds a missing path', () => {
    expect(sc.locate(['steps', 1, 'nope'])).toEqual({ line: 5, col: 5 });
    expect(sc.locate(['steps', 0, 'nope'])).toEqual({ line: 4, col: 5 });
    expect(sc.locate(['steps', 7])).toEqual({ line: 4, col: 3 });
    expect(sc.locate(['steps', 1, 'fd', 'deeper'])).toEqual({ line: 6, col: 5 });
    expect(sc.locate(['machine', 0])).toEqual({ line: 2, col: 1 });
    expect(sc.locate(['nope'])).toEqual({ line: 1, col: 1 });
    expect(sc.locate([])).toEqual({ line: 1, col: 1 });
    // a field name under a list: the key that holds the list
    expect(sc.locate(['steps', 'call'])).toEqual({ line: 3, col: 1 });
  });

  it('a path below a scalar list item stops at that item', () => {
    const s2 = parseScenario(`${H}strategy: [kmalloc, stack]\n`, 'x.yaml');
    expect(s2.locate(['strategy', 1])).toEqual({ line: 3, col: 21 });
    expect(s2.locate(['strategy', 1, 'x'])).toEqual({ line: 3, col: 21 });
  });

  it('an index into a mapping stops at that mapping', () => {
    const s2 = parseScenario(`${H}buffers:\n  b: {struct: pmd}\n`, 'x.yaml');
    expect(s2.locate(['buffers', 'b', 0])).toEqual({ line: 4, col: 6 });
    expect(s2.locate(['buffers', 'b', 'struct'])).toEqual({ line: 4, col: 7 });
  });

  it('generated scenarios have no positions (0:0)', () => {
    const g = scenarioFromData({ name: 't', machine: 'p4-2006', steps: [{ call: 'pfm_stop' }] }, 'gen');
    expect(g.locate(['steps', 0])).toEqual({ line: 0, col: 0 });
    expect(g.doc).toBeNull();
    expect(g.file).toBe('gen');
  });
});

describe('step lists, actions and labels', () => {
  const text = `${H}threads:\n  - name: A\n    steps: [{call: pfm_stop}]\n  - name: B\n  - name: C\n    steps:\n      - {run: 9, events: {INSTR_RETIRED: 1}}\nsteps:\n  - {call: pfm_stop, thread: A}\n  - call: close\nafter:\n  - {exit: A}\n`;
  const sc = parseScenario(text, 'x.yaml');

  it('stepLists gives the sequential steps, each thread with steps, then after', () => {
    const lists = stepLists(sc.data);
    expect(lists.map((l) => [l.path, l.concurrent, l.steps.length])).toEqual([
      [['steps'], false, 2],
      [['threads', 0, 'steps'], true, 1],
      [['threads', 2, 'steps'], true, 1],
      [['after'], false, 1],
    ]);
    expect(stepLists({ name: 'x', machine: 'p4-2006' })).toEqual([]);
  });

  it('stepAction names the call, the other action, or "step"', () => {
    expect(stepAction({ call: 'pfm_read_pmds' })).toBe('pfm_read_pmds');
    expect(stepAction({ run: 5, workload: 'w' })).toBe('run');
    expect(stepAction({ exit: 'A' })).toBe('exit');
    expect(stepAction({ check: 'memory' })).toBe('check');
    expect(stepAction({ note: 'x' })).toBe('step');
  });

  it('stepLoc labels a step with its path, action, thread and line', () => {
    const d = sc.data;
    expect(sc.stepLoc(d.steps![0]!)).toEqual({
      path: ['steps', 0],
      line: 11,
      label: 'steps[0] pfm_stop (A) (line 11)',
    });
    expect(sc.stepLoc(d.steps![1]!)).toEqual({
      path: ['steps', 1],
      line: 12,
      label: 'steps[1] close (line 12)',
    });
    expect(sc.stepLoc(d.threads![0]!.steps![0]!).label).toBe('threads[0].steps[0] pfm_stop (line 5)');
    expect(sc.stepLoc(d.threads![2]!.steps![0]!).label).toBe('threads[2].steps[0] run (line 9)');
    expect(sc.stepLoc(d.after![0]!)).toEqual({
      path: ['after', 0],
      line: 14,
      label: 'after[0] exit (line 14)',
    });
  });

  it('a step that is not in the scenario gets its action only; generated steps have no line', () => {
    expect(sc.stepLoc({ call: 'dup' })).toEqual({ path: [], line: 0, label: 'dup' });
    const g = scenarioFromData(
      { name: 't', machine: 'p4-2006', steps: [{ call: 'pfm_stop', thread: 'main' }] },
      'g',
    );
    expect(g.stepLoc(g.data.steps![0]!)).toEqual({
      path: ['steps', 0],
      line: 0,
      label: 'steps[0] pfm_stop (main)',
    });
  });
});

describe('YAML problems', () => {
  it('each syntax error is one line "YAML: <first line of the parser message>" at its position', () => {
    expect(loadError(`${H}steps:\n  - {call: pfm_stop\n  - x: [\n`)).toBe(
      [
        'x.yaml:5:3: YAML: Flow map in block collection must be sufficiently indented and end with a }',
        'x.yaml:6:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ].join('\n'),
    );
  });

  it('a key given twice is an error', () => {
    expect(loadError(`${H}name: u\n`)).toBe('x.yaml:3:1: YAML: Map keys must be unique');
  });

  it('a file that is not a mapping', () => {
    for (const text of ['- a\n- b\n', '42\n', '', '# only a comment\n']) {
      expect(loadError(text)).toBe('x.yaml:1:1: a scenario file is a YAML mapping');
    }
  });

  it('integers beyond 2^53 keep every digit', () => {
    const sc = parseScenario(
      `${H}steps:\n  - {call: pfm_write_pmds, arg: {pmd: [{reg_value: 0xffffffffffffffff, reg_num: 4}]}}\n`,
      'x.yaml',
    );
    expect(sc.data.steps![0]!.arg).toEqual({ pmd: [{ reg_value: '18446744073709551615', reg_num: 4 }] });
  });

  it('anchors and aliases are expanded', () => {
    const sc = parseScenario(
      `${H}buffers:\n  a: {struct: pmd, value: &v [{reg_num: 4}]}\n  b: {struct: pmd, value: *v}\n`,
      'x.yaml',
    );
    expect(sc.data.buffers!.b!.value).toEqual([{ reg_num: 4 }]);
  });

  it('keeps the YAML document (with comments) for --update', () => {
    const sc = parseScenario(`${H}# a comment\nsteps: [{call: pfm_stop}]\n`, 'x.yaml');
    expect(sc.doc).not.toBeNull();
    expect(String(sc.doc)).toContain('# a comment');
    expect(sc.file).toBe('x.yaml');
    expect(sc.data.name).toBe('t');
  });
});

describe('schema problems: unknown fields, with suggestions where the field names are known', () => {
  it('top level', () => {
    expect(loadError(`${H}stpes: []\n`)).toBe(
      'x.yaml:3:1: stpes: unknown field "stpes" (did you mean "steps"?)',
    );
  });

  it('steps, threads[].steps and after', () => {
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, cont: 1}\n`)).toBe(
      'x.yaml:4:22: steps[0].cont: unknown field "cont" (did you mean "count"?)',
    );
    expect(loadError(`${H}threads:\n  - name: A\n    steps:\n      - {call: pfm_stop, cont: 1}\n`)).toBe(
      'x.yaml:6:26: threads[0].steps[0].cont: unknown field "cont" (did you mean "count"?)',
    );
    expect(loadError(`${H}after:\n  - {call: pfm_stop, cont: 1}\n`)).toBe(
      'x.yaml:4:22: after[0].cont: unknown field "cont" (did you mean "count"?)',
    );
    // step keys: the action names, the parameters and the common keys all count
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, worklod: w}\n`)).toMatch(
      /\(did you mean "workload"\?\)$/,
    );
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, sysfs_wirte: w}\n`)).toMatch(
      /\(did you mean "sysfs_write"\?\)$/,
    );
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, differentail: false}\n`)).toMatch(
      /\(did you mean "differential"\?\)$/,
    );
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, fmt_sise: 2}\n`)).toMatch(
      /\(did you mean "fmt_size"\?\)$/,
    );
  });

  it("a step's expect, and expectations nested in it", () => {
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, expect: {rett: 0}}\n`)).toBe(
      'x.yaml:4:31: steps[0].expect.rett: unknown field "rett" (did you mean "ret"?)',
    );
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, expect: {by_strateyg: {}}}\n`)).toMatch(
      /steps\[0\]\.expect\.by_strateyg: unknown field "by_strateyg" \(did you mean "by_strategy"\?\)$/,
    );
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, expect: {one_of: [{unchanegd: true}]}}\n`)).toBe(
      'x.yaml:4:41: steps[0].expect.one_of[0].unchanegd: unknown field "unchanegd"',
    );
  });

  const EXPECT_KEYS = [
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
  it.each(EXPECT_KEYS)('an expect key one letter off suggests "%s"', (key) => {
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, expect: {${key}q: 1}}\n`)).toBe(
      `x.yaml:4:31: steps[0].expect.${key}q: unknown field "${key}q" (did you mean "${key}"?)`,
    );
  });

  const STEP_KEYS = [
    ...['call', 'run', 'sysfs_read', 'sysfs_write', 'ptrace_attach', 'ptrace_detach', 'exit', 'fill'],
    ...['unmap', 'drop_pages', 'protect', 'check', 'fd', 'arg', 'count', 'flags', 'pid', 'set', 'fmt_name'],
    ...['fmt_arg', 'fmt_size', 'size', 'on', 'workload', 'events', 'value', 'uid', 'page', 'prot'],
    ...['thread', 'expect', 'save', 'differential', 'note'],
  ];
  it.each(STEP_KEYS)('a step key one letter off suggests "%s"', (key) => {
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, ${key}q: 1}\n`)).toBe(
      `x.yaml:4:22: steps[0].${key}q: unknown field "${key}q" (did you mean "${key}"?)`,
    );
  });

  it('no suggestion where the names are not listed (the top-level expect, buffers, threads)', () => {
    expect(loadError(`${H}expect: {rett: 1}\n`)).toBe('x.yaml:3:10: expect.rett: unknown field "rett"');
    expect(loadError(`${H}buffers: {b: {strct: pmd}}\n`)).toBe(
      'x.yaml:3:15: buffers.b.strct: unknown field "strct"',
    );
    expect(loadError(`${H}threads:\n  - name: A\n    stpes: []\n`)).toBe(
      'x.yaml:5:5: threads[0].stpes: unknown field "stpes"',
    );
  });

  it('several unknown fields of one mapping give one line each', () => {
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, cont: 1, thraed: A}\n`)).toBe(
      [
        'x.yaml:4:22: steps[0].cont: unknown field "cont" (did you mean "count"?)',
        'x.yaml:4:31: steps[0].thraed: unknown field "thraed" (did you mean "thread"?)',
      ].join('\n'),
    );
  });

  it('at most 12 problems are listed', () => {
    const many = (n: number) =>
      `${H}steps:\n${Array.from({ length: n }, () => '  - {call: pfm_stop, cont: 1}\n').join('')}`;
    expect(loadError(many(12)).split('\n')).toHaveLength(12);
    const lines = loadError(many(13)).split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[11]).toBe('x.yaml:15:22: steps[11].cont: unknown field "cont" (did you mean "count"?)');
  });
});

describe('schema problems: wrong values', () => {
  it('an unknown call suggests the closest and lists the calls', () => {
    const calls = CALL_NAMES.join(', ');
    expect(loadError(`${H}steps:\n  - {call: pfm_raed_pmds}\n`)).toBe(
      `x.yaml:4:6: steps[0].call: unknown call "pfm_raed_pmds" (did you mean "pfm_read_pmds"?); calls: ${calls}`,
    );
    expect(loadError(`${H}steps:\n  - {call: frobnicate_everything_now}\n`)).toBe(
      `x.yaml:4:6: steps[0].call: unknown call "frobnicate_everything_now"; calls: ${calls}`,
    );
    expect(loadError(`${H}steps:\n  - call: 5\n`)).toBe(
      `x.yaml:4:5: steps[0].call: unknown call 5; calls: ${calls}`,
    );
  });

  it('other enumerations keep the schema message', () => {
    expect(loadError(`${H}abi: v9\n`)).toBe(
      'x.yaml:3:1: abi: Invalid option: expected one of "v2.3"|"v2.2"|"v2-compact"',
    );
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, expect: {errno: EFOO}}\n`)).toMatch(
      /^x\.yaml:4:31: steps\[0\]\.expect\.errno: Invalid input/,
    );
  });

  it('a pointer of no accepted form names the forms (arg, fmt_name, fmt_arg)', () => {
    const forms =
      'Invalid input: expected a pointer: null, a buffer name, "name+OFFSET", "unmapped", "readonly", "kernel", an address, or a buffer';
    expect(loadError(`${H}steps:\n  - {call: pfm_start, arg: [1]}\n`)).toBe(
      `x.yaml:4:23: steps[0].arg: ${forms}`,
    );
    expect(loadError(`${H}steps:\n  - {call: pfm_create_context, fmt_name: [1]}\n`)).toBe(
      `x.yaml:4:32: steps[0].fmt_name: ${forms}`,
    );
    expect(loadError(`${H}steps:\n  - {call: pfm_create_context, fmt_arg: [1]}\n`)).toBe(
      `x.yaml:4:32: steps[0].fmt_arg: ${forms}`,
    );
  });

  it('a machine of no accepted form, and other unions', () => {
    expect(loadError('name: t\nmachine: 5\n')).toBe(
      'x.yaml:2:1: machine: Invalid input: expected a preset id or {preset?, arch?, cost?, pmu?}',
    );
    expect(loadError(`${H}strategy: 5\n`)).toBe(
      'x.yaml:3:1: strategy: Invalid input: no accepted form matches',
    );
  });

  it('a wrong type keeps the schema message, also for a buffer or workload named "call"', () => {
    expect(loadError(`${H}buffers: {call: 5}\n`)).toBe(
      'x.yaml:3:11: buffers.call: Invalid input: expected object, received number',
    );
    expect(loadError(`${H}workloads: {call: 5}\n`)).toBe(
      'x.yaml:3:13: workloads.call: Invalid input: expected record, received number',
    );
  });

  it('no step-key suggestion below a step (a cost bound under a strategy named "steps")', () => {
    expect(
      loadError(`${H}steps:\n  - {call: pfm_stop, expect: {by_strategy: {steps: {cost: {mn: 1}}}}}\n`),
    ).toBe('x.yaml:4:60: steps[0].expect.by_strategy.steps.cost.mn: unknown field "mn"');
  });

  it('a missing required field', () => {
    expect(loadError('machine: p4-2006\n')).toMatch(/^x\.yaml:1:1: name: Invalid input/);
  });
});

describe('steps: one action and only its parameters', () => {
  it('no action, or two', () => {
    expect(loadError(`${H}steps:\n  - {note: x}\n`)).toBe(
      `x.yaml:4:5: steps[0]: a step needs one action: ${ACTIONS_LIST}`,
    );
    expect(loadError(`${H}steps:\n  - {exit: A, fill: b, value: 1}\n`)).toBe(
      'x.yaml:4:5: steps[0]: one action per step, found exit and fill',
    );
  });

  it('a step with the wrong number of actions is not checked further', () => {
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, run: 5, count: 3}\n`)).toBe(
      'x.yaml:4:5: steps[0]: one action per step, found call and run',
    );
  });

  it('a parameter the action does not take names the ones it does', () => {
    expect(loadError(`${H}steps:\n  - {call: pfm_stop, count: 5}\n`)).toBe(
      'x.yaml:4:22: steps[0].count: "count" is not a parameter of pfm_stop (it takes fd)',
    );
    expect(loadError(`${H}steps:\n  - {call: pfm_load_context, size: 5}\n`)).toBe(
      'x.yaml:4:30: steps[0].size: "size" is not a parameter of pfm_load_context (it takes fd, arg, pid, set)',
    );
    expect(loadError(`${H}steps:\n  - {run: 5, workload: w, fd: 3}\n`)).toBe(
      'x.yaml:4:27: steps[0].fd: "fd" is not a parameter of run (it takes workload, events)',
    );
    expect(loadError(`${H}steps:\n  - {exit: A, fd: 3}\n`)).toBe(
      'x.yaml:4:15: steps[0].fd: "fd" is not a parameter of exit (it takes none)',
    );
    expect(loadError(`${H}steps:\n  - {protect: b, prot: ro, value: 1}\n`)).toBe(
      'x.yaml:4:28: steps[0].value: "value" is not a parameter of protect (it takes prot, page)',
    );
  });

  it('the common keys are accepted on every step', () => {
    expect(
      loadError(
        `${H}steps:\n  - {exit: A, thread: main, expect: {ok: true}, save: x, differential: false, note: n}\n`,
      ),
    ).toBe('');
  });

  it("a thread's own steps cannot name a thread", () => {
    expect(loadError(`${H}threads:\n  - name: A\n    steps:\n      - {call: pfm_stop, thread: A}\n`)).toBe(
      `x.yaml:6:26: threads[0].steps[0].thread: a thread's own steps run on that thread: remove "thread"`,
    );
    expect(loadError(`${H}threads: [{name: A}]\nsteps:\n  - {call: pfm_stop, thread: A}\n`)).toBe('');
    expect(loadError(`${H}threads: [{name: A}]\nafter:\n  - {call: pfm_stop, thread: A}\n`)).toBe('');
  });

  it('required parameters', () => {
    expect(loadError(`${H}steps:\n  - {sysfs_write: debug}\n`)).toBe(
      'x.yaml:4:5: steps[0]: sysfs_write needs value:',
    );
    expect(loadError(`${H}steps:\n  - {fill: b}\n`)).toBe('x.yaml:4:5: steps[0]: fill needs value:');
    expect(loadError(`${H}steps:\n  - {protect: b}\n`)).toBe('x.yaml:4:5: steps[0]: protect needs prot:');
    expect(loadError(`${H}steps:\n  - {run: 5}\n`)).toBe(
      'x.yaml:4:5: steps[0]: run needs workload: or events:',
    );
    expect(loadError(`${H}steps:\n  - {check: memory}\n`)).toBe(
      'x.yaml:4:5: steps[0]: check: memory needs expect: {memory: baseline}',
    );
    expect(loadError(`${H}steps:\n  - {check: memory, expect: {ok: true}}\n`)).toBe(
      'x.yaml:4:5: steps[0]: check: memory needs expect: {memory: baseline}',
    );
  });

  it('with them, the steps load', () => {
    const ok = [
      '{sysfs_write: debug, value: 1}',
      '{sysfs_write: debug, value: 0}',
      '{fill: b, value: {reg_num: 1}}',
      '{protect: b, prot: ro}',
      '{run: 5, workload: w}',
      '{run: 5, events: {INSTR_RETIRED: 1}}',
      '{check: memory, expect: {memory: baseline}}',
      '{sysfs_read: debug}',
      '{ptrace_attach: A}',
      '{ptrace_detach: A}',
      '{unmap: b, page: 0}',
      '{drop_pages: b}',
    ];
    for (const s of ok) expect(loadError(`${H}steps:\n  - ${s}\n`), s).toBe('');
  });

  it('every problem of every list is reported at once', () => {
    expect(
      loadError(
        `${H}threads:\n  - name: A\n    steps:\n      - {fill: b}\nsteps:\n  - {run: 5}\nafter:\n  - {protect: b}\n`,
      ),
    ).toBe(
      [
        'x.yaml:8:5: steps[0]: run needs workload: or events:',
        'x.yaml:6:9: threads[0].steps[0]: fill needs value:',
        'x.yaml:10:5: after[0]: protect needs prot:',
      ].join('\n'),
    );
  });
});

describe('scenarios built in code and files on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pfm-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scenarioFromData validates like a file, located at 0:0 under its label', () => {
    expect(dataError({ name: 't', machine: 'p4-2006', stpes: [] })).toBe(
      'gen:0:0: stpes: unknown field "stpes" (did you mean "steps"?)',
    );
    expect(dataError({ name: 't', machine: 'p4-2006', steps: [{}] })).toBe(
      `gen:0:0: steps[0]: a step needs one action: ${ACTIONS_LIST}`,
    );
    expect(dataError({ name: 't', machine: 'p4-2006', steps: [{ call: 'pfm_raed_pmds' }] })).toMatch(
      /^gen:0:0: steps\[0\]\.call: unknown call "pfm_raed_pmds" \(did you mean "pfm_read_pmds"\?\)/,
    );
    const g = scenarioFromData({ name: 't', machine: 'p4-2006', steps: [{ call: 'pfm_stop' }] }, 'gen');
    expect(g.data.steps).toEqual([{ call: 'pfm_stop' }]);
  });

  it('loadScenarioFile reads a file and names it as displayed', () => {
    const path = join(dir, 'a.yaml');
    writeFileSync(path, `${H}steps:\n  - {run: 5}\n`);
    expect(() => loadScenarioFile(path, 'shown.yaml')).toThrow(
      'shown.yaml:4:5: steps[0]: run needs workload: or events:',
    );
    expect(() => loadScenarioFile(path)).toThrow(`${path}:4:5: steps[0]: run needs workload: or events:`);
    writeFileSync(path, `${H}steps:\n  - {call: pfm_stop}\n`);
    const sc = loadScenarioFile(path, 'shown.yaml');
    expect(sc.file).toBe('shown.yaml');
    expect(sc.stepLoc(sc.data.steps![0]!).label).toBe('steps[0] pfm_stop (line 4)');
  });
});
