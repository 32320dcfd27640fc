import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      'examples/*/vitest.config.ts',
      'scripts/vitest.config.ts',
    ],
    reporters: ['default', './scripts/summary-reporter.ts'],
    // `pnpm coverage`: line and branch coverage, a cheaper signal than the mutation score.
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test-util.ts'],
      reporter: ['json-summary', 'html'],
      reportsDirectory: 'reports/coverage',
    },
  },
});
