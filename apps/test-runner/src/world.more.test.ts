import { createStrategy } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.js';
import { makePlan } from './plan.js';
import { type RunOptions, runScenario } from './run.js';
import { World } from './world.js';

/**
 * The simulated world a scenario describes: its options, processes, threads, sysfs settings and
 * user buffers (layout, protection, boundaries), the values steps refer to, and the errors a
 * world that cannot be built or a value that cannot be resolved gives (file:line:col, field).
 */

const HEAD = 'name: t\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\n';

/** Every failure of the scenario `head` + `steps:` + steps. */
function failures(steps: string, head = HEAD, opts: RunOptions = {}): string[] {
  return runScenario(parseScenario(`${head}steps:\n${steps}`, 'x.yaml'), opts).tests.flatMap(
    (t) => t.failures,
  );
}

/** What each step recorded, as `--replay` prints it. */
function results(steps: string, head = HEAD): string[] {
  const lines: string[] = [];
  runScenario(parseScenario(`${head}steps:\n${steps}`, 'x.yaml'), {
    onLog: (_s, log) => {
      for (const o of log) lines.push(`${o.where.replace(/ \(line \d+\)$/, '')} -> ${o.result}`);
    },
  });
  return lines;
}

const CREATE = '  - {call: pfm_create_context, save: fd, expect: {ret: 0}}\n';

