// The cli project for mutation runs (stryker.config.mjs picks it for apps/cli): its tests, the
// unit tests beside the sources (src/**) before the end-to-end ones (test/**).
//
// Left out: the end-to-end files that only spawn the binary. A mutant is switched on inside the
// test process (a global of Stryker's), never in a child process, so these tests can neither
// cover nor kill one; they only made the initial run minutes longer. The command cases they share
// with the in-process tests (test/command-cases.ts) still run here, through
// src/commands/commands.test.ts.
import { configDefaults, mergeConfig } from 'vitest/config';
import { slowFilesLast } from '../../scripts/stryker-vitest.ts';
import project from './vitest.config.ts';

const SPAWN_ONLY = ['commands.e2e', 'compare.e2e', 'sweep.e2e', 'report.browser'].map(
  (name) => `**/test/${name}.test.ts`,
);

export default mergeConfig(project, {
  test: {
    exclude: [...configDefaults.exclude, ...SPAWN_ONLY],
    sequence: { sequencer: slowFilesLast((id) => /[/\\]apps[/\\]cli[/\\]test[/\\]/.test(id)) },
  },
});
