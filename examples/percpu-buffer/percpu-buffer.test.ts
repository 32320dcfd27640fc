// The example plugin, held to what its README says: certified by `pfmsim certify` (every check
// a built-in goes through), race-free when the two threads share one CPU too (the handoff of
// the CPU's buffer), and the README's cycle tables are what `pfmsim compare` prints.
import { readFileSync } from 'node:fs';
import { type ArgBufferStrategy, sharedContextScenario } from '@pfmsim/buffer-strategies';
import { main } from '@pfmsim/cli';
import { explore } from '@pfmsim/kernel-sim';
import { describe, expect, it } from 'vitest';
import { createPercpuBufferStrategy } from './percpu-buffer.mjs';

/** The plugin's factory, typed: the .mjs is plain JavaScript. */
const percpu = (options: object = {}) => createPercpuBufferStrategy(options) as unknown as ArgBufferStrategy;

const HERE = new URL('.', import.meta.url).pathname;
const SLOW = { timeout: 180_000 };

async function pfmsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--plugin', './percpu-buffer.mjs', ...args], {
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += s;
    },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: { NO_COLOR: '1' },
    cwd: HERE,
    now: () => performance.now(),
  });
  return { code, stdout, stderr };
}

interface Certificate {
  verdict: string;
  checks: { id: string; status: string; figures: Record<string, unknown> }[];
}

interface Compare {
  results: { strategy: string; syscall: string; count: number; cyclesPerCall: number }[];
}

/** The README's rows: pfm_read_pmds cycles at 4, 8 and 16 registers, and the change vs kmalloc. */
function rows(doc: Compare, strategies: readonly string[]): string[] {
  const at = (s: string, n: number) =>
    doc.results.find((r) => r.strategy === s && r.syscall === 'pfm_read_pmds' && r.count === n)!
      .cyclesPerCall;
  return strategies.map((s) => {
    const cells = [4, 8, 16].map((n) => {
      const c = at(s, n);
      const change = ((c - at('kmalloc', n)) / at('kmalloc', n)) * 100;
      return s === 'kmalloc'
        ? `${c.toFixed(1)}`
        : `${c.toFixed(1)} (${change >= 0 ? '+' : ''}${change.toFixed(1)} %)`;
    });
    return `| ${s} | ${cells.join(' | ')} |`;
  });
}

describe('the percpu-buffer plugin', () => {
  it('is certified on the default machine: all seven checks pass', SLOW, async () => {
    const r = await pfmsim('certify', 'percpu-buffer', '--json');
    expect(r.code, r.stderr).toBe(0);
    const cert = JSON.parse(r.stdout) as Certificate;
    expect(cert.verdict).toBe('certified');
    expect(cert.checks.map((c) => `${c.id} ${c.status}`)).toEqual([
      'conformance pass',
      'shared-fd pass',
      'race pass',
      'faults pass',
      'attacks pass',
      'stack pass',
      'cycles pass',
    ]);
    const readme = readFileSync(`${HERE}README.md`, 'utf8');
    const cycles = cert.checks.find((c) => c.id === 'cycles')!.figures;
    expect(readme).toContain(`${cycles.cyclesAt4} cycles against kmalloc's ${cycles.kmallocAt4}`);
  });

  it('two threads on ONE cpu hand the buffer over without a race (exhaustive, 3 preemptions)', () => {
    const sc = sharedContextScenario({
      strategy: () => percpu(),
      cpus: 1,
      calls: [
        [5, 2, 8],
        [6, 5],
      ],
    });
    const r = explore({ build: sc.build, check: sc.check, mode: 'exhaustive', maxPreemptions: 3 });
    expect(r.complete).toBe(true);
    expect(r.schedules).toBeGreaterThan(1000);
    expect(r.findings).toEqual([]);
  });

  it('claimed with preemption off instead of cmpxchg, the handoff on one cpu is a data race', () => {
    const sc = sharedContextScenario({
      strategy: () => percpu({ claim: 'preempt-off' }),
      cpus: 1,
      calls: [
        [5, 2, 8],
        [6, 5],
      ],
    });
    const r = explore({ build: sc.build, check: sc.check, mode: 'exhaustive', maxPreemptions: 3 });
    const readme = readFileSync(`${HERE}README.md`, 'utf8');
    expect(readme).toContain(`${r.failingSchedules} of its ${r.schedules} schedules`);
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings[0]!.bugs[0]!.kind).toBe('data-race');
  });

  it("the README's tables are what pfmsim compare prints (4 threads sharing one fd)", SLOW, async () => {
    const readme = readFileSync(`${HERE}README.md`, 'utf8');
    const strategies = ['kmalloc', 'ctx-cache', 'ctx-cache-bounded', 'hybrid', 'percpu-buffer'];
    for (const machine of ['p4-2006', 'modern']) {
      const r = await pfmsim(
        'compare',
        '--machine',
        machine,
        '--threads',
        '4',
        '--strategies',
        strategies.join(','),
        '--json',
      );
      expect(r.code, r.stderr).toBe(0);
      for (const row of rows(JSON.parse(r.stdout) as Compare, strategies))
        expect(readme, machine).toContain(row);
    }
  });
});
