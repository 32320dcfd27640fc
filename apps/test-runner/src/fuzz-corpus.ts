/**
 * Coverage-guided fuzzing, the way syzkaller does it: programs that reach branches no earlier
 * program reached are kept in a corpus, and most new programs are small mutations of a kept one
 * (a step deleted, duplicated, moved, an argument tweaked, a step spliced in from a fresh
 * program). The corpus can be saved as scenario files and loaded again by a later campaign.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@pfmsim/kernel-sim';
import { parse } from 'yaml';
import { makeOutputDir, writeFileAtomic } from './output.js';
import type { Scenario, Step } from './schema.js';

/** A program: a scenario without a strategy, as generateProgram makes them. */
export type Program = Scenario & Record<string, unknown>;

/** The share of programs made by mutating a corpus entry (the rest are fresh). */
export const MUTATION_RATE = 0.75;

/**
 * The step lists of a program that mutations may edit, each with its owner: the sequential
 * steps (owner null) and each thread's concurrent steps (owner: the thread's name).
 */
function stepLists(p: Program): { owner: string | null; steps: Step[] }[] {
  const lists: { owner: string | null; steps: Step[] }[] = [];
  if (p.steps && p.steps.length > 0) lists.push({ owner: null, steps: p.steps });
  for (const t of p.threads ?? [])
    if (t.steps && t.steps.length > 0) lists.push({ owner: t.name, steps: t.steps });
  return lists;
}

/** A step whose buffer (arg:) is one the program declares, so it can move into it. */
function fits(step: Step, p: Program): boolean {
  const arg = (step as { arg?: unknown }).arg;
  if (typeof arg === 'string' && !(p.buffers && arg in p.buffers)) return false;
  const thread = (step as { thread?: unknown }).thread;
  return typeof thread !== 'string' || (p.threads ?? []).some((t) => t.name === thread);
}

const FD_VALUES = [0, 1, 2, 3, 4, -1, 1024];
const COUNT_VALUES = [0, 1, 2, 3, 4, 8, 16, 64, 85, 86, -1, 0x7fffffff];

/**
 * One mutation of `p` (a copy; `p` is not changed). `fresh` gives a freshly generated program to
 * splice a step from. The result may be a program the runner refuses; such programs are dropped.
 */
export function mutateProgram(p: Program, rng: Rng, fresh: () => Program): Program {
  const q = structuredClone(p);
  const lists = stepLists(q);
  if (lists.length === 0) return q;
  const { owner, steps: list } = lists[rng.below(lists.length)]!;
  const i = rng.below(list.length);
  switch (rng.below(5)) {
    case 0:
      if (list.length > 1) list.splice(i, 1);
      break;
    case 1:
      list.splice(rng.below(list.length + 1), 0, structuredClone(list[i]!));
      break;
    case 2: {
      const j = rng.below(list.length);
      [list[i], list[j]] = [list[j]!, list[i]!];
      break;
    }
    case 3: {
      const step = list[i] as Record<string, unknown>;
      if ('count' in step) step.count = COUNT_VALUES[rng.below(COUNT_VALUES.length)];
      else if ('fd' in step) step.fd = FD_VALUES[rng.below(FD_VALUES.length)];
      else if ('size' in step) step.size = rng.below(200);
      break;
    }
    default: {
      // a thread's concurrent steps use that thread's own buffers (the invariant "concurrent
      // callers get their own arguments back" depends on it): splice only from the same owner
      const donor = stepLists(fresh())
        .filter((l) => l.owner === owner)
        .flatMap((l) => l.steps)
        .filter((s) => fits(s, q));
      if (donor.length > 0) list.splice(i, 0, structuredClone(donor[rng.below(donor.length)]!));
    }
  }
  nonblockBeforeReads(q);
  return q;
}

/**
 * A read(2) on a context fd blocks until a message comes; the generator always makes the fd
 * non-blocking first. A mutation that moves a read keeps that true: each read is directly
 * preceded by a set_nonblock on the same fd, by the same thread.
 */
export function nonblockBeforeReads(p: Program): void {
  for (const { steps: list } of stepLists(p)) {
    for (let i = 0; i < list.length; i++) {
      const s = list[i] as Record<string, unknown>;
      if (s.call !== 'read') continue;
      const prev = list[i - 1] as Record<string, unknown> | undefined;
      if (prev?.call === 'set_nonblock' && prev.fd === s.fd && prev.thread === s.thread) continue;
      const guard: Record<string, unknown> = { call: 'set_nonblock', fd: s.fd };
      if (s.thread !== undefined) guard.thread = s.thread;
      list.splice(i, 0, guard as Step); // the read is now at i + 1, after its guard
    }
  }
}

/** The programs kept for reaching new branches, and where they are saved. */
export class Corpus {
  readonly programs: Program[] = [];
  /** Programs loaded from the corpus directory at the start. */
  readonly loaded: number;
  private readonly rng: Rng;

  /** `dir`: load the programs saved there (if any) and save new ones there. */
  constructor(
    seed: number,
    private readonly dir?: string,
    private readonly render?: (p: Program) => string,
  ) {
    this.rng = new Rng(seed, 'fuzz-corpus');
    if (dir && existsSync(dir)) {
      for (const f of readdirSync(dir)
        .filter((n) => n.endsWith('.yaml'))
        .sort()) {
        const p = parse(readFileSync(join(dir, f), 'utf8')) as Program | null;
        if (p && typeof p === 'object') {
          delete (p as Record<string, unknown>).strategy;
          this.programs.push(p);
        }
      }
    }
    this.loaded = this.programs.length;
  }

  /** The next program to run: mostly a mutation of a kept one, sometimes a fresh one. */
  next(fresh: () => Program): Program {
    if (this.programs.length === 0 || !this.rng.chance(MUTATION_RATE)) return fresh();
    let p = this.programs[this.rng.below(this.programs.length)]!;
    const rounds = 1 + this.rng.below(3);
    for (let r = 0; r < rounds; r++) p = mutateProgram(p, this.rng, fresh);
    return p;
  }

  /** Keeps a program that reached new branches (and saves it, when the corpus has a directory). */
  keep(p: Program, label: string): void {
    this.programs.push(p);
    if (!this.dir || !this.render) return;
    makeOutputDir(this.dir);
    writeFileAtomic(join(this.dir, `${label}.yaml`), this.render(p));
  }
}
