import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { usageLine } from '../../test/helpers.js';
import { lockResults } from './lock.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'pfmsim-lock-'));
/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('the results file lock', () => {
  it('holds `PID HOST` in FILE.lock, leaves nothing else, and is removed once on release', () => {
    const dir = scratch();
    const out = join(dir, 'r.jsonl');
    const lock = lockResults(out, 'r.jsonl', 4242, 'box');
    expect(lock.path).toBe(`${out}.lock`);
    expect(lock.stale).toBeNull();
    expect(readFileSync(`${out}.lock`, 'utf8')).toBe('4242 box\n');
    expect(readdirSync(dir)).toEqual(['r.jsonl.lock']);
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
    // a second release does not remove a lock another sweep took since
    writeFileSync(`${out}.lock`, `${process.pid} ${hostname()}\n`);
    lock.release();
    expect(existsSync(`${out}.lock`)).toBe(true);
  });

  it('a live holder on this host refuses a second sweep, naming it; its lock is untouched', () => {
    const dir = scratch();
    const out = join(dir, 'r.jsonl');
    const first = lockResults(out, 'r.jsonl');
    expect(usageLine(() => lockResults(out, 'r.jsonl'))).toBe(
      `r.jsonl is being written by another pfmsim sweep (pid ${process.pid} on ${hostname()}, lock r.jsonl.lock); wait for it to finish, or pass another -o FILE`,
    );
    expect(readFileSync(`${out}.lock`, 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    expect(readdirSync(dir)).toEqual(['r.jsonl.lock']);
    first.release();
  });

  it('a holder on another host cannot be checked, so it is never taken over', () => {
    const dir = scratch();
    const out = join(dir, 'r.jsonl');
    writeFileSync(`${out}.lock`, `${deadPid()} elsewhere\n`);
    expect(usageLine(() => lockResults(out, 'r.jsonl'))).toMatch(
      /^r\.jsonl is being written by another pfmsim sweep \(pid \d+ on elsewhere, lock r\.jsonl\.lock\);/,
    );
  });

  it('the lock of a process that is gone, or a damaged lock, is taken over', () => {
    const dir = scratch();
    const out = join(dir, 'r.jsonl');
    const dead = deadPid();
    writeFileSync(`${out}.lock`, `${dead} ${hostname()}\n`);
    const lock = lockResults(out, 'r.jsonl', 7, hostname());
    expect(lock.stale).toEqual({ pid: dead, host: hostname() });
    expect(readFileSync(`${out}.lock`, 'utf8')).toBe(`7 ${hostname()}\n`);
    lock.release();
    for (const damaged of ['', 'garbage\n', '0 box\n', '-3 box\n', '12\n', '1.5 box\n']) {
      writeFileSync(`${out}.lock`, damaged);
      const again = lockResults(out, 'r.jsonl', 8, 'box');
      expect(again.stale).toBeNull();
      expect(readFileSync(`${out}.lock`, 'utf8')).toBe('8 box\n');
      again.release();
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a holder that exists but may not be signalled (EPERM: another user) is alive', () => {
    const dir = scratch();
    const out = join(dir, 'r.jsonl');
    writeFileSync(`${out}.lock`, `4242 ${hostname()}\n`);
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    });
    try {
      expect(usageLine(() => lockResults(out, 'r.jsonl'))).toMatch(
        /^r\.jsonl is being written by another pfmsim sweep \(pid 4242 /,
      );
      expect(kill).toHaveBeenCalledWith(4242, 0);
      kill.mockImplementation(() => {
        throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
      });
      const lock = lockResults(out, 'r.jsonl');
      expect(lock.stale).toEqual({ pid: 4242, host: hostname() });
      lock.release();
    } finally {
      kill.mockRestore();
    }
  });

  it('a directory where no lock can be made is one line', () => {
    expect(usageLine(() => lockResults('/proc/1/r.jsonl', 'r.jsonl'))).toMatch(
      /^cannot lock r\.jsonl: .+; pick another -o FILE$/,
    );
  });
});