describe('options, processes and threads', () => {
  it('options: disabled makes perfmon ENOSYS', () => {
    expect(results(CREATE, HEAD.replace('strategy', 'options: {disabled: true}\nstrategy'))).toEqual([
      'steps[0] pfm_create_context -> ENOSYS',
    ]);
  });

  it('options: retflags and notify_block_self reach the kernel', () => {
    const steps = `${CREATE}  - {call: pfm_write_pmcs, arg: {pmc: [{reg_num: 9}]}, expect: {errno: EINVAL, out: {reg_flags: FLAGS}}}\n`;
    // Q1: historical perfmon leaves reg_flags alone; intent reports the unimplemented register
    expect(failures(steps.replace('FLAGS', '0'))).toEqual([]);
    expect(
      failures(
        steps.replace('FLAGS', 'REG_RETFL_NOTAVAIL'),
        HEAD.replace('strategy', 'options: {retflags: intent}\nstrategy'),
      ),
    ).toEqual([]);
    const block =
      '  - {call: pfm_create_context, flags: FL_NOTIFY_BLOCK, save: fd}\n  - {call: pfm_load_context, expect: {errno: ERR}}\n';
    expect(failures(block.replace('ERR', 'EINVAL'))).toEqual([]);
    expect(
      failures(
        block.replace('{errno: ERR}', '{ret: 0}'),
        HEAD.replace('strategy', 'options: {notify_block_self: allow}\nstrategy'),
      ),
    ).toEqual([]);
  });

  it('processes: uid, gid and fd_limit', () => {
    const head = HEAD.replace(
      'strategy',
      'processes: [{name: p, uid: 1000, gid: 50, fd_limit: 2}, {name: q, uid: 1001}]\nthreads: [{name: main, process: p}, {name: w, process: q}]\nsysfs: {task_group: 50}\nstrategy',
    );
    expect(
      results(
        `${CREATE}  - {call: dup}\n  - {call: dup}\n  - {call: pfm_create_context}\n  - {call: pfm_create_context, thread: w}\n`,
        head,
      ),
    ).toEqual([
      'steps[0] pfm_create_context -> ok 0',
      'steps[1] dup -> ok 1',
      'steps[2] dup -> EMFILE',
      'steps[3] pfm_create_context -> ENFILE',
      // q's gid (its uid by default) is not the task group
      'steps[4] pfm_create_context (w) -> EPERM',
    ]);
  });

  it('a process without fd_limit has the kernel default of 1024 descriptors', () => {
    const dups = Array.from({ length: 1022 }, () => '  - {call: dup}\n').join('');
    expect(
      failures(
        `${CREATE}${dups}  - {call: dup, expect: {ret: 1023}}\n  - {call: dup, expect: {errno: EMFILE}}\n`,
      ),
    ).toEqual([]);
  });

  it('threads: cpu, and the ids $t.tid, $t.cpu, $p.pid, $t.pid', () => {
    const head = HEAD.replace(
      'strategy',
      'processes: [{name: p}, {name: q}]\nthreads: [{name: main, process: p}, {name: w, process: q, cpu: 1}, {name: v, process: q}]\nbuffers: {b: {struct: pmd, count: 4}}\nstrategy',
    );
    const fill = (a: string, b: string) =>
      failures(
        `  - {fill: b, value: [{reg_value: ${a}}]}\n  - {run: 1, events: {CPU_CLK_UNHALTED: 1}, expect: {buffers: {b: [{reg_value: ${b}}]}}}\n`,
        head,
      );
    expect(fill('$w.cpu', '1')).toEqual([]);
    expect(fill('$main.cpu', '0')).toEqual([]);
    expect(fill('$w.pid', '$q.pid')).toEqual([]);
    expect(fill('$v.pid', '$q.pid')).toEqual([]);
    expect(fill('$main.pid', '$p.pid')).toEqual([]);
    expect(fill('$w.tid', '$v.tid')).toHaveLength(1);
    expect(fill('$p.pid', '$q.pid')).toHaveLength(1);
    expect(fill('$main.tid', '$w.tid')).toHaveLength(1);
  });

  it('$name.attr names a thread or process that exists, with an attribute it has', () => {
    const head = HEAD.replace(
      'strategy',
      'processes: [{name: p}]\nthreads: [{name: main, process: p}]\nstrategy',
    );
    expect(failures(`${CREATE}  - {call: pfm_load_context, pid: $nobody.tid}\n`, head)).toEqual([
      'x.yaml:8:30: steps[1].pid: no thread or process "nobody" for $nobody.tid',
    ]);
    // a process has a pid, not a tid or a cpu
    expect(failures(`${CREATE}  - {call: pfm_load_context, pid: $p.tid}\n`, head)).toEqual([
      'x.yaml:8:30: steps[1].pid: no thread or process "p" for $p.tid',
    ]);
    expect(failures(`${CREATE}  - {call: pfm_load_context, pid: $p.cpu}\n`, head)).toEqual([
      'x.yaml:8:30: steps[1].pid: no thread or process "p" for $p.cpu',
    ]);
    // a process's pid is its first thread's tid
    expect(failures(`${CREATE}  - {call: pfm_load_context, pid: $p.pid, expect: {ret: 0}}\n`, head)).toEqual(
      [],
    );
  });

  it('a buffer lives in the process named by process: (default: the first)', () => {
    const head = (buffers: string) =>
      HEAD.replace(
        'strategy',
        `processes: [{name: p}, {name: q}]\nthreads: [{name: main, process: p}, {name: w, process: q}]\nbuffers: ${buffers}\nstrategy`,
      );
    const steps =
      '  - {call: pfm_create_context, arg: b, thread: w}\n  - {call: pfm_create_context, arg: b}\n';
    // at the buffer's address the other process has nothing mapped
    expect(results(steps, head('{b: {struct: ctx, process: q}}'))).toEqual([
      'steps[0] pfm_create_context (w) -> ok 0',
      'steps[1] pfm_create_context -> EFAULT',
    ]);
    expect(results(steps, head('{b: {struct: ctx}}'))).toEqual([
      'steps[0] pfm_create_context (w) -> EFAULT',
      'steps[1] pfm_create_context -> ok 0',
    ]);
  });
});

