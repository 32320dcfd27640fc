export {
  ArgBudget,
  BUDGET_UNIT_BYTES,
  type BudgetOptions,
  DEFAULT_GLOBAL_BUDGET,
  DEFAULT_USER_BUDGET,
  PercpuCounter,
} from './budget.js';
export {
  type CertCheck,
  type CheckStatus,
  FAULT_COUNTS,
  FAULT_SEQUENCE,
  type FaultOptions,
  type Figure,
  faultInjectionCheck,
  MAX_FAULT_POINTS,
  MAX_PROBLEMS,
  Problems,
  replaySharedFd,
  SHARED_FD_PLANS,
  type SharedFdOptions,
  type SharedFdPlan,
  type StrategyFactory,
  sharedFdCheck,
  statusOf,
} from './certify/index.js';
export { ELEM_SIZES, LAB_CONTEXT_BYTES, type LabOptions, StrategyLab } from './lab.js';
export { cyclesPerCall, type MeasureOptions } from './measure.js';
export {
  type KindRecommendation,
  type Recommendation,
  type RecommendOptions,
  recommendThresholds,
  type SizeDistribution,
} from './recommend.js';
export {
  allStrategies,
  BROKEN_STRATEGY_NAMES,
  clearRegisteredStrategies,
  createStrategy,
  isBrokenStrategy,
  isKnownStrategy,
  isStrategyName,
  registerStrategy,
  STRATEGY_NAMES,
  type StrategyName,
  type StrategyOptionsByName,
  type StrategyRegistration,
  StrategyRegistrationError,
  strategyNames,
  strategyShapeProblem,
  strategySource,
  UnknownStrategyError,
} from './registry.js';
export {
  contextFloodAttack,
  FLOOD_CONTEXTS,
  FULL_PMD_VECTOR,
  type ScenarioWorld,
  type SharedContextScenarioOptions,
  sharedContextScenario,
} from './scenario.js';
export {
  ARG_BLOCKED,
  type ArgBufferStrategy,
  ArgCall,
  type ArgKind,
  type ContextSlot,
  E2BIG,
  EFAULT,
  ELEM_KINDS,
  type ElemKind,
  ENOMEM,
  SLOT_WORDS,
  SMPL_ARG_KIND,
} from './spec.js';
export { archStackArgs, archStackArgsSource, archStackArgsV3 } from './stack-args.js';
export { formatStackReport, type StackReport, type StackReportRow, stackReport } from './stack-report.js';
export {
  bufferOf,
  classBytes,
  classOf,
  HOW_CACHED,
  HOW_KMALLOC,
  HOW_NONE,
  HOW_SLAB,
  HOW_STACK,
  kfreeBuffer,
  kmallocBuffer,
  sizeClassOf,
} from './strategies/common.js';
export { createCtxCacheStrategy } from './strategies/ctx-cache.js';
export {
  type BoundedStrategy,
  type BudgetReport,
  type CtxCacheBoundedOptions,
  createCtxCacheBoundedStrategy,
  SLOT_BUSY,
} from './strategies/ctx-cache-bounded.js';
export { createCtxCacheMutexStrategy } from './strategies/ctx-cache-mutex.js';
export { createCtxCacheNaiveStrategy } from './strategies/ctx-cache-naive.js';
export { createCtxCacheSpinsplitStrategy } from './strategies/ctx-cache-spinsplit.js';
export {
  createHybridStrategy,
  FRAME_OTHER_LOCALS,
  type HybridOptions,
  hybridStackBudget,
  hybridThreshold,
  STACK_BUDGET_RULE,
} from './strategies/hybrid.js';
export { createKmallocStrategy } from './strategies/kmalloc.js';
export {
  createSlabCacheStrategy,
  DEFAULT_SLAB_SIZES,
  type SlabCacheOptions,
} from './strategies/slab-cache.js';
export { createStackStrategy, type StackStrategyOptions } from './strategies/stack.js';
export { createTaskCacheStrategy, TASK_CACHE_KEY } from './strategies/task-cache.js';
export { argumentCall, vectorCall } from './vector-call.js';
