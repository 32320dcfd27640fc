import type { MessagePort } from 'node:worker_threads';
import { loadPlugins } from '@pfmsim/lab';
import { type CellSummary, runCell, summarize } from './cell.js';
import type { SweepCell } from './config.js';

/**
 * What the pool sends a sweep worker: the plugin files to load first (when the main thread
 * loaded plugins), a batch of cells to run, or the order to stop.
 */
export type WorkerRequest = { plugins: string[] } | { cells: SweepCell[] } | { stop: true };

/** A worker's answer to one batch: its results, or the first cell that failed. */
export type WorkerReply = { lines: string[]; summaries: CellSummary[] } | { error: string };

/**
 * The worker thread's side of `pfmsim sweep --jobs N` (src/sweep-worker.ts): runs each batch of
 * cells it is sent on `port` and answers with one message per batch. Without a port (the module
 * loaded outside a worker thread) it does nothing.
 */
export function serveCells(port: MessagePort | null): void {
  if (!port) return;
  // Requests are handled one after another, after the plugins (if any) have loaded.
  let previous: Promise<void> = Promise.resolve();
  port.on('message', (msg: WorkerRequest) => {
    previous = previous.then(() => handle(port, msg));
  });
}

/** One request; errors go back to the pool as a reply, never as an exception. */
async function handle(port: MessagePort, msg: WorkerRequest): Promise<void> {
  if ('plugins' in msg) {
    try {
      await loadPlugins(msg.plugins, { cwd: '/' });
    } catch (e) {
      port.postMessage({
        error: `loading plugins in a sweep worker: ${(e as Error).message}`,
      } satisfies WorkerReply);
    }
    return;
  }
  if ('stop' in msg) {
    port.close();
    return;
  }
  // Serialised here, so the main thread only appends text to the results file.
  const lines: string[] = [];
  const summaries: CellSummary[] = [];
  for (const cell of msg.cells) {
    try {
      const r = runCell(cell);
      lines.push(JSON.stringify(r));
      summaries.push(summarize(r));
    } catch (e) {
      port.postMessage({ error: `cell ${cell.key}: ${(e as Error).message}` } satisfies WorkerReply);
      return;
    }
  }
  port.postMessage({ lines, summaries } satisfies WorkerReply);
}