describe('sysfs: written as root before the steps', () => {
  it('takes effect before the first step, and is not counted as a leak or a live object', () => {
    const head = HEAD.replace('strategy', 'sysfs: {arg_mem_max: 8192, debug: "1"}\nstrategy');
    expect(
      results(
        '  - {sysfs_read: arg_mem_max}\n  - {sysfs_read: debug}\n  - {check: memory, expect: {memory: baseline}}\n',
        head,
      ),
    ).toEqual(['steps[0] sysfs_read -> "8192"', 'steps[1] sysfs_read -> "1"', 'steps[2] check -> -']);
  });

  it('a write the kernel refuses is located at its key, with the errno', () => {
    const head = HEAD.replace('strategy', 'sysfs:\n  debug: 0\n  arg_mem_max: 100\nstrategy');
    expect(failures(CREATE, head)).toEqual(['x.yaml:5:3: sysfs.arg_mem_max: writing 100 gives EINVAL']);
    expect(failures(CREATE, HEAD.replace('strategy', 'sysfs: {nope: 1}\nstrategy'))).toEqual([
      'x.yaml:3:9: sysfs.nope: writing 1 gives ENOENT',
    ]);
  });
});

describe('values', () => {
  it('a value that is not an integer, or a constant that does not exist, is located', () => {
    expect(failures(`${CREATE}  - {call: pfm_write_pmds, arg: {struct: pmd}, count: NOPE}\n`)).toEqual([
      'x.yaml:6:48: steps[1].count: unknown constant "NOPE"',
    ]);
  });

  it('counts and fds must be within +-(2^53 - 1)', () => {
    const count = (c: string) =>
      failures(
        `${CREATE}  - {call: pfm_write_pmds, arg: {struct: pmd}, count: "${c}", expect: {errno: EINVAL}}\n`,
      );
    expect(count('9007199254740991')).toEqual([]);
    expect(count('-9007199254740991')).toEqual([]);
    expect(count('9007199254740992')).toEqual([
      'x.yaml:6:48: steps[1].count: 9007199254740992 is out of range here',
    ]);
    expect(count('-9007199254740992')).toEqual([
      'x.yaml:6:48: steps[1].count: -9007199254740992 is out of range here',
    ]);
  });

  it('a saved value too large for a field is located at the value', () => {
    const head = `${HEAD}buffers: {b: {struct: pmd}}\n`;
    expect(
      failures('  - {sysfs_read: buf_size_max, save: m}\n  - {fill: b, value: [{reg_num: $m}]}\n', head),
    ).toEqual(['x.yaml:7:23: steps[1].value[0]: b.reg_num: 18446744073709551616 does not fit in a u16']);
    expect(
      failures('  - {sysfs_read: buf_size_max, save: m}\n  - {fill: b, value: {reg_num: $m}}\n', head),
    ).toEqual(['x.yaml:7:15: steps[1].value: b.reg_num: 18446744073709551616 does not fit in a u16']);
  });

  it('a reference in a struct value that is not saved is located at the struct', () => {
    expect(
      failures(
        '  - {fill: b, value: [{reg_num: 1}, {reg_num: $nope}]}\n',
        `${HEAD}buffers: {b: {struct: pmd, count: 2}}\n`,
      ),
    ).toEqual(['x.yaml:6:37: steps[0].value[1]: $nope is not saved yet']);
  });

  it('values with $references are resolved in each world (strategies may save different values)', () => {
    // pmd_max_fast_arg: 0 for kmalloc, 4 for the stack strategy
    const head = `${HEAD.replace('strategy: kmalloc', 'strategy: [kmalloc, stack]')}buffers: {b: {struct: pmd}}\n`;
    expect(
      failures(
        '  - {sysfs_read: pmd_max_fast_arg, save: m, differential: false}\n' +
          '  - {fill: b, value: {reg_value: $m}, differential: false, expect: {by_strategy: {kmalloc: {buffers: {b: {reg_value: 0}}}, stack: {buffers: {b: {reg_value: 4}}}}}}\n',
        head,
      ),
    ).toEqual([]);
  });
});

