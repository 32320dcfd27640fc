import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ioReason } from '@pfmsim/test-runner';
import { UsageError } from '../errors.js';

/** Who holds a results file: written into `FILE.lock` as `PID HOST`. */
interface Holder {
  readonly pid: number;
  readonly host: string;
}

function readHolder(path: string): Holder | null {
  try {
    const [pid, host] = readFileSync(path, 'utf8').trim().split(' ');
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 && host ? { pid: n, host } : null;
  } catch {
    return null;
  }
}

/** A process of this host that is still running (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeLockAside(aside: string, text: string, shownAs: string): void {
  try {
    writeFileSync(aside, text);
  } catch (e) {
    throw new UsageError(`cannot lock ${shownAs}: ${ioReason(e)}`, 'pick another -o FILE');
  }
}

/** A held lock; `release` removes it (once). */
export interface SweepLock {
  readonly path: string;
  /** The holder found dead and replaced, if any (a sweep that was killed). */
  readonly stale: Holder | null;
  release(): void;
}

/**
 * Takes `OUTPUT.lock` so that two sweeps never append to one results file. A lock left by a
 * process that is gone (a killed sweep, on this host) is taken over; a live one, or one of
 * another host (which cannot be checked), refuses the second sweep with a UsageError.
 */
export function lockResults(
  output: string,
  shownAs: string,
  pid = process.pid,
  host = hostname(),
): SweepLock {
  const path = `${output}.lock`;
  let stale: Holder | null = null;
  // the lock appears whole, holder included: written aside, then link(2)ed into place (EEXIST if held)
  const aside = `${path}.${pid}.tmp`;
  writeLockAside(aside, `${pid} ${host}\n`, shownAs);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(aside, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new UsageError(`cannot lock ${shownAs}: ${ioReason(e)}`, 'pick another -o FILE');
        }
      }
      const holder = readHolder(path);
      if ((holder && (holder.host !== host || alive(holder.pid))) || attempt > 0) {
        const who = holder ? `pid ${holder.pid} on ${holder.host}` : 'a sweep starting at the same time';
        throw new UsageError(
          `${shownAs} is being written by another pfmsim sweep (${who}, lock ${shownAs}.lock)`,
          'wait for it to finish, or pass another -o FILE',
        );
      }
      // a killed sweep's lock, or a damaged one: the file is free
      stale = holder;
      unlinkSync(path);
    }
  } finally {
    unlinkSync(aside);
  }
  let held = true;
  return {
    path,
    stale,
    release() {
      if (!held) return;
      held = false;
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}
