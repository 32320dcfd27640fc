import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './load.js';
import { makePlan } from './plan.js';
import { runScenario } from './run.js';
import {
  ACTION_NAMES,
  CALL_NAMES,
  CALLS,
  COMMON_STEP_KEYS,
  ExpectSchema,
  Int,
  IntOrRef,
  ScenarioSchema,
  STRUCT_KINDS,
  StepSchema,
} from './schema.js';

const H = 'name: t\nmachine: p4-2006\nstrategy: kmalloc\n';

/** The located errors of loading and planning a file, or '' when it loads. */
function problems(text: string): string {
  try {
    makePlan(parseScenario(text, 'x.yaml'));
    return '';
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
}

/** The failures of running a file under kmalloc ('' when it passes). */
function runFailures(text: string): string {
  const r = runScenario(parseScenario(text, 'x.yaml'));
  return r.tests.flatMap((t) => t.failures).join('\n');
}

describe('the calls a step can make', () => {
  it('are the perfmon2 calls and the file calls, in this order', () => {
    expect(CALL_NAMES).toEqual([
      'pfm_create_context',
      'pfm_write_pmcs',
      'pfm_write_pmds',
      'pfm_read_pmds',
      'pfm_load_context',
      'pfm_start',
      'pfm_stop',
      'pfm_restart',
      'pfm_create_evtsets',
      'pfm_getinfo_evtsets',
      'pfm_delete_evtsets',
      'pfm_unload_context',
      'read',
      'poll',
      'close',
      'dup',
      'set_nonblock',
      'mmap',
    ]);
  });

  // what the README's step table promises, seen through the error a wrong parameter gives
  const takes: Record<string, string> = {
    pfm_create_context: 'arg, flags, fmt_name, fmt_arg, fmt_size',
    pfm_write_pmcs: 'fd, arg, count',
    pfm_write_pmds: 'fd, arg, count',
    pfm_read_pmds: 'fd, arg, count',
    pfm_load_context: 'fd, arg, pid, set',
    pfm_start: 'fd, arg, set',
    pfm_stop: 'fd',
    pfm_restart: 'fd',
    pfm_create_evtsets: 'fd, arg, count',
    pfm_getinfo_evtsets: 'fd, arg, count',
    pfm_delete_evtsets: 'fd, arg, count',
    pfm_unload_context: 'fd',
    read: 'fd, arg, size',
    poll: 'fd',
    close: 'fd',
    dup: 'fd',
    set_nonblock: 'fd, on',
    mmap: 'fd, size, prot, offset',
  };
  it.each(Object.entries(takes))('%s takes %s', (call, params) => {
    expect(problems(`${H}steps:\n  - {call: ${call}, uid: 1}\n`)).toBe(
      `x.yaml:5:${14 + call.length}: steps[0].uid: "uid" is not a parameter of ${call} (it takes ${params})`,
    );
    for (const p of params.split(', ')) expect(CALLS[call as keyof typeof CALLS].params).toContain(p);
  });

  // the struct at a call's pointer decides the fields its expectations may name
  const structs: Record<string, string | null> = {
    pfm_create_context: 'pfarg_ctx',
    pfm_write_pmcs: 'pfarg_pmc',
    pfm_write_pmds: 'pfarg_pmd',
    pfm_read_pmds: 'pfarg_pmd',
    pfm_load_context: 'pfarg_load',
    pfm_start: 'pfarg_start',
    pfm_create_evtsets: 'pfarg_setdesc',
    pfm_getinfo_evtsets: 'pfarg_setinfo',
    pfm_delete_evtsets: 'pfarg_setdesc',
    read: 'pfarg_msg',
    pfm_stop: null,
    pfm_restart: null,
    pfm_unload_context: null,
    poll: null,
    close: null,
    dup: null,
    set_nonblock: null,
    mmap: null,
  };
  it.each(Object.entries(structs))("%s's pointer holds %s", (call, cName) => {
    const msg = problems(`${H}steps:\n  - {call: ${call}, expect: {out: {no_such_field: 1}}}\n`);
    if (cName === null)
      expect(msg).toMatch(/steps\[0\]\.expect\.out: give struct: so the fields can be written$/);
    else
      expect(msg).toMatch(
        new RegExp(`steps\\[0\\]\\.expect\\.out: ${cName} \\(v2[^)]*\\) has no field "no_such_field"`),
      );
  });

  it('the vector calls take count: (from the buffer, or given); the others need none', () => {
    const vectors = CALL_NAMES.filter((c) => CALLS[c].vector);
    expect(vectors).toEqual([
      'pfm_write_pmcs',
      'pfm_write_pmds',
      'pfm_read_pmds',
      'pfm_create_evtsets',
      'pfm_getinfo_evtsets',
      'pfm_delete_evtsets',
    ]);
    for (const call of vectors) {
      expect(runFailures(`${H}steps:\n  - {call: ${call}, fd: 99, arg: null}\n`), call).toMatch(
        /steps\[0\]\.count: count: is needed when arg is not a buffer/,
      );
      expect(
        runFailures(`${H}steps:\n  - {call: ${call}, fd: 99, arg: null, count: 1, expect: {errno: EBADF}}\n`),
      ).toBe('');
    }
    // the calls on one fd alone take no count
    for (const call of [
      'pfm_stop',
      'pfm_restart',
      'pfm_unload_context',
      'close',
      'dup',
      'set_nonblock',
      'read',
    ]) {
      expect(runFailures(`${H}steps:\n  - {call: ${call}, fd: 99, expect: {errno: EBADF}}\n`), call).toBe('');
    }
    expect(runFailures(`${H}steps:\n  - {call: poll, fd: 99, expect: {ret: 32}}\n`)).toBe(''); // POLLNVAL
    // a context made from an inline pfarg_ctx: no count involved
    expect(
      runFailures(
        `${H}steps:\n  - {call: pfm_create_context, arg: {ctx: {ctx_flags: 0}}, save: fd, expect: {ok: true}}\n  - {call: pfm_load_context, arg: {load: {load_pid: $main.tid}}, expect: {ret: 0}}\n  - {call: pfm_start, arg: {start: {start_set: 0}}, expect: {ret: 0}}\n  - {call: read, arg: {msg: {}}, fd: 99, expect: {errno: EBADF}}\n`,
      ),
    ).toBe('');
  });
});

describe('step actions and keys', () => {
  it('are listed in this order, with the common keys', () => {
    expect(ACTION_NAMES).toEqual([
      'call',
      'run',
      'sysfs_read',
      'sysfs_write',
      'ptrace_attach',
      'ptrace_detach',
      'exit',
      'fill',
      'unmap',
      'drop_pages',
      'protect',
      'check',
    ]);
    expect(COMMON_STEP_KEYS).toEqual(['thread', 'expect', 'save', 'differential', 'note']);
    expect(STRUCT_KINDS).toEqual([
      'pmc',
      'pmd',
      'ctx',
      'load',
      'start',
      'setdesc',
      'setinfo',
      'msg',
      'smpl_arg',
      'smpl_hdr',
      'smpl_entry',
    ]);
  });

  const takes: [string, string][] = [
    ['run: 5, workload: w', 'workload, events'],
    ['sysfs_read: debug', 'none'],
    ['sysfs_write: debug, value: 1', 'value, uid'],
    ['ptrace_attach: main', 'none'],
    ['ptrace_detach: main', 'none'],
    ['exit: main', 'none'],
    ['fill: b, value: {reg_num: 0}', 'value'],
    ['unmap: b', 'page'],
    ['drop_pages: b', 'page'],
    ['protect: b, prot: ro', 'prot, page'],
    ['check: memory, expect: {memory: baseline}', 'fd'],
    ['check: smpl, fd: 0, expect: {smpl: {hdr: {hdr_count: 0}}}', 'fd'],
  ];
  it.each(takes)('{%s} takes %s', (step, params) => {
    const action = step.split(':')[0]!;
    expect(
      problems(
        `${H}buffers: {b: {struct: pmd}}\nworkloads: {w: {INSTR_RETIRED: 1}}\nsteps:\n  - {${step}}\n`,
      ),
    ).toBe('');
    expect(problems(`${H}buffers: {b: {struct: pmd}}\nsteps:\n  - {${step}, count: 1}\n`)).toContain(
      `steps[0].count: "count" is not a parameter of ${action} (it takes ${params})`,
    );
  });
});

describe('values the schema accepts', () => {
  it('integers: numbers, decimal and hex strings, constants; references where a value may be saved', () => {
    for (const v of [
      5,
      -1,
      '0xffffffffffffffff',
      '-100000',
      '0b101',
      'REGFL_OVFL_NOTIFY',
      'FL_SYSTEM_WIDE | FL_OVFL_NO_MSG',
    ])
      expect(Int.safeParse(v).success, String(v)).toBe(true);
    for (const v of [1.5, 'two words!', '$fd', true, null])
      expect(Int.safeParse(v).success, String(v)).toBe(false);
    for (const v of ['$fd', '$worker.tid', '$worker.cpu', '$proc.pid', '$a-b', '$_x', 7, '0x10'])
      expect(IntOrRef.safeParse(v).success, String(v)).toBe(true);
    for (const v of ['$', '$1x', '$w.uid', '$w.tid.cpu', 'fd', '$a b', 2.5])
      expect(IntOrRef.safeParse(v).success, String(v)).toBe(false);
  });

  it('a bad integer or reference is refused where the file uses it', () => {
    expect(problems(`${H}steps:\n  - {call: pfm_stop, fd: $w.uid}\n`)).toBe(
      'x.yaml:5:22: steps[0].fd: Invalid input: no accepted form matches',
    );
    expect(problems(`${H}steps:\n  - {run: "5 cycles", workload: w}\n`)).toBe(
      'x.yaml:5:6: steps[0].run: an integer, a hex string or a constant name',
    );
  });

  it('the exported schema explains a bad reference to library users', () => {
    const r = ScenarioSchema.safeParse({
      name: 't',
      machine: 'p4-2006',
      steps: [{ call: 'pfm_stop', fd: '$w.uid' }],
    });
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0]!;
    expect(issue.path).toEqual(['steps', 0, 'fd']);
    const messages = issue.code === 'invalid_union' ? issue.errors.flat().map((i) => i.message) : [];
    expect(messages).toContain('$name, $thread.tid, $thread.cpu or $process.pid');
    expect(messages).toContain('an integer, a hex string or a constant name');
  });

  it('save: names a variable', () => {
    expect(problems(`${H}steps:\n  - {call: pfm_create_context, save: ctx-2}\n`)).toBe('');
    expect(problems(`${H}steps:\n  - {call: pfm_create_context, save: 2ctx}\n`)).toMatch(
      /^x\.yaml:5:32: steps\[0\]\.save: Invalid string: must match pattern/,
    );
    expect(problems(`${H}steps:\n  - {call: pfm_create_context, save: $fd}\n`)).toMatch(
      /steps\[0\]\.save: Invalid string/,
    );
  });

  it('expectations nest through one_of and by_strategy', () => {
    const e = { one_of: [{ ret: 0 }, { errno: ['EBADF', 'EINVAL'] }], by_strategy: { stack: { ok: false } } };
    expect(ExpectSchema.parse(e)).toEqual(e);
    expect(ExpectSchema.safeParse({ one_of: [{ errno: 'ENOPE' }] }).success).toBe(false);
    expect(ExpectSchema.safeParse({ by_strategy: { stack: { rett: 0 } } }).success).toBe(false);
    expect(ExpectSchema.safeParse({ memory: 'leaky' }).success).toBe(false);
    expect(ExpectSchema.safeParse({ cost: { min: 1, max: 2, avg: 3 } }).success).toBe(false);
  });

  it('steps and scenarios refuse unknown keys', () => {
    expect(StepSchema.safeParse({ call: 'pfm_stop', cont: 1 }).success).toBe(false);
    expect(StepSchema.safeParse({ check: 'disk' }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ name: 't', machine: 'p4-2006' }).success).toBe(true);
    expect(ScenarioSchema.safeParse({ name: '', machine: 'p4-2006' }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ name: 't' }).success).toBe(false);
  });
});