describe('buffers', () => {
  const run = (buffers: string, steps: string) =>
    results(`${CREATE}${steps}`, `${HEAD}sysfs: {arg_mem_max: 8192}\nbuffers:\n${buffers}`).slice(1);

  it('a buffer without struct: is raw bytes (a page by default); value: needs a struct', () => {
    expect(
      run(
        '  raw: {}\n  small: {bytes: 55}\n  exact: {bytes: 56}\n',
        '  - {call: set_nonblock}\n  - {call: read, arg: raw}\n  - {call: read, arg: small}\n  - {call: read, arg: exact}\n',
      ),
    ).toEqual([
      'steps[1] set_nonblock -> ok 0',
      'steps[2] read -> EAGAIN',
      'steps[3] read -> EINVAL',
      'steps[4] read -> EAGAIN',
    ]);
    expect(failures(`${CREATE}  - {call: pfm_create_context, fmt_arg: {value: {reg_num: 1}}}\n`)).toEqual([
      'x.yaml:6:32: steps[1].fmt_arg: give struct: to write value:',
    ]);
  });

  it('count: defaults to the values given, or one element; fewer than the values is an error', () => {
    const head = `${HEAD}sysfs: {arg_mem_max: 8192}\n`;
    const write = (arg: string) => results(`${CREATE}  - {call: pfm_write_pmds, arg: ${arg}}\n`, head)[1];
    expect(write('{struct: pmd, prot: none}')).toBe('steps[1] pfm_write_pmds -> EFAULT');
    expect(write('{struct: pmd, value: [], prot: none}')).toBe('steps[1] pfm_write_pmds -> ok 0');
    expect(write('{struct: pmd, count: 47, value: [{reg_num: 0}]}')).toBe('steps[1] pfm_write_pmds -> E2BIG');
    expect(
      write(
        '{struct: pmd, value: [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}]}',
      ),
    ).toBe('steps[1] pfm_write_pmds -> E2BIG');
    expect(failures(CREATE, `${HEAD}buffers:\n  b: {struct: pmd, count: 1, value: [{}, {}]}\n`)).toEqual([
      'x.yaml:5:20: buffers.b.count: count 1 < 2 values',
    ]);
    expect(failures(CREATE, `${HEAD}buffers:\n  b: {struct: pmd, count: 2, value: [{}, {}]}\n`)).toEqual([]);
  });

  it('bytes: maps at least that much; a buffer of no elements still maps a page', () => {
    const write = '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 3}]}}\n';
    expect(
      run(
        '  big: {struct: pmd, bytes: 8192}\n  none: {struct: pmd, count: 0}\n',
        `${write}  - {call: pfm_read_pmds, arg: big+4096, count: 1}\n  - {call: pfm_read_pmds, arg: big+8192, count: 1}\n  - {call: pfm_read_pmds, arg: none, count: 1}\n  - {call: pfm_read_pmds, arg: none+4000, count: 1}\n`,
      ),
    ).toEqual([
      'steps[1] pfm_write_pmds -> ok 0',
      'steps[2] pfm_read_pmds -> ok 0',
      'steps[3] pfm_read_pmds -> EFAULT',
      'steps[4] pfm_read_pmds -> ok 0',
      'steps[5] pfm_read_pmds -> EFAULT',
    ]);
  });

  it('offset: where the data starts in the mapping', () => {
    const write = '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 3}]}}\n';
    expect(
      run(
        '  o: {struct: pmd, offset: 4000, value: [{reg_num: 0}]}\n',
        `${write}  - {call: pfm_read_pmds, arg: o, expect: {out: {reg_value: 3}}}\n  - {call: pfm_read_pmds, arg: o - 4000, count: 1}\n  - {call: pfm_read_pmds, arg: o+4016, count: 1}\n  - {call: pfm_read_pmds, arg: o+4017, count: 1}\n`,
      ),
    ).toEqual([
      'steps[1] pfm_write_pmds -> ok 0',
      'steps[2] pfm_read_pmds -> ok 0',
      'steps[3] pfm_read_pmds -> ok 0',
      // 4000 + 176 bytes: the mapping is two pages
      'steps[4] pfm_read_pmds -> ok 0',
      'steps[5] pfm_read_pmds -> EFAULT',
    ]);
  });

  it('prot:, not_present: and unmapped: pages', () => {
    const write = '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 3}]}}\n';
    expect(
      run(
        '  ro: {struct: pmd, prot: ro}\n  none: {struct: pmd, prot: none}\n  np: {struct: pmd, count: 30, not_present: [0, 1], value: [{reg_num: 0}]}\n  um: {struct: pmd, count: 30, unmapped: [1]}\n',
        `${write}  - {call: pfm_read_pmds, arg: ro}\n  - {call: pfm_write_pmds, arg: ro}\n  - {call: pfm_write_pmds, arg: none}\n  - {call: pfm_read_pmds, arg: np, count: 1, expect: {out: {reg_value: 3}}}\n  - {call: pfm_write_pmds, arg: np, expect: {unchanged: true}}\n  - {call: pfm_write_pmds, arg: um, count: 23}\n  - {call: pfm_write_pmds, arg: um, count: 24}\n`,
      ),
    ).toEqual([
      'steps[1] pfm_write_pmds -> ok 0',
      'steps[2] pfm_read_pmds -> EFAULT',
      'steps[3] pfm_write_pmds -> EFAULT',
      'steps[4] pfm_write_pmds -> EFAULT',
      'steps[5] pfm_read_pmds -> ok 0',
      'steps[6] pfm_write_pmds -> ok 0',
      'steps[7] pfm_write_pmds -> ok 0',
      'steps[8] pfm_write_pmds -> EFAULT',
    ]);
  });

  it('a page made not present costs a minor fault on the first touch', () => {
    const cost = (buffer: string) => {
      const [f] = failures(
        `${CREATE}  - {call: pfm_write_pmds, arg: b, expect: {cost: {max: 0}}}\n`,
        `${HEAD}buffers:\n  b: ${buffer}\n`,
      );
      return Number(/cost (\d+) cycles/.exec(f!)![1]);
    };
    const present = cost('{struct: pmd}');
    expect(cost('{struct: pmd, not_present: [0]}')).toBeGreaterThan(present);
    expect(cost('{struct: pmd, not_present: [1]}')).toBe(present);
    // not_present: [k] is page k of the buffer's own mapping
    const two = (b: string) => {
      const [f] = failures(
        `${CREATE}  - {call: pfm_write_pmds, arg: b, expect: {cost: {max: 0}}}\n`,
        `${HEAD}sysfs: {arg_mem_max: 8192}\nbuffers:\n  b: ${b}\n`,
      );
      return Number(/cost (\d+) cycles/.exec(f!)![1]);
    };
    expect(two('{struct: pmd, count: 30, not_present: [1]}')).toBeGreaterThan(
      two('{struct: pmd, count: 30}'),
    );
    expect(cost('{struct: pmd, count: 1, boundary: {element: 1, fault: not_present}}')).toBe(present);
    expect(cost('{struct: pmd, count: 1, boundary: {element: 0, fault: not_present}}')).toBeGreaterThan(
      present,
    );
  });

  it('boundary: element k (or byte k) starts a page, and that page and the rest are bad', () => {
    const write = '  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 0, reg_value: 3}]}}\n';
    expect(
      run(
        '  u: {struct: pmd, count: 3, boundary: {element: 2, fault: unmapped}}\n' +
          '  r: {struct: pmd, count: 3, boundary: {element: 1, fault: readonly}}\n' +
          '  n: {struct: pmd, count: 3, boundary: {element: 1, fault: not_present}}\n' +
          '  z: {struct: pmd, count: 3, boundary: {fault: unmapped}}\n' +
          '  y: {struct: pmd, count: 3, boundary: {byte: 8, fault: unmapped}}\n' +
          '  e: {struct: pmd, count: 2, boundary: {element: 2, fault: not_present}}\n',
        `${write}  - {call: pfm_write_pmds, arg: u, count: 2}\n  - {call: pfm_write_pmds, arg: u}\n  - {call: pfm_read_pmds, arg: r}\n  - {call: pfm_write_pmds, arg: r, count: 1}\n  - {call: pfm_read_pmds, arg: n, expect: {out: [{reg_value: 3}, {reg_value: 3}, {reg_value: 3}]}}\n  - {call: pfm_write_pmds, arg: z}\n  - {call: pfm_write_pmds, arg: y}\n  - {call: pfm_read_pmds, arg: y - 176, count: 1}\n  - {call: pfm_read_pmds, arg: e+352, count: 1}\n`,
      ),
    ).toEqual([
      'steps[1] pfm_write_pmds -> ok 0',
      'steps[2] pfm_write_pmds -> ok 0',
      'steps[3] pfm_write_pmds -> EFAULT',
      'steps[4] pfm_read_pmds -> EFAULT',
      'steps[5] pfm_write_pmds -> ok 0',
      'steps[6] pfm_read_pmds -> ok 0',
      'steps[7] pfm_write_pmds -> EFAULT',
      'steps[8] pfm_write_pmds -> EFAULT',
      // byte 8 starts the bad page: the 176 bytes before the data are good
      'steps[9] pfm_read_pmds -> ok 0',
      // element 2 of 2: the page after the data is mapped, and only made not present
      'steps[10] pfm_read_pmds -> ok 0',
    ]);
  });

  it('boundary: excludes offset:, and lies within the data', () => {
    expect(
      failures(
        CREATE,
        `${HEAD}buffers:\n  b: {struct: pmd, offset: 8, boundary: {element: 0, fault: unmapped}}\n`,
      ),
    ).toEqual(['x.yaml:5:20: buffers.b.offset: offset and boundary exclude each other']);
    expect(
      failures(
        CREATE,
        `${HEAD}buffers:\n  b: {struct: pmd, count: 2, boundary: {element: 3, fault: unmapped}}\n`,
      ),
    ).toEqual(['x.yaml:5:30: buffers.b.boundary: boundary at byte 528 lies beyond the 352 data bytes']);
    expect(
      failures(
        CREATE,
        `${HEAD}buffers:\n  b: {struct: pmd, count: 2, boundary: {byte: 353, fault: unmapped}}\n`,
      ),
    ).toEqual(['x.yaml:5:30: buffers.b.boundary: boundary at byte 353 lies beyond the 352 data bytes']);
    expect(
      failures(
        CREATE,
        `${HEAD}buffers:\n  b: {struct: pmd, count: 2, boundary: {byte: 352, fault: unmapped}}\n`,
      ),
    ).toEqual([]);
  });

  it('the readonly and unmapped pointers are a read-only zero page and a hole, per process', () => {
    const head = HEAD.replace(
      'strategy',
      'processes: [{name: p}, {name: q}]\nthreads: [{name: main, process: p}, {name: w, process: q}]\nstrategy',
    );
    expect(
      results(
        `${CREATE}  - {call: pfm_load_context, arg: readonly}\n  - {call: pfm_load_context, arg: unmapped}\n  - {call: pfm_create_context, thread: w, save: g}\n  - {call: pfm_load_context, fd: $g, thread: w, arg: readonly}\n  - {call: pfm_load_context, fd: $g, thread: w, arg: unmapped}\n  - {call: pfm_load_context, arg: readonly}\n`,
        head,
      ),
    ).toEqual([
      'steps[0] pfm_create_context -> ok 0',
      // load_pid 0 read from the zero page: no such task
      'steps[1] pfm_load_context -> ESRCH',
      'steps[2] pfm_load_context -> EFAULT',
      'steps[3] pfm_create_context (w) -> ok 0',
      'steps[4] pfm_load_context (w) -> ESRCH',
      'steps[5] pfm_load_context (w) -> EFAULT',
      'steps[6] pfm_load_context -> ESRCH',
    ]);
  });
});

