// `--update`: which expectations are rewritten from the observed results, to what, and what is
// left alone; the file keeps its comments and is written whole.
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Path, parseScenario, scenarioFromData } from './load.js';
import { applyUpdate, writeUpdated } from './update.js';
import type { Observation } from './world.js';

const HEAD = 'name: u\nmachine: {arch: i386, cost: p4-2006, pmu: intel-p6}\nstrategy: kmalloc\n';
const obs = (path: Path, result: string): Observation => ({
  where: 'w',
  path,
  result,
  mem: [],
  compare: true,
});
const step = (i: number, list = 'steps'): Path => [list, i];

function update(body: string, log: Observation[]) {
  const sc = parseScenario(`${HEAD}${body}`, 'u.yaml');
  const n = applyUpdate(sc, log);
  const text = sc.doc!.toString({ lineWidth: 0 });
  return { n, text: text.slice(text.indexOf('\nsteps:')), full: text };
}

describe('applyUpdate', () => {
  it('a call: ok N becomes ret: N, an errno its name; the other expectations stay', () => {
    const r = update(
      'steps:\n' +
        '  - {call: pfm_create_context, save: fd, expect: {ret: 1}} # the fd\n' +
        '  - {call: pfm_stop, expect: {ret: 0, cost: {max: 100}}}\n' +
        '  - {call: close, expect: {errno: EBADF}}\n',
      [obs(step(0), 'ok 3'), obs(step(1), 'EINVAL'), obs(step(2), 'ok 12')],
    );
    expect(r.n).toBe(3);
    expect(r.text).toBe(
      '\nsteps:\n' +
        '  - { call: pfm_create_context, save: fd, expect: { ret: 3 } } # the fd\n' +
        '  - { call: pfm_stop, expect: { cost: { max: 100 }, errno: EINVAL } }\n' +
        '  - { call: close, expect: { ret: 12 } }\n',
    );
  });

  it('a rewritten result keeps its place among the other expectations', () => {
    const r = update('steps:\n  - {call: pfm_create_context, expect: {ret: 1, unchanged: true}}\n', [
      obs(step(0), 'ok 0'),
    ]);
    expect(r.text).toBe('\nsteps:\n  - { call: pfm_create_context, expect: { ret: 0, unchanged: true } }\n');
  });

  it('a step without expectations gets one', () => {
    const r = update('steps:\n  - {call: pfm_create_context}\n  - call: close\n', [
      obs(step(0), 'ok 0'),
      obs(step(1), 'EBADF'),
    ]);
    expect(r.n).toBe(2);
    expect(r.text).toBe(
      '\nsteps:\n  - { call: pfm_create_context, expect: { ret: 0 } }\n  - call: close\n    expect: { errno: EBADF }\n',
    );
  });

  it('an expectation that already holds is not counted, and the text does not change', () => {
    const body =
      'steps:\n  - {call: pfm_create_context, expect: {ret: 0}}\n  - {call: pfm_stop, expect: {errno: EINVAL}}\n';
    const sc = parseScenario(`${HEAD}${body}`, 'u.yaml');
    const before = sc.doc!.toString();
    expect(applyUpdate(sc, [obs(step(0), 'ok 0'), obs(step(1), 'EINVAL')])).toBe(0);
    expect(sc.doc!.toString()).toBe(before);
  });

  it('a stale second result field is removed (ret and errno never both)', () => {
    const r = update('steps:\n  - {call: pfm_create_context, expect: {ret: 0, value: "x"}}\n', [
      obs(step(0), 'ok 0'),
    ]);
    expect(r.n).toBe(1);
    expect(r.text).toBe('\nsteps:\n  - { call: pfm_create_context, expect: { ret: 0 } }\n');
  });

  it('one_of, by_strategy and ok expectations are deliberately loose: left alone', () => {
    const body =
      'steps:\n' +
      '  - {call: pfm_create_context, expect: {one_of: [{ret: 0}, {ret: 1}]}}\n' +
      '  - {call: dup, expect: {ret: 1, by_strategy: {stack: {ret: 1}}}}\n' +
      '  - {call: dup, expect: {ok: true}}\n' +
      '  - {call: dup, expect: {ok: false}}\n';
    const r = update(body, [
      obs(step(0), 'ok 5'),
      obs(step(1), 'ok 5'),
      obs(step(2), 'ok 5'),
      obs(step(3), 'ok 5'),
    ]);
    expect(r.n).toBe(0);
    expect(r.text).not.toContain('5');
  });

  it('sysfs: a write like a call; a read gets value: (or the errno)', () => {
    const r = update(
      'steps:\n' +
        '  - {sysfs_write: arg_mem_max, value: 8192, uid: 0, expect: {ret: 1}}\n' +
        '  - {sysfs_write: arg_mem_max, value: 8192, expect: {ret: 0}}\n' +
        '  - {sysfs_read: arg_mem_max, expect: {value: "4096\\n"}}\n' +
        '  - {sysfs_read: arg_mem_max, expect: {value: "8192\\n"}}\n' +
        '  - {sysfs_read: version}\n',
      [
        obs(step(0), 'ok 0'),
        obs(step(1), 'EACCES'),
        obs(step(2), '"8192\\n"'),
        obs(step(3), 'EACCES'),
        obs(step(4), '"2.0\\n"'),
      ],
    );
    expect(r.n).toBe(5);
    expect(r.text).toBe(
      '\nsteps:\n' +
        '  - { sysfs_write: arg_mem_max, value: 8192, uid: 0, expect: { ret: 0 } }\n' +
        '  - { sysfs_write: arg_mem_max, value: 8192, expect: { errno: EACCES } }\n' +
        '  - { sysfs_read: arg_mem_max, expect: { value: "8192\\n" } }\n' +
        '  - { sysfs_read: arg_mem_max, expect: { errno: EACCES } }\n' +
        '  - { sysfs_read: version, expect: { value: "2.0\\n" } }\n',
    );
  });

  it('steps without a result (run, fill, check) are left alone', () => {
    const body =
      'buffers: {p: {struct: pmd, value: [{reg_num: 0}]}}\nworkloads: {loop: {CPU_CLK_UNHALTED: 1}}\n' +
      'steps:\n  - {run: 1000, workload: loop}\n  - {fill: p, value: [{reg_num: 1}]}\n  - {check: memory, expect: {memory: baseline}}\n';
    const r = update(body, [obs(step(0), '-'), obs(step(1), '-'), obs(step(2), '-')]);
    expect(r.n).toBe(0);
    expect(r.text).not.toContain('errno');
  });

  it('a step observed twice (or a path no longer in the file) counts once (or not at all)', () => {
    const r = update('steps:\n  - {call: pfm_create_context, expect: {ret: 4}}\n', [
      obs(step(0), 'ok 0'),
      obs(step(0), 'EBADF'),
      obs(step(7), 'ok 0'),
      obs(['nowhere', 0], 'ok 0'),
      obs(['name', 0, 'x'], 'ok 0'),
    ]);
    expect(r.n).toBe(1);
    expect(r.text).toBe('\nsteps:\n  - { call: pfm_create_context, expect: { ret: 0 } }\n');
  });

  it('threads and after steps: rewritten without exploration, left alone under it', () => {
    const body =
      'threads:\n  - name: A\n    steps:\n      - {call: dup, fd: 99}\nsteps:\n  - {call: pfm_create_context, thread: A, save: fd}\n' +
      'after:\n  - {call: close, thread: A}\n';
    const log = [
      obs(['steps', 0], 'ok 0'),
      obs(['threads', 0, 'steps', 0], 'EBADF'),
      obs(['after', 0], 'ok 0'),
    ];
    const plain = update(body, log);
    expect(plain.n).toBe(3);
    expect(plain.full).toContain('- { call: dup, fd: 99, expect: { errno: EBADF } }');
    expect(plain.full).toContain('- { call: close, thread: A, expect: { ret: 0 } }');
    const explored = update(`${body}explore: {mode: exhaustive, max_preemptions: 1}\n`, log);
    expect(explored.n).toBe(1);
    expect(explored.full).toContain(
      '- { call: pfm_create_context, thread: A, save: fd, expect: { ret: 0 } }',
    );
    expect(explored.full).toContain('- { call: dup, fd: 99 }');
    expect(explored.full).toContain('- { call: close, thread: A }');
  });

  it('a scenario built in code (no document) has nothing to rewrite', () => {
    const sc = scenarioFromData(
      {
        name: 'x',
        machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
        steps: [{ call: 'pfm_create_context' }],
      },
      'x',
    );
    expect(applyUpdate(sc, [obs(step(0), 'ok 0')])).toBe(0);
  });
});

