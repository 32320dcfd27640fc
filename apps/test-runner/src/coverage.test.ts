// Branch coverage for the fuzz campaign: V8 instruments a function for block coverage when it is
// compiled after coverage started, so this file starts its tracker before any simulated call
// (each test file runs in a fresh module graph).
import { describe, expect, it } from 'vitest';
import { CoverageTracker, coveredPackage, type InspectorSession } from './coverage.js';
import { parseScenario } from './load.js';
import { runScenario } from './run.js';

const tracker = new CoverageTracker();

describe('branch coverage (V8)', () => {
  it('counts the source and built files of perfmon-core and buffer-strategies, not their tests or other packages', () => {
    expect(coveredPackage('file:///w/packages/perfmon-core/src/rw/pmd.ts')).toBe('perfmon-core');
    // as installed from the registry
    expect(coveredPackage('file:///w/node_modules/@pfmsim/buffer-strategies/dist/index.js')).toBe(
      'buffer-strategies',
    );
    expect(coveredPackage('file:///w/packages/buffer-strategies/dist/index.js')).toBe('buffer-strategies');
    expect(coveredPackage('file:///w/packages/perfmon-core/src/rw/pmd.test.ts')).toBe(null);
    expect(coveredPackage('file:///w/packages/kernel-sim/src/sync.ts')).toBe(null);
    expect(coveredPackage('file:///w/apps/test-runner/src/perfmon-core/x.ts')).toBe(null);
    // a query is not part of the path
    expect(coveredPackage('file:///w/packages/perfmon-core/src/rw/pmd.ts?v=1')).toBe('perfmon-core');
    expect(coveredPackage('file:///w/packages/perfmon-core/src/rw/pmd.ts?x.test.ts')).toBe('perfmon-core');
    expect(coveredPackage('file:///w/packages/perfmon-core/src/rw/pmd.test.ts?v=1')).toBe(null);
  });

  it('reports the branches a program reaches first, and none when the same program runs again', () => {
    const sc = parseScenario(
      `name: cov
machine: { arch: i386, cost: p4-2006, pmu: intel-p6 }
strategy: [kmalloc]
steps:
  - { call: pfm_create_context, save: fd }
  - { call: close, fd: $fd }
`,
      'cov.yaml',
    );
    try {
      runScenario(sc);
      tracker.take();
      const before = tracker.summary();
      expect(tracker.take()).toBe(0);
      runScenario(sc);
      expect(tracker.take()).toBe(0);
      expect(tracker.summary().reached).toEqual(before.reached);
      expect(before.reached['perfmon-core']).toBeGreaterThan(0);
      expect(before.reached['perfmon-core']).toBeLessThanOrEqual(before.known['perfmon-core']);
    } finally {
      tracker.stop();
      tracker.stop();
    }
  });
});

type Block = [start: number, end: number, count: number];
const fn = (...ranges: Block[]) => ({
  ranges: ranges.map(([startOffset, endOffset, count]) => ({ startOffset, endOffset, count })),
});
const CORE = 'file:///w/packages/perfmon-core/src/a.ts';
const STRATEGIES = 'file:///w/packages/buffer-strategies/src/b.ts';

/** An inspector that answers each takePreciseCoverage with the next scripted result. */
class ScriptedSession implements InspectorSession {
  readonly posted: [string, object][] = [];
  readonly takes: { url: string; functions: ReturnType<typeof fn>[] }[][] = [];
  connected = 0;
  disconnected = 0;
  failing: string | null = null;
  connect() {
    this.connected++;
  }
  disconnect() {
    this.disconnected++;
  }
  post(method: string, params: object, callback: (err: Error | null, result: unknown) => void) {
    this.posted.push([method, params]);
    if (method === this.failing) return callback(new Error(`${method} refused`), undefined);
    callback(null, method === 'Profiler.takePreciseCoverage' ? { result: this.takes.shift() ?? [] } : {});
  }
}

