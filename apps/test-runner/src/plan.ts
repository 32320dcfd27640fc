/**
 * What a scenario resolves to once, before any run: the machine, PMU model, ABI profile,
 * strategies, processes, threads, workloads; every name checked, every error located.
 */
import {
  type ArgBufferStrategy,
  BROKEN_STRATEGY_NAMES,
  createStrategy,
  isBrokenStrategy,
  isKnownStrategy,
  STRATEGY_NAMES,
  strategyNames,
} from '@pfmsim/buffer-strategies';
import type { BugKind, FaultAttr, FaultConfig } from '@pfmsim/kernel-sim';
import { activePlugins, closest, getMachine, MACHINES, resolveMachine } from '@pfmsim/lab';
import { getAbiProfile, type V2AbiProfile, type Workload, workloadFromEvents } from '@pfmsim/perfmon-core';
import { getModel, type PmuModel } from '@pfmsim/pmu-models';
import { errorAt, type LoadedScenario, type Path, ScenarioError, stepLists } from './load.js';
import {
  type BufferSpec,
  CALLS,
  type Expect,
  type Pointer,
  STRUCT_KINDS,
  type Step,
  type StructKind,
} from './schema.js';
import { encodeStruct, structLayout } from './structs.js';
import { toBigInt, ValueError } from './values.js';

/** The built-in strategies `strategy: all` stands for: every shipped one except the deliberately broken. */
export const DEFAULT_STRATEGIES: readonly string[] = STRATEGY_NAMES.filter(
  (n) => !BROKEN_STRATEGY_NAMES.includes(n),
);

/**
 * What `strategy: all` stands for now: the built-ins of {@link DEFAULT_STRATEGIES}, then the
 * strategies of the loaded plugins, leaving out those marked broken (`brokenStrategies`).
 */
export function defaultStrategies(): string[] {
  return strategyNames().filter((n) => !isBrokenStrategy(n));
}

export type StrategyFactory = () => ArgBufferStrategy;

type EventsArg = Parameters<typeof workloadFromEvents>[2];

/** Strategies beyond the registry (tests build broken ones from the interface). */
export type ExtraStrategies = ReadonlyMap<string, StrategyFactory>;

export function strategyFactory(name: string, extra?: ExtraStrategies): StrategyFactory | null {
  const x = extra?.get(name);
  if (x) return x;
  if (isKnownStrategy(name)) return () => createStrategy(name);
  return null;
}

/**
 * An unknown strategy, with the closest name or the known ones, and what a plugin strategy
 * needs (`my-kmalloc` is close to `kmalloc`, yet may come from a plugin): the plugins that are
 * loaded did not define it, or none is.
 */
export function unknownStrategy(name: string, where: 'scenario' | 'flag'): string {
  return `${unknown('strategy', name, [...strategyNames(), 'all'])}${pluginHint(where)}`;
}

/** `; no plugin loaded defines it (...)`, or how to load the plugin that may define it. */
export function pluginHint(where: 'scenario' | 'flag'): string {
  const loaded = activePlugins();
  if (loaded.length > 0)
    return `; no plugin loaded defines it (${loaded.map((p) => `${p.name} from ${p.spec}`).join(', ')})`;
  const how =
    where === 'scenario' ? 'list its plugin under `plugins:` or pass --plugin FILE' : 'pass --plugin FILE';
  return `; no plugin is loaded: if a plugin defines it, ${how}`;
}

export interface PlanProcess {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly fdLimit: number | undefined;
  /** RLIMIT_MEMLOCK, bytes (undefined: the kernel's default). */
  readonly memlock: number | undefined;
}

export interface PlanThread {
  readonly name: string;
  readonly process: string;
  readonly cpu: number | undefined;
  readonly steps: readonly Step[] | undefined;
}

export interface Plan {
  readonly sc: LoadedScenario;
  readonly machine: {
    readonly arch: string;
    readonly cost: string;
    readonly pmu: string;
    readonly id: string;
  };
  readonly model: PmuModel;
  readonly abi: V2AbiProfile;
  readonly strategies: readonly string[];
  readonly extra: ExtraStrategies;
  readonly seed: number;
  readonly cpus: number;
  readonly arenaBytes: number;
  readonly faults: FaultConfig | undefined;
  readonly processes: readonly PlanProcess[];
  readonly threads: readonly PlanThread[];
  readonly workloads: ReadonlyMap<string, Workload>;
  /** Workloads of `run` steps with inline `events:`. */
  readonly stepWorkloads: ReadonlyMap<Step, Workload>;
  readonly concurrent: boolean;
  readonly expectBugs: readonly BugKind[];
  readonly leakCheck: boolean;
  readonly differential: boolean;
  /** Struct fields left out of the strategy comparison. */
  readonly ignoreFields: ReadonlySet<string>;
}

