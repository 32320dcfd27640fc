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

/** Whether `name` is one of the strategies that are wrong on purpose. */
export function isBrokenStrategy(name: string): boolean {
  return (BROKEN_STRATEGY_NAMES as readonly string[]).includes(name);
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

/** A strategy name that is not one of STRATEGY_NAMES. */
export class UnknownStrategyError extends KernelSimError {
  override readonly name = 'UnknownStrategyError';
  readonly accepted: readonly StrategyName[] = STRATEGY_NAMES;
  constructor(readonly strategy: unknown) {
    super(
      `unknown argument-buffer strategy ${typeof strategy === 'string' ? JSON.stringify(strategy) : String(strategy)} (accepted: ${STRATEGY_NAMES.join(', ')})`,
    );
  }
}

export function isStrategyName(name: unknown): name is StrategyName {
  return typeof name === 'string' && (STRATEGY_NAMES as readonly string[]).includes(name);
}

/** A fresh strategy by name; throws UnknownStrategyError naming the accepted names. */
export function createStrategy<N extends StrategyName>(
  name: N,
  options?: StrategyOptionsByName[N],
): ArgBufferStrategy;
export function createStrategy(name: string, options?: object): ArgBufferStrategy;
export function createStrategy(name: string, options: object = {}): ArgBufferStrategy {
  if (!isStrategyName(name)) throw new UnknownStrategyError(name);
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
