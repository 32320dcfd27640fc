import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { generateProgram, renderProgram } from './fuzz.js';
import { Corpus, MUTATION_RATE, mutateProgram, nonblockBeforeReads, type Program } from './fuzz-corpus.js';
import { scenarioFromData } from './load.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'pfmsim-corpus-'));
const program = (steps: Record<string, unknown>[], threads: Program['threads'] = []): Program =>
  ({
    name: 'p',
    machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
    buffers: { v0: { struct: 'pmd', count: 1 } },
    threads,
    steps,
  }) as unknown as Program;
const steps = (p: Program) => p.steps as unknown as Record<string, unknown>[];

describe('mutating a program', () => {
  it('changes a copy, deterministically for a seed; every kind of edit happens', () => {
    const p = generateProgram(3, 1);
    const before = structuredClone(p);
    const fresh = () => generateProgram(3, 99);
    const a = mutateProgram(p, new Rng(1, 'm'), fresh);
    expect(p).toEqual(before);
    expect(mutateProgram(p, new Rng(1, 'm'), fresh)).toEqual(a);
    const lengths = new Set<number>();
    let changed = 0;
    for (let i = 0; i < 200; i++) {
      const q = mutateProgram(p, new Rng(i, 'm'), fresh);
      lengths.add(q.steps!.length - p.steps!.length);
      if (JSON.stringify(q) !== JSON.stringify(p)) changed++;
    }
    // deleted (-1), moved or tweaked (0), duplicated or spliced (+1); reads may bring a guard (+2)
    expect([...lengths].filter((d) => d <= 1).sort()).toEqual([-1, 0, 1]);
    expect(changed).toBeGreaterThan(150);
  });

  it('mostly gives programs the runner accepts', () => {
    const fresh = () => generateProgram(8, 1000);
    let ok = 0;
    for (let i = 0; i < 100; i++) {
      const q = mutateProgram(generateProgram(8, i), new Rng(i, 'x'), fresh);
      try {
        scenarioFromData({ ...q, strategy: ['kmalloc'] }, q.name);
        ok++;
      } catch {
        // refused programs are dropped by the fuzzer
      }
    }
    expect(ok).toBeGreaterThan(90);
  });

  it('a step spliced in from a fresh program names only buffers and threads this program has', () => {
    const p = program([{ call: 'pfm_create_context', thread: 't0' }], [
      { name: 't0', process: 'p0', cpu: 0 },
    ] as never);
    const donor = program([
      { call: 'pfm_read_pmds', arg: 'v9', fd: 0, count: 1, thread: 't0' },
      { call: 'pfm_write_pmds', arg: 'v0', fd: 0, count: 1, thread: 't7' },
      { call: 'pfm_write_pmcs', arg: 'v0', fd: 0, count: 1, thread: 't0' },
    ]);
    const spliced = new Set<string>();
    for (let i = 0; i < 300; i++) {
      for (const s of steps(mutateProgram(p, new Rng(i, 's'), () => donor))) spliced.add(String(s.call));
    }
    expect(spliced.has('pfm_write_pmcs')).toBe(true);
    expect(spliced.has('pfm_read_pmds')).toBe(false);
    expect(spliced.has('pfm_write_pmds')).toBe(false);
  });

  it('a program without steps is returned as it is', () => {
    const p = program([]);
    expect(mutateProgram(p, new Rng(1), () => p)).toEqual(p);
  });
});

it("a thread's concurrent steps get spliced steps only from that thread: its own buffers", () => {
  const threads = (steps0: Record<string, unknown>[], steps1: Record<string, unknown>[]) =>
    [
      { name: 't0', process: 'p0', cpu: 0, steps: steps0 },
      { name: 't1', process: 'p0', cpu: 1, steps: steps1 },
    ] as never;
  const p = program(
    [],
    threads([{ call: 'pfm_write_pmds', arg: 'v0', fd: 0 }], [{ call: 'pfm_read_pmds', arg: 'v0', fd: 0 }]),
  );
  const donor = program(
    [],
    threads([{ call: 'pfm_write_pmcs', arg: 'v0', fd: 0 }], [{ call: 'pfm_getinfo_pmcs', arg: 'v0', fd: 0 }]),
  );
  const seen = { t0: new Set<string>(), t1: new Set<string>() };
  for (let i = 0; i < 300; i++) {
    const q = mutateProgram(p, new Rng(i, 'o'), () => donor);
    for (const t of q.threads!)
      for (const s of t.steps ?? []) seen[t.name as 't0' | 't1'].add(String(s.call));
  }
  expect([...seen.t0].sort()).toEqual(['pfm_write_pmcs', 'pfm_write_pmds']);
  expect([...seen.t1].sort()).toEqual(['pfm_getinfo_pmcs', 'pfm_read_pmds']);
});

