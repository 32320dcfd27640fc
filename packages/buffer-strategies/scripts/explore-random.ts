// The "100,000 random schedules" for every correct strategy: two threads on one fd
// (the races.test.ts scenario), seeded random scheduling, the same checks as the unit suite
// (kernel bugs, wrong results, leaks, pinned bytes, held locks). Too slow for the unit suite
// (about 1 ms per schedule), so it runs here:
//
//   pnpm --filter @pfmsim/buffer-strategies explore-random [schedules] [strategy ...]
import { cpus } from 'node:os';
import { explore } from '@pfmsim/kernel-sim';
import { BROKEN_STRATEGY_NAMES, isStrategyName, STRATEGY_NAMES } from '../src/registry.js';
import { sharedContextScenario } from '../src/scenario.js';

const args = process.argv.slice(2);
const schedules = args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args.shift()) : 100_000;
const names = args.length > 0 ? args : STRATEGY_NAMES.filter((n) => !BROKEN_STRATEGY_NAMES.includes(n));
for (const n of names) if (!isStrategyName(n)) throw new Error(`unknown strategy ${n}`);

process.stdout.write(
  `random exploration: ${schedules} schedules per strategy, seeds 1..${schedules}, i386 + p4-2006, 2 CPUs, two threads on one context (A: 5 then 2 pfarg_pmd, B: 6 then 5)\n`,
);
process.stdout.write(`host: ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}\n`);
let failed = 0;
for (const name of names) {
  const sc = sharedContextScenario({ strategy: name });
  const start = performance.now();
  const r = explore({ build: sc.build, check: sc.check, mode: 'random', schedules, seed: 1 });
  const seconds = (performance.now() - start) / 1000;
  failed += r.findings.length;
  process.stdout.write(
    `${name.padEnd(20)} ${r.schedules} schedules, ${r.distinctTraces} distinct traces, ${r.findings.length} findings, ${seconds.toFixed(1)} s (${((seconds * 1e6) / r.schedules).toFixed(0)} us/schedule)\n`,
  );
  for (const f of r.findings.slice(0, 3)) {
    process.stdout.write(
      `  replay ${f.replay}: ${[...f.bugs.map((b) => b.message), ...f.failures].join('; ')}\n`,
    );
  }
}
process.exit(failed === 0 ? 0 : 1);
