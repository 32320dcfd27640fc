/**
 * `pfmsim-test fuzz`: syzkaller-style random programs of perfmon2 calls (valid and invalid
 * arguments, several threads and processes, injected faults, sometimes a concurrent part that
 * is explored), run under every strategy and checked against the invariants: no KernelBug, no
 * leak once every fd is closed and every thread has exited, the strategies agree, concurrent
 * callers get their own arguments back. A failing program is shrunk (delta debugging over
 * its steps, threads, buffers and faults) and written as a scenario file that reproduces it.
 */
import { join, relative, resolve } from 'node:path';
import { isStrategyName } from '@pfmsim/buffer-strategies';
import { Rng } from '@pfmsim/kernel-sim';
import { activePlugins } from '@pfmsim/lab';
import { Document, isMap, isSeq, type Node } from 'yaml';
import { Campaign, type CampaignResult } from './campaign.js';
import { Corpus } from './fuzz-corpus.js';
import { scenarioFromData } from './load.js';
import { makeOutputDir, OutputError, writeFileAtomic } from './output.js';
import { defaultStrategies, type ExtraStrategies } from './plan.js';
import { runScenario, type TestResult } from './run.js';
import type { Scenario, Step } from './schema.js';

export interface FuzzOptions {
  /** Time budget (with syscalls: whichever ends first; neither: 10 s). */
  seconds?: number;
  /** Budget in system calls made, over every strategy and schedule. */
  syscalls?: number;
  /** Measure the branch coverage reached in perfmon-core and buffer-strategies (V8). */
  coverage?: boolean;
  /** Coverage-guided: keep programs that reach new branches and mutate them (implies coverage). */
  guided?: boolean;
  /** Corpus directory of the guided mode: loaded at the start, new programs saved into it. */
  corpus?: string;
  seed: number;
  /** Where failing programs are written (created if needed). */
  out: string;
  strategies?: readonly string[];
  extraStrategies?: ExtraStrategies;
  log?: (text: string) => void;
  /** Where a finding whose file cannot be written is printed, whole (default: log). */
  warn?: (text: string) => void;
  /** Stop after this many programs (tests); default: only the time budget. */
  maxPrograms?: number;
  /** Time budget for shrinking one failure, in seconds (default 20). */
  shrinkSeconds?: number;
  /** Also race close() against calls on the same fd in the concurrent parts (conformance/concurrent-close.yaml). */
  closeRaces?: boolean;
}

export interface FuzzFinding {
  /** The scenario file written (or that could not be: see unwritten). */
  readonly file: string;
  /** Why the file could not be written (the scenario was printed instead). */
  readonly unwritten?: string;
  /** The first failure message of the shrunk program. */
  readonly failure: string;
  /** What kind of failure it is (kept while shrinking). */
  readonly signature: string;
  readonly steps: number;
}

export interface FuzzResult extends CampaignResult {
  readonly programs: number;
  readonly findings: readonly FuzzFinding[];
  readonly seconds: number;
  /** Guided mode: programs in the corpus at the end, and how many were loaded at the start. */
  readonly corpus?: { readonly size: number; readonly loaded: number };
}

type Data = Scenario & Record<string, unknown>;

interface MachineChoice {
  readonly machine: Scenario['machine'];
  readonly cycles: string;
  readonly insts: string;
  readonly pmcs: readonly number[];
  readonly pmds: readonly number[];
  readonly evtsel: readonly string[];
}

