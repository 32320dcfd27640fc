import { Worker } from 'node:worker_threads';

/**
 * Starts the sweep worker. It sits beside this module both in src/ (run through tsx) and in
 * dist/ (bundled; tsup emits chunks at the dist root), which is why this file is at the src
 * root. From source, a worker thread does not inherit tsx's `--import` hooks, so a small
 * bootstrap registers tsx in the worker before loading the TypeScript worker module.
 */
/**
 * A larger young generation: the simulator allocates many short-lived objects per call, and
 * fewer scavenges keep a worker on its own core instead of on GC work.
 */
const OPTIONS = { resourceLimits: { maxYoungGenerationSizeMb: 64 } };

export function startSweepWorker(
  /** Where this module is (a test may stand in for the built one). */
  moduleUrl: string = import.meta.url,
): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL('./sweep-worker.js', moduleUrl), OPTIONS);
  const worker = new URL('./sweep-worker.ts', moduleUrl).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); }).catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(code, { ...OPTIONS, eval: true });
}
