import { describe, expect, it } from 'vitest';
import type { PfmContext } from './context.js';
import { Sessions } from './sessions.js';

const ctx = (id: number) => ({ id }) as unknown as PfmContext;

describe('sessions (perfmon_res.c)', () => {
  it('per-thread and system-wide sessions exclude each other; one system-wide session per CPU', () => {
    const s = new Sessions(2);
    expect([s.taskFree(), s.systemFree(0), s.systemFree(1)]).toEqual([true, true, true]);
    s.acquireSystem(1);
    expect([s.systemOn(0), s.systemOn(1), s.systemCount]).toEqual([false, true, 1]);
    expect([s.taskFree(), s.systemFree(0), s.systemFree(1)]).toEqual([false, true, false]);
    s.releaseSystem(1);
    s.acquireTask();
    s.acquireTask();
    expect([s.taskCount, s.taskFree(), s.systemFree(0)]).toEqual([2, true, false]);
    s.releaseTask();
    expect(s.systemFree(0)).toBe(false);
    s.releaseTask();
    expect([s.taskCount, s.systemFree(0)]).toEqual([0, true]);
  });

  it('the Northbridge events belong to one context until it is freed', () => {
    const s = new Sessions(1);
    const [a, b] = [ctx(1), ctx(2)];
    expect(s.claimNorthbridge(a)).toBe(true);
    expect(s.claimNorthbridge(a)).toBe(true); // its own again
    expect(s.claimNorthbridge(b)).toBe(false);
    s.releaseNorthbridge(b); // not the owner: nothing changes
    expect(s.claimNorthbridge(b)).toBe(false);
    s.releaseNorthbridge(a);
    expect(s.claimNorthbridge(b)).toBe(true);
  });
});
