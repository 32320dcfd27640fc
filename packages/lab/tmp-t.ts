import { calibrate, calibrateAll, getMachine } from './src/index.js';

const target = {
  kind: 'relative',
  syscall: 'pfm_read_pmds',
  count: 4,
  strategy: 'stack',
  versus: 'kmalloc',
  value: -0.2,
} as const;
let t0 = performance.now();
const r = calibrate({ machine: getMachine('p4-2006'), target, vary: 'allocColdProbability' });
console.log(JSON.stringify(r), performance.now() - t0);
for (const m of ['p4-2006', 'modern']) {
  t0 = performance.now();
  const all = calibrateAll({ machine: getMachine(m), target });
  console.log(m, performance.now() - t0, all.steps);
  for (const row of all.rows)
    console.log(
      row.param.padEnd(24),
      String(row.figure.value).padStart(7),
      String(row.value).padStart(10),
      String(row.ratio).padStart(8),
      row.verdict.padEnd(12),
      row.reason,
    );
}
