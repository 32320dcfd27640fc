// The cli project for mutation runs (stryker.config.mjs picks it for apps/cli): its tests, with
// the unit tests beside the sources (src/**) ordered before the end-to-end ones (test/**). Stryker stops at a
// mutant's first failing test, so a mutant the unit tests kill no longer waits for a whole
// `compare` run first. The order changes no result, only how soon a killed mutant is known.
//
// Left out: the end-to-end files that only spawn the binary. A mutant is switched on inside the
// test process (a global of Stryker's), never in a child process, so these tests can neither
// cover nor kill one; they only made the initial run minutes longer. The command cases they share
// with the in-process tests (test/command-cases.ts) still run here, through
// src/commands/commands.test.ts.
import { configDefaults, mergeConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import project from './vitest.config.ts';

const isUnit = (spec: TestSpecification) => /[/\\]apps[/\\]cli[/\\]src[/\\]/.test(spec.moduleId);

class UnitTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter(isUnit), ...sorted.filter((f) => !isUnit(f))];
  }
}

const SPAWN_ONLY = ['commands.e2e', 'compare.e2e', 'sweep.e2e', 'report.browser'].map(
  (name) => `**/test/${name}.test.ts`,
);

export default mergeConfig(project, {
  test: { exclude: [...configDefaults.exclude, ...SPAWN_ONLY], sequence: { sequencer: UnitTestsFirst } },
});
