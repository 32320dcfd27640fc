// The cli project for mutation runs (stryker.cli.config.mjs): the same tests, with the unit
// tests beside the sources (src/**) ordered before the end-to-end ones (test/**). Stryker stops
// at a mutant's first failing test, so a mutant the unit tests kill no longer waits for a whole
// `compare` run first. The order changes no result, only how soon a killed mutant is known.
import { mergeConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import project from './vitest.config.ts';

const isUnit = (spec: TestSpecification) => /[/\\]apps[/\\]cli[/\\]src[/\\]/.test(spec.moduleId);

class UnitTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter(isUnit), ...sorted.filter((f) => !isUnit(f))];
  }
}

export default mergeConfig(project, { test: { sequence: { sequencer: UnitTestsFirst } } });
