import { describe, expect, it } from 'vitest';
import { BROKEN_STRATEGY_NAMES, createStrategy, STRATEGY_NAMES } from '../registry.js';
import { MAX_PROBLEMS, Problems, statusOf } from './check.js';
import { replaySharedFd, SHARED_FD_PLANS, sharedFdCheck } from './shared-fd.js';

const replayCommand = (r: string) => `pfmsim certify s --only shared-fd --replay ${r}`;

describe('sharedFdCheck', () => {
  for (const name of STRATEGY_NAMES.filter((n) => !BROKEN_STRATEGY_NAMES.includes(n))) {
    it(`${name}: every plan, exhaustive up to 3 preemptions and random, no finding`, () => {
      const c = sharedFdCheck(() => createStrategy(name), { replayCommand, randomSchedules: 100 });
      expect(c.problems).toEqual([]);
      expect(c.status).toBe('pass');
      expect(c.figures.complete).toBe(true);
      expect(c.figures.randomSchedules).toBe(300);
      expect(c.figures.exhaustiveSchedules as number).toBeGreaterThan(300);
    });
  }

  it('ctx-cache-naive: data race, use after free and wrong results, each finding replayable', () => {
    const c = sharedFdCheck(() => createStrategy('ctx-cache-naive'), { replayCommand, randomSchedules: 50 });
    expect(c.status).toBe('fail');
    expect(c.figures.kinds).toBe('data-race use-after-free wrong-result-or-leak');
    expect(c.summary).toMatch(/findings: data-race, use-after-free, wrong-result-or-leak$/);
    // one problem per distinct message: each thread's side of the race, per plan
    expect(c.problems.length).toBeGreaterThanOrEqual(3);
    expect(c.problems.length + c.moreProblems).toBe(c.figures.findings);
    expect(c.replay).toHaveLength(3);
    const first = c.problems[0]!;
    const replay = /^schedule (\S+): /.exec(first)![1]!;
    expect(c.replay[0]).toBe(replayCommand(replay));
    const again = replaySharedFd(() => createStrategy('ctx-cache-naive'), replay);
    expect(again.plan).toBe('two-calls');
    expect(again.problems[0]).toMatch(/^data-race: read by T1 B at ctx->arg_buf read/);
    expect(first).toContain(again.problems[0]!);
    // the same schedule under kmalloc is clean
    expect(replaySharedFd(() => createStrategy('kmalloc'), replay).problems).toEqual([]);
  });

  it('ctx-cache-spinsplit: sleep-in-atomic in every plan', () => {
    const c = sharedFdCheck(() => createStrategy('ctx-cache-spinsplit'), {
      replayCommand,
      randomSchedules: 10,
    });
    expect(c.figures.kinds).toBe('sleep-in-atomic');
    expect(c.problems.map((p) => p.split(':')[0])).toEqual(SHARED_FD_PLANS.map((p) => `schedule ${p.id}`));
  });

  it('kmalloc: the figures and the summary, by default 3 preemptions and seed 1', () => {
    const c = sharedFdCheck(() => createStrategy('kmalloc'), { replayCommand, randomSchedules: 2 });
    expect(c.id).toBe('shared-fd');
    expect(c.title).toBe('two threads on one context fd: exhaustive (bounded) and random schedules');
    expect(c.figures).toEqual({
      plans: 3,
      exhaustiveSchedules: 1426,
      exhaustiveByPlan: 'two-calls 594, full-vector 238, faulting-copy 594',
      randomSchedules: 6,
      maxPreemptions: 3,
      complete: true,
      findings: 0,
      kinds: '',
    });
    expect(c.summary).toBe(
      '3 plans, 1426 exhaustive schedules (up to 3 preemptions, complete) + 6 random (seed 1); no finding',
    );
  });

  it('with DEBUG_ATOMIC_SLEEP off, ctx-cache-spinsplit is caught only where the copy page-faults under its lock', () => {
    const c = sharedFdCheck(() => createStrategy('ctx-cache-spinsplit'), {
      replayCommand,
      randomSchedules: 5,
      debugAtomicSleep: false,
    });
    expect(c.figures.kinds).toBe('sleep-in-atomic');
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toMatch(
      /^schedule faulting-copy:\S+: sleep-in-atomic: .*page fault in copy_from_user/,
    );
  });

  it('a capped exhaustive search is partial, never a pass', () => {
    const c = sharedFdCheck(() => createStrategy('kmalloc'), { replayCommand, cap: 5, randomSchedules: 1 });
    expect(c.status).toBe('partial');
    expect(c.figures.complete).toBe(false);
    expect(c.figures.exhaustiveSchedules).toBe(15);
    expect(c.summary).toContain('capped at 5: PARTIAL');
  });

  it('a strategy that throws fails every plan with the message', () => {
    const c = sharedFdCheck(
      () => ({
        ...createStrategy('kmalloc'),
        acquire() {
          throw new TypeError('boom');
        },
      }),
      { replayCommand },
    );
    expect(c.problems).toEqual(SHARED_FD_PLANS.map((p) => `${p.id}: the strategy threw: boom`));
  });

  it('an unknown plan or a malformed replay is a RangeError naming the plans', () => {
    const k = () => createStrategy('kmalloc');
    expect(() => replaySharedFd(k, 'nope:1:0')).toThrow(
      /unknown shared-fd plan in "nope:1:0".*two-calls, full-vector, faulting-copy/,
    );
    expect(() => replaySharedFd(k, 'two-calls')).toThrow(RangeError);
  });
});

describe('Problems and statusOf', () => {
  it('keeps the first MAX_PROBLEMS and counts the rest', () => {
    const p = new Problems();
    for (let i = 0; i < MAX_PROBLEMS + 3; i++) p.add(`p${i}`);
    expect(p.list).toHaveLength(MAX_PROBLEMS);
    expect(p.list[0]).toBe('p0');
    expect(p.count).toBe(MAX_PROBLEMS + 3);
    expect(p.more).toBe(3);
  });

  it('a problem fails whatever else holds; partial before warn', () => {
    const none = new Problems();
    const one = new Problems();
    one.add('x');
    expect(statusOf(one, true, true)).toBe('fail');
    expect(statusOf(none, true, true)).toBe('partial');
    expect(statusOf(none, true)).toBe('warn');
    expect(statusOf(none)).toBe('pass');
  });
});
