import { main } from './cli.js';
import type { Io } from './io.js';

/** What the binary needs of `process` (a stand-in in tests). */
export type BinProcess = Pick<NodeJS.Process, 'argv' | 'stdout' | 'exit'>;

/** `pfmsim ... | head` closes the pipe early: stop quietly, as other command-line tools do. */
export function endQuietlyOnEpipe(proc: Pick<BinProcess, 'stdout' | 'exit'>): void {
  proc.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    proc.exit(0);
  });
}

/** The `pfmsim` binary (src/bin.ts): runs the arguments after `node bin.js`; resolves to the exit code. */
export async function runBin(proc: BinProcess, io?: Io): Promise<number> {
  endQuietlyOnEpipe(proc);
  return main(proc.argv.slice(2), io);
}