export interface PlanOptions {
  /** --strategy: run only these (overrides the file). */
  strategies?: readonly string[];
  extraStrategies?: ExtraStrategies;
}

export function makePlan(sc: LoadedScenario, opts: PlanOptions = {}): Plan {
  const d = sc.data;
  const machine = resolveMachineSpec(sc);
  let model: PmuModel;
  try {
    model = getModel(machine.pmu);
  } catch (e) {
    throw errorAt(sc, ['machine'], (e as Error).message);
  }
  const abi = getAbiProfile(d.abi ?? 'v2.3') as V2AbiProfile;

  const strategies = resolveStrategies(sc, opts);
  const processes: PlanProcess[] = (d.processes ?? [{ name: 'proc', uid: 1000 }]).map((p) => ({
    name: p.name,
    uid: p.uid ?? 1000,
    gid: p.gid ?? p.uid ?? 1000,
    fdLimit: 'fd_limit' in p ? p.fd_limit : undefined,
    memlock: 'memlock' in p ? p.memlock : undefined,
  }));
  const procNames = new Set(processes.map((p) => p.name));
  const issues: ScenarioError[] = [];
  const fail = (path: Path, message: string) => issues.push(errorAt(sc, path, message));
  dupes(processes.map((p) => p.name)).forEach((n) => {
    fail(['processes'], `two processes named ${JSON.stringify(n)}`);
  });
  const cpus = d.cpus ?? 2;
  const threads: PlanThread[] = (d.threads ?? [{ name: 'main' }]).map((t, i) => {
    const process = t.process ?? processes[0]!.name;
    if (!procNames.has(process)) fail(['threads', i, 'process'], unknown('process', process, [...procNames]));
    // Stryker disable next-line ConditionalExpression: undefined >= cpus is false, like the guard
    if (t.cpu !== undefined && t.cpu >= cpus)
      fail(['threads', i, 'cpu'], `cpu ${t.cpu} does not exist (cpus: ${cpus})`);
    return { name: t.name, process, cpu: t.cpu, steps: t.steps };
  });
  const threadNames = threads.map((t) => t.name);
  dupes(threadNames).forEach((n) => {
    fail(['threads'], `two threads named ${JSON.stringify(n)}`);
  });

  const workloads = new Map<string, Workload>();
  for (const [name, events] of Object.entries(d.workloads ?? {})) {
    try {
      workloads.set(name, workloadFromEvents(model, name, events as EventsArg));
    } catch (e) {
      fail(['workloads', name], (e as Error).message);
    }
  }
  const stepWorkloads = new Map<Step, Workload>();
  const bufferNames = Object.keys(d.buffers ?? {});
  for (const [name, b] of Object.entries(d.buffers ?? {})) {
    if (b.process !== undefined && !procNames.has(b.process))
      fail(['buffers', name, 'process'], unknown('process', b.process, [...procNames]));
  }
  for (const list of stepLists(d)) {
    list.steps.forEach((step, i) => {
      const path = [...list.path, i];
      if (step.thread !== undefined && !threadNames.includes(step.thread))
        fail([...path, 'thread'], unknown('thread', step.thread, threadNames));
      for (const key of ['ptrace_attach', 'ptrace_detach', 'exit'] as const) {
        const v = step[key];
        if (v !== undefined && v !== 'self' && !threadNames.includes(v))
          fail([...path, key], unknown('thread', v, threadNames));
      }
      for (const key of ['fill', 'unmap', 'drop_pages', 'protect'] as const) {
        const v = step[key];
        if (v !== undefined && !bufferNames.includes(v))
          fail([...path, key], unknown('buffer', v, bufferNames));
      }
      if (typeof step.arg === 'string') {
        const m = /^([A-Za-z_][\w-]*)(?:\s*([+-])\s*(\d+|0x[0-9a-fA-F]+))?$/.exec(step.arg);
        const specials = ['null', 'unmapped', 'readonly', 'kernel'];
        if (!m || (!specials.includes(step.arg) && !bufferNames.includes(m[1]!)))
          fail(
            [...path, 'arg'],
            m
              ? unknown('buffer', m[1]!, [...bufferNames, ...specials])
              : `bad pointer ${JSON.stringify(step.arg)}`,
          );
      }
      if (step.workload !== undefined && !workloads.has(step.workload))
        fail([...path, 'workload'], unknown('workload', step.workload, [...workloads.keys()]));
      if (step.events !== undefined) {
        try {
          stepWorkloads.set(
            step,
            workloadFromEvents(model, `line ${sc.stepLoc(step).line}`, step.events as EventsArg),
          );
        } catch (e) {
          fail([...path, 'events'], (e as Error).message);
        }
      }
      for (const s of Object.keys(step.expect?.by_strategy ?? {})) {
        if (!strategyFactory(s, opts.extraStrategies))
          fail(
            [...path, 'expect', 'by_strategy', s],
            `${unknown('strategy', s, strategyNames())}${pluginHint('scenario')}`,
          );
      }
    });
  }
  checkStructs(sc, abi, fail);
  if (issues.length > 0)
    throw new ScenarioError(
      sc.file,
      issues.flatMap((e) => e.issues),
    );
  return {
    sc,
    machine,
    model,
    abi,
    strategies,
    extra: opts.extraStrategies ?? new Map(),
    seed: d.seed ?? 1,
    cpus,
    // exploration builds a world per schedule: a smaller arena builds faster
    arenaBytes: d.arena_bytes ?? (d.explore ? 256 << 10 : 1 << 20),
    faults: d.faults
      ? {
          ...(d.faults.failslab ? { failslab: d.faults.failslab as FaultAttr } : {}),
          ...(d.faults.fail_usercopy ? { failUsercopy: d.faults.fail_usercopy as FaultAttr } : {}),
        }
      : undefined,
    processes,
    threads,
    workloads,
    stepWorkloads,
    concurrent: threads.some((t) => (t.steps?.length ?? 0) > 0),
    expectBugs: d.expect?.bugs ?? [],
    leakCheck: d.expect?.leak_check ?? true,
    differential: d.expect?.differential ?? true,
    ignoreFields: new Set(d.expect?.differential_ignore ?? []),
  };
}

