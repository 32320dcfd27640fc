export {
  type AttackBudget,
  type AttackOptions,
  type AttackResult,
  type AttackSample,
  type AttackUser,
  FIRST_UID,
  NR_OPEN,
  runAttack,
  runThreadAttack,
  type SlabLine,
  type ThreadAttackResult,
} from './attack.js';
export {
  type CalibrateOptions,
  type CalibrationResult,
  type CalibrationTarget,
  type Cycles,
  calibrate,
  documentedRange,
  metricOf,
  type Plausibility,
  plausibility,
  type TargetSample,
} from './calibrate.js';
export {
  type CalibrateAllOptions,
  calibrateAll,
  type RowVerdict,
  type WhatIfRow,
  type WhatIfTable,
} from './calibrate-all.js';
export { MAX_SAMPLE_CALLS, MIN_SAMPLE_CALLS, sampleTarget } from './calibrate-meter.js';
export {
  type Certificate,
  type CertificateVerdict,
  type CertifyOptions,
  CHECK_IDS,
  type CheckId,
  CYCLE_COUNTS,
  certify,
} from './certify/index.js';
export {
  type CompareOptions,
  type CompareResult,
  runCompare,
  type StrategySummary,
  verdict,
} from './compare.js';
export { type BenchOptions, benchCallRounds, benchCalls, benchSchedules, type Rate } from './host-speed.js';
export {
  closest,
  DEFAULT_MACHINE,
  getMachine,
  MACHINES,
  type Machine,
  resolveMachine,
  UnknownMachineError,
} from './machines.js';
export {
  type CallMeasurement,
  type CallSample,
  type MeasureOptions,
  measureCall,
  sampleCalls,
} from './measure.js';
export { PROBABILITY_KEYS, type Verdict } from './plausibility.js';
export {
  activePlugins,
  commandPluginSpecs,
  configPlugins,
  definePlugin,
  extractPluginArgs,
  findConfigFile,
  isPluginPath,
  type LoadedPlugin,
  loadPlugins,
  type PfmsimPlugin,
  PLUGIN_SPECIFICATION_VERSION,
  PluginError,
  unloadPlugins,
} from './plugins.js';
export {
  buildRaceKernel,
  exploreRaces,
  type RaceFinding,
  type RaceOptions,
  type RaceResult,
  RaceSearch,
  replayRace,
} from './race.js';
export {
  type RaceAccess,
  type RaceConflict,
  type RaceEvent,
  type RaceEventKind,
  type RaceStep,
  type RaceTrace,
  type StepEnd,
  traceRace,
} from './race-trace.js';
export {
  buildRaceWorld,
  callsOf,
  DEFAULT_MIX,
  formatMix,
  parseMix,
  RACE_CALLS,
  RACE_COUNT,
  type RaceCall,
  type RaceWorld,
  type RaceWorldOptions,
} from './race-world.js';
export {
  type Client,
  createWorld,
  fitLimit,
  VECTOR_SYSCALLS,
  type VectorSyscall,
  type World,
  type WorldOptions,
} from './world.js';
