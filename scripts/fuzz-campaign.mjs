#!/usr/bin/env node
// pnpm fuzz:campaign [FLAGS]: the fuzz campaign of apps/test-runner/README.md, from source:
// `pfmsim-test fuzz --syscalls 10000000 --coverage` on every shipped strategy. Flags after it
// are passed on and win (`--guided --corpus fuzz-corpus`, `--seed 2`, `--syscalls 300000`).
import { spawnSync } from 'node:child_process';

const bin = new URL('../apps/test-runner/src/bin.ts', import.meta.url).pathname;
const run = spawnSync(
  process.execPath,
  [
    '--conditions=@pfmsim/source',
    '--import',
    import.meta.resolve('tsx'),
    bin,
    'fuzz',
    '--syscalls',
    '10000000',
    '--coverage',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
