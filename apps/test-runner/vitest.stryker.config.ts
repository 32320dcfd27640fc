// The test-runner project for mutation runs (stryker.config.mjs picks it for apps/test-runner):
// its tests, with those that run the whole conformance suite, the fuzzer, the explorer or the
// CLI last (seconds each, where the unit tests of run and values take milliseconds).
import { mergeConfig } from 'vitest/config';
import { slowFilesLast } from '../../scripts/stryker-vitest.ts';
import project from './vitest.config.ts';

const SLOW = /[/\\](conformance|fuzz|explore|cli|cli\.never-lose|streams|limits)\.test\.ts$/;

export default mergeConfig(project, {
  test: { sequence: { sequencer: slowFilesLast((id) => SLOW.test(id)) } },
});
