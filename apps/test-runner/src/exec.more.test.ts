import { createStrategy } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.js';
import { makePlan } from './plan.js';
import { type RunOptions, runScenario, type ScenarioResult } from './run.js';
import { createSkipCopyBackStrategy } from './test-strategies.test-util.js';
import { World } from './world.js';

/**
 * Running steps, as a scenario author sees it: what each pointer form passes to the kernel,
 * the conveniences (inline structs, default counts, flags/pid/set), what each action does,
 * the result each step records (the --replay lines and the strategy comparison), and the
 * errors a step that cannot run gives, located at file:line:col and field.
 */

const HEAD = 'name: t\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\n';
const CREATE = '  - {call: pfm_create_context, save: fd, expect: {ret: 0}}\n';

function run(text: string, opts: RunOptions = {}): ScenarioResult {
  return runScenario(parseScenario(text, 'x.yaml'), opts);
}

/** The failures of a scenario: `head`, then `steps:` with a pfm_create_context (line 5 with HEAD) first. */
function failures(steps: string, head = HEAD, opts: RunOptions = {}): string[] {
  return run(`${head}steps:\n${CREATE}${steps}`, opts).tests.flatMap((t) => t.failures);
}

/** What each step recorded, as `--replay` prints it: `where -> result`. */
function results(steps: string, head = HEAD): string[] {
  const lines: string[] = [];
  run(`${head}steps:\n${CREATE}${steps}`, {
    onLog: (_s, log) => {
      for (const o of log) lines.push(`${o.where} -> ${o.result}`);
    },
  });
  return lines;
}

