// `pfmsim sweep` with two stand-ins the real thing cannot produce on demand: worker threads that
// finish out of grid order, and a machine x ABI combination the simulator refuses.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lab from '@pfmsim/lab';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectUsageError, runInProcess, tempDir } from '../../test/helpers.js';
import { runCell, summarize } from '../sweep/cell.js';
import { runCells } from '../sweep/pool.js';

/** Whole commands in this process: seconds each on a loaded machine (mutation runs). */
const SLOW = { timeout: 60_000 };

vi.mock('../sweep/pool.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../sweep/pool.js')>();
  return { runCells: vi.fn(real.runCells) };
});
vi.mock('@pfmsim/lab', async (importOriginal) => {
  const real = await importOriginal<typeof import('@pfmsim/lab')>();
  return { ...real, createWorld: vi.fn(real.createWorld) };
});

afterEach(() => {
  vi.mocked(runCells).mockRestore();
  vi.mocked(lab.createWorld).mockRestore();
});

function gridDir(config: unknown): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'grid.json'), JSON.stringify(config));
  return dir;
}

describe('pfmsim sweep with stand-ins', SLOW, () => {
  it('the read table is in grid order whatever order the workers finish in', async () => {
    // Workers that finish the last cell first.
    vi.mocked(runCells).mockImplementationOnce(async (cells, _jobs, onResults) => {
      for (const c of [...cells].reverse()) {
        const r = runCell(c);
        onResults([JSON.stringify(r)], [summarize(r)]);
      }
    });
    const dir = gridDir({
      strategies: ['stack', 'kmalloc', 'hybrid'],
      calls: ['pfm_read_pmds'],
      counts: [4],
    });
    const r = await runInProcess(['sweep', '-c', 'grid.json', '-j', '2'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('p4-2006  '))
      .map((l) => l.split(/\s+/)[2]);
    expect(rows).toEqual(['stack', 'kmalloc', 'hybrid']);
  });

  it('a machine x ABI the simulator cannot run fails before anything is written, naming both', async () => {
    const real = await vi.importActual<typeof lab>('@pfmsim/lab');
    vi.mocked(lab.createWorld).mockImplementation((opts) => {
      if (opts.abi === 'v3') throw new Error('ABI v3 is not simulated on this machine\nsecond line');
      return real.createWorld(opts);
    });
    const dir = gridDir({
      strategies: ['kmalloc'],
      calls: ['pfm_read_pmds'],
      counts: [4],
      abi: ['v2.3', 'v3'],
    });
    const r = await runInProcess(['sweep', '-c', 'grid.json'], { cwd: dir });
    expectUsageError(
      r,
      /^pfmsim: config grid\.json: machine p4-2006 with abi v3 cannot run: ABI v3 is not simulated on this machine; remove that combination from the config$/,
    );
    expect(existsSync(join(dir, 'grid.results.jsonl'))).toBe(false);
  });
});