describe('reads stay non-blocking', () => {
  it('each read is directly preceded by set_nonblock on its fd, by its thread', () => {
    const p = program([
      { call: 'read', fd: 1, thread: 't0' },
      { call: 'set_nonblock', fd: 1, thread: 't0' },
      { call: 'read', fd: 1, thread: 't0' },
      { call: 'set_nonblock', fd: 2, thread: 't0' },
      { call: 'read', fd: 1, thread: 't0' },
      { call: 'read', fd: 3 },
      // set by another thread: the read gets its own guard
      { call: 'set_nonblock', fd: 4, thread: 't1' },
      { call: 'read', fd: 4, thread: 't0' },
    ]);
    nonblockBeforeReads(p);
    // strict: a guard names no thread when its read names none
    expect(steps(p)).toStrictEqual([
      { call: 'set_nonblock', fd: 1, thread: 't0' },
      { call: 'read', fd: 1, thread: 't0' },
      { call: 'set_nonblock', fd: 1, thread: 't0' },
      { call: 'read', fd: 1, thread: 't0' },
      { call: 'set_nonblock', fd: 2, thread: 't0' },
      { call: 'set_nonblock', fd: 1, thread: 't0' },
      { call: 'read', fd: 1, thread: 't0' },
      { call: 'set_nonblock', fd: 3 },
      { call: 'read', fd: 3 },
      { call: 'set_nonblock', fd: 4, thread: 't1' },
      { call: 'set_nonblock', fd: 4, thread: 't0' },
      { call: 'read', fd: 4, thread: 't0' },
    ]);
    const threaded = program([], [
      { name: 't1', process: 'p0', cpu: 1, steps: [{ call: 'read', fd: 0 }] },
    ] as never);
    nonblockBeforeReads(threaded);
    expect(threaded.threads![0]!.steps).toEqual([
      { call: 'set_nonblock', fd: 0 },
      { call: 'read', fd: 0 },
    ]);
  });
});

describe('the corpus', () => {
  it('is empty at first: every program is fresh; once it holds programs, most are mutations of them', () => {
    const c = new Corpus(2);
    const fresh = () => program([{ call: 'pfm_create_context' }]);
    expect(c.next(fresh)).toEqual(fresh());
    c.keep(program([{ call: 'close', fd: 0 }]), 'k');
    expect(c.programs).toHaveLength(1);
    const total = 400;
    let mutated = 0;
    for (let i = 0; i < total; i++) if (steps(c.next(fresh)).some((s) => s.call === 'close')) mutated++;
    expect(MUTATION_RATE).toBe(0.75);
    expect(mutated / total).toBeGreaterThan(0.65);
    expect(mutated / total).toBeLessThan(0.85);
    expect(c.programs).toHaveLength(1);
  });

  it('saves kept programs as scenario files and loads them back (without a strategy)', () => {
    const dir = join(scratch(), 'corpus');
    const render = (p: Program) => renderProgram(p, ['kept']);
    const c = new Corpus(1, dir, render);
    expect(c.loaded).toBe(0);
    const p = generateProgram(4, 2);
    c.keep(p, 'cov-4-2');
    expect(readdirSync(dir)).toEqual(['cov-4-2.yaml']);
    writeFileSync(join(dir, 'notes.txt'), 'not a program');
    writeFileSync(join(dir, 'empty.yaml'), '');
    writeFileSync(
      join(dir, 'with-strategy.yaml'),
      renderProgram({ ...p, strategy: ['kmalloc'] } as Program, []),
    );
    const again = new Corpus(1, dir, render);
    expect(again.loaded).toBe(2);
    expect(again.programs[0]).toEqual(JSON.parse(JSON.stringify(p)));
    expect(again.programs[1]!.strategy).toBeUndefined();
    // no directory: kept in memory only
    const mem = new Corpus(1);
    mem.keep(p, 'x');
    expect(mem.programs).toHaveLength(1);
  });
});

/** An Rng that answers `below` with the given values, in order (each must be below its bound). */
const scripted = (...values: number[]) =>
  ({
    below(n: number) {
      const v = values.shift();
      if (v === undefined || v >= n) throw new Error(`below(${n}) asked; the script has ${v}`);
      return v;
    },
    left: () => values.length,
  }) as unknown as Rng & { left(): number };