describe('writeUpdated', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pfmsim-update-more-'));

  it('writes the document whole, keeping comments, without folding long lines, no temporary left', () => {
    const long = `# ${'a comment that is rather long, '.repeat(5)}\n`;
    const text = `${long}${HEAD}steps:\n  - {call: close, note: "${'x'.repeat(120)}", expect: {ret: 3}} # wrong\n`;
    const p = join(tmp, 'w.yaml');
    writeFileSync(p, text);
    const sc = parseScenario(text, p);
    expect(applyUpdate(sc, [obs(step(0), 'EBADF')])).toBe(1);
    writeUpdated(sc, p);
    const out = readFileSync(p, 'utf8');
    expect(out.startsWith(long)).toBe(true);
    expect(out).toContain(
      `  - { call: close, note: "${'x'.repeat(120)}", expect: { errno: EBADF } } # wrong\n`,
    );
    expect(readdirSync(tmp)).toEqual(['w.yaml']);
  });

  it('keeps the file mode, and a link stays a link (the file it leads to is rewritten)', () => {
    const text = `${HEAD}steps:\n  - {call: close, expect: {ret: 3}}\n`;
    const real = join(tmp, 'real.yaml');
    writeFileSync(real, text);
    chmodSync(real, 0o640);
    const link = join(tmp, 'link.yaml');
    symlinkSync(real, link);
    const sc = parseScenario(text, link);
    expect(applyUpdate(sc, [obs(step(0), 'ok 0')])).toBe(1);
    writeUpdated(sc, link);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('- { call: close, expect: { ret: 0 } }');
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(readdirSync(tmp).sort()).toEqual(['link.yaml', 'real.yaml', 'w.yaml']);
  });

  it('a scenario without a document writes nothing', () => {
    const sc = scenarioFromData({ name: 'x', machine: 'p4-2006', steps: [] }, 'x');
    const p = join(tmp, 'none.yaml');
    writeUpdated(sc, p);
    expect(existsSync(p)).toBe(false);
  });
});
