import { allStrategies, isBrokenStrategy, StrategyLab } from '@pfmsim/buffer-strategies';
import { type BenchResult, bench, report } from '../../../scripts/bench.js';

// Host time of one simulated pfm_read_pmds call (syscall entry to exit, the strategy, the
// copies, the lock, the back-end) per strategy, i386 + p4-2006, one thread, steady state.
const results: BenchResult[] = [];
for (const strategy of allStrategies()) {
  if (isBrokenStrategy(strategy.name)) continue;
  for (const n of [4, 16]) {
    const lab = new StrategyLab({ arch: 'i386', cost: 'p4-2006', seed: 1, strategy, arenaBytes: 1 << 20 });
    const t = lab.thread('bench');
    const ctx = lab.openContext(t);
    const u = lab.process.mm.mmap(n * 176);
    const r = bench(
      `${strategy.name} n=${n}`,
      () => {
        lab.k.runSync(t, lab.call(t, ctx, 'pmd', n, u));
      },
      { iterations: 20_000 },
    );
    results.push({ ...r, target: '< 5000 ns', ok: r.nsPerOp < 5000 });
  }
}
report('@pfmsim/buffer-strategies benchmarks (host time per simulated vector call)', results);
