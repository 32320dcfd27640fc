#!/usr/bin/env node
// pnpm coverage: runs the unit tests with V8 coverage, then prints line, branch and function
// coverage per package (from reports/coverage/coverage-summary.json; the HTML report is beside
// it). Information, not a bar: the mutation score (pnpm mutation) is the bar.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const summaryPath = join(root, 'reports', 'coverage', 'coverage-summary.json');
const run = spawnSync('pnpm', ['exec', 'vitest', 'run', '--coverage'], { cwd: root, stdio: 'inherit' });
if (run.status !== 0 || !existsSync(summaryPath)) {
  process.stderr.write(`coverage: the test run failed (exit ${run.status}); no coverage summary\n`);
  process.exit(1);
}
const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
const perPackage = new Map();
for (const [file, metrics] of Object.entries(summary)) {
  if (file === 'total') continue;
  const pkg = relative(root, file).split('/').slice(0, 2).join('/');
  const sum = perPackage.get(pkg) ?? { lines: [0, 0], branches: [0, 0], functions: [0, 0] };
  for (const key of ['lines', 'branches', 'functions']) {
    sum[key][0] += metrics[key].covered;
    sum[key][1] += metrics[key].total;
  }
  perPackage.set(pkg, sum);
}
const pct = ([covered, total]) => (total === 0 ? '-' : `${((100 * covered) / total).toFixed(1)} %`);
const rows = [...perPackage.entries()].sort(([a], [b]) => a.localeCompare(b));
const width = Math.max(...rows.map(([p]) => p.length), 5);
process.stdout.write(
  `\n${'package'.padEnd(width)}  ${'lines'.padStart(8)}  ${'branches'.padStart(8)}  ${'functions'.padStart(9)}\n`,
);
for (const [pkg, s] of rows) {
  process.stdout.write(
    `${pkg.padEnd(width)}  ${pct(s.lines).padStart(8)}  ${pct(s.branches).padStart(8)}  ${pct(s.functions).padStart(9)}\n`,
  );
}
const t = summary.total;
process.stdout.write(
  `${'all'.padEnd(width)}  ${`${t.lines.pct.toFixed(1)} %`.padStart(8)}  ${`${t.branches.pct.toFixed(1)} %`.padStart(8)}  ${`${t.functions.pct.toFixed(1)} %`.padStart(9)}\n`,
);