const MACHINES: readonly MachineChoice[] = [
  {
    machine: { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' },
    cycles: 'CPU_CLK_UNHALTED',
    insts: 'INST_RETIRED',
    pmcs: [0, 1],
    pmds: [0, 1],
    evtsel: ['0x510079', '0x1100c0'],
  },
  {
    machine: { arch: 'i386-4k', cost: 'p4-2006', pmu: 'intel-p6' },
    cycles: 'CPU_CLK_UNHALTED',
    insts: 'INST_RETIRED',
    pmcs: [0, 1],
    pmds: [0, 1],
    evtsel: ['0x510079', '0x1100c0'],
  },
  {
    machine: 'k8-2006',
    cycles: 'CPU_CLK_UNHALTED',
    insts: 'RETIRED_INSTRUCTIONS',
    pmcs: [0, 1, 2, 3],
    pmds: [0, 1, 2, 3],
    evtsel: ['0x510076', '0x5100c0'],
  },
  {
    machine: 'core2-2007',
    cycles: 'UNHALTED_CORE_CYCLES',
    insts: 'INSTRUCTIONS_RETIRED',
    pmcs: [0, 1, 16],
    pmds: [0, 1, 16, 17, 18],
    evtsel: ['0x51003c', '0x5100c0'],
  },
];

const SIZES = { pmc: 48, pmd: 176, setdesc: 64, setinfo: 192 } as const;
const VECTOR_CALLS = [
  ['pfm_write_pmcs', 'pmc'],
  ['pfm_write_pmds', 'pmd'],
  ['pfm_read_pmds', 'pmd'],
  ['pfm_create_evtsets', 'setdesc'],
  ['pfm_getinfo_evtsets', 'setinfo'],
  ['pfm_delete_evtsets', 'setinfo'],
] as const;

class Gen {
  constructor(readonly r: Rng) {}
  below(n: number): number {
    return this.r.below(n);
  }
  chance(p: number): boolean {
    return this.r.chance(p);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.r.below(xs.length)]!;
  }
  /** Mostly small, sometimes a boundary. */
  count(kind: keyof typeof SIZES): number {
    const size = SIZES[kind];
    return this.pick([
      0,
      1,
      2,
      3,
      4,
      5,
      1 + this.below(8),
      Math.floor(4096 / size),
      Math.floor(4096 / size) + 1,
      Math.floor(0x7fffffff / size),
      Math.floor(0x7fffffff / size) - 1,
      -1,
    ]);
  }
}

