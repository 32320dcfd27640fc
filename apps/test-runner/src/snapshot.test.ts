/**
 * Explored scenarios restore a snapshot of the set-up world per schedule (kernel-sim's
 * snapshot.ts); these tests hold them to what setting the world up again each time gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRATEGY_NAMES } from '@pfmsim/buffer-strategies';
import { describe, expect, it } from 'vitest';
import { twoThreadScenario } from './bench-scenario.js';
import { hashBytes, sameBytes } from './bytes.js';
import { CONFORMANCE_DIR } from './cli.js';
import { loadScenarioFile, scenarioFromData } from './load.js';
import { runScenario, type ScenarioResult } from './run.js';

const withoutTimes = (r: ScenarioResult) => r.tests.map((t) => ({ ...t, ms: 0 }));

describe('explored scenarios from a snapshot', () => {
  it('every explored conformance scenario gives what setting its world up again gives, under every strategy', () => {
    const files = readdirSync(CONFORMANCE_DIR)
      .filter((f) => readFileSync(join(CONFORMANCE_DIR, f), 'utf8').includes('explore:'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const sc = loadScenarioFile(join(CONFORMANCE_DIR, f));
      const strategies = [...STRATEGY_NAMES];
      const restored = runScenario(sc, { strategies, snapshots: true });
      expect(withoutTimes(restored), f).toEqual(
        withoutTimes(runScenario(sc, { strategies, snapshots: false })),
      );
    }
  });

  it('random schedules of the bench scenario: the same failures, schedules and replay under the naive cache', () => {
    const data = { ...twoThreadScenario(40), strategy: 'ctx-cache-naive' };
    const sc = scenarioFromData(data, 'two-threads');
    const restored = runScenario(sc, { snapshots: true });
    expect(restored.tests[0]!.passed).toBe(false);
    expect(withoutTimes(restored)).toEqual(withoutTimes(runScenario(sc, { snapshots: false })));
    const ok = scenarioFromData(twoThreadScenario(200), 'two-threads');
    expect(withoutTimes(runScenario(ok))).toEqual(withoutTimes(runScenario(ok, { snapshots: false })));
  });

  it('a failing random schedule replays, with the failure it had', () => {
    const sc = scenarioFromData({ ...twoThreadScenario(40), strategy: 'ctx-cache-naive' }, 'two-threads');
    const t = runScenario(sc).tests[0]!;
    const replay = /--replay (\S+)/.exec(t.replayCommand!)![1]!;
    const again = runScenario(sc, { replay }).tests[0]!;
    expect(again.passed).toBe(false);
    expect(again.failures[0]).toBe(t.failures[0]);
  });
});

describe('bytes.ts', () => {
  it('sameBytes: word by word where aligned, byte by byte elsewhere, the same answer', () => {
    const buf = new Uint8Array(64);
    for (let i = 0; i < 64; i++) buf[i] = i;
    const aligned = buf.slice(0, 16);
    expect(sameBytes(buf.subarray(0, 16), aligned)).toBe(true);
    expect(sameBytes(buf.subarray(1, 17), buf.slice(1, 17))).toBe(true); // unaligned
    expect(sameBytes(buf.subarray(0, 15), buf.slice(0, 15))).toBe(true); // a tail
    const other = aligned.slice();
    other[15] = 99;
    expect(sameBytes(aligned, other)).toBe(false);
    const odd = buf.slice(1, 17);
    odd[15] = 0;
    expect(sameBytes(buf.subarray(1, 17), odd)).toBe(false);
    expect(sameBytes(aligned, aligned.subarray(0, 12))).toBe(false);
  });

  it('hashBytes: the same bytes hash the same wherever they lie; one byte changes it', () => {
    const buf = new Uint8Array(40);
    for (let i = 0; i < 40; i++) buf[i] = (i * 37) & 0xff;
    const h = hashBytes(buf.subarray(3, 26));
    expect(hashBytes(buf.slice(3, 26))).toBe(h);
    const fnv = (h0: number, x: number) => Math.imul(h0 ^ x, 0x01000193) >>> 0;
    expect(hashBytes(new Uint8Array(0))).toBe(fnv(0x811c9dc5, 0).toString(16));
    expect(hashBytes(new Uint8Array([1, 2, 0, 0, 5]))).toBe(
      fnv(fnv(fnv(0x811c9dc5, 0x0201), 5), 5).toString(16),
    );
    expect(hashBytes(new Uint8Array([1]))).not.toBe(hashBytes(new Uint8Array([1, 0, 0, 0]))); // the length counts
    for (let i = 3; i < 26; i++) {
      const c = buf.slice(3, 26);
      c[i - 3]! ^= 1;
      expect(hashBytes(c)).not.toBe(h);
    }
  });
});
