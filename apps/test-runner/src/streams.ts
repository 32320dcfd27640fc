/** The binary's standard output: what happens when it cannot be written. */
import { ioReason } from './output.js';

/** What {@link watchStdout} needs of `process` (a stand-in in tests). */
export interface StdoutProcess {
  readonly stdout: { on(event: 'error', listener: (e: NodeJS.ErrnoException) => void): unknown };
  readonly stderr: { write(text: string): unknown };
  exit(code: number): void;
}

/**
 * Standard output that fails (of pfmsim-test, or of `program`). `pfmsim-test run | head -1` closes the pipe early: that ends
 * quietly (exit 0), as other command-line tools do. Any other failure (`> /dev/full`, a broken
 * disk) is one line on stderr and exit 2, so output that was lost is never taken for success.
 */
export function watchStdout(proc: StdoutProcess, program = 'pfmsim-test'): void {
  proc.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') {
      proc.exit(0);
      return;
    }
    proc.stderr.write(`${program}: cannot write to standard output: ${ioReason(e)}\n`);
    proc.exit(2);
  });
}