/** One random program (a scenario without a strategy). */
export function generateProgram(
  seed: number,
  index: number,
  opts: { concurrent?: boolean; closeRaces?: boolean } = {},
): Data {
  const g = new Gen(new Rng(seed, `fuzz-${index}`));
  const m = g.pick(MACHINES);
  const abi = g.pick(['v2.3', 'v2.3', 'v2.3', 'v2.2', 'v2-compact'] as const);
  const twoProcs = g.chance(0.3);
  const processes = [
    { name: 'p0', uid: 1000 },
    ...(twoProcs ? [{ name: 'p1', uid: g.pick([1000, 2000]) }] : []),
  ];
  const threads: { name: string; process: string; cpu: number; steps?: Step[] }[] = [
    { name: 't0', process: 'p0', cpu: 0 },
    { name: 't1', process: 'p0', cpu: 1 },
    ...(twoProcs ? [{ name: 't2', process: 'p1', cpu: g.below(2) }] : []),
  ];
  const data: Data = {
    name: `fuzz seed ${seed} program ${index}`,
    machine: m.machine,
    abi,
    cpus: 2,
    processes,
    threads,
  } as Data;

  // faults: fail_usercopy and failslab on the context are the same for every strategy
  const faults: Record<string, unknown> = {};
  if (g.chance(0.25)) faults.fail_usercopy = g.chance(0.5) ? { nth: 1 + g.below(12) } : { probability: 5 };
  if (g.chance(0.15)) faults.failslab = { nth: 1 + g.below(3), filter: 'pfm_context_alloc' };
  let differential = true;
  if (g.chance(0.08)) {
    // the argument buffer: strategies allocate differently, so only the invariants apply
    faults.failslab = { probability: 30, filter: 'pfm_get_args' };
    differential = false;
  }
  if (Object.keys(faults).length > 0) data.faults = faults as Scenario['faults'];

  // buffers: vectors of every kind, some valid, some faulting at an element
  const buffers: Record<string, unknown> = {};
  const names: { name: string; kind: keyof typeof SIZES; count: number }[] = [];
  const nbuf = 3 + g.below(4);
  for (let i = 0; i < nbuf; i++) {
    const kind = g.pick(['pmc', 'pmd', 'pmd', 'setdesc', 'setinfo'] as const);
    const count = 1 + g.below(g.chance(0.3) ? 30 : 6);
    const value = Array.from({ length: Math.min(count, 8) }, (_, j) => element(g, m, kind, j));
    const spec: Record<string, unknown> = { struct: kind, value, count };
    if (g.chance(0.2))
      spec.boundary = { element: g.below(count), fault: g.pick(['unmapped', 'readonly', 'not_present']) };
    buffers[`v${i}`] = spec;
    names.push({ name: `v${i}`, kind, count });
  }
  data.buffers = buffers as Scenario['buffers'];

  const live = new Set(threads.map((t) => t.name));
  const steps: Step[] = [];
  const flags = () => g.pick(['0', '0', 'FL_OVFL_NO_MSG', 'FL_SYSTEM_WIDE']);
  steps.push({ call: 'pfm_create_context', thread: 't0', flags: flags() } as Step);
  if (g.chance(0.5))
    steps.push({ call: 'pfm_create_context', thread: g.pick(['t0', 't1']), flags: flags() } as Step);
  const fd = () => g.pick([0, 0, 0, 1, 1, 2, 99, -1]);
  const thread = () => g.pick([...live]);
  const pointer = (kind: keyof typeof SIZES): Step['arg'] => {
    const same = names.filter((n) => n.kind === kind);
    if (same.length > 0 && g.chance(0.75)) return g.pick(same).name;
    return g.pick([null, 'unmapped', 'readonly', 'kernel', g.pick(names).name]);
  };
  const nsteps = 4 + g.below(22);
  for (let i = 0; i < nsteps; i++) {
    const t = thread();
    const roll = g.below(100);
    if (roll < 40) {
      const [call, kind] = g.pick(VECTOR_CALLS);
      const arg = pointer(kind);
      const buf = typeof arg === 'string' ? names.find((n) => n.name === arg) : undefined;
      const count = buf && g.chance(0.6) ? buf.count : g.count(kind);
      steps.push({ call, thread: t, fd: fd(), arg, count } as Step);
    } else if (roll < 50) {
      const pid = g.pick(['$t0.tid', '$t1.tid', ...(live.has('t2') ? ['$t2.tid'] : []), '424242', '0', '1']);
      steps.push({ call: 'pfm_load_context', thread: t, fd: fd(), pid, set: g.pick([0, 0, 0, 1]) } as Step);
    } else if (roll < 58) {
      steps.push({
        call: g.pick(['pfm_start', 'pfm_stop', 'pfm_restart', 'pfm_unload_context'] as const),
        thread: t,
        fd: fd(),
      } as Step);
    } else if (roll < 68) {
      const events: Record<string, number> = { [m.cycles]: 1 };
      if (g.chance(0.5)) events[m.insts] = g.pick([0.5, 0.8, 1.5]);
      steps.push({ run: g.pick([1000, 5000, 100_000, 3_000_000]), events, thread: t } as Step);
    } else if (roll < 74) {
      const f = fd();
      steps.push({ call: 'set_nonblock', thread: t, fd: f } as Step);
      steps.push({
        call: 'read',
        thread: t,
        fd: f,
        ...(g.chance(0.2) ? { size: g.pick([0, 40, 56, 64]) } : {}),
      } as Step);
    } else if (roll < 78) {
      steps.push({ call: g.pick(['poll', 'dup', 'close'] as const), thread: t, fd: fd() } as Step);
    } else if (roll < 83) {
      const other = g.pick(threads.map((x) => x.name).filter((n) => n !== t));
      steps.push({ [g.chance(0.7) ? 'ptrace_attach' : 'ptrace_detach']: other, thread: t } as Step);
    } else if (roll < 87) {
      steps.push({
        sysfs_write: g.pick(['arg_mem_max', 'arg_size_max']),
        value: g.pick(['4096', '8192', '4095', '65536', 'x']),
        uid: 0,
        thread: t,
      } as Step);
    } else if (roll < 90) {
      steps.push({
        sysfs_read: g.pick(['task_sessions_count', 'sys_sessions_count', 'version']),
        thread: t,
      } as Step);
    } else if (roll < 93 && live.size > 1 && t !== 't0' && i > nsteps / 2) {
      steps.push({ exit: t, thread: 't0' } as Step);
      live.delete(t);
    } else {
      steps.push({ call: 'pfm_create_context', thread: t, flags: flags() } as Step);
    }
  }
  data.steps = steps;

  // a concurrent part: two threads of p0 calling on fd 0 at once, explored
  if (opts.concurrent ?? g.chance(0.35)) {
    const pmdBufs = (who: string) => {
      const n = 1 + g.below(6);
      const value = Array.from({ length: n }, (_, j) => ({
        reg_num: g.pick(m.pmds),
        reg_value: 0x1000 * (who === 't0' ? 1 : 2) + j,
      }));
      buffers[`c_${who}`] = { struct: 'pmd', value };
      return `c_${who}`;
    };
    for (const name of ['t0', 't1']) {
      if (!live.has(name)) continue;
      const own = pmdBufs(name);
      const calls: Step[] = [];
      const n = 1 + g.below(2);
      for (let j = 0; j < n; j++) {
        if (opts.closeRaces && name === 't0' && g.chance(0.3)) {
          calls.push({ call: 'close', fd: 0 } as Step);
          continue;
        }
        const call = g.pick(['pfm_write_pmds', 'pfm_write_pmds', 'pfm_read_pmds'] as const);
        // a write's copy back returns the caller's own input: any other bytes are corruption
        calls.push({
          call,
          fd: 0,
          arg: own,
          ...(call === 'pfm_write_pmds' ? { expect: { unchanged: true } } : {}),
        } as Step);
      }
      const t = threads.find((x) => x.name === name)!;
      t.steps = calls;
    }
    data.explore = { mode: 'random', schedules: 24, seed: g.below(1000) };
    differential = false; // sampled schedules differ between strategies: only the invariants
  }
  if (!differential) data.expect = { differential: false };
  return data;
}

