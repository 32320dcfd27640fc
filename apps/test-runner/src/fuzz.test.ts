import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, failureSignature, generateProgram, runFuzz } from './fuzz.js';
import { loadScenarioFile, scenarioFromData } from './load.js';
import { DEFAULT_STRATEGIES } from './plan.js';
import { runScenario } from './run.js';

describe('pfmsim-test fuzz', () => {
  it('programs are valid scenarios, deterministic per seed, with threads, faults and bad arguments', () => {
    const a = generateProgram(7, 3);
    expect(generateProgram(7, 3)).toEqual(a);
    expect(generateProgram(7, 4)).not.toEqual(a);
    const many = Array.from({ length: 60 }, (_, i) => generateProgram(11, i));
    for (const p of many) expect(() => scenarioFromData(p, p.name)).not.toThrow();
    const text = JSON.stringify(many);
    for (const feature of [
      '"explore"',
      'fail_usercopy',
      'failslab',
      '"unmapped"',
      '"readonly"',
      'boundary',
      '"ptrace_attach"',
      '"exit"',
      '"t2"',
      '-1',
    ]) {
      expect(text, feature).toContain(feature);
    }
  });

  it('finds nothing on the shipped strategies (a short run; the CLI runs for --seconds)', () => {
    const out = mkdtempSync(join(tmpdir(), 'pfmsim-fuzz-'));
    const r = runFuzz({ seconds: 60, maxPrograms: 25, seed: 5, out });
    expect(r.programs).toBe(25);
    expect(r.findings).toEqual([]);
  });

  it('on ctx-cache-naive finds the race, shrinks it and writes a scenario that reproduces it', () => {
    const out = mkdtempSync(join(tmpdir(), 'pfmsim-fuzz-'));
    let log = '';
    const r = runFuzz({
      seconds: 3,
      seed: 1,
      out,
      strategies: ['ctx-cache-naive'],
      log: (t) => (log += t),
      shrinkSeconds: 3,
    });
    expect(r.findings.length).toBeGreaterThan(0);
    const race = r.findings.find(
      (f) => f.signature === 'bug:data-race' || f.signature === 'corrupted-argument',
    )!;
    expect(race).toBeDefined();
    expect(race.steps).toBeLessThanOrEqual(4);
    expect(log).toContain(`wrote ${race.file}`);
    const text = readFileSync(race.file, 'utf8');
    expect(text).toMatch(
      /^# Found by: pfmsim-test fuzz --seed 1 \(program \d+\), shrunk from \d+ to \d+ steps\.\n/,
    );
    expect(text).toContain('strategy:\n  - ctx-cache-naive\n');
    // the written file reproduces it
    const again = runScenario(loadScenarioFile(race.file));
    const t = again.tests[0]!;
    expect(t.passed).toBe(false);
    expect(failureSignature(t.failures[0]!)).toBe(race.signature);
    expect(t.replayCommand).toContain('--strategy ctx-cache-naive --replay ');
  });

  it('checkProgram runs a program under every strategy and names the first failure', () => {
    const p = generateProgram(1, 0, { concurrent: true });
    expect(checkProgram(p, DEFAULT_STRATEGIES).failure).toBeNull();
    expect(failureSignature('KernelBug data-race: x')).toBe('bug:data-race');
    expect(failureSignature('differs from kmalloc: ...')).toBe('differs');
    expect(failureSignature('leak: after closing ...')).toBe('leak');
  });
});
