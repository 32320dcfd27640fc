// The pool's side of the worker protocol, with stand-in workers this test answers itself: which
// workers start, which batches they are handed, the order results arrive in, errors, and the stop.
// (src/sweep/pool.test.ts runs the real worker threads; src/sweep/worker-serve.test.ts the
// worker's side.)
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CellSummary } from './cell.js';
import { expandCells, parseSweepConfig, type SweepCell } from './config.js';
import { runCells } from './pool.js';
import type { WorkerReply, WorkerRequest } from './worker-serve.js';

class FakeWorker extends EventEmitter {
  readonly received: WorkerRequest[] = [];
  terminated = false;
  postMessage(msg: WorkerRequest): void {
    this.received.push(msg);
  }
  terminate(): Promise<number> {
    this.terminated = true;
    return Promise.resolve(1);
  }
  /** The batches handed to this worker, as cell indexes. */
  batches(): number[][] {
    return this.received.flatMap((m) => ('cells' in m ? [m.cells.map((c) => c.index)] : []));
  }
  stopped(): boolean {
    return this.received.some((m) => JSON.stringify(m) === JSON.stringify({ stop: true }));
  }
  /** Answers its oldest unanswered batch. */
  answer(): void {
    const answered = this.answered++;
    const batch = this.received.filter((m) => 'cells' in m)[answered] as { cells: SweepCell[] };
    const reply: WorkerReply = {
      lines: batch.cells.map((c) => `line ${c.index}`),
      summaries: batch.cells.map((c) => ({ key: c.key, index: c.index }) as CellSummary),
    };
    this.emit('message', reply);
  }
  private answered = 0;
}

const workers: FakeWorker[] = [];
vi.mock('../worker-url.js', () => ({
  startSweepWorker: () => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  },
}));

beforeEach(() => {
  workers.length = 0;
});

const grid = (n: number) =>
  expandCells(
    parseSweepConfig(
      {
        machines: ['p4-2006'],
        strategies: ['kmalloc'],
        calls: ['pfm_read_pmds'],
        counts: Array.from({ length: n }, (_, i) => i + 1),
      },
      'test',
    ),
  );

/** Lets the pool see what the workers did (message events, then its own promise chain). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** runCells with its outcome and results recorded as they come. */
function start(cells: readonly SweepCell[], jobs: number) {
  const results: string[][] = [];
  const state: { outcome: 'running' | 'done' | Error } = { outcome: 'running' };
  const run = runCells(cells, jobs, (lines) => {
    results.push([...lines]);
  }).then(
    () => {
      state.outcome = 'done';
    },
    (e: Error) => {
      state.outcome = e;
    },
  );
  return { results, state, run };
}

describe('runCells in this thread', () => {
  it('one job: no worker thread; each cell in order, before runCells returns', async () => {
    const cells = grid(3);
    const { results, run } = start(cells, 1);
    expect(results).toHaveLength(3);
    expect(results.map((l) => (JSON.parse(l[0]!) as { key: string }).key)).toEqual(cells.map((c) => c.key));
    await run;
    expect(workers).toHaveLength(0);
  });

  it('a single cell, or none, runs here whatever --jobs says', async () => {
    const { results, run } = start(grid(1), 4);
    expect(results).toHaveLength(1);
    await run;
    const none = start([], 4);
    await settle();
    expect(none.state.outcome).toBe('done');
    expect(none.results).toEqual([]);
    expect(workers).toHaveLength(0);
  });
});

describe('runCells on worker threads', () => {
  it('starts one worker per cell up to --jobs and hands each two batches, round-robin', async () => {
    const { results } = start(grid(2), 4);
    expect(workers).toHaveLength(2);
    expect(results).toEqual([]);
    expect(workers.map((w) => w.batches())).toEqual([[[0]], [[1]]]);

    start(grid(10), 2);
    const [a, b] = workers.slice(2);
    expect(workers).toHaveLength(4);
    // 10 cells on 2 workers: batches of one cell (10 / (2 workers x 4)), two in flight per worker.
    expect(a!.batches()).toEqual([[0], [2]]);
    expect(b!.batches()).toEqual([[1], [3]]);
  });

  it('a batch is a quarter of a worker share of what is left, at least one cell and at most 32', async () => {
    start(grid(400), 2);
    const [a, b] = workers;
    // 400 / 8 = 50, capped at 32; the second round takes 32 more.
    expect(a!.batches().map((x) => x.length)).toEqual([32, 32]);
    expect(a!.batches()[0]![0]).toBe(0);
    expect(b!.batches()[0]![0]).toBe(32);
    start(grid(40), 2);
    // 40 / 8 = 5, then 35 / 8 = 4, 31 / 8 = 3, 28 / 8 = 3.
    expect(workers[2]!.batches()).toEqual([
      [0, 1, 2, 3, 4],
      [9, 10, 11],
    ]);
    expect(workers[3]!.batches()).toEqual([
      [5, 6, 7, 8],
      [12, 13, 14],
    ]);
  });

  it('delivers results in completion order, refills a worker per answer, stops idle workers and ends', async () => {
    const cells = grid(5);
    const { results, state } = start(cells, 2);
    const [a, b] = workers as [FakeWorker, FakeWorker];
    expect(a.batches()).toEqual([[0], [2]]);
    expect(b.batches()).toEqual([[1], [3]]);
    b.answer();
    expect(results).toEqual([['line 1']]);
    // The answer frees a slot: the last cell goes to b.
    expect(b.batches()).toEqual([[1], [3], [4]]);
    a.answer();
    b.answer();
    a.answer();
    expect(results).toEqual([['line 1'], ['line 0'], ['line 3'], ['line 2']]);
    // a has nothing in flight and the queue is empty: it is stopped; b still works.
    expect(a.stopped()).toBe(true);
    expect(b.stopped()).toBe(false);
    await settle();
    expect(state.outcome).toBe('running');
    b.answer();
    expect(results.at(-1)).toEqual(['line 4']);
    expect(b.stopped()).toBe(true);
    await settle();
    expect(state.outcome).toBe('done');
    expect(results.flat().sort()).toEqual(cells.map((c) => `line ${c.index}`).sort());
    // No worker thread outlives the run.
    expect(workers.map((w) => w.terminated)).toEqual([true, true]);
  });

  it('an error from a worker fails the run with that message and stops every worker', async () => {
    const { state } = start(grid(6), 3);
    workers[0]!.answer();
    workers[1]!.emit('message', { error: 'cell p4-2006|v2.3|t1|s1|kmalloc|pfm_read_pmds|n2: boom' });
    workers[2]!.emit('message', { error: 'cell p4-2006|v2.3|t1|s1|kmalloc|pfm_read_pmds|n3: later' });
    await settle();
    expect(state.outcome).toEqual(new Error('cell p4-2006|v2.3|t1|s1|kmalloc|pfm_read_pmds|n2: boom'));
    expect(workers.map((w) => w.terminated)).toEqual([true, true, true]);
  });

  it('a worker that crashes or exits with a non-zero code fails the run', async () => {
    const crash = start(grid(4), 2);
    workers[0]!.emit('error', new Error('worker out of memory'));
    await settle();
    expect(crash.state.outcome).toEqual(new Error('worker out of memory'));
    expect(workers.slice(0, 2).every((w) => w.terminated)).toBe(true);

    const exit = start(grid(4), 2);
    workers[2]!.emit('exit', 0);
    await settle();
    expect(exit.state.outcome).toBe('running');
    workers[3]!.emit('exit', 3);
    await settle();
    expect(exit.state.outcome).toEqual(new Error('sweep worker exited with code 3'));
  });
});