describe('each kind of edit', () => {
  // no threads key at all: only the sequential steps can be edited
  const abc = () =>
    ({
      name: 'p',
      machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
      steps: [
        { call: 'pfm_read_pmds', fd: 0, count: 1 },
        { call: 'close', fd: 2 },
        { call: 'pfm_create_context', size: 5 },
      ],
    }) as unknown as Program;
  const edit = (p: Program, ...script: number[]) => {
    const rng = scripted(...script);
    const q = mutateProgram(p, rng, () => {
      throw new Error('no splice here');
    });
    expect(rng.left()).toBe(0);
    return steps(q);
  };
  const [A, B, C] = steps(abc());

  it('deletes a step, unless it is the only one', () => {
    expect(edit(abc(), 0, 1, 0)).toEqual([A, C]);
    const one = { ...abc(), steps: [A] } as unknown as Program;
    expect(edit(one, 0, 0, 0)).toEqual([A]);
  });

  it('duplicates a step anywhere, the end included', () => {
    expect(edit(abc(), 0, 0, 1, 3)).toEqual([A, B, C, A]);
  });

  it('swaps two steps', () => {
    expect(edit(abc(), 0, 0, 2, 2)).toEqual([C, B, A]);
  });

  it('tweaks the count, else the fd, else the size, to a value a bug may hide behind', () => {
    expect(edit(abc(), 0, 0, 3, 10)[0]).toEqual({ call: 'pfm_read_pmds', fd: 0, count: -1 });
    expect(edit(abc(), 0, 0, 3, 11)[0]!.count).toBe(0x7fffffff);
    expect(edit(abc(), 0, 1, 3, 5)[1]).toEqual({ call: 'close', fd: -1 });
    expect(edit(abc(), 0, 1, 3, 6)[1]!.fd).toBe(1024);
    expect(edit(abc(), 0, 2, 3, 150)[2]).toEqual({ call: 'pfm_create_context', size: 150 });
    const plain = { ...abc(), steps: [{ call: 'pfm_create_context' }] } as unknown as Program;
    expect(edit(plain, 0, 0, 3)).toEqual([{ call: 'pfm_create_context' }]);
  });

  it('splices in a step of a fresh program, its inline arguments with it', () => {
    const inline = { call: 'pfm_write_pmcs', fd: 0, arg: { pmc: [{ reg_num: 0 }] } };
    const q = mutateProgram(abc(), scripted(0, 1, 4, 0), () => ({ ...abc(), steps: [inline] }) as never);
    expect(steps(q)).toEqual([A, inline, B, C]);
  });

  it('edits only step lists that have steps', () => {
    const p = {
      ...abc(),
      steps: [],
      threads: [
        { name: 't0', process: 'p0', cpu: 0, steps: [] },
        { name: 't1', process: 'p0', cpu: 1, steps: [A] },
      ],
    } as unknown as Program;
    const rng = scripted(0, 0, 1, 1);
    const q = mutateProgram(p, rng, () => p);
    expect(q.threads!.map((t) => t.steps)).toEqual([[], [A, A]]);
  });
});

describe('the corpus, more', () => {
  it('a mutated program is one to three rounds of edits away from the kept one, never the kept one itself', () => {
    const c = new Corpus(7);
    const kept = program([{ call: 'close', fd: 0 }]);
    c.keep(kept, 'k');
    const fresh = () => program([{ call: 'pfm_create_context' }]);
    const lengths = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const q = c.next(fresh);
      expect(q).not.toBe(kept);
      lengths.add(steps(q).length);
    }
    // each round adds at most one step (a duplicate or a splice)
    expect(Math.max(...lengths)).toBe(4);
  });

  it('loads only .yaml files; without a render function it keeps programs in memory only', () => {
    const dir = join(scratch(), 'corpus');
    const c = new Corpus(1, dir);
    c.keep(generateProgram(4, 2), 'cov-1');
    expect(c.programs).toHaveLength(1);
    expect(existsSync(dir)).toBe(false);
    mkdirSync(dir);
    writeFileSync(join(dir, 'kept.yml'), renderProgram(generateProgram(4, 2), []));
    writeFileSync(join(dir, 'kept.yaml.bak'), renderProgram(generateProgram(4, 2), []));
    expect(new Corpus(1, dir).loaded).toBe(0);
    // an empty file, or one holding a scalar, is no program
    writeFileSync(join(dir, 'empty.yaml'), '');
    writeFileSync(join(dir, 'scalar.yaml'), '42\n');
    expect(new Corpus(1, dir).loaded).toBe(0);
  });
});
