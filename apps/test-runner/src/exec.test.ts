import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario } from './load.js';
import { runScenario } from './run.js';

/**
 * A step's expectations are checks: each must fail, saying what it expected and what came,
 * when the scenario is wrong, and hold when it is right.
 */

const HEAD = 'name: t\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\n';
const CREATE = '  - {call: pfm_create_context, save: fd, expect: {ret: 0}}\n';

/** The failures of the scenario made of these steps (after a pfm_create_context at line 5). */
function failures(steps: string, head = HEAD): string[] {
  const r = runScenario(parseScenario(`${head}steps:\n${CREATE}${steps}`, 'x.yaml'));
  return r.tests.flatMap((t) => t.failures);
}

describe('errno', () => {
  // pfm_stop on a context that is not loaded: EINVAL
  it('fails on another errno, on a success and on a step with no result', () => {
    expect(failures('  - {call: pfm_stop, expect: {errno: EBADF}}\n')).toEqual([
      'steps[1] pfm_stop (line 6): expected errno EBADF, got EINVAL',
    ]);
    expect(failures('  - {call: pfm_stop, expect: {errno: [EBADF, EPERM]}}\n')).toEqual([
      'steps[1] pfm_stop (line 6): expected errno EBADF or EPERM, got EINVAL',
    ]);
    expect(failures('  - {call: dup, expect: {errno: EINVAL}}\n')).toEqual([
      'steps[1] dup (line 6): expected errno EINVAL, got ok 1',
    ]);
    expect(failures('  - {run: 10, events: {CPU_CLK_UNHALTED: 1}, expect: {errno: EINVAL}}\n')).toEqual([
      'steps[1] run (line 6): expected errno EINVAL, got nothing',
    ]);
    expect(failures('  - {sysfs_read: arg_mem_max, expect: {errno: EINVAL}}\n')).toEqual([
      'steps[1] sysfs_read (line 6): expected errno EINVAL, got "4096"',
    ]);
  });

  it('holds on that errno, or on one of a list', () => {
    expect(failures('  - {call: pfm_stop, expect: {errno: EINVAL}}\n')).toEqual([]);
    expect(failures('  - {call: pfm_stop, expect: {errno: [EBADF, EINVAL]}}\n')).toEqual([]);
    expect(failures('  - {sysfs_read: no_such_file, expect: {errno: ENOENT}}\n')).toEqual([]);
  });
});

describe('ret and ok', () => {
  it('ret: the call must succeed with that value', () => {
    expect(failures('  - {call: dup, expect: {ret: 1}}\n')).toEqual([]);
    expect(failures('  - {call: dup, expect: {ret: 2}}\n')).toEqual([
      'steps[1] dup (line 6): expected ok 2, got ok 1',
    ]);
    expect(failures('  - {call: pfm_stop, expect: {ret: 0}}\n')).toEqual([
      'steps[1] pfm_stop (line 6): expected ok 0, got EINVAL',
    ]);
    expect(failures('  - {call: dup, save: copy}\n  - {call: close, fd: $copy, expect: {ret: 0}}\n')).toEqual(
      [],
    );
  });

  it('ok: success or failure, whatever the value', () => {
    expect(
      failures('  - {call: dup, expect: {ok: true}}\n  - {call: pfm_stop, expect: {ok: false}}\n'),
    ).toEqual([]);
    expect(
      failures('  - {call: pfm_stop, expect: {ok: true}}\n  - {call: dup, expect: {ok: false}}\n'),
    ).toEqual([
      'steps[1] pfm_stop (line 6): expected success, got EINVAL',
      'steps[2] dup (line 7): expected failure, got ok 1',
    ]);
  });
});

describe('value, unchanged, out, buffers, cost', () => {
  it('value: what a sysfs read gave', () => {
    expect(failures('  - {sysfs_read: arg_mem_max, expect: {value: "4096"}}\n')).toEqual([]);
    expect(failures('  - {sysfs_read: arg_mem_max, expect: {value: 8192}}\n')).toEqual([
      'steps[1] sysfs_read (line 6): expected value "8192", got "4096"',
    ]);
    expect(failures('  - {sysfs_read: no_such_file, expect: {value: "0"}}\n')).toEqual([
      'steps[1] sysfs_read (line 6): expected value "0", got ENOENT',
    ]);
  });

  it('unchanged: the bytes at the pointer before and after the call', () => {
    const write =
      '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 5}]}, expect: {unchanged: UNCHANGED}}\n';
    const read = '  - {call: pfm_read_pmds, arg: {pmd: [{reg_num: 0}]}, expect: {unchanged: UNCHANGED}}\n';
    expect(failures(write.replace('UNCHANGED', 'true') + read.replace('UNCHANGED', 'false'))).toEqual([]);
    expect(failures(write.replace('UNCHANGED', 'false') + read.replace('UNCHANGED', 'true'))).toEqual([
      'steps[1] pfm_write_pmds (line 6): the buffer is unchanged (expected a copy back)',
      'steps[2] pfm_read_pmds (line 7): the buffer changed (expected it unchanged)',
    ]);
  });

  it('out and buffers: the structs after the call, field by field', () => {
    const head = `${HEAD}buffers:\n  rd: {struct: pmd, value: [{reg_num: 0}, {reg_num: 0}]}\n`;
    const steps =
      '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 0x55}]}}\n  - {call: pfm_read_pmds, arg: rd, expect: {OUT}}\n';
    expect(
      failures(
        steps.replace('OUT', 'out: [null, {reg_value: 0x55}], buffers: {rd: [{reg_value: 0x55}]}'),
        head,
      ),
    ).toEqual([]);
    expect(failures(steps.replace('OUT', 'out: [null, {reg_value: 0x56}]'), head)).toEqual([
      'steps[2] pfm_read_pmds (line 9): out [1] reg_value: expected 0x56, got 0x55',
    ]);
    expect(failures(steps.replace('OUT', 'buffers: {rd: [{reg_num: 1}]}'), head)).toEqual([
      'steps[2] pfm_read_pmds (line 9): buffer rd [0] reg_num: expected 1, got 0',
    ]);
  });

  it('cost: the cycles the step charged, within min and max', () => {
    const cost = (c: string) => failures(`  - {call: pfm_stop, expect: {cost: ${c}}}\n`);
    expect(cost('{min: 1, max: 100000}')).toEqual([]);
    expect(cost('{min: 100000}')[0]).toMatch(
      /^steps\[1\] pfm_stop \(line 6\): cost \d+ cycles < min 100000$/,
    );
    expect(cost('{max: 1}')[0]).toMatch(/^steps\[1\] pfm_stop \(line 6\): cost \d+ cycles > max 1$/);
    const [c] = /\d+/.exec(cost('{max: 1}')[0]!.split('cost ')[1]!)!;
    expect(cost(`{min: ${c}, max: ${c}}`)).toEqual([]);
  });
});

