// Steps and expectations for sampling (issue 14): a C-string buffer for a format's name, the
// default format's structs by C name, mmap of the buffer, check: smpl over its header and
// entries, RLIMIT_MEMLOCK per process. conformance/sampling-*.yaml runs them under every strategy.
import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.js';
import { runScenario } from './run.js';

const HEAD = `name: t
machine: {arch: i386, cost: p4-2006, pmu: intel-p6}
strategy: kmalloc
workloads: {loop: {CPU_CLK_UNHALTED: 1, INST_RETIRED: 0.8}}
`;
const BUFFERS = `buffers:
  dfl: {text: default}
  arg: {struct: smpl_arg, value: {buf_size: 4096}}
  pmcs: {struct: pmc, value: [{reg_num: 0, reg_value: 0x530079}, {reg_num: 1, reg_value: 0x5300c0}]}
  pmds:
    struct: pmd
    value:
      - {reg_num: 0, reg_flags: REGFL_OVFL_NOTIFY, reg_value: -1000, reg_short_reset: -1000, reg_smpl_pmds: [2]}
      - {reg_num: 1}
`;
const SAMPLING = `  - {call: pfm_create_context, fmt_name: dfl, fmt_arg: arg, fmt_size: 64, save: fd, expect: {ret: 0}}
  - {call: pfm_write_pmcs, arg: pmcs}
  - {call: pfm_write_pmds, arg: pmds}
  - {call: pfm_load_context}
  - {call: pfm_start}
  - {run: 3000, workload: loop}
`;
const failures = (steps: string, head = HEAD + BUFFERS) =>
  runScenario(parseScenario(`${head}steps:\n${steps}`, 'x.yaml')).tests.flatMap((t) => t.failures);