function element(g: Gen, m: MachineChoice, kind: keyof typeof SIZES, j: number): Record<string, unknown> {
  switch (kind) {
    case 'pmc':
      return {
        reg_num: g.chance(0.9) ? g.pick(m.pmcs) : g.pick([2, 5, 319, 65535]),
        reg_value: g.chance(0.8) ? g.pick(m.evtsel) : g.pick([0, '0xffffffffffffffff']),
        ...(g.chance(0.1) ? { reg_flags: g.pick([4, 8, '0x80000000']) } : {}),
        ...(g.chance(0.1) ? { reg_set: 1 } : {}),
      };
    case 'pmd':
      return {
        reg_num: g.chance(0.9) ? g.pick(m.pmds) : g.pick([2, 5, 319]),
        reg_value: g.pick([0, j, -1000, -100000, '0x7fffff00', '-1']),
        ...(g.chance(0.3)
          ? { reg_flags: g.pick(['REGFL_OVFL_NOTIFY', 0, 4]), reg_long_reset: -1000, reg_short_reset: -2000 }
          : {}),
        ...(g.chance(0.1) ? { reg_set: g.pick([1, 2]) } : {}),
        ...(g.chance(0.05) ? { reg_reset_pmds: [g.pick([1, 2, 4, '0x10000'])] } : {}),
        ...(g.chance(0.1) ? { reg_ovfl_switch_cnt: 1 } : {}),
      };
    case 'setdesc':
      return {
        set_id: g.pick([0, 1, 2, 3, 65535]),
        set_flags: g.pick([0, 0, 1, 2, 3, 4, 0x100]),
        set_id_next: g.pick([0, 1, 2]),
        set_timeout: g.pick([0, 1000, 4000000]),
      };
    case 'setinfo':
      return { set_id: g.pick([0, 0, 1, 2, 7]) };
  }
}