describe('memory: baseline', () => {
  it('fails while a kernel object allocated since the start is live, holds once it is freed', () => {
    expect(failures('  - {check: memory, expect: {memory: baseline}}\n')).toEqual([
      'steps[1] check (line 6): kernel memory not back to baseline: 512 B at pfm_context_alloc for ctx:1',
    ]);
    expect(failures('  - {call: close}\n  - {check: memory, expect: {memory: baseline}}\n')).toEqual([]);
  });
});

describe('pinned: argument memory kept for a user', () => {
  const head = HEAD.replace('strategy: kmalloc', 'strategy: ctx-cache').concat(
    'processes:\n  - {name: a, uid: 1000}\n  - {name: b, uid: 2000}\nthreads:\n  - {name: a, process: a}\n  - {name: b, process: b}\n',
  );
  const write = '  - {call: pfm_write_pmds, thread: a, arg: {pmd: [{reg_num: 0}]}, expect: {ret: 0}}\n';
  const pinned = (p: string) => `  - {check: pinned, expect: {pinned: ${p}}}\n`;

  it('per uid and for every user together: exact bytes, or at most max', () => {
    // ctx-cache keeps a size-256 buffer for the context's 176-byte vector, charged to uid 1000
    expect(
      failures(
        `${write}${pinned('{uid: 1000, bytes: 256}')}${pinned('{uid: 2000, bytes: 0}')}${pinned('{bytes: 256, max: 256}')}`,
        head,
      ),
    ).toEqual([]);
    expect(failures(`${write}${pinned('{uid: 1000, bytes: 255}')}`, head)).toEqual([
      'steps[2] check (line 13): pinned argument memory of uid 1000: 256 B, expected 255 B',
    ]);
    expect(failures(`${write}${pinned('{max: 255}')}`, head)).toEqual([
      'steps[2] check (line 13): pinned argument memory of all users: 256 B, more than the 255 B allowed',
    ]);
    expect(failures(`${write}${pinned('{uid: 2000, max: 0}')}${pinned('{}')}`, head)).toEqual([]);
  });

  it("examples/pinned-per-user.yaml: one user at its budget leaves the other user's budget whole", () => {
    const file = fileURLToPath(new URL('../examples/pinned-per-user.yaml', import.meta.url));
    const r = runScenario(loadScenarioFile(file));
    expect(r.tests.map((t) => [t.strategy, t.failures])).toEqual(
      [
        'kmalloc',
        'stack',
        'ctx-cache',
        'ctx-cache-mutex',
        'ctx-cache-bounded',
        'task-cache',
        'slab-cache',
        'hybrid',
      ].map((s) => [s, []]),
    );
  });
});

describe('one_of and by_strategy', () => {
  it('one_of holds when any holds, and lists every miss otherwise', () => {
    expect(failures('  - {call: dup, expect: {one_of: [{ret: 2}, {ret: 1}]}}\n')).toEqual([]);
    expect(failures('  - {call: dup, expect: {one_of: [{ret: 2}, {errno: EBADF}]}}\n')).toEqual([
      'steps[1] dup (line 6): none of one_of holds: expected ok 2, got ok 1; expected errno EBADF, got ok 1',
    ]);
  });

  it('by_strategy replaces the expectation under that strategy only', () => {
    const head = HEAD.replace('strategy: kmalloc', 'strategy: [kmalloc, stack]');
    expect(failures('  - {call: dup, expect: {ret: 1, by_strategy: {stack: {ret: 1}}}}\n', head)).toEqual([]);
    expect(failures('  - {call: dup, expect: {ret: 1, by_strategy: {stack: {ret: 2}}}}\n', head)).toEqual([
      'steps[1] dup (line 6): expected ok 2, got ok 1',
    ]);
    expect(failures('  - {call: dup, expect: {ret: 2, by_strategy: {stack: {ret: 1}}}}\n', head)).toEqual([
      'steps[1] dup (line 6): expected ok 2, got ok 1',
    ]);
  });
});
