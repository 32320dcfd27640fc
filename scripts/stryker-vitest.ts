// For a package's vitest.stryker.config.ts: its tests in an order that finds a mutant's killer
// sooner. Stryker stops at a mutant's first failing test, so fast focused tests ahead of the
// slow whole-suite ones mean a killed mutant no longer waits for a whole suite run first. The
// order changes no result, only how soon it is known.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** A sequencer running the files `isSlow` picks after all the others. */
export function slowFilesLast(isSlow: (moduleId: string) => boolean) {
  return class SlowFilesLast extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const sorted = await super.sort(files);
      return [...sorted.filter((f) => !isSlow(f.moduleId)), ...sorted.filter((f) => isSlow(f.moduleId))];
    }
  };
}
