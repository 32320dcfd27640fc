/**
 * Footprints on their own: what a step records, how objects made during a run are named, when
 * two footprints are dependent, and what a wait queue's operations record.
 */
import { describe, expect, it } from 'vitest';
import { beginStep, created, dependent, endStep, Footprint, named, touch, touchRange } from './footprint.js';
import { BLOCKED, type Process, RUNNABLE, Thread } from './thread.js';
import { WaitQueue } from './waitqueue.js';

const thread = (id: number) => new Thread(id, 100 + id, `t${id}`, {} as Process, 0);

/** Runs `body` as step `step` of thread `t`, recording into a new footprint. */
function recorded(body: () => void, t = 0, step = 0): Footprint {
  const fp = new Footprint();
  beginStep(fp, t, step);
  try {
    body();
  } finally {
    endStep();
  }
  return fp;
}

describe('Footprint.touchRange', () => {
  it('keeps a range per access, extending the last one only for the same kind going on', () => {
    const f = new Footprint();
    f.touchRange(64, 8, false);
    expect(f.ranges).toEqual([64, 72, 0]);
    f.touchRange(72, 8, false);
    expect(f.ranges).toEqual([64, 80, 0]); // a copy walking on
    f.touchRange(80, 4, true);
    expect(f.ranges).toEqual([64, 80, 0, 80, 84, 1]); // a write after a read: its own range
    f.touchRange(84, 4, false);
    expect(f.ranges).toEqual([64, 80, 0, 80, 84, 1, 84, 88, 0]); // a read after a write
    f.touchRange(200, 4, false);
    expect(f.ranges).toEqual([64, 80, 0, 80, 84, 1, 84, 88, 0, 200, 204, 0]); // not adjacent
    f.touchRange(300, 0, true);
    f.touchRange(300, -4, true);
    expect(f.ranges).toHaveLength(12); // nothing touched
  });
});

describe('dependent', () => {
  const ranges = (...triples: [number, number, boolean][]) => {
    const f = new Footprint();
    for (const [start, length, write] of triples) f.touchRange(start, length, write);
    return f;
  };

  it('bytes: overlapping and one a write; reads or neighbours never', () => {
    expect(dependent(ranges([0, 8, true]), ranges([4, 8, false]))).toBe(true);
    expect(dependent(ranges([4, 8, false]), ranges([0, 8, true]))).toBe(true);
    expect(dependent(ranges([0, 8, false]), ranges([4, 8, false]))).toBe(false);
    expect(dependent(ranges([0, 8, true]), ranges([8, 8, true]))).toBe(false);
    expect(dependent(ranges([8, 8, true]), ranges([0, 8, true]))).toBe(false);
    expect(dependent(ranges([0, 8, true]), ranges([7, 1, true]))).toBe(true);
    // the last range of each is compared too
    expect(dependent(ranges([0, 4, false], [100, 4, true]), ranges([50, 4, false], [103, 1, false]))).toBe(
      true,
    );
    expect(dependent(ranges([100, 4, true]), ranges([50, 4, false], [96, 4, false], [103, 1, false]))).toBe(
      true,
    );
    expect(dependent(new Footprint(), ranges([0, 8, true]))).toBe(false);
  });

  it('objects: the same object, one a write, whichever footprint holds more objects', () => {
    const a = {};
    const b = {};
    const c = {};
    const small = new Footprint();
    small.touch(a, true);
    const large = new Footprint();
    large.touch(b, false);
    large.touch(c, false);
    expect(dependent(small, large)).toBe(false);
    large.touch(a, false);
    expect(dependent(small, large)).toBe(true);
    expect(dependent(large, small)).toBe(true);
    const reader = new Footprint();
    reader.touch(b, false);
    expect(dependent(reader, large)).toBe(false); // both read b
    expect(dependent(large, reader)).toBe(false);
    const writer = new Footprint();
    writer.touch(c, true);
    writer.touch(b, false);
    writer.touch(a, false);
    expect(dependent(large, writer)).toBe(true); // c: read and written
  });
});

describe('recording', () => {
  it('touch and touchRange record only between beginStep and endStep', () => {
    const o = {};
    touch(o, true);
    touchRange(0, 8, true);
    const fp = recorded(() => {
      touch(o, false);
      touchRange(16, 8, true);
    });
    expect([...fp.objects]).toEqual([[o, false]]);
    expect(fp.ranges).toEqual([16, 24, 1]);
    touch(o, true); // after endStep: not recorded
    touchRange(0, 8, true);
    expect([...fp.objects]).toEqual([[o, false]]);
    expect(fp.ranges).toEqual([16, 24, 1]);
  });

  it('an object made during a recorded step is named by its maker: thread, step, order', () => {
    const made: object[] = [];
    const fp = recorded(
      () => {
        for (let i = 0; i < 3; i++) {
          const o = {};
          created(o);
          made.push(o);
          touch(o, i === 1);
        }
      },
      2,
      5,
    );
    expect([...fp.objects]).toEqual([
      ['2/5/0', false],
      ['2/5/1', true],
      ['2/5/2', false],
    ]);
    // the same maker in another execution names its object alike: the footprints meet
    const again = recorded(
      () => {
        const o = {};
        created(o);
        created({});
        touch(o, true);
      },
      2,
      5,
    );
    expect([...again.objects]).toEqual([['2/5/0', true]]);
    expect(dependent(fp, again)).toBe(true);
    // made outside a recorded step: itself
    const outside = {};
    created(outside);
    expect([...recorded(() => touch(outside, true)).objects]).toEqual([[outside, true]]);
    // a later step starts counting again
    const next = recorded(
      () => {
        const o = {};
        created(o);
        touch(o, false);
      },
      2,
      6,
    );
    expect([...next.objects]).toEqual([['2/6/0', false]]);
  });

  it('an object found by name is that name, whoever made it', () => {
    const stream = {};
    named(stream, 'rng:shared');
    expect([...recorded(() => touch(stream, true), 1, 0).objects]).toEqual([['rng:shared', true]]);
  });
});

describe('wait queue footprints', () => {
  it('has() reads the queue; sleepOn, wake and wakeAll write it and the threads they move', () => {
    const t0 = thread(0);
    const t1 = thread(1);
    const q = new WaitQueue('q');
    expect(q.name).toBe('q');
    const has = recorded(() => q.has(t0));
    expect([...has.objects]).toEqual([[q, false]]);
    const sleep = recorded(() => q.sleepOn(t0));
    expect([...sleep.objects]).toEqual([
      [q, true],
      [t0, true],
    ]);
    expect(t0.state).toBe(BLOCKED);
    q.sleepOn(t1);
    const wake = recorded(() => q.wake());
    expect([...wake.objects]).toEqual([
      [q, true],
      [t0, true],
    ]);
    expect(t0.state).toBe(RUNNABLE);
    const all = recorded(() => q.wakeAll());
    expect([...all.objects]).toEqual([
      [q, true],
      [t1, true],
    ]);
    const none = recorded(() => q.wake());
    expect([...none.objects]).toEqual([[q, true]]); // waking an empty queue still reads and writes it
    expect(dependent(has, none)).toBe(true);
    expect(
      dependent(
        has,
        recorded(() => q.has(t1)),
      ),
    ).toBe(false);
  });

  it('a queue made during a recorded step is named by its maker', () => {
    let q: WaitQueue | undefined;
    recorded(
      () => {
        q = new WaitQueue('made');
      },
      3,
      1,
    );
    expect([...recorded(() => q!.has(thread(0))).objects]).toEqual([['3/1/0', false]]);
  });
});
