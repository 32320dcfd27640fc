#!/usr/bin/env node
// `pfmsim sweep --jobs 2` against `--jobs 1` on the same 20160-cell grid (built CLI, dist/bin.js).
// Runs 1, 2, 1, 2 (interleaved, so a noisy neighbour hits both alike) and compares the best
// wall time of each; prints the load average around the runs. Target on 2 cores: >= 1.6x.
// PFMSIM_BENCH_ROUNDS=1 for a single pair.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const bin = join(here, '..', 'dist', 'bin.js');
const config = join(here, 'sweep-speedup.json');
const rounds = Number(process.env.PFMSIM_BENCH_ROUNDS ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'pfmsim-sweep-bench-'));
const run = (jobs, i) => {
  const out = join(dir, `jobs${jobs}-${i}.jsonl`);
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [bin, 'sweep', '-c', config, '--jobs', String(jobs), '-o', out, '--json', '-q'],
    {
      encoding: 'utf8',
    },
  );
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sweep --jobs ${jobs} failed: ${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  process.stdout.write(
    `  --jobs ${jobs}: ${doc.ran} cells in ${wall.toFixed(2)} s wall (load average ${loadavg()[0].toFixed(2)})\n`,
  );
  return wall;
};
process.stdout.write(
  `pfmsim sweep speedup on ${cpus()[0]?.model ?? '?'} x${cpus().length}, Node ${process.version}, load average ${loadavg()[0].toFixed(2)}\n`,
);
const one = [];
const two = [];
for (let i = 0; i < rounds; i++) {
  one.push(run(1, i));
  two.push(run(2, i));
}
rmSync(dir, { recursive: true, force: true });
const best1 = Math.min(...one);
const best2 = Math.min(...two);
process.stdout.write(
  `  best: --jobs 1 ${best1.toFixed(2)} s, --jobs 2 ${best2.toFixed(2)} s, speedup ${(best1 / best2).toFixed(2)}x (target >= 1.6x)\n`,
);
