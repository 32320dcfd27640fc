import { watchStdout } from '@pfmsim/test-runner';
import { main } from './cli.js';
import type { Io } from './io.js';

/** What the binary needs of `process` (a stand-in in tests). */
export type BinProcess = Pick<NodeJS.Process, 'argv' | 'stdout' | 'stderr' | 'exit'>;

/** The `pfmsim` binary (src/bin.ts): runs the arguments after `node bin.js`; resolves to the exit code. */
export async function runBin(proc: BinProcess, io?: Io): Promise<number> {
  // a closed pipe ends quietly (exit 0), any other stdout failure is one line and exit 2
  watchStdout(proc, 'pfmsim');
  return main(proc.argv.slice(2), io);
}
