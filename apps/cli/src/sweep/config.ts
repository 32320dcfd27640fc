import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { strategyNames } from '@pfmsim/buffer-strategies';
import { ARCH_IDS, COST_KEYS, COST_PROFILE_IDS, type CostOverrides } from '@pfmsim/kernel-sim';
import { closest, MACHINES, resolveMachine, VECTOR_SYSCALLS, type VectorSyscall } from '@pfmsim/lab';
import { ABI_PROFILE_IDS, type AbiProfileId } from '@pfmsim/perfmon-core';
import { listModelIds } from '@pfmsim/pmu-models';
import { UsageError } from '../errors.js';
import { checkPmuFitsArch } from '../options.js';

/** A machine as the config names it: a preset id, or a preset with parts replaced. */
export interface MachineSpec {
  readonly machine: string;
  readonly arch?: string;
  readonly cpu?: string;
  readonly pmu?: string;
}

/** A sweep config after validation, every list expanded (what the config hash covers). */
export interface SweepConfig {
  readonly name: string;
  readonly machines: readonly MachineSpec[];
  readonly strategies: readonly string[];
  readonly calls: readonly VectorSyscall[];
  readonly counts: readonly number[];
  readonly abi: readonly AbiProfileId[];
  readonly threads: readonly number[];
  readonly seeds: readonly number[];
  readonly callsPerThread: number;
  readonly costOverrides: CostOverrides;
}

/** One point of the grid: everything a worker needs to run it. */
export interface SweepCell {
  readonly index: number;
  readonly key: string;
  readonly machine: MachineSpec;
  readonly machineId: string;
  readonly abi: AbiProfileId;
  readonly threads: number;
  readonly seed: number;
  readonly strategy: string;
  readonly syscall: VectorSyscall;
  readonly count: number;
  readonly callsPerThread: number;
  readonly costOverrides: CostOverrides;
}

export const CONFIG_KEYS = [
  '$schema',
  'name',
  'machines',
  'strategies',
  'calls',
  'counts',
  'abi',
  'threads',
  'seeds',
  'callsPerThread',
  'costOverrides',
] as const;

class ConfigError extends UsageError {}

/** Reads and validates a sweep config file; every problem is one line naming the JSON path. */
export function loadSweepConfig(path: string, shownAs: string): SweepConfig {
  let text: string;
  try {
    // Stryker disable next-line StringLiteral: without an encoding readFileSync gives a Buffer, which JSON.parse reads as UTF-8 all the same
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read config ${shownAs}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(
      `config ${shownAs} is not valid JSON: ${(e as Error).message}`,
      'see `pfmsim sweep --help` for an example',
    );
  }
  return parseSweepConfig(data, shownAs, basename(path).replace(/\.json$/, ''));
}

