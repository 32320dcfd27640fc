#!/usr/bin/env node
// The README's test command: every check CI runs, in order, stopping at the first failure.
// Ends with one line "total: N passed, N failed" summing the counted suites.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const countsDir = join(root, 'node_modules', '.pfmsim-counts');
rmSync(countsDir, { recursive: true, force: true });

const steps = [
  { name: 'lint', cmd: ['pnpm', 'exec', 'biome', 'ci', '--colors=off', '.'] },
  { name: 'typecheck', cmd: ['pnpm', 'exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only'] },
  { name: 'unit tests', cmd: ['pnpm', 'exec', 'vitest', 'run'] },
  { name: 'packages', cmd: ['node', 'scripts/check-packages.mjs'] },
];
const extra = join(root, 'scripts', 'test-steps.json');
if (existsSync(extra)) steps.push(...JSON.parse(readFileSync(extra, 'utf8')));

for (const step of steps) {
  process.stdout.write(`\n== ${step.name}: ${step.cmd.join(' ')}\n`);
  const run = spawnSync(step.cmd[0], step.cmd.slice(1), {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PFMSIM_COUNTS_DIR: countsDir, FORCE_COLOR: '0' },
  });
  if (run.status !== 0) {
    process.stdout.write(`\n== ${step.name} failed (exit ${run.status ?? run.signal})\n`);
    printTotals(1);
    process.exit(1);
  }
}
printTotals(0);

function printTotals(extraFailures) {
  let passed = 0;
  let failed = extraFailures;
  if (existsSync(countsDir)) {
    for (const file of spawnSync('ls', [countsDir]).stdout.toString().split('\n').filter(Boolean)) {
      const c = JSON.parse(readFileSync(join(countsDir, file), 'utf8'));
      passed += c.passed;
      failed += c.failed;
    }
  }
  process.stdout.write(`\ntotal: ${passed} passed, ${failed} failed\n`);
}