interface Check {
  readonly failure: string | null;
  readonly signature: string | null;
  readonly steps: number;
  /** The runs (one per strategy); none when the program could not be loaded. */
  readonly tests: readonly TestResult[];
}

/** Categorises a failure message so shrinking keeps the same problem. */
export function failureSignature(message: string): string {
  const bug = /KernelBug ([a-z-]+):/.exec(message);
  if (bug) return `bug:${bug[1]}`;
  if (message.includes('leak:')) return 'leak';
  if (message.includes('differs from')) return 'differs';
  const threw = /the simulator threw (\w+)/.exec(message);
  if (threw) return `threw:${threw[1]}`;
  if (message.includes('the buffer changed')) return 'corrupted-argument';
  if (message.includes('killed by a KernelBug')) return 'killed';
  return 'failure';
}

function countSteps(d: Data): number {
  return (
    (d.steps?.length ?? 0) +
    (d.after?.length ?? 0) +
    // Stryker disable next-line ArrayDeclaration: without threads, any fallback array counts 0 steps (its elements have no steps)
    (d.threads ?? []).reduce((a, t) => a + (t.steps?.length ?? 0), 0)
  );
}

/** Runs one program under the strategies; the first failure and its signature, if any. */
export function checkProgram(data: Data, strategies: readonly string[], extra?: ExtraStrategies): Check {
  let sc: ReturnType<typeof scenarioFromData>;
  try {
    sc = scenarioFromData({ ...data, strategy: [...strategies] }, data.name);
  } catch {
    return { failure: null, signature: null, steps: countSteps(data), tests: [] };
  }
  const r = runScenario(sc, { ...(extra ? { extraStrategies: extra } : {}) });
  for (const t of r.tests) {
    if (t.passed) continue;
    // a program the runner cannot run (a reference to a value never saved...) is not a finding
    if (t.strategy === '-')
      return { failure: null, signature: null, steps: countSteps(data), tests: r.tests };
    // Stryker disable next-line LogicalOperator,ArrowFunction,MethodExpression,StringLiteral: the runner adds its replay line last, so failures[0] is never one
    const first = t.failures.find((f) => !f.startsWith('replay:')) ?? t.failures[0]!;
    return {
      failure: `[${t.strategy}] ${first}`,
      signature: failureSignature(first),
      steps: countSteps(data),
      tests: r.tests,
    };
  }
  return { failure: null, signature: null, steps: countSteps(data), tests: r.tests };
}

/**
 * Delta debugging: removes chunks of steps (sequential, concurrent, after), then threads'
 * concurrent parts, faults, unused buffers, and simplifies the exploration, keeping the
 * program failing with the same signature.
 */