describe('check: smpl', () => {
  it('holds for the header and the entries the kernel wrote, and names the first difference', () => {
    const ok = `${SAMPLING}  - check: smpl
    expect:
      smpl:
        hdr: {hdr_count: 3, hdr_cur_offs: 272, hdr_version: 0x10000}
        entries: [{ovfl_pmd: 0, pmds: [800]}, {pmds: 1600}, {ip: 0x0804aee0}]
`;
    expect(failures(ok)).toEqual([]);
    const wrong = (e: string) =>
      failures(`${SAMPLING}  - {check: smpl, expect: {smpl: ${e}}}\n`).map((f) => f.replace(/^.*?: /, ''));
    expect(wrong('{hdr: {hdr_overflows: 1}}')).toEqual(['smpl hdr hdr_overflows: expected 1, got 0']);
    expect(wrong('{entries: [null, {ovfl_pmd: 1}]}')).toEqual([
      'smpl entries[1] ovfl_pmd: expected 1, got 0',
    ]);
    expect(wrong('{entries: [{pmds: [801]}]}')).toEqual(['smpl entries[0] pmds[0]: expected 801, got 800']);
    expect(wrong('{entries: [{pmds: []}]}')).toEqual([
      'smpl entries[0] pmds: expected 0 values, the entry has 1',
    ]);
    expect(wrong('{entries: [null, null, null, {}]}')).toEqual([
      'smpl entries: expected at least 4, hdr_count is 3',
    ]);
  });

  it('an entry of another PMD holds the values of its own reg_smpl_pmds, in order', () => {
    // pmd1 (instructions, 0.8 per cycle) overflows every 800 and samples pmd0 (cycles) and itself (bits 0 and 1: 3)
    const pmds = `  pmds:
    struct: pmd
    value:
      - {reg_num: 0}
      - {reg_num: 1, reg_flags: REGFL_OVFL_NOTIFY, reg_value: -800, reg_short_reset: -800, reg_smpl_pmds: [3]}
`;
    const head = HEAD + BUFFERS.replace(/ {2}pmds:\n[\s\S]*$/, pmds);
    const steps = (e: string) => `${SAMPLING}  - {check: smpl, expect: {smpl: {entries: ${e}}}}\n`;
    expect(failures(steps('[{ovfl_pmd: 1, pmds: [1000, 0]}, {ovfl_pmd: 1, pmds: [2000, 0]}]'), head)).toEqual(
      [],
    );
    expect(failures(steps('[{pmds: [1000, 1]}]'), head).map((f) => f.replace(/^.*?: /, ''))).toEqual([
      'smpl entries[0] pmds[1]: expected 1, got 0',
    ]);
  });

  it('checks what follows smpl: too, and names its place in an error', () => {
    const steps = `${SAMPLING}  - {check: smpl, expect: {smpl: {hdr: {hdr_count: 3}}, buffers: {arg: {buf_size: 1}}}}
`;
    expect(failures(steps).map((f) => f.replace(/^.*?: /, ''))).toEqual([
      'buffer arg [0] buf_size: expected 1, got 0x1000',
    ]);
    expect(
      failures(`${SAMPLING}  - {check: smpl, expect: {smpl: {hdr: {hdr_count: $nope}}}}\n`).join(),
    ).toMatch(/steps\[6\]\.expect\.smpl/);
    expect(failures(`${SAMPLING}  - {check: smpl, fd: $nope, expect: {smpl: {hdr: {}}}}\n`).join()).toMatch(
      /steps\[6\]\.fd/,
    );
    expect(failures(`${SAMPLING}  - {call: mmap, size: $nope}\n`).join()).toMatch(/steps\[6\]\.size/);
    expect(failures(`${SAMPLING}  - {call: mmap, size: 4096, offset: $nope}\n`).join()).toMatch(
      /steps\[6\]\.offset/,
    );
    expect(
      failures(`${SAMPLING}  - {call: mmap, size: 4096, offset: 4096, expect: {errno: EINVAL}}\n`),
    ).toEqual([]);
  });

  it('a context without a buffer, or no context, fails the check', () => {
    const steps = `  - {call: pfm_create_context, save: fd}
  - {check: smpl, expect: {smpl: {hdr: {hdr_count: 0}}}}
  - {check: smpl, fd: 9, expect: {smpl: {hdr: {hdr_count: 0}}}}
`;
    expect(failures(steps).map((f) => f.replace(/^.*?: /, ''))).toEqual([
      'the fd has no sampling buffer',
      'the fd has no sampling buffer',
    ]);
  });

  it('smpl: belongs to check: smpl, and check: smpl needs it', () => {
    expect(() =>
      runScenario(parseScenario(`${HEAD}${BUFFERS}steps:\n  - {check: smpl}\n`, 'x.yaml')),
    ).toThrow(/steps\[0\]: check: smpl needs expect: \{smpl/);
    expect(
      failures(`${SAMPLING}  - {call: poll, expect: {smpl: {hdr: {hdr_count: 3}}}}\n`).join('\n'),
    ).toMatch(/expect\.smpl: smpl: is checked by a check: smpl step/);
  });
});

describe('mmap and the buffers of sampling', () => {
  it('mmap returns an address to save; it needs size:; a name is a C string with no struct', () => {
    expect(failures(`${SAMPLING}  - {call: mmap, size: 4096, save: hdr, expect: {ok: true}}\n`)).toEqual([]);
    expect(failures(`${SAMPLING}  - {call: mmap, prot: ro}\n`).join('\n')).toMatch(
      /mmap needs size: \(the length\)/,
    );
    const bad = `${HEAD}buffers:\n  dfl: {text: default, struct: ctx}\n`;
    expect(failures('  - {call: pfm_create_context, fmt_name: dfl}\n', bad).join('\n')).toMatch(
      /buffers\.dfl\.text: text is a C string: it takes no struct:/,
    );
  });

  it('memlock: is the process RLIMIT_MEMLOCK', () => {
    const head = `${HEAD}processes: [{name: app, memlock: 4096}]\n${BUFFERS.replace('buf_size: 4096', 'buf_size: 4097')}`;
    expect(
      failures(
        '  - {call: pfm_create_context, fmt_name: dfl, fmt_arg: arg, fmt_size: 64, expect: {errno: ENOMEM}}\n',
        head,
      ),
    ).toEqual([]);
    // without memlock: the default 8 pages (2.6.18's MLOCK_LIMIT), so 9 are too many
    const nine = `${HEAD}${BUFFERS.replace('buf_size: 4096', 'buf_size: 36864')}`;
    expect(
      failures(
        '  - {call: pfm_create_context, fmt_name: dfl, fmt_arg: arg, fmt_size: 64, expect: {errno: ENOMEM}}\n',
        nine,
      ),
    ).toEqual([]);
  });
});