describe('the World of a plan', () => {
  const plan = (text: string) => makePlan(parseScenario(`${HEAD}${text}steps: []\n`, 'x.yaml'));

  it('fill: zeroes the data first; refuses values a raw buffer or a struct cannot take', () => {
    const w = new World(
      plan('buffers: {b: {struct: pmd, count: 2, value: [{reg_num: 5}, {reg_num: 6}]}, raw: {bytes: 8}}\n'),
      'kmalloc',
      createStrategy('kmalloc'),
      1,
    );
    const b = w.buffers.get('b')!;
    const view = w.raw(b.proc, b.data, b.dataBytes)!;
    expect(view.getUint16(0, true)).toBe(5);
    expect(view.getUint16(176, true)).toBe(6);
    w.fill(b, undefined, ['steps', 0, 'value']);
    expect(new Uint8Array(view.buffer, view.byteOffset, b.dataBytes).every((x) => x === 0)).toBe(true);
    w.fill(b, { reg_num: 7 }, ['steps', 0, 'value']);
    expect([view.getUint16(0, true), view.getUint16(176, true)]).toEqual([7, 0]);
    const err = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return `${(e as { path: unknown[] }).path.join('/')}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(err(() => w.fill(b, [{ reg_num: 1 }, 5], ['steps', 0, 'value']))).toBe(
      'steps/0/value/1: expected a pmd struct (a mapping of field names)',
    );
    expect(err(() => w.fill(b, [null], ['steps', 0, 'value']))).toBe(
      'steps/0/value/0: expected a pmd struct (a mapping of field names)',
    );
    expect(err(() => w.fill(b, [[]], ['steps', 0, 'value']))).toBe(
      'steps/0/value/0: expected a pmd struct (a mapping of field names)',
    );
    expect(err(() => w.fill(b, { reg_nun: 1 }, ['steps', 0, 'value']))).toMatch(
      /^steps\/0\/value: pfarg_pmd \(v2\) has no field "reg_nun"; fields: reg_num, /,
    );
    expect(err(() => w.fill(w.buffers.get('raw')!, { reg_num: 1 }, ['steps', 0, 'value']))).toBe(
      'steps/0/value: give the buffer a struct: to fill it with values',
    );
    // a raw buffer can still be zeroed
    expect(err(() => w.fill(w.buffers.get('raw')!, undefined, ['steps', 0, 'value']))).toBe('no error');
  });

  it('raw: a view only inside one mapping', () => {
    const w = new World(plan('buffers: {b: {struct: pmd}}\n'), 'kmalloc', createStrategy('kmalloc'), 1);
    const b = w.buffers.get('b')!;
    expect(w.raw(b.proc, b.base, b.mapBytes)?.byteLength).toBe(4096);
    expect(w.raw(b.proc, b.base, b.mapBytes + 1)).toBeNull();
    expect(w.raw(b.proc, b.base + 4095, 1)?.byteLength).toBe(1);
  });

  it('copyBytes: copies, 8-aligned in the scratch area while it has room, fresh arrays after', () => {
    const w = new World(plan('buffers: {b: {struct: pmd}}\n'), 'kmalloc', createStrategy('kmalloc'), 1);
    const b = w.buffers.get('b')!;
    const live = new Uint8Array(
      w.raw(b.proc, b.base, 4096)!.buffer,
      w.raw(b.proc, b.base, 4096)!.byteOffset,
      4096,
    );
    live.set([1, 2, 3]);
    expect(w.copyBytes(b.proc, b.base + 4000, 200)).toBeNull(); // past the mapping
    const first = w.copyBytes(b.proc, b.base, 3)!;
    expect([...first]).toEqual([1, 2, 3]);
    const second = w.copyBytes(b.proc, b.base, 4)!;
    expect(second.byteOffset - first.byteOffset).toBe(8);
    expect(second.buffer).toBe(first.buffer);
    live[0] = 9; // a copy, not a window
    expect(first[0]).toBe(1);
    const copies = Array.from({ length: 16 }, () => w.copyBytes(b.proc, b.base, 4096)!);
    expect(copies.every((c) => c[0] === 9 && c.length === 4096)).toBe(true);
    expect(copies[14]!.buffer).toBe(first.buffer); // 16 + 14 * 4096 + 4096 <= 65536
    expect(copies[15]!.buffer).not.toBe(first.buffer); // the area is full: a fresh array
    expect(first[0]).toBe(1); // nothing handed out is overwritten
  });
});
