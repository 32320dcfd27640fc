import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers.js';
import { expandCells, parseSweepConfig } from './sweep/config.js';
import type { WorkerReply } from './sweep/worker-serve.js';
import { startSweepWorker } from './worker-url.js';

const started: Worker[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.terminate()));
});

function start(moduleUrl?: string): Worker {
  const w = startSweepWorker(moduleUrl);
  started.push(w);
  return w;
}

/** Starting a thread (and tsx in it) takes seconds on a loaded machine. */
const SLOW = { timeout: 60_000 };

describe('starting a sweep worker', SLOW, () => {
  it('from the sources: runs the TypeScript worker, which answers a batch of cells', async () => {
    const w = start();
    const cells = expandCells(
      parseSweepConfig(
        { machines: ['p4-2006'], strategies: ['stack'], calls: ['pfm_read_pmds'], counts: [4] },
        't',
      ),
    );
    w.postMessage({ cells });
    const [reply] = (await once(w, 'message')) as [WorkerReply];
    expect('summaries' in reply && reply.summaries.map((s) => s.key)).toEqual([cells[0]!.key]);
  });

  it('from the built bundle: runs sweep-worker.js beside it', async () => {
    const dist = tempDir();
    writeFileSync(
      join(dist, 'sweep-worker.js'),
      "require('node:worker_threads').parentPort.postMessage('dist sweep-worker.js');\n",
    );
    const w = start(pathToFileURL(join(dist, 'worker-url.js')).href);
    const [msg] = await once(w, 'message');
    expect(msg).toBe('dist sweep-worker.js');
  });

  it('gives the worker a 64 MB young generation (fewer scavenges of short-lived objects)', async () => {
    const dist = tempDir();
    writeFileSync(join(dist, 'sweep-worker.js'), 'setTimeout(() => {}, 60_000);\n');
    // Each worker's 'online' is awaited from its start: one that came online while the test
    // waited for the other would never be seen again.
    const workers = [start(), start(pathToFileURL(join(dist, 'worker-url.js')).href)];
    await Promise.all(workers.map((w) => once(w, 'online')));
    for (const w of workers) expect(w.resourceLimits?.maxYoungGenerationSizeMb).toBe(64);
  });
});