describe('pointers', () => {
  it('null, a raw address, unmapped, readonly and kernel reach the kernel as bad pointers', () => {
    const steps = [
      '  - {call: pfm_write_pmds, arg: null, count: 1, expect: {errno: EFAULT}}',
      '  - {call: pfm_write_pmds, arg: "null", count: 1, expect: {errno: EFAULT}}',
      '  - {call: pfm_write_pmds, arg: 0, count: 1, expect: {errno: EFAULT}}',
      '  - {call: pfm_write_pmds, arg: 4096, count: 1, expect: {errno: EFAULT}}',
      '  - {call: pfm_write_pmds, arg: unmapped, count: 1, expect: {errno: EFAULT}}',
      '  - {call: pfm_write_pmds, arg: kernel, count: 1, expect: {errno: EFAULT}}',
      // a read-only zero page: the copy in works (reg_num 0), the copy back faults
      '  - {call: pfm_write_pmds, arg: readonly, count: 1, expect: {errno: EFAULT}}',
      '  - {call: pfm_read_pmds, arg: readonly, count: 1, expect: {errno: EFAULT}}',
      // with count 0 no byte is touched
      '  - {call: pfm_write_pmds, arg: kernel, count: 0, expect: {ret: 0}}',
    ];
    expect(failures(`${steps.join('\n')}\n`)).toEqual([]);
  });

  it('a raw address is used as given: the address of a named buffer reads its structs', () => {
    const head = `${HEAD}buffers:\n  rd: {struct: pmd, value: [{reg_num: 0}]}\n`;
    const sc = parseScenario(`${head}steps: []\n`, 'x.yaml');
    const w = new World(makePlan(sc), 'kmalloc', createStrategy('kmalloc'), 1);
    const addr = w.buffers.get('rd')!.data;
    expect(
      failures(
        `  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 7}]}}\n  - {call: pfm_read_pmds, arg: ${addr}, count: 1, expect: {ret: 0, buffers: {rd: [{reg_value: 7}]}}}\n`,
        head,
      ),
    ).toEqual([]);
  });

  it('name+OFFSET and name-OFFSET (decimal or hex) point into a named buffer', () => {
    const head = `${HEAD}buffers:\n  rd: {struct: pmd, value: [{reg_num: 0}, {reg_num: 1}]}\n  off: {struct: pmd, offset: 16, value: [{reg_num: 1}]}\n`;
    const write =
      '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 5}, {reg_num: 1, reg_value: 6}]}}\n';
    expect(
      failures(
        `${write}  - {call: pfm_read_pmds, arg: rd+176, count: 1, expect: {out: {reg_num: 1, reg_value: 6}, buffers: {rd: [{reg_value: 0}, {reg_value: 6}]}}}\n` +
          '  - {call: pfm_read_pmds, arg: rd + 0xb0, count: 1, expect: {out: {reg_value: 6}}}\n' +
          // 16 bytes before the data of `off` is the start of its mapping (zeros: reg_num 0)
          '  - {call: pfm_read_pmds, arg: off - 16, count: 1, expect: {out: {reg_num: 0, reg_value: 5}}}\n' +
          '  - {call: pfm_read_pmds, arg: off -0x10, count: 1, expect: {out: {reg_value: 5}}}\n' +
          '  - {call: pfm_read_pmds, arg: off, count: 1, expect: {out: {reg_num: 1, reg_value: 6}}}\n',
        head,
      ),
    ).toEqual([]);
    // an offset is in bytes, not elements: rd+1 places the struct one byte in
    expect(
      failures(
        `${write}  - {call: pfm_read_pmds, arg: rd+1, count: 1, expect: {out: {reg_value: 5}, buffers: {rd: [{reg_value: 0x500}]}}}\n`,
        head,
      ),
    ).toEqual([]);
  });

  it("name - OFFSET points before the data: the struct there, then the buffer's first", () => {
    const head = `${HEAD}buffers:\n  late: {struct: pmd, offset: 176, value: [{reg_num: 1}]}\n`;
    const write =
      '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 5}, {reg_num: 1, reg_value: 6}]}}\n';
    for (const arg of ['late - 176', 'late - 0xb0', 'late -0xB0'])
      expect(
        failures(
          `${write}  - {call: pfm_read_pmds, arg: ${arg}, count: 2, expect: {out: [{reg_num: 0, reg_value: 5}, {reg_num: 1, reg_value: 6}]}}\n`,
          head,
        ),
      ).toEqual([]);
  });

  it('an inline buffer is a full buffer spec, any one of its keys marking it so', () => {
    const steps = [
      // struct of the call by default; value, count, bytes, offset, prot, boundary alone
      '  - {call: pfm_write_pmds, arg: {value: [{reg_num: 0, reg_value: 9}]}, expect: {ret: 0}}',
      '  - {call: pfm_read_pmds, arg: {value: {reg_num: 0}}, expect: {ret: 0, out: {reg_value: 9}}}',
      '  - {call: pfm_read_pmds, arg: {count: 2}, expect: {ret: 0, out: [{reg_num: 0, reg_value: 9}, {reg_value: 9}]}}',
      '  - {call: pfm_read_pmds, arg: {bytes: 8192}, expect: {ret: 0, out: {reg_value: 9}}}',
      '  - {call: pfm_read_pmds, arg: {offset: 4000}, expect: {ret: 0, out: {reg_value: 9}}}',
      '  - {call: pfm_read_pmds, arg: {unmapped: [0]}, expect: {errno: EFAULT}}',
      '  - {call: pfm_read_pmds, arg: {not_present: [0]}, expect: {ret: 0, out: {reg_value: 9}}}',
      '  - {call: pfm_read_pmds, arg: {prot: ro}, expect: {errno: EFAULT}}',
      '  - {call: pfm_read_pmds, arg: {prot: none}, expect: {errno: EFAULT}}',
      '  - {call: pfm_read_pmds, arg: {boundary: {element: 0, fault: unmapped}}, expect: {errno: EFAULT}}',
      '  - {call: pfm_read_pmds, arg: {struct: pmd}, expect: {ret: 0, out: {reg_value: 9}}}',
    ];
    expect(failures(`${steps.join('\n')}\n`)).toEqual([]);
  });

  it("an inline buffer lives in the process named by process:, else in the caller's", () => {
    const head = HEAD.replace('strategy', 'processes: [{name: p}, {name: q}]\nstrategy');
    const create = (arg: string) =>
      run(`${head}steps:\n  - {call: pfm_create_context, arg: ${arg}, expect: {ret: 0}}\n`).tests.flatMap(
        (t) => t.failures,
      );
    expect(create('{process: p}')).toEqual([]);
    expect(create('{struct: ctx, process: q}')).toEqual([
      'steps[0] pfm_create_context (line 6): expected ok 0, got EFAULT',
    ]);
    expect(create('{process: r}')).toEqual([
      'x.yaml:6:38: steps[0].arg.process: unknown process "r" (processes: p, q)',
    ]);
  });

  it('an inline shorthand names exactly one struct', () => {
    for (const arg of ['{pmd: [{reg_num: 0}], pmc: [{reg_num: 0}]}', '{}']) {
      const r = run(`${HEAD}steps:\n${CREATE}  - {call: pfm_write_pmds, count: 1, arg: ${arg}}\n`);
      expect(r.tests.flatMap((t) => t.failures)).toEqual([
        'x.yaml:6:38: steps[1].arg: an inline buffer names one struct: {pmd: [...]}',
      ]);
    }
  });
});