const scratch = new DataView(new ArrayBuffer(512));
const staticValue = (v: unknown): bigint => (typeof v === 'string' && v.startsWith('$') ? 0n : toBigInt(v));

/** Field names and values of every struct the file writes or expects, checked before any run. */
function checkStructs(
  sc: LoadedScenario,
  abi: V2AbiProfile,
  fail: (path: Path, message: string) => void,
): void {
  const d = sc.data;
  const structsAt = (kind: StructKind | null, value: unknown, path: Path) => {
    // Stryker disable next-line ConditionalExpression: a null value is skipped below as a null element
    if (value === undefined || value === null) return;
    if (kind === null) {
      fail(path, 'give struct: so the fields can be written');
      return;
    }
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const at = Array.isArray(value) ? [...path, i] : path;
      if (item === null) return;
      if (typeof item !== 'object' || Array.isArray(item)) {
        fail(at, `expected a ${kind} struct (a mapping of field names)`);
        return;
      }
      try {
        encodeStruct(
          abi,
          kind,
          scratch,
          0,
          item as Record<string, unknown>,
          staticValue,
          structLayout(abi, kind).cName,
        );
      } catch (e) {
        // Stryker disable next-line ConditionalExpression: encodeStruct throws only ValueError for the structs of the ABI profiles
        if (e instanceof ValueError) fail(at, e.message);
        else throw e;
      }
    });
  };
  const buffers = d.buffers ?? {};
  for (const [name, b] of Object.entries(buffers))
    structsAt(b.struct ?? null, b.value, ['buffers', name, 'value']);
  const inlineKind = (
    p: Pointer | undefined,
    dflt: StructKind | null,
  ): { kind: StructKind | null; value: unknown; path: string[] } | null => {
    // Stryker disable next-line ConditionalExpression: undefined is not an object either, and a string or number has no struct keys or value
    if (p === undefined || p === null || typeof p !== 'object') return null;
    const keys = Object.keys(p);
    if (keys.length === 1 && (STRUCT_KINDS as readonly string[]).includes(keys[0]!))
      return {
        kind: keys[0] as StructKind,
        value: (p as Record<string, unknown>)[keys[0]!],
        path: [keys[0]!],
      };
    const spec = p as BufferSpec;
    return { kind: spec.struct ?? dflt, value: spec.value, path: ['value'] };
  };
  const kindOfPointer = (p: Pointer | undefined, dflt: StructKind | null): StructKind | null => {
    if (typeof p === 'string') {
      const name = /^([A-Za-z_][\w-]*)/.exec(p)?.[1];
      const b = name ? buffers[name] : undefined;
      return b ? (b.struct ?? dflt) : dflt;
    }
    return inlineKind(p, dflt)?.kind ?? dflt;
  };
  const expects = (e: Expect | undefined, kind: StructKind | null, path: Path) => {
    if (!e) return;
    // Stryker disable next-line ConditionalExpression: structsAt returns at once on an undefined value
    if (e.out !== undefined) structsAt(kind, e.out, [...path, 'out']);
    for (const [name, v] of Object.entries(e.buffers ?? {})) {
      const b = buffers[name];
      if (!b) fail([...path, 'buffers', name], unknown('buffer', name, Object.keys(buffers)));
      else structsAt(b.struct ?? null, v, [...path, 'buffers', name]);
    }
    e.one_of?.forEach((x, i) => {
      expects(x, kind, [...path, 'one_of', i]);
    });
    for (const [s, x] of Object.entries(e.by_strategy ?? {})) expects(x, kind, [...path, 'by_strategy', s]);
  };
  for (const list of stepLists(d)) {
    list.steps.forEach((step, i) => {
      const path = [...list.path, i];
      const dflt = step.call ? (CALLS[step.call].struct as StructKind | null) : null;
      const inl = inlineKind(step.arg, dflt);
      if (inl) structsAt(inl.kind, inl.value, [...path, 'arg', ...inl.path]);
      if (step.fill !== undefined && buffers[step.fill])
        structsAt(buffers[step.fill]!.struct ?? null, step.value, [...path, 'value']);
      expects(step.expect, kindOfPointer(step.arg, dflt), [...path, 'expect']);
    });
  }
}

