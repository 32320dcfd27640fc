// The sweep worker's side of the pool protocol, in this thread over a MessageChannel (the worker
// thread, src/sweep-worker.ts, only hands its parentPort to serveCells).
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { unloadPlugins } from '@pfmsim/lab';
import { afterEach, describe, expect, it } from 'vitest';
import { kmallocPluginSource } from '../../test/helpers.js';
import { runCell, summarize } from './cell.js';
import { expandCells, parseSweepConfig, type SweepCell } from './config.js';
import { serveCells, type WorkerReply } from './worker-serve.js';

const cells = expandCells(
  parseSweepConfig(
    { machines: ['p4-2006'], strategies: ['kmalloc', 'stack'], calls: ['pfm_read_pmds'], counts: [1, 4] },
    'test',
  ),
);
const bad: SweepCell = {
  ...cells[0]!,
  key: 'nowhere|v2.3|t1|s1|kmalloc|pfm_read_pmds|n1',
  machine: { machine: 'nowhere' },
};

const open: MessagePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** A worker served in this thread: the pool's end of the channel. */
function serve(): MessagePort {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  serveCells(port2);
  return port1;
}

/** The next reply on the pool's end, or a failure if the worker closed its end instead. */
function reply(pool: MessagePort): Promise<WorkerReply> {
  return Promise.race([
    once(pool, 'message').then(([m]) => m as WorkerReply),
    once(pool, 'close').then(() => {
      throw new Error('the worker closed the channel instead of answering');
    }),
  ]);
}

describe('the sweep worker', () => {
  it('answers each batch with its JSON lines and summaries, in the order of the batch', async () => {
    const pool = serve();
    pool.postMessage({ cells: cells.slice(0, 3) });
    const r = await reply(pool);
    if (!('lines' in r)) throw new Error(`unexpected reply ${JSON.stringify(r)}`);
    const records = r.lines.map((l) => JSON.parse(l) as ReturnType<typeof runCell>);
    expect(records.map((c) => c.key)).toEqual(cells.slice(0, 3).map((c) => c.key));
    const expected = cells.slice(0, 3).map((c) => runCell(c));
    expect(records.map(({ hostMs: _, ...rest }) => rest)).toEqual(
      expected.map(({ hostMs: _, ...rest }) => rest),
    );
    expect(r.summaries).toEqual(expected.map(summarize));
    // A second batch on the same worker.
    pool.postMessage({ cells: cells.slice(3) });
    const second = await reply(pool);
    expect('summaries' in second && second.summaries.map((s) => s.key)).toEqual([cells[3]!.key]);
  });

  it('a failing cell answers with one error naming the cell, and no partial results', async () => {
    const pool = serve();
    pool.postMessage({ cells: [cells[0]!, bad, cells[1]!] });
    const r = await reply(pool);
    expect(r).toEqual({
      error: expect.stringMatching(/^cell nowhere\|v2\.3\|t1\|s1\|kmalloc\|pfm_read_pmds\|n1: .+/),
    });
    expect((r as { error: string }).error).toContain('nowhere');
  });

  it('stops (closes its end) when told to', async () => {
    const pool = serve();
    const closed = once(pool, 'close');
    pool.postMessage({ stop: true });
    await closed;
  });

  it('loads the plugins it is sent before the cells that follow, and answers a bad one with an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfmsim-worker-plugin-'));
    try {
      const plugin = join(dir, 'p.mjs');
      writeFileSync(plugin, kmallocPluginSource('p', 'p-kmalloc'));
      const pool = serve();
      pool.postMessage({ plugins: [plugin] });
      const cell: SweepCell = { ...cells[1]!, strategy: 'p-kmalloc', key: 'plugin-cell' };
      pool.postMessage({ cells: [cell] });
      const r = await reply(pool);
      if (!('lines' in r)) throw new Error(`unexpected reply ${JSON.stringify(r)}`);
      const {
        hostMs: _h,
        key: _k,
        strategy: _s,
        ...got
      } = JSON.parse(r.lines[0]!) as ReturnType<typeof runCell>;
      const { hostMs: _h2, key: _k2, strategy: _s2, ...kmalloc } = runCell(cells[1]!);
      expect(got).toEqual(kmalloc);
      const again = serve();
      again.postMessage({ plugins: [join(dir, 'missing.mjs')] });
      expect(await reply(again)).toEqual({
        error: `loading plugins in a sweep worker: plugin ${join(dir, 'missing.mjs')}: no such file (${join(dir, 'missing.mjs')}); give a path relative to the working directory or an installed package name`,
      });
    } finally {
      unloadPlugins();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does nothing outside a worker thread (no parent port)', () => {
    expect(() => serveCells(null)).not.toThrow();
  });
});