export function parseSweepConfig(data: unknown, shownAs: string, defaultName = 'sweep'): SweepConfig {
  const fail = (path: string, message: string, hint?: string): never => {
    throw new ConfigError(`config ${shownAs}: ${path}: ${message}`, hint);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('$', 'must be a JSON object');
  const obj = data as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      const near = closest(key, CONFIG_KEYS);
      fail(key, 'unknown key', near ? `did you mean "${near}"?` : `valid keys: ${CONFIG_KEYS.join(', ')}`);
    }
  }
  const list = (key: string, fallback: readonly unknown[]): unknown[] => {
    const v = obj[key];
    if (v === undefined) return [...fallback];
    if (v === 'all') return [...fallback];
    const arr = Array.isArray(v) ? v : [v];
    if (arr.length === 0)
      fail(key, 'is empty', 'give at least one value or leave the key out for the default');
    return arr;
  };
  const choice = <T extends string>(
    key: string,
    values: unknown[],
    choices: readonly T[],
    what: string,
  ): T[] =>
    values.map((v, i) => {
      if (typeof v !== 'string') return fail(`${key}[${i}]`, `must be a string (${what})`);
      if (!(choices as readonly string[]).includes(v)) {
        const near = closest(v, choices);
        return fail(
          `${key}[${i}]`,
          `unknown ${what} "${v}"`,
          near ? `did you mean "${near}"?` : `valid: ${choices.join(', ')}`,
        );
      }
      return v as T;
    });
  const ints = (key: string, values: unknown[], min: number, max: number): number[] =>
    values.map((v, i) =>
      Number.isInteger(v) && (v as number) >= min && (v as number) <= max
        ? (v as number)
        : fail(`${key}[${i}]`, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`),
    );

  const name =
    obj.name === undefined
      ? defaultName
      : typeof obj.name === 'string'
        ? obj.name
        : fail('name', 'must be a string');
  const machineIds = MACHINES.map((m) => m.id);
  const machines = list('machines', ['p4-2006']).map((v, i): MachineSpec => {
    if (typeof v === 'string') {
      if (!machineIds.includes(v)) {
        const near = closest(v, machineIds);
        fail(
          `machines[${i}]`,
          `unknown machine "${v}"`,
          near ? `did you mean "${near}"?` : `valid: ${machineIds.join(', ')}`,
        );
      }
      return { machine: v };
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return fail(`machines[${i}]`, 'must be a preset id or {"machine", "arch", "cpu", "pmu"}');
    }
    const m = v as Record<string, unknown>;
    for (const k of Object.keys(m)) {
      if (!['machine', 'arch', 'cpu', 'pmu'].includes(k)) {
        const near = closest(k, ['machine', 'arch', 'cpu', 'pmu']);
        fail(
          `machines[${i}].${k}`,
          'unknown key',
          near ? `did you mean "${near}"?` : 'valid: machine, arch, cpu, pmu',
        );
      }
    }
    const get = (k: string, choices: readonly string[], what: string): string | undefined => {
      const x = m[k];
      if (x === undefined) return undefined;
      if (typeof x !== 'string') return fail(`machines[${i}].${k}`, 'must be a string');
      if (!choices.includes(x)) {
        const near = closest(x, choices);
        return fail(
          `machines[${i}].${k}`,
          `unknown ${what} "${x}"`,
          near ? `did you mean "${near}"?` : `valid: ${choices.join(', ')}`,
        );
      }
      return x;
    };
    const spec: { machine: string; arch?: string; cpu?: string; pmu?: string } = {
      machine: get('machine', machineIds, 'machine') ?? 'p4-2006',
    };
    const arch = get('arch', ARCH_IDS, 'arch');
    const cpu = get('cpu', COST_PROFILE_IDS, 'cpu cost profile');
    const pmu = get('pmu', listModelIds(), 'PMU model');
    if (arch !== undefined) spec.arch = arch;
    if (cpu !== undefined) spec.cpu = cpu;
    if (pmu !== undefined) spec.pmu = pmu;
    const resolved = resolveMachine(spec);
    try {
      if (spec.arch !== undefined || spec.pmu !== undefined) checkPmuFitsArch(resolved.pmu, resolved.arch);
    } catch (e) {
      if (e instanceof UsageError) fail(`machines[${i}]`, e.message, e.hint);
      throw e;
    }
    return spec;
  });
  const known = strategyNames();
  const strategies = choice('strategies', list('strategies', known), known, 'strategy');
  const calls = choice('calls', list('calls', VECTOR_SYSCALLS), VECTOR_SYSCALLS, 'call');
  const counts = ints('counts', list('counts', [1, 2, 4, 8, 16, 32, 64]), 1, 4096);
  const abi = choice('abi', list('abi', ['v2.3']), ABI_PROFILE_IDS, 'ABI profile');
  const threads = ints('threads', list('threads', [1]), 1, 16);
  const seeds = ints('seeds', list('seeds', [1]), 0, 2 ** 31 - 1);
  const callsPerThread =
    obj.callsPerThread === undefined ? 4 : ints('callsPerThread', [obj.callsPerThread], 1, 1000)[0]!;
  const costOverrides: Record<string, number> = {};
  if (obj.costOverrides !== undefined) {
    if (
      typeof obj.costOverrides !== 'object' ||
      obj.costOverrides === null ||
      Array.isArray(obj.costOverrides)
    ) {
      fail('costOverrides', 'must be an object of cost figure -> cycles');
    }
    for (const [k, v] of Object.entries(obj.costOverrides as Record<string, unknown>)) {
      if (!(COST_KEYS as readonly string[]).includes(k)) {
        const near = closest(k, COST_KEYS);
        fail(`costOverrides.${k}`, 'unknown cost figure', near ? `did you mean "${near}"?` : undefined);
      }
      if (!Number.isFinite(v) || (v as number) < 0) fail(`costOverrides.${k}`, 'must be a number >= 0');
      costOverrides[k] = v as number;
    }
  }
  const uniq = <T>(xs: T[]) => [...new Set(xs.map((x) => JSON.stringify(x)))].map((s) => JSON.parse(s) as T);
  return {
    name,
    machines: uniq(machines),
    strategies: uniq(strategies),
    calls: uniq(calls),
    counts: uniq(counts),
    abi: uniq(abi),
    threads: uniq(threads),
    seeds: uniq(seeds),
    callsPerThread,
    costOverrides,
  };
}

export function configHash(c: SweepConfig): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

export function machineLabel(spec: MachineSpec): string {
  return resolveMachine(spec).id;
}

/** Every cell of the grid in a fixed order: machine, abi, threads, seed, strategy, call, count. */
export function expandCells(c: SweepConfig): SweepCell[] {
  const cells: SweepCell[] = [];
  for (const machine of c.machines) {
    const machineId = machineLabel(machine);
    for (const abi of c.abi)
      for (const threads of c.threads)
        for (const seed of c.seeds)
          for (const strategy of c.strategies)
            for (const syscall of c.calls)
              for (const count of c.counts) {
                cells.push({
                  index: cells.length,
                  key: `${machineId}|${abi}|t${threads}|s${seed}|${strategy}|${syscall}|n${count}`,
                  machine,
                  machineId,
                  abi,
                  threads,
                  seed,
                  strategy,
                  syscall,
                  count,
                  callsPerThread: c.callsPerThread,
                  costOverrides: c.costOverrides,
                });
              }
  }
  return cells;
}

export const gridSummary = (c: SweepConfig): string =>
  `${c.machines.length} machines x ${c.strategies.length} strategies x ${c.calls.length} calls x ${c.counts.length} counts x ${c.abi.length} abi x ${c.threads.length} threads x ${c.seeds.length} seeds`;
