import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './load.js';
import { makePlan } from './plan.js';
import { runScenario } from './run.js';

const HEAD = 'name: t\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\n';

function problems(text: string): string {
  try {
    const sc = parseScenario(text, 'x.yaml');
    makePlan(sc);
    const r = runScenario(sc);
    return r.tests.flatMap((t) => t.failures).join('\n');
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
}

describe('errors in scenario files name the file, the line and the field', () => {
  it('unknown fields, with a suggestion', () => {
    expect(problems(`${HEAD}steps:\n  - call: pfm_read_pmds\n    cont: 3\n`)).toBe(
      'x.yaml:6:5: steps[0].cont: unknown field "cont" (did you mean "count"?)',
    );
    expect(problems(`${HEAD}stpes: []\n`)).toMatch(
      /^x\.yaml:4:1: stpes: unknown field "stpes" \(did you mean "steps"\?\)/,
    );
  });

  it('unknown calls, buffers, threads, strategies, machines', () => {
    expect(problems(`${HEAD}steps:\n  - {call: pfm_raed_pmds}\n`)).toMatch(
      /^x\.yaml:5:6: steps\[0\]\.call: unknown call "pfm_raed_pmds" \(did you mean "pfm_read_pmds"\?\)/,
    );
    expect(
      problems(`${HEAD}buffers: {pmds: {struct: pmd}}\nsteps:\n  - {call: pfm_read_pmds, arg: pmdz}\n`),
    ).toBe('x.yaml:6:27: steps[0].arg: unknown buffer "pmdz" (did you mean "pmds"?)');
    expect(problems(`${HEAD}steps:\n  - {call: pfm_stop, thread: mian}\n`)).toBe(
      'x.yaml:5:22: steps[0].thread: unknown thread "mian" (did you mean "main"?)',
    );
    expect(problems(HEAD.replace('strategy: kmalloc', 'strategy: kmaloc'))).toMatch(
      /^x\.yaml:3:1: strategy: unknown strategy "kmaloc" \(did you mean "kmalloc"\?\)/,
    );
    expect(problems(HEAD.replace('{arch: i386, cost: p4-2006, pmu: intel-p6}', 'p4-2007'))).toMatch(
      /^x\.yaml:2:1: machine: .*p4-2007/,
    );
  });

  it('struct fields and values', () => {
    expect(problems(`${HEAD}steps:\n  - call: pfm_write_pmds\n    arg: {pmd: [{reg_nun: 3}]}\n`)).toMatch(
      /^x\.yaml:6:17: steps\[0\]\.arg\.pmd\[0\]: pfarg_pmd \(v2\) has no field "reg_nun"; fields: reg_num, /,
    );
    expect(problems(`${HEAD}steps:\n  - {call: pfm_write_pmds, arg: {pmd: [{reg_num: 70000}]}}\n`)).toMatch(
      /steps\[0\]\.arg\.pmd\[0\]: pfarg_pmd\.reg_num: 70000 does not fit in a u16/,
    );
    expect(
      problems(`${HEAD}steps:\n  - {call: pfm_write_pmds, arg: {pmd: [{reg_flags: OVFL_NOTIFI}]}}\n`),
    ).toMatch(/unknown constant "OVFL_NOTIFI"/);
  });

  it('steps: one action, only its parameters, required ones', () => {
    expect(problems(`${HEAD}steps:\n  - {call: pfm_stop, run: 5}\n`)).toBe(
      'x.yaml:5:5: steps[0]: one action per step, found call and run',
    );
    expect(problems(`${HEAD}steps:\n  - {call: pfm_stop, count: 5}\n`)).toMatch(
      /^x\.yaml:5:22: steps\[0\]\.count: "count" is not a parameter of pfm_stop \(it takes fd\)/,
    );
    expect(problems(`${HEAD}steps:\n  - {sysfs_write: debug}\n`)).toBe(
      'x.yaml:5:5: steps[0]: sysfs_write needs value:',
    );
  });

  it('YAML syntax and values found only while running', () => {
    expect(problems(`${HEAD}steps:\n  - {call: pfm_stop\n`)).toMatch(/^x\.yaml:\d+:\d+: YAML: /);
    expect(problems(`${HEAD}steps:\n  - {call: pfm_stop, fd: $nope}\n`)).toBe(
      'x.yaml:5:22: steps[0].fd: $nope is not saved yet',
    );
  });
});
