import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

async function run(name: string): Promise<string[]> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(format(...args));
  });
  await import(`../examples/${name}.ts`);
  return lines;
}

const value = (line: string | undefined) => Number(line?.trim().split(/\s+/)[1]);

describe('ports of the libpfm example programs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('self: counts equal rate x virtual time exactly', async () => {
    const out = await run('self');
    expect(value(out[0])).toBe(30_000_000_000);
    expect(value(out[1])).toBe(0.75 * 30_000_000_000);
  });

  it('task: another thread, read after it exited', async () => {
    const out = await run('task');
    expect(out[0]).toBe('read after exit: ok');
    expect(value(out[1])).toBe(40_000_000);
    expect(value(out[2])).toBe(60_000_000);
  });

  it('syst: system-wide counts only CPU 0, user and kernel levels', async () => {
    const out = await run('syst');
    const deltas = out.map((l) => Number(/delta=(\d+)/.exec(l)![1]));
    expect(deltas).toEqual([2e6, 1.5e6, 4e6, 3e6, 6e6, 4.5e6]);
  });

  it('notify-self: one notification per period, three then masked', async () => {
    const out = await run('notify-self');
    expect(out.filter((l) => l.startsWith('Notification'))).toHaveLength(3);
    expect(out.at(-1)).toBe('3 notifications, context masked');
  });

  it('task-smpl: the parent reads every sample of the child, one full buffer and the partial one', async () => {
    const out = await run('task-smpl');
    expect(out[0]).toBe('sampling buffer v1.0, 12800 bytes');
    const entries = out.filter((l) => l.startsWith('entry '));
    // 10^9 cycles / 2 x 10^6: 500 samples; 263 entries fill the buffer (48-byte entries, full below 72 bytes)
    expect(entries).toHaveLength(500);
    expect(entries.every((l) => l.endsWith('PMD1: 3000000'))).toBe(true);
    expect(entries.map((l) => Number(l.split(' ')[1]))).toEqual(entries.map((_, i) => i));
    expect(out.at(-1)).toBe('500 samples collected in 1 buffer overflows');
  });

  it('multiplex: scaled estimates within 1 % of the truth', async () => {
    const out = await run('multiplex');
    expect(out[2]).toBe('# 2 sets');
    const truth: Record<string, number> = {
      CPU_CLK_UNHALTED: 3e9,
      INST_RETIRED: 2.25e9,
      BR_INST_RETIRED: 0.375e9,
      DATA_MEM_REFS: 1.2e9,
    };
    for (const line of out.slice(3)) {
      const [, scaled, , name] = line.trim().split(/\s+/);
      expect(Math.abs(Number(scaled) - truth[name!]!) / truth[name!]!).toBeLessThan(0.01);
    }
  });
});
