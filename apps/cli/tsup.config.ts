import { defineConfig } from 'tsup';

export default defineConfig({
  // sweep-worker is loaded by `pfmsim sweep --jobs N` as a worker thread (dist/sweep-worker.js).
  entry: ['src/index.ts', 'src/bin.ts', 'src/sweep-worker.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
