/**
 * The race world itself, one schedule at a time (threads run to completion in id order, or in
 * an order given as a replay): what each call returns, what the checks after a run report.
 */
import { GFP_KERNEL } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { getMachine } from './machines.js';
import { buildRaceWorld, parseMix, RACE_COUNT, type RaceWorldOptions } from './race-world.js';

const p4 = getMachine('p4-2006');
const EBADF = -9;

/** Builds, starts and runs one world; T0 runs first unless `order` names the decisions. */
function runWorld(
  opts: Omit<RaceWorldOptions, 'machine' | 'strategy'> & { strategy?: string },
  order?: number[],
) {
  const w = buildRaceWorld({ machine: p4, strategy: 'kmalloc', ...opts }, 1);
  w.start();
  const run = w.kernel.run(order ? { kind: 'replay', decisions: order } : { kind: 'run-to-completion' });
  return { w, run };
}

describe('the race world: what each call does', () => {
  it('write_pmds, read_pmds and write_pmcs succeed on the shared fd; close then makes it EBADF', () => {
    const { w } = runWorld({ threads: 2, calls: 2, mix: parseMix('write_pmds,read_pmds,write_pmcs,close') });
    expect(w.results).toEqual([
      [0, 0],
      [0, 0],
    ]);
    // T1 first: its close comes before T0's calls
    const late = runWorld(
      { threads: 2, calls: 2, mix: parseMix('write_pmds*2,close,write_pmds') },
      [1, 1, 1, 1, 1],
    );
    expect(late.w.results).toEqual([
      [EBADF, EBADF],
      [0, EBADF],
    ]);
  });

  it('dup: the thread goes on through its own descriptor, which a close of the first leaves open', () => {
    const { w } = runWorld({ threads: 2, calls: 2, mix: parseMix('dup,write_pmds,close,write_pmds') });
    const [[nfd, write], [closed, after]] = w.results as [[number, number], [number, number]];
    expect(nfd).toBeGreaterThan(0); // a descriptor of its own, not the shared one
    expect(w.kernel.processes[0]!.files[nfd]).not.toBeNull(); // the dup outlives the close of the first
    expect([write, closed, after]).toEqual([0, 0, EBADF]); // T0 wrote through its dup; T1 closed the first fd
    expect(w.leaks()).toEqual([]);
  });

  it('unload: the context is loaded first, so unloading it succeeds; exit ends the thread', () => {
    const { w } = runWorld({ threads: 2, calls: 2, mix: parseMix('unload,write_pmds,exit,write_pmds') });
    expect(w.results).toEqual([[0, 0], []]);
    expect(w.kernel.threads[1]!.exited).toBe(true);
    const plain = runWorld({ threads: 2, calls: 1, mix: parseMix('write_pmds') });
    expect(plain.w.kernel.threads.map((t) => t.exited)).toEqual([false, false]);
  });

  it("vectors are each call's own: every write_pmds is marked apart, and a swap is a corrupted argument", () => {
    const { w } = runWorld({ threads: 2, calls: 2, mix: parseMix('write_pmds') });
    expect(w.corrupted()).toEqual([]);
    const p = w.kernel.processes[0]!;
    // the four vectors (two per thread), in the order they were mapped after the context's
    const vectors = p.mm.regions.slice(-4).map((r) => r.start);
    const size = 176;
    const marks = vectors.map((u) =>
      Array.from({ length: RACE_COUNT }, (_, e) =>
        p.mm.dataView(u, RACE_COUNT * size, false).getInt32(e * size + 8, true),
      ),
    );
    expect(new Set(marks.flat()).size).toBe(4 * RACE_COUNT);
    expect(marks[0]).toEqual([0x10000, 0x10001, 0x10002, 0x10003]);
    expect(marks[3]).toEqual([0x20100, 0x20101, 0x20102, 0x20103]);
    // T1's second vector takes T1's first's values: T1's vector is someone else's
    p.mm.write(vectors[3]!, p.mm.read(vectors[2]!, RACE_COUNT * size));
    expect(w.corrupted()).toEqual(['T1 caller1']);
    const one = p.mm.dataView(vectors[0]!, size, true);
    one.setInt32(8 + 4 * 0, 0x10000 + 1, true);
    expect(w.corrupted()).toEqual(['T0 main', 'T1 caller1']);
  });

  it('leaks: with the fds closed and every thread gone, what the run allocated and left', () => {
    const { w } = runWorld({ threads: 2, calls: 1, mix: parseMix('exit,write_pmds') });
    const k = w.kernel;
    const t = k.threads[1]!;
    k.mem.kmalloc(t, 100, GFP_KERNEL, k.mem.tag('forgotten'), k.mem.tag('a test'));
    expect(w.leaks()).toEqual(['100 B (size-128) allocated at a test for forgotten']);
    expect(k.processes[0]!.files.every((f) => f === null)).toBe(true); // closed, even with main gone
    expect(k.threads.every((x) => x.exited)).toBe(true);
  });

  it('parseMix: NAME*N with N of one or more digits up to 64, nothing around it', () => {
    expect(parseMix('close*12')).toHaveLength(12);
    expect(parseMix('close*64')).toHaveLength(64);
    for (const bad of ['close*65', 'xclose', 'close*', ' close x'])
      expect(() => parseMix(bad), bad).toThrow(/race call/);
  });
});
