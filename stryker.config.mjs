// Mutation testing (StrykerJS). `pnpm mutation` runs it per package through
// scripts/mutation.mjs; see CONTRIBUTING.md.
import { existsSync } from 'node:fs';

// PFMSIM_MUTATE (set by scripts/mutation.mjs): the comma-separated files to mutate. Stryker's
// `// @ts-nocheck` goes into those files only: added to every file, it breaks the tests that
// compare a README with the example file it shows.
const mutate = (
  process.env.PFMSIM_MUTATE ?? '{packages,apps}/*/src/**/*.ts,!**/*.test.ts,!**/src/**/test-util.ts'
).split(',');
const mutated = mutate.filter((p) => !p.startsWith('!')).map((p) => p.replace(/:[\d:-]+$/, ''));

// PFMSIM_TEST_DIR (set by scripts/mutation.mjs): the package whose files are mutated. Its own
// tests must catch its bugs (users depend on single packages), so vitest runs that package's
// project only, or its vitest.stryker.config.ts where it has one (the CLI's leaves out the tests
// that only spawn the binary: a mutant is switched on in the test process, never in a child).
const testDir = process.env.PFMSIM_TEST_DIR;
const vitest = testDir
  ? {
      configFile: existsSync(`${testDir}/vitest.stryker.config.ts`)
        ? `${testDir}/vitest.stryker.config.ts`
        : `${testDir}/vitest.config.ts`,
      dir: testDir,
    }
  : { configFile: 'vitest.config.ts' };

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate,
  disableTypeChecks: mutated.length === 1 ? mutated[0] : `{${mutated.join(',')}}`,
  packageManager: 'pnpm',
  plugins: ['@stryker-mutator/vitest-runner'],
  testRunner: 'vitest',
  vitest,
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${process.env.PFMSIM_MUTATION_NAME ?? 'mutation'}.html` },
  jsonReporter: { fileName: `reports/mutation/${process.env.PFMSIM_MUTATION_NAME ?? 'mutation'}.json` },
  concurrency: 2,
  timeoutMS: 20000,
  // Suites that spawn binaries or run the whole conformance suite make the initial run minutes
  // long on a loaded machine.
  dryRunTimeoutMinutes: 20,
  ignorePatterns: ['**/dist/**', 'reports/**', '**/.turbo/**', 'test-artifacts/**', '.pfmsim/**'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