export function shrinkProgram(
  data: Data,
  fails: (d: Data) => boolean,
  deadline = Number.POSITIVE_INFINITY,
): Data {
  let best = structuredClone(data);
  const attempt = (cand: Data): boolean => {
    if (performance.now() > deadline) return false;
    if (!fails(cand)) return false;
    best = cand;
    return true;
  };
  const lists = (d: Data): Step[][] => [
    ...(d.steps ? [d.steps] : []),
    ...(d.threads ?? []).flatMap((t) => (t.steps ? [t.steps] : [])),
    ...(d.after ? [d.after] : []),
  ];
  let progress = true;
  while (progress && performance.now() < deadline) {
    progress = false;
    const nLists = lists(best).length;
    for (let li = 0; li < nLists; li++) {
      // Stryker disable next-line OptionalChaining: li < nLists, and removing steps never removes a list
      let chunk = Math.max(1, Math.floor((lists(best)[li]?.length ?? 0) / 2));
      while (chunk >= 1) {
        let removed = false;
        // Stryker disable next-line OptionalChaining: li < nLists, and removing steps never removes a list
        for (let start = 0; start < (lists(best)[li]?.length ?? 0); ) {
          const cand = structuredClone(best);
          const list = lists(cand)[li]!;
          list.splice(start, chunk);
          if (attempt(cand)) {
            removed = true;
            progress = true;
          } else start += chunk;
        }
        if (!removed) chunk = Math.floor(chunk / 2);
      }
    }
    // whole concurrent parts and the exploration
    for (let i = 0; i < (best.threads?.length ?? 0); i++) {
      if (!best.threads![i]!.steps) continue;
      const cand = structuredClone(best);
      delete cand.threads![i]!.steps;
      if (!cand.threads!.some((t) => t.steps)) delete cand.explore;
      if (attempt(cand)) progress = true;
    }
    for (const key of ['fail_usercopy', 'failslab'] as const) {
      if (!best.faults?.[key]) continue;
      const cand = structuredClone(best);
      delete cand.faults![key];
      if (Object.keys(cand.faults!).length === 0) delete cand.faults;
      if (attempt(cand)) progress = true;
    }
    if (best.abi !== 'v2.3') {
      const cand = structuredClone(best);
      cand.abi = 'v2.3';
      if (attempt(cand)) progress = true;
    }
    const p6 = { arch: 'i386', cost: 'p4-2006', pmu: 'intel-p6' };
    if (JSON.stringify(best.machine) !== JSON.stringify(p6)) {
      const cand = structuredClone(best);
      cand.machine = p6;
      if (attempt(cand)) progress = true;
    }
    // unused threads and processes
    const used = JSON.stringify([best.steps, best.after, best.threads?.map((t) => t.steps), best.buffers]);
    for (const t of [...(best.threads ?? [])].reverse()) {
      if (t.name === 't0' || t.steps || used.includes(`"${t.name}"`) || used.includes(`$${t.name}.`))
        continue;
      const cand = structuredClone(best);
      cand.threads = cand.threads!.filter((x) => x.name !== t.name);
      if (attempt(cand)) progress = true;
    }
    // simpler steps: drop the parameters that do not matter
    for (let li = 0; li < lists(best).length; li++) {
      // Stryker disable next-line OptionalChaining: li < lists(best).length, and deleting a parameter removes no list
      for (let i = 0; i < (lists(best)[li]?.length ?? 0); i++) {
        for (const key of ['size', 'set', 'flags', 'expect'] as const) {
          // Stryker disable next-line OptionalChaining: list li and its step i exist (i < its length, deleting a parameter removes no step)
          if (lists(best)[li]?.[i]?.[key] === undefined) continue;
          const cand = structuredClone(best);
          delete lists(cand)[li]![i]![key];
          if (attempt(cand)) progress = true;
        }
      }
    }
  }
  // processes without threads, buffers nobody uses
  if (best.processes) {
    // Stryker disable next-line ArrayDeclaration: the fallback's elements name no process but the first, which is always kept
    const usedProcs = new Set((best.threads ?? []).map((t) => t.process ?? best.processes![0]!.name));
    best.processes = best.processes.filter((p, i) => i === 0 || usedProcs.has(p.name));
  }
  const text = JSON.stringify([best.steps, best.after, best.threads]);
  const buffers = best.buffers ?? {};
  for (const name of Object.keys(buffers)) {
    if (!text.includes(`"${name}"`)) delete buffers[name];
  }
  return best;
}