describe('reading V8 block coverage (binary mode)', () => {
  it('starts precise block coverage without call counts, and stops it once', () => {
    const s = new ScriptedSession();
    const t = new CoverageTracker(s);
    expect(s.connected).toBe(1);
    expect(s.posted).toEqual([
      ['Profiler.enable', {}],
      ['Profiler.startPreciseCoverage', { callCount: false, detailed: true }],
    ]);
    t.take();
    expect(s.posted[2]).toEqual(['Profiler.takePreciseCoverage', {}]);
    t.stop();
    t.stop();
    expect(s.posted.slice(3).map(([m]) => m)).toEqual(['Profiler.stopPreciseCoverage', 'Profiler.disable']);
    expect(s.disconnected).toBe(1);
  });

  it('an inspector error is thrown', () => {
    const s = new ScriptedSession();
    s.failing = 'Profiler.startPreciseCoverage';
    expect(() => new CoverageTracker(s)).toThrow('Profiler.startPreciseCoverage refused');
  });

  it('a block is reached in a take where its function ran and V8 does not report it as not run', () => {
    const s = new ScriptedSession();
    const t = new CoverageTracker(s);
    s.takes.push(
      [
        // A ran, its block 10-20 did not; B did not run; other packages and empty functions are ignored
        {
          url: CORE,
          functions: [fn([0, 100, 1], [10, 20, 0]), fn([200, 300, 0], [210, 220, 0], [260, 280, 0]), fn()],
        },
        { url: 'file:///w/packages/kernel-sim/src/x.ts', functions: [fn([0, 10, 1])] },
      ],
      // A ran and reported nothing: 10-20 ran with it
      [{ url: CORE, functions: [fn([0, 100, 1])] }],
      [{ url: CORE, functions: [fn([0, 100, 1])] }],
      // B ran; 205-250 did not, nor 210-220 inside it (V8 reports the outer block only); 260-280 ran
      [{ url: CORE, functions: [fn([200, 300, 1], [205, 250, 0])] }],
      // B ran and 210-220 is reported as run (a count V8 gives explicitly): both blocks reached
      [{ url: CORE, functions: [fn([200, 300, 1], [210, 220, 1])] }],
      // C did not run: a block reported with a count does not count without its function
      [{ url: CORE, functions: [fn([400, 500, 0], [410, 420, 1])] }],
      [{ url: STRATEGIES, functions: [fn([0, 50, 1], [5, 9, 0]), fn([60, 70, 1])] }],
    );
    const summary = () => t.summary();
    expect(t.take()).toBe(1);
    expect(summary()).toEqual({
      reached: { 'perfmon-core': 1, 'buffer-strategies': 0 },
      known: { 'perfmon-core': 5, 'buffer-strategies': 0 },
    });
    expect(t.take()).toBe(1);
    expect(t.take()).toBe(0);
    expect(t.take()).toBe(2);
    expect(summary().known['perfmon-core']).toBe(6);
    expect(t.take()).toBe(2);
    expect(t.take()).toBe(0);
    expect(t.take()).toBe(2);
    expect(summary()).toEqual({
      reached: { 'perfmon-core': 6, 'buffer-strategies': 2 },
      known: { 'perfmon-core': 8, 'buffer-strategies': 3 },
    });
    expect(t.take()).toBe(0);
  });

  it('a known block before or after a block that did not run is reached: only blocks inside it are not', () => {
    const s = new ScriptedSession();
    const t = new CoverageTracker(s);
    s.takes.push(
      // D did not run: its blocks 610-650, 720-780 and 820-850 become known
      [{ url: CORE, functions: [fn([600, 900, 0], [610, 650, 0], [720, 780, 0], [820, 850, 0])] }],
      // D ran, 700-800 did not: 720-780 lies inside it; 610-650 and 820-850 do not
      [{ url: CORE, functions: [fn([600, 900, 1], [700, 800, 0])] }],
    );
    expect(t.take()).toBe(0);
    // D itself, 610-650 and 820-850
    expect(t.take()).toBe(3);
    expect(t.summary().reached['perfmon-core']).toBe(3);
  });
});
