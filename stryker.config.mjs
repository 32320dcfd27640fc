// Mutation testing (StrykerJS). `pnpm mutation` runs it per package through
// scripts/mutation.mjs; see CONTRIBUTING.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
// PFMSIM_MUTATE (set by scripts/mutation.mjs): the comma-separated files to mutate. Stryker's
// `// @ts-nocheck` goes into those files only: added to every file, it breaks the tests that
// compare a README with the example file it shows.
const mutate = (
  process.env.PFMSIM_MUTATE ?? '{packages,apps}/*/src/**/*.ts,!**/*.test.ts,!**/src/test-util.ts'
).split(',');
const mutated = mutate.filter((p) => !p.startsWith('!')).map((p) => p.replace(/:[\d:-]+$/, ''));

export default {
  mutate,
  disableTypeChecks: mutated.length === 1 ? mutated[0] : `{${mutated.join(',')}}`,
  packageManager: 'pnpm',
  plugins: ['@stryker-mutator/vitest-runner'],
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts' },
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${process.env.PFMSIM_MUTATION_NAME ?? 'mutation'}.html` },
  jsonReporter: { fileName: `reports/mutation/${process.env.PFMSIM_MUTATION_NAME ?? 'mutation'}.json` },
  concurrency: 2,
  timeoutMS: 20000,
  ignorePatterns: ['**/dist/**', 'reports/**', '**/.turbo/**', 'test-artifacts/**', '.pfmsim/**'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