describe('the conveniences of a call', () => {
  it('pfm_create_context: flags: fills an inline pfarg_ctx (default 0); save: keeps the fd', () => {
    expect(
      failures(
        '  - {call: pfm_create_context, flags: FL_NOTIFY_BLOCK, save: b, expect: {ret: 1, out: {ctx_flags: 1}}}\n' +
          '  - {call: pfm_create_context, expect: {ret: 2, out: {ctx_flags: 0}}}\n' +
          '  - {call: close, fd: $b, expect: {ret: 0}}\n',
      ),
    ).toEqual([]);
    expect(failures('  - {call: pfm_create_context, flags: 1, expect: {out: {ctx_flags: 0}}}\n')).toEqual([
      'steps[1] pfm_create_context (line 6): out [0] ctx_flags: expected 0, got 1',
    ]);
  });

  it('pfm_create_context: fmt_name, fmt_arg and fmt_size are passed', () => {
    const head = `${HEAD}buffers:\n  fmt: {bytes: 64}\n`;
    expect(
      failures(
        '  - {call: pfm_create_context, fmt_name: unmapped, expect: {errno: EFAULT}}\n' +
          '  - {call: pfm_create_context, fmt_name: fmt, expect: {errno: EINVAL}}\n' +
          '  - {call: pfm_create_context, fmt_name: null, fmt_arg: unmapped, fmt_size: 8, expect: {ret: 1}}\n',
        head,
      ),
    ).toEqual([]);
  });

  it('pfm_load_context: pid: and set: fill an inline pfarg_load (default: the calling thread, set 0)', () => {
    const head = `${HEAD}threads: [{name: main}, {name: other}]\n`;
    expect(
      failures(
        '  - {call: pfm_load_context, expect: {ret: 0, out: {load_pid: $main.tid, load_set: 0}}}\n' +
          '  - {call: pfm_unload_context, expect: {ret: 0}}\n' +
          '  - {call: pfm_load_context, pid: $other.tid, set: 0, expect: {errno: ESRCH, out: {load_pid: $other.tid}}}\n' +
          '  - {call: pfm_load_context, set: 5, expect: {errno: EINVAL, out: {load_pid: $main.tid, load_set: 5}}}\n' +
          '  - {call: pfm_load_context, pid: 4242, expect: {errno: ESRCH, out: {load_pid: 4242}}}\n',
        head,
      ),
    ).toEqual([]);
  });

  it('pfm_start: set: fills an inline pfarg_start; without it the pointer is NULL', () => {
    expect(
      failures(
        '  - {call: pfm_load_context, expect: {ret: 0}}\n' +
          '  - {call: pfm_start, expect: {ret: 0}}\n' +
          '  - {call: pfm_stop, expect: {ret: 0}}\n' +
          '  - {call: pfm_start, set: 3, expect: {errno: EINVAL, out: {start_set: 3}}}\n' +
          '  - {call: pfm_start, set: 0, expect: {ret: 0, out: {start_set: 0}}}\n',
      ),
    ).toEqual([]);
  });

  it('a value the conveniences cannot use is located at its key', () => {
    const errs = (step: string) =>
      run(`${HEAD}steps:\n${CREATE}  - ${step}\n`).tests.flatMap((t) => t.failures);
    expect(errs('{call: pfm_create_context, fmt_name: {value: {reg_num: 1}}}')).toEqual([
      'x.yaml:6:32: steps[1].fmt_name: give struct: to write value:',
    ]);
    expect(errs('{call: pfm_create_context, fmt_size: $nope}')).toEqual([
      'x.yaml:6:32: steps[1].fmt_size: $nope is not saved yet (saved: $fd)',
    ]);
    expect(errs('{call: pfm_create_context, flags: NOPE}')).toEqual([
      'x.yaml:6:32: steps[1].flags.value: unknown constant "NOPE"',
    ]);
    expect(errs('{call: pfm_load_context, pid: 0x100000000}')).toEqual([
      'x.yaml:6:30: steps[1].pid.value: steps[1].pid.load_pid: 4294967296 does not fit in a u32',
    ]);
    expect(errs('{call: pfm_load_context, set: $nope}')).toEqual([
      'x.yaml:6:30: steps[1].set: $nope is not saved yet (saved: $fd)',
    ]);
    expect(errs('{call: pfm_start, set: $nope}')).toEqual([
      'x.yaml:6:23: steps[1].set: $nope is not saved yet (saved: $fd)',
    ]);
    expect(errs('{call: pfm_start, set: 0x10000}')).toEqual([
      'x.yaml:6:23: steps[1].set.value: steps[1].set.start_set: 65536 does not fit in a u16',
    ]);
  });

  it('flags:, pid: and set: exclude arg:', () => {
    const cases: [string, string][] = [
      [
        '{call: pfm_create_context, arg: null, flags: 0}',
        'x.yaml:6:43: steps[1].flags: flags and arg exclude each other',
      ],
      [
        '{call: pfm_load_context, arg: null, pid: 1}',
        'x.yaml:6:41: steps[1].pid: pid and arg exclude each other',
      ],
      ['{call: pfm_start, arg: null, set: 1}', 'x.yaml:6:34: steps[1].set: set and arg exclude each other'],
    ];
    for (const [step, message] of cases) {
      expect(run(`${HEAD}steps:\n${CREATE}  - ${step}\n`).tests.flatMap((t) => t.failures)).toEqual([
        message,
      ]);
    }
  });

  it('read: a fresh 56-byte message buffer by default; size: the byte count', () => {
    expect(
      failures(
        '  - {call: set_nonblock, expect: {ret: 0}}\n' +
          '  - {call: read, expect: {errno: EAGAIN}}\n' +
          '  - {call: read, size: 55, expect: {errno: EINVAL}}\n' +
          '  - {call: read, size: 56, expect: {errno: EAGAIN}}\n' +
          // NULL: the count is still a message's 56 bytes
          '  - {call: read, arg: null, expect: {errno: EAGAIN}}\n' +
          '  - {call: read, arg: small, expect: {errno: EINVAL}}\n' +
          '  - {call: read, arg: {bytes: 40}, expect: {errno: EAGAIN}}\n' +
          '  - {call: read, fd: 9, expect: {errno: EBADF}}\n',
        `${HEAD}buffers:\n  small: {bytes: 40}\n`,
      ),
    ).toEqual([]);
  });

  it('set_nonblock: on: false makes read block again (with no other thread: a deadlock)', () => {
    const steps =
      '  - {call: set_nonblock, on: true, expect: {ret: 0}}\n  - {call: set_nonblock, on: ON, expect: {ret: 0}}\n  - {call: read, expect: {errno: EAGAIN}}\n';
    expect(failures(steps.replace('ON', 'true'))).toEqual([]);
    expect(failures(steps.replace('ON', 'false'))).toEqual([
      'steps[3] read (line 8): thread main killed by a KernelBug (deadlock)',
      'KernelBug deadlock: blocked on ctx->msgq_wait with no other thread to release it (thread T0 main in read; replay 1:)',
    ]);
  });

  it('a vector call takes the count of its buffer, or count:', () => {
    const head = `${HEAD}sysfs: {arg_mem_max: 8192}\nbuffers:\n  many: {struct: pmd, count: 47}\n  few: {struct: pmd, count: 46}\n`;
    expect(
      failures(
        // 47 x 176 > 8192 >= 46 x 176
        '  - {call: pfm_write_pmds, arg: many, expect: {errno: E2BIG}}\n' +
          '  - {call: pfm_write_pmds, arg: few, expect: {ret: 0}}\n' +
          '  - {call: pfm_write_pmds, arg: few, count: 47, expect: {errno: E2BIG}}\n' +
          '  - {call: pfm_write_pmds, arg: many, count: $fd, expect: {ret: 0}}\n' +
          '  - {call: pfm_write_pmds, arg: {struct: pmd, value: [], prot: none}, expect: {ret: 0}}\n' +
          '  - {call: pfm_write_pmds, arg: {struct: pmd, prot: none}, expect: {errno: EFAULT}}\n',
        head,
      ),
    ).toEqual([]);
  });

  it('a vector call without a buffer needs count:', () => {
    expect(
      run(`${HEAD}steps:\n${CREATE}  - {call: pfm_write_pmds, arg: unmapped}\n`).tests.flatMap(
        (t) => t.failures,
      ),
    ).toEqual(['x.yaml:6:5: steps[1].count: count: is needed when arg is not a buffer']);
  });

  it('fd: defaults to $fd, which must be saved first', () => {
    expect(run(`${HEAD}steps:\n  - {call: pfm_stop}\n`).tests.flatMap((t) => t.failures)).toEqual([
      'x.yaml:5:5: steps[0].fd: $fd is not saved yet',
    ]);
    expect(
      run(
        `${HEAD}steps:\n  - {call: pfm_create_context, save: a}\n  - {call: dup, fd: $a, save: b}\n  - {call: pfm_stop}\n`,
      ).tests.flatMap((t) => t.failures),
    ).toEqual(['x.yaml:7:5: steps[2].fd: $fd is not saved yet (saved: $a, $b)']);
  });

  it('save: keeps only a success; v2.2 saves the ctx_fd the kernel wrote', () => {
    expect(
      run(
        `${HEAD}steps:\n${CREATE}  - {call: dup, fd: 7, save: x}\n  - {call: close, fd: $x}\n`,
      ).tests.flatMap((t) => t.failures),
    ).toEqual(['x.yaml:7:19: steps[2].fd: $x is not saved yet (saved: $fd)']);
    const v22 = HEAD.replace('strategy', 'abi: v2.2\nstrategy');
    expect(
      run(
        `${v22}steps:\n  - {call: pfm_create_context, save: fd, expect: {ret: 0, out: {ctx_fd: 0}}}\n  - {call: pfm_create_context, save: g, expect: {ret: 0, out: {ctx_fd: 1}}}\n  - {call: close, fd: $g, expect: {ret: 0}}\n  - {call: close, fd: $g, expect: {errno: EBADF}}\n  - {call: dup, expect: {ret: 1}}\n`,
      ).tests.flatMap((t) => t.failures),
    ).toEqual([]);
  });
});

