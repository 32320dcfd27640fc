export { ARCH_IDS, type ArchId, type ArchOverrides, type ArchProfile, getArch, listArchs } from './arch.js';
export { BUG_KINDS, type BugKind, formatBug, type KernelBug, ThreadKilled } from './bugs.js';
export {
  CAT,
  CATEGORIES,
  type Category,
  type CategoryIndex,
  CycleCounter,
  type CycleSnapshot,
} from './clock.js';
export {
  COST_KEYS,
  COST_PROFILE_IDS,
  type CostFigure,
  type CostFigures,
  type CostKey,
  type CostKind,
  type CostOverrides,
  type CostProfile,
  type CostProfileId,
  type Costs,
  costValues,
  getCostProfile,
  listCostProfiles,
} from './cost.js';
export {
  checkInteger,
  checkOneOf,
  DisposedKernelError,
  InvalidArgumentError,
  KernelSimError,
} from './errors.js';
export { type FaultAttr, type FaultConfig, FaultInjector } from './fault.js';
export { Interrupts, type IrqHandler } from './irq.js';
export {
  Cpu,
  createKernel,
  EMFILE,
  Kernel,
  type KernelOptions,
  type ResolvedOptions,
  type RunResult,
  type SpawnOptions,
} from './kernel.js';
export { type ArenaBuffers, ArenaPool, sharedArenaPool } from './mem/arena-pool.js';
export { ArenaView } from './mem/arena-view.js';
export { KmemCache, kmallocSizes } from './mem/cache.js';
export {
  ARENA_CHUNK_BYTES,
  GFP_ATOMIC,
  GFP_KERNEL,
  type LiveObject,
  MAX_ARENA_BYTES,
  MAX_ARENA_BYTES_32BIT,
  Memory,
  type MemSnapshot,
  POISON_FREE,
  type Shrinker,
} from './mem/memory.js';
export { PageAllocator } from './mem/pages.js';
export { MAX_RACE_THREADS, RaceDetector } from './race.js';
export { checkSeed, hash32, Rng } from './rng.js';
export { BoundedDfs } from './sched/dfs.js';
export { SourceDpor } from './sched/dpor.js';
export {
  checkDeterminism,
  defaultFindingClass,
  type Explorable,
  Exploration,
  type ExploreMode,
  type ExploreOptions,
  type ExploreResult,
  explore,
  type Finding,
  type FindingClass,
  replaySchedule,
  type Verdict,
} from './sched/explore.js';
export { dependent, Footprint } from './sched/footprint.js';
export { PctScheduler } from './sched/pct.js';
export { createScheduler, POLICY_KINDS, type SchedulerPolicy } from './sched/policy.js';
export { RandomScheduler } from './sched/random.js';
export { formatReplay, parseReplay, ReplayScheduler } from './sched/replay.js';
export { RoundRobin } from './sched/round-robin.js';
export { type ChoicePoint, defaultChoice, RunToCompletion, type Scheduler } from './sched/scheduler.js';
export {
  BLOCKED,
  DONE,
  type FileLike,
  type KGen,
  Process,
  RUNNABLE,
  Thread,
  Y_BLOCK,
  Y_PREEMPT,
  type YieldCode,
} from './sched/thread.js';
export { WaitQueue } from './sched/waitqueue.js';
export {
  SNAPSHOT,
  type Snapshotable,
  type SnapshotPart,
  type SnapshotStats,
  takeSnapshot,
  WorldSnapshot,
} from './snapshot.js';
export { type FrameWarning, KernelStacks } from './stack.js';
export { type IrqFlags, Lock, LockClass, type Mutex, type Spinlock, Sync } from './sync.js';
export {
  AddressSpace,
  type MmapOptions,
  type PhysicalAllocator,
  type PhysicalMemory,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
  type Region,
  UserAccess,
  UserSegfault,
} from './uaccess.js';
