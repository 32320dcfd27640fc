#!/usr/bin/env node
// Runs the pfmsim CLI from source (no build step needed).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const bin = new URL('../apps/cli/src/bin.ts', import.meta.url).pathname;
if (!existsSync(bin)) {
  process.stderr.write(
    'pfmsim: the CLI (apps/cli) is not built yet in this checkout; it lands with issue 6.\n' +
      'What exists today: `npx -y pnpm@12.4.2 test` runs every package test.\n',
  );
  process.exit(2);
}
const run = spawnSync(
  process.execPath,
  // tsx is resolved from this script, so the CLI runs from any working directory.
  ['--conditions=@pfmsim/source', '--import', import.meta.resolve('tsx'), bin, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(run.status ?? 1);
