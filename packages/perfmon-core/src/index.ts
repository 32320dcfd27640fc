export * from './abi/index.js';
export { lockedBody, PfmArgCall } from './core/argcall.js';
export { CONTEXT_BYTES, PfmContext } from './core/context.js';
export { type CounterConfig, decodeCounter } from './core/counting.js';
export { overflowInterrupt, resetOverflowed } from './core/intr.js';
export { MSG_BYTES, MsgQueue } from './core/msg.js';
export { PmuBinding, pmuBinding } from './core/pmu.js';
export { runWorkload } from './core/run.js';
export { Sessions } from './core/sessions.js';
export { BV_WORDS, EventSet, SetList } from './core/sets.js';
export { checkTaskState } from './core/state.js';
export { SYSFS_ROOT, Sysfs, type SysfsState } from './core/sysfs.js';
export {
  type EventRate,
  eventWorkloadKey,
  type NamedPhase,
  type Phase,
  type PhaseSpec,
  TEXT_START,
  Workload,
  type WorkloadSpec,
  workloadFromEvents,
  workloadFromPhases,
} from './core/workload.js';
export { fromBigInt, joinCounter, splitCounter, toBigInt } from './rw/u64.js';
export { type Entry, SyncGate, Syscalls, type VectorSpec } from './syscalls.js';
export { V3Syscalls } from './syscalls-v3.js';
export {
  createSystem,
  type MachineSpec,
  type PerfmonOptions,
  PerfmonSystem,
  type ResolvedPerfmonOptions,
  type SystemOptions,
} from './system.js';
