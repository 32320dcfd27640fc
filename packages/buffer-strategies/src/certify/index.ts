export { type CertCheck, type CheckStatus, type Figure, MAX_PROBLEMS, Problems, statusOf } from './check.js';
export {
  FAULT_COUNTS,
  FAULT_SEQUENCE,
  type FaultOptions,
  faultInjectionCheck,
  MAX_FAULT_POINTS,
} from './faults.js';
export {
  replaySharedFd,
  SHARED_FD_PLANS,
  type SharedFdOptions,
  type SharedFdPlan,
  sharedFdCheck,
} from './shared-fd.js';
export type { StrategyFactory } from './world.js';