describe('actions', () => {
  it('sysfs_read records the text; save: keeps an integer only', () => {
    expect(
      results('  - {sysfs_read: arg_mem_max}\n  - {sysfs_read: version}\n  - {sysfs_read: nope}\n'),
    ).toEqual([
      'steps[0] pfm_create_context (line 5) -> ok 0',
      'steps[1] sysfs_read (line 6) -> "4096"',
      'steps[2] sysfs_read (line 7) -> "2.3"',
      'steps[3] sysfs_read (line 8) -> ENOENT',
    ]);
    expect(
      failures(
        '  - {sysfs_read: arg_mem_max, save: m}\n  - {call: pfm_write_pmds, arg: {struct: pmd}, count: $m, expect: {errno: E2BIG}}\n',
      ),
    ).toEqual([]);
    // a read without save: keeps nothing
    expect(
      run(`${HEAD}steps:\n${CREATE}  - {sysfs_read: arg_mem_max}\n  - {call: close, fd: $m}\n`).tests.flatMap(
        (t) => t.failures,
      ),
    ).toEqual(['x.yaml:7:19: steps[2].fd: $m is not saved yet (saved: $fd)']);
    for (const file of ['version', 'pmu_desc/model', 'pmu_desc/pmc0/dfl_val', 'nope']) {
      expect(
        run(
          `${HEAD}steps:\n${CREATE}  - {sysfs_read: ${file}, save: v}\n  - {call: close, fd: $v}\n`,
        ).tests.flatMap((t) => t.failures),
      ).toEqual(['x.yaml:7:19: steps[2].fd: $v is not saved yet (saved: $fd)']);
    }
  });

  it('sysfs_write writes as the thread, or as uid:', () => {
    expect(
      results(
        '  - {sysfs_write: arg_mem_max, value: 8192}\n  - {sysfs_write: arg_mem_max, value: 8192, uid: 0}\n  - {sysfs_read: arg_mem_max}\n  - {sysfs_write: arg_mem_max, value: 1, uid: 0}\n',
      ).slice(1),
    ).toEqual([
      'steps[1] sysfs_write (line 6) -> EACCES',
      'steps[2] sysfs_write (line 7) -> ok 0',
      'steps[3] sysfs_read (line 8) -> "8192"',
      'steps[4] sysfs_write (line 9) -> EINVAL',
    ]);
    const root = HEAD.replace('strategy', 'processes: [{name: root, uid: 0}]\nstrategy');
    expect(failures('  - {sysfs_write: debug, value: 2, expect: {ret: 0}}\n', root)).toEqual([]);
  });

  it('run, fill, check and the memory steps record "-"', () => {
    const head = `${HEAD}buffers:\n  b: {struct: pmd, value: [{reg_num: 0}]}\n`;
    expect(
      results(
        '  - {run: 1000, events: {CPU_CLK_UNHALTED: 1}}\n  - {fill: b, value: [{reg_num: 1}]}\n  - {protect: b, prot: ro}\n  - {drop_pages: b}\n  - {unmap: b}\n',
        head,
      ).slice(1),
    ).toEqual([
      'steps[1] run (line 8) -> -',
      'steps[2] fill (line 9) -> -',
      'steps[3] protect (line 10) -> -',
      'steps[4] drop_pages (line 11) -> -',
      'steps[5] unmap (line 12) -> -',
    ]);
  });

  it('run: the thread runs its workload and the counters advance', () => {
    const head = `${HEAD}workloads:\n  busy: {CPU_CLK_UNHALTED: 2}\n`;
    const steps =
      '  - {call: pfm_write_pmcs, arg: {pmc: [{reg_num: 0, reg_value: 0x510079}]}, expect: {ret: 0}}\n' +
      '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0}]}, expect: {ret: 0}}\n' +
      '  - {call: pfm_load_context, expect: {ret: 0}}\n' +
      '  - {call: pfm_start, expect: {ret: 0}}\n' +
      '  - {run: RUN}\n' +
      '  - {call: pfm_stop, expect: {ret: 0}}\n' +
      '  - {call: pfm_read_pmds, arg: {pmd: [{reg_num: 0}]}, expect: {out: {reg_value: WANT}}}\n';
    expect(failures(steps.replace('RUN', '1000, workload: busy').replace('WANT', '2000'), head)).toEqual([]);
    expect(
      failures(steps.replace('RUN', '"0x3e8", events: {CPU_CLK_UNHALTED: 3}').replace('WANT', '3000'), head),
    ).toEqual([]);
  });

  it('fill rewrites a named buffer (zeroing what the new value leaves out)', () => {
    const head = `${HEAD}buffers:\n  b: {struct: pmd, count: 2, value: [{reg_num: 1, reg_value: 3}, {reg_num: 2, reg_value: 4}]}\n`;
    expect(
      failures(
        '  - {fill: b, value: {reg_value: 5}, expect: {buffers: {b: [{reg_num: 0, reg_value: 5}, {reg_num: 0, reg_value: 0}]}}}\n',
        head,
      ),
    ).toEqual([]);
    expect(failures('  - {fill: b, value: [{reg_num: 1}, {reg_num: 2}, {reg_num: 3}]}\n', head)[0]).toBe(
      'x.yaml:8:15: steps[1].value: 3 values for a buffer of 2 elements',
    );
  });

  it('unmap, drop_pages and protect act on a whole buffer or on page: k', () => {
    // 30 pfarg_pmd (5,280 bytes) span two pages; 23 (4,048 bytes) fit in the first
    const head = `${HEAD}sysfs: {arg_mem_max: 8192}\nbuffers:\n  b: {struct: pmd, count: 30}\n  c: {struct: pmd, count: 30}\n`;
    const ok = (n: number) => `  - {call: pfm_write_pmds, arg: b, count: ${n}, expect: {ret: 0}}\n`;
    const fault = (n: number) => `  - {call: pfm_write_pmds, arg: b, count: ${n}, expect: {errno: EFAULT}}\n`;
    expect(failures(`  - {unmap: b, page: 1}\n${ok(23)}${fault(24)}`, head)).toEqual([]);
    expect(failures(`  - {unmap: b}\n${fault(1)}`, head)).toEqual([]);
    expect(failures(`  - {protect: b, prot: ro, page: 1}\n${ok(23)}${fault(24)}`, head)).toEqual([]);
    expect(
      failures(`  - {protect: b, prot: none}\n${fault(1)}  - {protect: b, prot: rw}\n${ok(30)}`, head),
    ).toEqual([]);
    expect(failures(`  - {protect: b, prot: ro}\n${fault(1)}`, head)).toEqual([]);
    // pages made not present are faulted back in by the copy, with their contents
    expect(
      failures(
        '  - {fill: c, value: [{reg_num: 0, reg_value: 1}]}\n  - {drop_pages: c}\n  - {call: pfm_write_pmds, arg: c, count: 1, expect: {ret: 0}}\n  - {call: pfm_read_pmds, arg: {pmd: [{reg_num: 0}]}, expect: {out: {reg_value: 1}}}\n',
        head,
      ),
    ).toEqual([]);
    expect(
      failures(
        `  - {drop_pages: b, page: 1}\n${ok(30)}  - {protect: b, prot: ro, page: 0}\n${fault(1)}`,
        head,
      ),
    ).toEqual([]);
    // an unmapped page stays unmapped whatever its protection; page: k leaves the other pages
    expect(failures(`  - {unmap: b}\n  - {protect: b, prot: rw}\n${fault(1)}`, head)).toEqual([]);
    const big = `${HEAD}sysfs: {arg_mem_max: 16384}\nbuffers:\n  b: {struct: pmd, count: 70}\n`;
    const at = (off: number, result: string) =>
      `  - {call: pfm_write_pmds, arg: b+${off}, count: 1, expect: {${result}}}\n`;
    // 70 x 176 = 12,320 bytes: three pages
    expect(
      failures(
        `  - {unmap: b, page: 1}\n${at(0, 'ret: 0')}${at(4096, 'errno: EFAULT')}${at(8192, 'ret: 0')}`,
        big,
      ),
    ).toEqual([]);
    expect(
      failures(
        `  - {unmap: b}\n${at(0, 'errno: EFAULT')}${at(4096, 'errno: EFAULT')}${at(8192, 'errno: EFAULT')}`,
        big,
      ),
    ).toEqual([]);
  });

  it('drop_pages: the next touch of each page is a minor fault', () => {
    const head = `${HEAD}buffers:\n  b: {struct: pmd}\n`;
    const cost = (steps: string) => {
      const [f] = failures(`${steps}  - {call: pfm_write_pmds, arg: b, expect: {cost: {max: 0}}}\n`, head);
      return Number(/cost (\d+) cycles/.exec(f!)![1]);
    };
    const touched = cost('  - {call: pfm_write_pmds, arg: b}\n');
    expect(cost('  - {call: pfm_write_pmds, arg: b}\n  - {drop_pages: b}\n')).toBeGreaterThan(touched);
    expect(cost('  - {call: pfm_write_pmds, arg: b}\n  - {drop_pages: b, page: 0}\n')).toBeGreaterThan(
      touched,
    );
  });

  it('ptrace_attach / ptrace_detach and exit act on the named thread, or on self', () => {
    const head = `${HEAD}threads: [{name: main}, {name: w}]\n`;
    expect(
      failures(
        '  - {ptrace_attach: w}\n' +
          '  - {call: pfm_load_context, pid: $w.tid, expect: {ret: 0}}\n' +
          '  - {call: pfm_unload_context, expect: {ret: 0}}\n' +
          '  - {ptrace_detach: w}\n' +
          '  - {call: pfm_load_context, pid: $w.tid, expect: {errno: ESRCH}}\n' +
          '  - {exit: w}\n' +
          '  - {call: pfm_load_context, pid: $w.tid, expect: {errno: ESRCH}}\n',
        head,
      ),
    ).toEqual([]);
    expect(
      failures(
        '  - {call: pfm_load_context, expect: {ret: 0}}\n  - {exit: self}\n  - {call: set_nonblock, thread: w}\n  - {call: read, thread: w, expect: {ret: 56, out: {msg_type: MSG_END, msg_ovfl_pid: $main.tid}}}\n',
        head,
      ),
    ).toEqual([]);
  });
});

