// Every command through the spawned binary (runCli), colour off: the cases of
// test/command-cases.ts, which src/commands/commands.test.ts runs in process, and what only a
// real process shows (the binary starts, prints its version and help).
import { describe, expect, it } from 'vitest';
import { describeCommandCases } from './command-cases.js';
import { expectGolden, runCli } from './helpers.js';

describe('pfmsim binary', () => {
  it('--version and --help', async () => {
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runCli(['--help']);
    expect(h.code).toBe(0);
    for (const c of [
      'compare',
      'machines',
      'attack',
      'race',
      'pmu',
      'tune',
      'calibrate',
      'sweep',
      'merge',
      'bench',
      'report',
      'stat',
      'record',
    ]) {
      expect(h.stdout).toContain(`  ${c}`);
    }
    expectGolden('help', h.stdout);
  }, 60_000);
});

describeCommandCases('pfmsim (every command, end to end, colour off)', runCli);
