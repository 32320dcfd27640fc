import { defineProject } from 'vitest/config';

// The repository's own tooling: changesets and the release scripts.
export default defineProject({
  test: {
    name: 'release',
    include: ['**/*.test.ts'],
    environment: 'node',
  },
});
