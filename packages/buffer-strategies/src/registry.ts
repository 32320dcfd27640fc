import { KernelSimError } from '@pfmsim/kernel-sim';
import type { ArgBufferStrategy } from './spec.js';
import { createCtxCacheStrategy } from './strategies/ctx-cache.js';
import {
  type CtxCacheBoundedOptions,
  createCtxCacheBoundedStrategy,
} from './strategies/ctx-cache-bounded.js';
import { createCtxCacheMutexStrategy } from './strategies/ctx-cache-mutex.js';
import { createCtxCacheNaiveStrategy } from './strategies/ctx-cache-naive.js';
import { createCtxCacheSpinsplitStrategy } from './strategies/ctx-cache-spinsplit.js';
import { createHybridStrategy, type HybridOptions } from './strategies/hybrid.js';
import { createKmallocStrategy } from './strategies/kmalloc.js';
import { createSlabCacheStrategy, type SlabCacheOptions } from './strategies/slab-cache.js';
import { createStackStrategy, type StackStrategyOptions } from './strategies/stack.js';
import { createTaskCacheStrategy } from './strategies/task-cache.js';

/** Every strategy, in the order the README and the comparisons list them. */
export const STRATEGY_NAMES = [
  'kmalloc',
  'stack',
  'ctx-cache-naive',
  'ctx-cache-spinsplit',
  'ctx-cache',
  'ctx-cache-mutex',
  'ctx-cache-bounded',
  'task-cache',
  'slab-cache',
  'hybrid',
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** The two forms of the seed's cache that are wrong on purpose, to show how they fail. */
export const BROKEN_STRATEGY_NAMES: readonly StrategyName[] = ['ctx-cache-naive', 'ctx-cache-spinsplit'];

/** Whether `name` is one of the strategies that are wrong on purpose (built in or registered). */
export function isBrokenStrategy(name: string): boolean {
  return (BROKEN_STRATEGY_NAMES as readonly string[]).includes(name) || registered.get(name)?.broken === true;
}

type NoOptions = Record<string, never>;

/** Options accepted by each strategy's factory. */
export interface StrategyOptionsByName {
  kmalloc: NoOptions;
  stack: StackStrategyOptions;
  'ctx-cache-naive': NoOptions;
  'ctx-cache-spinsplit': NoOptions;
  'ctx-cache': NoOptions;
  'ctx-cache-mutex': NoOptions;
  'ctx-cache-bounded': CtxCacheBoundedOptions;
  'task-cache': NoOptions;
  'slab-cache': SlabCacheOptions;
  hybrid: HybridOptions;
}

/** A strategy name that is neither built in nor registered. */
export class UnknownStrategyError extends KernelSimError {
  override readonly name = 'UnknownStrategyError';
  readonly accepted: readonly string[] = strategyNames();
  constructor(readonly strategy: unknown) {
    super(
      `unknown argument-buffer strategy ${typeof strategy === 'string' ? JSON.stringify(strategy) : String(strategy)} (accepted: ${strategyNames().join(', ')})`,
    );
  }
}

/** Whether `name` is a built-in strategy. */
export function isStrategyName(name: unknown): name is StrategyName {
  return typeof name === 'string' && (STRATEGY_NAMES as readonly string[]).includes(name);
}

/** A strategy brought from outside the package, by a plugin. */
export interface StrategyRegistration {
  readonly name: string;
  /** A fresh strategy; `options` as the caller gives them (`{}` by default). */
  readonly create: (options: object) => ArgBufferStrategy;
  /** Where it comes from, for messages, e.g. `plugin percpu (./plugins/percpu.mjs)`. */
  readonly source: string;
  /** Wrong on purpose: left out of default runs, like the two broken built-ins. */
  readonly broken?: boolean;
}

/** A registration refused: a name clash, a bad name, or a factory that does not work. */
export class StrategyRegistrationError extends KernelSimError {
  override readonly name = 'StrategyRegistrationError';
}

const registered = new Map<string, StrategyRegistration>();
const STRATEGY_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const REQUIRED_METHODS = ['frameBytes', 'acquire', 'release'] as const;

/** What is wrong with a value offered as a strategy named `name`, or undefined. */
export function strategyShapeProblem(value: unknown, name: string): string | undefined {
  if (value === null || typeof value !== 'object')
    return `returned ${value === null ? 'null' : typeof value}, not a strategy object`;
  const s = value as Partial<Record<string, unknown>>;
  if (s.specificationVersion !== 'v1') {
    return `implements strategy specification ${JSON.stringify(s.specificationVersion)}; pfmsim supports "v1"`;
  }
  if (s.name !== name) return `returned a strategy named ${JSON.stringify(s.name)}, not "${name}"`;
  for (const key of ['description', 'pinnedFormula', 'stackFootprint']) {
    if (typeof s[key] !== 'string') return `has no ${key} string`;
  }
  const missing = REQUIRED_METHODS.filter((m) => typeof s[m] !== 'function');
  if (missing.length > 0) return `has no ${missing.join(', ')} method${missing.length > 1 ? 's' : ''}`;
  return undefined;
}

/**
 * Add a strategy. Refused, with {@link StrategyRegistrationError} naming both sources, when the
 * name is a built-in's or another registration's; also refused when the name is not
 * lower-case words joined by `-`, or when its factory, called once with `{}`, throws or
 * returns something that is not a strategy of that name.
 */
export function registerStrategy(reg: StrategyRegistration): void {
  const { name, source } = reg;
  if (typeof name !== 'string' || !STRATEGY_NAME.test(name)) {
    throw new StrategyRegistrationError(
      `strategy name ${JSON.stringify(name)} from ${source} must be lower-case words joined by "-", e.g. "percpu"`,
    );
  }
  if (isStrategyName(name)) {
    throw new StrategyRegistrationError(
      `strategy "${name}" from ${source} clashes with the built-in strategy "${name}"; rename it`,
    );
  }
  const other = registered.get(name);
  if (other !== undefined) {
    throw new StrategyRegistrationError(
      `strategy "${name}" from ${source} clashes with "${name}" from ${other.source}; rename one of them`,
    );
  }
  if (typeof reg.create !== 'function') {
    throw new StrategyRegistrationError(`strategy "${name}" from ${source}: its factory is not a function`);
  }
  let probe: unknown;
  try {
    probe = reg.create({});
  } catch (error) {
    throw new StrategyRegistrationError(
      `strategy "${name}" from ${source}: its factory threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const problem = strategyShapeProblem(probe, name);
  if (problem !== undefined)
    throw new StrategyRegistrationError(`strategy "${name}" from ${source}: ${problem}`);
  registered.set(name, { ...reg });
}

/** Every strategy name: the built-ins in their order, then registered ones in registration order. */
export function strategyNames(): string[] {
  return [...STRATEGY_NAMES, ...registered.keys()];
}

/** Whether `name` is a built-in or a registered strategy. */
export function isKnownStrategy(name: unknown): name is string {
  return typeof name === 'string' && (isStrategyName(name) || registered.has(name));
}

/** Where a strategy comes from: `built-in`, its registration's source, or undefined. */
export function strategySource(name: string): string | undefined {
  return isStrategyName(name) ? 'built-in' : registered.get(name)?.source;
}

/** Forget every registered strategy (for a tool that loads a new set of plugins, and tests). */
export function clearRegisteredStrategies(): void {
  registered.clear();
}

/** A fresh strategy by name; throws UnknownStrategyError naming the accepted names. */
export function createStrategy<N extends StrategyName>(
  name: N,
  options?: StrategyOptionsByName[N],
): ArgBufferStrategy;
export function createStrategy(name: string, options?: object): ArgBufferStrategy;
export function createStrategy(name: string, options: object = {}): ArgBufferStrategy {
  if (!isStrategyName(name)) {
    const reg = registered.get(name);
    if (reg === undefined) throw new UnknownStrategyError(name);
    return reg.create(options);
  }
  switch (name) {
    case 'kmalloc':
      return createKmallocStrategy();
    case 'stack':
      return createStackStrategy(options as StackStrategyOptions);
    case 'ctx-cache-naive':
      return createCtxCacheNaiveStrategy();
    case 'ctx-cache-spinsplit':
      return createCtxCacheSpinsplitStrategy();
    case 'ctx-cache':
      return createCtxCacheStrategy();
    case 'ctx-cache-mutex':
      return createCtxCacheMutexStrategy();
    case 'ctx-cache-bounded':
      return createCtxCacheBoundedStrategy(options as CtxCacheBoundedOptions);
    case 'task-cache':
      return createTaskCacheStrategy();
    case 'slab-cache':
      return createSlabCacheStrategy(options as SlabCacheOptions);
    case 'hybrid':
      return createHybridStrategy(options as HybridOptions);
  }
}

/** One fresh instance of every strategy (defaults unless options are given per name). */
export function allStrategies(
  options: { [N in StrategyName]?: StrategyOptionsByName[N] } = {},
): ArgBufferStrategy[] {
  return STRATEGY_NAMES.map((name) => createStrategy(name, options[name] ?? {}));
}
