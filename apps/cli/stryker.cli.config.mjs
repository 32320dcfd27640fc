// Mutation testing of the CLI alone: the repository's configuration (stryker.config.mjs) with
// vitest limited to the cli project, whose tests are the only ones that import its sources. The
// scores are those of the full configuration; the initial test run skips every other package.
//   pnpm mutation apps/cli/src/options.ts --survivors --config apps/cli/stryker.cli.config.mjs
import base from '../../stryker.config.mjs';

export default {
  ...base,
  vitest: { configFile: 'apps/cli/vitest.stryker.config.ts', dir: 'apps/cli' },
  // The end-to-end tests spawn the binary; on a loaded machine the initial run takes minutes.
  dryRunTimeoutMinutes: 20,
};