function unknown(what: string, name: string, known: readonly string[]): string {
  const hint = closest(name, known);
  return `unknown ${what} ${JSON.stringify(name)}${hint ? ` (did you mean "${hint}"?)` : known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`;
}

function dupes(names: readonly string[]): string[] {
  return names.filter((n, i) => names.indexOf(n) !== i);
}

function resolveMachineSpec(sc: LoadedScenario): Plan['machine'] {
  const m = sc.data.machine;
  try {
    if (typeof m === 'string') {
      const preset = getMachine(m);
      return { id: preset.id, arch: preset.arch, cost: preset.cost, pmu: preset.pmu };
    }
    if (m.preset === undefined && (m.arch === undefined || m.cost === undefined || m.pmu === undefined)) {
      throw new Error(
        `without a preset, give arch, cost and pmu (presets: ${MACHINES.map((x) => x.id).join(', ')})`,
      );
    }
    const r = resolveMachine({
      // Stryker disable next-line ConditionalExpression: resolveMachine treats machine: undefined as absent
      ...(m.preset !== undefined ? { machine: m.preset } : {}),
      // Stryker disable next-line ConditionalExpression: resolveMachine treats arch: undefined as absent
      ...(m.arch !== undefined ? { arch: m.arch } : {}),
      // Stryker disable next-line ConditionalExpression: resolveMachine treats cpu: undefined as absent
      ...(m.cost !== undefined ? { cpu: m.cost } : {}),
      // Stryker disable next-line ConditionalExpression: resolveMachine treats pmu: undefined as absent
      ...(m.pmu !== undefined ? { pmu: m.pmu } : {}),
    });
    return { id: r.id, arch: r.arch, cost: r.cost, pmu: r.pmu };
  } catch (e) {
    throw errorAt(sc, ['machine'], (e as Error).message);
  }
}

function resolveStrategies(sc: LoadedScenario, opts: PlanOptions): string[] {
  const given = opts.strategies ?? sc.data.strategy ?? 'all';
  const list = typeof given === 'string' ? [given] : [...given];
  const out: string[] = [];
  for (const name of list) {
    if (name === 'all') {
      out.push(...defaultStrategies());
      continue;
    }
    if (!strategyFactory(name, opts.extraStrategies)) {
      if (opts.strategies) throw new Error(unknownStrategy(name, 'flag'));
      throw errorAt(sc, ['strategy'], unknownStrategy(name, 'scenario'));
    }
    out.push(name);
  }
  return [...new Set(out)];
}