describe('expectations', () => {
  it('ok: a call that returns 0 succeeded; a run step has no success to check', () => {
    expect(failures('  - {call: set_nonblock, expect: {ok: true}}\n')).toEqual([]);
    expect(failures('  - {call: set_nonblock, expect: {ok: false}}\n')).toEqual([
      'steps[1] set_nonblock (line 6): expected failure, got ok 0',
    ]);
    for (const ok of [true, false])
      expect(failures(`  - {run: 10, events: {CPU_CLK_UNHALTED: 1}, expect: {ok: ${ok}}}\n`)).toEqual([]);
  });

  it('ok: a sysfs_read that read its file succeeded', () => {
    expect(
      failures(
        '  - {sysfs_read: arg_mem_max, expect: {ok: true}}\n  - {sysfs_read: nope, expect: {ok: false}}\n',
      ),
    ).toEqual([]);
    expect(
      failures(
        '  - {sysfs_read: arg_mem_max, expect: {ok: false}}\n  - {sysfs_read: nope, expect: {ok: true}}\n',
      ),
    ).toEqual([
      'steps[1] sysfs_read (line 6): expected failure, got "4096"',
      'steps[2] sysfs_read (line 7): expected success, got ENOENT',
    ]);
  });

  it('value on a call compares with the call result', () => {
    expect(failures('  - {call: dup, expect: {value: "1"}}\n')).toEqual([
      'steps[1] dup (line 6): expected value "1", got ok 1',
    ]);
  });

  it('unchanged needs a buffer that is still mapped', () => {
    const head = `${HEAD}buffers:\n  b: {struct: pmd, value: [{reg_num: 0}]}\n`;
    expect(failures('  - {call: pfm_stop, expect: {unchanged: false}}\n', head)).toEqual([]);
    expect(failures('  - {call: pfm_stop, expect: {unchanged: true}}\n', head)).toEqual([
      'steps[1] pfm_stop (line 8): the buffer changed (expected it unchanged)',
    ]);
  });

  it('out: needs a buffer argument whose struct is known, and stays inside the mapping', () => {
    const head = `${HEAD}buffers:\n  raw: {bytes: 4096}\n  rd: {struct: pmd, value: [{reg_num: 0}]}\n`;
    const errs = (step: string) =>
      run(`${head}steps:\n${CREATE}  - ${step}\n`).tests.flatMap((t) => t.failures);
    expect(errs('{call: pfm_read_pmds, arg: null, count: 1, expect: {out: {reg_value: 0}}}')).toEqual([
      'x.yaml:9:57: steps[1].expect.out: out: needs a buffer argument',
    ]);
    expect(errs('{call: pfm_read_pmds, arg: raw, count: 1, expect: {out: {reg_value: 0}}}')).toEqual([
      'x.yaml:9:56: steps[1].expect.out: the buffer has no struct: to compare fields',
    ]);
    expect(errs('{call: pfm_read_pmds, arg: rd+4000, count: 0, expect: {out: {reg_value: 0}}}')).toEqual([
      'x.yaml:9:60: steps[1].expect.out: element 0 lies outside the buffer',
    ]);
    expect(errs('{call: pfm_read_pmds, arg: rd, expect: {out: [null, null, {reg_value: 0}]}}')).toEqual([]);
    expect(
      errs(
        `{call: pfm_read_pmds, arg: rd, expect: {out: [${Array.from({ length: 23 }, () => 'null').join(', ')}, {reg_value: 0}]}}`,
      ),
    ).toEqual(['x.yaml:9:45: steps[1].expect.out: element 23 lies outside the buffer']);
  });

  it('buffers: each named buffer is read inside its mapping, its values resolved', () => {
    const head = `${HEAD}buffers:\n  rd: {struct: pmd, value: [{reg_num: 0}]}\n`;
    const errs = (step: string) =>
      run(`${head}steps:\n${CREATE}  - ${step}\n`).tests.flatMap((t) => t.failures);
    const nulls = Array.from({ length: 23 }, () => 'null').join(', ');
    expect(errs(`{call: dup, expect: {buffers: {rd: [${nulls}, {reg_value: 0}]}}}`)).toEqual([
      'x.yaml:8:36: steps[1].expect.buffers.rd: element 23 lies outside the buffer',
    ]);
    expect(errs('{call: dup, expect: {buffers: {rd: {reg_value: $nope}}}}')).toEqual([
      'x.yaml:8:36: steps[1].expect.buffers.rd: $nope is not saved yet (saved: $fd)',
    ]);
  });

  it('ret, one_of and by_strategy values are resolved where they stand', () => {
    const head = HEAD.replace('strategy: kmalloc', 'strategy: [kmalloc, stack]');
    const errs = (step: string) =>
      run(`${head}steps:\n${CREATE}  - ${step}\n`).tests.flatMap((t) => t.failures);
    expect(errs('{call: dup, expect: {ret: $nope}}')).toEqual([
      'x.yaml:6:26: steps[1].expect.ret: $nope is not saved yet (saved: $fd)',
    ]);
    expect(errs('{call: dup, expect: {one_of: [{ret: 5}, {ret: $nope}]}}')).toEqual([
      'x.yaml:6:46: steps[1].expect.one_of[1].ret: $nope is not saved yet (saved: $fd)',
    ]);
    expect(errs('{call: dup, expect: {by_strategy: {stack: {ret: $nope}}}}')).toEqual([
      'x.yaml:6:48: steps[1].expect.by_strategy.stack.ret: $nope is not saved yet (saved: $fd)',
    ]);
    expect(errs('{call: dup, expect: {ret: $fd, by_strategy: {stack: {ret: 1}}}}')).toEqual([
      'steps[1] dup (line 6): expected ok 0, got ok 1',
    ]);
  });

  it('memory: baseline lists every live object', () => {
    expect(
      failures('  - {call: pfm_create_context}\n  - {check: memory, expect: {memory: baseline}}\n'),
    ).toEqual([
      'steps[2] check (line 7): kernel memory not back to baseline: 512 B at pfm_context_alloc for ctx:1, 512 B at pfm_context_alloc for ctx:2',
    ]);
  });

  it('cost: a step that charges nothing costs 0 cycles', () => {
    expect(
      failures(
        '  - {fill: b, value: {reg_num: 1}, expect: {cost: {max: 0}}}\n',
        `${HEAD}buffers: {b: {struct: pmd}}\n`,
      ),
    ).toEqual([]);
    expect(
      failures('  - {run: 500, events: {CPU_CLK_UNHALTED: 1}, expect: {cost: {min: 500, max: 500}}}\n'),
    ).toEqual([]);
  });
});

