import type { Worker } from 'node:worker_threads';
import { activePlugins } from '@pfmsim/lab';
import { startSweepWorker } from '../worker-url.js';
import { type CellSummary, runCell, summarize } from './cell.js';
import type { SweepCell } from './config.js';

/**
 * Runs cells on `jobs` worker threads (or in this thread when jobs is 1), handing each worker a
 * small batch at a time so a slow machine's cells do not leave the others idle. Results arrive
 * in completion order.
 */
export async function runCells(
  cells: readonly SweepCell[],
  jobs: number,
  /** A batch of finished cells: their JSON lines (for the file) and summaries. */
  onResults: (lines: readonly string[], summaries: readonly CellSummary[]) => void,
): Promise<void> {
  if (jobs <= 1 || cells.length <= 1) {
    for (const c of cells) {
      const r = runCell(c);
      onResults([JSON.stringify(r)], [summarize(r)]);
    }
    return;
  }
  const queue = [...cells];
  const n = Math.min(jobs, cells.length);
  const batch = () => {
    const size = Math.max(1, Math.min(32, Math.floor(queue.length / (n * 4))));
    return queue.splice(0, size);
  };
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = n;
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const inFlight: number[] = [];
      const feed = (i: number) => {
        const next = batch();
        if (next.length === 0) return;
        inFlight[i]!++;
        workers[i]!.postMessage({ cells: next });
      };
      // A worker with nothing (left) to do is stopped; the last one to stop ends the run.
      const stopIfIdle = (i: number) => {
        if (inFlight[i] !== 0) return;
        workers[i]!.postMessage({ stop: true });
        if (--running === 0) resolve();
      };
      // Plugins register in the thread that loads them: each worker loads them again.
      const plugins = activePlugins().map((p) => p.file);
      for (let i = 0; i < n; i++) {
        const w = startSweepWorker();
        workers.push(w);
        inFlight.push(0);
        if (plugins.length > 0) w.postMessage({ plugins });
        w.on('message', (msg: { lines?: string[]; summaries?: CellSummary[]; error?: string }) => {
          if (msg.error) fail(new Error(msg.error));
          else if (msg.lines && msg.summaries) {
            inFlight[i]!--;
            onResults(msg.lines, msg.summaries);
            feed(i);
            stopIfIdle(i);
          }
        });
        w.on('error', fail);
        w.on('exit', (code) => {
          if (code !== 0) fail(new Error(`sweep worker exited with code ${code}`));
        });
      }
      // Two batches in flight per worker, so it never waits for this thread between batches;
      // handed out round-robin, so a small grid still reaches every worker.
      for (let round = 0; round < 2; round++) for (let i = 0; i < n; i++) feed(i);
      for (let i = 0; i < n; i++) stopIfIdle(i);
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
