/**
 * @pfmsim/test-runner: scenario files for the simulated perfmon2 interface, the runner that
 * checks them (under every argument-buffer strategy, optionally under every schedule), the
 * reporters, and a fuzzer that writes what it finds as scenario files.
 */

export { twoThreadScenario } from './bench-scenario.js';
export { type CliIo, CONFORMANCE_DIR, main, mainAsync, VERSION } from './cli.js';
export {
  checkProgram,
  type FuzzFinding,
  type FuzzOptions,
  type FuzzResult,
  failureSignature,
  generateProgram,
  renderProgram,
  runFuzz,
  shrinkProgram,
} from './fuzz.js';
export { buildJsonSchema, JSON_SCHEMA_FILE, renderJsonSchema } from './json-schema.js';
export {
  MAX_ALIASES,
  MAX_DEPTH,
  MAX_FILE_BYTES,
  MAX_NODES,
  MAX_STEPS,
  ScenarioFileError,
} from './limits.js';
export {
  formatPath,
  type Issue,
  type LoadedScenario,
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  scenarioFromData,
} from './load.js';
export {
  checkOutputDir,
  checkOutputFile,
  ioReason,
  OutputError,
  writeFileAtomic,
} from './output.js';
export {
  DEFAULT_STRATEGIES,
  defaultStrategies,
  type ExtraStrategies,
  makePlan,
  type Plan,
  type StrategyFactory,
} from './plan.js';
export {
  createReporter,
  humanReporter,
  junitReporter,
  REPORTERS,
  type Reporter,
  type ReporterName,
  tapReporter,
} from './reporters.js';
export { diffLogs, type RunOptions, runScenario, type ScenarioResult, type TestResult } from './run.js';
export {
  ACTION_NAMES,
  CALL_NAMES,
  CALLS,
  type Expect,
  type Scenario,
  ScenarioSchema,
  STRUCT_KINDS,
  type Step,
  type StructKind,
} from './schema.js';
export { type StdoutProcess, watchStdout } from './streams.js';
export {
  findScenarioFiles,
  MissingPathError,
  runSuite,
  runSuiteAsync,
  type SuiteOptions,
  type SuiteResult,
} from './suite.js';
export { applyUpdate } from './update.js';
export type { Observation } from './world.js';