/** YAML of a program: top level in block style, each step on one line. */
export function renderProgram(data: Data, header: readonly string[]): string {
  const doc = new Document(data);
  const flowSteps = (node: Node | null | undefined) => {
    if (!isSeq(node)) return;
    for (const item of node.items) if (isMap(item)) item.flow = true;
  };
  const root = doc.contents;
  if (isMap(root)) {
    for (const pair of root.items) {
      const key = (pair.key as { value?: unknown }).value;
      if (key === 'steps' || key === 'after') flowSteps(pair.value as Node);
      if (key === 'buffers' && isMap(pair.value))
        for (const b of pair.value.items) if (isMap(b.value)) b.value.flow = true;
      if (key === 'threads' && isSeq(pair.value)) {
        for (const t of pair.value.items) {
          if (!isMap(t)) continue;
          for (const p of t.items)
            if ((p.key as { value?: unknown }).value === 'steps') flowSteps(p.value as Node);
        }
      }
      if (
        (key === 'machine' ||
          key === 'faults' ||
          key === 'explore' ||
          key === 'expect' ||
          key === 'processes') &&
        (isMap(pair.value) || isSeq(pair.value))
      )
        (pair.value as { flow: boolean }).flow = key !== 'processes';
      if (key === 'processes' && isSeq(pair.value))
        for (const p of pair.value.items) if (isMap(p)) p.flow = true;
    }
  }
  return `${header.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}

/**
 * The loaded plugins, as paths relative to the findings' directory, when a strategy comes
 * from one: the finding then loads them itself, and reproduces without --plugin.
 */
function findingPlugins(strategies: readonly string[], out: string, extra?: ExtraStrategies): string[] {
  if (strategies.every((s) => isStrategyName(s) || extra?.has(s))) return [];
  return activePlugins().map((p) => {
    const path = relative(resolve(out), p.file);
    return path.startsWith('.') ? path : `./${path}`;
  });
}

/** Writes a finding's scenario into `dir` (made if needed); returns null, or why it could not. */
function writeFinding(dir: string, file: string, text: string): string | null {
  try {
    makeOutputDir(dir);
    writeFileAtomic(file, text);
    return null;
  } catch (e) {
    // the file's own failure, or the directory's (named)
    if (e instanceof OutputError) return e.path === file ? e.reason : e.message;
    throw e;
  }
}

export function runFuzz(opts: FuzzOptions): FuzzResult {
  const log = opts.log ?? (() => {});
  const all = defaultStrategies();
  const strategies = opts.strategies ?? all;
  const t0 = performance.now();
  const seconds = opts.seconds ?? (opts.syscalls === undefined ? 10 : null);
  const deadline = seconds === null ? Number.POSITIVE_INFINITY : t0 + seconds * 1000;
  const findings: FuzzFinding[] = [];
  const seen = new Set<string>();
  let programs = 0;
  const campaign = new Campaign(opts.syscalls ?? null, opts.coverage === true || opts.guided === true, log);
  const corpus = opts.guided
    ? new Corpus(opts.seed, opts.corpus, (p) =>
        renderProgram(p, ['Kept by pfmsim-test fuzz --guided: it reached new branches.']),
      )
    : null;
  const budget = [
    seconds === null ? null : `${seconds} s`,
    opts.syscalls === undefined ? null : `${opts.syscalls} syscalls`,
  ];
  const mode = corpus ? `coverage-guided (corpus ${corpus.loaded} programs), ` : '';
  log(
    `fuzz: seed ${opts.seed}, ${budget.filter((b) => b !== null).join(' or ')}, ${mode}strategies ${strategies.join(', ')}\n`,
  );
  while (
    performance.now() < deadline &&
    !campaign.spent() &&
    (opts.maxPrograms === undefined || programs < opts.maxPrograms)
  ) {
    const index = programs;
    const fresh = () => generateProgram(opts.seed, index, opts.closeRaces ? { closeRaces: true } : {});
    const data = corpus ? corpus.next(fresh) : fresh();
    programs++;
    const r = checkProgram(data, strategies, opts.extraStrategies);
    const reachedNew = campaign.add(r.tests, programs, (performance.now() - t0) / 1000);
    if (corpus && reachedNew > 0 && r.tests.length > 0 && !r.failure)
      corpus.keep(data, `cov-${opts.seed}-${index}`);
    if (!r.failure || !r.signature) continue;
    if (seen.has(r.signature)) continue;
    seen.add(r.signature);
    log(
      `program ${programs - 1} (after ${campaign.syscalls.toLocaleString('en-US')} syscalls): ${r.failure.split('\n')[0]}\n  shrinking ${r.steps} steps...\n`,
    );
    const signature = r.signature;
    const shrinkDeadline = performance.now() + (opts.shrinkSeconds ?? 20) * 1000;
    const small = shrinkProgram(
      data,
      (d) => checkProgram(d, strategies, opts.extraStrategies).signature === signature,
      shrinkDeadline,
    );
    const after = checkProgram(small, strategies, opts.extraStrategies);
    // prefer a deterministic, complete exploration when it still shows the failure
    if (small.explore?.mode === 'random') {
      const ex = structuredClone(small);
      ex.explore = { mode: 'exhaustive', max_preemptions: 2 };
      if (checkProgram(ex, strategies, opts.extraStrategies).signature === signature)
        Object.assign(small, ex);
    }
    const final = checkProgram(small, strategies, opts.extraStrategies);
    const file = join(
      opts.out,
      `fuzz-${opts.seed}-${programs - 1}-${signature.replace(/[^a-z0-9-]+/gi, '-')}.yaml`,
    );
    small.name = `fuzz finding: ${signature} (seed ${opts.seed}, program ${programs - 1})`;
    const strategyList =
      strategies.length === all.length && strategies.every((s, i) => s === all[i]) ? 'all' : [...strategies];
    const order = [
      'name',
      'machine',
      'abi',
      'plugins',
      'strategy',
      'cpus',
      // Stryker disable next-line StringLiteral: the fuzzer never generates a program with options
      'options',
      // Stryker disable next-line StringLiteral: the fuzzer never generates a program with sysfs
      'sysfs',
      'faults',
      'processes',
      'threads',
      'buffers',
      // Stryker disable next-line StringLiteral: the fuzzer never generates a program with workloads
      'workloads',
      'steps',
      // Stryker disable next-line StringLiteral: the fuzzer never generates a program with after
      'after',
      // Stryker disable next-line StringLiteral: the fuzzer never generates a program with schedule
      'schedule',
      'explore',
      'expect',
    ];
    const plugins = findingPlugins(strategies, opts.out, opts.extraStrategies);
    const withStrategy: Record<string, unknown> = {
      ...small,
      strategy: strategyList,
      ...(plugins.length > 0 ? { plugins } : {}),
    };
    const out = Object.fromEntries(
      order.filter((k) => withStrategy[k] !== undefined).map((k) => [k, withStrategy[k]]),
    ) as Data;
    const header = [
      `Found by: pfmsim-test fuzz --seed ${opts.seed} (program ${programs - 1}), shrunk from ${r.steps} to ${final.steps} steps.`,
      `Failure: ${(final.failure ?? after.failure ?? r.failure).split('\n')[0]}`,
      'Running it fails the same way: the invariants (no KernelBug, no leak after closing every fd and',
      'exiting every thread, strategies agree, concurrent callers get their own arguments back).',
      `Reproduce: pfmsim-test run ${file}`,
    ];
    const text = renderProgram(out, header);
    const unwritten = writeFinding(opts.out, file, text);
    if (unwritten === null) {
      log(`  wrote ${file} (${final.steps} steps)\n`);
    } else {
      // a finding is the fruit of the whole run: printed rather than lost
      (opts.warn ?? log)(
        `fuzz: the finding could not be written to ${file} (${unwritten}); its scenario follows:\n${text}`,
      );
    }
    findings.push({
      file,
      failure: final.failure ?? r.failure,
      signature,
      steps: final.steps,
      ...(unwritten === null ? {} : { unwritten }),
    });
  }
  const took = (performance.now() - t0) / 1000;
  const counts = campaign.finish();
  log(
    `fuzz: ${programs} programs in ${took.toFixed(1)} s, ${findings.length} finding${findings.length === 1 ? '' : 's'}\n`,
  );
  log(Campaign.summary(counts, took));
  if (corpus)
    log(
      `corpus: ${corpus.programs.length} programs (${corpus.loaded} loaded${opts.corpus ? `, saved in ${opts.corpus}` : ''})\n`,
    );
  return {
    programs,
    findings,
    seconds: took,
    ...counts,
    ...(corpus ? { corpus: { size: corpus.programs.length, loaded: corpus.loaded } } : {}),
  };
}
