// Worker thread of `pfmsim sweep --jobs N`: runs the cells it is sent, one message per result.
import { parentPort } from 'node:worker_threads';
import { runCell, summarize } from './sweep/cell.js';
import type { SweepCell } from './sweep/config.js';

if (parentPort) {
  const port = parentPort;
  port.on('message', (msg: { cells: SweepCell[] } | { stop: true }) => {
    if ('stop' in msg) {
      port.close();
      return;
    }
    // Serialised here, so the main thread only appends text to the results file.
    const lines: string[] = [];
    const summaries = [];
    for (const cell of msg.cells) {
      try {
        const r = runCell(cell);
        lines.push(JSON.stringify(r));
        summaries.push(summarize(r));
      } catch (e) {
        port.postMessage({ error: `cell ${cell.key}: ${(e as Error).message}` });
        return;
      }
    }
    port.postMessage({ lines, summaries });
  });
}
