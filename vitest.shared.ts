import { defaultServerConditions } from 'vite';
import { defineProject } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the `@pfmsim/source` export
// condition), so tests never wait for a build.
const conditions = ['@pfmsim/source', ...defaultServerConditions];

export function pfmsimProject(name: string) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      setupFiles: [new URL('./scripts/vitest-setup.ts', import.meta.url).pathname],
      environment: 'node',
    },
  });
}
