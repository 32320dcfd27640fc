// A minimal benchmark harness shared by the packages' `pnpm bench`: best of several timed
// batches after a warm-up, printed as host ns per operation and ops per second, with the
// machine that ran it.
import { cpus } from 'node:os';

export interface BenchResult {
  name: string;
  nsPerOp: number;
  opsPerSec: number;
  target?: string;
  ok?: boolean;
}

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return `host: ${cpu} x${cpus().length}, node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Times `fn` (which performs `opsPerCall` operations per call). */
export function bench(
  name: string,
  fn: () => void,
  opts: { iterations?: number; opsPerCall?: number } = {},
): BenchResult {
  const iterations = opts.iterations ?? 200_000;
  const opsPerCall = opts.opsPerCall ?? 1;
  for (let i = 0; i < Math.min(iterations, 50_000); i++) fn();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    const ns = Number(process.hrtime.bigint() - start) / (iterations * opsPerCall);
    if (ns < best) best = ns;
  }
  return { name, nsPerOp: best, opsPerSec: 1e9 / best };
}

export function report(title: string, results: BenchResult[]): void {
  process.stdout.write(`${title}\n${machineLine()}\n`);
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    const verdict = r.target ? `  target ${r.target}: ${r.ok ? 'met' : 'MISSED'}` : '';
    process.stdout.write(
      `  ${r.name.padEnd(width)}  ${r.nsPerOp.toFixed(1).padStart(9)} ns/op  ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(13)} ops/s${verdict}\n`,
    );
  }
}