describe('the comparison between strategies', () => {
  const head =
    'name: t\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: [kmalloc, skip-copy-back]\n';
  const extraStrategies = new Map([['skip-copy-back', createSkipCopyBackStrategy]]);
  const read =
    '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 0xb}, {reg_num: 1, reg_value: 0xc}]}}\n' +
    '  - {call: pfm_read_pmds, arg: {pmd: [{reg_num: 0}, {reg_num: 1}]}DIFF}\n';
  const diff = (steps: string, h = head) => failures(steps, h, { extraStrategies });

  it('compares the bytes a call touched, field by field', () => {
    expect(diff(read.replace('DIFF', ''))).toEqual([
      'differs from kmalloc: steps[2] pfm_read_pmds (line 7): buffer steps[2].arg[0].reg_value: kmalloc 0xb, skip-copy-back 0',
    ]);
  });

  it('differential: false and by_strategy leave the step out', () => {
    expect(diff(read.replace('DIFF', ', differential: false'))).toEqual([]);
    expect(diff(read.replace('DIFF', ', expect: {ret: 0, by_strategy: {kmalloc: {ret: 0}}}'))).toEqual([]);
  });

  it('differential_ignore zeroes those fields in every element', () => {
    const h = `${head}expect: {differential_ignore: [reg_value, reg_last_reset_val]}\nbuffers: {raw: {bytes: 64}}\n`;
    // a raw buffer (no struct) has no fields to leave out
    const raw = '  - {call: set_nonblock}\n  - {call: read, arg: raw, expect: {errno: EAGAIN}}\n';
    expect(diff(read.replace('DIFF', '') + raw, h)).toEqual([]);
    const only = `${head}expect: {differential_ignore: [reg_num]}\n`;
    expect(diff(read.replace('DIFF', ''), only)).toEqual([
      'differs from kmalloc: steps[2] pfm_read_pmds (line 8): buffer steps[2].arg[0].reg_value: kmalloc 0xb, skip-copy-back 0',
    ]);
  });

  it('named buffers an expectation names are compared after any step', () => {
    const h = `${head}buffers:\n  rd: {struct: pmd, value: [{reg_num: 0}]}\n`;
    expect(
      diff(
        '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 0xb}]}}\n  - {call: pfm_read_pmds, arg: rd, differential: false}\n  - {protect: rd, prot: rw, expect: {buffers: {rd: [{reg_num: 0}]}}}\n',
        h,
      ).filter((f) => f.startsWith('differs')),
    ).toEqual([
      'differs from kmalloc: steps[3] protect (line 10): buffer rd[0].reg_value: kmalloc 0xb, skip-copy-back 0',
    ]);
  });
});
