import { createKmallocStrategy } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './load.js';
import {
  DEFAULT_STRATEGIES,
  type ExtraStrategies,
  makePlan,
  type Plan,
  type PlanOptions,
  strategyFactory,
} from './plan.js';

const H = 'name: t\nmachine: p4-2006\n';

function plan(text: string, opts?: PlanOptions): Plan {
  return makePlan(parseScenario(text, 'x.yaml'), opts);
}

/** The located error makePlan gives for a file, or '' when the plan is made. */
function planError(text: string, opts?: PlanOptions): string {
  const sc = parseScenario(text, 'x.yaml');
  try {
    makePlan(sc, opts);
    return '';
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
}

const EXTRA: ExtraStrategies = new Map([
  ['my-broken', () => ({ ...createKmallocStrategy(), name: 'my-broken' })],
]);

describe('the machine', () => {
  it('a preset gives its arch, cost profile and PMU model', () => {
    const p = plan('name: t\nmachine: k8-2006\n');
    expect(p.machine).toEqual({ id: 'k8-2006', arch: 'x86_64', cost: 'k8-2006', pmu: 'amd64-k8' });
    expect(p.model.id).toBe('amd64-k8');
  });

  it('{preset} alone is the preset; each of arch, cost, pmu overrides it', () => {
    expect(plan('name: t\nmachine: {preset: core2-2007}\n').machine).toEqual({
      id: 'core2-2007',
      arch: 'x86_64',
      cost: 'core2-2007',
      pmu: 'intel-core',
    });
    expect(plan('name: t\nmachine: {preset: k8-2006, pmu: intel-core}\n').machine).toEqual({
      id: 'x86_64/k8-2006/intel-core',
      arch: 'x86_64',
      cost: 'k8-2006',
      pmu: 'intel-core',
    });
    expect(plan('name: t\nmachine: {preset: k8-2006, arch: ia64}\n').machine.id).toBe(
      'ia64/k8-2006/amd64-k8',
    );
    expect(plan('name: t\nmachine: {preset: k8-2006, cost: core2-2007}\n').machine.id).toBe(
      'x86_64/core2-2007/amd64-k8',
    );
    const p = plan('name: t\nmachine: {preset: k8-2006, pmu: intel-core}\n');
    expect(p.model.id).toBe('intel-core');
  });

  it('{arch, cost, pmu} without a preset', () => {
    const p = plan('name: t\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\n');
    expect(p.machine).toEqual({
      id: 'i386/p4-2006/intel-p6',
      arch: 'i386',
      cost: 'p4-2006',
      pmu: 'intel-p6',
    });
    expect(p.model.id).toBe('intel-p6');
  });

  it('without a preset, each of arch, cost and pmu is required', () => {
    const msg =
      'x.yaml:2:1: machine: without a preset, give arch, cost and pmu (presets: p4-2006, p4-2006-4k, core2-2007, k8-2006, itanium2-2006, power5-2006, modern, modern-mitigated)';
    expect(planError('name: t\nmachine: {cost: p4-2006, pmu: intel-p6}\n')).toBe(msg);
    expect(planError('name: t\nmachine: {arch: i386, pmu: intel-p6}\n')).toBe(msg);
    expect(planError('name: t\nmachine: {arch: i386, cost: p4-2006}\n')).toBe(msg);
    expect(planError('name: t\nmachine: {}\n')).toBe(msg);
  });

  it('an unknown preset or PMU model is located at machine:', () => {
    expect(planError('name: t\nmachine: p4-2007\n')).toBe(
      'x.yaml:2:1: machine: invalid machine: "p4-2007" (accepted: p4-2006, p4-2006-4k, core2-2007, k8-2006, itanium2-2006, power5-2006, modern, modern-mitigated; did you mean "p4-2006"?)',
    );
    expect(planError('name: t\nmachine: {preset: p4-2007, pmu: intel-p6}\n')).toMatch(
      /^x\.yaml:2:1: machine: invalid machine: "p4-2007"/,
    );
    expect(planError('name: t\nmachine: {preset: p4-2006, pmu: intel-p7}\n')).toBe(
      'x.yaml:2:1: machine: unknown PMU model "intel-p7"; accepted ids: amd64-fam10h, amd64-k8, intel-arch-perfmon, intel-core, intel-p4, intel-p6, itanium2, mips64, montecito, power5',
    );
    expect(planError('name: t\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p7}\n')).toMatch(
      /^x\.yaml:2:1: machine: unknown PMU model "intel-p7"/,
    );
  });
});

describe('the ABI profile', () => {
  it('is v2.3 by default, else the one named', () => {
    expect(plan(H).abi.id).toBe('v2.3');
    expect(plan(`${H}abi: v2.2\n`).abi.id).toBe('v2.2');
    expect(plan(`${H}abi: v2-compact\n`).abi.id).toBe('v2-compact');
  });

  it('decides the struct fields a file may write (v2.2 pfarg_ctx has ctx_fd)', () => {
    const step = 'steps:\n  - {call: pfm_create_context, arg: {ctx: {ctx_fd: 3}}}\n';
    expect(planError(`${H}abi: v2.2\n${step}`)).toBe('');
    expect(planError(`${H}${step}`)).toBe(
      'x.yaml:4:38: steps[0].arg.ctx: pfarg_ctx (v2.3) has no field "ctx_fd"; fields: ctx_flags',
    );
  });
});

describe('strategies', () => {
  it('"all" (the default) is every shipped strategy except the two broken on purpose', () => {
    expect(DEFAULT_STRATEGIES).toEqual([
      'kmalloc',
      'stack',
      'ctx-cache',
      'ctx-cache-mutex',
      'ctx-cache-bounded',
      'task-cache',
      'slab-cache',
      'hybrid',
    ]);
    expect(plan(H).strategies).toEqual(DEFAULT_STRATEGIES);
    expect(plan(`${H}strategy: all\n`).strategies).toEqual(DEFAULT_STRATEGIES);
  });

  it('a name, or a list in order without repeats; broken ones run when named', () => {
    expect(plan(`${H}strategy: stack\n`).strategies).toEqual(['stack']);
    expect(plan(`${H}strategy: [hybrid, kmalloc, hybrid]\n`).strategies).toEqual(['hybrid', 'kmalloc']);
    expect(plan(`${H}strategy: [ctx-cache-naive, all]\n`).strategies).toEqual([
      'ctx-cache-naive',
      ...DEFAULT_STRATEGIES,
    ]);
    expect(plan(`${H}strategy: [stack, all]\n`).strategies).toEqual([
      'stack',
      ...DEFAULT_STRATEGIES.filter((s) => s !== 'stack'),
    ]);
  });

  it('--strategy overrides the file', () => {
    expect(plan(`${H}strategy: stack\n`, { strategies: ['hybrid', 'kmalloc'] }).strategies).toEqual([
      'hybrid',
      'kmalloc',
    ]);
    expect(plan(`${H}strategy: stack\n`, { strategies: ['all'] }).strategies).toEqual(DEFAULT_STRATEGIES);
  });

  it('an unknown name in the file is located at strategy:', () => {
    expect(planError(`${H}strategy: kmaloc\n`)).toBe(
      'x.yaml:3:1: strategy: unknown strategy "kmaloc" (did you mean "kmalloc"?); no plugin is loaded: if a plugin defines it, list its plugin under `plugins:` or pass --plugin FILE',
    );
    expect(planError(`${H}strategy: [stack, zzzzzzzzzzzzzz]\n`)).toBe(
      'x.yaml:3:1: strategy: unknown strategy "zzzzzzzzzzzzzz" (known: kmalloc, stack, ctx-cache-naive, ctx-cache-spinsplit, ctx-cache, ctx-cache-mutex, ctx-cache-bounded, task-cache, slab-cache, hybrid, all); no plugin is loaded: if a plugin defines it, list its plugin under `plugins:` or pass --plugin FILE',
    );
  });

  it('an unknown --strategy is a plain error (the flag, not the file, is wrong)', () => {
    const sc = parseScenario(`${H}strategy: stack\n`, 'x.yaml');
    let err: unknown;
    try {
      makePlan(sc, { strategies: ['kmaloc'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ScenarioError);
    expect((err as Error).message).toBe(
      'unknown strategy "kmaloc" (did you mean "kmalloc"?); no plugin is loaded: if a plugin defines it, pass --plugin FILE',
    );
    expect(() => makePlan(sc, { strategies: ['zzzzzzzzzzzz'] })).toThrow(
      /^unknown strategy "zzzzzzzzzzzz" \(known: kmalloc, stack, ctx-cache-naive, ctx-cache-spinsplit, ctx-cache, ctx-cache-mutex, ctx-cache-bounded, task-cache, slab-cache, hybrid, all\); no plugin is loaded: if a plugin defines it, pass --plugin FILE$/,
    );
  });

  it('extra strategies (built in tests) are accepted by name, in the file and in by_strategy', () => {
    const p = plan(
      `${H}strategy: [kmalloc, my-broken]\nsteps:\n  - {call: pfm_stop, expect: {by_strategy: {my-broken: {ok: true}}}}\n`,
      { extraStrategies: EXTRA },
    );
    expect(p.strategies).toEqual(['kmalloc', 'my-broken']);
    expect(p.extra).toBe(EXTRA);
    expect(planError(`${H}strategy: my-broken\n`)).toMatch(/unknown strategy "my-broken"/);
    expect(plan(H).extra.size).toBe(0);
  });

  it('strategyFactory: an extra one first, then the registry, else null', () => {
    const mine = () => ({ ...createKmallocStrategy(), name: 'mine' });
    const extra: ExtraStrategies = new Map([['kmalloc', mine]]);
    expect(strategyFactory('kmalloc', extra)).toBe(mine);
    expect(strategyFactory('kmalloc')!().name).toBe('kmalloc');
    expect(strategyFactory('ctx-cache-naive')!().name).toBe('ctx-cache-naive');
    expect(strategyFactory('nope')).toBeNull();
    expect(strategyFactory('nope', extra)).toBeNull();
  });
});

describe('processes and threads', () => {
  it('by default one process "proc" (uid and gid 1000) and one thread "main" on it', () => {
    const p = plan(H);
    expect(p.processes).toEqual([{ name: 'proc', uid: 1000, gid: 1000, fdLimit: undefined }]);
    expect(p.threads).toEqual([{ name: 'main', process: 'proc', cpu: undefined, steps: undefined }]);
    expect(p.cpus).toBe(2);
  });

  it('gid defaults to the uid, then 1000; fd_limit is kept', () => {
    const p = plan(
      `${H}processes:\n  - {name: a, uid: 0}\n  - {name: b, uid: 5, gid: 7, fd_limit: 4}\n  - {name: c}\n  - {name: d, gid: 3}\n`,
    );
    expect(p.processes).toEqual([
      { name: 'a', uid: 0, gid: 0, fdLimit: undefined },
      { name: 'b', uid: 5, gid: 7, fdLimit: 4 },
      { name: 'c', uid: 1000, gid: 1000, fdLimit: undefined },
      { name: 'd', uid: 1000, gid: 3, fdLimit: undefined },
    ]);
  });

  it('a thread runs in the first process unless it names one', () => {
    const p = plan(
      `${H}processes: [{name: a}, {name: b}]\nthreads:\n  - {name: T, cpu: 1}\n  - {name: U, process: b, steps: [{call: pfm_stop}]}\n`,
    );
    expect(p.threads).toEqual([
      { name: 'T', process: 'a', cpu: 1, steps: undefined },
      { name: 'U', process: 'b', cpu: undefined, steps: [{ call: 'pfm_stop' }] },
    ]);
  });

  it('a thread cpu must be below cpus', () => {
    expect(plan(`${H}cpus: 4\nthreads: [{name: T, cpu: 3}]\n`).cpus).toBe(4);
    expect(planError(`${H}threads: [{name: T, cpu: 1}]\n`)).toBe('');
    expect(planError(`${H}threads: [{name: T, cpu: 2}]\n`)).toBe(
      'x.yaml:3:21: threads[0].cpu: cpu 2 does not exist (cpus: 2)',
    );
    expect(planError(`${H}cpus: 1\nthreads: [{name: T, cpu: 1}]\n`)).toBe(
      'x.yaml:4:21: threads[0].cpu: cpu 1 does not exist (cpus: 1)',
    );
  });

  it('names must be known and distinct; every problem is listed', () => {
    expect(
      planError(
        `${H}processes: [{name: p}, {name: p}]\nthreads:\n  - {name: a, cpu: 2}\n  - {name: a, process: q}\n`,
      ),
    ).toBe(
      [
        'x.yaml:3:1: processes: two processes named "p"',
        'x.yaml:5:15: threads[0].cpu: cpu 2 does not exist (cpus: 2)',
        'x.yaml:6:15: threads[1].process: unknown process "q" (did you mean "p"?)',
        'x.yaml:4:1: threads: two threads named "a"',
      ].join('\n'),
    );
    expect(planError(`${H}threads: [{name: T, process: zzzzzzzzzzzz}]\n`)).toBe(
      'x.yaml:3:21: threads[0].process: unknown process "zzzzzzzzzzzz" (known: proc)',
    );
  });
});

describe('workloads', () => {
  it('named workloads are built for the PMU model; an unknown event is located', () => {
    const p = plan(`${H}workloads:\n  w: {INSTR_RETIRED: 1}\n  v: {INSTR_RETIRED: {user: 1, kernel: 2}}\n`);
    expect([...p.workloads.keys()]).toEqual(['w', 'v']);
    expect(p.workloads.get('w')!.spec.name).toBe('w');
    expect(planError(`${H}workloads:\n  w: {NOPE: 1}\n`)).toBe(
      'x.yaml:4:3: workloads.w: invalid workload event for intel-p4: "NOPE" (accepted: an event name of the model)',
    );
  });

  it('a run step names a known workload, or gives events: (built per step)', () => {
    const text = `${H}workloads: {w: {INSTR_RETIRED: 1}}\nsteps:\n  - {run: 5, workload: w}\n  - {run: 5, events: {INSTR_RETIRED: 2}}\n`;
    const p = plan(text);
    const steps = p.sc.data.steps!;
    expect(p.stepWorkloads.size).toBe(1);
    expect(p.stepWorkloads.has(steps[0]!)).toBe(false);
    expect(p.stepWorkloads.get(steps[1]!)!.spec.name).toBe('line 6');
    expect(planError(`${H}steps:\n  - {run: 5, workload: w}\n`)).toBe(
      'x.yaml:4:14: steps[0].workload: unknown workload "w"',
    );
    expect(planError(`${H}workloads: {wl: {INSTR_RETIRED: 1}}\nsteps:\n  - {run: 5, workload: w1}\n`)).toBe(
      'x.yaml:5:14: steps[0].workload: unknown workload "w1" (did you mean "wl"?)',
    );
    expect(planError(`${H}steps:\n  - {run: 5, events: {NOPE: 1}}\n`)).toBe(
      'x.yaml:4:14: steps[0].events: invalid workload event for intel-p4: "NOPE" (accepted: an event name of the model)',
    );
  });
});

describe('names used by steps', () => {
  const B = `${H}buffers: {b: {struct: pmd}}\nthreads: [{name: main}, {name: W}]\n`;

  it('threads, and the thread of ptrace and exit ("self" allowed)', () => {
    expect(
      planError(`${B}steps:\n  - {call: pfm_stop, thread: W}\n  - {ptrace_attach: W}\n  - {exit: self}\n`),
    ).toBe('');
    expect(
      planError(
        `${B}steps:\n  - {call: pfm_stop, thread: X}\n  - {ptrace_attach: zzzzzzzz}\n  - {ptrace_detach: V}\n  - {exit: mian}\n  - {ptrace_attach: self}\n  - {ptrace_detach: self}\n`,
      ),
    ).toBe(
      [
        'x.yaml:6:22: steps[0].thread: unknown thread "X" (did you mean "W"?)',
        'x.yaml:7:6: steps[1].ptrace_attach: unknown thread "zzzzzzzz" (known: main, W)',
        'x.yaml:8:6: steps[2].ptrace_detach: unknown thread "V" (did you mean "W"?)',
        'x.yaml:9:6: steps[3].exit: unknown thread "mian" (did you mean "main"?)',
      ].join('\n'),
    );
  });

  it('the buffer of fill, unmap, drop_pages and protect', () => {
    expect(
      planError(
        `${B}steps:\n  - {fill: b, value: {reg_num: 1}}\n  - {unmap: b}\n  - {drop_pages: b}\n  - {protect: b, prot: ro}\n`,
      ),
    ).toBe('');
    expect(
      planError(
        `${B}steps:\n  - {fill: c, value: 1}\n  - {unmap: c}\n  - {drop_pages: c}\n  - {protect: zzzzzzz, prot: ro}\n`,
      ),
    ).toBe(
      [
        'x.yaml:6:6: steps[0].fill: unknown buffer "c" (did you mean "b"?)',
        'x.yaml:7:6: steps[1].unmap: unknown buffer "c" (did you mean "b"?)',
        'x.yaml:8:6: steps[2].drop_pages: unknown buffer "c" (did you mean "b"?)',
        'x.yaml:9:6: steps[3].protect: unknown buffer "zzzzzzz" (known: b)',
      ].join('\n'),
    );
  });

  it('pointers: a buffer, name+OFFSET, name-OFFSET, hex offsets, and the special names', () => {
    const ok = ['b', 'b+176', 'b + 0x10', 'b - 8', 'b+0', 'null', 'unmapped', 'readonly', 'kernel'];
    for (const a of ok) expect(planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: "${a}"}\n`), a).toBe('');
  });

  it('an unknown buffer name, and a pointer that is not name+OFFSET', () => {
    const at = (a: string) => planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: "${a}"}\n`);
    expect(at('bb+8')).toBe('x.yaml:6:27: steps[0].arg: unknown buffer "bb" (did you mean "b"?)');
    expect(at('qqqqqqqqqqqq')).toBe(
      'x.yaml:6:27: steps[0].arg: unknown buffer "qqqqqqqqqqqq" (known: b, null, unmapped, readonly, kernel)',
    );
    expect(at('kernel+8')).toMatch(/unknown buffer "kernel"/);
    expect(at('b+')).toBe('x.yaml:6:27: steps[0].arg: bad pointer "b+"');
    expect(at('b+0xz')).toBe('x.yaml:6:27: steps[0].arg: bad pointer "b+0xz"');
    expect(at('1b')).toBe('x.yaml:6:27: steps[0].arg: bad pointer "1b"');
    expect(at('b*2')).toBe('x.yaml:6:27: steps[0].arg: bad pointer "b*2"');
    expect(at(' b')).toBe('x.yaml:6:27: steps[0].arg: bad pointer " b"');
    expect(at('b+8 ')).toBe('x.yaml:6:27: steps[0].arg: bad pointer "b+8 "');
  });

  it('a buffer in another process must name a known process', () => {
    expect(
      planError(`${H}processes: [{name: p}, {name: q}]\nbuffers: {b: {struct: pmd, process: q}}\n`),
    ).toBe('');
    expect(planError(`${H}buffers: {b: {struct: pmd, process: qq}}\n`)).toBe(
      'x.yaml:3:28: buffers.b.process: unknown process "qq" (known: proc)',
    );
  });

  it('by_strategy names a strategy (broken ones included)', () => {
    expect(
      planError(`${H}steps:\n  - {call: pfm_stop, expect: {by_strategy: {ctx-cache-naive: {ok: true}}}}\n`),
    ).toBe('');
    expect(planError(`${H}steps:\n  - {call: pfm_stop, expect: {by_strategy: {kmaloc: {ret: 0}}}}\n`)).toBe(
      'x.yaml:4:45: steps[0].expect.by_strategy.kmaloc: unknown strategy "kmaloc" (did you mean "kmalloc"?); no plugin is loaded: if a plugin defines it, list its plugin under `plugins:` or pass --plugin FILE',
    );
  });

  it('steps of threads and of after are checked too', () => {
    expect(
      planError(`${H}threads:\n  - name: A\n    steps: [{exit: B}]\nafter:\n  - {fill: nope, value: 1}\n`),
    ).toBe(
      [
        'x.yaml:5:14: threads[0].steps[0].exit: unknown thread "B" (did you mean "A"?)',
        'x.yaml:7:6: after[0].fill: unknown buffer "nope"',
      ].join('\n'),
    );
  });
});

describe('struct fields and values, checked before any run', () => {
  it('buffer values need struct: and known fields', () => {
    expect(planError(`${H}buffers: {b: {value: {reg_num: 1}}}\n`)).toBe(
      'x.yaml:3:15: buffers.b.value: give struct: so the fields can be written',
    );
    expect(planError(`${H}buffers: {b: {value: []}}\n`)).toBe(
      'x.yaml:3:15: buffers.b.value: give struct: so the fields can be written',
    );
    expect(planError(`${H}buffers: {b: {struct: pmd}}\n`)).toBe('');
    expect(planError(`${H}buffers: {b: {struct: pmc, value: [{reg_num: 1}, {reg_nun: 2}]}}\n`)).toMatch(
      /^x\.yaml:3:50: buffers\.b\.value\[1\]: pfarg_pmc \(v2\) has no field "reg_nun"; fields: reg_num, /,
    );
    expect(planError(`${H}buffers: {b: {struct: load, value: {load_pidd: 1}}}\n`)).toMatch(
      /^x\.yaml:3:29: buffers\.b\.value: pfarg_load \(v2\) has no field "load_pidd"/,
    );
  });

  it('values must fit their field; saved values ($fd) are accepted', () => {
    expect(planError(`${H}buffers: {b: {struct: pmd, value: [{reg_num: 70000}]}}\n`)).toMatch(
      /buffers\.b\.value\[0\]: pfarg_pmd\.reg_num: 70000 does not fit in a u16/,
    );
    expect(planError(`${H}buffers: {b: {struct: pmd, value: [{reg_num: $fd, reg_value: $W.tid}]}}\n`)).toBe(
      '',
    );
  });

  it('inline arguments: {kind: ...}, a buffer spec, or a spec using the call struct', () => {
    expect(planError(`${H}steps:\n  - {call: pfm_write_pmds, arg: {pmd: [{reg_nun: 3}]}}\n`)).toMatch(
      /^x\.yaml:4:40: steps\[0\]\.arg\.pmd\[0\]: pfarg_pmd \(v2\) has no field "reg_nun"/,
    );
    expect(
      planError(`${H}steps:\n  - {call: pfm_write_pmds, arg: {struct: pmc, value: [{reg_nun: 3}]}}\n`),
    ).toMatch(/^x\.yaml:4:\d+: steps\[0\]\.arg\.value\[0\]: pfarg_pmc \(v2\) has no field "reg_nun"/);
    expect(planError(`${H}steps:\n  - {call: pfm_write_pmds, arg: {value: [{reg_nun: 3}]}}\n`)).toMatch(
      /^x\.yaml:4:\d+: steps\[0\]\.arg\.value\[0\]: pfarg_pmd \(v2\) has no field "reg_nun"/,
    );
    expect(
      planError(`${H}steps:\n  - {call: pfm_write_pmds, arg: {value: [{reg_num: 3}], count: 1}}\n`),
    ).toBe('');
    expect(planError(`${H}steps:\n  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 3}]}}\n`)).toBe('');
    expect(planError(`${H}steps:\n  - {call: pfm_load_context, arg: {load: {load_pid: 3}}}\n`)).toBe('');
  });

  it('fill values use the buffer struct; a non-mapping element is named', () => {
    expect(
      planError(
        `${H}buffers: {b: {struct: pmd}}\nsteps:\n  - {fill: b, value: 5}\n  - {fill: b, value: [{reg_num: 1}, {reg_nun: 1}]}\n`,
      ),
    ).toMatch(
      /^x\.yaml:5:15: steps\[0\]\.value: expected a pmd struct \(a mapping of field names\)\nx\.yaml:6:\d+: steps\[1\]\.value\[1\]: pfarg_pmd \(v2\) has no field "reg_nun"/,
    );
    expect(planError(`${H}buffers: {b: {struct: pmc}}\nsteps:\n  - {fill: b, value: [{reg_num: 1}]}\n`)).toBe(
      '',
    );
    expect(planError(`${H}buffers: {b: {struct: pmd}}\nsteps:\n  - {fill: b, value: abc}\n`)).toBe(
      'x.yaml:5:15: steps[0].value: expected a pmd struct (a mapping of field names)',
    );
    expect(planError(`${H}buffers: {b: {bytes: 64}}\nsteps:\n  - {fill: b, value: {reg_num: 1}}\n`)).toBe(
      'x.yaml:5:15: steps[0].value: give struct: so the fields can be written',
    );
  });

  it("expect.out uses the pointer's struct: the buffer's, else the call's", () => {
    const B = `${H}buffers: {c: {struct: pmc}, d: {count: 2}}\n`;
    expect(
      planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: c, expect: {out: [{reg_valu: 1}]}}\n`),
    ).toMatch(/^x\.yaml:5:\d+: steps\[0\]\.expect\.out\[0\]: pfarg_pmc \(v2\) has no field "reg_valu"/);
    expect(
      planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: c+8, expect: {out: [{reg_valu: 1}]}}\n`),
    ).toMatch(/steps\[0\]\.expect\.out\[0\]: pfarg_pmc \(v2\) has no field/);
    expect(
      planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: d, expect: {out: [{reg_valu: 1}]}}\n`),
    ).toMatch(/steps\[0\]\.expect\.out\[0\]: pfarg_pmd \(v2\) has no field "reg_valu"/);
    expect(
      planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: unmapped, expect: {out: [{reg_valu: 1}]}}\n`),
    ).toMatch(/steps\[0\]\.expect\.out\[0\]: pfarg_pmd \(v2\) has no field "reg_valu"/);
    expect(
      planError(
        `${B}steps:\n  - {call: pfm_read_pmds, arg: {pmc: [{reg_num: 0}]}, expect: {out: [{reg_valu: 1}]}}\n`,
      ),
    ).toMatch(/steps\[0\]\.expect\.out\[0\]: pfarg_pmc \(v2\) has no field/);
    expect(
      planError(
        `${B}steps:\n  - {call: pfm_read_pmds, arg: {struct: pmc, count: 1}, expect: {out: [{reg_valu: 1}]}}\n`,
      ),
    ).toMatch(/steps\[0\]\.expect\.out\[0\]: pfarg_pmc \(v2\) has no field/);
    expect(
      planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: 4096, expect: {out: [{reg_valu: 1}]}}\n`),
    ).toMatch(/steps\[0\]\.expect\.out\[0\]: pfarg_pmd \(v2\) has no field/);
    expect(planError(`${B}steps:\n  - {call: pfm_read_pmds, expect: {out: {reg_valu: 1}}}\n`)).toMatch(
      /steps\[0\]\.expect\.out: pfarg_pmd \(v2\) has no field/,
    );
    expect(
      planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: c, expect: {out: [null, {reg_value: 1}]}}\n`),
    ).toBe('');
    expect(
      planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: null, expect: {out: [{reg_valu: 1}]}}\n`),
    ).toMatch(/^x\.yaml:5:\d+: steps\[0\]\.expect\.out\[0\]: pfarg_pmd \(v2\) has no field "reg_valu"/);
    // a bad pointer is reported, and the expectation is checked against the call's struct
    expect(
      planError(`${B}steps:\n  - {call: pfm_read_pmds, arg: "1c", expect: {out: [{reg_valu: 1}]}}\n`),
    ).toMatch(
      /^x\.yaml:5:27: steps\[0\]\.arg: bad pointer "1c"\nx\.yaml:5:\d+: steps\[0\]\.expect\.out\[0\]: pfarg_pmd \(v2\) has no field/,
    );
    expect(
      planError(
        `${H}buffers: {c-1: {struct: pmc}}\nsteps:\n  - {call: pfm_read_pmds, arg: c-1+8, expect: {out: [{reg_valu: 1}]}}\n`,
      ),
    ).toMatch(/^x\.yaml:5:\d+: steps\[0\]\.expect\.out\[0\]: pfarg_pmc \(v2\) has no field "reg_valu"/);
    // a step that is not a call has no pointer, so no struct
    expect(planError(`${B}steps:\n  - {exit: main, expect: {out: {reg_value: 1}}}\n`)).toBe(
      'x.yaml:5:27: steps[0].expect.out: give struct: so the fields can be written',
    );
    expect(planError(`${B}steps:\n  - {call: pfm_stop, expect: {out: {reg_value: 1}}}\n`)).toBe(
      'x.yaml:5:31: steps[0].expect.out: give struct: so the fields can be written',
    );
  });

  it('expect.buffers: known buffers, by their struct', () => {
    const B = `${H}buffers: {c: {struct: pmc}, d: {count: 2}}\n`;
    expect(
      planError(`${B}steps:\n  - {call: pfm_stop, expect: {buffers: {c: [{reg_num: 1}], zzzzzzz: []}}}\n`),
    ).toBe('x.yaml:5:60: steps[0].expect.buffers.zzzzzzz: unknown buffer "zzzzzzz" (known: c, d)');
    expect(planError(`${B}steps:\n  - {call: pfm_stop, expect: {buffers: {c: [{reg_nun: 1}]}}}\n`)).toMatch(
      /^x\.yaml:5:\d+: steps\[0\]\.expect\.buffers\.c\[0\]: pfarg_pmc \(v2\) has no field "reg_nun"/,
    );
    expect(planError(`${B}steps:\n  - {call: pfm_stop, expect: {buffers: {d: [{reg_num: 1}]}}}\n`)).toBe(
      'x.yaml:5:41: steps[0].expect.buffers.d: give struct: so the fields can be written',
    );
  });

  it('inside one_of and by_strategy', () => {
    expect(
      planError(
        `${H}steps:\n  - call: pfm_read_pmds\n    expect:\n      one_of: [{ret: 0}, {out: [{reg_nun: 1}]}]\n      by_strategy: {stack: {out: [{reg_nun: 2}]}}\n`,
      ),
    ).toMatch(
      /^x\.yaml:6:\d+: steps\[0\]\.expect\.one_of\[1\]\.out\[0\]: pfarg_pmd \(v2\) has no field "reg_nun".*\nx\.yaml:7:\d+: steps\[0\]\.expect\.by_strategy\.stack\.out\[0\]: pfarg_pmd \(v2\) has no field "reg_nun"/,
    );
    expect(planError(`${H}steps:\n  - {call: pfm_stop, expect: {one_of: [{buffers: {zz: []}}]}}\n`)).toBe(
      'x.yaml:4:51: steps[0].expect.one_of[0].buffers.zz: unknown buffer "zz"',
    );
  });
});

describe('the rest of the plan', () => {
  it('defaults: seed 1, 2 cpus, a 1 MiB arena, no faults, sequential, no bugs, leak check and comparison on', () => {
    const p = plan(H);
    expect(p.sc.data.name).toBe('t');
    expect(p.seed).toBe(1);
    expect(p.cpus).toBe(2);
    expect(p.arenaBytes).toBe(1 << 20);
    expect(p.faults).toBeUndefined();
    expect(p.concurrent).toBe(false);
    expect(p.expectBugs).toEqual([]);
    expect(p.leakCheck).toBe(true);
    expect(p.differential).toBe(true);
    expect([...p.ignoreFields]).toEqual([]);
    expect(p.workloads.size).toBe(0);
    expect(p.stepWorkloads.size).toBe(0);
  });

  it('the file sets each of them', () => {
    const p = plan(
      `${H}seed: 7\ncpus: 3\narena_bytes: 131072\nexpect: {bugs: [use-after-free], leak_check: false, differential: false, differential_ignore: [msg_ovfl_ip]}\n`,
    );
    expect(p.seed).toBe(7);
    expect(p.cpus).toBe(3);
    expect(p.arenaBytes).toBe(131072);
    expect(p.expectBugs).toEqual(['use-after-free']);
    expect(p.leakCheck).toBe(false);
    expect(p.differential).toBe(false);
    expect([...p.ignoreFields]).toEqual(['msg_ovfl_ip']);
  });

  it('exploring shrinks the default arena to 256 KiB, unless arena_bytes is given', () => {
    expect(plan(`${H}explore: {mode: random, schedules: 2}\n`).arenaBytes).toBe(256 << 10);
    expect(plan(`${H}arena_bytes: 524288\nexplore: {mode: exhaustive}\n`).arenaBytes).toBe(524288);
  });

  it('faults: failslab and fail_usercopy, each only when given', () => {
    expect(plan(`${H}faults: {}\n`).faults).toStrictEqual({});
    expect(Object.keys(plan(`${H}faults: {failslab: {nth: 1}}\n`).faults!)).toEqual(['failslab']);
    expect(Object.keys(plan(`${H}faults: {fail_usercopy: {nth: 1}}\n`).faults!)).toEqual(['failUsercopy']);
    expect(plan(`${H}faults: {failslab: {probability: 100, filter: pfm_get_args}}\n`).faults).toEqual({
      failslab: { probability: 100, filter: 'pfm_get_args' },
    });
    expect(plan(`${H}faults: {fail_usercopy: {nth: 2, times: 1}}\n`).faults).toEqual({
      failUsercopy: { nth: 2, times: 1 },
    });
    expect(plan(`${H}faults: {failslab: {interval: 1}, fail_usercopy: {nth: 3}}\n`).faults).toEqual({
      failslab: { interval: 1 },
      failUsercopy: { nth: 3 },
    });
  });

  it('concurrent when some thread has steps of its own', () => {
    expect(plan(`${H}threads: [{name: A, steps: []}, {name: B}]\n`).concurrent).toBe(false);
    expect(plan(`${H}threads: [{name: A}, {name: B, steps: [{call: pfm_stop}]}]\n`).concurrent).toBe(true);
  });
});
