// `pfmsim attack` with several users in this process: per-user figures under the budgets, the
// budget knobs, and a user stopped by its RLIMIT_NOFILE or by fs.nr_open. Kept apart from
// attack.cli.test.ts and the shared command cases so that a change here re-tests only the
// mutants these tests cover.

import type { AttackResult } from '@pfmsim/lab';
import * as lab from '@pfmsim/lab';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectGolden, expectSchema, runInProcess } from '../../test/helpers.js';

// runAttack as is, except where a test needs a result over budget (no strategy of the lab
// exceeds its own budget, so that path is reached by shrinking the budget of a real result).
vi.mock('@pfmsim/lab', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@pfmsim/lab')>();
  return { ...actual, runAttack: vi.fn(actual.runAttack) };
});
const realRunAttack = (await vi.importActual<typeof import('@pfmsim/lab')>('@pfmsim/lab')).runAttack;
afterEach(() => {
  vi.mocked(lab.runAttack).mockReset();
  vi.mocked(lab.runAttack).mockImplementation(realRunAttack);
});

const T = 60_000;

async function attackJson(args: readonly string[]): Promise<AttackResult> {
  const r = await runInProcess(['attack', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return expectSchema('attack', r.stdout) as unknown as AttackResult;
}

describe('pfmsim attack --users', () => {
  const FOUR = ['-n', '4096', '--users', '4', '-s', 'ctx-cache-bounded'];

  it(
    'four users: each under the per-user budget, the total under the global one',
    async () => {
      const r = await runInProcess(['attack', ...FOUR]);
      expect(r.code, r.stderr).toBe(0);
      expectGolden('attack-users', r.stdout);
      const doc = await attackJson(FOUR);
      expect(doc.budget).toEqual({ userBytes: 64 << 10, globalBytes: 1 << 20 });
      expect(doc.users.map((u) => [u.uid, u.opened, u.pinnedBytesAfter])).toEqual([
        [1000, 1024, 64 << 10],
        [1001, 1024, 64 << 10],
        [1002, 1024, 64 << 10],
        [1003, 1024, 64 << 10],
      ]);
      expect(doc.pinnedBytesAfter).toBe(256 << 10);
      expect(doc.samples.at(-1)!.pinnedByUser).toEqual([64 << 10, 64 << 10, 64 << 10, 64 << 10]);
      expect(doc.slabinfo.map((l) => [l.cache, l.addedObjs])).toEqual([
        ['size-512', 4095],
        ['size-4096', 64],
      ]);
    },
    T,
  );

  it(
    'smaller budgets through the knobs: the global one binds first',
    async () => {
      const doc = await attackJson([...FOUR, '--user-budget', '16384', '--global-budget', '32768']);
      expect(doc.budget).toEqual({ userBytes: 16384, globalBytes: 32768 });
      expect(doc.users.map((u) => u.pinnedBytesAfter)).toEqual([8192, 8192, 8192, 8192]);
      const r = await runInProcess(['attack', ...FOUR, '--user-budget', '4096', '--global-budget', '65536']);
      expect(r.stdout).toContain('budget of ctx-cache-bounded: 4 KiB per user, 64 KiB for all users');
      expect(r.stdout).toContain('every user within 4 KiB, all within 64 KiB');
    },
    T,
  );

  it("a user's RLIMIT_NOFILE stops it with ENFILE and a note; fs.nr_open caps the limit", async () => {
    const r = await runInProcess(['attack', '-n', '20', '--users', '2', '--fd-limit', '4', '-s', 'kmalloc']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "note: uid 1000 stopped at 4 contexts: its RLIMIT_NOFILE (4); perfmon2's pfm_create_context reports any descriptor failure as ENFILE (open(2) would say EMFILE)",
    );
    expect(r.stdout).toContain('errors: create context: ENFILE');
    expect(r.stdout).toContain('budget of kmalloc: none (nothing limits what a user pins)');
    const doc = await attackJson(['-n', '12', '--nr-open', '8', '-s', 'kmalloc']);
    expect(doc.notes[0]).toBe(
      'RLIMIT_NOFILE 28 is above fs.nr_open (8): setrlimit fails (EPERM), so the limit is 8',
    );
    expect(doc.users[0]).toMatchObject({ opened: 8, fdLimit: 8 });
  });

  it('a result past its budgets is called out in red with the users over it', async () => {
    vi.mocked(lab.runAttack).mockImplementation((opts) => {
      const real = realRunAttack(opts);
      return { ...real, budget: { userBytes: 8192, globalBytes: 16384 } };
    });
    const r = await runInProcess(['attack', '-n', '64', '--users', '4', '-s', 'ctx-cache'], {
      env: { NO_COLOR: '', FORCE_COLOR: '1' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('\x1b[31mover budget: 4 users past 8 KiB, 256 KiB in all\x1b[39m');
  });
});
