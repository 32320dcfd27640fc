export {
  type Assignment,
  canPlaceAll,
  explainNoAssignment,
  type GreedyPass,
  greedyPasses,
  hallViolator,
  isValidAssignment,
  type SearchOptions,
  type Slot,
  searchAssignment,
} from './assign.js';
export * from './constants.js';
export { type DispatcherKind, dispatchEvents, dispatchEventsVerbose, dispatcherKind } from './dispatch.js';
export type {
  Amd64Revision,
  CounterOptions,
  DispatchEventInput,
  DispatchInput,
  DispatchOutput,
  DispatchResult,
  Fam10hRevision,
  HostInfo,
  LibpfmBug,
  ModelInput,
  PmcValue,
  PmdValue,
  SearchMode,
} from './dispatch-types.js';
export { LIBPFM_BUGS } from './dispatch-types.js';
export * from './errors.js';
export {
  checkEvent,
  findEvent,
  findEventByCode,
  findEventByCodeNext,
  findEventByName,
  findEventMask,
  findFullEvent,
  getEventCode,
  getEventCodeCounter,
  getEventCounters,
  getEventDescription,
  getEventMaskCode,
  getEventMaskDescription,
  getEventMaskName,
  getEventName,
  getFullEventName,
  getMaxEventNameLen,
  getNumEventMasks,
  type PfmEvent,
} from './events.js';
export { type InitializeOptions, Libpfm, pfmInitialize } from './library.js';
export { PerfmonGate } from './os/perfmon.js';
export { UserMemory } from './os/user-memory.js';
export {
  amd64Revision,
  type CpuId,
  fam10hRevision,
  parseForceCpu,
  parseForcePmu,
  pmuName,
  pmuNameByType,
  type ResolvedPmu,
  type ResolvePmuOptions,
  registryModels,
  resolvePmu,
} from './pmu.js';
export { RegMask, type RegMaskLike, toRegMask } from './regmask.js';
export { type Sample, type SampleOptions, type SampleResult, sample } from './sample.js';
export {
  BUILTIN_LIBPFM_SCHEMES,
  findLibpfmScheme,
  LIBPFM_SCHEME_API_VERSION,
  type LibpfmScheme,
  LibpfmSchemeRegistrationError,
  libpfmSchemeOf,
  registerLibpfmScheme,
} from './schemes.js';
export {
  type CountedEvent,
  type CountOptions,
  type CountResult,
  count,
  openSession,
  planSets,
  type Session,
  type SessionOptions,
  SyscallError,
} from './session.js';
export { strtoul, ULONG_MAX } from './strtoul.js';
export type { SyscallGate, SyscallResult, UserPtr } from './syscall-gate.js';
